/* Unit tests for the guest's platform devices that run on virtual time:
 * the 8259A pair, the 8254 PIT, the CMOS clock, plus lib/time.c and the
 * guest console log. Virtual time is a variable here (env stubbed). */
#include "tests/unit/check.h"
#include "core/env.h"
#include "core/guestlog.h"
#include "core/pic.h"
#include "core/pit.h"
#include "core/rtc.h"
#include "lib/time.h"

#define HZ	1000000000ull	/* virtual time: nanoseconds */

static uint64_t now_ns;

uint64_t env_now(void) { return now_ns; }
uint64_t env_hz(void) { return HZ; }
uint64_t env_unix_time(uint64_t now) { return 1700000000ull + now / HZ; }

static void outp(const struct vdev *d, uint16_t port, uint8_t v)
{
	d->write(port - d->base, 1, v);
}

static uint8_t inp(const struct vdev *d, uint16_t port)
{
	return (uint8_t)d->read(port - d->base, 1);
}

/* Linux's init_8259A(): vectors 0x30 and 0x38, slave on IRQ 2. */
static void pic_init_like_linux(void)
{
	pic_reset();
	outp(&pic_master_dev, 0x20, 0x11);
	outp(&pic_master_dev, 0x21, 0x30);
	outp(&pic_master_dev, 0x21, 0x04);
	outp(&pic_master_dev, 0x21, 0x01);
	outp(&pic_slave_dev, 0xa0, 0x11);
	outp(&pic_slave_dev, 0xa1, 0x38);
	outp(&pic_slave_dev, 0xa1, 0x02);
	outp(&pic_slave_dev, 0xa1, 0x01);
	outp(&pic_master_dev, 0x21, 0x00);
	outp(&pic_slave_dev, 0xa1, 0x00);
}

static void test_pic_edge_and_eoi(void)
{
	pic_init_like_linux();
	CHECK(!pic_has_interrupt());
	pic_set_irq(0, true);
	CHECK(pic_has_interrupt());
	CHECK_EQ(pic_ack(), 0x30);
	CHECK(!pic_has_interrupt());
	/* still high: no new edge, no new request */
	pic_set_irq(0, true);
	outp(&pic_master_dev, 0x20, 0x60);	/* specific EOI, IRQ 0 */
	CHECK(!pic_has_interrupt());
	pic_set_irq(0, false);
	pic_set_irq(0, true);
	CHECK(pic_has_interrupt());
}

static void test_pic_priority_and_mask(void)
{
	pic_init_like_linux();
	pic_set_irq(4, true);
	pic_set_irq(1, true);
	CHECK_EQ(pic_ack(), 0x31);	/* IRQ 1 before IRQ 4 */
	/* IRQ 4 waits while IRQ 1 is in service */
	CHECK(!pic_has_interrupt());
	outp(&pic_master_dev, 0x20, 0x20);	/* non-specific EOI */
	CHECK(pic_has_interrupt());
	outp(&pic_master_dev, 0x21, 0x10);	/* mask IRQ 4 */
	CHECK(!pic_has_interrupt());
	CHECK_EQ(inp(&pic_master_dev, 0x21), 0x10);
	outp(&pic_master_dev, 0x20, 0x0a);	/* OCW3: read IRR */
	CHECK_EQ(inp(&pic_master_dev, 0x20) & 0x10, 0x10);
}

static void test_pic_cascade(void)
{
	pic_init_like_linux();
	pic_set_irq(8, true);
	CHECK(pic_has_interrupt());
	CHECK_EQ(pic_ack(), 0x38);
	outp(&pic_slave_dev, 0xa0, 0x20);
	outp(&pic_master_dev, 0x20, 0x20);
	CHECK(!pic_has_interrupt());
	outp(&pic_slave_dev, 0xa1, 0x01);	/* mask IRQ 8 */
	pic_set_irq(8, false);
	pic_set_irq(8, true);
	CHECK(!pic_has_interrupt());
}

static void test_pic_spurious(void)
{
	pic_init_like_linux();
	CHECK_EQ(pic_ack(), 0x37);
}

/* Mode 2 on channel 0, as a periodic tick. */
static void test_pit_periodic_irq0(void)
{
	pic_init_like_linux();
	pit_reset();
	now_ns = 1000;
	outp(&pit_dev, 0x43, 0x34);		/* ch0, lo/hi, mode 2 */
	outp(&pit_dev, 0x40, 1193 & 0xff);
	outp(&pit_dev, 0x40, 1193 >> 8);	/* ~1 ms */
	CHECK(pit_deadline() > now_ns + 999000);
	CHECK(pit_deadline() < now_ns + 1001000);
	now_ns = pit_deadline() - 1;
	pit_tick(now_ns);
	CHECK(!pic_has_interrupt());
	now_ns++;
	pit_tick(now_ns);
	CHECK(pic_has_interrupt());
	CHECK_EQ(pic_ack(), 0x30);
	outp(&pic_master_dev, 0x20, 0x20);
	/* ten periods pass unseen: all ten are delivered, one per EOI */
	now_ns += 10 * 1000000ull;
	for (int i = 0; i < 10; i++) {
		pit_tick(now_ns);
		REQUIRE(pic_has_interrupt());
		CHECK_EQ(pic_ack(), 0x30);
		pit_tick(now_ns);
		CHECK(!pic_has_interrupt());	/* IRQ 0 in service */
		outp(&pic_master_dev, 0x20, 0x20);
	}
	pit_tick(now_ns);
	CHECK(!pic_has_interrupt());
	CHECK(pit_deadline() > now_ns);
	CHECK(pit_deadline() <= now_ns + 1000000);
}

static void test_pit_oneshot_and_latch(void)
{
	uint16_t c;

	pit_reset();
	now_ns = 0;
	outp(&pit_dev, 0x43, 0x30);		/* ch0, lo/hi, mode 0 */
	outp(&pit_dev, 0x40, 0x00);
	outp(&pit_dev, 0x40, 0x10);		/* 4096 ticks */
	now_ns = 1000000;			/* 1193 ticks later */
	outp(&pit_dev, 0x43, 0x00);		/* latch ch0 */
	now_ns = 2000000;			/* latched value holds */
	c = inp(&pit_dev, 0x40);
	c |= (uint16_t)inp(&pit_dev, 0x40) << 8;
	CHECK(c >= 4096 - 1194 && c <= 4096 - 1192);
	pit_tick(now_ns);
	now_ns = 4000000;			/* past 4096 ticks = 3.43 ms */
	pic_init_like_linux();
	pit_tick(now_ns);
	CHECK(pic_has_interrupt());
	CHECK_EQ(pit_deadline(), VTIME_NEVER);
}

/* Channel 2 gated by port 0x61, its output read back in bit 5: how
 * kernels calibrate against the PIT. */
static void test_pit_channel2_gate(void)
{
	pit_reset();
	now_ns = 0;
	outp(&port61_dev, 0x61, 0x00);
	outp(&pit_dev, 0x43, 0xb0);		/* ch2, lo/hi, mode 0 */
	outp(&pit_dev, 0x42, 0xff);
	outp(&pit_dev, 0x42, 0x00);		/* 255 ticks */
	outp(&port61_dev, 0x61, 0x01);		/* gate on */
	CHECK(!(inp(&port61_dev, 0x61) & 0x20));
	now_ns = 100000;			/* 119 ticks */
	CHECK(!(inp(&port61_dev, 0x61) & 0x20));
	now_ns = 300000;			/* 358 ticks */
	CHECK(inp(&port61_dev, 0x61) & 0x20);
	CHECK_EQ(inp(&port61_dev, 0x61) & 0x0f, 0x01);
}

static uint8_t cmos(uint8_t reg)
{
	outp(&rtc_dev, 0x70, reg);
	return inp(&rtc_dev, 0x71);
}

static void test_rtc_time(void)
{
	/* 1700000000 = 2023-11-14 22:13:20 UTC, a Tuesday */
	rtc_reset();
	now_ns = 5 * HZ;
	CHECK_EQ(cmos(0), 0x25);
	CHECK_EQ(cmos(2), 0x13);
	CHECK_EQ(cmos(4), 0x22);
	CHECK_EQ(cmos(6), 0x03);
	CHECK_EQ(cmos(7), 0x14);
	CHECK_EQ(cmos(8), 0x11);
	CHECK_EQ(cmos(9), 0x23);
	CHECK_EQ(cmos(0x32), 0x20);
	CHECK_EQ(cmos(0x0a) & 0x80, 0);		/* no update in progress */
	CHECK_EQ(cmos(0x0d), 0x80);
	outp(&rtc_dev, 0x70, 0x0b);
	outp(&rtc_dev, 0x71, 0x06);		/* binary, 24 h */
	CHECK_EQ(cmos(4), 22);
	CHECK_EQ(cmos(0), 25);
}

static void test_time_round_trip(void)
{
	struct date_time d = { 2000, 2, 29, 12, 34, 56, 0 };
	uint64_t t = unix_from_date(&d);
	struct date_time e;

	CHECK_EQ(t, 951827696ull);
	for (uint64_t x = 0; x < 5000000000ull; x += 86400ull * 37 + 3601) {
		date_from_unix(x, &e);
		if (unix_from_date(&e) != x) {
			CHECK_EQ(unix_from_date(&e), x);
			break;
		}
	}
	date_from_unix(0, &e);
	CHECK_EQ(e.year, 1970);
	CHECK_EQ(e.wday, 4);
}

static void test_guestlog_panic(void)
{
	struct guestlog g;
	const char *text = "boot\r\n[    1.0] Kernel panic - not syncing: "
			   "VFS\n[    1.1] Call Trace:\n"
			   "[    1.2] ---[ end Kernel panic - not syncing ]---\n";

	memset(&g, 0, sizeof(g));
	for (const char *p = text; *p; p++) {
		guestlog_feed(&g, (uint8_t)*p);
		if (*p == '\n' && g.count == 2)
			CHECK(g.panic && !g.panic_done);
	}
	CHECK(g.panic_done);
	CHECK_EQ(g.count, 4);
	CHECK_STR(g.lines[0], "boot");
	for (int i = 0; i < 100; i++)
		guestlog_feed(&g, '\n');
	CHECK_EQ(g.count, GUESTLOG_LINES);
}

static const struct tcase cases[] = {
	TCASE(pic_edge_and_eoi),
	TCASE(pic_priority_and_mask),
	TCASE(pic_cascade),
	TCASE(pic_spurious),
	TCASE(pit_periodic_irq0),
	TCASE(pit_oneshot_and_latch),
	TCASE(pit_channel2_gate),
	TCASE(rtc_time),
	TCASE(time_round_trip),
	TCASE(guestlog_panic),
};

int main(int argc, char **argv)
{
	return RUN_CASES("devices", cases, argc, argv);
}
