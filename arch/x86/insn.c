/* Instruction classes for TF single-stepping (arch/x86/insn.h). Only the
 * prefixes and the opcode are decoded (SDM Vol. 2, 2.1 and Appendix
 * A): nothing that matters here takes a ModR/M byte. */
#include "arch/x86/insn.h"

static bool is_legacy_prefix(uint8_t c)
{
	switch (c) {
	case 0xf0: case 0xf2: case 0xf3:			/* LOCK, REP */
	case 0x26: case 0x2e: case 0x36: case 0x3e:		/* segment */
	case 0x64: case 0x65:
	case 0x66: case 0x67:					/* sizes */
		return true;
	default:
		return false;
	}
}

static enum insn_kind two_byte(uint8_t op)
{
	switch (op) {
	case 0x05:			/* SYSCALL: RFLAGS to R11 */
		return INSN_EVENT;
	case 0x07:			/* SYSRET: RFLAGS from R11 */
		return INSN_LOADS_FLAGS;
	default:
		return INSN_OTHER;
	}
}

static enum insn_kind one_byte(uint8_t op)
{
	switch (op) {
	case 0x9c:
		return INSN_PUSHF;
	case 0x9d: case 0xcf:		/* POPF, IRET */
		return INSN_LOADS_FLAGS;
	case 0xcc: case 0xcd: case 0xce: case 0xf1:	/* INT3 INT INTO INT1 */
		return INSN_EVENT;
	default:
		return INSN_OTHER;
	}
}

enum insn_kind insn_classify(const uint8_t *b, size_t n, bool mode64)
{
	size_t i = 0;

	/* at most 15 bytes in all (SDM Vol. 2, 2.3.11) */
	while (i < n && i < 14 &&
	       (is_legacy_prefix(b[i]) || (mode64 && (b[i] & 0xf0) == 0x40)))
		i++;
	if (i >= n)
		return INSN_OTHER;
	if (b[i] != 0x0f)
		return one_byte(b[i]);
	return i + 1 < n ? two_byte(b[i + 1]) : INSN_OTHER;
}
