/* 8259A programmable interrupt controller (Intel 8259A datasheet): ICW1-4
 * initialisation, OCW1 mask, OCW2 end-of-interrupt, OCW3 register select
 * and poll. Fixed priority (IRQ 0 highest); rotation and special mask
 * mode are accepted and ignored, as Linux and the test guests use neither. */
#include "core/vdev.h"
#include "core/pic.h"
#include "lib/print.h"
#include "lib/string.h"

struct pic {
	uint8_t irr, isr, imr;
	uint8_t lines;		/* current input levels, for edge detection */
	uint8_t base;		/* vector of IRQ 0 (ICW2) */
	uint8_t init_step;	/* next ICW expected: 0 none, 2, 3, 4 */
	bool icw4_needed, single, auto_eoi, read_isr, poll;
	uint8_t elcr;
};

static struct pic pics[2];	/* 0 master, 1 slave */

void pic_reset(void)
{
	memset(pics, 0, sizeof(pics));
	pics[0].imr = pics[1].imr = 0xff;
	pics[0].base = 0x08;
	pics[1].base = 0x70;
}

/* Highest-priority requested, unmasked IRQ not below one in service. */
static int pic_best(const struct pic *p)
{
	uint8_t req = p->irr & ~p->imr;

	for (int i = 0; i < 8; i++) {
		if (p->isr & (1u << i))
			return -1;
		if (req & (1u << i))
			return i;
	}
	return -1;
}

static void cascade_update(void)
{
	/* the slave's INT drives master IRQ 2 */
	bool slave_int = pic_best(&pics[1]) >= 0;
	uint8_t bit = 1u << 2;

	if (slave_int && !(pics[0].lines & bit))
		pics[0].irr |= bit;
	if (!slave_int)
		pics[0].irr &= ~bit;
	pics[0].lines = slave_int ? (pics[0].lines | bit)
				  : (pics[0].lines & ~bit);
}

void pic_set_irq(unsigned irq, bool level)
{
	struct pic *p = &pics[irq >> 3 & 1];
	uint8_t bit = 1u << (irq & 7);

	if (level && !(p->lines & bit))
		p->irr |= bit;
	if (level)
		p->lines |= bit;
	else
		p->lines &= ~bit;
	cascade_update();
}

bool pic_irq_requested(unsigned irq)
{
	return pics[irq >> 3 & 1].irr & (1u << (irq & 7));
}

bool pic_has_interrupt(void)
{
	return pic_best(&pics[0]) >= 0;
}

void pic_describe(char *buf, unsigned len)
{
	tsnprintf(buf, len, "irr %02x/%02x isr %02x/%02x imr %02x/%02x "
		  "vectors 0x%02x/0x%02x", pics[0].irr, pics[1].irr,
		  pics[0].isr, pics[1].isr, pics[0].imr, pics[1].imr,
		  pics[0].base, pics[1].base);
}

static uint8_t ack_one(struct pic *p, int irq)
{
	p->irr &= ~(1u << irq);
	if (!p->auto_eoi)
		p->isr |= 1u << irq;
	return p->base + irq;
}

uint8_t pic_ack(void)
{
	int irq = pic_best(&pics[0]), sirq;
	uint8_t vec;

	if (irq < 0)
		return pics[0].base + 7;	/* spurious IRQ 7 */
	if (irq != 2)
		return ack_one(&pics[0], irq);
	sirq = pic_best(&pics[1]);
	ack_one(&pics[0], 2);
	vec = sirq < 0 ? pics[1].base + 7 : ack_one(&pics[1], sirq);
	cascade_update();
	return vec;
}

static void eoi(struct pic *p, int irq)
{
	if (irq < 0) {		/* non-specific: highest in service */
		for (irq = 0; irq < 8 && !(p->isr & (1u << irq)); irq++)
			;
		if (irq == 8)
			return;
	}
	p->isr &= ~(1u << irq);
}

static void write_cmd(struct pic *p, uint8_t v)
{
	if (v & 0x10) {		/* ICW1 */
		p->init_step = 2;
		p->icw4_needed = v & 1;
		p->single = v & 2;
		p->imr = 0;
		p->isr = 0;
		p->irr = 0;
		p->auto_eoi = false;
		p->read_isr = false;
		return;
	}
	if (v & 0x08) {		/* OCW3 */
		if (v & 0x02)
			p->read_isr = v & 1;
		p->poll = v & 0x04;
		return;
	}
	switch (v >> 5) {	/* OCW2 */
	case 1:			/* non-specific EOI */
	case 5:			/* rotate on non-specific EOI */
		eoi(p, -1);
		break;
	case 3:			/* specific EOI */
	case 7:			/* rotate on specific EOI */
		eoi(p, v & 7);
		break;
	}
}

static void write_data(struct pic *p, uint8_t v)
{
	switch (p->init_step) {
	case 2:
		p->base = v & 0xf8;
		p->init_step = p->single ? (p->icw4_needed ? 4 : 0) : 3;
		return;
	case 3:
		p->init_step = p->icw4_needed ? 4 : 0;
		return;
	case 4:
		p->auto_eoi = v & 2;
		p->init_step = 0;
		return;
	}
	p->imr = v;		/* OCW1 */
}

static uint8_t read_reg(struct pic *p, uint16_t off)
{
	if (off == 1)
		return p->imr;
	if (p->poll) {
		int irq = pic_best(p);

		p->poll = false;
		if (irq < 0)
			return 0;
		ack_one(p, irq);
		return 0x80 | irq;
	}
	return p->read_isr ? p->isr : p->irr;
}

static uint32_t master_read(uint16_t off, uint8_t size)
{
	(void)size;
	return read_reg(&pics[0], off);
}

static uint32_t slave_read(uint16_t off, uint8_t size)
{
	uint8_t v;

	(void)size;
	v = read_reg(&pics[1], off);
	cascade_update();
	return v;
}

static void pic_write(struct pic *p, uint16_t off, uint32_t val)
{
	if (off == 0)
		write_cmd(p, (uint8_t)val);
	else
		write_data(p, (uint8_t)val);
	cascade_update();
}

static void master_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)size;
	pic_write(&pics[0], off, val);
}

static void slave_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)size;
	pic_write(&pics[1], off, val);
}

/* ELCR: every line edge-triggered, except that writes are remembered. */
static uint32_t elcr_read(uint16_t off, uint8_t size)
{
	(void)size;
	return pics[off & 1].elcr;
}

static void elcr_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)size;
	pics[off & 1].elcr = (uint8_t)val;
}

const struct vdev pic_master_dev = {
	.name = "pic-master", .base = 0x20, .len = 2,
	.read = master_read, .write = master_write,
};
const struct vdev pic_slave_dev = {
	.name = "pic-slave", .base = 0xa0, .len = 2,
	.read = slave_read, .write = slave_write,
};
const struct vdev pic_elcr_dev = {
	.name = "elcr", .base = 0x4d0, .len = 2,
	.read = elcr_read, .write = elcr_write,
};

const struct vdev_state pic_state = { &pics, sizeof(pics) };
