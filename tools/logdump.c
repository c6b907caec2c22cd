/* logdump - print an epoch log (ft/eplog.h, docs/epochs.md) in readable
 * form, one line per record, then a summary per type and per epoch end.
 *
 *   logdump [-s] FILE            FILE holds the log itself
 *   logdump [-s] --console FILE  FILE is a console transcript with a log
 *                                that replay_dump = 1 printed (base64
 *                                between "eplog: begin" and "eplog: end")
 *   -s                           the summary only
 *   -v                           every digest register of each epoch end
 *
 * It decodes with the same pure codec tandem writes with (ft/eplog.c),
 * so a log it reads cleanly is one tandem's replay accepts. Exit status:
 * 0, 1 for a log the codec rejects (the reason names the record and
 * offset), 2 for bad usage or an unreadable file. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "arch/x86/vcpu.h"
#include "ft/crc32c.h"
#include "ft/eplog.h"

static bool summary_only, verbose;

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f)
		return NULL;
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 1 << 16;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	*len = n;
	return buf;
}

static int b64_value(char c)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c ? strchr(set, c) : NULL;

	return p ? (int)(p - set) : -1;
}

/* Decode base64 text from s up to 'stop', skipping line breaks; the
 * bytes go to out (room for 3/4 of the text). Returns their count, or -1
 * on a character outside the alphabet. */
static long b64_decode(const char *s, const char *stop, uint8_t *out)
{
	uint32_t acc = 0;
	int bits = 0;
	long n = 0;

	for (; s < stop; s++) {
		int v;

		if (*s == '\n' || *s == '\r' || *s == '=')
			continue;
		v = b64_value(*s);
		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

/* The log replay_dump printed into a console transcript: its length and
 * CRC-32C from the begin line must match what decodes. */
static uint8_t *from_console(uint8_t *text, size_t len, size_t *out_len)
{
	const char *begin_tag = "eplog: begin ", *end_tag = "tandem: eplog: end";
	char *t, *b, *body, *end;
	unsigned long want;
	unsigned crc;
	uint8_t *log;
	long n;

	t = realloc(text, len + 1);
	if (!t)
		exit(2);
	t[len] = 0;
	b = strstr(t, begin_tag);
	if (!b || sscanf(b + strlen(begin_tag), "%lu bytes crc32c %x", &want,
			 &crc) != 2) {
		fprintf(stderr, "logdump: no \"%s\" line in the transcript\n",
			begin_tag);
		exit(1);
	}
	body = strchr(b, '\n');
	end = body ? strstr(body, end_tag) : NULL;
	if (!end) {
		fprintf(stderr, "logdump: the dump is cut short (no \"%s\")\n",
			end_tag);
		exit(1);
	}
	log = malloc(end - body + 4);
	if (!log)
		exit(2);
	n = b64_decode(body + 1, end, log);
	if (n < 0 || (unsigned long)n != want || crc32c(0, log, n) != crc) {
		fprintf(stderr, "logdump: the dump decodes to %ld bytes, CRC-32C "
			"0x%08x; its begin line says %lu bytes, 0x%08x\n", n,
			n < 0 ? 0 : crc32c(0, log, n), want, crc);
		exit(1);
	}
	free(t);
	*out_len = (size_t)n;
	return log;
}

static uint16_t u16(const uint8_t *p) { return p[0] | p[1] << 8; }

static uint32_t u32(const uint8_t *p)
{
	return u16(p) | (uint32_t)u16(p + 2) << 16;
}

static uint64_t u64(const uint8_t *p)
{
	return u32(p) | (uint64_t)u32(p + 4) << 32;
}

static void print_io(const uint8_t *p, uint32_t len)
{
	printf("io %s port 0x%x size %u count %u", p[3] ? "in" : "out",
	       u16(p), p[2], u16(p + 4));
	if (p[3]) {
		printf(" data");
		for (uint32_t i = 6; i < len && i < 6 + 16; i++)
			printf(" %02x", p[i]);
		if (len > 6 + 16)
			printf(" ...");
	}
}

static void print_end(const uint8_t *p)
{
	struct eplog_end e;

	memcpy(&e, p, sizeof(e));
	printf("end %s progress %lu sub %u rip 0x%lx rcx 0x%lx rflags 0x%lx "
	       "mem 0x%016lx, %u pages written", eplog_end_name(e.kind),
	       (unsigned long)e.progress, e.sub, (unsigned long)e.regs[16],
	       (unsigned long)e.regs[2], (unsigned long)e.regs[17],
	       (unsigned long)e.mem, e.ndirty);
	for (unsigned i = 0; verbose && i < EPLOG_REGS; i++)
		printf("%s%s 0x%lx", i % 6 ? " " : "\n    ",
		       vcpu_digest_reg_name(i), (unsigned long)e.regs[i]);
}

static void print_rec(const struct eplog_rec *r)
{
	const uint8_t *p = r->payload;

	printf("%8lu @%-9lu epoch %-6u ", (unsigned long)r->index,
	       (unsigned long)r->offset, r->epoch);
	switch (r->type) {
	case EPLOG_IO:
		print_io(p, r->len);
		break;
	case EPLOG_CPUID:
		printf("cpuid leaf 0x%x sub 0x%x -> %08x %08x %08x %08x",
		       u32(p), u32(p + 4), u32(p + 8), u32(p + 12),
		       u32(p + 16), u32(p + 20));
		break;
	case EPLOG_MSR:
		printf("msr %s 0x%x%s value 0x%lx", p[4] ? "write" : "read",
		       u32(p), p[5] ? " (#GP)" : "", (unsigned long)u64(p + 6));
		break;
	case EPLOG_TSC:
		printf("tsc %lu", (unsigned long)u64(p));
		break;
	case EPLOG_RAND:
		printf("%s ok %u value 0x%lx", p[0] ? "rdseed" : "rdrand",
		       p[1], (unsigned long)u64(p + 2));
		break;
	case EPLOG_IRQ:
		printf("irq vector 0x%x at progress %lu", p[0],
		       (unsigned long)u64(p + 1));
		break;
	case EPLOG_END:
		print_end(p);
		break;
	}
	printf("\n");
}

struct totals {
	uint64_t count[EPLOG_TYPES], bytes[EPLOG_TYPES];
	uint64_t ends[4], pages, progress;
};

static void add(struct totals *t, const struct eplog_rec *r)
{
	t->count[r->type]++;
	t->bytes[r->type] += EPLOG_REC_HDR + r->len + 4;
	if (r->type == EPLOG_END) {
		struct eplog_end e;

		memcpy(&e, r->payload, sizeof(e));
		t->ends[e.kind < 4 ? e.kind : 0]++;
		t->pages += e.ndirty;
		t->progress += e.progress;
	}
}

static void print_summary(const struct totals *t, size_t len)
{
	uint64_t epochs = t->count[EPLOG_END];

	printf("log: %lu bytes, %lu epochs (%lu full, %lu hlt, %lu stop), "
	       "%lu units of progress, %lu pages written\n",
	       (unsigned long)len, (unsigned long)epochs,
	       (unsigned long)t->ends[EPOCH_END_FULL],
	       (unsigned long)t->ends[EPOCH_END_HLT],
	       (unsigned long)t->ends[EPOCH_END_STOP],
	       (unsigned long)t->progress, (unsigned long)t->pages);
	for (int i = 1; i < EPLOG_TYPES; i++)
		printf("  %-6s %10lu records %12lu bytes\n",
		       eplog_type_name(i), (unsigned long)t->count[i],
		       (unsigned long)t->bytes[i]);
	if (epochs)
		printf("  %lu bytes per epoch\n",
		       (unsigned long)(len / epochs));
}

static int dump(const uint8_t *log, size_t len)
{
	struct eplog_reader rd;
	struct eplog_rec rec;
	struct totals t;
	char err[200];
	int rc;

	memset(&t, 0, sizeof(t));
	if (eplog_reader_init(&rd, log, len, err, sizeof(err))) {
		fprintf(stderr, "logdump: %s\n", err);
		return 1;
	}
	while ((rc = eplog_next(&rd, &rec, err, sizeof(err))) == 1) {
		if (!summary_only)
			print_rec(&rec);
		add(&t, &rec);
	}
	print_summary(&t, len);
	if (rc < 0) {
		fprintf(stderr, "logdump: %s\n", err);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	bool console = false, bad = false;
	const char *path = NULL;
	uint8_t *buf;
	size_t len;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-s"))
			summary_only = true;
		else if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "--console"))
			console = true;
		else if (!path && argv[i][0] != '-')
			path = argv[i];
		else
			bad = true;
	}
	if (!path || bad) {
		fprintf(stderr, "usage: logdump [-s] [-v] [--console] FILE\n");
		return 2;
	}
	buf = read_file(path, &len);
	if (!buf) {
		perror(path);
		return 2;
	}
	if (console)
		buf = from_console(buf, len, &len);
	return dump(buf, len);
}
