/* IDT: every vector goes through isr.asm to isr_dispatch(), which calls
 * the handler set for it. */
#include "guest.h"

#define CODE_SEL	0x08
#define GATE_INTR32	0x8E	/* present, DPL 0, 32-bit interrupt gate */

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t zero;
	uint8_t type;
	uint16_t off_hi;
} __attribute__((packed));

struct idt_desc {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

extern const uint32_t isr_stubs[256];

static struct idt_gate idt[256] __attribute__((aligned(8)));
static trap_handler_t handlers[256];

void isr_dispatch(struct trap_frame *f);

void isr_dispatch(struct trap_frame *f)
{
	trap_handler_t h = handlers[f->vector & 0xFF];

	if (!h)
		fail(EXIT_BAD_TRAP, "unexpected vector %u error 0x%x eip 0x%x",
		     f->vector, f->error, f->eip);
	h(f);
}

void idt_set_handler(uint8_t vector, trap_handler_t h)
{
	handlers[vector] = h;
}

void idt_init(void)
{
	struct idt_desc desc = { sizeof(idt) - 1, (uint32_t)idt };
	int i;

	for (i = 0; i < 256; i++) {
		idt[i].off_lo = (uint16_t)isr_stubs[i];
		idt[i].sel = CODE_SEL;
		idt[i].zero = 0;
		idt[i].type = GATE_INTR32;
		idt[i].off_hi = (uint16_t)(isr_stubs[i] >> 16);
	}
	asm volatile("lidt %0" : : "m"(desc));
}
