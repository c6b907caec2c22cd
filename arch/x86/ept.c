/* Extended page tables: guest-physical [0, size) onto the host pages that
 * boot/ reserved as guest RAM, 4 KiB at a time (the reservation is only
 * page-aligned). Nothing else is mapped, so tandem's own memory is out of
 * the guest's reach and a stray access ends in an EPT violation. */
#include "arch/x86/vmx.h"
#include "lib/palloc.h"

#define EPT_R		(1ull << 0)
#define EPT_W		(1ull << 1)
#define EPT_X		(1ull << 2)
#define EPT_RWX		(EPT_R | EPT_W | EPT_X)
#define EPT_MT_WB	(6ull << 3)	/* leaf memory type (SDM 29.3.7) */
#define EPTP_WB		6ull
#define EPTP_WALK4	(3ull << 3)	/* page-walk length - 1 */

/* Table at 'level' (3 = PML4 .. 0 = PT) covering gpa; allocated on
 * demand. */
static uint64_t *ept_table(uint64_t *pml4, uint64_t gpa, int level)
{
	uint64_t *t = pml4;

	for (int l = 3; l > level; l--) {
		uint64_t *e = &t[(gpa >> (12 + 9 * l)) & 511];

		if (!(*e & EPT_RWX)) {
			uint64_t *n = palloc_pages(1);

			if (!n)
				return NULL;
			*e = (uint64_t)n | EPT_RWX;
		}
		t = (uint64_t *)(*e & ~0xfffull);
	}
	return t;
}

uint64_t ept_build(uint8_t *ram, uint64_t size)
{
	uint64_t *pml4 = palloc_pages(1);

	if (!pml4)
		return 0;
	for (uint64_t gpa = 0; gpa < size; gpa += PAGE_SIZE) {
		uint64_t *pt = ept_table(pml4, gpa, 0);

		if (!pt)
			return 0;
		pt[(gpa >> 12) & 511] = ((uint64_t)ram + gpa) | EPT_RWX |
					EPT_MT_WB;
	}
	return (uint64_t)pml4 | EPTP_WB | EPTP_WALK4;
}

#define EPT_A		(1ull << 8)	/* accessed (SDM 29.3.5) */
#define EPT_D		(1ull << 9)	/* dirty, leaves only */
#define EPT_ADDR	0x000ffffffffff000ull

/* Walk only where the accessed flag says the guest went: a 2 MiB region
 * it never touched costs one test, not 512. */
static void collect(uint64_t *t, int level, uint64_t base,
		    void (*fn)(uint64_t gfn, void *arg), void *arg)
{
	for (uint64_t i = 0; i < 512; i++) {
		uint64_t e = t[i], gpa = base + (i << (12 + 9 * level));

		if (!(e & EPT_RWX))
			continue;
		if (!level) {
			if (e & EPT_D) {
				t[i] = e & ~(EPT_D | EPT_A);
				fn(gpa >> 12, arg);
			}
			continue;
		}
		if (!(e & EPT_A))
			continue;
		t[i] = e & ~EPT_A;
		collect((uint64_t *)(e & EPT_ADDR), level - 1, gpa, fn, arg);
	}
}

void ept_collect_dirty(uint64_t *pml4, void (*fn)(uint64_t gfn, void *arg),
		       void *arg)
{
	collect(pml4, 3, 0, fn, arg);
}
