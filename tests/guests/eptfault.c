/* A write outside guest memory: tandem must stop the guest (an EPT
 * violation) instead of letting it run on. Run with 64 MiB of memory;
 * 0x20000000 (512 MiB) is far above it and below the 3 GiB PCI hole. */
#include "guest.h"

const char guest_name[] = "eptfault";

#define OUTSIDE_RAM	0x20000000u

void guest_main(const struct mb_info *mbi)
{
	(void)mbi;
	/* The address is left out here: the expect file looks for it in
	 * tandem's message. */
	printf("eptfault: writing outside guest memory\n");
	*(volatile uint32_t *)OUTSIDE_RAM = 0xDEADBEEF;
	fail(1, "still running");
}
