/* The replication link's config keys, checked and decoded: pure, so
 * that their errors are unit-tested. Keys (core/config.h holds them as
 * text and numbers): role, nic, link_key, link_timeout_ms, link_window,
 * link_test_version. docs/link.md describes them. */
#ifndef FT_LINK_CONFIG_H
#define FT_LINK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/config.h"
#include "drivers/nic.h"
#include "ft/siphash.h"

struct link_config {
	bool enabled;			/* role set */
	uint8_t role;			/* ROLE_PRIMARY or ROLE_BACKUP */
	struct nic_sel nic;
	bool auth;
	uint8_t key[SIPHASH_KEY_LEN];
	uint32_t timeout_ms;
	uint16_t window;
	uint8_t version;		/* advertised protocol version */
};

/* 0, or -1 with a one-line message naming the file and the key in err
 * ("tandem.cfg: role: ..."). A config without role has no link; naming a
 * NIC or a key without a role is an error, not silently ignored. */
int link_config_parse(const struct tandem_config *cfg, const char *file,
		      struct link_config *out, char *err, size_t len);

#endif
