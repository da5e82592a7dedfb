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
