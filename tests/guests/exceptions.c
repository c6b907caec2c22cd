/* Exceptions raised and handled inside the guest, in a fixed order: #DE
 * (div by zero), #UD (ud2), #BP (int3), #GP with a selector error code, a
 * software interrupt int $0x80, and #GP from RDMSR and from WRMSR of an
 * MSR tandem does not implement. Each must arrive once, with the expected
 * vector, error code and EIP (the instruction for faults, the one after
 * it for traps); the handler resumes after the instruction. */
#include "guest.h"

const char guest_name[] = "exceptions";

#define MSR_UNKNOWN	0x4B564DFFu	/* past KVM's range; nobody has it */
#define BAD_SEL		0x1233u		/* GDT index 0x246: beyond the limit */
#define INT80_IN	0x1234u
#define INT80_OUT	0xC0DE1234u

/* Each probe runs one exception-raising instruction between two labels. */
void probe_de(void);
void probe_ud(void);
void probe_bp(void);
void probe_rdmsr(void);
void probe_wrmsr(void);
void probe_sel(void);
uint32_t probe_int80(void);
extern const char de_insn[], de_end[], ud_insn[], ud_end[], bp_insn[],
	bp_end[], rdmsr_insn[], rdmsr_end[], wrmsr_insn[], wrmsr_end[],
	sel_insn[], sel_end[], int80_insn[], int80_end[];

#define STR(x)	#x
#define XSTR(x)	STR(x)

asm(".text\n"
    ".global probe_de\n"
    "probe_de:\n"
    "	movl $1, %eax\n"
    "	xorl %edx, %edx\n"
    "	xorl %ecx, %ecx\n"
    "de_insn: divl %ecx\n"
    "de_end: ret\n"
    ".global probe_ud\n"
    "probe_ud:\n"
    "ud_insn: ud2\n"
    "ud_end: ret\n"
    ".global probe_bp\n"
    "probe_bp:\n"
    "bp_insn: int3\n"
    "bp_end: ret\n"
    ".global probe_rdmsr\n"
    "probe_rdmsr:\n"
    "	movl $" XSTR(MSR_UNKNOWN) ", %ecx\n"
    "rdmsr_insn: rdmsr\n"
    "rdmsr_end: ret\n"
    ".global probe_wrmsr\n"
    "probe_wrmsr:\n"
    "	movl $" XSTR(MSR_UNKNOWN) ", %ecx\n"
    "	xorl %eax, %eax\n"
    "	xorl %edx, %edx\n"
    "wrmsr_insn: wrmsr\n"
    "wrmsr_end: ret\n"
    ".global probe_sel\n"
    "probe_sel:\n"
    "	movl $" XSTR(BAD_SEL) ", %eax\n"
    "sel_insn: movw %ax, %ds\n"
    "sel_end: ret\n"
    ".global probe_int80\n"
    "probe_int80:\n"
    "	movl $" XSTR(INT80_IN) ", %eax\n"
    "int80_insn: int $0x80\n"
    "int80_end: ret\n");

struct probe {
	const char *name;
	void (*run)(void);
	uint32_t vector;
	uint32_t error;
	const char *insn;
	const char *end;
	int trap;	/* EIP is past the instruction */
};

/* The MSR probes come last: QEMU's TCG reads unknown MSRs as 0 and
 * ignores writes to them, so under plain QEMU only they fail. */
static const struct probe probes[] = {
	{ "#DE", probe_de, 0, 0, de_insn, de_end, 0 },
	{ "#UD", probe_ud, 6, 0, ud_insn, ud_end, 0 },
	{ "#BP", probe_bp, 3, 0, bp_insn, bp_end, 1 },
	{ "#GP selector", probe_sel, 13, BAD_SEL & ~3u, sel_insn, sel_end, 0 },
	{ "int 0x80", (void (*)(void))probe_int80, 0x80, 0, int80_insn,
	  int80_end, 1 },
	{ "#GP rdmsr", probe_rdmsr, 13, 0, rdmsr_insn, rdmsr_end, 0 },
	{ "#GP wrmsr", probe_wrmsr, 13, 0, wrmsr_insn, wrmsr_end, 0 },
};

#define NPROBES	(sizeof(probes) / sizeof(probes[0]))

static unsigned current;	/* index of the probe running */
static unsigned hits;		/* exceptions seen so far */

static void handler(struct trap_frame *f)
{
	const struct probe *p = &probes[current];
	uint32_t eip = (uint32_t)(p->trap ? p->end : p->insn);

	if (hits != current)
		fail(5, "second exception (vector %u) during %s", f->vector,
		     p->name);
	if (f->vector != p->vector)
		fail(1, "vector %u during %s, expected %u", f->vector, p->name,
		     p->vector);
	if (f->error != p->error)
		fail(2, "%s error code 0x%x, expected 0x%x", p->name, f->error,
		     p->error);
	if (f->eip != eip)
		fail(3, "%s eip 0x%x, expected 0x%x", p->name, f->eip, eip);
	printf("exceptions: vector %u %s err 0x%x eip 0x%x\n", f->vector,
	       p->name, f->error, f->eip);
	if (f->vector == 0x80)
		f->eax ^= INT80_OUT ^ INT80_IN;
	f->eip = (uint32_t)p->end;
	hits++;
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t v;

	(void)mbi;
	idt_init();
	for (current = 0; current < NPROBES; current++)
		idt_set_handler((uint8_t)probes[current].vector, handler);

	for (current = 0; current < NPROBES; current++) {
		if (probes[current].vector == 0x80) {
			v = probe_int80();
			if (v != INT80_OUT)
				fail(6, "int 0x80 returned eax 0x%x, expected 0x%x",
				     v, INT80_OUT);
		} else {
			probes[current].run();
		}
		if (hits != current + 1)
			fail(4, "%s raised no exception", probes[current].name);
	}
	printf("exceptions: all %u in order\n", (unsigned)NPROBES);
}
