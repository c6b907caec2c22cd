/* Unit tests for core/multiboot.c: a minimal multiboot ELF32 kernel built
 * byte by byte (offsets written out here independently of the loader's
 * structs), loaded, then mutated in every way the loader must refuse. */
#include "tests/unit/check.h"
#include "core/multiboot.h"

#include <stdint.h>

#define MIB		0x100000ull
#define MEM_SIZE	(64 * MIB)
#define NAME		"hello.elf"

/* ELF32 header field offsets. */
#define EH_CLASS	4
#define EH_DATA		5
#define EH_IVERSION	6
#define EH_TYPE		16
#define EH_MACHINE	18
#define EH_VERSION	20
#define EH_ENTRY	24
#define EH_PHOFF	28
#define EH_EHSIZE	40
#define EH_PHENTSIZE	42
#define EH_PHNUM	44
#define EH_SHENTSIZE	46

/* ELF32 program header field offsets. */
#define PH_TYPE		0
#define PH_OFFSET	4
#define PH_VADDR	8
#define PH_PADDR	12
#define PH_FILESZ	16
#define PH_MEMSZ	20
#define PH_FLAGS	24
#define PH_ALIGN	28

#define PT_LOAD		1
#define PT_NOTE		4

/* The valid image: ELF header, room for 4 program headers at 0x40,
 * segment 0 (text, multiboot header first) at file 0x100 loaded at
 * 1 MiB, segment 1 (0x40 bytes of data, then BSS to 4 KiB) at file 0x180
 * loaded at 0x101000. Its last byte is segment data, so that any
 * truncation must be refused. */
#define PHOFF		0x40u
#define SEG0_OFF	0x100u
#define SEG0_ADDR	0x100000u
#define SEG0_SIZE	0x80u
#define SEG1_ADDR	0x101000u
#define SEG1_FILESZ	0x40u
#define SEG1_MEMSZ	0x1000u
#define ENTRY		(SEG0_ADDR + 12)
#define VALID_SIZE	(SEG0_OFF + SEG0_SIZE + SEG1_FILESZ)
#define MB_MAGIC	0x1BADB002u

static uint8_t img[0x8000];
static size_t img_size;
static uint32_t hdr_off;	/* of the multiboot header */

static uint8_t *mem;
static struct mb_loaded res;
static char err[256];

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

static uint32_t phoff(void)
{
	return img[EH_PHOFF] | img[EH_PHOFF + 1] << 8 |
	       img[EH_PHOFF + 2] << 16 | (uint32_t)img[EH_PHOFF + 3] << 24;
}

static void set_ph(unsigned i, unsigned field, uint32_t v)
{
	put32(phoff() + i * 32 + field, v);
}

static void set_phdr(unsigned i, uint32_t type, uint32_t off, uint32_t vaddr,
		     uint32_t paddr, uint32_t filesz, uint32_t memsz)
{
	set_ph(i, PH_TYPE, type);
	set_ph(i, PH_OFFSET, off);
	set_ph(i, PH_VADDR, vaddr);
	set_ph(i, PH_PADDR, paddr);
	set_ph(i, PH_FILESZ, filesz);
	set_ph(i, PH_MEMSZ, memsz);
	set_ph(i, PH_FLAGS, 5);
	set_ph(i, PH_ALIGN, 0x1000);
}

static void set_mb_flags(uint32_t flags)
{
	put32(hdr_off + 4, flags);
	put32(hdr_off + 8, -(MB_MAGIC + flags));
}

static uint8_t pattern(size_t off)
{
	return (uint8_t)(off * 7 + 0x3d);
}

/* The valid image with segment 0's file data (and the multiboot header)
 * at seg0_off; segment 1's data follows it. */
static void build_at(uint32_t seg0_off)
{
	uint32_t seg1_off = seg0_off + SEG0_SIZE;

	memset(img, 0, sizeof(img));
	img_size = seg1_off + SEG1_FILESZ;
	for (size_t i = PHOFF + 4 * 32; i < img_size; i++)
		img[i] = pattern(i);
	memcpy(img, "\x7f" "ELF", 4);
	img[EH_CLASS] = 1;
	img[EH_DATA] = 1;
	img[EH_IVERSION] = 1;
	put16(EH_TYPE, 2);
	put16(EH_MACHINE, 3);
	put32(EH_VERSION, 1);
	put32(EH_ENTRY, ENTRY);
	put32(EH_PHOFF, PHOFF);
	put16(EH_EHSIZE, 52);
	put16(EH_PHENTSIZE, 32);
	put16(EH_PHNUM, 2);
	put16(EH_SHENTSIZE, 40);
	set_phdr(0, PT_LOAD, seg0_off, SEG0_ADDR, SEG0_ADDR, SEG0_SIZE,
		 SEG0_SIZE);
	set_phdr(1, PT_LOAD, seg1_off, SEG1_ADDR, SEG1_ADDR, SEG1_FILESZ,
		 SEG1_MEMSZ);
	hdr_off = seg0_off;
	put32(hdr_off, MB_MAGIC);
	set_mb_flags(0x3);
}

static void build(void)
{
	build_at(SEG0_OFF);
}

static void fill_mem(uint64_t size)
{
	if (!mem)
		mem = malloc(MEM_SIZE);
	memset(mem, 0xaa, size);
}

/* Load n bytes of img from an exactly-sized heap copy, so that
 * AddressSanitizer catches any read past the image. */
static int load_n(size_t n, uint64_t mem_size, const char *cmdline)
{
	uint8_t *copy = malloc(n ? n : 1);
	int r;

	if (!mem)
		fill_mem(MEM_SIZE);
	memcpy(copy, img, n);
	memset(&res, 0, sizeof(res));
	memset(err, 0, sizeof(err));
	r = mb_load(copy, n, NAME, mem, mem_size, cmdline, &res, err,
		    sizeof(err));
	free(copy);
	return r;
}

static int load(void)
{
	return load_n(img_size, MEM_SIZE, "console=ttyS0");
}

#define CHECK_LOAD_ERR(msg)						\
	do {								\
		CHECK_EQ(load(), -1);					\
		CHECK_STR(err, msg);					\
	} while (0)

#define CHECK_LOAD_OK()							\
	do {								\
		CHECK_EQ(load(), 0);					\
		CHECK_STR(err, "");					\
	} while (0)

static uint32_t rd32(uint64_t addr)
{
	uint32_t v;

	memcpy(&v, mem + addr, 4);
	return v;
}

static void test_valid_load(void)
{
	build();
	fill_mem(MEM_SIZE);
	CHECK_LOAD_OK();
	CHECK_EQ(res.entry, ENTRY);
	CHECK_EQ(res.info, MB_INFO_BASE);
	CHECK_EQ(res.image_end, SEG1_ADDR + SEG1_MEMSZ);

	/* Segments copied from the file, BSS zeroed, nothing else touched. */
	CHECK(!memcmp(mem + SEG0_ADDR, img + SEG0_OFF, SEG0_SIZE));
	CHECK(!memcmp(mem + SEG1_ADDR, img + SEG0_OFF + SEG0_SIZE,
		      SEG1_FILESZ));
	for (uint32_t a = SEG1_ADDR + SEG1_FILESZ; a < SEG1_ADDR + SEG1_MEMSZ;
	     a++)
		if (mem[a]) {
			CHECK_EQ(mem[a], 0);
			break;
		}
	CHECK_EQ(mem[SEG0_ADDR - 1], 0xaa);
	CHECK_EQ(mem[SEG0_ADDR + SEG0_SIZE], 0xaa);
	CHECK_EQ(mem[SEG1_ADDR - 1], 0xaa);
	CHECK_EQ(mem[SEG1_ADDR + SEG1_MEMSZ], 0xaa);
	CHECK_EQ(mem[MB_INFO_BASE - 1], 0xaa);
	CHECK_EQ(mem[MB_INFO_END], 0xaa);
	CHECK_EQ(mem[0], 0xaa);
}

static void test_info(void)
{
	struct mb_info info;

	build();
	fill_mem(MEM_SIZE);
	CHECK_LOAD_OK();
	memcpy(&info, mem + res.info, sizeof(info));
	CHECK_EQ(info.flags, (1u << 0) | (1u << 2) | (1u << 6) | (1u << 9));
	CHECK_EQ(info.mem_lower, 639);
	CHECK_EQ(info.mem_upper, (MEM_SIZE - MIB) / 1024);
	CHECK_EQ(info.boot_device, 0);
	CHECK_EQ(info.mods_count, 0);
	CHECK_EQ(info.mods_addr, 0);
	CHECK_EQ(info.drives_length, 0);
	CHECK_EQ(info.config_table, 0);
	CHECK_EQ(info.apm_table, 0);
	/* The VBE and framebuffer fields after the struct stay zero. */
	for (uint32_t off = sizeof(info); off < 116; off++)
		CHECK_EQ(mem[res.info + off], 0);

	REQUIRE(info.cmdline > res.info && info.cmdline < MB_INFO_END);
	CHECK_STR((char *)mem + info.cmdline, "console=ttyS0");
	REQUIRE(info.boot_loader_name > res.info &&
		info.boot_loader_name < MB_INFO_END);
	CHECK_STR((char *)mem + info.boot_loader_name, "tandem");
}

static void test_mmap(void)
{
	static const struct {
		uint64_t addr, len;
		uint32_t type;
	} want[] = {
		{ 0, 0x9fc00, 1 },
		{ 0x9fc00, 0x400, 2 },
		{ 0xf0000, 0x10000, 2 },
		{ 0x100000, MEM_SIZE - 0x100000, 1 },
	};
	struct mb_info info;
	uint32_t a;

	build();
	fill_mem(MEM_SIZE);
	CHECK_LOAD_OK();
	memcpy(&info, mem + res.info, sizeof(info));
	CHECK_EQ(info.mmap_length, 4 * 24);
	/* Within the info area, clear of the info and the strings. */
	CHECK(info.mmap_addr >= res.info + sizeof(info));
	CHECK(info.mmap_addr + info.mmap_length <= MB_INFO_END);
	CHECK(info.cmdline >= info.mmap_addr + info.mmap_length ||
	      info.cmdline + sizeof("console=ttyS0") <= info.mmap_addr);
	CHECK(info.boot_loader_name >= info.mmap_addr + info.mmap_length ||
	      info.boot_loader_name + sizeof("tandem") <= info.mmap_addr);

	/* Walk it as a guest does: the next entry is at addr + size + 4. */
	a = info.mmap_addr;
	for (size_t i = 0; i < 4; i++) {
		uint64_t base = rd32(a + 4) | (uint64_t)rd32(a + 8) << 32;
		uint64_t len = rd32(a + 12) | (uint64_t)rd32(a + 16) << 32;

		CHECK_EQ(rd32(a), 20);
		CHECK_EQ(base, want[i].addr);
		CHECK_EQ(len, want[i].len);
		CHECK_EQ(rd32(a + 20), want[i].type);
		a += rd32(a) + 4;
	}
	CHECK_EQ(a, info.mmap_addr + info.mmap_length);
}

static void test_small_memory(void)
{
	struct mb_info info;

	build();
	fill_mem(MEM_SIZE);
	CHECK_EQ(load_n(img_size, 2 * MIB, NULL), 0);
	memcpy(&info, mem + res.info, sizeof(info));
	CHECK_EQ(info.mem_upper, 1024);
	CHECK_EQ(rd32(info.mmap_addr + 3 * 24 + 12), MIB);
	/* A NULL command line is an empty one. */
	CHECK(info.flags & (1u << 2));
	CHECK_STR((char *)mem + info.cmdline, "");

	CHECK_EQ(load_n(img_size, MIB, ""), -1);
	CHECK_STR(err, NAME ": guest memory (1 MiB) is too small: a multiboot "
		  "guest needs at least 2 MiB");
	CHECK_EQ(load_n(img_size, 0x1ffc00, ""), -1);
	CHECK_STR(err, NAME ": guest memory (0x1ffc00 bytes) is too small: a "
		  "multiboot guest needs at least 2 MiB");
}

static void test_cmdline_limit(void)
{
	const size_t limit = 32527;	/* up to MB_INFO_END, with the NUL */
	char *cmd = malloc(limit + 2);
	struct mb_info info;

	REQUIRE(cmd);
	build();
	memset(cmd, 'c', limit);
	cmd[limit] = '\0';
	CHECK_EQ(load_n(img_size, MEM_SIZE, cmd), 0);
	memcpy(&info, mem + res.info, sizeof(info));
	CHECK_EQ(info.cmdline + limit + 1, MB_INFO_END);
	CHECK_STR((char *)mem + info.cmdline, cmd);

	cmd[limit] = 'c';
	cmd[limit + 1] = '\0';
	CHECK_EQ(load_n(img_size, MEM_SIZE, cmd), -1);
	CHECK_STR(err, NAME ": command line is 32528 bytes, the limit is 32527");
	free(cmd);
}

static void test_not_elf(void)
{
	build();
	img[0] = 0;
	CHECK_LOAD_ERR(NAME ": not an ELF file (bad magic)");
	memcpy(img, "#!/bin/sh\necho hi\n", 19);
	CHECK_LOAD_ERR(NAME ": not an ELF file (bad magic)");
	CHECK_EQ(load_n(0, MEM_SIZE, ""), -1);
	CHECK_STR(err, NAME ": not an ELF file (bad magic)");
	build();
	CHECK_EQ(load_n(40, MEM_SIZE, ""), -1);
	CHECK_STR(err, NAME ": truncated: ELF header ends at 0x34 past end of "
		  "file (0x28 bytes)");
}

static void test_elf_ident(void)
{
	build();
	img[EH_CLASS] = 2;
	CHECK_LOAD_ERR(NAME ": ELF64 images are not supported: a multiboot "
		       "guest must be ELF32");
	img[EH_CLASS] = 3;
	CHECK_LOAD_ERR(NAME ": bad ELF class 3 (expected ELFCLASS32)");
	img[EH_CLASS] = 0;
	CHECK_LOAD_ERR(NAME ": bad ELF class 0 (expected ELFCLASS32)");
	build();
	img[EH_DATA] = 2;
	CHECK_LOAD_ERR(NAME ": big-endian ELF images are not supported: a "
		       "multiboot guest must be little-endian x86");
	img[EH_DATA] = 0;
	CHECK_LOAD_ERR(NAME ": bad ELF data encoding 0 (expected ELFDATA2LSB)");
	build();
	img[EH_IVERSION] = 0;
	CHECK_LOAD_ERR(NAME ": bad ELF ident version 0 (expected EV_CURRENT)");
}

static void test_elf_header(void)
{
	build();
	put16(EH_TYPE, 3);
	CHECK_LOAD_ERR(NAME ": e_type 3 is not ET_EXEC (2): a multiboot guest "
		       "must be a static executable");
	build();
	put16(EH_MACHINE, 62);
	CHECK_LOAD_ERR(NAME ": e_machine 62 is not EM_386 (3): a multiboot "
		       "guest must be 32-bit x86");
	build();
	put32(EH_VERSION, 0);
	CHECK_LOAD_ERR(NAME ": e_version 0 is not EV_CURRENT (1)");
	build();
	put16(EH_PHENTSIZE, 56);
	CHECK_LOAD_ERR(NAME ": e_phentsize 56 is not 32");
	put16(EH_PHENTSIZE, 0);
	CHECK_LOAD_ERR(NAME ": e_phentsize 0 is not 32");
}

static void test_program_headers_truncated(void)
{
	build();
	put16(EH_PHNUM, 3);
	put32(EH_PHOFF, VALID_SIZE - 0x50);
	CHECK_LOAD_ERR(NAME ": truncated: program header 2 ends at 0x1d0 past "
		       "end of file (0x1c0 bytes)");
	/* 32-bit offset + size must not wrap into the file. */
	build();
	put32(EH_PHOFF, 0xfffffff0);
	CHECK_LOAD_ERR(NAME ": truncated: program header 0 ends at 0x100000010 "
		       "past end of file (0x1c0 bytes)");
	build();
	put16(EH_PHNUM, 0xffff);
	CHECK_LOAD_ERR(NAME ": truncated: program header 12 ends at 0x1e0 past "
		       "end of file (0x1c0 bytes)");
}

static void test_no_load_segment(void)
{
	build();
	put16(EH_PHNUM, 0);
	CHECK_LOAD_ERR(NAME ": no PT_LOAD segment to load");
	build();
	set_ph(0, PH_TYPE, PT_NOTE);
	set_ph(1, PH_TYPE, 6);
	CHECK_LOAD_ERR(NAME ": no PT_LOAD segment to load");
	/* Zero-size PT_LOADs load nothing. */
	build();
	set_ph(0, PH_MEMSZ, 0);
	set_ph(0, PH_FILESZ, 0);
	set_ph(1, PH_MEMSZ, 0);
	set_ph(1, PH_FILESZ, 0);
	CHECK_LOAD_ERR(NAME ": no PT_LOAD segment to load");
}

static void test_ignored_headers(void)
{
	/* A zero-size PT_LOAD and a PT_NOTE, both with wild fields. */
	build();
	put16(EH_PHNUM, 4);
	set_phdr(2, PT_LOAD, 0xffffffff, 0, 0xfffff000, 0, 0);
	set_phdr(3, PT_NOTE, 0xfffffff0, 0, 0, 0x100, 0x100);
	CHECK_LOAD_OK();
	CHECK_EQ(res.image_end, SEG1_ADDR + SEG1_MEMSZ);
}

static void test_bss_only_segment(void)
{
	build();
	fill_mem(MEM_SIZE);
	put16(EH_PHNUM, 3);
	/* Nothing comes from the file, so its offset does not matter. */
	set_phdr(2, PT_LOAD, 0xffffffff, 0x200000, 0x200000, 0, 0x3000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.image_end, 0x203000);
	CHECK_EQ(mem[0x200000], 0);
	CHECK_EQ(mem[0x202fff], 0);
	CHECK_EQ(mem[0x203000], 0xaa);
}

static void test_truncated_everywhere(void)
{
	build();
	REQUIRE(img_size == VALID_SIZE);
	for (size_t n = 0; n < img_size; n++) {
		if (load_n(n, MEM_SIZE, "x") != -1) {
			CHECK_EQ(n, -1);	/* reports the length loaded */
			continue;
		}
		CHECK(!strncmp(err, NAME ": ", sizeof(NAME ": ") - 1));
		CHECK(!strchr(err, '\n'));
	}
	CHECK_EQ(load_n(img_size, MEM_SIZE, "x"), 0);
	/* The last truncation cuts segment 1's data. */
	CHECK_EQ(load_n(img_size - 1, MEM_SIZE, "x"), -1);
	CHECK_STR(err, NAME ": truncated: segment 1 file range [0x180, 0x1c0) "
		  "ends past end of file (0x1bf bytes)");
}

static void test_mb_header_missing(void)
{
	build();
	put32(hdr_off, 0);
	CHECK_LOAD_ERR(NAME ": no multiboot header in the first 8192 bytes");
	/* The magic must be 4-aligned. */
	build_at(SEG0_OFF + 2);
	CHECK_LOAD_ERR(NAME ": no multiboot header in the first 8192 bytes");
}

static void test_mb_header_window(void)
{
	/* Ends exactly at 8192: found. */
	build_at(8192 - 12);
	CHECK_LOAD_OK();
	/* Straddles 8192, or starts there: not within the first 8192. */
	build_at(8192 - 8);
	CHECK_LOAD_ERR(NAME ": no multiboot header in the first 8192 bytes");
	build_at(8192);
	CHECK_LOAD_ERR(NAME ": no multiboot header in the first 8192 bytes");
}

static void test_mb_checksum(void)
{
	build();
	put32(hdr_off + 8, -(MB_MAGIC + 3) + 1);
	CHECK_LOAD_ERR(NAME ": multiboot header at 0x100 has a bad checksum "
		       "(magic + flags + checksum = 0x1, not 0)");
	/* A valid header after a bad one is found (0x80 is unused room in
	 * the program header table). */
	build();
	put32(0x80, MB_MAGIC);
	put32(0x84, 0);
	put32(0x88, -MB_MAGIC + 1);
	CHECK_LOAD_OK();
}

static void test_mb_flags(void)
{
	build();
	set_mb_flags(1u << 16);
	CHECK_LOAD_ERR(NAME ": multiboot flag bit 16 (a.out kludge) is not "
		       "supported: tandem loads ELF program headers only");
	set_mb_flags(0x3 | 1u << 2);
	CHECK_LOAD_ERR(NAME ": multiboot flag bit 2 (video mode) is not "
		       "supported");
	for (unsigned bit = 3; bit < 16; bit++) {
		char want[128];

		set_mb_flags(0x3 | 1u << bit);
		snprintf(want, sizeof(want), NAME ": multiboot flag bit %u "
			 "(unknown requirement) is not supported", bit);
		CHECK_LOAD_ERR(want);
	}
	/* Bits 0 and 1 are honoured; bits 17-31 are optional. */
	set_mb_flags(0);
	CHECK_LOAD_OK();
	set_mb_flags(0x3 | 1u << 17 | 1u << 31);
	CHECK_LOAD_OK();
}

static void test_segment_outside_memory(void)
{
	build();
	set_ph(1, PH_PADDR, 0x100000);
	set_ph(1, PH_MEMSZ, 0x4f00000);
	CHECK_LOAD_ERR(NAME ": segment 1 [0x100000, 0x5000000) lies outside "
		       "guest memory (64 MiB)");
	/* Ending exactly at the top of memory is fine; a byte more is not. */
	build();
	set_ph(1, PH_PADDR, MEM_SIZE - 0x1000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.image_end, MEM_SIZE);
	set_ph(1, PH_MEMSZ, 0x1001);
	CHECK_LOAD_ERR(NAME ": segment 1 [0x3fff000, 0x4000001) lies outside "
		       "guest memory (64 MiB)");
	/* paddr + memsz must not wrap around 4 GiB. */
	build();
	set_ph(1, PH_PADDR, 0xfffff000);
	set_ph(1, PH_MEMSZ, 0x2000);
	CHECK_LOAD_ERR(NAME ": segment 1 [0xfffff000, 0x100001000) lies outside "
		       "guest memory (64 MiB)");
}

static void test_segment_overlap(void)
{
	build();
	set_ph(1, PH_PADDR, SEG0_ADDR + SEG0_SIZE - 1);
	CHECK_LOAD_ERR(NAME ": segments 0 and 1 overlap");
	build();
	set_ph(0, PH_PADDR, SEG1_ADDR + SEG1_MEMSZ - 1);
	CHECK_LOAD_ERR(NAME ": segments 0 and 1 overlap");
	/* One inside the other, both ways. */
	build();
	set_ph(1, PH_PADDR, SEG0_ADDR + 0x10);
	set_ph(1, PH_FILESZ, 0x10);
	set_ph(1, PH_MEMSZ, 0x10);
	CHECK_LOAD_ERR(NAME ": segments 0 and 1 overlap");
	build();
	set_ph(1, PH_PADDR, SEG0_ADDR);
	CHECK_LOAD_ERR(NAME ": segments 0 and 1 overlap");
	/* Adjacent is fine. */
	build();
	set_ph(1, PH_PADDR, SEG0_ADDR + SEG0_SIZE);
	CHECK_LOAD_OK();
	/* Indices are program header numbers. */
	build();
	put16(EH_PHNUM, 3);
	set_phdr(2, PT_LOAD, 0, 0x300000, SEG1_ADDR + 0x800, 0, 0x10);
	set_ph(0, PH_TYPE, PT_NOTE);
	put32(EH_ENTRY, SEG1_ADDR);
	CHECK_LOAD_ERR(NAME ": segments 1 and 2 overlap");
}

static void test_segment_low_memory(void)
{
	build();
	set_ph(0, PH_PADDR, 0x9000);
	CHECK_LOAD_ERR(NAME ": segment 0 [0x9000, 0x9080) overlaps [0, 0x10000), "
		       "where the multiboot info lives");
	set_ph(0, PH_PADDR, 0);
	CHECK_LOAD_ERR(NAME ": segment 0 [0x0, 0x80) overlaps [0, 0x10000), "
		       "where the multiboot info lives");
	set_ph(0, PH_PADDR, MB_INFO_END - 1);
	CHECK_LOAD_ERR(NAME ": segment 0 [0xffff, 0x1007f) overlaps [0, "
		       "0x10000), where the multiboot info lives");
	set_ph(0, PH_PADDR, 0x9fc00 - 1);
	CHECK_LOAD_ERR(NAME ": segment 0 [0x9fbff, 0x9fc7f) overlaps [0x9fc00, "
		       "0x100000), which is not RAM in the guest memory map");
	set_ph(0, PH_PADDR, 0xb8000);
	CHECK_LOAD_ERR(NAME ": segment 0 [0xb8000, 0xb8080) overlaps [0x9fc00, "
		       "0x100000), which is not RAM in the guest memory map");
	set_ph(0, PH_PADDR, 0x100000 - 1);
	CHECK_LOAD_ERR(NAME ": segment 0 [0xfffff, 0x10007f) overlaps [0x9fc00, "
		       "0x100000), which is not RAM in the guest memory map");
	/* Low RAM above the info area is usable; the entry follows p_vaddr. */
	set_ph(0, PH_PADDR, MB_INFO_END);
	CHECK_LOAD_OK();
	CHECK_EQ(res.entry, MB_INFO_END + 12);
}

static void test_entry(void)
{
	build();
	put32(EH_ENTRY, 0x200000);
	CHECK_LOAD_ERR(NAME ": entry point 0x200000 is not inside a loaded "
		       "segment");
	put32(EH_ENTRY, SEG0_ADDR + SEG0_SIZE);
	CHECK_LOAD_ERR(NAME ": entry point 0x100080 is not inside a loaded "
		       "segment");
	put32(EH_ENTRY, 0);
	CHECK_LOAD_ERR(NAME ": entry point 0x0 is not inside a loaded segment");
	put32(EH_ENTRY, SEG1_ADDR + SEG1_MEMSZ - 1);
	CHECK_LOAD_OK();
	CHECK_EQ(res.entry, SEG1_ADDR + SEG1_MEMSZ - 1);
}

/* A higher-half kernel: linked at 3 GiB + 1 MiB, loaded at 1 MiB. */
static void test_entry_higher_half(void)
{
	build();
	set_ph(0, PH_VADDR, 0xc0100000);
	set_ph(1, PH_VADDR, 0xc0101000);
	put32(EH_ENTRY, 0xc010000c);
	CHECK_LOAD_OK();
	CHECK_EQ(res.entry, ENTRY);
	CHECK_EQ(res.image_end, SEG1_ADDR + SEG1_MEMSZ);
}

static void test_filesz_over_memsz(void)
{
	build();
	set_ph(1, PH_FILESZ, 0x2000);
	CHECK_LOAD_ERR(NAME ": segment 1: p_filesz 0x2000 is larger than "
		       "p_memsz 0x1000");
}

static void test_huge_offsets(void)
{
	build();
	set_ph(1, PH_OFFSET, 0xfffffff0);
	set_ph(1, PH_FILESZ, 0x20);
	CHECK_LOAD_ERR(NAME ": truncated: segment 1 file range [0xfffffff0, "
		       "0x100000010) ends past end of file (0x1c0 bytes)");
	build();
	set_ph(1, PH_FILESZ, 0xffffffff);
	set_ph(1, PH_MEMSZ, 0xffffffff);
	CHECK_LOAD_ERR(NAME ": truncated: segment 1 file range [0x180, "
		       "0x10000017f) ends past end of file (0x1c0 bytes)");
	build();
	set_ph(1, PH_OFFSET, VALID_SIZE - 0x3f);
	CHECK_LOAD_ERR(NAME ": truncated: segment 1 file range [0x181, 0x1c1) "
		       "ends past end of file (0x1c0 bytes)");
}

static void test_too_many_segments(void)
{
	const uint32_t table = 0x1000;

	build();
	img_size = table + 40 * 32;
	put32(EH_PHOFF, table);
	put16(EH_PHNUM, 32);
	set_phdr(0, PT_LOAD, SEG0_OFF, SEG0_ADDR, SEG0_ADDR, SEG0_SIZE,
		 SEG0_SIZE);
	for (unsigned i = 1; i < 40; i++)
		set_phdr(i, PT_LOAD, 0, 0x200000 + i * 0x1000,
			 0x200000 + i * 0x1000, 0, 0x1000);
	CHECK_LOAD_OK();
	CHECK_EQ(res.image_end, 0x200000 + 32 * 0x1000);
	put16(EH_PHNUM, 33);
	CHECK_LOAD_ERR(NAME ": more than 32 PT_LOAD segments");
}

/* A refused image leaves guest memory as it was. */
static void test_no_partial_load(void)
{
	build();
	fill_mem(MEM_SIZE);
	put32(EH_ENTRY, 0x200000);
	CHECK_EQ(load(), -1);
	CHECK_EQ(mem[SEG0_ADDR], 0xaa);
	CHECK_EQ(mem[SEG1_ADDR + SEG1_MEMSZ - 1], 0xaa);
	CHECK_EQ(mem[MB_INFO_BASE], 0xaa);
	CHECK_EQ(res.entry, 0);
}

static void test_small_err_buffer(void)
{
	char *small = malloc(8);
	struct mb_loaded out;

	REQUIRE(small);
	build();
	img[0] = 0;
	fill_mem(MEM_SIZE);
	CHECK_EQ(mb_load(img, img_size, NAME, mem, MEM_SIZE, "", &out, small, 8),
		 -1);
	CHECK_STR(small, "hello.e");
	CHECK_EQ(mb_load(img, img_size, NAME, mem, MEM_SIZE, "", &out, NULL, 0),
		 -1);
	free(small);
}

/* Every byte of the valid image set to a few values: never a crash; a
 * success still keeps to guest memory and the loader's promises. */
static void test_mutations(void)
{
	static const uint8_t vals[] = { 0x00, 0xff, 0x80, 0x01, 0x7f };
	const uint64_t mem_size = 4 * MIB;

	for (size_t off = 0; off < VALID_SIZE; off++) {
		for (size_t v = 0; v < sizeof(vals) + 1; v++) {
			uint8_t old;

			build();
			old = img[off];
			img[off] = v < sizeof(vals) ? vals[v] : old ^ 0x10;
			if (load_n(img_size, mem_size, "m") != 0) {
				CHECK(!strncmp(err, NAME ": ",
					       sizeof(NAME ": ") - 1));
				CHECK(!strchr(err, '\n'));
				continue;
			}
			CHECK(res.image_end <= mem_size);
			CHECK(res.image_end >= MB_INFO_END);
			CHECK(res.entry >= MB_INFO_END &&
			      res.entry < res.image_end);
			CHECK_EQ(res.info, MB_INFO_BASE);
		}
	}
}

static const struct tcase cases[] = {
	TCASE(valid_load),
	TCASE(info),
	TCASE(mmap),
	TCASE(small_memory),
	TCASE(cmdline_limit),
	TCASE(not_elf),
	TCASE(elf_ident),
	TCASE(elf_header),
	TCASE(program_headers_truncated),
	TCASE(no_load_segment),
	TCASE(ignored_headers),
	TCASE(bss_only_segment),
	TCASE(truncated_everywhere),
	TCASE(mb_header_missing),
	TCASE(mb_header_window),
	TCASE(mb_checksum),
	TCASE(mb_flags),
	TCASE(segment_outside_memory),
	TCASE(segment_overlap),
	TCASE(segment_low_memory),
	TCASE(entry),
	TCASE(entry_higher_half),
	TCASE(filesz_over_memsz),
	TCASE(huge_offsets),
	TCASE(too_many_segments),
	TCASE(no_partial_load),
	TCASE(small_err_buffer),
	TCASE(mutations),
};

int main(int argc, char **argv)
{
	return RUN_CASES("multiboot", cases, argc, argv);
}
