#include "core/power.h"
#include "arch/x86/cpu.h"
#include "core/machine.h"
#include "drivers/serial.h"
#include "ft/epoch.h"
#include "lib/print.h"

static const struct boot_info *boot;

void power_init(const struct boot_info *bi)
{
	boot = bi;
}

static void __attribute__((noreturn)) halt_forever(void)
{
	pr("firmware reset failed; halted\n");
	for (;;) {
		cli();
		hlt();
	}
}

static void (*before_off)(void);

void power_notify(void (*fn)(void))
{
	before_off = fn;
}

void power_host_fault(void)
{
	serial_flush();
	if (boot && boot->cfg.host_exit_port)
		outb(boot->cfg.host_exit_port, STATUS_HOST_FAULT);
}

void power_off(uint32_t status)
{
	void (*fn)(void) = before_off;
	uint64_t now = rdtsc();

	/* once: the notifier may itself power off */
	before_off = NULL;
	if (fn)
		fn();
	machine_print_runtime(now);
	epoch_print_summary();
	pr("power off (status 0x%x)\n", status);
	serial_flush();
	/* an emulator's debug-exit port ends the run with this status */
	if (boot && boot->cfg.host_exit_port)
		outb(boot->cfg.host_exit_port, (uint8_t)status);
	if (boot && boot->reset)
		boot->reset(BOOT_POWEROFF, status);
	halt_forever();
}

void power_reboot(void)
{
	pr("reboot\n");
	serial_flush();
	if (boot && boot->reset)
		boot->reset(BOOT_REBOOT, 0);
	halt_forever();
}
