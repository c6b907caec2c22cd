/* Glue between the config, the NIC driver, the link protocol and the
 * monitor. The TSC is the link's clock (boot/ measured its rate). */
#include "ft/ft.h"
#include "ft/link.h"
#include "ft/link_config.h"
#include "ft/linktest.h"
#include "drivers/nic.h"
#include "arch/x86/cpu.h"
#include "lib/palloc.h"
#include "lib/print.h"
#include "lib/string.h"

/* tandem's code, from the linker script of gnu-efi (elf_x86_64_efi.lds):
 * its digest is the build id. The code has no relocations (-fpic), so it
 * is the same wherever the firmware loaded it. */
extern const uint8_t _text[] __attribute__((visibility("hidden")));
extern const uint8_t _etext[] __attribute__((visibility("hidden")));

static struct {
	struct link_config cfg;
	struct nic nic;
	struct link *link;
	uint64_t hz;
	uint64_t build_id, cfg_digest;
} ft;

static const uint8_t zero_key[SIPHASH_KEY_LEN];

static uint64_t now(void)
{
	return rdtsc();
}

static void *io_tx_buf(void *ctx)
{
	struct nic *nic = ctx;

	return nic->ops->tx_buf(nic);
}

static void io_tx_send(void *ctx, size_t len)
{
	struct nic *nic = ctx;

	nic->ops->tx_send(nic, len);
}

static void io_flush(void *ctx)
{
	struct nic *nic = ctx;

	nic->ops->tx_flush(nic);
}

static const void *io_rx(void *ctx, size_t *len)
{
	struct nic *nic = ctx;

	return nic->ops->rx(nic, len);
}

static void io_rx_done(void *ctx)
{
	struct nic *nic = ctx;

	nic->ops->rx_done(nic);
}

static void io_deliver(void *ctx, uint8_t chan, const uint8_t *msg,
		       size_t len)
{
	(void)ctx;
	if (chan == LINK_CHAN_TEST)
		linktest_deliver(msg, len);
}

static uint64_t digest_guest(const struct boot_info *bi)
{
	struct siphash s;
	uint8_t out[8], mem[8];

	siphash_init(&s, zero_key, 0);
	siphash_update(&s, bi->cfg.guest, strlen(bi->cfg.guest) + 1);
	siphash_update(&s, bi->cfg.cmdline, strlen(bi->cfg.cmdline) + 1);
	put_be64(mem, bi->cfg.memory);
	siphash_update(&s, mem, sizeof(mem));
	siphash_update(&s, bi->guest_image, bi->guest_image_size);
	siphash_final(&s, out);
	return get_be64(out);
}

static bool rdrand(uint64_t *v)
{
	struct cpuid_regs r;
	uint8_t ok = 0;

	cpuid_count(1, 0, &r);
	if (!(r.ecx >> 30 & 1))
		return false;
	for (int i = 0; i < 10 && !ok; i++)
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

/* Nonces need to be unique, not secret: RDRAND where the CPU has it
 * (QEMU's default CPU does not), mixed with the boot's TSC readings and
 * the MAC address, which differ between the two hosts of a pair. */
static uint64_t make_nonce(const struct boot_info *bi)
{
	uint64_t in[5] = { rdtsc(), bi->tsc_efi_entry, bi->tsc_exit_bs, 0, 0 };
	uint64_t v;

	memcpy(&in[3], ft.nic.mac, NIC_ALEN);
	rdrand(&in[4]);
	do {
		in[0] = rdtsc();
		v = siphash64(zero_key, in, sizeof(in));
	} while (!v);
	return v;
}

static void *alloc(size_t bytes)
{
	return palloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE);
}

static void print_nic(void)
{
	const struct nic *n = &ft.nic;
	const uint8_t *m = n->mac, *e = n->eeprom_mac;
	char src[48];

	if (n->mac_from_eeprom)
		tsnprintf(src, sizeof(src), "from the EEPROM");
	else if (!n->eeprom_ok)
		tsnprintf(src, sizeof(src), "EEPROM unreadable");
	else if (!memcmp(m, e, NIC_ALEN))
		tsnprintf(src, sizeof(src), "the EEPROM agrees");
	else
		tsnprintf(src, sizeof(src), "EEPROM %02x:%02x:%02x:%02x:%02x:"
			  "%02x", e[0], e[1], e[2], e[3], e[4], e[5]);
	pr("link: NIC %s %s at %02x:%02x.%x, MAC %02x:%02x:%02x:%02x:%02x:%02x"
	   " (%s)\n", n->driver, n->model, n->pci.bus, n->pci.dev, n->pci.fn,
	   m[0], m[1], m[2], m[3], m[4], m[5], src);
}

/* boot/ should have stopped the firmware's driver of this NIC. */
static void check_released(const struct boot_info *bi)
{
	uint16_t bdf = (uint16_t)(ft.nic.pci.bus << 8 | ft.nic.pci.dev << 3 |
				  ft.nic.pci.fn);

	for (unsigned i = 0; i < bi->nic_released_count; i++)
		if (bi->nic_released[i] == bdf)
			return;
	pr("link: warning: the firmware's driver of this NIC was not stopped "
	   "at boot\n");
}

int ft_start(const struct boot_info *bi)
{
	const char *file = bi->cfg_name ? bi->cfg_name : "tandem.cfg";
	struct link_params p = { 0 };
	struct link_io io = {
		.ctx = &ft.nic, .tx_buf = io_tx_buf, .tx_send = io_tx_send,
		.flush = io_flush, .rx = io_rx, .rx_done = io_rx_done,
		.deliver = io_deliver,
	};
	struct linktest_env lt;
	char err[CONFIG_ERR_MAX], why[160];
	void *mem;

	if (link_config_parse(&bi->cfg, file, &ft.cfg, err, sizeof(err))) {
		pr("%s\n", err);
		return -1;
	}
	if (!ft.cfg.enabled)
		return 0;
	ft.hz = bi->tsc_hz;
	if (nic_open(&ft.cfg.nic, bi->tsc_hz, &ft.nic, why, sizeof(why))) {
		pr("%s: nic: %s\n", file, why);
		return -1;
	}
	print_nic();
	check_released(bi);
	mem = alloc(link_size());
	if (!mem) {
		pr("link: out of memory\n");
		return -1;
	}
	ft.build_id = siphash64(zero_key, _text, (size_t)(_etext - _text));
	ft.cfg_digest = digest_guest(bi);
	memcpy(p.mac, ft.nic.mac, NIC_ALEN);
	p.role = ft.cfg.role;
	p.version = ft.cfg.version;
	p.build_id = ft.build_id;
	p.cfg_digest = ft.cfg_digest;
	p.nonce = make_nonce(bi);
	p.auth = ft.cfg.auth;
	memcpy(p.key, ft.cfg.key, sizeof(p.key));
	p.timeout_ms = ft.cfg.timeout_ms;
	p.window = ft.cfg.window;
	p.hz = bi->tsc_hz;
	ft.link = link_create(mem, &p, &io, now());
	lt.link = ft.link;
	lt.hz = ft.hz;
	lt.now = now;
	lt.poll = ft_poll;
	linktest_init(&lt);
	pr("link: %s, protocol %u%s, build %016lx, guest config %016lx, "
	   "timeout %u ms, window %u%s; looking for the peer\n",
	   link_role_name(p.role), p.version,
	   p.version != LINK_VERSION ? " (faked by link_test_version)" : "",
	   (unsigned long)p.build_id, (unsigned long)p.cfg_digest,
	   p.timeout_ms, p.window, p.auth ? ", authenticated" : "");
	return 0;
}

bool ft_active(void)
{
	return ft.link != NULL;
}

void ft_poll(void)
{
	if (ft.link)
		link_poll(ft.link, rdtsc());
}

static void print_drops(const struct link_stats *st)
{
	uint64_t total = 0;

	for (unsigned i = FRAME_E_SHORT; i < DROP_NREASONS; i++)
		total += st->drops[i];
	pr_raw("bad frames  %lu", (unsigned long)total);
	for (unsigned i = FRAME_E_SHORT; i < DROP_NREASONS; i++)
		if (st->drops[i])
			pr_raw(", %s %lu", link_drop_name(i),
			       (unsigned long)st->drops[i]);
	pr_raw("\n");
}

void ft_cmd_link(void)
{
	struct link_info i;
	const struct nic *n = &ft.nic;

	if (!ft.link) {
		pr_raw("no replication link (set role in the config)\n");
		return;
	}
	link_get_info(ft.link, now(), &i);
	pr_raw("state       %s, %s%s\n", link_state_name(i.state),
	       link_role_name(i.role), i.auth ? ", authenticated" : "");
	if (i.have_peer)
		pr_raw("peer        %02x:%02x:%02x:%02x:%02x:%02x (%s), "
		       "session %08x\n", i.peer[0], i.peer[1], i.peer[2],
		       i.peer[3], i.peer[4], i.peer[5],
		       link_role_name(i.peer_role), i.session);
	else
		pr_raw("peer        none yet\n");
	if (i.refusal[0])
		pr_raw("refusal     %s\n", i.refusal);
	pr_raw("nic         %s %s at %02x:%02x.%x, MAC "
	       "%02x:%02x:%02x:%02x:%02x:%02x, carrier %s\n", n->driver,
	       n->model, n->pci.bus, n->pci.dev, n->pci.fn, n->mac[0],
	       n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5],
	       n->ops->link_up(&ft.nic) ? "up" : "down");
	pr_raw("rtt         %lu us (min %lu, var %lu), rto %lu us\n",
	       (unsigned long)i.srtt_us, (unsigned long)i.rtt_min_us,
	       (unsigned long)i.rttvar_us, (unsigned long)i.rto_us);
	pr_raw("window      %u frames, peer %u, in flight %u, queued %u bytes\n",
	       i.window, i.peer_window, i.in_flight, i.queued);
	pr_raw("sent        %lu bytes, %lu msgs, %lu data frames, %lu acks, "
	       "%lu frames\n", (unsigned long)i.st.tx_bytes,
	       (unsigned long)i.st.tx_msgs, (unsigned long)i.st.tx_data,
	       (unsigned long)i.st.tx_acks, (unsigned long)i.st.tx_frames);
	pr_raw("received    %lu bytes, %lu msgs, %lu data frames, %lu frames\n",
	       (unsigned long)i.st.rx_bytes, (unsigned long)i.st.rx_msgs,
	       (unsigned long)i.st.rx_data, (unsigned long)i.st.rx_frames);
	pr_raw("retransmit  %lu (%lu on timeout, %lu fast)\n",
	       (unsigned long)(i.st.retx_timeout + i.st.retx_fast),
	       (unsigned long)i.st.retx_timeout, (unsigned long)i.st.retx_fast);
	print_drops(&i.st);
	pr_raw("nic stats   tx %lu, rx %lu, tx ring full %lu, rx errors %lu, "
	       "rx missed %lu\n", (unsigned long)n->st.tx_frames,
	       (unsigned long)n->st.rx_frames,
	       (unsigned long)n->st.tx_ring_full,
	       (unsigned long)n->st.rx_errors,
	       (unsigned long)n->st.rx_missed);
	pr_raw("sessions    %lu, peer lost %lu, refusals %lu; heard %lu ms ago, "
	       "timeout %u ms\n", (unsigned long)i.st.sessions,
	       (unsigned long)i.st.lost, (unsigned long)i.st.refused,
	       (unsigned long)i.last_rx_ms, i.timeout_ms);
}

void ft_cmd_linktest(unsigned mib)
{
	if (!ft.link) {
		pr("linktest: no replication link (set role in the config)\n");
		return;
	}
	linktest_run(mib);
}
