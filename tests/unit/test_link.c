/* Unit tests for the replication link protocol (ft/link.c): two links,
 * and sometimes a third sender, over a simulated wire with a virtual
 * clock and seeded faults (drop, duplicate, corrupt, reorder, delay). */
#include "tests/unit/check.h"
#include "ft/link.h"
#include "lib/print.h"

#define HZ		1000000ull	/* 1 tick = 1 us */
#define STEP		20		/* us between polls */
#define PIPE_MAX	512		/* frames in flight towards a host */
#define NEND		3

struct pkt {
	uint64_t at;
	size_t len;
	uint8_t data[FRAME_MAX];
};

struct faults {
	unsigned drop, dup, corrupt, reorder;	/* per mille */
	uint64_t delay;				/* us */
};

struct end {
	struct sim *sim;
	int id;
	struct link *l;
	uint8_t mac[ETH_ALEN];
	bool dead;		/* not polled, frames to it vanish */
	bool cut;		/* frames from it vanish */
	struct pkt *in;
	int nin;
	uint8_t txb[FRAME_MAX];		/* the "NIC's" transmit buffer */
	uint8_t *cur;			/* the frame being received */
	/* what it received: a stream checked against the sender's */
	uint64_t got, bad_bytes, msgs;
	int ev[4];
	uint64_t t_ev[4];
};

struct sim {
	uint64_t now, rng;
	struct faults f;
	struct end e[NEND];
	uint64_t frames_on_wire;
};

static struct sim *S;
static char log_buf[16384];
static size_t log_len;

static void log_sink(const char *buf, size_t len)
{
	if (log_len + len >= sizeof(log_buf))
		len = sizeof(log_buf) - 1 - log_len;
	memcpy(log_buf + log_len, buf, len);
	log_len += len;
	log_buf[log_len] = '\0';
}

static uint32_t rnd(struct sim *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return (uint32_t)((s->rng * 0x2545f4914f6cdd1dull) >> 32);
}

static bool chance(struct sim *s, unsigned per_mille)
{
	return per_mille && rnd(s) % 1000 < per_mille;
}

/* Byte i of the test stream. */
static uint8_t stream_byte(uint64_t i)
{
	return (uint8_t)((i * 2654435761u) >> 13 ^ i);
}

static void put_pkt(struct end *to, const uint8_t *data, size_t len,
		    uint64_t at)
{
	struct pkt *p;

	if (to->dead || to->nin == PIPE_MAX)
		return;
	p = &to->in[to->nin++];
	p->at = at;
	p->len = len;
	memcpy(p->data, data, len);
}

static void wire_send(struct sim *s, int from, const uint8_t *frame,
		      size_t len)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	s->frames_on_wire++;
	if (s->e[from].cut)
		return;
	for (int i = 0; i < NEND; i++) {
		struct end *to = &s->e[i];
		uint8_t copy[FRAME_MAX];
		uint64_t at = s->now + s->f.delay;
		int copies = 1;

		if (i == from || !to->in)
			continue;
		if (memcmp(frame, to->mac, 6) && memcmp(frame, bcast, 6))
			continue;
		if (chance(s, s->f.drop))
			continue;
		if (chance(s, s->f.dup))
			copies = 2;
		memcpy(copy, frame, len);
		if (chance(s, s->f.corrupt))
			copy[ETH_HDR_LEN + rnd(s) % (len - ETH_HDR_LEN)] ^=
				(uint8_t)(1 + rnd(s) % 255);
		if (chance(s, s->f.reorder))
			at += 50 + rnd(s) % 400;
		while (copies--)
			put_pkt(to, copy, len, at);
	}
}

static void *io_tx_buf(void *ctx)
{
	struct end *e = ctx;

	return e->txb;
}

static void io_tx_send(void *ctx, size_t len)
{
	struct end *e = ctx;

	wire_send(e->sim, e->id, e->txb, len);
}

/* The earliest frame due; exactly its length, so that ASan catches a
 * read past its end. */
static const void *io_rx(void *ctx, size_t *len)
{
	struct end *e = ctx;
	int best = -1;

	for (int i = 0; i < e->nin; i++)
		if (e->in[i].at <= e->sim->now &&
		    (best < 0 || e->in[i].at < e->in[best].at))
			best = i;
	if (best < 0)
		return NULL;
	*len = e->in[best].len;
	e->cur = malloc(*len ? *len : 1);
	memcpy(e->cur, e->in[best].data, *len);
	e->in[best] = e->in[--e->nin];
	return e->cur;
}

static void io_rx_done(void *ctx)
{
	struct end *e = ctx;

	free(e->cur);
	e->cur = NULL;
}

static void io_deliver(void *ctx, uint8_t chan, const uint8_t *msg,
		       size_t len)
{
	struct end *e = ctx;

	(void)chan;
	e->msgs++;
	for (size_t i = 0; i < len; i++, e->got++)
		if (msg[i] != stream_byte(e->got))
			e->bad_bytes++;
}

static void io_event(void *ctx, enum link_event ev)
{
	struct end *e = ctx;

	e->ev[ev]++;
	e->t_ev[ev] = e->sim->now;
}

static const struct link_io io = {
	.tx_buf = io_tx_buf, .tx_send = io_tx_send, .rx = io_rx,
	.rx_done = io_rx_done, .deliver = io_deliver, .event = io_event,
};

static struct link_params params(int id)
{
	struct link_params p = {
		.mac = { 0x52, 0x54, 0, 0, 0, (uint8_t)(id + 1) },
		.role = id ? ROLE_BACKUP : ROLE_PRIMARY,
		.version = LINK_VERSION, .build_id = 0x1111,
		.cfg_digest = 0x2222, .nonce = 0x1000 + (uint64_t)id * 77,
		.timeout_ms = 200, .window = 32, .hz = HZ,
	};
	return p;
}

static void start_end(struct sim *s, int id, const struct link_params *p)
{
	struct end *e = &s->e[id];
	struct link_io eio = io;

	e->sim = s;
	e->id = id;
	e->dead = false;
	memcpy(e->mac, p->mac, ETH_ALEN);
	if (!e->in)
		e->in = calloc(PIPE_MAX, sizeof(struct pkt));
	e->nin = 0;
	if (!e->l)
		e->l = malloc(link_size());
	eio.ctx = e;
	e->l = link_create(e->l, p, &eio, s->now);
}

static struct sim *sim_new(uint64_t seed)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->rng = seed * 0x9e3779b97f4a7c15ull + 1;
	s->now = 1000;
	log_len = 0;
	log_buf[0] = '\0';
	print_set_sink(log_sink);
	S = s;
	return s;
}

static void sim_free(struct sim *s)
{
	for (int i = 0; i < NEND; i++) {
		free(s->e[i].in);
		free(s->e[i].l);
	}
	free(s);
}

static void step(struct sim *s)
{
	s->now += STEP;
	for (int i = 0; i < NEND; i++)
		if (s->e[i].l && !s->e[i].dead)
			link_poll(s->e[i].l, s->now);
}

static void run_for(struct sim *s, uint64_t us)
{
	uint64_t end = s->now + us;

	while (s->now < end)
		step(s);
}

static bool run_until_up(struct sim *s, uint64_t us)
{
	uint64_t end = s->now + us;

	while (s->now < end) {
		step(s);
		if (link_up(s->e[0].l) && link_up(s->e[1].l))
			return true;
	}
	return false;
}

static struct sim *pair(uint64_t seed, const struct link_params *pa,
			const struct link_params *pb)
{
	struct sim *s = sim_new(seed);
	struct link_params a = pa ? *pa : params(0);
	struct link_params b = pb ? *pb : params(1);

	start_end(s, 0, &a);
	start_end(s, 1, &b);
	return s;
}

/* Send total bytes from 'from' in messages of random sizes (1 to
 * LINK_MSG_MAX, and bursts of small ones), then wait until all are
 * acked. Returns the virtual time taken, or 0 on a timeout. */
static uint64_t transfer(struct sim *s, int from, uint64_t total,
			 uint64_t limit_us)
{
	struct end *e = &s->e[from];
	uint64_t sent = 0, t0 = s->now, end = s->now + limit_us;
	uint8_t msg[LINK_MSG_MAX];

	while (s->now < end) {
		while (sent < total) {
			size_t n = rnd(s) % 4 ? 1 + rnd(s) % LINK_MSG_MAX :
				   1 + rnd(s) % 16;
			int r;

			if (n > total - sent)
				n = (size_t)(total - sent);
			for (size_t i = 0; i < n; i++)
				msg[i] = stream_byte(sent + i);
			r = link_send(e->l, 0, msg, n);
			if (r == LINK_E_FULL)
				break;
			if (r)
				return 0;
			sent += n;
		}
		step(s);
		if (sent == total && link_drained(e->l) &&
		    s->e[1 - from].got == total)
			return s->now - t0;
	}
	return 0;
}

static void info(struct sim *s, int id, struct link_info *i)
{
	link_get_info(s->e[id].l, s->now, i);
}

/* --- cases --- */

static void test_handshake(void)
{
	struct sim *s = pair(1, NULL, NULL);
	struct link_info a, b;

	REQUIRE(run_until_up(s, 100000));
	info(s, 0, &a);
	info(s, 1, &b);
	CHECK_EQ(a.session, b.session);
	CHECK(a.session != 0);
	CHECK_EQ(a.peer_role, ROLE_BACKUP);
	CHECK_EQ(b.peer_role, ROLE_PRIMARY);
	CHECK(!memcmp(a.peer, s->e[1].mac, 6));
	CHECK_EQ(s->e[0].ev[LINK_EV_UP], 1);
	CHECK_EQ(s->e[1].ev[LINK_EV_UP], 1);
	CHECK(strstr(log_buf, "link: up: peer 52:54:00:00:00:02 (backup)"));
	/* stays up on heartbeats alone, with no further handshakes */
	run_for(s, 2000000);
	CHECK(link_up(s->e[0].l) && link_up(s->e[1].l));
	CHECK_EQ(s->e[0].ev[LINK_EV_UP], 1);
	CHECK_EQ(s->e[0].ev[LINK_EV_LOST], 0);
	sim_free(s);
}

/* The confirmation of the handshake lost: it completes anyway. */
static void test_handshake_lossy(void)
{
	for (uint64_t seed = 1; seed <= 20; seed++) {
		struct sim *s = pair(seed, NULL, NULL);

		s->f.drop = 300;
		s->f.dup = 100;
		s->f.reorder = 200;
		s->f.delay = 100;
		CHECK(run_until_up(s, 3000000));
		s->f.drop = 0;
		run_for(s, 100000);
		CHECK(link_up(s->e[0].l) && link_up(s->e[1].l));
		CHECK_EQ(s->e[0].l ? link_up(s->e[0].l) : 0, 1);
		sim_free(s);
	}
}

static void test_send_before_up(void)
{
	struct sim *s = pair(2, NULL, NULL);

	CHECK_EQ(link_send(s->e[0].l, 0, "x", 1), LINK_E_DOWN);
	REQUIRE(run_until_up(s, 100000));
	CHECK_EQ(link_send(s->e[0].l, 0, "x", 1), 0);
	{
		static uint8_t big[LINK_MSG_MAX + 1];

		CHECK_EQ(link_send(s->e[0].l, 0, big, sizeof(big)),
			 LINK_E_SIZE);
		CHECK_EQ(link_send(s->e[0].l, 0, big, LINK_MSG_MAX), 0);
	}
	sim_free(s);
}

static void test_transfer_clean(void)
{
	struct sim *s = pair(3, NULL, NULL);
	struct link_info a;

	s->f.delay = 50;
	REQUIRE(run_until_up(s, 100000));
	CHECK(transfer(s, 0, 1 << 20, 30000000) > 0);
	CHECK_EQ(s->e[1].got, 1 << 20);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	info(s, 0, &a);
	CHECK_EQ(a.st.retx_timeout + a.st.retx_fast, 0);
	CHECK_EQ(a.st.tx_bytes, 1 << 20);
	CHECK(a.srtt_us >= 100 && a.srtt_us < 2000);
	/* and back the other way over the same session */
	CHECK(transfer(s, 1, 100000, 30000000) > 0);
	CHECK_EQ(s->e[0].got, 100000);
	CHECK_EQ(s->e[0].bad_bytes, 0);
	sim_free(s);
}

/* The rates the twin tests use through tools/wirefault, and worse. */
static void test_transfer_faults(void)
{
	static const struct faults fs[] = {
		{ .drop = 50, .dup = 10, .corrupt = 10, .reorder = 20,
		  .delay = 100 },
		{ .drop = 200, .dup = 50, .corrupt = 50, .reorder = 100,
		  .delay = 200 },
	};

	for (size_t k = 0; k < 2; k++)
		for (uint64_t seed = 10; seed < 13; seed++) {
			struct sim *s = pair(seed, NULL, NULL);
			struct link_info a, b;

			s->f = fs[k];
			REQUIRE(run_until_up(s, 2000000));
			CHECK(transfer(s, 0, 1 << 20, 120000000) > 0);
			CHECK_EQ(s->e[1].got, 1 << 20);
			CHECK_EQ(s->e[1].bad_bytes, 0);
			info(s, 0, &a);
			info(s, 1, &b);
			CHECK(a.st.retx_fast + a.st.retx_timeout > 0);
			CHECK(b.st.drops[DROP_DUP] > 0);
			CHECK(a.st.drops[FRAME_E_CRC] +
			      b.st.drops[FRAME_E_CRC] +
			      b.st.drops[FRAME_E_LENGTH] > 0);
			CHECK_EQ(s->e[0].ev[LINK_EV_LOST], 0);
			sim_free(s);
		}
}

static void test_window_bounds(void)
{
	for (uint16_t w = 1; w <= LINK_WINDOW_MAX; w *= 4) {
		struct link_params a = params(0), b = params(1);
		struct sim *s;
		struct link_info i;

		a.window = w;
		b.window = w;
		s = pair(4, &a, &b);
		s->f.delay = 100;
		s->f.drop = 20;
		REQUIRE(run_until_up(s, 1000000));
		info(s, 0, &i);
		CHECK_EQ(i.window, w);
		CHECK(transfer(s, 0, 200000, 60000000) > 0);
		CHECK_EQ(s->e[1].bad_bytes, 0);
		info(s, 0, &i);
		CHECK(i.in_flight <= w);
		sim_free(s);
	}
}

/* Small messages share frames. */
static void test_batching(void)
{
	struct sim *s = pair(5, NULL, NULL);
	struct link_info a;
	uint8_t msg[8];

	REQUIRE(run_until_up(s, 100000));
	for (int i = 0; i < 1000; i++) {
		for (int j = 0; j < 8; j++)
			msg[j] = stream_byte((uint64_t)i * 8 + (uint64_t)j);
		REQUIRE(link_send(s->e[0].l, 3, msg, 8) == 0);
	}
	run_for(s, 10000);
	CHECK_EQ(s->e[1].got, 8000);
	CHECK_EQ(s->e[1].msgs, 1000);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	info(s, 0, &a);
	/* 11 bytes a record, 131 records a frame */
	CHECK(a.st.tx_data <= 8);
	sim_free(s);
}

/* Messages written in place (link_send_buf) arrive like copied ones. */
static void test_send_buf(void)
{
	struct sim *s = pair(19, NULL, NULL);
	uint64_t off = 0;
	uint8_t *p;
	int err;

	p = link_send_buf(s->e[0].l, 0, 10, &err);
	CHECK(!p);
	CHECK_EQ(err, LINK_E_DOWN);
	REQUIRE(run_until_up(s, 100000));
	CHECK(!link_send_buf(s->e[0].l, 0, LINK_MSG_MAX + 1, &err));
	CHECK_EQ(err, LINK_E_SIZE);
	for (int i = 0; i < 300; i++) {
		size_t n = 1 + (size_t)i * 5 % LINK_MSG_MAX;

		p = link_send_buf(s->e[0].l, 7, n, &err);
		if (!p) {
			CHECK_EQ(err, LINK_E_FULL);
			step(s);
			i--;
			continue;
		}
		CHECK_EQ(err, 0);
		for (size_t k = 0; k < n; k++)
			p[k] = stream_byte(off + k);
		off += n;
	}
	run_for(s, 100000);
	CHECK_EQ(s->e[1].got, off);
	CHECK_EQ(s->e[1].msgs, 300);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	CHECK(link_drained(s->e[0].l));
	sim_free(s);
}

static void test_queue_full(void)
{
	struct sim *s = pair(6, NULL, NULL);
	uint8_t msg[1000] = { 0 };
	int n = 0;

	REQUIRE(run_until_up(s, 100000));
	while (link_send(s->e[0].l, 0, msg, sizeof(msg)) == 0)
		n++;
	/* one message a frame: 2 * LINK_WINDOW_MAX slots */
	CHECK_EQ(n, 2 * LINK_WINDOW_MAX);
	CHECK_EQ(link_send(s->e[0].l, 0, msg, sizeof(msg)), LINK_E_FULL);
	run_for(s, 20000);
	CHECK_EQ(link_send(s->e[0].l, 0, msg, sizeof(msg)), 0);
	sim_free(s);
}

/* The failure detector: a silent peer is reported within the timeout
 * (plus one poll), and never earlier than it. */
static void test_peer_lost(void)
{
	struct sim *s = pair(7, NULL, NULL);
	uint64_t t_dead;
	struct link_info a;

	REQUIRE(run_until_up(s, 100000));
	run_for(s, 500000);
	s->e[1].dead = true;
	t_dead = s->now;
	run_for(s, 400000);
	CHECK_EQ(s->e[0].ev[LINK_EV_LOST], 1);
	CHECK(s->e[0].t_ev[LINK_EV_LOST] - t_dead <= 200000 + STEP);
	/* the last frame heard came up to one heartbeat before the death */
	CHECK(s->e[0].t_ev[LINK_EV_LOST] - t_dead >= 200000 - 40000 - STEP);
	CHECK(!link_up(s->e[0].l));
	CHECK(strstr(log_buf, "link: peer 52:54:00:00:00:02 lost: nothing "
			      "heard for"));
	info(s, 0, &a);
	CHECK_EQ(a.st.lost, 1);
	CHECK_EQ(link_send(s->e[0].l, 0, "x", 1), LINK_E_DOWN);
	sim_free(s);
}

/* One-way loss: only one host sees the peer go silent; the other
 * learns through the new handshake. Both end up in one new session. */
static void test_one_sided_loss(void)
{
	struct sim *s = pair(8, NULL, NULL);
	struct link_info a, b;
	uint32_t old;

	REQUIRE(run_until_up(s, 100000));
	info(s, 0, &a);
	old = a.session;
	s->e[1].cut = true;		/* B's frames vanish */
	run_for(s, 300000);
	CHECK_EQ(s->e[0].ev[LINK_EV_LOST], 1);
	s->e[1].cut = false;
	REQUIRE(run_until_up(s, 1000000));
	run_for(s, 100000);
	info(s, 0, &a);
	info(s, 1, &b);
	CHECK(link_up(s->e[0].l) && link_up(s->e[1].l));
	CHECK_EQ(a.session, b.session);
	CHECK(a.session != old);
	CHECK(transfer(s, 0, 50000, 10000000) > 0);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	sim_free(s);
}

/* The peer reboots (new nonce): the survivor starts a new session
 * without waiting for its failure detector. */
static void test_peer_restart(void)
{
	struct sim *s = pair(9, NULL, NULL);
	struct link_params b = params(1);
	struct link_info a;

	REQUIRE(run_until_up(s, 100000));
	b.nonce = 0x999999;
	start_end(s, 1, &b);
	s->e[1].got = 0;
	REQUIRE(run_until_up(s, 150000));
	run_for(s, 1000);
	CHECK_EQ(s->e[0].ev[LINK_EV_RESTARTED], 1);
	CHECK_EQ(s->e[0].ev[LINK_EV_LOST], 0);
	CHECK(transfer(s, 0, 50000, 10000000) > 0);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	info(s, 0, &a);
	CHECK_EQ(a.st.sessions, 2);
	sim_free(s);
}

static void expect_refused(struct link_params *pa, struct link_params *pb,
			   const char *msg_a, const char *msg_b)
{
	struct sim *s = pair(11, pa, pb);
	struct link_info a, b;

	run_for(s, 1000000);
	CHECK(!link_up(s->e[0].l));
	CHECK(!link_up(s->e[1].l));
	info(s, 0, &a);
	info(s, 1, &b);
	CHECK_EQ(a.state, LINK_REFUSED);
	CHECK_EQ(b.state, LINK_REFUSED);
	CHECK(s->e[0].ev[LINK_EV_REFUSED] >= 1);
	if (!strstr(log_buf, msg_a) || !strstr(log_buf, msg_b))
		check_fail(__FILE__, __LINE__, "log lacks '%s' or '%s': %s",
			   msg_a, msg_b, log_buf);
	/* once per peer and reason, not at every HELLO */
	CHECK(a.st.refused <= 2 && b.st.refused <= 2);
	sim_free(s);
}

static void test_refuse_version(void)
{
	struct link_params a = params(0), b = params(1);

	b.version = LINK_VERSION + 1;
	expect_refused(&a, &b,
		       "refusing 52:54:00:00:00:02: protocol version differs "
		       "(peer 2, this host 1)",
		       "refusing 52:54:00:00:00:01: protocol version differs "
		       "(peer 1, this host 2)");
}

static void test_refuse_role(void)
{
	struct link_params a = params(0), b = params(1);

	b.role = ROLE_PRIMARY;
	expect_refused(&a, &b, "refusing 52:54:00:00:00:02: both hosts have "
		       "role primary", "both hosts have role primary");
}

static void test_refuse_build(void)
{
	struct link_params a = params(0), b = params(1);

	b.build_id = 0x1112;
	expect_refused(&a, &b, "tandem builds differ (peer 0000000000001112, "
		       "this host 0000000000001111)",
		       "tandem builds differ (peer 0000000000001111, "
		       "this host 0000000000001112)");
}

static void test_refuse_config(void)
{
	struct link_params a = params(0), b = params(1);

	b.cfg_digest = 0x3333;
	expect_refused(&a, &b, "guest configurations differ",
		       "refusing 52:54:00:00:00:01: guest configurations "
		       "differ (peer digest 0000000000002222, this host "
		       "0000000000003333)");
}

/* The refused host hears why from its peer, too. */
static void test_refusal_heard(void)
{
	struct link_params a = params(0), b = params(1);

	b.cfg_digest = 0x3333;
	/* A hears B's REFUSE before it refuses B itself: B's refusal is
	 * printed in A's words */
	expect_refused(&a, &b, "52:54:00:00:00:0", "refused the link: guest "
		       "configurations differ");
}

static void test_refuse_then_good_peer(void)
{
	struct link_params a = params(0), b = params(1);
	struct sim *s;

	b.cfg_digest = 0x3333;
	s = pair(12, &a, &b);
	run_for(s, 500000);
	CHECK(!link_up(s->e[0].l));
	b = params(1);
	b.nonce = 0x4242;
	start_end(s, 1, &b);
	CHECK(run_until_up(s, 1000000));
	sim_free(s);
}

static struct link_params keyed(int id, uint8_t k)
{
	struct link_params p = params(id);

	p.auth = true;
	memset(p.key, k, sizeof(p.key));
	return p;
}

static void test_auth_session(void)
{
	struct link_params a = keyed(0, 0x5a), b = keyed(1, 0x5a);
	struct sim *s = pair(13, &a, &b);
	struct link_info i;

	s->f.drop = 20;
	s->f.corrupt = 20;
	REQUIRE(run_until_up(s, 1000000));
	CHECK(strstr(log_buf, "authenticated"));
	CHECK(transfer(s, 0, 300000, 60000000) > 0);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	info(s, 1, &i);
	CHECK(i.auth);
	CHECK_EQ(i.st.drops[FRAME_E_AUTH], 0);
	sim_free(s);
}

static void test_auth_wrong_key(void)
{
	struct link_params a = keyed(0, 0x5a), b = keyed(1, 0x5b);
	struct sim *s = pair(14, &a, &b);
	struct link_info i;

	run_for(s, 1000000);
	CHECK(!link_up(s->e[0].l) && !link_up(s->e[1].l));
	info(s, 0, &i);
	CHECK(i.st.drops[FRAME_E_AUTH] > 0);
	CHECK(strstr(log_buf, "HELLO with a bad tag from"));
	sim_free(s);
}

static void test_auth_one_side(void)
{
	struct link_params a = keyed(0, 0x5a), b = params(1);
	struct sim *s = pair(15, &a, &b);
	struct link_info i;

	run_for(s, 1000000);
	CHECK(!link_up(s->e[0].l) && !link_up(s->e[1].l));
	info(s, 0, &i);
	CHECK(i.st.drops[FRAME_E_AUTH] > 0);
	CHECK(strstr(log_buf, "unauthenticated HELLO from 52:54:00:00:00:02"));
	CHECK(strstr(log_buf, "link_key is set on the peer only"));
	sim_free(s);
}

/* A third host on the wire with the wrong key forges HELLOs and session
 * frames (the right session id, fresh xids, acks), and replays frames it
 * recorded: all are dropped and counted; the transfer is byte-exact. */
static void forge(struct sim *s, int to, uint32_t sid, uint32_t xid,
		  uint8_t type, const uint8_t *key)
{
	uint8_t buf[FRAME_MAX];
	struct frame_hdr h = {
		.version = LINK_VERSION, .type = type, .session = sid,
		.xid = xid, .seq = xid, .ack = 1, .window = 32,
	};
	size_t n;

	memcpy(h.dst, s->e[to].mac, 6);
	memcpy(h.src, s->e[1 - to].mac, 6);	/* spoofed source */
	if (type == FRAME_HELLO) {
		struct hello m = { .version = LINK_VERSION,
				   .role = to ? ROLE_PRIMARY : ROLE_BACKUP,
				   .window = 32, .build_id = 0x1111,
				   .cfg_digest = 0x2222, .nonce = xid };
		h.len = HELLO_LEN;
		hello_put(buf + FRAME_PAYLOAD_OFF, &m);
	} else if (type == FRAME_DATA) {
		size_t off = 0;

		rec_put(buf + FRAME_PAYLOAD_OFF, FRAME_PAYLOAD_MAX, &off, 0,
			"evil", 4);
		h.len = (uint16_t)off;
	}
	n = frame_seal(buf, sizeof(buf), &h, key);
	put_pkt(&s->e[to], buf, n, s->now);
}

static void test_auth_third_sender(void)
{
	struct link_params a = keyed(0, 0x5a), b = keyed(1, 0x5a);
	struct sim *s = pair(16, &a, &b);
	uint8_t wrong[16];
	struct link_info ia, ib;
	uint8_t msg[1000];
	uint64_t sent = 0;
	struct pkt saved[8];
	int nsaved = 0;

	memset(wrong, 0x77, sizeof(wrong));
	s->f.delay = 100;	/* frames linger on the wire: record them */
	REQUIRE(run_until_up(s, 1000000));
	info(s, 0, &ia);
	/* record a few real frames to replay later */
	for (int k = 0; k < 20000; k++) {
		size_t n = sizeof(msg);

		for (size_t i = 0; i < n; i++)
			msg[i] = stream_byte(sent + i);
		if (sent < 200000 && link_send(s->e[0].l, 0, msg, n) == 0)
			sent += n;
		for (int i = 0; i < s->e[1].nin && nsaved < 8; i++)
			saved[nsaved++] = s->e[1].in[i];
		if (k % 10 == 0)
			for (uint8_t t = FRAME_HELLO; t <= FRAME_ACK; t++) {
				forge(s, 1, ia.session, 5000 + (uint32_t)sent,
				      t, wrong);
				forge(s, 0, ia.session, 5000 + (uint32_t)sent,
				      t, wrong);
			}
		if (k % 50 == 0)
			for (int i = 0; i < nsaved; i++)
				put_pkt(&s->e[1], saved[i].data, saved[i].len,
					s->now);
		step(s);
	}
	run_for(s, 100000);
	CHECK_EQ(s->e[1].got, sent);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	info(s, 0, &ia);
	info(s, 1, &ib);
	CHECK(ia.st.drops[FRAME_E_AUTH] > 100);
	CHECK(ib.st.drops[FRAME_E_AUTH] > 100);
	CHECK(ib.st.drops[DROP_REPLAY] + ib.st.drops[DROP_DUP] > 0);
	CHECK(link_up(s->e[0].l) && link_up(s->e[1].l));
	CHECK_EQ(ia.st.sessions, 1);
	CHECK_EQ(ib.st.sessions, 1);
	sim_free(s);
}

/* Without a key, a third host's frames are still kept out of the
 * session by source MAC and session id. */
static void test_foreign_frames(void)
{
	struct sim *s = pair(17, NULL, NULL);
	struct link_params c = params(2);
	struct link_info b;

	REQUIRE(run_until_up(s, 100000));
	c.role = ROLE_PRIMARY;
	start_end(s, 2, &c);
	run_for(s, 500000);
	CHECK(link_up(s->e[0].l) && link_up(s->e[1].l));
	info(s, 1, &b);
	CHECK(b.st.drops[DROP_FOREIGN] > 0);
	CHECK_EQ(b.st.sessions, 1);
	CHECK(!memcmp(b.peer, s->e[0].mac, 6));
	sim_free(s);
}

/* Garbage of every length, mutated real frames, truncations: counted,
 * dropped, and the link still works. */
static void test_malformed(void)
{
	struct sim *s = pair(18, NULL, NULL);
	struct link_info b;
	uint8_t buf[FRAME_MAX];
	uint64_t drops = 0;

	REQUIRE(run_until_up(s, 100000));
	for (size_t len = 0; len <= FRAME_MAX; len++) {
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd(s);
		if (len >= 14) {
			memcpy(buf, s->e[1].mac, 6);
			buf[12] = 0x88;
			buf[13] = 0xb5;
		}
		if (len >= 16) {
			buf[14] = LINK_VERSION;
			buf[15] = (uint8_t)(1 + len % 4);
		}
		put_pkt(&s->e[1], buf, len, s->now);
		if (s->e[1].nin > 100)
			step(s);
	}
	run_for(s, 10000);
	info(s, 1, &b);
	for (int i = 0; i < DROP_NREASONS; i++)
		drops += b.st.drops[i];
	CHECK(drops >= FRAME_MAX - 20);
	CHECK(b.st.drops[FRAME_E_SHORT] > 0);
	CHECK(b.st.drops[FRAME_E_LENGTH] > 0);
	CHECK(b.st.drops[FRAME_E_CRC] > 0);
	CHECK(link_up(s->e[1].l));
	CHECK(transfer(s, 0, 20000, 10000000) > 0);
	CHECK_EQ(s->e[1].bad_bytes, 0);
	sim_free(s);
}

static void test_info_text(void)
{
	CHECK_STR(link_state_name(LINK_UP), "up");
	CHECK_STR(link_role_name(ROLE_BACKUP), "backup");
	CHECK_STR(link_drop_name(FRAME_E_CRC), "bad CRC");
	CHECK_STR(link_drop_name(DROP_REPLAY), "replay");
	CHECK_STR(link_drop_name(999), "?");
}

static const struct tcase cases[] = {
	TCASE(handshake),
	TCASE(handshake_lossy),
	TCASE(send_before_up),
	TCASE(transfer_clean),
	TCASE(transfer_faults),
	TCASE(window_bounds),
	TCASE(batching),
	TCASE(send_buf),
	TCASE(queue_full),
	TCASE(peer_lost),
	TCASE(one_sided_loss),
	TCASE(peer_restart),
	TCASE(refuse_version),
	TCASE(refuse_role),
	TCASE(refuse_build),
	TCASE(refuse_config),
	TCASE(refusal_heard),
	TCASE(refuse_then_good_peer),
	TCASE(auth_session),
	TCASE(auth_wrong_key),
	TCASE(auth_one_side),
	TCASE(auth_third_sender),
	TCASE(foreign_frames),
	TCASE(malformed),
	TCASE(info_text),
};

int main(int argc, char **argv)
{
	return RUN_CASES("link", cases, argc, argv);
}
