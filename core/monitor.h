/* The tandem monitor: a command line on the serial console. */
#ifndef CORE_MONITOR_H
#define CORE_MONITOR_H

#include <stddef.h>

#define MONITOR_LINE_MAX	128
#define MONITOR_ARGS_MAX	8

struct monitor_cmd {
	const char *name;
	const char *args;	/* usage of the arguments, "" for none */
	const char *help;
	int min_args, max_args;
	void (*run)(int argc, char **argv);
};

/* Called when the operator switches to the monitor. */
void monitor_enter(void);
/* One byte typed while the monitor has the console (line editing). */
void monitor_input(char c);
/* Run one command line; prints its output or a one-line error. */
void monitor_exec(char *line);

/* Pure helpers, exposed for unit tests. */
int monitor_split(char *line, char **argv, int max);
const struct monitor_cmd *monitor_find(const struct monitor_cmd *table,
				       size_t n, const char *name);

#endif
