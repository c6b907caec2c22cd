#include "core/guestlog.h"
#include "lib/print.h"
#include "lib/string.h"

static struct guestlog log;

static bool contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s; s++)
		if (!strncmp(s, needle, n))
			return true;
	return false;
}

static void end_line(struct guestlog *g)
{
	char *line = g->lines[g->next];

	line[g->len] = '\0';
	if (contains(line, "Kernel panic - not syncing"))
		g->panic = true;
	if (g->panic && contains(line, "---[ end Kernel panic"))
		g->panic_done = true;
	g->next = (g->next + 1) % GUESTLOG_LINES;
	if (g->count < GUESTLOG_LINES)
		g->count++;
	g->len = 0;
}

void guestlog_feed(struct guestlog *g, uint8_t c)
{
	if (c == '\n') {
		end_line(g);
		return;
	}
	/* escapes and CRs are no use in a report; long lines are cut */
	if (c < 0x20 || c == 0x7f || g->len + 1 >= GUESTLOG_LINE_MAX)
		return;
	g->lines[g->next][g->len++] = (char)c;
}

void guestlog_reset(void)
{
	memset(&log, 0, sizeof(log));
}

void guestlog_putc(uint8_t c)
{
	guestlog_feed(&log, c);
}

bool guestlog_panic_seen(void)
{
	return log.panic;
}

bool guestlog_panic_done(void)
{
	return log.panic_done;
}

void guestlog_print_tail(void)
{
	unsigned first = (log.next + GUESTLOG_LINES - log.count) %
			 GUESTLOG_LINES;

	pr("last %u lines of guest console output:\n", log.count);
	for (unsigned i = 0; i < log.count; i++)
		pr("| %s\n", log.lines[(first + i) % GUESTLOG_LINES]);
}
