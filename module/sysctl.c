// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: /proc/sys/elastic/.
 *
 * node_id    (0644) this node's id, 1-63; writes go through the same checks
 *            and change notification as the netlink config-set operation.
 * bad_input  (0444) inputs refused as malformed or out of range.
 */
#include <linux/sysctl.h>

#include "internal.h"

static struct ctl_table_header *elastic_sysctl_header;

static int elastic_sysctl_node_id(const struct ctl_table *table, int write,
				  void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned int val = READ_ONCE(elastic_node.id);
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
	return elastic_set_node_id(val);
}

static int elastic_sysctl_bad_input(const struct ctl_table *table, int write,
				    void *buffer, size_t *lenp, loff_t *ppos)
{
	unsigned long val = atomic64_read(&elastic_node.bad_input);
	struct ctl_table t = *table;

	t.data = &val;
	return proc_doulongvec_minmax(&t, write, buffer, lenp, ppos);
}

static struct ctl_table elastic_sysctl_table[] = {
	{
		.procname	= "node_id",
		.maxlen		= sizeof(unsigned int),
		.mode		= 0644,
		.proc_handler	= elastic_sysctl_node_id,
	},
	{
		.procname	= "bad_input",
		.maxlen		= sizeof(unsigned long),
		.mode		= 0444,
		.proc_handler	= elastic_sysctl_bad_input,
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
