// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the "elastic" generic netlink family.
 *
 * Policies and the operation table are generated from
 * netlink/specs/elastic.yaml into nl-gen.[ch]; this file has the handlers.
 * The genetlink core validates attributes against the policies (and
 * CAP_NET_ADMIN for admin-perm operations) before a handler runs, and
 * reports a violation to the sender through extack.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/in.h>
#include <linux/utsname.h>
#include <net/genetlink.h>

#include "internal.h"
#include "mem.h"
#include "node.h"
#include "transport.h"
#include "nl-gen.h"

int elastic_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct elastic_status st;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr)
		goto too_big;
	st.version = ELASTIC_VERSION;
	st.release = init_utsname()->release;
	st.node_id = elastic_node_id();
	st.bad_input = atomic64_read(&elastic_node.bad_input);
	st.stretched = elastic_mm_nstretched();
	st.hosted_pages = atomic64_read(&elastic_mstats.hosted_pages);
	if (elastic_nl_fill_status(msg, &st))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int elastic_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_CONFIG_NODE_ID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	return elastic_cluster_set_node_id(nla_get_u32(info->attrs[ELASTIC_A_CONFIG_NODE_ID]));
}

int elastic_nl_node_add_doit(struct sk_buff *skb, struct genl_info *info)
{
	__be32 addr;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ADDR) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_PORT)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	if (!elastic_node_id()) {
		NL_SET_ERR_MSG(info->extack, "this node has no id yet: set it first");
		return -EINVAL;
	}
	addr = nla_get_be32(info->attrs[ELASTIC_A_NODE_ADDR]);
	if (ipv4_is_zeronet(addr) || ipv4_is_multicast(addr) || ipv4_is_lbcast(addr)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_ADDR],
				    "not a unicast address");
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_node_add(nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]), addr,
			       nla_get_u16(info->attrs[ELASTIC_A_NODE_PORT]));
	if (ret == -EEXIST)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_ID],
				    "a member with this id exists already");
	else if (ret == -EADDRINUSE)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_ADDR],
				    "another member has this address and port");
	return ret;
}

int elastic_nl_node_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_node_del(nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]));
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_ID],
				    "no member with this id");
	return ret;
}

static int elastic_nl_put_node(struct sk_buff *msg, const struct elastic_node_info *n,
			       u32 portid, u32 seq, int flags)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &elastic_nl_family, flags, ELASTIC_CMD_NODE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (elastic_nl_fill_node(msg, n)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

int elastic_nl_node_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct elastic_node_info n;
	struct sk_buff *msg;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	if (elastic_node_read(nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]), &n)) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_ID],
				    "no member with this id");
		return -ENOENT;
	}
	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	if (elastic_nl_put_node(msg, &n, info->snd_portid, info->snd_seq, 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return genlmsg_reply(msg, info);
}

/* cb->args[0]: the next node id to report. */
int elastic_nl_node_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct elastic_node_info n;
	u32 id;

	for (id = max_t(u32, cb->args[0], 1); id <= ELASTIC_MAX_NODE_ID; id++) {
		if (elastic_node_read(id, &n))
			continue;
		if (elastic_nl_put_node(skb, &n, NETLINK_CB(cb->skb).portid,
					cb->nlh->nlmsg_seq, NLM_F_MULTI))
			break;
	}
	cb->args[0] = id;
	return skb->len;
}

int elastic_nl_init(void)
{
	int ret = genl_register_family(&elastic_nl_family);

	if (!ret)
		elastic_events_attach(&elastic_nl_family, ELASTIC_NLGRP_EVENTS);
	return ret;
}

void elastic_nl_exit(void)
{
	elastic_events_detach();
	genl_unregister_family(&elastic_nl_family);
}

int elastic_nl_process_stretch_doit(struct sk_buff *skb, struct genl_info *info)
{
	u64 nodes, limit = 0;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_NODES)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	nodes = nla_get_u64(info->attrs[ELASTIC_A_PROCESS_NODES]);
	if (info->attrs[ELASTIC_A_PROCESS_LIMIT])
		limit = nla_get_u64(info->attrs[ELASTIC_A_PROCESS_LIMIT]);
	/* Bit 0 is no node id; a limit must fit the counters it is compared with. */
	if ((nodes & 1) || !nodes || limit > LONG_MAX) {
		elastic_count_bad_input();
		NL_SET_ERR_MSG(info->extack, "nodes must name member ids 1-63");
		return -EINVAL;
	}
	return elastic_mem_stretch(nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]), nodes, limit);
}

/*
 * Reply with the u64 attribute @a1 = @v1 and, when @a2 is not 0, @a2 = @v2
 * (padded with @pad): what the page-moving operations answer.
 */
static int elastic_nl_reply_u64(struct genl_info *info, int pad, int a1, u64 v1, int a2, u64 v2)
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u64_64bit(msg, a1, v1, pad) ||
	    (a2 && nla_put_u64_64bit(msg, a2, v2, pad))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int elastic_nl_process_push_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 to = 0;
	long ret;
	u64 nr;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PAGES)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	if (info->attrs[ELASTIC_A_PROCESS_NODE])
		to = nla_get_u32(info->attrs[ELASTIC_A_PROCESS_NODE]);
	nr = nla_get_u64(info->attrs[ELASTIC_A_PROCESS_PAGES]);
	if (!nr || nr > LONG_MAX) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_mem_push(nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]), to, nr);
	if (ret < 0)
		return ret;
	return elastic_nl_reply_u64(info, ELASTIC_A_PROCESS_PAD,
				    ELASTIC_A_PROCESS_PAGES, ret, 0, 0);
}

int elastic_nl_node_drain_doit(struct sk_buff *skb, struct genl_info *info)
{
	unsigned long left = 0;
	long moved;
	u64 max;
	u32 id;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_PAGES)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	max = nla_get_u64(info->attrs[ELASTIC_A_NODE_PAGES]);
	if (!max || max > LONG_MAX) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	id = nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]);
	if (id == elastic_node_id())
		moved = elastic_mem_evacuate(&left);
	else
		moved = elastic_mem_drain(id, max, &left);
	if (moved < 0)
		return moved;
	return elastic_nl_reply_u64(info, ELASTIC_A_NODE_PAD, ELASTIC_A_NODE_PAGES, moved,
				    ELASTIC_A_NODE_PAGES_LEFT, left);
}

int elastic_nl_process_unstretch_doit(struct sk_buff *skb, struct genl_info *info)
{
	long ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_mem_unstretch(nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]));
	if (ret < 0)
		return ret;
	return elastic_nl_reply_u64(info, ELASTIC_A_PROCESS_PAD,
				    ELASTIC_A_PROCESS_PAGES, ret, 0, 0);
}

int elastic_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_MAX_PAGES)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_mem_set_cap(nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]),
				  nla_get_u32(info->attrs[ELASTIC_A_NODE_MAX_PAGES]));
	if (ret == -ERANGE) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_NODE_MAX_PAGES],
				    "cap beyond 2147483647 pages");
		elastic_count_bad_input();
	}
	return ret;
}

int elastic_nl_node_undrain_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_NODE_ID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	return elastic_mem_undrain(nla_get_u32(info->attrs[ELASTIC_A_NODE_ID]));
}

/* The node agent's events: the drain types only, never membership's. */
int elastic_nl_event_post_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **a = info->attrs;
	const char *reason = NULL, *detail = NULL;
	u64 deadline = 0;
	u32 type;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_EVENT_TYPE)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	type = nla_get_u32(a[ELASTIC_A_EVENT_TYPE]);
	if (type < ELASTIC_EVENT_TYPE_DRAIN_START || type > ELASTIC_EVENT_TYPE_REBALANCE) {
		elastic_count_bad_input();
		NL_SET_ERR_MSG_ATTR(info->extack, a[ELASTIC_A_EVENT_TYPE],
				    "only drain events can be posted");
		return -EINVAL;
	}
	if (a[ELASTIC_A_EVENT_DEADLINE])
		deadline = nla_get_u64(a[ELASTIC_A_EVENT_DEADLINE]);
	/* NLA_NUL_STRING: the policy checked the terminating NUL. */
	if (a[ELASTIC_A_EVENT_REASON])
		reason = nla_data(a[ELASTIC_A_EVENT_REASON]);
	if (a[ELASTIC_A_EVENT_DETAIL])
		detail = nla_data(a[ELASTIC_A_EVENT_DETAIL]);
	elastic_event_text(type, 0, deadline, reason, detail);
	return 0;
}
