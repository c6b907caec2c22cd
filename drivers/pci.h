/* PCI configuration space through configuration mechanism #1 (I/O ports
 * 0xCF8/0xCFC; PCI Local Bus Specification 3.0, 3.2.2.3.2): segment 0,
 * the first 256 bytes of each function. Enough to find and enable a
 * device that tandem drives itself. */
#ifndef DRIVERS_PCI_H
#define DRIVERS_PCI_H

#include <stdbool.h>
#include <stdint.h>

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_CLASS_REV		0x08
#define PCI_HEADER_TYPE		0x0e
#define PCI_BAR0		0x10

#define PCI_CMD_IO		0x0001
#define PCI_CMD_MEM		0x0002
#define PCI_CMD_MASTER		0x0004
#define PCI_CMD_INTX_OFF	0x0400

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device;
	uint32_t class_rev;	/* class << 8 | revision */
};

uint32_t pci_read32(const struct pci_dev *d, uint8_t reg);
uint16_t pci_read16(const struct pci_dev *d, uint8_t reg);
void pci_write16(const struct pci_dev *d, uint8_t reg, uint16_t v);

/* Call visit for each present function, in bus/device/function order,
 * until it returns true. Returns whether one did. */
bool pci_scan(bool (*visit)(const struct pci_dev *d, void *ctx), void *ctx);

/* Physical address of memory BAR n (0 if it is not a memory BAR or is
 * unassigned); 64-bit BARs take two slots. */
uint64_t pci_bar_mem(const struct pci_dev *d, int n);

/* Turn on memory decoding and bus mastering (DMA); mask INTx: tandem
 * polls. */
void pci_enable_mem_dma(const struct pci_dev *d);

#endif
