/* Unit tests for arch/x86/vmx_check.c: a snapshot of the VMCS that
 * vmx.c builds for a multiboot guest (32-bit protected mode, paging off,
 * unrestricted guest) on a Skylake client CPU must pass; each case then
 * breaks one field and expects the check that names it. */
#include "tests/unit/check.h"
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_check.h"

#include <stdint.h>

/* Capability MSRs as a Skylake client (Core i7-6700) reports them. */
#define SKL_BASIC	0x00da040000000004ull	/* rev 4, TRUE_ MSRs */
#define SKL_PIN		0x0000007f00000016ull
#define SKL_TRUE_PIN	0x0000007f00000016ull
#define SKL_PROC	0xfff9fffe0401e172ull	/* CR3 exits default 1 */
#define SKL_TRUE_PROC	0xfff9fffe04006172ull
#define SKL_PROC2	0x021ffcff00000000ull	/* no APICv */
#define SKL_EXIT	0x01ffffff00036dffull
#define SKL_TRUE_EXIT	0x01ffffff00036dfbull
#define SKL_ENTRY	0x0003ffff000011ffull
#define SKL_TRUE_ENTRY	0x0003ffff000011fbull
#define SKL_MISC	0x000000007004c1e7ull	/* 4 CR3 targets, HLT.. */
#define SKL_CR0_FIXED0	0x0000000080000021ull	/* PE NE PG */
#define SKL_CR0_FIXED1	0x00000000ffffffffull
#define SKL_CR4_FIXED0	0x0000000000002000ull	/* VMXE */
#define SKL_CR4_FIXED1	0x00000000003767ffull
#define SKL_EPT_VPID	0x00000f0106734141ull	/* 4-level, UC, WB, A/D */

#define HOST_EFER_VAL	(EFER_LME | EFER_LMA | EFER_NXE)
#define POWER_ON_PAT	0x0007040600070406ull
#define AR_G		(1u << 15)	/* granularity */

static struct vmx_snapshot s;
static char msg[256];

/* vmx.c's adjust_controls(): wanted bits, forced to what the CPU allows */
static uint32_t adjust(uint64_t cap, uint32_t want)
{
	return (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

static void set_seg(enum vmx_seg i, uint16_t sel, uint64_t base,
		    uint32_t limit, uint32_t ar)
{
	s.guest.seg[i] = (struct vmx_seg_state){ sel, base, limit, ar };
}

static void valid_caps(void)
{
	s.cap = (struct vmx_caps){
		.basic = SKL_BASIC,
		.pin = SKL_PIN, .proc = SKL_PROC,
		.exit = SKL_EXIT, .entry = SKL_ENTRY,
		.true_pin = SKL_TRUE_PIN, .true_proc = SKL_TRUE_PROC,
		.true_exit = SKL_TRUE_EXIT, .true_entry = SKL_TRUE_ENTRY,
		.proc2 = SKL_PROC2,
		.cr0_fixed0 = SKL_CR0_FIXED0, .cr0_fixed1 = SKL_CR0_FIXED1,
		.cr4_fixed0 = SKL_CR4_FIXED0, .cr4_fixed1 = SKL_CR4_FIXED1,
		.ept_vpid = SKL_EPT_VPID, .misc = SKL_MISC,
		.pa_width = 39, .la_width = 48,
		.cpu_efer = HOST_EFER_VAL,
	};
}

/* setup_controls(), setup_bitmaps() and the EPT pointer of vmx.c */
static void valid_controls(void)
{
	struct vmx_ctl_state *c = &s.ctl;

	c->pin = adjust(SKL_TRUE_PIN, PIN_EXT_INT_EXIT | PIN_NMI_EXIT |
			PIN_VIRTUAL_NMIS | PIN_PREEMPT_TIMER);
	c->proc = adjust(SKL_TRUE_PROC, PROC_HLT_EXIT | PROC_RDTSC_EXIT |
			 PROC_IO_BITMAPS | PROC_MSR_BITMAPS | PROC_MWAIT_EXIT |
			 PROC_MONITOR_EXIT | PROC_RDPMC_EXIT | PROC_SECONDARY);
	c->proc2 = (PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED |
		    PROC2_RDTSCP | PROC2_RDRAND_EXIT | PROC2_RDSEED_EXIT |
		    PROC2_INVPCID) & (uint32_t)(SKL_PROC2 >> 32);
	c->exit = adjust(SKL_TRUE_EXIT, EXIT_SAVE_DEBUG | EXIT_HOST_64 |
			 EXIT_ACK_INTR | EXIT_SAVE_PAT | EXIT_LOAD_PAT |
			 EXIT_SAVE_EFER | EXIT_LOAD_EFER);
	c->entry = adjust(SKL_TRUE_ENTRY, ENTRY_LOAD_DEBUG | ENTRY_LOAD_PAT |
			  ENTRY_LOAD_EFER);
	c->exception_bitmap = 0;
	c->cr3_target_count = 0;
	c->entry_intr_info = 0;
	c->vpid = 1;
	c->eptp = 0x7c000000 | 6 | (3 << 3);	/* WB, 4-level walk */
	c->io_bitmap_a = 0x7b000000;
	c->io_bitmap_b = 0x7b001000;
	c->msr_bitmap = 0x7b002000;
}

/* setup_host_state(): tandem's GDT (code 0x08, data 0x10, TSS 0x18) */
static void valid_host(void)
{
	struct vmx_host_state *h = &s.host;

	h->cr0 = CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_MP | CR0_PE;
	h->cr3 = 0x7e100000;
	h->cr4 = CR4_PAE | CR4_OSFXSR | (1ull << 10) | CR4_VMXE;
	h->sel[HSEL_CS] = 0x08;
	h->sel[HSEL_ES] = h->sel[HSEL_SS] = h->sel[HSEL_DS] = 0x10;
	h->sel[HSEL_FS] = h->sel[HSEL_GS] = 0x10;
	h->sel[HSEL_TR] = 0x18;
	h->fs_base = h->gs_base = 0;
	h->tr_base = 0x7e001000;
	h->gdtr_base = 0x7e000000;
	h->idtr_base = 0x7e002000;
	h->sysenter_esp = h->sysenter_eip = 0;
	h->efer = HOST_EFER_VAL;
	h->pat = POWER_ON_PAT;
	h->rsp = 0x7d008000;
	h->rip = 0x7d123456;
}

/* vcpu_set_entry32() with setup_cr_masks()' fixed bits */
static void valid_guest(void)
{
	struct vmx_guest_state *g = &s.guest;
	uint64_t cr0_fixed0 = SKL_CR0_FIXED0 & ~(CR0_PE | CR0_PG);

	g->cr0 = ((CR0_PE | CR0_ET) | cr0_fixed0) & SKL_CR0_FIXED1;
	g->cr4 = SKL_CR4_FIXED0 & SKL_CR4_FIXED1;
	g->cr3 = 0;
	g->dr7 = 0x400;
	g->rsp = 0;
	g->rip = 0x100000;
	g->rflags = 0x2;
	for (int i = SEG_ES; i <= SEG_GS; i++)
		set_seg(i, 0x18, 0, 0xffffffff, 0xc093);
	set_seg(SEG_CS, 0x10, 0, 0xffffffff, 0xc09b);
	set_seg(SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	set_seg(SEG_TR, 0, 0, 0xffff, 0x8b);
	g->gdtr_base = g->idtr_base = 0;
	g->gdtr_limit = g->idtr_limit = 0xffff;
	g->efer = 0;
	g->pat = POWER_ON_PAT;
	g->debugctl = 0;
	g->activity = 0;
	g->interruptibility = 0;
	g->pending_dbg = 0;
	g->link = ~0ull;
	for (int i = 0; i < 4; i++)
		g->pdpte[i] = 0;
}

static void valid(void)
{
	memset(&s, 0, sizeof(s));
	valid_caps();
	valid_controls();
	valid_host();
	valid_guest();
}

#define CHECK_PASSES()							\
	do {								\
		memset(msg, 0x5a, sizeof(msg));				\
		CHECK_EQ(vmx_check_snapshot(&s, msg, sizeof(msg)), 0);	\
		CHECK_STR(msg, "");					\
	} while (0)

#define CHECK_FAILS(expect)						\
	do {								\
		memset(msg, 0x5a, sizeof(msg));				\
		CHECK_EQ(vmx_check_snapshot(&s, msg, sizeof(msg)), 1);	\
		CHECK_STR(msg, expect);					\
	} while (0)

/* ---- the baseline ---------------------------------------------------- */

static void test_valid_passes(void)
{
	valid();
	CHECK_EQ(s.ctl.pin, 0x7f);
	CHECK(s.ctl.proc & PROC_SECONDARY);
	CHECK(!(s.ctl.proc & PROC_CR3_LOAD_EXIT));
	CHECK_EQ(s.guest.cr0, CR0_PE | CR0_ET | CR0_NE);
	CHECK_PASSES();
}

static void test_real_mode_under_ug_passes(void)
{
	valid();
	s.guest.cr0 &= ~CR0_PE;
	CHECK_PASSES();
	/* CS type 3 (a real-mode data-like CS) is fine with UG, DPL 0 */
	s.guest.seg[SEG_CS].ar = 0x93;
	s.guest.seg[SEG_CS].limit = 0xffff;
	CHECK_PASSES();
}

static void test_unusable_segments_pass(void)
{
	valid();
	for (int i = SEG_ES; i <= SEG_GS; i++)
		if (i != SEG_CS)
			s.guest.seg[i].ar = AR_UNUSABLE;
	s.host.sel[HSEL_SS] = 0;	/* fine with a 64-bit host */
	CHECK_PASSES();
}

static void test_msg_truncated(void)
{
	char small[16];

	valid();
	s.host.sel[HSEL_TR] = 0;
	memset(small, 0x5a, sizeof(small));
	CHECK_EQ(vmx_check_snapshot(&s, small, sizeof(small)), 1);
	CHECK_STR(small, "host TR selecto");
	small[0] = 'x';
	CHECK_EQ(vmx_check_snapshot(&s, small, 0), 1);
	CHECK_EQ(small[0], 'x');
}

/* ---- VM-execution, VM-exit, VM-entry controls (27.2.1) ------------- */

static void test_true_msrs_follow_basic_bit55(void)
{
	valid();
	s.cap.basic &= ~VMX_BASIC_TRUE_CTLS;
	CHECK_FAILS("VM-execution controls: primary control bit 15 "
		    "(CR3-load exiting) must be 1 (IA32_VMX_PROCBASED_CTLS) "
		    "- SDM 27.2.1.1");
}

static void test_pin_default1_cleared(void)
{
	valid();
	s.ctl.pin &= ~2u;
	CHECK_FAILS("VM-execution controls: pin-based control bit 1 must be "
		    "1 (IA32_VMX_TRUE_PINBASED_CTLS) - SDM 27.2.1.1");
}

static void test_pin_unsupported_set(void)
{
	valid();
	s.ctl.pin |= PIN_POSTED_INTR;
	CHECK_FAILS("VM-execution controls: pin-based control bit 7 (process "
		    "posted interrupts) must be 0 "
		    "(IA32_VMX_TRUE_PINBASED_CTLS) - SDM 27.2.1.1");
}

static void test_secondary_unsupported_set(void)
{
	valid();
	s.ctl.proc2 |= PROC2_APIC_REG_VIRT;
	CHECK_FAILS("VM-execution controls: secondary control bit 8 "
		    "(APIC-register virtualization) must be 0 "
		    "(IA32_VMX_PROCBASED_CTLS2) - SDM 27.2.1.1");
}

static void test_secondary_ignored_when_off(void)
{
	valid();
	s.ctl.proc &= ~PROC_SECONDARY;
	s.ctl.proc2 = ~0u;
	/* no unrestricted guest any more: CR0.PG is fixed to 1 again */
	CHECK_FAILS("guest CR0: bit 31 (PG) must be 1 (IA32_VMX_CR0_FIXED0) "
		    "- SDM 27.3.1.1");
}

static void test_ug_requires_ept(void)
{
	valid();
	s.ctl.proc2 &= ~PROC2_EPT;
	CHECK_FAILS("VM-execution controls: secondary control bit 7 "
		    "(unrestricted guest) requires EPT - SDM 27.2.1.1");
}

static void test_vpid_zero(void)
{
	valid();
	s.ctl.vpid = 0;
	CHECK_FAILS("VM-execution controls: VPID is 0 with enable VPID set - "
		    "SDM 27.2.1.1");
	s.ctl.proc2 &= ~PROC2_VPID;
	CHECK_PASSES();
}

static void test_eptp_memory_type(void)
{
	valid();
	s.ctl.eptp = (s.ctl.eptp & ~7ull) | 1;
	CHECK_FAILS("VM-execution controls: EPTP memory type 1 is not "
		    "supported (IA32_VMX_EPT_VPID_CAP) - SDM 27.2.1.1");
	s.ctl.eptp &= ~7ull;	/* UC is supported */
	CHECK_PASSES();
}

static void test_eptp_walk_length(void)
{
	valid();
	s.ctl.eptp = (s.ctl.eptp & ~0x38ull) | (4 << 3);
	CHECK_FAILS("VM-execution controls: EPTP page-walk length 5 is not "
		    "supported (IA32_VMX_EPT_VPID_CAP) - SDM 27.2.1.1");
}

static void test_eptp_ad_and_width(void)
{
	valid();
	s.ctl.eptp |= 1 << 6;
	CHECK_PASSES();
	s.cap.ept_vpid &= ~(1ull << 21);
	CHECK_FAILS("VM-execution controls: EPTP bit 6 (accessed and dirty "
		    "flags) is not supported (IA32_VMX_EPT_VPID_CAP) - SDM "
		    "27.2.1.1");
	valid();
	s.ctl.eptp |= 1ull << 40;
	CHECK_FAILS("VM-execution controls: EPTP 0x1007c00001e is beyond the "
		    "39-bit physical-address width - SDM 27.2.1.1");
}

static void test_bitmap_addresses(void)
{
	valid();
	s.ctl.io_bitmap_b = 0x7b001800;
	CHECK_FAILS("VM-execution controls: I/O bitmap B address 0x7b001800 "
		    "is not 4-KByte aligned - SDM 27.2.1.1");
	valid();
	s.cap.basic |= VMX_BASIC_ADDR32;
	s.ctl.msr_bitmap = 0x100000000ull;
	CHECK_FAILS("VM-execution controls: MSR bitmap address 0x100000000 "
		    "is beyond the 32-bit physical-address width - SDM "
		    "27.2.1.1");
}

static void test_cr3_target_count(void)
{
	valid();
	s.ctl.cr3_target_count = 4;
	CHECK_PASSES();
	s.ctl.cr3_target_count = 5;
	CHECK_FAILS("VM-execution controls: CR3-target count 5 is above 4 "
		    "(IA32_VMX_MISC) - SDM 27.2.1.1");
}

static void test_virtual_nmis_need_nmi_exiting(void)
{
	valid();
	s.ctl.pin &= ~PIN_NMI_EXIT;
	CHECK_FAILS("VM-execution controls: virtual NMIs requires NMI "
		    "exiting - SDM 27.2.1.1");
}

static void test_save_preempt_needs_timer(void)
{
	valid();
	s.ctl.pin &= ~PIN_PREEMPT_TIMER;
	CHECK_PASSES();
	s.ctl.exit |= EXIT_SAVE_PREEMPT;
	CHECK_FAILS("VM-exit controls: save VMX-preemption timer value "
		    "requires activate VMX-preemption timer - SDM 27.2.1.2");
}

static void test_exit_default1_cleared(void)
{
	valid();
	s.ctl.exit &= ~(1u << 0);
	CHECK_FAILS("VM-exit controls: bit 0 must be 1 "
		    "(IA32_VMX_TRUE_EXIT_CTLS) - SDM 27.2.1.2");
}

static void test_entry_to_smm(void)
{
	valid();
	s.ctl.entry |= ENTRY_SMM;
	CHECK_FAILS("VM-entry controls: entry to SMM and deactivate "
		    "dual-monitor treatment must be 0 outside SMM - SDM "
		    "27.2.1.3");
}

static void test_inject_error_code(void)
{
	valid();
	s.guest.rflags |= RFLAGS_IF;
	s.ctl.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_HW_EXC | 13;
	CHECK_FAILS("VM-entry controls: deliver-error-code must be 1 for "
		    "type 3 vector 13 - SDM 27.2.1.3");
	s.ctl.entry_intr_info |= INTR_INFO_ERRCODE;
	CHECK_PASSES();
	/* a real-mode guest gets no error code, even for #GP */
	s.guest.cr0 &= ~CR0_PE;
	CHECK_FAILS("VM-entry controls: deliver-error-code must be 0 for "
		    "type 3 vector 13 - SDM 27.2.1.3");
	valid();
	s.ctl.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_HW_EXC |
				INTR_INFO_ERRCODE | 6;
	CHECK_FAILS("VM-entry controls: deliver-error-code must be 0 for "
		    "type 3 vector 6 - SDM 27.2.1.3");
}

static void test_inject_bad_vector(void)
{
	valid();
	s.ctl.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_NMI | 3;
	CHECK_FAILS("VM-entry controls: vector 3 is invalid for interruption "
		    "type 2 - SDM 27.2.1.3");
	s.ctl.entry_intr_info = INTR_INFO_VALID | (1u << 8) | 3;
	CHECK_FAILS("VM-entry controls: interruption type 1 is not "
		    "supported - SDM 27.2.1.3");
}

/* ---- host state (27.2.2 - 27.2.4) ---------------------------------- */

static void test_host_cr0_ne(void)
{
	valid();
	s.host.cr0 &= ~CR0_NE;
	CHECK_FAILS("host CR0: bit 5 (NE) must be 1 (IA32_VMX_CR0_FIXED0) - "
		    "SDM 27.2.2");
}

static void test_host_cr0_high_bit(void)
{
	valid();
	s.host.cr0 |= 1ull << 32;
	CHECK_FAILS("host CR0: bit 32 must be 0 (IA32_VMX_CR0_FIXED1) - SDM "
		    "27.2.2");
}

static void test_host_cr4_fixed(void)
{
	valid();
	s.host.cr4 &= ~CR4_VMXE;
	CHECK_FAILS("host CR4: bit 13 (VMXE) must be 1 (IA32_VMX_CR4_FIXED0) "
		    "- SDM 27.2.2");
	valid();
	s.host.cr4 |= 1ull << 12;
	CHECK_FAILS("host CR4: bit 12 (LA57) must be 0 (IA32_VMX_CR4_FIXED1) "
		    "- SDM 27.2.2");
}

static void test_host_cr3_width(void)
{
	valid();
	s.host.cr3 = 1ull << 39;
	CHECK_FAILS("host CR3 0x8000000000 is beyond the 39-bit "
		    "physical-address width - SDM 27.2.2");
}

static void test_host_pat_and_efer(void)
{
	valid();
	s.host.pat = (POWER_ON_PAT & ~0xffull) | 2;
	CHECK_FAILS("host IA32_PAT: entry 0 has reserved memory type 2 - SDM "
		    "27.2.2");
	valid();
	s.host.efer |= 1ull << 12;
	CHECK_FAILS("host IA32_EFER 0x1d00 sets reserved bits - SDM 27.2.2");
	valid();
	s.host.efer &= ~EFER_LME;
	CHECK_FAILS("host IA32_EFER.LMA and LME must equal host address-space "
		    "size (1) - SDM 27.2.2");
}

static void test_host_tr_cs_zero(void)
{
	valid();
	s.host.sel[HSEL_TR] = 0;
	CHECK_FAILS("host TR selector is 0 - SDM 27.2.3");
	valid();
	s.host.sel[HSEL_CS] = 0;
	CHECK_FAILS("host CS selector is 0 - SDM 27.2.3");
}

static void test_host_selector_rpl_ti(void)
{
	valid();
	s.host.sel[HSEL_SS] = 0x13;
	CHECK_FAILS("host SS selector 0x13: RPL and TI must be 0 - SDM "
		    "27.2.3");
	valid();
	s.host.sel[HSEL_GS] = 0x14;
	CHECK_FAILS("host GS selector 0x14: RPL and TI must be 0 - SDM "
		    "27.2.3");
}

static void test_host_base_canonical(void)
{
	valid();
	s.host.gdtr_base = 0x0000800000000000ull;
	CHECK_FAILS("host GDTR base 0x800000000000 is not canonical - SDM "
		    "27.2.3");
	s.host.gdtr_base = 0xffff800000000000ull;
	CHECK_PASSES();
}

static void test_host_address_space(void)
{
	valid();
	s.host.cr4 &= ~CR4_PAE;
	CHECK_FAILS("host CR4: bit 5 (PAE) must be 1 with host address-space "
		    "size - SDM 27.2.4");
	valid();
	s.host.rip = 0x0001000000000000ull;
	CHECK_FAILS("host RIP 0x1000000000000 is not canonical - SDM 27.2.4");
	valid();
	s.ctl.exit &= ~(EXIT_HOST_64 | EXIT_LOAD_EFER);
	CHECK_FAILS("VM-exit controls: host address-space size must be 1: "
		    "the processor is in IA-32e mode - SDM 27.2.4");
}

/* ---- guest state (27.3.1) ------------------------------------------ */

static void test_guest_cr0_ne(void)
{
	valid();
	s.guest.cr0 &= ~CR0_NE;
	CHECK_FAILS("guest CR0: bit 5 (NE) must be 1 (IA32_VMX_CR0_FIXED0) - "
		    "SDM 27.3.1.1");
}

static void test_guest_pg_needs_pe(void)
{
	valid();
	s.guest.cr0 = (s.guest.cr0 & ~CR0_PE) | CR0_PG;
	CHECK_FAILS("guest CR0: bit 31 (PG) requires bit 0 (PE) - SDM "
		    "27.3.1.1");
}

static void test_guest_cr4_vmxe(void)
{
	valid();
	s.guest.cr4 = 0;
	CHECK_FAILS("guest CR4: bit 13 (VMXE) must be 1 (IA32_VMX_CR4_FIXED0) "
		    "- SDM 27.3.1.1");
}

static void test_guest_ia32e_needs_paging(void)
{
	valid();
	s.ctl.entry |= ENTRY_IA32E;
	CHECK_FAILS("guest CR0.PG and CR4.PAE must be 1 for an IA-32e mode "
		    "guest - SDM 27.3.1.1");
}

static void test_guest_pcide_needs_ia32e(void)
{
	valid();
	s.guest.cr4 |= 1ull << 17;
	CHECK_FAILS("guest CR4: bit 17 (PCIDE) requires IA-32e mode guest - "
		    "SDM 27.3.1.1");
}

static void test_guest_efer(void)
{
	valid();
	s.guest.efer = EFER_LMA | EFER_LME;
	CHECK_FAILS("guest IA32_EFER.LMA (1) must equal IA-32e mode guest "
		    "(0) - SDM 27.3.1.1");
	valid();
	s.guest.cr0 |= CR0_PG;
	s.guest.efer = EFER_LME;
	CHECK_FAILS("guest IA32_EFER.LMA must equal LME when CR0.PG is 1 - "
		    "SDM 27.3.1.1");
	s.guest.cr0 &= ~CR0_PG;		/* LME alone before paging is fine */
	CHECK_PASSES();
}

static void test_guest_dr7_debugctl(void)
{
	valid();
	s.guest.dr7 |= 1ull << 32;
	CHECK_FAILS("guest DR7 0x100000400: bits 63:32 must be 0 - SDM "
		    "27.3.1.1");
	s.ctl.entry &= ~ENTRY_LOAD_DEBUG;	/* not loaded: not checked */
	CHECK_PASSES();
	valid();
	s.guest.debugctl = 1u << 3;
	CHECK_FAILS("guest IA32_DEBUGCTL 0x8 sets reserved bits - SDM "
		    "27.3.1.1");
}

static void test_guest_pat(void)
{
	valid();
	s.guest.pat = POWER_ON_PAT | (8ull << 56);
	CHECK_FAILS("guest IA32_PAT: entry 7 has reserved memory type 8 - SDM "
		    "27.3.1.1");
}

static void test_cs_type3_needs_ug(void)
{
	valid();
	s.ctl.proc2 &= ~PROC2_UNRESTRICTED;
	s.guest.cr0 |= CR0_PG;
	CHECK_PASSES();
	s.guest.seg[SEG_CS].ar = 0xc093;
	CHECK_FAILS("guest CS access rights 0xc093: type 3 needs unrestricted "
		    "guest - SDM 27.3.1.2");
}

static void test_cs_type(void)
{
	valid();
	s.guest.seg[SEG_CS].ar = 0xc098;	/* execute-only, not accessed */
	CHECK_FAILS("guest CS access rights 0xc098: type must be 9, 11, 13 or "
		    "15 (accessed code) - SDM 27.3.1.2");
}

static void test_cs_dpl_vs_ss(void)
{
	valid();
	s.guest.seg[SEG_CS].ar = 0xc0fb;	/* DPL 3, SS DPL 0 */
	CHECK_FAILS("guest CS access rights 0xc0fb: DPL of non-conforming "
		    "code must equal SS.DPL - SDM 27.3.1.2");
	s.guest.seg[SEG_CS].ar = 0xc09f;	/* conforming, DPL 0 */
	CHECK_PASSES();
}

static void test_cs_reserved_bits(void)
{
	valid();
	s.guest.seg[SEG_CS].ar |= 0x100;
	CHECK_FAILS("guest CS access rights 0xc19b: reserved bits 11:8 must "
		    "be 0 - SDM 27.3.1.2");
	valid();
	s.guest.seg[SEG_CS].ar |= 1u << 17;
	CHECK_FAILS("guest CS access rights 0x2c09b: reserved bits 31:17 must "
		    "be 0 - SDM 27.3.1.2");
}

static void test_ss_type(void)
{
	valid();
	s.guest.seg[SEG_SS].ar = 0xc09b;
	CHECK_FAILS("guest SS access rights 0xc09b: type must be 3 or 7 "
		    "(read/write data) - SDM 27.3.1.2");
}

static void test_ss_dpl_real_mode(void)
{
	valid();
	s.guest.cr0 &= ~CR0_PE;
	s.guest.seg[SEG_CS].ar = 0xc0fb;
	s.guest.seg[SEG_SS].ar = 0xc0f3;
	CHECK_FAILS("guest SS access rights 0xc0f3: DPL must be 0 in real "
		    "mode or with CS type 3 - SDM 27.3.1.2");
}

static void test_data_segment_bits(void)
{
	valid();
	s.guest.seg[SEG_DS].ar = 0xc092;
	CHECK_FAILS("guest DS access rights 0xc092: type must be accessed "
		    "(bit 0) - SDM 27.3.1.2");
	valid();
	s.guest.seg[SEG_FS].ar = 0xc013;
	CHECK_FAILS("guest FS access rights 0xc013: P must be 1 - SDM "
		    "27.3.1.2");
	valid();
	s.guest.seg[SEG_ES].ar = 0xc083;
	CHECK_FAILS("guest ES access rights 0xc083: S must be 1 - SDM "
		    "27.3.1.2");
	valid();
	s.guest.seg[SEG_GS].ar = 0xc099;	/* execute-only code */
	CHECK_FAILS("guest GS access rights 0xc099: a code segment must be "
		    "readable - SDM 27.3.1.2");
}

static void test_limit_vs_g(void)
{
	valid();
	s.guest.seg[SEG_DS].ar &= ~AR_G;
	CHECK_FAILS("guest DS access rights 0x4093: G must be 1 when limit "
		    "bits 31:20 are not 0 - SDM 27.3.1.2");
	valid();
	s.guest.seg[SEG_ES].limit = 0x1000;
	CHECK_FAILS("guest ES access rights 0xc093: G must be 0 unless limit "
		    "bits 11:0 are all 1 - SDM 27.3.1.2");
	s.guest.seg[SEG_ES].limit = 0xfffff;
	s.guest.seg[SEG_ES].ar &= ~AR_G;	/* 1 MiB byte-granular */
	CHECK_PASSES();
}

static void test_tr(void)
{
	valid();
	s.guest.seg[SEG_TR].ar = 0x83;		/* busy 16-bit TSS */
	CHECK_PASSES();
	s.guest.seg[SEG_TR].ar = 0x89;		/* available, not busy */
	CHECK_FAILS("guest TR access rights 0x89: type must be 3 or 11 (busy "
		    "TSS) - SDM 27.3.1.2");
	valid();
	s.guest.seg[SEG_TR].ar |= AR_UNUSABLE;
	CHECK_FAILS("guest TR access rights 0x1008b: TR must be usable - SDM "
		    "27.3.1.2");
	valid();
	s.guest.seg[SEG_TR].sel = 0x4;
	CHECK_FAILS("guest TR selector 0x4: TI must be 0 - SDM 27.3.1.2");
}

static void test_ldtr(void)
{
	valid();
	s.guest.seg[SEG_LDTR].ar = 0x82;
	CHECK_PASSES();
	s.guest.seg[SEG_LDTR].ar = 0x83;
	CHECK_FAILS("guest LDTR access rights 0x83: type must be 2 (LDT) - "
		    "SDM 27.3.1.2");
}

static void test_v86_segments(void)
{
	valid();
	s.guest.rflags |= RFLAGS_VM;
	CHECK_FAILS("guest ES: virtual-8086 mode needs base = selector << 4, "
		    "limit 0xffff, access rights 0xf3 - SDM 27.3.1.2");
	for (int i = SEG_ES; i <= SEG_GS; i++)
		set_seg(i, 0x1234, 0x12340, 0xffff, 0xf3);
	CHECK_PASSES();
	s.guest.cr0 &= ~CR0_PE;
	CHECK_FAILS("guest RFLAGS.VM must be 0 in IA-32e mode or with CR0.PE "
		    "0 - SDM 27.3.1.4");
}

static void test_descriptor_tables(void)
{
	valid();
	s.guest.gdtr_limit = 0x10000;
	CHECK_FAILS("guest GDTR limit: bits 31:16 must be 0 - SDM 27.3.1.3");
	valid();
	s.guest.idtr_base = 0x0000800000000000ull;
	CHECK_FAILS("guest IDTR base is not canonical - SDM 27.3.1.3");
}

static void test_rip_rflags(void)
{
	valid();
	s.guest.rip = 0x100000000ull;
	CHECK_FAILS("guest RIP 0x100000000: bits 63:32 must be 0 outside "
		    "64-bit mode - SDM 27.3.1.4");
	valid();
	s.guest.rflags = 0;
	CHECK_FAILS("guest RFLAGS 0x0: bit 1 must be 1, bits 3, 5, 15, 63:22 "
		    "must be 0 - SDM 27.3.1.4");
	s.guest.rflags = 0x8002;
	CHECK_FAILS("guest RFLAGS 0x8002: bit 1 must be 1, bits 3, 5, 15, "
		    "63:22 must be 0 - SDM 27.3.1.4");
	valid();
	s.ctl.entry_intr_info = INTR_INFO_VALID | INTR_TYPE_EXT | 0x20;
	CHECK_FAILS("guest RFLAGS.IF must be 1 to inject an external "
		    "interrupt - SDM 27.3.1.4");
}

static void test_activity(void)
{
	valid();
	s.guest.activity = 1;
	CHECK_PASSES();
	s.guest.activity = 4;
	CHECK_FAILS("guest activity state 4 is not supported (IA32_VMX_MISC) "
		    "- SDM 27.3.1.5");
	valid();
	s.guest.seg[SEG_CS].ar = 0xc0fb;
	s.guest.seg[SEG_SS].ar = 0xc0f3;
	CHECK_PASSES();
	s.guest.activity = 1;
	CHECK_FAILS("guest activity state HLT needs SS.DPL 0 - SDM 27.3.1.5");
	valid();
	s.guest.activity = 1;
	s.guest.rflags |= RFLAGS_IF;
	s.guest.interruptibility = 1;
	CHECK_FAILS("guest activity state must be active with blocking by "
		    "STI or MOV SS - SDM 27.3.1.5");
}

static void test_interruptibility(void)
{
	valid();
	s.guest.interruptibility = 3;
	CHECK_FAILS("guest interruptibility 0x3: blocking by STI and by MOV SS "
		    "are exclusive - SDM 27.3.1.5");
	s.guest.interruptibility = 1;
	CHECK_FAILS("guest interruptibility: blocking by STI needs RFLAGS.IF 1 "
		    "- SDM 27.3.1.5");
	s.guest.rflags |= RFLAGS_IF;
	CHECK_PASSES();
	s.guest.interruptibility = 1u << 5;
	CHECK_FAILS("guest interruptibility 0x20: bits 31:5 must be 0 - SDM "
		    "27.3.1.5");
}

static void test_pending_debug_bs(void)
{
	valid();
	s.guest.rflags |= RFLAGS_TF;
	s.guest.interruptibility = 2;		/* MOV SS */
	CHECK_FAILS("guest pending debug exceptions: BS must be 1 with "
		    "RFLAGS.TF 1 and STI/MOV SS blocking or HLT - SDM "
		    "27.3.1.5");
	s.guest.pending_dbg = 1u << 14;
	CHECK_PASSES();
	s.guest.pending_dbg |= 1u << 4;
	CHECK_FAILS("guest pending debug exceptions 0x4010 set reserved bits "
		    "- SDM 27.3.1.5");
}

/* After TF single-stepping tandem gives the guest its TF back: a
 * single-step left pending under MOV SS blocking must go with it. */
static void test_pending_debug_bs_without_tf(void)
{
	valid();
	s.guest.interruptibility = 2;		/* MOV SS */
	s.guest.pending_dbg = 1u << 14;
	CHECK_FAILS("guest pending debug exceptions: BS must be 0 without "
		    "RFLAGS.TF (or with BTF) under STI/MOV SS blocking or HLT "
		    "- SDM 27.3.1.5");
	s.guest.pending_dbg = 0;
	CHECK_PASSES();
	/* no blocking: BS may stay pending either way */
	s.guest.interruptibility = 0;
	s.guest.pending_dbg = 1u << 14;
	CHECK_PASSES();
}

static void test_link_pointer(void)
{
	valid();
	s.guest.link = 0;
	CHECK_FAILS("guest VMCS link pointer 0x0 is not ~0 without VMCS "
		    "shadowing - SDM 27.3.1.6");
}

static void test_pdptes(void)
{
	valid();
	s.guest.cr0 |= CR0_PG;
	s.guest.cr4 |= CR4_PAE;
	s.guest.pdpte[0] = 0x1000 | 1;
	s.guest.pdpte[2] = 0x3 | 0x2000;	/* bit 1 reserved */
	CHECK_FAILS("guest PDPTE2 0x2003 sets reserved bits - SDM 27.3.1.7");
	s.guest.pdpte[2] = 0x2 | 0x2000;	/* not present: ignored */
	CHECK_PASSES();
}

static const struct tcase cases[] = {
	TCASE(valid_passes),
	TCASE(real_mode_under_ug_passes),
	TCASE(unusable_segments_pass),
	TCASE(msg_truncated),
	TCASE(true_msrs_follow_basic_bit55),
	TCASE(pin_default1_cleared),
	TCASE(pin_unsupported_set),
	TCASE(secondary_unsupported_set),
	TCASE(secondary_ignored_when_off),
	TCASE(ug_requires_ept),
	TCASE(vpid_zero),
	TCASE(eptp_memory_type),
	TCASE(eptp_walk_length),
	TCASE(eptp_ad_and_width),
	TCASE(bitmap_addresses),
	TCASE(cr3_target_count),
	TCASE(virtual_nmis_need_nmi_exiting),
	TCASE(save_preempt_needs_timer),
	TCASE(exit_default1_cleared),
	TCASE(entry_to_smm),
	TCASE(inject_error_code),
	TCASE(inject_bad_vector),
	TCASE(host_cr0_ne),
	TCASE(host_cr0_high_bit),
	TCASE(host_cr4_fixed),
	TCASE(host_cr3_width),
	TCASE(host_pat_and_efer),
	TCASE(host_tr_cs_zero),
	TCASE(host_selector_rpl_ti),
	TCASE(host_base_canonical),
	TCASE(host_address_space),
	TCASE(guest_cr0_ne),
	TCASE(guest_pg_needs_pe),
	TCASE(guest_cr4_vmxe),
	TCASE(guest_ia32e_needs_paging),
	TCASE(guest_pcide_needs_ia32e),
	TCASE(guest_efer),
	TCASE(guest_dr7_debugctl),
	TCASE(guest_pat),
	TCASE(cs_type3_needs_ug),
	TCASE(cs_type),
	TCASE(cs_dpl_vs_ss),
	TCASE(cs_reserved_bits),
	TCASE(ss_type),
	TCASE(ss_dpl_real_mode),
	TCASE(data_segment_bits),
	TCASE(limit_vs_g),
	TCASE(tr),
	TCASE(ldtr),
	TCASE(v86_segments),
	TCASE(descriptor_tables),
	TCASE(rip_rflags),
	TCASE(activity),
	TCASE(interruptibility),
	TCASE(pending_debug_bs),
	TCASE(pending_debug_bs_without_tf),
	TCASE(link_pointer),
	TCASE(pdptes),
};

int main(int argc, char **argv)
{
	return RUN_CASES("vmx_check", cases, argc, argv);
}
