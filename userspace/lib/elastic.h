/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libelastic: the one client of the kernel's "elastic" generic netlink
 * family, shared by elasticctl and elasticd.  Built on libnl-genl-3.
 *
 * Every function returns 0 or a negative errno; after a failure the
 * kernel's explanation (netlink extended ack), if it gave one, is in
 * elastic_last_error().
 */
#ifndef ELASTIC_LIB_H
#define ELASTIC_LIB_H

#include <stddef.h>
#include <stdint.h>

struct elastic_client;

/**
 * struct elastic_status - reply of the status-get operation
 * @version:	module version
 * @release:	kernel release (uname -r) of the node
 * @node_id:	node id, 0 while unassigned
 * @bad_input:	inputs the module refused as malformed or out of range
 * @stretched:	stretched processes whose home is this node
 * @hosted_pages: pages this node holds for other nodes
 */
struct elastic_status {
	char version[32];
	char release[65];
	uint32_t node_id;
	uint64_t bad_input;
	uint32_t stretched;
	uint64_t hosted_pages;
};

/**
 * struct elastic_event - one message of the events multicast group
 * @type:	enum elastic_event_type
 * @node_id:	node the event comes from
 * @peer:	member a membership or evacuate event is about (0: none)
 * @deadline:	drain events: deadline, seconds since 1970 (0: none)
 * @reason:	drain events: what caused it ("" if not given)
 * @detail:	drain events: free text ("" if not given)
 */
struct elastic_event {
	uint32_t type;
	uint32_t node_id;
	uint32_t peer;
	int64_t deadline;
	char reason[32];
	char detail[160];
};

/**
 * struct elastic_node - a member of the cluster, as node-get reports it
 * @id:		node id
 * @addr:	IPv4 address, network byte order
 * @port:	TCP port
 * @state:	enum elastic_node_state
 * @last_heard_ms: time since its last valid message
 * @rx_msgs:	valid messages received from it
 * @tx_msgs:	messages sent to it
 */
struct elastic_node {
	uint32_t id;
	uint32_t addr;
	uint16_t port;
	uint32_t state;
	uint32_t last_heard_ms;
	uint64_t rx_msgs;
	uint64_t tx_msgs;
};

#define ELASTIC_DEFAULT_PORT 7070

/* Node ids are below this (1-63; 0: unassigned): arrays indexed by id. */
#define ELASTIC_NODE_IDS 64

/*
 * The node's counters of stats-get, in the order of the spec; their
 * names, elastic_stat_name(), are those of the sysctls they were.
 */
enum elastic_stat {
	ELASTIC_STAT_BAD_INPUT,
	ELASTIC_STAT_BAD_FRAMES,
	ELASTIC_STAT_CONN_REFUSED,
	ELASTIC_STAT_PULLS_AHEAD,
	ELASTIC_STAT_REMOTE_PAGES,
	ELASTIC_STAT_HOSTED_PAGES,
	ELASTIC_STAT_HOSTED_IN,
	ELASTIC_STAT_FREES,
	ELASTIC_STAT_PULL_FAILURES,
	ELASTIC_STAT_PUSH_FAILURES,
	ELASTIC_STAT_RESENDS,
	ELASTIC_STAT_STALE_REPLIES,
	ELASTIC_STAT_SEND_ERRORS,
	ELASTIC_STAT_DRAINED,
	ELASTIC_STAT_OOM_KILLS,
	ELASTIC_STAT_CAPS_SET,
	ELASTIC_STAT_EVACUATIONS,
	ELASTIC_STAT_PRESSURE_PUSHES,
	ELASTIC_STAT_SHRINKER_SCANS,
	ELASTIC_STAT_RELIEVE_REQUESTS,
	ELASTIC_STAT_RELIEVED,
	ELASTIC_STAT_HANDED_OFF,
	ELASTIC_STAT_HANDED_IN,
	ELASTIC_STAT_BG_PUSHES,
	ELASTIC_STAT_RESTARTS,
	ELASTIC_STAT_LAYOUTS,
	ELASTIC_STAT_SHADOWS,
	ELASTIC_STAT_SHADOW_PAGES,
	ELASTIC_STAT_SHADOW_ERRORS,
	ELASTIC_STAT_CLAIMS_GRANTED,
	ELASTIC_STAT_CLAIMS_REFUSED,
	ELASTIC_STAT_CLAIMED,
	ELASTIC_STAT_JUMPS_OUT,
	ELASTIC_STAT_JUMPS_IN,
	ELASTIC_STAT_JUMPS_REFUSED,
	ELASTIC_STAT_JUMP_RESENDS,
	ELASTIC_STAT_JUMP_DUPS,
	ELASTIC_STAT_JUMP_SYSCALLS_HOME,
	ELASTIC_STAT_JUMP_FAULTS_HOME,
	ELASTIC_STAT_JUMP_SEND_ERRORS,
	ELASTIC_STAT_JUMP_STALE_ACKS,
	ELASTIC_STAT_CLAIMS_PUSHED,
	ELASTIC_STAT_COUNT
};

/**
 * struct elastic_member_stats - what this node and one member hold of each other
 * @id:		the member's node id
 * @held:	pages of this node's processes that the member holds
 * @hosted:	pages this node hosts for the member's processes
 */
struct elastic_member_stats {
	uint32_t id;
	uint64_t held;
	uint64_t hosted;
};

/**
 * struct elastic_stats - reply of the stats-get operation
 * @node_id:	this node's id, 0 while unassigned
 * @evacuating:	1 while this node is being emptied
 * @counter:	the counters, indexed by enum elastic_stat
 * @has:	bit i set: the reply carried counter i (a module older than
 *		this library may lack some; they read 0)
 * @nmembers:	entries of @member
 * @member:	one per member other than this node, ascending by id
 */
struct elastic_stats {
	uint32_t node_id;
	uint32_t evacuating;
	uint64_t counter[ELASTIC_STAT_COUNT];
	uint64_t has;
	int nmembers;
	struct elastic_member_stats member[ELASTIC_NODE_IDS];
};

/* "bad_frames" for ELASTIC_STAT_BAD_FRAMES; NULL beyond ELASTIC_STAT_COUNT. */
const char *elastic_stat_name(unsigned int stat);
/* ELASTIC_STAT_BAD_FRAMES for "bad_frames"; -ENOENT for no counter's name. */
int elastic_stat_find(const char *name);

/* Buckets of a process's pull latency histogram: bucket b counts pulls below 2^b us. */
#define ELASTIC_LAT_BUCKETS 24

/* Threads of a process that struct elastic_process lists at most. */
#define ELASTIC_THREADS_LISTED 64

/**
 * struct elastic_thread_where - a thread of a stretched process that jumped
 * @tid:	its id, in the caller's pid namespace
 * @node:	the node it runs on (the home's id when it is home)
 * @jumps:	jumps it made that its home saw
 */
struct elastic_thread_where {
	uint32_t tid;
	uint32_t node;
	uint64_t jumps;
};

/**
 * struct elastic_process - a stretched process, as process-get reports it
 * @pid:	process id, in the caller's pid namespace
 * @comm:	its name
 * @nodes:	bitmap of the member ids its pages may go to (bit N: node N)
 * @limit:	resident private anonymous pages it may keep here (0: no limit)
 * @shadow_id:	its number on this node, which names its shadows on members
 * @pages_local: its private anonymous pages resident here
 * @pages_remote: its pages that other nodes hold
 * @on_node:	its pages held by each node, indexed by node id
 * @listed:	the nodes the reply listed in @on_node (bit N: node N): each of
 *		@nodes, and any other node holding its pages
 * @faults:	faults on its remote pages
 * @pulls:	pages pulled home
 * @pushes:	pages pushed out
 * @bytes_in:	page bytes received
 * @bytes_out:	page bytes sent
 * @coalesced:	faults that waited for another fault's pull of the page
 * @prefetch_hits: pages served by a page pulled ahead
 * @mapped_ahead: pages of @prefetch_hits mapped ahead of a fault
 * @pull_msgs:	PULL messages sent for its pages
 * @push_msgs:	PUSH messages that carried its pages
 * @lat_p50_us:	upper bound of the median pull latency (a power of two), 0
 *		before the first pull
 * @lat_p99_us:	the same of the 99th percentile
 * @lat_hist:	pull latency histogram: bucket b counts pulls below 2^b us
 * @nlat:	buckets the reply carried
 * @thread:	its threads that have jumped, where each runs
 * @nthreads:	entries of @thread
 * @threads_more: such threads beyond ELASTIC_THREADS_LISTED, not listed
 */
struct elastic_process {
	uint32_t pid;
	char comm[16];
	uint64_t nodes;
	uint64_t limit;
	uint32_t shadow_id;
	uint64_t pages_local;
	uint64_t pages_remote;
	uint64_t on_node[ELASTIC_NODE_IDS];
	uint64_t listed;
	uint64_t faults;
	uint64_t pulls;
	uint64_t pushes;
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t coalesced;
	uint64_t prefetch_hits;
	uint64_t mapped_ahead;
	uint64_t pull_msgs;
	uint64_t push_msgs;
	uint64_t lat_p50_us;
	uint64_t lat_p99_us;
	uint64_t lat_hist[ELASTIC_LAT_BUCKETS];
	int nlat;
	struct elastic_thread_where thread[ELASTIC_THREADS_LISTED];
	int nthreads;
	int threads_more;
};

/* The page size of the addresses and page counts of process-map. */
#define ELASTIC_PAGE_SIZE 4096

/**
 * struct elastic_page_run - consecutive pages of a mapping held by one node
 * @first:	its first page, counted in pages from the mapping's start
 * @pages:	how many pages (at least 1)
 * @node:	the node that holds them: this node's id for resident pages
 */
struct elastic_page_run {
	uint64_t first;
	uint64_t pages;
	uint32_t node;
};

/**
 * struct elastic_mapping - a mapping of a process and where its pages are
 * @start:	its first address (page-aligned)
 * @end:	the address after its last page (page-aligned, above @start)
 * @nruns:	entries of @runs
 * @runs:	in page order, not overlapping, each within the mapping; pages
 *		neither resident nor remote are in no run (a mapping that
 *		changed while it was read may be left with none)
 * @runs_alloc:	entries allocated (the library's)
 */
struct elastic_mapping {
	uint64_t start;
	uint64_t end;
	size_t nruns;
	struct elastic_page_run *runs;
	size_t runs_alloc;
};

/**
 * struct elastic_process_map - reply of the process-map operation
 * @pid:	the process
 * @nmappings:	entries of @mappings
 * @mappings:	the mappings that have pages here or on members, in address
 *		order, not overlapping (a mapping the kernel split over
 *		several messages is one entry)
 * @mappings_alloc: entries allocated (the library's)
 */
struct elastic_process_map {
	uint32_t pid;
	size_t nmappings;
	struct elastic_mapping *mappings;
	size_t mappings_alloc;
};


int elastic_open(struct elastic_client **clientp);
void elastic_close(struct elastic_client *client);
const char *elastic_last_error(const struct elastic_client *client);

int elastic_status_get(struct elastic_client *client, struct elastic_status *st);
int elastic_config_set_node_id(struct elastic_client *client, uint32_t node_id);

int elastic_node_add(struct elastic_client *client, uint32_t id, uint32_t addr, uint16_t port);
int elastic_node_del(struct elastic_client *client, uint32_t id);
int elastic_node_get(struct elastic_client *client, uint32_t id, struct elastic_node *node);
/* All members, ascending by id; returns how many (at most max) or -errno. */
int elastic_node_list(struct elastic_client *client, struct elastic_node *nodes, int max);

int elastic_events_subscribe(struct elastic_client *client);
/* Wait up to timeout_ms (-1: forever) for the next event; -ETIMEDOUT if none. */
int elastic_event_next(struct elastic_client *client, struct elastic_event *ev, int timeout_ms);

/*
 * Move at most max pages of this node's processes off member id; moved and
 * left (what it still holds) are filled on success.  With this node's own
 * id: empty this node (it asks the homes of the pages it holds to move
 * them; waits up to a second): moved is what left meanwhile, left what it
 * still holds.
 */
int elastic_node_drain(struct elastic_client *client, uint32_t id, uint64_t max,
		       uint64_t *moved, uint64_t *left);

/**
 * struct elastic_drain_progress - where a drain stands, after each call
 * @moved:	pages moved so far (the calls' counts added up)
 * @left:	pages the node still holds
 * @start:	pages it held at the first call (that call's moved and left)
 * @seconds:	since the drain began
 */
struct elastic_drain_progress {
	uint64_t moved;
	uint64_t left;
	uint64_t start;
	double seconds;
};

/**
 * struct elastic_drain - what elastic_drain() is to do
 * @node:	the member to move this node's pages off, or this node's own id
 *		(empty this node, as for a spot reclaim)
 * @deadline_s:	give up once this many seconds have passed (0: no deadline)
 * @stall_s:	give up after this many seconds in which no page moved (0: never)
 * @progress:	called after every call; nonzero stops the drain (may be NULL)
 * @arg:	for @progress
 */
struct elastic_drain {
	uint32_t node;
	double deadline_s;
	double stall_s;
	int (*progress)(void *arg, const struct elastic_drain_progress *p);
	void *arg;
};

/* A drain that moves nothing for this long will not finish: both tools give up. */
#define ELASTIC_DRAIN_STALL_S 30

/*
 * Drain d->node with elastic_node_drain() calls of 512 pages until it holds
 * nothing (0), the deadline passes (-ETIME), it stalls (-EAGAIN), progress
 * stops it (-ECANCELED) or a call fails (its -errno); *p says where it
 * stopped.  A call that moved nothing is followed by the rest of 100 ms
 * from its start, for the pages in flight to land (a call of this node's
 * own id already waits that long in the kernel).
 */
int elastic_drain(struct elastic_client *client, const struct elastic_drain *d,
		  struct elastic_drain_progress *p);
/* Stretch process pid over the nodes of a bitmap (bit N: node N). */
int elastic_process_stretch(struct elastic_client *client, uint32_t pid, uint64_t nodes,
			    uint64_t local_limit_pages);
/* Push pages of a stretched process to node (0: any of its nodes). */
int elastic_process_push(struct elastic_client *client, uint32_t pid, uint32_t node,
			 uint64_t pages, uint64_t *pushed);
/* Move thread @tid of stretched process @pid to member @node now. */
int elastic_process_jump(struct elastic_client *client, uint32_t pid, uint32_t tid,
			 uint32_t node);
/* Bring every page of a stretched process home and end its stretch. */
int elastic_process_unstretch(struct elastic_client *client, uint32_t pid, uint64_t *pulled);
/*
 * This node's counters, and what it and each member hold of each other
 * (stats-get).  -EOPNOTSUPP: the module is older than the operation.
 */
int elastic_stats_get(struct elastic_client *client, struct elastic_stats *st);
/*
 * A stretched process of this node (process-get): -ENOENT when it is not
 * stretched, -ESRCH when there is no such process, -EACCES or -EPERM
 * without ptrace read rights over it; -EOPNOTSUPP from an older module.
 */
int elastic_process_get(struct elastic_client *client, uint32_t pid, struct elastic_process *p);
/*
 * Every stretched process of this node that the caller may read, ascending
 * by pid, in *procs (malloc()ed; free() it); returns how many, or -errno.
 */
int elastic_process_list(struct elastic_client *client, struct elastic_process **procs);
/*
 * Where the pages of any process the caller may ptrace-read are, by
 * mapping (process-map); free *m with elastic_process_map_free(), also
 * after a failure.  -EPROTO for a reply that breaks the rules above.
 */
int elastic_process_map(struct elastic_client *client, uint32_t pid,
			struct elastic_process_map *m);
void elastic_process_map_free(struct elastic_process_map *m);
/*
 * Add to count[node] the pages of mapping mp's pages first to first+n-1
 * (counted from its start) that each node holds; pages in no run count
 * nowhere.
 */
void elastic_mapping_count(const struct elastic_mapping *mp, uint64_t first, uint64_t n,
			   uint64_t count[ELASTIC_NODE_IDS]);
/* Cap the pages node id hosts for others (0: no cap); id may be this node. */
int elastic_node_set_max_pages(struct elastic_client *client, uint32_t id, uint32_t max_pages);
/*
 * End the drain of member id (it takes pages again); with this node's own
 * id, end this node's self-drain (elastic_node_drain() of its own id).
 */
int elastic_node_undrain(struct elastic_client *client, uint32_t id);
/*
 * Post a drain event (enum elastic_event_type, drain-start to rebalance)
 * on the events group; deadline 0, reason or detail NULL leave them out.
 */
int elastic_event_post(struct elastic_client *client, uint32_t type, int64_t deadline,
		       const char *reason, const char *detail);

const char *elastic_event_type_name(uint32_t type);
const char *elastic_node_state_name(uint32_t state);

/* Parsing helpers shared by the tools (util.c). */
int elastic_parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out);
/* "0.5", "2" seconds into milliseconds (at most three decimals). */
int elastic_parse_seconds_ms(const char *s, uint32_t min_ms, uint32_t max_ms, uint32_t *ms);
/* "A.B.C.D" or "A.B.C.D:PORT" (default_port when absent); addr in network order. */
int elastic_parse_addr(const char *s, uint16_t default_port, uint32_t *addr, uint16_t *port);
/* "1,2,5-7" into a bitmap of node ids. */
int elastic_parse_nodes(const char *s, uint64_t *bitmap);
/* "512M", "2G", "4096" into bytes. */
int elastic_parse_size(const char *s, uint64_t *bytes);

/*
 * Extract the message of a netlink extended ack from an NLMSG_ERROR
 * message, or from the NLMSG_DONE that ends a dump with an error, of len
 * bytes into buf; returns 1 when there was one, else 0.
 */
int elastic_extack_msg(const void *nlmsg, size_t len, char *buf, size_t size);

#endif /* ELASTIC_LIB_H */
