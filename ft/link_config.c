/* Checking the link's config keys. */
#include "ft/link_config.h"
#include "ft/frame.h"
#include "lib/hex.h"
#include "lib/print.h"
#include "lib/string.h"

/* 32 hex digits: the 128-bit SipHash key. */
static int parse_key(const char *s, uint8_t *key)
{
	if (strlen(s) != 2 * SIPHASH_KEY_LEN)
		return -1;
	for (int i = 0; i < SIPHASH_KEY_LEN; i++) {
		int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static bool all_zero(const uint8_t *k)
{
	uint8_t or = 0;

	for (int i = 0; i < SIPHASH_KEY_LEN; i++)
		or |= k[i];
	return !or;
}

int link_config_parse(const struct tandem_config *cfg, const char *file,
		      struct link_config *out, char *err, size_t len)
{
	memset(out, 0, sizeof(*out));
	if (!cfg->role[0]) {
		if (cfg->nic[0] || cfg->link_key[0]) {
			tsnprintf(err, len, "%s: role: missing: '%s' names a "
				  "replication link, which needs role = "
				  "primary or backup", file,
				  cfg->nic[0] ? "nic" : "link_key");
			return -1;
		}
		return 0;
	}
	if (!strcmp(cfg->role, "primary")) {
		out->role = ROLE_PRIMARY;
	} else if (!strcmp(cfg->role, "backup")) {
		out->role = ROLE_BACKUP;
	} else {
		tsnprintf(err, len, "%s: role: '%s' is not 'primary' or "
			  "'backup'", file, cfg->role);
		return -1;
	}
	if (nic_sel_parse(cfg->nic, &out->nic)) {
		tsnprintf(err, len, "%s: nic: '%s' is not 'auto', a PCI address "
			  "(bb:dd.f) or a MAC address (xx:xx:xx:xx:xx:xx)",
			  file, cfg->nic);
		return -1;
	}
	if (cfg->link_key[0]) {
		if (parse_key(cfg->link_key, out->key)) {
			tsnprintf(err, len, "%s: link_key: not 32 hex digits "
				  "(a 128-bit key)", file);
			return -1;
		}
		if (all_zero(out->key)) {
			tsnprintf(err, len, "%s: link_key: all zeros is not a "
				  "key", file);
			return -1;
		}
		out->auth = true;
	}
	out->enabled = true;
	out->timeout_ms = cfg->link_timeout_ms;
	out->window = cfg->link_window;
	out->version = cfg->link_test_version ? cfg->link_test_version
					      : LINK_VERSION;
	return 0;
}
