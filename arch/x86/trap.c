/* Host exceptions are bugs in tandem: report and halt, never a silent
 * triple fault. */
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "lib/print.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

static const char *const trap_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

void trap_handler(struct trap_frame *f);

static void (*fatal_hook)(void);

void host_set_fatal_hook(void (*hook)(void))
{
	fatal_hook = hook;
}

void trap_handler(struct trap_frame *f)
{
	const char *name = trap_names[f->vector & 31];

	pr("HOST EXCEPTION %lu (%s), error code 0x%lx\n",
	   (unsigned long)f->vector, name ? name : "reserved",
	   (unsigned long)f->error);
	pr("  rip %016lx cs %04lx rflags %016lx\n", f->rip, f->cs, f->rflags);
	pr("  rsp %016lx ss %04lx cr2 %016lx\n", f->rsp, f->ss, read_cr2());
	pr("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
	   f->rax, f->rbx, f->rcx, f->rdx);
	pr("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n",
	   f->rsi, f->rdi, f->rbp, f->r8);
	pr("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n",
	   f->r9, f->r10, f->r11, f->r12);
	pr("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
	pr("  cr0 %016lx cr3 %016lx cr4 %016lx\n", read_cr0(), read_cr3(),
	   read_cr4());
	pr("host halted\n");
	if (fatal_hook)
		fatal_hook();
	for (;;) {
		cli();
		hlt();
	}
}
