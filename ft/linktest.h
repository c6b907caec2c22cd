/* linktest: the monitor's end-to-end check and benchmark of the link.
 * The sender measures the round-trip time with pings, then streams N MiB
 * of a seeded pseudo-random byte stream; the receiver regenerates the
 * stream to check every byte, and both print a SipHash digest of what
 * went through, so that a test compares the two consoles. */
#ifndef FT_LINKTEST_H
#define FT_LINKTEST_H

#include <stddef.h>
#include <stdint.h>

#define LINK_CHAN_TEST	1	/* link channel of linktest messages */

struct link;

struct linktest_env {
	struct link *link;
	uint64_t hz;
	uint64_t (*now)(void);
	void (*poll)(void);	/* one round of the link's work */
};

void linktest_init(const struct linktest_env *env);
/* A message on LINK_CHAN_TEST (from link_poll's deliver callback). */
void linktest_deliver(const uint8_t *msg, size_t len);
/* Run the test as sender: pings, then mib MiB. Blocks, polling the link,
 * until the peer confirmed (or the link went down). */
void linktest_run(unsigned mib);

#endif
