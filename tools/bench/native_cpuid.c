/* The CPUID loop of tests/guests/cpuidloop.c, run natively as a UEFI
 * application: the baseline tools/bench-boot sets against the loop run
 * as a guest under tandem, in the same emulator. Prints on COM1. */
#include <efi.h>
#include <efilib.h>
#include "arch/x86/cpu.h"
#include "drivers/serial.h"
#include "lib/print.h"

#define LOOPS	20000000u

static void sink(const char *buf, size_t len)
{
	serial_write(buf, len);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	struct cpuid_regs r;
	uint64_t t0, t1;

	InitializeLib(image, systab);
	serial_init(0x3f8, 115200);
	print_set_sink(sink);
	pr_raw("native: begin n=%u\n", LOOPS);
	t0 = rdtsc();
	for (uint32_t i = 0; i < LOOPS; i++)
		cpuid_count(0, 0, &r);
	t1 = rdtsc();
	pr_raw("native: end n=%u ticks=0x%016lx\n", LOOPS,
	       (unsigned long)(t1 - t0));
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_SUCCESS,
			  0, NULL);
	return EFI_SUCCESS;
}
