/* VT-x backend internals shared by vmx.c (set-up, entry) and
 * vmx_exit.c (the exit table). Not for core/: see vcpu.h. */
#ifndef ARCH_X86_VMX_H
#define ARCH_X86_VMX_H

#include "arch/x86/vcpu.h"
#include "arch/x86/vmcs.h"

#define VMX_EXIT_REASONS	80

/* Extended state the guest may enable in XCR0: x87, SSE and AVX. Not
 * AVX-512 (Bochs 2.7 reports offsets for its components that disagree
 * with its own total size, and Linux then turns XSAVE off; twins on
 * different CPUs agree more easily on less), nor MPX, PKRU or AMX. */
#define GUEST_XCR0	0x7ull

/* Guest GPRs not held in the VMCS; order fixed by vmx_entry.asm. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
};

/* Completion owed to the instruction behind the last exit to core/. */
enum vmx_pending {
	PENDING_NONE,
	PENDING_SKIP,		/* advance RIP */
	PENDING_IO,
	PENDING_CPUID,
	PENDING_RDMSR,
	PENDING_WRMSR,
	PENDING_RDTSC,
	PENDING_RDTSCP,
	PENDING_RAND,
	PENDING_DEAD,		/* the vcpu cannot run again */
};

struct vcpu {
	struct vcpu_regs regs;		/* first: vmx_entry.asm */
	bool launched;
	enum vmx_pending pending;
	uint32_t exit_reason;
	uint64_t exit_qual;
	/* string I/O in flight: elements done this batch, address size */
	uint16_t io_count;
	bool io_string, io_rep;
	uint8_t io_addr_size;
	uint8_t *ram;
	uint64_t ram_size;
	uint64_t poll_ticks;		/* preemption timer reload, 0 = off */
	uint64_t deadline;		/* TSC; UINT64_MAX = none */
	uint8_t timer_shift;		/* preemption timer = TSC >> shift */
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	uint64_t cr0_mask, cr4_mask;
	uint64_t tsc_aux;
	uint64_t exits[VMX_EXIT_REASONS];
	uint64_t exits_total;
	void *vmcs;
	uint64_t *ept_pml4;
	uint64_t eptp;
	/* epoch counter (vmx_counter.c, vmx_pmu.c) */
	bool counting;
	enum vcpu_counter_kind counter;	/* which, while counting */
	uint64_t budget;		/* units left; UINT64_MAX = none */
	uint64_t progress;		/* units retired since enabled */
	uint64_t armed;			/* preemption timer of this entry */
	/* single-stepping (vmx_step.c) */
	enum vcpu_step_kind step_kind;	/* chosen by self-test */
	bool stepping;
	bool step_tf;			/* this entry carries tandem's TF */
	bool step_guest_tf;		/* the guest's own TF at that entry */
	bool step_pass_once;		/* next entry: faults to the CPU */
	uint8_t step_insn;		/* enum insn_kind being stepped */
	uint64_t step_rip;		/* where that entry began */
	struct vcpu_step_counts step_counts;
};

/* CR0/CR4 as the guest sees them: bits it owns from the real register,
 * the rest from the read shadow (SDM 26.3, MOV from CR0/CR4). */
static inline uint64_t vmx_guest_cr0(const struct vcpu *v)
{
	return (vmread(GUEST_CR0) & ~v->cr0_mask) |
	       (vmread(CR0_READ_SHADOW) & v->cr0_mask);
}

static inline uint64_t vmx_guest_cr4(const struct vcpu *v)
{
	return (vmread(GUEST_CR4) & ~v->cr4_mask) |
	       (vmread(CR4_READ_SHADOW) & v->cr4_mask);
}

/* Handle one exit; returns true when *e was filled for core/. */
bool vmx_handle_exit(struct vcpu *v, struct vcpu_exit *e);
/* Finish the instruction of the last exit to core/ with its results. */
void vmx_complete(struct vcpu *v, struct vcpu_exit *e);
void vmx_skip_instruction(struct vcpu *v);
void vmx_inject_exception(struct vcpu *v, uint8_t vector, bool has_err,
			  uint32_t err);

/* Pointer to guest-physical [gpa, gpa+len) in host memory, or NULL. */
void *vmx_guest_phys(struct vcpu *v, uint64_t gpa, uint64_t len);
/* Translate a guest-linear address through the guest's own paging.
 * Returns 0 and the guest-physical address, or -1 (not mapped). */
int vmx_guest_linear_to_phys(struct vcpu *v, uint64_t gla, uint64_t *gpa);

/* EPT over [0, size) -> ram; returns the EPT pointer, 0 on no memory. */
uint64_t ept_build(uint8_t *ram, uint64_t size);
/* Report and clear the dirty flags of EPT leaves (A/D on, SDM 29.3.5). */
void ept_collect_dirty(uint64_t *pml4, void (*fn)(uint64_t gfn, void *arg),
		       void *arg);

/* Counter hooks of vcpu_run: the timer value of the next entry, the
 * last step before each entry, the accounting after each exit; and of
 * the NMI exit: true when the counter's overflow interrupt explains it. */
uint64_t vmx_counter_timer(struct vcpu *v, uint64_t ticks);
void vmx_counter_entry(struct vcpu *v);
void vmx_counter_exit(struct vcpu *v);
bool vmx_counter_nmi(struct vcpu *v);

/* Single-step hooks (vmx_step.c): before and after each entry (the guest
 * never sees tandem's TF outside vcpu_run), and the exits that stepping
 * causes: an exception while TF stepping, the MTF exit. */
void vmx_step_entry(struct vcpu *v);
void vmx_step_exit(struct vcpu *v);
bool vmx_step_exception(struct vcpu *v, struct vcpu_exit *e, uint32_t info);
bool vmx_step_mtf(struct vcpu *v, struct vcpu_exit *e);

/* TF stepping intercepts every exception (vmx_step.c). */
static inline bool vmx_step_traps(const struct vcpu *v)
{
	return v->stepping && v->step_kind == VCPU_STEP_TF;
}

const char *vmx_exit_name(uint32_t reason);
const char *vmx_instr_error_name(uint32_t err);

#endif
