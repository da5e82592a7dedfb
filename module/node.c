// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: this node's identity, bad input and events.
 *
 * Events are multicast on the family netlink.c registers.  This file does
 * not name the family (its operation table names every handler of the
 * module, so using it here would make the leaf depend on everything):
 * netlink.c hands it over once registered and takes it back before it
 * unregisters it.  Events are only ever sent from process context while
 * the module is loaded, between those two points: membership and memory
 * start after the family and stop before it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/random.h>
#include <net/genetlink.h>

#include "internal.h"
#include "node.h"

struct elastic_this_node elastic_node;

/* The family events go to, and its events group; READ_ONCE(). */
static struct genl_family *elastic_events_family;
static unsigned int elastic_events_group;

/**
 * elastic_node_init - set this node's id at load and draw its incarnation
 * @id: the module parameter, 0 or a valid id
 */
void elastic_node_init(u32 id)
{
	elastic_node.id = id;
	elastic_node.incarnation = get_random_u64() ?: 1;
}

void elastic_count_bad_input(void)
{
	atomic64_inc(&elastic_node.bad_input);
}

/**
 * elastic_events_attach - send events on @family's multicast @group
 * @family: the registered generic netlink family
 * @group: the index of its events group
 */
void elastic_events_attach(struct genl_family *family, unsigned int group)
{
	elastic_events_group = group;
	WRITE_ONCE(elastic_events_family, family);
}

/** elastic_events_detach - send no more events */
void elastic_events_detach(void)
{
	WRITE_ONCE(elastic_events_family, NULL);
}

/**
 * elastic_event_text - announce an event with drain fields
 * @type: an enum elastic_event_type value
 * @peer: the member a membership event is about; 0 for none
 * @deadline: seconds since 1970, 0 for none
 * @reason: what caused it, NULL for none
 * @detail: free text, NULL for none
 *
 * Best effort, process context: an event nobody listens to, or one that
 * cannot be allocated, is dropped; listeners see a gap as ENOBUFS on their
 * socket only when their receive queue overflows.
 */
void elastic_event_text(u32 type, u32 peer, u64 deadline, const char *reason,
			const char *detail)
{
	struct genl_family *family = READ_ONCE(elastic_events_family);
	struct sk_buff *msg;
	void *hdr;

	if (!family || !genl_has_listeners(family, &init_net, elastic_events_group))
		return;
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, family, 0, ELASTIC_CMD_EVENT_NTF);
	if (!hdr || elastic_nl_fill_event(msg, type, elastic_node_id(), peer) ||
	    elastic_nl_fill_event_text(msg, deadline, reason, detail)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast(family, msg, 0, elastic_events_group, GFP_KERNEL);
}

/**
 * elastic_event - announce an event
 * @type: an enum elastic_event_type value
 * @peer: the member a membership event is about; 0 for none
 */
void elastic_event(u32 type, u32 peer)
{
	elastic_event_text(type, peer, 0, NULL, NULL);
}
