/* Page allocator over the one region boot/ reserved for tandem. Pages are
 * never freed: tandem sizes everything once, at start. */
#ifndef LIB_PALLOC_H
#define LIB_PALLOC_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE	4096ull

void palloc_init(void *base, uint64_t size);
/* n zeroed, page-aligned pages; NULL when the region is exhausted. */
void *palloc_pages(size_t n);
uint64_t palloc_free_bytes(void);

#endif
