#include "arch/x86/irq.h"
#include "arch/x86/cpu.h"

#define MSR_APIC_BASE	0x1b
#define APIC_ENABLE	(1u << 11)
#define APIC_X2		(1u << 10)
#define APIC_TPR	0x080
#define APIC_SVR	0x0f0
#define APIC_SVR_ON	(1u << 8)
#define APIC_LVT_PMC	0x340
#define LVT_MASKED	(1u << 16)
#define LVT_NMI		(4u << 8)	/* delivery mode 100b */

static const uint16_t lvt_regs[] = { 0x320, 0x330, 0x340, 0x350, 0x360,
				     0x370 };

static void apic_write(uint64_t base, int x2, uint16_t reg, uint32_t v)
{
	if (x2)
		wrmsr(0x800 + (reg >> 4), v);
	else
		*(volatile uint32_t *)(base + reg) = v;
}

static uint32_t apic_read(uint64_t base, int x2, uint16_t reg)
{
	if (x2)
		return (uint32_t)rdmsr(0x800 + (reg >> 4));
	return *(volatile uint32_t *)(base + reg);
}

void host_mask_interrupts(void)
{
	uint64_t ab = rdmsr(MSR_APIC_BASE), base = ab & ~0xfffull;
	int x2 = !!(ab & APIC_X2);

	cli();
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	if (!(ab & APIC_ENABLE))
		return;
	for (unsigned i = 0; i < sizeof(lvt_regs) / sizeof(*lvt_regs); i++)
		apic_write(base, x2, lvt_regs[i],
			   apic_read(base, x2, lvt_regs[i]) | LVT_MASKED);
	apic_write(base, x2, APIC_TPR, 0xff);
}

/* SDM Vol. 3A, "Advanced Programmable Interrupt Controller (APIC)",
 * "Local Vector Table": in NMI delivery mode the vector is ignored. The
 * processor sets the entry's mask bit when it delivers a performance-
 * monitoring interrupt, so vmx_pmu.c calls this again after each one. */
int host_pmi_nmi(bool on)
{
	uint64_t ab = rdmsr(MSR_APIC_BASE), base = ab & ~0xfffull;
	int x2 = !!(ab & APIC_X2);

	if (!(ab & APIC_ENABLE) || !(apic_read(base, x2, APIC_SVR) &
				     APIC_SVR_ON))
		return -1;
	apic_write(base, x2, APIC_LVT_PMC, on ? LVT_NMI : LVT_MASKED);
	return 0;
}
