/* The vendor-neutral virtual CPU: what core/ sees of VT-x (vmx.c) and of
 * any later backend (AMD-V). The backend handles what is pure CPU state
 * (control registers, VMCS-held MSRs, XSETBV) itself and returns to core/
 * every exit whose result is a policy or an input from the environment:
 * port I/O, CPUID, other MSRs, time stamps, random numbers, halts,
 * accesses outside guest RAM, faults. core/ fills in the result in the
 * same struct vcpu_exit and vcpu_complete() finishes the instruction
 * with it. */
#ifndef ARCH_X86_VCPU_H
#define ARCH_X86_VCPU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VCPU_IO_MAX	256	/* bytes of one string I/O batch */

struct vcpu;

enum vcpu_exit_kind {
	VCPU_EXIT_IO,		/* io: core reads data (out) or fills it (in) */
	VCPU_EXIT_CPUID,	/* cpuid: host values in, policy values out */
	VCPU_EXIT_MSR_READ,	/* msr: core sets value, or fault = true */
	VCPU_EXIT_MSR_WRITE,	/* msr: core accepts value, or fault = true */
	VCPU_EXIT_RDTSC,	/* value: the time stamp the guest reads */
	VCPU_EXIT_RDRAND,	/* value + ok (carry flag) */
	VCPU_EXIT_RDSEED,
	VCPU_EXIT_HLT,		/* guest halted (instruction completed) */
	VCPU_EXIT_TIMER,	/* deadline or poll quantum reached */
	VCPU_EXIT_BUDGET,	/* the progress budget is used up */
	VCPU_EXIT_STEP,		/* one single-step done (vcpu_single_step) */
	VCPU_EXIT_IRQ_WINDOW,	/* the guest can take an interrupt now */
	VCPU_EXIT_MEM,		/* access to a guest-physical address
				 * outside RAM: mem */
	VCPU_EXIT_SHUTDOWN,	/* triple fault */
	VCPU_EXIT_FAILED,	/* unhandled exit or failed entry: fail;
				 * the vcpu cannot continue */
};

struct vcpu_exit {
	enum vcpu_exit_kind kind;
	union {
		struct {
			uint16_t port;
			uint8_t size;		/* 1, 2 or 4 */
			bool in;
			uint16_t count;		/* elements in data */
			uint8_t data[VCPU_IO_MAX];
		} io;
		struct {
			uint32_t leaf, subleaf;
			uint32_t eax, ebx, ecx, edx;
		} cpuid;
		struct {
			uint32_t index;
			uint64_t value;
			bool fault;
		} msr;
		struct {
			uint64_t value;
			bool ok;
		} val;
		struct {
			uint64_t gpa;
			bool read, write, fetch;
		} mem;
		struct {
			uint32_t reason;	/* backend's own code */
			uint64_t qual;
			char what[160];		/* decoded, one line */
		} fail;
	};
};

/* Guest-visible control state core/ needs for policy (CPUID OSXSAVE). */
struct vcpu_ctl {
	uint64_t cr0, cr4, efer;	/* as the guest sees them */
};

struct vcpu_exit_count {
	const char *name;
	uint64_t count;
};

/* Self-test of the virtualization extensions; enables them (VMXON).
 * Returns 0, or -1 with the reason in why, naming the firmware setting
 * when that is what keeps them off. */
int vcpu_hw_enable(char *why, size_t len);

/* A vcpu over guest RAM [0, size) backed by host memory 'ram'. Nothing
 * else is mapped: any other guest-physical access is a VCPU_EXIT_MEM.
 * poll_tsc: longest stretch (TSC ticks) the guest runs before a
 * VCPU_EXIT_TIMER, 0 for none. */
struct vcpu *vcpu_create(uint8_t *ram, uint64_t size, uint64_t poll_tsc,
			 char *err, size_t len);

/* Start state of a multiboot kernel: 32-bit protected mode, paging off,
 * flat 4 GiB segments (Multiboot Specification 0.6.96, 3.2). */
void vcpu_set_entry32(struct vcpu *v, uint32_t eip, uint32_t eax,
		      uint32_t ebx);

/* Start state of a 64-bit Linux kernel (x86 boot protocol, 64-bit entry):
 * long mode with the guest's identity page tables at cr3, CS = 0x10
 * (64-bit code) and the data segments 0x18 of the guest GDT given, RSI =
 * the zero page. */
void vcpu_set_entry64(struct vcpu *v, uint64_t rip, uint64_t rsi,
		      uint64_t cr3, uint64_t gdt_base, uint16_t gdt_limit);

/* External interrupts. vcpu_irq_ready(): the guest would take one now
 * (RFLAGS.IF set, no STI/MOV-SS shadow, no event already queued). The
 * vector injected is delivered at the next entry. While an interrupt
 * waits, request the window: the vcpu then exits VCPU_EXIT_IRQ_WINDOW as
 * soon as the guest can take it. */
bool vcpu_irq_ready(struct vcpu *v);
void vcpu_inject_irq(struct vcpu *v, uint8_t vector);
void vcpu_request_irq_window(struct vcpu *v, bool on);

/* Leave the guest (VCPU_EXIT_TIMER) no later than TSC value 'deadline';
 * UINT64_MAX: only the poll quantum applies. */
void vcpu_set_deadline(struct vcpu *v, uint64_t deadline);

/* Run the guest until the next exit for core/, described in *e. */
void vcpu_run(struct vcpu *v, struct vcpu_exit *e);
/* Finish the instruction of that exit with core/'s answer in *e. Done
 * before deciding on interrupts: the completion may itself queue an
 * exception, which must not be overwritten by an interrupt. */
void vcpu_complete(struct vcpu *v, struct vcpu_exit *e);

void vcpu_get_ctl(struct vcpu *v, struct vcpu_ctl *ctl);

/* Print the guest registers and the last exit through pr(). */
void vcpu_dump(struct vcpu *v);

/* Exit counts by reason, only the reasons seen; returns how many. */
size_t vcpu_exit_counts(struct vcpu *v, struct vcpu_exit_count *out,
			size_t max);
uint64_t vcpu_exits_total(struct vcpu *v);

/* ---- Epochs: progress counter, state digest, snapshot (vmx_counter.c,
 * vmx_pmu.c, vmx_state.c; docs/epochs.md) ---- */

enum vcpu_counter_kind {
	VCPU_COUNTER_NONE,
	/* guest instructions, exactly: the VMX-preemption timer where it
	 * counts instructions (Bochs), proven by self-test */
	VCPU_COUNTER_EXACT,
	/* retired guest conditional branches on a PMU counter, whose
	 * overflow interrupt comes up to vcpu_counter_skid() units late
	 * (vmx_pmu.c); proven by self-test */
	VCPU_COUNTER_PMU,
};

/* Self-test the counter of that kind on a scratch snippet (guest RAM
 * at gpa 0x8000 is borrowed and restored; the guest entry state must be
 * set afterwards) and turn it on. 0, or -1 with why. */
int vcpu_counter_enable(struct vcpu *v, enum vcpu_counter_kind kind,
			char *why, size_t len);
enum vcpu_counter_kind vcpu_counter_kind(struct vcpu *v);
const char *vcpu_counter_name(enum vcpu_counter_kind k);
/* The most units a budget exit can come after the budget ran out: 0 for
 * the exact counter; a bound for the PMU, whose callers arm that much
 * early and single-step the rest. */
uint32_t vcpu_counter_skid(struct vcpu *v);
/* Units of progress retired by the guest since the counter was enabled.
 * Only instructions the guest itself retires count: those tandem
 * completes after an exit (CPUID, I/O...) do not. */
uint64_t vcpu_progress(struct vcpu *v);
/* Exit with VCPU_EXIT_BUDGET after 'units' more units (at the
 * instruction boundary reached then): exactly, or for the PMU up to
 * vcpu_counter_skid() units later, never earlier; UINT64_MAX: no
 * budget. */
void vcpu_set_budget(struct vcpu *v, uint64_t units);

/* Registers an epoch digest compares, in a fixed order. */
#define VCPU_DIGEST_REGS	24
#define VCPU_DIGEST_RCX		2	/* where each register is */
#define VCPU_DIGEST_RIP		16
void vcpu_digest_regs(struct vcpu *v, uint64_t out[VCPU_DIGEST_REGS]);
const char *vcpu_digest_reg_name(unsigned i);

/* Track guest writes to RAM (EPT accessed/dirty flags, SDM 29.3.5).
 * false: the CPU cannot. */
bool vcpu_dirty_log_enable(struct vcpu *v);
/* Call fn for each guest page frame written since the last call, in
 * ascending order, and start over. */
void vcpu_dirty_pages(struct vcpu *v, void (*fn)(uint64_t gfn, void *arg),
		      void *arg);

/* The vcpu's whole state (VMCS guest state, entry event, registers,
 * completion owed), to restore on the same backend. */
size_t vcpu_state_size(void);
void vcpu_save(struct vcpu *v, void *buf);
void vcpu_restore(struct vcpu *v, const void *buf);

/* ---- Single-stepping (vmx_step.c; docs/epochs.md) ---- */

enum vcpu_step_kind {
	VCPU_STEP_NONE,
	VCPU_STEP_MTF,		/* the monitor trap flag (SDM 26.5.2) */
	VCPU_STEP_TF,		/* RFLAGS.TF with #DB intercepted, hidden
				 * from the guest (SDM 18.3.1.4) */
};

/* Pick the mechanism by self-test on a scratch snippet (guest RAM at
 * gpa 0x8000 is borrowed and restored; set the guest entry state
 * afterwards): the monitor trap flag where it fires, else TF. Returns
 * the kind, VCPU_STEP_NONE if neither works, and in why what was found
 * (one line). Call after vcpu_counter_enable(): with the exact counter
 * on, the test also checks that each step retires one instruction. */
enum vcpu_step_kind vcpu_step_enable(struct vcpu *v, char *why,
				     size_t len);
enum vcpu_step_kind vcpu_step_kind(struct vcpu *v);
const char *vcpu_step_name(enum vcpu_step_kind k);
/* While on, vcpu_run() returns VCPU_EXIT_STEP after each instruction the
 * guest retires (each iteration of a REP string instruction), unless an
 * exit for core/ comes first. With TF, the instruction that delivers an
 * event (INT n, SYSCALL, an exception) runs without tandem's TF, and the
 * step comes back at the next exit instead: arm the budget as a backstop
 * while stepping. */
void vcpu_single_step(struct vcpu *v, bool on);

/* What TF stepping did to stay out of the guest's sight, since boot. */
struct vcpu_step_counts {
	uint64_t pushf;		/* PUSHF images given the guest's TF back */
	uint64_t db;		/* #DB that were the guest's, reflected */
	uint64_t exceptions;	/* other exceptions reflected */
	uint64_t untraced;	/* entries that delivered an event, run
				 * without tandem's TF */
};
void vcpu_step_counts(struct vcpu *v, struct vcpu_step_counts *c);

#endif
