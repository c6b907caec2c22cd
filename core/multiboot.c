/* Multiboot (v1) ELF32 loader. Pure: no hardware, no UEFI, no libc beyond
 * lib/string.h and lib/print.h, so that hostile images are unit-tested on
 * the host. Every field is checked before guest memory is written. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "lib/bytes.h"
#include "lib/string.h"
#include "lib/print.h"
#include "core/multiboot.h"

/* The few ELF32 definitions needed (<elf.h> is not freestanding). */
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_NIDENT	16
#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ELFDATA2MSB	2
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_386		3
#define PT_LOAD		1

struct elf32_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint32_t e_entry;
	uint32_t e_phoff;
	uint32_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf32_phdr {
	uint32_t p_type;
	uint32_t p_offset;
	uint32_t p_vaddr;
	uint32_t p_paddr;
	uint32_t p_filesz;
	uint32_t p_memsz;
	uint32_t p_flags;
	uint32_t p_align;
};

_Static_assert(sizeof(struct elf32_ehdr) == 52, "ELF32 header layout");
_Static_assert(sizeof(struct elf32_phdr) == 32, "ELF32 phdr layout");
_Static_assert(sizeof(struct mb_mmap_entry) == 24, "mmap entry");

#define MB_SEARCH_END	8192u	/* the header lies within these bytes */
#define MB_HDR_SIZE	12u	/* magic, flags, checksum */
#define MB_MAX_SEGS	32u	/* real kernels have a handful */

#define MIB		0x100000ull
#define LOW_RAM_END	0x9fc00u	/* then EBDA, VGA, BIOS: not RAM */
#define HIGH_RAM	0x100000u
#define BIOS_START	0xf0000u

/* Layout of [MB_INFO_BASE, MB_INFO_END): info (128 bytes, enough for the
 * VBE and framebuffer fields, left zero), memory map, loader name, then
 * the command line up to the end. */
#define INFO_SIZE	128u
#define MMAP_ENTRIES	4u
#define MMAP_ADDR	(MB_INFO_BASE + INFO_SIZE)
#define MMAP_LEN	(MMAP_ENTRIES * sizeof(struct mb_mmap_entry))
#define NAME_ADDR	(MMAP_ADDR + MMAP_LEN)
#define LOADER_NAME	"tandem"
#define CMDLINE_ADDR	(NAME_ADDR + 16u)
#define CMDLINE_MAX	(MB_INFO_END - CMDLINE_ADDR - 1u)

_Static_assert(sizeof(struct mb_info) <= INFO_SIZE, "info fits");
_Static_assert(sizeof(LOADER_NAME) <= 16, "loader name fits");

struct seg {
	unsigned idx;		/* program header number, for messages */
	uint32_t offset, filesz, paddr, vaddr, memsz;
};

struct loader {
	const uint8_t *img;
	size_t size;
	const char *name;
	char *err;
	size_t errlen;
	uint64_t mem_size;
	struct elf32_ehdr eh;
	struct seg segs[MB_MAX_SEGS];
	unsigned nsegs;
};

static int fail(struct loader *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct loader *l, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tvsnprintf_named(l->err, l->errlen, l->name, fmt, ap);
	va_end(ap);
	return -1;
}

static void fmt_mem(char *buf, size_t size, uint64_t v)
{
	if (v % MIB == 0)
		tsnprintf(buf, size, "%llu MiB", (unsigned long long)(v / MIB));
	else
		tsnprintf(buf, size, "0x%llx bytes", (unsigned long long)v);
}

static int check_ident(struct loader *l)
{
	const uint8_t *id = l->img;

	if (l->size < 4 || memcmp(id, "\x7f" "ELF", 4))
		return fail(l, "not an ELF file (bad magic)");
	if (l->size < sizeof(l->eh))
		return fail(l, "truncated: ELF header ends at 0x%zx past end of file (0x%zx bytes)",
			    sizeof(l->eh), l->size);
	memcpy(&l->eh, l->img, sizeof(l->eh));
	if (id[EI_CLASS] == ELFCLASS64)
		return fail(l, "ELF64 images are not supported: a multiboot guest must be ELF32");
	if (id[EI_CLASS] != ELFCLASS32)
		return fail(l, "bad ELF class %u (expected ELFCLASS32)",
			    id[EI_CLASS]);
	if (id[EI_DATA] == ELFDATA2MSB)
		return fail(l, "big-endian ELF images are not supported: a multiboot guest must be little-endian x86");
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(l, "bad ELF data encoding %u (expected ELFDATA2LSB)",
			    id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(l, "bad ELF ident version %u (expected EV_CURRENT)",
			    id[EI_VERSION]);
	return 0;
}

/* Find and check the multiboot header; refuse what we cannot honour. */
static int check_mb_header(struct loader *l)
{
	size_t end = l->size < MB_SEARCH_END ? l->size : MB_SEARCH_END;
	bool bad_sum = false;
	uint32_t bad_off = 0, bad_total = 0, flags = 0;
	size_t off;

	for (off = 0; off + MB_HDR_SIZE <= end; off += 4) {
		const uint8_t *h = l->img + off;
		uint32_t total;

		if (get32(h) != MB_HEADER_MAGIC)
			continue;
		total = get32(h) + get32(h + 4) + get32(h + 8);
		if (!total) {
			flags = get32(h + 4);
			break;
		}
		if (!bad_sum) {
			bad_sum = true;
			bad_off = (uint32_t)off;
			bad_total = total;
		}
	}
	if (off + MB_HDR_SIZE > end) {
		if (bad_sum)
			return fail(l, "multiboot header at 0x%x has a bad checksum (magic + flags + checksum = 0x%x, not 0)",
				    bad_off, bad_total);
		return fail(l, "no multiboot header in the first %u bytes",
			    MB_SEARCH_END);
	}

	if (flags & MB_HDR_VIDEO_MODE)
		return fail(l, "multiboot flag bit 2 (video mode) is not supported");
	for (unsigned bit = 0; bit < 16; bit++) {
		uint32_t known = MB_HDR_PAGE_ALIGN | MB_HDR_MEMORY_INFO;

		if ((flags & (1u << bit)) && !(known & (1u << bit)))
			return fail(l, "multiboot flag bit %u (unknown requirement) is not supported",
				    bit);
	}
	if (flags & MB_HDR_AOUT_KLUDGE)
		return fail(l, "multiboot flag bit 16 (a.out kludge) is not supported: tandem loads ELF program headers only");
	return 0;
}

static int check_ehdr(struct loader *l)
{
	const struct elf32_ehdr *eh = &l->eh;
	uint64_t end;

	if (eh->e_type != ET_EXEC)
		return fail(l, "e_type %u is not ET_EXEC (2): a multiboot guest must be a static executable",
			    eh->e_type);
	if (eh->e_machine != EM_386)
		return fail(l, "e_machine %u is not EM_386 (3): a multiboot guest must be 32-bit x86",
			    eh->e_machine);
	if (eh->e_version != EV_CURRENT)
		return fail(l, "e_version %u is not EV_CURRENT (1)",
			    eh->e_version);
	if (eh->e_phentsize != sizeof(struct elf32_phdr))
		return fail(l, "e_phentsize %u is not %zu",
			    eh->e_phentsize, sizeof(struct elf32_phdr));
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		end = (uint64_t)eh->e_phoff +
		      (uint64_t)(i + 1) * sizeof(struct elf32_phdr);
		if (end > l->size)
			return fail(l, "truncated: program header %u ends at 0x%llx past end of file (0x%zx bytes)",
				    i, (unsigned long long)end, l->size);
	}
	return 0;
}

/* Does [a, a + alen) meet [b, b + blen)? */
static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static int check_seg(struct loader *l, const struct seg *s)
{
	uint64_t fend = (uint64_t)s->offset + s->filesz;
	uint64_t end = (uint64_t)s->paddr + s->memsz;
	uint64_t limit = l->mem_size < UINT32_MAX ? l->mem_size : UINT32_MAX;
	char mem[32];

	if (s->filesz > s->memsz)
		return fail(l, "segment %u: p_filesz 0x%x is larger than p_memsz 0x%x",
			    s->idx, s->filesz, s->memsz);
	/* With nothing to read (pure BSS), p_offset does not matter. */
	if (s->filesz && fend > l->size)
		return fail(l, "truncated: segment %u file range [0x%x, 0x%llx) ends past end of file (0x%zx bytes)",
			    s->idx, s->offset, (unsigned long long)fend,
			    l->size);
	if (end > limit) {
		fmt_mem(mem, sizeof(mem), l->mem_size);
		return fail(l, "segment %u [0x%x, 0x%llx) lies outside guest memory (%s)",
			    s->idx, s->paddr, (unsigned long long)end, mem);
	}
	if (overlaps(s->paddr, s->memsz, 0, MB_INFO_END))
		return fail(l, "segment %u [0x%x, 0x%llx) overlaps [0, 0x%x), where the multiboot info lives",
			    s->idx, s->paddr, (unsigned long long)end,
			    MB_INFO_END);
	if (overlaps(s->paddr, s->memsz, LOW_RAM_END, HIGH_RAM - LOW_RAM_END))
		return fail(l, "segment %u [0x%x, 0x%llx) overlaps [0x%x, 0x%x), which is not RAM in the guest memory map",
			    s->idx, s->paddr, (unsigned long long)end,
			    LOW_RAM_END, HIGH_RAM);
	return 0;
}

static int collect_segs(struct loader *l)
{
	const struct elf32_ehdr *eh = &l->eh;

	l->nsegs = 0;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		struct elf32_phdr ph;
		struct seg *s;

		memcpy(&ph, l->img + eh->e_phoff + (size_t)i * sizeof(ph),
		       sizeof(ph));
		/* Nothing to load, nowhere to collide. */
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		if (l->nsegs == MB_MAX_SEGS)
			return fail(l, "more than %u PT_LOAD segments",
				    MB_MAX_SEGS);
		s = &l->segs[l->nsegs];
		*s = (struct seg){ i, ph.p_offset, ph.p_filesz, ph.p_paddr,
				   ph.p_vaddr, ph.p_memsz };
		if (check_seg(l, s))
			return -1;
		for (unsigned j = 0; j < l->nsegs; j++)
			if (overlaps(l->segs[j].paddr, l->segs[j].memsz,
				     s->paddr, s->memsz))
				return fail(l, "segments %u and %u overlap",
					    l->segs[j].idx, i);
		l->nsegs++;
	}
	if (!l->nsegs)
		return fail(l, "no PT_LOAD segment to load");
	return 0;
}

/* The entry is virtual: map it through the segment that holds it. */
static int find_entry(struct loader *l, uint32_t *entry)
{
	uint32_t e = l->eh.e_entry;

	for (unsigned i = 0; i < l->nsegs; i++) {
		const struct seg *s = &l->segs[i];

		if (e >= s->vaddr && e - s->vaddr < s->memsz) {
			*entry = e - s->vaddr + s->paddr;
			return 0;
		}
	}
	return fail(l, "entry point 0x%x is not inside a loaded segment", e);
}

static void put_mmap(uint8_t *mem, unsigned n, uint64_t addr, uint64_t len,
		     uint32_t type)
{
	struct mb_mmap_entry e = { sizeof(e) - sizeof(e.size), addr, len,
				   type };

	memcpy(mem + MMAP_ADDR + n * sizeof(e), &e, sizeof(e));
}

static void build_info(uint8_t *mem, uint64_t mem_size, const char *cmdline,
		       size_t cmdlen)
{
	uint64_t upper = (mem_size - HIGH_RAM) / 1024;
	struct mb_info info = {
		.flags = MB_INFO_MEMORY | MB_INFO_CMDLINE | MB_INFO_MEM_MAP |
			 MB_INFO_BOOT_LOADER_NAME,
		.mem_lower = LOW_RAM_END / 1024,
		.mem_upper = upper > UINT32_MAX ? UINT32_MAX : (uint32_t)upper,
		.cmdline = CMDLINE_ADDR,
		.mmap_length = MMAP_LEN,
		.mmap_addr = MMAP_ADDR,
		.boot_loader_name = NAME_ADDR,
	};

	memset(mem + MB_INFO_BASE, 0, MB_INFO_END - MB_INFO_BASE);
	memcpy(mem + MB_INFO_BASE, &info, sizeof(info));
	put_mmap(mem, 0, 0, LOW_RAM_END, MB_MEM_AVAILABLE);
	put_mmap(mem, 1, LOW_RAM_END, 0xa0000 - LOW_RAM_END, MB_MEM_RESERVED);
	put_mmap(mem, 2, BIOS_START, HIGH_RAM - BIOS_START, MB_MEM_RESERVED);
	put_mmap(mem, 3, HIGH_RAM, mem_size - HIGH_RAM, MB_MEM_AVAILABLE);
	memcpy(mem + NAME_ADDR, LOADER_NAME, sizeof(LOADER_NAME));
	memcpy(mem + CMDLINE_ADDR, cmdline, cmdlen + 1);
}

int mb_load(const uint8_t *img, size_t size, const char *name,
	    uint8_t *mem, uint64_t mem_size, const char *cmdline,
	    struct mb_loaded *out, char *err, size_t errlen)
{
	struct loader l = { .img = img, .size = size,
			    .name = name ? name : "guest", .err = err,
			    .errlen = errlen, .mem_size = mem_size };
	uint32_t entry = 0, end = 0;
	size_t cmdlen;
	char buf[32];

	if (err && errlen)
		err[0] = '\0';
	if (!cmdline)
		cmdline = "";
	if (mem_size < 2 * MIB) {
		fmt_mem(buf, sizeof(buf), mem_size);
		return fail(&l, "guest memory (%s) is too small: a multiboot guest needs at least 2 MiB",
			    buf);
	}
	cmdlen = strlen(cmdline);
	if (cmdlen > CMDLINE_MAX)
		return fail(&l, "command line is %zu bytes, the limit is %u",
			    cmdlen, (unsigned)CMDLINE_MAX);
	if (check_ident(&l) || check_mb_header(&l) || check_ehdr(&l) ||
	    collect_segs(&l) || find_entry(&l, &entry))
		return -1;

	for (unsigned i = 0; i < l.nsegs; i++) {
		const struct seg *s = &l.segs[i];

		if (s->filesz)
			memcpy(mem + s->paddr, img + s->offset, s->filesz);
		memset(mem + s->paddr + s->filesz, 0, s->memsz - s->filesz);
		if (s->paddr + s->memsz > end)
			end = s->paddr + s->memsz;
	}
	build_info(mem, mem_size, cmdline, cmdlen);
	out->entry = entry;
	out->info = MB_INFO_BASE;
	out->image_end = end;
	return 0;
}
