/* Host interrupt sources. tandem polls everything; no host interrupt is
 * ever wanted. */
#ifndef ARCH_X86_IRQ_H
#define ARCH_X86_IRQ_H

/* Mask the legacy PICs and every local APIC LVT entry, and raise the
 * APIC task priority so nothing the firmware left armed gets through. */
void host_mask_interrupts(void);

#endif
