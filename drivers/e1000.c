/* Intel 8254x (82540EM, 82545EM) and 82574L Gigabit Ethernet: what QEMU
 * emulates as "e1000" and "e1000e" and Bochs as "e1000". Polled, legacy
 * descriptors, one receive and one transmit queue, no offloads.
 *
 * References: "PCI/PCI-X Family of Gigabit Ethernet Controllers Software
 * Developer's Manual" (8254x SDM, rev 4.0) and the "82574 GbE Controller
 * Datasheet" (rev 3.4). Section numbers below are the 8254x SDM's unless
 * marked 82574.
 *
 * Buffers and rings come from palloc, which is identity-mapped: a
 * buffer's virtual address is the physical address the NIC DMAs to.
 */
#include "drivers/nic.h"
#include "drivers/pci.h"
#include "arch/x86/cpu.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

/* Registers (13.4) */
#define CTRL		0x0000
#define STATUS		0x0008
#define EERD		0x0014
#define ICR		0x00c0
#define IMC		0x00d8
#define RCTL		0x0100
#define TCTL		0x0400
#define TIPG		0x0410
#define RDBAL		0x2800
#define RDBAH		0x2804
#define RDLEN		0x2808
#define RDH		0x2810
#define RDT		0x2818
#define TDBAL		0x3800
#define TDBAH		0x3804
#define TDLEN		0x3808
#define TDH		0x3810
#define TDT		0x3818
#define MPC		0x4010		/* missed packets (no buffer) */
#define MTA		0x5200		/* multicast table, 128 dwords */
#define RAL0		0x5400
#define RAH0		0x5404

#define CTRL_LRST	(1u << 3)
#define CTRL_ASDE	(1u << 5)
#define CTRL_SLU	(1u << 6)
#define CTRL_RST	(1u << 26)
#define CTRL_PHY_RST	(1u << 31)
#define STATUS_LU	(1u << 1)
#define RAH_AV		(1u << 31)

#define RCTL_EN		(1u << 1)
#define RCTL_BAM	(1u << 15)	/* accept broadcast: HELLOs */
#define RCTL_SECRC	(1u << 26)	/* strip the FCS */
#define TCTL_EN		(1u << 1)
#define TCTL_PSP	(1u << 3)	/* pad short packets */
#define TCTL_CT		(0x0fu << 4)	/* collision threshold */
#define TCTL_COLD	(0x3fu << 12)	/* collision distance, full duplex */
/* IPGT 8, IPGR1 8, IPGR2 6 for copper (13.4.34) */
#define TIPG_COPPER	(8u | 8u << 10 | 6u << 20)

/* EERD (13.4.4); the 82574L moves DONE and ADDR (82574 10.2.2.6). */
#define EERD_START		(1u << 0)
#define EERD_DONE_8254X		(1u << 4)
#define EERD_ADDR_8254X		8
#define EERD_DONE_82574		(1u << 1)
#define EERD_ADDR_82574		2
#define EERD_DATA		16

/* Legacy descriptors (3.2.3, 3.3.3) */
struct rx_desc {
	uint64_t addr;
	uint16_t length;
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

struct tx_desc {
	uint64_t addr;
	uint16_t length;
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

#define RXD_DD		0x01
#define RXD_EOP		0x02
#define TXD_EOP		0x01
#define TXD_IFCS	0x02
#define TXD_RS		0x08
#define TXD_DD		0x01

/* Ring sizes: multiples of 8 descriptors (128 bytes, 3.2.6). Receive is
 * the larger: a burst of a full window plus acks must not overrun it. */
#define RX_N		256
#define TX_N		64
#define BUF_SIZE	2048		/* RCTL.BSIZE 00 */
#define RDT_BATCH	16		/* descriptors returned per RDT write */
#define TDT_BATCH	16		/* frames queued per TDT write */

struct e1000 {
	volatile uint8_t *regs;
	bool is_82574;
	volatile struct rx_desc *rx;
	volatile struct tx_desc *tx;
	uint8_t *rx_buf, *tx_buf;
	uint32_t rx_next;		/* next descriptor to look at */
	uint32_t rx_unreturned;		/* taken but not yet given back */
	uint32_t tx_tail, tx_clean;
	uint32_t tx_kicked;		/* TDT as last written */
};

static uint32_t rd(struct e1000 *e, uint32_t reg)
{
	return *(volatile uint32_t *)(e->regs + reg);
}

static void wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
	*(volatile uint32_t *)(e->regs + reg) = v;
}

static inline void barrier(void)
{
	__asm__ volatile("" ::: "memory");
}

static void udelay(const struct nic *nic, uint64_t us)
{
	uint64_t hz = nic->tsc_hz ? nic->tsc_hz : 1000000000ull;
	uint64_t t0 = rdtsc(), n = hz / 1000000 * us;

	while (rdtsc() - t0 < n)
		cpu_relax();
}

static const char *e1000_match(uint16_t vendor, uint16_t device)
{
	if (vendor != 0x8086)
		return NULL;
	switch (device) {
	case 0x100e:
	case 0x1015:
		return "82540EM";
	case 0x100f:
		return "82545EM";
	case 0x10d3:
		return "82574L";
	}
	return NULL;
}

/* One 16-bit EEPROM word through EERD, or -1 on a timeout. */
static int eeprom_read(struct nic *nic, struct e1000 *e, unsigned word)
{
	uint32_t done = e->is_82574 ? EERD_DONE_82574 : EERD_DONE_8254X;
	unsigned shift = e->is_82574 ? EERD_ADDR_82574 : EERD_ADDR_8254X;

	wr(e, EERD, EERD_START | word << shift);
	for (int i = 0; i < 10000; i++) {
		uint32_t v = rd(e, EERD);

		if (v & done)
			return (int)(v >> EERD_DATA);
		udelay(nic, 1);
	}
	return -1;
}

static bool mac_valid(const uint8_t *m)
{
	uint8_t or = 0, and = 0xff;

	for (int i = 0; i < NIC_ALEN; i++) {
		or |= m[i];
		and &= m[i];
	}
	return or && and != 0xff && !(m[0] & 1);	/* not multicast */
}

/* The EEPROM's MAC address: words 0-2 (5.6.1). */
static bool read_eeprom_mac(struct nic *nic, struct e1000 *e)
{
	for (unsigned w = 0; w < 3; w++) {
		int v = eeprom_read(nic, e, w);

		if (v < 0)
			return false;
		nic->eeprom_mac[2 * w] = (uint8_t)v;
		nic->eeprom_mac[2 * w + 1] = (uint8_t)(v >> 8);
	}
	return true;
}

/* The MAC address: the receive-address registers if the firmware or the
 * reset left one there (QEMU does), else the EEPROM (Bochs leaves them
 * empty); then written to RAL0/RAH0, which the receive filter uses
 * (13.4.62). The EEPROM is read either way, so that its access path
 * (whose layout differs on the 82574L) is checked on every NIC. */
static int read_mac(struct nic *nic, struct e1000 *e, char *err, size_t len)
{
	uint32_t ral = rd(e, RAL0), rah = rd(e, RAH0);

	for (int i = 0; i < 4; i++)
		nic->mac[i] = (uint8_t)(ral >> (8 * i));
	nic->mac[4] = (uint8_t)rah;
	nic->mac[5] = (uint8_t)(rah >> 8);
	nic->eeprom_ok = read_eeprom_mac(nic, e);
	if (!(rah & RAH_AV) || !mac_valid(nic->mac)) {
		if (!nic->eeprom_ok) {
			tsnprintf(err, len, "%s: EEPROM read timed out",
				  nic->model);
			return -1;
		}
		memcpy(nic->mac, nic->eeprom_mac, NIC_ALEN);
		nic->mac_from_eeprom = true;
	}
	if (!mac_valid(nic->mac)) {
		tsnprintf(err, len, "%s: no valid MAC address (EEPROM empty?)",
			  nic->model);
		return -1;
	}
	wr(e, RAL0, (uint32_t)nic->mac[0] | (uint32_t)nic->mac[1] << 8 |
		    (uint32_t)nic->mac[2] << 16 | (uint32_t)nic->mac[3] << 24);
	wr(e, RAH0, (uint32_t)nic->mac[4] | (uint32_t)nic->mac[5] << 8 |
		    RAH_AV);
	return 0;
}

/* Quiesce and reset (14.9): interrupts masked, receive and transmit off
 * so that no DMA is in flight, then CTRL.RST, which self-clears. */
static int reset(struct nic *nic, struct e1000 *e, char *err, size_t len)
{
	wr(e, IMC, 0xffffffff);
	wr(e, RCTL, 0);
	wr(e, TCTL, 0);
	(void)rd(e, STATUS);		/* flush the posted writes */
	udelay(nic, 10000);
	wr(e, CTRL, rd(e, CTRL) | CTRL_RST);
	udelay(nic, 1000);
	for (int i = 0; rd(e, CTRL) & CTRL_RST; i++) {
		if (i == 1000) {
			tsnprintf(err, len, "%s: reset did not complete",
				  nic->model);
			return -1;
		}
		udelay(nic, 100);
	}
	wr(e, IMC, 0xffffffff);
	(void)rd(e, ICR);
	return 0;
}

static const struct nic_ops e1000_ops;

static int e1000_probe(struct nic *nic, char *err, size_t len)
{
	uint64_t bar = pci_bar_mem(&nic->pci, 0);
	struct e1000 *e;

	if (!bar) {
		tsnprintf(err, len, "%s: BAR0 is not assigned", nic->model);
		return -1;
	}
	e = palloc_pages(1);
	if (!e) {
		tsnprintf(err, len, "%s: out of memory", nic->model);
		return -1;
	}
	e->regs = (volatile uint8_t *)bar;
	e->is_82574 = nic->pci.device == 0x10d3;
	nic->priv = e;
	nic->ops = &e1000_ops;
	if (reset(nic, e, err, len))
		return -1;
	return read_mac(nic, e, err, len);
}

static void *alloc_bytes(size_t bytes)
{
	return palloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

static int e1000_start(struct nic *nic, char *err, size_t len)
{
	struct e1000 *e = nic->priv;
	uint64_t a;

	e->rx = alloc_bytes(RX_N * sizeof(struct rx_desc));
	e->tx = alloc_bytes(TX_N * sizeof(struct tx_desc));
	e->rx_buf = alloc_bytes(RX_N * BUF_SIZE);
	e->tx_buf = alloc_bytes(TX_N * BUF_SIZE);
	if (!e->rx || !e->tx || !e->rx_buf || !e->tx_buf) {
		tsnprintf(err, len, "%s: out of memory for rings", nic->model);
		return -1;
	}
	for (uint32_t i = 0; i < RX_N; i++)
		e->rx[i].addr = (uint64_t)(e->rx_buf + i * BUF_SIZE);
	for (uint32_t i = 0; i < 128; i++)
		wr(e, MTA + 4 * i, 0);

	/* Receive (14.4): the NIC owns descriptors RDH..RDT-1. */
	a = (uint64_t)e->rx;
	wr(e, RDBAL, (uint32_t)a);
	wr(e, RDBAH, (uint32_t)(a >> 32));
	wr(e, RDLEN, RX_N * sizeof(struct rx_desc));
	wr(e, RDH, 0);
	wr(e, RDT, RX_N - 1);
	e->rx_next = 0;
	wr(e, RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);

	/* Transmit (14.5) */
	a = (uint64_t)e->tx;
	wr(e, TDBAL, (uint32_t)a);
	wr(e, TDBAH, (uint32_t)(a >> 32));
	wr(e, TDLEN, TX_N * sizeof(struct tx_desc));
	wr(e, TDH, 0);
	wr(e, TDT, 0);
	e->tx_tail = e->tx_clean = e->tx_kicked = 0;
	wr(e, TIPG, TIPG_COPPER);
	wr(e, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);

	/* Link up with speed and duplex from auto-negotiation (14.3). */
	wr(e, CTRL, (rd(e, CTRL) | CTRL_SLU | CTRL_ASDE) &
		    ~(CTRL_LRST | CTRL_PHY_RST));
	return 0;
}

static void tx_reclaim(struct e1000 *e)
{
	while (e->tx_clean != e->tx_tail &&
	       (e->tx[e->tx_clean].status & TXD_DD))
		e->tx_clean = (e->tx_clean + 1) % TX_N;
}

static void e1000_tx_flush(struct nic *nic)
{
	struct e1000 *e = nic->priv;

	if (e->tx_kicked == e->tx_tail)
		return;
	barrier();		/* descriptors before the tail moves */
	wr(e, TDT, e->tx_tail);
	e->tx_kicked = e->tx_tail;
}

static void *e1000_tx_buf(struct nic *nic)
{
	struct e1000 *e = nic->priv;
	uint32_t next = (e->tx_tail + 1) % TX_N;

	if (next == e->tx_clean) {
		e1000_tx_flush(nic);
		tx_reclaim(e);
		if (next == e->tx_clean) {
			nic->st.tx_ring_full++;
			return NULL;
		}
	}
	return e->tx_buf + e->tx_tail * BUF_SIZE;
}

static void e1000_tx_send(struct nic *nic, size_t len)
{
	struct e1000 *e = nic->priv;
	volatile struct tx_desc *d = &e->tx[e->tx_tail];

	d->addr = (uint64_t)(e->tx_buf + e->tx_tail * BUF_SIZE);
	d->length = (uint16_t)len;
	d->cso = 0;
	d->css = 0;
	d->special = 0;
	d->status = 0;
	d->cmd = TXD_EOP | TXD_IFCS | TXD_RS;
	e->tx_tail = (e->tx_tail + 1) % TX_N;
	if ((e->tx_tail - e->tx_kicked + TX_N) % TX_N >= TDT_BATCH)
		e1000_tx_flush(nic);
	nic->st.tx_frames++;
}

/* Hand taken descriptors back: RDT is the last one the NIC may fill,
 * plus one. Batched, since each RDT write is a device access. */
static void rx_return(struct e1000 *e)
{
	if (!e->rx_unreturned)
		return;
	barrier();
	wr(e, RDT, (e->rx_next + RX_N - 1) % RX_N);
	e->rx_unreturned = 0;
}

/* The frame rx returned is consumed: its descriptor goes back. */
static void e1000_rx_done(struct nic *nic)
{
	struct e1000 *e = nic->priv;

	e->rx[e->rx_next].status = 0;
	e->rx_next = (e->rx_next + 1) % RX_N;
	if (++e->rx_unreturned >= RDT_BATCH)
		rx_return(e);
}

static const void *e1000_rx(struct nic *nic, size_t *len)
{
	struct e1000 *e = nic->priv;

	for (;;) {
		volatile struct rx_desc *d = &e->rx[e->rx_next];

		if (!(d->status & RXD_DD)) {
			rx_return(e);
			return NULL;
		}
		barrier();	/* status before the data it covers */
		/* A frame longer than one buffer spans descriptors: not one
		 * of ours (MTU 1500), drop every piece of it. */
		if ((d->status & RXD_EOP) && !d->errors &&
		    d->length <= NIC_FRAME_MAX) {
			*len = d->length;
			nic->st.rx_frames++;
			return e->rx_buf + e->rx_next * BUF_SIZE;
		}
		nic->st.rx_errors++;
		e1000_rx_done(nic);
	}
}

static bool e1000_link_up(struct nic *nic)
{
	struct e1000 *e = nic->priv;

	nic->st.rx_missed += rd(e, MPC);	/* clears on read */
	return rd(e, STATUS) & STATUS_LU;
}

static const struct nic_ops e1000_ops = {
	.start = e1000_start,
	.tx_buf = e1000_tx_buf,
	.tx_send = e1000_tx_send,
	.tx_flush = e1000_tx_flush,
	.rx = e1000_rx,
	.rx_done = e1000_rx_done,
	.link_up = e1000_link_up,
};

const struct nic_driver e1000_driver = {
	.name = "e1000",
	.match = e1000_match,
	.probe = e1000_probe,
};
