/* The guest's interrupt path: the 8259 PIC pair, the 8254 PIT on IRQ 0,
 * HLT woken by the timer, the CMOS clock ticking, and the UART's
 * transmitter-empty interrupt on IRQ 4. */
#include "guest.h"

const char guest_name[] = "timer";

#define PIC1_CMD	0x20
#define PIC1_DATA	0x21
#define PIC2_CMD	0xa0
#define PIC2_DATA	0xa1
#define PIT_CH0		0x40
#define PIT_MODE	0x43
#define IRQ_BASE	0x20
#define TICKS		20

static volatile uint32_t ticks, uart_irqs;

static void pic_init(void)
{
	outb(PIC1_CMD, 0x11);		/* ICW1: edge, cascade, ICW4 */
	outb(PIC1_DATA, IRQ_BASE);	/* ICW2: vectors 0x20.. */
	outb(PIC1_DATA, 0x04);		/* ICW3: slave on IRQ 2 */
	outb(PIC1_DATA, 0x01);		/* ICW4: 8086 mode */
	outb(PIC2_CMD, 0x11);
	outb(PIC2_DATA, IRQ_BASE + 8);
	outb(PIC2_DATA, 0x02);
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xfe);		/* only IRQ 0 */
	outb(PIC2_DATA, 0xff);
}

static void on_timer(struct trap_frame *f)
{
	(void)f;
	ticks++;
	outb(PIC1_CMD, 0x20);		/* non-specific EOI */
}

static void on_uart(struct trap_frame *f)
{
	(void)f;
	/* reading IIR acknowledges the transmitter-empty interrupt */
	if ((inb(UART_BASE + 2) & 0x0f) == 0x02)
		uart_irqs++;
	outb(UART_BASE + 1, 0);		/* IER: no more */
	outb(PIC1_CMD, 0x20);
}

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

/* 1 kHz rate generator: LATCH = 1193182 / 1000 */
static void pit_start(void)
{
	outb(PIT_MODE, 0x34);
	outb(PIT_CH0, 1193 & 0xff);
	outb(PIT_CH0, 1193 >> 8);
}

static void wait_ticks(void)
{
	uint64_t t0 = rdtsc(), t1;
	uint32_t halts = 0;

	while (ticks < TICKS) {
		asm volatile("sti; hlt; cli");
		halts++;
	}
	t1 = rdtsc();
	printf("timer: %u ticks, %u halts, %u TSC ticks per timer tick\n",
	       ticks, halts, (uint32_t)((t1 - t0) / TICKS));
	if (halts < TICKS / 2)
		fail(2, "HLT returned without a timer interrupt");
}

static void check_rtc(void)
{
	uint8_t s0 = cmos(0), b = cmos(0x0b);

	printf("timer: rtc status B 0x%x, seconds 0x%x\n", b, s0);
	if (cmos(0x0d) != 0x80)
		fail(3, "RTC register D 0x%x, expected 0x80", cmos(0x0d));
}

static void check_uart_irq(void)
{
	outb(PIC1_DATA, 0xee);		/* IRQ 0 and IRQ 4 */
	outb(UART_BASE + 4, 0x0b);	/* MCR: DTR, RTS, OUT2 (IRQ gate) */
	outb(UART_BASE + 1, 0x02);	/* IER: transmitter empty */
	asm volatile("sti; nop; nop; cli");
	for (int i = 0; i < 1000 && !uart_irqs; i++)
		asm volatile("sti; hlt; cli");
	printf("timer: uart transmitter-empty interrupts %u\n", uart_irqs);
	if (uart_irqs != 1)
		fail(4, "expected one UART interrupt, got %u", uart_irqs);
}

void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	idt_init();
	idt_set_handler(IRQ_BASE, on_timer);
	idt_set_handler(IRQ_BASE + 4, on_uart);
	pic_init();
	pit_start();
	wait_ticks();
	check_rtc();
	check_uart_irq();
}
