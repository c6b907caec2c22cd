/* Reaching an exact position with a progress counter that may stop late
 * ("skid"): arm it early by a margin M, then single-step to the position
 * (docs/epochs.md, "Single-stepping"). ReVirt and Bressoud & Schneider's
 * hypervisor end an epoch this way with a retired-branch counter whose
 * overflow interrupt arrives a few branches late.
 *
 * The engine is pure and knows no unit: instructions for the exact
 * counter, retired branches for a PMU. A position is a count of units
 * since the epoch start; several instructions can share one count (no
 * branch retires between them), so replay also names the RIP there, and
 * RCX, which tells apart the iterations of a REP string instruction (they
 * all have the same RIP).
 *
 * Contract with the counter: armed at A units, it stops no earlier than
 * the boundary where the A-th unit retires and no later than where the
 * (A + S)-th does, S being its skid. With M >= S the stop is never past
 * the first boundary at count A + M, the target's count, so stepping
 * forward one instruction at a time always reaches the target. */
#ifndef FT_SKID_H
#define FT_SKID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct skid_pos {
	uint64_t count;		/* units since the epoch start */
	uint64_t rip, rcx;
};

enum skid_verdict {
	SKID_STEP,		/* short of the target: step once more */
	SKID_DONE,		/* at the target */
	SKID_OVERSHOT,		/* past it: the counter stopped too late */
};

struct skid {
	struct skid_pos target;
	bool match_regs;	/* RIP and RCX must match too (replay) */
	uint64_t margin;
	uint64_t steps;		/* single-steps asked for so far */
	uint64_t stops;		/* stops checked so far */
	struct skid_pos last;	/* the last stop checked */
};

/* 0 when a margin of 'margin' units covers a counter that stops up to
 * 'max_skid' units late; else -1 and why. */
int skid_check_margin(uint64_t margin, uint64_t max_skid, char *why,
		      size_t len);

/* A new target. Record knows only the count (match_regs false: the
 * first boundary at that count); replay knows the whole position. */
void skid_start(struct skid *s, const struct skid_pos *target,
		bool match_regs, uint64_t margin);

/* Units to arm the counter with, from the epoch start: the target less
 * the margin; 0 (stop at once and step from the start) when the target
 * is within the margin. */
uint64_t skid_arm(const struct skid *s);

/* The counter or a single-step stopped the guest at 'at': step on, stop
 * here, or give up. */
enum skid_verdict skid_stop(struct skid *s, const struct skid_pos *at);

/* While stepping: units from the last stop to the target, to arm the
 * counter with as a backstop in case a step is lost (an event delivered
 * with TF stepping); UINT64_MAX when the count is there already. */
uint64_t skid_backstop(const struct skid *s);

/* One line for an error: the target and where the guest stopped. */
void skid_describe(const struct skid *s, char *buf, size_t len);

#endif
