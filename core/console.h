/* The serial console, shared by the guest's UART and the tandem monitor.
 * Ctrl-A c switches between them; Ctrl-A Ctrl-A sends one Ctrl-A to the
 * guest. While the monitor has the console, guest output is held back
 * (never dropped) and shown when the guest console returns. */
#ifndef CORE_CONSOLE_H
#define CORE_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */

void console_init(void);
/* Read what the operator typed and route it. */
void console_poll(void);
bool console_monitor_active(void);

/* Guest side (the virtual UART). */
int console_guest_getc(void);
bool console_guest_input_ready(void);
bool console_guest_can_write(void);
void console_guest_putc(uint8_t c);

/* Pure routing state machine, exposed for unit tests. */
enum console_route {
	ROUTE_NONE,		/* byte consumed (escape prefix) */
	ROUTE_GUEST,		/* byte goes to the guest */
	ROUTE_MONITOR,		/* byte goes to the monitor line editor */
	ROUTE_SWITCH,		/* switch guest <-> monitor */
};
struct console_router {
	bool escaped;
	bool monitor;
};
enum console_route console_route(struct console_router *r, uint8_t c);

#endif
