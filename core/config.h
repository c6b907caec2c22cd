/* tandem.cfg: the operator's description of the machine and its guest.
 *
 * Text, one "key = value" per line; '#' starts a comment; blank lines are
 * ignored. Keys and their meaning are listed in README.md ("Config file").
 * The parser is pure (no hardware, no UEFI) so that it is unit-tested on
 * the host.
 *
 * Syntax, exactly:
 *  - lines end in LF or CRLF; a leading UTF-8 byte order mark is skipped;
 *    a NUL byte anywhere is an error;
 *  - blanks (space, tab) around keys, '=' and values are trimmed;
 *  - a line whose first non-blank character is '#' is a comment;
 *  - keys are [A-Za-z0-9_]+, case-sensitive, each at most once;
 *  - a value in double quotes is taken literally ('#' included; there are
 *    no escapes, so a value cannot contain '"'), and only blanks or a
 *    comment may follow the closing quote;
 *  - in an unquoted value, for every key including cmdline, a '#' at its
 *    start or after a blank starts a comment ("a=b#c" keeps "b#c"; to pass
 *    " #" in a guest command line, quote it).
 *
 * Keys: guest (a multiboot kernel) or kernel (a Linux bzImage) with
 * optional initrd, cmdline, memory (64M, 64MiB, 1G, 65536K or
 * bytes; a multiple of 1 MiB in 4 MiB..3072 MiB), serial_port,
 * serial_baud (9600..115200), host_exit_port. Numbers are decimal or 0x-hex;
 * one too big for its field is an error, never a wrap.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_PATH_MAX		128
#define CONFIG_CMDLINE_MAX	1024
#define CONFIG_ERR_MAX		256

struct tandem_config {
	char guest[CONFIG_PATH_MAX];	/* multiboot guest, path on the ESP */
	char kernel[CONFIG_PATH_MAX];	/* or a Linux bzImage ... */
	char initrd[CONFIG_PATH_MAX];	/* ... and its initramfs */
	char cmdline[CONFIG_CMDLINE_MAX]; /* guest command line */
	uint64_t memory;		/* guest RAM, bytes */
	uint16_t serial_port;		/* host console UART I/O base */
	uint32_t serial_baud;
	/* Emulator debug-exit port written with tandem's exit status just
	 * before power-off (QEMU isa-debug-exit); 0 = none. */
	uint16_t host_exit_port;
	/* Replication link (docs/link.md, checked by ft/link_config.c):
	 * role "" = no link. link_test_version is for tests only: it fakes
	 * the advertised protocol version (0: the real one). */
	char role[16];			/* primary | backup */
	char nic[32];			/* auto | bb:dd.f | MAC */
	char link_key[40];		/* 32 hex digits: authenticated mode */
	uint32_t link_timeout_ms;	/* failure detector */
	uint16_t link_window;		/* frames in flight */
	uint8_t link_test_version;
	/* tests only: connect the firmware's drivers to the NIC before
	 * stopping them, as a firmware that used it would have */
	uint8_t link_test_connect;
	/* Epochs and record/replay (docs/epochs.md): epoch = units of
	 * progress per epoch, 0 = off; epoch_counter auto | exact | pmu;
	 * replaycheck = check that many epochs after boot;
	 * replay_corrupt_epoch (tests) flips a logged value in that epoch;
	 * replay_dump = 1 prints the checked log on the console for
	 * tools/logdump. */
	uint32_t epoch;
	char epoch_counter[16];
	/* arm the counter this many units early and single-step the rest
	 * (0: the counter's own skid; docs/epochs.md) */
	uint32_t epoch_skid;
	uint32_t replaycheck;
	uint32_t replay_corrupt_epoch;
	uint64_t epoch_log;		/* log buffer, bytes */
	uint32_t replay_dump;
	/* tests only: 1 makes tandem take a host exception (#UD) once its
	 * own IDT is in place, to check the report */
	uint8_t test_host_fault;
};

/* Fill *cfg from text (len bytes, need not be NUL-terminated) read from
 * file 'file'; keys absent from the text get their defaults. Returns 0, or
 * -1 with a one-line message (no newline) naming the file, the line and the
 * key at fault in err ("tandem.cfg:3: memory: ..."), or only the file for
 * a missing key ("tandem.cfg: missing required key 'guest'"). */
int config_parse(struct tandem_config *cfg, const char *text, size_t len,
		 const char *file, char *err, size_t errlen);

#endif
