/* The one seam through which every non-deterministic input reaches the
 * guest: time stamps, random numbers, console input. Device models and
 * exit handlers ask here and nowhere else; record/replay (ft/) will plug
 * in behind these functions. */
#ifndef CORE_ENV_H
#define CORE_ENV_H

#include <stdbool.h>
#include <stdint.h>

/* The guest's time stamp counter (RDTSC, RDTSCP, IA32_TSC reads). */
uint64_t env_tsc(void);
/* RDRAND (seed = false) or RDSEED (seed = true); false: none available. */
bool env_random(bool seed, uint64_t *val);
/* Next byte typed on the guest console, or -1. */
int env_console_byte(void);

#endif
