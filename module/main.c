// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: loading and unloading.
 *
 * The module starts, in this order, its memory layer (which fills the
 * transport's handler table), its sysctls, its elastic_ops with the core
 * kernel, its generic netlink family, and the transport (membership.c);
 * it undoes them in reverse, so that membership events of the shutdown
 * still have a family to go to.  While a user holds it (an open
 * /proc/PID/elastic, a stretched process, a hosted page) the module cannot
 * be unloaded: each pins it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/module.h>

#include "internal.h"
#include "jump.h"
#include "mem.h"
#include "node.h"
#include "transport.h"

static unsigned int node_id;
module_param(node_id, uint, 0444);
MODULE_PARM_DESC(node_id, "This node's id at load time (1-63; 0: assign later via sysctl or netlink)");

static const struct elastic_ops elastic_module_ops = {
	.owner		= THIS_MODULE,
	.proc_show	= elastic_proc_show,
	.pull		= elastic_mem_pull,
	.pulled		= elastic_mem_pulled,
	.ahead		= elastic_mem_ahead,
	.release	= elastic_mem_release,
	.dup		= elastic_mem_dup,
	.inherit	= elastic_mem_inherit,
	.exit		= elastic_mem_mm_exit,
	.charge		= elastic_mem_charge,
	.room		= elastic_mem_room,
	.syscall	= elastic_jump_hook_syscall,
	.bad_fault	= elastic_jump_hook_bad_fault,
};

static int __init elastic_init(void)
{
	int ret;

	if (node_id && !elastic_node_id_valid(node_id)) {
		pr_err("node_id=%u is out of range 1-%u\n", node_id, ELASTIC_MAX_NODE_ID);
		return -EINVAL;
	}
	elastic_node_init(node_id);

	ret = elastic_mem_init();
	if (ret)
		return ret;
	elastic_jump_init();
	ret = elastic_sysctl_init();
	if (ret)
		goto out_mem;
	ret = elastic_ops_register(&elastic_module_ops);
	if (ret) {
		pr_err("another elastic memory provider is registered\n");
		goto out_sysctl;
	}
	ret = elastic_nl_init();
	if (ret)
		goto out_ops;
	ret = elastic_cluster_init();
	if (ret)
		goto out_nl;
	elastic_debugfs_init();
	pr_info("SpotOS elastic memory %s loaded, node id %u\n", ELASTIC_VERSION, node_id);
	return 0;

out_nl:
	elastic_nl_exit();
out_ops:
	elastic_ops_unregister(&elastic_module_ops);
out_sysctl:
	elastic_sysctl_exit();
out_mem:
	elastic_jump_exit();
	elastic_mem_exit();
	return ret;
}

static void __exit elastic_exit(void)
{
	elastic_debugfs_exit();
	elastic_cluster_exit();
	elastic_nl_exit();
	elastic_ops_unregister(&elastic_module_ops);
	elastic_sysctl_exit();
	elastic_jump_exit();
	elastic_mem_exit();
	pr_info("SpotOS elastic memory unloaded\n");
}

module_init(elastic_init);
module_exit(elastic_exit);
MODULE_DESCRIPTION("SpotOS elastic memory: one process's pages over several nodes");
MODULE_VERSION(ELASTIC_VERSION);
MODULE_LICENSE("GPL");
