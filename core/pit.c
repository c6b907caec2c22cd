/* 8254 PIT (Intel 82C54 datasheet). Counters are not stepped: each one's
 * value and output are computed from the virtual time its count was
 * loaded, so the timer costs nothing while the guest does not look.
 * Modes 0, 2, 3 and 4 are modelled (what PC software uses); modes 1 and 5
 * behave as 0 and 4. BCD counting is not supported. */
#include "core/vdev.h"
#include "core/pit.h"
#include "core/env.h"
#include "core/pic.h"
#include "lib/string.h"

struct pit_channel {
	uint32_t reload;	/* 1..65536 */
	uint64_t start;		/* virtual time counting began */
	uint8_t mode, access;	/* access: 1 lo, 2 hi, 3 lo then hi */
	bool gate, counting;
	bool write_hi, read_hi;	/* lo/hi flip-flops */
	bool latched;
	uint16_t latch;
	uint8_t partial;	/* low byte written, awaiting high */
};

/* Periods of channel 0 owed to the guest, at most: a tick the guest could
 * not take (interrupts off for longer than a period) is delivered late
 * rather than lost, so that a kernel counting ticks keeps time with its
 * TSC (KVM's PIT does the same). */
#define MISSED_MAX	1000

static struct {
	struct pit_channel ch[3];
	uint64_t next_irq;	/* channel 0 */
	uint64_t periods_done;	/* channel 0 periods accounted for */
	uint32_t missed;	/* of those, not yet raised */
	uint8_t port61;
} pit;

static uint64_t ticks_since(const struct pit_channel *c, uint64_t now)
{
	uint64_t hz = env_hz(), dt = now > c->start ? now - c->start : 0;

	/* PIT ticks = dt * PIT_HZ / hz, without overflowing 64 bits */
	return (dt / hz) * PIT_HZ + (dt % hz) * PIT_HZ / hz;
}

static uint64_t vtime_after(const struct pit_channel *c, uint64_t ticks)
{
	uint64_t hz = env_hz();

	return c->start + (ticks / PIT_HZ) * hz +
	       ((ticks % PIT_HZ) * hz + PIT_HZ - 1) / PIT_HZ;
}

static bool periodic(const struct pit_channel *c)
{
	return c->mode == 2 || c->mode == 3;
}

static uint16_t count_now(const struct pit_channel *c, uint64_t now)
{
	uint64_t t;

	if (!c->counting)
		return (uint16_t)c->reload;
	t = ticks_since(c, now);
	if (periodic(c))
		return (uint16_t)(c->reload - t % c->reload);
	return (uint16_t)(c->reload - t);	/* wraps past 0, as the chip */
}

static bool out_now(const struct pit_channel *c, uint64_t now)
{
	uint64_t t;

	if (!c->counting)
		return c->mode != 0;
	t = ticks_since(c, now);
	switch (c->mode) {
	case 2:
		return t % c->reload != c->reload - 1;
	case 3:
		return t % c->reload < (c->reload + 1) / 2;
	case 4:
	case 5:
		return t != c->reload;
	default:		/* 0, 1: high once the count ran out */
		return t >= c->reload;
	}
}

static void schedule_irq0(uint64_t now)
{
	struct pit_channel *c = &pit.ch[0];
	uint64_t t;

	pit.next_irq = VTIME_NEVER;
	if (!c->counting)
		return;
	t = ticks_since(c, now);
	if (periodic(c))
		pit.next_irq = vtime_after(c, (t / c->reload + 1) * c->reload);
	else if (t < c->reload)
		pit.next_irq = vtime_after(c, c->reload);
}

/* Count the periods (or the one-shot expiry) that fell due by 'now'. */
static void account_due(uint64_t now)
{
	struct pit_channel *c = &pit.ch[0];
	uint64_t due;

	if (!periodic(c)) {
		pit.missed = 1;
		return;
	}
	due = ticks_since(c, now) / c->reload;
	if (due > pit.periods_done)
		pit.missed += due - pit.periods_done > MISSED_MAX ?
			      MISSED_MAX : (uint32_t)(due - pit.periods_done);
	if (pit.missed > MISSED_MAX)
		pit.missed = MISSED_MAX;
	pit.periods_done = due;
}

void pit_reset(void)
{
	memset(&pit, 0, sizeof(pit));
	for (int i = 0; i < 3; i++) {
		pit.ch[i].reload = 65536;
		pit.ch[i].gate = i != 2;
		pit.ch[i].access = 3;
	}
	pit.next_irq = VTIME_NEVER;
}

uint64_t pit_deadline(void)
{
	return pit.next_irq;
}

void pit_tick(uint64_t now)
{
	if (now >= pit.next_irq) {
		account_due(now);
		schedule_irq0(now);
	}
	/* one edge at a time: the next only once the PIC passed the last
	 * one to the CPU */
	if (pit.missed && !pic_irq_requested(0)) {
		pit.missed--;
		pic_set_irq(0, true);
		pic_set_irq(0, false);
	}
}

static void load_count(int n, uint32_t v, uint64_t now)
{
	struct pit_channel *c = &pit.ch[n];

	c->reload = v ? v : 65536;
	c->start = now;
	c->counting = c->gate;
	if (n == 0) {
		pit.periods_done = 0;
		pit.missed = 0;
		schedule_irq0(now);
	}
}

static void write_counter(int n, uint8_t v)
{
	struct pit_channel *c = &pit.ch[n];
	uint64_t now = env_now();

	switch (c->access) {
	case 1:
		load_count(n, v, now);
		break;
	case 2:
		load_count(n, (uint32_t)v << 8, now);
		break;
	default:
		if (!c->write_hi) {
			c->partial = v;
			c->write_hi = true;
			/* mode 0 stops counting while half written */
			if (c->mode == 0)
				c->counting = false;
			return;
		}
		c->write_hi = false;
		load_count(n, c->partial | (uint32_t)v << 8, now);
	}
}

static uint8_t read_counter(int n)
{
	struct pit_channel *c = &pit.ch[n];
	uint16_t v = c->latched ? c->latch : count_now(c, env_now());
	uint8_t b;

	switch (c->access) {
	case 1:
		c->latched = false;
		return v & 0xff;
	case 2:
		c->latched = false;
		return v >> 8;
	}
	b = c->read_hi ? v >> 8 : v & 0xff;
	if (c->read_hi)
		c->latched = false;
	c->read_hi = !c->read_hi;
	return b;
}

static void write_control(uint8_t v)
{
	int n = v >> 6;
	struct pit_channel *c;

	if (n == 3) {		/* read-back: latch counts (status unused) */
		for (int i = 0; i < 3; i++) {
			if (!(v & 0x20) && (v & (2u << i))) {
				pit.ch[i].latch = count_now(&pit.ch[i],
							    env_now());
				pit.ch[i].latched = true;
			}
		}
		return;
	}
	c = &pit.ch[n];
	if (!(v & 0x30)) {	/* counter latch command */
		if (!c->latched) {
			c->latch = count_now(c, env_now());
			c->latched = true;
			c->read_hi = false;
		}
		return;
	}
	c->access = (v >> 4) & 3;
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6, 7 alias 2, 3 */
	c->write_hi = c->read_hi = c->latched = false;
	c->counting = false;
	if (n == 0) {
		pit.next_irq = VTIME_NEVER;
		pit.missed = 0;
	}
}

static uint32_t pit_read(uint16_t off, uint8_t size)
{
	(void)size;
	return off < 3 ? read_counter(off) : 0xff;
}

static void pit_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)size;
	if (off < 3)
		write_counter(off, (uint8_t)val);
	else
		write_control((uint8_t)val);
}

/* Port 0x61: bit 0 gates channel 2, bit 1 drives the speaker, bit 4
 * toggles with DRAM refresh (software times short delays by it), bit 5
 * reads channel 2's output. */
static uint32_t port61_read(uint16_t off, uint8_t size)
{
	uint64_t now = env_now();
	uint8_t v = pit.port61 & 0x0f;
	uint64_t refresh = env_hz() / 66288 ? env_hz() / 66288 : 1;

	(void)off;
	(void)size;
	if (out_now(&pit.ch[2], now))
		v |= 0x20;
	if ((now / refresh) & 1)	/* ~15 us refresh period */
		v |= 0x10;
	return v;
}

static void port61_write(uint16_t off, uint8_t size, uint32_t val)
{
	struct pit_channel *c = &pit.ch[2];
	bool gate = val & 1;

	(void)off;
	(void)size;
	if (gate && !c->gate) {	/* rising gate restarts the count */
		c->start = env_now();
		c->counting = true;
	}
	if (!gate)
		c->counting = false;
	c->gate = gate;
	pit.port61 = (uint8_t)val & 0x0f;
}

const struct vdev pit_dev = {
	.name = "pit", .base = 0x40, .len = 4,
	.read = pit_read, .write = pit_write,
};
const struct vdev port61_dev = {
	.name = "port61", .base = 0x61, .len = 1,
	.read = port61_read, .write = port61_write,
};

const struct vdev_state pit_state = { &pit, sizeof(pit) };
