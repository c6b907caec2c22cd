/* Snapshot blob writer and reader (ft/snapshot.h). Pure. */
#include "ft/snapshot.h"
#include "lib/string.h"

int snap_init(struct snap *s, void *buf, size_t cap)
{
	uint32_t hdr[4] = { SNAP_MAGIC, SNAP_VERSION, 0, 0 };

	s->buf = buf;
	s->cap = cap;
	s->len = 0;
	s->sections = 0;
	if (cap < SNAP_HDR)
		return -1;
	memcpy(buf, hdr, SNAP_HDR);
	s->len = SNAP_HDR;
	return 0;
}

void *snap_add(struct snap *s, const char *tag, uint64_t len)
{
	uint64_t padded = (len + 7) & ~7ull;
	uint8_t *p = s->buf + s->len;
	uint32_t n;

	if (s->cap - s->len < SNAP_SEC_HDR || s->cap - s->len - SNAP_SEC_HDR <
	    padded)
		return NULL;
	memset(p, 0, 8);
	memcpy(p, tag, strlen(tag) < 8 ? strlen(tag) : 8);
	memcpy(p + 8, &len, 8);
	s->len += SNAP_SEC_HDR + padded;
	n = ++s->sections;
	memcpy(s->buf + 8, &n, 4);
	return p + SNAP_SEC_HDR;
}

const void *snap_find(const void *buf, size_t len, const char *tag,
		      uint64_t *sec_len)
{
	const uint8_t *b = buf;
	uint32_t hdr[4], n;
	size_t off = SNAP_HDR;
	char want[8] = { 0 };

	if (len < SNAP_HDR)
		return NULL;
	memcpy(hdr, b, SNAP_HDR);
	if (hdr[0] != SNAP_MAGIC || hdr[1] != SNAP_VERSION)
		return NULL;
	memcpy(want, tag, strlen(tag) < 8 ? strlen(tag) : 8);
	n = hdr[2];
	for (uint32_t i = 0; i < n; i++) {
		uint64_t l, padded;

		if (len - off < SNAP_SEC_HDR)
			return NULL;
		memcpy(&l, b + off + 8, 8);
		padded = (l + 7) & ~7ull;
		if (l > len || len - off - SNAP_SEC_HDR < padded)
			return NULL;
		if (!memcmp(b + off, want, 8)) {
			*sec_len = l;
			return b + off + SNAP_SEC_HDR;
		}
		off += SNAP_SEC_HDR + padded;
	}
	return NULL;
}
