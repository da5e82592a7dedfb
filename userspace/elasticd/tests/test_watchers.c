// SPDX-License-Identifier: GPL-2.0
/*
 * Watcher tests against the local emulators (tests/emulator.py). Each test
 * drives the watcher one round at a time with ed_watcher_poll() and asserts
 * on counts: requests the emulator saw, notices the watcher reported. The
 * only clock that matters (token refresh) is faked.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "emu.h"
#include "fake_actuator.h"
#include "iso8601.h"
#include "log.h"
#include "reactor.h"
#include "tap.h"
#include "timeutil.h"
#include "watcher.h"

#define AWS_ACTION "/latest/meta-data/spot/instance-action"
#define AWS_REBALANCE "/latest/meta-data/events/recommendations/rebalance"
#define GCP_PREEMPTED "/computeMetadata/v1/instance/preempted"
#define AZURE_EVENTS "/metadata/scheduledevents"
#define AZURE_ID "f020ba2e-3bc0-4c40-a10b-86575a9eabd5"

static double fake_mono = 1000.0;
static double mono(void) { return fake_mono; }

/* --- a sink that records what watchers report ------------------------- */
struct rec {
	struct ed_notice n[64];
	int count;
	int drained;
};

static void rec_notice(void *arg, const struct ed_notice *n)
{
	struct rec *r = arg;

	if (r->count < 64)
		r->n[r->count] = *n;
	r->count++;
}

static int rec_drained(void *arg)
{
	return ((struct rec *)arg)->drained;
}

static int count_type(struct rec *r, enum ed_notice_type t)
{
	int n = 0;

	for (int i = 0; i < r->count && i < 64; i++)
		n += r->n[i].type == t;
	return n;
}

static struct ed_config make_cfg(const char *provider, const char *url, const char *extra)
{
	struct ed_config c;
	char text[2048], err[256];

	snprintf(text, sizeof(text),
		 "node_id = 2\n"
		 "node = 1 10.0.0.1:7000 on-demand %s\n"
		 "node = 2 10.0.0.2:7000 spot %s\n"
		 "metadata_url = %s\n"
		 "poll_interval_aws_ms = 10\npoll_interval_azure_ms = 10\npoll_interval_gcp_ms = 10\n"
		 "http_timeout_ms = 400\nhttp_connect_timeout_ms = 400\n"
		 "gcp_wait_timeout = 5\nazure_resource = spot-vm-2\n%s",
		 provider, provider, url, extra ? extra : "");
	if (ed_config_parse(&c, text, err, sizeof(err))) {
		fprintf(stderr, "test config: %s\n", err);
		exit(2);
	}
	return c;
}

static struct ed_watcher *mkw(enum ed_provider p, struct emu *e, const char *extra,
			      struct rec *r, int dry_run)
{
	struct ed_config c = make_cfg(ed_provider_name(p), e->url, extra);
	struct ed_sink s = { rec_notice, rec_drained, r };

	memset(r, 0, sizeof(*r));
	emu_reset(e);
	return ed_watcher_new(p, &c, s, dry_run);
}

static char *iso_in(int secs, char *buf)
{
	return iso8601_format(time(NULL) + secs, buf, 32);
}

/* ============================ AWS ===================================== */

static void aws_quiet(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);

	ed_watcher_poll(w);
	ed_watcher_poll(w);
	CHECK(r.count == 0);
	CHECK(emu_stat(e, "token_puts") == 1);		/* one token, reused */
	CHECK(emu_stat(e, "with_token") == 4 && emu_stat(e, "without_token") == 0);
	CHECK(emu_path_count(e, AWS_ACTION) == 2 && emu_path_count(e, AWS_REBALANCE) == 2);
	CHECK(w->last_err[0] == 0);
	ed_watcher_free(w);
	tap_test("aws: nothing scheduled (404): IMDSv2 token on every GET, no notice");
}

static void aws_action(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);
	long before;

	for (int i = 0; i < 3; i++)
		ed_watcher_poll(w);
	CHECK(r.count == 0);
	emu_ctl(e, "{\"instance_action\": \"fixture\"}");	/* the documented example */
	before = emu_path_count(e, AWS_ACTION);
	ed_watcher_poll(w);
	CHECK(emu_path_count(e, AWS_ACTION) == before + 1);
	CHECK(r.count == 1 && r.n[0].type == ED_NOTICE_INTERRUPT);
	CHECK(r.n[0].when == 1505722920);	/* 2017-09-18T08:22:00Z */
	CHECK(!strcmp(r.n[0].reason, "aws-instance-action") && r.n[0].provider == ED_PROV_AWS);
	ed_watcher_free(w);
	tap_test("aws: instance-action reported on the first poll after it appears");
}

static void aws_actions_all(struct emu *e)
{
	static const char *const acts[] = { "terminate", "stop", "hibernate" };
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);
	char ctl[160], t[32];

	for (int i = 0; i < 3; i++) {
		snprintf(ctl, sizeof(ctl), "{\"instance_action\": {\"action\": \"%s\", \"time\": \"%s\"}}",
			 acts[i], iso_in(100, t));
		emu_ctl(e, ctl);
		ed_watcher_poll(w);
		CHECK(r.count == i + 1);
	}
	emu_ctl(e, "{\"instance_action\": {\"action\": \"explode\", \"time\": \"2017-09-18T08:22:00Z\"}}");
	ed_watcher_poll(w);
	CHECK(r.count == 3 && strstr(w->last_err, "unknown action"));
	emu_ctl(e, "{\"instance_action\": {\"action\": \"stop\", \"time\": \"18 Sep 2017\"}}");
	ed_watcher_poll(w);
	CHECK(r.count == 3 && strstr(w->last_err, "bad time"));
	ed_watcher_free(w);
	tap_test("aws: terminate/stop/hibernate are notices; unknown action or bad time are not");
}

static void aws_rebalance(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);

	emu_ctl(e, "{\"rebalance\": \"fixture:aws-rebalance.json\"}");
	ed_watcher_poll(w);
	CHECK(r.count == 1 && r.n[0].type == ED_NOTICE_REBALANCE);
	CHECK(r.n[0].when == 1603786920 && !strcmp(r.n[0].reason, "aws-rebalance"));
	ed_watcher_free(w);
	tap_test("aws: rebalance recommendation reported with its noticeTime");
}

static void aws_token_refresh(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, "aws_token_ttl = 600\n", &r, 0);

	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 1);
	fake_mono += 500;		/* refresh is due at 600 - 60 s */
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 1);
	fake_mono += 45;
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 2);
	CHECK(emu_stat(e, "unauthorized") == 0);	/* refreshed before, not after, expiry */
	ed_watcher_free(w);
	tap_test("aws: token refreshed before its TTL runs out (count of PUTs, no 401)");
}

static void aws_token_stale(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);

	ed_watcher_poll(w);
	emu_ctl(e, "{\"expire_tokens\": true, \"instance_action\": \"fixture\"}");
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "unauthorized") == 1 && emu_stat(e, "token_puts") == 2);
	CHECK(r.count == 1);	/* the retry in the same poll got the notice */
	ed_watcher_free(w);
	tap_test("aws: 401 on a stale token: new token and retry within the same poll");
}

static void aws_imdsv1(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);

	emu_ctl(e, "{\"imdsv2\": \"unavailable\", \"instance_action\": \"fixture\"}");
	ed_watcher_poll(w);
	CHECK(r.count == 1 && emu_stat(e, "without_token") == 2 && emu_stat(e, "with_token") == 0);
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 1);		/* no PUT on every poll */
	fake_mono += 61;
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 2);		/* ...but retried later */
	emu_ctl(e, "{\"imdsv2\": \"optional\"}");
	fake_mono += 61;
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "token_puts") == 3 && emu_stat(e, "with_token") == 2);
	ed_watcher_free(w);
	tap_test("aws: no token to be had: IMDSv1 fallback, token retried every 60 s");
}

static void aws_v1_disabled(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, "aws_imdsv1_fallback = no\n", &r, 0);

	emu_ctl(e, "{\"imdsv2\": \"unavailable\", \"instance_action\": \"fixture\"}");
	ed_watcher_poll(w);
	CHECK(r.count == 0 && emu_stat(e, "without_token") == 0);
	CHECK(strstr(w->last_err, "fallback disabled") != NULL);
	ed_watcher_free(w);
	tap_test("aws: with aws_imdsv1_fallback = no, never an unauthenticated GET");
}

static void aws_required(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AWS, e, NULL, &r, 0);

	emu_ctl(e, "{\"imdsv2\": \"required\", \"misbehave_token\": \"http500\", "
		   "\"instance_action\": \"fixture\"}");
	ed_watcher_poll(w);
	CHECK(r.count == 0 && strstr(w->last_err, "HTTP 401"));
	emu_ctl(e, "{\"misbehave_token\": null}");
	ed_watcher_poll(w);	/* the 401 makes it try for a token again at once */
	CHECK(r.count == 1);
	ed_watcher_free(w);
	tap_test("aws: IMDSv2 required and token PUT failing: clear 401 error, recovers");
}

/* One misbehaviour on the watched endpoints: no notice, a clear error, and
 * exactly one request per endpoint (no redirect following, no retry storm). */
static void misbehave(struct emu *e, enum ed_provider p, const char *how, const char *want_err,
		      const char *path, const char *what)
{
	struct rec r;
	struct ed_watcher *w;
	char ctl[256];
	double t0 = 0;
	int ok;
	struct timespec ts;

	w = mkw(p, e, NULL, &r, 0);
	/* A real notice is pending: the broken answer must still not become one. */
	snprintf(ctl, sizeof(ctl), "{\"misbehave\": \"%s\", \"slow_s\": 2, \"instance_action\": "
		 "\"fixture\", \"preempted\": true, \"events\": "
		 "\"fixture:azure-scheduledevents-preempt.json\"}", how);
	emu_ctl(e, ctl);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	t0 = ts.tv_sec + ts.tv_nsec / 1e9;
	ed_watcher_poll(w);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ok = CHECK(r.count == 0);
	ok &= CHECK(strstr(w->last_err, want_err) != NULL);
	/* curl retries once, by design, when a reused connection turns out dead. */
	ok &= CHECK(emu_path_count(e, path) == 1 ||
		    (!strcmp(how, "drop") && emu_path_count(e, path) == 2));
	/* Bounded time: the 400 ms transfer timeout (slack for a loaded box). */
	ok &= CHECK(ts.tv_sec + ts.tv_nsec / 1e9 - t0 < 1.9);
	if (!ok)
		tap_diag("last error: '%s' after %.2f s", w->last_err,
			 ts.tv_sec + ts.tv_nsec / 1e9 - t0);
	ed_watcher_free(w);
	tap_test("%s: %s -> no notice, error '%s'", ed_provider_name(p), what, want_err);
}

static void down(enum ed_provider p)
{
	struct rec r;
	char url[64];
	struct ed_config c;
	struct ed_sink s = { rec_notice, rec_drained, &r };
	struct ed_watcher *w;

	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", free_port());
	c = make_cfg(ed_provider_name(p), url, NULL);
	w = ed_watcher_new(p, &c, s, 0);
	ed_watcher_poll(w);
	ed_watcher_poll(w);
	if (!CHECK(r.count == 0 && strstr(w->last_err, "onnect") != NULL))
		tap_diag("last error: '%s'", w->last_err);
	ed_watcher_free(w);
	tap_test("%s: metadata service down (connection refused): error, no notice",
		 ed_provider_name(p));
}

/* ============================ GCP ===================================== */

static void gcp_etag_gap(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_GCP, e, NULL, &r, 0);
	json_object *root, *st, *sent;

	/* The change lands right after request 1, before the first long poll. */
	emu_ctl(e, "{\"after\": 1, \"then\": {\"preempted\": true}}");
	ed_watcher_poll(w);
	CHECK(r.count == 0 && emu_stat(e, "plain") == 1);
	ed_watcher_poll(w);
	CHECK(r.count == 1 && r.n[0].type == ED_NOTICE_INTERRUPT && r.n[0].when == 0);
	CHECK(!strcmp(r.n[0].reason, "gcp-preempted"));
	CHECK(emu_stat(e, "waits") == 1 && emu_stat(e, "blocked") == 0);
	st = emu_stats(e, &root);
	CHECK(st && json_object_object_get_ex(st, "last_etag_sent", &sent) &&
	       json_object_array_length(sent) == 1);
	json_object_put(root);
	ed_watcher_free(w);
	tap_test("gcp: plain GET then wait_for_change with last_etag: a change between "
		 "requests is seen on the next request without blocking");
}

static void gcp_true_at_start(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_GCP, e, NULL, &r, 0);

	emu_ctl(e, "{\"preempted\": true}");
	ed_watcher_poll(w);
	CHECK(r.count == 1 && emu_stat(e, "requests") == 1);
	ed_watcher_free(w);
	tap_test("gcp: already preempted at start: notice on the first (plain) request");
}

struct poll_arg {
	struct ed_watcher *w;
	long rc;
};

static void *poll_thread(void *arg)
{
	struct poll_arg *a = arg;

	a->rc = ed_watcher_poll(a->w);
	return NULL;
}

static int wait_stat(struct emu *e, const char *key, long want)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };

	for (int i = 0; i < 1000; i++) {	/* bounded: ~5 s */
		if (emu_stat(e, key) >= want)
			return 0;
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void gcp_long_poll(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_GCP, e, NULL, &r, 0);
	struct poll_arg a = { w, -1 };
	pthread_t t;

	ed_watcher_poll(w);	/* plain: FALSE + ETag */
	pthread_create(&t, NULL, poll_thread, &a);
	CHECK(wait_stat(e, "blocked", 1) == 0);	/* the long poll is parked */
	CHECK(r.count == 0);
	emu_ctl(e, "{\"preempted\": true}");
	pthread_join(t, NULL);
	CHECK(r.count == 1 && a.rc == 0 && emu_stat(e, "requests") == 2);
	ed_watcher_free(w);
	tap_test("gcp: a parked long poll returns with the notice as soon as the value changes");
}

static void gcp_error_resets(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_GCP, e, NULL, &r, 0);

	ed_watcher_poll(w);				/* plain, ok */
	emu_ctl(e, "{\"misbehave\": \"http500\"}");
	ed_watcher_poll(w);				/* wait -> 500 */
	emu_ctl(e, "{\"misbehave\": null, \"preempted\": true}");
	ed_watcher_poll(w);				/* plain again, sees TRUE */
	CHECK(emu_stat(e, "plain") == 2 && emu_stat(e, "waits") == 1);
	CHECK(r.count == 1);
	ed_watcher_free(w);
	tap_test("gcp: after a failed request the next one is plain, so nothing is missed");
}

static void gcp_stop(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_GCP, e, "gcp_wait_timeout = 30\n", &r, 0);
	struct timespec a, b;

	CHECK(ed_watcher_start(w) == 0);
	CHECK(wait_stat(e, "blocked", 1) == 0);
	clock_gettime(CLOCK_MONOTONIC, &a);
	ed_watcher_stop(w);
	clock_gettime(CLOCK_MONOTONIC, &b);
	/* The long poll would hold 30 s; stopping aborts it (curl progress callback). */
	CHECK(b.tv_sec - a.tv_sec < 5);
	CHECK(r.count == 0);
	ed_watcher_free(w);
	tap_test("gcp: stopping the watcher aborts a parked long poll promptly");
}

/* =========================== Azure ==================================== */

static void azure_quiet(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AZURE, e, NULL, &r, 0);

	ed_watcher_poll(w);
	emu_ctl(e, "{\"events\": \"fixture:azure-scheduledevents-freeze.json\"}");
	ed_watcher_poll(w);	/* Freeze for this VM: not a preemption */
	emu_ctl(e, "{\"events\": [{\"EventId\": \"a1b2\", \"EventType\": \"Preempt\", "
		   "\"ResourceType\": \"VirtualMachine\", \"Resources\": [\"other-vm\"], "
		   "\"EventStatus\": \"Scheduled\", \"NotBefore\": \"Mon, 19 Sep 2016 18:29:47 GMT\"}]}");
	ed_watcher_poll(w);	/* Preempt for another VM */
	CHECK(r.count == 0 && w->last_err[0] == 0 && emu_stat(e, "rejected") == 0);
	ed_watcher_free(w);
	tap_test("azure: no events, Freeze for us, Preempt for another VM: no notice");
}

static void azure_preempt(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AZURE, e, NULL, &r, 0);

	ed_watcher_poll(w);
	emu_ctl(e, "{\"events\": \"fixture:azure-scheduledevents-preempt.json\"}");
	ed_watcher_poll(w);
	CHECK(r.count == 1 && r.n[0].type == ED_NOTICE_INTERRUPT);
	CHECK(r.n[0].when == 1474309787 && !strcmp(r.n[0].id, AZURE_ID));
	ed_watcher_poll(w);	/* same event again: not a new notice */
	CHECK(r.count == 1 && emu_stat(e, "requests") == 3);
	ed_watcher_free(w);
	tap_test("azure: Preempt for this VM: notice with NotBefore (RFC 1123) and EventId");
}

static void azure_cancel(struct emu *e)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AZURE, e, NULL, &r, 0);

	emu_ctl(e, "{\"events\": \"fixture:azure-scheduledevents-preempt.json\"}");
	ed_watcher_poll(w);
	/* Broken answers must not look like the event vanished. */
	emu_ctl(e, "{\"misbehave\": \"http500\"}");
	ed_watcher_poll(w);
	emu_ctl(e, "{\"misbehave\": \"wrongtypes\"}");
	ed_watcher_poll(w);
	emu_ctl(e, "{\"misbehave\": \"garbage\"}");
	ed_watcher_poll(w);
	CHECK(count_type(&r, ED_NOTICE_CANCEL) == 0);
	emu_ctl(e, "{\"misbehave\": null, \"events\": []}");
	ed_watcher_poll(w);
	CHECK(count_type(&r, ED_NOTICE_CANCEL) == 1 && r.n[r.count - 1].type == ED_NOTICE_CANCEL &&
	       !strcmp(r.n[r.count - 1].id, AZURE_ID));
	ed_watcher_free(w);
	tap_test("azure: a vanished event is a cancellation; failed polls are not");
}

static void azure_approve(struct emu *e, int dry_run)
{
	struct rec r;
	struct ed_watcher *w = mkw(ED_PROV_AZURE, e, NULL, &r, dry_run);

	emu_ctl(e, "{\"events\": \"fixture:azure-scheduledevents-preempt.json\"}");
	ed_watcher_poll(w);
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "posts") == 0);	/* not before the drain finished */
	r.drained = 1;
	ed_watcher_poll(w);
	ed_watcher_poll(w);
	if (dry_run) {
		CHECK(emu_stat(e, "posts") == 0);
	} else {
		CHECK(emu_stat(e, "posts") == 1 && emu_stat(e, "approvals") == 1);
	}
	ed_watcher_free(w);
	tap_test(dry_run ? "azure: dry run never sends the approval"
			 : "azure: StartRequests POSTed once, after the drain finished");
}

/* ===================== watcher + reactor together ====================== */

static void e2e_first_response(struct emu *e)
{
	struct rec dummy;
	struct fake_act f;
	struct ed_config c = make_cfg("aws", e->url, NULL);
	struct ed_reactor *re;
	struct ed_watcher *w;
	char ctl[160], t[32];

	(void)dummy;
	fake_init(&f);
	re = ed_reactor_new(&c, &f.a);
	emu_reset(e);
	w = ed_watcher_new(ED_PROV_AWS, &c, ed_reactor_sink(re), 0);
	ed_watcher_poll(w);
	/* The notice is served on exactly one response, then gone. */
	snprintf(ctl, sizeof(ctl), "{\"once\": true, \"instance_action\": {\"action\": \"terminate\", "
		 "\"time\": \"%s\"}}", iso_in(120, t));
	emu_ctl(e, ctl);
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "notices_served") == 1);
	CHECK(ed_reactor_drains_started(re) == 1);
	CHECK(ed_reactor_wait(re, ED_DRAINED, 5000) == 0 && f.drains == 1);
	ed_watcher_free(w);
	ed_reactor_free(re);
	tap_test("e2e aws: the drain starts on the first response carrying the notice");
}

/* Azure's Preempt for this VM polled: the reactor drains, the actuator holding it. */
static struct ed_watcher *e2e_azure_preempt(struct emu *e, const struct ed_config *c,
					    struct fake_act *f, struct ed_reactor **re)
{
	struct ed_watcher *w;

	fake_init(f);
	f->hold = 1;
	*re = ed_reactor_new(c, &f->a);
	emu_reset(e);
	w = ed_watcher_new(ED_PROV_AZURE, c, ed_reactor_sink(*re), 0);
	emu_ctl(e, "{\"events\": \"fixture:azure-scheduledevents-preempt.json\"}");
	ed_watcher_poll(w);
	CHECK(fake_wait_in_drain(f) == 0);
	return w;
}

static void e2e_azure(struct emu *e)
{
	struct ed_config c = make_cfg("azure", e->url, NULL);
	struct ed_reactor *re;
	struct fake_act f;
	struct ed_watcher *w = e2e_azure_preempt(e, &c, &f, &re);

	ed_watcher_poll(w);
	CHECK(emu_stat(e, "posts") == 0);	/* still draining: no approval */
	fake_release(&f);
	CHECK(ed_reactor_wait(re, ED_DRAINED, 5000) == 0);
	ed_watcher_poll(w);
	CHECK(emu_stat(e, "approvals") == 1);
	/* A second Preempt event... then both vanish: the node takes pages again. */
	emu_ctl(e, "{\"events\": []}");
	ed_watcher_poll(w);
	CHECK(ed_reactor_state(re, NULL) == ED_IDLE && f.undrains == 1);
	ed_watcher_free(w);
	ed_reactor_free(re);
	tap_test("e2e azure: drain, approve once drained, cancellation undrains");
}

static void e2e_azure_cancel_during_drain(struct emu *e)
{
	struct ed_config c = make_cfg("azure", e->url, NULL);
	struct ed_reactor *re;
	struct fake_act f;
	struct ed_watcher *w = e2e_azure_preempt(e, &c, &f, &re);

	emu_ctl(e, "{\"events\": []}");
	ed_watcher_poll(w);
	CHECK(ed_reactor_wait(re, ED_IDLE, 5000) == 0);
	CHECK(f.aborted == 1 && f.undrains == 1 && emu_stat(e, "posts") == 0);
	ed_watcher_free(w);
	ed_reactor_free(re);
	tap_test("e2e azure: cancellation during the drain stops it, nothing approved");
}

int main(void)
{
	struct emu aws, gcp, azure;
	static const struct {
		const char *how, *err, *what;
	} bad[] = {
		{ "http500", "HTTP 500", "HTTP 500" },
		{ "garbage", "bad JSON", "HTML garbage" },
		{ "badjson", "bad JSON", "truncated JSON" },
		{ "wrongtypes", "want", "JSON with wrong types" },
		{ "nul", "NUL", "body with NUL bytes" },
		{ "redirect", "redirects are not followed", "redirect loop" },
		{ "huge", "larger than", "endless body" },
		{ "slow", "imeout", "server slower than the timeout" },
		{ "drop", "returned nothing", "connection dropped without answer" },
	};

	ed_log_init(0, getenv("ELASTICD_TEST_VERBOSE") ? 1 : -3);
	ed_mono_now = mono;
	if (ed_http_global_init() || emu_start(&aws, "aws") || emu_start(&gcp, "gcp") ||
	    emu_start(&azure, "azure")) {
		tap_ok(0, "emulators start");
		return tap_done();
	}
	aws_quiet(&aws);
	aws_action(&aws);
	aws_actions_all(&aws);
	aws_rebalance(&aws);
	aws_token_refresh(&aws);
	aws_token_stale(&aws);
	aws_imdsv1(&aws);
	aws_v1_disabled(&aws);
	aws_required(&aws);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		misbehave(&aws, ED_PROV_AWS, bad[i].how, bad[i].err, AWS_ACTION, bad[i].what);
	down(ED_PROV_AWS);

	gcp_etag_gap(&gcp);
	gcp_true_at_start(&gcp);
	gcp_long_poll(&gcp);
	gcp_error_resets(&gcp);
	gcp_stop(&gcp);
	misbehave(&gcp, ED_PROV_GCP, "http500", "HTTP 500", GCP_PREEMPTED, "HTTP 500");
	misbehave(&gcp, ED_PROV_GCP, "wrongtypes", "unexpected body", GCP_PREEMPTED, "a JSON body");
	misbehave(&gcp, ED_PROV_GCP, "huge", "larger than", GCP_PREEMPTED, "endless body");
	misbehave(&gcp, ED_PROV_GCP, "redirect", "redirects are not followed", GCP_PREEMPTED,
		  "redirect loop");
	down(ED_PROV_GCP);

	azure_quiet(&azure);
	azure_preempt(&azure);
	azure_cancel(&azure);
	azure_approve(&azure, 0);
	azure_approve(&azure, 1);
	misbehave(&azure, ED_PROV_AZURE, "http500", "HTTP 500", AZURE_EVENTS, "HTTP 500");
	misbehave(&azure, ED_PROV_AZURE, "badjson", "bad JSON", AZURE_EVENTS, "truncated JSON");
	misbehave(&azure, ED_PROV_AZURE, "wrongtypes", "want integer", AZURE_EVENTS,
		  "JSON with wrong types");
	misbehave(&azure, ED_PROV_AZURE, "huge", "larger than", AZURE_EVENTS, "endless body");
	misbehave(&azure, ED_PROV_AZURE, "slow", "imeout", AZURE_EVENTS, "server slower than the timeout");
	down(ED_PROV_AZURE);

	e2e_first_response(&aws);
	e2e_azure(&azure);
	e2e_azure_cancel_during_drain(&azure);

	emu_stop(&aws);
	emu_stop(&gcp);
	emu_stop(&azure);
	ed_http_global_cleanup();
	return tap_done();
}
