/* A guest that triple-faults: an exception with an empty IDT. tandem must
 * stop it with a report (the reason, the guest's last console lines and
 * its registers) and power off, not reset it in a loop. */
#include "guest.h"

const char guest_name[] = "triplefault";

void guest_main(const struct mb_info *mbi)
{
	struct {
		uint16_t limit;
		uint32_t base;
	} __attribute__((packed)) empty = { 0, 0 };

	(void)mbi;
	printf("triplefault: loading an empty IDT, then int3\n");
	asm volatile("lidt %0; int3" : : "m"(empty));
	fail(1, "still running after int3 with an empty IDT");
}
