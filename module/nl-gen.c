// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/elastic.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "nl-gen.h"

#include <uapi/linux/elastic.h>

/* ELASTIC_CMD_CONFIG_SET - do */
static const struct nla_policy elastic_config_set_nl_policy[ELASTIC_A_CONFIG_NODE_ID + 1] = {
	[ELASTIC_A_CONFIG_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
};

/* ELASTIC_CMD_NODE_ADD - do */
static const struct nla_policy elastic_node_add_nl_policy[ELASTIC_A_NODE_PORT + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_NODE_ADDR] = { .type = NLA_U32, },
	[ELASTIC_A_NODE_PORT] = NLA_POLICY_MIN(NLA_U16, 1),
};

/* ELASTIC_CMD_NODE_DEL - do */
static const struct nla_policy elastic_node_del_nl_policy[ELASTIC_A_NODE_ID + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
};

/* ELASTIC_CMD_NODE_GET - do */
static const struct nla_policy elastic_node_get_nl_policy[ELASTIC_A_NODE_ID + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
};

/* ELASTIC_CMD_PROCESS_STRETCH - do */
static const struct nla_policy elastic_process_stretch_nl_policy[ELASTIC_A_PROCESS_LIMIT + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ELASTIC_A_PROCESS_NODES] = { .type = NLA_U64, },
	[ELASTIC_A_PROCESS_LIMIT] = { .type = NLA_U64, },
};

/* ELASTIC_CMD_PROCESS_PUSH - do */
static const struct nla_policy elastic_process_push_nl_policy[ELASTIC_A_PROCESS_PAGES + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ELASTIC_A_PROCESS_NODE] = NLA_POLICY_MAX(NLA_U32, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_PROCESS_PAGES] = { .type = NLA_U64, },
};

/* ELASTIC_CMD_PROCESS_JUMP - do */
static const struct nla_policy elastic_process_jump_nl_policy[ELASTIC_A_PROCESS_TID + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ELASTIC_A_PROCESS_TID] = NLA_POLICY_MIN(NLA_U32, 1),
	[ELASTIC_A_PROCESS_NODE] = NLA_POLICY_MAX(NLA_U32, ELASTIC_MAX_NODE_ID),
};

/* ELASTIC_CMD_NODE_DRAIN - do */
static const struct nla_policy elastic_node_drain_nl_policy[ELASTIC_A_NODE_PAGES + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_NODE_PAGES] = { .type = NLA_U64, },
};

/* ELASTIC_CMD_PROCESS_UNSTRETCH - do */
static const struct nla_policy elastic_process_unstretch_nl_policy[ELASTIC_A_PROCESS_PID + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ELASTIC_CMD_NODE_SET - do */
static const struct nla_policy elastic_node_set_nl_policy[ELASTIC_A_NODE_MAX_PAGES + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
	[ELASTIC_A_NODE_MAX_PAGES] = { .type = NLA_U32, },
};

/* ELASTIC_CMD_NODE_UNDRAIN - do */
static const struct nla_policy elastic_node_undrain_nl_policy[ELASTIC_A_NODE_ID + 1] = {
	[ELASTIC_A_NODE_ID] = NLA_POLICY_RANGE(NLA_U32, 1, ELASTIC_MAX_NODE_ID),
};

/* ELASTIC_CMD_EVENT_POST - do */
static const struct nla_policy elastic_event_post_nl_policy[ELASTIC_A_EVENT_DETAIL + 1] = {
	[ELASTIC_A_EVENT_TYPE] = NLA_POLICY_RANGE(NLA_U32, 1, 14),
	[ELASTIC_A_EVENT_DEADLINE] = { .type = NLA_U64, },
	[ELASTIC_A_EVENT_REASON] = { .type = NLA_NUL_STRING, .len = 31, },
	[ELASTIC_A_EVENT_DETAIL] = { .type = NLA_NUL_STRING, .len = 159, },
};

/* ELASTIC_CMD_PROCESS_GET - do */
static const struct nla_policy elastic_process_get_nl_policy[ELASTIC_A_PROCESS_PID + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* ELASTIC_CMD_PROCESS_MAP - dump */
static const struct nla_policy elastic_process_map_nl_policy[ELASTIC_A_PROCESS_PID + 1] = {
	[ELASTIC_A_PROCESS_PID] = NLA_POLICY_MIN(NLA_U32, 1),
};

/* Ops table for elastic */
static const struct genl_split_ops elastic_nl_ops[] = {
	{
		.cmd	= ELASTIC_CMD_STATUS_GET,
		.doit	= elastic_nl_status_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_CONFIG_SET,
		.doit		= elastic_nl_config_set_doit,
		.policy		= elastic_config_set_nl_policy,
		.maxattr	= ELASTIC_A_CONFIG_NODE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_ADD,
		.doit		= elastic_nl_node_add_doit,
		.policy		= elastic_node_add_nl_policy,
		.maxattr	= ELASTIC_A_NODE_PORT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_DEL,
		.doit		= elastic_nl_node_del_doit,
		.policy		= elastic_node_del_nl_policy,
		.maxattr	= ELASTIC_A_NODE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_GET,
		.doit		= elastic_nl_node_get_doit,
		.policy		= elastic_node_get_nl_policy,
		.maxattr	= ELASTIC_A_NODE_ID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ELASTIC_CMD_NODE_GET,
		.dumpit	= elastic_nl_node_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_STRETCH,
		.doit		= elastic_nl_process_stretch_doit,
		.policy		= elastic_process_stretch_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_LIMIT,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_PUSH,
		.doit		= elastic_nl_process_push_doit,
		.policy		= elastic_process_push_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_PAGES,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_JUMP,
		.doit		= elastic_nl_process_jump_doit,
		.policy		= elastic_process_jump_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_TID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_DRAIN,
		.doit		= elastic_nl_node_drain_doit,
		.policy		= elastic_node_drain_nl_policy,
		.maxattr	= ELASTIC_A_NODE_PAGES,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_UNSTRETCH,
		.doit		= elastic_nl_process_unstretch_doit,
		.policy		= elastic_process_unstretch_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_PID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_SET,
		.doit		= elastic_nl_node_set_doit,
		.policy		= elastic_node_set_nl_policy,
		.maxattr	= ELASTIC_A_NODE_MAX_PAGES,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_NODE_UNDRAIN,
		.doit		= elastic_nl_node_undrain_doit,
		.policy		= elastic_node_undrain_nl_policy,
		.maxattr	= ELASTIC_A_NODE_ID,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_EVENT_POST,
		.doit		= elastic_nl_event_post_doit,
		.policy		= elastic_event_post_nl_policy,
		.maxattr	= ELASTIC_A_EVENT_DETAIL,
		.flags		= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ELASTIC_CMD_STATS_GET,
		.doit	= elastic_nl_stats_get_doit,
		.flags	= GENL_CMD_CAP_DO,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_GET,
		.doit		= elastic_nl_process_get_doit,
		.policy		= elastic_process_get_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_PID,
		.flags		= GENL_CMD_CAP_DO,
	},
	{
		.cmd	= ELASTIC_CMD_PROCESS_GET,
		.dumpit	= elastic_nl_process_get_dumpit,
		.flags	= GENL_CMD_CAP_DUMP,
	},
	{
		.cmd		= ELASTIC_CMD_PROCESS_MAP,
		.dumpit		= elastic_nl_process_map_dumpit,
		.policy		= elastic_process_map_nl_policy,
		.maxattr	= ELASTIC_A_PROCESS_PID,
		.flags		= GENL_CMD_CAP_DUMP,
	},
};

static const struct genl_multicast_group elastic_nl_mcgrps[] = {
	[ELASTIC_NLGRP_EVENTS] = { "events", },
};

struct genl_family elastic_nl_family __ro_after_init = {
	.name		= ELASTIC_FAMILY_NAME,
	.version	= ELASTIC_FAMILY_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.split_ops	= elastic_nl_ops,
	.n_split_ops	= ARRAY_SIZE(elastic_nl_ops),
	.mcgrps		= elastic_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(elastic_nl_mcgrps),
};
