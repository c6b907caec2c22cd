/* SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF",
 * 2012): a keyed hash used here as the link's frame MAC (128-bit output)
 * and as a 64-bit digest. Pure. */
#ifndef FT_SIPHASH_H
#define FT_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN	16

struct siphash {
	uint64_t v0, v1, v2, v3;
	uint64_t tail;		/* bytes not yet compressed, little-endian */
	size_t len;		/* total bytes fed */
	int out128;
};

/* Incremental: init, update as often as needed, final. */
void siphash_init(struct siphash *s, const uint8_t key[SIPHASH_KEY_LEN],
		  int out128);
void siphash_update(struct siphash *s, const void *buf, size_t len);
/* Writes 8 or 16 bytes (out128), in the reference byte order. */
void siphash_final(struct siphash *s, uint8_t *out);

uint64_t siphash64(const uint8_t key[SIPHASH_KEY_LEN], const void *buf,
		   size_t len);
void siphash128(const uint8_t key[SIPHASH_KEY_LEN], const void *buf,
		size_t len, uint8_t out[16]);

#endif
