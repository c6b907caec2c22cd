/* The guest's own single-stepping, and tandem's stepping kept out of its
 * sight (docs/epochs.md, "Single-stepping"). Its output must be the same
 * under tandem without epochs (bochs lane) and with tandem single-stepping
 * nearly every instruction (epoch lane, epoch_skid):
 * - PUSHF, many times over, reads TF clear;
 * - trace 1: POPF sets TF; the guest's own #DB handler sees a trap after
 *   each instruction (none after that POPF, none after MOV SS, one after
 *   CPUID, which tandem completes), DR6.BS set and TF in each frame, and
 *   PUSHF inside reads TF set; a POPF clearing TF still traps after it;
 * - trace 2: IRET sets TF; a #UD in the traced code arrives with TF and
 *   RF in its frame, the handler runs untraced, tracing goes on after;
 * - INT1 (ICEBP) reaches the #DB handler past the instruction, DR6
 *   untouched;
 * - #UD, #DE, #BP, int 0x80 and #GP raised while tandem steps arrive once
 *   each with TF clear in the frame and RF as the CPU sets it.
 * Every event is recorded (vector, EIP, TF and RF of the frame, DR6) and
 * compared with what the SDM says (Vol. 3, 18.3.1.4 and 6.8.3). An RDTSC
 * (a VM exit) comes right before each case: after an event, tandem's
 * TF stepping resumes only at the next exit, and the case must start
 * stepped. */
#include "guest.h"

const char guest_name[] = "singlestep";

#define TF		0x100u
#define RF		0x10000u
#define DR6_MASK	0x600fu		/* BS, BD, B0-B3 */
#define MAX_EVENTS	32

struct event {
	uint32_t vector, eip, flags, dr6;
};

static struct event ev[MAX_EVENTS];
static unsigned nev;
uint32_t resume;		/* where a fault handler goes on */
uint32_t trace1_flags;		/* what PUSHF read in trace 1 */

void trace1(void);
void trace2(void);
void trace3(void);
uint32_t pushf_loop(uint32_t n);
void probe_ud(void);
void probe_de(void);
void probe_bp(void);
void probe_int80(void);
void probe_gp(void);
extern const char t1_2[], t1_3[], t1_4[], t1_5[], t1_6[], t1_7[], t1_8[],
	t1_10[], t1_11[], t1_12[], t1_13[];
extern const char t2_2[], t2_4[], t2_5[], t2_6[], t2_7[];
extern const char t3_1[];
extern const char ud_insn[], de_insn[], bp_end[], int80_end[], gp_insn[];

asm(".text\n"
    /* POPF sets TF: the first trap comes after the next instruction */
    ".global trace1\n"
    "trace1:\n"
    "	pushl %ebx\n"
    "	rdtsc\n"
    "	pushfl\n"
    "	orl $0x100, (%esp)\n"
    "	popfl\n"
    "	nop\n"
    ".global t1_2\n t1_2: movl $0, %eax\n"
    ".global t1_3\n t1_3: cpuid\n"
    ".global t1_4\n t1_4: pushfl\n"
    ".global t1_5\n t1_5: popl %eax\n"
    ".global t1_6\n t1_6: movl %eax, trace1_flags\n"
    ".global t1_7\n t1_7: movw %ss, %cx\n"
    /* MOV SS holds the trap until after the next instruction */
    ".global t1_8\n t1_8: movw %cx, %ss\n"
    "	nop\n"
    ".global t1_10\n t1_10: pushfl\n"
    ".global t1_11\n t1_11: andl $~0x100, (%esp)\n"
    ".global t1_12\n t1_12: popfl\n"
    ".global t1_13\n t1_13: popl %ebx\n"
    "	ret\n"
    /* IRET sets TF; a fault while the guest traces itself */
    ".global trace2\n"
    "trace2:\n"
    "	pushfl\n"
    "	orl $0x100, (%esp)\n"
    "	pushl %cs\n"
    "	pushl $t2_1\n"
    "	movl $t2_3, resume\n"
    "	rdtsc\n"
    "	iret\n"
    "t2_1: nop\n"
    ".global t2_2\n t2_2: ud2\n"
    "t2_3: nop\n"
    ".global t2_4\n t2_4: pushfl\n"
    ".global t2_5\n t2_5: andl $~0x100, (%esp)\n"
    ".global t2_6\n t2_6: popfl\n"
    ".global t2_7\n t2_7: ret\n"
    /* INT1 (ICEBP) */
    ".global trace3\n"
    "trace3:\n"
    "	rdtsc\n"
    "	.byte 0xf1\n"
    ".global t3_1\n t3_1: ret\n"
    ".global pushf_loop\n"
    "pushf_loop:\n"
    "	movl 4(%esp), %ecx\n"
    "	xorl %edx, %edx\n"
    "1:	pushfl\n"
    "	popl %eax\n"
    "	orl %eax, %edx\n"
    "	loop 1b\n"
    "	movl %edx, %eax\n"
    "	ret\n"
    ".global probe_ud\n"
    "probe_ud:\n"
    "	movl $1f, resume\n"
    "	rdtsc\n"
    ".global ud_insn\n ud_insn: ud2\n"
    "1:	ret\n"
    ".global probe_de\n"
    "probe_de:\n"
    "	movl $1f, resume\n"
    "	rdtsc\n"
    "	movl $1, %eax\n"
    "	xorl %edx, %edx\n"
    "	xorl %ecx, %ecx\n"
    ".global de_insn\n de_insn: divl %ecx\n"
    "1:	ret\n"
    ".global probe_bp\n"
    "probe_bp:\n"
    "	rdtsc\n"
    "	int3\n"
    ".global bp_end\n bp_end: ret\n"
    ".global probe_int80\n"
    "probe_int80:\n"
    "	rdtsc\n"
    "	int $0x80\n"
    ".global int80_end\n int80_end: ret\n"
    ".global probe_gp\n"
    "probe_gp:\n"
    "	movl $1f, resume\n"
    "	rdtsc\n"
    "	movl $0x1233, %eax\n"
    ".global gp_insn\n gp_insn: movw %ax, %ds\n"
    "1:	ret\n");

static uint32_t read_dr6(void)
{
	uint32_t v;

	asm volatile("mov %%dr6, %0" : "=r"(v));
	return v;
}

static void write_dr6(uint32_t v)
{
	asm volatile("mov %0, %%dr6" : : "r"(v));
}

static void record(struct trap_frame *f)
{
	if (nev < MAX_EVENTS)
		ev[nev++] = (struct event){ f->vector, f->eip,
					    f->eflags & (TF | RF),
					    read_dr6() & DR6_MASK };
	write_dr6(0);
}

static void on_trap(struct trap_frame *f)
{
	record(f);
}

static void on_fault(struct trap_frame *f)
{
	record(f);
	f->eip = resume;
}

/* The events since the last check must be exactly want[0..n). */
static void expect_events(const char *what, const struct event *want,
			  unsigned n)
{
	if (nev != n)
		fail(1, "%s: %u events, expected %u (first vector %u eip 0x%x)",
		     what, nev, n, nev ? ev[0].vector : 0, nev ? ev[0].eip : 0);
	for (unsigned i = 0; i < n; i++) {
		const struct event *g = &ev[i], *w = &want[i];

		if (g->vector != w->vector || g->eip != w->eip ||
		    g->flags != w->flags || g->dr6 != w->dr6)
			fail(2, "%s: event %u: vector %u eip 0x%x flags 0x%x "
			     "dr6 0x%x, expected vector %u eip 0x%x flags 0x%x "
			     "dr6 0x%x", what, i, g->vector, g->eip, g->flags,
			     g->dr6, w->vector, w->eip, w->flags, w->dr6);
	}
	nev = 0;
}

/* a single-step trap: TF in the frame, but not after the POPF that
 * cleared it */
#define DB(label)	{ 1, (uint32_t)(label), TF, 0x4000 }
#define DB_LAST(label)	{ 1, (uint32_t)(label), 0, 0x4000 }

static void run_trace1(void)
{
	const struct event want[] = {
		DB(t1_2), DB(t1_3), DB(t1_4), DB(t1_5), DB(t1_6), DB(t1_7),
		DB(t1_8), DB(t1_10), DB(t1_11), DB(t1_12), DB_LAST(t1_13),
	};

	trace1();
	expect_events("trace 1", want, sizeof(want) / sizeof(*want));
	if (!(trace1_flags & TF))
		fail(3, "PUSHF in trace 1 read 0x%x: TF clear", trace1_flags);
	printf("singlestep: trace 1 (POPF sets TF, CPUID, MOV SS, POPF "
	       "clears TF): %u traps where expected, DR6.BS in each, TF in "
	       "each frame but the last\n",
	       (unsigned)(sizeof(want) / sizeof(*want)));
}

static void run_trace2(void)
{
	const struct event want[] = {
		DB(t2_2), { 6, (uint32_t)t2_2, TF | RF, 0 }, DB(t2_4),
		DB(t2_5), DB(t2_6), DB_LAST(t2_7),
	};

	trace2();
	expect_events("trace 2", want, sizeof(want) / sizeof(*want));
	printf("singlestep: trace 2 (IRET sets TF, #UD while traced): "
	       "events in order, #UD frame TF and RF set\n");
}

static void run_int1(void)
{
	const struct event want[] = { { 1, (uint32_t)t3_1, 0, 0 } };

	trace3();
	expect_events("INT1", want, 1);
	printf("singlestep: INT1 past the instruction, DR6 untouched\n");
}

/* Each raised three times, whatever tandem steps then. */
static void run_exceptions(void)
{
	static const struct {
		const char *name;
		void (*run)(void);
		struct event want;
	} probes[] = {
		{ "#UD", probe_ud, { 6, (uint32_t)ud_insn, RF, 0 } },
		{ "#DE", probe_de, { 0, (uint32_t)de_insn, RF, 0 } },
		{ "#BP", probe_bp, { 3, (uint32_t)bp_end, 0, 0 } },
		{ "int 0x80", probe_int80,
		  { 0x80, (uint32_t)int80_end, 0, 0 } },
		{ "#GP", probe_gp, { 13, (uint32_t)gp_insn, RF, 0 } },
	};

	for (unsigned i = 0; i < sizeof(probes) / sizeof(*probes); i++) {
		for (unsigned k = 0; k < 3; k++) {
			probes[i].run();
			expect_events(probes[i].name, &probes[i].want, 1);
		}
		printf("singlestep: %s x3: frame flags 0x%x (TF clear)\n",
		       probes[i].name, probes[i].want.flags);
	}
}

void guest_main(const struct mb_info *mbi)
{
	uint32_t seen;

	(void)mbi;
	idt_init();
	idt_set_handler(1, on_trap);
	idt_set_handler(3, on_trap);
	idt_set_handler(0x80, on_trap);
	idt_set_handler(0, on_fault);
	idt_set_handler(6, on_fault);
	idt_set_handler(13, on_fault);
	write_dr6(0);
	seen = pushf_loop(3000);
	if (seen & TF)
		fail(4, "PUSHF read TF set (0x%x)", seen);
	printf("singlestep: PUSHF x3000: TF clear\n");
	run_trace1();
	run_trace2();
	run_int1();
	run_exceptions();
}
