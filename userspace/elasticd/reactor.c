// SPDX-License-Identifier: GPL-2.0
#include "reactor.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8601.h"
#include "log.h"
#include "timeutil.h"

#define MAX_SOURCES 16
#define PROGRESS_LOG_EVERY_S 5.0
#define SHUTDOWN_WAIT_MS 10000

struct ed_reactor {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct ed_config cfg;
	struct ed_actuator *act;

	enum ed_drain_state state;
	enum ed_drain_kind kind;
	time_t deadline;
	char reason[32];
	/* Notices backing the current drain; when all are cancelled, so is the drain. */
	char sources[MAX_SOURCES][72];
	int n_sources;

	atomic_int abort;	/* read by the progress callback */
	int cancel_pending;
	int shutting_down;
	int threads_running;	/* drain threads are detached; counted instead */
	int rebalance_logged;
	int deadline_missed_logged;
	double last_progress_log;

	unsigned drains_started;
	unsigned deadline_updates;
};

const char *ed_drain_state_name(enum ed_drain_state s)
{
	switch (s) {
	case ED_IDLE: return "idle";
	case ED_DRAINING: return "draining";
	case ED_DRAINED: return "drained";
	default: return "failed";
	}
}

time_t ed_compute_deadline(time_t now, time_t when, int window_s, int margin_s, int slack_s,
			   unsigned *flags)
{
	time_t dl;

	*flags = 0;
	if (!when) {
		*flags |= ED_DL_UNKNOWN;
		when = now + window_s;
	} else if (when > now + (time_t)window_s + slack_s) {
		/* Clocks or clouds misbehave; a notice hours ahead is more likely
		 * wrong than generous, so trust the documented window instead. */
		*flags |= ED_DL_IMPLAUSIBLE;
		when = now + window_s;
	} else if (when <= now) {
		*flags |= ED_DL_PAST;
	}
	dl = when - margin_s;
	if (dl <= now) {
		*flags |= ED_DL_NOW;
		dl = now;
	}
	return dl;
}

static void emit(struct ed_reactor *r, const char *type, const char *detail)
{
	struct ed_event ev = {
		.type = type, .node = r->cfg.node_id, .deadline = r->deadline,
		.reason = r->reason, .detail = detail,
	};

	r->act->ops->publish_event(r->act, &ev);
}

static int progress_cb(void *arg, uint64_t moved, uint64_t total)
{
	struct ed_reactor *r = arg;
	double now = ed_mono_now();
	char buf[64];

	pthread_mutex_lock(&r->lock);
	if (total && (now - r->last_progress_log >= PROGRESS_LOG_EVERY_S || moved >= total)) {
		r->last_progress_log = now;
		snprintf(buf, sizeof(buf), "%llu/%llu pages", (unsigned long long)moved,
			 (unsigned long long)total);
		log_info("drain progress node=%u %s", r->cfg.node_id, buf);
		emit(r, "drain-progress", buf);
	}
	if (r->deadline && ed_wall_now() > r->deadline && moved < total &&
	    !r->deadline_missed_logged) {
		r->deadline_missed_logged = 1;
		log_warn("drain deadline passed with %llu pages still on node %u",
			 (unsigned long long)(total - moved), r->cfg.node_id);
	}
	pthread_mutex_unlock(&r->lock);
	return atomic_load(&r->abort);
}

static void start_drain_locked(struct ed_reactor *r);

static void *drain_main(void *arg)
{
	struct ed_reactor *r = arg;
	struct ed_drain_req req;
	struct ed_drain_result res = { 0 };
	char reason[32], detail[160];
	int rc;

	pthread_mutex_lock(&r->lock);
	memcpy(reason, r->reason, sizeof(reason));
	req.node = r->cfg.node_id;
	req.deadline = r->deadline;
	req.kind = r->kind;
	req.reason = reason;
	pthread_mutex_unlock(&r->lock);

	rc = r->act->ops->drain_node(r->act, &req, progress_cb, r, &res);

	pthread_mutex_lock(&r->lock);
	r->threads_running--;
	if (r->shutting_down) {
		log_warn("drain of node %u stopped by shutdown (%llu pages left)", req.node,
			 (unsigned long long)res.pages_left);
		r->state = ED_IDLE;
	} else if (r->cancel_pending) {
		r->cancel_pending = 0;
		atomic_store(&r->abort, 0);
		if (r->n_sources == 0) {
			log_warn("drain of node %u cancelled: notice withdrawn; node takes pages again",
				 req.node);
			r->act->ops->undrain_node(r->act, req.node, "notice-cancelled");
			emit(r, "drain-cancelled", NULL);
			r->state = ED_IDLE;
		} else {
			/* A new notice came while the cancelled drain wound down. */
			start_drain_locked(r);
		}
	} else if (rc == 0) {
		r->state = ED_DRAINED;
		if (res.home_procs) {
			snprintf(detail, sizeof(detail),
				 "node is home of %u stretched process(es); %llu pages of others left",
				 res.home_procs, (unsigned long long)res.pages_left);
			/* Loud on purpose: this node's loss takes those processes with it. */
			log_crit("NODE %u IS THE HOME OF %u STRETCHED PROCESS(ES): it cannot be "
				 "emptied until threads can jump; drained everything else, %llu "
				 "pages of other nodes remain", req.node, res.home_procs,
				 (unsigned long long)res.pages_left);
			emit(r, "home-pinned", detail);
		}
		snprintf(detail, sizeof(detail), "%llu pages left", (unsigned long long)res.pages_left);
		log_info("drain of node %u finished (%s, reason=%s)", req.node, detail, reason);
		emit(r, "drain-done", detail);
	} else {
		r->state = ED_FAILED;
		snprintf(detail, sizeof(detail), "%s", strerror(-rc));
		log_err("drain of node %u failed: %s (reason=%s)", req.node, detail, reason);
		emit(r, "drain-failed", detail);
	}
	pthread_cond_broadcast(&r->cond);
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void start_drain_locked(struct ed_reactor *r)
{
	pthread_t t;
	pthread_attr_t attr;
	char dl[32];

	r->state = ED_DRAINING;
	r->deadline_missed_logged = 0;
	r->last_progress_log = 0;
	atomic_store(&r->abort, 0);
	r->drains_started++;
	if (r->deadline)
		log_warn("draining node %u: deadline %s (reason=%s)", r->cfg.node_id,
			 iso8601_format(r->deadline, dl, sizeof(dl)), r->reason);
	else
		log_info("draining node %u: no deadline (reason=%s)", r->cfg.node_id, r->reason);
	emit(r, r->kind == ED_DRAIN_REBALANCE ? "rebalance" : "drain-start", NULL);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, drain_main, r)) {
		log_err("cannot start drain thread: %s", strerror(errno));
		r->state = ED_FAILED;
	} else {
		r->threads_running++;
	}
	pthread_attr_destroy(&attr);
	pthread_cond_broadcast(&r->cond);
}

static int add_source(struct ed_reactor *r, const char *id)
{
	for (int i = 0; i < r->n_sources; i++)
		if (!strcmp(r->sources[i], id))
			return 0;
	if (r->n_sources == MAX_SOURCES)
		return 0;	/* bounded; extra sources only matter for cancellation */
	snprintf(r->sources[r->n_sources++], sizeof(r->sources[0]), "%s", id);
	return 1;
}

static int del_source(struct ed_reactor *r, const char *id)
{
	for (int i = 0; i < r->n_sources; i++)
		if (!strcmp(r->sources[i], id)) {
			memmove(r->sources[i], r->sources[i + 1],
				sizeof(r->sources[0]) * (size_t)(r->n_sources - i - 1));
			r->n_sources--;
			return 1;
		}
	return 0;
}

static void on_interrupt(struct ed_reactor *r, const struct ed_notice *n)
{
	enum ed_provider p = n->provider < ED_PROV_COUNT && n->provider != ED_PROV_NONE ?
			     n->provider : ED_PROV_AWS;
	time_t now = ed_wall_now();
	unsigned flags;
	time_t dl = ed_compute_deadline(now, n->when, r->cfg.notice_window_s[p],
					r->cfg.drain_margin_s, r->cfg.notice_slack_s, &flags);
	char a[32], b[32];
	int is_new = add_source(r, n->id[0] ? n->id : n->reason);

	if (is_new || r->state == ED_IDLE) {
		if (flags & ED_DL_UNKNOWN)
			log_info("%s: notice has no time; assuming the %s window of %d s",
				 n->reason, ed_provider_name(p), r->cfg.notice_window_s[p]);
		if (flags & ED_DL_IMPLAUSIBLE)
			log_warn("%s: notice time %s is implausibly far ahead; using the %s window "
				 "of %d s instead", n->reason, iso8601_format(n->when, a, sizeof(a)),
				 ed_provider_name(p), r->cfg.notice_window_s[p]);
		if (flags & ED_DL_PAST)
			log_warn("%s: notice time %s is already past: draining now", n->reason,
				 iso8601_format(n->when, a, sizeof(a)));
	}
	switch (r->state) {
	case ED_IDLE:
		r->kind = ED_DRAIN_NOTICE;
		r->deadline = dl;
		snprintf(r->reason, sizeof(r->reason), "%s", n->reason);
		start_drain_locked(r);
		break;
	case ED_DRAINING:
		if (r->kind != ED_DRAIN_NOTICE || dl < r->deadline) {
			log_warn("%s: adopting earlier deadline %s for the running drain (was %s)",
				 n->reason, iso8601_format(dl, a, sizeof(a)),
				 r->deadline ? iso8601_format(r->deadline, b, sizeof(b)) : "none");
			r->kind = ED_DRAIN_NOTICE;
			r->deadline = dl;
			snprintf(r->reason, sizeof(r->reason), "%s", n->reason);
			r->deadline_updates++;
			r->act->ops->drain_deadline(r->act, r->cfg.node_id, dl, n->reason);
			emit(r, "drain-deadline", NULL);
		} else {
			log_debug("%s: drain already running with deadline %s", n->reason,
				  iso8601_format(r->deadline, a, sizeof(a)));
		}
		break;
	case ED_DRAINED:
		log_debug("%s: node %u already drained", n->reason, r->cfg.node_id);
		break;
	case ED_FAILED:
		if (is_new)
			log_err("%s: drain of node %u already failed; not retrying", n->reason,
				r->cfg.node_id);
		break;
	}
}

static void on_rebalance(struct ed_reactor *r, const struct ed_notice *n)
{
	if (!r->cfg.rebalance_drain) {
		if (!r->rebalance_logged)
			log_info("%s: rebalance recommended; not draining (rebalance_drain = no)",
				 n->reason);
		r->rebalance_logged = 1;
		return;
	}
	if (r->state != ED_IDLE) {
		log_debug("%s: ignored, node is %s", n->reason, ed_drain_state_name(r->state));
		return;
	}
	r->kind = ED_DRAIN_REBALANCE;
	r->deadline = 0;
	snprintf(r->reason, sizeof(r->reason), "%s", n->reason);
	start_drain_locked(r);
}

static void on_cancel(struct ed_reactor *r, const struct ed_notice *n)
{
	if (!del_source(r, n->id[0] ? n->id : n->reason)) {
		log_debug("%s: cancellation of unknown notice '%s' ignored", n->reason, n->id);
		return;
	}
	if (r->n_sources) {
		log_info("%s: notice %s cancelled, %d other notice(s) still apply", n->reason,
			 n->id, r->n_sources);
		return;
	}
	switch (r->state) {
	case ED_DRAINING:
		if (r->kind != ED_DRAIN_NOTICE)
			break;
		log_warn("%s: notice %s cancelled: stopping the drain of node %u", n->reason,
			 n->id, r->cfg.node_id);
		r->cancel_pending = 1;
		atomic_store(&r->abort, 1);
		break;
	case ED_DRAINED:
		log_warn("%s: notice %s cancelled after the drain: node %u takes pages again",
			 n->reason, n->id, r->cfg.node_id);
		r->act->ops->undrain_node(r->act, r->cfg.node_id, "notice-cancelled");
		emit(r, "drain-cancelled", NULL);
		r->state = ED_IDLE;
		break;
	case ED_FAILED:
		r->state = ED_IDLE;
		break;
	case ED_IDLE:
		break;
	}
	pthread_cond_broadcast(&r->cond);
}

void ed_reactor_notice(struct ed_reactor *r, const struct ed_notice *n)
{
	pthread_mutex_lock(&r->lock);
	if (!r->shutting_down) {
		switch (n->type) {
		case ED_NOTICE_INTERRUPT: on_interrupt(r, n); break;
		case ED_NOTICE_REBALANCE: on_rebalance(r, n); break;
		case ED_NOTICE_CANCEL: on_cancel(r, n); break;
		}
	}
	pthread_mutex_unlock(&r->lock);
}

struct ed_reactor *ed_reactor_new(const struct ed_config *cfg, struct ed_actuator *a)
{
	struct ed_reactor *r = calloc(1, sizeof(*r));
	pthread_condattr_t ca;

	if (!r)
		return NULL;
	pthread_mutex_init(&r->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->cond, &ca);
	pthread_condattr_destroy(&ca);
	r->cfg = *cfg;
	r->act = a;
	r->state = ED_IDLE;
	return r;
}

void ed_reactor_set_config(struct ed_reactor *r, const struct ed_config *cfg)
{
	pthread_mutex_lock(&r->lock);
	r->cfg = *cfg;
	r->rebalance_logged = 0;
	pthread_mutex_unlock(&r->lock);
}

static int wait_locked(struct ed_reactor *r, int (*done)(struct ed_reactor *, int), int arg,
		       int timeout_ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (!done(r, arg))
		if (pthread_cond_timedwait(&r->cond, &r->lock, &ts) == ETIMEDOUT)
			return done(r, arg) ? 0 : -1;
	return 0;
}

static int state_is(struct ed_reactor *r, int want)
{
	return (int)r->state == want && !r->cancel_pending;
}

static int no_threads(struct ed_reactor *r, int unused)
{
	(void)unused;
	return r->threads_running == 0;
}

int ed_reactor_wait(struct ed_reactor *r, enum ed_drain_state want, int timeout_ms)
{
	int rc;

	pthread_mutex_lock(&r->lock);
	rc = wait_locked(r, state_is, (int)want, timeout_ms);
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void ed_reactor_free(struct ed_reactor *r)
{
	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->shutting_down = 1;
	atomic_store(&r->abort, 1);
	if (wait_locked(r, no_threads, 0, SHUTDOWN_WAIT_MS)) {
		/* The actuator ignored the stop request: leak rather than free
		 * memory a running thread still uses; the process is exiting. */
		log_err("drain thread did not stop within %d ms", SHUTDOWN_WAIT_MS);
		pthread_mutex_unlock(&r->lock);
		return;
	}
	pthread_mutex_unlock(&r->lock);
	pthread_cond_destroy(&r->cond);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

enum ed_drain_state ed_reactor_state(struct ed_reactor *r, time_t *deadline)
{
	enum ed_drain_state s;

	pthread_mutex_lock(&r->lock);
	s = r->state;
	if (deadline)
		*deadline = r->deadline;
	pthread_mutex_unlock(&r->lock);
	return s;
}

/* A counter of r, read under its lock. */
static unsigned read_locked(struct ed_reactor *r, const unsigned *counter)
{
	unsigned v;

	pthread_mutex_lock(&r->lock);
	v = *counter;
	pthread_mutex_unlock(&r->lock);
	return v;
}

unsigned ed_reactor_drains_started(struct ed_reactor *r)
{
	return read_locked(r, &r->drains_started);
}

unsigned ed_reactor_deadline_updates(struct ed_reactor *r)
{
	return read_locked(r, &r->deadline_updates);
}

static void sink_notice(void *arg, const struct ed_notice *n)
{
	ed_reactor_notice(arg, n);
}

static int sink_drained(void *arg)
{
	return ed_reactor_state(arg, NULL) == ED_DRAINED;
}

struct ed_sink ed_reactor_sink(struct ed_reactor *r)
{
	struct ed_sink s = { sink_notice, sink_drained, r };

	return s;
}
