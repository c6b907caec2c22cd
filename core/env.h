/* The one seam through which every non-deterministic input reaches the
 * guest: time (the TSC the guest reads, and the virtual time that drives
 * its timers and clock), random numbers, and console input. Device models
 * and exit handlers ask here and nowhere else; record/replay (ft/) will
 * plug in behind these functions. */
#ifndef CORE_ENV_H
#define CORE_ENV_H

#include <stdbool.h>
#include <stdint.h>

/* hz: rate of virtual time (the TSC's); unix_time: wall clock at boot. */
void env_init(uint64_t hz, uint64_t unix_time);

/* The guest's time stamp counter (RDTSC, RDTSCP, IA32_TSC reads). */
uint64_t env_tsc(void);
/* Virtual time, in ticks of env_hz(), for timers and the clock. */
uint64_t env_now(void);
uint64_t env_hz(void);
/* Wall-clock seconds since 1970 at virtual time 'now'. */
uint64_t env_unix_time(uint64_t now);
/* RDRAND (seed = false) or RDSEED (seed = true); false: none available. */
bool env_random(bool seed, uint64_t *val);
/* Next byte typed on the guest console, or -1. */
int env_console_byte(void);

/* Record/replay plugs in here: ft/epoch.c installs a hook that sees
 * core's answer to every exit (port reads, CPUID, MSRs, time stamps,
 * random numbers) and logs it; replay serves the same answers from the
 * log. NULL: none (the default). */
struct vcpu_exit;
struct env_hooks {
	void (*answered)(const struct vcpu_exit *e);
};
void env_set_hooks(const struct env_hooks *h);
/* core's answer to e is final: tell the hook. */
void env_answered(const struct vcpu_exit *e);

#endif
