/* Entry from start.asm, exit and failure reporting, multiboot helpers. */
#include "guest.h"

void guest_entry(uint32_t magic, uint32_t info);

void guest_entry(uint32_t magic, uint32_t info)
{
	printf("%s: start\n", guest_name);
	if (magic != MB_BOOT_MAGIC)
		fail(EXIT_BAD_MAGIC, "boot magic 0x%x, expected 0x%x", magic,
		     MB_BOOT_MAGIC);
	guest_main((const struct mb_info *)info);
	printf("%s: ok\n", guest_name);
	guest_exit(0);
}

void guest_exit(uint8_t v)
{
	outb(EXIT_PORT, v);
	/* No exit device: stop here rather than run off the end. */
	for (;;)
		asm volatile("cli; hlt");
}

void fail(uint8_t v, const char *fmt, ...)
{
	va_list ap;

	printf("%s: FAIL ", guest_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	guest_exit(v);
}

const char *mb_cmdline(const struct mb_info *mbi)
{
	if (!(mbi->flags & MB_INFO_CMDLINE) || !mbi->cmdline)
		return "";
	return (const char *)mbi->cmdline;
}

const char *mb_loader_name(const struct mb_info *mbi)
{
	if (!(mbi->flags & MB_INFO_LOADER_NAME) || !mbi->boot_loader_name)
		return "";
	return (const char *)mbi->boot_loader_name;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] && s[n] != ' ')
		n++;
	return n;
}

/* The next word of a space-separated list, or NULL at its end. */
static const char *next_word(const char *s, size_t *len)
{
	while (*s == ' ')
		s++;
	if (!*s)
		return NULL;
	*len = word_len(s);
	return s;
}

int cmdline_has(const char *cmdline, const char *word)
{
	size_t wl = strlen(word), len;
	const char *w;

	for (w = cmdline; (w = next_word(w, &len)); w += len)
		if (len == wl && !strncmp(w, word, len))
			return 1;
	return 0;
}

int cmdline_value(const char *cmdline, const char *key, char *buf,
		  size_t size)
{
	size_t kl = strlen(key), len;
	const char *w;

	for (w = cmdline; (w = next_word(w, &len)); w += len) {
		if (len < kl || strncmp(w, key, kl))
			continue;
		if (len - kl >= size)
			return -1;
		memcpy(buf, w + kl, len - kl);
		buf[len - kl] = '\0';
		return 0;
	}
	return -1;
}

uint32_t cmdline_uint(const char *cmdline, const char *key, uint32_t def)
{
	char buf[16];
	uint32_t n = 0;

	if (cmdline_value(cmdline, key, buf, sizeof(buf)))
		return def;
	for (const char *p = buf; *p >= '0' && *p <= '9'; p++)
		n = n * 10 + (uint32_t)(*p - '0');
	return n;
}
