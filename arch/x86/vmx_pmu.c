/* The PMU progress counter: retired guest conditional branches, counted
 * by general-purpose counter 0 (SDM Vol. 3B, "Performance Monitoring",
 * 20.2 "Architectural Performance Monitoring"). Conditional branches,
 * not instructions: on Intel cores the branch count is what stays exact
 * under interrupts and faults, and with RIP and RCX (for REP string
 * instructions) it names a point in the guest's execution.
 *
 * - Guest only: the VM-entry control "load IA32_PERF_GLOBAL_CTRL"
 *   (25.8.1) enables PMC0 on every entry and the VM-exit control of the
 *   same name (25.7.1) loads 0 on every exit, so tandem's own branches
 *   are never counted and the counter holds still while tandem runs.
 * - Overflow after n: the counter is preloaded with 2^W - n
 *   (pmu_calc.c) and interrupts when it wraps.
 * - The overflow interrupt (PMI) goes through the local APIC's
 *   performance-counter LVT entry as an NMI. tandem already runs guests
 *   with "NMI exiting" (26.2), so the PMI is a VM exit (reason 0,
 *   interruption type NMI, vector 2). Not a fixed vector with
 *   external-interrupt exiting: the host keeps its task priority at
 *   0xff and its interrupts off for good (irq.c), which would hold a
 *   fixed vector back, and Bochs takes external-interrupt exits only
 *   when the guest has RFLAGS.IF set. An NMI needs no new control and
 *   nothing in the guest blocks it.
 * - The PMI comes some branches after the overflow (skid); the exit
 *   reports where the guest really is, and ft/ arms early by the skid
 *   bound and single-steps the rest. vcpu_counter_skid() gives the
 *   bound, from the event table.
 * - A PMI that arrives after its VM exit reaches tandem's own IDT, whose
 *   NMI entry counts and dismisses it (trap_entry.asm). Either way the
 *   processor has masked the LVT entry on delivery, so it is unmasked
 *   again before the next entry.
 *
 * No emulator here has a PMU (Bochs reads the counter MSRs as 0; QEMU
 * TCG has no VT-x): this runs only on Intel hardware or under nested
 * QEMU/KVM with a virtual PMU. The boot self-test decides, never the
 * capability bits alone. */
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "arch/x86/irq.h"
#include "arch/x86/pmu_calc.h"
#include "arch/x86/vmx_counter.h"
#include "lib/print.h"

#define MSR_PMC0		0x0c1
#define MSR_PERFEVTSEL0		0x186
#define MSR_PERF_CAPABILITIES	0x345
#define MSR_PERF_GLOBAL_CTRL	0x38f
/* IA32_PERF_GLOBAL_STATUS_RESET from version 4 on, same address */
#define MSR_PERF_GLOBAL_OVF_CTRL 0x390
#define MSR_A_PMC0		0x4c1

#define GLOBAL_PMC0		1ull
#define PERF_CAP_FW_WRITE	(1ull << 13)
#define CPUID1_ECX_PDCM		(1u << 15)
#define CPUID7_EDX_HYBRID	(1u << 15)

static struct {
	const struct pmu_event *event;
	struct pmu_geom geom;
	struct pmu_track track;
	uint32_t write_msr;		/* IA32_A_PMC0 or IA32_PMC0 */
	uint64_t written;		/* the last preload written */
	bool unmask;			/* LVT entry to unmask before entry */
	uint64_t nmis_seen;		/* host_nmis when last unmasked */
	bool said_late;
} pmu;

/* ---- probe ----------------------------------------------------------- */

static bool cpu_is_intel(uint32_t *max_leaf)
{
	struct cpuid_regs r;

	cpuid_count(0, 0, &r);
	*max_leaf = r.eax;
	/* "GenuineIntel" in EBX, EDX, ECX */
	return r.ebx == 0x756e6547 && r.edx == 0x49656e69 &&
	       r.ecx == 0x6c65746e;
}

/* CPUID.0AH (SDM Vol. 2A, CPUID; 20.2.2): version 2 brings
 * IA32_PERF_GLOBAL_CTRL, which the VMX controls load. */
static int probe_arch_pmu(uint32_t max_leaf, char *why, size_t len)
{
	struct cpuid_regs r;
	uint32_t version, counters, width;

	if (max_leaf < 0xa) {
		tsnprintf(why, len, "no CPUID leaf 0AH (architectural "
			  "performance monitoring)");
		return -1;
	}
	cpuid_count(0xa, 0, &r);
	version = r.eax & 0xff;
	counters = (r.eax >> 8) & 0xff;
	width = (r.eax >> 16) & 0xff;
	if (version < 2 || !counters) {
		tsnprintf(why, len, "no architectural PMU of version 2 or later "
			  "with a general-purpose counter (CPUID.0AH:EAX "
			  "0x%x)", r.eax);
		return -1;
	}
	if (width < PMU_WIDTH_MIN || width > PMU_WIDTH_MAX) {
		tsnprintf(why, len, "general-purpose counters of %u bits "
			  "(32 to 48 supported)", width);
		return -1;
	}
	pmu.geom.width = width;
	return 0;
}

/* The event for this core, and whether the counter takes full-width
 * writes (IA32_PERF_CAPABILITIES[13], present with CPUID.01H:ECX.PDCM;
 * 20.2.6). */
static int probe_event(uint32_t max_leaf, char *why, size_t len)
{
	struct cpuid_regs r;
	uint32_t family, model;
	uint8_t core_type = 0;
	bool pdcm;

	cpuid_count(1, 0, &r);
	pmu_cpu_model(r.eax, &family, &model);
	pdcm = r.ecx & CPUID1_ECX_PDCM;
	cpuid_count(7, 0, &r);
	if (max_leaf >= 0x1a && (r.edx & CPUID7_EDX_HYBRID)) {
		cpuid_count(0x1a, 0, &r);
		core_type = r.eax >> 24;
	}
	pmu.event = pmu_event_for(family, model, core_type);
	if (!pmu.event) {
		tsnprintf(why, len, "no conditional-branch event known for "
			  "family %u model 0x%x (arch/x86/pmu_calc.c lists "
			  "the cores)", family, model);
		return -1;
	}
	pmu.geom.skid = pmu.event->skid;
	pmu.geom.full_width = pdcm && (rdmsr(MSR_PERF_CAPABILITIES) &
				       PERF_CAP_FW_WRITE);
	pmu.write_msr = pmu.geom.full_width ? MSR_A_PMC0 : MSR_PMC0;
	return 0;
}

/* The two "load IA32_PERF_GLOBAL_CTRL" controls. Bits 63:32 (allowed
 * 1-settings) of the TRUE capability MSRs equal those of the others
 * (SDM Vol. 3D, A.4, A.5), so the plain ones do. The Nehalem/Westmere
 * errata that keep KVM off these controls (AAK155 and kin: a VM exit may
 * clear IA32_PERF_GLOBAL_CTRL[34:32], the fixed counters' enables) touch
 * neither PMC0's bit 0 nor a host value of 0. */
static int probe_vmx(char *why, size_t len)
{
	uint32_t entry1 = rdmsr(MSR_VMX_ENTRY) >> 32;
	uint32_t exit1 = rdmsr(MSR_VMX_EXIT) >> 32;

	if (!(entry1 & ENTRY_LOAD_PERF_GLOBAL) ||
	    !(exit1 & EXIT_LOAD_PERF_GLOBAL)) {
		tsnprintf(why, len, "no %s control \"load "
			  "IA32_PERF_GLOBAL_CTRL\", which keeps tandem's own "
			  "branches out of the count",
			  (entry1 & ENTRY_LOAD_PERF_GLOBAL) ? "VM-exit" :
			  "VM-entry");
		return -1;
	}
	return 0;
}

static int probe(char *why, size_t len)
{
	uint32_t max_leaf;

	if (!cpu_is_intel(&max_leaf)) {
		tsnprintf(why, len, "not an Intel CPU: no conditional-branch "
			  "event known");
		return -1;
	}
	if (probe_arch_pmu(max_leaf, why, len) ||
	    probe_event(max_leaf, why, len) || probe_vmx(why, len))
		return -1;
	if (host_pmi_nmi(false)) {
		tsnprintf(why, len, "the local APIC is disabled: the "
			  "overflow interrupt has no way in");
		return -1;
	}
	return 0;
}

/* ---- programming ------------------------------------------------------ */

static void program(void)
{
	wrmsr(MSR_PERF_GLOBAL_CTRL, 0);		/* nothing counts in tandem */
	wrmsr(MSR_PERFEVTSEL0, pmu_evtsel(pmu.event));
	vmwrite(GUEST_PERF_GLOBAL_CTRL, GLOBAL_PMC0);
	vmwrite(HOST_PERF_GLOBAL_CTRL, 0);
	vmwrite(ENTRY_CONTROLS,
		vmread(ENTRY_CONTROLS) | ENTRY_LOAD_PERF_GLOBAL);
	vmwrite(EXIT_CONTROLS, vmread(EXIT_CONTROLS) | EXIT_LOAD_PERF_GLOBAL);
}

static void unprogram(void)
{
	vmwrite(ENTRY_CONTROLS,
		vmread(ENTRY_CONTROLS) & ~ENTRY_LOAD_PERF_GLOBAL);
	vmwrite(EXIT_CONTROLS,
		vmread(EXIT_CONTROLS) & ~EXIT_LOAD_PERF_GLOBAL);
	wrmsr(MSR_PERFEVTSEL0, 0);
	wrmsr(MSR_PERF_GLOBAL_OVF_CTRL, GLOBAL_PMC0);
	host_pmi_nmi(false);
}

/* Overflow after the budget, or as far as the counter goes when there
 * is none (or none left: vcpu_run does not enter then), so that the
 * counter is always in a known state. The overflow status is cleared
 * each time: a core may hold back a PMI while it is set. */
void vmx_pmu_arm(struct vcpu *v)
{
	uint64_t n = v->budget ? v->budget : UINT64_MAX;

	pmu.written = pmu_track_arm(&pmu.track, &pmu.geom, n);
	wrmsr(pmu.write_msr, pmu.written);
	wrmsr(MSR_PERF_GLOBAL_OVF_CTRL, GLOBAL_PMC0);
	pmu.unmask = true;
}

/* The LVT entry, masked by each PMI's delivery, is unmasked after an NMI
 * exit, after a PMI taken in tandem (host_nmis moved), and on arming. */
void vmx_pmu_entry(struct vcpu *v)
{
	(void)v;
	if (!pmu.unmask && host_nmis == pmu.nmis_seen)
		return;
	pmu.nmis_seen = host_nmis;
	pmu.unmask = false;
	host_pmi_nmi(true);
}

void vmx_pmu_exit(struct vcpu *v)
{
	vmx_counter_add(v, pmu_track_read(&pmu.track, &pmu.geom,
					  rdmsr(MSR_PMC0)));
	if (!pmu_track_overflowed(&pmu.track))
		return;
	if (pmu.track.since > pmu.track.armed + pmu.geom.skid &&
	    !pmu.said_late) {
		pr("pmu: overflow interrupt %lu units late (skid bound %u)\n",
		   (unsigned long)(pmu.track.since - pmu.track.armed),
		   pmu.geom.skid);
		pmu.said_late = true;
	}
	vmx_pmu_arm(v);
}

void vmx_pmu_nmi(struct vcpu *v)
{
	(void)v;
	pmu.unmask = true;
	host_nmi_unblock();
}

uint32_t vmx_pmu_skid(void)
{
	return pmu.geom.skid;
}

/* ---- self-test -------------------------------------------------------- */

/* 32-bit snippet at VMX_SCRATCH_GPA: a loop whose every turn retires one
 * conditional branch (jnz) and one unconditional (jmp), so that an event
 * counting all branches would count twice:
 *   0x00 mov ecx, 100000 / 0x05 dec ecx / 0x06 jmp 0x08 / 0x08 jnz 0x05
 *   0x0a hlt */
#define LOOP_TURNS	100000u
#define LOOP_DEC	0x05
#define LOOP_HLT	0x0a

static const uint8_t loop[] = {
	0xb9, 0xa0, 0x86, 0x01, 0x00, 0x49, 0xeb, 0x00, 0x75, 0xfb, 0xf4,
};

/* ECX of the loop at offset rip after c conditional branches. */
static uint64_t loop_ecx(uint64_t c, uint64_t rip)
{
	if (rip == LOOP_HLT)
		return 0;
	return LOOP_TURNS - c - (rip == LOOP_DEC ? 0 : 1);
}

static int check_readback(char *why, size_t len)
{
	uint64_t got = rdmsr(MSR_PMC0) & pmu_mask(pmu.geom.width);

	if (got == pmu.track.last)
		return 0;
	tsnprintf(why, len, "PMU counter reads 0x%lx after a write of 0x%lx "
		  "(want 0x%lx)%s", (unsigned long)got,
		  (unsigned long)pmu.written, (unsigned long)pmu.track.last,
		  got ? "" : ": no working PMU (an emulator without one?)");
	return -1;
}

/* Arm for 'armed' more units and run to the overflow exit: it must be a
 * PMI, no earlier than armed and within the skid bound, and the count so
 * far (*at) must be what the loop's ECX says at that RIP. */
static int run_armed(struct vcpu *v, uint64_t armed, uint64_t *at,
		     char *why, size_t len)
{
	uint64_t p0 = v->progress, nmis = v->exits[0], c, rip, ecx;
	struct vcpu_exit e;
	unsigned polls = 0;

	vcpu_set_budget(v, armed);
	if (check_readback(why, len))
		return -1;
	do
		vcpu_run(v, &e);
	while (e.kind == VCPU_EXIT_TIMER && ++polls < 100000);
	c = v->progress - p0;
	*at += c;
	rip = vmread(GUEST_RIP) - VMX_SCRATCH_GPA;
	ecx = (uint32_t)v->regs.rcx;
	if (e.kind == VCPU_EXIT_FAILED) {
		tsnprintf(why, len, "%s", e.fail.what);
		return -1;
	}
	if (e.kind != VCPU_EXIT_BUDGET || v->exits[0] == nmis) {
		tsnprintf(why, len, "armed for %lu: no overflow interrupt "
			  "(%s, exit kind %u at +0x%lx, %lu conditional "
			  "branches counted)", (unsigned long)armed,
			  e.kind == VCPU_EXIT_HLT ? "the loop ran to its end" :
			  "another exit", e.kind, (unsigned long)rip,
			  (unsigned long)c);
		return -1;
	}
	if (c < armed || c > armed + pmu.geom.skid) {
		tsnprintf(why, len, "armed for %lu: overflow exit after %lu "
			  "(skid bound %u)", (unsigned long)armed,
			  (unsigned long)c, pmu.geom.skid);
		return -1;
	}
	if (ecx != loop_ecx(*at, rip)) {
		tsnprintf(why, len, "after %lu conditional branches ECX is %lu "
			  "at +0x%lx, the loop says %lu: the event counts "
			  "something else", (unsigned long)*at,
			  (unsigned long)ecx, (unsigned long)rip,
			  (unsigned long)loop_ecx(*at, rip));
		return -1;
	}
	return 0;
}

static int self_test(struct vcpu *v, char *why, size_t len)
{
	uint64_t at = 0;

	vcpu_set_entry32(v, VMX_SCRATCH_GPA, 0, 0);
	if (run_armed(v, 1000, &at, why, len))
		return -1;
	/* 10 more, across the exit and tandem's own branches in between */
	return run_armed(v, 10, &at, why, len);
}

int vmx_pmu_enable(struct vcpu *v, char *why, size_t len)
{
	if (probe(why, len))
		return -1;
	program();
	if (vmx_counter_selftest(v, VCPU_COUNTER_PMU, loop, sizeof(loop),
				 self_test, why, len)) {
		v->counting = false;
		unprogram();
		return -1;
	}
	vmx_pmu_arm(v);
	pr("pmu: %s (event 0x%x umask 0x%x, %s), %u-bit counter, %s writes, "
	   "skid bound %u\n", pmu.event->name, pmu.event->event,
	   pmu.event->umask, pmu.event->cores, pmu.geom.width,
	   pmu.geom.full_width ? "full-width" : "32-bit", pmu.geom.skid);
	return 0;
}
