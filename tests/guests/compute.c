/* A compute-bound guest for tools/bench-epochs: rounds of xorshift over
 * a 1 MiB buffer, so it retires instructions and writes pages but makes
 * almost no VM exits. "n=N" sets the rounds; it prints a checksum and
 * the TSC ticks the rounds took. */
#include "guest.h"

const char guest_name[] = "compute";

#define WORDS	(1u << 18)	/* 1 MiB of 32-bit words */

static uint32_t buf[WORDS];

void guest_main(const struct mb_info *mbi)
{
	uint32_t n = cmdline_uint(mb_cmdline(mbi), "n=", 2);
	uint32_t x = 2463534242u, sum = 0;
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
