/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: declarations shared by its files.
 */
#ifndef _ELASTIC_INTERNAL_H
#define _ELASTIC_INTERNAL_H

#include <linux/atomic.h>
#include <linux/types.h>
#include <uapi/linux/elastic.h>

struct mm_struct;
struct seq_file;
struct sk_buff;

#define ELASTIC_VERSION "0.1.0"

/**
 * struct elastic_this_node - identity and counters of this node
 * @id:		this node's id, 1..ELASTIC_MAX_NODE_ID; 0 while unassigned.
 * @bad_input:	requests and writes the module refused as malformed or out
 *		of range, from netlink, sysctl or the network.
 *
 * Locking: @id is written only under elastic_config_lock (main.c), so that
 * each change is announced exactly once; readers use READ_ONCE() and may
 * see the old or the new id.  @bad_input is atomic.
 */
struct elastic_this_node {
	u32 id;
	atomic64_t bad_input;
};

extern struct elastic_this_node elastic_node;

/**
 * struct elastic_status - what status-get reports
 * @version:	module version string
 * @release:	running kernel's release (uname -r)
 * @node_id:	this node's id, 0 while unassigned
 * @bad_input:	value of &elastic_this_node.bad_input
 */
struct elastic_status {
	const char *version;
	const char *release;
	u32 node_id;
	u64 bad_input;
};

/**
 * struct elastic_proc_info - what /proc/PID/elastic shows of one process
 * @node_id:	this node's id
 * @home_id:	id of the process's home node
 * @stretched:	whether the process's memory spans several nodes
 * @pages_local: private anonymous pages resident on this node
 */
struct elastic_proc_info {
	u32 node_id;
	u32 home_id;
	bool stretched;
	unsigned long pages_local;
};

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
 */
struct elastic_cluster_stats {
	atomic64_t bad_frames;
	atomic64_t conn_refused;
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
void elastic_cluster_exit(void);
int elastic_cluster_listen(void);
bool elastic_cluster_has_members(void);
int elastic_node_add(u32 id, __be32 addr, u16 port);
int elastic_node_del(u32 id);
int elastic_node_read(u32 id, struct elastic_node_info *info);

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
int elastic_nl_fill_node(struct sk_buff *skb, const struct elastic_node_info *n);
void elastic_proc_format(struct seq_file *m, const struct elastic_proc_info *info);

#endif /* _ELASTIC_INTERNAL_H */
