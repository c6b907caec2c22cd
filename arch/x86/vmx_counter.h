/* Between the progress counters' common part (vmx_counter.c: the
 * vcpu.h interface, the exact counter, the self-test scaffold) and the
 * PMU counter (vmx_pmu.c). Not for core/ or ft/: see vcpu.h. */
#ifndef ARCH_X86_VMX_COUNTER_H
#define ARCH_X86_VMX_COUNTER_H

#include "arch/x86/vmx.h"

/* Guest-physical page the self-tests borrow for their snippets. */
#define VMX_SCRATCH_GPA	0x8000ull

/* Progress retired by the guest: added, and taken off the budget. */
void vmx_counter_add(struct vcpu *v, uint64_t ran);

/* Put 'code' at VMX_SCRATCH_GPA, turn the counter of that kind on, run
 * test(), then give RAM and the vcpu's counting state back as they were
 * (progress 0, no budget, exit counts cleared). The counter stays on;
 * the caller turns it off again if the test failed. */
int vmx_counter_selftest(struct vcpu *v, enum vcpu_counter_kind kind,
			 const uint8_t *code, size_t n,
			 int (*test)(struct vcpu *v, char *why, size_t len),
			 char *why, size_t len);

/* The PMU counter. */
int vmx_pmu_enable(struct vcpu *v, char *why, size_t len);
void vmx_pmu_arm(struct vcpu *v);		/* for v->budget, now */
void vmx_pmu_entry(struct vcpu *v);
void vmx_pmu_exit(struct vcpu *v);
void vmx_pmu_nmi(struct vcpu *v);
uint32_t vmx_pmu_skid(void);

#endif
