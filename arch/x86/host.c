/* The host CPU environment, set up once after boot services. */
#include "arch/x86/host.h"
#include "arch/x86/cpu.h"

/* XSETBV on the guest's behalf needs CR4.OSXSAVE in the host (SDM Vol. 1,
 * 13.3); tandem itself never uses extended state. */
static void enable_xsave(void)
{
	struct cpuid_regs r;

	cpuid_count(1, 0, &r);
	if (r.ecx & (1u << 26))
		write_cr4(read_cr4() | CR4_OSXSAVE);
}

int host_cpu_init(uint64_t phys_top)
{
	if (host_desc_init() || host_paging_init(phys_top))
		return -1;
	enable_xsave();
	return 0;
}
