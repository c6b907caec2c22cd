/* The arithmetic of the PMU progress counter (vmx_pmu.c), free of
 * hardware so that the host unit tests can run it: which event counts
 * retired conditional branches on which core, the value that makes a
 * W-bit counter overflow after n more events, how far it can be armed,
 * and the count read back across the wrap. SDM Vol. 3B, "Performance
 * Monitoring", 20.2 (architectural performance monitoring). */
#ifndef ARCH_X86_PMU_CALC_H
#define ARCH_X86_PMU_CALC_H

#include <stdbool.h>
#include <stdint.h>

/* Counter widths accepted (CPUID.0AH:EAX[23:16]); real cores have 40
 * or 48 bits. */
#define PMU_WIDTH_MIN	32
#define PMU_WIDTH_MAX	48

/* Hybrid core types, CPUID.1AH:EAX[31:24] */
#define PMU_CORE_ATOM	0x20
#define PMU_CORE_CORE	0x40

/* The event that counts retired conditional branches on one kind of
 * core, and the PMI skid bound tandem assumes there. */
struct pmu_event {
	uint8_t event, umask;
	uint32_t skid;			/* units; see pmu_calc.c */
	const char *cores;		/* for messages */
	const char *name;		/* Intel's event name */
};

/* Display family and model from CPUID.01H:EAX (SDM Vol. 2A, CPUID). */
void pmu_cpu_model(uint32_t eax, uint32_t *family, uint32_t *model);

/* The event for an Intel core: family 6 only; core_type is the hybrid
 * core type (0 on a part that is not hybrid). NULL: not in the table. */
const struct pmu_event *pmu_event_for(uint32_t family, uint32_t model,
				      uint8_t core_type);

/* IA32_PERFEVTSELx for the event: counting at every CPL, with the
 * overflow interrupt, enabled. */
uint64_t pmu_evtsel(const struct pmu_event *ev);

/* A general-purpose counter as CPUID and IA32_PERF_CAPABILITIES
 * describe it. full_width: writes through IA32_A_PMCx set all W bits;
 * otherwise a write through IA32_PMCx sets bits 31:0 and sign-extends
 * bit 31 into the rest (SDM 20.2.6, "Full-Width Writes to Performance
 * Counter Registers"). */
struct pmu_geom {
	unsigned width;
	bool full_width;
	uint32_t skid;
};

uint64_t pmu_mask(unsigned width);
/* What the counter holds after 'written' is written to it. */
uint64_t pmu_written(const struct pmu_geom *g, uint64_t written);
/* Largest n that can be armed: the preload 2^W - n must be writable,
 * and n + skid must stay below 2^W so that the count read after a late
 * PMI has not wrapped past where it started. */
uint64_t pmu_max_arm(const struct pmu_geom *g);
/* n clamped to 1 .. pmu_max_arm(). */
uint64_t pmu_clamp(const struct pmu_geom *g, uint64_t n);
/* Events between two reads of a W-bit counter, across a wrap. */
uint64_t pmu_delta(unsigned width, uint64_t before, uint64_t after);

/* The bookkeeping between arming and reading back. */
struct pmu_track {
	uint64_t last;			/* counter value at the last read */
	uint64_t armed;			/* events from arming to overflow */
	uint64_t since;			/* events counted since arming */
};

/* Arm for overflow after pmu_clamp(n) events; returns the value to
 * write to the counter MSR. */
uint64_t pmu_track_arm(struct pmu_track *t, const struct pmu_geom *g,
		       uint64_t n);
/* The counter now reads 'now': returns the events since the last read. */
uint64_t pmu_track_read(struct pmu_track *t, const struct pmu_geom *g,
			uint64_t now);
/* The counter went past the armed count (it overflowed): re-arm. */
bool pmu_track_overflowed(const struct pmu_track *t);

#endif
