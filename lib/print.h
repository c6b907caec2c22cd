/* Formatted output: a small vsnprintf and a console sink.
 *
 * Conversions: %d %i %u %x %X %p %s %c %%, flags '0' and '-', a width,
 * length modifiers l, ll, z. No floating point.
 */
#ifndef LIB_PRINT_H
#define LIB_PRINT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*print_sink_t)(const char *buf, size_t len);

int tvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int tsnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* "who: " then the formatted message, into buf: the one-line errors of
 * loaders and parsers, which name the file at fault first. */
void tvsnprintf_named(char *buf, size_t size, const char *who,
		      const char *fmt, va_list ap);

/* Where pr() output goes; until set, it is dropped. */
void print_set_sink(print_sink_t sink);

/* Raw formatted output to the sink. */
void pr_raw(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* One hypervisor message: "tandem: " + text (the text ends its own line). */
void pr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
