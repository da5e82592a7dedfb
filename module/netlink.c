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
#include "jump.h"
#include "mem.h"
#include "member.h"
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
	u32 bad = 0;
	int ret;

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
	ret = elastic_mem_stretch(nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]), nodes, limit,
				  &bad);
	if (ret == -ENOENT && bad == elastic_node_id())
		NL_SET_ERR_MSG_FMT(info->extack,
				   "this node (%u) is not a member of its own cluster: add it first",
				   bad);
	else if (ret == -ENOENT)
		NL_SET_ERR_MSG_FMT(info->extack, "node %u is not a member", bad);
	else if (ret == -EHOSTUNREACH)
		NL_SET_ERR_MSG_FMT(info->extack, "node %u is not up (%s)", bad,
				   elastic_peer_alive(bad) ? "connecting" : "dead");
	return ret;
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

int elastic_nl_process_jump_doit(struct sk_buff *skb, struct genl_info *info)
{
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_TID) ||
	    GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_NODE)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	ret = elastic_jump_force(nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]),
				 nla_get_u32(info->attrs[ELASTIC_A_PROCESS_TID]),
				 nla_get_u32(info->attrs[ELASTIC_A_PROCESS_NODE]));
	if (ret == -EINVAL)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_PROCESS_NODE],
				    "not a member that is up");
	else if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_PROCESS_PID],
				    "the process is not stretched");
	else if (ret == -EBUSY)
		NL_SET_ERR_MSG(info->extack, "the thread is away or leaving already");
	return ret;
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

/* The counters stats-get reports, each an atomic64_t of the module. */
static const struct {
	int attr;
	atomic64_t *v;
} elastic_nl_counters[] = {
	{ ELASTIC_A_STATS_BAD_INPUT, &elastic_node.bad_input },
	{ ELASTIC_A_STATS_BAD_FRAMES, &elastic_tstats.bad_frames },
	{ ELASTIC_A_STATS_CONN_REFUSED, &elastic_tstats.conn_refused },
	{ ELASTIC_A_STATS_PULLS_AHEAD, &elastic_tstats.pulls_ahead },
	{ ELASTIC_A_STATS_REMOTE_PAGES, &elastic_mstats.remote_pages },
	{ ELASTIC_A_STATS_HOSTED_PAGES, &elastic_mstats.hosted_pages },
	{ ELASTIC_A_STATS_HOSTED_IN, &elastic_mstats.hosted_in },
	{ ELASTIC_A_STATS_FREES, &elastic_mstats.frees },
	{ ELASTIC_A_STATS_PULL_FAILURES, &elastic_mstats.pull_failures },
	{ ELASTIC_A_STATS_PUSH_FAILURES, &elastic_mstats.push_failures },
	{ ELASTIC_A_STATS_RESENDS, &elastic_mstats.resends },
	{ ELASTIC_A_STATS_STALE_REPLIES, &elastic_mstats.stale_replies },
	{ ELASTIC_A_STATS_SEND_ERRORS, &elastic_mstats.send_errors },
	{ ELASTIC_A_STATS_DRAINED, &elastic_mstats.drained },
	{ ELASTIC_A_STATS_OOM_KILLS, &elastic_mstats.oom_kills },
	{ ELASTIC_A_STATS_CAPS_SET, &elastic_mstats.caps_set },
	{ ELASTIC_A_STATS_EVACUATIONS, &elastic_mstats.evacuations },
	{ ELASTIC_A_STATS_PRESSURE_PUSHES, &elastic_mstats.pressure_pushes },
	{ ELASTIC_A_STATS_SHRINKER_SCANS, &elastic_mstats.shrinker_scans },
	{ ELASTIC_A_STATS_RELIEVE_REQUESTS, &elastic_mstats.relieve_requests },
	{ ELASTIC_A_STATS_RELIEVED, &elastic_mstats.relieved },
	{ ELASTIC_A_STATS_HANDED_OFF, &elastic_mstats.handed_off },
	{ ELASTIC_A_STATS_HANDED_IN, &elastic_mstats.handed_in },
	{ ELASTIC_A_STATS_BG_PUSHES, &elastic_mstats.bg_pushes },
	{ ELASTIC_A_STATS_RESTARTS, &elastic_mstats.restarts },
	{ ELASTIC_A_STATS_LAYOUTS, &elastic_mstats.layouts },
	{ ELASTIC_A_STATS_SHADOWS, &elastic_mstats.shadows },
	{ ELASTIC_A_STATS_SHADOW_PAGES, &elastic_mstats.shadow_pages },
	{ ELASTIC_A_STATS_SHADOW_ERRORS, &elastic_mstats.shadow_errors },
	{ ELASTIC_A_STATS_CLAIMS_GRANTED, &elastic_mstats.claims_granted },
	{ ELASTIC_A_STATS_CLAIMS_REFUSED, &elastic_mstats.claims_refused },
	{ ELASTIC_A_STATS_CLAIMED, &elastic_mstats.claimed },
	{ ELASTIC_A_STATS_JUMPS_OUT, &elastic_jstats.jumps_out },
	{ ELASTIC_A_STATS_JUMPS_IN, &elastic_jstats.jumps_in },
	{ ELASTIC_A_STATS_JUMPS_REFUSED, &elastic_jstats.refused },
	{ ELASTIC_A_STATS_JUMP_RESENDS, &elastic_jstats.resent },
	{ ELASTIC_A_STATS_JUMP_DUPS, &elastic_jstats.dups },
	{ ELASTIC_A_STATS_JUMP_SYSCALLS_HOME, &elastic_jstats.syscalls_home },
	{ ELASTIC_A_STATS_JUMP_FAULTS_HOME, &elastic_jstats.faults_home },
	{ ELASTIC_A_STATS_JUMP_SEND_ERRORS, &elastic_jstats.send_errors },
	{ ELASTIC_A_STATS_JUMP_STALE_ACKS, &elastic_jstats.stale_acks },
	{ ELASTIC_A_STATS_CLAIMS_PUSHED, &elastic_mstats.claims_pushed },
};

int elastic_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 self = elastic_node_id(), id;
	struct sk_buff *msg;
	void *hdr;
	int i;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr || nla_put_u32(msg, ELASTIC_A_STATS_NODE_ID, self) ||
	    nla_put_u32(msg, ELASTIC_A_STATS_EVACUATING, READ_ONCE(elastic_evacuating)))
		goto too_big;
	for (i = 0; i < ARRAY_SIZE(elastic_nl_counters); i++)
		if (nla_put_u64_64bit(msg, elastic_nl_counters[i].attr,
				      atomic64_read(elastic_nl_counters[i].v), ELASTIC_A_STATS_PAD))
			goto too_big;
	for (id = 1; id <= ELASTIC_MAX_NODE_ID; id++)
		if (id != self && elastic_node_known(id) &&
		    elastic_nl_fill_member(msg, id, elastic_slot_held(id), elastic_store_count(id)))
			goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

/* One process-get reply, of @pid, into @msg. */
static int elastic_nl_put_process(struct sk_buff *msg, u32 portid, u32 seq, int flags, u32 pid,
				  const char *comm, const struct elastic_proc_info *info)
{
	void *hdr;

	hdr = genlmsg_put(msg, portid, seq, &elastic_nl_family, flags, ELASTIC_CMD_PROCESS_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (elastic_nl_fill_process(msg, pid, comm, info) ||
	    elastic_jump_nl_fill(msg, info->shadow_id)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

int elastic_nl_process_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct elastic_proc_info *pi;
	char comm[TASK_COMM_LEN];
	struct sk_buff *msg;
	u32 pid;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	pid = nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]);
	/* Too big for the stack: a counter per node. */
	pi = kzalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		return -ENOMEM;
	ret = elastic_mem_process(pid, pi, comm);
	if (ret == -ENOENT)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ELASTIC_A_PROCESS_PID],
				    "the process is not stretched");
	if (ret)
		goto out;
	ret = -ENOMEM;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = elastic_nl_put_process(msg, info->snd_portid, info->snd_seq, 0, pid, comm, pi);
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	ret = genlmsg_reply(msg, info);
out:
	kfree(pi);
	return ret;
}

/* cb->args[0]: the next pid to look at. */
int elastic_nl_process_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct elastic_proc_info *pi;
	char comm[TASK_COMM_LEN];
	u32 pid = cb->args[0];
	int ret = 0;

	pi = kzalloc(sizeof(*pi), GFP_KERNEL);
	if (!pi)
		return -ENOMEM;
	while (!elastic_mem_process_next(&pid, pi, comm)) {
		if (elastic_nl_put_process(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					   NLM_F_MULTI, pid, comm, pi)) {
			/* Not even one fits in a message of its own: give up. */
			if (!skb->len)
				ret = -EMSGSIZE;
			break;
		}
		pid++;
	}
	cb->args[0] = pid;
	kfree(pi);
	return ret ?: skb->len;
}

/**
 * struct elastic_nl_map - a process-map reply being built
 * @skb:	the message
 * @mapping:	the open mapping nest, or NULL
 * @start:	its mapping's start
 * @runs:	runs put in the open nest
 * @puts:	runs put in the message
 */
struct elastic_nl_map {
	struct sk_buff *skb;
	struct nlattr *mapping;
	unsigned long start;
	unsigned int runs;
	unsigned int puts;
};

/* End the open mapping nest; one that got no run goes (it comes again). */
static void elastic_nl_map_close(struct elastic_nl_map *m)
{
	if (m->mapping && m->runs)
		nla_nest_end(m->skb, m->mapping);
	else if (m->mapping)
		nla_nest_cancel(m->skb, m->mapping);
	m->mapping = NULL;
	m->runs = 0;
}

/* elastic_mem_map()'s callback, under a page table lock: no sleeping. */
static int elastic_nl_map_put(unsigned long start, unsigned long end, unsigned long addr,
			      unsigned long nr, u32 node, void *arg)
{
	struct elastic_nl_map *m = arg;

	if (!nr) {
		elastic_nl_map_close(m);
		m->mapping = nla_nest_start(m->skb, ELASTIC_A_PROCESS_MAPPING);
		if (!m->mapping)
			return 1;
		if (nla_put_u64_64bit(m->skb, ELASTIC_A_MAPPING_START, start,
				      ELASTIC_A_MAPPING_PAD) ||
		    nla_put_u64_64bit(m->skb, ELASTIC_A_MAPPING_END, end, ELASTIC_A_MAPPING_PAD)) {
			nla_nest_cancel(m->skb, m->mapping);
			m->mapping = NULL;
			return 1;
		}
		m->start = start;
		return 0;
	}
	if (elastic_nl_put_run(m->skb, (addr - m->start) >> PAGE_SHIFT, nr, node))
		return 1;
	m->runs++;
	m->puts++;
	return 0;
}

/*
 * cb->args[0]: where the walk goes on, cb->args[1]: 1 once it is done.  A
 * mapping cut between two messages starts again in the next one, with
 * its start and end.
 */
int elastic_nl_process_map_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	const struct genl_info *info = genl_info_dump(cb);
	struct elastic_nl_map m = { .skb = skb };
	unsigned long from = cb->args[0];
	void *hdr;
	u32 pid;
	int ret;

	if (cb->args[1])
		return 0;
	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_PROCESS_PID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	pid = nla_get_u32(info->attrs[ELASTIC_A_PROCESS_PID]);
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq, &elastic_nl_family,
			  NLM_F_MULTI, ELASTIC_CMD_PROCESS_MAP);
	if (!hdr || nla_put_u32(skb, ELASTIC_A_PROCESS_PID, pid))
		return -EMSGSIZE;
	ret = elastic_mem_map(pid, &from, elastic_nl_map_put, &m);
	if (ret) {
		genlmsg_cancel(skb, hdr);
		return ret;
	}
	elastic_nl_map_close(&m);
	/* Stopped before a single run fit: a message could never hold it. */
	if (from && !m.puts) {
		genlmsg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(skb, hdr);
	cb->args[0] = from;
	cb->args[1] = !from;
	return skb->len;
}
