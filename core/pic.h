/* The guest's interrupt controller: a cascaded pair of 8259A PICs (master
 * IRQ 0-7 at 0x20, slave IRQ 8-15 at 0xa0 on the master's IRQ 2), plus the
 * edge/level control registers at 0x4d0. Lines are edge-triggered, as on
 * an ISA PC. */
#ifndef CORE_PIC_H
#define CORE_PIC_H

#include <stdbool.h>
#include <stdint.h>
#include "core/vdev.h"

void pic_reset(void);
/* Drive interrupt line irq (0-15); a rising edge requests it. */
void pic_set_irq(unsigned irq, bool level);
/* Whether IRQ 'irq' is requested and not yet acknowledged (IRR). */
bool pic_irq_requested(unsigned irq);
/* Whether the master's INT output is asserted. */
bool pic_has_interrupt(void);
/* Interrupt acknowledge: the vector to deliver (IRR -> ISR). */
uint8_t pic_ack(void);

/* One line: IRR, ISR and IMR of both chips, for the monitor. */
void pic_describe(char *buf, unsigned len);

extern const struct vdev pic_master_dev, pic_slave_dev, pic_elcr_dev;

#endif
