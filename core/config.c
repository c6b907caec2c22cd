/* tandem.cfg parser. Pure: no hardware, no UEFI, no libc beyond
 * lib/string.h and lib/print.h, so it is unit-tested on the host.
 *
 * Every key is one line in 'keys' below; the syntax is described in
 * core/config.h.
 */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/hex.h"
#include "lib/string.h"
#include "lib/print.h"
#include "core/config.h"

#define KIB	1024ull
#define MIB	(1024ull * KIB)
#define GIB	(1024ull * MIB)

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

enum cfg_type {
	CFG_STR,	/* text; min/max bound its length (max 0: field size) */
	CFG_UINT,	/* decimal or 0x-hex integer within [min, max] */
	CFG_SIZE,	/* integer, optional K/M/G suffix, multiple of 1 MiB */
};

#define K_REQ		0x1u	/* required: config_parse fails without it */
#define K_HEX		0x2u	/* show limits in hex (I/O ports) */

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;		/* of the field in struct tandem_config */
	size_t width;		/* of that field, bytes */
	uint64_t min, max;
	uint64_t def;		/* default of a number; strings default "" */
	unsigned flags;
	const uint32_t *only;	/* if set: the values allowed, 0-ended */
};

/* The key name is the struct tandem_config field name; optional last
 * arguments are more initializers (.only). */
#define KEY(f, t, lo, hi, d, fl, ...)					\
	{ .name = #f, .type = t, .off = offsetof(struct tandem_config, f), \
	  .width = sizeof(((struct tandem_config *)0)->f), .min = lo,	\
	  .max = hi, .def = d, .flags = fl, __VA_ARGS__ }

static const uint32_t bauds[] = { 9600, 19200, 38400, 57600, 115200, 0 };

static const struct cfg_key keys[] = {
	/*  key             type      min      max         default   flags */
	KEY(guest,          CFG_STR,  1,       0,          0,        0),
	KEY(kernel,         CFG_STR,  1,       0,          0,        0),
	KEY(initrd,         CFG_STR,  1,       0,          0,        0),
	KEY(cmdline,        CFG_STR,  0,       0,          0,        0),
	KEY(memory,         CFG_SIZE, 4 * MIB, 3072 * MIB, 64 * MIB, 0),
	KEY(serial_port,    CFG_UINT, 1,       0xffff,     0x3f8,    K_HEX),
	KEY(serial_baud,    CFG_UINT, 9600,    115200,     115200,   0,
	    .only = bauds),
	KEY(host_exit_port, CFG_UINT, 0,       0xffff,     0,        K_HEX),
	KEY(role,           CFG_STR,  0,       0,          0,        0),
	KEY(nic,            CFG_STR,  0,       0,          0,        0),
	KEY(link_key,       CFG_STR,  0,       0,          0,        0),
	KEY(link_timeout_ms, CFG_UINT, 10,     60000,      1000,     0),
	KEY(link_window,    CFG_UINT, 1,       64,         64,       0),
	KEY(link_test_version, CFG_UINT, 0,    255,        0,        0),
	KEY(link_test_connect, CFG_UINT, 0,    1,          0,        0),
	KEY(test_host_fault, CFG_UINT, 0,      1,          0,        0),
	KEY(epoch,          CFG_UINT, 0,       1000000000, 0,        0),
	KEY(epoch_counter,  CFG_STR,  0,       0,          0,        0),
	KEY(epoch_skid,     CFG_UINT, 0,       1000000000, 0,        0),
	KEY(replaycheck,    CFG_UINT, 0,       1000000,    0,        0),
	KEY(replay_corrupt_epoch, CFG_UINT, 0, 1000000,    0,        0),
	KEY(epoch_log,      CFG_SIZE, 1 * MIB, 1024 * MIB, 16 * MIB, 0),
	KEY(replay_dump,    CFG_UINT, 0,       1,          0,        0),
};

struct span {
	const char *s;
	size_t len;
};

struct parser {
	const char *file;
	unsigned line;		/* 1-based; 0 for whole-file errors */
	char *err;
	size_t errlen;
	unsigned seen[ARRAY_SIZE(keys)];	/* line that set each key */
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errlen)
		return -1;
	if (p->line)
		n = tsnprintf(p->err, p->errlen, "%s:%u: ", p->file, p->line);
	else
		n = tsnprintf(p->err, p->errlen, "%s: ", p->file);
	if (n < 0 || (size_t)n >= p->errlen)
		return -1;
	va_start(ap, fmt);
	tvsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static struct span trim(struct span v)
{
	while (v.len && is_blank(v.s[0])) {
		v.s++;
		v.len--;
	}
	while (v.len && is_blank(v.s[v.len - 1]))
		v.len--;
	return v;
}

/* A value quoted for a message: bounded, and printable so that the
 * message stays one line. */
static const char *show(char *buf, size_t size, struct span v)
{
	size_t n = v.len < size - 4 ? v.len : size - 4;
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v.s[i];

		buf[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (n < v.len)
		for (int j = 0; j < 3; j++)
			buf[i++] = '.';
	buf[i] = '\0';
	return buf;
}

static void fmt_size(char *buf, size_t size, uint64_t v)
{
	if (v % MIB == 0)
		tsnprintf(buf, size, "%llu MiB", (unsigned long long)(v / MIB));
	else if (v % KIB == 0)
		tsnprintf(buf, size, "%llu KiB", (unsigned long long)(v / KIB));
	else
		tsnprintf(buf, size, "%llu bytes", (unsigned long long)v);
}

static void fmt_limit(char *buf, size_t size, const struct cfg_key *k,
		      uint64_t v)
{
	if (k->type == CFG_SIZE)
		fmt_size(buf, size, v);
	else if (k->flags & K_HEX)
		tsnprintf(buf, size, "0x%llx", (unsigned long long)v);
	else
		tsnprintf(buf, size, "%llu", (unsigned long long)v);
}

/* Decimal or 0x-hex digits at the start of v. Returns the number of
 * characters used (0: no number there); *ovf is set if the value does
 * not fit 64 bits, rather than letting it wrap. */
static size_t parse_num(struct span v, uint64_t *out, bool *ovf)
{
	unsigned base = 10;
	size_t i = 0, start;
	uint64_t x = 0;

	*ovf = false;
	if (v.len > 2 && v.s[0] == '0' && (v.s[1] == 'x' || v.s[1] == 'X')) {
		base = 16;
		i = 2;
	}
	for (start = i; i < v.len; i++) {
		int d = hex_digit(v.s[i]);

		if (d < 0 || (unsigned)d >= base)
			break;
		if (x > (UINT64_MAX - (unsigned)d) / base)
			*ovf = true;
		x = x * base + (unsigned)d;
	}
	if (i == start)
		return 0;
	*out = x;
	return i;
}

static bool span_eq_nocase(struct span v, const char *s)
{
	size_t n = strlen(s);

	if (v.len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = v.s[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c != s[i])
			return false;
	}
	return true;
}

/* Multiplier of a size suffix ("", K, KiB, M, MiB, G, GiB; any case),
 * 0 if it is not one. */
static uint64_t size_unit(struct span v)
{
	static const struct {
		const char *name;
		uint64_t mul;
	} units[] = {
		{ "", 1 }, { "k", KIB }, { "kib", KIB }, { "m", MIB },
		{ "mib", MIB }, { "g", GIB }, { "gib", GIB },
	};

	v = trim(v);
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (span_eq_nocase(v, units[i].name))
			return units[i].mul;
	return 0;
}

static void store(struct tandem_config *cfg, const struct cfg_key *k,
		  uint64_t v)
{
	uint8_t *f = (uint8_t *)cfg + k->off;

	/* Through memcpy: a uint8_t * cast to uint16_t * is not portable. */
	if (k->width == 1) {
		uint8_t x = (uint8_t)v;
		memcpy(f, &x, 1);
	} else if (k->width == 2) {
		uint16_t x = (uint16_t)v;
		memcpy(f, &x, 2);
	} else if (k->width == 4) {
		uint32_t x = (uint32_t)v;
		memcpy(f, &x, 4);
	} else {
		memcpy(f, &v, 8);
	}
}

static int set_str(struct parser *p, struct tandem_config *cfg,
		   const struct cfg_key *k, struct span v)
{
	size_t max = k->max ? k->max : k->width - 1;
	char *f = (char *)cfg + k->off;

	if (v.len > max)
		return fail(p, "%s: value is %zu characters long, the maximum is %zu",
			    k->name, v.len, max);
	if (!v.len && k->min)
		return fail(p, "%s: value is empty", k->name);
	if (v.len < k->min)
		return fail(p, "%s: value is %zu characters long, the minimum is %llu",
			    k->name, v.len, (unsigned long long)k->min);
	memcpy(f, v.s, v.len);
	f[v.len] = '\0';
	return 0;
}

static int check_only(struct parser *p, const struct cfg_key *k,
		      struct span v, uint64_t x)
{
	char list[128], shown[48];
	size_t n = 0;

	for (const uint32_t *o = k->only; *o; o++)
		if (x == *o)
			return 0;
	list[0] = '\0';
	for (const uint32_t *o = k->only; *o && n < sizeof(list); o++)
		n += (size_t)tsnprintf(list + n, sizeof(list) - n, "%s%u",
				       o == k->only ? "" : ", ", *o);
	return fail(p, "%s: '%s' is not one of %s", k->name,
		    show(shown, sizeof(shown), v), list);
}

static int set_uint(struct parser *p, struct tandem_config *cfg,
		    const struct cfg_key *k, struct span v)
{
	char shown[48], lim[32];
	uint64_t x;
	bool ovf;

	if (!v.len || parse_num(v, &x, &ovf) != v.len)
		return fail(p, "%s: '%s' is not a number", k->name,
			    show(shown, sizeof(shown), v));
	if (ovf || x > k->max) {
		fmt_limit(lim, sizeof(lim), k, k->max);
		return fail(p, "%s: '%s' is above the maximum %s", k->name,
			    show(shown, sizeof(shown), v), lim);
	}
	if (x < k->min) {
		fmt_limit(lim, sizeof(lim), k, k->min);
		return fail(p, "%s: '%s' is below the minimum %s", k->name,
			    show(shown, sizeof(shown), v), lim);
	}
	if (k->only && check_only(p, k, v, x))
		return -1;
	store(cfg, k, x);
	return 0;
}

static int set_size(struct parser *p, struct tandem_config *cfg,
		    const struct cfg_key *k, struct span v)
{
	char shown[48], val[32], lim[32];
	struct span rest;
	uint64_t x, mul;
	size_t used;
	bool ovf;

	used = parse_num(v, &x, &ovf);
	rest.s = v.s + used;
	rest.len = v.len - used;
	mul = size_unit(rest);
	if (!used || !mul)
		return fail(p, "%s: '%s' is not a size (use e.g. 64M)", k->name,
			    show(shown, sizeof(shown), v));
	if (ovf || x > UINT64_MAX / mul || x * mul > k->max) {
		fmt_limit(lim, sizeof(lim), k, k->max);
		return fail(p, "%s: '%s' is above the maximum %s", k->name,
			    show(shown, sizeof(shown), v), lim);
	}
	x *= mul;
	fmt_size(val, sizeof(val), x);
	if (x % MIB)
		return fail(p, "%s: %s is not a multiple of 1 MiB", k->name, val);
	if (x < k->min) {
		fmt_limit(lim, sizeof(lim), k, k->min);
		return fail(p, "%s: %s is below the minimum %s", k->name, val,
			    lim);
	}
	store(cfg, k, x);
	return 0;
}

/* The value after '=': either "quoted" (everything between the quotes is
 * literal, '#' included), or bare, where a '#' at its start or after a
 * blank starts a comment. */
static int get_value(struct parser *p, const struct cfg_key *k,
		     struct span in, struct span *out)
{
	size_t i;

	in = trim(in);
	if (in.len && in.s[0] == '"') {
		for (i = 1; i < in.len && in.s[i] != '"'; i++)
			;
		if (i == in.len)
			return fail(p, "%s: missing closing '\"'", k->name);
		out->s = in.s + 1;
		out->len = i - 1;
		in.s += i + 1;
		in.len -= i + 1;
		in = trim(in);
		if (in.len && in.s[0] != '#')
			return fail(p, "%s: unexpected text after the closing '\"'",
				    k->name);
		return 0;
	}
	for (i = 0; i < in.len; i++)
		if (in.s[i] == '#' && (i == 0 || is_blank(in.s[i - 1])))
			break;
	in.len = i;
	*out = trim(in);
	return 0;
}

static bool is_key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

static const struct cfg_key *find_key(struct span name)
{
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (strlen(keys[i].name) == name.len &&
		    !memcmp(keys[i].name, name.s, name.len))
			return &keys[i];
	return NULL;
}

static int parse_line(struct parser *p, struct tandem_config *cfg,
		      struct span line)
{
	const struct cfg_key *k;
	struct span key, val;
	char shown[48];
	size_t eq;

	for (size_t i = 0; i < line.len; i++)
		if (!line.s[i])
			return fail(p, "NUL byte in the text (not a text file?)");
	if (line.len && line.s[line.len - 1] == '\r')
		line.len--;
	line = trim(line);
	if (!line.len || line.s[0] == '#')
		return 0;

	for (eq = 0; eq < line.len && line.s[eq] != '='; eq++)
		;
	key.s = line.s;
	key.len = eq;
	key = trim(key);
	if (eq == line.len || !key.len)
		return fail(p, "expected 'key = value'");
	for (size_t i = 0; i < key.len; i++)
		if (!is_key_char(key.s[i]))
			return fail(p, "expected 'key = value'");

	k = find_key(key);
	if (!k)
		return fail(p, "unknown key '%s'",
			    show(shown, sizeof(shown), key));
	if (p->seen[k - keys])
		return fail(p, "duplicate key '%s'", k->name);
	p->seen[k - keys] = p->line;

	val.s = line.s + eq + 1;
	val.len = line.len - eq - 1;
	if (get_value(p, k, val, &val))
		return -1;
	switch (k->type) {
	case CFG_STR:
		return set_str(p, cfg, k, val);
	case CFG_UINT:
		return set_uint(p, cfg, k, val);
	case CFG_SIZE:
		return set_size(p, cfg, k, val);
	}
	return fail(p, "%s: internal error: bad key type", k->name);
}

static void set_defaults(struct tandem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (keys[i].type != CFG_STR)
			store(cfg, &keys[i], keys[i].def);
}

/* One guest: a multiboot kernel ('guest') or a Linux bzImage ('kernel',
 * optionally with 'initrd'). */
static int check_guest_kind(struct parser *p, const struct tandem_config *c)
{
	if (!c->guest[0] && !c->kernel[0])
		return fail(p, "missing required key 'guest' (a multiboot "
			    "kernel) or 'kernel' (a Linux bzImage)");
	if (c->guest[0] && c->kernel[0])
		return fail(p, "'guest' and 'kernel' both given: name one "
			    "guest");
	if (c->initrd[0] && !c->kernel[0])
		return fail(p, "'initrd' needs 'kernel' (a multiboot guest "
			    "takes no initrd)");
	return 0;
}

int config_parse(struct tandem_config *cfg, const char *text, size_t len,
		 const char *file, char *err, size_t errlen)
{
	struct parser p = { .file = file ? file : "config", .err = err,
			    .errlen = errlen };
	size_t pos = 0;

	if (err && errlen)
		err[0] = '\0';
	set_defaults(cfg);
	/* A UTF-8 byte order mark, as some Windows editors write. */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		pos = 3;
	while (pos < len) {
		struct span line = { text + pos, 0 };

		while (pos + line.len < len && text[pos + line.len] != '\n')
			line.len++;
		pos += line.len + 1;
		p.line++;
		if (parse_line(&p, cfg, line))
			return -1;
	}

	p.line = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if ((keys[i].flags & K_REQ) && !p.seen[i])
			return fail(&p, "missing required key '%s'",
				    keys[i].name);
	return check_guest_kind(&p, cfg);
}
