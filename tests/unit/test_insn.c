/* Instruction classes of TF single-stepping (arch/x86/insn.c). */
#include "tests/unit/check.h"
#include "arch/x86/insn.h"

#define CLASSIFY(m64, ...)						\
	insn_classify((const uint8_t[]){ __VA_ARGS__ },			\
		      sizeof((const uint8_t[]){ __VA_ARGS__ }), m64)

static void test_flags(void)
{
	CHECK_EQ(CLASSIFY(false, 0x9c), INSN_PUSHF);
	CHECK_EQ(CLASSIFY(false, 0x66, 0x9c), INSN_PUSHF);	/* PUSHF 16 */
	CHECK_EQ(CLASSIFY(true, 0x48, 0x9c), INSN_PUSHF);	/* REX.W */
	CHECK_EQ(CLASSIFY(false, 0x9d), INSN_LOADS_FLAGS);
	CHECK_EQ(CLASSIFY(false, 0xcf), INSN_LOADS_FLAGS);	/* IRETD */
	CHECK_EQ(CLASSIFY(true, 0x48, 0xcf), INSN_LOADS_FLAGS);	/* IRETQ */
	CHECK_EQ(CLASSIFY(true, 0x48, 0x0f, 0x07), INSN_LOADS_FLAGS);
}

static void test_events(void)
{
	CHECK_EQ(CLASSIFY(false, 0xcc), INSN_EVENT);
	CHECK_EQ(CLASSIFY(false, 0xcd, 0x80), INSN_EVENT);
	CHECK_EQ(CLASSIFY(false, 0xce), INSN_EVENT);
	CHECK_EQ(CLASSIFY(false, 0xf1), INSN_EVENT);		/* ICEBP */
	CHECK_EQ(CLASSIFY(true, 0x0f, 0x05), INSN_EVENT);	/* SYSCALL */
	CHECK_EQ(CLASSIFY(false, 0x2e, 0xcd, 0x03), INSN_EVENT);
}

static void test_other(void)
{
	CHECK_EQ(CLASSIFY(false, 0x90), INSN_OTHER);
	CHECK_EQ(CLASSIFY(false, 0x0f, 0xa2), INSN_OTHER);	/* CPUID */
	CHECK_EQ(CLASSIFY(false, 0x0f), INSN_OTHER);		/* cut short */
	CHECK_EQ(CLASSIFY(false, 0x66, 0x66), INSN_OTHER);
	/* outside 64-bit mode 0x48 is DEC EAX, not a prefix */
	CHECK_EQ(CLASSIFY(false, 0x48, 0x9c), INSN_OTHER);
	CHECK_EQ(insn_classify((const uint8_t *)"", 0, false), INSN_OTHER);
	/* 15 prefixes leave no room for an opcode */
	static const uint8_t many[15] = { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66 };
	CHECK_EQ(insn_classify(many, sizeof(many), false), INSN_OTHER);
}

static const struct tcase cases[] = {
	TCASE(flags),
	TCASE(events),
	TCASE(other),
};

int main(int argc, char **argv)
{
	(void)check_quote;	/* no strings compared here */
	return RUN_CASES("insn", cases, argc, argv);
}
