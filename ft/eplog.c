/* Epoch log codec (ft/eplog.h). Pure. */
#include "ft/eplog.h"
#include "ft/crc32c.h"
#include "lib/print.h"
#include "lib/string.h"

static const char *const type_names[EPLOG_TYPES] = {
	[EPLOG_IO] = "io", [EPLOG_CPUID] = "cpuid", [EPLOG_MSR] = "msr",
	[EPLOG_TSC] = "tsc", [EPLOG_RAND] = "rand", [EPLOG_IRQ] = "irq",
	[EPLOG_END] = "end",
};

/* Smallest payload of each type; IO and END carry more after it. */
static const uint32_t min_len[EPLOG_TYPES] = {
	[EPLOG_IO] = 6, [EPLOG_CPUID] = 24, [EPLOG_MSR] = 14,
	[EPLOG_TSC] = 8, [EPLOG_RAND] = 10, [EPLOG_IRQ] = 9,
	[EPLOG_END] = sizeof(struct eplog_end),
};

const char *eplog_type_name(uint8_t type)
{
	return type < EPLOG_TYPES && type_names[type] ? type_names[type]
						       : "?";
}

const char *eplog_end_name(uint8_t kind)
{
	switch (kind) {
	case EPOCH_END_FULL: return "full";
	case EPOCH_END_HLT: return "hlt";
	case EPOCH_END_STOP: return "stop";
	default: return "?";
	}
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

int eplog_init(struct eplog *l, void *buf, size_t cap)
{
	l->buf = buf;
	l->cap = cap;
	l->len = 0;
	l->records = 0;
	l->full = false;
	if (cap < EPLOG_HDR)
		return -1;
	put32(l->buf, EPLOG_MAGIC);
	l->buf[4] = EPLOG_VERSION;
	l->buf[5] = 0;
	l->buf[6] = EPLOG_HDR;
	l->buf[7] = 0;
	put32(l->buf + 8, 0);
	l->len = EPLOG_HDR;
	return 0;
}

int eplog_append(struct eplog *l, uint8_t type, uint32_t epoch,
		 const void *payload, uint32_t len)
{
	uint8_t *p;

	if (len > EPLOG_REC_MAX ||
	    l->cap - l->len < (size_t)EPLOG_REC_HDR + len + 4) {
		l->full = true;
		return -1;
	}
	p = l->buf + l->len;
	p[0] = type;
	p[1] = 0;
	p[2] = p[3] = 0;
	put32(p + 4, epoch);
	put32(p + 8, len);
	memcpy(p + EPLOG_REC_HDR, payload, len);
	put32(p + EPLOG_REC_HDR + len,
	      crc32c(0, p, EPLOG_REC_HDR + len));
	l->len += EPLOG_REC_HDR + len + 4;
	l->records++;
	return 0;
}

int eplog_reader_init(struct eplog_reader *r, const void *buf, size_t len,
		      char *err, size_t errlen)
{
	const uint8_t *b = buf;

	r->buf = buf;
	r->len = len;
	r->off = EPLOG_HDR;
	r->index = 0;
	if (len < EPLOG_HDR) {
		tsnprintf(err, errlen, "log header truncated (%lu of %u "
			  "bytes)", (unsigned long)len, EPLOG_HDR);
		return -1;
	}
	if (get32(b) != EPLOG_MAGIC) {
		tsnprintf(err, errlen, "not an epoch log (magic 0x%x)",
			  get32(b));
		return -1;
	}
	if (b[4] != EPLOG_VERSION || b[6] != EPLOG_HDR) {
		tsnprintf(err, errlen, "log version %u, header %u bytes: "
			  "this reader knows version %u", b[4], b[6],
			  EPLOG_VERSION);
		return -1;
	}
	return 0;
}

/* Length rules of each type beyond its minimum. */
static bool len_ok(uint8_t type, const uint8_t *p, uint32_t len)
{
	if (len < min_len[type])
		return false;
	if (type == EPLOG_IO) {
		uint32_t size = p[2], count = p[4] | (uint32_t)p[5] << 8;

		return (size == 1 || size == 2 || size == 4) &&
		       len == 6 + (p[3] ? size * count : 0);
	}
	if (type == EPLOG_END)
		return len == sizeof(struct eplog_end) +
			      get32(p + offsetof(struct eplog_end, ndirty)) *
			      (uint64_t)sizeof(struct eplog_page);
	return len == min_len[type];
}

int eplog_next(struct eplog_reader *r, struct eplog_rec *rec, char *err,
	       size_t errlen)
{
	const uint8_t *p = r->buf + r->off;
	size_t left = r->len - r->off;
	uint32_t len;

	if (!left)
		return 0;
	if (left < EPLOG_REC_HDR) {
		tsnprintf(err, errlen, "record %lu at offset %lu: header "
			  "truncated", (unsigned long)r->index,
			  (unsigned long)r->off);
		return -1;
	}
	len = get32(p + 8);
	if (len > EPLOG_REC_MAX || left - EPLOG_REC_HDR < (size_t)len + 4) {
		tsnprintf(err, errlen, "record %lu at offset %lu: truncated "
			  "(payload %u bytes, %lu left)",
			  (unsigned long)r->index, (unsigned long)r->off, len,
			  (unsigned long)(left - EPLOG_REC_HDR));
		return -1;
	}
	if (get32(p + EPLOG_REC_HDR + len) != crc32c(0, p, EPLOG_REC_HDR + len)) {
		tsnprintf(err, errlen, "record %lu at offset %lu: CRC "
			  "mismatch", (unsigned long)r->index,
			  (unsigned long)r->off);
		return -1;
	}
	if (!p[0] || p[0] >= EPLOG_TYPES ||
	    !len_ok(p[0], p + EPLOG_REC_HDR, len)) {
		tsnprintf(err, errlen, "record %lu at offset %lu: bad type "
			  "%u or length %u", (unsigned long)r->index,
			  (unsigned long)r->off, p[0], len);
		return -1;
	}
	rec->type = p[0];
	rec->epoch = get32(p + 4);
	rec->len = len;
	rec->payload = p + EPLOG_REC_HDR;
	rec->offset = r->off;
	rec->index = r->index++;
	r->off += EPLOG_REC_HDR + len + 4;
	return 1;
}
