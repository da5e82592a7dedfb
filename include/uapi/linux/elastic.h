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
 */
enum elastic_event_type {
	ELASTIC_EVENT_TYPE_CONFIG_CHANGED = 1,
};

enum {
	ELASTIC_A_STATUS_VERSION = 1,
	ELASTIC_A_STATUS_NODE_ID,
	ELASTIC_A_STATUS_RELEASE,
	ELASTIC_A_STATUS_BAD_INPUT,
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

	__ELASTIC_A_EVENT_MAX,
	ELASTIC_A_EVENT_MAX = (__ELASTIC_A_EVENT_MAX - 1)
};

enum {
	ELASTIC_CMD_STATUS_GET = 1,
	ELASTIC_CMD_CONFIG_SET,
	ELASTIC_CMD_EVENT_NTF,

	__ELASTIC_CMD_MAX,
	ELASTIC_CMD_MAX = (__ELASTIC_CMD_MAX - 1)
};

#define ELASTIC_MCGRP_EVENTS	"events"

#endif /* _UAPI_LINUX_ELASTIC_H */
