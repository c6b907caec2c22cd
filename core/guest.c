#include "core/guest.h"
#include "core/acpi.h"
#include "core/linux.h"
#include "core/multiboot.h"
#include "core/platform.h"
#include "arch/x86/vcpu.h"
#include "lib/print.h"
#include "lib/string.h"

#define ACPI_BASE	0xe0000u	/* where Linux scans for the RSDP */

static int load_multiboot(const struct boot_info *bi, struct guest_start *gs,
			  char *err, size_t len)
{
	struct mb_loaded mb;

	if (mb_load(bi->guest_image, bi->guest_image_size, bi->cfg.guest,
		    bi->guest_mem, bi->guest_mem_size, bi->cfg.cmdline, &mb,
		    err, len))
		return -1;
	gs->kind = GUEST_MULTIBOOT;
	gs->ip = mb.entry;
	gs->arg0 = MB_BOOT_MAGIC;
	gs->arg1 = mb.info;
	return 0;
}

static int load_linux(const struct boot_info *bi, struct guest_start *gs,
		      char *err, size_t len)
{
	static const struct acpi_platform plat = {
		.pm1a_evt = ACPI_PM1A_EVT,
		.pm1a_cnt = ACPI_PM1A_CNT,
		.pm_tmr = ACPI_PM_TMR,
		.sci_irq = ACPI_SCI_IRQ,
		.reset_port = RESET_PORT,
		.reset_value = RESET_VALUE,
	};
	struct linux_image k = { bi->guest_image, bi->guest_image_size,
				 bi->cfg.kernel };
	struct linux_image i = { bi->initrd_image, bi->initrd_image_size,
				 bi->cfg.initrd };
	struct linux_loaded ll;
	uint64_t rsdp;

	rsdp = acpi_build(bi->guest_mem, bi->guest_mem_size, ACPI_BASE,
			  &plat);
	if (!rsdp) {
		tsnprintf(err, len, "ACPI tables do not fit in guest memory");
		return -1;
	}
	if (linux_load(&k, bi->cfg.initrd[0] ? &i : NULL, bi->cfg.cmdline,
		       bi->guest_mem, bi->guest_mem_size, rsdp, &ll, err, len))
		return -1;
	gs->kind = GUEST_LINUX;
	gs->ip = ll.entry;
	gs->arg0 = ll.boot_params;
	gs->arg1 = 0;
	gs->cr3 = ll.cr3;
	gs->gdt_base = ll.gdt_base;
	gs->gdt_limit = ll.gdt_limit;
	return 0;
}

int guest_load(const struct boot_info *bi, struct guest_start *gs,
	       char *err, size_t len)
{
	memset(bi->guest_mem, 0, bi->guest_mem_size);
	if (bi->cfg.kernel[0])
		return load_linux(bi, gs, err, len);
	return load_multiboot(bi, gs, err, len);
}

void guest_start(struct vcpu *v, const struct guest_start *gs)
{
	if (gs->kind == GUEST_LINUX)
		vcpu_set_entry64(v, gs->ip, gs->arg0, gs->cr3, gs->gdt_base,
				 gs->gdt_limit);
	else
		vcpu_set_entry32(v, (uint32_t)gs->ip, (uint32_t)gs->arg0,
				 (uint32_t)gs->arg1);
}
