/* Guest register dump for reports of guest faults and unhandled exits. */
#include "arch/x86/vmx.h"
#include "lib/print.h"

static const char *const seg_names[SEG_COUNT] = {
	"es", "cs", "ss", "ds", "fs", "gs", "ldtr", "tr",
};

static void dump_segments(void)
{
	for (int s = 0; s < SEG_COUNT; s++)
		pr("  %-4s %04lx base %016lx limit %08lx ar %05lx\n",
		   seg_names[s],
		   (unsigned long)vmread(GUEST_SEG(GUEST_ES_SEL, s)),
		   (unsigned long)vmread(GUEST_SEG(GUEST_ES_BASE, s)),
		   (unsigned long)vmread(GUEST_SEG(GUEST_ES_LIMIT, s)),
		   (unsigned long)vmread(GUEST_SEG(GUEST_ES_AR, s)));
	pr("  gdtr base %016lx limit %04lx  idtr base %016lx limit %04lx\n",
	   (unsigned long)vmread(GUEST_GDTR_BASE),
	   (unsigned long)vmread(GUEST_GDTR_LIMIT),
	   (unsigned long)vmread(GUEST_IDTR_BASE),
	   (unsigned long)vmread(GUEST_IDTR_LIMIT));
}

void vcpu_dump(struct vcpu *v)
{
	const struct vcpu_regs *r = &v->regs;

	pr("guest registers:\n");
	pr("  rip %016lx rsp %016lx rflags %016lx\n",
	   (unsigned long)vmread(GUEST_RIP), (unsigned long)vmread(GUEST_RSP),
	   (unsigned long)vmread(GUEST_RFLAGS));
	pr("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	   r->rax, r->rbx, r->rcx, r->rdx);
	pr("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n",
	   r->rsi, r->rdi, r->rbp, r->r8);
	pr("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n",
	   r->r9, r->r10, r->r11, r->r12);
	pr("  r13 %016lx r14 %016lx r15 %016lx\n", r->r13, r->r14, r->r15);
	pr("  cr0 %016lx (guest sees %016lx) cr3 %016lx\n",
	   (unsigned long)vmread(GUEST_CR0),
	   (unsigned long)vmx_guest_cr0(v),
	   (unsigned long)vmread(GUEST_CR3));
	pr("  cr4 %016lx (guest sees %016lx) efer %016lx\n",
	   (unsigned long)vmread(GUEST_CR4),
	   (unsigned long)vmx_guest_cr4(v),
	   (unsigned long)vmread(GUEST_EFER));
	dump_segments();
	pr("  last exit: reason %u (%s) qualification %016lx\n",
	   v->exit_reason & 0xffff, vmx_exit_name(v->exit_reason & 0xffff),
	   (unsigned long)v->exit_qual);
	pr("  guest-physical %016lx guest-linear %016lx\n",
	   (unsigned long)vmread(GUEST_PHYS_ADDR),
	   (unsigned long)vmread(GUEST_LINEAR_ADDR));
	pr("  interruptibility %08lx activity %lu idt-vectoring %08lx\n",
	   (unsigned long)vmread(GUEST_INTERRUPTIBILITY),
	   (unsigned long)vmread(GUEST_ACTIVITY_STATE),
	   (unsigned long)vmread(IDT_VECTORING_INFO));
}
