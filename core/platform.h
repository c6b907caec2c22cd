/* The rest of the PC platform a stock kernel probes: the PCI configuration
 * ports (an empty bus), the ACPI power-management block (power-off) and
 * the reset paths (0xcf9, keyboard controller). */
#ifndef CORE_PLATFORM_H
#define CORE_PLATFORM_H

#include "core/vdev.h"

#define ACPI_PM1A_EVT	0x600	/* 4 bytes: PM1 status, PM1 enable */
#define ACPI_PM1A_CNT	0x604	/* 2 bytes */
#define ACPI_PM_TMR	0x608	/* 4 bytes: 3.579545 MHz, 32 bits */
#define ACPI_SCI_IRQ	9
#define RESET_PORT	0xcf9
#define RESET_VALUE	0x06	/* full reset, as chipsets define it */

void platform_reset(void);

extern const struct vdev pcihost_dev, acpi_pm_dev, kbc_data_dev,
	kbc_cmd_dev;

#endif
