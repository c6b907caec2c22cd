/* Host interrupt sources. tandem polls everything; no host interrupt is
 * ever wanted. */
#ifndef ARCH_X86_IRQ_H
#define ARCH_X86_IRQ_H

#include <stdbool.h>

/* Mask the legacy PICs and every local APIC LVT entry, and raise the
 * APIC task priority so nothing the firmware left armed gets through. */
void host_mask_interrupts(void);

/* The local APIC's performance-counter LVT entry (0x340): on = deliver
 * as an NMI, unmasked; off = masked. -1 when the local APIC is disabled
 * (IA32_APIC_BASE or the spurious-vector register), and nothing is
 * written. */
int host_pmi_nmi(bool on);

#endif
