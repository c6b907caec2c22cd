/* The one machine tandem runs: its guest, its state, its main loop. */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

#include "core/boot_info.h"

enum guest_state {
	GUEST_RUNNING,
	GUEST_PAUSED,		/* by the operator */
	GUEST_HALTED,		/* HLT with no interrupt to wake it */
	GUEST_STOPPED,		/* fault: cannot run again */
};

struct guest_start;

void machine_run(struct boot_info *bi, const struct guest_start *gs)
	__attribute__((noreturn));

/* Requests from the guest's platform devices. */
void machine_guest_poweroff(void) __attribute__((noreturn));
void machine_guest_reset(const char *how);

void machine_print_status(void);
/* "ran N TSC ticks from the first VM entry, ..." (core/power.c) */
void machine_print_runtime(uint64_t now);
void machine_print_regs(void);
void machine_pause(void);
void machine_resume(void);
void machine_poweroff(void) __attribute__((noreturn));
void machine_reboot(void) __attribute__((noreturn));

#endif
