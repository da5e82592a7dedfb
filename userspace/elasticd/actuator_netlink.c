// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel actuator for the SpotOS module's generic netlink family, through
 * the shared library in userspace/lib (the one elasticctl uses): this file
 * is the only place elasticd talks to the kernel.
 *
 * Membership is real: the node's id and every configured member are applied
 * with config-set and node-add (a member whose address changed is removed
 * and added again), and removal is node-del.  Page caps, drain and posting
 * events to the module's group need kernel operations that do not exist yet
 * (elastic memory, issue 3); those log "kernel module does not support <op>
 * yet" and return -EOPNOTSUPP, so elasticd runs, watches and reports, and
 * the drain logic sees an honest failure instead of a silent success.
 */
#include "actuator.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elastic.h"
#include "log.h"

static int unsupported(const char *op)
{
	log_err("kernel module does not support %s yet", op);
	return -EOPNOTSUPP;
}

/* One short-lived client per operation: nothing to go stale across a reload. */
static int open_client(struct elastic_client **c)
{
	int ret = elastic_open(c);

	if (ret)
		log_err("kernel: cannot reach the elastic module: %s", strerror(-ret));
	return ret;
}

static int nl_membership(struct ed_actuator *a, const struct ed_config *cfg)
{
	struct elastic_status st;
	struct elastic_client *c;
	struct elastic_node cur;
	size_t i;
	int ret;

	(void)a;
	ret = open_client(&c);
	if (ret)
		return ret;
	ret = elastic_status_get(c, &st);
	if (!ret && st.node_id != cfg->node_id) {
		if (st.node_id)
			log_warn("kernel: node id %u differs from the configuration's %u; changing it",
				 st.node_id, cfg->node_id);
		ret = elastic_config_set_node_id(c, cfg->node_id);
	}
	if (ret) {
		log_err("kernel: cannot set node id %u: %s %s", cfg->node_id, strerror(-ret),
			elastic_last_error(c));
		goto out;
	}
	for (i = 0; i < cfg->n_nodes; i++) {
		const struct ed_node *n = &cfg->nodes[i];

		if (!elastic_node_get(c, n->id, &cur)) {
			if (cur.addr == n->ipv4 && cur.port == n->port)
				continue;	/* already as configured: leave it alone */
			log_info("kernel: member %u moved to %s", n->id, n->addr);
			ret = elastic_node_del(c, n->id);
			if (ret)
				break;
		}
		ret = elastic_node_add(c, n->id, n->ipv4, n->port);
		if (ret)
			break;
		log_info("kernel: member %u at %s added", n->id, n->addr);
	}
	if (ret)
		log_err("kernel: cannot apply member %u: %s %s", cfg->nodes[i].id,
			strerror(-ret), elastic_last_error(c));
out:
	elastic_close(c);
	return ret;
}

static int nl_remove(struct ed_actuator *a, uint32_t node)
{
	struct elastic_client *c;
	int ret;

	(void)a;
	ret = open_client(&c);
	if (ret)
		return ret;
	ret = elastic_node_del(c, node);
	if (ret == -ENOENT)
		ret = 0;	/* gone already: what was asked */
	else if (ret)
		log_err("kernel: cannot remove member %u: %s %s", node, strerror(-ret),
			elastic_last_error(c));
	elastic_close(c);
	return ret;
}

static int nl_caps(struct ed_actuator *a, const struct ed_plan *plan)
{
	(void)a; (void)plan;
	return unsupported("node-set");
}

static int nl_drain(struct ed_actuator *a, const struct ed_drain_req *req,
		    ed_drain_progress_fn progress, void *arg, struct ed_drain_result *res)
{
	(void)a; (void)req; (void)progress; (void)arg;
	res->pages_left = 0;
	res->home_procs = 0;
	return unsupported("node-drain");
}

static int nl_deadline(struct ed_actuator *a, uint32_t node, time_t deadline, const char *reason)
{
	(void)a; (void)node; (void)deadline; (void)reason;
	return unsupported("node-drain");
}

static int nl_undrain(struct ed_actuator *a, uint32_t node, const char *reason)
{
	(void)a; (void)node; (void)reason;
	return unsupported("node-set");
}

static int nl_event(struct ed_actuator *a, const struct ed_event *ev)
{
	(void)a; (void)ev;
	return unsupported("events multicast");
}

static void nl_destroy(struct ed_actuator *a)
{
	free(a);
}

static const struct ed_actuator_ops nl_ops = {
	.name = "netlink",
	.apply_membership = nl_membership,
	.remove_node = nl_remove,
	.set_caps = nl_caps,
	.drain_node = nl_drain,
	.drain_deadline = nl_deadline,
	.undrain_node = nl_undrain,
	.publish_event = nl_event,
	.destroy = nl_destroy,
};

struct ed_actuator *ed_actuator_netlink_new(void)
{
	struct ed_actuator *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ops = &nl_ops;
	log_info("kernel actuator: SpotOS module via generic netlink");
	return a;
}
