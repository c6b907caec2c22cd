/* Parsing of the "nic" config value; pure, unit-tested. */
#include "drivers/nic.h"
#include "lib/hex.h"

/* Exactly n hex digits at *s, advancing it; -1 if not. */
static int hexn(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		int d = hex_digit((*s)[i]);

		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	*s += n;
	return v;
}

static int parse_mac(const char *s, uint8_t *mac)
{
	char sep = s[0] && s[1] ? s[2] : 0;

	if (sep != ':' && sep != '-')
		return -1;
	for (int i = 0; i < NIC_ALEN; i++) {
		int b = hexn(&s, 2);

		if (b < 0)
			return -1;
		mac[i] = (uint8_t)b;
		if (i < NIC_ALEN - 1 && *s++ != sep)
			return -1;
	}
	return *s ? -1 : 0;
}

/* "bb:dd.f", also "dd.f" (bus 0), as lspci prints. */
static int parse_pci(const char *s, struct nic_sel *sel)
{
	const char *p = s;
	int bus = 0, dev, fn;

	if (p[0] && p[1] && p[2] == ':') {
		bus = hexn(&p, 2);
		p++;
	}
	dev = hexn(&p, 2);
	if (bus < 0 || dev < 0 || dev > 31 || *p++ != '.')
		return -1;
	fn = hex_digit(*p++);
	if (fn < 0 || fn > 7 || *p)
		return -1;
	sel->bus = (uint8_t)bus;
	sel->dev = (uint8_t)dev;
	sel->fn = (uint8_t)fn;
	return 0;
}

static int is_auto(const char *s)
{
	static const char a[] = "auto";

	if (!*s)
		return 1;
	for (int i = 0; i < 5; i++)
		if (s[i] != a[i])
			return 0;
	return 1;
}

int nic_sel_parse(const char *text, struct nic_sel *sel)
{
	struct nic_sel s = { .kind = NIC_SEL_AUTO };

	if (is_auto(text)) {
		*sel = s;
		return 0;
	}
	if (!parse_mac(text, s.mac)) {
		s.kind = NIC_SEL_MAC;
		*sel = s;
		return 0;
	}
	if (!parse_pci(text, &s)) {
		s.kind = NIC_SEL_PCI;
		*sel = s;
		return 0;
	}
	return -1;
}

bool nic_sel_pci_match(const struct nic_sel *sel, uint8_t bus, uint8_t dev,
		       uint8_t fn)
{
	if (sel->kind != NIC_SEL_PCI)
		return true;
	return sel->bus == bus && sel->dev == dev && sel->fn == fn;
}
