/* Link-only mode: a host without VT-x can still be half of a tandem
 * pair's wire, so that the link is exercised (and benchmarked) under
 * QEMU TCG: the monitor and the link, polled, no guest. */
#include "core/link_only.h"
#include "core/console.h"
#include "core/power.h"
#include "ft/ft.h"
#include "arch/x86/cpu.h"
#include "lib/print.h"

void link_start(struct boot_info *bi)
{
	if (ft_start(bi))
		power_off(STATUS_BAD_INPUT);
}

void link_only(struct boot_info *bi)
{
	if (!ft_active())
		return;
	pr("link-only mode: no guest without VT-x; the link and the monitor "
	   "run (Ctrl-A c for the monitor)\n");
	console_init();
	for (uint64_t next = 0;;) {
		/* Each UART poll is a port access, which an emulator serves
		 * under its device lock, contending with the NIC's receive
		 * path: the console is polled once a millisecond (11 bytes
		 * at 115200 baud; the UART has 16), the link at full speed. */
		if (rdtsc() >= next) {
			console_poll();
			next = rdtsc() + bi->tsc_hz / 1000;
		}
		ft_poll();
		cpu_relax();
	}
}
