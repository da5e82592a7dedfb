/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/elastic.yaml */
/* YNL-GEN uapi header */

#ifndef _UAPI_LINUX_ELASTIC_H
#define _UAPI_LINUX_ELASTIC_H

#define ELASTIC_FAMILY_NAME	"elastic"
#define ELASTIC_FAMILY_VERSION	1

#define ELASTIC_MAX_NODE_ID	63

/**
 * enum elastic_event_type - What an event on the events multicast group
 *   announces.
 * @ELASTIC_EVENT_TYPE_CONFIG_CHANGED: The node's configuration (for example
 *   its id) changed.
 * @ELASTIC_EVENT_TYPE_NODE_ADDED: A member was added to the cluster.
 * @ELASTIC_EVENT_TYPE_NODE_REMOVED: A member was removed from the cluster.
 * @ELASTIC_EVENT_TYPE_NODE_UP: A member's heartbeats arrive (again).
 * @ELASTIC_EVENT_TYPE_NODE_DEAD: A member missed heartbeat-misses heartbeats
 *   in a row.
 * @ELASTIC_EVENT_TYPE_DRAIN_START: The node agent began to empty this node (a
 *   cloud's interruption notice); deadline set. Events from here on are posted
 *   by the agent with event-post.
 * @ELASTIC_EVENT_TYPE_DRAIN_DEADLINE: A running drain adopted an earlier
 *   deadline.
 * @ELASTIC_EVENT_TYPE_DRAIN_PROGRESS: A drain moved pages; detail says how
 *   many of how many.
 * @ELASTIC_EVENT_TYPE_DRAIN_DONE: A drain finished; detail says what is left.
 * @ELASTIC_EVENT_TYPE_DRAIN_FAILED: A drain stopped with pages left; detail
 *   says why.
 * @ELASTIC_EVENT_TYPE_DRAIN_CANCELLED: The notice was withdrawn; the node
 *   takes pages again.
 * @ELASTIC_EVENT_TYPE_HOME_PINNED: The node is the home of stretched processes
 *   and cannot be emptied until threads can jump.
 * @ELASTIC_EVENT_TYPE_REBALANCE: An unhurried drain began on a rebalance
 *   recommendation.
 * @ELASTIC_EVENT_TYPE_EVACUATE: Member peer asked this node to move this
 *   node's processes' pages off it (it is being reclaimed); the drain runs in
 *   the background.
 */
enum elastic_event_type {
	ELASTIC_EVENT_TYPE_CONFIG_CHANGED = 1,
	ELASTIC_EVENT_TYPE_NODE_ADDED,
	ELASTIC_EVENT_TYPE_NODE_REMOVED,
	ELASTIC_EVENT_TYPE_NODE_UP,
	ELASTIC_EVENT_TYPE_NODE_DEAD,
	ELASTIC_EVENT_TYPE_DRAIN_START,
	ELASTIC_EVENT_TYPE_DRAIN_DEADLINE,
	ELASTIC_EVENT_TYPE_DRAIN_PROGRESS,
	ELASTIC_EVENT_TYPE_DRAIN_DONE,
	ELASTIC_EVENT_TYPE_DRAIN_FAILED,
	ELASTIC_EVENT_TYPE_DRAIN_CANCELLED,
	ELASTIC_EVENT_TYPE_HOME_PINNED,
	ELASTIC_EVENT_TYPE_REBALANCE,
	ELASTIC_EVENT_TYPE_EVACUATE,
};

/**
 * enum elastic_node_state - A member's state as this node sees it.
 * @ELASTIC_NODE_STATE_SELF: This node.
 * @ELASTIC_NODE_STATE_CONNECTING: Added; no heartbeat received yet.
 * @ELASTIC_NODE_STATE_UP: Heartbeats arrive.
 * @ELASTIC_NODE_STATE_DEAD: Heartbeats stopped; declared dead.
 */
enum elastic_node_state {
	ELASTIC_NODE_STATE_SELF,
	ELASTIC_NODE_STATE_CONNECTING,
	ELASTIC_NODE_STATE_UP,
	ELASTIC_NODE_STATE_DEAD,
};

enum {
	ELASTIC_A_STATUS_VERSION = 1,
	ELASTIC_A_STATUS_NODE_ID,
	ELASTIC_A_STATUS_RELEASE,
	ELASTIC_A_STATUS_BAD_INPUT,
	ELASTIC_A_STATUS_STRETCHED,
	ELASTIC_A_STATUS_HOSTED_PAGES,
	ELASTIC_A_STATUS_PAD,

	__ELASTIC_A_STATUS_MAX,
	ELASTIC_A_STATUS_MAX = (__ELASTIC_A_STATUS_MAX - 1)
};

enum {
	ELASTIC_A_CONFIG_NODE_ID = 1,

	__ELASTIC_A_CONFIG_MAX,
	ELASTIC_A_CONFIG_MAX = (__ELASTIC_A_CONFIG_MAX - 1)
};

enum {
	ELASTIC_A_EVENT_TYPE = 1,
	ELASTIC_A_EVENT_NODE_ID,
	ELASTIC_A_EVENT_PEER,
	ELASTIC_A_EVENT_DEADLINE,
	ELASTIC_A_EVENT_REASON,
	ELASTIC_A_EVENT_DETAIL,
	ELASTIC_A_EVENT_PAD,

	__ELASTIC_A_EVENT_MAX,
	ELASTIC_A_EVENT_MAX = (__ELASTIC_A_EVENT_MAX - 1)
};

enum {
	ELASTIC_A_NODE_ID = 1,
	ELASTIC_A_NODE_ADDR,
	ELASTIC_A_NODE_PORT,
	ELASTIC_A_NODE_STATE,
	ELASTIC_A_NODE_LAST_HEARD_MS,
	ELASTIC_A_NODE_RX_MSGS,
	ELASTIC_A_NODE_TX_MSGS,
	ELASTIC_A_NODE_PAD,
	ELASTIC_A_NODE_PAGES,
	ELASTIC_A_NODE_PAGES_LEFT,
	ELASTIC_A_NODE_MAX_PAGES,

	__ELASTIC_A_NODE_MAX,
	ELASTIC_A_NODE_MAX = (__ELASTIC_A_NODE_MAX - 1)
};

enum {
	ELASTIC_A_PROCESS_PID = 1,
	ELASTIC_A_PROCESS_NODES,
	ELASTIC_A_PROCESS_LIMIT,
	ELASTIC_A_PROCESS_NODE,
	ELASTIC_A_PROCESS_PAGES,
	ELASTIC_A_PROCESS_PAD,

	__ELASTIC_A_PROCESS_MAX,
	ELASTIC_A_PROCESS_MAX = (__ELASTIC_A_PROCESS_MAX - 1)
};

enum {
	ELASTIC_CMD_STATUS_GET = 1,
	ELASTIC_CMD_CONFIG_SET,
	ELASTIC_CMD_NODE_ADD,
	ELASTIC_CMD_NODE_DEL,
	ELASTIC_CMD_NODE_GET,
	ELASTIC_CMD_EVENT_NTF,
	ELASTIC_CMD_PROCESS_STRETCH,
	ELASTIC_CMD_PROCESS_PUSH,
	ELASTIC_CMD_NODE_DRAIN,
	ELASTIC_CMD_PROCESS_UNSTRETCH,
	ELASTIC_CMD_NODE_SET,
	ELASTIC_CMD_NODE_UNDRAIN,
	ELASTIC_CMD_EVENT_POST,

	__ELASTIC_CMD_MAX,
	ELASTIC_CMD_MAX = (__ELASTIC_CMD_MAX - 1)
};

#define ELASTIC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_ELASTIC_H */
