/* Minimal ACPI tables, so that a stock Linux guest can power off (S5 via
 * PM1a_CNT) and reboot (RESET_REG). Pure: writes into a guest memory
 * buffer, so that the tables are unit-tested on the host.
 *
 * Tables (ACPI 6.4 chapter 5), from 'base':
 *	+0x000	RSDP, revision 2 (36 bytes)
 *	+0x030	RSDT -> FADT
 *	+0x060	XSDT -> FADT
 *	+0x090	FADT, revision 6 (276 bytes) -> FACS, DSDT
 *	+0x1b0	DSDT: \_S5 only
 *	then	FACS, on the next 64-byte boundary (64 bytes)
 * at most ACPI_TABLES_SIZE bytes in all.
 *
 * No MADT, on purpose: the guest gets the legacy 8259 PIC and the PIT,
 * no local APIC or I/O APIC; every device is reached by port I/O. No PM
 * timer, no GPE blocks, SMI_CMD = 0: the hardware is always in ACPI mode,
 * so PM1a_CNT.SCI_EN must read as 1.
 */
#ifndef CORE_ACPI_H
#define CORE_ACPI_H

#include <stdint.h>

/* The SLP_TYP value of \_S5 in the DSDT: a guest writing PM1a_CNT with
 * SLP_EN (bit 13) set and SLP_TYP (bits 12:10) equal to this asks for
 * soft-off (ACPI 6.4 sections 4.8.3.2.1 and 7.4.2). */
#define ACPI_S5_SLP_TYP		5

/* Where the legacy RSDP scan looks (ACPI 6.4 section 5.2.5.1: the BIOS
 * read-only area, on 16-byte boundaries). */
#define ACPI_RSDP_AREA_START	0xe0000u
#define ACPI_RSDP_AREA_END	0x100000u

/* Bytes acpi_build may write from 'base' (the FACS alignment included). */
#define ACPI_TABLES_SIZE	0x260u

struct acpi_platform {
	uint16_t pm1a_evt;	/* PM1a_EVT_BLK: 4 ports, status + enable */
	uint16_t pm1a_cnt;	/* PM1a_CNT_BLK: 2 ports */
	uint16_t pm_tmr;	/* PM_TMR_BLK: 4 ports, 32-bit; 0: none */
	uint8_t sci_irq;	/* SCI, an 8259 IRQ line (below 16) */
	uint16_t reset_port;	/* RESET_REG in I/O space; 0: no reset */
	uint8_t reset_value;
};

/* Build RSDP, RSDT, XSDT, FADT, FACS and DSDT at 'base' in guest memory
 * 'mem' (mem_size bytes, guest-physical 0 at mem[0]) as laid out above.
 * Returns the RSDP's guest-physical address (= base), or 0, with nothing
 * written, if base is not 16-byte aligned inside [ACPI_RSDP_AREA_START,
 * ACPI_RSDP_AREA_END), the tables do not fit below ACPI_RSDP_AREA_END or
 * mem_size, or the platform is unusable (no PM1a blocks, a block past
 * port 0xffff, an SCI above IRQ 15). */
uint64_t acpi_build(uint8_t *mem, uint64_t mem_size, uint64_t base,
		    const struct acpi_platform *p);

#endif
