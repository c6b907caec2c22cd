#include "arch/x86/irq.h"
#include "arch/x86/cpu.h"

#define MSR_APIC_BASE	0x1b
#define APIC_ENABLE	(1u << 11)
#define APIC_X2		(1u << 10)
#define APIC_TPR	0x080
#define LVT_MASKED	(1u << 16)

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
