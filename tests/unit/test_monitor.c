/* Unit tests for core/monitor.c: splitting a command line, finding a
 * command, and dispatch with the machine stubbed out. */
#include "tests/unit/check.h"
#include "core/machine.h"
#include "core/monitor.h"
#include "drivers/serial.h"
#include "ft/ft.h"
#include "lib/print.h"

/* ---- what monitor.c links against -------------------------------------- */

static int status_calls, pause_calls, resume_calls;

void machine_print_status(void)
{
	status_calls++;
}

void machine_print_regs(void)
{
}

void machine_pause(void)
{
	pause_calls++;
}

void machine_resume(void)
{
	resume_calls++;
}

void machine_poweroff(void)
{
	abort();
}

void machine_reboot(void)
{
	abort();
}

void serial_putc(char c)
{
	(void)c;
}

static int link_calls;
static unsigned linktest_mib = 9999;

void ft_cmd_link(void)
{
	link_calls++;
}

void epoch_print_status(void)
{
}

void epoch_replaycheck(uint32_t n)
{
	(void)n;
}

void ft_cmd_linktest(unsigned mib)
{
	linktest_mib = mib;
}

static char out[4096];
static size_t out_len;

static void sink(const char *buf, size_t len)
{
	if (len > sizeof(out) - 1 - out_len)
		len = sizeof(out) - 1 - out_len;
	memcpy(out + out_len, buf, len);
	out_len += len;
	out[out_len] = '\0';
}

/* ---- monitor_split --------------------------------------------------- */

static void test_split_spaces(void)
{
	char line[] = "status  now please";
	char *argv[MONITOR_ARGS_MAX];

	REQUIRE(monitor_split(line, argv, MONITOR_ARGS_MAX) == 3);
	CHECK_STR(argv[0], "status");
	CHECK_STR(argv[1], "now");
	CHECK_STR(argv[2], "please");
}

static void test_split_tabs_and_edges(void)
{
	char line[] = " \t pause\tx \t y\t ";
	char *argv[MONITOR_ARGS_MAX];

	REQUIRE(monitor_split(line, argv, MONITOR_ARGS_MAX) == 3);
	CHECK_STR(argv[0], "pause");
	CHECK_STR(argv[1], "x");
	CHECK_STR(argv[2], "y");
}

static void test_split_empty(void)
{
	char empty[] = "", blank[] = " \t  \t";
	char *argv[MONITOR_ARGS_MAX];

	CHECK_EQ(monitor_split(empty, argv, MONITOR_ARGS_MAX), 0);
	CHECK_EQ(monitor_split(blank, argv, MONITOR_ARGS_MAX), 0);
}

static void test_split_too_many(void)
{
	char exact[] = "a b c", over[] = "a b c d", trail[] = "a b c   ";
	char *argv[3];

	CHECK_EQ(monitor_split(exact, argv, 3), 3);
	CHECK_STR(argv[2], "c");
	CHECK_EQ(monitor_split(over, argv, 3), -1);
	/* trailing blanks are not an argument */
	CHECK_EQ(monitor_split(trail, argv, 3), 3);
}

static void test_split_max_zero(void)
{
	char none[] = "  ", one[] = "x";
	char *argv[1];

	CHECK_EQ(monitor_split(none, argv, 0), 0);
	CHECK_EQ(monitor_split(one, argv, 0), -1);
}

/* ---- monitor_find ---------------------------------------------------- */

static void run_nothing(int argc, char **argv)
{
	(void)argc;
	(void)argv;
}

static const struct monitor_cmd table[] = {
	{ "help", "", "list", 0, 0, run_nothing },
	{ "pause", "", "stop", 0, 0, run_nothing },
	{ "poweroff", "", "off", 0, 0, run_nothing },
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

static void test_find(void)
{
	CHECK(monitor_find(table, NTABLE, "help") == &table[0]);
	CHECK(monitor_find(table, NTABLE, "pause") == &table[1]);
	CHECK(monitor_find(table, NTABLE, "poweroff") == &table[2]);
}

static void test_find_exact_only(void)
{
	CHECK(monitor_find(table, NTABLE, "pa") == NULL);
	CHECK(monitor_find(table, NTABLE, "pauses") == NULL);
	CHECK(monitor_find(table, NTABLE, "PAUSE") == NULL);
	CHECK(monitor_find(table, NTABLE, "") == NULL);
	CHECK(monitor_find(table, 0, "help") == NULL);
}

/* ---- monitor_exec ---------------------------------------------------- */

static void exec(const char *cmd)
{
	char line[MONITOR_LINE_MAX];

	snprintf(line, sizeof(line), "%s", cmd);
	out_len = 0;
	out[0] = '\0';
	print_set_sink(sink);
	monitor_exec(line);
}

static void test_exec_dispatch(void)
{
	exec("status");
	CHECK_EQ(status_calls, 1);
	exec("\tpause ");
	CHECK_EQ(pause_calls, 1);
	exec("resume");
	CHECK_EQ(resume_calls, 1);
	CHECK_STR(out, "");
}

static void test_exec_errors(void)
{
	exec("");
	CHECK_STR(out, "");
	exec("bogus");
	CHECK_STR(out, "tandem: unknown command 'bogus' (try 'help')\n");
	exec("status extra");
	CHECK_STR(out, "tandem: usage: status \n");
	CHECK_EQ(status_calls, 0);
	exec("a b c d e f g h i");
	CHECK_STR(out, "tandem: too many arguments\n");
}

static void test_exec_help(void)
{
	exec("help");
	CHECK(strstr(out, "  status ") != NULL);
	CHECK(strstr(out, "  poweroff ") != NULL);
	CHECK(strstr(out, "Ctrl-A c") != NULL);
}

static void test_exec_link(void)
{
	exec("link");
	CHECK_EQ(link_calls, 1);
	exec("linktest 16");
	CHECK_EQ(linktest_mib, 16);
	exec("linktest 0");
	CHECK_EQ(linktest_mib, 0);
	CHECK_STR(out, "");
	exec("linktest 4097");
	CHECK_STR(out, "tandem: usage: linktest MiB (0 to 4096; 0: RTT only)\n");
	exec("linktest 1x");
	CHECK_STR(out, "tandem: usage: linktest MiB (0 to 4096; 0: RTT only)\n");
	exec("linktest 99999999999999999999");
	CHECK_STR(out, "tandem: usage: linktest MiB (0 to 4096; 0: RTT only)\n");
	CHECK_EQ(linktest_mib, 0);
}

static const struct tcase cases[] = {
	TCASE(split_spaces),
	TCASE(split_tabs_and_edges),
	TCASE(split_empty),
	TCASE(split_too_many),
	TCASE(split_max_zero),
	TCASE(find),
	TCASE(find_exact_only),
	TCASE(exec_dispatch),
	TCASE(exec_errors),
	TCASE(exec_help),
	TCASE(exec_link),
};

int main(int argc, char **argv)
{
	return RUN_CASES("monitor", cases, argc, argv);
}
