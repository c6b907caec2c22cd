/* SipHash-2-4, written from the paper's description: 2 compression
 * rounds per 8-byte word, 4 finalization rounds; the 128-bit variant
 * xors 0xee into v1 at the start and v2 before finalization, then 0xdd
 * into v1 for the second half. */
#include "ft/siphash.h"

static uint64_t rotl(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void sipround(struct siphash *s)
{
	s->v0 += s->v1;
	s->v1 = rotl(s->v1, 13);
	s->v1 ^= s->v0;
	s->v0 = rotl(s->v0, 32);
	s->v2 += s->v3;
	s->v3 = rotl(s->v3, 16);
	s->v3 ^= s->v2;
	s->v0 += s->v3;
	s->v3 = rotl(s->v3, 21);
	s->v3 ^= s->v0;
	s->v2 += s->v1;
	s->v1 = rotl(s->v1, 17);
	s->v1 ^= s->v2;
	s->v2 = rotl(s->v2, 32);
}

static void compress(struct siphash *s, uint64_t m)
{
	s->v3 ^= m;
	sipround(s);
	sipround(s);
	s->v0 ^= m;
}

void siphash_init(struct siphash *s, const uint8_t key[SIPHASH_KEY_LEN],
		  int out128)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);

	s->v0 = k0 ^ 0x736f6d6570736575ull;
	s->v1 = k1 ^ 0x646f72616e646f6dull;
	s->v2 = k0 ^ 0x6c7967656e657261ull;
	s->v3 = k1 ^ 0x7465646279746573ull;
	if (out128)
		s->v1 ^= 0xee;
	s->tail = 0;
	s->len = 0;
	s->out128 = out128;
}

void siphash_update(struct siphash *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	unsigned fill = s->len & 7;

	s->len += len;
	/* finish a partial word first */
	for (; fill && len; len--, fill = (fill + 1) & 7) {
		s->tail |= (uint64_t)*p++ << (8 * fill);
		if (fill == 7) {
			compress(s, s->tail);
			s->tail = 0;
		}
	}
	for (; len >= 8; len -= 8, p += 8)
		compress(s, le64(p));
	for (unsigned i = 0; i < len; i++)
		s->tail |= (uint64_t)p[i] << (8 * i);
}

void siphash_final(struct siphash *s, uint8_t *out)
{
	compress(s, s->tail | (uint64_t)(s->len & 0xff) << 56);
	s->v2 ^= s->out128 ? 0xee : 0xff;
	for (int i = 0; i < 4; i++)
		sipround(s);
	put_le64(out, s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
	if (!s->out128)
		return;
	s->v1 ^= 0xdd;
	for (int i = 0; i < 4; i++)
		sipround(s);
	put_le64(out + 8, s->v0 ^ s->v1 ^ s->v2 ^ s->v3);
}

uint64_t siphash64(const uint8_t key[SIPHASH_KEY_LEN], const void *buf,
		   size_t len)
{
	struct siphash s;
	uint8_t out[8];

	siphash_init(&s, key, 0);
	siphash_update(&s, buf, len);
	siphash_final(&s, out);
	return le64(out);
}

void siphash128(const uint8_t key[SIPHASH_KEY_LEN], const void *buf,
		size_t len, uint8_t out[16])
{
	struct siphash s;

	siphash_init(&s, key, 1);
	siphash_update(&s, buf, len);
	siphash_final(&s, out);
}
