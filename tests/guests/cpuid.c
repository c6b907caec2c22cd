/* CPUID as tandem shows it: the host's, with VMX hidden, the
 * hypervisor-present bit set and tandem's signature at 0x40000000. */
#include "guest.h"

const char guest_name[] = "cpuid";

#define LEAF1_ECX_VMX		(1u << 5)
#define LEAF1_ECX_HYPERVISOR	(1u << 31)
#define HV_LEAF			0x40000000u

static const char tandem_sig[12] = "TandemHV";	/* NUL-padded */

/* Registers in signature order: EBX, ECX, EDX (vendor: EBX, EDX, ECX). */
static void regs_to_str(char *s, uint32_t a, uint32_t b, uint32_t c)
{
	memcpy(s, &a, 4);
	memcpy(s + 4, &b, 4);
	memcpy(s + 8, &c, 4);
	s[12] = '\0';
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t r[4];
	char s[13];

	(void)mbi;
	cpuid(0, r);
	regs_to_str(s, r[1], r[3], r[2]);
	printf("cpuid: vendor %s max leaf 0x%x\n", s, r[0]);

	cpuid(1, r);
	printf("cpuid: leaf 1 ecx 0x%08x: vmx %u hypervisor %u\n", r[2],
	       !!(r[2] & LEAF1_ECX_VMX), !!(r[2] & LEAF1_ECX_HYPERVISOR));
	if (r[2] & LEAF1_ECX_VMX)
		fail(1, "VMX visible to the guest");
	if (!(r[2] & LEAF1_ECX_HYPERVISOR))
		fail(2, "hypervisor-present bit clear");

	cpuid(HV_LEAF, r);
	regs_to_str(s, r[1], r[2], r[3]);
	printf("cpuid: leaf 0x%x max 0x%x signature \"%s\"\n", HV_LEAF, r[0],
	       s);
	if (memcmp(s, tandem_sig, sizeof(tandem_sig)))
		fail(3, "signature is not TandemHV");
	if (r[0] < HV_LEAF)
		fail(4, "max hypervisor leaf 0x%x below 0x%x", r[0], HV_LEAF);
}
