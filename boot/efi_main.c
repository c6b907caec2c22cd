/* UEFI entry: read the config and the guest image, reserve every byte
 * tandem will need, take the memory map, exit boot services, and hand over
 * to core/. Nothing of UEFI but ResetSystem is used after that. */
#include <efi.h>
#include <efilib.h>
#include "arch/x86/cpu.h"
#include "boot/efi_file.h"
#include "boot/efi_nic.h"
#include "core/boot_info.h"
#include "drivers/serial.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"
#include "lib/time.h"

#define CFG_FILE	"tandem.cfg"
#define DEFAULT_PORT	0x3f8
#define DEFAULT_BAUD	115200
/* tandem's own structures: tables, VMCS, stacks; plus EPT and host page
 * tables, which grow with guest RAM and with the machine. */
#define POOL_FIXED	(16ull << 20)
#define EXIT_BAD_INPUT	0x40

static struct boot_info bi;

static void efi_reset(enum boot_reset how, uint64_t status)
{
	EFI_RESET_TYPE type = how == BOOT_REBOOT ? EfiResetCold
						 : EfiResetShutdown;

	uefi_call_wrapper(RT->ResetSystem, 4, type,
			  status ? EFI_ABORTED : EFI_SUCCESS, 0, NULL);
}

static void console_sink(const char *buf, size_t len)
{
	serial_write(buf, len);
}

static void __attribute__((noreturn)) boot_fail(const char *msg)
{
	pr("%s\n", msg);
	pr("power off (status 0x%x)\n", EXIT_BAD_INPUT);
	serial_flush();
	if (bi.cfg.host_exit_port)
		outb(bi.cfg.host_exit_port, EXIT_BAD_INPUT);
	efi_reset(BOOT_POWEROFF, EXIT_BAD_INPUT);
	for (;;)
		hlt();
}

static void read_config(EFI_HANDLE image)
{
	char err[CONFIG_ERR_MAX];
	uint8_t *text;
	size_t len;

	if (EFI_ERROR(efi_read_file(image, CFG_FILE, &text, &len, err,
				    sizeof(err))))
		boot_fail(err);
	if (config_parse(&bi.cfg, (const char *)text, len, CFG_FILE, err,
			 sizeof(err)))
		boot_fail(err);
	FreePool(text);
	bi.cfg_name = CFG_FILE;
	if (bi.cfg.serial_port != DEFAULT_PORT ||
	    bi.cfg.serial_baud != DEFAULT_BAUD)
		serial_init(bi.cfg.serial_port, bi.cfg.serial_baud);
}

static void read_image(EFI_HANDLE image, const char *path,
		       const uint8_t **data, size_t *size)
{
	char err[CONFIG_ERR_MAX];
	uint8_t *buf;

	if (EFI_ERROR(efi_read_file(image, path, &buf, size, err,
				    sizeof(err))))
		boot_fail(err);
	*data = buf;
}

static void read_guest(EFI_HANDLE image)
{
	const char *main = bi.cfg.kernel[0] ? bi.cfg.kernel : bi.cfg.guest;

	read_image(image, main, &bi.guest_image, &bi.guest_image_size);
	if (bi.cfg.initrd[0])
		read_image(image, bi.cfg.initrd, &bi.initrd_image,
			   &bi.initrd_image_size);
}

/* Wall clock for the guest's CMOS clock; 0 (1970) if the firmware has
 * none. UEFI time may be local; tandem treats it as UTC. */
static void read_wallclock(void)
{
	EFI_TIME t;
	struct date_time d;

	if (EFI_ERROR(uefi_call_wrapper(RT->GetTime, 2, &t, NULL)))
		return;
	d.year = t.Year;
	d.month = t.Month;
	d.day = t.Day;
	d.hour = t.Hour;
	d.min = t.Minute;
	d.sec = t.Second;
	bi.unix_time = unix_from_date(&d);
}

static UINTN largest_free_pages(void)
{
	UINTN entries, key, dsize, best = 0;
	UINT32 dver;
	EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&entries, &key, &dsize,
						  &dver);
	uint8_t *p = (uint8_t *)map;

	for (UINTN i = 0; map && i < entries; i++, p += dsize) {
		EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)p;

		if (d->Type == EfiConventionalMemory && d->NumberOfPages > best)
			best = d->NumberOfPages;
	}
	if (map)
		FreePool(map);
	return best;
}

static void *reserve(uint64_t bytes, const char *what)
{
	EFI_PHYSICAL_ADDRESS addr = 0;
	UINTN pages = bytes / PAGE_SIZE;
	char msg[CONFIG_ERR_MAX];
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAnyPages,
			       EfiLoaderData, pages, &addr);
	if (!EFI_ERROR(st))
		return (void *)addr;
	tsnprintf(msg, sizeof(msg), "%s: memory: cannot reserve %lu MiB for "
		  "%s (largest free region: %lu MiB)", CFG_FILE,
		  (unsigned long)(bytes >> 20), what,
		  (unsigned long)(largest_free_pages() * PAGE_SIZE >> 20));
	boot_fail(msg);
}

static void reserve_memory(void)
{
	bi.guest_mem_size = bi.cfg.memory;
	bi.guest_mem = reserve(bi.guest_mem_size, "guest RAM");
	bi.pool_size = POOL_FIXED + bi.guest_mem_size / 256;
	/* epochs: a snapshot of guest RAM and its page CRCs, the log, the
	 * dirty-page lists */
	if (bi.cfg.epoch || bi.cfg.replaycheck)
		bi.pool_size += bi.guest_mem_size + bi.guest_mem_size / 1024 +
				bi.cfg.epoch_log + bi.guest_mem_size / 256;
	bi.pool = reserve(bi.pool_size, "tandem's own tables");
}

static void calibrate_tsc(void)
{
	uint64_t t0 = rdtsc();

	uefi_call_wrapper(BS->Stall, 1, 10000);
	bi.tsc_hz = (rdtsc() - t0) * 100;
}

/* Take the final memory map and leave boot services. The map key changes
 * whenever the map does, so retry once with a fresh map (UEFI 2.x,
 * EFI_BOOT_SERVICES.ExitBootServices()). */
static void exit_boot_services(EFI_HANDLE image)
{
	for (int tries = 0; tries < 4; tries++) {
		UINTN entries, key, dsize;
		UINT32 dver;
		EFI_MEMORY_DESCRIPTOR *map;
		uint8_t *p;

		map = LibMemoryMap(&entries, &key, &dsize, &dver);
		if (!map)
			break;
		p = (uint8_t *)map;
		bi.phys_top = 0;
		for (UINTN i = 0; i < entries; i++, p += dsize) {
			EFI_MEMORY_DESCRIPTOR *d = (EFI_MEMORY_DESCRIPTOR *)p;
			uint64_t end = d->PhysicalStart +
				       d->NumberOfPages * PAGE_SIZE;

			if (end > bi.phys_top)
				bi.phys_top = end;
		}
		bi.tsc_exit_bs = rdtsc();
		if (!EFI_ERROR(uefi_call_wrapper(BS->ExitBootServices, 2,
						 image, key)))
			return;
	}
	boot_fail("ExitBootServices failed: the memory map kept changing");
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	bi.tsc_efi_entry = rdtsc();
	InitializeLib(image, systab);
	serial_init(DEFAULT_PORT, DEFAULT_BAUD);
	print_set_sink(console_sink);
	pr("tandem booting (UEFI entry)\n");
	/* The firmware's watchdog would reset the machine after 5 minutes. */
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	read_config(image);
	pr("config %s: %s %s, memory %lu MiB\n", CFG_FILE,
	   bi.cfg.kernel[0] ? "Linux kernel" : "guest",
	   bi.cfg.kernel[0] ? bi.cfg.kernel : bi.cfg.guest,
	   (unsigned long)(bi.cfg.memory >> 20));
	read_guest(image);
	read_wallclock();
	reserve_memory();
	calibrate_tsc();
	efi_nic_release(&bi);
	bi.reset = efi_reset;
	exit_boot_services(image);
	core_main(&bi);
}
