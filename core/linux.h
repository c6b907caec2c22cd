/* x86 Linux boot protocol loader (Documentation/arch/x86/boot.rst), for
 * the 64-bit entry point. Pure: works on byte images and a guest memory
 * buffer, so that malformed kernels are unit-tested on the host.
 *
 * The real-mode setup code is not run: the protected-mode kernel is
 * entered at startup_64 (load address + 0x200) as boot.rst's "64-bit
 * Boot Protocol" says: long mode, paging on with an identity map of the
 * kernel, the zero page and the command line, a GDT with flat __BOOT_CS
 * (0x10) and __BOOT_DS (0x18), CS = 0x10, DS = ES = SS = 0x18,
 * interrupts off, RSI = zero page.
 *
 * Guest-physical layout (everything below LINUX_LOW_END is in the first
 * e820 RAM entry; nothing overlaps):
 *
 *	0x01000 - 0x0101f	GDT: null, null, 0x10 code64, 0x18 data
 *	0x07000 - 0x07fff	zero page (struct boot_params)
 *	0x09000 - 0x09fff	PML4
 *	0x0a000 - 0x0afff	PDPT
 *	0x0b000 - 0x0efff	4 page directories: [0, 4 GiB), 2 MiB pages
 *	0x20000 - 0x2ffff	command line (at most LINUX_CMDLINE_MAX bytes
 *				and the NUL)
 *	0xe0000 - 0xfffff	reserved: left for the ACPI tables (acpi.h)
 *	pref_address		protected-mode kernel, init_size bytes
 *	top of RAM below	initrd, page-aligned, as high as
 *	min(initrd_addr_max + 1, 4 GiB)	initrd_addr_max and memory allow
 *
 * The e820 map given to the kernel:
 *	[0, 0x9fc00) RAM, [0x9fc00, 0xa0000) reserved,
 *	[0xe0000, 0x100000) reserved, [0x100000, mem_size) RAM.
 */
#ifndef CORE_LINUX_H
#define CORE_LINUX_H

#include <stddef.h>
#include <stdint.h>

#define LINUX_GDT		0x1000u
#define LINUX_GDT_SIZE		32u
#define LINUX_ZERO_PAGE		0x7000u
#define LINUX_PML4		0x9000u
#define LINUX_PDPT		0xa000u
#define LINUX_PD		0xb000u	/* 4 pages */
#define LINUX_CMDLINE		0x20000u
#define LINUX_CMDLINE_MAX	0xffffu	/* bytes, without the NUL */
#define LINUX_LOW_END		0x9fc00u	/* then EBDA, VGA, BIOS */

#define LINUX_BOOT_CS		0x10	/* __BOOT_CS */
#define LINUX_BOOT_DS		0x18	/* __BOOT_DS */

struct linux_loaded {
	uint64_t entry;		/* guest-physical 64-bit entry: load address
				 * + 0x200 (startup_64) */
	uint64_t boot_params;	/* guest-physical zero page; RSI at entry */
	uint64_t cr3;		/* guest page tables: identity map of
				 * [0, 4 GiB) with 2 MiB pages */
	uint64_t gdt_base;	/* GDT: 0x10 = 64-bit code (__BOOT_CS),
				 * 0x18 = data (__BOOT_DS) */
	uint16_t gdt_limit;
	uint64_t kernel_addr;	/* where the protected-mode kernel went */
	uint64_t kernel_end;	/* kernel_addr + init_size */
	uint64_t initrd_addr;	/* 0 and 0 without an initrd */
	uint64_t initrd_size;
};

struct linux_image {
	const uint8_t *data;
	size_t size;
	const char *name;	/* for messages */
};

/* Validate the bzImage 'kernel' and the optional 'initrd' (NULL: none),
 * then place them, the zero page, the command line 'cmdline' (NULL:
 * empty), the page tables and the GDT in guest memory 'mem' (mem_size
 * bytes, guest-physical 0 at mem[0]), as laid out above. 'rsdp' (0: none)
 * goes into boot_params.acpi_rsdp_addr, which kernels of boot protocol
 * 2.14 or later read; older ones find the RSDP by their legacy scan of
 * 0xe0000 - 0xfffff.
 *
 * Returns 0 and fills 'out', or -1 with a one-line message (no newline)
 * in err, prefixed by the name of the file at fault ("cmdline: " for the
 * command line); guest memory is not written unless everything is valid.
 *
 * The kernel must speak boot protocol 2.12 or later and have a 64-bit
 * entry point (xloadflags bit 0). It is loaded at pref_address (for a
 * relocatable kernel rounded up to kernel_alignment, or 16 MiB if
 * pref_address is below 1 MiB), and [kernel_addr, kernel_addr +
 * init_size) must lie in RAM below 4 GiB (the identity map). The initrd
 * goes as high as it can below min(initrd_addr_max + 1, mem_size, 4 GiB)
 * and above kernel_end. */
int linux_load(const struct linux_image *kernel,
	       const struct linux_image *initrd, const char *cmdline,
	       uint8_t *mem, uint64_t mem_size, uint64_t rsdp,
	       struct linux_loaded *out, char *err, size_t errlen);

#endif
