/* Unit tests for core/acpi.c: the tables are read back as an OS would,
 * from the RSDP down, with offsets from the ACPI 6.4 specification
 * written out here independently of the builder. */
#include "tests/unit/check.h"
#include "core/acpi.h"

#include <stdint.h>

#define MEM_SIZE	0x200000u
#define BASE		0xf0000u

static uint8_t *mem;

static const struct acpi_platform plat = {
	.pm1a_evt = 0x600, .pm1a_cnt = 0x604, .sci_irq = 9,
	.reset_port = 0xcf9, .reset_value = 0x06,
};

static uint64_t rd(uint64_t addr, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)mem[addr + i] << (8 * i);
	return v;
}

static void fill_mem(void)
{
	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xaa, MEM_SIZE);
}

static bool mem_untouched(void)
{
	for (uint32_t a = 0; a < MEM_SIZE; a++)
		if (mem[a] != 0xaa)
			return false;
	return true;
}

static uint8_t sum(uint64_t addr, uint32_t len)
{
	uint8_t s = 0;

	for (uint32_t i = 0; i < len; i++)
		s += mem[addr + i];
	return s;
}

/* A system description table header (section 5.2.6) with a valid
 * checksum; returns its length. */
static uint32_t check_sdt(uint64_t addr, const char *sig, uint8_t rev)
{
	uint32_t len = (uint32_t)rd(addr + 4, 4);
	char got[5] = "";

	memcpy(got, mem + addr, 4);
	CHECK_STR(got, sig);
	CHECK_EQ(mem[addr + 8], rev);
	CHECK_EQ(sum(addr, len), 0);
	CHECK(!memcmp(mem + addr + 10, "TANDEM", 6));
	CHECK(!memcmp(mem + addr + 16, "TANDEMVM", 8));
	CHECK(!memcmp(mem + addr + 28, "TNDM", 4));
	CHECK_EQ(rd(addr + 24, 4), 1);
	CHECK_EQ(rd(addr + 32, 4), 1);
	return len;
}

/* Section 5.2.5.1: the OS scans 0xe0000 - 0xfffff on 16-byte
 * boundaries for "RSD PTR " with a valid checksum. */
static uint64_t scan_rsdp(void)
{
	for (uint64_t a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp(mem + a, "RSD PTR ", 8) && !sum(a, 20))
			return a;
	return 0;
}

struct tables {
	uint64_t rsdp, rsdt, xsdt, fadt, dsdt, facs;
};

static void walk(uint64_t rsdp, struct tables *t)
{
	t->rsdp = rsdp;
	t->rsdt = rd(rsdp + 16, 4);
	t->xsdt = rd(rsdp + 24, 8);
	t->fadt = rd(t->xsdt + 36, 8);
	t->dsdt = rd(t->fadt + 140, 8);
	t->facs = rd(t->fadt + 132, 8);
}

static void test_rsdp(void)
{
	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &plat), BASE);
	CHECK(!memcmp(mem + BASE, "RSD PTR ", 8));
	CHECK_EQ(sum(BASE, 20), 0);
	CHECK_EQ(rd(BASE + 20, 4), 36);
	CHECK_EQ(sum(BASE, 36), 0);
	CHECK_EQ(mem[BASE + 15], 2);
	CHECK(!memcmp(mem + BASE + 9, "TANDEM", 6));
	CHECK_EQ(rd(BASE + 33, 3), 0);
	CHECK_EQ(scan_rsdp(), BASE);
}

static void test_rsdt_xsdt(void)
{
	struct tables t;

	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &plat) == BASE);
	walk(BASE, &t);
	CHECK_EQ(check_sdt(t.rsdt, "RSDT", 1), 40);
	CHECK_EQ(check_sdt(t.xsdt, "XSDT", 1), 44);
	/* Both list the FADT, and only it. */
	CHECK_EQ(rd(t.rsdt + 36, 4), t.fadt);
	CHECK(!memcmp(mem + t.fadt, "FACP", 4));
}

static void test_fadt(void)
{
	struct tables t;
	uint64_t f;

	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &plat) == BASE);
	walk(BASE, &t);
	f = t.fadt;
	CHECK_EQ(check_sdt(f, "FACP", 6), 276);
	/* DSDT and FACS, 32- and 64-bit pointers agreeing. */
	CHECK_EQ(rd(f + 36, 4), t.facs);
	CHECK_EQ(rd(f + 40, 4), t.dsdt);
	CHECK(!memcmp(mem + t.dsdt, "DSDT", 4));
	CHECK(!memcmp(mem + t.facs, "FACS", 4));
	CHECK_EQ(mem[f + 45], 0);		/* PM profile: unspecified */
	CHECK_EQ(rd(f + 46, 2), 9);		/* SCI_INT */
	CHECK_EQ(rd(f + 48, 4), 0);		/* SMI_CMD: always ACPI */
	CHECK_EQ(rd(f + 52, 4), 0);		/* ACPI_ENABLE... */
	CHECK_EQ(rd(f + 56, 4), 0x600);		/* PM1a_EVT_BLK */
	CHECK_EQ(rd(f + 60, 4), 0);		/* PM1b_EVT_BLK */
	CHECK_EQ(rd(f + 64, 4), 0x604);		/* PM1a_CNT_BLK */
	CHECK_EQ(rd(f + 68, 4), 0);		/* PM1b_CNT_BLK */
	CHECK_EQ(rd(f + 72, 4), 0);		/* PM2_CNT_BLK */
	CHECK_EQ(rd(f + 76, 4), 0);		/* PM_TMR_BLK */
	CHECK_EQ(rd(f + 80, 8), 0);		/* GPE0_BLK, GPE1_BLK */
	CHECK_EQ(mem[f + 88], 4);		/* PM1_EVT_LEN */
	CHECK_EQ(mem[f + 89], 2);		/* PM1_CNT_LEN */
	CHECK_EQ(rd(f + 90, 4), 0);		/* PM2, PM_TMR, GPE0/1 lens */
	CHECK(rd(f + 96, 2) > 100);		/* no C2 */
	CHECK(rd(f + 98, 2) > 1000);		/* no C3 */
	/* IAPC_BOOT_ARCH: legacy devices, no 8042, no VGA, no MSI, RTC. */
	CHECK_EQ(rd(f + 109, 2), 0x0d);
	CHECK(!(rd(f + 109, 2) & 2));
	/* Flags: WBINVD, C1, no fixed buttons, reset register, not
	 * hardware-reduced, no platform clock (there is no PM timer). */
	CHECK(rd(f + 112, 4) & (1u << 0));
	CHECK(rd(f + 112, 4) & (1u << 4));
	CHECK(rd(f + 112, 4) & (1u << 5));
	CHECK(rd(f + 112, 4) & (1u << 10));
	CHECK(!(rd(f + 112, 4) & (1u << 15)));
	CHECK(!(rd(f + 112, 4) & (1u << 20)));
	/* RESET_REG: system I/O, 8 bits, byte access, the port; value. */
	CHECK_EQ(rd(f + 116, 4), 0x01000801);
	CHECK_EQ(rd(f + 120, 8), 0xcf9);
	CHECK_EQ(mem[f + 128], 6);
	CHECK_EQ(mem[f + 131], 4);		/* FADT minor version */
	CHECK_EQ(rd(f + 132, 8), t.facs);	/* X_FIRMWARE_CTRL */
	CHECK_EQ(rd(f + 140, 8), t.dsdt);	/* X_DSDT */
	/* X_PM1a_EVT_BLK, X_PM1a_CNT_BLK: system I/O, 32 and 16 bits. */
	CHECK_EQ(rd(f + 148, 4), 0x02002001);
	CHECK_EQ(rd(f + 152, 8), 0x600);
	CHECK_EQ(rd(f + 172, 4), 0x02001001);
	CHECK_EQ(rd(f + 176, 8), 0x604);
	/* X_PM1b_EVT through SLEEP_STATUS and the hypervisor ID: none. */
	CHECK_EQ(rd(f + 160, 8), 0);
	CHECK_EQ(rd(f + 168, 4), 0);
	for (uint32_t off = 184; off < 276; off++)
		if (mem[f + off]) {
			CHECK_EQ(off, 0);
			break;
		}
}

static void test_no_reset(void)
{
	struct acpi_platform p = plat;
	struct tables t;

	p.reset_port = 0;
	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &p) == BASE);
	walk(BASE, &t);
	CHECK_EQ(check_sdt(t.fadt, "FACP", 6), 276);
	CHECK(!(rd(t.fadt + 112, 4) & (1u << 10)));
	CHECK_EQ(rd(t.fadt + 116, 8), 0);
	CHECK_EQ(rd(t.fadt + 124, 4), 0);
	CHECK_EQ(mem[t.fadt + 128], 0);
}

/* Section 5.2.9: PM_TMR_BLK at 76, PM_TMR_LEN at 91, X_PM_TMR_BLK at
 * 208 (a GAS: I/O space, 32 bits wide, dword access), TMR_VAL_EXT flag. */
static void test_pm_timer(void)
{
	struct acpi_platform p = plat;
	struct tables t;

	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &p) == BASE);
	walk(BASE, &t);
	CHECK_EQ(rd(t.fadt + 76, 4), 0);
	CHECK_EQ(mem[t.fadt + 91], 0);
	CHECK(!(rd(t.fadt + 112, 4) & (1u << 8)));

	p.pm_tmr = 0x608;
	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &p) == BASE);
	walk(BASE, &t);
	CHECK_EQ(check_sdt(t.fadt, "FACP", 6), 276);
	CHECK_EQ(rd(t.fadt + 76, 4), 0x608);
	CHECK_EQ(mem[t.fadt + 91], 4);
	CHECK(rd(t.fadt + 112, 4) & (1u << 8));
	CHECK_EQ(mem[t.fadt + 208], 1);
	CHECK_EQ(mem[t.fadt + 209], 32);
	CHECK_EQ(mem[t.fadt + 211], 3);
	CHECK_EQ(rd(t.fadt + 212, 8), 0x608);
	p.pm_tmr = 0xfffe;
	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
}

static void test_facs(void)
{
	struct tables t;

	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &plat) == BASE);
	walk(BASE, &t);
	CHECK_EQ(t.facs % 64, 0);
	CHECK(!memcmp(mem + t.facs, "FACS", 4));
	CHECK_EQ(rd(t.facs + 4, 4), 64);
	CHECK_EQ(mem[t.facs + 32], 2);		/* version */
	for (uint32_t off = 8; off < 64; off++)
		if (off != 32 && mem[t.facs + off]) {
			CHECK_EQ(off, 0);
			break;
		}
}

static void test_dsdt(void)
{
	/* Name (_S5, Package (0x04) { 0x05, 0x05, Zero, Zero }), as iasl
	 * compiles it. */
	static const uint8_t aml[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
		0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,
	};
	struct tables t;

	fill_mem();
	REQUIRE(acpi_build(mem, MEM_SIZE, BASE, &plat) == BASE);
	walk(BASE, &t);
	CHECK_EQ(check_sdt(t.dsdt, "DSDT", 2), 36 + sizeof(aml));
	CHECK(!memcmp(mem + t.dsdt + 36, aml, sizeof(aml)));
	CHECK_EQ(ACPI_S5_SLP_TYP, 5);
}

/* Every table within [base, base + ACPI_TABLES_SIZE), none overlapping,
 * nothing else written; for each 16-byte alignment of base against the
 * FACS's 64. */
static void test_extent(void)
{
	for (uint64_t base = 0xe0000; base < 0xe0040; base += 16) {
		struct tables t;
		uint64_t start[6], end[6];

		fill_mem();
		REQUIRE(acpi_build(mem, MEM_SIZE, base, &plat) == base);
		walk(base, &t);
		start[0] = t.rsdp, end[0] = t.rsdp + 36;
		start[1] = t.rsdt, end[1] = t.rsdt + rd(t.rsdt + 4, 4);
		start[2] = t.xsdt, end[2] = t.xsdt + rd(t.xsdt + 4, 4);
		start[3] = t.fadt, end[3] = t.fadt + rd(t.fadt + 4, 4);
		start[4] = t.dsdt, end[4] = t.dsdt + rd(t.dsdt + 4, 4);
		start[5] = t.facs, end[5] = t.facs + 64;
		CHECK_EQ(t.facs % 64, 0);
		for (int i = 0; i < 6; i++) {
			CHECK(start[i] >= base);
			CHECK(end[i] <= base + ACPI_TABLES_SIZE);
			for (int j = i + 1; j < 6; j++)
				CHECK(end[i] <= start[j] || end[j] <= start[i]);
		}
		memset(mem + base, 0xaa, ACPI_TABLES_SIZE);
		CHECK(mem_untouched());
	}
}

/* The RSDP stays in the legacy scan area, wherever base is put. */
static void test_bounds(void)
{
	uint64_t last = 0x100000 - ACPI_TABLES_SIZE;

	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0xe0000, &plat), 0xe0000);
	CHECK_EQ(scan_rsdp(), 0xe0000);
	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, last, &plat), last);
	CHECK_EQ(scan_rsdp(), last);

	/* Refused, with nothing written. */
	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0xdfff0, &plat), 0);
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0, &plat), 0);
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0xf0008, &plat), 0);
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0x100000, &plat), 0);
	CHECK_EQ(acpi_build(mem, MEM_SIZE, 0xffff0, &plat), 0);
	CHECK_EQ(acpi_build(mem, MEM_SIZE, UINT64_MAX & ~15ull, &plat), 0);
	CHECK_EQ(acpi_build(mem, 0xf0100, BASE, &plat), 0);
	CHECK_EQ(acpi_build(NULL, MEM_SIZE, BASE, &plat), 0);
	CHECK(mem_untouched());
	/* The last base that fits, at each FACS alignment. */
	for (uint64_t b = last; b < last + 64; b += 16) {
		uint64_t facs = (b + 0x1f0 + 63) & ~63ull;

		CHECK_EQ(acpi_build(mem, MEM_SIZE, b, &plat),
			 facs + 64 <= 0x100000 ? b : 0);
	}
	fill_mem();
	CHECK_EQ(acpi_build(mem, BASE + ACPI_TABLES_SIZE, BASE, &plat), BASE);
}

static void test_bad_platform(void)
{
	struct acpi_platform p;

	fill_mem();
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, NULL), 0);
	p = plat;
	p.pm1a_evt = 0;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
	p = plat;
	p.pm1a_cnt = 0;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
	p = plat;
	p.pm1a_evt = 0xfffd;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
	p = plat;
	p.pm1a_cnt = 0xffff;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
	p = plat;
	p.sci_irq = 16;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), 0);
	CHECK(mem_untouched());
	p = plat;
	p.pm1a_evt = 0xfffc;
	p.pm1a_cnt = 0xfffe;
	p.sci_irq = 15;
	CHECK_EQ(acpi_build(mem, MEM_SIZE, BASE, &p), BASE);
}

static const struct tcase cases[] = {
	TCASE(rsdp),
	TCASE(rsdt_xsdt),
	TCASE(fadt),
	TCASE(no_reset),
	TCASE(pm_timer),
	TCASE(facs),
	TCASE(dsdt),
	TCASE(extent),
	TCASE(bounds),
	TCASE(bad_platform),
};

int main(int argc, char **argv)
{
	return RUN_CASES("acpi", cases, argc, argv);
}
