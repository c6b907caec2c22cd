/* Why did a VM entry fail? The CPU reports only the class of failure
 * (VM-instruction error 7 or 8, or exit reason 33), never which of the
 * checks of SDM Vol. 3C, Chapter 27 it was. vmx_check_snapshot() replays
 * the checks most likely to matter on a copy of the VMCS and names the
 * first one that fails. It is pure, so the host unit tests run it; the
 * VMREADs and RDMSRs that fill a snapshot are in vmx_snapshot.c. */
#ifndef ARCH_X86_VMX_CHECK_H
#define ARCH_X86_VMX_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/vmcs.h"

/* VMX capability MSRs (SDM Vol. 3D, Appendix A) and CPUID facts. */
struct vmx_caps {
	uint64_t basic;
	uint64_t pin, proc, exit, entry;	/* IA32_VMX_*_CTLS */
	/* IA32_VMX_TRUE_*_CTLS; only meaningful when basic bit 55 is 1 */
	uint64_t true_pin, true_proc, true_exit, true_entry;
	uint64_t proc2;				/* 0 when unsupported */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t ept_vpid;			/* 0 when unsupported */
	uint64_t misc;
	uint8_t pa_width;	/* CPUID 0x80000008 EAX[7:0]; 0: unknown */
	uint8_t la_width;	/* CPUID 0x80000008 EAX[15:8]; 0: 48 */
	uint64_t cpu_efer;	/* the processor's IA32_EFER at VM entry */
};

struct vmx_ctl_state {
	uint32_t pin, proc, proc2, exit, entry;
	uint32_t exception_bitmap;
	uint32_t cr3_target_count;
	uint32_t entry_intr_info;
	uint16_t vpid;
	uint64_t eptp;
	uint64_t io_bitmap_a, io_bitmap_b, msr_bitmap;
};

/* Host selectors in VMCS order: ES CS SS DS FS GS TR. */
enum { HSEL_ES, HSEL_CS, HSEL_SS, HSEL_DS, HSEL_FS, HSEL_GS, HSEL_TR,
       HSEL_COUNT };

struct vmx_host_state {
	uint64_t cr0, cr3, cr4;
	uint16_t sel[HSEL_COUNT];
	uint64_t fs_base, gs_base, tr_base, gdtr_base, idtr_base;
	uint64_t sysenter_esp, sysenter_eip;
	uint64_t efer, pat;
	uint64_t rsp, rip;
};

struct vmx_seg_state {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

struct vmx_guest_state {
	uint64_t cr0, cr3, cr4, dr7;
	uint64_t rsp, rip, rflags;
	struct vmx_seg_state seg[SEG_COUNT];	/* enum vmx_seg order */
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t efer, pat, debugctl;
	uint32_t activity, interruptibility;
	uint64_t pending_dbg;
	uint64_t link;
	uint64_t pdpte[4];
};

struct vmx_snapshot {
	struct vmx_caps cap;
	struct vmx_ctl_state ctl;
	struct vmx_host_state host;
	struct vmx_guest_state guest;
};

/* Returns 0 when every implemented check passes; otherwise 1, with the
 * first failing check and its SDM section in msg (one line). */
int vmx_check_snapshot(const struct vmx_snapshot *s, char *msg, size_t len);

/* Fill *s from the current VMCS and the capability MSRs (VMX root). */
void vmx_snapshot_read(struct vmx_snapshot *s);

/* Check the current VMCS and print the verdict through pr(): for a VM
 * entry that has just failed. */
void vmx_check_report(void);

#endif
