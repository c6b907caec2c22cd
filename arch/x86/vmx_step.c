/* Single-stepping the guest (vcpu.h; docs/epochs.md, "Single-stepping"):
 * the monitor trap flag where it really fires (SDM 26.5.2), otherwise
 * RFLAGS.TF with #DB intercepted (SDM 18.3.1.4). A self-test picks one:
 * Bochs 2.7 advertises MTF on some CPU models and never delivers it.
 *
 * TF is the guest's own flag, so TF stepping must hide itself:
 * - tandem's TF is set right before an entry and taken off right after
 *   the exit: outside vcpu_run the VMCS holds the guest's own RFLAGS;
 * - PUSHF: the image it pushed gets the guest's TF back;
 * - POPF, IRET, SYSRET: the TF they load is the guest's from then on;
 * - a #DB the guest would have had itself (its own TF set when the
 *   instruction began, its breakpoints, INT1) is reflected to it, with
 *   DR6 written as the CPU would have: a #DB that causes a VM exit
 *   leaves DR6 alone (SDM 28.1);
 * - every other exception is intercepted while stepping and reflected
 *   with the guest's TF in RFLAGS, so the frame it pushes is right, and
 *   RF set for faults, as the CPU sets it and VM-entry injection does
 *   not;
 * - an instruction that delivers an event or saves RFLAGS elsewhere
 *   (INT n, INT3, INTO, INT1, SYSCALL), and an entry that injects an
 *   event, runs without tandem's TF. Delivery clears TF, so the handler
 *   then runs unstepped until the next exit: the caller keeps a budget
 *   armed as a backstop (ft/epoch.c);
 * - a single-step trap of tandem's that a VM exit left pending is
 *   dropped; the VM-entry checks on pending debug exceptions (SDM
 *   27.3.1.5) are met: STI blocking is lifted for the stepped
 *   instruction (tandem injects nothing mid-epoch, so nothing could be
 *   taken in its place), MOV SS blocking gets BS pending, which the CPU
 *   holds until after the next instruction (SDM 27.7.3). */
#include "arch/x86/cpu.h"
#include "arch/x86/insn.h"
#include "arch/x86/vmx.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

#define DB_VECTOR	1
/* Intercepted while TF stepping: all but #BP and #OF, which come only
 * from INT3 and INTO (run without tandem's TF), and #MC. */
#define EXC_STEP	(~((1u << 3) | (1u << 4) | (1u << 18)))

#define DR6_B0_B3	0xfull
#define DR6_BD		(1ull << 13)
#define DR6_BS		(1ull << 14)
#define BLOCK_STI	(1u << 0)
#define BLOCK_MOV_SS	(1u << 1)
#define BLOCK_NMI	(1u << 3)
#define INFO_NMI_UNBLOCK (1u << 12)	/* exit interruption info */
#define AR_L		(1u << 13)	/* 64-bit code segment */
#define AR_DB		(1u << 14)	/* 32-bit stack segment */

/* ---- the guest's code and stack ------------------------------------- */

static bool code64(void)
{
	return (vmread(GUEST_EFER) & EFER_LMA) &&
	       (vmread(GUEST_SEG(GUEST_ES_AR, SEG_CS)) & AR_L);
}

/* Copy up to n bytes from guest-linear gla, a page at a time; returns
 * how many could be read. */
static size_t read_linear(struct vcpu *v, uint64_t gla, uint8_t *buf,
			  size_t n)
{
	size_t got = 0;

	while (got < n) {
		size_t chunk = PAGE_SIZE - ((gla + got) & (PAGE_SIZE - 1));
		uint64_t gpa;
		void *p;

		if (chunk > n - got)
			chunk = n - got;
		if (vmx_guest_linear_to_phys(v, gla + got, &gpa))
			break;
		p = vmx_guest_phys(v, gpa, chunk);
		if (!p)
			break;
		memcpy(buf + got, p, chunk);
		got += chunk;
	}
	return got;
}

static enum insn_kind next_insn(struct vcpu *v)
{
	bool m64 = code64();
	uint64_t gla = vmread(GUEST_RIP);
	uint8_t b[15];

	if (!m64)
		gla = (gla + vmread(GUEST_SEG(GUEST_ES_BASE, SEG_CS))) &
		      0xffffffff;
	return insn_classify(b, read_linear(v, gla, b, sizeof(b)), m64);
}

/* PUSHF pushed tandem's TF: give the image the guest's. TF is bit 8,
 * bit 0 of the image's second byte whatever its size. */
static void fix_pushed_flags(struct vcpu *v)
{
	uint64_t rsp = vmread(GUEST_RSP), gla = rsp + 1, gpa;
	uint8_t *p;

	if (!code64()) {
		if (!(vmread(GUEST_SEG(GUEST_ES_AR, SEG_SS)) & AR_DB))
			rsp &= 0xffff;
		gla = (vmread(GUEST_SEG(GUEST_ES_BASE, SEG_SS)) + rsp + 1) &
		      0xffffffff;
	}
	if (vmx_guest_linear_to_phys(v, gla, &gpa))
		return;
	p = vmx_guest_phys(v, gpa, 1);
	if (!p)
		return;
	*p = (uint8_t)((*p & ~1u) | v->step_guest_tf);
	v->step_counts.pushf++;
}

/* ---- around each entry ------------------------------------------------ */

void vmx_step_entry(struct vcpu *v)
{
	uint64_t fl;
	uint32_t intr;

	v->step_tf = false;
	if (!vmx_step_traps(v))
		return;
	fl = vmread(GUEST_RFLAGS);
	vmwrite(EXCEPTION_BITMAP, v->step_pass_once ? 0 : EXC_STEP);
	v->step_pass_once = false;
	v->step_guest_tf = fl & RFLAGS_TF;
	v->step_rip = vmread(GUEST_RIP);
	v->step_insn = INSN_EVENT;	/* an injected event pushes RFLAGS */
	if (!(vmread(ENTRY_INTR_INFO) & INTR_INFO_VALID))
		v->step_insn = next_insn(v);
	if (v->step_insn == INSN_EVENT) {
		v->step_counts.untraced++;
		return;
	}
	intr = (uint32_t)vmread(GUEST_INTERRUPTIBILITY);
	if (intr & BLOCK_STI)
		vmwrite(GUEST_INTERRUPTIBILITY, intr & ~BLOCK_STI);
	else if (intr & BLOCK_MOV_SS)
		vmwrite(GUEST_PENDING_DBG,
			vmread(GUEST_PENDING_DBG) | PENDING_DBG_BS);
	vmwrite(GUEST_RFLAGS, fl | RFLAGS_TF);
	v->step_tf = true;
}

void vmx_step_exit(struct vcpu *v)
{
	uint64_t fl;
	bool done, tf = v->step_guest_tf;

	if (!v->step_tf || (vmread(EXIT_REASON) & (1u << 31)))
		return;		/* a failed entry keeps its state for the
				 * report */
	fl = vmread(GUEST_RFLAGS);
	/* these instructions never complete where they began */
	done = vmread(GUEST_RIP) != v->step_rip;
	if (done && v->step_insn == INSN_LOADS_FLAGS)
		tf = fl & RFLAGS_TF;
	if (done && v->step_insn == INSN_PUSHF)
		fix_pushed_flags(v);
	vmwrite(GUEST_RFLAGS, tf ? fl | RFLAGS_TF : fl & ~RFLAGS_TF);
	/* a trap after that instruction is tandem's unless the guest had
	 * TF set when it began */
	if (!v->step_guest_tf)
		vmwrite(GUEST_PENDING_DBG,
			vmread(GUEST_PENDING_DBG) & ~PENDING_DBG_BS);
}

/* ---- exits while stepping ------------------------------------------- */

/* Exception classes (SDM Table 6-1): the CPU sets RF in the RFLAGS image
 * it pushes for faults, which VM-entry injection does not do. */
static bool is_fault(uint32_t vector)
{
	switch (vector) {
	case 1: case 2: case 3: case 4: case 8: case 18:
		return false;
	default:
		return vector < 32;
	}
}

/* Deliver the exception of this exit to the guest, as the CPU would
 * have without the interception. */
static void reflect(struct vcpu *v, uint32_t info)
{
	uint32_t vector = info & 0xff, type = info & INTR_TYPE_MASK;

	/* a fault of an IRET that unblocked NMIs (SDM 28.2.3) */
	if ((info & INFO_NMI_UNBLOCK) && vector != 8)
		vmwrite(GUEST_INTERRUPTIBILITY,
			vmread(GUEST_INTERRUPTIBILITY) | BLOCK_NMI);
	if (type == INTR_TYPE_HW_EXC && is_fault(vector))
		vmwrite(GUEST_RFLAGS, vmread(GUEST_RFLAGS) | RFLAGS_RF);
	/* a #PF VM exit leaves CR2 alone: the address is in the
	 * qualification (SDM 28.1) */
	if (type == INTR_TYPE_HW_EXC && vector == 14)
		write_cr2(v->exit_qual);
	vmwrite(ENTRY_INTR_INFO, info & ~INFO_NMI_UNBLOCK);
	v->step_counts.exceptions++;
	if (info & INTR_INFO_ERRCODE)
		vmwrite(ENTRY_EXCEPTION_ERRCODE, vmread(EXIT_INTR_ERRCODE));
	if (type == INTR_TYPE_PRIV_SW || type == INTR_TYPE_SW_EXC)
		vmwrite(ENTRY_INSTR_LEN, vmread(EXIT_INSTR_LEN));
}

/* A #DB: tandem's single-step, the guest's own, or both. The
 * qualification holds what the CPU would have put in DR6 (SDM 28.2.1). */
static bool debug_exit(struct vcpu *v, struct vcpu_exit *e)
{
	uint64_t q = v->exit_qual;
	bool mine = v->step_tf && (q & DR6_BS);
	bool guest = (q & (DR6_B0_B3 | DR6_BD)) ||
		     ((q & DR6_BS) && v->step_guest_tf);

	if (guest) {
		/* B0-B3 are replaced, the rest is never cleared by the
		 * CPU (SDM 18.2.3) */
		write_dr6((read_dr6() & ~DR6_B0_B3) |
			  (q & (DR6_B0_B3 | DR6_BD | DR6_BS)));
		vmx_inject_exception(v, DB_VECTOR, false, 0);
		v->step_counts.db++;
	}
	if (guest && !mine)
		return false;
	e->kind = VCPU_EXIT_STEP;
	return true;
}

bool vmx_step_exception(struct vcpu *v, struct vcpu_exit *e, uint32_t info)
{
	/* raised while delivering another event, which is queued again
	 * (requeue_vectoring): let the CPU raise it once more and apply
	 * its own rules for the pair (#DF, SDM 6.15). That entry injects,
	 * so it runs without tandem's TF and intercepts nothing. */
	if (vmread(IDT_VECTORING_INFO) & INTR_INFO_VALID) {
		v->step_pass_once = true;
		return false;
	}
	if ((info & 0xff) == DB_VECTOR &&
	    (info & INTR_TYPE_MASK) == INTR_TYPE_HW_EXC)
		return debug_exit(v, e);
	reflect(v, info);
	return false;
}

bool vmx_step_mtf(struct vcpu *v, struct vcpu_exit *e)
{
	(void)v;
	e->kind = VCPU_EXIT_STEP;
	return true;
}

/* ---- interface ------------------------------------------------------- */

void vcpu_single_step(struct vcpu *v, bool on)
{
	uint32_t proc = (uint32_t)vmread(PROC_CONTROLS);

	if (v->stepping == on)
		return;
	v->stepping = on;
	v->step_pass_once = false;
	if (v->step_kind == VCPU_STEP_MTF) {
		vmwrite(PROC_CONTROLS, on ? proc | PROC_MTF : proc & ~PROC_MTF);
		return;
	}
	/* mask = match = 0: with bit 14 set, every #PF exits (SDM 26.2) */
	vmwrite(PF_ERRCODE_MASK, 0);
	vmwrite(PF_ERRCODE_MATCH, 0);
	vmwrite(EXCEPTION_BITMAP, on && v->step_kind == VCPU_STEP_TF ?
				  EXC_STEP : 0);
}

void vcpu_step_counts(struct vcpu *v, struct vcpu_step_counts *c)
{
	*c = v->step_counts;
}

enum vcpu_step_kind vcpu_step_kind(struct vcpu *v)
{
	return v->step_kind;
}

const char *vcpu_step_name(enum vcpu_step_kind k)
{
	switch (k) {
	case VCPU_STEP_MTF:
		return "monitor trap flag";
	case VCPU_STEP_TF:
		return "TF+#DB";
	default:
		return "none";
	}
}

/* ---- self-test ---------------------------------------------------------- */

#define SCRATCH_GPA	0x8000ull

/* 32-bit protected mode, the stack at the end of the page:
 *   0x00 mov ecx, 3 / 0x05 dec ecx / 0x06 jnz 0x05 / 0x08 pushfd /
 *   0x09 pop eax / 0x0a hlt */
static const uint8_t snippet[] = {
	0xb9, 0x03, 0x00, 0x00, 0x00, 0x49, 0x75, 0xfd, 0x9c, 0x58, 0xf4,
};
/* RIP after each of its instructions, from its start */
static const uint8_t step_rips[] = { 5, 6, 5, 6, 5, 6, 8, 9, 0xa };

static const char *exit_name(enum vcpu_exit_kind k)
{
	switch (k) {
	case VCPU_EXIT_STEP: return "step";
	case VCPU_EXIT_HLT: return "HLT";
	case VCPU_EXIT_BUDGET: return "budget";
	case VCPU_EXIT_TIMER: return "timer";
	default: return "other";
	}
}

/* One step of the snippet; 0, or -1 with why. */
static int step_once(struct vcpu *v, unsigned i, char *why, size_t len)
{
	bool exact = vcpu_counter_kind(v) == VCPU_COUNTER_EXACT;
	uint64_t p0 = v->progress, rip;
	struct vcpu_exit e;

	vcpu_run(v, &e);
	rip = vmread(GUEST_RIP) - SCRATCH_GPA;
	if (e.kind == VCPU_EXIT_STEP && rip == step_rips[i] &&
	    (!exact || v->progress == p0 + 1))
		return 0;
	tsnprintf(why, len, "step %u: %s exit at +0x%lx, %lu counted "
		  "(want a step to +0x%x%s)", i + 1, exit_name(e.kind),
		  (unsigned long)rip, (unsigned long)(v->progress - p0),
		  step_rips[i], exact ? ", 1 counted" : "");
	return -1;
}

/* Step the snippet through; then it halts, and PUSHF must have seen
 * the guest's TF (0), not tandem's. */
static int step_test(struct vcpu *v, char *why, size_t len)
{
	struct vcpu_exit e;
	int rc = 0;

	vcpu_set_entry32(v, SCRATCH_GPA, 0, 0);
	vmwrite(GUEST_RSP, SCRATCH_GPA + PAGE_SIZE);
	vcpu_single_step(v, true);
	for (unsigned i = 0; !rc && i < sizeof(step_rips); i++)
		rc = step_once(v, i, why, len);
	if (!rc) {
		vcpu_run(v, &e);
		if (e.kind != VCPU_EXIT_HLT || (v->regs.rax & RFLAGS_TF) ||
		    (vmread(GUEST_RFLAGS) & RFLAGS_TF)) {
			tsnprintf(why, len, "%s exit, PUSHF saw 0x%lx "
				  "(want HLT, TF clear)", exit_name(e.kind),
				  (unsigned long)v->regs.rax);
			rc = -1;
		}
	}
	vcpu_single_step(v, false);
	return rc;
}

static bool mtf_offered(void)
{
	return (rdmsr(MSR_VMX_PROC) >> 32) & PROC_MTF;
}

/* MTF where it fires, else TF; why says what was found. */
static enum vcpu_step_kind pick(struct vcpu *v, char *why, size_t len)
{
	char mtf_why[120] = "not offered", tf_why[120];

	if (mtf_offered()) {
		v->step_kind = VCPU_STEP_MTF;
		if (!step_test(v, mtf_why, sizeof(mtf_why))) {
			tsnprintf(why, len, "monitor trap flag: fires");
			return VCPU_STEP_MTF;
		}
	}
	v->step_kind = VCPU_STEP_TF;
	if (!step_test(v, tf_why, sizeof(tf_why))) {
		tsnprintf(why, len, "monitor trap flag: %s%s", mtf_offered() ?
			  "offered but did not fire: " : "", mtf_why);
		return VCPU_STEP_TF;
	}
	tsnprintf(why, len, "monitor trap flag: %s; TF+#DB: %s", mtf_why,
		  tf_why);
	return VCPU_STEP_NONE;
}

enum vcpu_step_kind vcpu_step_enable(struct vcpu *v, char *why,
				     size_t len)
{
	static uint8_t saved[PAGE_SIZE];
	uint8_t *scratch = v->ram + SCRATCH_GPA;
	uint64_t progress = v->progress;

	if (v->ram_size < SCRATCH_GPA + PAGE_SIZE) {
		tsnprintf(why, len, "guest RAM too small for the self-test");
		return v->step_kind = VCPU_STEP_NONE;
	}
	memcpy(saved, scratch, PAGE_SIZE);
	memcpy(scratch, snippet, sizeof(snippet));
	v->budget = UINT64_MAX;
	v->step_kind = pick(v, why, len);
	memcpy(scratch, saved, PAGE_SIZE);
	v->pending = PENDING_NONE;
	v->progress = progress;
	memset(&v->step_counts, 0, sizeof(v->step_counts));
	memset(v->exits, 0, sizeof(v->exits));
	v->exits_total = 0;
	return v->step_kind;
}
