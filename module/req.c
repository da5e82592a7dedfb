// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: requests waiting for their replies, and the
 * senders of the memory layer's messages.
 *
 * A request (PULL, PUSH, MOVE, CAP, CLAIM, a claim's grant) is filed under
 * its sequence number until its reply completes it, or until its waiter
 * gives up; a waiter re-sends it every two heartbeats until the peer
 * answers or is declared dead, so a slow peer is never mistaken for a
 * dead one, and a reply lost with a connection costs a re-send.
 *
 * Replies (PULL_REPLY, PUSH_ACK) are matched in the socket's receive
 * callback, in softirq: a pulled page is copied from the socket's buffers
 * straight into the waiting request's page.
 *
 * Locking: the table is a hash table under elastic_reqs_lock, taken _bh
 * everywhere (replies are matched in softirq); the waiter removes its own
 * entry before returning, so a late reply never touches a finished
 * request.  Sequence numbers only grow and about one request is out at a
 * time: an xarray allocated and RCU-freed a path of nodes for nearly
 * every request.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/skbuff.h>
#include <linux/spinlock.h>

#include "mem.h"
#include "member.h"
#include "transport.h"

#define ELASTIC_REQ_HASH_BITS	8
static DEFINE_HASHTABLE(elastic_reqs, ELASTIC_REQ_HASH_BITS);
static DEFINE_SPINLOCK(elastic_reqs_lock);
/* Woken when a request with @notify completes (see struct elastic_req). */
DECLARE_WAIT_QUEUE_HEAD(elastic_req_wq);

/**
 * elastic_req_init - prepare a request
 * @req: the request
 * @peer: the node that must answer
 * @page: where a pulled page's contents go, or NULL
 */
void elastic_req_init(struct elastic_req *req, u32 peer, struct page *page)
{
	init_completion(&req->done);
	req->peer = peer;
	req->peer2 = 0;
	req->status = -EIO;
	req->page = page;
	req->npages = 0;
	req->stored = 0;
	req->claim = false;
	req->notify = false;
	req->owner = 0;
	req->slot = 0;
	INIT_HLIST_NODE(&req->node);
}

/**
 * elastic_req_insert - wait for the reply on @seq
 * @req: a prepared request
 * @seq: its sequence number
 *
 * From here on a receiver may complete @req.
 */
void elastic_req_insert(struct elastic_req *req, u64 seq)
{
	req->seq = seq;
	spin_lock_bh(&elastic_reqs_lock);
	hash_add(elastic_reqs, &req->node, seq);
	spin_unlock_bh(&elastic_reqs_lock);
}

/**
 * elastic_req_add - prepare a request and file it under a new number
 * @req: the request
 * @peer: the node that must answer
 * @page: where a pulled page's contents go, or NULL
 * @seq: set to its sequence number
 */
void elastic_req_add(struct elastic_req *req, u32 peer, struct page *page, u64 *seq)
{
	elastic_req_init(req, peer, page);
	*seq = elastic_next_seq();
	elastic_req_insert(req, *seq);
}

/* The request waiting on @seq, or NULL; under elastic_reqs_lock. */
static struct elastic_req *elastic_req_find(u64 seq)
{
	struct elastic_req *req;

	hash_for_each_possible(elastic_reqs, req, node, seq)
		if (req->seq == seq)
			return req;
	return NULL;
}

/**
 * elastic_req_lock_find - find the request waiting on @seq, and lock the table
 * @seq: a reply's request sequence number
 *
 * Release with elastic_req_unlock() in any case.
 *
 * Return: the request, or NULL.
 */
struct elastic_req *elastic_req_lock_find(u64 seq)
	__acquires(&elastic_reqs_lock)
{
	spin_lock_bh(&elastic_reqs_lock);
	return elastic_req_find(seq);
}

/** elastic_req_unlock - release the table locked by elastic_req_lock_find() */
void elastic_req_unlock(void)
	__releases(&elastic_reqs_lock)
{
	spin_unlock_bh(&elastic_reqs_lock);
}

/**
 * elastic_req_complete - end a request found by elastic_req_lock_find()
 * @req: the request, with its status set; the table still locked
 */
void elastic_req_complete(struct elastic_req *req)
{
	lockdep_assert_held(&elastic_reqs_lock);
	hash_del(&req->node);
	complete(&req->done);
	if (req->notify)
		wake_up_all(&elastic_req_wq);
}

/**
 * elastic_req_remove - no reply completes @req after this
 * @req: a filed request (a no-op if a reply completed it)
 */
void elastic_req_remove(struct elastic_req *req)
{
	spin_lock_bh(&elastic_reqs_lock);
	hash_del(&req->node);
	spin_unlock_bh(&elastic_reqs_lock);
}

/**
 * elastic_req_wait - wait for the reply to @req
 * @req: a filed request
 * @resend: sends the request again, on its sequence number
 * @arg: for @resend
 *
 * The request is re-sent every two heartbeats (a connection may have
 * dropped it) until the peer (or the second one, if any) is declared dead.
 *
 * Return: the reply's status, or -EHOSTDOWN.
 */
int elastic_req_wait(struct elastic_req *req, int (*resend)(void *arg, u64 seq), void *arg)
{
	unsigned long tmo;
	int ret;

	for (;;) {
		/* A dead peer answers nothing: fail at once, not after a wait. */
		if (!elastic_peer_alive(req->peer) ||
		    (req->peer2 && !elastic_peer_alive(req->peer2))) {
			ret = -EHOSTDOWN;
			break;
		}
		tmo = msecs_to_jiffies(2 * READ_ONCE(elastic_params.heartbeat_ms));
		if (wait_for_completion_timeout(&req->done, tmo))
			return req->status;
		atomic64_inc(&elastic_mstats.resends);
		resend(arg, req->seq);
	}
	elastic_req_remove(req);
	/* The reply may have raced the removal. */
	if (try_wait_for_completion(&req->done))
		return req->status;
	return ret;
}

/**
 * elastic_send_slots_after - send a message naming slots
 * @to: the node
 * @type: PUSH, PULL, FREE, MOVE or HANDOFF
 * @seq: its sequence number
 * @pfx: the type's own fields before the slots (a MOVE's or a HANDOFF's)
 * @pfxlen: their length, a multiple of 8, or 0 for none
 * @slots: the slots (1..ELASTIC_WIRE_BATCH)
 * @n: how many
 * @pl: a PUSH's or HANDOFF's places of the pages, in wire order, or NULL
 * @pages: the pages for them, sent without a copy: the caller holds them
 *	until the send returns; NULL for none
 * @more: more messages follow at once
 *
 * Return: 0, or the transport's error.
 */
int elastic_send_slots_after(u32 to, u32 type, u64 seq, const void *pfx, size_t pfxlen,
			     const unsigned long *slots, unsigned int n,
			     const struct elastic_wire_place *pl, struct page * const *pages,
			     bool more)
{
	/* Room for the longest fields (a HANDOFF's), then the slots. */
	__be64 buf[2 + 1 + ELASTIC_WIRE_BATCH];
	struct elastic_wire_slots *w = (void *)((u8 *)buf + pfxlen);
	struct kvec parts[ELASTIC_SEND_MAX_PARTS];
	unsigned int i;

	BUILD_BUG_ON(sizeof(*w) != sizeof(buf[0]) ||
		     sizeof(struct elastic_wire_handoff) != 2 * sizeof(buf[0]) ||
		     sizeof(struct elastic_wire_move) > 2 * sizeof(buf[0]));
	if (WARN_ON_ONCE(!n || n > ELASTIC_WIRE_BATCH || pfxlen > 2 * sizeof(buf[0]) ||
			 pfxlen % sizeof(buf[0])))
		return -EINVAL;
	if (pfxlen)
		memcpy(buf, pfx, pfxlen);
	w->count = cpu_to_be32(n);
	w->zero = 0;
	for (i = 0; i < n; i++)
		w->slot[i] = cpu_to_be64(slots[i]);
	parts[0] = (struct kvec){ .iov_base = buf, .iov_len = pfxlen + elastic_wire_slots_len(n) };
	if (!pages)
		return elastic_peer_sendv(to, type, seq, parts, 1, more);
	parts[1] = (struct kvec){ .iov_base = (void *)pl, .iov_len = n * sizeof(*pl) };
	return elastic_peer_sendv_pages(to, type, seq, parts, 2, pages, n, more);
}

/**
 * elastic_send_slots - send a PUSH, PULL or FREE
 * @to: the node
 * @type: the type
 * @seq: its sequence number
 * @slots: the slots
 * @n: how many
 * @pl: a PUSH's places, or NULL
 * @pages: a PUSH's pages, or NULL
 * @more: more messages follow at once
 *
 * Return: as elastic_send_slots_after().
 */
int elastic_send_slots(u32 to, u32 type, u64 seq, const unsigned long *slots,
		       unsigned int n, const struct elastic_wire_place *pl,
		       struct page * const *pages, bool more)
{
	return elastic_send_slots_after(to, type, seq, NULL, 0, slots, n, pl, pages, more);
}

/**
 * elastic_send_slots_nowait - send PULL, FREE or the like now, or not at all
 * @to: the node
 * @type: the message type
 * @seq: its sequence number
 * @slots: the slots
 * @n: how many (1 to ELASTIC_WIRE_BATCH)
 *
 * For callers under a fault's lock: see elastic_peer_sendv_nowait().
 *
 * Return: 0, -EAGAIN when it could not go at once, or another -errno.
 */
int elastic_send_slots_nowait(u32 to, u32 type, u64 seq, const unsigned long *slots,
			      unsigned int n)
{
	__be64 buf[1 + ELASTIC_WIRE_BATCH];
	struct elastic_wire_slots *w = (void *)buf;
	struct kvec part;
	unsigned int i;

	if (WARN_ON_ONCE(!n || n > ELASTIC_WIRE_BATCH))
		return -EINVAL;
	w->count = cpu_to_be32(n);
	w->zero = 0;
	for (i = 0; i < n; i++)
		w->slot[i] = cpu_to_be64(slots[i]);
	part = (struct kvec){ .iov_base = buf, .iov_len = elastic_wire_slots_len(n) };
	return elastic_peer_sendv_nowait(to, type, seq, &part, 1);
}

/**
 * elastic_ack - acknowledge a request (PUSH_ACK)
 * @to: the node that sent it
 * @req_seq: its sequence number
 * @status: 0 or -errno
 * @stored: pages stored, for a PUSH or HANDOFF
 *
 * A lost one is re-requested by the sender.
 */
void elastic_ack(u32 to, u64 req_seq, int status, unsigned int stored)
{
	struct {
		struct elastic_wire_reply r;
		__be32 stored;
	} __packed a = {
		.r.req_seq = cpu_to_be64(req_seq),
		.r.status = cpu_to_be32(-status),
		.stored = cpu_to_be32(stored),
	};

	elastic_peer_send(to, ELASTIC_MSG_PUSH_ACK, elastic_next_seq(), &a, sizeof(a), NULL, 0);
}

/*
 * A PUSH_ACK or PULL_REPLY arrived from @src; match it to its request.
 * @payload holds at least the reply's fields; the page of a PULL_REPLY
 * follows them there, or, when @skb is given, in @skb at @off.
 */
static int elastic_rx_reply_from(u32 src, const struct elastic_wire_msg *m, const u8 *payload,
				 const struct sk_buff *skb, unsigned int off)
{
	struct elastic_req *req;
	unsigned int stored;
	u64 req_seq;
	int ret, status;
	void *kaddr;
	bool is_ack;

	ret = elastic_wire_parse_reply(m->type, payload, m->len, &req_seq, &status, &stored);
	if (ret)
		return ret;
	/* _bh: the socket's receive callback completes requests in softirq. */
	spin_lock_bh(&elastic_reqs_lock);
	req = elastic_req_find(req_seq);
	/* A pull waits for a page, a push for none: the reply must match. */
	is_ack = m->type == ELASTIC_MSG_PUSH_ACK;
	if (!req || (req->peer != src && req->peer2 != src) || !req->page != is_ack ||
	    req->claim) {
		spin_unlock_bh(&elastic_reqs_lock);
		/* Answer to a request given up or re-sent: harmless. */
		atomic64_inc(&elastic_mstats.stale_replies);
		return 0;
	}
	/* More pages stored than were sent: the peer is broken. */
	if (is_ack && stored > req->npages) {
		spin_unlock_bh(&elastic_reqs_lock);
		return -EPROTO;
	}
	if (!status && req->page) {
		kaddr = kmap_local_page(req->page);
		if (skb)
			ret = skb_copy_bits(skb, off + sizeof(struct elastic_wire_reply), kaddr,
					    PAGE_SIZE);
		else
			memcpy(kaddr, payload + sizeof(struct elastic_wire_reply), PAGE_SIZE);
		kunmap_local(kaddr);
		/* The parser hands over whole messages: cannot fail. */
		if (WARN_ON_ONCE(ret)) {
			spin_unlock_bh(&elastic_reqs_lock);
			return ret;
		}
	}
	req->status = status;
	req->stored = stored;
	elastic_req_complete(req);
	spin_unlock_bh(&elastic_reqs_lock);
	return 0;
}

/* In the receiver thread: a reply that waited behind other messages. */
static int elastic_rx_reply(struct elastic_conn *c, const struct elastic_wire_msg *m,
			    const u8 *payload)
{
	return elastic_rx_reply_from(elastic_rx_src(c), m, payload, NULL, 0);
}

/*
 * In the socket's receive callback (softirq, or process context with the
 * socket locked): a pulled page goes from the socket's buffers into the
 * faulting task's page.  Nothing changed when it fails.
 */
static int elastic_rx_reply_skb(u32 src, const struct elastic_wire_msg *m,
				const struct sk_buff *skb, unsigned int off)
{
	u8 head[sizeof(struct elastic_wire_reply) + sizeof(__be32)];

	/* The fields it reads; a wrong length fails in parse_reply. */
	if (m->len < sizeof(struct elastic_wire_reply) ||
	    skb_copy_bits(skb, off, head, min_t(size_t, m->len, sizeof(head))))
		return -EMSGSIZE;
	return elastic_rx_reply_from(src, m, head, skb, off);
}

static const struct elastic_msg_handler elastic_ack_handler = {
	.rx = elastic_rx_reply,
	.rx_fast = elastic_rx_reply_skb,
};

/* A member answers a PULL on the connection the PULL came in on. */
static const struct elastic_msg_handler elastic_pull_reply_handler = {
	.rx = elastic_rx_reply,
	.rx_fast = elastic_rx_reply_skb,
	.flags = ELASTIC_RX_BACK,
};

/** elastic_req_register - handle replies (at load) */
void elastic_req_register(void)
{
	elastic_msg_register(ELASTIC_MSG_PUSH_ACK, &elastic_ack_handler);
	elastic_msg_register(ELASTIC_MSG_PULL_REPLY, &elastic_pull_reply_handler);
}

/** elastic_req_unregister - no more replies (at unload) */
void elastic_req_unregister(void)
{
	elastic_msg_unregister(ELASTIC_MSG_PUSH_ACK);
	elastic_msg_unregister(ELASTIC_MSG_PULL_REPLY);
}
