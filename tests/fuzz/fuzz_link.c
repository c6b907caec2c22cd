/* libFuzzer target: arbitrary bytes as a received frame, through the
 * codec (ft/frame.c) and into a link that is up (ft/link.c). Nothing may
 * crash, hang, leak or touch memory out of bounds (ASan, UBSan).
 *
 * The first input byte steers the fuzzer past checks it cannot guess:
 *   bit 0  recompute the CRC (else nearly every input dies on it)
 *   bit 1  write the live session id and the peer's source MAC
 *   bit 2  deliver to the authenticated pair instead of the plain one
 *   bit 3  tag the frame with the pair's long-term key (HELLO, REFUSE)
 * The rest is the frame, Ethernet header first.
 *
 * make fuzz (tests/fuzz/fuzz.mk) builds it with clang -fsanitize=fuzzer
 * and runs it for a bounded time from a seed corpus that this same file,
 * built with -DMKSEEDS, writes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ft/crc32c.h"
#include "ft/frame.h"
#include "ft/link.h"
#include "ft/siphash.h"

#define HZ	1000000ull
#define QMAX	8

struct queue {
	uint8_t buf[QMAX][FRAME_MAX + 64];
	size_t len[QMAX];
	int n;
	uint8_t txb[FRAME_MAX];		/* the sender's "NIC" buffer */
	uint8_t *cur;			/* frame being received */
};

struct pair {
	struct link *l[2];
	struct queue q[2];	/* q[i]: frames for link i */
	uint32_t sid;
};

static struct pair plain, authd;
static uint64_t now = 1000;
static const uint8_t key[16] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
				 7, 7 };
static const uint8_t mac[2][6] = { { 0x52, 0x54, 0, 0, 0, 1 },
				   { 0x52, 0x54, 0, 0, 0, 2 } };

static void put(struct queue *q, const void *f, size_t len)
{
	if (q->n == QMAX || len > sizeof(q->buf[0]))
		return;		/* the wire drops what does not fit */
	memcpy(q->buf[q->n], f, len);
	q->len[q->n++] = len;
}

/* io ctx of link i is the queue it sends into */
static void *tx_buf(void *ctx)
{
	struct queue *q = ctx;

	return q->txb;
}

static void tx_send(void *ctx, size_t len)
{
	struct queue *q = ctx;

	put(q, q->txb, len);
}

/* The oldest frame, in a buffer of exactly its length (ASan). */
static const void *rx(struct queue *q, size_t *len)
{
	if (!q->n)
		return NULL;
	*len = q->len[0];
	q->cur = malloc(*len ? *len : 1);
	memcpy(q->cur, q->buf[0], *len);
	q->n--;
	memmove(q->buf[0], q->buf[1], sizeof(q->buf[0]) * (size_t)q->n);
	memmove(q->len, q->len + 1, sizeof(q->len[0]) * (size_t)q->n);
	return q->cur;
}

static volatile uint8_t sink;

static void deliver(void *ctx, uint8_t chan, const uint8_t *m, size_t len)
{
	(void)ctx;
	sink ^= chan;
	for (size_t i = 0; i < len; i++)	/* ASan checks the bounds */
		sink ^= m[i];
}

/* Link i receives from q[i] of the pair being driven (its io ctx is the
 * queue it sends into). */
static struct pair *cur;

static const void *rx0(void *ctx, size_t *len)
{
	(void)ctx;
	return rx(&cur->q[0], len);
}

static const void *rx1(void *ctx, size_t *len)
{
	(void)ctx;
	return rx(&cur->q[1], len);
}

static void rx_done0(void *ctx)
{
	(void)ctx;
	free(cur->q[0].cur);
	cur->q[0].cur = NULL;
}

static void rx_done1(void *ctx)
{
	(void)ctx;
	free(cur->q[1].cur);
	cur->q[1].cur = NULL;
}

static void start(struct pair *p, bool auth)
{
	for (int i = 0; i < 2; i++) {
		struct link_params lp = {
			.role = i ? ROLE_BACKUP : ROLE_PRIMARY,
			.version = LINK_VERSION, .build_id = 1,
			.cfg_digest = 2, .nonce = 100 + (uint64_t)i,
			.auth = auth, .timeout_ms = 60000, .window = 8,
			.hz = HZ,
		};
		/* link i reads q[i] and sends into q[1 - i] */
		struct link_io io = { .ctx = &p->q[1 - i], .tx_buf = tx_buf,
				      .tx_send = tx_send,
				      .rx = i ? rx1 : rx0,
				      .rx_done = i ? rx_done1 : rx_done0,
				      .deliver = deliver };

		memcpy(lp.mac, mac[i], 6);
		memcpy(lp.key, key, 16);
		p->l[i] = link_create(malloc(link_size()), &lp, &io, now);
	}
}

static void poll_one(struct pair *p, int i)
{
	struct queue *q = &p->q[i];
	struct frame_hdr h;
	const uint8_t *pl;

	/* learn the session id from what the peer sends */
	for (int k = 0; k < q->n; k++)
		if (frame_open(q->buf[k], q->len[k], &h, &pl) == FRAME_OK &&
		    (h.type == FRAME_ACK || h.type == FRAME_DATA))
			p->sid = h.session;
	link_poll(p->l[i], now);
}

static void setup(struct pair *p, bool auth)
{
	start(p, auth);
	for (int k = 0; k < 5000 && !p->sid; k++) {
		now += 1000;
		for (int i = 0; i < 2; i++)
			poll_one(p, i);
	}
	if (!link_up(p->l[0]) || !link_up(p->l[1]) || !p->sid)
		abort();
	p->q[0].n = p->q[1].n = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint8_t f[FRAME_MAX + 64];
	struct pair *p;
	uint8_t mode;
	size_t n;

	if (!ready) {
		ready = 1;
		/* rx callbacks are per link: set before the links exist */
		cur = &plain;
		setup(&plain, false);
		cur = &authd;
		setup(&authd, true);
	}
	if (!size)
		return 0;
	mode = data[0];
	p = mode & 4 ? &authd : &plain;
	cur = p;
	n = size - 1 < sizeof(f) ? size - 1 : sizeof(f);
	memcpy(f, data + 1, n);
	if ((mode & 2) && n >= ETH_HDR_LEN + 8) {
		memcpy(f, mac[1], 6);
		memcpy(f + 6, mac[0], 6);
		put_be16(f + 12, LINK_ETHERTYPE);
		put_be32(f + ETH_HDR_LEN + 4, p->sid);
	}
	if ((mode & 8) && n >= ETH_HDR_LEN + FRAME_HDR_LEN) {
		size_t body = FRAME_HDR_LEN + get_be16(f + ETH_HDR_LEN + 30);

		if (ETH_HDR_LEN + body + FRAME_TAG_LEN <= n) {
			f[ETH_HDR_LEN + 2] |= FRAME_F_AUTH;
			siphash128(key, f + ETH_HDR_LEN, body,
				   f + ETH_HDR_LEN + body);
		}
	}
	if ((mode & 1) && n >= ETH_HDR_LEN + FRAME_HDR_LEN + FRAME_CRC_LEN) {
		size_t body = FRAME_HDR_LEN + get_be16(f + ETH_HDR_LEN + 30) +
			      (f[ETH_HDR_LEN + 2] & FRAME_F_AUTH ?
			       FRAME_TAG_LEN : 0);

		if (ETH_HDR_LEN + body + FRAME_CRC_LEN <= n)
			put_be32(f + ETH_HDR_LEN + body,
				 crc32c(0, f + ETH_HDR_LEN, body));
	}
	/* the bare codec */
	{
		struct frame_hdr h;
		const uint8_t *pl;

		if (frame_open(f, n, &h, &pl) == FRAME_OK) {
			struct hello m;
			struct refuse r;

			frame_verify(f, &h, key);
			hello_get(pl, h.len, &m);
			refuse_get(pl, h.len, &r);
			rec_count(pl, h.len);
		}
	}
	/* the backup link, up, receives it; then both poll a little, so
	 * that what it answered (acks, HELLOs) goes through the primary */
	p->q[1].n = 0;
	put(&p->q[1], f, n);
	for (int k = 0; k < 3; k++) {
		now += 50;
		poll_one(p, 1);
		poll_one(p, 0);
	}
	p->q[0].n = p->q[1].n = 0;
	return 0;
}

#ifdef MKSEEDS
static void seed(const char *dir, const char *name, uint8_t mode,
		 struct frame_hdr *h, const void *payload, const uint8_t *k)
{
	uint8_t buf[FRAME_MAX + 65];
	char path[512];
	FILE *fp;
	size_t n;

	memcpy(buf + 1 + FRAME_PAYLOAD_OFF, payload, h->len);
	n = frame_seal(buf + 1, sizeof(buf) - 1, h, k);
	buf[0] = mode;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "wb");
	if (!fp || fwrite(buf, 1, n + 1, fp) != n + 1)
		exit(1);
	fclose(fp);
}

int main(int argc, char **argv)
{
	struct frame_hdr h = { .version = LINK_VERSION, .window = 8 };
	struct hello m = { .version = LINK_VERSION, .role = ROLE_PRIMARY,
			   .window = 8, .build_id = 1, .cfg_digest = 2,
			   .nonce = 5 };
	struct refuse r = { .reason = REFUSE_BUILD, .echo = 5 };
	uint8_t pl[FRAME_PAYLOAD_MAX];
	size_t off = 0;

	if (argc != 2)
		return 2;
	memcpy(h.dst, mac[1], 6);
	memcpy(h.src, mac[0], 6);
	h.type = FRAME_HELLO;
	h.len = HELLO_LEN;
	hello_put(pl, &m);
	seed(argv[1], "hello", 0x01, &h, pl, NULL);
	seed(argv[1], "hello-auth", 0x0d, &h, pl, key);
	h.type = FRAME_REFUSE;
	h.len = REFUSE_LEN;
	refuse_put(pl, &r);
	seed(argv[1], "refuse", 0x01, &h, pl, NULL);
	h.type = FRAME_DATA;
	h.seq = 1;
	h.ack = 1;
	h.xid = 1;
	rec_put(pl, sizeof(pl), &off, 1, "hello", 5);
	rec_put(pl, sizeof(pl), &off, 2, "", 0);
	h.len = (uint16_t)off;
	seed(argv[1], "data", 0x03, &h, pl, NULL);
	h.seq = 3;
	h.xid = 9;
	seed(argv[1], "data-ahead", 0x03, &h, pl, NULL);
	h.type = FRAME_ACK;
	h.seq = 0;
	h.len = 0;
	h.sack = 5;
	seed(argv[1], "ack", 0x03, &h, pl, NULL);
	return 0;
}
#endif
