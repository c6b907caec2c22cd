/* tandem.cfg: the operator's description of the machine and its guest.
 *
 * Text, one "key = value" per line; '#' starts a comment; blank lines are
 * ignored. Keys and their meaning are listed in README.md ("Config file").
 * The parser is pure (no hardware, no UEFI) so that it is unit-tested on
 * the host.
 */
#ifndef CORE_CONFIG_H
#define CORE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define CONFIG_PATH_MAX		128
#define CONFIG_CMDLINE_MAX	1024
#define CONFIG_ERR_MAX		256

struct tandem_config {
	char guest[CONFIG_PATH_MAX];	/* guest image, path on the ESP */
	char cmdline[CONFIG_CMDLINE_MAX]; /* guest command line */
	uint64_t memory;		/* guest RAM, bytes */
	uint16_t serial_port;		/* host console UART I/O base */
	uint32_t serial_baud;
	/* Emulator debug-exit port written with tandem's exit status just
	 * before power-off (QEMU isa-debug-exit); 0 = none. */
	uint16_t host_exit_port;
};

/* Fill *cfg from text (len bytes, need not be NUL-terminated) read from
 * file 'file'. Returns 0, or -1 with a one-line message naming the file,
 * the line and the key at fault in err ("tandem.cfg:3: memory: ..."). */
int config_parse(struct tandem_config *cfg, const char *text, size_t len,
		 const char *file, char *err, size_t errlen);

#endif
