/* Finding and opening the link's NIC. */
#include "drivers/nic.h"
#include "lib/print.h"
#include "lib/string.h"

static const struct nic_driver *const drivers[] = {
	&e1000_driver,
};
#define NDRIVERS (sizeof(drivers) / sizeof(drivers[0]))

static const struct nic_driver *find_driver(uint16_t vendor, uint16_t device,
					    const char **model)
{
	for (size_t i = 0; i < NDRIVERS; i++) {
		const char *m = drivers[i]->match(vendor, device);

		if (m) {
			*model = m;
			return drivers[i];
		}
	}
	return NULL;
}

const char *nic_supported(uint16_t vendor, uint16_t device)
{
	const char *model = NULL;

	find_driver(vendor, device, &model);
	return model;
}

struct search {
	const struct nic_sel *sel;
	struct nic *nic;
	char *err;
	size_t len;
	int found;		/* 1 opened, -1 failed with err set */
	bool seen_pci;		/* the PCI address exists */
	unsigned candidates;
};

static int probe(struct search *s, const struct pci_dev *d,
		 const struct nic_driver *drv, const char *model)
{
	struct nic *nic = s->nic;
	uint64_t hz = nic->tsc_hz;

	memset(nic, 0, sizeof(*nic));
	nic->pci = *d;
	nic->driver = drv->name;
	nic->model = model;
	nic->tsc_hz = hz;
	pci_enable_mem_dma(d);
	return drv->probe(nic, s->err, s->len);
}

static bool visit(const struct pci_dev *d, void *ctx)
{
	struct search *s = ctx;
	const struct nic_driver *drv;
	const char *model = NULL;

	if (!nic_sel_pci_match(s->sel, d->bus, d->dev, d->fn))
		return false;
	s->seen_pci = true;
	drv = find_driver(d->vendor, d->device, &model);
	if (!drv) {
		if (s->sel->kind == NIC_SEL_PCI) {
			tsnprintf(s->err, s->len, "%02x:%02x.%x is %04x:%04x, "
				  "not a supported NIC (Intel 82540EM, 82574L)",
				  d->bus, d->dev, d->fn, d->vendor, d->device);
			s->found = -1;
			return true;
		}
		return false;
	}
	s->candidates++;
	if (probe(s, d, drv, model)) {
		s->found = -1;
		return true;
	}
	if (s->sel->kind == NIC_SEL_MAC &&
	    memcmp(s->nic->mac, s->sel->mac, NIC_ALEN))
		return false;	/* reset and quiet; look further */
	s->found = 1;
	return true;
}

int nic_open(const struct nic_sel *sel, uint64_t tsc_hz, struct nic *nic,
	     char *err, size_t len)
{
	struct search s = { .sel = sel, .nic = nic, .err = err, .len = len };
	const uint8_t *m = sel->mac;

	nic->tsc_hz = tsc_hz;
	pci_scan(visit, &s);
	if (s.found < 0)
		return -1;
	if (!s.found) {
		if (sel->kind == NIC_SEL_PCI)
			tsnprintf(err, len, "no PCI device at %02x:%02x.%x",
				  sel->bus, sel->dev, sel->fn);
		else if (sel->kind == NIC_SEL_MAC)
			tsnprintf(err, len, "no supported NIC has MAC "
				  "%02x:%02x:%02x:%02x:%02x:%02x (%u seen)",
				  m[0], m[1], m[2], m[3], m[4], m[5],
				  s.candidates);
		else
			tsnprintf(err, len, "no supported NIC found (Intel "
				  "82540EM, 82574L)");
		return -1;
	}
	return nic->ops->start(nic, err, len);
}
