/* Stop the firmware's driver of the link's NIC before ExitBootServices:
 * find the handle with EFI_PCI_IO_PROTOCOL whose GetLocation is the NIC's
 * PCI address, and DisconnectController it (UEFI 2.x, 7.3.13), which
 * stops every driver managing it (and the network stack above: SNP, MNP,
 * IP). After ExitBootServices a driver is only required to stop DMA, not
 * to release the device; disconnecting while boot services still run
 * leaves it quiet and unowned. */
#include <stdbool.h>
#include <efi.h>
#include <efilib.h>
#include "boot/efi_nic.h"
#include "drivers/nic.h"
#include "lib/print.h"

/* Who has the NIC's PCI I/O open: drivers (BY_DRIVER) and their child
 * handles (BY_CHILD_CONTROLLER: an SNP, with MNP and the IP stack
 * above it). */
static EFI_STATUS opened_by(EFI_HANDLE h, EFI_OPEN_PROTOCOL_INFORMATION_ENTRY
			    **info, UINTN *n)
{
	return uefi_call_wrapper(BS->OpenProtocolInformation, 4, h,
				 &PciIoProtocol, info, n);
}

/* Whether some driver still has the NIC open BY_DRIVER. */
static bool driven(EFI_HANDLE h)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *info;
	bool busy = false;
	UINTN n;

	if (EFI_ERROR(opened_by(h, &info, &n)))
		return false;
	for (UINTN i = 0; i < n; i++)
		busy |= (info[i].Attributes & EFI_OPEN_PROTOCOL_BY_DRIVER) != 0;
	FreePool(info);
	return busy;
}

enum stopped { STOPPED, UNDRIVEN, STILL_DRIVEN };

/* Stop every driver managing the controller: DisconnectController with
 * no driver named stops them all and their children first (UEFI 2.x,
 * 7.3.13). Some drivers refuse while a child is still in use: then
 * disconnect each child, and each driver by name. OVMF connects a NIC's
 * driver only to boot from the network, so usually none has it. */
static enum stopped stop_drivers(EFI_HANDLE h)
{
	EFI_OPEN_PROTOCOL_INFORMATION_ENTRY *info = NULL;
	bool was_driven = driven(h);
	UINTN n = 0;

	if (!EFI_ERROR(uefi_call_wrapper(BS->DisconnectController, 3, h,
					 NULL, NULL)) && !driven(h))
		return was_driven ? STOPPED : UNDRIVEN;
	if (!EFI_ERROR(opened_by(h, &info, &n))) {
		for (UINTN i = 0; i < n; i++)
			if (info[i].Attributes &
			    EFI_OPEN_PROTOCOL_BY_CHILD_CONTROLLER)
				uefi_call_wrapper(BS->DisconnectController, 3,
						  info[i].ControllerHandle,
						  NULL, NULL);
		for (UINTN i = 0; i < n; i++)
			if (info[i].Attributes & EFI_OPEN_PROTOCOL_BY_DRIVER)
				uefi_call_wrapper(BS->DisconnectController, 3,
						  h, info[i].AgentHandle, NULL);
		FreePool(info);
	}
	if (driven(h))
		return STILL_DRIVEN;
	return was_driven ? STOPPED : UNDRIVEN;
}

/* link_test_connect (tests only): bind the firmware's drivers first, as a
 * firmware that booted from the network would have left them. */
static void test_connect(const struct boot_info *bi, EFI_HANDLE h)
{
	EFI_STATUS st;

	if (!bi->cfg.link_test_connect)
		return;
	/* recursive: SNP, MNP and the IP stack above it too; its status
	 * tells of the whole tree, whether a driver has the NIC is what
	 * matters here */
	st = uefi_call_wrapper(BS->ConnectController, 4, h, NULL, NULL, TRUE);
	pr("link: test: ConnectController on the NIC: status 0x%lx, %s\n",
	   (unsigned long)st,
	   driven(h) ? "a driver has it" : "no driver has it");
}

static void release(struct boot_info *bi, EFI_HANDLE h, uint16_t bdf,
		    const char *model)
{
	static const char *const what[] = {
		[STOPPED] = "firmware drivers stopped",
		[UNDRIVEN] = "no firmware driver had it",
		[STILL_DRIVEN] = "firmware drivers could NOT be stopped",
	};
	enum stopped r;

	test_connect(bi, h);
	r = stop_drivers(h);
	pr("link: NIC %02x:%02x.%x (%s): %s\n", bdf >> 8, (bdf >> 3) & 0x1f,
	   bdf & 7, model, what[r]);
	if (r != STILL_DRIVEN && bi->nic_released_count < BOOT_NIC_MAX)
		bi->nic_released[bi->nic_released_count++] = bdf;
}

void efi_nic_release(struct boot_info *bi)
{
	EFI_HANDLE *handles = NULL, pick = NULL;
	const char *pick_model = NULL;
	uint16_t pick_bdf = 0xffff;
	struct nic_sel sel;
	UINTN n = 0;

	if (!bi->cfg.role[0] || nic_sel_parse(bi->cfg.nic, &sel))
		return;
	if (EFI_ERROR(LibLocateHandle(ByProtocol, &PciIoProtocol, NULL, &n,
				      &handles)))
		return;
	for (UINTN i = 0; i < n; i++) {
		EFI_PCI_IO_PROTOCOL *io;
		UINTN seg, bus, dev, fn;
		const char *model;
		UINT32 id;
		uint16_t bdf;

		if (EFI_ERROR(uefi_call_wrapper(BS->HandleProtocol, 3,
						handles[i], &PciIoProtocol,
						(void **)&io)) ||
		    EFI_ERROR(uefi_call_wrapper(io->GetLocation, 5, io, &seg,
						&bus, &dev, &fn)) || seg ||
		    EFI_ERROR(uefi_call_wrapper(io->Pci.Read, 5, io,
						EfiPciIoWidthUint32, 0, 1,
						&id)))
			continue;
		model = nic_supported((uint16_t)id, (uint16_t)(id >> 16));
		if (!model || !nic_sel_pci_match(&sel, (uint8_t)bus,
						 (uint8_t)dev, (uint8_t)fn))
			continue;
		bdf = (uint16_t)(bus << 8 | dev << 3 | fn);
		/* auto: the first in PCI order, as core/ will pick it; by
		 * MAC: all candidates, the MAC is known only later */
		if (sel.kind == NIC_SEL_AUTO) {
			if (bdf < pick_bdf) {
				pick = handles[i];
				pick_bdf = bdf;
				pick_model = model;
			}
			continue;
		}
		release(bi, handles[i], bdf, model);
	}
	if (pick)
		release(bi, pick, pick_bdf, pick_model);
	FreePool(handles);
}
