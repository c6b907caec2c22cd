/* The guest's model-specific registers beyond those the CPU switches
 * itself (arch/x86). Unknown MSRs raise #GP in the guest, logged once. */
#ifndef CORE_MSR_H
#define CORE_MSR_H

#include <stdbool.h>
#include <stdint.h>

/* Returns false when the guest must get #GP. */
bool msr_read(uint32_t index, uint64_t *val);
bool msr_write(uint32_t index, uint64_t val);

#endif
