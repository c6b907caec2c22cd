/* Guest state digests (ft/digest.h). Pure. */
#include "ft/digest.h"
#include "ft/crc32c.h"

uint32_t digest_page(const void *page)
{
	return crc32c(0, page, 4096);
}

uint64_t digest_mem(const struct eplog_page *pages, uint32_t n)
{
	/* two CRCs with different seeds: 64 bits against chance equality */
	uint32_t lo = crc32c(0, pages, (size_t)n * sizeof(*pages));
	uint32_t hi = crc32c(0x9e3779b9u, pages, (size_t)n * sizeof(*pages));

	return (uint64_t)hi << 32 | lo;
}

int digest_first_reg(const uint64_t *a, const uint64_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return (int)i;
	return -1;
}

int digest_first_page(const struct eplog_page *a, uint32_t na,
		      const struct eplog_page *b, uint32_t nb,
		      uint32_t *gfn)
{
	uint32_t i = 0, j = 0;

	while (i < na || j < nb) {
		if (j >= nb || (i < na && a[i].gfn < b[j].gfn)) {
			*gfn = a[i].gfn;
			return 0;
		}
		if (i >= na || b[j].gfn < a[i].gfn) {
			*gfn = b[j].gfn;
			return 0;
		}
		if (a[i].crc != b[j].crc) {
			*gfn = a[i].gfn;
			return 0;
		}
		i++;
		j++;
	}
	return -1;
}
