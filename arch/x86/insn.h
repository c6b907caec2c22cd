/* What TF single-stepping must know of the instruction it steps
 * (arch/x86/vmx_step.c): whether it writes RFLAGS somewhere the guest
 * can see, loads RFLAGS, or delivers an event. Pure, so the host unit
 * tests run it. */
#ifndef ARCH_X86_INSN_H
#define ARCH_X86_INSN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum insn_kind {
	INSN_OTHER,
	INSN_PUSHF,		/* PUSHF/PUSHFD/PUSHFQ: RFLAGS to the stack */
	INSN_LOADS_FLAGS,	/* POPF, IRET, SYSRET: RFLAGS from memory
				 * or R11 */
	INSN_EVENT,		/* INT n, INT3, INTO, INT1, SYSCALL: an
				 * event delivered, or RFLAGS saved to R11 */
};

/* Kind of the instruction whose first n bytes are b (n may be short of
 * the whole instruction; what cannot be seen is INSN_OTHER). mode64:
 * 64-bit code, where 0x40-0x4f are REX prefixes. */
enum insn_kind insn_classify(const uint8_t *b, size_t n, bool mode64);

#endif
