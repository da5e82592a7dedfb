// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the "elastic" generic netlink family.
 *
 * Policies and the operation table are generated from
 * netlink/specs/elastic.yaml into nl-gen.[ch]; this file has the handlers.
 * The genetlink core validates attributes against the policies (and
 * CAP_NET_ADMIN for admin-perm operations) before a handler runs, and
 * reports a violation to the sender through extack.
 */
#include <net/genetlink.h>

#include "internal.h"
#include "nl-gen.h"

int elastic_nl_status_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct elastic_status st;
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(GENLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_iput(msg, info);
	if (!hdr)
		goto too_big;
	elastic_status_read(&st);
	if (elastic_nl_fill_status(msg, &st))
		goto too_big;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

too_big:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

int elastic_nl_config_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (GENL_REQ_ATTR_CHECK(info, ELASTIC_A_CONFIG_NODE_ID)) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	return elastic_set_node_id(nla_get_u32(info->attrs[ELASTIC_A_CONFIG_NODE_ID]));
}

/**
 * elastic_nl_notify - announce an event on the events multicast group
 * @type: an enum elastic_event_type value
 *
 * Best effort: an event nobody listens to, or one that cannot be
 * allocated, is dropped; listeners see a gap as ENOBUFS on their socket
 * only when their receive queue overflows.
 */
void elastic_nl_notify(u32 type)
{
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&elastic_nl_family, &init_net, ELASTIC_NLGRP_EVENTS))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &elastic_nl_family, 0, ELASTIC_CMD_EVENT_NTF);
	if (!hdr || elastic_nl_fill_event(msg, type, READ_ONCE(elastic_node.id))) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&elastic_nl_family, msg, 0, ELASTIC_NLGRP_EVENTS, GFP_KERNEL);
}

int elastic_nl_init(void)
{
	return genl_register_family(&elastic_nl_family);
}

void elastic_nl_exit(void)
{
	genl_unregister_family(&elastic_nl_family);
}
