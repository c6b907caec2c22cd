/* Digest of guest state at an epoch end: the registers (compared one by
 * one) and the guest pages written during the epoch, each with the
 * CRC-32C of its content, folded into one 64-bit memory digest. Since
 * record and replay start from the same snapshot, equal written pages at
 * every epoch end mean equal memory. Pure. */
#ifndef FT_DIGEST_H
#define FT_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include "ft/eplog.h"

uint32_t digest_page(const void *page);
/* Fold a list of (gfn, crc), in ascending gfn order. */
uint64_t digest_mem(const struct eplog_page *pages, uint32_t n);

/* Index of the first differing register, or -1. */
int digest_first_reg(const uint64_t *a, const uint64_t *b, unsigned n);

/* First page whose content differs between two ascending lists (or
 * that one list has and the other lacks): 0 and *gfn, or -1 if equal. */
int digest_first_page(const struct eplog_page *a, uint32_t na,
		      const struct eplog_page *b, uint32_t nb,
		      uint32_t *gfn);

#endif
