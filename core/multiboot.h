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

/* Multiboot header flags (in the kernel image). Bits 0-15 are requirements
 * a loader must meet or refuse the kernel; 16-31 are optional. */
#define MB_HDR_PAGE_ALIGN	(1u << 0)	/* modules page-aligned (none) */
#define MB_HDR_MEMORY_INFO	(1u << 1)	/* mem_* fields: always given */
#define MB_HDR_VIDEO_MODE	(1u << 2)	/* refused */
#define MB_HDR_AOUT_KLUDGE	(1u << 16)	/* refused: ELF only */

/* Multiboot information flags: which fields of struct mb_info are valid. */
#define MB_INFO_MEMORY		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MEM_MAP		(1u << 6)
#define MB_INFO_BOOT_LOADER_NAME (1u << 9)

/* The multiboot information structure, up to the fields tandem may fill
 * (the VBE and framebuffer fields that follow it are left zero). */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;	/* KiB of RAM from 0 */
	uint32_t mem_upper;	/* KiB of RAM from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;	/* guest-physical address of a C string */
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;	/* bytes */
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
};

/* One memory map entry; 'size' counts the bytes after itself (20). */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

#define MB_MEM_AVAILABLE	1
#define MB_MEM_RESERVED		2

struct mb_loaded {
	uint32_t entry;		/* guest-physical entry point */
	uint32_t info;		/* guest-physical address of multiboot info */
	uint32_t image_end;	/* first byte past the highest segment */
};

/* Validate the ELF32 multiboot image 'img' (size bytes, named 'name' in
 * messages), copy its PT_LOAD segments into guest memory 'mem' (mem_size
 * bytes, guest-physical 0 at mem[0]), zero their BSS, and build the
 * multiboot info with 'cmdline' (NULL: empty) in [MB_INFO_BASE,
 * MB_INFO_END). Returns 0, or -1 with a one-line message (no newline) in
 * err naming the file and the field or segment at fault; guest memory is
 * not written unless the whole image is valid.
 *
 * Segments are loaded by p_paddr; "segment N" in messages is program
 * header N. Each must lie in guest memory below 4 GiB and outside
 * [0, MB_INFO_END) and the reserved [0x9FC00, 0x100000) the memory map
 * reports. The entry point (a virtual address) is translated through the
 * segment whose [p_vaddr, p_vaddr + p_memsz) holds it, as GRUB does, so
 * higher-half kernels with p_vaddr != p_paddr boot too. */
int mb_load(const uint8_t *img, size_t size, const char *name,
	    uint8_t *mem, uint64_t mem_size, const char *cmdline,
	    struct mb_loaded *out, char *err, size_t errlen);

#endif
