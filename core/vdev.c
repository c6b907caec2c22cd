#include "core/vdev.h"
#include "core/pic.h"
#include "core/pit.h"
#include "core/platform.h"
#include "core/rtc.h"
#include "core/vuart.h"
#include "lib/print.h"
#include "lib/string.h"

static const struct vdev *const devices[] = {
	&vuart_dev,
	&exitport_dev,
	&pic_master_dev,
	&pic_slave_dev,
	&pic_elcr_dev,
	&pit_dev,
	&port61_dev,
	&rtc_dev,
	&pcihost_dev,
	&acpi_pm_dev,
	&kbc_data_dev,
	&kbc_cmd_dev,
};

void vdev_reset_all(void)
{
	vuart_reset();
	pic_reset();
	pit_reset();
	rtc_reset();
	platform_reset();
}

static const struct vdev_state *const states[] = {
	&vuart_state, &pic_state, &pit_state, &rtc_state, &platform_state,
};

#define NSTATES	(sizeof(states) / sizeof(*states))

size_t vdev_state_size(void)
{
	size_t n = 0;

	for (unsigned i = 0; i < NSTATES; i++)
		n += states[i]->size;
	return n;
}

void vdev_save(void *buf)
{
	uint8_t *p = buf;

	for (unsigned i = 0; i < NSTATES; i++) {
		memcpy(p, states[i]->data, states[i]->size);
		p += states[i]->size;
	}
}

void vdev_restore(const void *buf)
{
	const uint8_t *p = buf;

	for (unsigned i = 0; i < NSTATES; i++) {
		memcpy(states[i]->data, p, states[i]->size);
		p += states[i]->size;
	}
}

static uint8_t port_logged[65536 / 8];

static const struct vdev *find(uint16_t port)
{
	for (unsigned i = 0; i < sizeof(devices) / sizeof(*devices); i++) {
		const struct vdev *d = devices[i];

		if (port >= d->base && port < d->base + d->len)
			return d;
	}
	return NULL;
}

static void log_unclaimed(uint16_t port, uint8_t size, bool write)
{
	if (port_logged[port / 8] & (1u << (port % 8)))
		return;
	port_logged[port / 8] |= 1u << (port % 8);
	pr("guest %u-byte %s of unassigned port 0x%x: %s (logged once)\n",
	   size, write ? "write" : "read", port,
	   write ? "ignored" : "reads all ones");
}

uint32_t vdev_port_read(uint16_t port, uint8_t size)
{
	const struct vdev *d = find(port);

	if (d && d->read)
		return d->read(port - d->base, size);
	log_unclaimed(port, size, false);
	return size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
}

void vdev_port_write(uint16_t port, uint8_t size, uint32_t val)
{
	const struct vdev *d = find(port);

	if (d && d->write) {
		d->write(port - d->base, size, val);
		return;
	}
	log_unclaimed(port, size, true);
}
