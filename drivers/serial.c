/* Polled 16550 driver: no interrupts, 8N1, FIFOs on. */
#include "drivers/serial.h"
#include "arch/x86/cpu.h"

#define UART_THR	0	/* transmit holding (DLAB=0) */
#define UART_RBR	0	/* receive buffer (DLAB=0) */
#define UART_DLL	0	/* divisor low (DLAB=1) */
#define UART_IER	1
#define UART_DLM	1	/* divisor high (DLAB=1) */
#define UART_FCR	2
#define UART_LCR	3
#define UART_MCR	4
#define UART_LSR	5

#define LCR_8N1		0x03
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define UART_CLOCK	115200

static uint16_t serial_base;

void serial_init(uint16_t port, uint32_t baud)
{
	uint16_t div = (uint16_t)(UART_CLOCK / baud);

	serial_base = port;
	outb(port + UART_IER, 0);
	outb(port + UART_LCR, LCR_DLAB);
	outb(port + UART_DLL, div & 0xff);
	outb(port + UART_DLM, div >> 8);
	outb(port + UART_LCR, LCR_8N1);
	outb(port + UART_FCR, 0x07);	/* enable and clear FIFOs */
	outb(port + UART_MCR, 0x03);	/* DTR, RTS */
}

void serial_putc(char c)
{
	/* Bounded wait: a missing UART must not hang tandem. */
	for (int i = 0; i < 100000; i++) {
		if (inb(serial_base + UART_LSR) & LSR_THRE)
			break;
		cpu_relax();
	}
	outb(serial_base + UART_THR, (uint8_t)c);
}

void serial_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n')
			serial_putc('\r');
		serial_putc(buf[i]);
	}
}

void serial_flush(void)
{
	for (int i = 0; i < 1000000; i++) {
		if (inb(serial_base + UART_LSR) & LSR_TEMT)
			return;
		cpu_relax();
	}
}

int serial_getc(void)
{
	if (!serial_base || !(inb(serial_base + UART_LSR) & LSR_DR))
		return -1;
	return inb(serial_base + UART_RBR);
}
