#include "core/env.h"
#include "core/console.h"
#include "arch/x86/cpu.h"

uint64_t env_tsc(void)
{
	return rdtsc();
}

static bool cpu_has(uint32_t leaf, int reg, int bit)
{
	struct cpuid_regs r;

	cpuid_count(leaf, 0, &r);
	return ((reg == 1 ? r.ebx : r.ecx) >> bit) & 1;
}

bool env_random(bool seed, uint64_t *val)
{
	uint8_t ok = 0;

	/* RDRAND is CPUID.1:ECX[30], RDSEED CPUID.7.0:EBX[18] */
	if (seed ? !cpu_has(7, 1, 18) : !cpu_has(1, 2, 30))
		return false;
	for (int i = 0; i < 10 && !ok; i++) {
		if (seed)
			__asm__ volatile("rdseed %0; setc %1"
					 : "=r"(*val), "=qm"(ok));
		else
			__asm__ volatile("rdrand %0; setc %1"
					 : "=r"(*val), "=qm"(ok));
	}
	return ok;
}

int env_console_byte(void)
{
	return console_guest_getc();
}
