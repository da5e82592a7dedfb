// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel actuator for the SpotOS module's generic netlink family, through
 * the shared library in userspace/lib (the one elasticctl uses): this file
 * is the only place elasticd talks to the kernel.
 *
 * Membership is real: the node's id and every configured member are applied
 * with config-set and node-add (a member whose address changed is removed
 * and added again), and removal is node-del.  Page caps are node-set.  A
 * drain is libelastic's drain loop (elastic_drain(), elasticctl node
 * drain's too): node-drain of this node's own id until it holds nothing
 * (the kernel asks the homes of the pages to move them), or of another
 * member, one leaving the configuration.  Events go to the module's events
 * group with event-post.
 */
#include "actuator.h"

#include <errno.h>
#include <linux/elastic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "elastic.h"
#include "log.h"

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
	struct elastic_client *c;
	int ret, first = 0;
	size_t i;

	(void)a;
	ret = open_client(&c);
	if (ret)
		return ret;
	for (i = 0; i < plan->n_caps; i++) {
		const struct ed_cap *cap = &plan->caps[i];

		if (cap->max_pages > INT32_MAX) {
			log_err("plan: cap of %llu pages for node %u is beyond the kernel's %d",
				(unsigned long long)cap->max_pages, cap->node, INT32_MAX);
			ret = -ERANGE;
		} else {
			ret = elastic_node_set_max_pages(c, cap->node, (uint32_t)cap->max_pages);
			if (ret)
				log_err("kernel: cannot cap node %u at %llu pages: %s %s",
					cap->node, (unsigned long long)cap->max_pages,
					strerror(-ret), elastic_last_error(c));
			else
				log_info("kernel: node %u hosts at most %llu pages", cap->node,
					 (unsigned long long)cap->max_pages);
		}
		/* One bad cap does not keep the others from applying. */
		if (ret && !first)
			first = ret;
	}
	elastic_close(c);
	return first;
}

/* The reactor's progress callback behind libelastic's drain loop. */
struct nl_progress {
	ed_drain_progress_fn fn;
	void *arg;
};

/*
 * Pages leave by moves, by the process's own faults and frees, and between
 * calls; none arrive (the node is draining).  So progress is what is gone
 * of what was here at the start.
 */
static int nl_progress(void *arg, const struct elastic_drain_progress *p)
{
	const struct nl_progress *np = arg;

	return np->fn(np->arg, p->start > p->left ? p->start - p->left : 0, p->start);
}

static int nl_drain(struct ed_actuator *a, const struct ed_drain_req *req,
		    ed_drain_progress_fn progress, void *arg, struct ed_drain_result *res)
{
	struct nl_progress np = { progress, arg };
	struct elastic_drain d = {
		.node = req->node, .stall_s = ELASTIC_DRAIN_STALL_S,
		.progress = progress ? nl_progress : NULL, .arg = &np,
	};
	struct elastic_drain_progress p;
	struct elastic_status st;
	struct elastic_client *c;
	int ret;

	(void)a;
	res->pages_left = 0;
	res->home_procs = 0;
	ret = open_client(&c);
	if (ret)
		return ret;
	/* No deadline here: the reactor watches it, and draining on past it helps. */
	ret = elastic_drain(c, &d, &p);
	if (ret == -EAGAIN)
		log_err("kernel: drain of node %u moved nothing for %d s; %llu pages stay",
			req->node, ELASTIC_DRAIN_STALL_S, (unsigned long long)p.left);
	else if (ret && ret != -ECANCELED)
		log_err("kernel: drain of node %u: %s %s", req->node, strerror(-ret),
			elastic_last_error(c));
	res->pages_left = p.left;
	/* This node's own processes' pages stay until threads can jump. */
	if (!elastic_status_get(c, &st) && st.node_id == req->node)
		res->home_procs = st.stretched;
	elastic_close(c);
	return ret;
}

/* The kernel moves pages as fast as it can; the deadline is elasticd's to watch. */
static int nl_deadline(struct ed_actuator *a, uint32_t node, time_t deadline, const char *reason)
{
	(void)a; (void)node; (void)deadline; (void)reason;
	return 0;
}

static int nl_undrain(struct ed_actuator *a, uint32_t node, const char *reason)
{
	struct elastic_client *c;
	int ret;

	(void)a;
	ret = open_client(&c);
	if (ret)
		return ret;
	ret = elastic_node_undrain(c, node);
	if (ret)
		log_err("kernel: cannot end the drain of node %u (%s): %s %s", node, reason,
			strerror(-ret), elastic_last_error(c));
	elastic_close(c);
	return ret;
}

static int nl_event(struct ed_actuator *a, const struct ed_event *ev)
{
	struct elastic_client *c;
	uint32_t type;
	int ret;

	(void)a;
	/* The drain types, the only ones event-post takes, named as libelastic names them. */
	for (type = ELASTIC_EVENT_TYPE_DRAIN_START; type <= ELASTIC_EVENT_TYPE_REBALANCE; type++)
		if (!strcmp(elastic_event_type_name(type), ev->type))
			break;
	if (type > ELASTIC_EVENT_TYPE_REBALANCE) {
		log_err("event %s has no kernel event type", ev->type);
		return -EINVAL;
	}
	ret = open_client(&c);
	if (ret)
		return ret;
	ret = elastic_event_post(c, type, ev->deadline, ev->reason, ev->detail);
	if (ret)
		log_warn("kernel: cannot post event %s: %s %s", ev->type, strerror(-ret),
			 elastic_last_error(c));
	elastic_close(c);
	return ret;
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
