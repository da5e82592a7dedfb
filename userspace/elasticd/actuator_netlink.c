// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel actuator for the SpotOS module's generic netlink family.
 *
 * The module does not implement membership, page caps or drain yet (a
 * parallel issue adds the node-add/node-del/node-set/node-drain ops). Until
 * then every operation here logs "kernel module does not support <op> yet"
 * and returns -EOPNOTSUPP, so elasticd runs, watches and reports, and the
 * drain logic sees an honest failure instead of a silent success.
 *
 * This file is deliberately the only place that will talk to the kernel: it
 * is to be filled in with calls to the shared netlink library in
 * userspace/lib (the one elasticctl uses), never with a second netlink
 * implementation.
 */
#include "actuator.h"

#include <errno.h>
#include <stdlib.h>

#include "log.h"

static int unsupported(const char *op)
{
	log_err("kernel module does not support %s yet", op);
	return -EOPNOTSUPP;
}

static int nl_membership(struct ed_actuator *a, const struct ed_config *cfg)
{
	(void)a; (void)cfg;
	return unsupported("node-add");
}

static int nl_remove(struct ed_actuator *a, uint32_t node)
{
	(void)a; (void)node;
	return unsupported("node-del");
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
