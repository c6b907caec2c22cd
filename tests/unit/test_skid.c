/* The arm-early-then-step engine (ft/skid.c) against a model of a
 * counter that skids: a simulated instruction stream with branches and
 * REP iterations, whose counter stops 0..S units late at random (seeded,
 * so a failure repeats). With S <= M the engine must always end at the
 * exact position, for record (the count alone) and replay (count, RIP,
 * RCX); with S > M it must say OVERSHOT whenever the stop came too late. */
#include <stdint.h>
#include <string.h>
#include "tests/unit/check.h"
#include "ft/skid.h"

#define STREAM_MAX	20000

/* The boundaries an execution passes, in order: position i is where
 * the guest is after i instructions (or REP iterations). */
struct stream {
	struct skid_pos p[STREAM_MAX];
	size_t n;
};

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* The unit is a retired branch: about one instruction in six is one;
 * the others advance RIP, so that RIP never repeats between two
 * branches; REP instructions repeat their RIP with RCX counting down. */
static void gen(struct stream *s, size_t n)
{
	struct skid_pos at = { 0, 0x100000, 7 };

	s->n = 0;
	while (s->n < n) {
		uint64_t kind = below(12);

		s->p[s->n++] = at;
		if (kind < 2) {
			at.count++;
			at.rip = 0x100000 + below(0x10000);
		} else if (kind == 2 && s->n + 40 < n) {
			/* rep movsb, 1..32 iterations: one boundary after
			 * each, all at its RIP but the last */
			at.rcx = 1 + below(32);
			s->p[s->n - 1].rcx = at.rcx;
			while (--at.rcx)
				s->p[s->n++] = at;
			at.rip += 2;
		} else {
			at.rip += 1 + below(7);
			if (kind == 3)
				at.rcx = below(100);
		}
	}
}

/* First position whose count is at least c (the boundary where the
 * c-th unit retires), or the last one. */
static size_t first_at(const struct stream *s, uint64_t c)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->p[i].count >= c)
			return i;
	return s->n - 1;
}

/* Where a counter armed at 'arm' with a skid of k units stops: anywhere
 * from the boundary of the arm-th unit to that of the (arm+k)-th. Armed
 * at 0, it stops at once. */
static size_t counter_stop(const struct stream *s, uint64_t arm, uint64_t k)
{
	size_t lo, hi;

	if (!arm)
		return 0;
	lo = first_at(s, arm);
	hi = first_at(s, arm + k);
	return lo + below(hi - lo + 1);
}

/* Run the engine from a counter stop with skid k; returns the verdict,
 * leaves the position reached in *at and the counter's stop in *stop. */
static enum skid_verdict run(const struct stream *s, struct skid *sk,
			     uint64_t k, size_t *at, size_t *stop)
{
	size_t i = counter_stop(s, skid_arm(sk), k);
	enum skid_verdict v;

	*stop = i;
	while ((v = skid_stop(sk, &s->p[i])) == SKID_STEP) {
		if (++i >= s->n)
			break;
	}
	*at = i;
	return v;
}

static struct stream st;

/* S <= M: record stops at the first boundary of the target count,
 * replay at the very position named, whatever the skid. */
static void test_model_exact(void)
{
	static const uint64_t cases[][2] = {	/* skid S, margin M */
		{ 0, 0 }, { 0, 3 }, { 3, 3 }, { 5, 8 }, { 16, 16 },
	};
	unsigned runs = 0, stepped = 0;

	rng = 0x5eed1234abcdull;
	for (unsigned c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint64_t S = cases[c][0], M = cases[c][1];

		for (unsigned seed = 0; seed < 40; seed++) {
			struct skid sk;
			size_t at, want, stop;
			uint64_t T;

			gen(&st, STREAM_MAX);
			T = 1 + below(st.p[st.n - 200].count);
			skid_start(&sk, &(struct skid_pos){ T, 0, 0 }, false,
				   M);
			want = first_at(&st, T);
			REQUIRE(run(&st, &sk, below(S + 1), &at, &stop) ==
				SKID_DONE);
			CHECK_EQ(at, want);
			/* replay: any position, first at its count or not */
			want = below(st.n - 200);
			skid_start(&sk, &st.p[want], true, M);
			REQUIRE(run(&st, &sk, below(S + 1), &at, &stop) ==
				SKID_DONE);
			CHECK_EQ(at, want);
			CHECK(sk.steps <= want);
			stepped += sk.steps > 0;
			runs++;
		}
	}
	CHECK_EQ(runs, 200);
	CHECK(stepped > 100);
}

/* S > M: a counter stop past the target ends OVERSHOT (at once when
 * its count is past, after stepping when it is at the target's count
 * but beyond its RIP); a stop that came early enough still ends
 * exactly. */
static void test_model_overshoot(void)
{
	unsigned over = 0, exact = 0;

	rng = 0x0badc0ffee11ull;
	for (unsigned seed = 0; seed < 200; seed++) {
		uint64_t M = below(4), S = M + 1 + below(6), T;
		struct skid sk;
		size_t at, want, stop;
		enum skid_verdict v;

		gen(&st, STREAM_MAX);
		want = 50 + below(st.n - 300);
		T = st.p[want].count;
		if (T <= M)
			continue;
		skid_start(&sk, &st.p[want], true, M);
		v = run(&st, &sk, below(S + 1), &at, &stop);
		if (stop > want) {
			CHECK_EQ(v, SKID_OVERSHOT);
			CHECK(sk.last.count > T);
			CHECK_EQ(sk.stops == 1, st.p[stop].count > T);
			over++;
		} else {
			CHECK_EQ(v, SKID_DONE);
			CHECK_EQ(at, want);
			exact++;
		}
	}
	CHECK(over > 20);
	CHECK(exact > 20);
}

/* A target within the margin: arm 0 (stop at once), step from the
 * start of the epoch. */
static void test_target_below_margin(void)
{
	struct skid sk;
	size_t at, stop;

	rng = 77;
	gen(&st, 2000);
	skid_start(&sk, &st.p[40], true, st.p[40].count + 5);
	CHECK_EQ(skid_arm(&sk), 0);
	CHECK_EQ(run(&st, &sk, 0, &at, &stop), SKID_DONE);
	CHECK_EQ(stop, 0);
	CHECK_EQ(at, 40);
	CHECK_EQ(sk.steps, 40);
	skid_start(&sk, &(struct skid_pos){ 3, 0, 0 }, false, 3);
	CHECK_EQ(skid_arm(&sk), 0);
	skid_start(&sk, &(struct skid_pos){ 4, 0, 0 }, false, 3);
	CHECK_EQ(skid_arm(&sk), 1);
}

/* Three instructions at count 5 (no branch between them): replay's
 * RIP picks the third; record stops at the first. */
static const struct skid_pos straight[] = {
	{ 4, 0x0f, 1 }, { 5, 0x10, 1 }, { 5, 0x12, 1 }, { 5, 0x15, 1 },
	{ 6, 0x40, 1 },
};

static void test_equal_counts_rip(void)
{
	struct skid sk;
	unsigned i = 0;

	skid_start(&sk, &straight[3], true, 1);
	CHECK_EQ(skid_arm(&sk), 4);
	while (skid_stop(&sk, &straight[i]) == SKID_STEP)
		i++;
	CHECK_EQ(i, 3);
	CHECK_EQ(sk.steps, 3);
	skid_start(&sk, &(struct skid_pos){ 5, 0, 0 }, false, 1);
	CHECK_EQ(skid_stop(&sk, &straight[0]), SKID_STEP);
	CHECK_EQ(skid_stop(&sk, &straight[1]), SKID_DONE);
}

/* rep movsb at one RIP: RCX tells the iterations apart. */
static void test_rep_rcx(void)
{
	static const struct skid_pos rep[] = {
		{ 9, 0x20, 4 }, { 9, 0x20, 3 }, { 9, 0x20, 2 },
		{ 9, 0x20, 1 }, { 9, 0x22, 0 }, { 10, 0x30, 0 },
	};
	struct skid sk;
	unsigned i = 0;

	skid_start(&sk, &rep[2], true, 2);
	while (skid_stop(&sk, &rep[i]) == SKID_STEP)
		i++;
	CHECK_EQ(i, 2);
	CHECK_EQ(rep[i].rcx, 2);
}

/* Replay that never meets the position at its count (a divergence)
 * goes past it: OVERSHOT, not an endless step, and the message names
 * the target and the stop. */
static void test_missed_position(void)
{
	const struct skid_pos want = { 5, 0x13, 1 };
	struct skid sk;
	enum skid_verdict v = SKID_STEP;
	unsigned i;
	char msg[200];

	skid_start(&sk, &want, true, 1);
	for (i = 1; i < 5 && v == SKID_STEP; i++)
		v = skid_stop(&sk, &straight[i]);
	CHECK_EQ(v, SKID_OVERSHOT);
	CHECK_EQ(i, 5);
	skid_describe(&sk, msg, sizeof(msg));
	CHECK_STR(msg, "target count 5 rip 0x13 rcx 0x1 (armed at 4, margin "
		  "1); stopped at count 6 rip 0x40 rcx 0x1 after 3 "
		  "single-steps");
	CHECK_EQ(skid_backstop(&sk), UINT64_MAX);
}

static void test_backstop_and_margin(void)
{
	struct skid sk;
	char why[160];

	skid_start(&sk, &(struct skid_pos){ 100, 0, 0 }, false, 10);
	CHECK_EQ(skid_stop(&sk, &(struct skid_pos){ 93, 0, 0 }), SKID_STEP);
	CHECK_EQ(skid_backstop(&sk), 7);
	CHECK_EQ(skid_check_margin(4, 4, why, sizeof(why)), 0);
	CHECK_EQ(skid_check_margin(0, 0, why, sizeof(why)), 0);
	CHECK_EQ(skid_check_margin(3, 4, why, sizeof(why)), -1);
	CHECK_STR(why, "a margin of 3 units is less than the counter's skid "
		  "of 4 units: it could stop past the target");
}

static const struct tcase cases[] = {
	TCASE(model_exact),
	TCASE(model_overshoot),
	TCASE(target_below_margin),
	TCASE(equal_counts_rip),
	TCASE(rep_rcx),
	TCASE(missed_position),
	TCASE(backstop_and_margin),
};

int main(int argc, char **argv)
{
	return RUN_CASES("skid", cases, argc, argv);
}
