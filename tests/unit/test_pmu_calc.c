/* Unit tests for arch/x86/pmu_calc.c: the event table, the preload of a
 * W-bit counter with and without full-width writes, the arming limits,
 * and the count read back across the wrap, against a counter simulated
 * here (its own sign extension, its own overflow) whose PMI comes 0 to
 * skid events after the overflow, as a real core's does. */
#include "tests/unit/check.h"
#include "arch/x86/pmu_calc.h"

#include <stdint.h>

/* ---- the model: a W-bit counter, written and counting ---------------- */

struct sim {
	unsigned width;
	bool full_width;
	uint64_t value;
	unsigned wraps;
};

static uint64_t sim_mask(const struct sim *s)
{
	return s->width == 64 ? ~0ull : (1ull << s->width) - 1;
}

/* SDM 20.2.6: a write through IA32_PMCx takes EAX and copies bit 31
 * upwards; IA32_A_PMCx takes all W bits. */
static void sim_write(struct sim *s, uint64_t v)
{
	if (!s->full_width) {
		v &= 0xffffffffull;
		if (v & 0x80000000ull)
			v |= ~0xffffffffull;
	}
	s->value = v & sim_mask(s);
}

static void sim_count(struct sim *s, uint64_t events)
{
	uint64_t room = sim_mask(s) - s->value;	/* events before a wrap */

	if (events > room)
		s->wraps++;
	s->value = (s->value + events) & sim_mask(s);
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* ---- the event table ----------------------------------------------- */

static void test_cpu_model(void)
{
	uint32_t f, m;

	pmu_cpu_model(0x000906ea, &f, &m);	/* Coffee Lake */
	CHECK_EQ(f, 6);
	CHECK_EQ(m, 0x9e);
	pmu_cpu_model(0x000306c3, &f, &m);	/* Haswell */
	CHECK_EQ(m, 0x3c);
	pmu_cpu_model(0x00090675, &f, &m);	/* Alder Lake */
	CHECK_EQ(m, 0x97);
	pmu_cpu_model(0x00800f11, &f, &m);	/* AMD Zen: family 0x17 */
	CHECK_EQ(f, 0x17);
	CHECK_EQ(m, 0x01);
	pmu_cpu_model(0x00000f29, &f, &m);	/* Pentium 4 */
	CHECK_EQ(f, 15);
	CHECK_EQ(m, 2);
}

static void test_event_table(void)
{
	const struct pmu_event *e;

	e = pmu_event_for(6, 0x55, 0);		/* Skylake server */
	REQUIRE(e);
	CHECK_EQ(e->event, 0xc4);
	CHECK_EQ(e->umask, 0x01);
	CHECK_STR(e->name, "BR_INST_RETIRED.CONDITIONAL");
	e = pmu_event_for(6, 0x2a, 0);		/* Sandy Bridge */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x01);
	e = pmu_event_for(6, 0x6a, 0);		/* Ice Lake server */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x11);
	e = pmu_event_for(6, 0x8f, 0);		/* Sapphire Rapids */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x11);
	e = pmu_event_for(6, 0x5c, 0);		/* Goldmont */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x7e);
	e = pmu_event_for(6, 0x97, PMU_CORE_CORE);	/* Alder Lake P */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x11);
	e = pmu_event_for(6, 0x97, PMU_CORE_ATOM);	/* Alder Lake E */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x7e);
	e = pmu_event_for(6, 0x97, 0);		/* E-cores off */
	REQUIRE(e);
	CHECK_EQ(e->umask, 0x11);
	CHECK(pmu_event_for(6, 0x0f, 0) == NULL);	/* Core 2: none */
	CHECK(pmu_event_for(6, 0xff, 0) == NULL);
	CHECK(pmu_event_for(0x17, 0x01, 0) == NULL);	/* AMD */
	CHECK(pmu_event_for(15, 0x55, 0) == NULL);
}

static void test_evtsel(void)
{
	/* event C4, umask 01, USR, OS, INT, EN */
	CHECK_EQ(pmu_evtsel(pmu_event_for(6, 0x4e, 0)), 0x5301c4);
	CHECK_EQ(pmu_evtsel(pmu_event_for(6, 0x7e, 0)), 0x5311c4);
	CHECK_EQ(pmu_evtsel(pmu_event_for(6, 0x7a, 0)), 0x537ec4);
}

static void test_skid_bounds(void)
{
	for (uint32_t m = 0; m < 256; m++) {
		for (uint8_t t = 0; t <= PMU_CORE_CORE; t += PMU_CORE_ATOM) {
			const struct pmu_event *e = pmu_event_for(6, m, t);

			if (!e)
				continue;
			CHECK(e->skid >= 200 && e->skid <= 1000);
			CHECK_EQ(e->event, 0xc4);
		}
	}
}

/* ---- preload, limits, delta --------------------------------------- */

static void test_preload_full_width(void)
{
	struct pmu_geom g = { 48, true, 200 };
	struct pmu_track t;

	CHECK_EQ(pmu_track_arm(&t, &g, 1000), 0xfffffffffc18ull);
	CHECK_EQ(t.last, 0xfffffffffc18ull);
	CHECK_EQ(t.armed, 1000);
	CHECK_EQ(pmu_track_arm(&t, &g, 1), 0xffffffffffffull);
	g.width = 40;
	CHECK_EQ(pmu_track_arm(&t, &g, 1000), 0xfffffffc18ull);
}

static void test_preload_legacy(void)
{
	struct pmu_geom g = { 48, false, 200 };
	struct pmu_track t;

	/* only EAX is written; the counter holds it sign-extended */
	CHECK_EQ(pmu_track_arm(&t, &g, 1000), 0xfffffc18ull);
	CHECK_EQ(t.last, 0xfffffffffc18ull);
	CHECK_EQ(pmu_track_arm(&t, &g, 1ull << 31), 0x80000000ull);
	CHECK_EQ(t.last, 0xffff80000000ull);
	/* beyond 2^31 the sign bit is gone: clamped */
	CHECK_EQ(pmu_track_arm(&t, &g, (1ull << 31) + 1), 0x80000000ull);
	CHECK_EQ(t.armed, 1ull << 31);
	CHECK_EQ(pmu_written(&g, 0x7fffffffull), 0x7fffffffull);
	CHECK_EQ(pmu_written(&g, 0x123480000000ull), 0xffff80000000ull);
}

static void test_max_arm(void)
{
	struct pmu_geom g = { 48, true, 200 };

	CHECK_EQ(pmu_max_arm(&g), (1ull << 48) - 1 - 200);
	g.full_width = false;
	CHECK_EQ(pmu_max_arm(&g), 1ull << 31);
	g.width = 32;
	CHECK_EQ(pmu_max_arm(&g), 0xffffffffull - 200);
	g.full_width = true;
	CHECK_EQ(pmu_max_arm(&g), 0xffffffffull - 200);
	CHECK_EQ(pmu_clamp(&g, 0), 1);
	CHECK_EQ(pmu_clamp(&g, 5), 5);
	CHECK_EQ(pmu_clamp(&g, UINT64_MAX), 0xffffffffull - 200);
}

static void test_delta_wraps(void)
{
	CHECK_EQ(pmu_delta(48, 0xfffffffffff0ull, 0x10), 0x20);
	CHECK_EQ(pmu_delta(32, 0xfffffff0ull, 0x10), 0x20);
	CHECK_EQ(pmu_delta(40, 5, 5), 0);
	CHECK_EQ(pmu_delta(40, 5, 4), (1ull << 40) - 1);
}

/* ---- the counter with skid ----------------------------------------- */

/* Arm for n, then let the guest run until the PMI, s events after the
 * overflow, with exits at random points between: every read must add
 * exactly what was counted, the overflow must show at and only at the
 * armed count, and the counter must wrap exactly once. */
static void run_armed(unsigned w, bool fw, uint32_t skid, uint64_t n,
		      uint64_t s)
{
	struct pmu_geom g = { w, fw, skid };
	struct sim c = { w, fw, 0, 0 };
	struct pmu_track t;
	uint64_t total, done = 0, progress = 0;

	c.value = rnd() & sim_mask(&c);		/* whatever it held */
	sim_write(&c, pmu_track_arm(&t, &g, n));
	CHECK_EQ(c.value, t.last);
	CHECK_EQ(t.armed, pmu_clamp(&g, n));
	total = t.armed + s;
	while (done < total) {
		uint64_t left = total - done;
		uint64_t chunk = rnd() % 4 ? left : 1 + rnd() % left;
		uint64_t d;

		sim_count(&c, chunk);
		done += chunk;
		d = pmu_track_read(&t, &g, c.value);
		CHECK_EQ(d, chunk);
		progress += d;
		CHECK_EQ(pmu_track_overflowed(&t), done >= t.armed);
		CHECK_EQ(c.wraps, done >= t.armed ? 1u : 0u);
	}
	CHECK_EQ(progress, total);
	CHECK(progress >= t.armed && progress <= t.armed + skid);
}

static void test_skid_model_every_width(void)
{
	static const uint32_t skids[] = { 1, 200, 250 };
	const uint64_t ns[] = { 1, 2, 3, 100, 1000, 65535, (1ull << 31) - 1,
				1ull << 31, (1ull << 31) + 1, 1ull << 32,
				(1ull << 40) + 7, UINT64_MAX };

	for (unsigned w = PMU_WIDTH_MIN; w <= PMU_WIDTH_MAX; w++) {
		for (int fw = 0; fw < 2; fw++) {
			for (size_t k = 0; k < 3; k++) {
				struct pmu_geom g = { w, fw, skids[k] };

				for (size_t i = 0; i < sizeof(ns) / sizeof(*ns);
				     i++) {
					run_armed(w, fw, skids[k], ns[i], 0);
					run_armed(w, fw, skids[k], ns[i], 1);
					run_armed(w, fw, skids[k], ns[i],
						  rnd() % (skids[k] + 1));
					run_armed(w, fw, skids[k], ns[i],
						  skids[k]);
				}
				run_armed(w, fw, skids[k], pmu_max_arm(&g),
					  skids[k]);
			}
		}
	}
}

/* A budget beyond what one arming reaches (legacy writes, 2^31 at a
 * time): the driver re-arms after each PMI for what is left, and ends
 * at most skid past the budget, with every event counted once. */
static void test_budget_rearms(void)
{
	for (unsigned w = PMU_WIDTH_MIN; w <= PMU_WIDTH_MAX; w += 4) {
		struct pmu_geom g = { w, false, 200 };
		struct sim c = { w, false, 0, 0 };
		struct pmu_track t;
		uint64_t budget = (5ull << 31) + 12345, left = budget;
		uint64_t progress = 0, counted = 0;
		unsigned arms = 0;

		while (left) {
			uint64_t s = rnd() % 201, d;

			sim_write(&c, pmu_track_arm(&t, &g, left));
			arms++;
			sim_count(&c, t.armed + s);
			counted += t.armed + s;
			d = pmu_track_read(&t, &g, c.value);
			CHECK(pmu_track_overflowed(&t));
			progress += d;
			left -= d < left ? d : left;
		}
		CHECK_EQ(progress, counted);
		CHECK(progress >= budget && progress <= budget + 200);
		CHECK(arms >= (w == 32 ? 2u : 3u) && arms <= 6);
	}
}

int main(int argc, char **argv)
{
	static const struct tcase cases[] = {
		TCASE(cpu_model),
		TCASE(event_table),
		TCASE(evtsel),
		TCASE(skid_bounds),
		TCASE(preload_full_width),
		TCASE(preload_legacy),
		TCASE(max_arm),
		TCASE(delta_wraps),
		TCASE(skid_model_every_width),
		TCASE(budget_rearms),
	};

	return RUN_CASES("pmu_calc", cases, argc, argv);
}
