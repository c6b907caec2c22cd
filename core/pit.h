/* The guest's 8254 programmable interval timer at 0x40-0x43 (channel 0 on
 * IRQ 0, channel 2 gated by port 0x61), counting in virtual time. */
#ifndef CORE_PIT_H
#define CORE_PIT_H

#include <stdint.h>
#include "core/vdev.h"

#define PIT_HZ		1193182u
#define VTIME_NEVER	UINT64_MAX

void pit_reset(void);
/* Raise IRQ 0 if channel 0 is due at virtual time 'now'. */
void pit_tick(uint64_t now);
/* Virtual time of the next IRQ 0, or VTIME_NEVER. */
uint64_t pit_deadline(void);

extern const struct vdev pit_dev, port61_dev;

#endif
