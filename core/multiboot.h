/* Multiboot (v1) ELF guest loader. Pure: works on a byte image and a guest
 * memory buffer, so that malformed images are unit-tested on the host.
 *
 * The guest is entered as QEMU's -kernel enters one: 32-bit protected mode,
 * paging off, EAX = MB_BOOT_MAGIC, EBX = guest-physical address of the
 * multiboot information structure (memory map, command line, loader name).
 */
#ifndef CORE_MULTIBOOT_H
#define CORE_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

#define MB_HEADER_MAGIC	0x1BADB002u
#define MB_BOOT_MAGIC	0x2BADB002u

/* Low guest memory where the multiboot info, memory map and command line
 * are placed; a kernel segment overlapping it is refused. */
#define MB_INFO_BASE	0x8000u
#define MB_INFO_END	0x10000u

struct mb_loaded {
	uint32_t entry;		/* guest-physical entry point */
	uint32_t info;		/* guest-physical address of multiboot info */
	uint32_t image_end;	/* first byte past the highest segment */
};

/* Validate the ELF32 multiboot image 'img' (size bytes, named 'name' in
 * messages), copy its PT_LOAD segments into guest memory 'mem' (mem_size
 * bytes, guest-physical 0 at mem[0]), zero their BSS, and build the
 * multiboot info with 'cmdline'. Returns 0, or -1 with a one-line message
 * in err naming the file and the field or segment at fault. */
int mb_load(const uint8_t *img, size_t size, const char *name,
	    uint8_t *mem, uint64_t mem_size, const char *cmdline,
	    struct mb_loaded *out, char *err, size_t errlen);

#endif
