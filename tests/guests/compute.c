/* A compute-bound guest for tools/bench-epochs: rounds of xorshift over
 * a 1 MiB buffer, so it retires instructions and writes pages but makes
 * almost no VM exits. "n=N" sets the rounds; it prints a checksum and
 * the TSC ticks the rounds took. */
#include "guest.h"

const char guest_name[] = "compute";

#define WORDS	(1u << 18)	/* 1 MiB of 32-bit words */

static uint32_t buf[WORDS];

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static uint32_t parse_count(const char *cmdline)
{
	char num[16];
	uint32_t n = 0;

	if (cmdline_value(cmdline, "n=", num, sizeof(num)))
		return 2;
	for (const char *p = num; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint32_t)(*p - '0');
	return n;
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t n = parse_count(mb_cmdline(mbi)), x = 2463534242u, sum = 0;
	uint64_t t0, t1;

	printf("compute: begin n=%u\n", n);
	t0 = rdtsc();
	for (uint32_t r = 0; r < n; r++) {
		for (uint32_t i = 0; i < WORDS; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] += x;
		}
	}
	for (uint32_t i = 0; i < WORDS; i++)
		sum = sum * 31 + buf[i];
	t1 = rdtsc();
	printf("compute: end n=%u sum=0x%08x ticks=0x%08x%08x\n", n, sum,
	       (uint32_t)((t1 - t0) >> 32), (uint32_t)(t1 - t0));
}
