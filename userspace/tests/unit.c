// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of userspace/: libelastic's parsers, drain loop and
 * readers of the kernel's replies (fed canned messages), the host tests'
 * TAP producer, the elasticctl command line, and spotos-agent's protocol.
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
#include <linux/elastic.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "drain.h"
#include "elastic.h"
#include "iso8601.h"
#include "kselftest_harness.h"
#include "reply.h"
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

/*
 * libelastic's readers of stats-get, process-get and process-map replies,
 * fed messages built here with libnl as the kernel builds them.
 */
static struct nl_msg *canned(uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, 1, 0x1d, 0, NLM_F_MULTI, cmd,
				ELASTIC_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static void put_member(struct nl_msg *msg, uint32_t id, uint64_t held, uint64_t hosted)
{
	struct nlattr *nest = nla_nest_start(msg, ELASTIC_A_STATS_MEMBER);

	nla_put_u32(msg, ELASTIC_A_MEMBER_STATS_ID, id);
	nla_put_u64(msg, ELASTIC_A_MEMBER_STATS_HELD, held);
	nla_put_u64(msg, ELASTIC_A_MEMBER_STATS_HOSTED, hosted);
	nla_nest_end(msg, nest);
}

/* The names the counters had as sysctls, which tests and scripts know. */
static const char *const sysctl_names[] = {
	"bad_input", "bad_frames", "conn_refused", "pulls_ahead", "remote_pages",
	"hosted_pages", "hosted_in", "frees", "pull_failures", "push_failures", "resends",
	"stale_replies", "send_errors", "drained", "oom_kills", "caps_set", "evacuations",
	"pressure_pushes", "shrinker_scans", "relieve_requests", "relieved", "handed_off",
	"handed_in", "bg_pushes", "restarts", "layouts", "shadows", "shadow_pages",
	"shadow_errors", "claims_granted", "claims_refused", "claimed",
	/* Counters that came after the sysctls went, under the same kind of name. */
	"jumps_out", "jumps_in", "jumps_refused", "jump_resends", "jump_dups",
	"jump_syscalls_home", "jump_faults_home", "jump_send_errors", "jump_stale_acks",
	"claims_pushed",
};

TEST(stat_names_are_the_sysctls)
{
	unsigned int i;

	ASSERT_EQ(ELASTIC_STAT_COUNT, sizeof(sysctl_names) / sizeof(sysctl_names[0]));
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		EXPECT_STREQ(sysctl_names[i], elastic_stat_name(i));
	EXPECT_EQ(NULL, elastic_stat_name(ELASTIC_STAT_COUNT));
	EXPECT_STREQ("bad_frames", elastic_stat_name(ELASTIC_STAT_BAD_FRAMES));
	EXPECT_STREQ("claimed", elastic_stat_name(ELASTIC_STAT_CLAIMED));
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		EXPECT_EQ((int)i, elastic_stat_find(sysctl_names[i]));
	EXPECT_EQ(-ENOENT, elastic_stat_find("node_id"));
	EXPECT_EQ(-ENOENT, elastic_stat_find("bad_frame"));
}

TEST(stats_reply)
{
	struct nl_msg *msg = canned(ELASTIC_CMD_STATS_GET);
	struct elastic_stats st;
	int i;

	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, ELASTIC_A_STATS_NODE_ID, 1);
	nla_put_u32(msg, ELASTIC_A_STATS_EVACUATING, 1);
	nla_put(msg, ELASTIC_A_STATS_PAD, 0, NULL);
	/* Every counter, each its own value: attribute i + 1000. */
	for (i = ELASTIC_A_STATS_BAD_INPUT; i <= ELASTIC_A_STATS_MAX; i++)
		if (i != ELASTIC_A_STATS_MEMBER)
			nla_put_u64(msg, i, 1000 + i);
	/* Members in any order; the library sorts them. */
	put_member(msg, 3, 30, 300);
	put_member(msg, 2, 20, 200);
	put_member(msg, 63, 0, 1ULL << 40);
	/* A later module's attribute is left alone. */
	nla_put_u64(msg, ELASTIC_A_STATS_MAX + 1, 7);
	ASSERT_EQ(0, elastic_stats_parse(nlmsg_hdr(msg), &st));
	EXPECT_EQ(1, st.node_id);
	EXPECT_EQ(1, st.evacuating);
	EXPECT_EQ(~0ULL >> (64 - ELASTIC_STAT_COUNT), st.has);
	EXPECT_EQ(1000 + ELASTIC_A_STATS_BAD_INPUT, st.counter[ELASTIC_STAT_BAD_INPUT]);
	EXPECT_EQ(1000 + ELASTIC_A_STATS_BAD_FRAMES, st.counter[ELASTIC_STAT_BAD_FRAMES]);
	EXPECT_EQ(1000 + ELASTIC_A_STATS_HOSTED_IN, st.counter[ELASTIC_STAT_HOSTED_IN]);
	EXPECT_EQ(1000 + ELASTIC_A_STATS_CLAIMED, st.counter[ELASTIC_STAT_CLAIMED]);
	/* Those after the member nests too. */
	EXPECT_EQ(1000 + ELASTIC_A_STATS_JUMPS_OUT, st.counter[ELASTIC_STAT_JUMPS_OUT]);
	EXPECT_EQ(1000 + ELASTIC_A_STATS_CLAIMS_PUSHED, st.counter[ELASTIC_STAT_CLAIMS_PUSHED]);
	ASSERT_EQ(3, st.nmembers);
	EXPECT_EQ(2, st.member[0].id);
	EXPECT_EQ(20, st.member[0].held);
	EXPECT_EQ(200, st.member[0].hosted);
	EXPECT_EQ(3, st.member[1].id);
	EXPECT_EQ(30, st.member[1].held);
	EXPECT_EQ(63, st.member[2].id);
	EXPECT_EQ(1ULL << 40, st.member[2].hosted);
	nlmsg_free(msg);
}

/* A module without some counters: those read 0 and are not in has. */
TEST(stats_reply_of_an_older_module)
{
	struct nl_msg *msg = canned(ELASTIC_CMD_STATS_GET);
	struct elastic_stats st;

	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, ELASTIC_A_STATS_NODE_ID, 2);
	nla_put_u64(msg, ELASTIC_A_STATS_BAD_FRAMES, 5);
	nla_put_u64(msg, ELASTIC_A_STATS_HOSTED_PAGES, 0);
	ASSERT_EQ(0, elastic_stats_parse(nlmsg_hdr(msg), &st));
	EXPECT_EQ(2, st.node_id);
	EXPECT_EQ(0, st.evacuating);
	EXPECT_EQ((1ULL << ELASTIC_STAT_BAD_FRAMES) | (1ULL << ELASTIC_STAT_HOSTED_PAGES), st.has);
	EXPECT_EQ(5, st.counter[ELASTIC_STAT_BAD_FRAMES]);
	EXPECT_EQ(0, st.counter[ELASTIC_STAT_CLAIMED]);
	EXPECT_EQ(0, st.nmembers);
	nlmsg_free(msg);
}

TEST(stats_reply_rejects)
{
	struct elastic_stats st;
	struct nl_msg *msg;
	struct nlattr *nest;
	uint32_t short_u64 = 1;
	int i;

	/* A counter cut short. */
	msg = canned(ELASTIC_CMD_STATS_GET);
	nla_put(msg, ELASTIC_A_STATS_FREES, sizeof(short_u64), &short_u64);
	EXPECT_EQ(-EPROTO, elastic_stats_parse(nlmsg_hdr(msg), &st));
	nlmsg_free(msg);
	/* A member without its id, with id 0 or 64, twice the same. */
	msg = canned(ELASTIC_CMD_STATS_GET);
	nest = nla_nest_start(msg, ELASTIC_A_STATS_MEMBER);
	nla_put_u64(msg, ELASTIC_A_MEMBER_STATS_HELD, 1);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, elastic_stats_parse(nlmsg_hdr(msg), &st));
	nlmsg_free(msg);
	for (i = 0; i < 3; i++) {
		msg = canned(ELASTIC_CMD_STATS_GET);
		put_member(msg, i == 0 ? 0 : i == 1 ? 64 : 5, 1, 1);
		if (i == 2)
			put_member(msg, 5, 2, 2);
		EXPECT_EQ(-EPROTO, elastic_stats_parse(nlmsg_hdr(msg), &st)) TH_LOG("case %d", i);
		nlmsg_free(msg);
	}
}

static void put_on_node(struct nl_msg *msg, uint32_t node, uint64_t pages)
{
	struct nlattr *nest = nla_nest_start(msg, ELASTIC_A_PROCESS_ON_NODE);

	nla_put_u32(msg, ELASTIC_A_NODE_PAGES_NODE, node);
	nla_put_u64(msg, ELASTIC_A_NODE_PAGES_PAGES, pages);
	nla_nest_end(msg, nest);
}

static void put_thread(struct nl_msg *msg, uint32_t tid, uint32_t node, uint64_t jumps)
{
	struct nlattr *nest = nla_nest_start(msg, ELASTIC_A_PROCESS_THREAD);

	nla_put_u32(msg, ELASTIC_A_THREAD_TID, tid);
	nla_put_u32(msg, ELASTIC_A_THREAD_NODE, node);
	nla_put_u64(msg, ELASTIC_A_THREAD_JUMPS, jumps);
	nla_nest_end(msg, nest);
}

/* Threads that jumped: listed up to ELASTIC_THREADS_LISTED, the rest counted. */
TEST(process_reply_threads)
{
	struct nl_msg *msg = canned(ELASTIC_CMD_PROCESS_GET);
	struct nlattr *nest;
	struct elastic_process p;
	int i;

	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, ELASTIC_A_PROCESS_PID, 4242);
	put_thread(msg, 4242, 2, 1);
	put_thread(msg, 4250, 1, 2);
	for (i = 0; i < ELASTIC_THREADS_LISTED; i++)
		put_thread(msg, 5000 + i, 3, 1);
	ASSERT_EQ(0, elastic_process_parse(nlmsg_hdr(msg), &p));
	ASSERT_EQ(ELASTIC_THREADS_LISTED, p.nthreads);
	EXPECT_EQ(2, p.threads_more);
	EXPECT_EQ(4242, p.thread[0].tid);
	EXPECT_EQ(2, p.thread[0].node);
	EXPECT_EQ(1, p.thread[0].jumps);
	EXPECT_EQ(4250, p.thread[1].tid);
	EXPECT_EQ(2, p.thread[1].jumps);
	nlmsg_free(msg);

	/* A thread without its node is malformed. */
	msg = canned(ELASTIC_CMD_PROCESS_GET);
	nla_put_u32(msg, ELASTIC_A_PROCESS_PID, 4242);
	nest = nla_nest_start(msg, ELASTIC_A_PROCESS_THREAD);
	nla_put_u32(msg, ELASTIC_A_THREAD_TID, 4242);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, elastic_process_parse(nlmsg_hdr(msg), &p));
	nlmsg_free(msg);
}

TEST(process_reply)
{
	struct nl_msg *msg = canned(ELASTIC_CMD_PROCESS_GET);
	struct elastic_process p;
	int b;

	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, ELASTIC_A_PROCESS_PID, 4242);
	nla_put_string(msg, ELASTIC_A_PROCESS_COMM, "a-very-long-comm-name");
	nla_put_u64(msg, ELASTIC_A_PROCESS_NODES, 0xc);
	nla_put_u64(msg, ELASTIC_A_PROCESS_LIMIT, 2048);
	nla_put_u32(msg, ELASTIC_A_PROCESS_SHADOW_ID, 7);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PAGES_LOCAL, 2000);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PAGES_REMOTE, 1031);
	put_on_node(msg, 2, 1024);
	put_on_node(msg, 3, 0);
	put_on_node(msg, 5, 7);
	nla_put_u64(msg, ELASTIC_A_PROCESS_FAULTS, 11);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PULLS, 12);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PUSHES, 13);
	nla_put_u64(msg, ELASTIC_A_PROCESS_BYTES_IN, 14);
	nla_put_u64(msg, ELASTIC_A_PROCESS_BYTES_OUT, 15);
	nla_put_u64(msg, ELASTIC_A_PROCESS_COALESCED, 16);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PREFETCH_HITS, 17);
	nla_put_u64(msg, ELASTIC_A_PROCESS_MAPPED_AHEAD, 18);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PULL_MSGS, 19);
	nla_put_u64(msg, ELASTIC_A_PROCESS_PUSH_MSGS, 20);
	nla_put_u64(msg, ELASTIC_A_PROCESS_LAT_P50_US, 256);
	nla_put_u64(msg, ELASTIC_A_PROCESS_LAT_P99_US, 4096);
	for (b = 0; b < ELASTIC_LAT_BUCKETS + 2; b++)
		nla_put_u64(msg, ELASTIC_A_PROCESS_LAT_HIST, b * 10);
	ASSERT_EQ(0, elastic_process_parse(nlmsg_hdr(msg), &p));
	EXPECT_EQ(4242, p.pid);
	EXPECT_STREQ("a-very-long-com", p.comm);
	EXPECT_EQ(0xc, p.nodes);
	EXPECT_EQ(2048, p.limit);
	EXPECT_EQ(7, p.shadow_id);
	EXPECT_EQ(2000, p.pages_local);
	EXPECT_EQ(1031, p.pages_remote);
	EXPECT_EQ((1ULL << 2) | (1ULL << 3) | (1ULL << 5), p.listed);
	EXPECT_EQ(1024, p.on_node[2]);
	EXPECT_EQ(0, p.on_node[3]);
	EXPECT_EQ(7, p.on_node[5]);
	EXPECT_EQ(11, p.faults);
	EXPECT_EQ(12, p.pulls);
	EXPECT_EQ(13, p.pushes);
	EXPECT_EQ(14, p.bytes_in);
	EXPECT_EQ(15, p.bytes_out);
	EXPECT_EQ(16, p.coalesced);
	EXPECT_EQ(17, p.prefetch_hits);
	EXPECT_EQ(18, p.mapped_ahead);
	EXPECT_EQ(19, p.pull_msgs);
	EXPECT_EQ(20, p.push_msgs);
	EXPECT_EQ(256, p.lat_p50_us);
	EXPECT_EQ(4096, p.lat_p99_us);
	/* The buckets in order; a later module's extra ones left out. */
	ASSERT_EQ(ELASTIC_LAT_BUCKETS, p.nlat);
	for (b = 0; b < ELASTIC_LAT_BUCKETS; b++)
		EXPECT_EQ(b * 10, p.lat_hist[b]);
	nlmsg_free(msg);
}

TEST(process_reply_rejects)
{
	struct elastic_process p;
	struct nl_msg *msg;
	int i;

	/* No pid. */
	msg = canned(ELASTIC_CMD_PROCESS_GET);
	nla_put_u64(msg, ELASTIC_A_PROCESS_FAULTS, 1);
	EXPECT_EQ(-EPROTO, elastic_process_parse(nlmsg_hdr(msg), &p));
	nlmsg_free(msg);
	/* A node of on-node out of range, or listed twice. */
	for (i = 0; i < 3; i++) {
		msg = canned(ELASTIC_CMD_PROCESS_GET);
		nla_put_u32(msg, ELASTIC_A_PROCESS_PID, 1);
		put_on_node(msg, i == 0 ? 0 : i == 1 ? 64 : 2, 1);
		if (i == 2)
			put_on_node(msg, 2, 1);
		EXPECT_EQ(-EPROTO, elastic_process_parse(nlmsg_hdr(msg), &p)) TH_LOG("case %d", i);
		nlmsg_free(msg);
	}
}

struct canned_run {
	uint64_t first, pages;
	uint32_t node;
};

/* A mapping nest of a process-map message, with its runs. */
static void put_mapping(struct nl_msg *msg, uint64_t start, uint64_t end,
			const struct canned_run *runs, int n)
{
	struct nlattr *m = nla_nest_start(msg, ELASTIC_A_PROCESS_MAPPING), *r;
	int i;

	nla_put_u64(msg, ELASTIC_A_MAPPING_START, start);
	nla_put_u64(msg, ELASTIC_A_MAPPING_END, end);
	for (i = 0; i < n; i++) {
		r = nla_nest_start(msg, ELASTIC_A_MAPPING_RUN);
		nla_put_u64(msg, ELASTIC_A_PAGE_RUN_FIRST, runs[i].first);
		nla_put_u64(msg, ELASTIC_A_PAGE_RUN_PAGES, runs[i].pages);
		nla_put_u32(msg, ELASTIC_A_PAGE_RUN_NODE, runs[i].node);
		nla_nest_end(msg, r);
	}
	nla_nest_end(msg, m);
}

/* Feed one message with one mapping; returns what elastic_process_map_add() did. */
static int map_feed(struct elastic_process_map *m, uint32_t pid, uint64_t start, uint64_t end,
		    const struct canned_run *runs, int n)
{
	struct nl_msg *msg = canned(ELASTIC_CMD_PROCESS_MAP);
	int ret;

	nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid);
	put_mapping(msg, start, end, runs, n);
	ret = elastic_process_map_add(m, nlmsg_hdr(msg));
	nlmsg_free(msg);
	return ret;
}

/* Two mappings in one message; a large one split over two more, merged. */
TEST(process_map_reply)
{
	const struct canned_run heap[] = { { 0, 3, 1 }, { 5, 1, 2 } };
	const struct canned_run big1[] = { { 0, 100, 1 }, { 100, 50, 3 } };
	const struct canned_run big2[] = { { 150, 10, 3 }, { 200, 56, 1 } };
	const struct canned_run stack[] = { { 1, 1, 1 } };
	struct elastic_process_map m = {};
	struct nl_msg *msg = canned(ELASTIC_CMD_PROCESS_MAP);
	const struct elastic_mapping *mp;

	ASSERT_NE(NULL, msg);
	nla_put_u32(msg, ELASTIC_A_PROCESS_PID, 99);
	put_mapping(msg, 0x555500000000, 0x555500008000, heap, 2);
	put_mapping(msg, 0x7f0000000000, 0x7f0000100000, big1, 2);
	ASSERT_EQ(0, elastic_process_map_add(&m, nlmsg_hdr(msg)));
	nlmsg_free(msg);
	/* The next message continues the big mapping (its run on node 3 too). */
	ASSERT_EQ(0, map_feed(&m, 99, 0x7f0000000000, 0x7f0000100000, big2, 2));
	ASSERT_EQ(0, map_feed(&m, 99, 0x7ffc00000000, 0x7ffc00002000, stack, 1));
	EXPECT_EQ(99, m.pid);
	ASSERT_EQ(3, m.nmappings);
	mp = &m.mappings[0];
	EXPECT_EQ(0x555500000000, mp->start);
	EXPECT_EQ(0x555500008000, mp->end);
	ASSERT_EQ(2, mp->nruns);
	EXPECT_EQ(5, mp->runs[1].first);
	EXPECT_EQ(1, mp->runs[1].pages);
	EXPECT_EQ(2, mp->runs[1].node);
	mp = &m.mappings[1];
	EXPECT_EQ(0x7f0000100000, mp->end);
	/* 100-149 on 3 and 150-159 on 3 are one run. */
	ASSERT_EQ(3, mp->nruns);
	EXPECT_EQ(0, mp->runs[0].first);
	EXPECT_EQ(100, mp->runs[0].pages);
	EXPECT_EQ(100, mp->runs[1].first);
	EXPECT_EQ(60, mp->runs[1].pages);
	EXPECT_EQ(3, mp->runs[1].node);
	EXPECT_EQ(200, mp->runs[2].first);
	EXPECT_EQ(56, mp->runs[2].pages);
	EXPECT_EQ(1, m.mappings[2].nruns);
	elastic_process_map_free(&m);
	EXPECT_EQ(0, m.nmappings);
	EXPECT_EQ(NULL, m.mappings);
}

/* Many runs, and many mappings: the arrays grow. */
TEST(process_map_reply_grows)
{
	struct elastic_process_map m = {};
	struct canned_run r[100];
	int i, k;

	for (k = 0; k < 40; k++) {
		for (i = 0; i < 100; i++)
			r[i] = (struct canned_run){ 2 * i, 1, 1 + (k + i) % 3 };
		ASSERT_EQ(0, map_feed(&m, 5, 0x10000000ULL * (k + 1),
				      0x10000000ULL * (k + 1) + 200 * 4096, r, 100));
	}
	ASSERT_EQ(40, m.nmappings);
	for (k = 0; k < 40; k++) {
		ASSERT_EQ(100, m.mappings[k].nruns);
		EXPECT_EQ(198, m.mappings[k].runs[99].first);
		EXPECT_EQ(1 + (k + 99) % 3, m.mappings[k].runs[99].node);
	}
	elastic_process_map_free(&m);
}

TEST(process_map_reply_rejects)
{
	static const struct {
		const char *what;
		uint64_t start, end;
		struct canned_run run;
	} bad[] = {
		{ "a run past the end", 0x10000, 0x14000, { 3, 2, 1 } },
		{ "a run starting at the end", 0x10000, 0x14000, { 4, 1, 1 } },
		{ "an empty run", 0x10000, 0x14000, { 0, 0, 1 } },
		{ "a run overflowing", 0x10000, 0x14000, { 2, ~0ULL, 1 } },
		{ "node 64", 0x10000, 0x14000, { 0, 1, 64 } },
		{ "an unaligned start", 0x10001, 0x14000, { 0, 1, 1 } },
		{ "an unaligned end", 0x10000, 0x14001, { 0, 1, 1 } },
		{ "an end before the start", 0x14000, 0x10000, { 0, 1, 1 } },
	};
	const struct canned_run one = { 0, 4, 2 }, back = { 2, 1, 3 };
	struct elastic_process_map m = {};
	struct nlattr *nest, *run;
	struct nl_msg *msg;
	unsigned int i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-EPROTO, map_feed(&m, 1, bad[i].start, bad[i].end, &bad[i].run, 1))
			TH_LOG("%s", bad[i].what);
		elastic_process_map_free(&m);
	}
	/* Runs that go back, within a message or over two. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x110000, &one, 1));
	EXPECT_EQ(-EPROTO, map_feed(&m, 1, 0x100000, 0x110000, &back, 1));
	elastic_process_map_free(&m);
	/* Within a message, a mapping that overlaps the last, or comes before it. */
	for (i = 0; i < 2; i++) {
		msg = canned(ELASTIC_CMD_PROCESS_MAP);
		put_mapping(msg, 0x100000, 0x110000, &one, 1);
		put_mapping(msg, i ? 0x000000 : 0x10f000, i ? 0x010000 : 0x120000, &one, 1);
		EXPECT_EQ(-EPROTO, elastic_process_map_add(&m, nlmsg_hdr(msg))) TH_LOG("case %d", i);
		nlmsg_free(msg);
		elastic_process_map_free(&m);
	}
	/* Another process's message. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x110000, &one, 1));
	EXPECT_EQ(-EPROTO, map_feed(&m, 2, 0x200000, 0x210000, &one, 1));
	elastic_process_map_free(&m);
	/* A mapping without its end; a run without its node. */
	msg = canned(ELASTIC_CMD_PROCESS_MAP);
	nest = nla_nest_start(msg, ELASTIC_A_PROCESS_MAPPING);
	nla_put_u64(msg, ELASTIC_A_MAPPING_START, 0x1000);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, elastic_process_map_add(&m, nlmsg_hdr(msg)));
	nlmsg_free(msg);
	msg = canned(ELASTIC_CMD_PROCESS_MAP);
	nest = nla_nest_start(msg, ELASTIC_A_PROCESS_MAPPING);
	nla_put_u64(msg, ELASTIC_A_MAPPING_START, 0x1000);
	nla_put_u64(msg, ELASTIC_A_MAPPING_END, 0x3000);
	run = nla_nest_start(msg, ELASTIC_A_MAPPING_RUN);
	nla_put_u64(msg, ELASTIC_A_PAGE_RUN_FIRST, 0);
	nla_put_u64(msg, ELASTIC_A_PAGE_RUN_PAGES, 1);
	nla_nest_end(msg, run);
	nla_nest_end(msg, nest);
	EXPECT_EQ(-EPROTO, elastic_process_map_add(&m, nlmsg_hdr(msg)));
	nlmsg_free(msg);
	elastic_process_map_free(&m);
}

/*
 * The process runs on while its map is dumped: a later message's view of
 * a range wins over an earlier one's.
 */
TEST(process_map_reply_changed_between_messages)
{
	const struct canned_run a[] = { { 0, 4, 1 }, { 4, 4, 2 }, { 8, 8, 3 } };
	const struct canned_run b[] = { { 16, 4, 1 } };
	const struct canned_run c[] = { { 2, 2, 2 } };
	struct elastic_process_map m = {};

	/* A heap that grew: the continued mapping takes its new end. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x110000, a, 3));
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x118000, b, 1));
	ASSERT_EQ(1, m.nmappings);
	EXPECT_EQ(0x118000, m.mappings[0].end);
	EXPECT_EQ(4, m.mappings[0].nruns);
	/* ... and shrank again: runs past its end go, one is cut short. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x10a000, NULL, 0));
	ASSERT_EQ(1, m.nmappings);
	EXPECT_EQ(0x10a000, m.mappings[0].end);
	ASSERT_EQ(3, m.mappings[0].nruns);
	EXPECT_EQ(8, m.mappings[0].runs[2].first);
	EXPECT_EQ(2, m.mappings[0].runs[2].pages);
	elastic_process_map_free(&m);
	/* Split in two (mprotect): the first part is cut where the second begins. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x110000, a, 3));
	ASSERT_EQ(0, map_feed(&m, 1, 0x106000, 0x110000, c, 1));
	ASSERT_EQ(2, m.nmappings);
	EXPECT_EQ(0x106000, m.mappings[0].end);
	ASSERT_EQ(2, m.mappings[0].nruns);
	EXPECT_EQ(2, m.mappings[0].runs[1].pages);
	EXPECT_EQ(0x106000, m.mappings[1].start);
	EXPECT_EQ(2, m.mappings[1].runs[0].first);
	elastic_process_map_free(&m);
	/* Unmapped, and something else mapped below: the earlier mappings go. */
	ASSERT_EQ(0, map_feed(&m, 1, 0x100000, 0x110000, a, 3));
	ASSERT_EQ(0, map_feed(&m, 1, 0x200000, 0x210000, a, 3));
	ASSERT_EQ(0, map_feed(&m, 1, 0x0f0000, 0x101000, c, 1));
	ASSERT_EQ(1, m.nmappings);
	EXPECT_EQ(0x0f0000, m.mappings[0].start);
	elastic_process_map_free(&m);
}

TEST(mapping_count)
{
	struct elastic_page_run runs[] = { { 2, 3, 1 }, { 5, 2, 2 }, { 10, 6, 3 } };
	struct elastic_mapping mp = { .start = 0, .end = 16 * 4096, .nruns = 3, .runs = runs };
	uint64_t count[ELASTIC_NODE_IDS] = { 0 };

	/* Pages 0-15: 1 on 2-4, 2 on 5-6, nowhere 7-9, 3 on 10-15. */
	elastic_mapping_count(&mp, 0, 16, count);
	EXPECT_EQ(3, count[1]);
	EXPECT_EQ(2, count[2]);
	EXPECT_EQ(6, count[3]);
	memset(count, 0, sizeof(count));
	elastic_mapping_count(&mp, 4, 8, count);	/* pages 4-11 */
	EXPECT_EQ(1, count[1]);
	EXPECT_EQ(2, count[2]);
	EXPECT_EQ(2, count[3]);
	memset(count, 0, sizeof(count));
	elastic_mapping_count(&mp, 7, 3, count);	/* a gap */
	EXPECT_EQ(0, count[1] + count[2] + count[3]);
	elastic_mapping_count(&mp, 15, 1, count);
	EXPECT_EQ(1, count[3]);
	mp.nruns = 0;
	elastic_mapping_count(&mp, 0, 16, count);
	EXPECT_EQ(1, count[3]);
}

/* A dump that failed after it began: NLMSG_DONE with the errno, then the extack. */
TEST(extack_of_a_failed_dump)
{
	struct {
		struct nlmsghdr nlh;
		int err;
		struct nlattr a;
		char msg[12];
	} done = {};
	char out[64];

	done.nlh.nlmsg_type = NLMSG_DONE;
	done.nlh.nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	done.nlh.nlmsg_len = sizeof(done);
	done.err = -ESRCH;
	done.a.nla_type = NLMSGERR_ATTR_MSG;
	done.a.nla_len = NLA_HDRLEN + sizeof(done.msg);
	strcpy(done.msg, "no process");
	ASSERT_EQ(1, elastic_extack_msg(&done, sizeof(done), out, sizeof(out)));
	EXPECT_STREQ("no process", out);
	done.nlh.nlmsg_flags = NLM_F_MULTI;
	EXPECT_EQ(0, elastic_extack_msg(&done, sizeof(done), out, sizeof(out)));
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
	const char *args[] = { "", "bogus", "status extra", "stats extra", "stats -j",
			       "config set node-id",
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
	EXPECT_NE(NULL, strstr(out, "\n  stats "));
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
	snprintf(cmd, sizeof(cmd), "%s/userspace/elasticctl/elasticctl -j stats 2>&1", top());
	EXPECT_EQ(1, run(cmd, out, sizeof(out)));
	EXPECT_NE(NULL, strstr(out, "stats: the elastic module is not loaded")) TH_LOG("%s", out);
	/* map and top, netlink clients as the rest, say so too, at once. */
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
