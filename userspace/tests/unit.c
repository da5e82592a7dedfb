// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of userspace/: libelastic's parsers and drain loop, the
 * host tests' TAP producer, the elasticctl command line, and spotos-agent's
 * protocol.
 * kselftest harness, TAP out.
 * Binaries under test are found relative to TOP (set by the Makefile).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/netlink.h>

#include "drain.h"
#include "elastic.h"
#include "iso8601.h"
#include "kselftest_harness.h"
#include "tap.h"

/* Run a shell command; capture up to size-1 bytes of stdout+stderr. */
static int run(const char *cmd, char *buf, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n;
	int st;

	if (!p)
		return -1;
	n = fread(buf, 1, size - 1, p);
	buf[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static const char *top(void)
{
	const char *t = getenv("TOP");

	return t ? t : "../..";
}

TEST(parse_u32_accepts_range)
{
	uint32_t v = 0;

	ASSERT_EQ(0, elastic_parse_u32("1", 1, 63, &v));
	EXPECT_EQ(1, v);
	ASSERT_EQ(0, elastic_parse_u32("63", 1, 63, &v));
	EXPECT_EQ(63, v);
	ASSERT_EQ(0, elastic_parse_u32("4294967295", 0, UINT32_MAX, &v));
	EXPECT_EQ(UINT32_MAX, v);
}

TEST(parse_u32_rejects_junk)
{
	const char *bad[] = { "", " 1", "1 ", "+1", "-1", "0x3", "3a", "1.0", "٣" };
	uint32_t v = 77;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = elastic_parse_u32(bad[i], 0, 100, &v);

		if (ret != -EINVAL)
			TH_LOG("input '%s' gave %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(-EINVAL, elastic_parse_u32(NULL, 0, 100, &v));
	EXPECT_EQ(77, v);
}

TEST(parse_u32_rejects_out_of_range)
{
	uint32_t v = 77;

	EXPECT_EQ(-ERANGE, elastic_parse_u32("0", 1, 63, &v));
	EXPECT_EQ(-ERANGE, elastic_parse_u32("64", 1, 63, &v));
	EXPECT_EQ(-EINVAL, elastic_parse_u32("99999999999999999999999", 0, UINT32_MAX, &v));
	EXPECT_EQ(-ERANGE, elastic_parse_u32("4294967296", 0, UINT32_MAX, &v));
	EXPECT_EQ(77, v);
}

TEST(parse_seconds_ms)
{
	const char *bad[] = { "", ".5", "1.", "1.2.3", "-1", "+1", "1e3", "0.0001", "1 ", "1s" };
	uint32_t ms = 77;
	unsigned int i;

	ASSERT_EQ(0, elastic_parse_seconds_ms("0.5", 1, 3600000, &ms));
	EXPECT_EQ(500, ms);
	ASSERT_EQ(0, elastic_parse_seconds_ms("2", 1, 3600000, &ms));
	EXPECT_EQ(2000, ms);
	ASSERT_EQ(0, elastic_parse_seconds_ms("1.25", 1, 3600000, &ms));
	EXPECT_EQ(1250, ms);
	ASSERT_EQ(0, elastic_parse_seconds_ms("0.001", 1, 3600000, &ms));
	EXPECT_EQ(1, ms);
	ms = 77;
	EXPECT_EQ(-ERANGE, elastic_parse_seconds_ms("0.05", 100, 3600000, &ms));
	EXPECT_EQ(-ERANGE, elastic_parse_seconds_ms("3601", 100, 3600000, &ms));
	EXPECT_EQ(-ERANGE, elastic_parse_seconds_ms("99999999999999999999", 100, 3600000, &ms));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = elastic_parse_seconds_ms(bad[i], 0, 3600000, &ms);

		if (ret != -EINVAL)
			TH_LOG("input '%s' gave %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(-EINVAL, elastic_parse_seconds_ms(NULL, 0, 100, &ms));
	EXPECT_EQ(77, ms);
}

TEST(parse_addr_with_and_without_port)
{
	uint32_t addr = 0;
	uint16_t port = 0;

	ASSERT_EQ(0, elastic_parse_addr("10.77.0.3", 7070, &addr, &port));
	EXPECT_EQ(htonl(0x0a4d0003), addr);
	EXPECT_EQ(7070, port);
	ASSERT_EQ(0, elastic_parse_addr("192.0.2.1:65535", 7070, &addr, &port));
	EXPECT_EQ(htonl(0xc0000201), addr);
	EXPECT_EQ(65535, port);
}

TEST(parse_addr_rejects_junk)
{
	const char *bad[] = { "", ":7070", "10.77.0", "10.77.0.256", "node3", "10.77.0.3:",
			      "10.77.0.3:0", "10.77.0.3:65536", "10.77.0.3:70a", "::1",
			      "10.77.0.3:7070:1", "1.2.3.4.5" };
	uint32_t addr = 77;
	uint16_t port = 77;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = elastic_parse_addr(bad[i], 7070, &addr, &port);

		if (ret != -EINVAL)
			TH_LOG("input '%s' gave %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(77, addr);
	EXPECT_EQ(77, port);
}

/* Build an NLMSG_ERROR with extended-ack TLVs the way the kernel does. */
struct ackbuf {
	union {
		struct nlmsghdr nlh;
		char raw[512];
	};
};

static size_t make_ack(struct ackbuf *b, int capped, const char *msg, size_t echoed)
{
	struct nlmsgerr *err;
	struct nlattr *a;
	size_t off;

	memset(b, 0, sizeof(*b));
	b->nlh.nlmsg_type = NLMSG_ERROR;
	b->nlh.nlmsg_flags = NLM_F_ACK_TLVS | (capped ? NLM_F_CAPPED : 0);
	err = NLMSG_DATA(&b->nlh);
	err->error = -EINVAL;
	err->msg.nlmsg_len = NLMSG_HDRLEN + echoed;
	off = NLMSG_HDRLEN + sizeof(*err) + (capped ? 0 : NLMSG_ALIGN(echoed));
	a = (struct nlattr *)(b->raw + off);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = NLA_HDRLEN + strlen(msg) + 1;
	strcpy((char *)a + NLA_HDRLEN, msg);
	b->nlh.nlmsg_len = off + NLA_ALIGN(a->nla_len);
	return b->nlh.nlmsg_len;
}

TEST(extack_capped)
{
	struct ackbuf b;
	char out[64];
	size_t len = make_ack(&b, 1, "integer out of range", 0);

	ASSERT_EQ(1, elastic_extack_msg(&b, len, out, sizeof(out)));
	EXPECT_STREQ("integer out of range", out);
}

TEST(extack_after_echoed_request)
{
	struct ackbuf b;
	char out[64];
	size_t len = make_ack(&b, 0, "missing attribute", 20);

	ASSERT_EQ(1, elastic_extack_msg(&b, len, out, sizeof(out)));
	EXPECT_STREQ("missing attribute", out);
}

TEST(extack_truncates_to_buffer)
{
	struct ackbuf b;
	char out[8];
	size_t len = make_ack(&b, 1, "a long explanation", 0);

	ASSERT_EQ(1, elastic_extack_msg(&b, len, out, sizeof(out)));
	EXPECT_STREQ("a long ", out);
}

TEST(extack_rejects_malformed)
{
	struct ackbuf b;
	char out[64] = "x";
	size_t len = make_ack(&b, 1, "msg", 0);
	struct nlattr *a = (struct nlattr *)(b.raw + NLMSG_HDRLEN + sizeof(struct nlmsgerr));

	/* An attribute claiming more than the message holds: no over-read. */
	a->nla_len = 400;
	EXPECT_EQ(0, elastic_extack_msg(&b, len, out, sizeof(out)));
	EXPECT_STREQ("", out);
	/* No TLV flag: nothing to find. */
	len = make_ack(&b, 1, "msg", 0);
	b.nlh.nlmsg_flags = 0;
	EXPECT_EQ(0, elastic_extack_msg(&b, len, out, sizeof(out)));
	/* A header longer than the buffer. */
	len = make_ack(&b, 1, "msg", 0);
	EXPECT_EQ(0, elastic_extack_msg(&b, len - 1, out, sizeof(out)));
	/* Echoed request length smaller than a header. */
	len = make_ack(&b, 0, "msg", 0);
	((struct nlmsgerr *)NLMSG_DATA(&b.nlh))->msg.nlmsg_len = 3;
	EXPECT_EQ(0, elastic_extack_msg(&b, len, out, sizeof(out)));
}

TEST(iso8601_rfc3339)
{
	char buf[32];
	time_t t = 0;

	ASSERT_EQ(0, iso8601_parse("2017-09-18T08:22:00Z", 0, &t));
	EXPECT_EQ(1505722920, t);
	ASSERT_EQ(0, iso8601_parse("2017-09-18T08:22:00.123Z", 0, &t));
	EXPECT_EQ(1505722920, t);
	ASSERT_EQ(0, iso8601_parse("2017-09-18t10:22:00+02:00", 0, &t));
	EXPECT_EQ(1505722920, t);
	ASSERT_EQ(0, iso8601_parse("2017-09-18T03:52:00-04:30", 0, &t));
	EXPECT_EQ(1505722920, t);
	ASSERT_EQ(0, iso8601_parse("2024-02-29T00:00:00z", 0, &t));
	EXPECT_EQ(1709164800, t);
	/* A leap second is the second before it: never later than meant. */
	ASSERT_EQ(0, iso8601_parse("2016-12-31T23:59:60Z", 0, &t));
	EXPECT_EQ(1483228799, t);
	EXPECT_STREQ("2017-09-18T08:22:00Z", iso8601_format(1505722920, buf, sizeof(buf)));
	ASSERT_EQ(0, iso8601_parse(buf, 0, &t));
	EXPECT_EQ(1505722920, t);
	EXPECT_STREQ("", iso8601_format(1505722920, buf, 20));
}

TEST(iso8601_rfc3339_rejects)
{
	const char *bad[] = {
		"", "2017-09-18", "2017-09-18T08:22:00", "2017-09-18 08:22:00Z",
		"2017-13-18T08:22:00Z", "2023-02-29T00:00:00Z", "2017-09-18T24:00:00Z",
		"2017-09-18T08:22:00Zjunk", "17-09-18T08:22:00Z", "2017-09-18T08:22:00.Z",
		"2017-09-18T08:22:00+0200", "tomorrow", "2017-9-18T08:22:00Z",
		"2017-09-18T8:22:00Z", "2017-09-18T08:22Z", "2017-09-18T08:22:00+02",
		"2017-09-18T08:22:00+24:00", "1969-12-31T23:59:59Z", "2017-04-31T00:00:00Z",
	};
	time_t t = 77;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = iso8601_parse(bad[i], 0, &t);

		if (ret != -1)
			TH_LOG("accepted '%s'", bad[i]);
		EXPECT_EQ(-1, ret);
	}
	EXPECT_EQ(-1, iso8601_parse(NULL, 0, &t));
	EXPECT_EQ(77, t);
}

TEST(iso8601_lenient)
{
	const char *same[] = {
		"2018-10-01 00:00:00+00:00", "2018-10-01T02:00:00+02:00", "2018-10-01T00:00:00Z",
		"2018-10-01-0", "2018-10-01", "2018-10-1 0:00", "2018-10-01 03+03",
		"2018-10-01 00:00:00.5", "2018-09-30T22:00:00-0200",
	};
	const char *bad[] = {
		"2018-13-01 00:00", "yesterday", "2018-10-01 00:00:00 junk", "2018-10-01 00:0",
		"2018-02-30", "2018-10-01 00:00:00.", "2018-10-01 00:00:00+05:", "2018-10-01 24",
	};
	time_t t;
	unsigned int i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		t = 0;
		EXPECT_EQ(0, iso8601_parse(same[i], ISO8601_LENIENT, &t)) TH_LOG("'%s'", same[i]);
		EXPECT_EQ(1538352000, t) TH_LOG("'%s'", same[i]);
	}
	ASSERT_EQ(0, iso8601_parse("2018-10-01 01:00:00", ISO8601_LENIENT, &t));
	EXPECT_EQ(1538352000 + 3600, t);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, iso8601_parse(bad[i], ISO8601_LENIENT, &t)) TH_LOG("'%s'", bad[i]);
	}
}

TEST(iso8601_civil_time)
{
	time_t t;

	ASSERT_EQ(0, iso8601_utc(1970, 1, 1, 0, 0, 0, &t));
	EXPECT_EQ(0, t);
	ASSERT_EQ(0, iso8601_utc(2000, 2, 29, 12, 0, 0, &t));
	EXPECT_EQ(951825600, t);
	ASSERT_EQ(0, iso8601_utc(9999, 12, 31, 23, 59, 59, &t));
	EXPECT_EQ(253402300799, t);
	EXPECT_EQ(-1, iso8601_utc(1900, 2, 29, 0, 0, 0, &t));
	EXPECT_EQ(-1, iso8601_utc(2023, 2, 29, 0, 0, 0, &t));
	EXPECT_EQ(-1, iso8601_utc(1969, 12, 31, 0, 0, 0, &t));
	EXPECT_EQ(-1, iso8601_utc(2023, 1, 1, 0, 0, 61, &t));
	EXPECT_EQ(-1, iso8601_utc(2023, 1, 1, -1, 0, 0, &t));
}

/*
 * A node being drained, on a clock of the test's own: a call moves what it
 * may of the pages that are not in flight; those land a few calls later.
 */
struct fake_node {
	double now;		/* seconds */
	uint64_t held;		/* pages on the node, in flight included */
	uint64_t in_flight;	/* of those, not movable yet */
	int land_after;		/* calls until the pages in flight can move */
	double idle_call_s;	/* a call that moves nothing takes this long */
	int fail_call;		/* this call fails with EHOSTDOWN (0: none) */
	int stop_call;		/* progress stops the drain at this call (0: never) */
	int calls, sleeps, progress_calls;
	uint64_t seen_moved[8];	/* what progress was told, first calls */
};

static int fake_drain(void *ctx, uint32_t node, uint64_t max, uint64_t *moved, uint64_t *left)
{
	struct fake_node *f = ctx;
	uint64_t n;

	(void)node;
	if (++f->calls == f->fail_call)
		return -EHOSTDOWN;
	if (f->land_after && !--f->land_after)
		f->in_flight = 0;
	n = f->held - f->in_flight < max ? f->held - f->in_flight : max;
	f->held -= n;
	f->now += n ? 0.01 : f->idle_call_s;
	*moved = n;
	*left = f->held;
	return 0;
}

static double fake_now(void *ctx)
{
	return ((struct fake_node *)ctx)->now;
}

static void fake_sleep(void *ctx, double seconds)
{
	struct fake_node *f = ctx;

	f->now += seconds;
	f->sleeps++;
}

static int fake_progress(void *arg, const struct elastic_drain_progress *p)
{
	struct fake_node *f = arg;

	if (f->progress_calls < 8)
		f->seen_moved[f->progress_calls] = p->moved;
	return ++f->progress_calls == f->stop_call;
}

static const struct elastic_drain_ops fake_ops = { fake_drain, fake_now, fake_sleep };

static int fake_run(struct fake_node *f, double deadline_s, double stall_s,
		    struct elastic_drain_progress *p)
{
	struct elastic_drain d = { .node = 2, .deadline_s = deadline_s, .stall_s = stall_s,
				   .progress = fake_progress, .arg = f };

	return elastic_drain_loop(&fake_ops, f, &d, p);
}

TEST(drain_in_batches_with_progress)
{
	struct fake_node f = { .held = 1300 };
	struct elastic_drain_progress p;

	ASSERT_EQ(0, fake_run(&f, 0, 30, &p));
	EXPECT_EQ(3, f.calls);
	EXPECT_EQ(3, f.progress_calls);
	EXPECT_EQ(512, f.seen_moved[0]);
	EXPECT_EQ(1024, f.seen_moved[1]);
	EXPECT_EQ(1300, f.seen_moved[2]);
	EXPECT_EQ(1300, p.moved);
	EXPECT_EQ(1300, p.start);
	EXPECT_EQ(0, p.left);
	EXPECT_EQ(0, f.sleeps);
}

/* A member's drain returns at once when only pages in flight remain: paced. */
TEST(drain_waits_for_pages_in_flight)
{
	struct fake_node f = { .held = 600, .in_flight = 88, .land_after = 4 };
	struct elastic_drain_progress p;

	ASSERT_EQ(0, fake_run(&f, 0, 30, &p));
	EXPECT_EQ(4, f.calls);
	EXPECT_EQ(2, f.sleeps);
	EXPECT_EQ(600, p.moved);
	EXPECT_TRUE(p.seconds > 0.2 && p.seconds < 0.25) TH_LOG("%.3f s", p.seconds);
}

/* This node's own drain waits in the kernel: no pause on top. */
TEST(drain_self_not_paced_twice)
{
	struct fake_node f = { .held = 600, .in_flight = 88, .land_after = 4, .idle_call_s = 1 };
	struct elastic_drain_progress p;

	ASSERT_EQ(0, fake_run(&f, 0, 30, &p));
	EXPECT_EQ(0, f.sleeps);
	EXPECT_TRUE(p.seconds > 2 && p.seconds < 2.1) TH_LOG("%.3f s", p.seconds);
}

TEST(drain_gives_up_when_stalled)
{
	struct fake_node f = { .held = 100, .in_flight = 100 };
	struct elastic_drain_progress p;

	EXPECT_EQ(-EAGAIN, fake_run(&f, 0, 30, &p));
	EXPECT_TRUE(p.seconds > 30 && p.seconds < 30.2) TH_LOG("%.3f s", p.seconds);
	EXPECT_EQ(100, p.left);
	EXPECT_EQ(100, p.start);
	EXPECT_EQ(0, p.moved);
}

TEST(drain_stops_at_deadline)
{
	struct fake_node f = { .held = 2000, .in_flight = 1000 };
	struct elastic_drain_progress p;

	EXPECT_EQ(-ETIME, fake_run(&f, 2, 30, &p));
	EXPECT_TRUE(p.seconds > 2 && p.seconds < 2.2) TH_LOG("%.3f s", p.seconds);
	EXPECT_EQ(1000, p.moved);
	EXPECT_EQ(1000, p.left);
}

TEST(drain_cancelled_by_progress)
{
	struct fake_node f = { .held = 2000, .stop_call = 2 };
	struct elastic_drain_progress p;

	EXPECT_EQ(-ECANCELED, fake_run(&f, 0, 30, &p));
	EXPECT_EQ(2, f.calls);
	EXPECT_EQ(1024, p.moved);
}

/* A failed call ends the drain with its error; p stays as the last call left it. */
TEST(drain_kernel_error)
{
	struct fake_node f = { .held = 2000, .fail_call = 2 };
	struct elastic_drain_progress p;

	EXPECT_EQ(-EHOSTDOWN, fake_run(&f, 0, 30, &p));
	EXPECT_EQ(512, p.moved);
	EXPECT_EQ(1488, p.left);
	EXPECT_EQ(2000, p.start);
}

static int tap_fail_line;

static void tap_one_failed_check(void)
{
	CHECK(1 + 1 == 2);
	tap_fail_line = __LINE__ + 1;
	CHECK(2 + 2 == 5);
}

TEST(tap_producer)
{
	char want[512], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int line;

	ASSERT_NE(NULL, f);
	tap_output(f);
	EXPECT_EQ(1, tap_ok(1, "one %d", 1));
	EXPECT_EQ(0, tap_ok(0, "two"));
	tap_diag("a %s", "note");
	tap_skip("no network", "three");
	tap_run("four", tap_one_failed_check);
	/* The failed check was the fourth test's, not the fifth's. */
	EXPECT_EQ(1, tap_test("five"));
	line = __LINE__ + 1;
	EXPECT_EQ(0, CHECK(0));
	EXPECT_EQ(0, tap_ok(1, "six"));
	EXPECT_EQ(1, tap_done());
	fclose(f);
	snprintf(want, sizeof(want), "ok 1 - one 1\nnot ok 2 - two\n# a note\n"
		 "ok 3 - three # SKIP no network\n# %s:%d: expected 2 + 2 == 5\n"
		 "not ok 4 - four\nok 5 - five\n# %s:%d: expected 0\nnot ok 6 - six\n1..6\n",
		 __FILE__, tap_fail_line, __FILE__, line);
	EXPECT_STREQ(want, text);
	free(text);
	/* A new report counts from 1 and passes when everything did. */
	f = open_memstream(&text, &len);
	ASSERT_NE(NULL, f);
	tap_output(f);
	tap_ok(1, "again");
	EXPECT_EQ(0, tap_done());
	fclose(f);
	EXPECT_STREQ("ok 1 - again\n1..1\n", text);
	free(text);
	tap_output(NULL);
}

TEST(elasticctl_usage_errors_exit_2)
{
	const char *args[] = { "", "bogus", "status extra", "config set node-id",
			       "config set node-id 64", "config set node-id 0",
			       "config set node-id abc", "config get node-id 3",
			       "--no-such-option status", "node", "node add", "node add 3",
			       "node add 64 10.0.0.1", "node add 3 10.0.0.300", "node add 3 10.0.0.3:0",
			       "node del", "node del x", "node list 3", "node show", "node frob 3",
			       "map", "map 0", "map x", "map 1 2", "map 1 --width 7",
			       "map 1 --width 401", "map 1 --width", "map 1 --svg",
			       "top 1", "top --interval 0", "top --interval 0.05", "top --interval x",
			       "top --interval", "top --count 0", "top --count -1",
			       "process", "process frob", "process jump 1", "process push 1",
			       "process map", "process top 1", "process run --nodes 1" };
	char cmd[512], out[4096];
	unsigned int i;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		int rc;

		snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl %s 2>&1",
			 top(), args[i]);
		rc = run(cmd, out, sizeof(out));
		if (rc != 2)
			TH_LOG("args '%s' exited %d: %s", args[i], rc, out);
		EXPECT_EQ(2, rc);
	}
}

TEST(elasticctl_version_and_help)
{
	char cmd[512], out[4096];

	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl -V", top());
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_EQ(0, strncmp(out, "elasticctl ", 11));
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl --help", top());
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "config set node-id"));
	EXPECT_NE(NULL, strstr(out, "process run --nodes LIST"));
	EXPECT_NE(NULL, strstr(out, "Aliases: run, stretch, push, unstretch, map and top"));
}

/* The process commands' first spellings say and exit exactly as the process form. */
static void expect_alias(struct __test_metadata *_metadata, const char *args)
{
	char cmd[512], alias[4096], object[4096];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl %s 2>&1", top(), args);
	rc = run(cmd, alias, sizeof(alias));
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl process %s 2>&1", top(),
		 args);
	EXPECT_EQ(rc, run(cmd, object, sizeof(object))) TH_LOG("'%s'", args);
	EXPECT_STREQ(alias, object) TH_LOG("'%s'", args);
}

TEST(elasticctl_process_aliases)
{
	const char *usage[] = { "run", "run --nodes 1,2", "run --nodes 0 -- true", "stretch 1",
				"stretch x --nodes 1", "push 1", "push --pages 0 1", "unstretch",
				"map 1 --width 7", "top --count 0" };
	/* Without the module these fail at once, saying so. */
	const char *no_module[] = { "run --nodes 1 -- true", "stretch 1 --nodes 1-3",
				    "push 1 --to 2 --pages 3", "unstretch 1", "map 1",
				    "top --interval 60 --count 1" };
	unsigned int i;

	for (i = 0; i < sizeof(usage) / sizeof(usage[0]); i++)
		expect_alias(_metadata, usage[i]);
	if (!access("/proc/sys/elastic/node_id", F_OK))
		SKIP(return, "the elastic module is loaded on this machine");
	for (i = 0; i < sizeof(no_module) / sizeof(no_module[0]); i++)
		expect_alias(_metadata, no_module[i]);
}

/* On a machine without the module (the host), the error says so. */
TEST(elasticctl_without_module)
{
	char cmd[512], out[4096];

	if (!access("/proc/sys/elastic/node_id", F_OK))
		SKIP(return, "the elastic module is loaded on this machine");
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl status 2>&1", top());
	EXPECT_EQ(1, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "module is not loaded")) TH_LOG("%s", out);
	/* map and top read /proc, not netlink: they say so too, at once. */
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl map 1 2>&1", top());
	EXPECT_EQ(1, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "map: the elastic module is not loaded")) TH_LOG("%s", out);
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl top --interval 60 2>&1",
		 top());
	EXPECT_EQ(1, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "top: the elastic module is not loaded")) TH_LOG("%s", out);
}

/* spotos-agent: a server on a loopback port per test. */
FIXTURE(agent)
{
	pid_t server;
	char target[64];
};

FIXTURE_SETUP(agent)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char bin[512], portstr[16], out[64];
	int fd, i;

	/* Pick a free port, then hand it to the server. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	ASSERT_EQ(0, bind(fd, (struct sockaddr *)&a, sizeof(a)));
	ASSERT_EQ(0, getsockname(fd, (struct sockaddr *)&a, &len));
	close(fd);
	snprintf(portstr, sizeof(portstr), "%d", ntohs(a.sin_port));
	snprintf(self->target, sizeof(self->target), "127.0.0.1:%s", portstr);
	snprintf(bin, sizeof(bin), "%s/userspace/agent/spotos-agent", top());
	self->server = fork();
	ASSERT_GE(self->server, 0);
	if (!self->server) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 2);
		execl(bin, bin, "serve", "--port", portstr, NULL);
		_exit(127);
	}
	snprintf(bin, sizeof(bin), "%s/userspace/agent/spotos-agent wait --timeout 10 %s",
		 top(), self->target);
	for (i = 0; i < 3 && run(bin, out, sizeof(out)); i++)
		;
}

FIXTURE_TEARDOWN(agent)
{
	kill(self->server, SIGKILL);
	waitpid(self->server, NULL, 0);
}

static int agent_exec(const char *target, const char *args, char *out, size_t size)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s/userspace/agent/spotos-agent exec %s -- %s",
		 top(), target, args);
	return run(cmd, out, size);
}

TEST_F(agent, exit_status_propagates)
{
	char out[256];

	EXPECT_EQ(0, agent_exec(self->target, "true", out, sizeof(out)));
	EXPECT_EQ(1, agent_exec(self->target, "false", out, sizeof(out)));
	EXPECT_EQ(7, agent_exec(self->target, "sh -c 'exit 7'", out, sizeof(out)));
	EXPECT_EQ(128 + 9, agent_exec(self->target, "sh -c 'kill -9 $$'", out, sizeof(out)));
	EXPECT_EQ(127, agent_exec(self->target, "/no/such/program", out, sizeof(out)));
}

TEST_F(agent, stdout_and_stderr_are_separate)
{
	char cmd[1024], out[256];

	snprintf(cmd, sizeof(cmd),
		 "%s/userspace/agent/spotos-agent exec %s -- sh -c 'echo out; echo err >&2' 2>/dev/null",
		 top(), self->target);
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_STREQ("out\n", out);
	snprintf(cmd, sizeof(cmd),
		 "%s/userspace/agent/spotos-agent exec %s -- sh -c 'echo out; echo err >&2' 2>&1 >/dev/null",
		 top(), self->target);
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_STREQ("err\n", out);
}

TEST_F(agent, large_output_arrives_whole)
{
	char out[8];
	char cmd[1024];

	/* 3 MiB through the framing, counted on our side. */
	snprintf(cmd, sizeof(cmd),
		 "test $(%s/userspace/agent/spotos-agent exec %s -- head -c 3145728 /dev/zero | wc -c) = 3145728",
		 top(), self->target);
	EXPECT_EQ(0, run(cmd, out, sizeof(out)));
}

TEST_F(agent, environment_and_cwd)
{
	char cmd[1024], out[256];

	snprintf(cmd, sizeof(cmd),
		 "cd /tmp && %s/userspace/agent/spotos-agent exec --env SPOTOS_X=42 %s -- sh -c 'echo $SPOTOS_X $(pwd)'",
		 top(), self->target);
	ASSERT_EQ(0, run(cmd, out, sizeof(out)));
	EXPECT_STREQ("42 /tmp\n", out);
}

/* A daemon started by the command must not hold the output open. */
TEST_F(agent, background_daemon_does_not_block)
{
	char out[256];
	time_t start = time(NULL);

	EXPECT_EQ(0, agent_exec(self->target,
				"sh -c 'setsid sleep 30 >/dev/null 2>&1 </dev/null & echo started'",
				out, sizeof(out)));
	EXPECT_STREQ("started\n", out);
	EXPECT_LT(time(NULL) - start, 10);
	system("pkill -f 'sleep 30' 2>/dev/null");
}

TEST_F(agent, timeout_kills_the_command)
{
	char cmd[1024], out[256];

	snprintf(cmd, sizeof(cmd),
		 "%s/userspace/agent/spotos-agent exec --timeout 1 %s -- sh -c 'sleep 30' 2>&1",
		 top(), self->target);
	EXPECT_EQ(124, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "timed out"));
}

/* Garbage on the wire closes that connection; the server goes on. */
TEST_F(agent, malformed_requests_are_dropped)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	const char *frames[] = {
		"GET / HTTP/1.0\r\n\r\n",
		"SPA1\x01\x00\x00\x00\xff\xff\xff\xff",		/* 4 billion strings */
		"SPA1\x01\x00\x00\x00\x01\x00\x00\x00\xff\xff\xff\x7f",	/* 2 GiB string */
		"SPA1\x01\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00/",	/* truncated */
	};
	char out[64];
	unsigned int i;

	a.sin_port = htons(atoi(strchr(self->target, ':') + 1));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < sizeof(frames) / sizeof(frames[0]); i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		ssize_t n;

		ASSERT_EQ(0, connect(fd, (struct sockaddr *)&a, sizeof(a)));
		ASSERT_GT(write(fd, frames[i], strlen(frames[i]) + (i ? 4 : 0)), 0);
		shutdown(fd, SHUT_WR);
		/* EOF or a reset (unread garbage), never a reply. */
		n = read(fd, out, sizeof(out));
		if (n > 0)
			TH_LOG("frame %u got a reply", i);
		EXPECT_GE(0, n);
		close(fd);
	}
	EXPECT_EQ(0, agent_exec(self->target, "true", out, sizeof(out)));
	EXPECT_EQ(0, kill(self->server, 0));
}

TEST_HARNESS_MAIN
