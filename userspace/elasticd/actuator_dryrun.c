// SPDX-License-Identifier: GPL-2.0
/* Dry-run actuator: talks to nothing, prints one line per decision so an
 * operator can check a configuration on a live node without side effects. */
#include "actuator.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>

#include "iso8601.h"
#include "log.h"

static FILE *g_out;
static pthread_mutex_t g_out_lock = PTHREAD_MUTEX_INITIALIZER;

void ed_decision(const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&g_out_lock);
	if (g_out) {
		va_start(ap, fmt);
		vfprintf(g_out, fmt, ap);
		va_end(ap);
		fputc('\n', g_out);
		fflush(g_out);	/* tests and pipes read lines as they happen */
	}
	pthread_mutex_unlock(&g_out_lock);
}

static const char *dl_str(time_t t, char *buf, size_t len)
{
	if (!t)
		return "none";
	return iso8601_format(t, buf, len);
}

static int dry_membership(struct ed_actuator *a, const struct ed_config *cfg)
{
	(void)a;
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		const struct ed_node *n = &cfg->nodes[i];

		ed_decision("member node=%u addr=%s kind=%s provider=%s%s", n->id, n->addr,
			    ed_kind_name(n->kind), ed_provider_name(n->provider),
			    n->id == cfg->node_id ? " self=yes" : "");
	}
	return 0;
}

static int dry_remove(struct ed_actuator *a, uint32_t node)
{
	(void)a;
	ed_decision("remove node=%u reason=config", node);
	return 0;
}

static int dry_caps(struct ed_actuator *a, const struct ed_plan *plan)
{
	(void)a;
	for (size_t i = 0; i < plan->n_caps; i++)
		ed_decision("cap node=%u pages=%llu", plan->caps[i].node,
			    (unsigned long long)plan->caps[i].max_pages);
	return 0;
}

static int dry_drain(struct ed_actuator *a, const struct ed_drain_req *req,
		     ed_drain_progress_fn progress, void *arg, struct ed_drain_result *res)
{
	char buf[32];

	(void)a;
	if (req->kind == ED_DRAIN_REBALANCE)
		ed_decision("rebalance node=%u reason=%s", req->node, req->reason);
	else
		ed_decision("drain node=%u deadline=%s reason=%s", req->node,
			    dl_str(req->deadline, buf, sizeof(buf)), req->reason);
	/* Nothing to move: report an instant, complete drain. */
	if (progress)
		progress(arg, 0, 0);
	res->pages_left = 0;
	res->home_procs = 0;
	return 0;
}

static int dry_deadline(struct ed_actuator *a, uint32_t node, time_t deadline, const char *reason)
{
	char buf[32];

	(void)a;
	ed_decision("drain-deadline node=%u deadline=%s reason=%s", node,
		    dl_str(deadline, buf, sizeof(buf)), reason);
	return 0;
}

static int dry_undrain(struct ed_actuator *a, uint32_t node, const char *reason)
{
	(void)a;
	ed_decision("cancel node=%u reason=%s", node, reason);
	return 0;
}

static int dry_event(struct ed_actuator *a, const struct ed_event *ev)
{
	(void)a;
	/* Events are not decisions: keep stdout to one line per decision. */
	log_debug("event (dry run, not sent) type=%s node=%u reason=%s%s%s", ev->type, ev->node,
		  ev->reason ? ev->reason : "-", ev->detail ? " detail=" : "",
		  ev->detail ? ev->detail : "");
	return 0;
}

static void dry_destroy(struct ed_actuator *a)
{
	pthread_mutex_lock(&g_out_lock);
	g_out = NULL;
	pthread_mutex_unlock(&g_out_lock);
	free(a);
}

static const struct ed_actuator_ops dry_ops = {
	.name = "dry-run",
	.apply_membership = dry_membership,
	.remove_node = dry_remove,
	.set_caps = dry_caps,
	.drain_node = dry_drain,
	.drain_deadline = dry_deadline,
	.undrain_node = dry_undrain,
	.publish_event = dry_event,
	.destroy = dry_destroy,
};

struct ed_actuator *ed_actuator_dryrun_new(FILE *out)
{
	struct ed_actuator *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->ops = &dry_ops;
	pthread_mutex_lock(&g_out_lock);
	g_out = out;
	pthread_mutex_unlock(&g_out_lock);
	return a;
}
