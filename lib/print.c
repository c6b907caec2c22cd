#include "lib/print.h"
#include "lib/string.h"
#include <stdint.h>
#include <stdbool.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_num(struct out *o, uint64_t v, unsigned base, bool upper,
		    bool neg, int width, char pad, bool left)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	if (neg && pad == '0') {
		/* zero padding goes between the sign and the digits */
		n--;
		put(o, '-');
		width--;
	}
	len = n;
	for (int i = len; !left && i < width; i++)
		put(o, pad);
	while (n)
		put(o, tmp[--n]);
	for (int i = len; left && i < width; i++)
		put(o, ' ');
}

static void put_str(struct out *o, const char *s, int width, bool left)
{
	int n = (int)strlen(s);

	for (int i = n; !left && i < width; i++)
		put(o, ' ');
	while (*s)
		put(o, *s++);
	for (int i = n; left && i < width; i++)
		put(o, ' ');
}

static uint64_t arg_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

int tvsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, args);
	for (; *fmt; fmt++) {
		char pad = ' ';
		bool left = false;
		int width = 0, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (; *fmt == '0' || *fmt == '-'; fmt++) {
			if (*fmt == '0')
				pad = '0';
			else
				left = true;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng += (*fmt == 'z') ? 2 : 1;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, lng);
			uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;

			put_num(&o, m, 10, false, v < 0, width, pad, left);
			break;
		}
		case 'u':
			put_num(&o, arg_unsigned(&ap, lng), 10, false, false,
				width, pad, left);
			break;
		case 'x':
		case 'X':
			put_num(&o, arg_unsigned(&ap, lng), 16, *fmt == 'X',
				false, width, pad, left);
			break;
		case 'p':
			put_str(&o, "0x", 0, false);
			put_num(&o, (uintptr_t)va_arg(ap, void *), 16, false,
				false, 16, '0', false);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			put_str(&o, s ? s : "(null)", width, left);
			break;
		}
		case 'c':
			put(&o, (char)va_arg(ap, int));
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int tsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = tvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void tvsnprintf_named(char *buf, size_t size, const char *who,
		      const char *fmt, va_list ap)
{
	int n;

	if (!buf || !size)
		return;
	n = tsnprintf(buf, size, "%s: ", who);
	if (n < 0 || (size_t)n >= size)
		return;
	tvsnprintf(buf + n, size - (size_t)n, fmt, ap);
}

static print_sink_t print_sink;

void print_set_sink(print_sink_t sink)
{
	print_sink = sink;
}

static void vpr(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	size_t p = strlen(prefix);
	int n;

	if (!print_sink)
		return;
	memcpy(buf, prefix, p);
	n = tvsnprintf(buf + p, sizeof(buf) - p, fmt, ap);
	if (n < 0)
		return;
	n += (int)p;
	print_sink(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void pr_raw(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr("", fmt, ap);
	va_end(ap);
}

void pr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vpr("tandem: ", fmt, ap);
	va_end(ap);
}
