// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the table of message handlers, and what both
 * kinds of connection share (stream parsing, sockets that may dip into
 * the reserves, bad frames).
 *
 * The memory layer fills the table at load, before the listener starts,
 * and empties it at unload, after every connection ended: handlers are
 * read without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/sched/mm.h>
#include <net/sock.h>
#include <net/strparser.h>

#include "node.h"
#include "transport.h"

struct elastic_transport_stats elastic_tstats;

static const struct elastic_msg_handler *elastic_handlers[__ELASTIC_MSG_MAX];

/**
 * elastic_msg_register - handle messages of @type with @h
 * @type: an enum elastic_wire_type value after ELASTIC_MSG_HEARTBEAT
 * @h: the handler; must stay valid until unregistered
 *
 * At load, before the listener starts.
 */
void elastic_msg_register(u32 type, const struct elastic_msg_handler *h)
{
	if (WARN_ON_ONCE(type <= ELASTIC_MSG_HEARTBEAT || type >= __ELASTIC_MSG_MAX))
		return;
	WRITE_ONCE(elastic_handlers[type], h);
}

/**
 * elastic_msg_unregister - messages of @type are unexpected from now on
 * @type: as for elastic_msg_register()
 */
void elastic_msg_unregister(u32 type)
{
	if (type < __ELASTIC_MSG_MAX)
		WRITE_ONCE(elastic_handlers[type], NULL);
}

/**
 * elastic_msg_handler - the handler of @type
 * @type: a parsed header's type
 *
 * Return: the handler, or NULL for a type nobody handles (unexpected).
 */
const struct elastic_msg_handler *elastic_msg_handler(u32 type)
{
	return type < __ELASTIC_MSG_MAX ? READ_ONCE(elastic_handlers[type]) : NULL;
}

/**
 * elastic_strp_parse - the parse_msg callback of both stream parsers
 * @strp: the parser
 * @skb: where the next message starts
 *
 * Return: the length of the message that starts in @skb, 0 while its
 * header is incomplete, or -errno for a malformed header.
 */
int elastic_strp_parse(struct strparser *strp, struct sk_buff *skb)
{
	struct strp_msg *rxm = strp_msg(skb);
	struct elastic_wire_hdr h;
	struct elastic_wire_msg m;
	int ret;

	if (skb->len - rxm->offset < sizeof(h))
		return 0;
	if (skb_copy_bits(skb, rxm->offset, &h, sizeof(h)))
		return -EBADMSG;
	ret = elastic_wire_parse_hdr(&h, sizeof(h), &m);
	/* strparser turns a positive length into the message's. */
	return ret ? ret : (int)(sizeof(h) + m.len);
}

/**
 * elastic_strp_ready - let @strp parse what arrived
 * @strp: the parser, from the socket's receive callback
 *
 * Its skb clones may dip into the reserves, as the socket itself may
 * (elastic_sock_memalloc()): acks of pushes that free memory, and pages
 * pulled back, must get in when memory is short.
 */
void elastic_strp_ready(struct strparser *strp)
{
	unsigned int noreclaim = memalloc_noreclaim_save();

	strp_data_ready(strp);
	memalloc_noreclaim_restore(noreclaim);
}

/**
 * elastic_strp_finish - stop @strp for good
 * @strp: the parser
 * @sk: its socket, whose callbacks are back as they were
 */
void elastic_strp_finish(struct strparser *strp, struct sock *sk)
{
	lock_sock(sk);
	strp_stop(strp);
	release_sock(sk);
	strp_done(strp);
}

/**
 * elastic_sock_memalloc - let @sock use the emergency reserves
 * @sock: a connection to or from a member
 *
 * Pages leave a node to free its memory, and their acknowledgments must
 * get in while memory is short: like a swap device's (nbd), the node's
 * sockets may use the emergency reserves, so that neither the sends of a
 * push under pressure nor the replies they wait for fail or are dropped
 * for lack of the memory they are about to free.
 */
void elastic_sock_memalloc(struct socket *sock)
{
	sock->sk->sk_allocation = GFP_NOIO | __GFP_MEMALLOC;
	sk_set_memalloc(sock->sk);
}

/** elastic_count_bad_frame - a connection closes on a bad message */
void elastic_count_bad_frame(void)
{
	atomic64_inc(&elastic_tstats.bad_frames);
	elastic_count_bad_input();
}
