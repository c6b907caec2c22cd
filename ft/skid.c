/* The arm-early-then-step engine (ft/skid.h). Pure. */
#include "ft/skid.h"
#include "lib/print.h"

int skid_check_margin(uint64_t margin, uint64_t max_skid, char *why,
		      size_t len)
{
	if (margin >= max_skid)
		return 0;
	tsnprintf(why, len, "a margin of %lu units is less than the "
		  "counter's skid of %lu units: it could stop past the "
		  "target", (unsigned long)margin, (unsigned long)max_skid);
	return -1;
}

void skid_start(struct skid *s, const struct skid_pos *target,
		bool match_regs, uint64_t margin)
{
	*s = (struct skid){ .target = *target, .match_regs = match_regs,
			    .margin = margin };
}

uint64_t skid_arm(const struct skid *s)
{
	if (s->target.count <= s->margin)
		return 0;
	return s->target.count - s->margin;
}

static bool at_target(const struct skid *s, const struct skid_pos *at)
{
	if (at->count != s->target.count)
		return false;
	return !s->match_regs ||
	       (at->rip == s->target.rip && at->rcx == s->target.rcx);
}

enum skid_verdict skid_stop(struct skid *s, const struct skid_pos *at)
{
	s->last = *at;
	s->stops++;
	if (at->count > s->target.count)
		return SKID_OVERSHOT;
	if (at_target(s, at))
		return SKID_DONE;
	s->steps++;
	return SKID_STEP;
}

uint64_t skid_backstop(const struct skid *s)
{
	if (s->last.count >= s->target.count)
		return UINT64_MAX;
	return s->target.count - s->last.count;
}

void skid_describe(const struct skid *s, char *buf, size_t len)
{
	int n = tsnprintf(buf, len, "target count %lu",
			  (unsigned long)s->target.count);

	if (n < 0 || (size_t)n >= len)
		return;
	if (s->match_regs)
		n += tsnprintf(buf + n, len - (size_t)n, " rip 0x%lx rcx "
			       "0x%lx", (unsigned long)s->target.rip,
			       (unsigned long)s->target.rcx);
	if (n < 0 || (size_t)n >= len)
		return;
	tsnprintf(buf + n, len - (size_t)n, " (armed at %lu, margin %lu); "
		  "stopped at count %lu rip 0x%lx rcx 0x%lx after %lu "
		  "single-steps", (unsigned long)skid_arm(s),
		  (unsigned long)s->margin, (unsigned long)s->last.count,
		  (unsigned long)s->last.rip, (unsigned long)s->last.rcx,
		  (unsigned long)s->steps);
}
