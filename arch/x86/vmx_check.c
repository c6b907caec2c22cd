/* The VM-entry checks of SDM Vol. 3C, Chapter 27, replayed on a snapshot
 * of the VMCS, in the CPU's order: VMX controls (VM-instruction error 7),
 * host state (error 8), guest state (exit reason 33). Only the checks
 * tandem's set-up could plausibly trip are here; features tandem never
 * enables (APIC virtualization pages, MSR-load areas, SMM, CET, PKRS,
 * PT, shadow VMCS contents) are not checked. Pure: no VMREAD, no RDMSR. */
#include <stdbool.h>

#include "arch/x86/vmx_check.h"
#include "arch/x86/cpu.h"
#include "lib/print.h"

#define SDM_EXEC	"27.2.1.1"
#define SDM_EXIT	"27.2.1.2"
#define SDM_ENTRY	"27.2.1.3"
#define SDM_HOST_CR	"27.2.2"
#define SDM_HOST_SEG	"27.2.3"
#define SDM_ADDR_SIZE	"27.2.4"
#define SDM_GUEST_CR	"27.3.1.1"
#define SDM_GUEST_SEG	"27.3.1.2"
#define SDM_GUEST_DT	"27.3.1.3"
#define SDM_GUEST_RIP	"27.3.1.4"
#define SDM_GUEST_NREG	"27.3.1.5"
#define SDM_GUEST_LINK	"27.3.1.6"
#define SDM_GUEST_PDPTE	"27.3.1.7"

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D, A.10) */
#define EPTCAP_WALK4		(1ull << 6)
#define EPTCAP_WALK5		(1ull << 7)
#define EPTCAP_UC		(1ull << 8)
#define EPTCAP_WB		(1ull << 14)
#define EPTCAP_AD		(1ull << 21)

/* IA32_VMX_MISC (SDM Vol. 3D, A.6) */
#define MISC_ACT_HLT		(1ull << 6)
#define MISC_CR3_TARGETS(m)	(((m) >> 16) & 0x1ff)

#define CR4_PCIDE		(1ull << 17)
#define CR4_CET			(1ull << 23)
#define DEBUGCTL_BTF		(1ull << 1)
#define EFER_VALID		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE)

/* Access rights (SDM 25.4.1, Table 25-2) */
#define AR_TYPE(ar)		((ar) & 0xf)
#define AR_S			(1u << 4)
#define AR_DPL(ar)		(((ar) >> 5) & 3)
#define AR_P			(1u << 7)
#define AR_RSVD_LO		0x00000f00u
#define AR_L			(1u << 13)
#define AR_DB			(1u << 14)
#define AR_G			(1u << 15)
#define AR_RSVD_HI		0xfffe0000u

/* Interruptibility state (SDM 25.4.2, Table 25-3) */
#define INTR_STI		(1u << 0)
#define INTR_MOV_SS		(1u << 1)
#define INTR_SMI		(1u << 2)
#define INTR_NMI		(1u << 3)
#define INTR_RSVD		0xffffffe0u

#define DBG_BS			(1ull << 14)
/* pending debug exceptions: all but B3-B0, enabled BP, BS, RTM */
#define DBG_RSVD		(~0x17fffull | 0xff0ull | (1ull << 13) | \
				 (1ull << 15))

enum { ACT_ACTIVE, ACT_HLT, ACT_SHUTDOWN, ACT_SIPI };
enum { EV_EXT, EV_RSVD, EV_NMI, EV_HW_EXC, EV_SW_INT, EV_PRIV_EXC,
       EV_SW_EXC, EV_OTHER };

struct chk {
	const struct vmx_snapshot *s;
	char *msg;
	size_t len;
};

static int fail(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tvsnprintf(c->msg, c->len, fmt, ap);
	va_end(ap);
	return 1;
}

static unsigned lowest(uint64_t v)
{
	return (unsigned)__builtin_ctzll(v);
}

static unsigned la_width(const struct vmx_snapshot *s)
{
	return s->cap.la_width ? s->cap.la_width : 48;
}

static bool canonical(const struct vmx_snapshot *s, uint64_t a)
{
	unsigned w = la_width(s);

	if (w >= 64)
		return true;
	return (uint64_t)((int64_t)(a << (64 - w)) >> (64 - w)) == a;
}

/* Sets a bit at or above 'width' (0: width unknown, nothing to check). */
static bool beyond(uint64_t addr, unsigned width)
{
	return width && width < 64 && (addr >> width);
}

/* Structures a VMCS points to are limited to 32-bit addresses when
 * VMX_BASIC[48] is 1 (SDM Vol. 3D, A.1). */
static unsigned vmx_addr_width(const struct vmx_snapshot *s)
{
	return (s->cap.basic & VMX_BASIC_ADDR32) ? 32 : s->cap.pa_width;
}

/* Secondary controls count only while "activate secondary controls" is
 * set; otherwise the CPU takes them as 0 (SDM 25.6.2). */
static uint32_t proc2(const struct vmx_snapshot *s)
{
	return (s->ctl.proc & PROC_SECONDARY) ? s->ctl.proc2 : 0;
}

static bool unrestricted(const struct vmx_snapshot *s)
{
	return proc2(s) & PROC2_UNRESTRICTED;
}

static bool ia32e_guest(const struct vmx_snapshot *s)
{
	return s->ctl.entry & ENTRY_IA32E;
}

static bool host64(const struct vmx_snapshot *s)
{
	return s->ctl.exit & EXIT_HOST_64;
}

/* "bit N (NAME)" or "bit N" for a bit without a name. */
static const char *bit_name(char *buf, size_t len, const char *const *names,
			    unsigned bit)
{
	if (bit < 32 && names[bit])
		tsnprintf(buf, len, "bit %u (%s)", bit, names[bit]);
	else
		tsnprintf(buf, len, "bit %u", bit);
	return buf;
}

/* ---- VMX controls (SDM 27.2.1) ------------------------------------- */

static const char *const pin_names[32] = {
	[0] = "external-interrupt exiting", [3] = "NMI exiting",
	[5] = "virtual NMIs", [6] = "VMX-preemption timer",
	[7] = "process posted interrupts",
};

static const char *const proc_names[32] = {
	[2] = "interrupt-window exiting", [3] = "use TSC offsetting",
	[7] = "HLT exiting", [9] = "INVLPG exiting", [10] = "MWAIT exiting",
	[11] = "RDPMC exiting", [12] = "RDTSC exiting",
	[15] = "CR3-load exiting", [16] = "CR3-store exiting",
	[17] = "activate tertiary controls", [19] = "CR8-load exiting",
	[20] = "CR8-store exiting", [21] = "use TPR shadow",
	[22] = "NMI-window exiting", [23] = "MOV-DR exiting",
	[24] = "unconditional I/O exiting", [25] = "use I/O bitmaps",
	[27] = "monitor trap flag", [28] = "use MSR bitmaps",
	[29] = "MONITOR exiting", [30] = "PAUSE exiting",
	[31] = "activate secondary controls",
};

static const char *const proc2_names[32] = {
	[0] = "virtualize APIC accesses", [1] = "enable EPT",
	[2] = "descriptor-table exiting", [3] = "enable RDTSCP",
	[4] = "virtualize x2APIC mode", [5] = "enable VPID",
	[6] = "WBINVD exiting", [7] = "unrestricted guest",
	[8] = "APIC-register virtualization",
	[9] = "virtual-interrupt delivery", [10] = "PAUSE-loop exiting",
	[11] = "RDRAND exiting", [12] = "enable INVPCID",
	[13] = "enable VM functions", [14] = "VMCS shadowing",
	[15] = "ENCLS exiting", [16] = "RDSEED exiting", [17] = "enable PML",
	[18] = "EPT-violation #VE", [19] = "conceal VMX from PT",
	[20] = "enable XSAVES/XRSTORS", [22] = "mode-based execute control",
	[23] = "sub-page write permissions", [25] = "use TSC scaling",
};

static const char *const exit_names[32] = {
	[2] = "save debug controls", [9] = "host address-space size",
	[12] = "load IA32_PERF_GLOBAL_CTRL", [15] = "acknowledge interrupt",
	[18] = "save IA32_PAT", [19] = "load IA32_PAT",
	[20] = "save IA32_EFER", [21] = "load IA32_EFER",
	[22] = "save VMX-preemption timer", [23] = "clear IA32_BNDCFGS",
	[24] = "conceal VMX from PT", [28] = "load CET state",
};

static const char *const entry_names[32] = {
	[2] = "load debug controls", [9] = "IA-32e mode guest",
	[10] = "entry to SMM", [11] = "deactivate dual-monitor treatment",
	[13] = "load IA32_PERF_GLOBAL_CTRL", [14] = "load IA32_PAT",
	[15] = "load IA32_EFER", [16] = "load IA32_BNDCFGS",
	[17] = "conceal VMX from PT", [20] = "load CET state",
};

struct ctl_field {
	const char *area;	/* the SDM's name for the group */
	const char *what;	/* which field of the group, "" if one */
	const char *const *names;
	const char *msr, *true_msr;
	const char *sdm;
};

static const struct ctl_field pin_field = {
	"VM-execution controls", "pin-based control ", pin_names,
	"IA32_VMX_PINBASED_CTLS", "IA32_VMX_TRUE_PINBASED_CTLS", SDM_EXEC,
};
static const struct ctl_field proc_field = {
	"VM-execution controls", "primary control ", proc_names,
	"IA32_VMX_PROCBASED_CTLS", "IA32_VMX_TRUE_PROCBASED_CTLS", SDM_EXEC,
};
static const struct ctl_field proc2_field = {
	"VM-execution controls", "secondary control ", proc2_names,
	"IA32_VMX_PROCBASED_CTLS2", "IA32_VMX_PROCBASED_CTLS2", SDM_EXEC,
};
static const struct ctl_field exit_field = {
	"VM-exit controls", "", exit_names,
	"IA32_VMX_EXIT_CTLS", "IA32_VMX_TRUE_EXIT_CTLS", SDM_EXIT,
};
static const struct ctl_field entry_field = {
	"VM-entry controls", "", entry_names,
	"IA32_VMX_ENTRY_CTLS", "IA32_VMX_TRUE_ENTRY_CTLS", SDM_ENTRY,
};

/* A capability MSR's low half lists the bits that must be 1, its high
 * half the bits that may be 1 (SDM Vol. 3D, A.3-A.5). VMX_BASIC[55]
 * selects the TRUE_ MSRs, which may allow clearing default-1 bits. */
static int check_allowed(struct chk *c, const struct ctl_field *f,
			 uint32_t val, uint64_t cap, uint64_t true_cap)
{
	bool use_true = c->s->cap.basic & VMX_BASIC_TRUE_CTLS;
	uint64_t m = use_true ? true_cap : cap;
	uint32_t must1 = (uint32_t)m & ~val, must0 = val & ~(uint32_t)(m >> 32);
	const char *msr = use_true ? f->true_msr : f->msr;
	char b[48];

	if (must1)
		return fail(c, "%s: %s%s must be 1 (%s) - SDM %s", f->area,
			    f->what, bit_name(b, sizeof(b), f->names,
					      lowest(must1)), msr, f->sdm);
	if (must0)
		return fail(c, "%s: %s%s must be 0 (%s) - SDM %s", f->area,
			    f->what, bit_name(b, sizeof(b), f->names,
					      lowest(must0)), msr, f->sdm);
	return 0;
}

static int check_bitmap_addr(struct chk *c, const char *name, uint64_t pa)
{
	unsigned w = vmx_addr_width(c->s);

	if (pa & 0xfff)
		return fail(c, "VM-execution controls: %s address 0x%lx is "
			    "not 4-KByte aligned - SDM " SDM_EXEC, name,
			    (unsigned long)pa);
	if (beyond(pa, w))
		return fail(c, "VM-execution controls: %s address 0x%lx is "
			    "beyond the %u-bit physical-address width - SDM "
			    SDM_EXEC, name, (unsigned long)pa, w);
	return 0;
}

/* EPTP fields (SDM 25.6.11) against IA32_VMX_EPT_VPID_CAP. */
static int check_eptp(struct chk *c)
{
	uint64_t eptp = c->s->ctl.eptp, cap = c->s->cap.ept_vpid;
	unsigned type = eptp & 7, walk = ((eptp >> 3) & 7) + 1;

	if (!((type == 0 && (cap & EPTCAP_UC)) ||
	      (type == 6 && (cap & EPTCAP_WB))))
		return fail(c, "VM-execution controls: EPTP memory type %u is "
			    "not supported (IA32_VMX_EPT_VPID_CAP) - SDM "
			    SDM_EXEC, type);
	if (!((walk == 4 && (cap & EPTCAP_WALK4)) ||
	      (walk == 5 && (cap & EPTCAP_WALK5))))
		return fail(c, "VM-execution controls: EPTP page-walk length "
			    "%u is not supported (IA32_VMX_EPT_VPID_CAP) - SDM "
			    SDM_EXEC, walk);
	if ((eptp & (1ull << 6)) && !(cap & EPTCAP_AD))
		return fail(c, "VM-execution controls: EPTP bit 6 (accessed "
			    "and dirty flags) is not supported "
			    "(IA32_VMX_EPT_VPID_CAP) - SDM " SDM_EXEC);
	if (eptp & 0xf00)
		return fail(c, "VM-execution controls: EPTP reserved bits "
			    "11:8 are not 0 - SDM " SDM_EXEC);
	if (beyond(eptp, c->s->cap.pa_width))
		return fail(c, "VM-execution controls: EPTP 0x%lx is beyond "
			    "the %u-bit physical-address width - SDM " SDM_EXEC,
			    (unsigned long)eptp, c->s->cap.pa_width);
	return 0;
}

/* Secondary controls that only make sense on top of another one. */
static int check_exec_deps(struct chk *c)
{
	static const struct {
		uint32_t bit, needs;
		const char *needs_name;
	} deps[] = {
		{ PROC2_UNRESTRICTED, PROC2_EPT, "EPT" },
		{ PROC2_PML, PROC2_EPT, "EPT" },
		{ PROC2_EPT_MBEC, PROC2_EPT, "EPT" },
		{ PROC2_EPT_SPP, PROC2_EPT, "EPT" },
	};
	uint32_t p2 = proc2(c->s);
	char b[48];

	for (size_t i = 0; i < sizeof(deps) / sizeof(deps[0]); i++)
		if ((p2 & deps[i].bit) && !(p2 & deps[i].needs))
			return fail(c, "VM-execution controls: secondary "
				    "control %s requires %s - SDM " SDM_EXEC,
				    bit_name(b, sizeof(b), proc2_names,
					     lowest(deps[i].bit)),
				    deps[i].needs_name);
	if (!(c->s->ctl.proc & PROC_TPR_SHADOW) &&
	    (p2 & (PROC2_X2APIC_MODE | PROC2_APIC_REG_VIRT |
		   PROC2_VINTR_DELIVERY)))
		return fail(c, "VM-execution controls: secondary control %s "
			    "requires use TPR shadow - SDM " SDM_EXEC,
			    bit_name(b, sizeof(b), proc2_names, lowest(p2 &
				     (PROC2_X2APIC_MODE | PROC2_APIC_REG_VIRT |
				      PROC2_VINTR_DELIVERY))));
	return 0;
}

static int check_pin_deps(struct chk *c)
{
	uint32_t pin = c->s->ctl.pin;

	if ((pin & PIN_VIRTUAL_NMIS) && !(pin & PIN_NMI_EXIT))
		return fail(c, "VM-execution controls: virtual NMIs requires "
			    "NMI exiting - SDM " SDM_EXEC);
	if ((c->s->ctl.proc & PROC_NMI_WINDOW) && !(pin & PIN_VIRTUAL_NMIS))
		return fail(c, "VM-execution controls: NMI-window exiting "
			    "requires virtual NMIs - SDM " SDM_EXEC);
	if ((proc2(c->s) & PROC2_VINTR_DELIVERY) && !(pin & PIN_EXT_INT_EXIT))
		return fail(c, "VM-execution controls: virtual-interrupt "
			    "delivery requires external-interrupt exiting - "
			    "SDM " SDM_EXEC);
	if ((pin & PIN_POSTED_INTR) &&
	    (!(proc2(c->s) & PROC2_VINTR_DELIVERY) ||
	     !(c->s->ctl.exit & EXIT_ACK_INTR)))
		return fail(c, "VM-execution controls: process posted "
			    "interrupts requires virtual-interrupt delivery "
			    "and acknowledge interrupt on exit - SDM "
			    SDM_EXEC);
	return 0;
}

static int check_exec(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_ctl_state *ctl = &s->ctl;
	uint32_t p2 = proc2(s);

	if (check_allowed(c, &pin_field, ctl->pin, s->cap.pin,
			  s->cap.true_pin) ||
	    check_allowed(c, &proc_field, ctl->proc, s->cap.proc,
			  s->cap.true_proc))
		return 1;
	if ((ctl->proc & PROC_SECONDARY) &&
	    check_allowed(c, &proc2_field, ctl->proc2, s->cap.proc2,
			  s->cap.proc2))
		return 1;
	if (ctl->cr3_target_count > MISC_CR3_TARGETS(s->cap.misc))
		return fail(c, "VM-execution controls: CR3-target count %u is "
			    "above %u (IA32_VMX_MISC) - SDM " SDM_EXEC,
			    ctl->cr3_target_count,
			    (unsigned)MISC_CR3_TARGETS(s->cap.misc));
	if ((ctl->proc & PROC_IO_BITMAPS) &&
	    (check_bitmap_addr(c, "I/O bitmap A", ctl->io_bitmap_a) ||
	     check_bitmap_addr(c, "I/O bitmap B", ctl->io_bitmap_b)))
		return 1;
	if ((ctl->proc & PROC_MSR_BITMAPS) &&
	    check_bitmap_addr(c, "MSR bitmap", ctl->msr_bitmap))
		return 1;
	if (check_pin_deps(c) || check_exec_deps(c))
		return 1;
	if ((p2 & PROC2_VPID) && !ctl->vpid)
		return fail(c, "VM-execution controls: VPID is 0 with enable "
			    "VPID set - SDM " SDM_EXEC);
	if ((p2 & PROC2_EPT) && check_eptp(c))
		return 1;
	return 0;
}

static int check_exit_ctls(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;

	if (check_allowed(c, &exit_field, s->ctl.exit, s->cap.exit,
			  s->cap.true_exit))
		return 1;
	if ((s->ctl.exit & EXIT_SAVE_PREEMPT) &&
	    !(s->ctl.pin & PIN_PREEMPT_TIMER))
		return fail(c, "VM-exit controls: save VMX-preemption timer "
			    "value requires activate VMX-preemption timer - "
			    "SDM " SDM_EXIT);
	return 0;
}

/* Exceptions that push an error code: #DF #TS #NP #SS #GP #PF #AC #CP */
#define ERRCODE_VECTORS	((1u << 8) | (1u << 10) | (1u << 11) | (1u << 12) | \
			 (1u << 13) | (1u << 14) | (1u << 17) | (1u << 21))

/* The event to inject, VM-entry interruption information (25.8.3). */
static int check_entry_intr(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	uint32_t info = s->ctl.entry_intr_info;
	unsigned type = (info >> 8) & 7, vec = info & 0xff;
	bool want_err;

	if (!(info & INTR_INFO_VALID))
		return 0;
	if (info & 0x7ffff000)
		return fail(c, "VM-entry controls: interruption information "
			    "0x%x has reserved bits 30:12 set - SDM " SDM_ENTRY,
			    info);
	if (type == EV_RSVD ||
	    (type == EV_OTHER && !((s->cap.proc >> 32) & PROC_MTF)))
		return fail(c, "VM-entry controls: interruption type %u is "
			    "not supported - SDM " SDM_ENTRY, type);
	if ((type == EV_NMI && vec != 2) || (type == EV_HW_EXC && vec > 31) ||
	    (type == EV_OTHER && vec != 0))
		return fail(c, "VM-entry controls: vector %u is invalid for "
			    "interruption type %u - SDM " SDM_ENTRY, vec, type);
	/* real-mode guests (unrestricted, CR0.PE = 0) get no error code */
	want_err = (!unrestricted(s) || (s->guest.cr0 & CR0_PE)) &&
		   type == EV_HW_EXC && ((ERRCODE_VECTORS >> vec) & 1);
	if (!!(info & INTR_INFO_ERRCODE) != want_err)
		return fail(c, "VM-entry controls: deliver-error-code must be "
			    "%u for type %u vector %u - SDM " SDM_ENTRY,
			    want_err, type, vec);
	return 0;
}

static int check_entry_ctls(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;

	if (check_allowed(c, &entry_field, s->ctl.entry, s->cap.entry,
			  s->cap.true_entry))
		return 1;
	if (check_entry_intr(c))
		return 1;
	/* tandem never runs in SMM: both must be 0 outside it */
	if (s->ctl.entry & (ENTRY_SMM | ENTRY_DEACT_DUAL))
		return fail(c, "VM-entry controls: entry to SMM and deactivate "
			    "dual-monitor treatment must be 0 outside SMM - "
			    "SDM " SDM_ENTRY);
	return 0;
}

/* ---- CR0/CR4 against the VMX fixed bits (SDM Vol. 3D, A.7, A.8) ---- */

static const char *const cr0_names[32] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET",
	[5] = "NE", [16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD",
	[31] = "PG",
};

static const char *const cr4_names[32] = {
	[0] = "VME", [1] = "PVI", [2] = "TSD", [3] = "DE", [4] = "PSE",
	[5] = "PAE", [6] = "MCE", [7] = "PGE", [8] = "PCE", [9] = "OSFXSR",
	[10] = "OSXMMEXCPT", [11] = "UMIP", [12] = "LA57", [13] = "VMXE",
	[14] = "SMXE", [16] = "FSGSBASE", [17] = "PCIDE", [18] = "OSXSAVE",
	[19] = "KL", [20] = "SMEP", [21] = "SMAP", [22] = "PKE", [23] = "CET",
	[24] = "PKS", [25] = "UINTR",
};

struct fixed_reg {
	const char *name;
	const char *const *names;
	const char *msr0, *msr1;
};

static const struct fixed_reg fixed_cr0 = {
	"CR0", cr0_names, "IA32_VMX_CR0_FIXED0", "IA32_VMX_CR0_FIXED1",
};
static const struct fixed_reg fixed_cr4 = {
	"CR4", cr4_names, "IA32_VMX_CR4_FIXED0", "IA32_VMX_CR4_FIXED1",
};

static int check_fixed(struct chk *c, const char *side,
		       const struct fixed_reg *r, uint64_t val, uint64_t f0,
		       uint64_t f1, uint64_t exempt, const char *sdm)
{
	uint64_t must1 = f0 & ~val & ~exempt, must0 = val & ~f1 & ~exempt;
	char b[32];

	if (must1)
		return fail(c, "%s %s: %s must be 1 (%s) - SDM %s", side,
			    r->name, bit_name(b, sizeof(b), r->names,
					      lowest(must1)), r->msr0, sdm);
	if (must0)
		return fail(c, "%s %s: %s must be 0 (%s) - SDM %s", side,
			    r->name, bit_name(b, sizeof(b), r->names,
					      lowest(must0)), r->msr1, sdm);
	return 0;
}

/* Memory types 2, 3 and 8-255 are reserved in every PAT entry. */
static int check_pat(struct chk *c, const char *side, uint64_t pat,
		     const char *sdm)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (pat >> (8 * i)) & 0xff;

		if (t == 2 || t == 3 || t > 7)
			return fail(c, "%s IA32_PAT: entry %u has reserved "
				    "memory type %u - SDM %s", side, i, t, sdm);
	}
	return 0;
}

/* CR3 bits 62:61 are LAM controls, not address bits. */
static int check_cr3(struct chk *c, const char *side, uint64_t cr3,
		     const char *sdm)
{
	unsigned w = c->s->cap.pa_width;

	if (beyond(cr3 & ~(3ull << 61), w))
		return fail(c, "%s CR3 0x%lx is beyond the %u-bit "
			    "physical-address width - SDM %s", side,
			    (unsigned long)cr3, w, sdm);
	return 0;
}

/* ---- host state (SDM 27.2.2 - 27.2.4) ------------------------------ */

static int check_host_cr(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_host_state *h = &s->host;
	/* NW and CD are not checked: VM exit leaves them alone (28.5.1) */
	const uint64_t cr0_exempt = CR0_NW | CR0_CD;

	if (check_fixed(c, "host", &fixed_cr0, h->cr0, s->cap.cr0_fixed0,
			s->cap.cr0_fixed1, cr0_exempt, SDM_HOST_CR) ||
	    check_fixed(c, "host", &fixed_cr4, h->cr4, s->cap.cr4_fixed0,
			s->cap.cr4_fixed1, 0, SDM_HOST_CR) ||
	    check_cr3(c, "host", h->cr3, SDM_HOST_CR))
		return 1;
	if (!canonical(s, h->sysenter_esp) || !canonical(s, h->sysenter_eip))
		return fail(c, "host IA32_SYSENTER_ESP/EIP is not canonical - "
			    "SDM " SDM_HOST_CR);
	if ((s->ctl.exit & EXIT_LOAD_PAT) &&
	    check_pat(c, "host", h->pat, SDM_HOST_CR))
		return 1;
	if (!(s->ctl.exit & EXIT_LOAD_EFER))
		return 0;
	if (h->efer & ~EFER_VALID)
		return fail(c, "host IA32_EFER 0x%lx sets reserved bits - SDM "
			    SDM_HOST_CR, (unsigned long)h->efer);
	if (!!(h->efer & EFER_LMA) != host64(s) ||
	    !!(h->efer & EFER_LME) != host64(s))
		return fail(c, "host IA32_EFER.LMA and LME must equal host "
			    "address-space size (%u) - SDM " SDM_HOST_CR,
			    host64(s));
	return 0;
}

static const char *const host_sel_names[HSEL_COUNT] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "TR",
};

static int check_host_seg(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_host_state *h = &s->host;
	const struct { const char *name; uint64_t base; } bases[] = {
		{ "FS", h->fs_base }, { "GS", h->gs_base },
		{ "GDTR", h->gdtr_base }, { "IDTR", h->idtr_base },
		{ "TR", h->tr_base },
	};

	for (int i = 0; i < HSEL_COUNT; i++)
		if (h->sel[i] & 7)
			return fail(c, "host %s selector 0x%x: RPL and TI must "
				    "be 0 - SDM " SDM_HOST_SEG,
				    host_sel_names[i], h->sel[i]);
	if (!h->sel[HSEL_CS])
		return fail(c, "host CS selector is 0 - SDM " SDM_HOST_SEG);
	if (!h->sel[HSEL_TR])
		return fail(c, "host TR selector is 0 - SDM " SDM_HOST_SEG);
	if (!h->sel[HSEL_SS] && !host64(s))
		return fail(c, "host SS selector is 0 with a 32-bit host - "
			    "SDM " SDM_HOST_SEG);
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++)
		if (!canonical(s, bases[i].base))
			return fail(c, "host %s base 0x%lx is not canonical - "
				    "SDM " SDM_HOST_SEG, bases[i].name,
				    (unsigned long)bases[i].base);
	return 0;
}

static int check_host_addr_size(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_host_state *h = &s->host;
	bool lma = s->cap.cpu_efer & EFER_LMA;

	if (lma != host64(s))
		return fail(c, "VM-exit controls: host address-space size "
			    "must be %u: the processor is %s IA-32e mode - SDM "
			    SDM_ADDR_SIZE, lma, lma ? "in" : "outside");
	if (!host64(s)) {
		if (ia32e_guest(s))
			return fail(c, "VM-entry controls: IA-32e mode guest "
				    "requires host address-space size - SDM "
				    SDM_ADDR_SIZE);
		if (h->cr4 & CR4_PCIDE)
			return fail(c, "host CR4: bit 17 (PCIDE) must be 0 "
				    "with a 32-bit host - SDM " SDM_ADDR_SIZE);
		if (h->rip >> 32)
			return fail(c, "host RIP 0x%lx is above 4 GiB with a "
				    "32-bit host - SDM " SDM_ADDR_SIZE,
				    (unsigned long)h->rip);
		return 0;
	}
	if (!(h->cr4 & CR4_PAE))
		return fail(c, "host CR4: bit 5 (PAE) must be 1 with host "
			    "address-space size - SDM " SDM_ADDR_SIZE);
	if (!canonical(s, h->rip))
		return fail(c, "host RIP 0x%lx is not canonical - SDM "
			    SDM_ADDR_SIZE, (unsigned long)h->rip);
	return 0;
}

/* ---- guest control registers, debug registers, MSRs (27.3.1.1) ---- */

static int check_guest_efer(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	uint64_t efer = s->guest.efer;

	if (efer & ~EFER_VALID)
		return fail(c, "guest IA32_EFER 0x%lx sets reserved bits - SDM "
			    SDM_GUEST_CR, (unsigned long)efer);
	if (!!(efer & EFER_LMA) != ia32e_guest(s))
		return fail(c, "guest IA32_EFER.LMA (%u) must equal IA-32e "
			    "mode guest (%u) - SDM " SDM_GUEST_CR,
			    !!(efer & EFER_LMA), ia32e_guest(s));
	if ((s->guest.cr0 & CR0_PG) &&
	    !!(efer & EFER_LMA) != !!(efer & EFER_LME))
		return fail(c, "guest IA32_EFER.LMA must equal LME when "
			    "CR0.PG is 1 - SDM " SDM_GUEST_CR);
	return 0;
}

static int check_guest_cr(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_guest_state *g = &s->guest;
	/* NW and CD are never checked: VM entry does not change them; PE
	 * and PG are free under unrestricted guest (27.3.1.1) */
	uint64_t exempt = CR0_NW | CR0_CD |
			  (unrestricted(s) ? CR0_PE | CR0_PG : 0);

	if (check_fixed(c, "guest", &fixed_cr0, g->cr0, s->cap.cr0_fixed0,
			s->cap.cr0_fixed1, exempt, SDM_GUEST_CR))
		return 1;
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return fail(c, "guest CR0: bit 31 (PG) requires bit 0 (PE) - "
			    "SDM " SDM_GUEST_CR);
	if (check_fixed(c, "guest", &fixed_cr4, g->cr4, s->cap.cr4_fixed0,
			s->cap.cr4_fixed1, 0, SDM_GUEST_CR))
		return 1;
	if ((g->cr4 & CR4_CET) && !(g->cr0 & CR0_WP))
		return fail(c, "guest CR4: bit 23 (CET) requires CR0.WP - SDM "
			    SDM_GUEST_CR);
	if (s->ctl.entry & ENTRY_LOAD_DEBUG) {
		/* IA32_DEBUGCTL bits 5:2 and 63:16 are reserved */
		if (g->debugctl & ~0xffc3ull)
			return fail(c, "guest IA32_DEBUGCTL 0x%lx sets "
				    "reserved bits - SDM " SDM_GUEST_CR,
				    (unsigned long)g->debugctl);
	}
	if (ia32e_guest(s) && (!(g->cr0 & CR0_PG) || !(g->cr4 & CR4_PAE)))
		return fail(c, "guest CR0.PG and CR4.PAE must be 1 for an "
			    "IA-32e mode guest - SDM " SDM_GUEST_CR);
	if (!ia32e_guest(s) && (g->cr4 & CR4_PCIDE))
		return fail(c, "guest CR4: bit 17 (PCIDE) requires IA-32e mode "
			    "guest - SDM " SDM_GUEST_CR);
	if (check_cr3(c, "guest", g->cr3, SDM_GUEST_CR))
		return 1;
	if ((s->ctl.entry & ENTRY_LOAD_DEBUG) && (g->dr7 >> 32))
		return fail(c, "guest DR7 0x%lx: bits 63:32 must be 0 - SDM "
			    SDM_GUEST_CR, (unsigned long)g->dr7);
	if ((s->ctl.entry & ENTRY_LOAD_PAT) &&
	    check_pat(c, "guest", g->pat, SDM_GUEST_CR))
		return 1;
	if ((s->ctl.entry & ENTRY_LOAD_EFER) && check_guest_efer(c))
		return 1;
	return 0;
}

/* ---- guest segment registers (27.3.1.2) ---------------------------- */

static const char *const seg_names[SEG_COUNT] = {
	"ES", "CS", "SS", "DS", "FS", "GS", "LDTR", "TR",
};

static bool usable(const struct vmx_seg_state *sg)
{
	return !(sg->ar & AR_UNUSABLE);
}

static int seg_fail(struct chk *c, int seg, const char *why)
{
	return fail(c, "guest %s access rights 0x%x: %s - SDM " SDM_GUEST_SEG,
		    seg_names[seg], c->s->guest.seg[seg].ar, why);
}

/* P, reserved bits and the limit/G pairing: the same for every segment
 * the CPU will use. */
static int check_ar_common(struct chk *c, int seg)
{
	const struct vmx_seg_state *sg = &c->s->guest.seg[seg];

	if (!(sg->ar & AR_P))
		return seg_fail(c, seg, "P must be 1");
	if (sg->ar & AR_RSVD_LO)
		return seg_fail(c, seg, "reserved bits 11:8 must be 0");
	if ((sg->limit & 0xfff) != 0xfff && (sg->ar & AR_G))
		return seg_fail(c, seg, "G must be 0 unless limit bits 11:0 "
				"are all 1");
	if ((sg->limit >> 20) && !(sg->ar & AR_G))
		return seg_fail(c, seg, "G must be 1 when limit bits 31:20 "
				"are not 0");
	if (sg->ar & AR_RSVD_HI)
		return seg_fail(c, seg, "reserved bits 31:17 must be 0");
	return 0;
}

static int check_cs(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;
	uint32_t ar = g->seg[SEG_CS].ar, ss_dpl = AR_DPL(g->seg[SEG_SS].ar);
	unsigned type = AR_TYPE(ar);

	if (type == 3 && !unrestricted(c->s))
		return seg_fail(c, SEG_CS, "type 3 needs unrestricted guest");
	if (type != 3 && type != 9 && type != 11 && type != 13 && type != 15)
		return seg_fail(c, SEG_CS, "type must be 9, 11, 13 or 15 "
				"(accessed code)");
	if (!(ar & AR_S))
		return seg_fail(c, SEG_CS, "S must be 1");
	if (type == 3 && AR_DPL(ar))
		return seg_fail(c, SEG_CS, "DPL must be 0 for type 3");
	if ((type == 9 || type == 11) && AR_DPL(ar) != ss_dpl)
		return seg_fail(c, SEG_CS, "DPL of non-conforming code must "
				"equal SS.DPL");
	if ((type == 13 || type == 15) && AR_DPL(ar) > ss_dpl)
		return seg_fail(c, SEG_CS, "DPL of conforming code must not "
				"exceed SS.DPL");
	if (check_ar_common(c, SEG_CS))
		return 1;
	if (ia32e_guest(c->s) && (ar & AR_L) && (ar & AR_DB))
		return seg_fail(c, SEG_CS, "D/B must be 0 when L is 1");
	return 0;
}

static int check_ss(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;
	const struct vmx_seg_state *ss = &g->seg[SEG_SS];

	if (usable(ss) && AR_TYPE(ss->ar) != 3 && AR_TYPE(ss->ar) != 7)
		return seg_fail(c, SEG_SS, "type must be 3 or 7 (read/write "
				"data)");
	if (usable(ss) && !(ss->ar & AR_S))
		return seg_fail(c, SEG_SS, "S must be 1");
	if (!unrestricted(c->s) && AR_DPL(ss->ar) != (ss->sel & 3u))
		return seg_fail(c, SEG_SS, "DPL must equal the selector's RPL");
	if (AR_DPL(ss->ar) &&
	    (AR_TYPE(g->seg[SEG_CS].ar) == 3 || !(g->cr0 & CR0_PE)))
		return seg_fail(c, SEG_SS, "DPL must be 0 in real mode or with "
				"CS type 3");
	return usable(ss) ? check_ar_common(c, SEG_SS) : 0;
}

static int check_data_seg(struct chk *c, int seg)
{
	const struct vmx_seg_state *sg = &c->s->guest.seg[seg];
	unsigned type = AR_TYPE(sg->ar);

	if (!usable(sg))
		return 0;
	if (!(type & 1))
		return seg_fail(c, seg, "type must be accessed (bit 0)");
	if ((type & 8) && !(type & 2))
		return seg_fail(c, seg, "a code segment must be readable");
	if (!(sg->ar & AR_S))
		return seg_fail(c, seg, "S must be 1");
	if (!unrestricted(c->s) && type <= 11 &&
	    AR_DPL(sg->ar) < (sg->sel & 3u))
		return seg_fail(c, seg, "DPL must not be below the selector's "
				"RPL");
	return check_ar_common(c, seg);
}

static int check_tr_ldtr(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;
	const struct vmx_seg_state *tr = &g->seg[SEG_TR];
	const struct vmx_seg_state *ldt = &g->seg[SEG_LDTR];
	unsigned type = AR_TYPE(tr->ar);

	if (ia32e_guest(c->s) ? type != 11 : (type != 3 && type != 11))
		return seg_fail(c, SEG_TR, ia32e_guest(c->s) ?
				"type must be 11 (busy 64-bit TSS)" :
				"type must be 3 or 11 (busy TSS)");
	if (tr->ar & AR_S)
		return seg_fail(c, SEG_TR, "S must be 0");
	if (!usable(tr))
		return seg_fail(c, SEG_TR, "TR must be usable");
	if (check_ar_common(c, SEG_TR))
		return 1;
	if (!usable(ldt))
		return 0;
	if (AR_TYPE(ldt->ar) != 2)
		return seg_fail(c, SEG_LDTR, "type must be 2 (LDT)");
	if (ldt->ar & AR_S)
		return seg_fail(c, SEG_LDTR, "S must be 0");
	return check_ar_common(c, SEG_LDTR);
}

/* Virtual-8086 mode: every segment is real-mode like (27.3.1.2). */
static int check_v86_segs(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;

	for (int i = SEG_ES; i <= SEG_GS; i++) {
		const struct vmx_seg_state *sg = &g->seg[i];

		if (sg->base != (uint64_t)sg->sel << 4 ||
		    sg->limit != 0xffff || sg->ar != 0xf3)
			return fail(c, "guest %s: virtual-8086 mode needs base "
				    "= selector << 4, limit 0xffff, access "
				    "rights 0xf3 - SDM " SDM_GUEST_SEG,
				    seg_names[i]);
	}
	return 0;
}

static int check_seg_sel_base(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;
	const struct vmx_seg_state *sg = g->seg;
	bool v86 = g->rflags & RFLAGS_VM;

	if (sg[SEG_TR].sel & 4)
		return fail(c, "guest TR selector 0x%x: TI must be 0 - SDM "
			    SDM_GUEST_SEG, sg[SEG_TR].sel);
	if (usable(&sg[SEG_LDTR]) && (sg[SEG_LDTR].sel & 4))
		return fail(c, "guest LDTR selector 0x%x: TI must be 0 - SDM "
			    SDM_GUEST_SEG, sg[SEG_LDTR].sel);
	if (!v86 && !unrestricted(c->s) &&
	    (sg[SEG_SS].sel & 3) != (sg[SEG_CS].sel & 3))
		return fail(c, "guest SS selector RPL must equal CS RPL - SDM "
			    SDM_GUEST_SEG);
	for (int i = 0; i < SEG_COUNT; i++) {
		bool must_canon = i == SEG_TR || i == SEG_FS || i == SEG_GS ||
				  (i == SEG_LDTR && usable(&sg[i]));
		bool must_32 = i == SEG_CS || ((i == SEG_SS || i == SEG_DS ||
				i == SEG_ES) && usable(&sg[i]));

		if (must_canon && !canonical(c->s, sg[i].base))
			return fail(c, "guest %s base 0x%lx is not canonical - "
				    "SDM " SDM_GUEST_SEG, seg_names[i],
				    (unsigned long)sg[i].base);
		if (must_32 && (sg[i].base >> 32))
			return fail(c, "guest %s base 0x%lx: bits 63:32 must "
				    "be 0 - SDM " SDM_GUEST_SEG, seg_names[i],
				    (unsigned long)sg[i].base);
	}
	return 0;
}

static int check_guest_segs(struct chk *c)
{
	if (check_seg_sel_base(c))
		return 1;
	if (c->s->guest.rflags & RFLAGS_VM) {
		if (check_v86_segs(c))
			return 1;
	} else {
		if (check_cs(c) || check_ss(c) ||
		    check_data_seg(c, SEG_DS) || check_data_seg(c, SEG_ES) ||
		    check_data_seg(c, SEG_FS) || check_data_seg(c, SEG_GS))
			return 1;
	}
	return check_tr_ldtr(c);
}

/* ---- descriptor tables, RIP, RFLAGS (27.3.1.3, 27.3.1.4) ----------- */

static int check_guest_dt(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;

	if (!canonical(c->s, g->gdtr_base) || !canonical(c->s, g->idtr_base))
		return fail(c, "guest %s base is not canonical - SDM "
			    SDM_GUEST_DT, canonical(c->s, g->gdtr_base) ?
			    "IDTR" : "GDTR");
	if ((g->gdtr_limit | g->idtr_limit) >> 16)
		return fail(c, "guest %s limit: bits 31:16 must be 0 - SDM "
			    SDM_GUEST_DT,
			    g->gdtr_limit >> 16 ? "GDTR" : "IDTR");
	return 0;
}

#define RFLAGS_RSVD0	(~0x3fffffull | (1ull << 15) | (1ull << 5) | \
			 (1ull << 3))

static int check_guest_rip_rflags(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_guest_state *g = &s->guest;
	bool long_cs = ia32e_guest(s) && (g->seg[SEG_CS].ar & AR_L);
	uint32_t info = s->ctl.entry_intr_info;

	if (!long_cs && (g->rip >> 32))
		return fail(c, "guest RIP 0x%lx: bits 63:32 must be 0 outside "
			    "64-bit mode - SDM " SDM_GUEST_RIP,
			    (unsigned long)g->rip);
	if (long_cs && la_width(s) < 64) {
		int64_t hi = (int64_t)g->rip >> la_width(s);

		if (hi != 0 && hi != -1)
			return fail(c, "guest RIP 0x%lx is not canonical - SDM "
				    SDM_GUEST_RIP, (unsigned long)g->rip);
	}
	if ((g->rflags & RFLAGS_RSVD0) || !(g->rflags & 2))
		return fail(c, "guest RFLAGS 0x%lx: bit 1 must be 1, bits 3, "
			    "5, 15, 63:22 must be 0 - SDM " SDM_GUEST_RIP,
			    (unsigned long)g->rflags);
	if ((g->rflags & RFLAGS_VM) &&
	    (ia32e_guest(s) || !(g->cr0 & CR0_PE)))
		return fail(c, "guest RFLAGS.VM must be 0 in IA-32e mode or "
			    "with CR0.PE 0 - SDM " SDM_GUEST_RIP);
	if ((info & INTR_INFO_VALID) && ((info >> 8) & 7) == EV_EXT &&
	    !(g->rflags & RFLAGS_IF))
		return fail(c, "guest RFLAGS.IF must be 1 to inject an "
			    "external interrupt - SDM " SDM_GUEST_RIP);
	return 0;
}

/* ---- non-register state (27.3.1.5) --------------------------------- */

/* Events a non-active activity state lets through (SDM 27.3.1.5). */
static bool event_allowed(uint32_t act, uint32_t info)
{
	unsigned type = (info >> 8) & 7, vec = info & 0xff;

	switch (act) {
	case ACT_HLT:
		return type == EV_EXT || type == EV_NMI ||
		       (type == EV_HW_EXC && (vec == 1 || vec == 18)) ||
		       (type == EV_OTHER && vec == 0);
	case ACT_SHUTDOWN:
		return type == EV_NMI || (type == EV_HW_EXC && vec == 18);
	case ACT_SIPI:
		return false;
	}
	return true;
}

static int check_activity(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_guest_state *g = &s->guest;
	uint32_t act = g->activity, info = s->ctl.entry_intr_info;

	if (act > ACT_SIPI ||
	    (act && !(s->cap.misc & (MISC_ACT_HLT << (act - 1)))))
		return fail(c, "guest activity state %u is not supported "
			    "(IA32_VMX_MISC) - SDM " SDM_GUEST_NREG, act);
	if (act == ACT_HLT && AR_DPL(g->seg[SEG_SS].ar))
		return fail(c, "guest activity state HLT needs SS.DPL 0 - SDM "
			    SDM_GUEST_NREG);
	if (act != ACT_ACTIVE &&
	    (g->interruptibility & (INTR_STI | INTR_MOV_SS)))
		return fail(c, "guest activity state must be active with "
			    "blocking by STI or MOV SS - SDM " SDM_GUEST_NREG);
	if ((info & INTR_INFO_VALID) && !event_allowed(act, info))
		return fail(c, "guest activity state %u blocks the injected "
			    "event 0x%x - SDM " SDM_GUEST_NREG, act, info);
	return 0;
}

static int check_interruptibility(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	uint32_t st = s->guest.interruptibility, info = s->ctl.entry_intr_info;
	unsigned type = (info >> 8) & 7;
	bool inject = info & INTR_INFO_VALID;

	if (st & INTR_RSVD)
		return fail(c, "guest interruptibility 0x%x: bits 31:5 must "
			    "be 0 - SDM " SDM_GUEST_NREG, st);
	if ((st & INTR_STI) && (st & INTR_MOV_SS))
		return fail(c, "guest interruptibility 0x%x: blocking by STI "
			    "and by MOV SS are exclusive - SDM " SDM_GUEST_NREG,
			    st);
	if ((st & INTR_STI) && !(s->guest.rflags & RFLAGS_IF))
		return fail(c, "guest interruptibility: blocking by STI needs "
			    "RFLAGS.IF 1 - SDM " SDM_GUEST_NREG);
	if (inject && type == EV_EXT && (st & (INTR_STI | INTR_MOV_SS)))
		return fail(c, "guest interruptibility: STI/MOV SS blocking "
			    "with an external interrupt injected - SDM "
			    SDM_GUEST_NREG);
	if (inject && type == EV_NMI && (st & INTR_MOV_SS))
		return fail(c, "guest interruptibility: MOV SS blocking with "
			    "an NMI injected - SDM " SDM_GUEST_NREG);
	if (st & INTR_SMI)
		return fail(c, "guest interruptibility: blocking by SMI "
			    "outside SMM - SDM " SDM_GUEST_NREG);
	if (inject && type == EV_NMI && (s->ctl.pin & PIN_VIRTUAL_NMIS) &&
	    (st & INTR_NMI))
		return fail(c, "guest interruptibility: NMI blocking with a "
			    "virtual NMI injected - SDM " SDM_GUEST_NREG);
	return 0;
}

static int check_pending_dbg(struct chk *c)
{
	const struct vmx_guest_state *g = &c->s->guest;
	bool tf, btf, bs = g->pending_dbg & DBG_BS;

	if (g->pending_dbg & DBG_RSVD)
		return fail(c, "guest pending debug exceptions 0x%lx set "
			    "reserved bits - SDM " SDM_GUEST_NREG,
			    (unsigned long)g->pending_dbg);
	if (!(g->interruptibility & (INTR_STI | INTR_MOV_SS)) &&
	    g->activity != ACT_HLT)
		return 0;
	/* a single step must stay pending across the blocked boundary */
	tf = g->rflags & RFLAGS_TF;
	btf = g->debugctl & DEBUGCTL_BTF;
	if (tf && !btf && !bs)
		return fail(c, "guest pending debug exceptions: BS must be 1 "
			    "with RFLAGS.TF 1 and STI/MOV SS blocking or HLT "
			    "- SDM " SDM_GUEST_NREG);
	if ((!tf || btf) && bs)
		return fail(c, "guest pending debug exceptions: BS must be 0 "
			    "without RFLAGS.TF (or with BTF) under STI/MOV SS "
			    "blocking or HLT - SDM " SDM_GUEST_NREG);
	return 0;
}

/* ---- VMCS link pointer, PDPTEs (27.3.1.6, 27.3.1.7) ---------------- */

static int check_link(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	uint64_t link = s->guest.link;
	bool shadow = proc2(s) & PROC2_VMCS_SHADOW;

	if (link == ~0ull) {
		if (shadow)
			return fail(c, "guest VMCS link pointer is ~0 with "
				    "VMCS shadowing - SDM " SDM_GUEST_LINK);
		return 0;
	}
	if ((link & 0xfff) || beyond(link, vmx_addr_width(s)))
		return fail(c, "guest VMCS link pointer 0x%lx is misaligned "
			    "or beyond the physical-address width - SDM "
			    SDM_GUEST_LINK, (unsigned long)link);
	/* Valid only if it names a VMCS with our revision; tandem never
	 * links one, so anything but ~0 is a bug worth naming. */
	if (!shadow)
		return fail(c, "guest VMCS link pointer 0x%lx is not ~0 "
			    "without VMCS shadowing - SDM " SDM_GUEST_LINK,
			    (unsigned long)link);
	return 0;
}

/* With EPT, PAE paging takes its PDPTEs from the VMCS (SDM 27.3.1.7):
 * a present one must have reserved bits 2:1, 8:5, 63:MAXPHYADDR clear. */
static int check_pdptes(struct chk *c)
{
	const struct vmx_snapshot *s = c->s;
	const struct vmx_guest_state *g = &s->guest;

	if (!(proc2(s) & PROC2_EPT) || !(g->cr0 & CR0_PG) ||
	    !(g->cr4 & CR4_PAE) || ia32e_guest(s))
		return 0;
	for (int i = 0; i < 4; i++) {
		uint64_t e = g->pdpte[i];

		if ((e & 1) && ((e & 0x1e6) || beyond(e, s->cap.pa_width)))
			return fail(c, "guest PDPTE%d 0x%lx sets reserved bits "
				    "- SDM " SDM_GUEST_PDPTE, i,
				    (unsigned long)e);
	}
	return 0;
}

int vmx_check_snapshot(const struct vmx_snapshot *s, char *msg, size_t len)
{
	struct chk c = { s, msg, len };

	if (len)
		msg[0] = '\0';
	return check_exec(&c) || check_exit_ctls(&c) ||
	       check_entry_ctls(&c) ||
	       check_host_cr(&c) || check_host_seg(&c) ||
	       check_host_addr_size(&c) ||
	       check_guest_cr(&c) || check_guest_segs(&c) ||
	       check_guest_dt(&c) || check_guest_rip_rflags(&c) ||
	       check_activity(&c) || check_interruptibility(&c) ||
	       check_pending_dbg(&c) || check_link(&c) || check_pdptes(&c);
}
