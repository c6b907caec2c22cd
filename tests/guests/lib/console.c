/* UART console and a small printf: %c %s %d %i %u %x %X %p %%, the '0'
 * flag, a width, and the l and ll length modifiers. */
#include "guest.h"

void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (!(inb(UART_LSR) & UART_LSR_THRE))
		;
	outb(UART_THR, (uint8_t)c);
}

int uart_getc(void)
{
	while (!(inb(UART_LSR) & UART_LSR_DR))
		;
	return inb(UART_RBR);
}

void uart_write(const char *s, size_t n)
{
	while (n--)
		uart_putc(*s++);
}

/* n /= 10, returning the remainder, without libgcc's __udivdi3 (there is
 * no 32-bit libgcc on a plain 64-bit host). */
static uint32_t divmod10(uint64_t *n)
{
	uint32_t hi = (uint32_t)(*n >> 32), lo = (uint32_t)*n;
	uint32_t qhi = hi / 10, rem = hi % 10, qlo;

	/* rem < 10, so the 64/32 quotient fits in 32 bits. */
	asm("divl %3" : "=a"(qlo), "+d"(rem) : "a"(lo), "rm"(10u));
	*n = ((uint64_t)qhi << 32) | qlo;
	return rem;
}

struct spec {
	int zero;
	int width;
	int lng;	/* number of 'l's */
	int neg;
};

static void put_pad(char c, int n)
{
	while (n-- > 0)
		uart_putc(c);
}

static int put_num(uint64_t v, int base, int upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	int n = 0, len, pad;

	do {
		if (base == 16) {
			buf[n++] = digits[v & 15];
			v >>= 4;
		} else {
			buf[n++] = digits[divmod10(&v)];
		}
	} while (v);
	len = n + sp->neg;
	pad = sp->width > len ? sp->width - len : 0;
	if (!sp->zero)
		put_pad(' ', pad);
	if (sp->neg)
		uart_putc('-');
	if (sp->zero)
		put_pad('0', pad);
	while (n)
		uart_putc(buf[--n]);
	return len + pad;
}

static uint64_t get_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t get_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static const char *parse_spec(const char *fmt, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	if (*fmt == '0') {
		sp->zero = 1;
		fmt++;
	}
	while (*fmt >= '0' && *fmt <= '9')
		sp->width = sp->width * 10 + (*fmt++ - '0');
	while (*fmt == 'l') {
		sp->lng++;
		fmt++;
	}
	return fmt;
}

static int put_str(const char *s)
{
	size_t n;

	if (!s)
		s = "(null)";
	n = strlen(s);
	uart_write(s, n);
	return (int)n;
}

static int put_conv(char c, struct spec *sp, va_list *ap)
{
	int64_t sv;

	switch (c) {
	case 'c':
		uart_putc((char)va_arg(*ap, int));
		return 1;
	case 's':
		return put_str(va_arg(*ap, const char *));
	case 'd':
	case 'i':
		sv = get_signed(ap, sp->lng);
		sp->neg = sv < 0;
		return put_num(sp->neg ? -(uint64_t)sv : (uint64_t)sv, 10, 0,
			       sp);
	case 'u':
		return put_num(get_unsigned(ap, sp->lng), 10, 0, sp);
	case 'x':
	case 'X':
		return put_num(get_unsigned(ap, sp->lng), 16, c == 'X', sp);
	case 'p':
		uart_write("0x", 2);
		return 2 + put_num((uintptr_t)va_arg(*ap, void *), 16, 0, sp);
	case '%':
		uart_putc('%');
		return 1;
	default:
		uart_putc('%');
		uart_putc(c);
		return 2;
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct spec sp;
	va_list aq;
	int out = 0;

	va_copy(aq, ap);
	while (*fmt) {
		if (*fmt != '%') {
			uart_putc(*fmt++);
			out++;
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		out += put_conv(*fmt++, &sp, &aq);
	}
	va_end(aq);
	return out;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
