/* libFuzzer target: arbitrary bytes as an epoch log (ft/eplog.c). The
 * reader must reject anything malformed with an error and never read out
 * of bounds (ASan, UBSan). The first input byte, if odd, makes the
 * input's records' CRCs good so that the fuzzer gets past them.
 * make fuzz-eplog (tests/fuzz/fuzz.mk). */
#include <stdlib.h>
#include <string.h>
#include "ft/crc32c.h"
#include "ft/eplog.h"

static void fix_crcs(uint8_t *b, size_t len)
{
	size_t off = EPLOG_HDR;

	while (len - off >= EPLOG_REC_HDR + 4) {
		uint32_t plen, crc;

		memcpy(&plen, b + off + 8, 4);
		if (plen > len - off - EPLOG_REC_HDR - 4)
			return;
		crc = crc32c(0, b + off, EPLOG_REC_HDR + plen);
		memcpy(b + off + EPLOG_REC_HDR + plen, &crc, 4);
		off += EPLOG_REC_HDR + plen + 4;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eplog_reader r;
	struct eplog_rec rec;
	char err[160];
	uint8_t *b;
	int rc;

	if (!size)
		return 0;
	b = malloc(size - 1 ? size - 1 : 1);
	memcpy(b, data + 1, size - 1);
	if ((data[0] & 1) && size - 1 >= EPLOG_HDR)
		fix_crcs(b, size - 1);
	if (!eplog_reader_init(&r, b, size - 1, err, sizeof(err))) {
		while ((rc = eplog_next(&r, &rec, err, sizeof(err))) == 1) {
			volatile uint8_t sink = 0;

			for (uint32_t i = 0; i < rec.len; i++)
				sink ^= rec.payload[i];
			(void)sink;
		}
	}
	free(b);
	return 0;
}
