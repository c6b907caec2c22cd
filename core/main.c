/* core/ entry: take over the CPU, load the guest, start the machine. */
#include "core/boot_info.h"
#include "core/env.h"
#include "core/machine.h"
#include "core/guest.h"
#include "core/link_only.h"
#include "core/power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "arch/x86/irq.h"
#include "arch/x86/vcpu.h"
#include "lib/palloc.h"
#include "lib/print.h"

#define CORE_STACK_PAGES	16

static void __attribute__((noreturn)) core_continue(void *arg)
{
	struct boot_info *bi = arg;
	struct guest_start gs;
	char err[256];

	if (guest_load(bi, &gs, err, sizeof(err))) {
		pr("%s\n", err);
		power_off(STATUS_BAD_INPUT);
	}
	pr("%s loaded: entry 0x%lx\n",
	   bi->cfg.kernel[0] ? bi->cfg.kernel : bi->cfg.guest,
	   (unsigned long)gs.ip);
	link_start(bi);
	if (vcpu_hw_enable(err, sizeof(err))) {
		pr("%s\n", err);
		link_only(bi);
		power_off(STATUS_NO_VTX);
	}
	pr("VT-x enabled (VMXON)\n");
	machine_run(bi, &gs);
}

void core_main(struct boot_info *bi)
{
	uint8_t *stack;

	power_init(bi);
	env_init(bi->tsc_hz, bi->unix_time);
	host_mask_interrupts();
	palloc_init(bi->pool, bi->pool_size);
	stack = palloc_pages(CORE_STACK_PAGES);
	if (!stack || host_cpu_init(bi->phys_top)) {
		pr("out of memory for tandem's own tables\n");
		power_off(STATUS_HOST_FAULT);
	}
	host_set_fatal_hook(power_host_fault);
	pr("boot services exited; tandem owns the machine (memory map "
	   "ends at %lu MiB)\n", (unsigned long)(bi->phys_top >> 20));
	if (bi->cfg.test_host_fault)
		__asm__ volatile("ud2");	/* tests only: see config.h */
	host_switch_stack(stack + CORE_STACK_PAGES * 4096, core_continue, bi);
}
