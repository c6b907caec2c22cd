/* Unit tests for core/linux.c: a synthetic bzImage built byte by byte
 * (offsets written out here from Documentation/arch/x86/boot.rst,
 * independently of the loader), loaded, then mutated in every way the
 * loader must refuse; and, where a real kernel is on this machine, that
 * kernel. */
#include "tests/unit/check.h"
#include "core/linux.h"

#include <stdint.h>
#include <sys/mman.h>

#define MIB		0x100000ull
#define GIB		0x40000000ull
#define MEM_SIZE	(64 * MIB)
#define NAME		"vmlinuz"
#define RD_NAME		"initrd.img"

/* Setup header offsets (boot.rst, "The Real-Mode Kernel Header"). */
#define SETUP_SECTS	0x1f1
#define SYSSIZE		0x1f4
#define VID_MODE	0x1fa
#define BOOT_FLAG	0x1fe
#define JUMP		0x200
#define HEADER		0x202
#define VERSION		0x206
#define KERNEL_VERSION	0x20e
#define TYPE_OF_LOADER	0x210
#define LOADFLAGS	0x211
#define CODE32_START	0x214
#define RAMDISK_IMAGE	0x218
#define RAMDISK_SIZE	0x21c
#define HEAP_END_PTR	0x224
#define CMD_LINE_PTR	0x228
#define INITRD_ADDR_MAX	0x22c
#define KERNEL_ALIGN	0x230
#define RELOCATABLE	0x234
#define MIN_ALIGNMENT	0x235
#define XLOADFLAGS	0x236
#define CMDLINE_SIZE	0x238
#define HW_SUBARCH	0x23c
#define HW_SUBARCH_DATA	0x240
#define PAYLOAD_OFFSET	0x248
#define PAYLOAD_LENGTH	0x24c
#define SETUP_DATA	0x250
#define PREF_ADDRESS	0x258
#define INIT_SIZE	0x260
#define HANDOVER_OFFSET	0x264
#define KERNEL_INFO_OFF	0x268
#define HDR_END		0x26c	/* 0x202 + 0x6a, as in 2.15 kernels */

/* Zero page offsets (zero-page.rst). */
#define BP_ACPI_RSDP	0x070
#define BP_EXT_RD_IMAGE	0x0c0
#define BP_EXT_RD_SIZE	0x0c4
#define BP_EXT_CMDLINE	0x0c8
#define BP_E820_ENTRIES	0x1e8
#define BP_SENTINEL	0x1ef
#define BP_E820_TABLE	0x2d0

/* The valid image: 2 setup sectors after the boot sector, then a
 * 0x400-byte protected-mode kernel whose payload ends the file, so that
 * any truncation must be refused. */
#define SECTS		2
#define SETUP_SIZE	((SECTS + 1) * 512)
#define PM_SIZE		0x400u
#define PAY_OFF		0x280u
#define PAY_LEN		(PM_SIZE - PAY_OFF)
#define IMG_SIZE	(SETUP_SIZE + PM_SIZE)
#define PREF		(16 * MIB)
#define ALIGN		(2 * MIB)
#define INIT		(8 * MIB)
#define RSDP		0xf0000u

static uint8_t img[0x4000];
static size_t img_size;

static uint8_t *mem;
static struct linux_loaded res;
static char err[512];

static void put16(size_t off, uint16_t v)
{
	img[off] = (uint8_t)v;
	img[off + 1] = (uint8_t)(v >> 8);
}

static void put32(size_t off, uint32_t v)
{
	put16(off, (uint16_t)v);
	put16(off + 2, (uint16_t)(v >> 16));
}

static void put64(size_t off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

static uint8_t pattern(size_t off)
{
	return (uint8_t)(off * 13 + 0x5b);
}

/* A bzImage of boot protocol 2.15 with 'sects' setup sectors (as the
 * file says: 0 stands for 4). */
static void build_sects(unsigned sects)
{
	unsigned real = sects ? sects : 4;
	size_t setup = (real + 1) * 512;

	memset(img, 0, sizeof(img));
	img_size = setup + PM_SIZE;
	for (size_t i = 0; i < img_size; i++)
		img[i] = pattern(i);
	/* The header proper: every byte from 0x1f1 to its end is set. */
	memset(img + SETUP_SECTS, 0, HDR_END - SETUP_SECTS);
	img[BP_SENTINEL] = 0xff;	/* as in real images: never copied */
	img[SETUP_SECTS] = (uint8_t)sects;
	put16(0x1f2, 1);		/* root_flags */
	put32(SYSSIZE, PM_SIZE / 16);
	put16(VID_MODE, 0xffff);
	put16(BOOT_FLAG, 0xaa55);
	img[JUMP] = 0xeb;
	img[JUMP + 1] = HDR_END - 0x202;
	memcpy(img + HEADER, "HdrS", 4);
	put16(VERSION, 0x020f);
	put16(KERNEL_VERSION, 0x3e00);
	img[TYPE_OF_LOADER] = 0x42;	/* must be overwritten */
	img[LOADFLAGS] = 0x01 | 0x20 | 0x40 | 0x80;	/* + QUIET, KEEP, HEAP */
	put32(CODE32_START, 0x100000);
	put32(RAMDISK_IMAGE, 0x12345678);
	put32(RAMDISK_SIZE, 0x9abc);
	put16(HEAP_END_PTR, 0xde00);
	put32(CMD_LINE_PTR, 0x11111111);
	put32(INITRD_ADDR_MAX, 0x7fffffff);
	put32(KERNEL_ALIGN, ALIGN);
	img[RELOCATABLE] = 1;
	img[MIN_ALIGNMENT] = 21;
	put16(XLOADFLAGS, 0x7f);
	put32(CMDLINE_SIZE, 2047);
	put32(HW_SUBARCH, 3);
	put64(HW_SUBARCH_DATA, 0x55);
	put32(PAYLOAD_OFFSET, PAY_OFF);
	put32(PAYLOAD_LENGTH, PAY_LEN);
	put64(SETUP_DATA, 0x77777777);
	put64(PREF_ADDRESS, PREF);
	put32(INIT_SIZE, INIT);
	put32(HANDOVER_OFFSET, 0x190);
	put32(KERNEL_INFO_OFF, 0x4000);
}

static void build(void)
{
	build_sects(SECTS);
}

static void fill_mem(void)
{
	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xaa, MEM_SIZE);
}

/* Is guest memory as fill_mem() left it? */
static bool mem_untouched(void)
{
	static uint8_t page[4096];

	memset(page, 0xaa, sizeof(page));
	for (uint64_t a = 0; a < MEM_SIZE; a += sizeof(page))
		if (memcmp(mem + a, page, sizeof(page)))
			return false;
	return true;
}

/* Load n bytes of img from an exactly-sized heap copy, so that
 * AddressSanitizer catches any read past the image. */
static int load_full(size_t n, const struct linux_image *rd,
		     const char *cmdline, uint64_t mem_size)
{
	uint8_t *copy = malloc(n ? n : 1);
	struct linux_image k = { copy, n, NAME };
	int r;

	if (!mem)
		fill_mem();
	memcpy(copy, img, n);
	memset(&res, 0, sizeof(res));
	memset(err, 0x55, sizeof(err));
	r = linux_load(&k, rd, cmdline, mem, mem_size, RSDP, &res, err,
		       sizeof(err));
	free(copy);
	return r;
}

static int load(void)
{
	return load_full(img_size, NULL, "console=ttyS0", MEM_SIZE);
}

#define CHECK_LOAD_ERR(msg)						\
	do {								\
		fill_mem();						\
		CHECK_EQ(load(), -1);					\
		CHECK_STR(err, msg);					\
		CHECK(mem_untouched());					\
	} while (0)

#define CHECK_LOAD_OK()							\
	do {								\
		CHECK_EQ(load(), 0);					\
		CHECK_STR(err, "");					\
	} while (0)

static uint64_t peek(uint64_t addr, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)mem[addr + i] << (8 * i);
	return v;
}

#define ZP(off, bytes)	peek(LINUX_ZERO_PAGE + (off), bytes)

static void test_valid_load(void)
{
	build();
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_EQ(res.entry, PREF + 0x200);
	CHECK_EQ(res.boot_params, 0x7000);
	CHECK_EQ(res.cr3, 0x9000);
	CHECK_EQ(res.gdt_base, 0x1000);
	CHECK_EQ(res.gdt_limit, 31);
	CHECK_EQ(res.kernel_addr, PREF);
	CHECK_EQ(res.kernel_end, PREF + INIT);
	CHECK_EQ(res.initrd_addr, 0);
	CHECK_EQ(res.initrd_size, 0);

	/* The protected-mode kernel, and nothing more, at pref_address. */
	CHECK(!memcmp(mem + PREF, img + SETUP_SIZE, PM_SIZE));
	CHECK_EQ(mem[PREF - 1], 0xaa);
	CHECK_EQ(mem[PREF + PM_SIZE], 0xaa);
	/* The setup code is not loaded anywhere. */
	CHECK_EQ(mem[0x90000], 0xaa);
	CHECK_EQ(mem[0x10000], 0xaa);
}

/* Nothing but the documented areas is written. */
static void test_untouched_memory(void)
{
	static const struct {
		uint64_t start, end;
	} written[] = {
		{ 0x1000, 0x1020 },		/* GDT */
		{ 0x7000, 0x8000 },		/* zero page */
		{ 0x9000, 0xf000 },		/* page tables */
		{ 0x20000, 0x20000 + sizeof("console=ttyS0") },
		{ PREF, PREF + PM_SIZE },
	};

	build();
	fill_mem();
	CHECK_LOAD_OK();
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++)
		memset(mem + written[i].start, 0xaa,
		       written[i].end - written[i].start);
	CHECK(mem_untouched());
}

static void test_zero_page(void)
{
	build();
	fill_mem();
	CHECK_LOAD_OK();
	/* The header, copied, then the loader's fields. */
	CHECK_EQ(ZP(SETUP_SECTS, 1), SECTS);
	CHECK_EQ(ZP(0x1f2, 2), 1);
	CHECK_EQ(ZP(SYSSIZE, 4), PM_SIZE / 16);
	CHECK_EQ(ZP(VID_MODE, 2), 0xffff);
	CHECK_EQ(ZP(BOOT_FLAG, 2), 0xaa55);
	CHECK_EQ(ZP(JUMP, 2), 0x6aeb);
	CHECK(!memcmp(mem + LINUX_ZERO_PAGE + HEADER, "HdrS", 4));
	CHECK_EQ(ZP(VERSION, 2), 0x020f);
	CHECK_EQ(ZP(KERNEL_VERSION, 2), 0x3e00);
	CHECK_EQ(ZP(TYPE_OF_LOADER, 1), 0xff);
	CHECK_EQ(ZP(LOADFLAGS, 1), 0x01);
	CHECK_EQ(ZP(CODE32_START, 4), 0x100000);
	CHECK_EQ(ZP(RAMDISK_IMAGE, 4), 0);
	CHECK_EQ(ZP(RAMDISK_SIZE, 4), 0);
	CHECK_EQ(ZP(HEAP_END_PTR, 2), 0);
	CHECK_EQ(ZP(CMD_LINE_PTR, 4), 0x20000);
	CHECK_EQ(ZP(INITRD_ADDR_MAX, 4), 0x7fffffff);
	CHECK_EQ(ZP(KERNEL_ALIGN, 4), ALIGN);
	CHECK_EQ(ZP(RELOCATABLE, 1), 1);
	CHECK_EQ(ZP(MIN_ALIGNMENT, 1), 21);
	CHECK_EQ(ZP(XLOADFLAGS, 2), 0x7f);
	CHECK_EQ(ZP(CMDLINE_SIZE, 4), 2047);
	CHECK_EQ(ZP(HW_SUBARCH, 4), 0);
	CHECK_EQ(ZP(HW_SUBARCH_DATA, 8), 0);
	CHECK_EQ(ZP(PAYLOAD_OFFSET, 4), PAY_OFF);
	CHECK_EQ(ZP(PAYLOAD_LENGTH, 4), PAY_LEN);
	CHECK_EQ(ZP(SETUP_DATA, 8), 0);
	CHECK_EQ(ZP(PREF_ADDRESS, 8), PREF);
	CHECK_EQ(ZP(INIT_SIZE, 4), INIT);
	CHECK_EQ(ZP(HANDOVER_OFFSET, 4), 0x190);
	CHECK_EQ(ZP(KERNEL_INFO_OFF, 4), 0x4000);
	CHECK_EQ(ZP(BP_ACPI_RSDP, 8), RSDP);
	CHECK_EQ(ZP(BP_EXT_RD_IMAGE, 4), 0);
	CHECK_EQ(ZP(BP_EXT_RD_SIZE, 4), 0);
	CHECK_EQ(ZP(BP_EXT_CMDLINE, 4), 0);
	CHECK_EQ(ZP(BP_SENTINEL, 1), 0);

	/* Everything else in the page is zero: outside the header, the
	 * RSDP field and the e820 count and table. */
	for (uint32_t off = 0; off < 0x1000; off++) {
		bool set = (off >= SETUP_SECTS && off < HDR_END) ||
			   (off >= BP_ACPI_RSDP && off < BP_ACPI_RSDP + 8) ||
			   off == BP_E820_ENTRIES ||
			   (off >= BP_E820_TABLE && off < BP_E820_TABLE + 80);

		if (!set && mem[LINUX_ZERO_PAGE + off]) {
			CHECK_EQ(off, 0);
			break;
		}
	}

	/* No RSDP: the field stays zero. */
	{
		struct linux_image k = { img, img_size, NAME };

		REQUIRE(linux_load(&k, NULL, NULL, mem, MEM_SIZE, 0, &res,
				   err, sizeof(err)) == 0);
		CHECK_EQ(ZP(BP_ACPI_RSDP, 8), 0);
	}
}

static void check_e820(uint64_t mem_size)
{
	static const struct {
		uint64_t addr, size;
		uint32_t type;
	} want[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xe0000, 0x20000, 2 },
		{ 0x100000, 0, 1 },
	};

	CHECK_EQ(ZP(BP_E820_ENTRIES, 1), 4);
	for (unsigned i = 0; i < 4; i++) {
		uint32_t e = BP_E820_TABLE + i * 20;
		uint64_t size = want[i].size ? want[i].size :
			       mem_size - want[i].addr;

		CHECK_EQ(ZP(e, 8), want[i].addr);
		CHECK_EQ(ZP(e + 8, 8), size);
		CHECK_EQ(ZP(e + 16, 4), want[i].type);
	}
	/* The fifth entry is empty. */
	CHECK_EQ(ZP(BP_E820_TABLE + 80, 8), 0);
	CHECK_EQ(ZP(BP_E820_TABLE + 96, 4), 0);
}

static void test_e820(void)
{
	build();
	fill_mem();
	CHECK_LOAD_OK();
	check_e820(MEM_SIZE);
	CHECK_EQ(load_full(img_size, NULL, "", PREF + INIT), 0);
	check_e820(PREF + INIT);
}

static void test_page_tables(void)
{
	build();
	fill_mem();
	CHECK_LOAD_OK();
	REQUIRE(res.cr3 == 0x9000);
	CHECK_EQ(peek(0x9000, 8), 0xa000 | 3);
	for (unsigned i = 1; i < 512; i++)
		if (peek(0x9000 + i * 8, 8)) {
			CHECK_EQ(i, 0);
			break;
		}
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(peek(0xa000 + i * 8, 8), (0xb000 + i * 0x1000) | 3);
	for (unsigned i = 4; i < 512; i++)
		if (peek(0xa000 + i * 8, 8)) {
			CHECK_EQ(i, 0);
			break;
		}
	/* 2048 PD entries: 2 MiB pages, present, writable, identity. */
	for (uint64_t i = 0; i < 2048; i++) {
		uint64_t pde = peek(0xb000 + i * 8, 8);

		if (pde != (i * 2 * MIB | 0x83)) {
			CHECK_EQ(pde, i * 2 * MIB | 0x83);
			break;
		}
	}
}

static void test_gdt(void)
{
	build();
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_EQ(peek(0x1000, 8), 0);
	CHECK_EQ(peek(0x1008, 8), 0);
	CHECK_EQ(peek(0x1010, 8), 0x00af9a000000ffffull);
	CHECK_EQ(peek(0x1018, 8), 0x00cf92000000ffffull);
	CHECK_EQ(res.gdt_base + res.gdt_limit + 1, 0x1020);
	CHECK_EQ(mem[0x1020], 0xaa);
}

/* The low-memory structures lie below the EBDA and do not overlap. */
static void test_layout(void)
{
	static const struct {
		uint64_t start, end;
	} area[] = {
		{ LINUX_GDT, LINUX_GDT + LINUX_GDT_SIZE },
		{ LINUX_ZERO_PAGE, LINUX_ZERO_PAGE + 0x1000 },
		{ LINUX_PML4, LINUX_PML4 + 0x1000 },
		{ LINUX_PDPT, LINUX_PDPT + 0x1000 },
		{ LINUX_PD, LINUX_PD + 0x4000 },
		{ LINUX_CMDLINE, LINUX_CMDLINE + LINUX_CMDLINE_MAX + 1 },
	};
	size_t n = sizeof(area) / sizeof(area[0]);

	for (size_t i = 0; i < n; i++) {
		CHECK(area[i].end <= 0x9fc00);
		for (size_t j = i + 1; j < n; j++)
			CHECK(area[i].end <= area[j].start ||
			      area[j].end <= area[i].start);
	}
}

static void test_cmdline(void)
{
	char *cmd = malloc(70000);

	REQUIRE(cmd);
	build();
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_STR((char *)mem + 0x20000, "console=ttyS0");
	CHECK_EQ(mem[0x20000 + sizeof("console=ttyS0")], 0xaa);

	fill_mem();
	CHECK_EQ(load_full(img_size, NULL, NULL, MEM_SIZE), 0);
	CHECK_EQ(mem[0x20000], 0);
	CHECK_EQ(ZP(CMD_LINE_PTR, 4), 0x20000);

	/* cmdline_size excludes the NUL. */
	memset(cmd, 'c', 2047);
	cmd[2047] = '\0';
	CHECK_EQ(load_full(img_size, NULL, cmd, MEM_SIZE), 0);
	CHECK_STR((char *)mem + 0x20000, cmd);

	memset(cmd, 'c', 3000);
	cmd[3000] = '\0';
	fill_mem();
	CHECK_EQ(load_full(img_size, NULL, cmd, MEM_SIZE), -1);
	CHECK_STR(err, "cmdline: 3000 bytes, the kernel accepts at most 2047");
	CHECK(mem_untouched());

	/* tandem's own area ends where the kernel's limit would not. */
	put32(CMDLINE_SIZE, 0xffffffff);
	memset(cmd, 'c', 65535);
	cmd[65535] = '\0';
	CHECK_EQ(load_full(img_size, NULL, cmd, MEM_SIZE), 0);
	CHECK_EQ(strlen((char *)mem + 0x20000), 65535);
	cmd[65535] = 'c';
	cmd[65536] = '\0';
	fill_mem();
	CHECK_EQ(load_full(img_size, NULL, cmd, MEM_SIZE), -1);
	CHECK_STR(err, "cmdline: 65536 bytes, tandem accepts at most 65535");
	CHECK(mem_untouched());
	free(cmd);
}

static uint8_t *make_initrd(size_t size)
{
	uint8_t *d = malloc(size);

	for (size_t i = 0; d && i < size; i++)
		d[i] = (uint8_t)(i * 7 + 1);
	return d;
}

static void test_initrd(void)
{
	const size_t size = 0x12345;
	uint8_t *data = make_initrd(size);
	struct linux_image rd = { data, size, RD_NAME };
	uint64_t want = (MEM_SIZE - size) & ~0xfffull;

	REQUIRE(data);
	build();
	fill_mem();
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), 0);
	CHECK_STR(err, "");
	CHECK_EQ(res.initrd_addr, want);
	CHECK_EQ(res.initrd_size, size);
	CHECK_EQ(ZP(RAMDISK_IMAGE, 4), want);
	CHECK_EQ(ZP(RAMDISK_SIZE, 4), size);
	CHECK(!memcmp(mem + want, data, size));
	CHECK_EQ(mem[want - 1], 0xaa);
	CHECK_EQ(mem[want + size], 0xaa);

	/* Below initrd_addr_max, which names the last byte it may use. */
	put32(INITRD_ADDR_MAX, 0x2000000 - 1);
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), 0);
	CHECK_EQ(res.initrd_addr, (0x2000000 - size) & ~0xfffull);

	/* A page-sized initrd ends exactly at the limit. */
	rd.size = 0x1000;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), 0);
	CHECK_EQ(res.initrd_addr, 0x2000000 - 0x1000);

	/* Exactly filling [kernel_end, limit). */
	rd.size = 0x2000000 - (PREF + INIT);
	rd.data = malloc(rd.size);
	REQUIRE(rd.data);
	memset((uint8_t *)rd.data, 0x11, rd.size);
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), 0);
	CHECK_EQ(res.initrd_addr, PREF + INIT);
	free((uint8_t *)rd.data);
	free(data);
}

static void test_initrd_errors(void)
{
	static uint8_t small[16];
	struct linux_image rd = { small, 60 * MIB, RD_NAME };

	build();
	fill_mem();
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, RD_NAME ": 60 MiB does not fit in guest memory (64 MiB) "
		  "between the kernel's end 0x1800000 and 0x4000000");
	CHECK(mem_untouched());

	/* One page too many. */
	rd.size = MEM_SIZE - (PREF + INIT) + 1;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, RD_NAME ": 0x2800001 bytes does not fit in guest memory "
		  "(64 MiB) between the kernel's end 0x1800000 and 0x4000000");

	/* initrd_addr_max below the kernel's end. */
	put32(INITRD_ADDR_MAX, 0x00ffffff);
	rd.size = 16;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, RD_NAME ": 0x10 bytes does not fit in guest memory "
		  "(64 MiB) between the kernel's end 0x1800000 and 0x1000000");

	build();
	rd.size = 4 * GIB;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, RD_NAME ": 4 GiB: an initrd must be smaller than 4 GiB");
	rd.size = 0;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, RD_NAME ": empty file");
	rd.name = NULL;
	CHECK_EQ(load_full(img_size, &rd, "", MEM_SIZE), -1);
	CHECK_STR(err, "initrd: empty file");
	CHECK(mem_untouched());
}

/* Guest memory past 4 GiB: e820 says so, the initrd stays below 4 GiB.
 * The buffer is reserved, not touched, beyond the pages written. */
static void test_memory_above_4g(void)
{
	const uint64_t size = 6 * GIB;
	uint8_t *big = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0);
	static uint8_t data[0x3000];
	struct linux_image rd = { data, sizeof(data), RD_NAME };
	struct linux_image k = { img, 0, NAME };
	uint8_t *saved = mem;

	REQUIRE(big != MAP_FAILED);
	build();
	put32(INITRD_ADDR_MAX, 0xffffffff);
	k.size = img_size;
	CHECK_EQ(linux_load(&k, &rd, "", big, size, 0, &res, err,
			    sizeof(err)), 0);
	CHECK_EQ(res.initrd_addr, 4 * GIB - sizeof(data));
	mem = big;
	check_e820(size);
	mem = saved;

	/* A kernel that would run past the identity map. */
	put64(PREF_ADDRESS, 4 * GIB - 4 * MIB);
	CHECK_EQ(linux_load(&k, NULL, "", big, size, 0, &res, err,
			    sizeof(err)), -1);
	CHECK_STR(err, NAME ": does not fit below 4 GiB (the boot page "
		  "tables' identity map): init_size 0x800000 at 0xffc00000 "
		  "needs memory up to 0x100400000");
	munmap(big, size);
}

static void test_placement(void)
{
	build();
	fill_mem();
	/* A relocatable kernel goes to pref_address rounded up to
	 * kernel_alignment: where startup_64 would move it anyway. */
	put64(PREF_ADDRESS, PREF + 0x100000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.kernel_addr, PREF + ALIGN);
	CHECK_EQ(res.entry, PREF + ALIGN + 0x200);
	CHECK_EQ(res.kernel_end, PREF + ALIGN + INIT);
	CHECK(!memcmp(mem + PREF + ALIGN, img + SETUP_SIZE, PM_SIZE));

	/* ... and to 16 MiB if pref_address is in low memory. */
	put64(PREF_ADDRESS, 0x8000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.kernel_addr, PREF);

	/* A smaller alignment is honoured. */
	put64(PREF_ADDRESS, 0x2345678);
	put32(KERNEL_ALIGN, 0x1000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.kernel_addr, 0x2346000);

	/* Not relocatable: exactly pref_address, aligned or not. */
	img[RELOCATABLE] = 0;
	put32(KERNEL_ALIGN, 3);		/* then irrelevant */
	CHECK_LOAD_OK();
	CHECK_EQ(res.kernel_addr, 0x2345678);
	CHECK_EQ(res.kernel_end, 0x2345678 + INIT);
	put64(PREF_ADDRESS, 0x100000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.kernel_addr, 0x100000);
	put64(PREF_ADDRESS, 0xff000);
	CHECK_LOAD_ERR(NAME ": pref_address 0xff000 is below 1 MiB and the "
		       "kernel is not relocatable");

	/* The whole of init_size must fit, to the last byte. */
	build();
	CHECK_EQ(load_full(img_size, NULL, "", PREF + INIT), 0);
	fill_mem();
	CHECK_EQ(load_full(img_size, NULL, "", PREF + INIT - 1), -1);
	CHECK_STR(err, NAME ": does not fit in guest memory (0x17fffff bytes): "
		  "init_size 0x800000 at 0x1000000 needs memory up to "
		  "0x1800000");
	CHECK(mem_untouched());
}

static void test_init_size(void)
{
	build();
	put32(INIT_SIZE, 0x3378000);
	CHECK_LOAD_ERR(NAME ": does not fit in guest memory (64 MiB): init_size "
		       "0x3378000 at 0x1000000 needs memory up to 0x4378000");
	put32(INIT_SIZE, 0xffffffff);
	CHECK_LOAD_ERR(NAME ": does not fit in guest memory (64 MiB): init_size "
		       "0xffffffff at 0x1000000 needs memory up to "
		       "0x100ffffff");
	put32(INIT_SIZE, PM_SIZE - 1);
	CHECK_LOAD_ERR(NAME ": init_size 0x3ff is smaller than the "
		       "protected-mode kernel (0x400 bytes)");
	put32(INIT_SIZE, 0);
	CHECK_LOAD_ERR(NAME ": init_size 0x0 is smaller than the "
		       "protected-mode kernel (0x400 bytes)");
	/* A huge pref_address of a kernel that cannot move. */
	build();
	img[RELOCATABLE] = 0;
	put64(PREF_ADDRESS, 0xfffffffffffff000ull);
	CHECK_LOAD_ERR(NAME ": does not fit in guest memory (64 MiB): init_size "
		       "0x800000 at 0xfffffffffffff000 needs memory up to "
		       "0xffffffffffffffff");
	build();
	put64(PREF_ADDRESS, 0xfffffffffffff000ull);
	CHECK_LOAD_ERR(NAME ": does not fit in guest memory (64 MiB): init_size "
		       "0x800000 at 0xfffffffffffff000 needs memory up to "
		       "0xffffffffffffffff");
}

static void test_alignment(void)
{
	static const uint32_t bad[] = { 0, 3, 0x200001, 0xffffffff };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];

		build();
		put32(KERNEL_ALIGN, bad[i]);
		snprintf(msg, sizeof(msg),
			 NAME ": kernel_alignment 0x%x is not a power of two",
			 bad[i]);
		CHECK_LOAD_ERR(msg);
	}
	build();
	put32(KERNEL_ALIGN, 0x80000000u);
	CHECK_LOAD_ERR(NAME ": does not fit in guest memory (64 MiB): init_size "
		       "0x800000 at 0x80000000 needs memory up to 0x80800000");
}

static void test_setup_sects_zero(void)
{
	build_sects(0);
	fill_mem();
	CHECK_LOAD_OK();
	/* 4 setup sectors: the kernel starts at file offset 0xa00. */
	CHECK(!memcmp(mem + PREF, img + 0xa00, PM_SIZE));
	CHECK_EQ(ZP(SETUP_SECTS, 1), 0);

	build_sects(0);
	img_size = 0xa00 + PM_SIZE - 1;
	CHECK_LOAD_ERR(NAME ": truncated: protected-mode kernel (syssize 0x40 "
		       "paragraphs) ends at 0xe00 past end of file (0xdff "
		       "bytes)");
	img_size = 0x9ff;
	CHECK_LOAD_ERR(NAME ": truncated: setup code (setup_sects 4) ends at "
		       "0xa00 past end of file (0x9ff bytes)");
}

static void test_bad_magic(void)
{
	build();
	put16(BOOT_FLAG, 0x55aa);
	CHECK_LOAD_ERR(NAME ": not a Linux kernel: boot sector signature at "
		       "0x1fe is 0x55aa, not 0xaa55");
	put16(BOOT_FLAG, 0);
	CHECK_LOAD_ERR(NAME ": not a Linux kernel: boot sector signature at "
		       "0x1fe is 0x0000, not 0xaa55");
	build();
	memcpy(img + HEADER, "HdrZ", 4);
	CHECK_LOAD_ERR(NAME ": no setup header (\"HdrS\" at 0x202): not a "
		       "bzImage, or boot protocol older than 2.00");
	build();
	memcpy(img, "\x7f" "ELF", 4);
	CHECK_EQ(load(), 0);	/* the first bytes do not matter */

	CHECK_EQ(load_full(0, NULL, "", MEM_SIZE), -1);
	CHECK_STR(err, NAME ": truncated: boot sector ends at 0x200 past end of "
		  "file (0x0 bytes)");
}

static void test_old_protocol(void)
{
	build();
	put16(VERSION, 0x0203);
	CHECK_LOAD_ERR(NAME ": boot protocol 2.03 is too old (tandem needs 2.12 "
		       "or later)");
	put16(VERSION, 0x020b);
	CHECK_LOAD_ERR(NAME ": boot protocol 2.11 is too old (tandem needs 2.12 "
		       "or later)");
	put16(VERSION, 0x0100);
	CHECK_LOAD_ERR(NAME ": boot protocol 1.00 is too old (tandem needs 2.12 "
		       "or later)");
	put16(VERSION, 0x020c);
	CHECK_LOAD_OK();
	put16(VERSION, 0x0300);
	CHECK_LOAD_OK();
}

static void test_no_64bit(void)
{
	build();
	put16(XLOADFLAGS, 0x7e);
	CHECK_LOAD_ERR(NAME ": kernel has no 64-bit entry point (xloadflags "
		       "bit 0)");
	put16(XLOADFLAGS, 0);
	CHECK_LOAD_ERR(NAME ": kernel has no 64-bit entry point (xloadflags "
		       "bit 0)");
	build();
	img[LOADFLAGS] = 0x80;
	CHECK_LOAD_ERR(NAME ": loadflags bit 0 (LOADED_HIGH) is clear: a zImage "
		       "kernel is not supported");
}

static void test_header_end(void)
{
	build();
	img[JUMP + 1] = 0x65;		/* ends at 0x267: no handover_offset */
	CHECK_LOAD_ERR(NAME ": setup header end 0x267 (0x202 + byte 0x65 at "
		       "0x201) is outside [0x268, 0x290]");
	img[JUMP + 1] = 0x8f;
	CHECK_LOAD_ERR(NAME ": setup header end 0x291 (0x202 + byte 0x8f at "
		       "0x201) is outside [0x268, 0x290]");
	/* Both limits are fine; the copy follows the header's end. */
	img[JUMP + 1] = 0x66;
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_EQ(ZP(0x267, 1), img[0x267]);
	CHECK_EQ(ZP(0x268, 1), 0);
	img[JUMP + 1] = 0x8e;
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_EQ(ZP(0x28f, 1), img[0x28f]);
	CHECK_EQ(ZP(0x290, 1), 0);
}

static void test_payload(void)
{
	build();
	put32(PAYLOAD_LENGTH, 0);
	CHECK_LOAD_ERR(NAME ": compressed payload [0x280, 0x280) "
		       "(payload_offset, payload_length) is not inside the "
		       "protected-mode kernel (0x400 bytes)");
	put32(PAYLOAD_LENGTH, PAY_LEN + 1);
	CHECK_LOAD_ERR(NAME ": compressed payload [0x280, 0x401) "
		       "(payload_offset, payload_length) is not inside the "
		       "protected-mode kernel (0x400 bytes)");
	put32(PAYLOAD_OFFSET, 0xffffffff);
	put32(PAYLOAD_LENGTH, 0xffffffff);
	CHECK_LOAD_ERR(NAME ": compressed payload [0xffffffff, 0x1fffffffe) "
		       "(payload_offset, payload_length) is not inside the "
		       "protected-mode kernel (0x400 bytes)");
	build();
	put32(SYSSIZE, 0x20);
	CHECK_LOAD_ERR(NAME ": protected-mode kernel (syssize 0x20 paragraphs) "
		       "ends before its 64-bit entry point at 0x200");
	put32(SYSSIZE, 0);
	CHECK_LOAD_ERR(NAME ": protected-mode kernel (syssize 0x0 paragraphs) "
		       "ends before its 64-bit entry point at 0x200");
	put32(SYSSIZE, 0xffffffff);
	CHECK_LOAD_ERR(NAME ": truncated: protected-mode kernel (syssize "
		       "0xffffffff paragraphs) ends at 0x10000005f0 past end "
		       "of file (0xa00 bytes)");
	/* Bytes past syssize (a signature appended) are not loaded. */
	build();
	img_size += 0x40;
	fill_mem();
	CHECK_LOAD_OK();
	CHECK_EQ(mem[PREF + PM_SIZE], 0xaa);
}

/* Every proper prefix of the image is refused as truncated, without a
 * read past it (AddressSanitizer) and without a write to guest memory. */
static void test_truncated_everywhere(void)
{
	static const uint64_t probe[] = { 0x1000, 0x7000, 0x71f1, 0x9000,
					  0xb000, 0x20000, PREF };

	build();
	fill_mem();
	for (size_t n = 0; n < img_size; n++) {
		bool untouched = true;

		CHECK_EQ(load_full(n, NULL, "x", MEM_SIZE), -1);
		if (!strstr(err, NAME ": truncated: ")) {
			CHECK_STR(err, "(a truncation message)");
			break;
		}
		for (size_t i = 0; i < sizeof(probe) / sizeof(probe[0]); i++)
			untouched &= mem[probe[i]] == 0xaa;
		if (!untouched) {
			CHECK(untouched);
			break;
		}
	}
	CHECK(mem_untouched());
	CHECK_EQ(load_full(img_size, NULL, "x", MEM_SIZE), 0);
}

static void test_small_err_buffer(void)
{
	struct linux_image k = { img, 0, "a-rather-long-kernel-file-name" };
	char small[8];

	build();
	k.size = 16;
	memset(small, 0x55, sizeof(small));
	CHECK_EQ(linux_load(&k, NULL, "", mem ? mem : (mem = malloc(MEM_SIZE)),
			    MEM_SIZE, 0, &res, small, sizeof(small)), -1);
	CHECK_EQ(small[7], '\0');
	CHECK(!memcmp(small, "a-rathe", 7));
	CHECK_EQ(linux_load(&k, NULL, "", mem, MEM_SIZE, 0, &res, NULL, 0),
		 -1);
	k.name = NULL;
	CHECK_EQ(linux_load(&k, NULL, "", mem, MEM_SIZE, 0, &res, err,
			    sizeof(err)), -1);
	CHECK_STR(err, "kernel: truncated: boot sector ends at 0x200 past end "
		  "of file (0x10 bytes)");
}

/* A real distribution kernel, where this machine has one. */
#define REAL_KERNEL	"/tmp/lk/x/boot/vmlinuz-6.1.0-56-cloud-amd64"

static uint32_t file32(const uint8_t *d, size_t off)
{
	return d[off] | d[off + 1] << 8 | d[off + 2] << 16 |
	       (uint32_t)d[off + 3] << 24;
}

static void test_real_kernel(void)
{
	const uint64_t size = 256 * MIB;
	uint8_t *guest = malloc(size);
	uint8_t *data = make_initrd(3 * MIB + 5);
	struct linux_image rd = { data, 3 * MIB + 5, "initrd.img-6.1.0" };
	struct linux_image k = { NULL, 0, "vmlinuz-6.1.0-56-cloud-amd64" };
	FILE *f = fopen(REAL_KERNEL, "rb");
	uint8_t *file;
	long len;
	size_t setup, pm;
	uint32_t init;

	REQUIRE(guest && data && f);
	REQUIRE(fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0x1000);
	rewind(f);
	file = malloc((size_t)len);
	REQUIRE(file && fread(file, 1, (size_t)len, f) == (size_t)len);
	fclose(f);
	k.data = file;
	k.size = (size_t)len;
	setup = ((file[SETUP_SECTS] ? file[SETUP_SECTS] : 4) + 1) * 512u;
	pm = file32(file, SYSSIZE) * 16u;
	init = file32(file, INIT_SIZE);

	memset(guest, 0xaa, size);
	CHECK_EQ(linux_load(&k, &rd, "console=ttyS0 panic=-1", guest, size,
			    RSDP, &res, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(res.kernel_addr, 16 * MIB);
	CHECK_EQ(res.entry, 16 * MIB + 0x200);
	CHECK_EQ(res.kernel_end, 16 * MIB + init);
	CHECK(!memcmp(guest + 16 * MIB, file + setup, pm));
	CHECK_EQ(res.initrd_addr, (size - rd.size) & ~0xfffull);
	CHECK(res.initrd_addr >= res.kernel_end);
	CHECK(!memcmp(guest + res.initrd_addr, data, rd.size));
	mem = guest;
	CHECK(ZP(VERSION, 2) >= 0x020c);
	CHECK_EQ(ZP(TYPE_OF_LOADER, 1), 0xff);
	CHECK_EQ(ZP(RAMDISK_IMAGE, 4), res.initrd_addr);
	CHECK_EQ(ZP(RAMDISK_SIZE, 4), rd.size);
	CHECK_EQ(ZP(BP_ACPI_RSDP, 8), RSDP);
	CHECK_EQ(ZP(BP_SENTINEL, 1), 0);
	CHECK(!memcmp(guest + LINUX_ZERO_PAGE + INIT_SIZE, file + INIT_SIZE,
		      4));
	CHECK_STR((char *)guest + 0x20000, "console=ttyS0 panic=-1");
	check_e820(size);
	mem = NULL;
	free(file);
	free(data);
	free(guest);
}

static const struct tcase cases[] = {
	TCASE(valid_load),
	TCASE(untouched_memory),
	TCASE(zero_page),
	TCASE(e820),
	TCASE(page_tables),
	TCASE(gdt),
	TCASE(layout),
	TCASE(cmdline),
	TCASE(initrd),
	TCASE(initrd_errors),
	TCASE(memory_above_4g),
	TCASE(placement),
	TCASE(init_size),
	TCASE(alignment),
	TCASE(setup_sects_zero),
	TCASE(bad_magic),
	TCASE(old_protocol),
	TCASE(no_64bit),
	TCASE(header_end),
	TCASE(payload),
	TCASE(truncated_everywhere),
	TCASE(small_err_buffer),
	TCASE(real_kernel),	/* last: dropped below when absent */
};

int main(int argc, char **argv)
{
	size_t n = sizeof(cases) / sizeof(cases[0]);

	/* No kernel on this machine, no case: nothing to report as passed. */
	if (access(REAL_KERNEL, R_OK))
		n--;
	return run_cases("linux", cases, n, argc, argv);
}
