#include "core/cpuid.h"
#include "lib/string.h"

/* CPUID.1:ECX (SDM Vol. 2A, Table 3-10) */
#define ECX_DTES64	(1u << 2)
#define ECX_MONITOR	(1u << 3)
#define ECX_DSCPL	(1u << 4)
#define ECX_VMX		(1u << 5)
#define ECX_SMX		(1u << 6)
#define ECX_EST		(1u << 7)
#define ECX_TM2		(1u << 8)
#define ECX_PDCM	(1u << 15)
#define ECX_X2APIC	(1u << 21)
#define ECX_TSC_DEADLINE (1u << 24)
#define ECX_OSXSAVE	(1u << 27)
#define ECX_HYPERVISOR	(1u << 31)
/* CPUID.1:EDX */
#define EDX_DS		(1u << 21)
#define EDX_ACPI	(1u << 22)
#define EDX_TM		(1u << 29)
#define EDX_PBE		(1u << 31)
#define CR4_OSXSAVE	(1ull << 18)

static void leaf1(uint64_t cr4, struct cpuid_result *r)
{
	/* no VMX for the guest (no nesting), no monitoring, thermal or
	 * debug-store hardware, one CPU with APIC ID 0 */
	r->ecx &= ~(ECX_DTES64 | ECX_MONITOR | ECX_DSCPL | ECX_VMX | ECX_SMX |
		    ECX_EST | ECX_TM2 | ECX_PDCM | ECX_X2APIC |
		    ECX_TSC_DEADLINE | ECX_OSXSAVE);
	r->ecx |= ECX_HYPERVISOR;
	if (cr4 & CR4_OSXSAVE)
		r->ecx |= ECX_OSXSAVE;
	r->edx &= ~(EDX_DS | EDX_ACPI | EDX_TM | EDX_PBE);
	r->ebx = (r->ebx & 0xffff) | (1u << 16);
}

static void hv_leaf(uint32_t leaf, struct cpuid_result *r)
{
	memset(r, 0, sizeof(*r));
	if (leaf != CPUID_HV_LEAF)
		return;
	r->eax = CPUID_HV_LEAF;
	memcpy(&r->ebx, CPUID_HV_SIGNATURE, 4);
	memcpy(&r->ecx, CPUID_HV_SIGNATURE + 4, 4);
	memcpy(&r->edx, CPUID_HV_SIGNATURE + 8, 4);
}

void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		  struct cpuid_result *r)
{
	(void)subleaf;
	if ((leaf & 0xffffff00u) == CPUID_HV_LEAF) {
		hv_leaf(leaf, r);
		return;
	}
	switch (leaf) {
	case 1:
		leaf1(guest_cr4, r);
		break;
	case 5:		/* MONITOR/MWAIT: hidden */
	case 6:		/* thermal and power management */
	case 0xa:	/* architectural PMU: none for the guest */
		memset(r, 0, sizeof(*r));
		break;
	}
}
