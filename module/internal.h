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
 * struct elastic_node_state - identity and counters of this node
 * @id:		this node's id, 1..ELASTIC_MAX_NODE_ID; 0 while unassigned.
 * @bad_input:	requests and writes the module refused as malformed or out
 *		of range, from netlink, sysctl or the network.
 *
 * Locking: @id is written only under elastic_config_lock (main.c), so that
 * each change is announced exactly once; readers use READ_ONCE() and may
 * see the old or the new id.  @bad_input is atomic.
 */
struct elastic_node_state {
	u32 id;
	atomic64_t bad_input;
};

extern struct elastic_node_state elastic_node;

/**
 * struct elastic_status - what status-get reports
 * @version:	module version string
 * @release:	running kernel's release (uname -r)
 * @node_id:	this node's id, 0 while unassigned
 * @bad_input:	value of &elastic_node_state.bad_input
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
void elastic_nl_notify(u32 type);

/* proc.c */
int elastic_proc_show(struct seq_file *m, struct mm_struct *mm);

/* format.c: pure encoders, also linked into the KUnit module */
bool elastic_node_id_valid(u32 id);
int elastic_nl_fill_status(struct sk_buff *skb, const struct elastic_status *st);
int elastic_nl_fill_event(struct sk_buff *skb, u32 type, u32 node_id);
void elastic_proc_format(struct seq_file *m, const struct elastic_proc_info *info);

#endif /* _ELASTIC_INTERNAL_H */
