#include "core/vdev.h"
#include "core/platform.h"
#include "core/acpi.h"
#include "core/env.h"
#include "core/machine.h"
#include "lib/string.h"

#define PM1_SCI_EN	0x0001
#define PM1_SLP_TYP(v)	(((v) >> 10) & 7)
#define PM1_SLP_EN	0x2000
#define KBC_RESET	0xfe	/* pulse the CPU reset line */

static struct {
	uint32_t pci_addr;
	uint16_t pm1_sts, pm1_en, pm1_cnt;
	uint8_t reset_ctl;
} plat;

void platform_reset(void)
{
	memset(&plat, 0, sizeof(plat));
	plat.pm1_cnt = PM1_SCI_EN;	/* always in ACPI mode: SMI_CMD = 0 */
}

/* PCI configuration mechanism #1: the address latch at 0xcf8 works (so
 * the kernel finds the mechanism), every function reads as absent. Byte
 * 0xcf9 is the chipset's reset control register. */
static uint32_t pcihost_read(uint16_t off, uint8_t size)
{
	if (off == 0 && size == 4)
		return plat.pci_addr;
	if (off == 1 && size == 1)
		return plat.reset_ctl;
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

static void pcihost_write(uint16_t off, uint8_t size, uint32_t val)
{
	if (off == 0 && size == 4) {
		plat.pci_addr = val & 0x80fffffc;
		return;
	}
	if (off == 1 && size == 1) {
		/* bit 2 going 1 performs the reset bit 1 selects */
		if ((val & 0x04) && !(plat.reset_ctl & 0x04))
			machine_guest_reset("reset control register 0xcf9");
		plat.reset_ctl = val & 0x0a;
	}
	/* configuration data writes go to absent functions */
}

#define PM_TMR_HZ	3579545u

/* The ACPI power-management timer, counting virtual time. */
static uint32_t pm_timer(void)
{
	uint64_t now = env_now(), hz = env_hz();

	return (uint32_t)((now / hz) * PM_TMR_HZ + (now % hz) * PM_TMR_HZ / hz);
}

static uint32_t acpi_pm_read(uint16_t off, uint8_t size)
{
	uint32_t v;

	if (off >= ACPI_PM_TMR - ACPI_PM1A_EVT)
		return pm_timer() >> (8 * (off & 3));
	switch (off & ~1u) {
	case 0:
		v = plat.pm1_sts | (uint32_t)plat.pm1_en << 16;
		break;
	case 2:
		v = plat.pm1_en;
		break;
	default:
		v = plat.pm1_cnt;
		break;
	}
	if (off & 1)
		v >>= 8;
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

static void acpi_pm_write(uint16_t off, uint8_t size, uint32_t val)
{
	if (off == 0) {
		plat.pm1_sts &= ~(uint16_t)val;	/* write 1 to clear */
		if (size == 4)
			plat.pm1_en = val >> 16;
		return;
	}
	if (off == 2) {
		plat.pm1_en = (uint16_t)val;
		return;
	}
	if (off != 4 || size < 2)
		return;
	plat.pm1_cnt = ((uint16_t)val & ~PM1_SLP_EN) | PM1_SCI_EN;
	if ((val & PM1_SLP_EN) && PM1_SLP_TYP(val) == ACPI_S5_SLP_TYP)
		machine_guest_poweroff();
}

/* The keyboard controller is absent (the FADT says so), except that the
 * status port reads "buffers empty" and command 0xfe resets, which is
 * how PCs have always been rebooted. */
static uint32_t kbc_read(uint16_t off, uint8_t size)
{
	(void)off;
	(void)size;
	return 0;
}

static void kbc_cmd_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)off;
	(void)size;
	if ((uint8_t)val == KBC_RESET)
		machine_guest_reset("keyboard controller reset");
}

static void kbc_data_write(uint16_t off, uint8_t size, uint32_t val)
{
	(void)off;
	(void)size;
	(void)val;
}

const struct vdev pcihost_dev = {
	.name = "pci", .base = 0xcf8, .len = 8,
	.read = pcihost_read, .write = pcihost_write,
};
const struct vdev acpi_pm_dev = {
	.name = "acpi-pm", .base = ACPI_PM1A_EVT, .len = 12,
	.read = acpi_pm_read, .write = acpi_pm_write,
};
const struct vdev kbc_data_dev = {
	.name = "kbc-data", .base = 0x60, .len = 1,
	.read = kbc_read, .write = kbc_data_write,
};
const struct vdev kbc_cmd_dev = {
	.name = "kbc-cmd", .base = 0x64, .len = 1,
	.read = kbc_read, .write = kbc_cmd_write,
};

const struct vdev_state platform_state = { &plat, sizeof(plat) };
