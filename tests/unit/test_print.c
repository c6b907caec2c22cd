/* Unit tests for lib/print.c: tsnprintf conversions, widths, truncation,
 * and the pr() sink. */
#include "tests/unit/check.h"
#include "lib/print.h"

#include <limits.h>
#include <stdint.h>

/* Format with tsnprintf into a buffer with guard bytes around it, check
 * the text, the returned length and that nothing outside was written. */
#define CHECK_FMT(expect, ...)						\
	do {								\
		char g_[64 + 2 * 8];					\
		int n_;							\
		memset(g_, 0x5a, sizeof(g_));				\
		n_ = tsnprintf(g_ + 8, 64, __VA_ARGS__);		\
		CHECK_STR(g_ + 8, expect);				\
		CHECK_EQ(n_, strlen(expect));				\
		CHECK_EQ(g_[7], 0x5a);					\
		CHECK_EQ(g_[8 + 64], 0x5a);				\
	} while (0)

static void test_decimal(void)
{
	CHECK_FMT("0", "%d", 0);
	CHECK_FMT("42", "%d", 42);
	CHECK_FMT("-1", "%d", -1);
	CHECK_FMT("-7", "%i", -7);
	CHECK_FMT("2147483647", "%d", INT_MAX);
	CHECK_FMT("-2147483648", "%d", INT_MIN);
	CHECK_FMT("4294967295", "%u", UINT_MAX);
	CHECK_FMT("-9223372036854775808", "%lld", LLONG_MIN);
	CHECK_FMT("9223372036854775807", "%ld", LONG_MAX);
	CHECK_FMT("18446744073709551615", "%llu", ULLONG_MAX);
	CHECK_FMT("18446744073709551615", "%lu", ULONG_MAX);
	CHECK_FMT("123456789012", "%zu", (size_t)123456789012ull);
	CHECK_FMT("a1b-2c", "a%db%dc", 1, -2);
}

static void test_hex(void)
{
	CHECK_FMT("0", "%x", 0);
	CHECK_FMT("deadbeef", "%x", 0xdeadbeefu);
	CHECK_FMT("DEADBEEF", "%X", 0xdeadbeefu);
	CHECK_FMT("ffffffffffffffff", "%llx", ULLONG_MAX);
	CHECK_FMT("123456789abc", "%lx", 0x123456789abcul);
	CHECK_FMT("1000", "%zx", (size_t)0x1000);
	/* An int argument of %x is not sign-extended to 64 bits. */
	CHECK_FMT("ffffffff", "%x", -1);
}

static void test_strings_chars(void)
{
	const char *volatile null = NULL;

	CHECK_FMT("abc", "%s", "abc");
	CHECK_FMT("", "%s", "");
	CHECK_FMT("(null)", "%s", null);
	CHECK_FMT("x", "%c", 'x');
	CHECK_FMT("100%", "100%%");
	CHECK_FMT("a b", "%s %s", "a", "b");
}

static void test_pointer(void)
{
	CHECK_FMT("0x00000000deadbeef", "%p", (void *)(uintptr_t)0xdeadbeef);
	CHECK_FMT("0x0000000000000000", "%p", (void *)0);
}

static void test_width(void)
{
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("00042", "%05d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("  -42", "%5d", -42);
	CHECK_FMT("123456", "%3d", 123456);
	CHECK_FMT("000000ff", "%08x", 0xffu);
	CHECK_FMT("     abc", "%8s", "abc");
	CHECK_FMT("abc     |", "%-8s|", "abc");
	CHECK_FMT("abcdef", "%2s", "abcdef");
	CHECK_FMT("0x0010", "0x%04llx", 0x10ull);
}

static void test_width_left_numbers(void)
{
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("-42  |", "%-5d|", -42);
	CHECK_FMT("ff  |", "%-4x|", 0xffu);
	CHECK_FMT("12345|", "%-3d|", 12345);
}

/* Where the conversions overlap, the results must be the C library's. */
static void test_matches_libc(void)
{
	static const char *const fmts[] = {
		"%d", "%5d", "%05d", "%-6d|", "%u", "%x", "%X", "%08x",
		"%-9x|", "%12d", "%012u",
	};
	static const int vals[] = { 0, 1, -1, 7, 255, -255, 65535, INT_MAX,
				    INT_MIN, 123456789 };

	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
			char got[64], want[64];
			int ng, nw;

			ng = tsnprintf(got, sizeof(got), fmts[f], vals[v]);
			nw = snprintf(want, sizeof(want), fmts[f], vals[v]);
			CHECK_STR(got, want);
			CHECK_EQ(ng, nw);
		}
	}
}

static void test_odd_formats(void)
{
	/* Not literals, which -Wformat would refuse; the 0 is unused. */
	const char *volatile unknown = "%q", *volatile trailing = "abc%";
	const char *volatile empty = "";

	/* An unknown conversion is copied; a lone '%' at the end dropped. */
	CHECK_FMT("%q", unknown, 0);
	CHECK_FMT("abc", trailing, 0);
	CHECK_FMT("", empty, 0);
}

static void test_truncation(void)
{
	char buf[16];
	int n;

	memset(buf, 'x', sizeof(buf));
	n = tsnprintf(buf, 5, "hello world");
	CHECK_EQ(n, 11);
	CHECK_STR(buf, "hell");
	CHECK_EQ(buf[5], 'x');

	memset(buf, 'x', sizeof(buf));
	n = tsnprintf(buf, 1, "%d", 12345);
	CHECK_EQ(n, 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'x');

	/* Size 0: nothing written, not even the NUL; length still counted. */
	memset(buf, 'x', sizeof(buf));
	n = tsnprintf(buf, 0, "%s", "abc");
	CHECK_EQ(n, 3);
	CHECK_EQ(buf[0], 'x');
	CHECK_EQ(tsnprintf(NULL, 0, "%08x%s", 1u, "yz"), 10);

	/* Exactly fitting, and one short. */
	CHECK_EQ(tsnprintf(buf, 4, "abc"), 3);
	CHECK_STR(buf, "abc");
	CHECK_EQ(tsnprintf(buf, 3, "abc"), 3);
	CHECK_STR(buf, "ab");
	CHECK_EQ(tsnprintf(buf, 4, "%-8s", "ab"), 8);
	CHECK_STR(buf, "ab ");
}

/* Truncation at every size must match libc's snprintf. */
static void test_truncation_every_size(void)
{
	const char *fmt = "%s=%08x:%-4d|%5s";

	for (size_t size = 0; size <= 40; size++) {
		char *got = malloc(size ? size : 1);
		char want[48];
		int ng, nw;

		REQUIRE(got);
		memset(got, 'x', size ? size : 1);
		ng = tsnprintf(size ? got : NULL, size, fmt, "key", 0xbeefu,
			       -3, "ab");
		nw = snprintf(want, size, fmt, "key", 0xbeefu, -3, "ab");
		CHECK_EQ(ng, nw);
		if (size)
			CHECK_STR(got, want);
		free(got);
	}
}

static char sink_buf[1024];
static size_t sink_len;
static unsigned sink_calls;

static void sink(const char *buf, size_t len)
{
	memcpy(sink_buf + sink_len, buf, len);
	sink_len += len;
	sink_buf[sink_len] = '\0';
	sink_calls++;
}

static void test_pr_sink(void)
{
	char big[700];

	pr("dropped before a sink is set\n");
	print_set_sink(sink);
	CHECK_EQ(sink_calls, 0);
	pr("hello %d\n", 42);
	CHECK_STR(sink_buf, "tandem: hello 42\n");
	sink_len = 0;
	pr_raw("raw %s", "text");
	CHECK_STR(sink_buf, "raw text");

	/* A long message is cut to the 511 characters of pr's buffer. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sink_len = 0;
	pr("%s", big);
	CHECK_EQ(sink_len, 511);
	CHECK(!strncmp(sink_buf, "tandem: aaa", 11));
	print_set_sink(NULL);
}

static const struct tcase cases[] = {
	TCASE(decimal),
	TCASE(hex),
	TCASE(strings_chars),
	TCASE(pointer),
	TCASE(width),
	TCASE(width_left_numbers),
	TCASE(matches_libc),
	TCASE(odd_formats),
	TCASE(truncation),
	TCASE(truncation_every_size),
	TCASE(pr_sink),
};

int main(int argc, char **argv)
{
	return RUN_CASES("print", cases, argc, argv);
}
