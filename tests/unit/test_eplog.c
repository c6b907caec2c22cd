/* Epoch log codec, state digest and snapshot format (ft/eplog.c,
 * ft/digest.c, ft/snapshot.c). */
#include <string.h>
#include "tests/unit/check.h"
#include "ft/digest.h"
#include "ft/eplog.h"
#include "ft/snapshot.h"

static uint8_t buf[4096];

static void fill(struct eplog *l)
{
	uint8_t io[7] = { 0xfd, 0x03, 1, 1, 1, 0, 0x60 };
	uint64_t tsc = 0x123456789ull;
	struct eplog_end end = { .kind = EPOCH_END_FULL, .progress = 1000,
				 .ndirty = 1 };
	uint8_t e[sizeof(end) + sizeof(struct eplog_page)];
	struct eplog_page pg = { 5, 0xabcd };

	CHECK_EQ(eplog_init(l, buf, sizeof(buf)), 0);
	CHECK_EQ(eplog_append(l, EPLOG_IO, 1, io, sizeof(io)), 0);
	CHECK_EQ(eplog_append(l, EPLOG_TSC, 1, &tsc, 8), 0);
	memcpy(e, &end, sizeof(end));
	memcpy(e + sizeof(end), &pg, sizeof(pg));
	CHECK_EQ(eplog_append(l, EPLOG_END, 1, e, sizeof(e)), 0);
}

static void test_roundtrip(void)
{
	struct eplog l;
	struct eplog_reader r;
	struct eplog_rec rec;
	char err[128];
	uint64_t v;

	fill(&l);
	CHECK_EQ(eplog_reader_init(&r, buf, l.len, err, sizeof(err)), 0);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), 1);
	CHECK_EQ(rec.type, EPLOG_IO);
	CHECK_EQ(rec.payload[6], 0x60);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), 1);
	CHECK_EQ(rec.type, EPLOG_TSC);
	memcpy(&v, rec.payload, 8);
	CHECK_EQ(v, 0x123456789ull);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), 1);
	CHECK_EQ(rec.type, EPLOG_END);
	CHECK_EQ(rec.index, 2);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), 0);
	CHECK_STR(eplog_type_name(EPLOG_CPUID), "cpuid");
	CHECK_STR(eplog_end_name(EPOCH_END_HLT), "hlt");
}

/* Every cut inside a record is an error naming it; cuts between records
 * are clean ends. */
static void test_truncated(void)
{
	struct eplog l;
	struct eplog_reader r;
	struct eplog_rec rec;
	char err[128];

	fill(&l);
	for (size_t cut = EPLOG_HDR; cut < l.len; cut++) {
		int rc;

		CHECK_EQ(eplog_reader_init(&r, buf, cut, err, sizeof(err)), 0);
		while ((rc = eplog_next(&r, &rec, err, sizeof(err))) == 1)
			;
		if (cut == EPLOG_HDR || cut == EPLOG_HDR + 23 ||
		    cut == EPLOG_HDR + 23 + 24)
			CHECK_EQ(rc, 0);
		else
			CHECK(rc == -1 && strstr(err, "offset"));
	}
	CHECK_EQ(eplog_reader_init(&r, buf, 5, err, sizeof(err)), -1);
	CHECK(strstr(err, "truncated") != NULL);
}

static void test_corrupt(void)
{
	struct eplog l;
	struct eplog_reader r;
	struct eplog_rec rec;
	char err[128];

	fill(&l);
	buf[EPLOG_HDR + 23 + 13] ^= 1;	/* TSC payload */
	CHECK_EQ(eplog_reader_init(&r, buf, l.len, err, sizeof(err)), 0);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), 1);
	CHECK_EQ(eplog_next(&r, &rec, err, sizeof(err)), -1);
	CHECK(strstr(err, "record 1 at offset 35: CRC") != NULL);
	buf[0] ^= 1;
	CHECK_EQ(eplog_reader_init(&r, buf, l.len, err, sizeof(err)), -1);
	CHECK(strstr(err, "magic") != NULL);
}

static void test_full(void)
{
	struct eplog l;
	uint8_t big[100] = { 0 };

	CHECK_EQ(eplog_init(&l, buf, 40), 0);
	CHECK_EQ(eplog_append(&l, EPLOG_TSC, 1, big, 8), 0);
	CHECK_EQ(eplog_append(&l, EPLOG_TSC, 1, big, 8), -1);
	CHECK(l.full);
}

static void test_digest(void)
{
	struct eplog_page a[3] = { { 1, 10 }, { 4, 20 }, { 9, 30 } };
	struct eplog_page b[3] = { { 1, 10 }, { 4, 21 }, { 9, 30 } };
	uint64_t ra[4] = { 1, 2, 3, 4 }, rb[4] = { 1, 2, 5, 4 };
	static uint8_t page[4096];
	uint32_t gfn = 0;

	CHECK_EQ(digest_first_reg(ra, ra, 4), -1);
	CHECK_EQ(digest_first_reg(ra, rb, 4), 2);
	CHECK_EQ(digest_first_page(a, 3, a, 3, &gfn), -1);
	CHECK_EQ(digest_first_page(a, 3, b, 3, &gfn), 0);
	CHECK_EQ(gfn, 4);
	CHECK_EQ(digest_first_page(a, 3, a, 2, &gfn), 0);
	CHECK_EQ(gfn, 9);
	CHECK(digest_mem(a, 3) != digest_mem(b, 3));
	CHECK_EQ(digest_mem(a, 3), digest_mem(a, 3));
	CHECK_EQ(digest_page(page), 0x98f94189);	/* CRC-32C of 4 KiB 0 */
}

static void test_snapshot(void)
{
	static uint8_t sbuf[256];
	struct snap s;
	uint64_t len = 0;
	const uint8_t *p;
	uint8_t *w;

	CHECK_EQ(snap_init(&s, sbuf, sizeof(sbuf)), 0);
	w = snap_add(&s, "vcpu", 5);
	CHECK(w != NULL);
	memcpy(w, "abcde", 5);
	w = snap_add(&s, "ram", 16);
	CHECK(w != NULL);
	memset(w, 7, 16);
	CHECK(snap_add(&s, "big", 1000) == NULL);
	p = snap_find(sbuf, s.len, "ram", &len);
	CHECK(p && len == 16 && p[15] == 7);
	p = snap_find(sbuf, s.len, "vcpu", &len);
	CHECK(p && len == 5 && !memcmp(p, "abcde", 5));
	CHECK(snap_find(sbuf, s.len, "devices", &len) == NULL);
	CHECK(snap_find(sbuf, s.len - 1, "ram", &len) == NULL);
	sbuf[4] = 9;	/* version */
	CHECK(snap_find(sbuf, s.len, "vcpu", &len) == NULL);
}

static const struct tcase cases[] = {
	TCASE(roundtrip),
	TCASE(truncated),
	TCASE(corrupt),
	TCASE(full),
	TCASE(digest),
	TCASE(snapshot),
};

int main(int argc, char **argv)
{
	return RUN_CASES("eplog", cases, argc, argv);
}
