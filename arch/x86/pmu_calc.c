/* PMU counter arithmetic and the event table (pmu_calc.h). */
#include "arch/x86/pmu_calc.h"

#include <stddef.h>

#define EVTSEL_USR	(1ull << 16)
#define EVTSEL_OS	(1ull << 17)
#define EVTSEL_INT	(1ull << 20)
#define EVTSEL_EN	(1ull << 22)

/* Event 0xC4 (BR_INST_RETIRED) with the umask that selects conditional
 * branches, taken or not. The umask changed twice, so it is looked up
 * by CPUID model, never assumed. Checked against Intel's event lists
 * (the SDM's "Performance Monitoring Events" chapter for the older
 * cores; Intel's perfmon event files for Ice Lake and later, where the
 * hybrid parts list cpu_core and cpu_atom apart):
 *   umask 0x01 BR_INST_RETIRED.CONDITIONAL: Nehalem .. Comet Lake
 *   umask 0x11 BR_INST_RETIRED.COND: Ice Lake and later big cores
 *   umask 0x7E BR_INST_RETIRED.JCC (.COND on Gracemont): Silvermont,
 *              Goldmont, Tremont, and the Atom cores of hybrid parts
 * The skid bound: Intel documents none. rr, which replays on the same
 * event, stops 100 branches early on cores up to Rocket Lake and 125 on
 * Alder Lake and later; tandem doubles that, since a bound that is too
 * small costs a wrong epoch end and one too large only single-steps. */
static const struct pmu_event ev_cond01 = {
	0xc4, 0x01, 200, "Nehalem to Comet Lake", "BR_INST_RETIRED.CONDITIONAL",
};
static const struct pmu_event ev_cond11 = {
	0xc4, 0x11, 200, "Ice Lake, Tiger Lake, Rocket Lake",
	"BR_INST_RETIRED.COND",
};
static const struct pmu_event ev_cond11_new = {
	0xc4, 0x11, 250, "Golden Cove and later big cores",
	"BR_INST_RETIRED.COND",
};
static const struct pmu_event ev_jcc = {
	0xc4, 0x7e, 200, "Silvermont, Goldmont, Tremont", "BR_INST_RETIRED.JCC",
};
static const struct pmu_event ev_jcc_new = {
	0xc4, 0x7e, 250, "Gracemont and later Atom cores",
	"BR_INST_RETIRED.COND",
};

enum pmu_group { G_COND01, G_COND11, G_SERVER, G_HYBRID, G_ATOM };

struct pmu_model {
	uint8_t model;
	uint8_t group;
};

/* Family 6 display models (Linux's arch/x86/include/asm/intel-family.h
 * names them). */
static const struct pmu_model models[] = {
	/* Nehalem, Westmere */
	{ 0x1a, G_COND01 }, { 0x1e, G_COND01 }, { 0x1f, G_COND01 },
	{ 0x2e, G_COND01 }, { 0x25, G_COND01 }, { 0x2c, G_COND01 },
	{ 0x2f, G_COND01 },
	/* Sandy Bridge, Ivy Bridge, Haswell, Broadwell */
	{ 0x2a, G_COND01 }, { 0x2d, G_COND01 }, { 0x3a, G_COND01 },
	{ 0x3e, G_COND01 }, { 0x3c, G_COND01 }, { 0x3f, G_COND01 },
	{ 0x45, G_COND01 }, { 0x46, G_COND01 }, { 0x3d, G_COND01 },
	{ 0x47, G_COND01 }, { 0x4f, G_COND01 }, { 0x56, G_COND01 },
	/* Skylake (client and server: Cascade/Cooper Lake), Kaby, Coffee,
	 * Whiskey, Comet Lake */
	{ 0x4e, G_COND01 }, { 0x5e, G_COND01 }, { 0x55, G_COND01 },
	{ 0x8e, G_COND01 }, { 0x9e, G_COND01 }, { 0xa5, G_COND01 },
	{ 0xa6, G_COND01 },
	/* Ice Lake (client and server), Tiger Lake, Rocket Lake */
	{ 0x7d, G_COND11 }, { 0x7e, G_COND11 }, { 0x6a, G_COND11 },
	{ 0x6c, G_COND11 }, { 0x8c, G_COND11 }, { 0x8d, G_COND11 },
	{ 0xa7, G_COND11 },
	/* Sapphire Rapids, Emerald Rapids */
	{ 0x8f, G_SERVER }, { 0xcf, G_SERVER },
	/* hybrid: Alder Lake, Raptor Lake, Meteor Lake, Arrow Lake, Lunar
	 * Lake; the core type picks the umask */
	{ 0x97, G_HYBRID }, { 0x9a, G_HYBRID }, { 0xb7, G_HYBRID },
	{ 0xba, G_HYBRID }, { 0xbf, G_HYBRID }, { 0xaa, G_HYBRID },
	{ 0xac, G_HYBRID }, { 0xc5, G_HYBRID }, { 0xc6, G_HYBRID },
	{ 0xbd, G_HYBRID },
	/* Silvermont, Airmont, Goldmont, Goldmont Plus, Tremont */
	{ 0x37, G_ATOM }, { 0x4a, G_ATOM }, { 0x4d, G_ATOM },
	{ 0x5a, G_ATOM }, { 0x5d, G_ATOM }, { 0x4c, G_ATOM },
	{ 0x5c, G_ATOM }, { 0x5f, G_ATOM }, { 0x7a, G_ATOM },
	{ 0x86, G_ATOM }, { 0x96, G_ATOM }, { 0x9c, G_ATOM },
};

void pmu_cpu_model(uint32_t eax, uint32_t *family, uint32_t *model)
{
	uint32_t fam = (eax >> 8) & 0xf, mod = (eax >> 4) & 0xf;

	/* the extended model counts for families 6 and 15 only */
	if (fam == 6 || fam == 15)
		mod |= ((eax >> 16) & 0xf) << 4;
	if (fam == 15)
		fam += (eax >> 20) & 0xff;
	*family = fam;
	*model = mod;
}

static const struct pmu_event *group_event(uint8_t group, uint8_t core_type)
{
	switch (group) {
	case G_COND01: return &ev_cond01;
	case G_COND11: return &ev_cond11;
	case G_SERVER: return &ev_cond11_new;
	case G_ATOM: return &ev_jcc;
	}
	/* a hybrid model with its small cores off reports no core type */
	return core_type == PMU_CORE_ATOM ? &ev_jcc_new : &ev_cond11_new;
}

const struct pmu_event *pmu_event_for(uint32_t family, uint32_t model,
				      uint8_t core_type)
{
	if (family != 6)
		return NULL;
	for (size_t i = 0; i < sizeof(models) / sizeof(*models); i++) {
		if (models[i].model == model)
			return group_event(models[i].group, core_type);
	}
	return NULL;
}

uint64_t pmu_evtsel(const struct pmu_event *ev)
{
	return ev->event | (uint64_t)ev->umask << 8 | EVTSEL_USR | EVTSEL_OS |
	       EVTSEL_INT | EVTSEL_EN;
}

uint64_t pmu_mask(unsigned width)
{
	return width >= 64 ? ~0ull : (1ull << width) - 1;
}

uint64_t pmu_written(const struct pmu_geom *g, uint64_t written)
{
	uint64_t v = written;

	if (!g->full_width)
		v = (uint64_t)(int64_t)(int32_t)(uint32_t)written;
	return v & pmu_mask(g->width);
}

uint64_t pmu_max_arm(const struct pmu_geom *g)
{
	uint64_t mask = pmu_mask(g->width), max = mask - g->skid;

	/* Without full-width writes the preload must be a sign-extended
	 * 32-bit value: 2^W - n for n up to 2^31 (all 32-bit values when
	 * the counter has only 32 bits). */
	if (!g->full_width && g->width > 32 && max > 1ull << 31)
		max = 1ull << 31;
	return max;
}

uint64_t pmu_clamp(const struct pmu_geom *g, uint64_t n)
{
	uint64_t max = pmu_max_arm(g);

	if (n < 1)
		return 1;
	return n > max ? max : n;
}

uint64_t pmu_delta(unsigned width, uint64_t before, uint64_t after)
{
	return (after - before) & pmu_mask(width);
}

uint64_t pmu_track_arm(struct pmu_track *t, const struct pmu_geom *g,
		       uint64_t n)
{
	uint64_t mask = pmu_mask(g->width);
	uint64_t preload = (0 - pmu_clamp(g, n)) & mask;
	/* a legacy write takes bits 31:0 and sign-extends them */
	uint64_t write = g->full_width ? preload : (uint32_t)preload;

	t->armed = pmu_clamp(g, n);
	t->since = 0;
	t->last = pmu_written(g, write);
	return write;
}

uint64_t pmu_track_read(struct pmu_track *t, const struct pmu_geom *g,
			uint64_t now)
{
	uint64_t d = pmu_delta(g->width, t->last, now & pmu_mask(g->width));

	t->last = now & pmu_mask(g->width);
	t->since += d;
	return d;
}

bool pmu_track_overflowed(const struct pmu_track *t)
{
	return t->since >= t->armed;
}
