/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	netlink/specs/elastic.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_ELASTIC_GEN_H
#define _LINUX_ELASTIC_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/elastic.h>

int elastic_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_add_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_del_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_get_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_get_dumpit(struct sk_buff *skb,
			       struct netlink_callback *cb);
int elastic_nl_process_stretch_doit(struct sk_buff *skb,
				    struct genl_info *info);
int elastic_nl_process_push_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_process_jump_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_drain_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_process_unstretch_doit(struct sk_buff *skb,
				      struct genl_info *info);
int elastic_nl_node_set_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_node_undrain_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_event_post_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_process_get_doit(struct sk_buff *skb, struct genl_info *info);
int elastic_nl_process_get_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);
int elastic_nl_process_map_dumpit(struct sk_buff *skb,
				  struct netlink_callback *cb);

enum {
	ELASTIC_NLGRP_EVENTS,
};

extern struct genl_family elastic_nl_family;

#endif /* _LINUX_ELASTIC_GEN_H */
