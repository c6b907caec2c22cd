/* The replication link's wire format: pure encode/decode, no hardware,
 * so that it is unit-tested and fuzzed on the host (tests/unit,
 * tests/fuzz).
 *
 * One link frame is one Ethernet II frame with EtherType 0x88B5 (IEEE
 * 802 local experimental EtherType 1):
 *
 *   0  dst MAC, src MAC, EtherType          14 bytes
 *  14  header                               36 bytes, big-endian fields
 *      +0  u8  version   +1 u8 type   +2 u8 flags   +3 u8 reserved (0)
 *      +4  u32 session   +8 u32 xid   +12 u32 seq   +16 u32 ack
 *      +20 u64 sack      +28 u16 window             +30 u16 len
 *      +32 u32 echo
 *  50  payload                              len bytes
 *      tag: SipHash-2-4-128 of header+payload, if flags has AUTH  16 bytes
 *      CRC-32C of everything from the header up to here, big-endian 4
 *      zero padding up to the Ethernet minimum of 60 bytes
 *
 * The header, the trailer and the HELLO and REFUSE payloads keep this
 * layout in every protocol version, so that hosts of different versions
 * can always tell each other why they refuse to talk.
 */
#ifndef FT_FRAME_H
#define FT_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINK_ETHERTYPE		0x88b5
#define LINK_VERSION		1

#define ETH_ALEN		6
#define ETH_HDR_LEN		14
#define ETH_MIN_LEN		60	/* without the FCS the NIC adds */
#define ETH_MTU			1500

#define FRAME_HDR_LEN		36
#define FRAME_TAG_LEN		16
#define FRAME_CRC_LEN		4
#define FRAME_PAYLOAD_OFF	(ETH_HDR_LEN + FRAME_HDR_LEN)
/* The same in both modes, so that the batching does not depend on it. */
#define FRAME_PAYLOAD_MAX	(ETH_MTU - FRAME_HDR_LEN - FRAME_TAG_LEN - \
				 FRAME_CRC_LEN)			/* 1444 */
#define FRAME_MAX		(ETH_HDR_LEN + ETH_MTU)		/* 1514 */

enum frame_type {
	FRAME_HELLO = 1,	/* handshake, broadcast; long-term key */
	FRAME_REFUSE = 2,	/* handshake refused, with the reason */
	FRAME_DATA = 3,		/* seq'd batch of messages; session key */
	FRAME_ACK = 4,		/* acks only; doubles as the heartbeat */
};

#define FRAME_F_AUTH	0x01	/* a tag follows the payload */

struct frame_hdr {
	uint8_t dst[ETH_ALEN], src[ETH_ALEN];
	uint8_t version, type, flags;
	uint32_t session;	/* 0 in HELLO and REFUSE */
	uint32_t xid;		/* per-session transmission counter */
	uint32_t seq;		/* DATA: this frame's sequence number */
	uint32_t ack;		/* next seq expected from the peer */
	uint64_t sack;		/* bit i: seq ack + 1 + i received */
	uint16_t window;	/* frames the sender will buffer */
	uint16_t len;		/* payload bytes */
	uint32_t echo;		/* highest xid received from the peer: which
				 * transmission got there, unambiguously */
};

/* Why a frame was dropped. FRAME_NOT_OURS is not an error: other
 * traffic on the wire. */
enum frame_err {
	FRAME_OK = 0,
	FRAME_NOT_OURS,		/* too short for Ethernet, or other EtherType */
	FRAME_E_SHORT,		/* ours, but shorter than header + trailer */
	FRAME_E_LENGTH,		/* len runs past the end, or above the max */
	FRAME_E_CRC,
	FRAME_E_VERSION,	/* DATA/ACK of another protocol version */
	FRAME_E_TYPE,		/* unknown type */
	FRAME_E_FLAGS,		/* unknown flag or reserved byte set */
	FRAME_E_AUTH,		/* tag missing, unexpected or wrong */
	FRAME_NERR
};

const char *frame_err_name(enum frame_err e);

/* Seal a frame whose payload (h->len bytes) the caller already wrote at
 * buf + FRAME_PAYLOAD_OFF: writes the Ethernet and link headers, the tag
 * (key != NULL: sets FRAME_F_AUTH), the CRC and the padding. Returns the
 * frame length, or 0 if size is too small or h->len too big. */
size_t frame_seal(uint8_t *buf, size_t size, const struct frame_hdr *h,
		  const uint8_t *key);

/* Check structure and CRC of a received frame and decode its header;
 * *payload points into buf. Does not check the tag: the caller picks
 * the key by type (frame_verify). */
enum frame_err frame_open(const uint8_t *buf, size_t len,
			  struct frame_hdr *h, const uint8_t **payload);

/* Check the tag of an opened frame: FRAME_OK, or FRAME_E_AUTH when the
 * frame has no tag, or a wrong one. */
enum frame_err frame_verify(const uint8_t *buf, const struct frame_hdr *h,
			    const uint8_t *key);

/* --- Payloads --- */

enum link_role {
	ROLE_NONE = 0,
	ROLE_PRIMARY = 1,
	ROLE_BACKUP = 2,
};

/* HELLO: what the two hosts must agree on, and the handshake nonces. */
struct hello {
	uint8_t version;	/* protocol version the sender speaks */
	uint8_t role;
	uint16_t window;
	uint32_t timeout_ms;
	uint64_t build_id;	/* digest of tandem's code */
	uint64_t cfg_digest;	/* digest of the guest configuration */
	uint64_t nonce;		/* sender's, fresh at each boot */
	uint64_t echo;		/* the peer's nonce last seen, 0 if none */
	uint8_t flags;		/* HELLO_F_* */
};
#define HELLO_F_UP	0x01	/* sender is up in a session with echo */
#define HELLO_LEN	44

/* REFUSE: the reason, as the refusing host saw it. */
enum refuse_reason {
	REFUSE_VERSION = 1,
	REFUSE_ROLE,
	REFUSE_AUTH,		/* one host has link_key, the other not */
	REFUSE_BUILD,
	REFUSE_CONFIG,
	REFUSE_NREASONS
};
struct refuse {
	uint8_t reason;
	uint64_t echo;		/* nonce of the HELLO refused */
	uint64_t mine;		/* refuser's own value */
	uint64_t yours;		/* the value it saw from the refused host */
};
#define REFUSE_LEN	28

void hello_put(uint8_t *p, const struct hello *m);
int hello_get(const uint8_t *p, size_t len, struct hello *m);
void refuse_put(uint8_t *p, const struct refuse *m);
int refuse_get(const uint8_t *p, size_t len, struct refuse *m);

/* DATA payload: back-to-back records, each u16 length (big-endian),
 * u8 channel, then the message. */
#define REC_HDR_LEN	3
#define LINK_MSG_MAX	(FRAME_PAYLOAD_MAX - REC_HDR_LEN)

/* Append one record at p + *off if it fits in size; returns 0 or -1. */
int rec_put(uint8_t *p, size_t size, size_t *off, uint8_t chan,
	    const void *msg, size_t len);
/* Next record at *off: 1 and the record, 0 at the end, -1 if the
 * payload is malformed (a record runs past its end, or is empty of
 * header). */
int rec_next(const uint8_t *p, size_t len, size_t *off, uint8_t *chan,
	     const uint8_t **msg, size_t *mlen);
/* Number of records, or -1 if malformed: check before delivering any. */
int rec_count(const uint8_t *p, size_t len);

/* Big-endian helpers, shared with the link. */
static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	put_be16(p, (uint16_t)(v >> 16));
	put_be16(p + 2, (uint16_t)v);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)get_be16(p) << 16 | get_be16(p + 2);
}

static inline uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

#endif
