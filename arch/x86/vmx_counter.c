/* The progress counters' common part (the vcpu.h interface, the
 * self-test scaffold; the PMU counter is vmx_pmu.c) and the exact
 * counter. The VMX-preemption timer counts guest instructions one for
 * one in Bochs (with VMX_MISC[4:0] = 0 and a TSC that advances once per
 * instruction). A value N lets the guest retire
 * N - 1 instructions before the timer exit (0 and 1 make no progress),
 * and with the "save VMX-preemption timer value" exit control (SDM
 * 25.7.1, 28.3.4) the field holds what is left after any other exit, so
 * the count is exact across unrelated exits too. Real CPUs tick the
 * timer from the TSC, not per instruction; the self-test tells them
 * apart and nothing here trusts a capability bit alone. */
#include "arch/x86/cpu.h"
#include "arch/x86/vmx_counter.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

static bool counting_pmu(const struct vcpu *v)
{
	return v->counting && v->counter == VCPU_COUNTER_PMU;
}

uint64_t vmx_counter_timer(struct vcpu *v, uint64_t ticks)
{
	uint64_t want;

	/* the PMU counter leaves the timer to deadlines and polls */
	if (!v->counting || v->counter != VCPU_COUNTER_EXACT) {
		v->armed = ticks;
		return ticks;
	}
	/* budget b needs the value b + 1. With a budget the timer serves
	 * the epoch end alone: deadlines wait for it. A timer exit armed
	 * for a deadline inside an epoch was seen to miscount by one in
	 * Bochs (tests/guests/timer), so none happens there. */
	want = v->budget == UINT64_MAX ? ticks : v->budget + 1;
	if (want > 0xffffffffull)
		want = 0xffffffffull;
	v->armed = want;
	return want;
}

void vmx_counter_add(struct vcpu *v, uint64_t ran)
{
	v->progress += ran;
	if (v->budget != UINT64_MAX)
		v->budget = ran < v->budget ? v->budget - ran : 0;
}

void vmx_counter_entry(struct vcpu *v)
{
	if (counting_pmu(v))
		vmx_pmu_entry(v);
}

void vmx_counter_exit(struct vcpu *v)
{
	uint64_t left;

	if (!v->counting)
		return;
	if (v->counter == VCPU_COUNTER_PMU) {
		vmx_pmu_exit(v);
		return;
	}
	left = vmread(PREEMPTION_TIMER);
	vmx_counter_add(v, v->armed > left + 1 ? v->armed - left - 1 : 0);
}

bool vmx_counter_nmi(struct vcpu *v)
{
	if (!counting_pmu(v))
		return false;
	vmx_pmu_nmi(v);
	return true;
}

enum vcpu_counter_kind vcpu_counter_kind(struct vcpu *v)
{
	return v->counting ? v->counter : VCPU_COUNTER_NONE;
}

const char *vcpu_counter_name(enum vcpu_counter_kind k)
{
	switch (k) {
	case VCPU_COUNTER_EXACT:
		return "exact (VMX-preemption timer, instructions)";
	case VCPU_COUNTER_PMU:
		return "pmu (retired guest conditional branches)";
	default:
		return "none";
	}
}

uint32_t vcpu_counter_skid(struct vcpu *v)
{
	return counting_pmu(v) ? vmx_pmu_skid() : 0;
}

uint64_t vcpu_progress(struct vcpu *v)
{
	return v->progress;
}

void vcpu_set_budget(struct vcpu *v, uint64_t units)
{
	v->budget = units;
	if (counting_pmu(v))
		vmx_pmu_arm(v);
}

/* 32-bit protected-mode snippets at VMX_SCRATCH_GPA:
 *   0x00 mov ecx, 100000 / 0x05 dec ecx / 0x06 jnz 0x05 / 0x08 hlt
 *   0x10 nop / nop / nop / 0x13 cpuid / 0x15 hlt */
static const uint8_t snippet[] = {
	0xb9, 0xa0, 0x86, 0x01, 0x00, 0x49, 0x75, 0xfd, 0xf4,
	0, 0, 0, 0, 0, 0, 0,
	0x90, 0x90, 0x90, 0x0f, 0xa2, 0xf4,
};

struct probe {
	enum vcpu_exit_kind kind;
	uint64_t rip, rcx, progress;
};

static void probe_run(struct vcpu *v, uint64_t budget, struct probe *p)
{
	struct vcpu_exit e;
	uint64_t p0 = v->progress;

	vcpu_set_budget(v, budget);
	vcpu_run(v, &e);
	p->kind = e.kind;
	p->rip = vmread(GUEST_RIP) - VMX_SCRATCH_GPA;
	p->rcx = (uint32_t)v->regs.rcx;
	p->progress = v->progress - p0;
}

static int expect(const struct probe *p, enum vcpu_exit_kind kind,
		  uint64_t rip, uint64_t rcx, uint64_t progress,
		  const char *what, char *why, size_t len)
{
	if (p->kind == kind && p->rip == rip && p->rcx == rcx &&
	    p->progress == progress)
		return 0;
	tsnprintf(why, len, "%s: exit %u at +0x%lx, ecx %lu, %lu counted "
		  "(want exit %u at +0x%lx, ecx %lu, %lu)", what, p->kind,
		  (unsigned long)p->rip, (unsigned long)p->rcx,
		  (unsigned long)p->progress, kind, (unsigned long)rip,
		  (unsigned long)rcx, (unsigned long)progress);
	return -1;
}

static int self_test(struct vcpu *v, char *why, size_t len)
{
	struct probe p;

	vcpu_set_entry32(v, VMX_SCRATCH_GPA, 0, 0);
	/* 100 instructions: mov, then 50 dec and 49 jnz */
	probe_run(v, 100, &p);
	if (expect(&p, VCPU_EXIT_BUDGET, 6, 99950, 100, "100 units", why,
		   len))
		return -1;
	/* 3 more, across the exit: jnz, dec, jnz */
	probe_run(v, 3, &p);
	if (expect(&p, VCPU_EXIT_BUDGET, 5, 99949, 3, "3 more", why, len))
		return -1;
	/* an instruction exit: 3 NOPs retired before CPUID */
	vcpu_set_entry32(v, VMX_SCRATCH_GPA + 0x10, 0, 0);
	v->regs.rcx = 7;
	probe_run(v, 1000, &p);
	return expect(&p, VCPU_EXIT_CPUID, 0x13, 7, 3, "CPUID exit", why,
		      len);
}

int vmx_counter_selftest(struct vcpu *v, enum vcpu_counter_kind kind,
			 const uint8_t *code, size_t n,
			 int (*test)(struct vcpu *v, char *why, size_t len),
			 char *why, size_t len)
{
	uint8_t saved[64];
	uint8_t *scratch = v->ram + VMX_SCRATCH_GPA;
	int rc;

	if (n > sizeof(saved) || v->ram_size < VMX_SCRATCH_GPA + PAGE_SIZE) {
		tsnprintf(why, len, "guest RAM too small for the self-test");
		return -1;
	}
	memcpy(saved, scratch, n);
	memcpy(scratch, code, n);
	v->counting = true;
	v->counter = kind;
	v->progress = 0;
	v->budget = UINT64_MAX;
	rc = test(v, why, len);
	memcpy(scratch, saved, n);
	v->pending = PENDING_NONE;
	v->budget = UINT64_MAX;
	v->progress = 0;
	memset(v->exits, 0, sizeof(v->exits));
	v->exits_total = 0;
	return rc;
}

static int exact_enable(struct vcpu *v, char *why, size_t len)
{
	uint64_t allowed = rdmsr(MSR_VMX_EXIT) >> 32;
	int rc;

	if (!v->poll_ticks) {
		tsnprintf(why, len, "no VMX-preemption timer");
		return -1;
	}
	if (!(allowed & EXIT_SAVE_PREEMPT)) {
		tsnprintf(why, len, "no 'save VMX-preemption timer value' "
			  "exit control");
		return -1;
	}
	vmwrite(EXIT_CONTROLS, vmread(EXIT_CONTROLS) | EXIT_SAVE_PREEMPT);
	rc = vmx_counter_selftest(v, VCPU_COUNTER_EXACT, snippet,
				  sizeof(snippet), self_test, why, len);
	if (rc) {
		v->counting = false;
		vmwrite(EXIT_CONTROLS,
			vmread(EXIT_CONTROLS) & ~EXIT_SAVE_PREEMPT);
	}
	return rc;
}

int vcpu_counter_enable(struct vcpu *v, enum vcpu_counter_kind kind,
			char *why, size_t len)
{
	switch (kind) {
	case VCPU_COUNTER_EXACT:
		return exact_enable(v, why, len);
	case VCPU_COUNTER_PMU:
		return vmx_pmu_enable(v, why, len);
	default:
		tsnprintf(why, len, "no such counter kind");
		return -1;
	}
}
