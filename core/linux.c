/* x86 Linux boot protocol loader, 64-bit entry. Pure: no hardware, no
 * UEFI, no libc beyond lib/string.h and lib/print.h, so that hostile
 * images are unit-tested on the host. Every field is checked before guest
 * memory is written. Section names below are those of
 * Documentation/arch/x86/boot.rst. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/bytes.h"
#include "lib/string.h"
#include "lib/print.h"
#include "core/linux.h"

/* Setup header fields, at the same offsets in the file and in the zero
 * page ("The Real-Mode Kernel Header"). */
#define HDR_START		0x1f1	/* setup_sects, the first field */
#define HDR_SETUP_SECTS		0x1f1
#define HDR_SYSSIZE		0x1f4
#define HDR_BOOT_FLAG		0x1fe
#define HDR_JUMP_LEN		0x201	/* the header ends at 0x202 + this */
#define HDR_MAGIC		0x202
#define HDR_VERSION		0x206
#define HDR_TYPE_OF_LOADER	0x210
#define HDR_LOADFLAGS		0x211
#define HDR_RAMDISK_IMAGE	0x218
#define HDR_RAMDISK_SIZE	0x21c
#define HDR_HEAP_END_PTR	0x224
#define HDR_CMD_LINE_PTR	0x228
#define HDR_INITRD_ADDR_MAX	0x22c
#define HDR_KERNEL_ALIGNMENT	0x230
#define HDR_RELOCATABLE		0x234
#define HDR_XLOADFLAGS		0x236
#define HDR_CMDLINE_SIZE	0x238
#define HDR_HARDWARE_SUBARCH	0x23c
#define HDR_SUBARCH_DATA	0x240
#define HDR_PAYLOAD_OFFSET	0x248
#define HDR_PAYLOAD_LENGTH	0x24c
#define HDR_SETUP_DATA		0x250
#define HDR_PREF_ADDRESS	0x258
#define HDR_INIT_SIZE		0x260
#define HDR_MIN_END		0x268	/* 2.12 ends after handover_offset */
#define HDR_MAX_END		0x290	/* edd_mbr_sig_buffer follows */

/* The rest of struct boot_params ("The Zero Page"; zero-page.rst). */
#define BP_ACPI_RSDP_ADDR	0x070
#define BP_EXT_RAMDISK_IMAGE	0x0c0
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8
#define BP_E820_TABLE		0x2d0
#define BP_SIZE			0x1000u

#define BOOT_FLAG		0xaa55
#define MIN_VERSION		0x020c	/* xloadflags and init_size */
#define LOADED_HIGH		(1u << 0)
#define XLF_KERNEL_64		(1u << 0)
#define LOADER_UNDEFINED	0xff	/* type_of_loader: no assigned ID */
#define ENTRY_64		0x200	/* startup_64, from the load address */

#define KIB			0x400ull
#define MIB			0x100000ull
#define GIB			0x40000000ull
#define HIGH_MEM		MIB
#define KERNEL_MIN		(16 * MIB)	/* LOAD_PHYSICAL_ADDR default */
#define IDMAP_END		(4 * GIB)
#define PAGE			0x1000ull
#define BIOS_AREA		0xe0000u	/* reserved: ACPI tables */

#define E820_RAM		1
#define E820_RESERVED		2
#define E820_ENTRIES		4
#define E820_ENTRY_SIZE		20

#define PTE_P			(1ull << 0)
#define PTE_W			(1ull << 1)
#define PTE_PS			(1ull << 7)
#define PD_PAGES		4
#define GDT_CODE64		0x00af9a000000ffffull	/* L=1, D=0, DPL 0 */
#define GDT_DATA		0x00cf92000000ffffull	/* flat 4 GiB, RW */

_Static_assert(LINUX_GDT + LINUX_GDT_SIZE <= LINUX_ZERO_PAGE, "GDT");
_Static_assert(LINUX_ZERO_PAGE + BP_SIZE <= LINUX_PML4, "zero page");
_Static_assert(LINUX_PML4 + PAGE == LINUX_PDPT, "PML4");
_Static_assert(LINUX_PDPT + PAGE == LINUX_PD, "PDPT");
_Static_assert(LINUX_PD + PD_PAGES * PAGE <= LINUX_CMDLINE, "PDs");
_Static_assert(LINUX_CMDLINE + LINUX_CMDLINE_MAX + 1 <= LINUX_LOW_END,
	       "command line");
_Static_assert(BP_E820_TABLE + E820_ENTRIES * E820_ENTRY_SIZE <= 0xcd0,
	       "e820 table (128 entries at most)");
_Static_assert(LINUX_GDT_SIZE / 8 > LINUX_BOOT_DS / 8, "GDT holds DS");

/* What the loader takes from the setup header. */
struct hdr {
	uint32_t hdr_end;	/* first byte past the setup header */
	uint32_t setup_size;	/* boot sector and setup code */
	uint64_t pm_size;	/* protected-mode kernel: syssize * 16 */
	uint16_t version;
	uint32_t initrd_addr_max;
	uint32_t kernel_alignment;
	uint8_t relocatable;
	uint32_t cmdline_size;
	uint64_t pref_address;
	uint32_t init_size;
};

struct loader {
	const struct linux_image *kernel, *initrd;
	const char *kname, *iname;
	char *err;
	size_t errlen;
	uint64_t mem_size;
	const char *cmdline;
	size_t cmdlen;
	struct hdr h;
	uint64_t kernel_addr, kernel_end, initrd_addr;
};

static int fail(struct loader *l, const char *who, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct loader *l, const char *who, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tvsnprintf_named(l->err, l->errlen, who, fmt, ap);
	va_end(ap);
	return -1;
}

static void fmt_mem(char *buf, size_t size, uint64_t v)
{
	if (v && v % GIB == 0)
		tsnprintf(buf, size, "%llu GiB", (unsigned long long)(v / GIB));
	else if (v % MIB == 0)
		tsnprintf(buf, size, "%llu MiB", (unsigned long long)(v / MIB));
	else
		tsnprintf(buf, size, "0x%llx bytes", (unsigned long long)v);
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Is [0, end) of the kernel file there to read? */
static int need(struct loader *l, uint64_t end, const char *what)
{
	if (end <= l->kernel->size)
		return 0;
	return fail(l, l->kname, "truncated: %s ends at 0x%llx past end of file (0x%zx bytes)",
		    what, (unsigned long long)end, l->kernel->size);
}

static int check_magic(struct loader *l)
{
	const uint8_t *d = l->kernel->data;
	uint16_t v;

	if (need(l, HDR_BOOT_FLAG + 2, "boot sector"))
		return -1;
	v = get16(d + HDR_BOOT_FLAG);
	if (v != BOOT_FLAG)
		return fail(l, l->kname, "not a Linux kernel: boot sector signature at 0x1fe is 0x%04x, not 0xaa55",
			    v);
	if (need(l, HDR_VERSION + 2, "setup header"))
		return -1;
	if (memcmp(d + HDR_MAGIC, "HdrS", 4))
		return fail(l, l->kname, "no setup header (\"HdrS\" at 0x202): not a bzImage, or boot protocol older than 2.00");
	v = get16(d + HDR_VERSION);
	if (v < MIN_VERSION)
		return fail(l, l->kname, "boot protocol %u.%02u is too old (tandem needs %u.%02u or later)",
			    v >> 8, v & 0xff, MIN_VERSION >> 8,
			    MIN_VERSION & 0xff);
	l->h.version = v;
	return 0;
}

/* "Details of Header Fields": the flags tandem depends on, the extent of
 * the header, the setup code and the protected-mode kernel. */
static int check_layout(struct loader *l)
{
	const uint8_t *d = l->kernel->data;
	struct hdr *h = &l->h;
	uint32_t sects, syssize, poff, plen;
	char what[64];

	h->hdr_end = 0x202u + d[HDR_JUMP_LEN];
	if (h->hdr_end < HDR_MIN_END || h->hdr_end > HDR_MAX_END)
		return fail(l, l->kname, "setup header end 0x%x (0x202 + byte 0x%02x at 0x201) is outside [0x%x, 0x%x]",
			    h->hdr_end, d[HDR_JUMP_LEN], HDR_MIN_END,
			    HDR_MAX_END);
	if (need(l, h->hdr_end, "setup header"))
		return -1;
	if (!(d[HDR_LOADFLAGS] & LOADED_HIGH))
		return fail(l, l->kname, "loadflags bit 0 (LOADED_HIGH) is clear: a zImage kernel is not supported");
	if (!(get16(d + HDR_XLOADFLAGS) & XLF_KERNEL_64))
		return fail(l, l->kname, "kernel has no 64-bit entry point (xloadflags bit 0)");

	/* "setup_sects: ... If this field is 0, the real value is 4." */
	sects = d[HDR_SETUP_SECTS] ? d[HDR_SETUP_SECTS] : 4;
	h->setup_size = (sects + 1) * 512;
	tsnprintf(what, sizeof(what), "setup code (setup_sects %u)", sects);
	if (need(l, h->setup_size, what))
		return -1;

	syssize = get32(d + HDR_SYSSIZE);
	h->pm_size = (uint64_t)syssize * 16;
	if (h->pm_size <= ENTRY_64)
		return fail(l, l->kname, "protected-mode kernel (syssize 0x%x paragraphs) ends before its 64-bit entry point at 0x%x",
			    syssize, ENTRY_64);
	tsnprintf(what, sizeof(what),
		  "protected-mode kernel (syssize 0x%x paragraphs)", syssize);
	if (need(l, h->setup_size + h->pm_size, what))
		return -1;

	poff = get32(d + HDR_PAYLOAD_OFFSET);
	plen = get32(d + HDR_PAYLOAD_LENGTH);
	if (!plen || (uint64_t)poff + plen > h->pm_size)
		return fail(l, l->kname, "compressed payload [0x%x, 0x%llx) (payload_offset, payload_length) is not inside the protected-mode kernel (0x%llx bytes)",
			    poff, (unsigned long long)poff + plen,
			    (unsigned long long)h->pm_size);
	return 0;
}

/* The fields that say where the kernel and initrd may go. */
static int check_placement_fields(struct loader *l)
{
	const uint8_t *d = l->kernel->data;
	struct hdr *h = &l->h;
	uint32_t a;

	h->initrd_addr_max = get32(d + HDR_INITRD_ADDR_MAX);
	h->kernel_alignment = a = get32(d + HDR_KERNEL_ALIGNMENT);
	h->relocatable = d[HDR_RELOCATABLE];
	h->cmdline_size = get32(d + HDR_CMDLINE_SIZE);
	h->pref_address = get64(d + HDR_PREF_ADDRESS);
	h->init_size = get32(d + HDR_INIT_SIZE);

	if (h->relocatable && (!a || (a & (a - 1))))
		return fail(l, l->kname, "kernel_alignment 0x%x is not a power of two",
			    a);
	if (h->init_size < h->pm_size)
		return fail(l, l->kname, "init_size 0x%x is smaller than the protected-mode kernel (0x%llx bytes)",
			    h->init_size, (unsigned long long)h->pm_size);
	return 0;
}

/* startup_64 moves the kernel to max(load address rounded up to
 * kernel_alignment, LOAD_PHYSICAL_ADDR) when relocatable, and to
 * LOAD_PHYSICAL_ADDR when not, and needs init_size bytes there;
 * pref_address is LOAD_PHYSICAL_ADDR. So pref_address (rounded up) is
 * both the lowest place that costs no more memory than init_size and the
 * only one worth trying: any higher one needs more memory, not less. */
static int place_kernel(struct loader *l)
{
	const struct hdr *h = &l->h;
	uint64_t top = min64(l->mem_size, IDMAP_END);
	uint64_t addr = h->pref_address, end;
	char mem[32];

	if (h->relocatable) {
		if (addr < HIGH_MEM)
			addr = KERNEL_MIN;
		if (addr < IDMAP_END)
			addr = (addr + h->kernel_alignment - 1) &
			       ~(uint64_t)(h->kernel_alignment - 1);
	} else if (addr < HIGH_MEM) {
		return fail(l, l->kname, "pref_address 0x%llx is below 1 MiB and the kernel is not relocatable",
			    (unsigned long long)addr);
	}
	if (addr <= top && h->init_size <= top - addr) {
		l->kernel_addr = addr;
		l->kernel_end = addr + h->init_size;
		return 0;
	}
	end = addr > UINT64_MAX - h->init_size ? UINT64_MAX :
	      addr + h->init_size;
	if (top == IDMAP_END && l->mem_size > IDMAP_END)
		return fail(l, l->kname, "does not fit below 4 GiB (the boot page tables' identity map): init_size 0x%x at 0x%llx needs memory up to 0x%llx",
			    h->init_size, (unsigned long long)addr,
			    (unsigned long long)end);
	fmt_mem(mem, sizeof(mem), l->mem_size);
	return fail(l, l->kname, "does not fit in guest memory (%s): init_size 0x%x at 0x%llx needs memory up to 0x%llx",
		    mem, h->init_size, (unsigned long long)addr,
		    (unsigned long long)end);
}

/* "cmdline_size: The maximum size of the command line without the
 * terminating zero." */
static int check_cmdline(struct loader *l)
{
	if (l->cmdlen > l->h.cmdline_size)
		return fail(l, "cmdline", "%zu bytes, the kernel accepts at most %u",
			    l->cmdlen, l->h.cmdline_size);
	if (l->cmdlen > LINUX_CMDLINE_MAX)
		return fail(l, "cmdline", "%zu bytes, tandem accepts at most %u",
			    l->cmdlen, LINUX_CMDLINE_MAX);
	return 0;
}

/* "initrd_addr_max: The maximum address that may be occupied by the
 * initial ramdisk/ramfs contents." As high as possible, as boot loaders
 * do, so that it stays clear of what the kernel decompresses; below
 * 4 GiB, as ramdisk_image is 32 bits and ext_ramdisk_image is not used. */
static int place_initrd(struct loader *l)
{
	const struct linux_image *rd = l->initrd;
	uint64_t top, addr;
	char size[32], mem[32];

	if (!rd)
		return 0;
	if (!rd->size)
		return fail(l, l->iname, "empty file");
	fmt_mem(size, sizeof(size), rd->size);
	if (rd->size >= IDMAP_END)
		return fail(l, l->iname, "%s: an initrd must be smaller than 4 GiB",
			    size);
	top = min64((uint64_t)l->h.initrd_addr_max + 1,
		    min64(l->mem_size, IDMAP_END));
	addr = top >= rd->size ? (top - rd->size) & ~(PAGE - 1) : 0;
	if (top < rd->size || addr < l->kernel_end) {
		fmt_mem(mem, sizeof(mem), l->mem_size);
		return fail(l, l->iname, "%s does not fit in guest memory (%s) between the kernel's end 0x%llx and 0x%llx",
			    size, mem, (unsigned long long)l->kernel_end,
			    (unsigned long long)top);
	}
	l->initrd_addr = addr;
	return 0;
}

static void put_e820(uint8_t *bp, unsigned n, uint64_t addr, uint64_t size,
		     uint32_t type)
{
	uint8_t *e = bp + BP_E820_TABLE + n * E820_ENTRY_SIZE;

	put64(e, addr);
	put64(e + 8, size);
	put32(e + 16, type);
}

/* The zero page: the file's setup header, then what the boot loader
 * fills in ("Details of Header Fields", "The Zero Page"). Everything
 * else stays zero, sentinel (0x1ef) included, so the kernel keeps it. */
static void write_zero_page(const struct loader *l, uint8_t *mem,
			    uint64_t rsdp)
{
	const struct hdr *h = &l->h;
	uint8_t *bp = mem + LINUX_ZERO_PAGE;

	memset(bp, 0, BP_SIZE);
	memcpy(bp + HDR_START, l->kernel->data + HDR_START,
	       h->hdr_end - HDR_START);
	bp[HDR_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	/* Only LOADED_HIGH: no QUIET_FLAG (early messages wanted), no
	 * KEEP_SEGMENTS (obsolete), no CAN_USE_HEAP: heap_end_ptr is for
	 * the real-mode setup code, which the 64-bit entry skips. */
	bp[HDR_LOADFLAGS] = LOADED_HIGH;
	put16(bp + HDR_HEAP_END_PTR, 0);
	put32(bp + HDR_CMD_LINE_PTR, LINUX_CMDLINE);
	put32(bp + HDR_RAMDISK_IMAGE, (uint32_t)l->initrd_addr);
	put32(bp + HDR_RAMDISK_SIZE,
	      l->initrd ? (uint32_t)l->initrd->size : 0);
	/* Ours to set, whatever the file holds: a PC, no setup_data list. */
	put32(bp + HDR_HARDWARE_SUBARCH, 0);
	put64(bp + HDR_SUBARCH_DATA, 0);
	put64(bp + HDR_SETUP_DATA, 0);
	put32(bp + BP_EXT_RAMDISK_IMAGE, 0);
	put32(bp + BP_EXT_RAMDISK_SIZE, 0);
	put32(bp + BP_EXT_CMD_LINE_PTR, 0);
	put64(bp + BP_ACPI_RSDP_ADDR, rsdp);

	bp[BP_E820_ENTRIES] = E820_ENTRIES;
	put_e820(bp, 0, 0, LINUX_LOW_END, E820_RAM);
	put_e820(bp, 1, LINUX_LOW_END, 0xa0000 - LINUX_LOW_END,
		 E820_RESERVED);
	put_e820(bp, 2, BIOS_AREA, HIGH_MEM - BIOS_AREA, E820_RESERVED);
	put_e820(bp, 3, HIGH_MEM, l->mem_size - HIGH_MEM, E820_RAM);
}

/* Identity map of [0, 4 GiB) with 2 MiB pages: one PML4 entry, four
 * PDPT entries, 2048 PD entries. */
static void write_page_tables(uint8_t *mem)
{
	memset(mem + LINUX_PML4, 0, 2 * PAGE);
	put64(mem + LINUX_PML4, LINUX_PDPT | PTE_P | PTE_W);
	for (unsigned i = 0; i < PD_PAGES; i++)
		put64(mem + LINUX_PDPT + i * 8,
		      (LINUX_PD + i * PAGE) | PTE_P | PTE_W);
	for (uint64_t i = 0; i < PD_PAGES * 512; i++)
		put64(mem + LINUX_PD + i * 8,
		      i * 2 * MIB | PTE_P | PTE_W | PTE_PS);
}

static void write_gdt(uint8_t *mem)
{
	memset(mem + LINUX_GDT, 0, LINUX_GDT_SIZE);
	put64(mem + LINUX_GDT + LINUX_BOOT_CS, GDT_CODE64);
	put64(mem + LINUX_GDT + LINUX_BOOT_DS, GDT_DATA);
}

static void write_all(const struct loader *l, uint8_t *mem, uint64_t rsdp)
{
	const struct hdr *h = &l->h;

	memcpy(mem + l->kernel_addr, l->kernel->data + h->setup_size,
	       h->pm_size);
	if (l->initrd)
		memcpy(mem + l->initrd_addr, l->initrd->data, l->initrd->size);
	write_zero_page(l, mem, rsdp);
	memcpy(mem + LINUX_CMDLINE, l->cmdline, l->cmdlen + 1);
	write_page_tables(mem);
	write_gdt(mem);
}

int linux_load(const struct linux_image *kernel,
	       const struct linux_image *initrd, const char *cmdline,
	       uint8_t *mem, uint64_t mem_size, uint64_t rsdp,
	       struct linux_loaded *out, char *err, size_t errlen)
{
	struct loader l = {
		.kernel = kernel, .initrd = initrd,
		.kname = kernel->name ? kernel->name : "kernel",
		.iname = initrd && initrd->name ? initrd->name : "initrd",
		.err = err, .errlen = errlen, .mem_size = mem_size,
		.cmdline = cmdline ? cmdline : "",
	};

	if (err && errlen)
		err[0] = '\0';
	l.cmdlen = strlen(l.cmdline);
	if (check_magic(&l) || check_layout(&l) ||
	    check_placement_fields(&l) || place_kernel(&l) ||
	    check_cmdline(&l) || place_initrd(&l))
		return -1;

	write_all(&l, mem, rsdp);
	*out = (struct linux_loaded){
		.entry = l.kernel_addr + ENTRY_64,
		.boot_params = LINUX_ZERO_PAGE,
		.cr3 = LINUX_PML4,
		.gdt_base = LINUX_GDT,
		.gdt_limit = LINUX_GDT_SIZE - 1,
		.kernel_addr = l.kernel_addr,
		.kernel_end = l.kernel_end,
		.initrd_addr = l.initrd_addr,
		.initrd_size = initrd ? initrd->size : 0,
	};
	return 0;
}
