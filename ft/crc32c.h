/* CRC-32C (Castagnoli, polynomial 0x1EDC6F41, reflected), as in iSCSI
 * and ext4: check value crc32c("123456789") = 0xE3069283. Pure. */
#ifndef FT_CRC32C_H
#define FT_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0; the result of one call is the
 * crc argument of the next over following bytes. */
uint32_t crc32c(uint32_t crc, const void *buf, size_t len);

/* The two implementations crc32c() picks from, for tests. */
uint32_t crc32c_sw(uint32_t crc, const void *buf, size_t len);
uint32_t crc32c_hw(uint32_t crc, const void *buf, size_t len);
int crc32c_hw_available(void);

#endif
