/* Virtual port-I/O devices. Each device claims a port range; an access to
 * a port no device claims reads all ones, is ignored on write, and is
 * logged once per port. */
#ifndef CORE_VDEV_H
#define CORE_VDEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vdev {
	const char *name;
	uint16_t base, len;
	uint32_t (*read)(uint16_t offset, uint8_t size);
	void (*write)(uint16_t offset, uint8_t size, uint32_t val);
};

/* Port dispatch: one access of 'size' bytes. */
uint32_t vdev_port_read(uint16_t port, uint8_t size);
void vdev_port_write(uint16_t port, uint8_t size, uint32_t val);

/* Every device model's state back to power-on. */
void vdev_reset_all(void);

/* All device models' state as one blob, for snapshots: the size, and a
 * copy out or in. Device state holds no pointers. */
size_t vdev_state_size(void);
void vdev_save(void *buf);
void vdev_restore(const void *buf);

struct vdev_state {
	void *data;
	size_t size;
};
extern const struct vdev_state vuart_state, pic_state, pit_state,
	rtc_state, platform_state;

extern const struct vdev exitport_dev;	/* isa-debug-exit at 0xf4 */

#endif
