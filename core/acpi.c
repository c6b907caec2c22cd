/* Minimal ACPI tables: RSDP, RSDT, XSDT, FADT, FACS and a DSDT holding
 * \_S5 alone. Section numbers are those of the ACPI 6.4 specification.
 * Pure: only lib/string.h, so that the tables are checked on the host. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/bytes.h"
#include "lib/string.h"
#include "core/acpi.h"

/* Offsets from base; the FACS follows the DSDT, 64-byte aligned. */
#define RSDP_OFF	0x000u
#define RSDT_OFF	0x030u
#define XSDT_OFF	0x060u
#define FADT_OFF	0x090u
#define DSDT_OFF	0x1b0u
#define FACS_FROM	0x1f0u

#define RSDP_V1_LEN	20u	/* the part the first checksum covers */
#define RSDP_LEN	36u
#define HDR_LEN		36u	/* system description table header */
#define RSDT_LEN	(HDR_LEN + 4)
#define XSDT_LEN	(HDR_LEN + 8)
#define FADT_LEN	276u	/* revision 6 (ACPI 6.0 onwards) */
#define FACS_LEN	64u
#define FACS_ALIGN	64u	/* section 5.2.10 */

#define OEM_ID		"TANDEM"	/* 6 bytes */
#define OEM_TABLE_ID	"TANDEMVM"	/* 8 bytes */
#define OEM_REVISION	1u
#define CREATOR_ID	"TNDM"
#define CREATOR_REV	1u

/* FADT field offsets (section 5.2.9). */
#define FADT_FIRMWARE_CTRL	36
#define FADT_DSDT		40
#define FADT_SCI_INT		46
#define FADT_SMI_CMD		48
#define FADT_PM1A_EVT_BLK	56
#define FADT_PM1A_CNT_BLK	64
#define FADT_PM_TMR_BLK		76
#define FADT_PM1_EVT_LEN	88
#define FADT_PM1_CNT_LEN	89
#define FADT_PM_TMR_LEN		91
#define FADT_P_LVL2_LAT		96
#define FADT_P_LVL3_LAT		98
#define FADT_IAPC_BOOT_ARCH	109
#define FADT_FLAGS		112
#define FADT_RESET_REG		116
#define FADT_RESET_VALUE	128
#define FADT_MINOR_VERSION	131
#define FADT_X_FIRMWARE_CTRL	132
#define FADT_X_DSDT		140
#define FADT_X_PM1A_EVT_BLK	148
#define FADT_X_PM1A_CNT_BLK	172
#define FADT_X_PM_TMR_BLK	208

#define PM1_EVT_LEN		4	/* 2 bytes status, 2 bytes enable */
#define PM1_CNT_LEN		2
#define PM_TMR_LEN		4

/* Fixed feature flags (section 5.2.9, "Fixed ACPI Description Table
 * Fixed Feature Flags"). */
#define FF_WBINVD		(1u << 0)	/* required since ACPI 1.0 */
#define FF_PROC_C1		(1u << 2)	/* HLT works */
#define FF_PWR_BUTTON		(1u << 4)	/* no fixed power button */
#define FF_SLP_BUTTON		(1u << 5)	/* no fixed sleep button */
#define FF_FIX_RTC		(1u << 6)	/* no RTC wake status */
#define FF_TMR_VAL_EXT		(1u << 8)	/* 32-bit PM timer */
#define FF_RESET_REG_SUP	(1u << 10)
#define FF_HEADLESS		(1u << 12)	/* serial console only */

/* IA-PC boot architecture flags (section 5.2.9.3). */
#define BA_LEGACY_DEVICES	(1u << 0)	/* COM1, PIC, PIT, RTC */
#define BA_8042			(1u << 1)
#define BA_VGA_NOT_PRESENT	(1u << 2)
#define BA_MSI_NOT_SUPPORTED	(1u << 3)

/* Generic Address Structure (section 5.2.3.2). */
#define GAS_SYSTEM_IO		1
#define GAS_ACCESS_BYTE		1
#define GAS_ACCESS_WORD		2
#define GAS_ACCESS_DWORD	3

/* The DSDT's AML (chapter 20), as iasl compiles
 *	Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero })
 * \_S5 (section 7.4.2) is SLP_TYPa, SLP_TYPb, two reserved. */
static const uint8_t dsdt_aml[] = {
	0x08,			/* NameOp (20.2.5.1 DefName) */
	'_', 'S', '5', '_',	/* NameSeg, in the DSDT's root scope */
	0x12,			/* PackageOp (20.2.5.4 DefPackage) */
	0x08,			/* PkgLength: one byte (bits 7:6 = 0), 8 bytes
				 * from itself to the end (20.2.4) */
	0x04,			/* NumElements */
	0x0a, ACPI_S5_SLP_TYP,	/* BytePrefix, SLP_TYPa (20.2.3 ByteConst) */
	0x0a, ACPI_S5_SLP_TYP,	/* BytePrefix, SLP_TYPb: no PM1b, unused */
	0x00,			/* ZeroOp: reserved */
	0x00,			/* ZeroOp: reserved */
};

#define DSDT_LEN		(HDR_LEN + sizeof(dsdt_aml))
#define DSDT_REVISION		2	/* 64-bit AML integers */

_Static_assert(RSDT_OFF >= RSDP_OFF + RSDP_LEN, "RSDP");
_Static_assert(XSDT_OFF >= RSDT_OFF + RSDT_LEN, "RSDT");
_Static_assert(FADT_OFF >= XSDT_OFF + XSDT_LEN, "XSDT");
_Static_assert(DSDT_OFF >= FADT_OFF + FADT_LEN, "FADT");
_Static_assert(FACS_FROM >= DSDT_OFF + DSDT_LEN, "DSDT");
_Static_assert(FACS_FROM + FACS_ALIGN - 16 + FACS_LEN <= ACPI_TABLES_SIZE,
	       "FACS, at worst alignment of a 16-byte aligned base");
_Static_assert(sizeof(dsdt_aml) - 6 == 0x08, "PkgLength");

/* The checksum byte for [p, p + len), computed while that byte is 0:
 * with it, the bytes sum to zero. */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

/* System description table header (section 5.2.6); the checksum, at 9,
 * is set by seal() once the body is written. */
static void put_header(uint8_t *t, const char *sig, uint32_t len,
		       uint8_t rev)
{
	memset(t, 0, len);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	put32(t + 24, OEM_REVISION);
	memcpy(t + 28, CREATOR_ID, 4);
	put32(t + 32, CREATOR_REV);
}

static void seal(uint8_t *t, uint32_t len)
{
	t[9] = 0;
	t[9] = checksum(t, len);
}

static void put_gas(uint8_t *g, uint8_t bits, uint8_t access, uint64_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0;		/* bit offset */
	g[3] = access;
	put64(g + 4, port);
}

/* Section 5.2.5.3; revision 2 for the XSDT. */
static void build_rsdp(uint8_t *r, uint32_t rsdt, uint64_t xsdt)
{
	memset(r, 0, RSDP_LEN);
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, OEM_ID, 6);
	r[15] = 2;
	put32(r + 16, rsdt);
	put32(r + 20, RSDP_LEN);
	put64(r + 24, xsdt);
	r[8] = checksum(r, RSDP_V1_LEN);
	r[32] = checksum(r, RSDP_LEN);
}

/* Section 5.2.9. Legacy and X_ fields agree, as ACPICA warns on any
 * mismatch; both buttons are absent; no GPE, C2 or C3. The PM timer, when
 * there is one, gives the guest a clock that agrees with its TSC, so its
 * clocksource watchdog has no reason to distrust the TSC. */
static void build_fadt(uint8_t *f, uint32_t dsdt, uint32_t facs,
		       const struct acpi_platform *p)
{
	uint32_t flags = FF_WBINVD | FF_PROC_C1 | FF_PWR_BUTTON |
			 FF_SLP_BUTTON | FF_FIX_RTC | FF_HEADLESS;

	put_header(f, "FACP", FADT_LEN, 6);
	put32(f + FADT_FIRMWARE_CTRL, facs);
	put32(f + FADT_DSDT, dsdt);
	put16(f + FADT_SCI_INT, p->sci_irq);
	put32(f + FADT_SMI_CMD, 0);	/* no SMI: always in ACPI mode */
	put32(f + FADT_PM1A_EVT_BLK, p->pm1a_evt);
	put32(f + FADT_PM1A_CNT_BLK, p->pm1a_cnt);
	f[FADT_PM1_EVT_LEN] = PM1_EVT_LEN;
	f[FADT_PM1_CNT_LEN] = PM1_CNT_LEN;
	put16(f + FADT_P_LVL2_LAT, 101);	/* > 100: no C2 */
	put16(f + FADT_P_LVL3_LAT, 1001);	/* > 1000: no C3 */
	/* 8042 clear: tandem has no keyboard controller (only its reset
	 * command), and Linux then leaves ports 0x60/0x64 alone. The CMOS
	 * RTC is emulated, so "CMOS RTC Not Present" (bit 5) stays clear. */
	put16(f + FADT_IAPC_BOOT_ARCH, BA_LEGACY_DEVICES | BA_VGA_NOT_PRESENT |
	      BA_MSI_NOT_SUPPORTED);
	if (p->pm_tmr) {
		flags |= FF_TMR_VAL_EXT;
		put32(f + FADT_PM_TMR_BLK, p->pm_tmr);
		f[FADT_PM_TMR_LEN] = PM_TMR_LEN;
		put_gas(f + FADT_X_PM_TMR_BLK, PM_TMR_LEN * 8, GAS_ACCESS_DWORD,
			p->pm_tmr);
	}
	if (p->reset_port) {
		flags |= FF_RESET_REG_SUP;
		put_gas(f + FADT_RESET_REG, 8, GAS_ACCESS_BYTE,
			p->reset_port);
		f[FADT_RESET_VALUE] = p->reset_value;
	}
	put32(f + FADT_FLAGS, flags);
	f[FADT_MINOR_VERSION] = 4;	/* ACPI 6.4 */
	put64(f + FADT_X_FIRMWARE_CTRL, facs);
	put64(f + FADT_X_DSDT, dsdt);
	put_gas(f + FADT_X_PM1A_EVT_BLK, PM1_EVT_LEN * 8, GAS_ACCESS_WORD,
		p->pm1a_evt);
	put_gas(f + FADT_X_PM1A_CNT_BLK, PM1_CNT_LEN * 8, GAS_ACCESS_WORD,
		p->pm1a_cnt);
	seal(f, FADT_LEN);
}

/* Section 5.2.10: no checksum; version 2; no global lock, no waking
 * vector (S5 only). */
static void build_facs(uint8_t *f)
{
	memset(f, 0, FACS_LEN);
	memcpy(f, "FACS", 4);
	put32(f + 4, FACS_LEN);
	f[32] = 2;
}

static bool platform_ok(const struct acpi_platform *p)
{
	return p && p->pm1a_evt && p->pm1a_cnt &&
	       p->pm1a_evt <= 0x10000 - PM1_EVT_LEN &&
	       p->pm1a_cnt <= 0x10000 - PM1_CNT_LEN &&
	       p->pm_tmr <= 0x10000 - PM_TMR_LEN && p->sci_irq < 16;
}

uint64_t acpi_build(uint8_t *mem, uint64_t mem_size, uint64_t base,
		    const struct acpi_platform *p)
{
	uint64_t facs, end;
	uint8_t *t;

	if (!mem || !platform_ok(p) || base % 16 ||
	    base < ACPI_RSDP_AREA_START || base >= ACPI_RSDP_AREA_END)
		return 0;
	facs = (base + FACS_FROM + FACS_ALIGN - 1) & ~(uint64_t)(FACS_ALIGN - 1);
	end = facs + FACS_LEN;
	if (end > ACPI_RSDP_AREA_END || end > mem_size)
		return 0;

	memset(mem + base, 0, end - base);
	build_rsdp(mem + base + RSDP_OFF, (uint32_t)(base + RSDT_OFF),
		   base + XSDT_OFF);

	t = mem + base + RSDT_OFF;
	put_header(t, "RSDT", RSDT_LEN, 1);
	put32(t + HDR_LEN, (uint32_t)(base + FADT_OFF));
	seal(t, RSDT_LEN);

	t = mem + base + XSDT_OFF;
	put_header(t, "XSDT", XSDT_LEN, 1);
	put64(t + HDR_LEN, base + FADT_OFF);
	seal(t, XSDT_LEN);

	build_fadt(mem + base + FADT_OFF, (uint32_t)(base + DSDT_OFF),
		   (uint32_t)facs, p);

	t = mem + base + DSDT_OFF;
	put_header(t, "DSDT", DSDT_LEN, DSDT_REVISION);
	memcpy(t + HDR_LEN, dsdt_aml, sizeof(dsdt_aml));
	seal(t, DSDT_LEN);

	build_facs(mem + facs);
	return base + RSDP_OFF;
}
