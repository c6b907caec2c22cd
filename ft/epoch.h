/* Epochs and record/replay of the guest (docs/epochs.md). core/machine.c
 * drives it: epoch_begin() before the first entry of an epoch,
 * epoch_exit() after every vcpu_run(), epoch_irq() for an interrupt
 * delivered at an epoch end. Inputs reach the log through the env.h
 * hook. A replaycheck records N epochs from a snapshot, restores it,
 * replays them from the log in this same host and compares digests at
 * every epoch end. */
#ifndef FT_EPOCH_H
#define FT_EPOCH_H

#include <stdbool.h>
#include <stdint.h>
#include "arch/x86/vcpu.h"
#include "core/boot_info.h"

/* Choose and self-test the counter, allocate the log and the snapshot.
 * 0 (also when epochs are off), or -1 after printing why. Call after
 * vcpu_create() and before the guest's entry state is set. */
int epoch_init(const struct boot_info *bi, struct vcpu *v);
bool epoch_on(void);
/* A new epoch starts at the next entry. */
void epoch_begin(void);
/* After vcpu_run(): true when this exit ends the epoch (interrupts may
 * then be delivered). */
bool epoch_exit(const struct vcpu_exit *e);
/* Interrupt vector injected at the end of the current epoch. */
void epoch_irq(uint8_t vector);
/* The guest is powering off, exiting or resetting at exit e, still being
 * served: a replaycheck in flight ends its recording here. */
void epoch_guest_ending(void);
/* Monitor: arm a replaycheck of n epochs from the next epoch start. */
void epoch_replaycheck(uint32_t n);
void epoch_print_status(void);
/* One summary line (nothing when epochs are off). */
void epoch_print_summary(void);

#endif
