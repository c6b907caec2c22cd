/* What the guest sees of CPUID: the host's values, less what tandem does
 * not virtualize, plus a hypervisor leaf. */
#ifndef CORE_CPUID_H
#define CORE_CPUID_H

#include <stdint.h>

#define CPUID_HV_LEAF		0x40000000u
#define CPUID_HV_SIGNATURE	"TandemHV\0\0\0\0"

struct cpuid_result {
	uint32_t eax, ebx, ecx, edx;
};

/* The guest's time stamp counter rate (reported in leaves 0x15 and 0x16
 * so that the guest needs no calibration against a timer) and the host's
 * highest basic leaf. */
void cpuid_policy_init(uint64_t tsc_hz, uint32_t host_max_leaf);

/* Rewrite the host's result 'r' for leaf/subleaf; guest_cr4 is the
 * guest's own CR4 (OSXSAVE mirrors it). Pure: unit-tested. */
void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		  struct cpuid_result *r);

#endif
