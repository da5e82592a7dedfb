// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: encoders of netlink messages and /proc text.
 *
 * Pure functions of their arguments, with no module state, so that the
 * KUnit tests (format_test.c) exercise exactly the code the module runs.
 */
#include <linux/seq_file.h>
#include <net/netlink.h>

#include "internal.h"

/**
 * elastic_node_id_valid - whether @id can name a node
 * @id: candidate id
 *
 * Return: true for 1..ELASTIC_MAX_NODE_ID (0 means "unassigned").
 */
bool elastic_node_id_valid(u32 id)
{
	return id >= 1 && id <= ELASTIC_MAX_NODE_ID;
}

/**
 * elastic_nl_fill_status - put the status-get reply attributes into @skb
 * @skb: message being built
 * @st: the status to report
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_status(struct sk_buff *skb, const struct elastic_status *st)
{
	unsigned char *start = skb_tail_pointer(skb);

	if (nla_put_string(skb, ELASTIC_A_STATUS_VERSION, st->version) ||
	    nla_put_u32(skb, ELASTIC_A_STATUS_NODE_ID, st->node_id) ||
	    nla_put_string(skb, ELASTIC_A_STATUS_RELEASE, st->release) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_STATUS_BAD_INPUT, st->bad_input,
			      ELASTIC_A_STATUS_PAD) ||
	    nla_put_u32(skb, ELASTIC_A_STATUS_STRETCHED, st->stretched) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_STATUS_HOSTED_PAGES, st->hosted_pages,
			      ELASTIC_A_STATUS_PAD)) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	return 0;
}

/**
 * elastic_nl_fill_event - put the attributes of an event into @skb
 * @skb: message being built
 * @type: an enum elastic_event_type value
 * @node_id: the node the event comes from
 * @peer: the member a membership event is about; 0 for none
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_event(struct sk_buff *skb, u32 type, u32 node_id, u32 peer)
{
	unsigned char *start = skb_tail_pointer(skb);

	if (nla_put_u32(skb, ELASTIC_A_EVENT_TYPE, type) ||
	    nla_put_u32(skb, ELASTIC_A_EVENT_NODE_ID, node_id) ||
	    (peer && nla_put_u32(skb, ELASTIC_A_EVENT_PEER, peer))) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	return 0;
}

/**
 * elastic_nl_fill_event_text - put the optional drain fields of an event
 * @skb: message being built, after elastic_nl_fill_event()
 * @deadline: seconds since 1970, 0 for none (then left out)
 * @reason: what caused it, NULL for none
 * @detail: free text, NULL for none
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_event_text(struct sk_buff *skb, u64 deadline, const char *reason,
			       const char *detail)
{
	unsigned char *start = skb_tail_pointer(skb);

	if ((deadline && nla_put_u64_64bit(skb, ELASTIC_A_EVENT_DEADLINE, deadline,
					   ELASTIC_A_EVENT_PAD)) ||
	    (reason && nla_put_string(skb, ELASTIC_A_EVENT_REASON, reason)) ||
	    (detail && nla_put_string(skb, ELASTIC_A_EVENT_DETAIL, detail))) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	return 0;
}

/**
 * elastic_nl_fill_node - put one member's attributes into @skb
 * @skb: message being built
 * @n: the member
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_node(struct sk_buff *skb, const struct elastic_node_info *n)
{
	unsigned char *start = skb_tail_pointer(skb);

	if (nla_put_u32(skb, ELASTIC_A_NODE_ID, n->id) ||
	    nla_put_be32(skb, ELASTIC_A_NODE_ADDR, n->addr) ||
	    nla_put_u16(skb, ELASTIC_A_NODE_PORT, n->port) ||
	    nla_put_u32(skb, ELASTIC_A_NODE_STATE, n->state) ||
	    nla_put_u32(skb, ELASTIC_A_NODE_LAST_HEARD_MS, n->last_heard_ms) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_NODE_RX_MSGS, n->rx_msgs, ELASTIC_A_NODE_PAD) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_NODE_TX_MSGS, n->tx_msgs, ELASTIC_A_NODE_PAD)) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	return 0;
}

/**
 * elastic_nl_fill_process - put what process-get reports of one process
 * @skb: message being built
 * @pid: its id, in the reader's pid namespace
 * @comm: its name
 * @info: its state
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_process(struct sk_buff *skb, u32 pid, const char *comm,
			    const struct elastic_proc_info *info)
{
	const int pad = ELASTIC_A_PROCESS_PAD;
	unsigned char *start = skb_tail_pointer(skb);
	unsigned long remote = 0;
	struct nlattr *nest;
	int i;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		remote += info->remote[i];
	if (nla_put_u32(skb, ELASTIC_A_PROCESS_PID, pid) ||
	    nla_put_string(skb, ELASTIC_A_PROCESS_COMM, comm) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_NODES, info->nodes, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_LIMIT, info->limit, pad) ||
	    nla_put_u32(skb, ELASTIC_A_PROCESS_SHADOW_ID, info->shadow_id) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PAGES_LOCAL, info->pages_local, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PAGES_REMOTE, remote, pad))
		goto fail;
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		if (!info->remote[i] && !(info->nodes & BIT_ULL(i)))
			continue;
		nest = nla_nest_start(skb, ELASTIC_A_PROCESS_ON_NODE);
		if (!nest || nla_put_u32(skb, ELASTIC_A_NODE_PAGES_NODE, i) ||
		    nla_put_u64_64bit(skb, ELASTIC_A_NODE_PAGES_PAGES, info->remote[i],
				      ELASTIC_A_NODE_PAGES_PAD))
			goto fail;
		nla_nest_end(skb, nest);
	}
	if (nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_FAULTS, info->faults, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PULLS, info->pulls, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PUSHES, info->pushes, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_BYTES_IN, info->bytes_in, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_BYTES_OUT, info->bytes_out, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_COALESCED, info->coalesced, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PREFETCH_HITS, info->prefetch_hits, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_MAPPED_AHEAD, info->mapped_ahead, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PULL_MSGS, info->pull_msgs, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_PUSH_MSGS, info->push_msgs, pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_LAT_P50_US,
			      elastic_lat_quantile(info->lat_us, 50), pad) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_LAT_P99_US,
			      elastic_lat_quantile(info->lat_us, 99), pad))
		goto fail;
	for (i = 0; i < ELASTIC_LAT_BUCKETS; i++)
		if (nla_put_u64_64bit(skb, ELASTIC_A_PROCESS_LAT_HIST, info->lat_us[i], pad))
			goto fail;
	return 0;
fail:
	nlmsg_trim(skb, start);
	return -EMSGSIZE;
}

/**
 * elastic_nl_fill_member - put what this node and a member hold of each other
 * @skb: a stats-get reply being built
 * @id: the member
 * @held: pages of this node's processes that it holds
 * @hosted: pages this node hosts for its processes
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_fill_member(struct sk_buff *skb, u32 id, u64 held, u64 hosted)
{
	unsigned char *start = skb_tail_pointer(skb);
	struct nlattr *nest = nla_nest_start(skb, ELASTIC_A_STATS_MEMBER);

	if (!nest || nla_put_u32(skb, ELASTIC_A_MEMBER_STATS_ID, id) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_MEMBER_STATS_HELD, held, ELASTIC_A_MEMBER_STATS_PAD) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_MEMBER_STATS_HOSTED, hosted,
			      ELASTIC_A_MEMBER_STATS_PAD)) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * elastic_nl_put_run - put one run of a mapping's pages (process-map)
 * @skb: a process-map reply being built, inside a mapping's nest
 * @first: the run's first page, counted from the mapping's start
 * @pages: its pages
 * @node: the node that holds them
 *
 * Return: 0, or -EMSGSIZE with @skb trimmed back to where it was.
 */
int elastic_nl_put_run(struct sk_buff *skb, u64 first, u64 pages, u32 node)
{
	unsigned char *start = skb_tail_pointer(skb);
	struct nlattr *nest = nla_nest_start(skb, ELASTIC_A_MAPPING_RUN);

	if (!nest ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PAGE_RUN_FIRST, first, ELASTIC_A_PAGE_RUN_PAD) ||
	    nla_put_u64_64bit(skb, ELASTIC_A_PAGE_RUN_PAGES, pages, ELASTIC_A_PAGE_RUN_PAD) ||
	    nla_put_u32(skb, ELASTIC_A_PAGE_RUN_NODE, node)) {
		nlmsg_trim(skb, start);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * elastic_proc_format - write /proc/PID/elastic text for one process
 * @m: the seq_file being filled
 * @info: what to show
 *
 * One "key: value" line each, so that scripts can parse it and later
 * versions can add lines.
 */
void elastic_proc_format(struct seq_file *m, const struct elastic_proc_info *info)
{
	unsigned long remote = 0;
	const char *sep = "";
	int i;

	seq_printf(m, "node_id:\t%u\n", info->node_id);
	seq_printf(m, "home_node:\t%u\n", info->home_id);
	seq_printf(m, "stretched:\t%s\n", info->stretched ? "yes" : "no");
	seq_printf(m, "pages_local:\t%lu\n", info->pages_local);
	if (!info->stretched)
		return;
	seq_puts(m, "nodes:\t");
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		if (info->nodes & BIT_ULL(i)) {
			seq_printf(m, "%s%d", sep, i);
			sep = ",";
		}
	seq_printf(m, "\nlocal_limit_pages:\t%lu\n", info->limit);
	seq_printf(m, "shadow_id:\t%u\n", info->shadow_id);
	seq_puts(m, "pages_on_node:");
	sep = "\t";
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		if (info->remote[i] || (info->nodes & BIT_ULL(i))) {
			seq_printf(m, "%s%d:%lu", sep, i, info->remote[i]);
			sep = " ";
			remote += info->remote[i];
		}
	seq_printf(m, "\npages_remote:\t%lu\n", remote);
	seq_printf(m, "faults:\t%llu\n", info->faults);
	seq_printf(m, "pulls:\t%llu\n", info->pulls);
	seq_printf(m, "pushes:\t%llu\n", info->pushes);
	seq_printf(m, "coalesced:\t%llu\n", info->coalesced);
	seq_printf(m, "prefetch_hits:\t%llu\n", info->prefetch_hits);
	seq_printf(m, "mapped_ahead:\t%llu\n", info->mapped_ahead);
	seq_printf(m, "pull_msgs:\t%llu\n", info->pull_msgs);
	seq_printf(m, "push_msgs:\t%llu\n", info->push_msgs);
	seq_printf(m, "bytes_in:\t%llu\n", info->bytes_in);
	seq_printf(m, "bytes_out:\t%llu\n", info->bytes_out);
	seq_printf(m, "pull_latency_us:\tp50<%llu p99<%llu\n",
		   elastic_lat_quantile(info->lat_us, 50),
		   elastic_lat_quantile(info->lat_us, 99));
}

/**
 * elastic_lat_quantile - upper bound of a quantile of a latency histogram
 * @hist: ELASTIC_LAT_BUCKETS counts; bucket b holds latencies below 2^b us
 * @pct: the quantile, in percent (1..100)
 *
 * Return: 2^b for the first bucket b at which @pct percent of the samples
 * are reached, or 0 without samples.
 */
u64 elastic_lat_quantile(const u64 *hist, unsigned int pct)
{
	u64 total = 0, seen = 0;
	int b;

	for (b = 0; b < ELASTIC_LAT_BUCKETS; b++)
		total += hist[b];
	if (!total)
		return 0;
	for (b = 0; b < ELASTIC_LAT_BUCKETS; b++) {
		seen += hist[b];
		if (seen * 100 >= total * pct)
			break;
	}
	return 1ULL << min(b, ELASTIC_LAT_BUCKETS - 1);
}
