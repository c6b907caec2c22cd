/* Snapshot format: the whole guest in one versioned blob, so that one
 * host can restore it (replaycheck) and, later, a backup can be built
 * from it. Header: magic "TDSN" u32, version u32, sections u32, pad u32;
 * then sections: tag (8 bytes, NUL-padded), length u64, data, padded to
 * 8 bytes. Pure writer and reader; ft/epoch.c fills the sections. */
#ifndef FT_SNAPSHOT_H
#define FT_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC	0x4e534454u	/* "TDSN" */
#define SNAP_VERSION	2
#define SNAP_HDR	16
#define SNAP_SEC_HDR	16

struct snap {
	uint8_t *buf;
	size_t cap, len;
	uint32_t sections;
};

int snap_init(struct snap *s, void *buf, size_t cap);
/* Room for a section of len bytes: returns where to write its data, or
 * NULL when it does not fit. */
void *snap_add(struct snap *s, const char *tag, uint64_t len);
/* Section 'tag' of a snapshot blob: its data and length, or NULL (bad
 * header, unknown version, missing or truncated section). */
const void *snap_find(const void *buf, size_t len, const char *tag,
		      uint64_t *sec_len);

#endif
