/* The guest's 16550 UART at 0x3f8, polled (no interrupts yet). Output goes
 * to the shared serial console; input comes through the env seam. */
#include "core/vdev.h"
#include "core/console.h"
#include "core/env.h"

#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define LCR_DLAB	0x80

static struct {
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	int rx;		/* byte held in RBR, -1 when empty */
} uart = { .rx = -1, .dll = 1 };

static void fill_rx(void)
{
	if (uart.rx < 0)
		uart.rx = env_console_byte();
}

static uint8_t lsr(void)
{
	uint8_t v = 0;

	fill_rx();
	if (uart.rx >= 0)
		v |= LSR_DR;
	/* a full hold buffer (monitor active) stalls the guest's driver
	 * instead of losing its output */
	if (console_guest_can_write())
		v |= LSR_THRE | LSR_TEMT;
	return v;
}

static uint32_t vuart_read(uint16_t off, uint8_t size)
{
	int c;

	(void)size;
	switch (off) {
	case 0:
		if (uart.lcr & LCR_DLAB)
			return uart.dll;
		fill_rx();
		c = uart.rx;
		uart.rx = -1;
		return c < 0 ? 0 : (uint32_t)c;
	case 1:
		return (uart.lcr & LCR_DLAB) ? uart.dlm : uart.ier;
	case 2:
		return 0x01;	/* IIR: no interrupt pending */
	case 3:
		return uart.lcr;
	case 4:
		return uart.mcr;
	case 5:
		return lsr();
	case 6:
		return 0xb0;	/* MSR: DCD, DSR, CTS */
	default:
		return uart.scr;
	}
}

static void vuart_write(uint16_t off, uint8_t size, uint32_t val)
{
	uint8_t b = (uint8_t)val;

	(void)size;
	switch (off) {
	case 0:
		if (uart.lcr & LCR_DLAB)
			uart.dll = b;
		else
			console_guest_putc(b);
		break;
	case 1:
		if (uart.lcr & LCR_DLAB)
			uart.dlm = b;
		else
			uart.ier = b & 0x0f;
		break;
	case 3:
		uart.lcr = b;
		break;
	case 4:
		uart.mcr = b & 0x1f;
		break;
	case 7:
		uart.scr = b;
		break;
	default:
		break;	/* FCR, LSR, MSR writes have no effect here */
	}
}

const struct vdev vuart_dev = {
	.name = "uart",
	.base = 0x3f8,
	.len = 8,
	.read = vuart_read,
	.write = vuart_write,
};
