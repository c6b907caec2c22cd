/* Virtual port-I/O devices. Each device claims a port range; an access to
 * a port no device claims reads all ones, is ignored on write, and is
 * logged once per port. */
#ifndef CORE_VDEV_H
#define CORE_VDEV_H

#include <stdbool.h>
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

extern const struct vdev exitport_dev;	/* isa-debug-exit at 0xf4 */

#endif
