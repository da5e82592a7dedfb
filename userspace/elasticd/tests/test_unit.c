// SPDX-License-Identifier: GPL-2.0
/* Unit tests: time parsing, deadline rules, configuration, plan, reactor. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fake_actuator.h"
#include "log.h"
#include "reactor.h"
#include "tap.h"
#include "timeutil.h"

static time_t fake_wall = 1700000000;	/* 2023-11-14T22:13:20Z */
static time_t wall(void) { return fake_wall; }

static void t_rfc1123(void)
{
	time_t t;

	CHECK(!ed_parse_rfc1123("Mon, 19 Sep 2016 18:29:47 GMT", &t) && t == 1474309787);
	CHECK(!ed_parse_rfc1123("Mon, 11 Apr 2022 22:26:58 GMT", &t) && t == 1649716018);
	CHECK(!ed_parse_rfc1123("Tue, 1 Mar 2022 00:00:00 GMT", &t) && t == 1646092800);
	CHECK(!ed_parse_rfc1123("Mon, 19 Sep 2016 18:29:47 UTC", &t) && t == 1474309787);
	tap_test("rfc1123: Azure NotBefore examples parse to the right instant");
}

static void t_rfc1123_bad(void)
{
	static const char *bad[] = {
		"", "Tue, 19 Sep 2016 18:29:47 GMT" /* wrong weekday */,
		"Mon, 19 Foo 2016 18:29:47 GMT", "Mon, 19 Sep 2016 18:29:47",
		"Mon, 19 Sep 2016 18:29:47 PST", "19 Sep 2016 18:29:47 GMT",
		"Mon, 31 Sep 2016 18:29:47 GMT", "Mon,19 Sep 2016 18:29:47 GMT",
		"2016-09-19T18:29:47Z",
	};
	time_t t;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (!CHECK(ed_parse_rfc1123(bad[i], &t)))
			tap_diag("accepted '%s'", bad[i]);
	tap_test("rfc1123: rejects wrong weekday, month, zone, layout");
}

static void t_deadline(void)
{
	time_t now = 1000000;
	unsigned fl;

	/* Normal AWS notice 120 s ahead, margin 10. */
	CHECK(ed_compute_deadline(now, now + 120, 120, 10, 60, &fl) == now + 110 && fl == 0);
	tap_test("deadline: notice time minus margin");

	CHECK(ed_compute_deadline(now, now - 5, 120, 10, 60, &fl) == now &&
	       (fl & ED_DL_PAST) && (fl & ED_DL_NOW));
	CHECK(ed_compute_deadline(now, now + 5, 120, 10, 60, &fl) == now &&
	       !(fl & ED_DL_PAST) && (fl & ED_DL_NOW));
	tap_test("deadline: notice already past (or inside the margin) means drain now");

	CHECK(ed_compute_deadline(now, now + 86400, 120, 10, 60, &fl) == now + 110 &&
	       (fl & ED_DL_IMPLAUSIBLE));
	CHECK(ed_compute_deadline(now, now + 180, 120, 10, 60, &fl) == now + 170 && fl == 0);
	CHECK(ed_compute_deadline(now, now + 181, 120, 10, 60, &fl) == now + 110 &&
	       (fl & ED_DL_IMPLAUSIBLE));
	tap_test("deadline: implausibly far notice gets the provider window (boundary window+slack)");

	CHECK(ed_compute_deadline(now, 0, 30, 10, 60, &fl) == now + 20 && (fl & ED_DL_UNKNOWN));
	CHECK(ed_compute_deadline(now, 0, 30, 40, 60, &fl) == now && (fl & ED_DL_NOW));
	tap_test("deadline: notice without time uses the window; margin >= window drains now");
}

static const char *base_cfg =
	"# test\n"
	"node_id = 2\n"
	"node = 1 10.0.0.1:7000 on-demand aws\n"
	"node = 2 10.0.0.2:7000 spot aws   # self\n"
	"node = 3 10.0.0.3:7001 spot gcp\n";

static int parse(const char *extra, struct ed_config *c, char *err, size_t len)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s", base_cfg, extra);
	return ed_config_parse(c, text, err, len);
}

static void t_config_example(void)
{
	struct ed_config c;
	char err[256] = "";
	int rc = ed_config_load(&c, "../../configs/elasticd.example.conf", err, sizeof(err));

	if (rc)
		tap_diag("%s", err);
	CHECK(rc == 0);
	CHECK(c.node_id == 2 && c.n_nodes == 3);
	CHECK(c.nodes[1].kind == ED_KIND_SPOT && c.nodes[1].provider == ED_PROV_AWS);
	CHECK(!strcmp(c.nodes[0].addr, "10.0.0.1:7000") && c.nodes[0].port == 7000);
	CHECK(c.notice_window_s[ED_PROV_AWS] == 120 && c.drain_margin_s == 10);
	CHECK(!strcmp(c.metadata_url, "http://169.254.169.254"));
	tap_test("config: shipped example parses with the documented values");
}

static void t_config_keys(void)
{
	struct ed_config c;
	char err[256] = "";

	CHECK(!parse("drain_margin = 5\nnotice_window_gcp = 25\nrebalance_drain = yes\n"
		      "metadata_url = http://127.0.0.1:8080/\npoll_interval_aws_ms = 50\n"
		      "poll_interval_azure_ms = 20\nhttp_max_body = 1024\naws_token_ttl = 60\n"
		      "aws_imdsv1_fallback = no\nazure_resource = vm2\nplan_file = /x/plan.json\n",
		      &c, err, sizeof(err)));
	CHECK(c.drain_margin_s == 5 && c.notice_window_s[ED_PROV_GCP] == 25 && c.rebalance_drain);
	CHECK(!strcmp(c.metadata_url, "http://127.0.0.1:8080"));	/* trailing '/' dropped */
	CHECK(c.poll_interval_ms[ED_PROV_AWS] == 50 && c.poll_interval_ms[ED_PROV_AZURE] == 20);
	CHECK(c.http_max_body == 1024 && c.aws_token_ttl_s == 60 && !c.aws_imdsv1_fallback);
	CHECK(!strcmp(c.azure_resource, "vm2") && !strcmp(c.plan_file, "/x/plan.json"));
	CHECK(!parse("", &c, err, sizeof(err)));
	CHECK(c.poll_interval_ms[ED_PROV_AWS] == 2000 && c.poll_interval_ms[ED_PROV_AZURE] == 1000);
	CHECK(c.aws_imdsv1_fallback && !c.rebalance_drain);
	tap_test("config: every key sets its field; defaults are 2 s AWS, 1 s Azure");
}

static int err_has(const char *extra, const char *want)
{
	struct ed_config c;
	char err[256] = "";

	if (!parse(extra, &c, err, sizeof(err)) || !strstr(err, want)) {
		tap_diag("for '%s': got '%s', want '%s'", extra, err, want);
		return 0;
	}
	return 1;
}

static void t_config_errors(void)
{
	struct ed_config c;
	char err[256];

	CHECK(err_has("drain_marign = 5\n", "line 6: unknown key 'drain_marign'"));
	CHECK(err_has("node = 4 10.0.0.4 spot aws\n", "bad address"));
	CHECK(err_has("node = 4 10.0.0.256:7 spot aws\n", "bad address"));
	CHECK(err_has("node = 4 10.0.0.4:7 preemptible aws\n", "bad kind"));
	CHECK(err_has("node = 4 10.0.0.4:7 spot oracle\n", "bad provider"));
	CHECK(err_has("node = 1 10.0.0.9:7 spot aws\n", "duplicate id"));
	CHECK(err_has("node = 9 10.0.0.1:7000 spot aws\n", "already used by node 1"));
	CHECK(err_has("node = 9 10.0.0.9:7000 spot\n", "want 4 fields"));
	CHECK(err_has("drain_margin = -1\n", "not an integer"));
	CHECK(err_has("drain_margin = 10s\n", "not an integer"));
	CHECK(err_has("rebalance_drain = maybe\n", "not yes/no"));
	CHECK(err_has("metadata_url = 169.254.169.254\n", "http://"));
	CHECK(err_has("just words\n", "expected 'key = value'"));
	CHECK(err_has("node_id = 7\n", "not listed"));
	/* Ids are the kernel module's: 1..63. */
	CHECK(err_has("node = 64 10.0.0.64:7 spot aws\n", "bad id '64' (1..63)"));
	CHECK(err_has("node = 0 10.0.0.64:7 spot aws\n", "bad id '0' (1..63)"));
	CHECK(err_has("node_id = 64\n", "not an id in 1..63"));
	CHECK(ed_config_parse(&c, "node = 1 10.0.0.1:7 spot aws\n", err, sizeof(err)) &&
	       strstr(err, "node_id is required"));
	tap_test("config: errors name the line and the problem; unknown keys are refused");
}

static void t_plan(void)
{
	struct ed_config c;
	struct ed_plan p;
	char err[256] = "";

	parse("", &c, err, sizeof(err));
	CHECK(!ed_plan_parse(&p, "{\"nodes\":[{\"id\":1,\"page_cap\":262144},{\"id\":3,\"page_cap\":0}]}",
			      &c, err, sizeof(err)));
	CHECK(p.n_caps == 2 && p.caps[0].node == 1 && p.caps[0].max_pages == 262144);
	CHECK(ed_plan_parse(&p, "{\"nodes\":[{\"id\":\"1\",\"page_cap\":5}]}", &c, err, sizeof(err)));
	CHECK(ed_plan_parse(&p, "{\"nodes\":[{\"id\":9,\"page_cap\":5}]}", &c, err, sizeof(err)) &&
	       strstr(err, "not a member"));
	CHECK(ed_plan_parse(&p, "{\"nodes\":[{\"id\":1,\"page_cap\":-5}]}", &c, err, sizeof(err)));
	CHECK(ed_plan_parse(&p, "{\"nodes\":[{\"id\":1,\"page_cap\":5},{\"id\":1,\"page_cap\":6}]}",
			     &c, err, sizeof(err)));
	CHECK(ed_plan_parse(&p, "{\"nodes\":", &c, err, sizeof(err)) && strstr(err, "bad JSON"));
	CHECK(ed_plan_parse(&p, "[1,2]", &c, err, sizeof(err)));
	tap_test("plan: page caps parsed; wrong types, non-members, duplicates refused");
}

/* --- reactor, with a recording actuator ------------------------------- */

static struct ed_config reactor_cfg(int rebalance)
{
	struct ed_config c;
	char err[256];

	parse(rebalance ? "rebalance_drain = yes\n" : "", &c, err, sizeof(err));
	return c;
}

static struct ed_notice interrupt(time_t when, const char *id)
{
	struct ed_notice n = { .type = ED_NOTICE_INTERRUPT, .provider = ED_PROV_AWS, .when = when };

	snprintf(n.reason, sizeof(n.reason), "test-notice");
	snprintf(n.id, sizeof(n.id), "%s", id);
	return n;
}

static void t_reactor_drain(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice n = interrupt(fake_wall + 120, "a");
	time_t dl;

	fake_init(&f);
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &n);
	CHECK(ed_reactor_wait(r, ED_DRAINED, 5000) == 0);
	CHECK(f.drains == 1 && f.last_deadline == fake_wall + 110 && f.last_kind == ED_DRAIN_NOTICE);
	CHECK(ed_reactor_state(r, &dl) == ED_DRAINED && dl == fake_wall + 110);
	CHECK(fake_has_event(&f, "drain-start") && fake_has_event(&f, "drain-done"));
	ed_reactor_notice(r, &n);	/* repeats of the same notice change nothing */
	CHECK(ed_reactor_drains_started(r) == 1);
	ed_reactor_free(r);
	tap_test("reactor: a notice drains this node with deadline = time - margin, once");
}

static void t_reactor_second_notice(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice a = interrupt(fake_wall + 120, "a"), b = interrupt(fake_wall + 60, "b"),
			 later = interrupt(fake_wall + 100, "c");
	time_t dl;

	fake_init(&f);
	f.hold = 1;
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &a);
	CHECK(fake_wait_in_drain(&f) == 0);
	ed_reactor_notice(r, &b);	/* earlier: adopted */
	ed_reactor_notice(r, &later);	/* later than current: ignored */
	CHECK(ed_reactor_state(r, &dl) == ED_DRAINING && dl == fake_wall + 50);
	CHECK(f.deadline_calls == 1 && f.last_deadline == fake_wall + 50);
	CHECK(ed_reactor_drains_started(r) == 1 && ed_reactor_deadline_updates(r) == 1);
	CHECK(fake_has_event(&f, "drain-deadline"));
	fake_release(&f);
	CHECK(ed_reactor_wait(r, ED_DRAINED, 5000) == 0);
	CHECK(f.drains == 1);
	ed_reactor_free(r);
	tap_test("reactor: a second notice during a drain tightens its deadline, never starts another");
}

static void t_reactor_rebalance(void)
{
	struct fake_act f;
	struct ed_config off = reactor_cfg(0), on = reactor_cfg(1);
	struct ed_reactor *r;
	struct ed_notice rb = { .type = ED_NOTICE_REBALANCE, .provider = ED_PROV_AWS };
	struct ed_notice n = interrupt(fake_wall + 120, "a");
	time_t dl;

	snprintf(rb.reason, sizeof(rb.reason), "aws-rebalance");
	fake_init(&f);
	r = ed_reactor_new(&off, &f.a);
	ed_reactor_notice(r, &rb);
	CHECK(ed_reactor_state(r, NULL) == ED_IDLE && ed_reactor_drains_started(r) == 0);
	ed_reactor_free(r);

	fake_init(&f);
	f.hold = 1;
	r = ed_reactor_new(&on, &f.a);
	ed_reactor_notice(r, &rb);
	CHECK(fake_wait_in_drain(&f) == 0);
	CHECK(f.last_kind == ED_DRAIN_REBALANCE && f.last_deadline == 0);
	CHECK(fake_has_event(&f, "rebalance"));
	ed_reactor_notice(r, &n);	/* a real notice gives the unhurried drain a deadline */
	CHECK(ed_reactor_state(r, &dl) == ED_DRAINING && dl == fake_wall + 110);
	CHECK(f.deadline_calls == 1 && ed_reactor_drains_started(r) == 1);
	fake_release(&f);
	CHECK(ed_reactor_wait(r, ED_DRAINED, 5000) == 0);
	ed_reactor_free(r);
	tap_test("reactor: rebalance drains unhurried only when configured; a notice adds a deadline");
}

static void t_reactor_cancel(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice n = interrupt(fake_wall + 60, "ev1"), n2 = interrupt(fake_wall + 60, "ev2");
	struct ed_notice x = n, x2 = n2;

	x.type = x2.type = ED_NOTICE_CANCEL;
	fake_init(&f);
	f.hold = 1;
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &n);
	ed_reactor_notice(r, &n2);
	CHECK(fake_wait_in_drain(&f) == 0);
	ed_reactor_notice(r, &x);	/* one of two withdrawn: keep draining */
	CHECK(ed_reactor_state(r, NULL) == ED_DRAINING && f.aborted == 0);
	ed_reactor_notice(r, &x2);	/* last one withdrawn: stop */
	CHECK(ed_reactor_wait(r, ED_IDLE, 5000) == 0);
	CHECK(f.aborted == 1 && f.undrains == 1 && fake_has_event(&f, "drain-cancelled"));
	/* A new notice after that starts a fresh drain. */
	f.hold = 0;
	ed_reactor_notice(r, &n);
	CHECK(ed_reactor_wait(r, ED_DRAINED, 5000) == 0 && ed_reactor_drains_started(r) == 2);
	ed_reactor_notice(r, &x);	/* withdrawn after the drain: node takes pages again */
	CHECK(ed_reactor_state(r, NULL) == ED_IDLE && f.undrains == 2);
	ed_reactor_free(r);
	tap_test("reactor: withdrawn notices stop the drain and undrain the node");
}

static void t_reactor_home(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice n = interrupt(fake_wall + 60, "a");

	fake_init(&f);
	f.home_procs = 2;
	f.pages_left = 4096;
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &n);
	CHECK(ed_reactor_wait(r, ED_DRAINED, 5000) == 0);
	CHECK(fake_has_event(&f, "home-pinned") && fake_has_event(&f, "drain-done"));
	ed_reactor_free(r);
	tap_test("reactor: a home node drains what it can and publishes home-pinned");
}

static void t_reactor_failure(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice n = interrupt(fake_wall + 60, "a");

	fake_init(&f);
	f.drain_rc = -EOPNOTSUPP;
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &n);
	CHECK(ed_reactor_wait(r, ED_FAILED, 5000) == 0);
	CHECK(fake_has_event(&f, "drain-failed"));
	ed_reactor_notice(r, &n);	/* no retry storm on every poll */
	CHECK(ed_reactor_drains_started(r) == 1);
	ed_reactor_free(r);
	tap_test("reactor: a failed drain is reported once and not retried on every poll");
}

static void t_reactor_shutdown(void)
{
	struct fake_act f;
	struct ed_config c = reactor_cfg(0);
	struct ed_reactor *r;
	struct ed_notice n = interrupt(fake_wall + 60, "a");

	fake_init(&f);
	f.hold = 1;
	r = ed_reactor_new(&c, &f.a);
	ed_reactor_notice(r, &n);
	CHECK(fake_wait_in_drain(&f) == 0);
	ed_reactor_free(r);	/* must return: the drain is told to stop */
	CHECK(f.aborted == 1);
	tap_test("reactor: shutdown stops a running drain through the progress callback");
}

int main(void)
{
	ed_log_init(0, getenv("ELASTICD_TEST_VERBOSE") ? 1 : -3);
	ed_wall_now = wall;
	t_rfc1123();
	t_rfc1123_bad();
	t_deadline();
	t_config_example();
	t_config_keys();
	t_config_errors();
	t_plan();
	t_reactor_drain();
	t_reactor_second_notice();
	t_reactor_rebalance();
	t_reactor_cancel();
	t_reactor_home();
	t_reactor_failure();
	t_reactor_shutdown();
	return tap_done();
}
