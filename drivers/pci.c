/* PCI configuration mechanism #1. */
#include "drivers/pci.h"
#include "arch/x86/cpu.h"

#define PCI_ADDR	0xcf8
#define PCI_DATA	0xcfc
#define BAR_IO		0x1
#define BAR_TYPE_MASK	0x6
#define BAR_TYPE_64	0x4

static uint32_t addr(const struct pci_dev *d, uint8_t reg)
{
	return 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
	       (uint32_t)d->fn << 8 | (reg & 0xfc);
}

uint32_t pci_read32(const struct pci_dev *d, uint8_t reg)
{
	outl(PCI_ADDR, addr(d, reg));
	return inl(PCI_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, uint8_t reg)
{
	return (uint16_t)(pci_read32(d, reg) >> (8 * (reg & 2)));
}

/* Read-modify-write of the dword: mechanism #1 can do 16-bit cycles
 * at 0xCFC + 2, but a dword is what every emulator handles alike. The
 * other half is the status register, whose bits are write-1-to-clear:
 * write zeros there. */
void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v)
{
	uint32_t old = pci_read32(d, reg);
	uint32_t shift = 8 * (reg & 2);
	uint32_t keep = reg == PCI_COMMAND ? 0 : old & ~(0xffffu << shift);

	outl(PCI_ADDR, addr(d, reg));
	outl(PCI_DATA, keep | (uint32_t)v << shift);
}

static bool probe(struct pci_dev *d)
{
	uint32_t id = pci_read32(d, PCI_VENDOR_ID);

	if ((id & 0xffff) == 0xffff)
		return false;
	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->class_rev = pci_read32(d, PCI_CLASS_REV);
	return true;
}

bool pci_scan(bool (*visit)(const struct pci_dev *d, void *ctx), void *ctx)
{
	struct pci_dev d = { 0 };

	for (unsigned bus = 0; bus < 256; bus++)
		for (unsigned dev = 0; dev < 32; dev++) {
			unsigned nfn = 1;

			for (unsigned fn = 0; fn < nfn; fn++) {
				d.bus = (uint8_t)bus;
				d.dev = (uint8_t)dev;
				d.fn = (uint8_t)fn;
				if (!probe(&d))
					continue;
				if (fn == 0 && (pci_read32(&d, 0x0c) >> 16 &
						0x80))
					nfn = 8;	/* multi-function */
				if (visit(&d, ctx))
					return true;
			}
		}
	return false;
}

uint64_t pci_bar_mem(const struct pci_dev *d, int n)
{
	uint8_t reg = (uint8_t)(PCI_BAR0 + 4 * n);
	uint32_t lo = pci_read32(d, reg);
	uint64_t a = lo & ~0xfull;

	if (lo & BAR_IO)
		return 0;
	if ((lo & BAR_TYPE_MASK) == BAR_TYPE_64 && n < 5)
		a |= (uint64_t)pci_read32(d, (uint8_t)(reg + 4)) << 32;
	return a;
}

void pci_enable_mem_dma(const struct pci_dev *d)
{
	uint16_t cmd = pci_read16(d, PCI_COMMAND);

	pci_write16(d, PCI_COMMAND, cmd | PCI_CMD_MEM | PCI_CMD_MASTER |
		    PCI_CMD_INTX_OFF);
}
