/* A CPUID loop, the exit-rate benchmark of tools/bench-boot: every CPUID
 * is a VM exit. "n=N" on the command line sets the count. The same loop
 * runs natively in tools/bench/native_cpuid.c. */
#include "guest.h"

const char guest_name[] = "cpuidloop";

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t parse_count(const char *cmdline)
{
	char buf[16];
	uint32_t n = 0;

	if (cmdline_value(cmdline, "n=", buf, sizeof(buf)))
		return 1000;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint32_t)(*p - '0');
	return n;
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t n = parse_count(mb_cmdline(mbi)), r[4];
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
