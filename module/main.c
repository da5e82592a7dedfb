// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: node state, and loading and unloading.
 *
 * The module registers, in this order, its sysctls, its elastic_ops with
 * the core kernel (which serve /proc/PID/elastic), its generic netlink
 * family, and starts the transport (cluster.c); it undoes them in reverse,
 * so that membership events of the shutdown still have a family to go to.
 * While a user holds it (an open /proc/PID/elastic now; stretched
 * processes later) the module cannot be unloaded: the core pins it through
 * elastic_ops_get().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/utsname.h>

#include "internal.h"

struct elastic_this_node elastic_node;

/* Serialises changes of the node's configuration; see struct elastic_this_node. */
static DEFINE_MUTEX(elastic_config_lock);

static unsigned int node_id;
module_param(node_id, uint, 0444);
MODULE_PARM_DESC(node_id, "This node's id at load time (1-63; 0: assign later via sysctl or netlink)");

void elastic_count_bad_input(void)
{
	atomic64_inc(&elastic_node.bad_input);
}

/**
 * elastic_set_node_id - give this node a new id
 * @id: the id, 1..ELASTIC_MAX_NODE_ID
 *
 * Announces the change on the events multicast group.  The id is in every
 * message to the members, so it cannot change while there are any.
 *
 * Return: 0, -EINVAL (counted as bad input) for an id out of range, or
 * -EBUSY while the node has members.
 */
int elastic_set_node_id(u32 id)
{
	bool changed;

	if (!elastic_node_id_valid(id)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	mutex_lock(&elastic_config_lock);
	changed = READ_ONCE(elastic_node.id) != id;
	if (changed && elastic_cluster_has_members()) {
		mutex_unlock(&elastic_config_lock);
		return -EBUSY;
	}
	WRITE_ONCE(elastic_node.id, id);
	if (changed)
		elastic_nl_notify(ELASTIC_EVENT_TYPE_CONFIG_CHANGED, 0);
	mutex_unlock(&elastic_config_lock);
	return 0;
}

void elastic_status_read(struct elastic_status *st)
{
	st->version = ELASTIC_VERSION;
	st->release = init_utsname()->release;
	st->node_id = READ_ONCE(elastic_node.id);
	st->bad_input = atomic64_read(&elastic_node.bad_input);
	st->stretched = elastic_mem_nstretched();
	st->hosted_pages = atomic64_read(&elastic_mstats.hosted_pages);
}

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
};

static int __init elastic_init(void)
{
	int ret;

	if (node_id && !elastic_node_id_valid(node_id)) {
		pr_err("node_id=%u is out of range 1-%u\n", node_id, ELASTIC_MAX_NODE_ID);
		return -EINVAL;
	}
	elastic_node.id = node_id;

	ret = elastic_mem_init();
	if (ret)
		return ret;
	ret = elastic_shadow_init();
	if (ret)
		goto out_mem;
	ret = elastic_sysctl_init();
	if (ret)
		goto out_shadow;
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
	pr_info("SpotOS elastic memory %s loaded, node id %u\n", ELASTIC_VERSION, node_id);
	return 0;

out_nl:
	elastic_nl_exit();
out_ops:
	elastic_ops_unregister(&elastic_module_ops);
out_sysctl:
	elastic_sysctl_exit();
out_shadow:
	elastic_shadow_exit();
out_mem:
	elastic_mem_exit();
	return ret;
}

static void __exit elastic_exit(void)
{
	elastic_cluster_exit();
	elastic_nl_exit();
	elastic_ops_unregister(&elastic_module_ops);
	elastic_sysctl_exit();
	elastic_shadow_exit();
	elastic_mem_exit();
	pr_info("SpotOS elastic memory unloaded\n");
}

module_init(elastic_init);
module_exit(elastic_exit);
MODULE_DESCRIPTION("SpotOS elastic memory: one process's pages over several nodes");
MODULE_VERSION(ELASTIC_VERSION);
MODULE_LICENSE("GPL");
