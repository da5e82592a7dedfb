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

struct mm_struct;
struct seq_file;
struct sk_buff;

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

/* memory.c, process.c: the memory layer, for netlink and /proc */
int elastic_mem_init(void);
void elastic_mem_exit(void);
int elastic_mem_stretch(u32 pid, u64 nodes, unsigned long limit, u32 *bad);
long elastic_mem_push(u32 pid, u32 to, unsigned long nr);
long elastic_mem_unstretch(u32 pid);
int elastic_mem_set_cap(u32 id, u64 max_pages);
long elastic_mem_drain(u32 from, unsigned long max, unsigned long *left);
long elastic_mem_evacuate(unsigned long *left);
int elastic_mem_undrain(u32 id);
void elastic_mem_proc(struct mm_struct *mm, struct elastic_proc_info *info);
int elastic_mem_process(u32 pid, struct elastic_proc_info *info, char *comm);
int elastic_mem_process_next(u32 *pid, struct elastic_proc_info *info, char *comm);
int elastic_mem_map(u32 pid, unsigned long *from,
		    int (*put)(unsigned long start, unsigned long end, unsigned long addr,
			       unsigned long nr, u32 node, void *arg),
		    void *arg);
int elastic_mm_nstretched(void);

/* sysctl.c */
int elastic_sysctl_init(void);
void elastic_sysctl_exit(void);

/* debugfs.c */
void elastic_debugfs_init(void);
void elastic_debugfs_exit(void);

/* netlink.c */
int elastic_nl_init(void);
void elastic_nl_exit(void);

/* proc.c */
int elastic_proc_show(struct seq_file *m, struct mm_struct *mm);

/* format.c: pure encoders, also linked into the KUnit module */
bool elastic_node_id_valid(u32 id);
int elastic_nl_fill_status(struct sk_buff *skb, const struct elastic_status *st);
int elastic_nl_fill_event(struct sk_buff *skb, u32 type, u32 node_id, u32 peer);
int elastic_nl_fill_event_text(struct sk_buff *skb, u64 deadline, const char *reason,
			       const char *detail);
int elastic_nl_fill_node(struct sk_buff *skb, const struct elastic_node_info *n);
int elastic_nl_fill_process(struct sk_buff *skb, u32 pid, const char *comm,
			    const struct elastic_proc_info *info);
int elastic_nl_fill_member(struct sk_buff *skb, u32 id, u64 held, u64 hosted);
int elastic_nl_put_run(struct sk_buff *skb, u64 first, u64 pages, u32 node);
void elastic_proc_format(struct seq_file *m, const struct elastic_proc_info *info);
u64 elastic_lat_quantile(const u64 *hist, unsigned int pct);

#endif /* _ELASTIC_INTERNAL_H */
