/* The multiboot information tandem builds: the flags, mem_lower/mem_upper
 * against the memory map, the map itself against the memory size named by
 * "expect_mem=<size>" on the command line, and guest RAM at both ends
 * (the last usable page, the first page past the kernel) holding what is
 * written there. */
#include "guest.h"

const char guest_name[] = "mmap";

#define PAGE_SIZE	4096u
#define LOW_END		0x100000u	/* legacy area: 640 KiB to 1 MiB */
#define FLAGS_NEEDED	(MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | \
			 MB_INFO_LOADER_NAME)

extern char _end[];

struct ram {
	uint64_t usable;	/* bytes of type-1 RAM */
	uint64_t reserved;	/* bytes of other types in [1 MiB, size) */
	uint64_t beyond;	/* bytes of type-1 RAM at or above size */
	uint64_t low_end;	/* end of the type-1 range at 0 */
	uint64_t high_len;	/* length of the type-1 range at 1 MiB */
	uint64_t top;		/* highest end of type-1 RAM below 4 GiB */
};

/* "<digits>[KMG]" in bytes; 0 if malformed. */
static uint64_t parse_size(const char *s)
{
	uint64_t v = 0;

	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	switch (*s) {
	case 'K':
		v <<= 10;
		s++;
		break;
	case 'M':
		v <<= 20;
		s++;
		break;
	case 'G':
		v <<= 30;
		s++;
		break;
	}
	return *s ? 0 : v;
}

static uint64_t expected_mem(const char *cmdline)
{
	char buf[24];
	uint64_t v;

	if (cmdline_value(cmdline, "expect_mem=", buf, sizeof(buf)))
		fail(3, "no expect_mem=<size> in cmdline \"%s\"", cmdline);
	v = parse_size(buf);
	if (!v)
		fail(3, "bad expect_mem=%s", buf);
	return v;
}

static void add_usable(struct ram *ram, uint64_t base, uint64_t len,
		       uint64_t size)
{
	ram->usable += len;
	if (base + len > size)
		ram->beyond += base + len - (base > size ? base : size);
	if (base == 0)
		ram->low_end = len;
	if (base == LOW_END)
		ram->high_len = len;
	if (base + len <= 0x100000000ull && base + len > ram->top)
		ram->top = base + len;
}

/* A firmware may reserve RAM at its top (QEMU keeps 128 KiB there): that
 * still counts towards the memory size. tandem reserves none; its .expect
 * pins the exact map. */
static void add_reserved(struct ram *ram, uint64_t base, uint64_t len,
			 uint64_t size)
{
	uint64_t end = base + len;

	if (base < LOW_END)
		base = LOW_END;
	if (end > size)
		end = size;
	if (end > base)
		ram->reserved += end - base;
}

static void walk_mmap(const struct mb_info *mbi, struct ram *ram,
		      uint64_t size)
{
	uint32_t p = mbi->mmap_addr, end = mbi->mmap_addr + mbi->mmap_length;
	const struct mb_mmap_entry *e;
	unsigned n = 0;

	for (; p < end; p += e->size + 4, n++) {
		e = (const struct mb_mmap_entry *)p;
		if (e->size < sizeof(*e) - 4 || p + e->size + 4 > end)
			fail(4, "mmap entry %u at 0x%x: size %u", n, p,
			     e->size);
		printf("mmap: [0x%llx, 0x%llx) type %u\n", e->addr,
		       e->addr + e->len, e->type);
		if (e->type == MB_MMAP_AVAILABLE)
			add_usable(ram, e->addr, e->len, size);
		else
			add_reserved(ram, e->addr, e->len, size);
	}
	if (!n)
		fail(4, "empty memory map");
}

static void check_info(const struct mb_info *mbi, const struct ram *ram,
		       uint64_t expect)
{
	uint64_t hole = LOW_END - ram->low_end;

	if ((uint64_t)mbi->mem_lower << 10 != ram->low_end)
		fail(5, "mem_lower %u KiB, map says %llu KiB", mbi->mem_lower,
		     ram->low_end >> 10);
	if ((uint64_t)mbi->mem_upper << 10 != ram->high_len)
		fail(6, "mem_upper %u KiB, map says %llu KiB", mbi->mem_upper,
		     ram->high_len >> 10);
	printf("mmap: usable %llu KiB + %llu KiB legacy hole + %llu KiB reserved, expected %llu KiB\n",
	       ram->usable >> 10, hole >> 10, ram->reserved >> 10,
	       expect >> 10);
	if (ram->beyond)
		fail(7, "%llu KiB of usable RAM past expect_mem",
		     ram->beyond >> 10);
	if (ram->usable + hole + ram->reserved != expect)
		fail(7, "usable RAM does not add up to expect_mem");
	printf("mmap: memory size matches\n");
}

/* Fill a page with an address-dependent pattern and read it back; the
 * old contents are put back (under QEMU the page past the kernel holds
 * the multiboot information). */
static int test_page(uint32_t addr)
{
	static uint32_t save[PAGE_SIZE / 4];
	volatile uint32_t *p = (volatile uint32_t *)addr;
	uint32_t i, bad = 0;

	for (i = 0; i < PAGE_SIZE / 4; i++)
		save[i] = p[i];
	for (i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = (addr + i * 4) ^ 0xA5C3E187u;
	for (i = 0; i < PAGE_SIZE / 4; i++)
		if (p[i] != ((addr + i * 4) ^ 0xA5C3E187u))
			bad++;
	for (i = 0; i < PAGE_SIZE / 4; i++)
		p[i] = save[i];
	return bad ? -1 : 0;
}

static void check_pages(const struct ram *ram)
{
	uint32_t last = (uint32_t)ram->top - PAGE_SIZE;
	uint32_t first = ((uint32_t)_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (test_page(last))
		fail(8, "last usable page 0x%x does not keep a pattern", last);
	printf("mmap: last usable page 0x%x ok\n", last);
	if (test_page(first))
		fail(9, "page 0x%x past the kernel does not keep a pattern",
		     first);
	printf("mmap: first page past the kernel 0x%x ok\n", first);
}

void guest_main(const struct mb_info *mbi)
{
	struct ram ram = { 0 };
	const char *loader, *cmdline;
	uint64_t expect;

	printf("mmap: flags 0x%x mem_lower %u KiB mem_upper %u KiB\n",
	       mbi->flags, mbi->mem_lower, mbi->mem_upper);
	if ((mbi->flags & FLAGS_NEEDED) != FLAGS_NEEDED)
		fail(1, "flags 0x%x lack 0x%x", mbi->flags, FLAGS_NEEDED);
	loader = mb_loader_name(mbi);
	cmdline = mb_cmdline(mbi);
	printf("mmap: loader \"%s\" cmdline \"%s\"\n", loader, cmdline);
	if (!*loader)
		fail(2, "empty boot loader name");
	expect = expected_mem(cmdline);

	walk_mmap(mbi, &ram, expect);
	check_info(mbi, &ram, expect);
	check_pages(&ram);
}
