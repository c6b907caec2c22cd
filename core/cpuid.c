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
#define EDX_MCE		(1u << 7)
#define EDX_APIC	(1u << 9)
#define EDX_MTRR	(1u << 12)
#define EDX_MCA		(1u << 14)
#define EDX_PSN		(1u << 18)
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
	/* no local APIC (the guest has the 8259 PIC), no MTRRs (EPT sets
	 * memory types), no machine-check banks */
	r->edx &= ~(EDX_MCE | EDX_APIC | EDX_MTRR | EDX_MCA | EDX_PSN |
		    EDX_DS | EDX_ACPI | EDX_TM | EDX_PBE);
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

#define TSC_LEAF	0x15u
#define FREQ_LEAF	0x16u

static uint64_t tsc_hz;
static uint32_t host_max;

void cpuid_policy_init(uint64_t hz, uint32_t host_max_leaf)
{
	tsc_hz = hz;
	host_max = host_max_leaf;
}

/* Leaf 7.0: features whose MSRs or machinery the guest does not get:
 * TSC_ADJUST, SGX, processor trace, and the speculation-control MSRs. */
static void leaf7(uint32_t sub, struct cpuid_result *r)
{
	if (sub != 0) {
		memset(r, 0, sizeof(*r));
		return;
	}
	r->ebx &= ~((1u << 1) | (1u << 2) | (1u << 25));
	r->ecx &= ~(1u << 30);
	r->edx &= ~((1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) |
		    (1u << 31));
}

/* Leaf 0x15: TSC = crystal * EBX / EAX; a 1:1 ratio with the crystal at
 * the TSC rate. Leaf 0x16: base and maximum MHz, 100 MHz bus. With both,
 * Linux takes the TSC rate as known (SDM Vol. 2A, CPUID). */
static void freq_leaf(uint32_t leaf, struct cpuid_result *r)
{
	memset(r, 0, sizeof(*r));
	if (leaf == TSC_LEAF) {
		r->eax = 1;
		r->ebx = 1;
		r->ecx = (uint32_t)tsc_hz;
	} else if (leaf == FREQ_LEAF) {
		r->eax = (uint32_t)(tsc_hz / 1000000);
		r->ebx = r->eax;
		r->ecx = 100;
	}
}

void cpuid_policy(uint32_t leaf, uint32_t subleaf, uint64_t guest_cr4,
		  struct cpuid_result *r)
{
	if ((leaf & 0xffffff00u) == CPUID_HV_LEAF) {
		hv_leaf(leaf, r);
		return;
	}
	if (tsc_hz && (leaf == TSC_LEAF || leaf == FREQ_LEAF)) {
		freq_leaf(leaf, r);
		return;
	}
	/* leaves the host lacks but the guest is told exist */
	if (host_max && leaf > host_max && leaf < 0x40000000u) {
		memset(r, 0, sizeof(*r));
		return;
	}
	switch (leaf) {
	case 0:
		if (tsc_hz && r->eax < FREQ_LEAF)
			r->eax = FREQ_LEAF;
		break;
	case 7:
		leaf7(subleaf, r);
		break;
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
