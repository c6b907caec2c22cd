/* The replication link: a reliable, ordered, exactly-once message
 * transport between the two hosts of a tandem pair, over raw Ethernet
 * frames (ft/frame.h). Design and operator view: docs/link.md.
 *
 * Pure: the link reaches the NIC, the layer above and the clock only
 * through struct link_io and the 'now' arguments, so that host unit tests
 * run two links over a simulated wire. It prints its state changes with
 * pr().
 *
 * Single-threaded and polled: link_poll() does all the work (receive,
 * acks, retransmission, heartbeats, failure detection, handshake). The
 * deliver and event callbacks run inside link_poll(); they may call
 * link_send() but not link_poll().
 */
#ifndef FT_LINK_H
#define FT_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ft/frame.h"
#include "ft/siphash.h"

#define LINK_WINDOW_MAX		64	/* frames in flight, each way */
#define LINK_WINDOW_DEFAULT	64

enum link_state {
	LINK_CONNECTING,	/* handshake: HELLO broadcast until a peer
				 * answers */
	LINK_UP,
	LINK_REFUSED,		/* a peer answered but does not match; the
				 * handshake goes on for a matching one */
};

enum link_event {
	LINK_EV_UP,		/* session established: link_send() works */
	LINK_EV_LOST,		/* peer silent for the timeout: session gone,
				 * messages not yet acked are dropped */
	LINK_EV_RESTARTED,	/* the peer started a new session: as LOST,
				 * then UP */
	LINK_EV_REFUSED,	/* a peer was refused or refused us */
};

struct link_params {
	uint8_t mac[ETH_ALEN];	/* this host's NIC */
	uint8_t role;		/* ROLE_PRIMARY or ROLE_BACKUP */
	uint8_t version;	/* advertised: LINK_VERSION, or a fake one
				 * for tests (link_test_version) */
	uint64_t build_id;	/* must match the peer's */
	uint64_t cfg_digest;	/* must match the peer's */
	uint64_t nonce;		/* fresh at each boot, never 0 */
	bool auth;		/* MAC every frame with key */
	uint8_t key[SIPHASH_KEY_LEN];
	uint32_t timeout_ms;	/* failure detector */
	uint16_t window;	/* 1..LINK_WINDOW_MAX */
	uint64_t hz;		/* clock ticks per second */
};

struct link_io {
	void *ctx;
	/* A buffer of FRAME_MAX bytes for the next frame to send, in which
	 * the link builds it (the NIC's own: no copy), or NULL when the NIC
	 * has no room now. */
	void *(*tx_buf)(void *ctx);
	/* Send the frame built in the last tx_buf, len bytes. */
	void (*tx_send)(void *ctx, size_t len);
	/* Optional: the frames sent may go now (called once at the end of
	 * each poll that sent something). */
	void (*flush)(void *ctx);
	/* The next received frame, in place, and its length; NULL when
	 * none. It stays valid until rx_done, which the link calls before
	 * the next rx. */
	const void *(*rx)(void *ctx, size_t *len);
	void (*rx_done)(void *ctx);
	/* One message, in order, exactly once per session. */
	void (*deliver)(void *ctx, uint8_t chan, const uint8_t *msg,
			size_t len);
	void (*event)(void *ctx, enum link_event ev);
};

/* Dropped frames, by reason; the first FRAME_NERR are enum frame_err. */
enum link_drop {
	DROP_FOREIGN = FRAME_NERR,	/* from a host that is not the peer */
	DROP_STALE,		/* another session's, or no session yet */
	DROP_REPLAY,		/* xid already seen or too old */
	DROP_DUP,		/* data already delivered */
	DROP_WINDOW,		/* seq beyond the receive window */
	DROP_RECORDS,		/* payload records malformed */
	DROP_HELLO,		/* HELLO/REFUSE payload malformed */
	DROP_NREASONS
};

struct link_stats {
	uint64_t tx_frames, rx_frames;		/* link frames, all types */
	uint64_t tx_data, rx_data;		/* DATA (tx: first sends) */
	uint64_t tx_msgs, rx_msgs;		/* accepted, delivered */
	uint64_t tx_bytes, rx_bytes;		/* message bytes, same */
	uint64_t tx_acks;			/* ACK-only frames */
	uint64_t retx_timeout, retx_fast;	/* retransmissions */
	uint64_t tx_busy;			/* NIC ring full */
	uint64_t drops[DROP_NREASONS];
	uint64_t sessions, lost, refused;
};

struct link_info {
	enum link_state state;
	uint8_t role, peer_role;
	bool have_peer;
	uint8_t peer[ETH_ALEN];
	uint32_t session;
	bool auth;
	uint64_t srtt_us, rttvar_us, rtt_min_us, rto_us;
	uint32_t window, peer_window, in_flight, queued;
	uint64_t last_rx_ms;		/* since the peer was last heard */
	uint32_t timeout_ms;
	const char *refusal;		/* last refusal, "" if none */
	struct link_stats st;
};

enum {
	LINK_E_DOWN = -1,	/* no session */
	LINK_E_SIZE = -2,	/* message longer than LINK_MSG_MAX */
	LINK_E_FULL = -3,	/* queue full: poll and retry */
};

/* Bytes of memory a link needs (about 290 KiB). */
size_t link_size(void);
/* Start a link in mem (link_size() bytes, any alignment of 8). */
struct link *link_create(void *mem, const struct link_params *p,
			 const struct link_io *io, uint64_t now);
void link_poll(struct link *l, uint64_t now);
/* Queue a message for the peer; it goes out at the next poll, batched
 * with others into as few frames as fit (up to LINK_WINDOW_MAX frames
 * wait for the window). 0 or LINK_E_*. */
int link_send(struct link *l, uint8_t chan, const void *msg, size_t len);
/* The same without a copy: room for a len-byte message in the frame
 * being filled, for the caller to write before its next link_poll; NULL
 * and *err = LINK_E_* when there is none. */
void *link_send_buf(struct link *l, uint8_t chan, size_t len, int *err);
bool link_up(const struct link *l);
/* Queue empty and everything sent acked. */
bool link_drained(const struct link *l);
void link_get_info(const struct link *l, uint64_t now,
		   struct link_info *out);
const char *link_state_name(enum link_state s);
const char *link_drop_name(unsigned reason);
const char *link_role_name(uint8_t role);

#endif
