/* Taking the replication link's NIC away from the firmware. */
#ifndef BOOT_EFI_NIC_H
#define BOOT_EFI_NIC_H

#include "core/boot_info.h"

/* When a link is configured (role set), stop the firmware's drivers of
 * the NIC it names, so that none of them still does DMA to its rings or
 * answers on the wire once tandem drives it. Records what it released
 * in bi->nic_released. Never fails: core/ reports a missing NIC. */
void efi_nic_release(struct boot_info *bi);

#endif
