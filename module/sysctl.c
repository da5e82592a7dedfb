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
 * bad_input        (0444) inputs refused as malformed or out of range.
 * bad_frames       (0444) connections closed for a malformed message.
 * conn_refused     (0444) connections refused: not from a member's address.
 * pulls_ahead      (0444) PULLs that went before messages ahead of them.
 * swap_type        (0444) swap type of elastic entries in pagemap.
 * max_hosted_pages (0644) cap on the pages hosted for other nodes.
 * push_below_kb    (0644) MemAvailable (KiB) under which stretched
 *                  processes push cold pages out; 0: only their limits.
 * orphan_keep_ms   (0644) how long pages of a home declared dead are kept.
 * evacuating       (0444) 1 while this node is being emptied (node-drain of
 *                  its own id), until node-undrain.
 * remote_pages ... (0444) the memory counters of struct elastic_mem_stats
 *                  (module/internal.h documents each one).
 * Every refused write fails with EINVAL and counts in bad_input; every file
 * is in docs/admin-guide.md.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sysctl.h>

#include <linux/swap.h>

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

/* Read-only counters: table->data is an atomic64_t. */
static int elastic_sysctl_counter(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned long val = atomic64_read((atomic64_t *)table->data);
	struct ctl_table t = *table;

	t.data = &val;
	return proc_doulongvec_minmax(&t, write, buffer, lenp, ppos);
}

/* A read-only counter named after its field in @stats (an atomic64_t). */
#define ELASTIC_SYSCTL_COUNTER(stats, field) {			\
	.procname	= #field,				\
	.data		= &(stats).field,			\
	.maxlen		= sizeof(unsigned long),		\
	.mode		= 0444,					\
	.proc_handler	= elastic_sysctl_counter,		\
}

static unsigned int port_min = 1, port_max = 65535;
static unsigned int hb_min = 50, hb_max = 60000;
static unsigned int misses_min = 1, misses_max = 100;
/* The swap type of elastic entries, for tools that read /proc/PID/pagemap. */
static int swap_type = SWP_ELASTIC;

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
	ELASTIC_SYSCTL_COUNTER(elastic_node, bad_input),
	ELASTIC_SYSCTL_COUNTER(elastic_tstats, bad_frames),
	ELASTIC_SYSCTL_COUNTER(elastic_tstats, conn_refused),
	ELASTIC_SYSCTL_COUNTER(elastic_tstats, pulls_ahead),
	{
		.procname	= "swap_type",
		.data		= &swap_type,
		.maxlen		= sizeof(int),
		.mode		= 0444,
		.proc_handler	= proc_dointvec,
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
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, remote_pages),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, drained),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, oom_kills),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, caps_set),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, evacuations),
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
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, pressure_pushes),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, shrinker_scans),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, relieve_requests),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, relieved),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, handed_off),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, handed_in),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, bg_pushes),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, restarts),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, layouts),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, shadows),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, shadow_pages),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, shadow_errors),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, claims_granted),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, claims_refused),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, claimed),
	{
		.procname	= "evacuating",
		.data		= &elastic_evacuating,
		.maxlen		= sizeof(bool),
		.mode		= 0444,
		.proc_handler	= proc_dobool,
	},
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, hosted_pages),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, hosted_in),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, frees),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, pull_failures),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, push_failures),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, resends),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, stale_replies),
	ELASTIC_SYSCTL_COUNTER(elastic_mstats, send_errors),
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
