#include "core/msr.h"
#include "core/env.h"
#include "lib/print.h"

#define MSR_TSC			0x010
#define MSR_PLATFORM_ID		0x017
#define MSR_BIOS_SIGN_ID	0x08b
#define MSR_MTRRCAP		0x0fe
#define MSR_MCG_CAP		0x179
#define MSR_MCG_STATUS		0x17a
#define MSR_MISC_ENABLE		0x1a0
#define MISC_FAST_STRINGS	1

static void log_once(uint32_t index, bool write)
{
	static uint64_t seen[32];
	static unsigned nseen;
	uint64_t key = ((uint64_t)write << 32) | index;

	for (unsigned i = 0; i < nseen; i++)
		if (seen[i] == key)
			return;
	if (nseen < sizeof(seen) / sizeof(*seen))
		seen[nseen++] = key;
	pr("guest %s of unknown MSR 0x%x: #GP injected (logged once)\n",
	   write ? "WRMSR" : "RDMSR", index);
}

bool msr_read(uint32_t index, uint64_t *val)
{
	switch (index) {
	case MSR_TSC:
		*val = env_tsc();
		return true;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:	/* no microcode revision to report */
	case MSR_MTRRCAP:	/* no MTRRs: EPT sets the memory types */
	case MSR_MCG_CAP:	/* no machine-check banks */
	case MSR_MCG_STATUS:
		*val = 0;
		return true;
	case MSR_MISC_ENABLE:
		*val = MISC_FAST_STRINGS;
		return true;
	}
	log_once(index, false);
	return false;
}

bool msr_write(uint32_t index, uint64_t val)
{
	switch (index) {
	case MSR_BIOS_SIGN_ID:	/* microcode update probe: ignored */
	case MSR_MCG_STATUS:
		return true;
	case MSR_MISC_ENABLE:
		return val == MISC_FAST_STRINGS;
	}
	log_once(index, true);
	return false;
}
