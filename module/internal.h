/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: declarations shared by its files.
 */
#ifndef _ELASTIC_INTERNAL_H
#define _ELASTIC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/mm_types.h>
#include <linux/types.h>
#include <linux/uio.h>
#include <uapi/linux/elastic.h>

#include "wire.h"

struct mm_struct;
struct page;
struct seq_file;
struct sk_buff;
struct vm_fault;
struct elastic_wire_msg;

#define ELASTIC_VERSION "0.1.0"

/**
 * struct elastic_this_node - identity and counters of this node
 * @id:		this node's id, 1..ELASTIC_MAX_NODE_ID; 0 while unassigned.
 * @bad_input:	requests and writes the module refused as malformed or out
 *		of range, from netlink, sysctl or the network.
 * @incarnation: this life of the node (HELLO), random and non-zero, drawn
 *		at module load and never changed.
 *
 * Locking: @id is written only under elastic_config_lock (main.c), so that
 * each change is announced exactly once; readers use READ_ONCE() and may
 * see the old or the new id.  @bad_input is atomic.
 */
struct elastic_this_node {
	u32 id;
	atomic64_t bad_input;
	u64 incarnation;
};

extern struct elastic_this_node elastic_node;

/**
 * struct elastic_status - what status-get reports
 * @version:	module version string
 * @release:	running kernel's release (uname -r)
 * @node_id:	this node's id, 0 while unassigned
 * @bad_input:	value of &elastic_this_node.bad_input
 * @stretched:	stretched processes whose home is this node
 * @hosted_pages: pages this node holds for other nodes
 */
struct elastic_status {
	const char *version;
	const char *release;
	u32 node_id;
	u64 bad_input;
	u32 stretched;
	u64 hosted_pages;
};

/* Pull latency histogram: bucket b counts latencies below 2^b us. */
#define ELASTIC_LAT_BUCKETS	24

/**
 * struct elastic_proc_info - what /proc/PID/elastic shows of one process
 * @node_id:	this node's id
 * @home_id:	id of the process's home node
 * @stretched:	whether the process is stretched
 * @pages_local: private anonymous pages resident on this node
 * @nodes:	bitmap of the nodes its pages may go to
 * @limit:	resident anonymous pages allowed at home, 0 for no limit
 * @shadow_id:	its number at home, which names its shadows on members
 * @remote:	its pages held by each node
 * @faults:	faults on its remote pages
 * @pulls:	pages pulled home
 * @pushes:	pages pushed out
 * @bytes_in:	page bytes received
 * @bytes_out:	page bytes sent
 * @coalesced:	faults that waited for another fault's pull of the page
 * @prefetch_hits: pages served by a page pulled ahead: by their fault, or
 *		mapped ahead of one
 * @mapped_ahead: pages of @prefetch_hits mapped ahead of a fault
 * @pull_msgs:	PULL messages sent for its pages (a prefetch asks for several)
 * @push_msgs:	PUSH messages that carried its pages (up to 32 each)
 * @lat_us:	pull latency histogram (ELASTIC_LAT_BUCKETS)
 */
struct elastic_proc_info {
	u32 node_id;
	u32 home_id;
	bool stretched;
	unsigned long pages_local;
	u64 nodes;
	unsigned long limit;
	u32 shadow_id;
	unsigned long remote[ELASTIC_MAX_NODE_ID + 1];
	u64 faults;
	u64 pulls;
	u64 pushes;
	u64 bytes_in;
	u64 bytes_out;
	u64 coalesced;
	u64 prefetch_hits;
	u64 mapped_ahead;
	u64 pull_msgs;
	u64 push_msgs;
	u64 lat_us[ELASTIC_LAT_BUCKETS];
};

/**
 * struct elastic_mem_params - memory settings (sysctls)
 * @max_hosted_pages:	pages this node hosts for other nodes at most; 0
 *			for no cap.  Read with READ_ONCE().
 * @push_below_kb:	when MemAvailable falls below this (KiB), stretched
 *			processes push cold pages out even without a local
 *			limit; 0: never.  Read with READ_ONCE().
 * @orphan_keep_ms:	how long pages hosted for a home declared dead are
 *			kept in case it was only slow (at least one more
 *			detection period).  Read with READ_ONCE().
 */
struct elastic_mem_params {
	unsigned int max_hosted_pages;
	unsigned int push_below_kb;
	unsigned int orphan_keep_ms;
};

/**
 * struct elastic_mem_stats - memory counters of this node (sysctls)
 * @remote_pages:	pages of its processes that other nodes hold now
 * @hosted_pages:	pages it hosts for other nodes now
 * @hosted_in:		pages other nodes pushed to it
 * @frees:		slots of its processes whose remote copy was freed
 * @pull_failures:	pulls that ended in SIGBUS (owner dead or page lost)
 * @push_failures:	pushes to honour a local limit that moved nothing
 * @resends:		requests sent again for want of a reply
 * @stale_replies:	replies to requests that were no longer waiting
 * @send_errors:	messages that could not be sent (and were retried)
 * @drained:		pages moved off members by node-drain
 * @oom_kills:		processes killed over their local limit with every
 *			member full
 * @caps_set:		hosting caps this node received from other nodes
 * @evacuations:	requests of members being reclaimed to move this
 *			node's pages off them
 * @pressure_pushes:	pages pushed because this node ran short of memory
 *			(push_below_kb), not because of a local limit
 * @shrinker_scans:	times the kernel's reclaim asked the module's shrinker
 *			to free memory (each queues pushes)
 * @relieve_requests:	RELIEVE messages this node sent, short of memory
 *			while hosting pages for others
 * @relieved:		pages this node moved off members at their request
 * @handed_off:		pages this node handed to another member at their
 *			home's request (MOVE), for a drain or a relief
 * @handed_in:		pages other members handed to this node (HANDOFF)
 * @bg_pushes:		pages pushed ahead of a local limit by the background
 *			pusher, not by a faulting thread
 * @restarts:		members seen coming back as a new incarnation (HELLO);
 *			what this node hosted for them was dropped
 * @layouts:		LAYOUTs applied to this node's shadows (older ones
 *			are ignored)
 * @shadows:		shadow address spaces this node keeps now
 * @shadow_pages:	hosted pages mapped in a shadow now
 * @shadow_errors:	shadows or their ranges that could not be made, pages
 *			that could not be mapped for want of memory
 * @claims_granted:	first touches of this node's pages that it gave to
 *			the member that asked (CLAIM)
 * @claims_refused:	claims it refused: the page existed, or no such
 *			memory or process
 * @claimed:		pages this node created after its home granted them
 */
struct elastic_mem_stats {
	atomic64_t remote_pages;
	atomic64_t hosted_pages;
	atomic64_t hosted_in;
	atomic64_t frees;
	atomic64_t pull_failures;
	atomic64_t push_failures;
	atomic64_t resends;
	atomic64_t stale_replies;
	atomic64_t send_errors;
	atomic64_t drained;
	atomic64_t oom_kills;
	atomic64_t caps_set;
	atomic64_t evacuations;
	atomic64_t pressure_pushes;
	atomic64_t shrinker_scans;
	atomic64_t relieve_requests;
	atomic64_t relieved;
	atomic64_t handed_off;
	atomic64_t handed_in;
	atomic64_t bg_pushes;
	atomic64_t restarts;
	atomic64_t layouts;
	atomic64_t shadows;
	atomic64_t shadow_pages;
	atomic64_t shadow_errors;
	atomic64_t claims_granted;
	atomic64_t claims_refused;
	atomic64_t claimed;
};

extern struct elastic_mem_params elastic_mparams;
extern struct elastic_mem_stats elastic_mstats;

/**
 * struct elastic_cluster_params - transport settings (sysctls)
 * @listen_port:	TCP port this node accepts members' connections on
 * @heartbeat_ms:	interval between heartbeats to each member
 * @heartbeat_misses:	silent intervals after which a member is dead
 *
 * Written by the sysctl handlers, read with READ_ONCE() by the threads.
 */
struct elastic_cluster_params {
	u32 listen_port;
	u32 heartbeat_ms;
	u32 heartbeat_misses;
};

/**
 * struct elastic_cluster_stats - transport counters
 * @bad_frames:		connections closed for a malformed or unexpected message
 * @conn_refused:	connections refused for coming from no member's address
 * @pulls_ahead:	PULLs that arrived while other messages of their connection
 *			were queued or being handled, and went first
 */
struct elastic_cluster_stats {
	atomic64_t bad_frames;
	atomic64_t conn_refused;
	atomic64_t pulls_ahead;
};

/**
 * struct elastic_node_info - a member as node-get reports it
 * @id:		node id
 * @addr:	IPv4 address, network byte order
 * @port:	TCP port
 * @state:	enum elastic_node_state
 * @last_heard_ms: time since its last valid message
 * @rx_msgs:	valid messages received from it
 * @tx_msgs:	messages sent to it
 */
struct elastic_node_info {
	u32 id;
	__be32 addr;
	u16 port;
	u32 state;
	u32 last_heard_ms;
	u64 rx_msgs;
	u64 tx_msgs;
};

extern struct elastic_cluster_params elastic_params;
extern struct elastic_cluster_stats elastic_cstats;

/* cluster.c */
int elastic_cluster_init(void);
void elastic_rx_pulls(void);
void elastic_cluster_exit(void);
int elastic_cluster_listen(void);
bool elastic_cluster_has_members(void);
int elastic_node_add(u32 id, __be32 addr, u16 port);
int elastic_node_del(u32 id);
int elastic_node_read(u32 id, struct elastic_node_info *info);
bool elastic_node_known(u32 id);
bool elastic_peer_alive(u32 id);
u32 elastic_peer_conn(u32 id);
/* A message's parts before its pages: at most the slots and their places. */
#define ELASTIC_SEND_MAX_PARTS	2
int elastic_peer_sendv(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
		       bool more);
int elastic_peer_sendv_pages(u32 id, u32 type, u64 seq, const struct kvec *parts, int nparts,
			     struct page * const *pages, int npages, bool more);
int elastic_peer_send(u32 id, u32 type, u64 seq, const void *a, size_t alen,
		      const void *b, size_t blen);
int elastic_reply_each(u32 id, u32 type, unsigned int n, size_t plen, const void *payloads,
		       struct page * const *pages);
u64 elastic_next_seq(void);
u64 elastic_next_seqs(unsigned int n);

/* memory.c */
int elastic_mem_init(void);
void elastic_mem_exit(void);
int elastic_mem_rx(u32 src, const struct elastic_wire_msg *m, const u8 *payload);
int elastic_mem_rx_reply_skb(u32 src, const struct elastic_wire_msg *m,
			     const struct sk_buff *skb, unsigned int off);
void elastic_mem_node_dead(u32 id);
void elastic_mem_node_restarted(u32 id);
long elastic_mem_node_pages(u32 id);
int elastic_mem_stretch(u32 pid, u64 nodes, unsigned long limit);
long elastic_mem_push(u32 pid, u32 to, unsigned long nr);
long elastic_mem_unstretch(u32 pid);
int elastic_mem_set_cap(u32 id, u64 max_pages);
long elastic_mem_drain(u32 from, unsigned long max, unsigned long *left);
long elastic_mem_evacuate(unsigned long *left);
int elastic_mem_undrain(u32 id);
int elastic_mem_nstretched(void);
extern bool elastic_evacuating;
void elastic_mem_node_forget(u32 id);
void elastic_mem_proc(struct mm_struct *mm, struct elastic_proc_info *info);
vm_fault_t elastic_mem_pull(struct vm_fault *vmf, swp_entry_t entry, struct page *page);
void elastic_mem_pulled(struct mm_struct *mm, swp_entry_t entry, bool mapped);
struct folio *elastic_mem_ahead(struct mm_struct *mm, unsigned long addr, swp_entry_t entry);
void elastic_mem_release(struct mm_struct *mm, swp_entry_t entry);
void elastic_mem_dup(struct mm_struct *mm, swp_entry_t entry);
int elastic_mem_inherit(struct mm_struct *old, struct mm_struct *mm);
void elastic_mem_mm_exit(struct mm_struct *mm);
void elastic_mem_charge(struct mm_struct *mm);
struct page *elastic_mem_hosted(u32 home, u64 slot);
long elastic_mem_hosted_for(u32 home);
struct page *elastic_mem_claim(u32 home, const struct elastic_place *pl, u32 *owner);

/* shadow.c */
int elastic_shadow_init(void);
void elastic_shadow_exit(void);
int elastic_shadow_layout(u32 home, u32 id, u64 gen, const struct elastic_range *r,
			  unsigned int n);
void elastic_shadow_map(u32 home, u64 slot, const struct elastic_place *pl, struct page *page);
void elastic_shadow_unmap(u32 home, u64 slot, struct page *page);
int elastic_shadow_place(u32 home, u64 slot, struct elastic_place *pl);
void elastic_shadow_forward(u32 home, u32 to, const struct elastic_place *pl, unsigned int n);
void elastic_shadow_drop_home(u32 home);
void elastic_shadow_set_place(u32 home, u64 slot, const struct elastic_place *pl);
int elastic_shadow_slot_of(u32 home, const struct elastic_place *pl, u64 *slot);

/* main.c */
void elastic_count_bad_input(void);
int elastic_set_node_id(u32 id);
void elastic_status_read(struct elastic_status *st);

/* sysctl.c */
int elastic_sysctl_init(void);
void elastic_sysctl_exit(void);

/* netlink.c */
int elastic_nl_init(void);
void elastic_nl_exit(void);
void elastic_nl_notify(u32 type, u32 peer);

/* proc.c */
int elastic_proc_show(struct seq_file *m, struct mm_struct *mm);

/* format.c: pure encoders, also linked into the KUnit module */
bool elastic_node_id_valid(u32 id);
int elastic_nl_fill_status(struct sk_buff *skb, const struct elastic_status *st);
int elastic_nl_fill_event(struct sk_buff *skb, u32 type, u32 node_id, u32 peer);
int elastic_nl_fill_event_text(struct sk_buff *skb, u64 deadline, const char *reason,
			       const char *detail);
int elastic_nl_fill_node(struct sk_buff *skb, const struct elastic_node_info *n);
void elastic_proc_format(struct seq_file *m, const struct elastic_proc_info *info);
u64 elastic_lat_quantile(const u64 *hist, unsigned int pct);

#endif /* _ELASTIC_INTERNAL_H */
