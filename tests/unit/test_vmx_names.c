/* Unit tests for arch/x86/vmx_names.c: every basic exit reason has a
 * printable name, the known ones are right, anything out of range reads
 * as unknown, and the entry-failure errors point at the SDM. */
#include "tests/unit/check.h"
#include "arch/x86/vmx.h"

#include <stdint.h>

#define UNKNOWN_EXIT	"unknown exit reason"
#define UNKNOWN_ERROR	"unknown VM-instruction error"

static void test_every_reason_named(void)
{
	for (uint32_t r = 0; r < VMX_EXIT_REASONS; r++) {
		const char *n = vmx_exit_name(r);

		CHECK(n != NULL);
		if (n)
			CHECK(n[0] != '\0');
	}
}

static void test_known_reasons(void)
{
	CHECK_STR(vmx_exit_name(0), "exception or NMI");
	CHECK_STR(vmx_exit_name(1), "external interrupt");
	CHECK_STR(vmx_exit_name(2), "triple fault");
	CHECK_STR(vmx_exit_name(10), "CPUID");
	CHECK_STR(vmx_exit_name(12), "HLT");
	CHECK_STR(vmx_exit_name(28), "control-register access");
	CHECK_STR(vmx_exit_name(30), "I/O instruction");
	CHECK_STR(vmx_exit_name(31), "RDMSR");
	CHECK_STR(vmx_exit_name(32), "WRMSR");
	CHECK_STR(vmx_exit_name(33), "VM-entry failure: invalid guest state");
	CHECK_STR(vmx_exit_name(34), "VM-entry failure: MSR loading");
	CHECK_STR(vmx_exit_name(48), "EPT violation");
	CHECK_STR(vmx_exit_name(49), "EPT misconfiguration");
	CHECK_STR(vmx_exit_name(52), "VMX-preemption timer");
	CHECK_STR(vmx_exit_name(55), "XSETBV");
	CHECK_STR(vmx_exit_name(57), "RDRAND");
	CHECK_STR(vmx_exit_name(61), "RDSEED");
	CHECK_STR(vmx_exit_name(77), "TDCALL");
}

/* Numbers the SDM leaves unassigned (Appendix C) */
static void test_unassigned_reasons(void)
{
	static const uint32_t gaps[] = { 35, 38, 42, 65, 71, 78, 79 };

	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++)
		CHECK_STR(vmx_exit_name(gaps[i]), UNKNOWN_EXIT);
}

static void test_reason_out_of_range(void)
{
	CHECK_STR(vmx_exit_name(VMX_EXIT_REASONS), UNKNOWN_EXIT);
	CHECK_STR(vmx_exit_name(0xffff), UNKNOWN_EXIT);
	CHECK_STR(vmx_exit_name(UINT32_MAX), UNKNOWN_EXIT);
	/* the full exit-reason field, entry-failure bit 31 set */
	CHECK_STR(vmx_exit_name(0x80000021u), UNKNOWN_EXIT);
}

static void test_entry_errors_cite_sdm(void)
{
	const char *e7 = vmx_instr_error_name(7);
	const char *e8 = vmx_instr_error_name(8);

	CHECK(e7 && strstr(e7, "control field"));
	CHECK(e7 && strstr(e7, "SDM 27.2.1"));
	CHECK(e8 && strstr(e8, "host-state field"));
	CHECK(e8 && strstr(e8, "SDM 27.2.2"));
}

static void test_known_errors(void)
{
	CHECK_STR(vmx_instr_error_name(4), "VMLAUNCH with non-clear VMCS");
	CHECK_STR(vmx_instr_error_name(5), "VMRESUME with non-launched VMCS");
	CHECK_STR(vmx_instr_error_name(12),
		  "VMREAD/VMWRITE from/to unsupported VMCS component");
	CHECK_STR(vmx_instr_error_name(28),
		  "invalid operand to INVEPT/INVVPID");
}

static void test_unknown_errors(void)
{
	CHECK_STR(vmx_instr_error_name(0), UNKNOWN_ERROR);
	CHECK_STR(vmx_instr_error_name(14), UNKNOWN_ERROR);
	CHECK_STR(vmx_instr_error_name(27), UNKNOWN_ERROR);
	CHECK_STR(vmx_instr_error_name(29), UNKNOWN_ERROR);
	CHECK_STR(vmx_instr_error_name(UINT32_MAX), UNKNOWN_ERROR);
}

static const struct tcase cases[] = {
	TCASE(every_reason_named),
	TCASE(known_reasons),
	TCASE(unassigned_reasons),
	TCASE(reason_out_of_range),
	TCASE(entry_errors_cite_sdm),
	TCASE(known_errors),
	TCASE(unknown_errors),
};

int main(int argc, char **argv)
{
	return RUN_CASES("vmx_names", cases, argc, argv);
}
