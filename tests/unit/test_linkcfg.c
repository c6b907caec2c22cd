/* Unit tests for the link's config keys (ft/link_config.c) and the "nic"
 * value (drivers/nic_sel.c), through core/config.c as tandem reads them. */
#include "tests/unit/check.h"
#include "core/config.h"
#include "drivers/nic.h"
#include "ft/frame.h"
#include "ft/link_config.h"

static struct tandem_config cfg;
static struct link_config lc;
static char err[CONFIG_ERR_MAX];

/* Parse a config (with a guest line added) and its link keys. */
static int parse(const char *keys)
{
	char text[1024];

	snprintf(text, sizeof(text), "guest = hello.elf\n%s", keys);
	memset(err, 0, sizeof(err));
	if (config_parse(&cfg, text, strlen(text), "tandem.cfg", err,
			 sizeof(err)))
		return -2;
	return link_config_parse(&cfg, "tandem.cfg", &lc, err, sizeof(err));
}

static void test_no_link(void)
{
	CHECK_EQ(parse(""), 0);
	CHECK(!lc.enabled);
	CHECK_STR(cfg.role, "");
	CHECK_EQ(cfg.link_timeout_ms, 1000);
	CHECK_EQ(cfg.link_window, 64);
	CHECK_EQ(cfg.link_test_version, 0);
}

static void test_primary_defaults(void)
{
	CHECK_EQ(parse("role = primary\n"), 0);
	CHECK(lc.enabled);
	CHECK_EQ(lc.role, ROLE_PRIMARY);
	CHECK_EQ(lc.nic.kind, NIC_SEL_AUTO);
	CHECK(!lc.auth);
	CHECK_EQ(lc.timeout_ms, 1000);
	CHECK_EQ(lc.window, 64);
	CHECK_EQ(lc.version, LINK_VERSION);
}

static void test_all_keys(void)
{
	CHECK_EQ(parse("role = backup\nnic = 00:03.0\n"
		       "link_key = 000102030405060708090a0b0c0d0e0F\n"
		       "link_timeout_ms = 250\nlink_window = 8\n"
		       "link_test_version = 7\n"), 0);
	CHECK_EQ(lc.role, ROLE_BACKUP);
	CHECK_EQ(lc.nic.kind, NIC_SEL_PCI);
	CHECK(lc.nic.bus == 0 && lc.nic.dev == 3 && lc.nic.fn == 0);
	CHECK(lc.auth);
	CHECK_EQ(lc.key[0], 0);
	CHECK_EQ(lc.key[15], 0x0f);
	CHECK_EQ(lc.timeout_ms, 250);
	CHECK_EQ(lc.window, 8);
	CHECK_EQ(lc.version, 7);
}

static void test_errors(void)
{
	CHECK_EQ(parse("role = leader\n"), -1);
	CHECK_STR(err, "tandem.cfg: role: 'leader' is not 'primary' or "
		  "'backup'");
	CHECK_EQ(parse("role = Primary\n"), -1);
	CHECK_EQ(parse("nic = auto\n"), -1);
	CHECK_STR(err, "tandem.cfg: role: missing: 'nic' names a replication "
		  "link, which needs role = primary or backup");
	CHECK_EQ(parse("link_key = 00\n"), -1);
	CHECK_STR(err, "tandem.cfg: role: missing: 'link_key' names a "
		  "replication link, which needs role = primary or backup");
	CHECK_EQ(parse("role = primary\nnic = eth0\n"), -1);
	CHECK_STR(err, "tandem.cfg: nic: 'eth0' is not 'auto', a PCI address "
		  "(bb:dd.f) or a MAC address (xx:xx:xx:xx:xx:xx)");
	CHECK_EQ(parse("role = primary\nlink_key = 0011\n"), -1);
	CHECK_STR(err, "tandem.cfg: link_key: not 32 hex digits (a 128-bit "
		  "key)");
	CHECK_EQ(parse("role = primary\n"
		       "link_key = 000102030405060708090a0b0c0d0e0g\n"), -1);
	CHECK_EQ(parse("role = primary\n"
		       "link_key = 00000000000000000000000000000000\n"), -1);
	CHECK_STR(err, "tandem.cfg: link_key: all zeros is not a key");
	/* bounds come from the config table */
	CHECK_EQ(parse("role = primary\nlink_timeout_ms = 5\n"), -2);
	CHECK_STR(err, "tandem.cfg:3: link_timeout_ms: '5' is below the "
		  "minimum 10");
	CHECK_EQ(parse("role = primary\nlink_window = 65\n"), -2);
	CHECK_STR(err, "tandem.cfg:3: link_window: '65' is above the maximum "
		  "64");
	CHECK_EQ(parse("role = primary\nlink_window = 0\n"), -2);
	CHECK_EQ(parse("role = primary\nlink_test_version = 256\n"), -2);
	CHECK_EQ(parse("role = backup\nrole = primary\n"), -2);
}

static void test_nic_sel(void)
{
	struct nic_sel s;

	CHECK_EQ(nic_sel_parse("", &s), 0);
	CHECK_EQ(s.kind, NIC_SEL_AUTO);
	CHECK_EQ(nic_sel_parse("auto", &s), 0);
	CHECK_EQ(s.kind, NIC_SEL_AUTO);
	CHECK_EQ(nic_sel_parse("02:1f.7", &s), 0);
	CHECK(s.kind == NIC_SEL_PCI && s.bus == 2 && s.dev == 0x1f &&
	      s.fn == 7);
	CHECK_EQ(nic_sel_parse("ff:00.0", &s), 0);
	CHECK_EQ(s.bus, 0xff);
	CHECK_EQ(nic_sel_parse("03.0", &s), 0);
	CHECK(s.kind == NIC_SEL_PCI && s.bus == 0 && s.dev == 3);
	CHECK_EQ(nic_sel_parse("52:54:00:AB:cd:01", &s), 0);
	CHECK(s.kind == NIC_SEL_MAC && s.mac[0] == 0x52 && s.mac[3] == 0xab &&
	      s.mac[4] == 0xcd && s.mac[5] == 1);
	CHECK_EQ(nic_sel_parse("52-54-00-ab-cd-02", &s), 0);
	CHECK(s.kind == NIC_SEL_MAC && s.mac[5] == 2);
	CHECK(nic_sel_pci_match(&s, 1, 2, 3));		/* MAC: any */
	CHECK_EQ(nic_sel_parse("00:20.0", &s), -1);	/* device > 31 */
	CHECK_EQ(nic_sel_parse("00:03.8", &s), -1);	/* function > 7 */
	CHECK_EQ(nic_sel_parse("00:03", &s), -1);
	CHECK_EQ(nic_sel_parse("00:03.0x", &s), -1);
	CHECK_EQ(nic_sel_parse("0:3.0", &s), -1);
	CHECK_EQ(nic_sel_parse("52:54:00:ab:cd", &s), -1);
	CHECK_EQ(nic_sel_parse("52:54:00:ab:cd:01:02", &s), -1);
	CHECK_EQ(nic_sel_parse("52:54-00:ab:cd:01", &s), -1);
	CHECK_EQ(nic_sel_parse("autox", &s), -1);
	CHECK_EQ(nic_sel_parse("x", &s), -1);
	CHECK_EQ(nic_sel_parse("00:03.0", &s), 0);
	CHECK(nic_sel_pci_match(&s, 0, 3, 0));
	CHECK(!nic_sel_pci_match(&s, 0, 3, 1));
	CHECK(!nic_sel_pci_match(&s, 1, 3, 0));
}

static const struct tcase cases[] = {
	TCASE(no_link),
	TCASE(primary_defaults),
	TCASE(all_keys),
	TCASE(errors),
	TCASE(nic_sel),
};

int main(int argc, char **argv)
{
	return RUN_CASES("linkcfg", cases, argc, argv);
}
