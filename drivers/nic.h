/* NICs that tandem drives itself (the replication link's), behind one
 * small ops table, as BitVisor's NIC drivers are: the link sees frames
 * in and frames out, nothing of the device. Polled: no interrupts.
 *
 * A driver provides a struct nic_driver (match + probe); probe fills in
 * struct nic, ops included. Add a driver to the table in drivers/nic.c. */
#ifndef DRIVERS_NIC_H
#define DRIVERS_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "drivers/pci.h"

#define NIC_ALEN	6
#define NIC_FRAME_MAX	1514	/* without the FCS, which the NIC adds */

struct nic;

struct nic_ops {
	/* Rings and buffers, receive and transmit on. 0 or -1 + err. */
	int (*start)(struct nic *nic, char *err, size_t len);
	/* The DMA buffer (NIC_FRAME_MAX bytes) of the next transmit
	 * descriptor, for the caller to build a frame in; NULL when the
	 * ring is full (try again after a poll). */
	void *(*tx_buf)(struct nic *nic);
	/* Queue the frame built in the last tx_buf (at least 60 bytes: the
	 * caller pads). The NIC may wait for tx_flush before it sends. */
	void (*tx_send)(struct nic *nic, size_t len);
	/* Start sending what tx_send queued: one doorbell for a batch,
	 * since each is a device access (a trip into the emulator's
	 * device model, or a PCIe write). */
	void (*tx_flush)(struct nic *nic);
	/* The next good received frame, in its DMA buffer, and its length;
	 * NULL when none. Valid until rx_done, which gives the buffer back
	 * to the NIC; call it before the next rx. */
	const void *(*rx)(struct nic *nic, size_t *len);
	void (*rx_done)(struct nic *nic);
	bool (*link_up)(struct nic *nic);
};

struct nic_stats {
	uint64_t tx_frames, rx_frames;
	uint64_t tx_ring_full;		/* tx refused */
	uint64_t rx_errors;		/* bad frames the NIC flagged */
	uint64_t rx_missed;		/* dropped by the NIC: no buffer */
};

struct nic {
	const struct nic_ops *ops;
	const char *driver;		/* "e1000" */
	const char *model;		/* "82540EM" */
	struct pci_dev pci;
	uint8_t mac[NIC_ALEN];
	bool mac_from_eeprom;		/* receive-address registers empty */
	bool eeprom_ok;			/* eeprom_mac was read */
	uint8_t eeprom_mac[NIC_ALEN];	/* what the EEPROM says, always read:
					 * a check of the NVM access path */
	uint64_t tsc_hz;		/* for the driver's delays */
	void *priv;
	struct nic_stats st;
};

struct nic_driver {
	const char *name;
	/* The model name if this driver handles vendor:device, else NULL. */
	const char *(*match)(uint16_t vendor, uint16_t device);
	/* Reset the device and read its MAC address (nic->pci, model and
	 * tsc_hz are set). 0 or -1 + err. */
	int (*probe)(struct nic *nic, char *err, size_t len);
};

extern const struct nic_driver e1000_driver;

/* Which NIC the config names (key "nic"). */
enum nic_sel_kind {
	NIC_SEL_AUTO,		/* the first supported one, in PCI order */
	NIC_SEL_PCI,		/* bus:dev.fn */
	NIC_SEL_MAC,
};

struct nic_sel {
	enum nic_sel_kind kind;
	uint8_t bus, dev, fn;
	uint8_t mac[NIC_ALEN];
};

/* Parse "auto" (or ""), "bb:dd.f" (hex, as lspci prints it) or a MAC
 * "xx:xx:xx:xx:xx:xx" (':' or '-'). 0, or -1 if it is none of them.
 * Pure (unit-tested). */
int nic_sel_parse(const char *text, struct nic_sel *sel);
/* Whether a device at d matches a PCI or auto selection (MAC selections
 * match every device: the MAC is known only after probing). */
bool nic_sel_pci_match(const struct nic_sel *sel, uint8_t bus, uint8_t dev,
		       uint8_t fn);
/* The model name if some driver supports vendor:device, else NULL. */
const char *nic_supported(uint16_t vendor, uint16_t device);

/* Find the selected NIC, reset it, read its MAC and start it. 0, or -1
 * with a one-line reason in err (no file or key name). */
int nic_open(const struct nic_sel *sel, uint64_t tsc_hz, struct nic *nic,
	     char *err, size_t len);

#endif
