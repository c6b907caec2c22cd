#include "lib/palloc.h"
#include "lib/string.h"

static uint8_t *pool_next, *pool_end;

void palloc_init(void *base, uint64_t size)
{
	pool_next = base;
	pool_end = pool_next + size;
}

void *palloc_pages(size_t n)
{
	uint8_t *p = pool_next;

	if ((uint64_t)(pool_end - pool_next) / PAGE_SIZE < n)
		return NULL;
	pool_next += n * PAGE_SIZE;
	memset(p, 0, n * PAGE_SIZE);
	return p;
}

uint64_t palloc_free_bytes(void)
{
	return (uint64_t)(pool_end - pool_next);
}
