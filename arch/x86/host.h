/* The host CPU environment tandem runs in after boot services: its own
 * GDT, TSS, IDT, identity page tables and stacks. */
#ifndef ARCH_X86_HOST_H
#define ARCH_X86_HOST_H

#include <stdint.h>

#define HOST_GDT_CODE	0x08
#define HOST_GDT_DATA	0x10
#define HOST_GDT_TSS	0x18

/* Install GDT, TSS and IDT (exceptions print a dump and halt), and page
 * tables identity-mapping [0, max(phys_top, 4 GiB)). Takes its memory
 * from palloc. Returns 0, or -1 when memory ran out. */
int host_cpu_init(uint64_t phys_top);
/* The parts of host_cpu_init. */
int host_desc_init(void);
int host_paging_init(uint64_t phys_top);

/* Called after a host exception's report, before the CPU halts for good
 * (core/ uses it to tell an emulator the run is over). */
void host_set_fatal_hook(void (*hook)(void));

/* NMIs taken while tandem itself ran: counted and dismissed (a PMU
 * overflow interrupt that came after its VM exit, vmx_pmu.c). */
extern volatile uint64_t host_nmis;
/* IRET to itself: ends the NMI blocking an NMI-caused VM exit leaves. */
void host_nmi_unblock(void);

/* Continue on a new stack: calls fn(arg), which must not return. */
void host_switch_stack(void *top, void (*fn)(void *), void *arg)
	__attribute__((noreturn));

struct host_desc_table {
	uint64_t base;
	uint16_t limit;
};

void host_gdtr(struct host_desc_table *t);
void host_idtr(struct host_desc_table *t);
uint64_t host_tss_base(void);

#endif
