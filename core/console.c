#include "core/console.h"
#include "core/guestlog.h"
#include "core/monitor.h"
#include "drivers/serial.h"
#include "lib/print.h"

#define IN_SIZE		256
#define HELD_SIZE	16384

struct ring {
	uint8_t *buf;
	uint32_t size, head, tail;	/* head: next write, tail: next read */
};

static uint8_t in_buf[IN_SIZE], held_buf[HELD_SIZE];
static struct ring guest_in = { in_buf, IN_SIZE, 0, 0 };
static struct ring held_out = { held_buf, HELD_SIZE, 0, 0 };
static struct console_router router;

static bool ring_empty(const struct ring *r)
{
	return r->head == r->tail;
}

static bool ring_full(const struct ring *r)
{
	return r->head - r->tail == r->size;
}

static bool ring_put(struct ring *r, uint8_t c)
{
	if (ring_full(r))
		return false;
	r->buf[r->head++ % r->size] = c;
	return true;
}

static int ring_get(struct ring *r)
{
	if (ring_empty(r))
		return -1;
	return r->buf[r->tail++ % r->size];
}

enum console_route console_route(struct console_router *r, uint8_t c)
{
	if (r->escaped) {
		r->escaped = false;
		if (c == 'c' || c == 'C') {
			r->monitor = !r->monitor;
			return ROUTE_SWITCH;
		}
		if (c == CONSOLE_ESCAPE && !r->monitor)
			return ROUTE_GUEST;
		/* an unknown escape is dropped with the prefix */
		return ROUTE_NONE;
	}
	if (c == CONSOLE_ESCAPE) {
		r->escaped = true;
		return ROUTE_NONE;
	}
	return r->monitor ? ROUTE_MONITOR : ROUTE_GUEST;
}

void console_init(void)
{
	router.escaped = false;
	router.monitor = false;
}

static void flush_held(void)
{
	int c;

	while ((c = ring_get(&held_out)) >= 0)
		serial_putc((char)c);
}

void console_poll(void)
{
	int c;

	while ((c = serial_getc()) >= 0) {
		switch (console_route(&router, (uint8_t)c)) {
		case ROUTE_NONE:
			break;
		case ROUTE_GUEST:
			/* a full input buffer drops, as a real UART
			 * overruns; the operator sees no echo */
			ring_put(&guest_in, (uint8_t)c);
			break;
		case ROUTE_MONITOR:
			monitor_input((char)c);
			break;
		case ROUTE_SWITCH:
			if (router.monitor) {
				monitor_enter();
			} else {
				pr("back to the guest console\n");
				flush_held();
			}
			break;
		}
	}
}

bool console_monitor_active(void)
{
	return router.monitor;
}

int console_guest_getc(void)
{
	return ring_get(&guest_in);
}

bool console_guest_input_ready(void)
{
	return !ring_empty(&guest_in);
}

bool console_guest_can_write(void)
{
	return !router.monitor || !ring_full(&held_out);
}

void console_guest_putc(uint8_t c)
{
	guestlog_putc(c);
	if (router.monitor)
		ring_put(&held_out, c);
	else
		serial_putc((char)c);
}
