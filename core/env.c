#include "core/env.h"
#include "core/console.h"
#include "arch/x86/cpu.h"

static uint64_t env_hz_val = 1, env_boot_tsc, env_boot_unix;

void env_init(uint64_t hz, uint64_t unix_time)
{
	env_hz_val = hz ? hz : 1;
	env_boot_tsc = rdtsc();
	env_boot_unix = unix_time;
}

uint64_t env_tsc(void)
{
	return rdtsc();
}

uint64_t env_now(void)
{
	return rdtsc();
}

uint64_t env_hz(void)
{
	return env_hz_val;
}

uint64_t env_unix_time(uint64_t now)
{
	return env_boot_unix + (now - env_boot_tsc) / env_hz_val;
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

static const struct env_hooks *hooks;

void env_set_hooks(const struct env_hooks *h)
{
	hooks = h;
}

void env_answered(const struct vcpu_exit *e)
{
	if (hooks && hooks->answered)
		hooks->answered(e);
}

int env_console_byte(void)
{
	return console_guest_getc();
}
