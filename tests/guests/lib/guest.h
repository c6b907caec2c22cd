/* Runtime shared by the test guests: port I/O, the UART console, a small
 * printf, the multiboot information, exit and the IDT.
 *
 * A guest defines guest_name and guest_main(). The runtime prints
 * "<name>: start", checks the boot magic and calls guest_main(); when that
 * returns it prints "<name>: ok" and exits 0. A failing check calls fail(),
 * which prints "<name>: FAIL ..." and exits with a nonzero value.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit values the runtime itself uses; guests use small ones (1, 2, ...). */
#define EXIT_BAD_MAGIC	0x70	/* EAX at entry was not the boot magic */
#define EXIT_BAD_TRAP	0x71	/* an exception nobody expected */

#define EXIT_PORT	0xF4	/* isa-debug-exit */
#define UART_BASE	0x3F8
#define UART_RBR	(UART_BASE + 0)
#define UART_THR	(UART_BASE + 0)
#define UART_LSR	(UART_BASE + 5)
#define UART_SCR	(UART_BASE + 7)
#define UART_LSR_DR	0x01
#define UART_LSR_THRE	0x20

/* Provided by each guest. */
struct mb_info;
extern const char guest_name[];
void guest_main(const struct mb_info *mbi);

/* ---- port I/O; "Nd" uses the immediate form for ports below 256 ---- */

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void cpuid(uint32_t leaf, uint32_t r[4])
{
	asm volatile("cpuid"
		     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
}

/* ---- multiboot (v1) information ---- */

#define MB_BOOT_MAGIC		0x2BADB002u
#define MB_INFO_MEM		(1u << 0)
#define MB_INFO_CMDLINE		(1u << 2)
#define MB_INFO_MMAP		(1u << 6)
#define MB_INFO_LOADER_NAME	(1u << 9)
#define MB_MMAP_AVAILABLE	1

struct mb_info {
	uint32_t flags;
	uint32_t mem_lower;		/* KiB from 0 */
	uint32_t mem_upper;		/* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
};

/* 'size' counts the bytes after itself: the next entry is size + 4 on. */
struct mb_mmap_entry {
	uint32_t size;
	uint64_t addr;
	uint64_t len;
	uint32_t type;
} __attribute__((packed));

/* The command line and loader name, or "" where the flag is clear. */
const char *mb_cmdline(const struct mb_info *mbi);
const char *mb_loader_name(const struct mb_info *mbi);

/* Whether the space-separated 'cmdline' holds the word 'word'. */
int cmdline_has(const char *cmdline, const char *word);
/* The text after "key" (e.g. "expect_mem=") in the word starting with it,
 * copied into buf up to the next space; 0, or -1 if there is none. */
int cmdline_value(const char *cmdline, const char *key, char *buf,
		  size_t size);
/* The decimal number after "key" on the command line, or def. */
uint32_t cmdline_uint(const char *cmdline, const char *key, uint32_t def);

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* ---- console and exit ---- */

void uart_putc(char c);			/* '\n' goes out as "\r\n" */
int uart_getc(void);			/* waits for LSR.DR */
void uart_write(const char *s, size_t n);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);

/* Write v to the exit port; if that returns (no exit device), halt. */
__attribute__((noreturn)) void guest_exit(uint8_t v);
/* Print "<name>: FAIL <message>" and exit with v. */
__attribute__((noreturn, format(printf, 2, 3)))
void fail(uint8_t v, const char *fmt, ...);

/* ---- interrupts ---- */

/* Layout built by isr.asm: pushad, then vector and error code (0 where
 * the CPU pushes none), then what the CPU pushed. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp, ebx, edx, ecx, eax;
	uint32_t vector, error;
	uint32_t eip, cs, eflags;
};

typedef void (*trap_handler_t)(struct trap_frame *f);

/* Load an IDT sending every vector to isr_dispatch; vectors with no
 * handler fail the guest with EXIT_BAD_TRAP. */
void idt_init(void);
void idt_set_handler(uint8_t vector, trap_handler_t h);

/* ---- strings ---- */

size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
