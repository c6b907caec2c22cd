/* The guest's 16550A UART (0x3f8, IRQ 4). */
#ifndef CORE_VUART_H
#define CORE_VUART_H

#include "core/vdev.h"

void vuart_reset(void);
/* Take console input and update the interrupt line. */
void vuart_poll(void);

extern const struct vdev vuart_dev;

#endif
