/* Host page tables: identity map of all physical memory with 2 MiB pages,
 * so that firmware runtime code, MMIO and every buffer keep the address
 * they had under UEFI. Memory types come from the MTRRs (PAT entry 0 =
 * WB combined with MTRR UC gives UC for MMIO; SDM Vol. 3A, 12.5.2.2). */
#include "arch/x86/host.h"
#include "arch/x86/cpu.h"
#include "lib/palloc.h"

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_PS		(1ull << 7)
#define GIB		(1ull << 30)

static int build_identity_map(uint64_t top, uint64_t *pml4)
{
	uint64_t gibs = (top + GIB - 1) / GIB;

	for (uint64_t g = 0; g < gibs; g++) {
		uint64_t *pdpt, *pd;
		uint64_t i4 = g / 512, i3 = g % 512;

		if (!(pml4[i4] & PTE_P)) {
			pdpt = palloc_pages(1);
			if (!pdpt)
				return -1;
			pml4[i4] = (uint64_t)pdpt | PTE_P | PTE_W;
		}
		pdpt = (uint64_t *)(pml4[i4] & ~0xfffull);
		pd = palloc_pages(1);
		if (!pd)
			return -1;
		pdpt[i3] = (uint64_t)pd | PTE_P | PTE_W;
		for (int i = 0; i < 512; i++)
			pd[i] = (g * GIB + i * (2ull << 20)) | PTE_P | PTE_W |
				PTE_PS;
	}
	return 0;
}

int host_paging_init(uint64_t phys_top)
{
	uint64_t *pml4;

	if (phys_top < 4 * GIB)
		phys_top = 4 * GIB;	/* MMIO below 4 GiB */
	pml4 = palloc_pages(1);
	if (!pml4 || build_identity_map(phys_top, pml4))
		return -1;
	write_cr3((uint64_t)pml4);
	return 0;
}
