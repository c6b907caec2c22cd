/* Unit tests for the link's pure building blocks: CRC-32C, SipHash-2-4,
 * and the frame codec (ft/frame.c), including every truncation and every
 * single-bit corruption of a frame. */
#include "tests/unit/check.h"
#include "ft/crc32c.h"
#include "ft/frame.h"
#include "ft/siphash.h"

static const uint8_t key[16] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
};

static void test_crc32c_vectors(void)
{
	uint8_t zeros[32] = { 0 }, ones[32];

	memset(ones, 0xff, sizeof(ones));
	/* RFC 3720 B.4 test patterns */
	CHECK_EQ(crc32c(0, "123456789", 9), 0xe3069283);
	CHECK_EQ(crc32c(0, zeros, 32), 0x8a9136aa);
	CHECK_EQ(crc32c(0, ones, 32), 0x62a8ab43);
	CHECK_EQ(crc32c(0, "", 0), 0);
}

/* The CRC32 instruction and the tables agree, at every length and
 * alignment (where the host has SSE4.2; the tables alone otherwise). */
static void test_crc32c_hw_sw(void)
{
	uint8_t buf[600];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	CHECK_EQ(crc32c_sw(0, "123456789", 9), 0xe3069283);
	if (!crc32c_hw_available())
		return;
	CHECK_EQ(crc32c_hw(0, "123456789", 9), 0xe3069283);
	for (size_t off = 0; off < 9; off++)
		for (size_t len = 0; len + off <= sizeof(buf); len += 37)
			CHECK_EQ(crc32c_hw(5, buf + off, len),
				 crc32c_sw(5, buf + off, len));
}

static void test_crc32c_incremental(void)
{
	uint8_t buf[1000];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	for (size_t cut = 0; cut <= sizeof(buf); cut += 37)
		CHECK_EQ(crc32c(crc32c(0, buf, cut), buf + cut,
				sizeof(buf) - cut),
			 crc32c(0, buf, sizeof(buf)));
}

/* Reference vectors (SipHash paper / reference code vectors.h): key
 * 00..0f, message 00..len-1. */
static void test_siphash_vectors(void)
{
	static const uint64_t v64[] = {
		0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull,
		0x0d6c8009d9a94f5aull, 0x85676696d7fb7e2dull,
		0xcf2794e0277187b7ull, 0x18765564cd99a68dull,
		0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
		0x93f5f5799a932462ull, 0x9e0082df0ba9e4b0ull,
	};
	static const uint8_t v128[3][16] = {
		{ 0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6,
		  0x72, 0x14, 0xc7, 0x55, 0x02, 0x93 },
		{ 0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76,
		  0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45 },
		{ 0x81, 0x77, 0x22, 0x8d, 0xa4, 0xa4, 0x5d, 0xc7, 0xfc, 0xa3,
		  0x8b, 0xde, 0xf6, 0x0a, 0xff, 0xe4 },
	};
	static const uint8_t v15[8] = { 0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca,
					0x29, 0xa1 };
	uint8_t msg[16], out[16];

	for (int i = 0; i < 16; i++)
		msg[i] = (uint8_t)i;
	for (size_t n = 0; n < sizeof(v64) / sizeof(v64[0]); n++)
		CHECK_EQ(siphash64(key, msg, n), v64[n]);
	for (size_t n = 0; n < 3; n++) {
		siphash128(key, msg, n, out);
		CHECK(!memcmp(out, v128[n], 16));
	}
	siphash128(key, msg, 0, out);
	{
		struct siphash s;
		uint8_t o8[8];

		siphash_init(&s, key, 0);
		siphash_update(&s, msg, 15);
		siphash_final(&s, o8);
		CHECK(!memcmp(o8, v15, 8));
	}
}

static void test_siphash_incremental(void)
{
	uint8_t buf[300], a[16], b[16];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i ^ 0x5a);
	siphash128(key, buf, sizeof(buf), a);
	for (size_t step = 1; step < 20; step++) {
		struct siphash s;

		siphash_init(&s, key, 1);
		for (size_t off = 0; off < sizeof(buf); off += step)
			siphash_update(&s, buf + off, off + step > sizeof(buf) ?
				       sizeof(buf) - off : step);
		siphash_final(&s, b);
		CHECK(!memcmp(a, b, 16));
	}
}

static struct frame_hdr sample_hdr(uint8_t type, uint16_t len)
{
	struct frame_hdr h = {
		.dst = { 0x52, 0x54, 0, 0, 0, 2 },
		.src = { 0x52, 0x54, 0, 0, 0, 1 },
		.version = LINK_VERSION, .type = type, .session = 0xdeadbeef,
		.xid = 7, .seq = 0x80000001u, .ack = 42,
		.sack = 0x8000000000000005ull, .window = 32, .len = len,
		.echo = 0xfedcba98,
	};
	return h;
}

static size_t make_frame(uint8_t *buf, size_t size, uint8_t type,
			 uint16_t len, const uint8_t *k)
{
	struct frame_hdr h = sample_hdr(type, len);

	for (uint16_t i = 0; i < len; i++)
		buf[FRAME_PAYLOAD_OFF + i] = (uint8_t)(i * 13);
	return frame_seal(buf, size, &h, k);
}

static void test_roundtrip(void)
{
	static const uint16_t lens[] = { 0, 1, 13, 14, 100, FRAME_PAYLOAD_MAX };
	uint8_t buf[FRAME_MAX];

	for (int auth = 0; auth < 2; auth++)
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct frame_hdr want = sample_hdr(FRAME_DATA, lens[i]);
			struct frame_hdr got;
			const uint8_t *pl;
			size_t n = make_frame(buf, sizeof(buf), FRAME_DATA,
					      lens[i], auth ? key : NULL);

			REQUIRE(n >= ETH_MIN_LEN && n <= FRAME_MAX);
			CHECK_EQ(frame_open(buf, n, &got, &pl), FRAME_OK);
			CHECK(!memcmp(got.dst, want.dst, 6));
			CHECK(!memcmp(got.src, want.src, 6));
			CHECK_EQ(got.type, FRAME_DATA);
			CHECK_EQ(got.session, want.session);
			CHECK_EQ(got.xid, want.xid);
			CHECK_EQ(got.seq, want.seq);
			CHECK_EQ(got.ack, want.ack);
			CHECK_EQ(got.sack, want.sack);
			CHECK_EQ(got.window, want.window);
			CHECK_EQ(got.len, lens[i]);
			CHECK_EQ(got.echo, want.echo);
			CHECK_EQ(got.flags, auth ? FRAME_F_AUTH : 0);
			CHECK_EQ(pl - buf, FRAME_PAYLOAD_OFF);
			CHECK_EQ(frame_verify(buf, &got, key),
				 auth ? FRAME_OK : FRAME_E_AUTH);
		}
	CHECK_EQ(FRAME_PAYLOAD_MAX, 1444);
	{
		uint8_t big[FRAME_MAX];

		CHECK_EQ(make_frame(big, sizeof(big), FRAME_DATA,
				    FRAME_PAYLOAD_MAX, key), FRAME_MAX);
	}
}

static void test_seal_limits(void)
{
	uint8_t buf[FRAME_MAX + 8];
	struct frame_hdr h = sample_hdr(FRAME_DATA, FRAME_PAYLOAD_MAX + 1);

	CHECK_EQ(frame_seal(buf, sizeof(buf), &h, NULL), 0);
	h.len = 100;
	CHECK_EQ(frame_seal(buf, 100, &h, NULL), 0);
	h.len = 0;
	CHECK_EQ(frame_seal(buf, 59, &h, NULL), 0);
	CHECK_EQ(frame_seal(buf, 60, &h, NULL), 60);
}

static void test_wrong_key(void)
{
	uint8_t buf[FRAME_MAX], other[16] = { 1 };
	struct frame_hdr h;
	const uint8_t *pl;
	size_t n = make_frame(buf, sizeof(buf), FRAME_ACK, 0, key);

	REQUIRE(frame_open(buf, n, &h, &pl) == FRAME_OK);
	CHECK_EQ(frame_verify(buf, &h, other), FRAME_E_AUTH);
	CHECK_EQ(frame_verify(buf, &h, NULL), FRAME_E_AUTH);
	CHECK_EQ(frame_verify(buf, &h, key), FRAME_OK);
}

/* Every truncation is refused, and never read past its end (ASan). */
static void test_truncations(void)
{
	uint8_t full[FRAME_MAX];
	size_t n = make_frame(full, sizeof(full), FRAME_DATA, 200, key);

	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		struct frame_hdr h;
		const uint8_t *pl;
		enum frame_err e;

		memcpy(copy, full, len);
		e = frame_open(copy, len, &h, &pl);
		if (len < ETH_HDR_LEN)
			CHECK_EQ(e, FRAME_NOT_OURS);
		else if (len < ETH_HDR_LEN + FRAME_HDR_LEN + FRAME_CRC_LEN)
			CHECK_EQ(e, FRAME_E_SHORT);
		else
			CHECK_EQ(e, FRAME_E_LENGTH);
		free(copy);
	}
}

/* Every single-bit flip after the Ethernet header is caught. */
static void test_bit_flips(void)
{
	uint8_t buf[FRAME_MAX];
	size_t n = make_frame(buf, sizeof(buf), FRAME_DATA, 64, key);
	size_t end = ETH_HDR_LEN + FRAME_HDR_LEN + 64 + FRAME_TAG_LEN +
		     FRAME_CRC_LEN;

	for (size_t byte = ETH_HDR_LEN; byte < end; byte++)
		for (int bit = 0; bit < 8; bit++) {
			struct frame_hdr h;
			const uint8_t *pl;
			enum frame_err e;

			buf[byte] ^= (uint8_t)(1 << bit);
			e = frame_open(buf, n, &h, &pl);
			CHECK(e != FRAME_OK);
			buf[byte] ^= (uint8_t)(1 << bit);
		}
	{
		struct frame_hdr h;
		const uint8_t *pl;

		CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_OK);
	}
}

static void test_padding_ignored(void)
{
	uint8_t buf[FRAME_MAX + 100];
	struct frame_hdr h;
	const uint8_t *pl;
	size_t n = make_frame(buf, sizeof(buf), FRAME_ACK, 0, NULL);

	CHECK_EQ(n, ETH_MIN_LEN);
	memset(buf + n, 0xee, 50);
	CHECK_EQ(frame_open(buf, n + 50, &h, &pl), FRAME_OK);
}

static void reseal_raw(uint8_t *buf, size_t len_field)
{
	uint8_t *lh = buf + ETH_HDR_LEN;
	size_t body = FRAME_HDR_LEN + len_field + (lh[2] & 1 ? 16 : 0);

	put_be32(lh + body, crc32c(0, lh, body));
}

static void test_header_checks(void)
{
	uint8_t buf[FRAME_MAX];
	struct frame_hdr h;
	const uint8_t *pl;
	size_t n;

	n = make_frame(buf, sizeof(buf), FRAME_DATA, 10, NULL);
	buf[ETH_HDR_LEN + 1] = 9;		/* type */
	reseal_raw(buf, 10);
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_E_TYPE);

	n = make_frame(buf, sizeof(buf), FRAME_DATA, 10, NULL);
	buf[ETH_HDR_LEN + 3] = 1;		/* reserved */
	reseal_raw(buf, 10);
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_E_FLAGS);

	n = make_frame(buf, sizeof(buf), FRAME_DATA, 10, NULL);
	buf[ETH_HDR_LEN + 2] = 0x80;		/* unknown flag */
	reseal_raw(buf, 10);
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_E_FLAGS);

	/* DATA and ACK of another version: refused; HELLO and REFUSE of
	 * any version decode, so that the handshake can say why. */
	for (uint8_t t = FRAME_HELLO; t <= FRAME_ACK; t++) {
		n = make_frame(buf, sizeof(buf), t, 10, NULL);
		buf[ETH_HDR_LEN] = LINK_VERSION + 1;
		reseal_raw(buf, 10);
		CHECK_EQ(frame_open(buf, n, &h, &pl),
			 t == FRAME_HELLO || t == FRAME_REFUSE ?
			 FRAME_OK : FRAME_E_VERSION);
	}

	n = make_frame(buf, sizeof(buf), FRAME_DATA, 10, NULL);
	buf[12] = 0x08;				/* IPv4 EtherType */
	buf[13] = 0x00;
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_NOT_OURS);

	/* len field above the maximum, and past the end */
	n = make_frame(buf, sizeof(buf), FRAME_DATA, 10, NULL);
	put_be16(buf + ETH_HDR_LEN + 30, FRAME_PAYLOAD_MAX + 1);
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_E_LENGTH);
	put_be16(buf + ETH_HDR_LEN + 30, 0xffff);
	CHECK_EQ(frame_open(buf, n, &h, &pl), FRAME_E_LENGTH);
	CHECK_STR(frame_err_name(FRAME_E_CRC), "bad CRC");
	CHECK_STR(frame_err_name((enum frame_err)99), "?");
}

static void test_hello_refuse(void)
{
	struct hello a = { .version = 1, .role = ROLE_BACKUP, .window = 17,
			   .timeout_ms = 1234, .build_id = 0x1122334455667788,
			   .cfg_digest = 0x99, .nonce = 0xabcdef,
			   .echo = 0x12, .flags = HELLO_F_UP }, b;
	struct refuse r = { .reason = REFUSE_CONFIG, .echo = 5, .mine = 6,
			    .yours = 7 }, s;
	uint8_t p[64];

	hello_put(p, &a);
	REQUIRE(hello_get(p, HELLO_LEN, &b) == 0);
	CHECK(a.version == b.version && a.role == b.role &&
	      a.window == b.window && a.timeout_ms == b.timeout_ms &&
	      a.build_id == b.build_id && a.cfg_digest == b.cfg_digest &&
	      a.nonce == b.nonce && a.echo == b.echo && a.flags == b.flags);
	CHECK_EQ(hello_get(p, HELLO_LEN - 1, &b), -1);
	refuse_put(p, &r);
	REQUIRE(refuse_get(p, REFUSE_LEN, &s) == 0);
	CHECK(s.reason == r.reason && s.echo == 5 && s.mine == 6 &&
	      s.yours == 7);
	CHECK_EQ(refuse_get(p, REFUSE_LEN - 1, &s), -1);
}

static void test_records(void)
{
	uint8_t p[FRAME_PAYLOAD_MAX], msg[LINK_MSG_MAX + 1] = { 0 };
	size_t off = 0, mlen;
	const uint8_t *m;
	uint8_t chan;

	CHECK_EQ(rec_put(p, sizeof(p), &off, 1, "abc", 3), 0);
	CHECK_EQ(rec_put(p, sizeof(p), &off, 2, "", 0), 0);
	CHECK_EQ(off, 9);
	CHECK_EQ(rec_count(p, off), 2);
	{
		size_t o = 0;

		CHECK_EQ(rec_next(p, off, &o, &chan, &m, &mlen), 1);
		CHECK(chan == 1 && mlen == 3 && !memcmp(m, "abc", 3));
		CHECK_EQ(rec_next(p, off, &o, &chan, &m, &mlen), 1);
		CHECK(chan == 2 && mlen == 0);
		CHECK_EQ(rec_next(p, off, &o, &chan, &m, &mlen), 0);
	}
	/* each truncation of the records is malformed, but the empty one */
	for (size_t len = 1; len < off; len++)
		CHECK_EQ(rec_count(p, len), len == 6 ? 1 : -1);
	CHECK_EQ(rec_count(p, 0), 0);
	/* a full-size message fits alone, one byte more does not */
	off = 0;
	CHECK_EQ(rec_put(p, sizeof(p), &off, 0, msg, LINK_MSG_MAX), 0);
	CHECK_EQ(off, FRAME_PAYLOAD_MAX);
	off = 0;
	CHECK_EQ(rec_put(p, sizeof(p), &off, 0, msg, LINK_MSG_MAX + 1), -1);
	off = 10;
	CHECK_EQ(rec_put(p, 12, &off, 0, msg, 0), -1);
}

static const struct tcase cases[] = {
	TCASE(crc32c_vectors),
	TCASE(crc32c_hw_sw),
	TCASE(crc32c_incremental),
	TCASE(siphash_vectors),
	TCASE(siphash_incremental),
	TCASE(roundtrip),
	TCASE(seal_limits),
	TCASE(wrong_key),
	TCASE(truncations),
	TCASE(bit_flips),
	TCASE(padding_ignored),
	TCASE(header_checks),
	TCASE(hello_refuse),
	TCASE(records),
};

int main(int argc, char **argv)
{
	return RUN_CASES("frame", cases, argc, argv);
}
