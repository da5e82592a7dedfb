/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: this node's identity, bad input and events.
 *
 * The leaf of the module: every other file may use it, and it calls none
 * of them.  Events go out through the generic netlink family that
 * netlink.c registers and hands over with elastic_events_attach().
 */
#ifndef _ELASTIC_NODE_H
#define _ELASTIC_NODE_H

#include <linux/atomic.h>
#include <linux/types.h>

struct genl_family;

#define ELASTIC_VERSION "0.1.0"

/**
 * struct elastic_this_node - identity of this node
 * @id:		this node's id, 1..ELASTIC_MAX_NODE_ID; 0 while unassigned.
 * @bad_input:	requests and writes the module refused as malformed or out
 *		of range, from netlink, sysctl or the network.
 * @incarnation: this life of the node (HELLO), random and non-zero, drawn
 *		at module load and never changed.
 *
 * Locking: @id is written only by elastic_cluster_set_node_id() under its
 * lock, so that each change is announced exactly once; readers use
 * elastic_node_id() and may see the old or the new id.  @bad_input is
 * atomic.
 */
struct elastic_this_node {
	u32 id;
	atomic64_t bad_input;
	u64 incarnation;
};

extern struct elastic_this_node elastic_node;

/* This node's id, 0 while unassigned. */
static inline u32 elastic_node_id(void)
{
	return READ_ONCE(elastic_node.id);
}

void elastic_node_init(u32 id);
void elastic_count_bad_input(void);

void elastic_events_attach(struct genl_family *family, unsigned int group);
void elastic_events_detach(void);
void elastic_event(u32 type, u32 peer);
void elastic_event_text(u32 type, u32 peer, u64 deadline, const char *reason,
			const char *detail);

#endif /* _ELASTIC_NODE_H */
