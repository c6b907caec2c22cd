/* CRC-32C: the SSE4.2 CRC32 instruction where the CPU has it (Bochs's
 * Skylake, real hardware; 8 bytes an instruction), else slice-by-8 in
 * software: eight 256-entry tables, eight bytes a step (QEMU's default
 * CPU model has no SSE4.2). Both give the same CRC; unit tests compare
 * them. */
#include "ft/crc32c.h"
#include "lib/string.h"

#define POLY_REFLECTED	0x82f63b78u

static uint32_t table[8][256];
static int table_ready;
static int hw;			/* 0 unknown, 1 yes, -1 no */

static void make_table(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (c & 1 ? POLY_REFLECTED : 0);
		table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			table[t][i] = (table[t - 1][i] >> 8) ^
				      table[0][table[t - 1][i] & 0xff];
	table_ready = 1;
}

/* One unaligned little-endian load: the link runs on x86 only. */
static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, 8);
	return v;
}

uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (!table_ready)
		make_table();
	crc = ~crc;
	for (; len >= 8; len -= 8, p += 8) {
		uint64_t v = le64(p) ^ crc;
		uint32_t lo = (uint32_t)v, hi = (uint32_t)(v >> 32);

		crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^
		      table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
		      table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^
		      table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
	}
	while (len--)
		crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
	return ~crc;
}

#if defined(__x86_64__)
/* CPUID.1:ECX.SSE4_2[bit 20] (SDM Vol. 2A, CRC32). */
int crc32c_hw_available(void)
{
	uint32_t a = 1, b, c = 0, d;

	if (!hw) {
		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
		hw = (c >> 20 & 1) ? 1 : -1;
	}
	return hw > 0;
}

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t c = ~crc;

	for (; len >= 8; len -= 8, p += 8)
		__asm__("crc32q %1, %0" : "+r"(c) : "rm"(le64(p)));
	for (; len; len--, p++)
		__asm__("crc32b %1, %k0" : "+r"(c) : "rm"(*p));
	return ~(uint32_t)c;
}
#else
int crc32c_hw_available(void)
{
	return 0;
}

uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return crc32c_sw(crc, buf, len);
}
#endif

uint32_t crc32c(uint32_t crc, const void *buf, size_t len)
{
	if (crc32c_hw_available())
		return crc32c_hw(crc, buf, len);
	return crc32c_sw(crc, buf, len);
}
