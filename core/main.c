/* core/ entry: take over the CPU, load the guest, start the machine. */
#include "core/boot_info.h"
#include "core/link_only.h"
#include "core/machine.h"
#include "core/multiboot.h"
#include "core/power.h"
#include "arch/x86/cpu.h"
#include "arch/x86/host.h"
#include "arch/x86/irq.h"
#include "arch/x86/vcpu.h"
#include "lib/palloc.h"
#include "lib/print.h"

#define CORE_STACK_PAGES	16

static void load_guest(struct boot_info *bi, struct guest_entry *entry)
{
	char err[256];
	struct mb_loaded mb;

	if (mb_load(bi->guest_image, bi->guest_image_size, bi->cfg.guest,
		    bi->guest_mem, bi->guest_mem_size, bi->cfg.cmdline, &mb,
		    err, sizeof(err))) {
		pr("%s\n", err);
		power_off(STATUS_BAD_INPUT);
	}
	pr("guest %s loaded: entry 0x%x, image end 0x%x, multiboot info "
	   "0x%x\n", bi->cfg.guest, mb.entry, mb.image_end, mb.info);
	entry->eip = mb.entry;
	entry->eax = MB_BOOT_MAGIC;
	entry->ebx = mb.info;
}

static void __attribute__((noreturn)) core_continue(void *arg)
{
	struct boot_info *bi = arg;
	struct guest_entry entry;
	char why[256];

	load_guest(bi, &entry);
	link_start(bi);
	if (vcpu_hw_enable(why, sizeof(why))) {
		pr("%s\n", why);
		link_only(bi);
		power_off(STATUS_NO_VTX);
	}
	pr("VT-x enabled (VMXON)\n");
	machine_run(bi, &entry);
}

void core_main(struct boot_info *bi)
{
	uint8_t *stack;

	power_init(bi);
	host_mask_interrupts();
	palloc_init(bi->pool, bi->pool_size);
	stack = palloc_pages(CORE_STACK_PAGES);
	if (!stack || host_cpu_init(bi->phys_top)) {
		pr("out of memory for tandem's own tables\n");
		power_off(STATUS_HOST_FAULT);
	}
	pr("boot services exited; tandem owns the machine (memory map "
	   "ends at %lu MiB)\n", (unsigned long)(bi->phys_top >> 20));
	host_switch_stack(stack + CORE_STACK_PAGES * 4096, core_continue, bi);
}
