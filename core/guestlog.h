/* The last lines the guest wrote to its console, kept so that a report of
 * a guest fault can show them, and watched for a Linux kernel panic. */
#ifndef CORE_GUESTLOG_H
#define CORE_GUESTLOG_H

#include <stdbool.h>
#include <stdint.h>

#define GUESTLOG_LINES		24
#define GUESTLOG_LINE_MAX	160

void guestlog_reset(void);
void guestlog_putc(uint8_t c);
/* "Kernel panic - not syncing" was printed ... */
bool guestlog_panic_seen(void);
/* ... and the panic report is complete ("---[ end Kernel panic"). */
bool guestlog_panic_done(void);
/* Print the kept lines through pr(), oldest first. */
void guestlog_print_tail(void);

/* Pure line keeper, exposed for unit tests. */
struct guestlog {
	char lines[GUESTLOG_LINES][GUESTLOG_LINE_MAX];
	unsigned next;		/* slot of the line being written */
	unsigned count;		/* complete lines kept */
	unsigned len;		/* bytes in the line being written */
	bool panic, panic_done;
};
void guestlog_feed(struct guestlog *g, uint8_t c);

#endif
