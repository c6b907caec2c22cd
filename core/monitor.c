/* Monitor commands. The table is the only list of commands: help and
 * dispatch both read it. */
#include "core/monitor.h"
#include "core/machine.h"
#include "drivers/serial.h"
#include "ft/epoch.h"
#include "ft/ft.h"
#include "lib/print.h"
#include "lib/string.h"

#define PROMPT	"(tandem) "

static void cmd_help(int argc, char **argv);

static void cmd_status(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_print_status();
}

static void cmd_regs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_print_regs();
}

static void cmd_pause(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_pause();
}

static void cmd_resume(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_resume();
}

static void cmd_poweroff(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_poweroff();
}

static void cmd_reboot(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	machine_reboot();
}

static void cmd_link(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	ft_cmd_link();
}

static void cmd_linktest(int argc, char **argv)
{
	unsigned mib = 0;

	(void)argc;
	for (const char *p = argv[0]; *p; p++) {
		if (*p < '0' || *p > '9' || mib > 4096) {
			pr("usage: linktest MiB (0 to 4096; 0: RTT only)\n");
			return;
		}
		mib = mib * 10 + (unsigned)(*p - '0');
	}
	if (mib > 4096) {
		pr("usage: linktest MiB (0 to 4096; 0: RTT only)\n");
		return;
	}
	ft_cmd_linktest(mib);
}

static void cmd_epoch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	epoch_print_status();
}

static void cmd_replaycheck(int argc, char **argv)
{
	uint32_t n = 0;

	(void)argc;
	for (const char *p = argv[0]; *p; p++) {
		if (*p < '0' || *p > '9' || n > 1000000) {
			pr("usage: replaycheck N (1 to 1000000 epochs)\n");
			return;
		}
		n = n * 10 + (uint32_t)(*p - '0');
	}
	if (!n || n > 1000000) {
		pr("usage: replaycheck N (1 to 1000000 epochs)\n");
		return;
	}
	epoch_replaycheck(n);
}

static const struct monitor_cmd commands[] = {
	{ "help", "", "list commands", 0, 0, cmd_help },
	{ "status", "", "uptime, guest state, VM exits by reason", 0, 0,
	  cmd_status },
	{ "regs", "", "the guest's registers and last VM exit", 0, 0,
	  cmd_regs },
	{ "pause", "", "stop running the guest", 0, 0, cmd_pause },
	{ "resume", "", "run the guest again", 0, 0, cmd_resume },
	{ "poweroff", "", "power the machine off", 0, 0, cmd_poweroff },
	{ "reboot", "", "restart the machine", 0, 0, cmd_reboot },
	{ "link", "", "replication link: state, peer, RTT, counters", 0, 0,
	  cmd_link },
	{ "linktest", "MiB", "send MiB to the peer: RTT, throughput, digest",
	  1, 1, cmd_linktest },
	{ "epoch", "", "epochs: counter, E, epochs run, epoch-end cost, log",
	  0, 0, cmd_epoch },
	{ "replaycheck", "N", "record N epochs, restore, replay, compare", 1,
	  1, cmd_replaycheck },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	for (size_t i = 0; i < NCOMMANDS; i++)
		pr_raw("  %-10s %-8s %s\n", commands[i].name, commands[i].args,
		       commands[i].help);
	pr_raw("  Ctrl-A c switches between the guest console and this "
	       "monitor\n");
}

int monitor_split(char *line, char **argv, int max)
{
	int argc = 0;

	for (;;) {
		while (*line == ' ' || *line == '\t')
			*line++ = '\0';
		if (!*line)
			return argc;
		if (argc == max)
			return -1;
		argv[argc++] = line;
		while (*line && *line != ' ' && *line != '\t')
			line++;
	}
}

const struct monitor_cmd *monitor_find(const struct monitor_cmd *table,
				       size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

void monitor_exec(char *line)
{
	char *argv[MONITOR_ARGS_MAX];
	int argc = monitor_split(line, argv, MONITOR_ARGS_MAX);
	const struct monitor_cmd *c;

	if (argc == 0)
		return;
	if (argc < 0) {
		pr("too many arguments\n");
		return;
	}
	c = monitor_find(commands, NCOMMANDS, argv[0]);
	if (!c) {
		pr("unknown command '%s' (try 'help')\n", argv[0]);
		return;
	}
	if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
		pr("usage: %s %s\n", c->name, c->args);
		return;
	}
	c->run(argc - 1, argv + 1);
}

static char line[MONITOR_LINE_MAX];
static size_t line_len;

void monitor_enter(void)
{
	pr_raw("\n");
	pr("monitor (type 'help'; Ctrl-A c returns to the guest)\n");
	line_len = 0;
	pr_raw(PROMPT);
}

void monitor_input(char c)
{
	if (c == '\r' || c == '\n') {
		pr_raw("\n");
		line[line_len] = '\0';
		line_len = 0;
		monitor_exec(line);
		pr_raw(PROMPT);
		return;
	}
	if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			pr_raw("\b \b");
		}
		return;
	}
	if ((unsigned char)c < 0x20 || line_len + 1 >= sizeof(line))
		return;
	line[line_len++] = c;
	serial_putc(c);
}
