/* A CPUID loop, the exit-rate benchmark of tools/bench-boot: every CPUID
 * is a VM exit. "n=N" on the command line sets the count. The same loop
 * runs natively in tools/bench/native_cpuid.c. */
#include "guest.h"

const char guest_name[] = "cpuidloop";

void guest_main(const struct mb_info *mbi)
{
	uint32_t n = cmdline_uint(mb_cmdline(mbi), "n=", 1000), r[4];
	uint64_t t0, t1;

	printf("cpuidloop: begin n=%u\n", n);
	t0 = rdtsc();
	for (uint32_t i = 0; i < n; i++)
		cpuid(0, r);
	t1 = rdtsc();
	/* 32-bit halves: the runtime's printf has no 64-bit division */
	printf("cpuidloop: end n=%u ticks=0x%08x%08x\n", n,
	       (uint32_t)((t1 - t0) >> 32), (uint32_t)(t1 - t0));
}
