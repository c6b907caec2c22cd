/* Host GDT, TSS and IDT. tandem runs with interrupts off for good: the IDT
 * only catches exceptions (NMI, #DF and #MC on their own stack, IST1); an
 * NMI alone returns (trap_entry.asm). */
#include "arch/x86/host.h"
#include "arch/x86/cpu.h"
#include "lib/palloc.h"
#include "lib/string.h"

#define IST_STACK_PAGES	4

struct tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
} __attribute__((packed));

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
} __attribute__((packed));

struct dtr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

extern uint64_t trap_stubs[32];

static uint64_t gdt[5] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static struct idt_gate idt[32] __attribute__((aligned(16)));

static void load_gdt(void)
{
	struct dtr d = { sizeof(gdt) - 1, (uint64_t)gdt };

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ax\n\t"
		"movw %%ax, %%ds\n\t"
		"movw %%ax, %%es\n\t"
		"movw %%ax, %%ss\n\t"
		"movw %%ax, %%fs\n\t"
		"movw %%ax, %%gs\n\t"
		"ltr %w3\n\t"
		:
		: "m"(d), "i"(HOST_GDT_CODE), "r"(HOST_GDT_DATA),
		  "r"(HOST_GDT_TSS)
		: "rax", "memory");
}

static void setup_gdt(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;

	gdt[0] = 0;
	gdt[1] = 0x00af9a000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffull;	/* data, DPL 0 */
	/* 64-bit available TSS: a 16-byte system descriptor */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
		 (0x89ull << 40) | (((limit >> 16) & 0xf) << 48) |
		 (((base >> 24) & 0xff) << 56);
	gdt[4] = base >> 32;
	tss.iomap_base = sizeof(tss);
}

static void setup_idt(void)
{
	struct dtr d = { sizeof(idt) - 1, (uint64_t)idt };

	for (int v = 0; v < 32; v++) {
		uint64_t off = trap_stubs[v];

		idt[v].off_lo = off & 0xffff;
		idt[v].sel = HOST_GDT_CODE;
		/* NMI, #DF and #MC must not use a possibly broken stack */
		idt[v].ist = (v == 2 || v == 8 || v == 18) ? 1 : 0;
		idt[v].type = 0x8e;	/* present, interrupt gate */
		idt[v].off_mid = (off >> 16) & 0xffff;
		idt[v].off_hi = off >> 32;
	}
	__asm__ volatile("lidt %0" : : "m"(d));
}

int host_desc_init(void)
{
	uint8_t *ist = palloc_pages(IST_STACK_PAGES);

	if (!ist)
		return -1;
	tss.ist[0] = (uint64_t)ist + IST_STACK_PAGES * PAGE_SIZE;
	setup_gdt();
	load_gdt();
	setup_idt();
	return 0;
}

void host_gdtr(struct host_desc_table *t)
{
	t->base = (uint64_t)gdt;
	t->limit = sizeof(gdt) - 1;
}

void host_idtr(struct host_desc_table *t)
{
	t->base = (uint64_t)idt;
	t->limit = sizeof(idt) - 1;
}

uint64_t host_tss_base(void)
{
	return (uint64_t)&tss;
}
