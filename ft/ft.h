/* The replication link on this host: set up from the config before the
 * guest starts, polled from every main loop, shown by the monitor.
 * docs/link.md. */
#ifndef FT_FT_H
#define FT_FT_H

#include <stdbool.h>
#include "core/boot_info.h"

/* Check the link's config keys, open the NIC and start the handshake.
 * 0 when no link is configured or it started; -1 after printing why
 * (naming the config file and key). */
int ft_start(const struct boot_info *bi);
/* A link is configured and running. */
bool ft_active(void);
/* Receive, acknowledge, retransmit, time out: call often (each main
 * loop iteration); cheap when there is nothing to do or no link. */
void ft_poll(void);

/* Monitor commands. */
void ft_cmd_link(void);
void ft_cmd_linktest(unsigned mib);

#endif
