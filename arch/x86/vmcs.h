/* VMCS field encodings, control bits and VMX capability MSRs
 * (SDM Vol. 3D, Appendix A and B; Vol. 3C, Chapter 25). */
#ifndef ARCH_X86_VMCS_H
#define ARCH_X86_VMCS_H

#include <stdint.h>

enum vmcs_field {
	VPID			= 0x0000,
	GUEST_ES_SEL		= 0x0800,	/* ES CS SS DS FS GS LDTR TR */
	HOST_ES_SEL		= 0x0c00,	/* ES CS SS DS FS GS TR */
	HOST_CS_SEL		= 0x0c02,
	HOST_SS_SEL		= 0x0c04,
	HOST_DS_SEL		= 0x0c06,
	HOST_FS_SEL		= 0x0c08,
	HOST_GS_SEL		= 0x0c0a,
	HOST_TR_SEL		= 0x0c0c,

	IO_BITMAP_A		= 0x2000,
	IO_BITMAP_B		= 0x2002,
	MSR_BITMAP		= 0x2004,
	TSC_OFFSET		= 0x2010,
	EPT_POINTER		= 0x201a,
	GUEST_PHYS_ADDR		= 0x2400,
	VMCS_LINK_POINTER	= 0x2800,
	GUEST_DEBUGCTL		= 0x2802,
	GUEST_PAT		= 0x2804,
	GUEST_EFER		= 0x2806,
	GUEST_PERF_GLOBAL_CTRL	= 0x2808,
	GUEST_PDPTE0		= 0x280a,	/* four, stride 2 */
	HOST_PAT		= 0x2c00,
	HOST_EFER		= 0x2c02,
	HOST_PERF_GLOBAL_CTRL	= 0x2c04,

	PIN_CONTROLS		= 0x4000,
	PROC_CONTROLS		= 0x4002,
	EXCEPTION_BITMAP	= 0x4004,
	PF_ERRCODE_MASK		= 0x4006,
	PF_ERRCODE_MATCH	= 0x4008,
	CR3_TARGET_COUNT	= 0x400a,
	EXIT_CONTROLS		= 0x400c,
	EXIT_MSR_STORE_COUNT	= 0x400e,
	EXIT_MSR_LOAD_COUNT	= 0x4010,
	ENTRY_CONTROLS		= 0x4012,
	ENTRY_MSR_LOAD_COUNT	= 0x4014,
	ENTRY_INTR_INFO		= 0x4016,
	ENTRY_EXCEPTION_ERRCODE	= 0x4018,
	ENTRY_INSTR_LEN		= 0x401a,
	PROC_CONTROLS2		= 0x401e,
	VM_INSTR_ERROR		= 0x4400,
	EXIT_REASON		= 0x4402,
	EXIT_INTR_INFO		= 0x4404,
	EXIT_INTR_ERRCODE	= 0x4406,
	IDT_VECTORING_INFO	= 0x4408,
	IDT_VECTORING_ERRCODE	= 0x440a,
	EXIT_INSTR_LEN		= 0x440c,
	EXIT_INSTR_INFO		= 0x440e,
	GUEST_ES_LIMIT		= 0x4800,	/* ES..TR, then GDTR, IDTR */
	GUEST_GDTR_LIMIT	= 0x4810,
	GUEST_IDTR_LIMIT	= 0x4812,
	GUEST_ES_AR		= 0x4814,	/* ES..TR */
	GUEST_INTERRUPTIBILITY	= 0x4824,
	GUEST_ACTIVITY_STATE	= 0x4826,
	GUEST_SYSENTER_CS	= 0x482a,
	PREEMPTION_TIMER	= 0x482e,
	HOST_SYSENTER_CS	= 0x4c00,

	CR0_GUEST_HOST_MASK	= 0x6000,
	CR4_GUEST_HOST_MASK	= 0x6002,
	CR0_READ_SHADOW		= 0x6004,
	CR4_READ_SHADOW		= 0x6006,
	EXIT_QUALIFICATION	= 0x6400,
	GUEST_LINEAR_ADDR	= 0x640a,
	GUEST_CR0		= 0x6800,
	GUEST_CR3		= 0x6802,
	GUEST_CR4		= 0x6804,
	GUEST_ES_BASE		= 0x6806,	/* ES..TR, then GDTR, IDTR */
	GUEST_GDTR_BASE		= 0x6816,
	GUEST_IDTR_BASE		= 0x6818,
	GUEST_DR7		= 0x681a,
	GUEST_RSP		= 0x681c,
	GUEST_RIP		= 0x681e,
	GUEST_RFLAGS		= 0x6820,
	GUEST_PENDING_DBG	= 0x6822,
	GUEST_SYSENTER_ESP	= 0x6824,
	GUEST_SYSENTER_EIP	= 0x6826,
	HOST_CR0		= 0x6c00,
	HOST_CR3		= 0x6c02,
	HOST_CR4		= 0x6c04,
	HOST_FS_BASE		= 0x6c06,
	HOST_GS_BASE		= 0x6c08,
	HOST_TR_BASE		= 0x6c0a,
	HOST_GDTR_BASE		= 0x6c0c,
	HOST_IDTR_BASE		= 0x6c0e,
	HOST_SYSENTER_ESP	= 0x6c10,
	HOST_SYSENTER_EIP	= 0x6c12,
	HOST_RSP		= 0x6c14,
	HOST_RIP		= 0x6c16,
};

/* Segment registers in VMCS order (the field encodings step by 2). */
enum vmx_seg { SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS, SEG_LDTR,
	       SEG_TR, SEG_COUNT };
#define GUEST_SEG(f, s)	((f) + 2 * (s))
#define AR_UNUSABLE	(1u << 16)

#define PIN_EXT_INT_EXIT	(1u << 0)
#define PIN_NMI_EXIT		(1u << 3)
#define PIN_VIRTUAL_NMIS	(1u << 5)
#define PIN_PREEMPT_TIMER	(1u << 6)
#define PIN_POSTED_INTR		(1u << 7)

#define PROC_IRQ_WINDOW_EXIT	(1u << 2)
#define PROC_HLT_EXIT		(1u << 7)
#define PROC_INVLPG_EXIT	(1u << 9)
#define PROC_MWAIT_EXIT		(1u << 10)
#define PROC_RDPMC_EXIT		(1u << 11)
#define PROC_RDTSC_EXIT		(1u << 12)
#define PROC_CR3_LOAD_EXIT	(1u << 15)
#define PROC_CR3_STORE_EXIT	(1u << 16)
#define PROC_CR8_LOAD_EXIT	(1u << 19)
#define PROC_CR8_STORE_EXIT	(1u << 20)
#define PROC_TPR_SHADOW		(1u << 21)
#define PROC_NMI_WINDOW		(1u << 22)
#define PROC_MOV_DR_EXIT	(1u << 23)
#define PROC_UNCOND_IO_EXIT	(1u << 24)
#define PROC_IO_BITMAPS		(1u << 25)
#define PROC_MTF		(1u << 27)
#define PROC_MSR_BITMAPS	(1u << 28)
#define PROC_MONITOR_EXIT	(1u << 29)
#define PROC_SECONDARY		(1u << 31)

#define PROC2_EPT		(1u << 1)
#define PROC2_RDTSCP		(1u << 3)
#define PROC2_X2APIC_MODE	(1u << 4)
#define PROC2_VPID		(1u << 5)
#define PROC2_UNRESTRICTED	(1u << 7)
#define PROC2_APIC_REG_VIRT	(1u << 8)
#define PROC2_VINTR_DELIVERY	(1u << 9)
#define PROC2_RDRAND_EXIT	(1u << 11)
#define PROC2_INVPCID		(1u << 12)
#define PROC2_VMCS_SHADOW	(1u << 14)
#define PROC2_RDSEED_EXIT	(1u << 16)
#define PROC2_PML		(1u << 17)
#define PROC2_XSAVES		(1u << 20)
#define PROC2_EPT_MBEC		(1u << 22)
#define PROC2_EPT_SPP		(1u << 23)

#define EXIT_SAVE_DEBUG		(1u << 2)
#define EXIT_HOST_64		(1u << 9)
#define EXIT_LOAD_PERF_GLOBAL	(1u << 12)
#define EXIT_ACK_INTR		(1u << 15)
#define EXIT_SAVE_PAT		(1u << 18)
#define EXIT_LOAD_PAT		(1u << 19)
#define EXIT_SAVE_EFER		(1u << 20)
#define EXIT_LOAD_EFER		(1u << 21)
#define EXIT_SAVE_PREEMPT	(1u << 22)

#define ENTRY_LOAD_DEBUG	(1u << 2)
#define ENTRY_IA32E		(1u << 9)
#define ENTRY_SMM		(1u << 10)
#define ENTRY_DEACT_DUAL	(1u << 11)
#define ENTRY_LOAD_PERF_GLOBAL	(1u << 13)
#define ENTRY_LOAD_PAT		(1u << 14)
#define ENTRY_LOAD_EFER		(1u << 15)

#define MSR_VMX_BASIC		0x480
#define MSR_VMX_PIN		0x481
#define MSR_VMX_PROC		0x482
#define MSR_VMX_EXIT		0x483
#define MSR_VMX_ENTRY		0x484
#define MSR_VMX_MISC		0x485
#define MSR_VMX_CR0_FIXED0	0x486
#define MSR_VMX_CR0_FIXED1	0x487
#define MSR_VMX_CR4_FIXED0	0x488
#define MSR_VMX_CR4_FIXED1	0x489
#define MSR_VMX_PROC2		0x48b
#define MSR_VMX_EPT_VPID_CAP	0x48c
#define MSR_VMX_TRUE_PIN	0x48d
#define MSR_VMX_TRUE_PROC	0x48e
#define MSR_VMX_TRUE_EXIT	0x48f
#define MSR_VMX_TRUE_ENTRY	0x490

#define VMX_BASIC_ADDR32	(1ull << 48)	/* VMCS pointers below 4 GiB */
#define VMX_BASIC_TRUE_CTLS	(1ull << 55)	/* TRUE_* MSRs exist */

#define FEATURE_CONTROL_LOCK	(1ull << 0)
#define FEATURE_CONTROL_VMXON	(1ull << 2)	/* outside SMX */

/* Interruption information (entry and exit), SDM Vol. 3C, 25.8.3 */
#define INTR_INFO_VALID		(1u << 31)
#define INTR_INFO_ERRCODE	(1u << 11)
#define INTR_TYPE_EXT		(0u << 8)
#define INTR_TYPE_NMI		(2u << 8)
#define INTR_TYPE_HW_EXC	(3u << 8)
#define INTR_TYPE_PRIV_SW	(5u << 8)	/* INT1 */
#define INTR_TYPE_SW_EXC	(6u << 8)	/* INT3, INTO */
#define INTR_TYPE_MASK		(7u << 8)

/* Pending debug exceptions (SDM 25.4.2): a single-step trap */
#define PENDING_DBG_BS		(1ull << 14)

static inline uint64_t vmread(uint64_t field)
{
	uint64_t v;

	__asm__ volatile("vmread %1, %0" : "=rm"(v) : "r"(field) : "cc");
	return v;
}

static inline void vmwrite(uint64_t field, uint64_t v)
{
	__asm__ volatile("vmwrite %1, %0" : : "r"(field), "rm"(v)
			 : "cc", "memory");
}

#endif
