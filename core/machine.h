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

/* Register state the guest starts with (32-bit protected mode). */
struct guest_entry {
	uint32_t eip, eax, ebx;
};

void machine_run(struct boot_info *bi, const struct guest_entry *entry)
	__attribute__((noreturn));

void machine_print_status(void);
void machine_pause(void);
void machine_resume(void);
void machine_poweroff(void) __attribute__((noreturn));
void machine_reboot(void) __attribute__((noreturn));

#endif
