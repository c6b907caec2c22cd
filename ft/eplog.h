/* The epoch log: every non-deterministic input the guest saw, in the
 * order it saw them, cut into epochs (docs/epochs.md). Pure codec: no
 * hardware, unit-tested and fuzzed on the host.
 *
 * Layout: a 12-byte header (magic "TDEL", version, header length), then
 * records. A record is type u8, flags u8, reserved u16, epoch u32,
 * payload length u32, the payload, and CRC-32C (u32) over everything
 * from the type to the end of the payload. Little-endian throughout. */
#ifndef FT_EPLOG_H
#define FT_EPLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EPLOG_MAGIC	0x4c454454u	/* "TDEL" */
#define EPLOG_VERSION	1
#define EPLOG_HDR	12
#define EPLOG_REC_HDR	12
#define EPLOG_REC_MAX	(1u << 20)	/* longest payload accepted */

enum eplog_type {
	EPLOG_IO = 1,	/* port u16, size u8, in u8, count u16, data */
	EPLOG_CPUID,	/* leaf, subleaf, eax, ebx, ecx, edx: u32 each */
	EPLOG_MSR,	/* index u32, write u8, fault u8, value u64 */
	EPLOG_TSC,	/* value u64 */
	EPLOG_RAND,	/* seed u8, ok u8, value u64 */
	EPLOG_IRQ,	/* vector u8, progress u64 (in its epoch) */
	EPLOG_END,	/* struct eplog_end, then ndirty struct eplog_page */
	EPLOG_TYPES
};

/* How an epoch ended. */
enum eplog_end_kind {
	EPOCH_END_FULL = 1,	/* E units of progress */
	EPOCH_END_HLT,		/* the guest halted */
	EPOCH_END_STOP,		/* the guest powered off, exited or reset */
};

#define EPLOG_REGS	24

/* Payload of EPLOG_END: where the epoch ended and a digest of the guest
 * there. 'sub' counts the instruction exits seen at that progress
 * (several exits can share one count: OUT then HLT). */
struct eplog_end {
	uint8_t kind;
	uint8_t pad[3];
	uint32_t sub;
	uint64_t progress;
	uint64_t regs[EPLOG_REGS];
	uint64_t mem;			/* digest of the pages below */
	uint32_t ndirty;
	uint32_t pad2;
};
_Static_assert(sizeof(struct eplog_end) == 16 + 8 * EPLOG_REGS + 16,
	       "eplog_end has no padding: it is the wire layout");

/* A guest page written during the epoch and the CRC-32C of its content
 * at the epoch end. */
struct eplog_page {
	uint32_t gfn;
	uint32_t crc;
};

struct eplog {
	uint8_t *buf;
	size_t cap, len;
	uint64_t records;
	bool full;			/* an append did not fit */
};

struct eplog_rec {
	uint8_t type;
	uint32_t epoch;
	uint32_t len;
	const uint8_t *payload;
	size_t offset;			/* of the record in the log */
	uint64_t index;			/* 0-based record number */
};

struct eplog_reader {
	const uint8_t *buf;
	size_t len, off;
	uint64_t index;
};

/* Start an empty log in buf (header written); -1 if cap < header. */
int eplog_init(struct eplog *l, void *buf, size_t cap);
/* Append one record; -1 (and l->full) when it does not fit. */
int eplog_append(struct eplog *l, uint8_t type, uint32_t epoch,
		 const void *payload, uint32_t len);

/* Check the header; -1 with a message in err. */
int eplog_reader_init(struct eplog_reader *r, const void *buf, size_t len,
		      char *err, size_t errlen);
/* Next record: 1, 0 at the clean end, -1 with a message naming the
 * record number and offset (truncated, bad type or length, bad CRC). */
int eplog_next(struct eplog_reader *r, struct eplog_rec *rec, char *err,
	       size_t errlen);

const char *eplog_type_name(uint8_t type);
const char *eplog_end_name(uint8_t kind);

#endif
