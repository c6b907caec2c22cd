/* The replication link's protocol: handshake, sessions, sliding window
 * with cumulative and selective acks, retransmission, heartbeats and the
 * failure detector. The wire format is ft/frame.c's; the design is in
 * docs/link.md. */
#include "ft/link.h"
#include "ft/frame.h"
#include "ft/siphash.h"
#include "lib/print.h"
#include "lib/copy.h"
#include "lib/string.h"

/* Transmit slots: up to LINK_WINDOW_MAX frames in flight, as many again
 * filled and waiting for the window, the last one open for more. */
#define TX_SLOTS	(2 * LINK_WINDOW_MAX)
#define RX_BURST	64	/* frames taken per poll */
#define ACK_EVERY_MAX	8	/* data frames per delayed ack */
#define REORDER_XIDS	3	/* later sends delivered before a frame is
				 * taken as lost: TCP's dupack threshold */
#define REFUSAL_MAX	160

struct txslot {
	uint64_t sent;		/* last transmission; 0: not sent yet */
	uint32_t xid;		/* of the last transmission */
	uint16_t len;
	uint8_t sends;
	bool sacked;
	uint8_t data[FRAME_PAYLOAD_MAX];
};

struct rxslot {
	bool have;
	uint16_t len;
	uint8_t data[FRAME_PAYLOAD_MAX];
};

struct link {
	struct link_params p;
	struct link_io io;
	enum link_state state;
	uint64_t now;
	uint64_t nonce_base, nonce_count;
	uint64_t nonce;			/* this attempt's */

	/* ticks */
	uint64_t t_timeout, t_hello, t_heartbeat, t_ack_delay;
	uint64_t t_rto_min, t_rto_max, t_rto_init, t_nudge;

	/* handshake */
	bool have_peer;
	uint8_t peer[ETH_ALEN];
	uint8_t peer_role;
	uint64_t peer_nonce;		/* last compatible HELLO's */
	uint64_t next_hello, last_nudge, last_refuse_tx, last_note;
	struct {
		uint8_t mac[ETH_ALEN];
		uint8_t reason;
	} noted[2];			/* refusals printed: ours, theirs */
	char refusal[REFUSAL_MAX];

	/* session */
	uint32_t sid;
	uint8_t skey[SIPHASH_KEY_LEN];
	uint64_t session_nonce;		/* the peer's, in this session */
	uint32_t xid;			/* next to send */
	uint32_t rx_xid_max;
	uint64_t rx_xid_bits;		/* bit i: rx_xid_max - i seen */
	uint64_t last_rx, last_tx;

	/* sender */
	uint32_t snd_una, snd_nxt;
	uint16_t peer_window;
	bool have_rtt;
	uint64_t srtt, rttvar, rto, rtt_min;
	uint32_t rack_xid;		/* latest send known delivered (echo) */
	uint64_t rtx_start;		/* retransmission timer started */
	uint32_t snd_fill;		/* the open slot: messages go there */
	struct txslot tx[TX_SLOTS];

	/* receiver */
	uint32_t rcv_nxt;
	unsigned ack_owed;		/* data frames not yet acked */
	bool ack_now;
	uint64_t ack_due;
	struct rxslot rx[LINK_WINDOW_MAX];

	struct link_stats st;
	bool sent_any;			/* in this poll: flush at its end */
	const uint8_t *rbuf;		/* the frame being received */
};

static const uint8_t broadcast[ETH_ALEN] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};
static const uint8_t zero_key[SIPHASH_KEY_LEN];

/* Sequence numbers and xids wrap: compare by signed distance. */
static bool seq_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static uint64_t ticks(const struct link *l, uint64_t ms)
{
	return ms * l->p.hz / 1000;
}

static uint64_t to_us(const struct link *l, uint64_t t)
{
	return l->p.hz ? t * 1000000 / l->p.hz : 0;
}

static void fmt_mac(char *buf, const uint8_t *m)
{
	tsnprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2],
		  m[3], m[4], m[5]);
}

const char *link_role_name(uint8_t role)
{
	switch (role) {
	case ROLE_PRIMARY:
		return "primary";
	case ROLE_BACKUP:
		return "backup";
	}
	return "none";
}

const char *link_state_name(enum link_state s)
{
	switch (s) {
	case LINK_CONNECTING:
		return "connecting";
	case LINK_UP:
		return "up";
	case LINK_REFUSED:
		return "refused";
	}
	return "?";
}

const char *link_drop_name(unsigned reason)
{
	static const char *const names[] = {
		[DROP_FOREIGN] = "foreign", [DROP_STALE] = "stale",
		[DROP_REPLAY] = "replay", [DROP_DUP] = "duplicate",
		[DROP_WINDOW] = "out of window", [DROP_RECORDS] = "bad records",
		[DROP_HELLO] = "bad hello",
	};

	if (reason < FRAME_NERR)
		return frame_err_name((enum frame_err)reason);
	return reason < DROP_NREASONS ? names[reason] : "?";
}

/* --- sending frames --- */

static const uint8_t *session_key(const struct link *l)
{
	return l->p.auth ? l->skey : NULL;
}

/* The NIC's buffer for the next frame: the frame is built in place (no
 * copy of its own). NULL when the transmit ring is full. */
static uint8_t *frame_buf(struct link *l)
{
	uint8_t *b = l->io.tx_buf(l->io.ctx);

	if (!b)
		l->st.tx_busy++;
	return b;
}

/* Seal the frame whose payload is already in b, and send it. */
static int send_frame(struct link *l, uint8_t *b, struct frame_hdr *h,
		      const uint8_t *key)
{
	size_t n;

	memcpy(h->src, l->p.mac, ETH_ALEN);
	h->version = l->p.version;
	h->window = l->p.window;
	n = frame_seal(b, FRAME_MAX, h, key);
	if (!n)
		return -1;
	l->io.tx_send(l->io.ctx, n);
	l->st.tx_frames++;
	l->sent_any = true;
	return 0;
}

static void send_hello(struct link *l, const uint8_t *to, uint64_t echo)
{
	struct frame_hdr h = { .type = FRAME_HELLO, .len = HELLO_LEN };
	struct hello m = {
		.version = l->p.version, .role = l->p.role,
		.window = l->p.window, .timeout_ms = l->p.timeout_ms,
		.build_id = l->p.build_id, .cfg_digest = l->p.cfg_digest,
		.nonce = l->nonce, .echo = echo,
		.flags = l->state == LINK_UP ? HELLO_F_UP : 0,
	};

	uint8_t *b = frame_buf(l);

	if (!b)
		return;
	memcpy(h.dst, to, ETH_ALEN);
	hello_put(b + FRAME_PAYLOAD_OFF, &m);
	send_frame(l, b, &h, l->p.auth ? l->p.key : NULL);
}

static void send_refuse(struct link *l, const uint8_t *to,
			const struct refuse *r)
{
	struct frame_hdr h = { .type = FRAME_REFUSE, .len = REFUSE_LEN };
	uint8_t *b;

	if (l->last_refuse_tx && l->now - l->last_refuse_tx < l->t_hello)
		return;
	b = frame_buf(l);
	if (!b)
		return;
	l->last_refuse_tx = l->now;
	memcpy(h.dst, to, ETH_ALEN);
	refuse_put(b + FRAME_PAYLOAD_OFF, r);
	send_frame(l, b, &h, l->p.auth ? l->p.key : NULL);
}

static uint64_t sack_bits(const struct link *l)
{
	uint64_t bits = 0;

	for (uint32_t i = 0; i < 64 && i + 1 < l->p.window; i++)
		if (l->rx[(l->rcv_nxt + 1 + i) % LINK_WINDOW_MAX].have)
			bits |= 1ull << i;
	return bits;
}

static void session_hdr(struct link *l, struct frame_hdr *h, uint8_t type)
{
	memcpy(h->dst, l->peer, ETH_ALEN);
	h->type = type;
	h->session = l->sid;
	h->xid = l->xid;
	h->ack = l->rcv_nxt;
	h->sack = sack_bits(l);
	h->echo = l->rx_xid_max;
}

/* After any session frame went out: it carried the ack. */
static void sent_session(struct link *l)
{
	l->xid++;
	l->last_tx = l->now;
	l->ack_owed = 0;
	l->ack_now = false;
}

static int send_data(struct link *l, uint32_t seq)
{
	struct txslot *s = &l->tx[seq % TX_SLOTS];
	struct frame_hdr h = { .seq = seq, .len = s->len };
	uint8_t *b = frame_buf(l);

	if (!b)
		return -1;
	session_hdr(l, &h, FRAME_DATA);
	copy_words(b + FRAME_PAYLOAD_OFF, s->data, s->len);
	if (send_frame(l, b, &h, session_key(l)))
		return -1;
	if (!s->sends)
		l->st.tx_data++;
	s->sent = l->now;
	s->xid = h.xid;
	if (s->sends < 255)
		s->sends++;
	sent_session(l);
	return 0;
}

static void send_ack(struct link *l)
{
	struct frame_hdr h = { .len = 0 };
	uint8_t *b = frame_buf(l);

	if (!b)
		return;
	session_hdr(l, &h, FRAME_ACK);
	if (send_frame(l, b, &h, session_key(l)))
		return;
	l->st.tx_acks++;
	sent_session(l);
}

/* --- the message queue: the transmit slots themselves --- */

static struct txslot *open_slot(struct link *l)
{
	return &l->tx[l->snd_fill % TX_SLOTS];
}

static void init_slot(struct txslot *s)
{
	s->len = 0;
	s->sent = 0;
	s->sends = 0;
	s->sacked = false;
}

/* Message bytes (with their record headers) not yet sent. */
static uint32_t queued(const struct link *l)
{
	uint32_t n = 0;

	for (uint32_t seq = l->snd_nxt; seq != l->snd_fill + 1; seq++)
		n += l->tx[seq % TX_SLOTS].len;
	return n;
}

/* Close the open slot: it waits for the window; a new one opens. */
static bool close_slot(struct link *l)
{
	if (l->snd_fill + 1 - l->snd_una >= TX_SLOTS)
		return false;
	l->snd_fill++;
	init_slot(open_slot(l));
	return true;
}

void *link_send_buf(struct link *l, uint8_t chan, size_t len, int *err)
{
	struct txslot *s;
	uint8_t *rec;

	if (l->state != LINK_UP) {
		*err = LINK_E_DOWN;
		return NULL;
	}
	if (len > LINK_MSG_MAX) {
		*err = LINK_E_SIZE;
		return NULL;
	}
	s = open_slot(l);
	if (s->len + REC_HDR_LEN + len > FRAME_PAYLOAD_MAX) {
		if (!close_slot(l)) {
			*err = LINK_E_FULL;
			return NULL;
		}
		s = open_slot(l);
	}
	rec = s->data + s->len;
	put_be16(rec, (uint16_t)len);
	rec[2] = chan;
	s->len = (uint16_t)(s->len + REC_HDR_LEN + len);
	l->st.tx_msgs++;
	l->st.tx_bytes += len;
	*err = 0;
	return rec + REC_HDR_LEN;
}

int link_send(struct link *l, uint8_t chan, const void *msg, size_t len)
{
	int err;
	void *p = link_send_buf(l, chan, len, &err);

	if (p)
		copy_words(p, msg, len);
	return err;
}

/* --- sessions --- */

static uint32_t send_window(const struct link *l)
{
	return l->peer_window < l->p.window ? l->peer_window : l->p.window;
}

static void reset_session(struct link *l)
{
	l->snd_una = l->snd_nxt = l->snd_fill = l->rcv_nxt = 1;
	l->xid = 1;
	l->rx_xid_max = 0;
	l->rx_xid_bits = 0;
	l->rack_xid = 0;
	l->have_rtt = false;
	l->rto = l->t_rto_init;
	l->ack_owed = 0;
	l->ack_now = false;
	for (int i = 0; i < TX_SLOTS; i++)
		init_slot(&l->tx[i]);
	for (int i = 0; i < LINK_WINDOW_MAX; i++)
		l->rx[i].have = false;
}

/* A fresh nonce for each handshake attempt, so that no two sessions of
 * this boot share keys: SipHash of a counter under the boot nonce. */
static void new_nonce(struct link *l)
{
	uint8_t k[SIPHASH_KEY_LEN], c[8];

	put_be64(k, l->nonce_base);
	put_be64(k + 8, ~l->nonce_base);
	do {
		put_be64(c, l->nonce_count++);
		l->nonce = siphash64(k, c, sizeof(c));
	} while (!l->nonce);
}

/* Session id and key from both nonces, primary's first: both hosts
 * derive the same, and a new handshake always gives new ones. */
static void derive_session(struct link *l)
{
	static const char label[] = "tandem link session";
	uint8_t buf[sizeof(label) + 16];
	bool primary = l->p.role == ROLE_PRIMARY;

	memcpy(buf, label, sizeof(label));
	put_be64(buf + sizeof(label), primary ? l->nonce : l->session_nonce);
	put_be64(buf + sizeof(label) + 8,
		 primary ? l->session_nonce : l->nonce);
	l->sid = (uint32_t)siphash64(zero_key, buf, sizeof(buf));
	if (!l->sid)
		l->sid = 1;
	siphash128(l->p.auth ? l->p.key : zero_key, buf, sizeof(buf),
		   l->skey);
}

static void establish(struct link *l, const struct frame_hdr *h,
		      const struct hello *m, bool restart)
{
	char mac[18];

	if (restart && l->io.event)
		l->io.event(l->io.ctx, LINK_EV_RESTARTED);
	memcpy(l->peer, h->src, ETH_ALEN);
	l->have_peer = true;
	l->peer_role = m->role;
	l->session_nonce = m->nonce;
	l->peer_window = m->window ? m->window : 1;
	derive_session(l);
	reset_session(l);
	l->state = LINK_UP;
	l->last_rx = l->now;
	l->last_tx = l->now;
	l->refusal[0] = '\0';
	memset(l->noted, 0, sizeof(l->noted));
	l->st.sessions++;
	fmt_mac(mac, l->peer);
	pr("link: up: peer %s (%s), session %08x%s\n", mac,
	   link_role_name(m->role), l->sid,
	   l->p.auth ? ", authenticated" : "");
	/* Confirm: the peer completes on seeing its nonce echoed. */
	send_hello(l, l->peer, l->session_nonce);
	if (l->io.event)
		l->io.event(l->io.ctx, LINK_EV_UP);
}

static void lose_peer(struct link *l)
{
	char mac[18];

	fmt_mac(mac, l->peer);
	pr("link: peer %s lost: nothing heard for %lu ms (timeout %u ms)\n",
	   mac, (unsigned long)(to_us(l, l->now - l->last_rx) / 1000),
	   l->p.timeout_ms);
	l->st.lost++;
	l->state = LINK_CONNECTING;
	l->peer_nonce = 0;
	new_nonce(l);
	reset_session(l);
	l->next_hello = l->now;
	if (l->io.event)
		l->io.event(l->io.ctx, LINK_EV_LOST);
}

/* --- handshake --- */

static void reason_text(char *buf, size_t size, uint8_t reason,
			uint64_t peer_val, uint64_t my_val)
{
	switch (reason) {
	case REFUSE_VERSION:
		tsnprintf(buf, size, "protocol version differs (peer %lu, this "
			  "host %lu)", (unsigned long)peer_val,
			  (unsigned long)my_val);
		break;
	case REFUSE_ROLE:
		tsnprintf(buf, size, "both hosts have role %s",
			  link_role_name((uint8_t)my_val));
		break;
	case REFUSE_AUTH:
		tsnprintf(buf, size, "link_key is set on %s only",
			  my_val ? "this host" : "the peer");
		break;
	case REFUSE_BUILD:
		tsnprintf(buf, size, "tandem builds differ (peer %016lx, this "
			  "host %016lx)", (unsigned long)peer_val,
			  (unsigned long)my_val);
		break;
	case REFUSE_CONFIG:
		tsnprintf(buf, size, "guest configurations differ (peer digest "
			  "%016lx, this host %016lx)", (unsigned long)peer_val,
			  (unsigned long)my_val);
		break;
	default:
		tsnprintf(buf, size, "reason %u", reason);
	}
}

/* What in the peer's HELLO does not match: a reason, or 0. */
static uint8_t mismatch(const struct link *l, const struct frame_hdr *h,
			const struct hello *m, struct refuse *r)
{
	bool peer_auth = h->flags & FRAME_F_AUTH;

	r->echo = m->nonce;
	if (m->version != l->p.version || h->version != l->p.version) {
		r->mine = l->p.version;
		r->yours = m->version;
		return r->reason = REFUSE_VERSION;
	}
	if (m->role == l->p.role || (m->role != ROLE_PRIMARY &&
				     m->role != ROLE_BACKUP)) {
		r->mine = l->p.role;
		r->yours = m->role;
		return r->reason = REFUSE_ROLE;
	}
	if (peer_auth != l->p.auth) {
		r->mine = l->p.auth;
		r->yours = peer_auth;
		return r->reason = REFUSE_AUTH;
	}
	if (m->build_id != l->p.build_id) {
		r->mine = l->p.build_id;
		r->yours = m->build_id;
		return r->reason = REFUSE_BUILD;
	}
	if (m->cfg_digest != l->p.cfg_digest) {
		r->mine = l->p.cfg_digest;
		r->yours = m->cfg_digest;
		return r->reason = REFUSE_CONFIG;
	}
	return r->reason = 0;
}

/* Print a refusal once per peer, reason and side (ours: theirs = 0), not
 * at every HELLO. */
static void note_refusal(struct link *l, int theirs, const uint8_t *mac,
			 uint8_t reason, uint64_t peer_val, uint64_t my_val)
{
	const char *fmt = theirs ? "%s refused the link: %s"
				 : "refusing %s: %s";
	char m[18], why[REFUSAL_MAX - 40];

	if (l->noted[theirs].reason == reason &&
	    !memcmp(l->noted[theirs].mac, mac, ETH_ALEN))
		return;
	l->noted[theirs].reason = reason;
	memcpy(l->noted[theirs].mac, mac, ETH_ALEN);
	fmt_mac(m, mac);
	reason_text(why, sizeof(why), reason, peer_val, my_val);
	tsnprintf(l->refusal, sizeof(l->refusal), fmt, m, why);
	pr("link: %s\n", l->refusal);
	l->st.refused++;
	if (l->state != LINK_UP)
		l->state = LINK_REFUSED;
	if (l->io.event)
		l->io.event(l->io.ctx, LINK_EV_REFUSED);
}

/* Rate-limited HELLO reply: answers to a burst of HELLOs (or a peer's
 * stale data) cost one frame per interval. */
static void nudge(struct link *l, const uint8_t *to, uint64_t echo)
{
	if (l->last_nudge && l->now - l->last_nudge < l->t_nudge)
		return;
	l->last_nudge = l->now;
	send_hello(l, to, echo);
}

/* Hints for an operator whose keys differ: at most one every second. */
static void note_auth(struct link *l, const struct frame_hdr *h,
		      const char *what)
{
	char mac[18];

	if (l->last_note && l->now - l->last_note < l->p.hz)
		return;
	l->last_note = l->now;
	fmt_mac(mac, h->src);
	pr("link: %s from %s dropped (%s)\n", what, mac,
	   l->p.auth ? "wrong or no link_key?" : "peer has link_key set");
}

static void rx_hello(struct link *l, const struct frame_hdr *h,
		     const uint8_t *payload)
{
	struct hello m;
	struct refuse r;

	if (hello_get(payload, h->len, &m) || !m.nonce) {
		l->st.drops[DROP_HELLO]++;
		return;
	}
	if (l->state == LINK_UP && memcmp(h->src, l->peer, ETH_ALEN)) {
		l->st.drops[DROP_FOREIGN]++;
		return;
	}
	if (mismatch(l, h, &m, &r)) {
		note_refusal(l, 0, h->src, r.reason, r.yours, r.mine);
		send_refuse(l, h->src, &r);
		return;
	}
	if (l->state == LINK_UP) {
		/* A new nonce echoing ours: the peer restarted (a replay
		 * cannot echo the nonce of this attempt). Anything else:
		 * answer, so that the peer can complete. */
		if (m.nonce != l->session_nonce && m.echo == l->nonce)
			establish(l, h, &m, true);
		else if (m.nonce != l->session_nonce || m.echo != l->nonce ||
			 !(m.flags & HELLO_F_UP))
			nudge(l, h->src, m.nonce);
		return;
	}
	memcpy(l->peer, h->src, ETH_ALEN);
	l->have_peer = true;
	l->peer_role = m.role;
	l->peer_nonce = m.nonce;
	if (m.echo == l->nonce)
		establish(l, h, &m, false);
	else
		send_hello(l, h->src, m.nonce);
}

static void rx_refuse(struct link *l, const struct frame_hdr *h,
		      const uint8_t *payload)
{
	struct refuse r;

	if (refuse_get(payload, h->len, &r)) {
		l->st.drops[DROP_HELLO]++;
		return;
	}
	/* Only an answer to this attempt's HELLO counts, and none while
	 * up: a refusal cannot then be replayed to break a session. */
	if (r.echo != l->nonce || l->state == LINK_UP) {
		l->st.drops[DROP_STALE]++;
		return;
	}
	note_refusal(l, 1, h->src, r.reason, r.mine, r.yours);
}

/* --- receiving session frames --- */

/* RTO = SRTT + 4 RTTVAR (RFC 6298 2.3), clamped. */
static void rto_reset(struct link *l)
{
	if (!l->have_rtt)
		return;
	l->rto = l->srtt + 4 * l->rttvar;
	if (l->rto < l->t_rto_min)
		l->rto = l->t_rto_min;
	if (l->rto > l->t_rto_max)
		l->rto = l->t_rto_max;
}

static void rtt_sample(struct link *l, uint64_t r)
{
	if (!l->have_rtt) {
		l->srtt = r;
		l->rttvar = r / 2;
		l->rtt_min = r;
		l->have_rtt = true;
	} else {
		uint64_t d = r > l->srtt ? r - l->srtt : l->srtt - r;

		/* RFC 6298 2.3: beta = 1/4, alpha = 1/8 */
		l->rttvar = (3 * l->rttvar + d) / 4;
		l->srtt = (7 * l->srtt + r) / 8;
		if (r < l->rtt_min)
			l->rtt_min = r;
	}
	rto_reset(l);
}

/* A frame of ours reached the peer: the newest such is an RTT sample
 * (Karn: never a frame sent more than once, whose acked copy is
 * unknown). */
static void delivered(const struct txslot *s, uint64_t *newest)
{
	if (s->sends == 1 && s->sent > *newest)
		*newest = s->sent;
}

static void rx_acks(struct link *l, const struct frame_hdr *h)
{
	uint64_t newest = 0;
	uint32_t seq;

	l->peer_window = h->window ? h->window : 1;
	/* The latest transmission that got through, as the peer says:
	 * with retransmitted frames, what a SACK shows is ambiguous, the
	 * echo not. */
	if (seq_lt(l->rack_xid, h->echo) && seq_lt(h->echo, l->xid))
		l->rack_xid = h->echo;
	if (seq_lt(l->snd_una, h->ack) && !seq_lt(l->snd_nxt, h->ack)) {
		for (seq = l->snd_una; seq != h->ack; seq++) {
			struct txslot *s = &l->tx[seq % TX_SLOTS];

			if (!s->sacked)
				delivered(s, &newest);
			s->sent = 0;
			s->sends = 0;
			s->sacked = false;
		}
		l->snd_una = h->ack;
		l->rtx_start = l->now;
		/* new data got through: drop the timer's backoff now, not
		 * only at the next clean RTT sample (which Karn's rule may
		 * keep away for long on a lossy wire) */
		rto_reset(l);
	}
	for (int i = 0; i < 64; i++) {
		struct txslot *s;

		seq = h->ack + 1 + (uint32_t)i;
		if (!(h->sack >> i & 1) || seq_lt(seq, l->snd_una) ||
		    !seq_lt(seq, l->snd_nxt))
			continue;
		s = &l->tx[seq % TX_SLOTS];
		if (!s->sacked && s->sends) {
			s->sacked = true;
			delivered(s, &newest);
		}
	}
	if (newest)
		rtt_sample(l, l->now - newest);
}

static void deliver(struct link *l, const uint8_t *p, size_t len)
{
	size_t off = 0, mlen;
	const uint8_t *msg;
	uint8_t chan;

	while (rec_next(p, len, &off, &chan, &msg, &mlen) > 0) {
		l->st.rx_msgs++;
		l->st.rx_bytes += mlen;
		if (l->io.deliver)
			l->io.deliver(l->io.ctx, chan, msg, mlen);
		/* a callback may have ended the session (it should not) */
		if (l->state != LINK_UP)
			return;
	}
}

static void rx_data(struct link *l, const struct frame_hdr *h,
		    const uint8_t *payload)
{
	uint32_t ahead = h->seq - l->rcv_nxt;
	struct rxslot *s;

	if (!seq_lt(h->seq, l->rcv_nxt) && ahead >= l->p.window) {
		l->st.drops[DROP_WINDOW]++;
		l->ack_now = true;
		return;
	}
	if (seq_lt(h->seq, l->rcv_nxt) ||
	    (ahead && l->rx[h->seq % LINK_WINDOW_MAX].have)) {
		l->st.drops[DROP_DUP]++;
		l->ack_now = true;	/* our ack may have been lost */
		return;
	}
	/* Whole payload checked before any message is delivered. */
	if (rec_count(payload, h->len) < 0) {
		l->st.drops[DROP_RECORDS]++;
		return;
	}
	l->st.rx_data++;
	if (!l->ack_owed++)
		l->ack_due = l->now + l->t_ack_delay;
	if (ahead) {
		s = &l->rx[h->seq % LINK_WINDOW_MAX];
		s->have = true;
		s->len = h->len;
		copy_words(s->data, payload, h->len);
		l->ack_now = true;	/* a gap: tell the sender now */
		return;
	}
	l->rcv_nxt++;
	deliver(l, payload, h->len);
	while (l->state == LINK_UP &&
	       (s = &l->rx[l->rcv_nxt % LINK_WINDOW_MAX])->have) {
		s->have = false;
		l->rcv_nxt++;
		deliver(l, s->data, s->len);
	}
}

/* Anti-replay over xids, as IPsec's (RFC 4303 3.4.3): a 64-frame
 * window below the highest xid seen. */
static bool xid_fresh(struct link *l, uint32_t xid)
{
	uint32_t back;

	if (seq_lt(l->rx_xid_max, xid)) {
		uint32_t shift = xid - l->rx_xid_max;

		l->rx_xid_bits = shift >= 64 ? 0 : l->rx_xid_bits << shift;
		l->rx_xid_bits |= 1;
		l->rx_xid_max = xid;
		return true;
	}
	back = l->rx_xid_max - xid;
	if (back >= 64 || (l->rx_xid_bits >> back & 1))
		return false;
	l->rx_xid_bits |= 1ull << back;
	return true;
}

static void rx_session(struct link *l, const struct frame_hdr *h,
		       const uint8_t *payload)
{
	if (l->state != LINK_UP) {
		l->st.drops[DROP_STALE]++;
		return;
	}
	if (memcmp(h->src, l->peer, ETH_ALEN)) {
		l->st.drops[DROP_FOREIGN]++;
		return;
	}
	if (h->session != l->sid) {
		/* the peer is in another session: help it find ours */
		l->st.drops[DROP_STALE]++;
		nudge(l, l->peer, l->session_nonce);
		return;
	}
	if (l->p.auth ? frame_verify(l->rbuf, h, l->skey) != FRAME_OK
		      : (h->flags & FRAME_F_AUTH) != 0) {
		l->st.drops[FRAME_E_AUTH]++;
		note_auth(l, h, "frame");
		return;
	}
	if (!h->xid || !xid_fresh(l, h->xid)) {
		l->st.drops[DROP_REPLAY]++;
		return;
	}
	l->last_rx = l->now;
	rx_acks(l, h);
	if (h->type == FRAME_DATA)
		rx_data(l, h, payload);
}

static void rx_frame(struct link *l, size_t len)
{
	struct frame_hdr h;
	const uint8_t *payload;
	enum frame_err e = frame_open(l->rbuf, len, &h, &payload);

	if (e == FRAME_NOT_OURS)
		return;
	if (e != FRAME_OK) {
		l->st.drops[e]++;
		return;
	}
	if (!memcmp(h.src, l->p.mac, ETH_ALEN))
		return;		/* our own broadcast, looped back */
	l->st.rx_frames++;
	if (h.type == FRAME_DATA || h.type == FRAME_ACK) {
		rx_session(l, &h, payload);
		return;
	}
	/* Handshake frames use the long-term key. */
	if (l->p.auth && frame_verify(l->rbuf, &h, l->p.key) != FRAME_OK) {
		l->st.drops[FRAME_E_AUTH]++;
		note_auth(l, &h, h.flags & FRAME_F_AUTH ? "HELLO with a bad tag"
				 : "unauthenticated HELLO");
		return;
	}
	if (h.type == FRAME_HELLO)
		rx_hello(l, &h, payload);
	else
		rx_refuse(l, &h, payload);
}

/* --- timers and transmission --- */

/* Send what the window allows: closed slots first, then the open one if
 * it holds anything (closing it). Messages sent between two polls share
 * frames: that is the batching. */
static void fill_frames(struct link *l)
{
	while (l->snd_nxt - l->snd_una < send_window(l)) {
		if (l->snd_nxt == l->snd_fill &&
		    (!open_slot(l)->len || !close_slot(l)))
			return;
		if (l->snd_nxt == l->snd_una)
			l->rtx_start = l->now;	/* the timer starts */
		if (send_data(l, l->snd_nxt++))
			return;		/* NIC full: resend_pass sends it */
	}
}

/* Send what is due: frames never sent (the NIC was full), and frames
 * that later sends overtook (lost: RACK, RFC 8985, with xids for
 * transmission times: the peer echoes a transmission REORDER_XIDS later
 * than this frame's, and a reordering window has passed since it went).
 * One retransmission timer covers the oldest
 * frame, restarted by every new cumulative ack (RFC 6298 5.3): frames
 * queued behind a slow wire (Bochs delivers one a millisecond) are not
 * late. When it expires, only the oldest frame goes again and the timer
 * backs off (5.4-5.6); the SACKs of what follows find the rest. */
static void resend_pass(struct link *l)
{
	/* RFC 8985 6.2 says min_RTT / 4; an eighth of the smoothed RTT
	 * covers wires where a queue, not the path, makes the RTT (Bochs:
	 * a window waits tens of milliseconds), which the relay's
	 * reordering would otherwise turn into retransmissions */
	uint64_t reo = l->rtt_min / 4 > l->srtt / 8 ? l->rtt_min / 4
						     : l->srtt / 8;
	bool oldest = true;

	for (uint32_t seq = l->snd_una; seq != l->snd_nxt; seq++) {
		struct txslot *s = &l->tx[seq % TX_SLOTS];
		bool lost, expired;

		if (s->sacked)
			continue;
		if (!s->sends) {
			if (send_data(l, seq))
				break;
			continue;
		}
		expired = oldest && l->now - l->rtx_start >= l->rto;
		oldest = false;
		lost = (int32_t)(l->rack_xid - s->xid) >= REORDER_XIDS &&
		       l->now - s->sent >= reo;
		if (!lost && !expired)
			continue;
		if (send_data(l, seq))
			break;
		if (expired) {
			l->st.retx_timeout++;
			l->rto *= 2;
			if (l->rto > l->t_rto_max)
				l->rto = l->t_rto_max;
			l->rtx_start = l->now;
		} else {
			l->st.retx_fast++;
		}
	}
}

static unsigned ack_every(const struct link *l)
{
	unsigned n = l->p.window / 8;

	return n < 1 ? 1 : n > ACK_EVERY_MAX ? ACK_EVERY_MAX : n;
}

static void poll_up(struct link *l)
{
	if (l->now - l->last_rx >= l->t_timeout) {
		lose_peer(l);
		return;
	}
	fill_frames(l);
	resend_pass(l);
	if (l->ack_now || (l->ack_owed && (l->ack_owed >= ack_every(l) ||
					   l->now >= l->ack_due)))
		send_ack(l);
	if (l->now - l->last_tx >= l->t_heartbeat)
		send_ack(l);
}

static void poll_connecting(struct link *l)
{
	if (l->now >= l->next_hello) {
		send_hello(l, broadcast, l->peer_nonce);
		l->next_hello = l->now + l->t_hello;
	}
}

void link_poll(struct link *l, uint64_t now)
{
	size_t n;

	l->now = now;
	l->sent_any = false;
	for (int i = 0; i < RX_BURST; i++) {
		l->rbuf = l->io.rx(l->io.ctx, &n);
		if (!l->rbuf)
			break;
		rx_frame(l, n);
		l->io.rx_done(l->io.ctx);
		/* Half a window into a burst, ack without waiting for its
		 * end: the sender refills its window while this side works
		 * through the rest. */
		if (l->state == LINK_UP && l->ack_owed >= l->p.window / 2u &&
		    l->ack_owed >= ack_every(l)) {
			send_ack(l);
			if (l->io.flush)
				l->io.flush(l->io.ctx);
		}
	}
	l->rbuf = NULL;
	if (l->state == LINK_UP)
		poll_up(l);
	else
		poll_connecting(l);
	if (l->sent_any && l->io.flush)
		l->io.flush(l->io.ctx);
}

/* --- setup and queries --- */

size_t link_size(void)
{
	return sizeof(struct link);
}

static uint64_t clamp(uint64_t v, uint64_t lo, uint64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct link *link_create(void *mem, const struct link_params *p,
			 const struct link_io *io, uint64_t now)
{
	struct link *l = mem;
	uint32_t to = p->timeout_ms;

	memset(l, 0, sizeof(*l));
	l->p = *p;
	if (!l->p.window || l->p.window > LINK_WINDOW_MAX)
		l->p.window = LINK_WINDOW_DEFAULT;
	if (!l->p.hz)
		l->p.hz = 1;
	l->io = *io;
	l->now = now;
	l->nonce_base = p->nonce;
	new_nonce(l);
	/* Heartbeats five times per timeout: four in a row may be lost
	 * before the peer is declared dead. */
	l->t_timeout = ticks(l, to);
	l->t_heartbeat = ticks(l, clamp(to / 5, 1, 1000));
	l->t_hello = ticks(l, clamp(to / 4, 10, 250));
	l->t_nudge = l->t_hello / 4;
	l->t_ack_delay = ticks(l, 1) / 2;
	l->t_rto_min = ticks(l, 10);
	l->t_rto_max = ticks(l, clamp(to / 2, 20, 1000));
	l->t_rto_init = ticks(l, clamp(to / 5, 20, 200));
	l->state = LINK_CONNECTING;
	l->next_hello = now;
	reset_session(l);
	return l;
}

bool link_up(const struct link *l)
{
	return l->state == LINK_UP;
}

bool link_drained(const struct link *l)
{
	return l->snd_una == l->snd_nxt && l->snd_nxt == l->snd_fill &&
	       !l->tx[l->snd_fill % TX_SLOTS].len;
}

void link_get_info(const struct link *l, uint64_t now,
		   struct link_info *out)
{
	memset(out, 0, sizeof(*out));
	out->state = l->state;
	out->role = l->p.role;
	out->peer_role = l->peer_role;
	out->have_peer = l->have_peer;
	memcpy(out->peer, l->peer, ETH_ALEN);
	out->session = l->state == LINK_UP ? l->sid : 0;
	out->auth = l->p.auth;
	if (l->have_rtt) {
		out->srtt_us = to_us(l, l->srtt);
		out->rttvar_us = to_us(l, l->rttvar);
		out->rtt_min_us = to_us(l, l->rtt_min);
	}
	out->rto_us = to_us(l, l->rto);
	out->window = l->p.window;
	out->peer_window = l->peer_window;
	out->in_flight = l->snd_nxt - l->snd_una;
	out->queued = queued(l);
	out->last_rx_ms = l->state == LINK_UP ?
			  to_us(l, now - l->last_rx) / 1000 : 0;
	out->timeout_ms = l->p.timeout_ms;
	out->refusal = l->refusal;
	out->st = l->st;
}
