/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libelastic's structs built from the kernel's replies of stats-get,
 * process-get and process-map: functions of one message each, apart from
 * the socket, so that the host tests can feed them canned messages.
 * Each returns 0, -EPROTO for a reply that breaks the spec's rules
 * (a malformed attribute, a missing required one, a value out of range),
 * or -ENOMEM.
 */
#ifndef ELASTIC_REPLY_H
#define ELASTIC_REPLY_H

#include <linux/netlink.h>

#include "elastic.h"

/* A stats-get reply into *st (zeroed first). */
int elastic_stats_parse(const struct nlmsghdr *nlh, struct elastic_stats *st);
/* A process-get reply, or one message of its dump, into *p (zeroed first). */
int elastic_process_parse(const struct nlmsghdr *nlh, struct elastic_process *p);
/*
 * One message of a process-map dump, added to *m (zeroed before the
 * first): its first mapping, when it has the start of the last one,
 * continues it.  The process runs on between two messages: where this
 * message's first mapping overlaps what earlier ones said, this message
 * wins (earlier mappings cut short or dropped, a continued one resized).
 * On failure *m keeps what it had, to be freed with elastic_process_map_free().
 */
int elastic_process_map_add(struct elastic_process_map *m, const struct nlmsghdr *nlh);

#endif /* ELASTIC_REPLY_H */
