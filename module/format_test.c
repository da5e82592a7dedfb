// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the elastic module's encoders.
 *
 * Built as elastic_kunit.ko with its own copy of format.c, so that the
 * tests need nothing exported by elastic.ko and can run on a node that has
 * not loaded it.
 */
#include <kunit/test.h>
#include <linux/skbuff.h>

#include "format.c"

static const struct nla_policy status_policy[ELASTIC_A_STATUS_MAX + 1] = {
	[ELASTIC_A_STATUS_VERSION]	= { .type = NLA_NUL_STRING },
	[ELASTIC_A_STATUS_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_STATUS_RELEASE]	= { .type = NLA_NUL_STRING },
	[ELASTIC_A_STATUS_BAD_INPUT]	= { .type = NLA_U64 },
	[ELASTIC_A_STATUS_STRETCHED]	= { .type = NLA_U32 },
	[ELASTIC_A_STATUS_HOSTED_PAGES]	= { .type = NLA_U64 },
	[ELASTIC_A_STATUS_PAD]		= { .type = NLA_UNSPEC },
};

static const struct nla_policy event_policy[ELASTIC_A_EVENT_MAX + 1] = {
	[ELASTIC_A_EVENT_TYPE]		= { .type = NLA_U32 },
	[ELASTIC_A_EVENT_NODE_ID]	= NLA_POLICY_MAX(NLA_U32, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_EVENT_PEER]		= NLA_POLICY_MAX(NLA_U32, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_EVENT_DEADLINE]	= { .type = NLA_U64 },
	[ELASTIC_A_EVENT_REASON]	= { .type = NLA_NUL_STRING, .len = 31 },
	[ELASTIC_A_EVENT_DETAIL]	= { .type = NLA_NUL_STRING, .len = 159 },
	[ELASTIC_A_EVENT_PAD]		= { .type = NLA_UNSPEC },
};

static const struct nla_policy node_policy[ELASTIC_A_NODE_MAX + 1] = {
	[ELASTIC_A_NODE_ID]		= NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_NODE_ADDR]		= { .type = NLA_BE32 },
	[ELASTIC_A_NODE_PORT]		= { .type = NLA_U16 },
	[ELASTIC_A_NODE_STATE]		= { .type = NLA_U32 },
	[ELASTIC_A_NODE_LAST_HEARD_MS]	= { .type = NLA_U32 },
	[ELASTIC_A_NODE_RX_MSGS]	= { .type = NLA_U64 },
	[ELASTIC_A_NODE_TX_MSGS]	= { .type = NLA_U64 },
	[ELASTIC_A_NODE_PAD]		= { .type = NLA_UNSPEC },
};

/* A netlink message with room for attributes, ready for the encoders. */
static struct sk_buff *new_msg(struct kunit *test, struct nlmsghdr **nlh)
{
	struct sk_buff *skb = nlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	*nlh = nlmsg_put(skb, 0, 0, NLMSG_MIN_TYPE, 0, 0);
	KUNIT_ASSERT_NOT_NULL(test, *nlh);
	return skb;
}

static void node_id_bounds(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, elastic_node_id_valid(0));
	KUNIT_EXPECT_TRUE(test, elastic_node_id_valid(1));
	KUNIT_EXPECT_TRUE(test, elastic_node_id_valid(ELASTIC_MAX_NODE_ID));
	KUNIT_EXPECT_FALSE(test, elastic_node_id_valid(ELASTIC_MAX_NODE_ID + 1));
	KUNIT_EXPECT_FALSE(test, elastic_node_id_valid(U32_MAX));
}

static void status_round_trip(struct kunit *test)
{
	const struct elastic_status st = {
		.version	= "9.8.7",
		.release	= "6.12.0-spotos",
		.node_id	= 42,
		.bad_input	= 1ULL << 40,
		.stretched	= 3,
		.hosted_pages	= 1ULL << 35,
	};
	struct nlattr *tb[ELASTIC_A_STATUS_MAX + 1];
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = new_msg(test, &nlh);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_status(skb, &st), 0);
	nlmsg_end(skb, nlh);

	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, 0, tb, ELASTIC_A_STATUS_MAX,
					  status_policy, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_VERSION]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_RELEASE]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_NODE_ID]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_BAD_INPUT]);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[ELASTIC_A_STATUS_VERSION]), "9.8.7");
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[ELASTIC_A_STATUS_RELEASE]),
			   "6.12.0-spotos");
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_STATUS_NODE_ID]), 42);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[ELASTIC_A_STATUS_BAD_INPUT]), 1ULL << 40);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_STRETCHED]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_STATUS_HOSTED_PAGES]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_STATUS_STRETCHED]), 3);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[ELASTIC_A_STATUS_HOSTED_PAGES]), 1ULL << 35);
	kfree_skb(skb);
}

/* A message that does not fit must leave the skb exactly as it was. */
static void status_no_room(struct kunit *test)
{
	const struct elastic_status st = {
		.version = "1", .release = "a-long-kernel-release-string",
	};
	struct sk_buff *skb;
	unsigned int len;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, skb_tailroom(skb) - 24);
	len = skb->len;
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_status(skb, &st), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	kfree_skb(skb);
}

static void event_round_trip(struct kunit *test)
{
	struct nlattr *tb[ELASTIC_A_EVENT_MAX + 1];
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = new_msg(test, &nlh);
	KUNIT_EXPECT_EQ(test,
			elastic_nl_fill_event(skb, ELASTIC_EVENT_TYPE_CONFIG_CHANGED, 7, 0), 0);
	nlmsg_end(skb, nlh);

	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, 0, tb, ELASTIC_A_EVENT_MAX,
					  event_policy, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_EVENT_TYPE]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_EVENT_NODE_ID]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_EVENT_TYPE]),
			ELASTIC_EVENT_TYPE_CONFIG_CHANGED);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_EVENT_NODE_ID]), 7);
	KUNIT_EXPECT_NULL(test, tb[ELASTIC_A_EVENT_PEER]);	/* 0: no peer */
	kfree_skb(skb);
}

static void event_with_peer(struct kunit *test)
{
	struct nlattr *tb[ELASTIC_A_EVENT_MAX + 1];
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = new_msg(test, &nlh);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_event(skb, ELASTIC_EVENT_TYPE_NODE_DEAD, 1, 3), 0);
	nlmsg_end(skb, nlh);
	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, 0, tb, ELASTIC_A_EVENT_MAX,
					  event_policy, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_EVENT_PEER]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_EVENT_PEER]), 3);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_EVENT_TYPE]), ELASTIC_EVENT_TYPE_NODE_DEAD);
	kfree_skb(skb);
}

/* A drain event: its text fields round-trip; absent ones stay absent. */
static void event_text(struct kunit *test)
{
	struct nlattr *tb[ELASTIC_A_EVENT_MAX + 1];
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = new_msg(test, &nlh);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_event(skb, ELASTIC_EVENT_TYPE_DRAIN_START, 2, 0), 0);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_event_text(skb, 1795000000ULL,
							 "aws-instance-action", NULL), 0);
	nlmsg_end(skb, nlh);
	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, 0, tb, ELASTIC_A_EVENT_MAX,
					  event_policy, NULL), 0);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_EVENT_DEADLINE]);
	KUNIT_ASSERT_NOT_NULL(test, tb[ELASTIC_A_EVENT_REASON]);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[ELASTIC_A_EVENT_DEADLINE]), 1795000000ULL);
	KUNIT_EXPECT_STREQ(test, (char *)nla_data(tb[ELASTIC_A_EVENT_REASON]),
			   "aws-instance-action");
	KUNIT_EXPECT_NULL(test, tb[ELASTIC_A_EVENT_DETAIL]);
	kfree_skb(skb);

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, skb_tailroom(skb) - 20);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_event_text(skb, 1, "r", "a detail too long"),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb_tailroom(skb), 20);
	kfree_skb(skb);
}

static void node_round_trip(struct kunit *test)
{
	const struct elastic_node_info n = {
		.id = 9, .addr = cpu_to_be32(0x0a4d0009), .port = 7070,
		.state = ELASTIC_NODE_STATE_UP, .last_heard_ms = 250,
		.rx_msgs = 1ULL << 33, .tx_msgs = 12,
	};
	struct nlattr *tb[ELASTIC_A_NODE_MAX + 1];
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = new_msg(test, &nlh);
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_node(skb, &n), 0);
	nlmsg_end(skb, nlh);
	KUNIT_ASSERT_EQ(test, nlmsg_parse(nlh, 0, tb, ELASTIC_A_NODE_MAX, node_policy, NULL), 0);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_NODE_ID]), 9);
	KUNIT_EXPECT_EQ(test, (__force u32)nla_get_be32(tb[ELASTIC_A_NODE_ADDR]),
			(__force u32)cpu_to_be32(0x0a4d0009));
	/* Network byte order on the wire: 10.77.0.9 reads 0a 4d 00 09. */
	KUNIT_EXPECT_EQ(test, ((u8 *)nla_data(tb[ELASTIC_A_NODE_ADDR]))[0], 0x0a);
	KUNIT_EXPECT_EQ(test, nla_get_u16(tb[ELASTIC_A_NODE_PORT]), 7070);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_NODE_STATE]), ELASTIC_NODE_STATE_UP);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[ELASTIC_A_NODE_LAST_HEARD_MS]), 250);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[ELASTIC_A_NODE_RX_MSGS]), 1ULL << 33);
	KUNIT_EXPECT_EQ(test, nla_get_u64(tb[ELASTIC_A_NODE_TX_MSGS]), 12);
	kfree_skb(skb);
}

static void event_no_room(struct kunit *test)
{
	struct sk_buff *skb;
	unsigned int len;

	skb = alloc_skb(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put(skb, skb_tailroom(skb) - 10);
	len = skb->len;
	KUNIT_EXPECT_EQ(test, elastic_nl_fill_event(skb, 1, 1, 2), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, skb->len, len);
	kfree_skb(skb);
}

static void proc_text(struct kunit *test)
{
	struct elastic_proc_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	char buf[256] = "";
	struct seq_file m = { .buf = buf, .size = sizeof(buf) };

	KUNIT_ASSERT_NOT_NULL(test, info);
	info->node_id = 3;
	info->home_id = 3;
	info->pages_local = 12345;
	elastic_proc_format(&m, info);
	KUNIT_EXPECT_FALSE(test, seq_has_overflowed(&m));
	KUNIT_EXPECT_STREQ(test, buf,
			   "node_id:\t3\nhome_node:\t3\nstretched:\tno\npages_local:\t12345\n");
}

/* Nodes named in the bitmap are listed even when they hold nothing yet. */
static void proc_text_stretched(struct kunit *test)
{
	struct elastic_proc_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	struct seq_file m = { .buf = buf, .size = 1024 };

	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	info->node_id = 1;
	info->home_id = 1;
	info->stretched = true;
	info->pages_local = 10;
	info->nodes = BIT_ULL(2) | BIT_ULL(3);
	info->limit = 32768;
	info->shadow_id = 3;
	info->remote[2] = 7;
	info->remote[5] = 1;	/* left there by an earlier stretch */
	info->faults = 4;
	info->pulls = 3;
	info->pushes = 11;
	info->coalesced = 1;
	info->prefetch_hits = 2;
	info->mapped_ahead = 1;
	info->pull_msgs = 2;
	info->push_msgs = 1;
	info->bytes_in = 3 * 4096;
	info->bytes_out = 11 * 4096;
	info->lat_us[11] = 99;	/* 1024..2047 us */
	info->lat_us[14] = 1;
	elastic_proc_format(&m, info);
	KUNIT_EXPECT_FALSE(test, seq_has_overflowed(&m));
	KUNIT_EXPECT_STREQ(test, buf,
			   "node_id:\t1\nhome_node:\t1\nstretched:\tyes\npages_local:\t10\n"
			   "nodes:\t2,3\nlocal_limit_pages:\t32768\nshadow_id:\t3\n"
			   "pages_on_node:\t2:7 3:0 5:1\npages_remote:\t8\n"
			   "faults:\t4\npulls:\t3\npushes:\t11\ncoalesced:\t1\nprefetch_hits:\t2\nmapped_ahead:\t1\n"
			   "pull_msgs:\t2\npush_msgs:\t1\n"
			   "bytes_in:\t12288\nbytes_out:\t45056\n"
			   "pull_latency_us:\tp50<2048 p99<2048\n");
}

static void lat_quantiles(struct kunit *test)
{
	u64 hist[ELASTIC_LAT_BUCKETS] = {};

	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 50), 0);
	hist[0] = 1;
	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 99), 1);
	hist[10] = 98;
	hist[20] = 1;
	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 50), 1024);
	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 99), 1024);
	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 100), 1 << 20);
	/* The last bucket also holds everything slower. */
	hist[ELASTIC_LAT_BUCKETS - 1] = 1000;
	KUNIT_EXPECT_EQ(test, elastic_lat_quantile(hist, 99), 1ULL << (ELASTIC_LAT_BUCKETS - 1));
}

/* A short buffer is reported as overflow (seq_file then retries bigger). */
static void proc_text_overflow(struct kunit *test)
{
	struct elastic_proc_info *info = kunit_kzalloc(test, sizeof(*info), GFP_KERNEL);
	char buf[24];
	struct seq_file m = { .buf = buf, .size = 16 };

	KUNIT_ASSERT_NOT_NULL(test, info);
	info->node_id = 1;
	info->home_id = 1;
	memset(buf, 0x5a, sizeof(buf));
	elastic_proc_format(&m, info);
	KUNIT_EXPECT_TRUE(test, seq_has_overflowed(&m));
	KUNIT_EXPECT_EQ(test, buf[16], 0x5a);
}

static struct kunit_case elastic_format_cases[] = {
	KUNIT_CASE(node_id_bounds),
	KUNIT_CASE(status_round_trip),
	KUNIT_CASE(status_no_room),
	KUNIT_CASE(event_round_trip),
	KUNIT_CASE(event_no_room),
	KUNIT_CASE(event_with_peer),
	KUNIT_CASE(event_text),
	KUNIT_CASE(node_round_trip),
	KUNIT_CASE(proc_text),
	KUNIT_CASE(proc_text_stretched),
	KUNIT_CASE(lat_quantiles),
	KUNIT_CASE(proc_text_overflow),
	{}
};

static struct kunit_suite elastic_format_suite = {
	.name = "elastic-format",
	.test_cases = elastic_format_cases,
};

kunit_test_suite(elastic_format_suite);

MODULE_DESCRIPTION("KUnit tests of the SpotOS elastic module");
MODULE_LICENSE("GPL");
