/* The demo guest of "make run": a banner, what the loader passed, then an
 * echo of each typed line. The line "exit" quits; the command-line word
 * "autoexit" quits right after the banner (for the automated test). */
#include "guest.h"

const char guest_name[] = "hello";

#define LINE_MAX	128

/* Read one line with local echo; CR, LF or CR LF ends it. */
static void read_line(char *buf, size_t size)
{
	static int last_cr;
	size_t n = 0;
	int c;

	for (;;) {
		c = uart_getc();
		if (c == '\n' && last_cr) {
			last_cr = 0;
			continue;
		}
		last_cr = c == '\r';
		if (c == '\r' || c == '\n')
			break;
		if (c == 0x08 || c == 0x7F) {
			if (n) {
				n--;
				uart_write("\b \b", 3);
			}
			continue;
		}
		if (c < ' ' || n + 1 >= size)
			continue;
		buf[n++] = (char)c;
		uart_putc((char)c);
	}
	buf[n] = '\0';
	uart_putc('\n');
}

void guest_main(const struct mb_info *mbi)
{
	const char *cmdline = mb_cmdline(mbi);
	char line[LINE_MAX];

	printf("hello from a tandem guest\n");
	printf("hello: boot loader: %s\n", mb_loader_name(mbi));
	printf("hello: cmdline: %s\n", cmdline);
	if (cmdline_has(cmdline, "autoexit"))
		return;

	printf("hello: type a line and press Enter; \"exit\" quits\n");
	for (;;) {
		read_line(line, sizeof(line));
		printf("you typed: %s\n", line);
		if (!strcmp(line, "exit"))
			return;
	}
}
