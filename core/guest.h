/* The configured guest: loading its image(s) into guest RAM and the
 * register state it starts with. Used at start and on every guest
 * restart (a guest reset reloads it from the images kept in memory). */
#ifndef CORE_GUEST_H
#define CORE_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include "core/boot_info.h"

struct vcpu;

enum guest_kind {
	GUEST_MULTIBOOT,	/* 32-bit protected mode, paging off */
	GUEST_LINUX,		/* x86 boot protocol, 64-bit entry */
};

struct guest_start {
	enum guest_kind kind;
	uint64_t ip;		/* entry point */
	uint64_t arg0, arg1;	/* multiboot: EAX, EBX; Linux: RSI, - */
	uint64_t cr3, gdt_base;	/* Linux */
	uint16_t gdt_limit;
};

/* Clear guest RAM and load the guest (and, for Linux, the ACPI tables)
 * into it. Returns 0, or -1 with a message naming the file and field. */
int guest_load(const struct boot_info *bi, struct guest_start *gs,
	       char *err, size_t len);
/* Put the vcpu in the guest's start state. */
void guest_start(struct vcpu *v, const struct guest_start *gs);

#endif
