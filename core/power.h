/* Ending the machine, with a status an emulator can report. */
#ifndef CORE_POWER_H
#define CORE_POWER_H

#include <stdint.h>
#include "core/boot_info.h"

/* tandem's own power-off statuses; a guest exit v powers off with v. */
enum tandem_status {
	STATUS_BAD_INPUT	= 0x40,	/* config or guest image refused */
	STATUS_NO_VTX		= 0x41,	/* VT-x missing or disabled */
	STATUS_GUEST_FAULT	= 0x42,	/* guest stopped on a fault */
	STATUS_HOST_FAULT	= 0x43,	/* tandem could not go on */
	STATUS_OPERATOR		= 0x44,	/* monitor 'poweroff' */
	STATUS_REPLAY_DIVERGED	= 0x45,	/* replaycheck found a divergence */
};

void power_init(const struct boot_info *bi);
/* After a host exception: no firmware call (the machine is in an unknown
 * state), only the emulator's debug-exit port, if configured. */
void power_host_fault(void);
void power_off(uint32_t status) __attribute__((noreturn));
/* fn runs once at the start of the next power_off (replaycheck finishes
 * a check the guest's power-off cut short); NULL: none. */
void power_notify(void (*fn)(void));
void power_reboot(void) __attribute__((noreturn));

#endif
