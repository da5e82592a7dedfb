// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: /proc/sys/elastic/.
 *
 * node_id          (0644) this node's id, 1-63; writes go through the same
 *                  checks and change notification as netlink config-set.
 * listen_port      (0644) TCP port for members' connections; a write
 *                  restarts the listener on the new port.
 * heartbeat_ms     (0644) interval between heartbeats, 50-60000.
 * heartbeat_misses (0644) silent intervals before a member is dead, 1-100.
 * max_hosted_pages (0644) cap on the pages hosted for other nodes.
 * push_below_kb    (0644) MemAvailable (KiB) under which stretched
 *                  processes push cold pages out; 0: only their limits.
 * orphan_keep_ms   (0644) how long pages of a home declared dead are kept.
 *
 * Tunables only: the counters, and whether this node is evacuating, are
 * read through netlink stats-get (netlink.c).  Every refused write fails
 * with EINVAL and counts in bad_input; every file is in
 * docs/admin-guide.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sysctl.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "transport.h"

static struct ctl_table_header *elastic_sysctl_header;

static int elastic_sysctl_node_id(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned int val = elastic_node_id();
	struct ctl_table t = *table;
	int ret;

	t.data = &val;
	ret = proc_douintvec(&t, write, buffer, lenp, ppos);
	if (!write)
		return ret;
	if (ret) {
		elastic_count_bad_input();
		return ret;
	}
	return elastic_cluster_set_node_id(val);
}

/* Bounded settings: table->data, extra1 and extra2 as for proc_douintvec_minmax. */
static int elastic_sysctl_bounded(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned int val = READ_ONCE(*(unsigned int *)table->data);
	struct ctl_table t = *table;
	int ret;

	t.data = &val;
	ret = proc_douintvec_minmax(&t, write, buffer, lenp, ppos);
	if (!write)
		return ret;
	if (ret) {
		elastic_count_bad_input();
		return ret;
	}
	WRITE_ONCE(*(unsigned int *)table->data, val);
	return 0;
}

static int elastic_sysctl_listen_port(const struct ctl_table *table, int write,
				      void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned int old = READ_ONCE(elastic_params.listen_port);
	int ret = elastic_sysctl_bounded(table, write, buffer, lenp, ppos);

	if (ret || !write || old == READ_ONCE(elastic_params.listen_port))
		return ret;
	ret = elastic_cluster_listen();
	if (ret) {
		/* Keep listening where we did. */
		WRITE_ONCE(elastic_params.listen_port, old);
		elastic_cluster_listen();
	}
	return ret;
}

static unsigned int port_min = 1, port_max = 65535;
static unsigned int hb_min = 50, hb_max = 60000;
static unsigned int misses_min = 1, misses_max = 100;

static struct ctl_table elastic_sysctl_table[] = {
	{
		.procname	= "node_id",
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_node_id,
	},
	{
		.procname	= "listen_port",
		.data		= &elastic_params.listen_port,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_listen_port,
		.extra1		= &port_min,
		.extra2		= &port_max,
	},
	{
		.procname	= "heartbeat_ms",
		.data		= &elastic_params.heartbeat_ms,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_bounded,
		.extra1		= &hb_min,
		.extra2		= &hb_max,
	},
	{
		.procname	= "heartbeat_misses",
		.data		= &elastic_params.heartbeat_misses,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_bounded,
		.extra1		= &misses_min,
		.extra2		= &misses_max,
	},
	{
		.procname	= "max_hosted_pages",
		.data		= &elastic_mparams.max_hosted_pages,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_bounded,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{
		.procname	= "push_below_kb",
		.data		= &elastic_mparams.push_below_kb,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_bounded,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
	{
		.procname	= "orphan_keep_ms",
		.data		= &elastic_mparams.orphan_keep_ms,
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_bounded,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_INT_MAX,
	},
};

int elastic_sysctl_init(void)
{
	elastic_sysctl_header = register_sysctl("elastic", elastic_sysctl_table);
	return elastic_sysctl_header ? 0 : -ENOMEM;
}

void elastic_sysctl_exit(void)
{
	unregister_sysctl_table(elastic_sysctl_header);
}
