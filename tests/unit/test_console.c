/* Unit tests for core/console.c: the Ctrl-A routing state machine, and
 * console_poll() over a scripted serial line with the monitor stubbed. */
#include "tests/unit/check.h"
#include "core/console.h"
#include "core/monitor.h"
#include "drivers/serial.h"

#define CTRL_A	CONSOLE_ESCAPE

/* ---- what console.c links against ------------------------------------ */

static const char *rx;			/* bytes the operator "types" */
static size_t rx_len;
static char tx[256], typed[64];		/* serial output, monitor input */
static size_t tx_len, typed_len;
static int monitor_entries;

int serial_getc(void)
{
	if (!rx_len)
		return -1;
	rx_len--;
	return (unsigned char)*rx++;
}

void serial_putc(char c)
{
	if (tx_len < sizeof(tx) - 1)
		tx[tx_len++] = c;
}

void monitor_enter(void)
{
	monitor_entries++;
}

void monitor_input(char c)
{
	if (typed_len < sizeof(typed) - 1)
		typed[typed_len++] = c;
}

/* console.c copies guest output into the guest log; not under test */
void guestlog_putc(uint8_t c);
void guestlog_putc(uint8_t c)
{
	(void)c;
}

static void type(const char *s, size_t n)
{
	rx = s;
	rx_len = n;
	console_poll();
}

#define TYPE(lit)	type(lit, sizeof(lit) - 1)

/* ---- console_route --------------------------------------------------- */

static void test_plain_bytes_to_guest(void)
{
	struct console_router r = { 0 };

	CHECK_EQ(console_route(&r, 'a'), ROUTE_GUEST);
	CHECK_EQ(console_route(&r, '\r'), ROUTE_GUEST);
	CHECK_EQ(console_route(&r, 0), ROUTE_GUEST);
	CHECK_EQ(console_route(&r, 0xff), ROUTE_GUEST);
	CHECK(!r.monitor);
}

static void test_ctrl_a_c_switches(void)
{
	struct console_router r = { 0 };

	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, 'c'), ROUTE_SWITCH);
	CHECK(r.monitor);
	CHECK_EQ(console_route(&r, 'x'), ROUTE_MONITOR);
	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, 'C'), ROUTE_SWITCH);
	CHECK(!r.monitor);
	CHECK_EQ(console_route(&r, 'x'), ROUTE_GUEST);
}

static void test_double_ctrl_a(void)
{
	struct console_router r = { 0 };

	/* one Ctrl-A reaches the guest, and the escape is over */
	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_GUEST);
	CHECK(!r.escaped);
	CHECK_EQ(console_route(&r, 'c'), ROUTE_GUEST);
	CHECK(!r.monitor);
}

static void test_double_ctrl_a_in_monitor(void)
{
	struct console_router r = { .monitor = true };

	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK(r.monitor);
	CHECK_EQ(console_route(&r, 'c'), ROUTE_MONITOR);
}

static void test_unknown_escape_dropped(void)
{
	struct console_router r = { 0 };

	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, 'x'), ROUTE_NONE);
	CHECK(!r.escaped);
	CHECK_EQ(console_route(&r, 'x'), ROUTE_GUEST);
	r.monitor = true;
	CHECK_EQ(console_route(&r, CTRL_A), ROUTE_NONE);
	CHECK_EQ(console_route(&r, 'q'), ROUTE_NONE);
	CHECK_EQ(console_route(&r, 'q'), ROUTE_MONITOR);
}

/* ---- console_poll ---------------------------------------------------- */

static void test_poll_routes(void)
{
	console_init();
	TYPE("hi\x01\x01");
	CHECK_EQ(console_guest_getc(), 'h');
	CHECK_EQ(console_guest_getc(), 'i');
	CHECK_EQ(console_guest_getc(), CTRL_A);
	CHECK_EQ(console_guest_getc(), -1);
	CHECK(!console_guest_input_ready());

	TYPE("\x01" "cstatus");
	CHECK(console_monitor_active());
	CHECK_EQ(monitor_entries, 1);
	CHECK_STR(typed, "status");
	CHECK(!console_guest_input_ready());

	TYPE("\x01" "cz");
	CHECK(!console_monitor_active());
	CHECK_EQ(console_guest_getc(), 'z');
}

static void test_guest_output_held_in_monitor(void)
{
	console_init();
	console_guest_putc('a');
	TYPE("\x01" "c");
	CHECK(console_guest_can_write());
	console_guest_putc('b');
	console_guest_putc('c');
	CHECK_STR(tx, "a");
	TYPE("\x01" "c");
	/* "back to the guest" goes through pr(), with no sink here */
	CHECK_STR(tx, "abc");
}

static const struct tcase cases[] = {
	TCASE(plain_bytes_to_guest),
	TCASE(ctrl_a_c_switches),
	TCASE(double_ctrl_a),
	TCASE(double_ctrl_a_in_monitor),
	TCASE(unknown_escape_dropped),
	TCASE(poll_routes),
	TCASE(guest_output_held_in_monitor),
};

int main(int argc, char **argv)
{
	return RUN_CASES("console", cases, argc, argv);
}
