/* linktest messages, each a type byte and its fields (big-endian):
 *   PING t / PONG t      round trip; t is the sender's clock
 *   START total seed     a stream of 'total' bytes follows
 *   DATA bytes           the next bytes of the stream
 *   END digest           the sender's digest of the stream
 *   RESULT bytes digest bad   the receiver's count, digest and number
 *                        of bytes that differed from the stream
 */
#include "ft/linktest.h"
#include "ft/frame.h"
#include "ft/link.h"
#include "ft/siphash.h"
#include "lib/print.h"
#include "lib/string.h"

enum {
	LT_PING = 1, LT_PONG, LT_START, LT_DATA, LT_END, LT_RESULT,
};

#define PINGS		20
#define CHUNK		1440	/* stream bytes a message: a multiple of 8 */
#define MIB		(1024ull * 1024)

static struct linktest_env env;
static const uint8_t digest_key[SIPHASH_KEY_LEN];

/* receiver */
static struct {
	bool active;
	uint64_t total, seed, got, bad;
	struct siphash digest;
} rx;

/* sender, waiting for replies */
static struct {
	uint64_t pong_t;	/* time the last PONG echoed, 0: none */
	bool have_result;
	uint64_t r_bytes, r_digest, r_bad;
} tx;

void linktest_init(const struct linktest_env *e)
{
	env = *e;
}

/* 8 bytes of the stream at word w: SplitMix64 (Steele et al., 2014). */
static uint64_t stream_word(uint64_t seed, uint64_t w)
{
	uint64_t z = seed + (w + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Stream bytes [off, off + n), off a multiple of 8. */
static void fill_stream(uint8_t *p, uint64_t seed, uint64_t off, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = stream_word(seed, (off + i) / 8);

		for (size_t b = 0; b < 8 && i + b < n; b++)
			p[i + b] = (uint8_t)(v >> (8 * b));
	}
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
	struct siphash d = rx.digest;
	uint8_t out[8];

	siphash_final(&d, out);
	m[0] = LT_RESULT;
	put_be64(m + 1, rx.got);
	memcpy(m + 9, out, 8);
	put_be64(m + 17, rx.bad);
	link_send(env.link, LINK_CHAN_TEST, m, sizeof(m));
}

static uint64_t digest_value(const uint8_t *out)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | out[i];
	return v;
}

static void rx_data(const uint8_t *p, size_t n)
{
	uint8_t want[CHUNK];

	if (!rx.active || n > CHUNK || rx.got % 8) {
		rx.bad += n;
		return;
	}
	fill_stream(want, rx.seed, rx.got, n);
	for (size_t i = 0; i < n; i++)
		rx.bad += p[i] != want[i];
	siphash_update(&rx.digest, p, n);
	rx.got += n;
}

static void rx_end(const uint8_t *m, size_t len)
{
	struct siphash d = rx.digest;
	uint8_t out[8];
	uint64_t mine;

	if (len < 9)
		return;
	siphash_final(&d, out);
	mine = digest_value(out);
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
		siphash_init(&rx.digest, digest_key, 0);
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
		tx.r_digest = digest_value(m + 9);
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

static bool stream(uint64_t total, uint64_t seed, uint64_t *digest)
{
	uint8_t m[1 + CHUNK], out[8];
	struct siphash d;

	m[0] = LT_START;
	put_be64(m + 1, total);
	put_be64(m + 9, seed);
	if (send_msg(m, 17))
		return false;
	siphash_init(&d, digest_key, 0);
	m[0] = LT_DATA;
	for (uint64_t off = 0; off < total; off += CHUNK) {
		size_t n = total - off < CHUNK ? (size_t)(total - off) : CHUNK;

		fill_stream(m + 1, seed, off, n);
		siphash_update(&d, m + 1, n);
		if (send_msg(m, 1 + n))
			return false;
	}
	siphash_final(&d, out);
	*digest = digest_value(out);
	m[0] = LT_END;
	memcpy(m + 1, out, 8);
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
