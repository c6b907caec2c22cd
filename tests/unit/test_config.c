/* Unit tests for core/config.c: every key, defaults, syntax, and every
 * error message with its line number. */
#include "tests/unit/check.h"
#include "core/config.h"

#include <stdint.h>

#define MIB (1024ull * 1024)

static struct tandem_config cfg;
static char err[CONFIG_ERR_MAX];

/* Parse len bytes from an exactly-sized heap copy without a NUL, so that
 * AddressSanitizer catches any read past the text. */
static int parse_n(const char *text, size_t len)
{
	char *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, text, len);
	memset(&cfg, 0xa5, sizeof(cfg));
	memset(err, 0, sizeof(err));
	r = config_parse(&cfg, copy, len, "tandem.cfg", err, sizeof(err));
	free(copy);
	return r;
}

static int parse(const char *text)
{
	return parse_n(text, strlen(text));
}

#define CHECK_OK(text)							\
	do {								\
		CHECK_EQ(parse(text), 0);				\
		CHECK_STR(err, "");					\
	} while (0)

#define CHECK_ERR(text, msg)						\
	do {								\
		CHECK_EQ(parse(text), -1);				\
		CHECK_STR(err, msg);					\
	} while (0)

static void check_defaults_except_guest(void)
{
	CHECK_STR(cfg.cmdline, "");
	CHECK_EQ(cfg.memory, 64 * MIB);
	CHECK_EQ(cfg.serial_port, 0x3f8);
	CHECK_EQ(cfg.serial_baud, 115200);
	CHECK_EQ(cfg.host_exit_port, 0);
	CHECK_STR(cfg.role, "");
	CHECK_STR(cfg.nic, "");
	CHECK_STR(cfg.link_key, "");
	CHECK_EQ(cfg.link_timeout_ms, 1000);
	CHECK_EQ(cfg.link_window, 64);
	CHECK_EQ(cfg.link_test_version, 0);
	CHECK_EQ(cfg.link_test_connect, 0);
}

static void test_minimal_defaults(void)
{
	CHECK_OK("guest = hello.elf\n");
	CHECK_STR(cfg.guest, "hello.elf");
	check_defaults_except_guest();
}

static void test_all_keys(void)
{
	CHECK_OK("guest = \\tests\\cpuid.elf\n"
		 "cmdline = console=ttyS0 verbose\n"
		 "memory = 128M\n"
		 "serial_port = 0x2f8\n"
		 "serial_baud = 9600\n"
		 "host_exit_port = 0xf4\n");
	CHECK_STR(cfg.guest, "\\tests\\cpuid.elf");
	CHECK_STR(cfg.cmdline, "console=ttyS0 verbose");
	CHECK_EQ(cfg.memory, 128 * MIB);
	CHECK_EQ(cfg.serial_port, 0x2f8);
	CHECK_EQ(cfg.serial_baud, 9600);
	CHECK_EQ(cfg.host_exit_port, 0xf4);
}

/* Each parse starts from the defaults, whatever *cfg held. */
static void test_defaults_reset(void)
{
	CHECK_OK("guest = a\nmemory = 1G\ncmdline = x\nhost_exit_port = 1\n");
	CHECK_OK("guest = b\n");
	CHECK_STR(cfg.guest, "b");
	check_defaults_except_guest();
}

static void test_guest_path(void)
{
	char text[CONFIG_PATH_MAX + 32], want[CONFIG_PATH_MAX];

	memset(want, 'p', CONFIG_PATH_MAX - 1);
	want[CONFIG_PATH_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "guest = %s\n", want);
	CHECK_OK(text);
	CHECK_STR(cfg.guest, want);

	snprintf(text, sizeof(text), "guest = %sp\n", want);
	CHECK_ERR(text, "tandem.cfg:1: guest: value is 128 characters long, "
			"the maximum is 127");
	CHECK_ERR("guest =\n", "tandem.cfg:1: guest: value is empty");
	CHECK_ERR("guest = \"\"\n", "tandem.cfg:1: guest: value is empty");
	CHECK_ERR("guest = # nothing\n", "tandem.cfg:1: guest: value is empty");
	CHECK_OK("guest = \"my kernel.elf\"\n");
	CHECK_STR(cfg.guest, "my kernel.elf");
}

static void test_cmdline(void)
{
	char text[CONFIG_CMDLINE_MAX + 32], want[CONFIG_CMDLINE_MAX];

	memset(want, 'c', CONFIG_CMDLINE_MAX - 1);
	want[CONFIG_CMDLINE_MAX - 1] = '\0';
	snprintf(text, sizeof(text), "guest=g\ncmdline=%s\n", want);
	CHECK_OK(text);
	CHECK_STR(cfg.cmdline, want);
	snprintf(text, sizeof(text), "guest=g\ncmdline=%sc\n", want);
	CHECK_ERR(text, "tandem.cfg:2: cmdline: value is 1024 characters "
			"long, the maximum is 1023");

	CHECK_OK("guest = g\ncmdline =\n");
	CHECK_STR(cfg.cmdline, "");
	CHECK_OK("guest = g\ncmdline = \"\"\n");
	CHECK_STR(cfg.cmdline, "");
	CHECK_OK("guest = g\ncmdline =   a  b\t \n");
	CHECK_STR(cfg.cmdline, "a  b");
	CHECK_OK("guest = g\ncmdline = a=b c==d\n");
	CHECK_STR(cfg.cmdline, "a=b c==d");
}

static void test_comments(void)
{
	CHECK_OK("# a comment\n"
		 "   # an indented comment\n"
		 "\t#\n"
		 "guest = g.elf # trailing comment\n"
		 "memory = 32M\t# tab then comment\n"
		 "cmdline = console=ttyS0 # not part of it\n");
	CHECK_STR(cfg.guest, "g.elf");
	CHECK_EQ(cfg.memory, 32 * MIB);
	CHECK_STR(cfg.cmdline, "console=ttyS0");

	/* '#' glued to a word is literal; quoted, it always is. */
	CHECK_OK("guest = g#1\ncmdline = a#b\n");
	CHECK_STR(cfg.guest, "g#1");
	CHECK_STR(cfg.cmdline, "a#b");
	CHECK_OK("guest = g\ncmdline = \"x # y\" # comment\n");
	CHECK_STR(cfg.cmdline, "x # y");
	CHECK_OK("guest = g\ncmdline = \"#\"\n");
	CHECK_STR(cfg.cmdline, "#");
}

static void test_quotes(void)
{
	CHECK_OK("guest = \"  spaced  \"\n");
	CHECK_STR(cfg.guest, "  spaced  ");
	CHECK_OK("guest = g\ncmdline=\"a\"   \n");
	CHECK_STR(cfg.cmdline, "a");
	CHECK_OK("guest = g\nmemory = \"128M\"\nserial_port = \"0x2f8\"\n");
	CHECK_EQ(cfg.memory, 128 * MIB);
	CHECK_EQ(cfg.serial_port, 0x2f8);
	/* A quote inside a bare value is just a character. */
	CHECK_OK("guest = g\ncmdline = a\"b\n");
	CHECK_STR(cfg.cmdline, "a\"b");

	CHECK_ERR("guest = g\ncmdline = \"abc\n",
		  "tandem.cfg:2: cmdline: missing closing '\"'");
	CHECK_ERR("guest = \"g\" x\n",
		  "tandem.cfg:1: guest: unexpected text after the closing '\"'");
	CHECK_ERR("guest = \"g\"\"\"\n",
		  "tandem.cfg:1: guest: unexpected text after the closing '\"'");
}

static void test_blank_lines_and_spaces(void)
{
	CHECK_OK("\n\n   \n\t\n  guest\t=\thello.elf  \n\n");
	CHECK_STR(cfg.guest, "hello.elf");
	CHECK_OK("guest=hello.elf");	/* no final newline */
	CHECK_STR(cfg.guest, "hello.elf");
	CHECK_OK("memory=8M\nguest=x");
	CHECK_EQ(cfg.memory, 8 * MIB);
}

static void test_crlf(void)
{
	CHECK_OK("# c\r\nguest = a.elf\r\n\r\nmemory = 128M\r\n"
		 "cmdline = \"q r\"\r\nserial_baud = 57600 # c\r\n");
	CHECK_STR(cfg.guest, "a.elf");
	CHECK_EQ(cfg.memory, 128 * MIB);
	CHECK_STR(cfg.cmdline, "q r");
	CHECK_EQ(cfg.serial_baud, 57600);
	CHECK_OK("guest = a.elf\r");
	CHECK_STR(cfg.guest, "a.elf");
	/* Line numbers count CRLF lines too. */
	CHECK_ERR("guest = a\r\n\r\nbogus = 1\r\n",
		  "tandem.cfg:3: unknown key 'bogus'");
}

static void test_bom(void)
{
	CHECK_OK("\xef\xbb\xbfguest = g\n");
	CHECK_STR(cfg.guest, "g");
}

static void test_memory_sizes(void)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{ "64M", 64 * MIB }, { "64MiB", 64 * MIB }, { "1G", 1024 * MIB },
		{ "65536K", 64 * MIB }, { "67108864", 64 * MIB },
		{ "0x4000000", 64 * MIB }, { "128 MiB", 128 * MIB },
		{ "64m", 64 * MIB }, { "64mib", 64 * MIB }, { "2g", 2048 * MIB },
		{ "1GiB", 1024 * MIB }, { "4M", 4 * MIB }, { "3G", 3072 * MIB },
		{ "3072M", 3072 * MIB }, { "4096K", 4 * MIB },
		{ "00064M", 64 * MIB },
	};
	char text[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "guest=g\nmemory = %s\n",
			 ok[i].text);
		CHECK_OK(text);
		CHECK_EQ(cfg.memory, ok[i].bytes);
	}
}

static void test_memory_errors(void)
{
	CHECK_ERR("guest=g\nmemory = 12Q\n",
		  "tandem.cfg:2: memory: '12Q' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory =\n",
		  "tandem.cfg:2: memory: '' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = M\n",
		  "tandem.cfg:2: memory: 'M' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = 64MB\n",
		  "tandem.cfg:2: memory: '64MB' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = -64M\n",
		  "tandem.cfg:2: memory: '-64M' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = 0x\n",
		  "tandem.cfg:2: memory: '0x' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = 1.5G\n",
		  "tandem.cfg:2: memory: '1.5G' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nmemory = 2M\n",
		  "tandem.cfg:2: memory: 2 MiB is below the minimum 4 MiB");
	CHECK_ERR("guest=g\nmemory = 0\n",
		  "tandem.cfg:2: memory: 0 MiB is below the minimum 4 MiB");
	CHECK_ERR("guest=g\nmemory = 3073M\n",
		  "tandem.cfg:2: memory: '3073M' is above the maximum 3072 MiB");
	CHECK_ERR("guest=g\nmemory = 4G\n",
		  "tandem.cfg:2: memory: '4G' is above the maximum 3072 MiB");
	CHECK_ERR("guest=g\nmemory = 1000\n",
		  "tandem.cfg:2: memory: 1000 bytes is not a multiple of 1 MiB");
	CHECK_ERR("guest=g\nmemory = 65537K\n",
		  "tandem.cfg:2: memory: 65537 KiB is not a multiple of 1 MiB");
}

/* Overflow is an error, never a wrap to a small valid value. */
static void test_memory_overflow(void)
{
	/* 2^64 + 64 MiB, and 2^34 GiB, would wrap to valid sizes. */
	CHECK_ERR("guest=g\nmemory = 18446744073776660480\n",
		  "tandem.cfg:2: memory: '18446744073776660480' is above the "
		  "maximum 3072 MiB");
	CHECK_ERR("guest=g\nmemory = 17179869184G\n",
		  "tandem.cfg:2: memory: '17179869184G' is above the maximum "
		  "3072 MiB");
	CHECK_ERR("guest=g\nmemory = 17592186044416M\n",
		  "tandem.cfg:2: memory: '17592186044416M' is above the maximum "
		  "3072 MiB");
	CHECK_ERR("guest=g\nmemory = 0x10000000000000004000000\n",
		  "tandem.cfg:2: memory: '0x10000000000000004000000' is above "
		  "the maximum 3072 MiB");
	CHECK_ERR("guest=g\nmemory = 99999999999999999999999999999999999999999999999999\n",
		  "tandem.cfg:2: memory: '99999999999999999999999999999999999"
		  "999999999...' is above the maximum 3072 MiB");
}

static void test_serial_port(void)
{
	CHECK_OK("guest=g\nserial_port = 760\n");
	CHECK_EQ(cfg.serial_port, 0x2f8);
	CHECK_OK("guest=g\nserial_port = 0X3E8\n");
	CHECK_EQ(cfg.serial_port, 0x3e8);
	CHECK_OK("guest=g\nserial_port = 0xffff\n");
	CHECK_EQ(cfg.serial_port, 0xffff);
	CHECK_OK("guest=g\nserial_port = 1\n");
	CHECK_EQ(cfg.serial_port, 1);

	CHECK_ERR("guest=g\nserial_port = 0\n",
		  "tandem.cfg:2: serial_port: '0' is below the minimum 0x1");
	CHECK_ERR("guest=g\nserial_port = 0x0\n",
		  "tandem.cfg:2: serial_port: '0x0' is below the minimum 0x1");
	CHECK_ERR("guest=g\nserial_port = 65536\n",
		  "tandem.cfg:2: serial_port: '65536' is above the maximum 0xffff");
	CHECK_ERR("guest=g\nserial_port = 0x10000\n",
		  "tandem.cfg:2: serial_port: '0x10000' is above the maximum 0xffff");
	/* 2^64 + 0x3f8 must not wrap to 0x3f8. */
	CHECK_ERR("guest=g\nserial_port = 18446744073709552632\n",
		  "tandem.cfg:2: serial_port: '18446744073709552632' is above "
		  "the maximum 0xffff");
	CHECK_ERR("guest=g\nserial_port = com1\n",
		  "tandem.cfg:2: serial_port: 'com1' is not a number");
	CHECK_ERR("guest=g\nserial_port = 0x\n",
		  "tandem.cfg:2: serial_port: '0x' is not a number");
	CHECK_ERR("guest=g\nserial_port = -1\n",
		  "tandem.cfg:2: serial_port: '-1' is not a number");
	CHECK_ERR("guest=g\nserial_port = 0x3f8h\n",
		  "tandem.cfg:2: serial_port: '0x3f8h' is not a number");
	CHECK_ERR("guest=g\nserial_port = 3f8\n",
		  "tandem.cfg:2: serial_port: '3f8' is not a number");
	CHECK_ERR("guest=g\nserial_port =\n",
		  "tandem.cfg:2: serial_port: '' is not a number");
}

static void test_serial_baud(void)
{
	static const uint32_t ok[] = { 9600, 19200, 38400, 57600, 115200 };
	char text[64];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "guest=g\nserial_baud=%u\n",
			 ok[i]);
		CHECK_OK(text);
		CHECK_EQ(cfg.serial_baud, ok[i]);
	}
	CHECK_ERR("guest=g\nserial_baud = 12345\n",
		  "tandem.cfg:2: serial_baud: '12345' is not one of 9600, "
		  "19200, 38400, 57600, 115200");
	CHECK_ERR("guest=g\nserial_baud = 300\n",
		  "tandem.cfg:2: serial_baud: '300' is below the minimum 9600");
	CHECK_ERR("guest=g\nserial_baud = 230400\n",
		  "tandem.cfg:2: serial_baud: '230400' is above the maximum "
		  "115200");
	CHECK_ERR("guest=g\nserial_baud = fast\n",
		  "tandem.cfg:2: serial_baud: 'fast' is not a number");
}

static void test_host_exit_port(void)
{
	CHECK_OK("guest=g\nhost_exit_port = 0xf4\n");
	CHECK_EQ(cfg.host_exit_port, 0xf4);
	CHECK_OK("guest=g\nhost_exit_port = 0\n");
	CHECK_EQ(cfg.host_exit_port, 0);
	CHECK_OK("guest=g\nhost_exit_port = 65535\n");
	CHECK_EQ(cfg.host_exit_port, 0xffff);
	CHECK_ERR("guest=g\nhost_exit_port = 65536\n",
		  "tandem.cfg:2: host_exit_port: '65536' is above the maximum "
		  "0xffff");
}

/* epoch_skid: 0 by default (the counter's own skid), up to 10^9. */
static void test_epoch_skid(void)
{
	CHECK_OK("guest=g\nepoch = 5000\n");
	CHECK_EQ(cfg.epoch_skid, 0);
	CHECK_OK("guest=g\nepoch = 5000\nepoch_skid = 4999\n");
	CHECK_EQ(cfg.epoch_skid, 4999);
	CHECK_ERR("guest=g\nepoch_skid = 1000000001\n",
		  "tandem.cfg:2: epoch_skid: '1000000001' is above the maximum "
		  "1000000000");
}

/* The replication link's keys; ft/link_config.c checks their values
 * further (tests/unit/test_linkcfg.c). */
static void test_link_keys(void)
{
	CHECK_OK("guest=g\nrole = backup\nnic = 52:54:00:12:34:56\n"
		 "link_key = 00112233445566778899aabbccddeeff\n"
		 "link_timeout_ms = 10\nlink_window = 64\n"
		 "link_test_version = 255\n");
	CHECK_STR(cfg.role, "backup");
	CHECK_STR(cfg.nic, "52:54:00:12:34:56");
	CHECK_STR(cfg.link_key, "00112233445566778899aabbccddeeff");
	CHECK_EQ(cfg.link_timeout_ms, 10);
	CHECK_EQ(cfg.link_window, 64);
	CHECK_EQ(cfg.link_test_version, 255);
	CHECK_OK("guest=g\nlink_timeout_ms = 60000\nlink_window = 1\n");
	CHECK_EQ(cfg.link_timeout_ms, 60000);
	CHECK_EQ(cfg.link_window, 1);
	CHECK_ERR("guest=g\nlink_timeout_ms = 9\n",
		  "tandem.cfg:2: link_timeout_ms: '9' is below the minimum 10");
	CHECK_ERR("guest=g\nlink_timeout_ms = 60001\n",
		  "tandem.cfg:2: link_timeout_ms: '60001' is above the maximum "
		  "60000");
	CHECK_ERR("guest=g\nlink_window = 0\n",
		  "tandem.cfg:2: link_window: '0' is below the minimum 1");
	CHECK_ERR("guest=g\nlink_window = 65\n",
		  "tandem.cfg:2: link_window: '65' is above the maximum 64");
	CHECK_OK("guest=g\nlink_test_connect = 1\n");
	CHECK_EQ(cfg.link_test_connect, 1);
	CHECK_ERR("guest=g\nlink_test_connect = 2\n",
		  "tandem.cfg:2: link_test_connect: '2' is above the maximum 1");
	CHECK_ERR("guest=g\nlink_test_version = 256\n",
		  "tandem.cfg:2: link_test_version: '256' is above the maximum "
		  "255");
	CHECK_ERR("guest=g\nrole = primary\nrole = backup\n",
		  "tandem.cfg:3: duplicate key 'role'");
	CHECK_ERR("guest=g\nrole = 0123456789abcdef\n",
		  "tandem.cfg:2: role: value is 16 characters long, the maximum "
		  "is 15");
	CHECK_ERR("guest=g\nnic = 0123456789abcdef0123456789abcdef\n",
		  "tandem.cfg:2: nic: value is 32 characters long, the maximum "
		  "is 31");
}

static void test_unknown_key(void)
{
	CHECK_ERR("guest = a\n\n# c\nfoo = 1\n",
		  "tandem.cfg:4: unknown key 'foo'");
	/* Keys are case-sensitive. */
	CHECK_ERR("Guest = a\n", "tandem.cfg:1: unknown key 'Guest'");
	CHECK_ERR("guest = a\nmemory_size = 64M\n",
		  "tandem.cfg:2: unknown key 'memory_size'");
	/* The unknown key is reported before its value is looked at. */
	CHECK_ERR("foo = \"unterminated\n", "tandem.cfg:1: unknown key 'foo'");
	CHECK_ERR("a_very_long_key_name_that_goes_on_and_on_and_on_forever = 1\n",
		  "tandem.cfg:1: unknown key 'a_very_long_key_name_that_goes_"
		  "on_and_on_and...'");
}

static void test_duplicate_key(void)
{
	CHECK_ERR("guest = a\nmemory = 64M\n\n# x\nguest = b\n",
		  "tandem.cfg:5: duplicate key 'guest'");
	CHECK_ERR("guest = a\ncmdline=\ncmdline=\n",
		  "tandem.cfg:3: duplicate key 'cmdline'");
}

static void test_syntax_errors(void)
{
	CHECK_ERR("guest = a\nmemory = 64M\nserial_port 0x3f8\n",
		  "tandem.cfg:3: expected 'key = value'");
	CHECK_ERR("= value\n", "tandem.cfg:1: expected 'key = value'");
	CHECK_ERR("gu est = x\n", "tandem.cfg:1: expected 'key = value'");
	CHECK_ERR("guest: x\n", "tandem.cfg:1: expected 'key = value'");
	CHECK_ERR("guest\n", "tandem.cfg:1: expected 'key = value'");
	CHECK_ERR("[section]\n", "tandem.cfg:1: expected 'key = value'");
	CHECK_ERR("\"guest\" = x\n", "tandem.cfg:1: expected 'key = value'");
}

#define NO_GUEST "tandem.cfg: missing required key 'guest' (a multiboot " \
		 "kernel) or 'kernel' (a Linux bzImage)"

static void test_missing_guest(void)
{
	CHECK_ERR("", NO_GUEST);
	CHECK_ERR("\n\n", NO_GUEST);
	CHECK_ERR("# only comments\n", NO_GUEST);
	CHECK_ERR("memory = 64M\ncmdline = x\n", NO_GUEST);
	CHECK_EQ(parse_n("", 0), -1);
}

static void test_linux_kernel(void)
{
	REQUIRE(parse("kernel = vmlinuz\ninitrd = initrd.img\n"
		      "memory = 256M\n") == 0);
	CHECK_STR(cfg.kernel, "vmlinuz");
	CHECK_STR(cfg.initrd, "initrd.img");
	CHECK_STR(cfg.guest, "");
	CHECK_ERR("guest = a.elf\nkernel = vmlinuz\n",
		  "tandem.cfg: 'guest' and 'kernel' both given: name one guest");
	CHECK_ERR("guest = a.elf\ninitrd = i.img\n",
		  "tandem.cfg: 'initrd' needs 'kernel' (a multiboot guest "
		  "takes no initrd)");
}

static void test_nul_bytes(void)
{
	static const char text[] = "guest = a\nmem\0ory = 64M\n";
	static const char text2[] = "guest = a\0\n";
	static const char text3[] = "# comment \0\nguest = a\n";

	CHECK_EQ(parse_n(text, sizeof(text) - 1), -1);
	CHECK_STR(err, "tandem.cfg:2: NUL byte in the text (not a text file?)");
	CHECK_EQ(parse_n(text2, sizeof(text2) - 1), -1);
	CHECK_STR(err, "tandem.cfg:1: NUL byte in the text (not a text file?)");
	CHECK_EQ(parse_n(text3, sizeof(text3) - 1), -1);
	CHECK_STR(err, "tandem.cfg:1: NUL byte in the text (not a text file?)");
	/* The length given is what counts, not a NUL terminator. */
	CHECK_EQ(parse_n("guest = abcdef", 9), 0);
	CHECK_STR(cfg.guest, "a");
}

/* Messages stay on one line whatever the input holds. */
static void test_message_one_line(void)
{
	CHECK_ERR("guest=g\nmemory = 1\x01M\n",
		  "tandem.cfg:2: memory: '1?M' is not a size (use e.g. 64M)");
	CHECK_ERR("guest=g\nserial_port = 1\r2\r\n",
		  "tandem.cfg:2: serial_port: '1?2' is not a number");
}

static void test_small_err_buffer(void)
{
	struct tandem_config c;
	char *small = malloc(12);

	REQUIRE(small);
	CHECK_EQ(config_parse(&c, "x", 1, "tandem.cfg", small, 12), -1);
	CHECK_STR(small, "tandem.cfg:");
	CHECK_EQ(config_parse(&c, "foo=1", 5, "tandem.cfg", small, 1), -1);
	CHECK_STR(small, "");
	free(small);
	CHECK_EQ(config_parse(&c, "foo=1", 5, "tandem.cfg", NULL, 0), -1);
	CHECK_EQ(config_parse(&c, "guest=a", 7, "tandem.cfg", NULL, 0), 0);
	CHECK_STR(c.guest, "a");
}

/* Random text built from config-ish pieces: never a crash; a success
 * leaves a consistent config, a failure one line naming the file. */
static void test_fuzz(void)
{
	static const char *const pieces[] = {
		"guest", "cmdline", "memory", "serial_port", "serial_baud",
		"host_exit_port", "=", " ", "\t", "\n", "\r\n", "#", "\"",
		"64M", "0x", "ffff", "99999999999999999999", "K", "G", "iB",
		"115200", "\\a.elf", "\0", "x", "-", "1", "0",
	};
	const size_t npieces = sizeof(pieces) / sizeof(pieces[0]);
	uint32_t seed = 12345;
	char text[256];

	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0;

		for (int n = 0; n < 24; n++) {
			const char *p;
			size_t pl;

			seed = seed * 1103515245u + 12345u;
			p = pieces[(seed >> 16) % npieces];
			pl = *p ? strlen(p) : 1;
			if (len + pl > sizeof(text))
				break;
			memcpy(text + len, p, pl);
			len += pl;
		}
		if (parse_n(text, len) == 0) {
			CHECK(cfg.guest[0] != '\0');
			CHECK(memchr(cfg.guest, 0, sizeof(cfg.guest)));
			CHECK(memchr(cfg.cmdline, 0, sizeof(cfg.cmdline)));
			CHECK(cfg.memory % MIB == 0);
			CHECK(cfg.memory >= 4 * MIB && cfg.memory <= 3072 * MIB);
			CHECK(cfg.serial_port != 0);
		} else {
			CHECK(!strncmp(err, "tandem.cfg", 10));
			CHECK(strchr(err, '\n') == NULL);
			CHECK(strchr(err, '\r') == NULL);
		}
	}
}

static const struct tcase cases[] = {
	TCASE(minimal_defaults),
	TCASE(all_keys),
	TCASE(defaults_reset),
	TCASE(guest_path),
	TCASE(cmdline),
	TCASE(comments),
	TCASE(quotes),
	TCASE(blank_lines_and_spaces),
	TCASE(crlf),
	TCASE(bom),
	TCASE(memory_sizes),
	TCASE(memory_errors),
	TCASE(memory_overflow),
	TCASE(serial_port),
	TCASE(serial_baud),
	TCASE(host_exit_port),
	TCASE(epoch_skid),
	TCASE(link_keys),
	TCASE(unknown_key),
	TCASE(duplicate_key),
	TCASE(syntax_errors),
	TCASE(missing_guest),
	TCASE(linux_kernel),
	TCASE(nul_bytes),
	TCASE(message_one_line),
	TCASE(small_err_buffer),
	TCASE(fuzz),
};

int main(int argc, char **argv)
{
	return RUN_CASES("config", cases, argc, argv);
}
