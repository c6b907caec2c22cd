/* What boot/ hands to core/ once boot services are gone. */
#ifndef CORE_BOOT_INFO_H
#define CORE_BOOT_INFO_H

#include <stddef.h>
#include <stdint.h>
#include "core/config.h"

#define BOOT_NIC_MAX	8

enum boot_reset {
	BOOT_POWEROFF,
	BOOT_REBOOT,
};

struct boot_info {
	struct tandem_config cfg;
	const char *cfg_name;		/* "tandem.cfg", for messages */
	const uint8_t *guest_image;	/* 'guest' or 'kernel' file contents */
	size_t guest_image_size;
	const uint8_t *initrd_image;	/* 'initrd' contents, or NULL */
	size_t initrd_image_size;
	uint8_t *guest_mem;		/* guest RAM (host-physical = virtual) */
	uint64_t guest_mem_size;
	uint8_t *pool;			/* tandem's own memory, page-aligned */
	uint64_t pool_size;
	uint64_t phys_top;		/* end of the highest memory-map entry */
	uint64_t tsc_hz;		/* measured against the firmware's Stall */
	uint64_t tsc_efi_entry;		/* boot timeline, TSC ticks */
	uint64_t tsc_exit_bs;
	uint64_t unix_time;		/* wall clock at boot, from firmware */
	/* PCI functions (bus << 8 | dev << 3 | fn) whose firmware drivers
	 * boot/efi_nic.c stopped for the replication link. */
	uint16_t nic_released[BOOT_NIC_MAX];
	uint8_t nic_released_count;
	/* Firmware power-off / restart; returns only on failure. */
	void (*reset)(enum boot_reset how, uint64_t status);
};

/* core/ entry point: never returns. */
void core_main(struct boot_info *bi) __attribute__((noreturn));

#endif
