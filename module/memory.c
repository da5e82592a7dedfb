// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: loading and unloading the memory layer.
 *
 * The top of the layer (mem.h lists its files): at load it fills the
 * transport's handler table with the memory messages, registers for
 * members' deaths, restarts and removals, and starts what runs in the
 * background; at unload, after the transport has stopped, it undoes it
 * all.  No process is stretched and nothing is hosted then: both pin the
 * module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "shadow.h"

/* node-del is refused while the member holds pages of this node's processes. */
static bool elastic_mem_busy(u32 id)
{
	return elastic_slot_held(id);
}

/* A dead member: its pages here become orphans; threads learn of it. */
static void elastic_mem_dead(u32 id)
{
	const struct elastic_thread_ops *ops = elastic_thread_ops();

	elastic_hosting_dead(id);
	if (ops)
		ops->node_dead(id);
}

static const struct elastic_member_ops elastic_mem_member_ops = {
	.dead		= elastic_mem_dead,
	.restarted	= elastic_hosting_restarted,
	.removed	= elastic_drain_removed,
	.busy		= elastic_mem_busy,
	.room		= elastic_store_room,
};

/**
 * elastic_mem_init - start the memory layer, before the transport
 *
 * Return: 0, or -ENOMEM.
 */
int elastic_mem_init(void)
{
	int ret;

	elastic_pressure_init(elastic_pressure_tick_fn);
	elastic_store_init();
	ret = elastic_mms_init(elastic_bg_fn);
	if (ret)
		return ret;
	ret = elastic_reclaim_init();
	if (ret)
		goto out_mm;
	ret = elastic_shadow_init();
	if (ret)
		goto out_reclaim;
	elastic_req_register();
	elastic_hosting_init();
	elastic_drain_init();
	elastic_claim_init();
	elastic_member_listen(&elastic_mem_member_ops);
	return 0;

out_reclaim:
	elastic_reclaim_exit();
out_mm:
	elastic_mms_exit();
	return ret;
}

/** elastic_mem_exit - stop the memory layer, once the transport stopped */
void elastic_mem_exit(void)
{
	elastic_member_listen(NULL);
	elastic_claim_exit();
	elastic_drain_exit();
	elastic_hosting_exit();
	elastic_req_unregister();
	elastic_reclaim_exit();
	elastic_mms_exit();
	elastic_pressure_exit();
	elastic_shadow_exit();
	elastic_slots_exit();
	elastic_store_exit();
}
