// SPDX-License-Identifier: GPL-2.0
/*
 * libelastic: the replies of stats-get, process-get and process-map into
 * plain structs, one message at a time (reply.h).  Multi-attributes
 * (member, on-node, lat-hist, mapping, run) are walked in order, since
 * nla_parse() keeps only the last of each type.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/elastic.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "reply.h"

/* Each counter's attribute and name, in the order of enum elastic_stat. */
static const struct {
	int attr;
	const char *name;
} stat_attr[ELASTIC_STAT_COUNT] = {
	[ELASTIC_STAT_BAD_INPUT] = { ELASTIC_A_STATS_BAD_INPUT, "bad_input" },
	[ELASTIC_STAT_BAD_FRAMES] = { ELASTIC_A_STATS_BAD_FRAMES, "bad_frames" },
	[ELASTIC_STAT_CONN_REFUSED] = { ELASTIC_A_STATS_CONN_REFUSED, "conn_refused" },
	[ELASTIC_STAT_PULLS_AHEAD] = { ELASTIC_A_STATS_PULLS_AHEAD, "pulls_ahead" },
	[ELASTIC_STAT_REMOTE_PAGES] = { ELASTIC_A_STATS_REMOTE_PAGES, "remote_pages" },
	[ELASTIC_STAT_HOSTED_PAGES] = { ELASTIC_A_STATS_HOSTED_PAGES, "hosted_pages" },
	[ELASTIC_STAT_HOSTED_IN] = { ELASTIC_A_STATS_HOSTED_IN, "hosted_in" },
	[ELASTIC_STAT_FREES] = { ELASTIC_A_STATS_FREES, "frees" },
	[ELASTIC_STAT_PULL_FAILURES] = { ELASTIC_A_STATS_PULL_FAILURES, "pull_failures" },
	[ELASTIC_STAT_PUSH_FAILURES] = { ELASTIC_A_STATS_PUSH_FAILURES, "push_failures" },
	[ELASTIC_STAT_RESENDS] = { ELASTIC_A_STATS_RESENDS, "resends" },
	[ELASTIC_STAT_STALE_REPLIES] = { ELASTIC_A_STATS_STALE_REPLIES, "stale_replies" },
	[ELASTIC_STAT_SEND_ERRORS] = { ELASTIC_A_STATS_SEND_ERRORS, "send_errors" },
	[ELASTIC_STAT_DRAINED] = { ELASTIC_A_STATS_DRAINED, "drained" },
	[ELASTIC_STAT_OOM_KILLS] = { ELASTIC_A_STATS_OOM_KILLS, "oom_kills" },
	[ELASTIC_STAT_CAPS_SET] = { ELASTIC_A_STATS_CAPS_SET, "caps_set" },
	[ELASTIC_STAT_EVACUATIONS] = { ELASTIC_A_STATS_EVACUATIONS, "evacuations" },
	[ELASTIC_STAT_PRESSURE_PUSHES] = { ELASTIC_A_STATS_PRESSURE_PUSHES, "pressure_pushes" },
	[ELASTIC_STAT_SHRINKER_SCANS] = { ELASTIC_A_STATS_SHRINKER_SCANS, "shrinker_scans" },
	[ELASTIC_STAT_RELIEVE_REQUESTS] = { ELASTIC_A_STATS_RELIEVE_REQUESTS, "relieve_requests" },
	[ELASTIC_STAT_RELIEVED] = { ELASTIC_A_STATS_RELIEVED, "relieved" },
	[ELASTIC_STAT_HANDED_OFF] = { ELASTIC_A_STATS_HANDED_OFF, "handed_off" },
	[ELASTIC_STAT_HANDED_IN] = { ELASTIC_A_STATS_HANDED_IN, "handed_in" },
	[ELASTIC_STAT_BG_PUSHES] = { ELASTIC_A_STATS_BG_PUSHES, "bg_pushes" },
	[ELASTIC_STAT_RESTARTS] = { ELASTIC_A_STATS_RESTARTS, "restarts" },
	[ELASTIC_STAT_LAYOUTS] = { ELASTIC_A_STATS_LAYOUTS, "layouts" },
	[ELASTIC_STAT_SHADOWS] = { ELASTIC_A_STATS_SHADOWS, "shadows" },
	[ELASTIC_STAT_SHADOW_PAGES] = { ELASTIC_A_STATS_SHADOW_PAGES, "shadow_pages" },
	[ELASTIC_STAT_SHADOW_ERRORS] = { ELASTIC_A_STATS_SHADOW_ERRORS, "shadow_errors" },
	[ELASTIC_STAT_CLAIMS_GRANTED] = { ELASTIC_A_STATS_CLAIMS_GRANTED, "claims_granted" },
	[ELASTIC_STAT_CLAIMS_REFUSED] = { ELASTIC_A_STATS_CLAIMS_REFUSED, "claims_refused" },
	[ELASTIC_STAT_CLAIMED] = { ELASTIC_A_STATS_CLAIMED, "claimed" },
	[ELASTIC_STAT_JUMPS_OUT] = { ELASTIC_A_STATS_JUMPS_OUT, "jumps_out" },
	[ELASTIC_STAT_JUMPS_IN] = { ELASTIC_A_STATS_JUMPS_IN, "jumps_in" },
	[ELASTIC_STAT_JUMPS_REFUSED] = { ELASTIC_A_STATS_JUMPS_REFUSED, "jumps_refused" },
	[ELASTIC_STAT_JUMP_RESENDS] = { ELASTIC_A_STATS_JUMP_RESENDS, "jump_resends" },
	[ELASTIC_STAT_JUMP_DUPS] = { ELASTIC_A_STATS_JUMP_DUPS, "jump_dups" },
	[ELASTIC_STAT_JUMP_SYSCALLS_HOME] = { ELASTIC_A_STATS_JUMP_SYSCALLS_HOME, "jump_syscalls_home" },
	[ELASTIC_STAT_JUMP_FAULTS_HOME] = { ELASTIC_A_STATS_JUMP_FAULTS_HOME, "jump_faults_home" },
	[ELASTIC_STAT_JUMP_SEND_ERRORS] = { ELASTIC_A_STATS_JUMP_SEND_ERRORS, "jump_send_errors" },
	[ELASTIC_STAT_JUMP_STALE_ACKS] = { ELASTIC_A_STATS_JUMP_STALE_ACKS, "jump_stale_acks" },
	[ELASTIC_STAT_CLAIMS_PUSHED] = { ELASTIC_A_STATS_CLAIMS_PUSHED, "claims_pushed" },
};

_Static_assert(ELASTIC_STAT_COUNT <= 64, "elastic_stats.has is a u64 bitmap");
/* Every attribute of the set is a counter but node-id, evacuating, pad and member. */
_Static_assert(ELASTIC_STAT_COUNT == ELASTIC_A_STATS_MAX - ELASTIC_A_STATS_BAD_INPUT,
	       "a counter of the spec's stats set has no enum elastic_stat");

const char *elastic_stat_name(unsigned int stat)
{
	return stat < ELASTIC_STAT_COUNT ? stat_attr[stat].name : NULL;
}

int elastic_stat_find(const char *name)
{
	unsigned int i;

	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		if (!strcmp(stat_attr[i].name, name))
			return i;
	return -ENOENT;
}

/* Attributes of a message: after the generic netlink header, no family header. */
#define for_each_reply_attr(a, nlh, rem)					\
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),		\
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)

/* nla_parse() of the whole message, with the genetlink header checked. */
static int parse_msg(const struct nlmsghdr *nlh, struct nlattr **tb, int max,
		     struct nla_policy *policy)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;

	return genlmsg_parse(h, 0, tb, max, policy) < 0 ? -EPROTO : 0;
}

static struct nla_policy member_policy[ELASTIC_A_MEMBER_STATS_MAX + 1] = {
	[ELASTIC_A_MEMBER_STATS_ID] = { .type = NLA_U32 },
	[ELASTIC_A_MEMBER_STATS_HELD] = { .type = NLA_U64 },
	[ELASTIC_A_MEMBER_STATS_HOSTED] = { .type = NLA_U64 },
};

static int by_member_id(const void *a, const void *b)
{
	const struct elastic_member_stats *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int parse_member(struct nlattr *nest, struct elastic_stats *st)
{
	struct nlattr *tb[ELASTIC_A_MEMBER_STATS_MAX + 1];
	struct elastic_member_stats *ms;
	uint32_t id;
	int i;

	if (nla_parse_nested(tb, ELASTIC_A_MEMBER_STATS_MAX, nest, member_policy) < 0 ||
	    !tb[ELASTIC_A_MEMBER_STATS_ID])
		return -EPROTO;
	id = nla_get_u32(tb[ELASTIC_A_MEMBER_STATS_ID]);
	if (id < 1 || id >= ELASTIC_NODE_IDS)
		return -EPROTO;
	for (i = 0; i < st->nmembers; i++)
		if (st->member[i].id == id)
			return -EPROTO;
	/* 63 ids, 63 entries: a member more would have a repeated id. */
	ms = &st->member[st->nmembers++];
	ms->id = id;
	if (tb[ELASTIC_A_MEMBER_STATS_HELD])
		ms->held = nla_get_u64(tb[ELASTIC_A_MEMBER_STATS_HELD]);
	if (tb[ELASTIC_A_MEMBER_STATS_HOSTED])
		ms->hosted = nla_get_u64(tb[ELASTIC_A_MEMBER_STATS_HOSTED]);
	return 0;
}

int elastic_stats_parse(const struct nlmsghdr *nlh, struct elastic_stats *st)
{
	struct nla_policy policy[ELASTIC_A_STATS_MAX + 1] = {
		[ELASTIC_A_STATS_NODE_ID] = { .type = NLA_U32 },
		[ELASTIC_A_STATS_EVACUATING] = { .type = NLA_U32 },
		[ELASTIC_A_STATS_MEMBER] = { .type = NLA_NESTED },
	};
	struct nlattr *tb[ELASTIC_A_STATS_MAX + 1], *a;
	int i, rem, ret;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		policy[stat_attr[i].attr].type = NLA_U64;
	if (parse_msg(nlh, tb, ELASTIC_A_STATS_MAX, policy))
		return -EPROTO;
	if (tb[ELASTIC_A_STATS_NODE_ID])
		st->node_id = nla_get_u32(tb[ELASTIC_A_STATS_NODE_ID]);
	if (tb[ELASTIC_A_STATS_EVACUATING])
		st->evacuating = nla_get_u32(tb[ELASTIC_A_STATS_EVACUATING]);
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		if (tb[stat_attr[i].attr]) {
			st->counter[i] = nla_get_u64(tb[stat_attr[i].attr]);
			st->has |= 1ULL << i;
		}
	for_each_reply_attr(a, nlh, rem)
		if (nla_type(a) == ELASTIC_A_STATS_MEMBER) {
			ret = parse_member(a, st);
			if (ret)
				return ret;
		}
	qsort(st->member, st->nmembers, sizeof(st->member[0]), by_member_id);
	return 0;
}

static struct nla_policy node_pages_policy[ELASTIC_A_NODE_PAGES_MAX + 1] = {
	[ELASTIC_A_NODE_PAGES_NODE] = { .type = NLA_U32 },
	[ELASTIC_A_NODE_PAGES_PAGES] = { .type = NLA_U64 },
};

static int parse_on_node(struct nlattr *nest, struct elastic_process *p)
{
	struct nlattr *tb[ELASTIC_A_NODE_PAGES_MAX + 1];
	uint32_t node;

	if (nla_parse_nested(tb, ELASTIC_A_NODE_PAGES_MAX, nest, node_pages_policy) < 0 ||
	    !tb[ELASTIC_A_NODE_PAGES_NODE])
		return -EPROTO;
	node = nla_get_u32(tb[ELASTIC_A_NODE_PAGES_NODE]);
	if (node < 1 || node >= ELASTIC_NODE_IDS || (p->listed & (1ULL << node)))
		return -EPROTO;
	p->listed |= 1ULL << node;
	if (tb[ELASTIC_A_NODE_PAGES_PAGES])
		p->on_node[node] = nla_get_u64(tb[ELASTIC_A_NODE_PAGES_PAGES]);
	return 0;
}

/* The process set's plain u64 attributes, and where each goes. */
#define PROC_U64(attr, field) { attr, offsetof(struct elastic_process, field) }
static const struct {
	int attr;
	size_t off;
} proc_u64[] = {
	PROC_U64(ELASTIC_A_PROCESS_NODES, nodes),
	PROC_U64(ELASTIC_A_PROCESS_LIMIT, limit),
	PROC_U64(ELASTIC_A_PROCESS_PAGES_LOCAL, pages_local),
	PROC_U64(ELASTIC_A_PROCESS_PAGES_REMOTE, pages_remote),
	PROC_U64(ELASTIC_A_PROCESS_FAULTS, faults),
	PROC_U64(ELASTIC_A_PROCESS_PULLS, pulls),
	PROC_U64(ELASTIC_A_PROCESS_PUSHES, pushes),
	PROC_U64(ELASTIC_A_PROCESS_BYTES_IN, bytes_in),
	PROC_U64(ELASTIC_A_PROCESS_BYTES_OUT, bytes_out),
	PROC_U64(ELASTIC_A_PROCESS_COALESCED, coalesced),
	PROC_U64(ELASTIC_A_PROCESS_PREFETCH_HITS, prefetch_hits),
	PROC_U64(ELASTIC_A_PROCESS_MAPPED_AHEAD, mapped_ahead),
	PROC_U64(ELASTIC_A_PROCESS_PULL_MSGS, pull_msgs),
	PROC_U64(ELASTIC_A_PROCESS_PUSH_MSGS, push_msgs),
	PROC_U64(ELASTIC_A_PROCESS_LAT_P50_US, lat_p50_us),
	PROC_U64(ELASTIC_A_PROCESS_LAT_P99_US, lat_p99_us),
};
#define NPROC_U64 ((int)(sizeof(proc_u64) / sizeof(proc_u64[0])))

static int parse_thread(struct nlattr *nest, struct elastic_process *p)
{
	static struct nla_policy policy[ELASTIC_A_THREAD_MAX + 1] = {
		[ELASTIC_A_THREAD_TID] = { .type = NLA_U32 },
		[ELASTIC_A_THREAD_NODE] = { .type = NLA_U32 },
		[ELASTIC_A_THREAD_JUMPS] = { .type = NLA_U64 },
	};
	struct nlattr *tb[ELASTIC_A_THREAD_MAX + 1];
	struct elastic_thread_where *t;

	if (nla_parse_nested(tb, ELASTIC_A_THREAD_MAX, nest, policy) < 0 ||
	    !tb[ELASTIC_A_THREAD_TID] || !tb[ELASTIC_A_THREAD_NODE])
		return -EPROTO;
	if (p->nthreads == ELASTIC_THREADS_LISTED) {
		p->threads_more++;
		return 0;
	}
	t = &p->thread[p->nthreads++];
	t->tid = nla_get_u32(tb[ELASTIC_A_THREAD_TID]);
	t->node = nla_get_u32(tb[ELASTIC_A_THREAD_NODE]);
	if (tb[ELASTIC_A_THREAD_JUMPS])
		t->jumps = nla_get_u64(tb[ELASTIC_A_THREAD_JUMPS]);
	return 0;
}

int elastic_process_parse(const struct nlmsghdr *nlh, struct elastic_process *p)
{
	struct nla_policy policy[ELASTIC_A_PROCESS_MAX + 1] = {
		[ELASTIC_A_PROCESS_PID] = { .type = NLA_U32 },
		[ELASTIC_A_PROCESS_COMM] = { .type = NLA_STRING },
		[ELASTIC_A_PROCESS_SHADOW_ID] = { .type = NLA_U32 },
		[ELASTIC_A_PROCESS_ON_NODE] = { .type = NLA_NESTED },
		[ELASTIC_A_PROCESS_LAT_HIST] = { .type = NLA_U64 },
		[ELASTIC_A_PROCESS_THREAD] = { .type = NLA_NESTED },
	};
	struct nlattr *tb[ELASTIC_A_PROCESS_MAX + 1], *a;
	int i, rem, ret;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < NPROC_U64; i++)
		policy[proc_u64[i].attr].type = NLA_U64;
	if (parse_msg(nlh, tb, ELASTIC_A_PROCESS_MAX, policy) || !tb[ELASTIC_A_PROCESS_PID])
		return -EPROTO;
	p->pid = nla_get_u32(tb[ELASTIC_A_PROCESS_PID]);
	if (tb[ELASTIC_A_PROCESS_COMM])
		nla_strlcpy(p->comm, tb[ELASTIC_A_PROCESS_COMM], sizeof(p->comm));
	if (tb[ELASTIC_A_PROCESS_SHADOW_ID])
		p->shadow_id = nla_get_u32(tb[ELASTIC_A_PROCESS_SHADOW_ID]);
	for (i = 0; i < NPROC_U64; i++)
		if (tb[proc_u64[i].attr])
			*(uint64_t *)((char *)p + proc_u64[i].off) =
				nla_get_u64(tb[proc_u64[i].attr]);
	for_each_reply_attr(a, nlh, rem) {
		if (nla_type(a) == ELASTIC_A_PROCESS_ON_NODE) {
			ret = parse_on_node(a, p);
			if (ret)
				return ret;
		} else if (nla_type(a) == ELASTIC_A_PROCESS_LAT_HIST) {
			/* Buckets beyond ours (a later module's) are left out. */
			if (p->nlat < ELASTIC_LAT_BUCKETS)
				p->lat_hist[p->nlat++] = nla_get_u64(a);
		} else if (nla_type(a) == ELASTIC_A_PROCESS_THREAD) {
			ret = parse_thread(a, p);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/* Room for one more of *n items of size in *v, *alloc allocated; -ENOMEM. */
static int grow(void **v, size_t *alloc, size_t n, size_t size)
{
	size_t want = *alloc ? 2 * *alloc : 16;
	void *nv;

	if (n < *alloc)
		return 0;
	nv = realloc(*v, want * size);
	if (!nv)
		return -ENOMEM;
	*v = nv;
	*alloc = want;
	return 0;
}

static struct nla_policy mapping_policy[ELASTIC_A_MAPPING_MAX + 1] = {
	[ELASTIC_A_MAPPING_START] = { .type = NLA_U64 },
	[ELASTIC_A_MAPPING_END] = { .type = NLA_U64 },
	[ELASTIC_A_MAPPING_RUN] = { .type = NLA_NESTED },
};

static struct nla_policy run_policy[ELASTIC_A_PAGE_RUN_MAX + 1] = {
	[ELASTIC_A_PAGE_RUN_FIRST] = { .type = NLA_U64 },
	[ELASTIC_A_PAGE_RUN_PAGES] = { .type = NLA_U64 },
	[ELASTIC_A_PAGE_RUN_NODE] = { .type = NLA_U32 },
};

/*
 * A run of @mp: within the mapping, after the runs it has; one that
 * continues the last run on the same node joins it.
 */
static int add_run(struct elastic_mapping *mp, struct nlattr *nest)
{
	struct nlattr *tb[ELASTIC_A_PAGE_RUN_MAX + 1];
	uint64_t npages = (mp->end - mp->start) / ELASTIC_PAGE_SIZE, after = 0;
	struct elastic_page_run r, *last = mp->nruns ? &mp->runs[mp->nruns - 1] : NULL;

	if (nla_parse_nested(tb, ELASTIC_A_PAGE_RUN_MAX, nest, run_policy) < 0 ||
	    !tb[ELASTIC_A_PAGE_RUN_FIRST] || !tb[ELASTIC_A_PAGE_RUN_PAGES] ||
	    !tb[ELASTIC_A_PAGE_RUN_NODE])
		return -EPROTO;
	r.first = nla_get_u64(tb[ELASTIC_A_PAGE_RUN_FIRST]);
	r.pages = nla_get_u64(tb[ELASTIC_A_PAGE_RUN_PAGES]);
	r.node = nla_get_u32(tb[ELASTIC_A_PAGE_RUN_NODE]);
	if (last)
		after = last->first + last->pages;
	if (!r.pages || r.first < after || r.first >= npages || r.pages > npages - r.first ||
	    r.node >= ELASTIC_NODE_IDS)
		return -EPROTO;
	if (last && last->node == r.node && r.first == after) {
		last->pages += r.pages;
		return 0;
	}
	if (grow((void **)&mp->runs, &mp->runs_alloc, mp->nruns, sizeof(r)))
		return -ENOMEM;
	mp->runs[mp->nruns++] = r;
	return 0;
}

/* End mapping @mp at @end, below its end: runs past it dropped or cut short. */
static void cut_mapping(struct elastic_mapping *mp, uint64_t end)
{
	uint64_t npages = (end - mp->start) / ELASTIC_PAGE_SIZE;
	struct elastic_page_run *last;

	mp->end = end;
	while (mp->nruns && mp->runs[mp->nruns - 1].first >= npages)
		mp->nruns--;
	last = mp->nruns ? &mp->runs[mp->nruns - 1] : NULL;
	if (last && last->first + last->pages > npages)
		last->pages = npages - last->first;
}

/*
 * The first mapping of a message, [@start, @end), against what the earlier
 * messages said.  The process runs on while it is dumped: between two
 * messages its heap may grow, a mapping may be split, moved or unmapped.
 * The later message's view wins: earlier mappings it overlaps are cut
 * short or dropped, and a continued mapping takes its new end.
 */
static void map_catch_up(struct elastic_process_map *m, uint64_t start, uint64_t end)
{
	struct elastic_mapping *mp;

	while (m->nmappings) {
		mp = &m->mappings[m->nmappings - 1];
		if (start >= mp->end)
			return;
		if (start == mp->start) {
			if (end < mp->end)
				cut_mapping(mp, end);
			mp->end = end;
			return;
		}
		if (start > mp->start) {
			cut_mapping(mp, start);
			return;
		}
		free(mp->runs);
		m->nmappings--;
	}
}

/*
 * A mapping nest: a new mapping after the last, or the last one continued
 * (the first of a message, @first, only).
 */
static int add_mapping(struct elastic_process_map *m, struct nlattr *nest, int first)
{
	struct nlattr *tb[ELASTIC_A_MAPPING_MAX + 1], *a;
	struct elastic_mapping *mp;
	uint64_t start, end;
	int rem, ret;

	if (nla_parse_nested(tb, ELASTIC_A_MAPPING_MAX, nest, mapping_policy) < 0 ||
	    !tb[ELASTIC_A_MAPPING_START] || !tb[ELASTIC_A_MAPPING_END])
		return -EPROTO;
	start = nla_get_u64(tb[ELASTIC_A_MAPPING_START]);
	end = nla_get_u64(tb[ELASTIC_A_MAPPING_END]);
	if (start >= end || start % ELASTIC_PAGE_SIZE || end % ELASTIC_PAGE_SIZE)
		return -EPROTO;
	if (first)
		map_catch_up(m, start, end);
	mp = m->nmappings ? &m->mappings[m->nmappings - 1] : NULL;
	if (!first || !mp || mp->start != start) {
		/* Within a message, in address order and apart. */
		if (mp && start < mp->end)
			return -EPROTO;
		if (grow((void **)&m->mappings, &m->mappings_alloc, m->nmappings,
			 sizeof(*mp)))
			return -ENOMEM;
		mp = &m->mappings[m->nmappings++];
		memset(mp, 0, sizeof(*mp));
		mp->start = start;
		mp->end = end;
	}
	nla_for_each_nested(a, nest, rem)
		if (nla_type(a) == ELASTIC_A_MAPPING_RUN) {
			ret = add_run(mp, a);
			if (ret)
				return ret;
		}
	return 0;
}

int elastic_process_map_add(struct elastic_process_map *m, const struct nlmsghdr *nlh)
{
	struct nla_policy policy[ELASTIC_A_PROCESS_MAX + 1] = {
		[ELASTIC_A_PROCESS_PID] = { .type = NLA_U32 },
		[ELASTIC_A_PROCESS_MAPPING] = { .type = NLA_NESTED },
	};
	struct nlattr *tb[ELASTIC_A_PROCESS_MAX + 1], *a;
	int rem, ret, first = 1;
	uint32_t pid;

	if (parse_msg(nlh, tb, ELASTIC_A_PROCESS_MAX, policy))
		return -EPROTO;
	if (tb[ELASTIC_A_PROCESS_PID]) {
		pid = nla_get_u32(tb[ELASTIC_A_PROCESS_PID]);
		if (m->pid && pid != m->pid)
			return -EPROTO;
		m->pid = pid;
	}
	for_each_reply_attr(a, nlh, rem)
		if (nla_type(a) == ELASTIC_A_PROCESS_MAPPING) {
			ret = add_mapping(m, a, first);
			if (ret)
				return ret;
			first = 0;
		}
	return 0;
}

void elastic_process_map_free(struct elastic_process_map *m)
{
	size_t i;

	for (i = 0; i < m->nmappings; i++)
		free(m->mappings[i].runs);
	free(m->mappings);
	memset(m, 0, sizeof(*m));
}

void elastic_mapping_count(const struct elastic_mapping *mp, uint64_t first, uint64_t n,
			   uint64_t count[ELASTIC_NODE_IDS])
{
	uint64_t end = first + n, lo_run = 0, hi_run = mp->nruns, a, b;
	size_t i;

	/* The first run that ends after @first: runs are in page order. */
	while (lo_run < hi_run) {
		i = lo_run + (hi_run - lo_run) / 2;
		if (mp->runs[i].first + mp->runs[i].pages <= first)
			lo_run = i + 1;
		else
			hi_run = i;
	}
	for (i = lo_run; i < mp->nruns && mp->runs[i].first < end; i++) {
		a = mp->runs[i].first > first ? mp->runs[i].first : first;
		b = mp->runs[i].first + mp->runs[i].pages;
		b = b < end ? b : end;
		count[mp->runs[i].node] += b - a;
	}
}
