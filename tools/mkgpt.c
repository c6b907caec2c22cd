// SPDX-License-Identifier: MIT
/*
 * mkgpt - write a GPT partition table with one EFI system partition.
 *
 *   mkgpt IMAGE
 *
 * IMAGE must exist and be a multiple of 512 bytes long (at least 4 MiB).
 * mkgpt writes the protective MBR (LBA 0), the primary GPT header and
 * partition array (LBA 1, LBA 2-33), the backup partition array and the
 * backup header (the last 33 sectors), and prints the byte offset and the
 * byte size of the partition on stdout ("1048576 32505856"), for mformat.
 *
 * The partition starts at 1 MiB and its size is a multiple of 1 MiB. The
 * disk and partition GUIDs are fixed so that the image is reproducible.
 * Nothing else in the file is touched: the caller formats the partition.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECTOR		512
#define ALIGN_LBA	2048			/* 1 MiB */
#define N_ENTRIES	128
#define ENTRY_SIZE	128
#define ARRAY_SECTORS	(N_ENTRIES * ENTRY_SIZE / SECTOR)	/* 32 */
#define HEADER_SIZE	92

/* GUIDs in their on-disk (mixed-endian) byte order. */
static const uint8_t esp_type_guid[16] = {	/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
	0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b,
};
static const uint8_t disk_guid[16] = {		/* 7A4E0D51-6F1B-4C5E-9B1D-74616E64656D */
	0x51, 0x0d, 0x4e, 0x7a, 0x1b, 0x6f, 0x5e, 0x4c,
	0x9b, 0x1d, 0x74, 0x61, 0x6e, 0x64, 0x65, 0x6d,
};
static const uint8_t part_guid[16] = {		/* 7A4E0D52-6F1B-4C5E-9B1D-74616E64656D */
	0x52, 0x0d, 0x4e, 0x7a, 0x1b, 0x6f, 0x5e, 0x4c,
	0x9b, 0x1d, 0x74, 0x61, 0x6e, 0x64, 0x65, 0x6d,
};

static uint32_t crc32(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int k;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
	}
	return ~crc;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, v);
	put32(p + 4, v >> 32);
}

static int write_at(int fd, const void *buf, size_t len, uint64_t lba)
{
	ssize_t n = pwrite(fd, buf, len, (off_t)(lba * SECTOR));

	if (n != (ssize_t)len) {
		fprintf(stderr, "mkgpt: write at LBA %llu: %s\n",
			(unsigned long long)lba,
			n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static void make_mbr(uint8_t *mbr, uint64_t sectors)
{
	uint8_t *pe = mbr + 446;
	uint64_t size = sectors - 1;

	memset(mbr, 0, SECTOR);
	pe[0] = 0x00;			/* not bootable */
	pe[1] = 0x00;			/* CHS of LBA 1: 0/0/2 */
	pe[2] = 0x02;
	pe[3] = 0x00;
	pe[4] = 0xee;			/* GPT protective */
	pe[5] = 0xff;			/* CHS end: maximum */
	pe[6] = 0xff;
	pe[7] = 0xff;
	put32(pe + 8, 1);
	put32(pe + 12, size > 0xffffffff ? 0xffffffff : (uint32_t)size);
	mbr[510] = 0x55;
	mbr[511] = 0xaa;
}

static void make_entries(uint8_t *array, uint64_t first, uint64_t last)
{
	static const char name[] = "EFI system partition";
	uint8_t *e = array;
	size_t i;

	memset(array, 0, N_ENTRIES * ENTRY_SIZE);
	memcpy(e, esp_type_guid, 16);
	memcpy(e + 16, part_guid, 16);
	put64(e + 32, first);
	put64(e + 40, last);
	put64(e + 48, 0);		/* attributes */
	for (i = 0; name[i]; i++)	/* UTF-16LE */
		put16(e + 56 + 2 * i, (uint8_t)name[i]);
}

static void make_header(uint8_t *hdr, uint64_t my_lba, uint64_t alt_lba,
			uint64_t array_lba, uint64_t sectors, uint32_t array_crc)
{
	memset(hdr, 0, SECTOR);
	memcpy(hdr, "EFI PART", 8);
	put32(hdr + 8, 0x00010000);	/* revision 1.0 */
	put32(hdr + 12, HEADER_SIZE);
	put32(hdr + 16, 0);		/* header CRC, filled in below */
	put64(hdr + 24, my_lba);
	put64(hdr + 32, alt_lba);
	put64(hdr + 40, 2 + ARRAY_SECTORS);		/* first usable */
	put64(hdr + 48, sectors - 2 - ARRAY_SECTORS);	/* last usable */
	memcpy(hdr + 56, disk_guid, 16);
	put64(hdr + 72, array_lba);
	put32(hdr + 80, N_ENTRIES);
	put32(hdr + 84, ENTRY_SIZE);
	put32(hdr + 88, array_crc);
	put32(hdr + 16, crc32(hdr, HEADER_SIZE));
}

int main(int argc, char **argv)
{
	static uint8_t array[N_ENTRIES * ENTRY_SIZE];
	uint8_t mbr[SECTOR], hdr[SECTOR];
	uint64_t sectors, first, last, last_usable;
	uint32_t array_crc;
	struct stat st;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: mkgpt IMAGE\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "mkgpt: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (st.st_size % SECTOR || st.st_size < 4 * 1024 * 1024) {
		fprintf(stderr, "mkgpt: %s: size %lld is not a multiple of %d of at least 4 MiB\n",
			argv[1], (long long)st.st_size, SECTOR);
		return 1;
	}
	sectors = (uint64_t)st.st_size / SECTOR;
	last_usable = sectors - 2 - ARRAY_SECTORS;
	first = ALIGN_LBA;
	last = (last_usable + 1) / ALIGN_LBA * ALIGN_LBA - 1;

	make_mbr(mbr, sectors);
	make_entries(array, first, last);
	array_crc = crc32(array, sizeof(array));

	if (write_at(fd, mbr, SECTOR, 0))
		return 1;
	make_header(hdr, 1, sectors - 1, 2, sectors, array_crc);
	if (write_at(fd, hdr, SECTOR, 1) || write_at(fd, array, sizeof(array), 2))
		return 1;
	make_header(hdr, sectors - 1, 1, sectors - 1 - ARRAY_SECTORS, sectors,
		    array_crc);
	if (write_at(fd, array, sizeof(array), sectors - 1 - ARRAY_SECTORS) ||
	    write_at(fd, hdr, SECTOR, sectors - 1))
		return 1;
	if (close(fd) < 0) {
		fprintf(stderr, "mkgpt: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	printf("%llu %llu\n", (unsigned long long)(first * SECTOR),
	       (unsigned long long)((last - first + 1) * SECTOR));
	return 0;
}
