/* The guest's 16550A UART at 0x3f8 on IRQ 4. Output goes to the shared
 * serial console; input comes through the env seam. Transmission is
 * instant: THR is empty again as soon as it is written, so the
 * transmitter-empty interrupt follows every write the guest lets it. */
#include "core/vdev.h"
#include "core/vuart.h"
#include "core/console.h"
#include "core/env.h"
#include "core/pic.h"
#include "lib/string.h"

#define UART_IRQ	4
#define RX_FIFO		16

#define IER_RDA		0x01
#define IER_THRE	0x02
#define IER_RLS		0x04
#define IER_MS		0x08
#define IIR_NONE	0x01
#define IIR_MS		0x00
#define IIR_THRE	0x02
#define IIR_RDA		0x04
#define IIR_FIFO	0xc0
#define LCR_DLAB	0x80
#define LSR_DR		0x01
#define LSR_THRE	0x20
#define LSR_TEMT	0x40
#define MCR_OUT2	0x08	/* gates the IRQ line on PCs */
#define MCR_LOOP	0x10

static struct {
	uint8_t ier, lcr, mcr, scr, dll, dlm, fcr;
	bool thr_ipending;	/* THRE interrupt not yet acknowledged */
	uint8_t rx[RX_FIFO];
	unsigned rx_head, rx_count;
} uart;

void vuart_reset(void)
{
	memset(&uart, 0, sizeof(uart));
	uart.dll = 1;
}

static bool fifo_on(void)
{
	return uart.fcr & 1;
}

static void rx_push(uint8_t c)
{
	unsigned cap = fifo_on() ? RX_FIFO : 1;

	if (uart.rx_count >= cap)
		return;		/* overrun: the byte is lost, as on a UART */
	uart.rx[(uart.rx_head + uart.rx_count++) % RX_FIFO] = c;
}

static int rx_pop(void)
{
	uint8_t c;

	if (!uart.rx_count)
		return -1;
	c = uart.rx[uart.rx_head];
	uart.rx_head = (uart.rx_head + 1) % RX_FIFO;
	uart.rx_count--;
	return c;
}

static void fill_rx(void)
{
	unsigned cap = fifo_on() ? RX_FIFO : 1;
	int c;

	if (uart.mcr & MCR_LOOP)
		return;
	while (uart.rx_count < cap && (c = env_console_byte()) >= 0)
		rx_push((uint8_t)c);
}

static uint8_t iir_id(void)
{
	if ((uart.ier & IER_RDA) && uart.rx_count)
		return IIR_RDA;
	if ((uart.ier & IER_THRE) && uart.thr_ipending)
		return IIR_THRE;
	return IIR_NONE;
}

static void update_irq(void)
{
	pic_set_irq(UART_IRQ, iir_id() != IIR_NONE && (uart.mcr & MCR_OUT2));
}

void vuart_poll(void)
{
	fill_rx();
	update_irq();
}

static uint8_t lsr(void)
{
	uint8_t v = 0;

	fill_rx();
	if (uart.rx_count)
		v |= LSR_DR;
	/* a full hold buffer (monitor active) stalls the guest's driver
	 * instead of losing its output */
	if (console_guest_can_write())
		v |= LSR_THRE | LSR_TEMT;
	return v;
}

static uint8_t msr(void)
{
	uint8_t m = uart.mcr;

	if (!(m & MCR_LOOP))
		return 0xb0;	/* DCD, DSR, CTS */
	/* loopback: RTS->CTS, DTR->DSR, OUT1->RI, OUT2->DCD */
	return (uint8_t)(((m & 2) << 3) | ((m & 1) << 5) | ((m & 4) << 4) |
			 ((m & 8) << 4));
}

static uint32_t vuart_read(uint16_t off, uint8_t size)
{
	uint8_t v;
	int c;

	(void)size;
	switch (off) {
	case 0:
		if (uart.lcr & LCR_DLAB)
			return uart.dll;
		fill_rx();
		c = rx_pop();
		update_irq();
		return c < 0 ? 0 : (uint32_t)c;
	case 1:
		return (uart.lcr & LCR_DLAB) ? uart.dlm : uart.ier;
	case 2:
		v = iir_id();
		if (v == IIR_THRE)	/* reading IIR acknowledges THRE */
			uart.thr_ipending = false;
		update_irq();
		return v | (fifo_on() ? IIR_FIFO : 0);
	case 3:
		return uart.lcr;
	case 4:
		return uart.mcr;
	case 5:
		return lsr();
	case 6:
		return msr();
	default:
		return uart.scr;
	}
}

static void write_thr(uint8_t b)
{
	if (uart.mcr & MCR_LOOP)
		rx_push(b);
	else
		console_guest_putc(b);
	uart.thr_ipending = true;
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
			write_thr(b);
		break;
	case 1:
		if (uart.lcr & LCR_DLAB) {
			uart.dlm = b;
			break;
		}
		/* enabling THRE with THR empty raises it at once */
		if ((b & IER_THRE) && !(uart.ier & IER_THRE))
			uart.thr_ipending = true;
		uart.ier = b & 0x0f;
		break;
	case 2:
		if (b & 0x02)	/* clear the receive FIFO */
			uart.rx_count = 0;
		uart.fcr = b & 0xc9;
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
		break;	/* LSR and MSR writes have no effect */
	}
	update_irq();
}

const struct vdev vuart_dev = {
	.name = "uart",
	.base = 0x3f8,
	.len = 8,
	.read = vuart_read,
	.write = vuart_write,
};

const struct vdev_state vuart_state = { &uart, sizeof(uart) };
