/* linktest messages, each a type byte and its fields (big-endian):
 *   PING t / PONG t      round trip; t is the sender's clock
 *   START total seed     a stream of 'total' bytes follows
 *   DATA bytes           the next bytes of the stream
 *   END digest           the sender's digest of the stream
 *   RESULT bytes digest bad   the receiver's count, digest and number
 *                        of bytes that differed from the stream
 *
 * The stream's 8-byte word i is (i + 1) * 0x9e3779b97f4a7c15 ^ seed:
 * every word differs, so a lost, repeated or misplaced piece shows, and
 * it costs two instructions a word, so that the test measures the link,
 * not itself. The digest is a multiply-rotate hash of the 64-bit words
 * (FNV-1a's step, then a rotation so that high bits reach the low ones);
 * the receiver also compares every word with the stream: the digest is
 * only what the two consoles print to agree on, and as cheap.
 */
#include "ft/linktest.h"
#include "ft/frame.h"
#include "ft/link.h"
#include "lib/print.h"
#include "lib/string.h"

enum {
	LT_PING = 1, LT_PONG, LT_START, LT_DATA, LT_END, LT_RESULT,
};

#define PINGS		20
#define CHUNK		1440	/* stream bytes a message: a multiple of 8 */

/* A DATA message, type byte and chunk, fills one frame exactly. */
_Static_assert(1 + CHUNK <= LINK_MSG_MAX, "linktest chunk too big");
#define MIB		(1024ull * 1024)

static struct linktest_env env;

/* receiver */
static struct {
	bool active;
	uint64_t total, seed, got, bad;
	uint64_t digest;
} rx;

/* sender, waiting for replies */
static struct {
	uint64_t pong_t;	/* time the last PONG echoed, 0: none */
	bool have_result;
	uint64_t r_bytes, r_bad;
	uint64_t r_digest;
} tx;

void linktest_init(const struct linktest_env *e)
{
	env = *e;
}

#define FNV_BASIS	0xcbf29ce484222325ull
#define FNV_PRIME	0x100000001b3ull

static uint64_t stream_word(uint64_t seed, uint64_t w)
{
	return (w + 1) * 0x9e3779b97f4a7c15ull ^ seed;
}

static uint64_t digest_step(uint64_t h, uint64_t w)
{
	h = (h ^ w) * FNV_PRIME;
	return h << 31 | h >> 33;
}

/* A 64-bit word at a time; a tail shorter than 8 bytes is one
 * zero-padded word. */
static uint64_t digest_update(uint64_t h, const uint8_t *p, size_t n)
{
	for (; n >= 8; n -= 8, p += 8) {
		uint64_t w;

		__builtin_memcpy(&w, p, 8);
		h = digest_step(h, w);
	}
	if (n) {
		uint64_t w = 0;

		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)p[i] << (8 * i);
		h = digest_step(h, w);
	}
	return h;
}

/* Stream bytes [off, off + n), off a multiple of 8 (little-endian words,
 * like the CPU's own stores). */
static void fill_stream(uint8_t *p, uint64_t seed, uint64_t off, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t v = stream_word(seed, (off + i) / 8);

		__builtin_memcpy(p + i, &v, 8);
	}
	for (uint64_t v = stream_word(seed, (off + i) / 8); i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Bytes of p[0, n) that differ from the stream at off; the digest goes
 * on over them in the same pass. */
static uint64_t check_stream(const uint8_t *p, uint64_t seed, uint64_t off,
			     size_t n, uint64_t *digest)
{
	uint64_t bad = 0, h = *digest;
	uint8_t tail[8];
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		uint64_t w, v;

		__builtin_memcpy(&w, p + i, 8);
		h = digest_step(h, w);
		for (v = w ^ stream_word(seed, (off + i) / 8); v; v >>= 8)
			bad += (v & 0xff) != 0;
	}
	*digest = digest_update(h, p + i, n - i);
	fill_stream(tail, seed, off + i, n - i);
	for (size_t k = 0; i + k < n; k++)
		bad += p[i + k] != tail[k];
	return bad;
}

static int send_msg(const uint8_t *m, size_t len)
{
	int r;

	while ((r = link_send(env.link, LINK_CHAN_TEST, m, len)) == LINK_E_FULL)
		env.poll();
	return r;
}

static void send_result(void)
{
	uint8_t m[25];

	m[0] = LT_RESULT;
	put_be64(m + 1, rx.got);
	put_be64(m + 9, rx.digest);
	put_be64(m + 17, rx.bad);
	link_send(env.link, LINK_CHAN_TEST, m, sizeof(m));
}

static void rx_data(const uint8_t *p, size_t n)
{
	if (!rx.active || n > CHUNK || rx.got % 8) {
		rx.bad += n;
		return;
	}
	rx.bad += check_stream(p, rx.seed, rx.got, n, &rx.digest);
	rx.got += n;
}

static void rx_end(const uint8_t *m, size_t len)
{
	uint64_t mine = rx.digest;

	if (len < 9)
		return;
	pr("linktest: received %lu of %lu bytes, digest %016lx, %s\n",
	   (unsigned long)rx.got, (unsigned long)rx.total,
	   (unsigned long)mine,
	   rx.bad ? "CONTENT WRONG" : rx.got == rx.total ? "content ok" :
	   "INCOMPLETE");
	if (rx.bad)
		pr("linktest: %lu bytes differ from the stream\n",
		   (unsigned long)rx.bad);
	if (mine != get_be64(m + 1) && !rx.bad)
		pr("linktest: digest differs from the sender's\n");
	send_result();
	rx.active = false;
}

void linktest_deliver(const uint8_t *m, size_t len)
{
	uint8_t r[9];

	if (!len)
		return;
	switch (m[0]) {
	case LT_PING:
		if (len < 9)
			return;
		memcpy(r, m, 9);
		r[0] = LT_PONG;
		link_send(env.link, LINK_CHAN_TEST, r, 9);
		break;
	case LT_PONG:
		if (len >= 9)
			tx.pong_t = get_be64(m + 1);
		break;
	case LT_START:
		if (len < 17)
			return;
		rx.active = true;
		rx.total = get_be64(m + 1);
		rx.seed = get_be64(m + 9);
		rx.got = rx.bad = 0;
		rx.digest = FNV_BASIS;
		break;
	case LT_DATA:
		rx_data(m + 1, len - 1);
		break;
	case LT_END:
		rx_end(m, len);
		break;
	case LT_RESULT:
		if (len < 25)
			return;
		tx.r_bytes = get_be64(m + 1);
		tx.r_digest = get_be64(m + 9);
		tx.r_bad = get_be64(m + 17);
		tx.have_result = true;
		break;
	}
}

static uint64_t us(uint64_t ticks)
{
	return env.hz ? ticks * 1000000 / env.hz : 0;
}

/* Wait until *flag or the link goes down; false if it went down. */
static bool wait_for(bool (*done)(void))
{
	while (!done()) {
		if (!link_up(env.link))
			return false;
		env.poll();
	}
	return true;
}

static uint64_t ping_sent;

static bool pong_back(void)
{
	return tx.pong_t == ping_sent;
}

static bool result_back(void)
{
	return tx.have_result;
}

static bool pings(void)
{
	uint64_t min = ~0ull, max = 0, sum = 0;
	uint8_t m[9];

	for (int i = 0; i < PINGS; i++) {
		uint64_t rtt;

		ping_sent = env.now();
		m[0] = LT_PING;
		put_be64(m + 1, ping_sent);
		if (send_msg(m, sizeof(m)) || !wait_for(pong_back))
			return false;
		rtt = env.now() - ping_sent;
		sum += rtt;
		min = rtt < min ? rtt : min;
		max = rtt > max ? rtt : max;
	}
	pr("linktest: rtt min %lu us, avg %lu us, max %lu us (%d pings)\n",
	   (unsigned long)us(min), (unsigned long)us(sum / PINGS),
	   (unsigned long)us(max), PINGS);
	return true;
}

/* Room for a message in the link's frame, polling while it is full. */
static uint8_t *msg_buf(size_t len)
{
	uint8_t *p;
	int err;

	while (!(p = link_send_buf(env.link, LINK_CHAN_TEST, len, &err))) {
		if (err != LINK_E_FULL)
			return NULL;
		env.poll();
	}
	return p;
}

/* The stream goes straight into the link's frames (link_send_buf): the
 * sender pays for no copy of its own, as linkperf's write() does not. */
static bool stream(uint64_t total, uint64_t seed, uint64_t *digest)
{
	uint8_t m[17];
	uint64_t d = FNV_BASIS;

	m[0] = LT_START;
	put_be64(m + 1, total);
	put_be64(m + 9, seed);
	if (send_msg(m, 17))
		return false;
	for (uint64_t off = 0; off < total; off += CHUNK) {
		size_t n = total - off < CHUNK ? (size_t)(total - off) : CHUNK;
		uint8_t *p = msg_buf(1 + n);

		if (!p)
			return false;
		p[0] = LT_DATA;
		fill_stream(p + 1, seed, off, n);
		d = digest_update(d, p + 1, n);
	}
	*digest = d;
	m[0] = LT_END;
	put_be64(m + 1, d);
	return !send_msg(m, 9);
}

void linktest_run(unsigned mib)
{
	uint64_t total = mib * MIB, digest = 0, t0, t;
	uint64_t seed = env.now();

	if (!env.link || !link_up(env.link)) {
		pr("linktest: the link is not up\n");
		return;
	}
	memset(&tx, 0, sizeof(tx));
	if (!pings())
		goto down;
	if (!total)
		return;
	t0 = env.now();
	if (!stream(total, seed, &digest) || !wait_for(result_back))
		goto down;
	t = us(env.now() - t0);
	if (!t)
		t = 1;
	pr("linktest: sent %lu bytes in %lu ms: %lu KiB/s, digest %016lx\n",
	   (unsigned long)total, (unsigned long)(t / 1000),
	   (unsigned long)(total * 1000000 / t / 1024),
	   (unsigned long)digest);
	pr("linktest: peer received %lu bytes, digest %016lx, %s\n",
	   (unsigned long)tx.r_bytes, (unsigned long)tx.r_digest,
	   tx.r_bytes == total && tx.r_digest == digest && !tx.r_bad ?
	   "match" : "MISMATCH");
	return;
down:
	pr("linktest: aborted: the link went down\n");
}
