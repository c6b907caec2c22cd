/* The replication link before and without the guest. */
#ifndef CORE_LINK_ONLY_H
#define CORE_LINK_ONLY_H

#include "core/boot_info.h"

/* Start the link (ft/) if the config has one: before the VT-x check, so
 * that it also runs where there is no VT-x. Powers off with
 * STATUS_BAD_INPUT when its config or NIC is wrong. */
void link_start(struct boot_info *bi);

/* No VT-x: with a link, run the monitor and the link forever ("link
 * only" mode, as under QEMU TCG); without one, return. */
void link_only(struct boot_info *bi);

#endif
