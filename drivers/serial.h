/* Polled 16550 UART: the host console. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

void serial_init(uint16_t port, uint32_t baud);
void serial_putc(char c);
void serial_write(const char *buf, size_t len);
/* Wait until every byte written has left the UART (LSR.TEMT): a reset
 * right after the last write would cut it off. */
void serial_flush(void);
/* Next received byte, or -1 when none is waiting. */
int serial_getc(void);

#endif
