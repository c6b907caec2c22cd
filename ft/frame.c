/* Link frame codec; layout in ft/frame.h. */
#include "ft/frame.h"
#include "ft/crc32c.h"
#include "ft/siphash.h"
#include "lib/copy.h"
#include "lib/string.h"

static const char *const err_names[FRAME_NERR] = {
	[FRAME_OK] = "ok",
	[FRAME_NOT_OURS] = "not ours",
	[FRAME_E_SHORT] = "short",
	[FRAME_E_LENGTH] = "bad length",
	[FRAME_E_CRC] = "bad CRC",
	[FRAME_E_VERSION] = "other version",
	[FRAME_E_TYPE] = "bad type",
	[FRAME_E_FLAGS] = "bad flags",
	[FRAME_E_AUTH] = "bad tag",
};

const char *frame_err_name(enum frame_err e)
{
	return (unsigned)e < FRAME_NERR ? err_names[e] : "?";
}

static size_t tag_len(uint8_t flags)
{
	return flags & FRAME_F_AUTH ? FRAME_TAG_LEN : 0;
}

static void put_hdr(uint8_t *p, const struct frame_hdr *h, uint8_t flags)
{
	p[0] = h->version;
	p[1] = h->type;
	p[2] = flags;
	p[3] = 0;
	put_be32(p + 4, h->session);
	put_be32(p + 8, h->xid);
	put_be32(p + 12, h->seq);
	put_be32(p + 16, h->ack);
	put_be64(p + 20, h->sack);
	put_be16(p + 28, h->window);
	put_be16(p + 30, h->len);
	put_be32(p + 32, h->echo);
}

size_t frame_seal(uint8_t *buf, size_t size, const struct frame_hdr *h,
		  const uint8_t *key)
{
	uint8_t flags = key ? FRAME_F_AUTH : 0;
	uint8_t *lh = buf + ETH_HDR_LEN;
	size_t body = FRAME_HDR_LEN + h->len;	/* what the tag covers */
	size_t end;

	if (h->len > FRAME_PAYLOAD_MAX)
		return 0;
	end = ETH_HDR_LEN + body + tag_len(flags) + FRAME_CRC_LEN;
	if (size < end || size < ETH_MIN_LEN)
		return 0;
	memcpy(buf, h->dst, ETH_ALEN);
	memcpy(buf + ETH_ALEN, h->src, ETH_ALEN);
	put_be16(buf + 2 * ETH_ALEN, LINK_ETHERTYPE);
	put_hdr(lh, h, flags);
	if (key)
		siphash128(key, lh, body, lh + body);
	body += tag_len(flags);
	put_be32(lh + body, crc32c(0, lh, body));
	if (end < ETH_MIN_LEN) {
		memset(buf + end, 0, ETH_MIN_LEN - end);
		end = ETH_MIN_LEN;
	}
	return end;
}

static void get_hdr(const uint8_t *buf, struct frame_hdr *h)
{
	const uint8_t *p = buf + ETH_HDR_LEN;

	memcpy(h->dst, buf, ETH_ALEN);
	memcpy(h->src, buf + ETH_ALEN, ETH_ALEN);
	h->version = p[0];
	h->type = p[1];
	h->flags = p[2];
	h->session = get_be32(p + 4);
	h->xid = get_be32(p + 8);
	h->seq = get_be32(p + 12);
	h->ack = get_be32(p + 16);
	h->sack = get_be64(p + 20);
	h->window = get_be16(p + 28);
	h->len = get_be16(p + 30);
	h->echo = get_be32(p + 32);
}

enum frame_err frame_open(const uint8_t *buf, size_t len,
			  struct frame_hdr *h, const uint8_t **payload)
{
	const uint8_t *lh = buf + ETH_HDR_LEN;
	size_t body;

	if (len < ETH_HDR_LEN || get_be16(buf + 2 * ETH_ALEN) != LINK_ETHERTYPE)
		return FRAME_NOT_OURS;
	if (len < ETH_HDR_LEN + FRAME_HDR_LEN + FRAME_CRC_LEN)
		return FRAME_E_SHORT;
	get_hdr(buf, h);
	/* Lengths before the CRC: it sits where they say. */
	if (h->len > FRAME_PAYLOAD_MAX)
		return FRAME_E_LENGTH;
	body = FRAME_HDR_LEN + h->len + tag_len(h->flags);
	if (ETH_HDR_LEN + body + FRAME_CRC_LEN > len)
		return FRAME_E_LENGTH;
	if (get_be32(lh + body) != crc32c(0, lh, body))
		return FRAME_E_CRC;
	if (h->type < FRAME_HELLO || h->type > FRAME_ACK)
		return FRAME_E_TYPE;
	if ((h->flags & ~FRAME_F_AUTH) || lh[3])
		return FRAME_E_FLAGS;
	if (h->version != LINK_VERSION && h->type != FRAME_HELLO &&
	    h->type != FRAME_REFUSE)
		return FRAME_E_VERSION;
	*payload = lh + FRAME_HDR_LEN;
	return FRAME_OK;
}

/* Compare without an early exit, so that timing tells a forger
 * nothing about how many tag bytes it got right. */
static int tag_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t d = 0;

	for (int i = 0; i < FRAME_TAG_LEN; i++)
		d |= a[i] ^ b[i];
	return !d;
}

enum frame_err frame_verify(const uint8_t *buf, const struct frame_hdr *h,
			    const uint8_t *key)
{
	const uint8_t *lh = buf + ETH_HDR_LEN;
	size_t body = FRAME_HDR_LEN + h->len;
	uint8_t tag[FRAME_TAG_LEN];

	if (!(h->flags & FRAME_F_AUTH) || !key)
		return FRAME_E_AUTH;
	siphash128(key, lh, body, tag);
	return tag_equal(tag, lh + body) ? FRAME_OK : FRAME_E_AUTH;
}

void hello_put(uint8_t *p, const struct hello *m)
{
	p[0] = m->version;
	p[1] = m->role;
	put_be16(p + 2, m->window);
	put_be32(p + 4, m->timeout_ms);
	put_be64(p + 8, m->build_id);
	put_be64(p + 16, m->cfg_digest);
	put_be64(p + 24, m->nonce);
	put_be64(p + 32, m->echo);
	p[40] = m->flags;
	p[41] = p[42] = p[43] = 0;
}

int hello_get(const uint8_t *p, size_t len, struct hello *m)
{
	if (len < HELLO_LEN)
		return -1;
	m->version = p[0];
	m->role = p[1];
	m->window = get_be16(p + 2);
	m->timeout_ms = get_be32(p + 4);
	m->build_id = get_be64(p + 8);
	m->cfg_digest = get_be64(p + 16);
	m->nonce = get_be64(p + 24);
	m->echo = get_be64(p + 32);
	m->flags = p[40];
	return 0;
}

void refuse_put(uint8_t *p, const struct refuse *m)
{
	p[0] = m->reason;
	p[1] = p[2] = p[3] = 0;
	put_be64(p + 4, m->echo);
	put_be64(p + 12, m->mine);
	put_be64(p + 20, m->yours);
}

int refuse_get(const uint8_t *p, size_t len, struct refuse *m)
{
	if (len < REFUSE_LEN)
		return -1;
	m->reason = p[0];
	m->echo = get_be64(p + 4);
	m->mine = get_be64(p + 12);
	m->yours = get_be64(p + 20);
	return 0;
}

int rec_put(uint8_t *p, size_t size, size_t *off, uint8_t chan,
	    const void *msg, size_t len)
{
	if (len > LINK_MSG_MAX || *off > size ||
	    size - *off < REC_HDR_LEN + len)
		return -1;
	put_be16(p + *off, (uint16_t)len);
	p[*off + 2] = chan;
	copy_words(p + *off + REC_HDR_LEN, msg, len);
	*off += REC_HDR_LEN + len;
	return 0;
}

int rec_next(const uint8_t *p, size_t len, size_t *off, uint8_t *chan,
	     const uint8_t **msg, size_t *mlen)
{
	size_t n;

	if (*off == len)
		return 0;
	if (*off > len || len - *off < REC_HDR_LEN)
		return -1;
	n = get_be16(p + *off);
	if (len - *off - REC_HDR_LEN < n)
		return -1;
	*chan = p[*off + 2];
	*msg = p + *off + REC_HDR_LEN;
	*mlen = n;
	*off += REC_HDR_LEN + n;
	return 1;
}

int rec_count(const uint8_t *p, size_t len)
{
	size_t off = 0, mlen;
	const uint8_t *msg;
	uint8_t chan;
	int n = 0, r;

	while ((r = rec_next(p, len, &off, &chan, &msg, &mlen)) > 0)
		n++;
	return r < 0 ? -1 : n;
}
