// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: pages of stretched processes, moved between nodes.
 *
 * Roles.  A process is stretched on its home node (where it runs).  When
 * the home pushes one of its pages to a member, the member keeps the page
 * in its hosted store and the home replaces the page table entry by an
 * elastic swap entry naming the member and a slot: a number the home
 * allocated, unique on the home, under which the member files the page.
 * A fault on that entry pulls the page back (PULL, PULL_REPLY); once it
 * is mapped again, or when the entry is zapped, the home tells the member
 * to FREE its copy.  Pulls do not free the owner's copy by themselves, so
 * a request may be repeated after a lost connection without losing data.
 *
 * The home's owner map (elastic_slots) is authoritative: for every slot in
 * use, its owner and the number of page table entries referring to it
 * (fork shares entries between parent and child as it shares swap slots).
 *
 * Locking:
 *  - elastic_slots: its xa_lock; never held across sleeping.  Entries are
 *    xa values (owner | refs << 6); a slot whose last reference went is
 *    marked ELASTIC_SLOT_FREEING and freed by elastic_free_work, which
 *    sends the FREE (zaps run under the page table lock and cannot send).
 *  - elastic_hosted[home]: its xa_lock; the receiver of that home's
 *    connection adds (PUSH) and removes (FREE) pages, the receivers of
 *    other members' connections add pages the home moved here (HANDOFF);
 *    node death and unload clear all.  A page's private field is the
 *    sequence number of the MOVE that brought it, 0 for a PUSH.
 *  - elastic_reqs: requests waiting for a reply, under elastic_reqs_lock
 *    (taken _bh: replies are matched in softirq); the waiter removes its
 *    own entry before returning, so a late reply never touches a finished
 *    request.
 *  - elastic_pulling: slots being pulled, under elastic_pulling_lock, so
 *    that concurrent faults on one page coalesce; waiters sleep on
 *    elastic_pull_wq.
 *  - struct elastic_mm: counters are atomic; @push_lock serialises pushes
 *    of one process; the structure lives until the mm's last mmput().
 *  - elastic_throttles: threads with a limit task work queued, under
 *    elastic_throttles_lock (a spinlock; taken in the fault path).
 *
 * Memory pressure.  A process near its local limit, or any stretched
 * process faulting while MemAvailable is under push_below_kb, has its
 * background pusher push; over its limit, or with MemAvailable under half
 * of push_below_kb, it pushes itself on its way back to user space
 * (elastic_mem_charge()).  Pressure from other
 * processes is met by elastic_pressure_work, which looks at MemAvailable
 * ten times a second, and by the shrinker, which cannot push in reclaim
 * context (a push sends on sockets and allocates) and queues
 * elastic_shrink_work; both push from the largest stretched process.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/elastic.h>
#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/idr.h>
#include <linux/mman.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/shrinker.h>
#include <linux/skbuff.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/task_work.h>
#include <linux/vmalloc.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "internal.h"
#include "wire.h"

#define CREATE_TRACE_POINTS
#include "elastic_trace.h"

#define ELASTIC_SLOT_OWNER_MASK	0x3fUL
#define ELASTIC_SLOT_REF_SHIFT	6
#define ELASTIC_SLOT_FREEING	XA_MARK_1
/* Pages per push batch: enough to fill the link while acks come back. */
#define ELASTIC_PUSH_BATCH	64
/* Slots a drain moves per round: more in flight on both links at once. */
#define ELASTIC_DRAIN_BATCH	256

struct elastic_mem_stats elastic_mstats;
struct elastic_mem_params elastic_mparams;

static DEFINE_XARRAY_ALLOC1(elastic_slots);
static atomic_long_t elastic_owned[ELASTIC_MAX_NODE_ID + 1];

static struct xarray elastic_hosted[ELASTIC_MAX_NODE_ID + 1];

/* Members being drained: no new pages go to them. */
static unsigned long elastic_draining[BITS_TO_LONGS(ELASTIC_MAX_NODE_ID + 1)];

/*
 * This node is being emptied (node-drain of its own id): it refuses pushes.
 * Read by the sysctl "evacuating".
 */
bool elastic_evacuating;

/*
 * A member's EVACUATE runs its drain here: not in the member's receiver,
 * which must stay free to deliver the replies the drain waits for.
 */
static struct work_struct elastic_evac_work[ELASTIC_MAX_NODE_ID + 1];
/* A member's RELIEVE: pages it asks to be moved off it, and the work doing it. */
static atomic_long_t elastic_relieve_want[ELASTIC_MAX_NODE_ID + 1];
static struct work_struct elastic_relieve_work[ELASTIC_MAX_NODE_ID + 1];
/* Pages this node hosts for each home (elastic_hosted[home]'s entries). */
static atomic_long_t elastic_hosted_for[ELASTIC_MAX_NODE_ID + 1];
static struct delayed_work elastic_pressure_work;
static unsigned long elastic_pressure_deficit(void);

/*
 * Requests by sequence number: a hash table, not an xarray, as sequence
 * numbers only grow and about one request at a time is out: an xarray
 * allocated and RCU-freed a path of nodes for nearly every request.
 */
#define ELASTIC_REQ_HASH_BITS	8
static DEFINE_HASHTABLE(elastic_reqs, ELASTIC_REQ_HASH_BITS);
static DEFINE_SPINLOCK(elastic_reqs_lock);
/*
 * Slots being pulled (or moved, or claimed): a hash set, for the same
 * reason as elastic_reqs (a random slot's xarray leaf was allocated and
 * RCU-freed on nearly every fault).
 */
#define ELASTIC_PULLING_HASH_BITS	8
static DEFINE_HASHTABLE(elastic_pulling, ELASTIC_PULLING_HASH_BITS);
static DEFINE_SPINLOCK(elastic_pulling_lock);

/**
 * struct elastic_pulling_ent - a slot in elastic_pulling
 * @node:	in elastic_pulling, under elastic_pulling_lock
 * @slot:	the slot
 */
struct elastic_pulling_ent {
	struct hlist_node node;
	unsigned long slot;
};

static DECLARE_WAIT_QUEUE_HEAD(elastic_pull_wq);

static void elastic_free_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(elastic_free_work, elastic_free_fn);
/* Slots that lost their last reference since the free worker last ran. */
static atomic_t elastic_free_pending = ATOMIC_INIT(0);
/*
 * A FREE waits this long for others to go out with it, unless a message's
 * worth is pending: one FREE per pulled page was a message per fault more
 * for both nodes' CPUs to handle, in the middle of the next fault's pull.
 */
#define ELASTIC_FREE_DELAY	msecs_to_jiffies(20)

/* ---- requests and replies ---- */

/**
 * struct elastic_req - a request waiting for its reply
 * @done:	completed by the receiver with @status (and @page filled)
 * @peer:	node the reply must come from
 * @peer2:	another node that may send it (a MOVE's source), or 0
 * @status:	0 or -errno from the reply
 * @page:	for a pull, where the page's contents go
 * @npages:	for a push, how many pages it carries
 * @stored:	for a push, how many of them the peer stored (the ack's count)
 * @claim:	a CLAIM: only a CLAIM_REPLY answers it
 * @owner:	for a claim, the node that has the page (the reply's)
 * @slot:	for a granted claim, the page's slot
 * @seq:	the request's sequence number, its key in elastic_reqs
 * @node:	in elastic_reqs while a reply may complete it (under
 *		elastic_reqs_lock); unhashed otherwise
 */
struct elastic_req {
	struct completion done;
	u32 peer;
	u32 peer2;
	int status;
	struct page *page;
	unsigned int npages;
	unsigned int stored;
	bool claim;
	u32 owner;
	u64 slot;
	u64 seq;
	struct hlist_node node;
};

static void elastic_req_init(struct elastic_req *req, u32 peer, struct page *page)
{
	init_completion(&req->done);
	req->peer = peer;
	req->peer2 = 0;
	req->status = -EIO;
	req->page = page;
	req->npages = 0;
	req->stored = 0;
	req->claim = false;
	req->owner = 0;
	req->slot = 0;
	INIT_HLIST_NODE(&req->node);
}

/*
 * Wait for the reply on @seq: from here on the receiver may complete @req.
 * _bh: the socket's receive callback completes requests in softirq.
 */
static void elastic_req_insert(struct elastic_req *req, u64 seq)
{
	req->seq = seq;
	spin_lock_bh(&elastic_reqs_lock);
	hash_add(elastic_reqs, &req->node, seq);
	spin_unlock_bh(&elastic_reqs_lock);
}

static void elastic_req_add(struct elastic_req *req, u32 peer, struct page *page, u64 *seq)
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

/* No reply completes @req after this (a no-op if one did). */
static void elastic_req_remove(struct elastic_req *req)
{
	spin_lock_bh(&elastic_reqs_lock);
	hash_del(&req->node);
	spin_unlock_bh(&elastic_reqs_lock);
}

/* ---- slots being pulled ---- */

/* Under elastic_pulling_lock. */
static struct elastic_pulling_ent *elastic_pulling_find(unsigned long slot)
{
	struct elastic_pulling_ent *e;

	hash_for_each_possible(elastic_pulling, e, node, slot)
		if (e->slot == slot)
			return e;
	return NULL;
}

/* Mark @slot as being pulled: 0, -EBUSY if it is already, or -ENOMEM. */
static int elastic_pulling_add(unsigned long slot, gfp_t gfp)
{
	struct elastic_pulling_ent *e = kmalloc(sizeof(*e), gfp);
	int ret = 0;

	if (!e)
		return -ENOMEM;
	e->slot = slot;
	spin_lock(&elastic_pulling_lock);
	if (elastic_pulling_find(slot))
		ret = -EBUSY;
	else
		hash_add(elastic_pulling, &e->node, slot);
	spin_unlock(&elastic_pulling_lock);
	if (ret)
		kfree(e);
	return ret;
}

/* Atomic: called under page table locks.  Waiters are woken by the caller. */
static void elastic_pulling_del(unsigned long slot)
{
	struct elastic_pulling_ent *e;

	spin_lock(&elastic_pulling_lock);
	e = elastic_pulling_find(slot);
	if (e)
		hash_del(&e->node);
	spin_unlock(&elastic_pulling_lock);
	kfree(e);
}

static bool elastic_pulling_has(unsigned long slot)
{
	bool ret;

	spin_lock(&elastic_pulling_lock);
	ret = elastic_pulling_find(slot);
	spin_unlock(&elastic_pulling_lock);
	return ret;
}

/*
 * Send @type naming @n slots (1..ELASTIC_WIRE_BATCH) to @to, after the
 * type's own fields @pfx (@pfxlen bytes: a MOVE's or a HANDOFF's, none for
 * PUSH, PULL and FREE); a PUSH or HANDOFF carries the pages' places @pl
 * (already in wire order) and @pages[i] for them, sent without a copy:
 * the caller holds them until the send returns.
 */
static int elastic_send_slots_after(u32 to, u32 type, u64 seq, const void *pfx, size_t pfxlen,
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

/* PUSH, PULL or FREE: see elastic_send_slots_after(). */
static int elastic_send_slots(u32 to, u32 type, u64 seq, const unsigned long *slots,
			      unsigned int n, const struct elastic_wire_place *pl,
			      struct page * const *pages, bool more)
{
	return elastic_send_slots_after(to, type, seq, NULL, 0, slots, n, pl, pages, more);
}

/*
 * Wait for the reply to @req, re-sending it with @resend every
 * two heartbeats (a connection may have dropped it) until the peer (or
 * the second one, if any) is declared dead.  A slow peer is thus never
 * mistaken for a dead one.
 */
static int elastic_req_wait(struct elastic_req *req, int (*resend)(void *arg, u64 seq),
			    void *arg)
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
	hash_del(&req->node);
	complete(&req->done);
	spin_unlock_bh(&elastic_reqs_lock);
	return 0;
}

static int elastic_rx_reply(u32 src, const struct elastic_wire_msg *m, const u8 *payload)
{
	return elastic_rx_reply_from(src, m, payload, NULL, 0);
}

/**
 * elastic_mem_rx_reply_skb - handle a PUSH_ACK or PULL_REPLY from the socket
 * @src: sender's node id, a member whose HELLO was accepted
 * @m: the parsed header
 * @skb: holds the message (from the stream parser)
 * @off: where its payload starts in @skb
 *
 * Runs in the socket's receive callback (softirq, or process context with
 * the socket locked): a pulled page goes from the socket's buffers into
 * the faulting task's page, without a copy through the receiver thread.
 *
 * Return: 0, -EAGAIN for any other type, or -errno for a malformed reply;
 * the caller then hands the message to the receiver thread, which handles
 * it through elastic_mem_rx().  Nothing changed when it fails.
 */
int elastic_mem_rx_reply_skb(u32 src, const struct elastic_wire_msg *m,
			     const struct sk_buff *skb, unsigned int off)
{
	u8 head[sizeof(struct elastic_wire_reply) + sizeof(__be32)];

	if (m->type != ELASTIC_MSG_PULL_REPLY && m->type != ELASTIC_MSG_PUSH_ACK)
		return -EAGAIN;
	/* The fields it reads; a wrong length fails in parse_reply. */
	if (m->len < sizeof(struct elastic_wire_reply) ||
	    skb_copy_bits(skb, off, head, min_t(size_t, m->len, sizeof(head))))
		return -EMSGSIZE;
	return elastic_rx_reply_from(src, m, head, skb, off);
}

/* ---- owner map (home side) ---- */

static unsigned int elastic_slot_owner(void *v)
{
	return xa_to_value(v) & ELASTIC_SLOT_OWNER_MASK;
}

static unsigned long elastic_slot_refs(void *v)
{
	return xa_to_value(v) >> ELASTIC_SLOT_REF_SHIFT;
}

static void *elastic_slot_val(unsigned int owner, unsigned long refs)
{
	return xa_mk_value(owner | refs << ELASTIC_SLOT_REF_SHIFT);
}

static int elastic_slot_alloc(unsigned int owner, u32 *slot)
{
	int ret;

	ret = xa_alloc(&elastic_slots, slot, elastic_slot_val(owner, 1),
		       XA_LIMIT(1, U32_MAX), GFP_KERNEL);
	if (!ret) {
		atomic_long_inc(&elastic_owned[owner]);
		atomic64_inc(&elastic_mstats.remote_pages);
	}
	return ret;
}

/*
 * Drop one reference to @slot; the last one hands the slot to the free
 * worker.  Atomic: called under page table locks.
 */
static void elastic_slot_put(unsigned long slot)
{
	void *v;

	xa_lock(&elastic_slots);
	v = xa_load(&elastic_slots, slot);
	if (WARN_ON_ONCE(!v || !elastic_slot_refs(v))) {
		xa_unlock(&elastic_slots);
		return;
	}
	v = elastic_slot_val(elastic_slot_owner(v), elastic_slot_refs(v) - 1);
	__xa_store(&elastic_slots, slot, v, GFP_ATOMIC);	/* replaces: no allocation */
	if (!elastic_slot_refs(v))
		__xa_set_mark(&elastic_slots, slot, ELASTIC_SLOT_FREEING);
	xa_unlock(&elastic_slots);
	if (elastic_slot_refs(v))
		return;
	/*
	 * The worker takes every marked slot: arm it for the first, run it
	 * at once for a message's worth, and leave it alone in between (a
	 * timer rearmed for each of a stream of pulled pages was 2% of a
	 * sequential pass).
	 */
	switch (atomic_inc_return(&elastic_free_pending)) {
	case 1:
		queue_delayed_work(system_wq, &elastic_free_work, ELASTIC_FREE_DELAY);
		break;
	case ELASTIC_WIRE_BATCH:
		mod_delayed_work(system_wq, &elastic_free_work, 0);
		break;
	}
}

static void elastic_slot_get(unsigned long slot)
{
	void *v;

	xa_lock(&elastic_slots);
	v = xa_load(&elastic_slots, slot);
	if (!WARN_ON_ONCE(!v))
		__xa_store(&elastic_slots, slot,
			   elastic_slot_val(elastic_slot_owner(v), elastic_slot_refs(v) + 1),
			   GFP_ATOMIC);
	xa_unlock(&elastic_slots);
}

static int elastic_slot_owner_of(unsigned long slot)
{
	void *v = xa_load(&elastic_slots, slot);

	return v ? elastic_slot_owner(v) : -ENOENT;
}

/* Collects FREEs for one node and sends them ELASTIC_WIRE_BATCH at a time. */
struct elastic_free_batch {
	u32 to;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
};

/*
 * FREE the slots of @fb, which lost their last reference, on their owner,
 * then forget them.  Return 0, or -EAGAIN when the owner is alive but could
 * not be told now.
 */
static int elastic_free_flush(struct elastic_free_batch *fb)
{
	unsigned int i, n = fb->n;
	void *v;

	fb->n = 0;
	/* A dead or removed owner has dropped the pages already. */
	if (elastic_send_slots(fb->to, ELASTIC_MSG_FREE, elastic_next_seq(), fb->slots, n,
			       NULL, NULL, false) && elastic_peer_alive(fb->to))
		return -EAGAIN;
	for (i = 0; i < n; i++) {
		xa_lock(&elastic_slots);
		v = xa_load(&elastic_slots, fb->slots[i]);
		if (v && !elastic_slot_refs(v)) {
			__xa_erase(&elastic_slots, fb->slots[i]);
			atomic_long_dec(&elastic_owned[fb->to]);
			atomic64_dec(&elastic_mstats.remote_pages);
		}
		xa_unlock(&elastic_slots);
		atomic64_inc(&elastic_mstats.frees);
	}
	return 0;
}

/* Send FREE for every slot whose last reference went, a batch per owner. */
static void elastic_free_fn(struct work_struct *work)
{
	/* Only this work item uses them, and it never runs twice at once. */
	static struct elastic_free_batch fb[ELASTIC_MAX_NODE_ID + 1];
	unsigned long slot;
	unsigned int owner;
	int ret = 0;
	void *v;

	atomic_set(&elastic_free_pending, 0);
	for (owner = 0; owner <= ELASTIC_MAX_NODE_ID; owner++)
		fb[owner] = (struct elastic_free_batch){ .to = owner };
	xa_for_each_marked(&elastic_slots, slot, v, ELASTIC_SLOT_FREEING) {
		owner = elastic_slot_owner(v);
		fb[owner].slots[fb[owner].n++] = slot;
		if (fb[owner].n == ELASTIC_WIRE_BATCH) {
			ret = elastic_free_flush(&fb[owner]);
			if (ret)
				break;
		}
	}
	for (owner = 1; owner <= ELASTIC_MAX_NODE_ID && !ret; owner++)
		if (fb[owner].n)
			ret = elastic_free_flush(&fb[owner]);
	/* Not connected right now: the slots stay marked; try again shortly. */
	if (ret)
		queue_delayed_work(system_wq, &elastic_free_work, ELASTIC_FREE_DELAY);
}

/**
 * elastic_mem_node_pages - pages that member @id holds for this node
 * @id: node id
 *
 * Return: how many slots of the owner map name @id.
 */
long elastic_mem_node_pages(u32 id)
{
	return elastic_node_id_valid(id) ? atomic_long_read(&elastic_owned[id]) : 0;
}

/* ---- hosted store (owner side) ---- */

/* One more page hosted for @home (elastic_host_drop() undoes it). */
static void elastic_host_count(u32 home)
{
	atomic_long_inc(&elastic_hosted_for[home]);
	if (atomic64_inc_return(&elastic_mstats.hosted_pages) == 1) {
		__module_get(THIS_MODULE);	/* no unload while hosting */
		/* Watch memory while hosting (a no-op while it is queued). */
		queue_delayed_work(system_unbound_wq, &elastic_pressure_work, HZ / 10);
	}
}

/*
 * File a page for @home under @slot.  @tag is 0 for a PUSH from @home, whose
 * repetition replaces the page; for a HANDOFF it is the MOVE's sequence
 * number.  A HANDOFF meeting another copy of the slot is refused with
 * -EEXIST unless it is a repetition of the same MOVE: that copy is stale,
 * its FREE from the home still on its way (the home's messages and this
 * HANDOFF travel on different connections), and the FREE would drop the
 * new page in its place.  The home moves the slot again later.
 */
static int elastic_host_put(u32 home, u64 slot, const struct elastic_place *pl, const u8 *data,
			    u64 tag)
{
	unsigned long cap = READ_ONCE(elastic_mparams.max_hosted_pages);
	struct page *page, *old;
	void *kaddr;
	bool same;

	if (tag) {
		xa_lock(&elastic_hosted[home]);
		old = xa_load(&elastic_hosted[home], slot);
		same = old && page_private(old) == tag;
		xa_unlock(&elastic_hosted[home]);
		if (old)
			return same ? 0 : -EEXIST;
	}

	/* Nor while this node is short of memory: it asks for pages to go. */
	if (READ_ONCE(elastic_evacuating) || elastic_pressure_deficit())
		return -ENOSPC;
	if (cap && atomic64_read(&elastic_mstats.hosted_pages) >= cap &&
	    !xa_load(&elastic_hosted[home], slot))
		return -ENOSPC;
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return -ENOMEM;
	kaddr = kmap_local_page(page);
	memcpy(kaddr, data, PAGE_SIZE);
	kunmap_local(kaddr);
	set_page_private(page, tag);
	if (tag)	/* only this connection's receiver hands this slot here */
		old = xa_cmpxchg(&elastic_hosted[home], slot, NULL, page, GFP_KERNEL);
	else
		old = xa_store(&elastic_hosted[home], slot, page, GFP_KERNEL);
	if (xa_is_err(old)) {
		__free_page(page);
		return -ENOMEM;
	}
	if (old && tag) {
		__free_page(page);
		return page_private(old) == tag ? 0 : -EEXIST;
	}
	if (old) {
		/* A repeated push of the same slot. */
		elastic_shadow_unmap(home, slot, old);
		__free_page(old);
	} else {
		elastic_host_count(home);
	}
	/* A FREE racing a (malformed) repeat cannot free it under the shadow. */
	get_page(page);
	elastic_shadow_map(home, slot, pl, page);
	put_page(page);
	return 0;
}

/**
 * elastic_mem_hosted - the page hosted for @home under @slot
 * @home: node id
 * @slot: slot
 *
 * Return: the page with a reference, or NULL.
 */
struct page *elastic_mem_hosted(u32 home, u64 slot)
{
	struct page *page;

	xa_lock(&elastic_hosted[home]);
	page = xa_load(&elastic_hosted[home], slot);
	if (page)
		get_page(page);
	xa_unlock(&elastic_hosted[home]);
	return page;
}

/**
 * elastic_mem_hosted_for - pages this node hosts for @home
 * @home: node id
 *
 * Return: how many.
 */
long elastic_mem_hosted_for(u32 home)
{
	return atomic_long_read(&elastic_hosted_for[home]);
}

/*
 * File @n pages (@data, one after the other) for @home under @slots, to be
 * mapped at their places (@wpl, as on the wire and checked) in their
 * shadows, in order up to the first that cannot be; *@ret says why.
 * Return how many.
 */
static unsigned int elastic_host_put_n(u32 home, const u64 *slots, const void *wpl,
				       const u8 *data, unsigned int n, u64 tag, int *ret)
{
	struct elastic_place pl;
	unsigned int i;

	*ret = 0;
	for (i = 0; i < n; i++) {
		elastic_wire_place_at(wpl, i, &pl);
		*ret = elastic_host_put(home, slots[i], &pl, data + i * PAGE_SIZE, tag);
		if (*ret)
			break;
		/* A PULL behind this message need not wait for all its pages. */
		elastic_rx_pulls();
	}
	atomic64_add(i, &elastic_mstats.hosted_in);
	return i;
}

static void elastic_host_drop(u32 home, u64 slot)
{
	struct page *page = xa_erase(&elastic_hosted[home], slot);

	if (!page)
		return;
	elastic_shadow_unmap(home, slot, page);
	set_page_private(page, 0);
	__free_page(page);
	atomic_long_dec(&elastic_hosted_for[home]);
	if (atomic64_dec_and_test(&elastic_mstats.hosted_pages))
		module_put(THIS_MODULE);
}

static void elastic_host_drop_all(u32 home)
{
	struct page *page;
	unsigned long slot;
	unsigned long n = 0;

	xa_for_each(&elastic_hosted[home], slot, page) {
		elastic_host_drop(home, slot);
		n++;
	}
	if (n)
		pr_warn("dropped %lu pages hosted for node %u\n", n, home);
}

/*
 * Pages hosted for a node declared dead are dropped only if it is still
 * dead orphan_keep_ms later (at least one more detection period): a home
 * that is merely slow (a loaded VM, or one deep in reclaim, can be silent
 * for seconds) and comes back must find its pages.
 */
struct elastic_orphans {
	struct delayed_work work;
	u32 home;
};

static struct elastic_orphans elastic_orphans[ELASTIC_MAX_NODE_ID + 1];

static void elastic_orphans_fn(struct work_struct *work)
{
	struct elastic_orphans *o = container_of(to_delayed_work(work),
						 struct elastic_orphans, work);

	if (!elastic_peer_alive(o->home)) {
		elastic_host_drop_all(o->home);
		elastic_shadow_drop_home(o->home);
	}
}

/**
 * elastic_mem_node_dead - member @id was declared dead
 * @id: node id
 *
 * The pages this node hosts for it are orphans if its processes died with
 * it: they are dropped after orphan_keep_ms (at least one more detection
 * period) unless it comes back.  (Pages it held for this node are lost;
 * faults on them raise SIGBUS, see elastic_mem_pull().)
 */
void elastic_mem_node_dead(u32 id)
{
	unsigned long delay;

	if (!elastic_node_id_valid(id))
		return;
	delay = msecs_to_jiffies(max(READ_ONCE(elastic_params.heartbeat_ms) *
				     READ_ONCE(elastic_params.heartbeat_misses),
				     READ_ONCE(elastic_mparams.orphan_keep_ms)));
	mod_delayed_work(system_wq, &elastic_orphans[id].work, delay);
}

/**
 * elastic_mem_node_restarted - member @id is back as a new incarnation
 * @id: node id
 *
 * What this node hosts for it belongs to processes that died with its
 * earlier life: the new one never frees those slots, and allocates the
 * same numbers anew.  They go now, before the new life's first message
 * (called by the receiver of its HELLO).  Pages of this node's processes
 * that it held are lost: pulls of them fail with SIGBUS.
 */
void elastic_mem_node_restarted(u32 id)
{
	if (!elastic_node_id_valid(id))
		return;
	atomic64_inc(&elastic_mstats.restarts);
	pr_warn("node %u restarted: %ld pages it held for this node are lost\n", id,
		atomic_long_read(&elastic_owned[id]));
	cancel_delayed_work(&elastic_orphans[id].work);
	elastic_host_drop_all(id);
	elastic_shadow_drop_home(id);
}

/* A lost reply is re-requested by the home. */
static void elastic_ack(u32 to, u64 req_seq, int status, unsigned int stored)
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

/* Store the pages of a PUSH in order, up to the first that cannot be. */
static void elastic_rx_push(u32 src, const struct elastic_wire_msg *m, const u8 *payload,
			    const u64 *slots, unsigned int n)
{
	unsigned int i;
	int ret;

	i = elastic_host_put_n(src, slots, payload + elastic_wire_slots_len(n),
			       payload + elastic_wire_pages_off(n), n, 0, &ret);
	elastic_ack(src, m->seq, ret, i);
}

/*
 * A home asks this node to hand some of its pages to @to (MOVE).  They go
 * in one HANDOFF, in order up to the first this node lacks, straight from
 * the hosted pages (references keep them while they are sent); the copies
 * stay until the home, told by @to that it holds them, sends FREE.  So a
 * repeated MOVE hands the same pages again, and a lost message loses none.
 */
static void elastic_rx_move(u32 home, const struct elastic_wire_msg *m, u32 to,
			    const u64 *slots, unsigned int n)
{
	struct elastic_wire_handoff h = {
		.home = cpu_to_be32(home),
		.req_seq = cpu_to_be64(m->seq),
	};
	/* Off the stack: the receiver's frame holds a batch of slots already. */
	struct {
		unsigned long slots[ELASTIC_WIRE_BATCH];
		struct page *pages[ELASTIC_WIRE_BATCH];
		struct elastic_place pl[ELASTIC_WIRE_BATCH];
		struct elastic_wire_place wpl[ELASTIC_WIRE_BATCH];
	} *x;
	struct page *page;
	unsigned int i, k;
	int ret;

	x = kmalloc(sizeof(*x), GFP_KERNEL);
	if (!x) {
		elastic_ack(home, m->seq, -ENOMEM, 0);
		return;
	}
	for (k = 0; k < n; k++) {
		page = elastic_mem_hosted(home, slots[k]);
		if (!page)
			break;
		if (elastic_shadow_place(home, slots[k], &x->pl[k])) {
			put_page(page);
			break;
		}
		x->slots[k] = slots[k];
		x->pages[k] = page;
		elastic_wire_place_set(&x->wpl[k], &x->pl[k]);
	}
	ret = -ENOENT;
	if (k) {
		/* The layouts first, on the same connection. */
		elastic_shadow_forward(home, to, x->pl, k);
		h.status = cpu_to_be32(k < n ? ENOENT : 0);
		ret = elastic_send_slots_after(to, ELASTIC_MSG_HANDOFF, elastic_next_seq(), &h,
					       sizeof(h), x->slots, k, x->wpl, x->pages, false);
		if (ret) {
			atomic64_inc(&elastic_mstats.send_errors);
			ret = -EHOSTUNREACH;
		}
	}
	for (i = 0; i < k; i++)
		put_page(x->pages[i]);
	kfree(x);
	if (ret)
		elastic_ack(home, m->seq, ret, 0);
	else
		atomic64_add(k, &elastic_mstats.handed_off);
}

/*
 * Pages of @home that member @src hands to this node at @home's request:
 * filed as if @home had pushed them, and acknowledged to @home on its
 * MOVE's sequence number (the stored count, and why the next was not).
 */
static void elastic_rx_handoff(u32 src, u32 home, int status, u64 req_seq, const u8 *payload,
			       const u64 *slots, unsigned int n)
{
	const u8 *w = payload + sizeof(struct elastic_wire_handoff);
	unsigned int i;
	int ret;

	i = elastic_host_put_n(home, slots, w + elastic_wire_slots_len(n),
			       w + elastic_wire_pages_off(n), n, req_seq, &ret);
	atomic64_add(i, &elastic_mstats.handed_in);
	elastic_ack(home, req_seq, ret ?: status, i);
}

/*
 * Answer each slot of a PULL, the i-th on the PULL's sequence number + i,
 * straight from the hosted page: a reference keeps it while it is sent,
 * should a FREE or the home's death drop it meanwhile.
 */
static noinline_for_stack void
elastic_rx_pull(u32 src, const struct elastic_wire_msg *m, const u64 *slots, unsigned int n)
{
	struct elastic_wire_reply r[ELASTIC_WIRE_BATCH];
	struct page *pages[ELASTIC_WIRE_BATCH];
	unsigned int i;

	/* All the replies in one send: full-sized segments, not one per page. */
	for (i = 0; i < n; i++) {
		pages[i] = elastic_mem_hosted(src, slots[i]);
		r[i] = (struct elastic_wire_reply){
			.req_seq = cpu_to_be64(m->seq + i),
			.status = cpu_to_be32(pages[i] ? 0 : ENOENT),
		};
	}
	/* Pages from alloc_page(GFP_KERNEL) are never highmem. */
	elastic_reply_each(src, ELASTIC_MSG_PULL_REPLY, n, sizeof(r[0]), r, pages);
	for (i = 0; i < n; i++)
		if (pages[i])
			put_page(pages[i]);
}

/*
 * A home's LAYOUT (or one a member forwards with a HANDOFF of that home's
 * pages): the shadow follows it.  A home this node does not know, or this
 * node itself, is malformed.
 */
static int elastic_rx_layout(u32 src, u32 self, const struct elastic_wire_msg *m,
			     const u8 *payload)
{
	struct elastic_range *r;
	unsigned int n;
	u32 home, id;
	u64 gen;
	int ret;

	r = kvmalloc_array(ELASTIC_WIRE_LAYOUT_MAX, sizeof(*r), GFP_KERNEL);
	if (!r) {
		/* Not the sender's fault: the shadow misses this version. */
		atomic64_inc(&elastic_mstats.shadow_errors);
		return 0;
	}
	ret = elastic_wire_parse_layout(payload, m->len, &home, &id, &gen, r, &n);
	if (!ret && (home == self || (home != src && !elastic_node_known(home))))
		ret = -EPROTO;
	if (!ret)
		elastic_shadow_layout(home, id, gen, r, n);
	kvfree(r);
	return ret;
}

static int elastic_rx_claim(u32 src, const struct elastic_wire_msg *m, const u8 *payload);
static int elastic_rx_claim_reply(u32 src, const struct elastic_wire_msg *m, const u8 *payload);

/**
 * elastic_mem_rx - handle a memory message from member @src
 * @src: sender's node id, a member whose HELLO was accepted
 * @m: the parsed header
 * @payload: @m->len bytes of payload
 *
 * Return: 0, or -errno for a malformed message (the connection closes).
 */
int elastic_mem_rx(u32 src, const struct elastic_wire_msg *m, const u8 *payload)
{
	u32 self = READ_ONCE(elastic_node.id);
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n, i;
	u32 node;
	int ret, st;
	u64 cap;
	bool on;

	switch (m->type) {
	case ELASTIC_MSG_PUSH_ACK:
	case ELASTIC_MSG_PULL_REPLY:
		return elastic_rx_reply(src, m, payload);
	case ELASTIC_MSG_PUSH:
		ret = elastic_wire_parse_slots(m->type, payload, m->len, slots, NULL, &n);
		if (!ret)
			elastic_rx_push(src, m, payload, slots, n);
		return ret;
	case ELASTIC_MSG_PULL:
	case ELASTIC_MSG_FREE:
		ret = elastic_wire_parse_slots(m->type, payload, m->len, slots, NULL, &n);
		if (ret)
			return ret;
		if (m->type == ELASTIC_MSG_PULL) {
			elastic_rx_pull(src, m, slots, n);
			return 0;
		}
		for (i = 0; i < n; i++) {
			elastic_host_drop(src, slots[i]);
			elastic_rx_pulls();
		}
		return 0;
	case ELASTIC_MSG_CAP:
		ret = elastic_wire_parse_cap(payload, m->len, &cap);
		if (ret)
			return ret;
		/* Pages hosted beyond a lowered cap stay; new pushes are refused. */
		WRITE_ONCE(elastic_mparams.max_hosted_pages, cap);
		atomic64_inc(&elastic_mstats.caps_set);
		pr_info("node %u set this node's hosting cap to %llu pages\n", src, cap);
		elastic_ack(src, m->seq, 0, 0);
		return 0;
	case ELASTIC_MSG_EVACUATE:
		ret = elastic_wire_parse_evacuate(payload, m->len, &on);
		if (ret)
			return ret;
		if (!on) {
			if (test_and_clear_bit(src, elastic_draining))
				pr_info("node %u takes pages again\n", src);
			return 0;
		}
		if (!test_and_set_bit(src, elastic_draining)) {
			pr_info("node %u is being reclaimed: moving this node's pages off it\n",
				src);
			elastic_nl_notify(ELASTIC_EVENT_TYPE_EVACUATE, src);
		}
		atomic64_inc(&elastic_mstats.evacuations);
		/* The member repeats the request; a queued drain covers them all. */
		queue_work(system_unbound_wq, &elastic_evac_work[src]);
		return 0;
	case ELASTIC_MSG_RELIEVE:
		ret = elastic_wire_parse_relieve(payload, m->len, &cap);
		if (ret)
			return ret;
		/* Repeated while the member stays short: the latest count holds. */
		atomic_long_set(&elastic_relieve_want[src], cap);
		queue_work(system_unbound_wq, &elastic_relieve_work[src]);
		return 0;
	case ELASTIC_MSG_MOVE:
		ret = elastic_wire_parse_move(payload, m->len, &node, slots, &n);
		if (ret)
			return ret;
		if (node == src || node == self)
			return -EPROTO;
		elastic_rx_move(src, m, node, slots, n);
		return 0;
	case ELASTIC_MSG_HANDOFF:
		ret = elastic_wire_parse_handoff(payload, m->len, &node, &st, &cap, slots, NULL,
						 &n);
		if (ret)
			return ret;
		/* Pages of a node it does not know, this node could never free. */
		if (node == src || node == self || !elastic_node_known(node))
			return -EPROTO;
		elastic_rx_handoff(src, node, st, cap, payload, slots, n);
		return 0;
	case ELASTIC_MSG_LAYOUT:
		return elastic_rx_layout(src, self, m, payload);
	case ELASTIC_MSG_CLAIM:
		return elastic_rx_claim(src, m, payload);
	case ELASTIC_MSG_CLAIM_REPLY:
		return elastic_rx_claim_reply(src, m, payload);
	}
	return -EPROTO;
}

/* ---- stretched processes (home side) ---- */

/**
 * struct elastic_stream - a sequential run of faults of one process
 * @last:	address of its latest fault, or of the last page mapped ahead
 *		of it: a fault at the next page continues the run
 * @at:		address of its latest fault
 * @start:	where it started, or where pushes behind it go on from
 *		(elastic_push_behind()); 0: none
 * @pf_end:	end of the pages asked for ahead of it
 * @window:	pages to prefetch at its next fault (0: not sequential yet)
 * @used:	the process's stream_clock at its latest fault
 *
 * Several are followed at once (ELASTIC_STREAMS), as readahead keeps a
 * state per open file: a process that walks two arrays, or an array and
 * its own bookkeeping, interleaves two runs, and one state would see
 * neither as sequential.  Hints, read and written without a lock: a
 * race costs a prefetch or a push decision, never a page.
 */
struct elastic_stream {
	unsigned long last;
	unsigned long at;
	unsigned long start;
	unsigned long pf_end;
	unsigned int window;
	unsigned long used;
};

#define ELASTIC_STREAMS		4

/**
 * struct elastic_mm - elastic state of one stretched address space
 * @mm:		the address space (mm->elastic points back here)
 * @nodes:	bitmap of member node ids its pages may go to
 * @limit:	resident anonymous pages allowed at home; 0: no limit
 * @remote:	pages of this mm held by each node (its entries, not slots)
 * @faults:	faults on its remote pages
 * @pulls:	pages pulled home
 * @pushes:	pages pushed out
 * @bytes_in:	page bytes received
 * @bytes_out:	page bytes sent
 * @coalesced:	faults that waited for another fault's pull of the page
 * @lat_us:	pull latency histogram, power-of-two buckets of microseconds
 * @push_lock:	serialises pushes of this mm
 * @pushers:	threads other than the process's own in elastic_mem_push_mm(),
 *		waiting for @push_lock or pushing; each holds an mm_users
 *		reference (elastic_push_wanted())
 * @cursor:	where the next push scan starts (a CLOCK hand)
 * @list:	in elastic_mms, under elastic_mms_lock
 * @pf:		prefetched pages: slot -> struct elastic_pf, in flight or
 *		arrived, until a fault takes them or the slot is released
 * @npf:	entries in @pf
 * @streams:	sequential runs of faults being followed (struct elastic_stream)
 * @stream_clock: counts faults, to find the least recently used stream
 * @pf_hits:	pages served from @pf: by their fault, or mapped ahead
 * @ahead:	pages of @pf_hits mapped ahead of a fault (elastic_mem_ahead())
 * @pull_msgs:	PULLs sent for it, re-sent ones not counted
 * @push_msgs:	PUSHes sent for it, re-sent ones not counted
 * @ref:	one for mm->elastic, one for each push or queued limit task
 *		work (struct elastic_throttle) that uses the structure without
 *		the mmap_lock
 * @unstretching: an unstretch is bringing the pages home (under @push_lock)
 * @full_at:	jiffies (| 1) when every member last refused a push for lack
 *		of room; 0 once one took pages again
 * @bg_work:	pushes ahead of the local limit (elastic_bg_fn()), queued on
 *		elastic_bg_wq with a reference to the structure and the mm
 * @id:		the process's number on this node (1..ELASTIC_WIRE_MM_MAX),
 *		which names its shadows on the members
 * @layout:	its private anonymous ranges as last sent (@nlayout of them,
 *		ELASTIC_WIRE_LAYOUT_MAX allocated), under @push_lock
 * @layout_next: where the next look at them is built, swapped with
 *		@layout on a change
 * @layout_buf:	the one allocation of both, made at the first push
 * @nlayout:	ranges in @layout
 * @layout_gen:	version of @layout (elastic_layout_gens), 0 before the first
 * @layout_sent: for each member, the connection (elastic_peer_conn()) on
 *		which it was sent @layout_gen, 0 if not; under @push_lock
 *
 * @remote counts this mm's entries by the owner they name; a drain
 * rewrites the entries (elastic_remap_entries()) and moves the counts.
 * mm->elastic is set under the mmap_lock and cleared with every fault
 * excluded (elastic_mmap_write_lock_all()) or at the mm's end.
 */
struct elastic_mm {
	struct mm_struct *mm;
	u64 nodes;
	unsigned long limit;
	atomic_long_t remote[ELASTIC_MAX_NODE_ID + 1];
	atomic64_t faults;
	atomic64_t pulls;
	atomic64_t pushes;
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t coalesced;
	atomic64_t lat_us[ELASTIC_LAT_BUCKETS];
	struct mutex push_lock;	/* see @push_lock above */
	atomic_t pushers;
	unsigned long cursor;
	struct list_head list;
	struct xarray pf;
	atomic_t npf;
	struct elastic_stream streams[ELASTIC_STREAMS];
	unsigned long stream_clock;
	atomic64_t pf_hits;
	atomic64_t ahead;
	atomic64_t pull_msgs;
	atomic64_t push_msgs;
	struct kref ref;
	bool unstretching;
	unsigned long full_at;
	struct work_struct bg_work;
	u32 id;
	struct elastic_range *layout;
	struct elastic_range *layout_next;
	struct elastic_range *layout_buf;
	unsigned int nlayout;
	u64 layout_gen;
	u32 layout_sent[ELASTIC_MAX_NODE_ID + 1];
};

/* Numbers of stretched processes (struct elastic_mm.id). */
static DEFINE_IDA(elastic_mm_ids);
/* Layout versions: one counter, so that a reused id's layouts are newer. */
static atomic64_t elastic_layout_gens = ATOMIC64_INIT(0);

/**
 * struct elastic_gone - a process whose members must drop its shadows
 * @work:	sends the LAYOUTs (elastic_gone_fn())
 * @id:		the process's number, free again once they are sent
 */
struct elastic_gone {
	struct work_struct work;
	u32 id;
};

/**
 * struct elastic_pf - a page pulled ahead of its fault
 * @page:	where the reply's data goes
 * @owner:	node asked
 * @slot:	the page's slot (the key in elastic_mm.pf)
 * @req:	completed by the receiver
 */
struct elastic_pf {
	struct page *page;
	u32 owner;
	unsigned long slot;
	struct elastic_req req;
};

/* Window growth on sequential faults, and the most pages kept ahead. */
#define ELASTIC_PF_START	4
#define ELASTIC_PF_MAX_WINDOW	32
#define ELASTIC_PF_MAX		256

/*
 * Pushes ahead of the local limit and of memory pressure: a worker starts
 * once a process is within ELASTIC_BG_START pages of its limit, or
 * MemAvailable is under push_below_kb, and pushes it down to
 * ELASTIC_BG_LOW pages under the limit, or the shortfall and a batch, as
 * kswapd reclaims ahead of direct reclaim, so that faults rarely wait for
 * a push's ack.  The faulting thread still pushes itself past the limit,
 * or with MemAvailable under half of push_below_kb (elastic_mem_charge()).
 * Their own workqueue: unload waits for a worker that dropped the last
 * reference to the module.
 */
#define ELASTIC_BG_START	ELASTIC_PUSH_BATCH
#define ELASTIC_BG_LOW		(4 * ELASTIC_PUSH_BATCH)
static struct workqueue_struct *elastic_bg_wq;
static void elastic_bg_fn(struct work_struct *work);
/*
 * Work that sends and waits (a process's end, a member's claim): the
 * module's own, so that unload waits for it, and not WQ_MEM_RECLAIM, so
 * that it may flush system work.
 */
static struct workqueue_struct *elastic_wq;

static atomic_t elastic_nstretched = ATOMIC_INIT(0);
static LIST_HEAD(elastic_mms);
static DEFINE_MUTEX(elastic_mms_lock);

int elastic_mem_nstretched(void)
{
	return atomic_read(&elastic_nstretched);
}

static struct elastic_mm *elastic_mm_alloc(struct mm_struct *mm, u64 nodes, unsigned long limit)
{
	struct elastic_mm *em;

	/* Pinned for as long as any process is stretched: no unload then. */
	if (!try_module_get(THIS_MODULE))
		return NULL;
	em = kzalloc(sizeof(*em), GFP_KERNEL);
	if (!em) {
		module_put(THIS_MODULE);
		return NULL;
	}
	em->id = ida_alloc_range(&elastic_mm_ids, 1, ELASTIC_WIRE_MM_MAX, GFP_KERNEL);
	if ((int)em->id < 0) {
		kfree(em);
		module_put(THIS_MODULE);
		return NULL;
	}
	em->mm = mm;
	em->nodes = nodes;
	em->limit = limit;
	mutex_init(&em->push_lock);
	xa_init(&em->pf);
	kref_init(&em->ref);
	INIT_WORK(&em->bg_work, elastic_bg_fn);
	atomic_inc(&elastic_nstretched);
	mutex_lock(&elastic_mms_lock);
	list_add(&em->list, &elastic_mms);
	mutex_unlock(&elastic_mms_lock);
	/* A no-op while it is queued already. */
	queue_delayed_work(system_unbound_wq, &elastic_pressure_work, HZ / 10);
	return em;
}

/*
 * Forget a prefetched page.  Its request leaves elastic_reqs first: the
 * receiver copies under that lock, so no copy into the page is under way
 * once xa_erase() returns.  Atomic: called under page table locks.
 */
static void elastic_pf_drop(struct elastic_mm *em, struct elastic_pf *pf)
{
	elastic_req_remove(&pf->req);
	put_page(pf->page);	/* a charged folio: put, not freed */
	kfree(pf);
	atomic_dec(&em->npf);
}

/* Slot numbers are reused once free: no prefetch may outlive its slot. */
static void elastic_pf_forget(struct elastic_mm *em, unsigned long slot)
{
	struct elastic_pf *pf = xa_erase(&em->pf, slot);

	if (pf)
		elastic_pf_drop(em, pf);
}

/*
 * A stretched process is gone: its members drop its shadows.  Every member
 * is told, since a member that got its layout from another (with a
 * HANDOFF) may have one.  After the FREEs of its pages (which its end
 * queued), on the same connections, so that no page of it is mapped into a
 * shadow of the id's next user; the id is free again only then.
 */
static void elastic_gone_fn(struct work_struct *work)
{
	struct elastic_gone *g = container_of(work, struct elastic_gone, work);
	struct elastic_wire_layout w;
	int i;

	flush_delayed_work(&elastic_free_work);
	elastic_wire_put_layout(&w, READ_ONCE(elastic_node.id), g->id,
				atomic64_inc_return(&elastic_layout_gens), NULL, 0);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		if (elastic_peer_conn(i))
			elastic_peer_send(i, ELASTIC_MSG_LAYOUT, elastic_next_seq(), &w, sizeof(w),
					  NULL, 0);
	ida_free(&elastic_mm_ids, g->id);
	kfree(g);
	module_put(THIS_MODULE);
}

static void elastic_mm_gone(struct elastic_mm *em)
{
	struct elastic_gone *g = NULL;

	/* Shadows exist only if the home sent a layout. */
	if (em->layout_gen)
		g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g) {
		/* Nobody to tell (or no memory: the shadows stay until unload). */
		ida_free(&elastic_mm_ids, em->id);
		return;
	}
	g->id = em->id;
	/* On the module's own workqueue: unload waits for it (it holds the module). */
	__module_get(THIS_MODULE);
	INIT_WORK(&g->work, elastic_gone_fn);
	queue_work(elastic_wq, &g->work);
}

static void elastic_mm_release(struct kref *ref)
{
	struct elastic_mm *em = container_of(ref, struct elastic_mm, ref);
	struct elastic_pf *pf;
	unsigned long slot;
	int i;

	xa_for_each(&em->pf, slot, pf) {
		xa_erase(&em->pf, slot);
		elastic_pf_drop(em, pf);
	}
	xa_destroy(&em->pf);

	mutex_lock(&elastic_mms_lock);
	list_del(&em->list);
	mutex_unlock(&elastic_mms_lock);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		WARN_ON_ONCE(atomic_long_read(&em->remote[i]));
	elastic_mm_gone(em);
	kvfree(em->layout_buf);
	kfree(em);
	atomic_dec(&elastic_nstretched);
	module_put(THIS_MODULE);
}

static void elastic_mm_put(struct elastic_mm *em)
{
	kref_put(&em->ref, elastic_mm_release);
}

/* @mm's elastic state with a reference, or NULL when it is not stretched. */
static struct elastic_mm *elastic_mm_get(struct mm_struct *mm)
{
	struct elastic_mm *em;

	mmap_read_lock(mm);
	em = mm->elastic;
	if (em)
		kref_get(&em->ref);
	mmap_read_unlock(mm);
	return em;
}

static unsigned long elastic_mm_remote(struct elastic_mm *em)
{
	unsigned long n = 0;
	int i;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		n += atomic_long_read(&em->remote[i]);
	return n;
}

static int elastic_pull_send(void *arg, u64 seq)
{
	unsigned long *slotp = arg;

	return elastic_send_slots(slotp[1], ELASTIC_MSG_PULL, seq, slotp, 1, NULL, NULL, false);
}

static void elastic_lat_add(struct elastic_mm *em, u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);
	int b = us ? min_t(int, ilog2(us) + 1, ELASTIC_LAT_BUCKETS - 1) : 0;

	atomic64_inc(&em->lat_us[b]);
}

/*
 * Set up the prefetch of @slot (not yet asked for), the page at @addr in
 * @vma: hold the slot as a fault does, so that a fault on it either finds
 * the prefetch or has the slot to itself, and never maps the page while a
 * prefetch of it is being started.  The page is allocated and charged as
 * the fault would, so that it can be mapped ahead of it as it is
 * (elastic_mem_ahead()).  Return it held, or NULL (best effort: the fault
 * pulls then).
 */
static noinline_for_stack struct elastic_pf *
elastic_prefetch_prep(struct elastic_mm *em, unsigned long slot, struct vm_area_struct *vma,
		      unsigned long addr)
{
	struct elastic_pf *pf = NULL;
	struct folio *folio;
	int owner;

	if (xa_load(&em->pf, slot))
		return NULL;
	if (elastic_pulling_add(slot, GFP_KERNEL))
		return NULL;
	owner = elastic_slot_owner_of(slot);
	if (owner > 0 && elastic_peer_alive(owner))
		pf = kzalloc(sizeof(*pf), GFP_KERNEL | __GFP_NOWARN);
	if (pf) {
		folio = elastic_alloc_folio(vma, addr);
		pf->page = folio ? folio_page(folio, 0) : NULL;
	}
	if (pf && pf->page) {
		pf->owner = owner;
		pf->slot = slot;
		elastic_req_init(&pf->req, owner, pf->page);
		return pf;
	}
	kfree(pf);
	elastic_pulling_del(slot);
	wake_up_all(&elastic_pull_wq);
	return NULL;
}

/*
 * Ask the owner of pfs[0] for it and for every other of the @n prepared
 * prefetches it owns, in one PULL, and publish them in em->pf.  Each is
 * taken out of @pfs (set to NULL) as it goes: once in em->pf a zap may
 * free it at any time.  Return how many were asked for.
 */
static unsigned int elastic_prefetch_send(struct elastic_mm *em, struct elastic_pf **pfs, int n)
{
	struct elastic_pf *pf, *group[ELASTIC_WIRE_BATCH];
	unsigned long slots[ELASTIC_WIRE_BATCH];
	u32 owner = pfs[0]->owner;
	unsigned int c = 0, i;
	u64 seq;

	for (i = 0; i < n && c < ELASTIC_WIRE_BATCH; i++) {
		if (pfs[i] && pfs[i]->owner == owner) {
			group[c] = pfs[i];
			slots[c++] = pfs[i]->slot;
			pfs[i] = NULL;
		}
	}
	/* The owner answers slot i on seq + i. */
	seq = elastic_next_seqs(c);
	for (i = 0; i < c; i++) {
		pf = group[i];
		elastic_req_insert(&pf->req, seq + i);
		if (xa_insert(&em->pf, pf->slot, pf, GFP_KERNEL)) {
			elastic_req_remove(&pf->req);
			goto drop;
		}
		atomic_inc(&em->npf);
		continue;
drop:
		/* Still asked for: its reply is then a stale one. */
		put_page(pf->page);
		kfree(pf);
	}
	if (elastic_send_slots(owner, ELASTIC_MSG_PULL, seq, slots, c, NULL, NULL, false))
		atomic64_inc(&elastic_mstats.send_errors);
	atomic64_inc(&em->pull_msgs);
	return c;
}

/*
 * The prefetch of @slot if its page arrived, else NULL.  Under em->pf's
 * lock, so that no fault's elastic_pf_take() frees it meanwhile.
 */
static struct elastic_pf *elastic_pf_arrived(struct elastic_mm *em, unsigned long slot)
{
	struct elastic_pf *pf = xa_load(&em->pf, slot);

	return pf && completion_done(&pf->req.done) && !pf->req.status ? pf : NULL;
}

/* How many of the @n pages of @next, from the first, arrived already. */
static unsigned int elastic_pf_ready(struct elastic_mm *em, const swp_entry_t *next, int n)
{
	int i;

	xa_lock(&em->pf);
	for (i = 0; i < n; i++)
		if (!next[i].val || !elastic_pf_arrived(em, elastic_entry_slot(next[i])))
			break;
	xa_unlock(&em->pf);
	return i;
}

/*
 * A fault at @vmf: if it follows the previous one, pull the next pages
 * ahead, in a window that doubles while access stays sequential.  Like
 * readahead's asynchronous marker, more is asked for only once fewer than
 * half a window of pages ahead are in flight, and then a whole window (one
 * PULL per owner): asking on every fault for the one page that entered the
 * window would send a PULL per page again.  Pages that already arrived do
 * not count as in flight: the core maps them ahead of this fault
 * (elastic_mem_ahead()), and the next fault comes after them.
 */
static struct elastic_stream *elastic_stream_of(struct elastic_mm *em, unsigned long addr)
{
	struct elastic_stream *st, *lru = em->streams;
	unsigned long clock = ++em->stream_clock;
	int i;

	for (i = 0; i < ELASTIC_STREAMS; i++) {
		st = em->streams + i;
		if (READ_ONCE(st->last) + PAGE_SIZE == addr) {
			WRITE_ONCE(st->window, clamp(READ_ONCE(st->window) * 2,
						     ELASTIC_PF_START, ELASTIC_PF_MAX_WINDOW));
			goto found;
		}
		if (READ_ONCE(st->used) < READ_ONCE(lru->used))
			lru = st;
	}
	/* Not the next page of any run: maybe the start of a new one. */
	st = lru;
	WRITE_ONCE(st->window, 0);
	WRITE_ONCE(st->pf_end, 0);
	WRITE_ONCE(st->start, addr);
found:
	WRITE_ONCE(st->last, addr);
	WRITE_ONCE(st->at, addr);
	WRITE_ONCE(st->used, clock);
	return st;
}

static void elastic_prefetch(struct vm_fault *vmf, struct elastic_mm *em)
{
	swp_entry_t next[2 * ELASTIC_PF_MAX_WINDOW];
	struct elastic_pf *pfs[ELASTIC_PF_MAX_WINDOW];
	DECLARE_BITMAP(held, ELASTIC_PF_MAX_WINDOW);
	unsigned long addr = vmf->address & PAGE_MASK;
	struct elastic_stream *st = elastic_stream_of(em, addr);
	unsigned long end = READ_ONCE(st->pf_end);
	unsigned int w = READ_ONCE(st->window), ahead = 0;
	int i, n, k = 0, h = 0;

	if (!w)
		return;
	if (end > addr + PAGE_SIZE)
		ahead = min((end - addr) / PAGE_SIZE - 1, (unsigned long)ELASTIC_PF_MAX_WINDOW);
	if (atomic_read(&em->npf) + w > ELASTIC_PF_MAX)
		return;
	n = elastic_peek_entries(vmf, next, ahead + w);
	if (ahead >= w / 2 && ahead - elastic_pf_ready(em, next, min_t(int, n, ahead)) >= w / 2)
		return;
	if (n <= ahead)
		return;
	WRITE_ONCE(st->pf_end, addr + (n + 1) * PAGE_SIZE);
	n -= ahead;
	bitmap_zero(held, ELASTIC_PF_MAX_WINDOW);
	for (i = 0; i < n; i++) {
		unsigned long slot = elastic_entry_slot(next[ahead + i]);

		pfs[i] = NULL;
		if (next[ahead + i].val)
			pfs[i] = elastic_prefetch_prep(em, slot, vmf->vma,
						       addr + (ahead + i + 1) * PAGE_SIZE);
		if (pfs[i]) {
			__set_bit(i, held);
			k++;
		}
	}
	for (i = 0; i < n && h < k; i++)
		if (pfs[i])
			h += elastic_prefetch_send(em, pfs + i, n - i);
	for_each_set_bit(i, held, ELASTIC_PF_MAX_WINDOW)
		elastic_pulling_del(elastic_entry_slot(next[ahead + i]));
	wake_up_all(&elastic_pull_wq);
}

/* Take a prefetched page for @slot into @page: 0, or -errno to pull anew. */
static int elastic_pf_take(struct elastic_mm *em, unsigned long slot, struct page *page)
{
	struct elastic_pf *pf = xa_erase(&em->pf, slot);
	unsigned long arg[2];
	void *dst, *src;
	int ret;

	if (!pf)
		return -ENOENT;
	arg[0] = slot;
	arg[1] = pf->owner;
	ret = elastic_req_wait(&pf->req, elastic_pull_send, arg);
	if (!ret) {
		dst = kmap_local_page(page);
		src = kmap_local_page(pf->page);
		copy_page(dst, src);
		kunmap_local(src);
		kunmap_local(dst);
	}
	elastic_pf_drop(em, pf);
	return ret;
}

/**
 * elastic_mem_ahead - hand a prefetched page over to be mapped ahead of a fault
 * @mm: the faulting address space, stretched
 * @addr: where the page is to be mapped
 * @entry: the elastic entry there
 *
 * Called by the core under the page table lock after a fault mapped the
 * page before @addr.  The page is taken only if its reply is in and no
 * fault holds the slot; it is then marked pulling, as a fault's page is,
 * until elastic_mem_pulled() ends it: a fault on it meanwhile waits
 * instead of pulling a slot about to be freed.
 *
 * Return: the folio (its reference passes to the caller), or NULL.
 */
struct folio *elastic_mem_ahead(struct mm_struct *mm, unsigned long addr, swp_entry_t entry)
{
	struct elastic_mm *em = mm->elastic;
	unsigned long slot = elastic_entry_slot(entry);
	struct elastic_pf *pf;
	struct page *page;
	int i;

	/* Most are not there: a lockless look first spares the locking. */
	if (!em || !xa_load(&em->pf, slot) ||
	    elastic_pulling_add(slot, GFP_NOWAIT | __GFP_NOWARN))
		return NULL;
	xa_lock(&em->pf);
	pf = elastic_pf_arrived(em, slot);
	if (pf)
		__xa_erase(&em->pf, slot);
	xa_unlock(&em->pf);
	if (!pf) {
		elastic_pulling_del(slot);
		wake_up_all(&elastic_pull_wq);
		return NULL;
	}
	page = pf->page;
	trace_elastic_pull(addr, slot, pf->owner, 0, true, true, 0);
	/* Answered: the receiver took the request out of elastic_reqs. */
	kfree(pf);
	atomic_dec(&em->npf);
	/* The run that the fault continued now continues after this page. */
	for (i = 0; i < ELASTIC_STREAMS; i++)
		if (READ_ONCE(em->streams[i].last) + PAGE_SIZE == addr)
			WRITE_ONCE(em->streams[i].last, addr);
	atomic64_inc(&em->pf_hits);
	atomic64_inc(&em->ahead);
	atomic64_inc(&em->pulls);
	atomic64_add(PAGE_SIZE, &em->bytes_in);
	return page_folio(page);
}

vm_fault_t elastic_mem_pull(struct vm_fault *vmf, swp_entry_t entry, struct page *page)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct elastic_mm *em = mm->elastic;
	unsigned long slot = elastic_entry_slot(entry);
	unsigned long arg[2];
	struct elastic_req req;
	int owner = elastic_entry_owner(entry), ret;
	bool prefetched = false;
	u64 seq, t0;

	if (WARN_ON_ONCE(!em))
		return VM_FAULT_SIGBUS;
	atomic64_inc(&em->faults);
	/* Another thread, or a forked relative, is pulling this page. */
	ret = elastic_pulling_add(slot, GFP_KERNEL);
	if (ret == -EBUSY) {
		atomic64_inc(&em->coalesced);
		/* Killed or not, the fault is retried (or the task dies). */
		wait_event_killable(elastic_pull_wq, !elastic_pulling_has(slot));
		return VM_FAULT_NOPAGE;
	}
	if (ret)
		return VM_FAULT_OOM;

	t0 = ktime_get_ns();
	/* Pulled ahead?  A failed prefetch (owner changed, say) pulls anew. */
	if (!elastic_pf_take(em, slot, page)) {
		atomic64_inc(&em->pf_hits);
		prefetched = true;
		goto done;
	}
	owner = elastic_slot_owner_of(slot);
	if (owner < 0) {
		ret = -ENOENT;
		goto fail;
	}
	arg[0] = slot;
	arg[1] = owner;
	elastic_req_add(&req, owner, page, &seq);
	if (elastic_pull_send(arg, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	atomic64_inc(&em->pull_msgs);
	ret = elastic_req_wait(&req, elastic_pull_send, arg);
	if (ret)
		goto fail;
done:
	t0 = ktime_get_ns() - t0;
	trace_elastic_pull(vmf->address, slot, owner, t0, prefetched, false, 0);
	elastic_lat_add(em, t0);
	atomic64_inc(&em->pulls);
	atomic64_add(PAGE_SIZE, &em->bytes_in);
	elastic_prefetch(vmf, em);
	return 0;	/* elastic_mem_pulled() ends the pull */
fail:
	trace_elastic_pull(vmf->address, slot, owner, ktime_get_ns() - t0, false, false, ret);
	pr_err_ratelimited("pid %d: page at %#lx (slot %lu on node %d) cannot be pulled (%d): SIGBUS\n",
			   task_pid_nr(current), vmf->address, slot, owner, ret);
	atomic64_inc(&elastic_mstats.pull_failures);
	elastic_pulling_del(slot);
	wake_up_all(&elastic_pull_wq);
	return VM_FAULT_SIGBUS;
}

/* Under the page table lock: the pulled page replaced @entry (or not). */
void elastic_mem_pulled(struct mm_struct *mm, swp_entry_t entry, bool mapped)
{
	struct elastic_mm *em = mm->elastic;
	unsigned long slot = elastic_entry_slot(entry);

	if (mapped) {
		if (em) {
			atomic_long_dec(&em->remote[elastic_entry_owner(entry)]);
			elastic_pf_forget(em, slot);
		}
		elastic_slot_put(slot);
	}
	elastic_pulling_del(slot);
	wake_up_all(&elastic_pull_wq);
}

void elastic_mem_release(struct mm_struct *mm, swp_entry_t entry)
{
	struct elastic_mm *em = mm->elastic;

	if (em) {
		atomic_long_dec(&em->remote[elastic_entry_owner(entry)]);
		elastic_pf_forget(em, elastic_entry_slot(entry));
	}
	elastic_slot_put(elastic_entry_slot(entry));
}

void elastic_mem_dup(struct mm_struct *mm, swp_entry_t entry)
{
	struct elastic_mm *em = mm->elastic;

	elastic_slot_get(elastic_entry_slot(entry));
	if (em)
		atomic_long_inc(&em->remote[elastic_entry_owner(entry)]);
}

int elastic_mem_inherit(struct mm_struct *old, struct mm_struct *mm)
{
	struct elastic_mm *oem = old->elastic;
	struct elastic_mm *em;

	em = elastic_mm_alloc(mm, oem->nodes, oem->limit);
	if (!em)
		return -ENOMEM;
	mm->elastic = em;
	return 0;
}

void elastic_mem_mm_exit(struct mm_struct *mm)
{
	struct elastic_mm *em = mm->elastic;

	mm->elastic = NULL;
	elastic_mm_put(em);
}

/* ---- push ---- */

/* Memory whose pages may live elsewhere, touched here or not. */
static bool elastic_vma_claimable(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
		!(vma->vm_flags & (VM_SHARED | VM_LOCKED | VM_HUGETLB | VM_PFNMAP |
				   VM_IO | VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR));
}

static bool elastic_vma_elastic(struct vm_area_struct *vma)
{
	return elastic_vma_claimable(vma) && vma->anon_vma;
}

/**
 * struct elastic_push_item - one page of a push batch
 * @addr:	its address
 * @vma:	its VMA (stable: mmap_lock is held for the whole batch)
 * @snap:	PTE when it was taken
 * @page:	the page, referenced until the push of it ends (the network
 *		may hold it longer: it sends the page itself)
 * @slot:	slot allocated for it
 */
struct elastic_push_item {
	unsigned long addr;
	struct vm_area_struct *vma;
	pte_t snap;
	struct page *page;
	u32 slot;
};

/**
 * struct elastic_push_msg - one PUSH message and its ack
 * @to:		node it goes to
 * @n:		pages in it
 * @slots:	their slots
 * @places:	their places (the process's id and their addresses)
 * @pages:	their contents (kernel addresses)
 * @seq:	its sequence number, 0 when it could not be sent
 * @req:	waits for the PUSH_ACK
 */
struct elastic_push_msg {
	u32 to;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
	struct elastic_wire_place places[ELASTIC_WIRE_BATCH];
	struct page *pages[ELASTIC_WIRE_BATCH];
	u64 seq;
	struct elastic_req req;
};

static int elastic_push_send(void *arg, u64 seq)
{
	struct elastic_push_msg *pm = arg;

	return elastic_send_slots(pm->to, ELASTIC_MSG_PUSH, seq, pm->slots, pm->n, pm->places,
				  pm->pages,
				  false);
}

/* Send @pm; elastic_push_wait() collects its ack. */
static void elastic_push_start(struct elastic_push_msg *pm)
{
	elastic_req_add(&pm->req, pm->to, NULL, &pm->seq);
	pm->req.npages = pm->n;
	if (elastic_push_send(pm, pm->seq))
		atomic64_inc(&elastic_mstats.send_errors);
}

/*
 * Wait for @pm's ack.  Return how many of its pages, from the first, the
 * owner stored; *@status says why the next one was not.
 */
static unsigned int elastic_push_wait(struct elastic_push_msg *pm, int *status)
{
	*status = elastic_req_wait(&pm->req, elastic_push_send, pm);
	if (!*status && pm->req.stored < pm->n)
		*status = -EIO;		/* an ack that contradicts itself */
	return pm->req.stored;
}

/* What a member's shadow mirrors: private anonymous memory. */
static bool elastic_vma_shadowed(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
		!(vma->vm_flags & (VM_SHARED | VM_HUGETLB | VM_PFNMAP | VM_IO));
}

/*
 * @mm's ranges for its shadows, adjacent VMAs alike as one; beyond
 * ELASTIC_WIRE_LAYOUT_MAX ranges the rest has no shadow (its pages stay
 * unmapped there).  Return how many.
 */
static unsigned int elastic_layout_build(struct mm_struct *mm, struct elastic_range *r)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	unsigned int n = 0;
	u32 prot;

	mmap_assert_locked(mm);
	for_each_vma(vmi, vma) {
		if (!elastic_vma_shadowed(vma))
			continue;
		prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) |
		       (vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
		       (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
		if (n && r[n - 1].end == vma->vm_start && r[n - 1].prot == prot) {
			r[n - 1].end = vma->vm_end;
			continue;
		}
		if (n == ELASTIC_WIRE_LAYOUT_MAX)
			break;
		r[n++] = (struct elastic_range){ vma->vm_start, vma->vm_end, prot };
	}
	return n;
}

/* Field by field: memcmp() would compare the structures' padding too. */
static bool elastic_ranges_equal(const struct elastic_range *a, const struct elastic_range *b,
				 unsigned int na, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].prot != b[i].prot)
			return false;
	return true;
}

/*
 * Before pages of @em go to @to: make sure @to has the process's layout,
 * as it is now, so that its shadow can map them.  A new version goes to
 * every member that had one (unmapped ranges leave their shadows too).
 * Under @em->push_lock and the mmap_lock.
 */
static void elastic_layout_sync(struct elastic_mm *em, u32 to)
{
	struct elastic_wire_layout *w;
	struct elastic_range *r;
	unsigned int n;
	u32 conn;
	size_t len;
	int i;

	lockdep_assert_held(&em->push_lock);
	/* Two buffers for the life of the process: none per batch. */
	if (!em->layout_buf) {
		r = kvmalloc_array(2 * ELASTIC_WIRE_LAYOUT_MAX, sizeof(*r), GFP_KERNEL);
		if (!r)
			return;
		em->layout_buf = r;
		em->layout = r;
		em->layout_next = r + ELASTIC_WIRE_LAYOUT_MAX;
	}
	n = elastic_layout_build(em->mm, em->layout_next);
	if (!em->layout_gen || !elastic_ranges_equal(em->layout_next, em->layout, n, em->nlayout)) {
		swap(em->layout_next, em->layout);
		em->nlayout = n;
		em->layout_gen = atomic64_inc_return(&elastic_layout_gens);
		for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)	/* all of them again */
			em->layout_sent[i] = em->layout_sent[i] ? U32_MAX : 0;
	}
	if (!em->nlayout)
		return;
	w = NULL;
	len = struct_size(w, range, em->nlayout);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		if (i != to && !em->layout_sent[i])
			continue;
		conn = elastic_peer_conn(i);
		if (!conn || conn == em->layout_sent[i])
			continue;
		/* Encoded only when some member lacks this version. */
		if (!w) {
			w = kvmalloc(len, GFP_KERNEL);
			if (!w)
				return;
			elastic_wire_put_layout(w, READ_ONCE(elastic_node.id), em->id,
						em->layout_gen, em->layout, em->nlayout);
		}
		if (!elastic_peer_send(i, ELASTIC_MSG_LAYOUT, elastic_next_seq(), w, len,
				       NULL, 0))
			em->layout_sent[i] = conn;
	}
	kvfree(w);
}

/* Pushes in flight per batch: ELASTIC_PUSH_BATCH pages in messages. */
#define ELASTIC_PUSH_MSGS	DIV_ROUND_UP(ELASTIC_PUSH_BATCH, ELASTIC_WIRE_BATCH)

/*
 * Send a prepared batch to @to and commit the pages it accepted.  Return
 * how many left this node, or -ENOSPC when @to refused for lack of room.
 */
static long elastic_push_batch(struct elastic_mm *em, u32 to, struct elastic_push_item *it,
			       int n, struct elastic_push_msg *pm)
{
	unsigned int stored;
	int i, j, k, nmsg, ret, status;
	long moved = 0;
	bool full = false;

	elastic_layout_sync(em, to);
	nmsg = DIV_ROUND_UP(n, ELASTIC_WIRE_BATCH);
	for (k = 0; k < nmsg; k++) {
		pm[k].to = to;
		pm[k].n = min(n - k * ELASTIC_WIRE_BATCH, ELASTIC_WIRE_BATCH);
		for (j = 0; j < pm[k].n; j++) {
			i = k * ELASTIC_WIRE_BATCH + j;
			pm[k].slots[j] = it[i].slot;
			pm[k].places[j] = (struct elastic_wire_place){
				.mm = cpu_to_be32(em->id),
				.addr = cpu_to_be64(it[i].addr),
			};
			pm[k].pages[j] = it[i].page;
		}
		elastic_push_start(&pm[k]);
		atomic64_inc(&em->push_msgs);
	}
	for (k = 0; k < nmsg; k++) {
		stored = elastic_push_wait(&pm[k], &status);
		for (j = 0; j < pm[k].n; j++) {
			i = k * ELASTIC_WIRE_BATCH + j;
			ret = j < stored ? elastic_push_commit(it[i].vma, it[i].addr, it[i].snap,
							       make_elastic_entry(to, it[i].slot))
					 : status;
			put_page(it[i].page);
			if (ret == -ENOSPC)
				full = true;
			if (ret) {
				/* The page stays; the owner's copy, if any, goes. */
				elastic_slot_put(it[i].slot);
				continue;
			}
			atomic_long_inc(&em->remote[to]);
			atomic64_inc(&em->pushes);
			atomic64_add(PAGE_SIZE, &em->bytes_out);
			moved++;
		}
	}
	trace_elastic_push(to, n, moved);
	return moved ? moved : (full ? -ENOSPC : 0);
}

static u32 elastic_pick_member(struct elastic_mm *em, u32 after, u64 full)
{
	u32 self = READ_ONCE(elastic_node.id);
	u32 i, id;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		id = (after + i - 1) % ELASTIC_MAX_NODE_ID + 1;
		if (id != self && (em->nodes & BIT_ULL(id)) && !(full & BIT_ULL(id)) &&
		    !test_bit(id, elastic_draining) && elastic_peer_alive(id))
			return id;
	}
	return 0;
}

/*
 * Send the @n prepared pages to *@dst and account for the outcome; the next
 * batch picks its member afresh (*@dst = 0), a full one is not asked again.
 */
static long elastic_push_flush(struct elastic_mm *em, u32 *dst, struct elastic_push_item *it,
			       struct elastic_push_msg *pm, int *n, long *done,
			       u64 *full)
{
	long ret = elastic_push_batch(em, *dst, it, *n, pm);

	if (ret > 0)
		*done += ret;
	else if (ret == -ENOSPC)
		*full |= BIT_ULL(*dst);
	*n = 0;
	*dst = 0;
	return ret;
}

/*
 * Pages short of push_below_kb of MemAvailable, 0 when not under pressure.
 * Looked at once per jiffy at most: it is asked on every fault of a
 * stretched process without a limit.
 */
static unsigned long elastic_pressure_deficit(void)
{
	static unsigned long deficit;
	static u64 checked;
	unsigned long below = READ_ONCE(elastic_mparams.push_below_kb) >> (PAGE_SHIFT - 10);
	u64 now = get_jiffies_64();
	long avail;

	if (!below)
		return 0;
	if (READ_ONCE(checked) == now)
		return READ_ONCE(deficit);
	avail = si_mem_available();
	WRITE_ONCE(deficit, avail < (long)below ? below - avail : 0);
	WRITE_ONCE(checked, now);
	return READ_ONCE(deficit);
}

/*
 * A push in progress: the batch being filled (@n pages of @it, each
 * referenced), its member @dst (0: pick one), pages pushed so far (@done), the
 * members that refused for lack of room (@full), the last error (@ret).
 */
struct elastic_push_ctx {
	struct elastic_push_item *it;
	struct elastic_push_msg *pm;
	u32 to;
	u32 dst;
	u32 last;
	u64 full;
	int n;
	long done;
	long ret;
};

/*
 * Whether a push of @em's pages is still wanted: not by a killed thread,
 * nor for a process the OOM killer chose or that has exited (only
 * pushers hold its mm).  A worker's mm_users reference keeps the memory
 * that the kill or the exit is to free: the OOM killer, finding no victim
 * left to wait for, would kill the next process, and at the last panic.
 */
static bool elastic_push_wanted(struct elastic_mm *em)
{
	struct mm_struct *mm = em->mm;

	if (fatal_signal_pending(current) || test_bit(MMF_OOM_REAP_QUEUED, &mm->flags))
		return false;
	return current->mm == mm || atomic_read(&mm->mm_users) > atomic_read(&em->pushers);
}

/*
 * Add the page at @addr to the batch, sending the batch once full.
 * Return false when the push must stop: no member has room, or the push
 * is no longer wanted (elastic_push_wanted()).
 */
static bool elastic_push_add(struct elastic_mm *em, struct elastic_push_ctx *c,
			     struct vm_area_struct *vma, unsigned long addr, bool skip_young)
{
	struct elastic_push_item *it = c->it + c->n;

	if (!c->dst) {
		c->dst = c->to ? c->to : elastic_pick_member(em, c->last, c->full);
		if (!c->dst || (c->full & BIT_ULL(c->dst)))
			return false;
		c->last = c->dst;
	}
	if (elastic_push_prepare(vma, addr, &it->page, &it->snap, skip_young))
		return true;
	if (elastic_slot_alloc(c->dst, &it->slot)) {
		put_page(it->page);
		return true;
	}
	/* A prefetch that raced a zap of the slot's earlier page may have outlived it: gone now. */
	elastic_pf_forget(em, it->slot);
	it->vma = vma;
	it->addr = addr;
	if (++c->n < ELASTIC_PUSH_BATCH)
		return true;
	c->ret = elastic_push_flush(em, &c->dst, c->it, c->pm, &c->n, &c->done, &c->full);
	return elastic_push_wanted(em);
}

/* Pages a sequential run leaves alone behind the fault it is at. */
#define ELASTIC_BEHIND_GAP	(2 * ELASTIC_PF_MAX_WINDOW)

/*
 * A sequential run of faults is done, for now, with the pages behind it:
 * a run through more than the local limit would otherwise push the pages
 * it is about to reach (they are the least recently used), and pull every
 * one back (as a sequential scan defeats LRU).  Push those behind it first,
 * young or not, as drop-behind does for use-once data; the rest stays.
 */
static bool elastic_push_behind_run(struct elastic_mm *em, struct elastic_stream *st,
				    struct elastic_push_ctx *c, unsigned long nr)
{
	unsigned long start = READ_ONCE(st->start), addr = start;
	unsigned long at = READ_ONCE(st->at);
	struct vm_area_struct *vma;
	unsigned long end;
	bool go = true;

	if (READ_ONCE(st->window) < ELASTIC_PF_MAX_WINDOW || !addr ||
	    at < addr + ELASTIC_BEHIND_GAP * PAGE_SIZE)
		return true;
	end = at - ELASTIC_BEHIND_GAP * PAGE_SIZE;
	vma = vma_lookup(em->mm, addr);
	if (!vma || !elastic_vma_elastic(vma))
		return true;
	end = min(end, vma->vm_end);
	for (; addr < end && c->done + c->n < nr && go; addr += PAGE_SIZE)
		go = elastic_push_add(em, c, vma, addr, false);
	/* The next push goes on from here, unless a new run started. */
	cmpxchg(&st->start, start, addr);
	return go;
}

static bool elastic_push_behind(struct elastic_mm *em, struct elastic_push_ctx *c, unsigned long nr)
{
	int i;

	for (i = 0; i < ELASTIC_STREAMS && c->done + c->n < nr; i++)
		if (!elastic_push_behind_run(em, em->streams + i, c, nr))
			return false;
	return true;
}

/**
 * elastic_mem_push_mm - push up to @nr pages of a stretched mm out
 * @em: its state
 * @to: the member to push to, or 0 for any member with room (round robin)
 * @nr: how many pages; 0: down to the local limit and a batch below (or,
 *	without a limit, what MemAvailable lacks under push_below_kb and a
 *	batch), counted once the previous push of this mm is over
 * @cold_only: take only pages not accessed since the previous scan first
 *
 * Pages behind a sequential run go first (elastic_push_behind()).  Then
 * pages are scanned from a cursor that goes round the address space like
 * a CLOCK hand: an accessed page gets a second chance (its accessed bit
 * is cleared) before it may leave.  Takes the mmap_lock for reading.
 *
 * Return: pages pushed, or -errno when none could be.
 */
static long elastic_mem_push_mm(struct elastic_mm *em, u32 to, unsigned long nr, bool cold_only)
{
	struct elastic_push_ctx c = { .to = to };
	struct mm_struct *mm = em->mm;
	bool worker = current->mm != mm;
	struct vm_area_struct *vma;
	unsigned long addr, scanned;
	bool wrapped;
	int pass;

	c.it = kvcalloc(ELASTIC_PUSH_BATCH, sizeof(*c.it), GFP_KERNEL);
	c.pm = kvcalloc(ELASTIC_PUSH_MSGS, sizeof(*c.pm), GFP_KERNEL);
	if (!c.it || !c.pm) {
		c.ret = -ENOMEM;
		goto out_free;
	}
	if (worker)
		atomic_inc(&em->pushers);
	mutex_lock(&em->push_lock);
	if (em->unstretching) {
		c.ret = -EINVAL;
		goto out_unlock;
	}
	/* Another push may have waited for the lock while the process went. */
	if (!elastic_push_wanted(em))
		goto out_unlock;
	if (mmap_read_lock_killable(mm)) {
		c.ret = -EINTR;
		goto out_unlock;
	}
	if (mm->elastic != em) {
		c.ret = -EINVAL;	/* unstretched meanwhile */
		goto out_mm;
	}
	if (!nr) {
		unsigned long rss = get_mm_counter(mm, MM_ANONPAGES);
		unsigned long limit = READ_ONCE(em->limit);
		unsigned long deficit = elastic_pressure_deficit();

		/*
		 * Over the limit or under pressure, whichever asks more (a
		 * limit above what the node has left is no licence to
		 * exhaust it).  Threads that waited for another's push
		 * usually find it done.
		 */
		if (limit && rss > limit)
			nr = rss - limit + ELASTIC_PUSH_BATCH;
		if (deficit)
			nr = max(nr, deficit + ELASTIC_PUSH_BATCH);
		if (!nr)
			goto out_mm;
	}
	if (!to && !elastic_push_behind(em, &c, nr))
		goto stop;
	/* The first pass ages accessed pages, the second may take them. */
	for (pass = cold_only ? 0 : 1; pass < 2 && c.done + c.n < nr; pass++) {
		VMA_ITERATOR(vmi, mm, em->cursor);

		addr = em->cursor;
		wrapped = false;
		/* Each pass looks at every page once at most. */
		for (scanned = 0; c.done + c.n < nr && scanned <= mm->total_vm; ) {
			vma = vma_find(&vmi, ULONG_MAX);
			if (!vma) {
				if (wrapped)
					break;
				wrapped = true;
				addr = 0;
				vma_iter_set(&vmi, 0);
				continue;
			}
			if (!elastic_vma_elastic(vma))
				continue;
			for (addr = max(addr, vma->vm_start);
			     addr < vma->vm_end && c.done + c.n < nr; addr += PAGE_SIZE, scanned++)
				if (!elastic_push_add(em, &c, vma, addr, pass == 0))
					goto stop;
			em->cursor = addr;
		}
	}
stop:
	if (c.n)
		c.ret = elastic_push_flush(em, &c.dst, c.it, c.pm, &c.n, &c.done, &c.full);
out_mm:
	mmap_read_unlock(mm);
out_unlock:
	mutex_unlock(&em->push_lock);
	if (worker)
		atomic_dec(&em->pushers);
out_free:
	kvfree(c.pm);
	kvfree(c.it);
	if (c.done)
		return c.done;
	return c.ret < 0 ? c.ret : (c.full ? -ENOSPC : 0);
}

/*
 * Task work: the process went over its local limit; push down to it.  When
 * no member can take a page and the process is well over its limit, it is
 * killed, as a memory cgroup at its limit would kill it: pages never
 * bounce between nodes in search of room.
 */
static bool elastic_mm_full(struct elastic_mm *em)
{
	unsigned long full = READ_ONCE(em->full_at);

	/* Every member refused lately: do not ask them for each page. */
	return full && time_before(jiffies, full + HZ);
}

/* Resident pages beyond which a process whose members are full is killed. */
static unsigned long elastic_kill_mark(unsigned long limit)
{
	return limit + limit / 8 + 4 * ELASTIC_PUSH_BATCH;
}

/**
 * struct elastic_throttle - a thread's pending return through the limit
 * @node:	in elastic_throttles, keyed by @task
 * @task:	the thread that went over the limit
 * @em:		its address space's elastic state (a reference)
 * @work:	task work run on its way back to user space
 *
 * Every thread that faults its process over the local limit runs the
 * push itself on its way back to user space, before it can fault again:
 * one thread pushes (under @em's push_lock), the others wait for it there,
 * so N threads cannot outrun a single pusher into the kernel's OOM killer.
 * At most one per thread: the hash table tells whether it has one queued.
 * elastic_throttles is under elastic_throttles_lock.
 */
struct elastic_throttle {
	struct hlist_node node;
	struct task_struct *task;
	struct elastic_mm *em;
	struct callback_head work;
};

static DEFINE_HASHTABLE(elastic_throttles, 6);
static DEFINE_SPINLOCK(elastic_throttles_lock);

static void elastic_throttle_free(struct elastic_throttle *t)
{
	struct mm_struct *mm = t->em->mm;

	spin_lock(&elastic_throttles_lock);
	hash_del(&t->node);
	spin_unlock(&elastic_throttles_lock);
	elastic_mm_put(t->em);
	mmput_async(mm);
	kfree(t);
}

/*
 * A push the module decides on itself (a limit or memory pressure): to any
 * member, coldest first.  Remembers whether the members were full, and
 * counts what it did.
 */
static long elastic_push_auto(struct elastic_mm *em, unsigned long nr, bool pressure)
{
	long ret = elastic_mem_push_mm(em, 0, nr, true);

	if (ret < 0 && !pressure)
		atomic64_inc(&elastic_mstats.push_failures);
	if (ret > 0 && pressure)
		atomic64_add(ret, &elastic_mstats.pressure_pushes);
	if (ret)
		WRITE_ONCE(em->full_at, ret == -ENOSPC ? jiffies | 1 : 0);
	return ret;
}

/*
 * Pages @em, with @rss pages resident and @limit, is due to push in the
 * background: down to ELASTIC_BG_LOW under its limit, or the pressure's
 * shortfall (@deficit, from elastic_pressure_deficit()) and a batch
 * (*@pressure then), whichever is more; 0 when its members are full.
 */
static unsigned long elastic_bg_want(struct elastic_mm *em, unsigned long rss,
				     unsigned long limit, unsigned long deficit, bool *pressure)
{
	unsigned long nr = 0;

	*pressure = false;
	if (elastic_mm_full(em))
		return 0;
	if (limit > ELASTIC_BG_LOW && rss + ELASTIC_BG_START > limit)
		nr = rss + ELASTIC_BG_LOW - limit;
	if (deficit && deficit + ELASTIC_PUSH_BATCH > nr) {
		nr = deficit + ELASTIC_PUSH_BATCH;
		*pressure = true;
	}
	return nr;
}

/* MemAvailable is short by @deficit pages, more than half of push_below_kb. */
static bool elastic_pressure_severe(unsigned long deficit)
{
	return deficit > READ_ONCE(elastic_mparams.push_below_kb) >> (PAGE_SHIFT - 10 + 1);
}

static void elastic_bg_fn(struct work_struct *work)
{
	struct elastic_mm *em = container_of(work, struct elastic_mm, bg_work);
	struct mm_struct *mm = em->mm;
	unsigned long nr, rss = get_mm_counter(mm, MM_ANONPAGES);
	bool pressure;
	long ret;

	nr = elastic_bg_want(em, rss, READ_ONCE(em->limit), elastic_pressure_deficit(), &pressure);
	if (nr) {
		ret = elastic_push_auto(em, nr, pressure);
		if (ret > 0)
			atomic64_add(ret, &elastic_mstats.bg_pushes);
	}
	mmput_async(mm);
	elastic_mm_put(em);
}

/* From the fault path: wake the background pusher unless it is queued. */
static void elastic_bg_kick(struct elastic_mm *em)
{
	if (work_pending(&em->bg_work))
		return;
	mmget(em->mm);
	kref_get(&em->ref);
	if (queue_work(elastic_bg_wq, &em->bg_work))
		return;
	mmput_async(em->mm);
	elastic_mm_put(em);	/* never the last: mm->elastic holds one */
}

static void elastic_limit_work(struct callback_head *head)
{
	struct elastic_throttle *t = container_of(head, struct elastic_throttle, work);
	struct elastic_mm *em = t->em;
	struct mm_struct *mm = em->mm;
	unsigned long rss, limit = READ_ONCE(em->limit);
	bool full;
	long ret;

	if (current->mm == mm && !(current->flags & PF_EXITING)) {
		full = elastic_mm_full(em);
		if (!full) {
			rss = get_mm_counter(mm, MM_ANONPAGES);
			/* A batch beyond the excess, so as not to come back at once. */
			ret = elastic_push_auto(em, 0, !limit || rss <= limit);
			full = ret == -ENOSPC;
		}
		rss = get_mm_counter(mm, MM_ANONPAGES);
		/* Under pressure alone, the kernel's OOM killer decides. */
		if (limit && full && rss > elastic_kill_mark(limit)) {
			pr_err("pid %d (%s): %lu pages resident, local limit %lu, and no member has room: killed\n",
			       task_tgid_nr(current), current->comm, rss, limit);
			atomic64_inc(&elastic_mstats.oom_kills);
			send_sig(SIGKILL, current, 1);
		}
	}
	elastic_throttle_free(t);
}

void elastic_mem_charge(struct mm_struct *mm)
{
	struct elastic_mm *em = mm->elastic;
	struct elastic_throttle *t;
	unsigned long rss, limit, deficit;
	bool pressure;

	if (!em || current->mm != mm)
		return;
	limit = READ_ONCE(em->limit);
	rss = get_mm_counter(mm, MM_ANONPAGES);
	deficit = elastic_pressure_deficit();
	if (elastic_bg_want(em, rss, limit, deficit, &pressure))
		elastic_bg_kick(em);
	if (limit && rss > limit + ELASTIC_PUSH_BATCH) {
		/* Members full: no task work per fault, only once it is time to kill. */
		if (elastic_mm_full(em) && rss <= elastic_kill_mark(limit))
			return;
	} else if (!elastic_pressure_severe(deficit) || elastic_mm_full(em)) {
		/*
		 * Under the limit, pressure the background pusher does not
		 * keep up with has the faulting thread push too.
		 */
		return;
	}
	spin_lock(&elastic_throttles_lock);
	hash_for_each_possible(elastic_throttles, t, node, (unsigned long)current)
		if (t->task == current) {
			spin_unlock(&elastic_throttles_lock);
			return;
		}
	/* In the fault path: no reclaim; the next fault tries again. */
	t = kmalloc(sizeof(*t), GFP_NOWAIT | __GFP_NOWARN);
	if (t) {
		t->task = current;
		t->em = em;
		hash_add(elastic_throttles, &t->node, (unsigned long)current);
	}
	spin_unlock(&elastic_throttles_lock);
	if (!t)
		return;
	mmget(mm);
	kref_get(&em->ref);
	init_task_work(&t->work, elastic_limit_work);
	if (task_work_add(current, &t->work, TWA_RESUME))
		elastic_throttle_free(t);	/* exiting: mm->elastic holds em */
}

/* ---- control: stretch, push, report ---- */

/**
 * elastic_mem_stretch - stretch process @pid over @nodes
 * @pid: process id in the caller's namespace
 * @nodes: bitmap of member ids its pages may go to
 * @limit: resident anonymous pages it may keep at home; 0: no limit
 *
 * Stretching a stretched process changes its nodes and limit.
 *
 * Return: 0, -ESRCH, -EPERM/-EACCES without ptrace rights, -EINVAL for a
 * kernel thread, -ENOENT when a node is not a member, -ENOMEM.
 */
int elastic_mem_stretch(u32 pid, u64 nodes, unsigned long limit)
{
	struct elastic_mm *em;
	struct mm_struct *mm;
	int i, ret = 0;

	for (i = 0; i < 64; i++)
		if ((nodes & BIT_ULL(i)) &&
		    (!elastic_node_id_valid(i) || !elastic_node_known(i)))
			return -ENOENT;
	mm = elastic_mm_of_pid(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (mmap_write_lock_killable(mm)) {
		ret = -EINTR;
		goto out;
	}
	em = mm->elastic;
	if (em) {
		em->nodes = nodes;
		em->limit = limit;
	} else {
		em = elastic_mm_alloc(mm, nodes, limit);
		if (em)
			mm->elastic = em;
		else
			ret = -ENOMEM;
	}
	mmap_write_unlock(mm);
out:
	mmput(mm);
	return ret;
}

/**
 * elastic_mem_push - push @nr pages of process @pid to member @to
 * @pid: a stretched process
 * @to: a member, or 0 for any of its nodes
 * @nr: pages
 *
 * Return: pages pushed, or -errno (-EINVAL when @pid is not stretched,
 * -ENOSPC when the members are full).
 */
long elastic_mem_push(u32 pid, u32 to, unsigned long nr)
{
	struct elastic_mm *em;
	struct mm_struct *mm;
	long ret;

	mm = elastic_mm_of_pid(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	em = elastic_mm_get(mm);
	ret = -EINVAL;
	if (to && test_bit(to, elastic_draining))
		ret = -EBUSY;
	else if (em && (!to || to != READ_ONCE(elastic_node.id)))
		ret = elastic_mem_push_mm(em, to, nr, false);
	if (em)
		elastic_mm_put(em);
	mmput(mm);
	return ret;
}

/* Where an unstretch collects the addresses of remote pages. */
struct elastic_collect {
	unsigned long *addr;
	int n;
	int max;
};

static swp_entry_t elastic_collect_one(struct mm_struct *mm, unsigned long addr,
				       swp_entry_t entry, void *arg)
{
	struct elastic_collect *c = arg;

	if (c->n < c->max)
		c->addr[c->n++] = addr;
	return entry;
}

#define ELASTIC_COLLECT_MAX	4096

/*
 * Fault in the pages at the @n ascending addresses (runs of neighbours at
 * a time, so sequential prefetch applies).  An address that is no longer
 * mapped is skipped.  Return: pages brought in, or -EINTR.
 */
static long elastic_fault_in(struct mm_struct *mm, const unsigned long *addr, int n)
{
	struct page *pages[32];
	int locked = 0, i = 0, run, got, j;
	long done = 0;

	while (i < n) {
		for (run = 1; i + run < n && run < ARRAY_SIZE(pages) &&
		     addr[i + run] == addr[i] + run * PAGE_SIZE; run++)
			;
		if (!locked) {
			if (mmap_read_lock_killable(mm))
				return -EINTR;
			locked = 1;
		}
		got = get_user_pages_remote(mm, addr[i], run, 0, pages, &locked);
		if (got <= 0) {
			i++;	/* unmapped meanwhile, or lost: counted by the caller */
			continue;
		}
		for (j = 0; j < got; j++)
			put_page(pages[j]);
		done += got;
		i += got;
		if (fatal_signal_pending(current))
			break;
	}
	if (locked)
		mmap_read_unlock(mm);
	return fatal_signal_pending(current) ? -EINTR : done;
}

/*
 * Room for @need more pages at home: what the kernel estimates available,
 * less a sixteenth of RAM so that bringing pages home never starts reclaim.
 */
static bool elastic_home_has_room(unsigned long need)
{
	return need + totalram_pages() / 16 <= si_mem_available();
}

/**
 * elastic_mem_unstretch - bring every page of process @pid home, end its stretch
 * @pid: a stretched process
 *
 * Pushes stop first; the pages are faulted in as the process would fault
 * them (pulls, with prefetch); then the elastic state is detached with
 * every fault excluded.  On failure the process stays stretched over its
 * nodes with its limit.
 *
 * Return: pages brought home, or -errno: -EINVAL (not stretched), -EBUSY
 * (an unstretch is under way), -ENOMEM (the home has no room for them),
 * -EIO (a page could not be pulled: its owner is dead), -EINTR.
 */
long elastic_mem_unstretch(u32 pid)
{
	struct elastic_collect c = { .max = ELASTIC_COLLECT_MAX };
	unsigned long limit = 0;
	struct elastic_mm *em;
	struct mm_struct *mm;
	long ret = 0, done = 0, got;

	mm = elastic_mm_of_pid(pid);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	em = elastic_mm_get(mm);
	if (!em) {
		mmput(mm);
		return -EINVAL;
	}
	c.addr = kvmalloc_array(c.max, sizeof(*c.addr), GFP_KERNEL);
	if (!c.addr) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&em->push_lock);
	if (em->unstretching) {
		mutex_unlock(&em->push_lock);
		ret = -EBUSY;
		goto out;
	}
	if (!elastic_home_has_room(elastic_mm_remote(em))) {
		mutex_unlock(&em->push_lock);
		ret = -ENOMEM;
		goto out;
	}
	/* No push from now on: a page that came home stays. */
	em->unstretching = true;
	limit = em->limit;
	WRITE_ONCE(em->limit, 0);
	mutex_unlock(&em->push_lock);

	while (elastic_mm_remote(em)) {
		c.n = 0;
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		elastic_remap_entries(mm, elastic_collect_one, &c);
		mmap_read_unlock(mm);
		got = c.n ? elastic_fault_in(mm, c.addr, c.n) : 0;
		if (got < 0) {
			ret = got;
			break;
		}
		/* Nothing came home: the pages left are lost (owner dead). */
		if (!got) {
			ret = -EIO;
			break;
		}
		done += got;
	}
	if (!ret) {
		ret = elastic_mmap_write_lock_all(mm);
		if (!ret) {
			if (mm->elastic != em || elastic_mm_remote(em)) {
				ret = -EAGAIN;	/* cannot be: no push ran */
			} else {
				mm->elastic = NULL;
				elastic_mm_put(em);	/* mm->elastic's reference */
			}
			mmap_write_unlock(mm);
		}
	}
	if (ret) {
		mutex_lock(&em->push_lock);
		WRITE_ONCE(em->limit, limit);
		em->unstretching = false;
		mutex_unlock(&em->push_lock);
	}
out:
	kvfree(c.addr);
	elastic_mm_put(em);
	mmput(mm);
	return ret ? ret : done;
}

/*
 * Resend function of a CAP request: @arg points to the target and the cap.
 */
static int elastic_cap_send(void *arg, u64 seq)
{
	u64 *a = arg;
	struct elastic_wire_cap w = { .max_pages = cpu_to_be64(a[1]) };

	return elastic_peer_send(a[0], ELASTIC_MSG_CAP, seq, &w, sizeof(w), NULL, 0);
}

/**
 * elastic_mem_set_cap - set the hosting cap of node @id
 * @id: this node, or a member (told with a CAP message, acknowledged)
 * @max_pages: pages it may host for others at most, 0 for no cap
 *
 * Return: 0, -ERANGE (cap too large), -ENOENT (no such member),
 * -EHOSTDOWN (the member is dead or does not answer).
 */
int elastic_mem_set_cap(u32 id, u64 max_pages)
{
	u64 arg[2] = { id, max_pages };
	struct elastic_req req;
	u64 seq;

	if (max_pages > ELASTIC_WIRE_CAP_MAX)
		return -ERANGE;
	if (id == READ_ONCE(elastic_node.id)) {
		WRITE_ONCE(elastic_mparams.max_hosted_pages, max_pages);
		return 0;
	}
	if (!elastic_node_id_valid(id) || !elastic_node_known(id))
		return -ENOENT;
	if (!elastic_peer_alive(id))
		return -EHOSTDOWN;
	elastic_req_add(&req, id, NULL, &seq);
	if (elastic_cap_send(arg, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	return elastic_req_wait(&req, elastic_cap_send, arg);
}

/**
 * elastic_mem_proc - fill what /proc/PID/elastic shows of @mm
 * @mm: an address space, its users pinned by the caller
 * @info: filled
 */
void elastic_mem_proc(struct mm_struct *mm, struct elastic_proc_info *info)
{
	struct elastic_mm *em;
	int i;

	mmap_read_lock(mm);
	em = mm->elastic;
	info->stretched = em;
	if (em) {
		info->nodes = em->nodes;
		info->limit = em->limit;
		info->shadow_id = em->id;
		for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
			info->remote[i] = atomic_long_read(&em->remote[i]);
		info->faults = atomic64_read(&em->faults);
		info->pulls = atomic64_read(&em->pulls);
		info->pushes = atomic64_read(&em->pushes);
		info->bytes_in = atomic64_read(&em->bytes_in);
		info->bytes_out = atomic64_read(&em->bytes_out);
		info->coalesced = atomic64_read(&em->coalesced);
		info->prefetch_hits = atomic64_read(&em->pf_hits);
		info->mapped_ahead = atomic64_read(&em->ahead);
		info->pull_msgs = atomic64_read(&em->pull_msgs);
		info->push_msgs = atomic64_read(&em->push_msgs);
		for (i = 0; i < ELASTIC_LAT_BUCKETS; i++)
			info->lat_us[i] = atomic64_read(&em->lat_us[i]);
	}
	mmap_read_unlock(mm);
}

/**
 * elastic_mem_node_forget - member @id was removed: it may get pages again
 * once it is added back
 * @id: node id
 */
void elastic_mem_node_forget(u32 id)
{
	if (elastic_node_id_valid(id))
		clear_bit(id, elastic_draining);
}

/**
 * struct elastic_move - one MOVE of a drain and its ack
 * @from:	member the pages leave
 * @to:		member they go to
 * @n:		slots in it
 * @slots:	the slots
 * @seq:	its sequence number, 0 when it could not be sent
 * @req:	waits for @to's PUSH_ACK (or @from's, when it fails there)
 */
struct elastic_move {
	u32 from;
	u32 to;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
	u64 seq;
	struct elastic_req req;
};

/* Drain batches: ELASTIC_DRAIN_BATCH slots, moved in messages. */
#define ELASTIC_DRAIN_MSGS	DIV_ROUND_UP(ELASTIC_DRAIN_BATCH, ELASTIC_WIRE_BATCH)

static u32 elastic_pick_drain_target(u32 from, u64 full)
{
	u32 self = READ_ONCE(elastic_node.id);
	u32 id;

	for (id = 1; id <= ELASTIC_MAX_NODE_ID; id++)
		if (id != self && id != from && !(full & BIT_ULL(id)) &&
		    !test_bit(id, elastic_draining) && elastic_node_known(id) &&
		    elastic_peer_alive(id))
			return id;
	return 0;
}

static void elastic_free_batch_send(struct elastic_free_batch *fb)
{
	if (fb->n)
		elastic_send_slots(fb->to, ELASTIC_MSG_FREE, elastic_next_seq(),
				   fb->slots, fb->n, NULL, NULL, false);
	fb->n = 0;
}

static void elastic_free_batch_add(struct elastic_free_batch *fb, unsigned long slot)
{
	fb->slots[fb->n++] = slot;
	if (fb->n == ELASTIC_WIRE_BATCH)
		elastic_free_batch_send(fb);
}

static int elastic_move_send(void *arg, u64 seq)
{
	struct elastic_move *mv = arg;
	struct elastic_wire_move h = { .to = cpu_to_be32(mv->to) };

	return elastic_send_slots_after(mv->from, ELASTIC_MSG_MOVE, seq, &h, sizeof(h), mv->slots,
					mv->n, NULL, NULL, false);
}

/*
 * Move slots from member @from to member @to directly: @from hands the
 * pages to @to (MOVE, HANDOFF), @to says how many it stored, and only then
 * does the owner map switch and the old copies get a FREE.  Faults on these
 * slots wait meanwhile (they are in elastic_pulling), so nobody reads a
 * half-moved page.  All messages of the batch are in flight at once.
 * *@full is set when @to refused pages for lack of room, and
 * *@unreachable when @from could not reach it.
 */
static long elastic_move_batch(struct elastic_move *mv, int nmsg, bool *full, bool *unreachable)
{
	struct elastic_free_batch fb_from = { .to = mv[0].from }, fb_to = { .to = mv[0].to };
	unsigned int stored;
	int j, k, status;
	long moved = 0;
	bool keep;
	void *v;

	for (k = 0; k < nmsg; k++) {
		elastic_req_add(&mv[k].req, mv[k].to, NULL, &mv[k].seq);
		mv[k].req.peer2 = mv[k].from;
		mv[k].req.npages = mv[k].n;
		if (elastic_move_send(&mv[k], mv[k].seq))
			atomic64_inc(&elastic_mstats.send_errors);
	}
	for (k = 0; k < nmsg; k++) {
		status = elastic_req_wait(&mv[k].req, elastic_move_send, &mv[k]);
		stored = mv[k].req.stored;	/* 0 unless an ack came */
		if (status == -ENOSPC)
			*full = true;
		if (status == -EHOSTUNREACH)
			*unreachable = true;
		for (j = 0; j < stored; j++) {
			/*
			 * Switch the owner unless the page was freed meanwhile:
			 * then the new copy goes, and the free worker takes care
			 * of the old.
			 */
			xa_lock(&elastic_slots);
			v = xa_load(&elastic_slots, mv[k].slots[j]);
			keep = v && elastic_slot_refs(v) && elastic_slot_owner(v) == mv[k].from;
			if (keep) {
				__xa_store(&elastic_slots, mv[k].slots[j],
					   elastic_slot_val(mv[k].to, elastic_slot_refs(v)),
					   GFP_ATOMIC);
				atomic_long_dec(&elastic_owned[mv[k].from]);
				atomic_long_inc(&elastic_owned[mv[k].to]);
			}
			xa_unlock(&elastic_slots);
			elastic_free_batch_add(keep ? &fb_from : &fb_to, mv[k].slots[j]);
			if (keep)
				moved++;
		}
	}
	elastic_free_batch_send(&fb_from);
	elastic_free_batch_send(&fb_to);
	return moved;
}

/* An entry naming @from whose slot moved names its new owner. */
static swp_entry_t elastic_remap_one(struct mm_struct *mm, unsigned long addr,
				     swp_entry_t entry, void *arg)
{
	struct elastic_mm *em = mm->elastic;
	u32 from = *(u32 *)arg;
	unsigned long slot = elastic_entry_slot(entry);
	int owner;

	if (elastic_entry_owner(entry) != from)
		return entry;
	owner = elastic_slot_owner_of(slot);
	if (owner <= 0 || owner == from)
		return entry;
	if (em) {
		atomic_long_dec(&em->remote[from]);
		atomic_long_inc(&em->remote[owner]);
	}
	return make_elastic_entry(owner, slot);
}

/*
 * Make every stretched process's entries name the pages' new owners.  The
 * mms are collected first and walked after elastic_mms_lock is dropped:
 * stretch and fork take that lock under mmap_lock, so it must never be
 * held while taking one.
 */
static void elastic_remap_all(u32 from)
{
	struct mm_struct **mms;
	struct elastic_mm *em;
	int n = 0, max, i;

	max = atomic_read(&elastic_nstretched) + 16;
	mms = kvcalloc(max, sizeof(*mms), GFP_KERNEL);
	if (!mms)
		return;	/* entries keep their old owner; the map is right */
	mutex_lock(&elastic_mms_lock);
	list_for_each_entry(em, &elastic_mms, list)
		if (n < max && mmget_not_zero(em->mm))
			mms[n++] = em->mm;
	mutex_unlock(&elastic_mms_lock);
	for (i = 0; i < n; i++) {
		mmap_read_lock(mms[i]);
		elastic_remap_entries(mms[i], elastic_remap_one, &from);
		mmap_read_unlock(mms[i]);
		mmput(mms[i]);
	}
	kvfree(mms);
}

/**
 * elastic_mem_drain - move pages of this node's processes off member @from
 * @from: the member to empty
 * @max: pages to move at most in this call
 * @left: pages it still holds afterwards
 *
 * The member is marked draining first: pushes avoid it from then on.  The
 * owner map, which every pull consults, names the new owner at once; the
 * page table entries are rewritten at the end of the call.
 *
 * Return: pages moved, or -EINVAL (this node), -ENOENT (no member),
 * -ENOSPC (no other member has room, or none that @from can reach),
 * -EHOSTDOWN (@from is dead: its pages are lost), -ENOMEM.
 */
static long elastic_drain(u32 from, unsigned long max, unsigned long *left, bool mark)
{
	bool full, unreachable;
	struct elastic_move *mv;
	unsigned long slot;
	long moved = 0, ret = 0;
	u64 fullmask = 0;
	int n, k, j;
	u32 to;
	void *v;

	if (from == READ_ONCE(elastic_node.id))
		return -EINVAL;
	if (!elastic_node_known(from))
		return -ENOENT;
	if (mark)
		set_bit(from, elastic_draining);
	if (!elastic_peer_alive(from)) {
		*left = atomic_long_read(&elastic_owned[from]);
		return *left ? -EHOSTDOWN : 0;
	}
	mv = kvcalloc(ELASTIC_DRAIN_MSGS, sizeof(*mv), GFP_KERNEL);
	if (!mv)
		return -ENOMEM;
	while (moved < max && atomic_long_read(&elastic_owned[from])) {
		to = elastic_pick_drain_target(from, fullmask);
		if (!to) {
			ret = -ENOSPC;
			break;
		}
		n = 0;
		xa_for_each(&elastic_slots, slot, v) {
			if (elastic_slot_owner(v) != from || !elastic_slot_refs(v))
				continue;
			/* A slot being pulled is left for the next round. */
			if (elastic_pulling_add(slot, GFP_KERNEL))
				continue;
			k = n / ELASTIC_WIRE_BATCH;
			mv[k].slots[n % ELASTIC_WIRE_BATCH] = slot;
			n++;
			if (n == ELASTIC_DRAIN_BATCH || moved + n >= max)
				break;
		}
		if (!n)
			break;	/* only slots in flight are left: the caller comes back */
		for (k = 0; k * ELASTIC_WIRE_BATCH < n; k++) {
			mv[k].from = from;
			mv[k].to = to;
			mv[k].n = min(n - k * ELASTIC_WIRE_BATCH, ELASTIC_WIRE_BATCH);
		}
		full = false;
		unreachable = false;
		ret = elastic_move_batch(mv, k, &full, &unreachable);
		trace_elastic_drain(from, to, n, ret, atomic_long_read(&elastic_owned[from]));
		for (k = 0; k * ELASTIC_WIRE_BATCH < n; k++)
			for (j = 0; j < mv[k].n; j++)
				elastic_pulling_del(mv[k].slots[j]);
		wake_up_all(&elastic_pull_wq);
		if (ret > 0)
			moved += ret;
		/* A target without room, or that @from cannot reach: the next. */
		if (full || unreachable)
			fullmask |= BIT_ULL(to);
		/* Nothing moved for another reason: let the caller come back. */
		if (ret <= 0 && !full && !unreachable) {
			ret = 0;
			break;
		}
		if (!elastic_peer_alive(from)) {
			ret = -EHOSTDOWN;
			break;
		}
		if (fatal_signal_pending(current))
			break;
		ret = 0;
	}
	kvfree(mv);
	if (moved)
		elastic_remap_all(from);
	atomic64_add(moved, &elastic_mstats.drained);
	*left = atomic_long_read(&elastic_owned[from]);
	if (moved)
		return moved;
	return ret < 0 ? ret : 0;
}

long elastic_mem_drain(u32 from, unsigned long max, unsigned long *left)
{
	return elastic_drain(from, max, left, true);
}

/*
 * A member short of memory asked for some of this node's pages to go: move
 * that many to other members, without marking it draining (it refuses
 * pushes itself while it is short, and takes pages again after).
 */
static void elastic_relieve_fn(struct work_struct *work)
{
	u32 from = work - elastic_relieve_work;
	unsigned long want = atomic_long_xchg(&elastic_relieve_want[from], 0);
	unsigned long left = 0;
	long ret;

	if (!want)
		return;
	ret = elastic_drain(from, want, &left, false);
	if (ret > 0)
		atomic64_add(ret, &elastic_mstats.relieved);
	else if (ret < 0 && ret != -ENOENT)
		pr_warn_ratelimited("cannot move pages off node %u, short of memory: error %ld\n",
				    from, ret);
}

static void elastic_evac_fn(struct work_struct *work)
{
	u32 from = work - elastic_evac_work;
	unsigned long left = 0;
	long ret;

	if (!test_bit(from, elastic_draining))
		return;	/* called off meanwhile */
	ret = elastic_mem_drain(from, LONG_MAX, &left);
	if (ret < 0 && ret != -ENOENT)
		pr_warn_ratelimited("cannot empty node %u: error %ld, %lu pages left\n",
				    from, ret, left);
}

static void elastic_evacuate_send(u32 to, bool on)
{
	struct elastic_wire_evacuate w = { .on = cpu_to_be64(on) };

	if (elastic_peer_send(to, ELASTIC_MSG_EVACUATE, elastic_next_seq(), &w, sizeof(w),
			      NULL, 0))
		atomic64_inc(&elastic_mstats.send_errors);
}

/**
 * elastic_mem_evacuate - empty this node of the pages it holds for others
 * @left: pages it still holds when the call returns
 *
 * From the first call on this node refuses pushes, and every node whose
 * pages it holds is asked (EVACUATE) to move them to other members; they
 * are asked again on every call, so a lost request or a member that was
 * full costs one call.  Waits up to a second for pages to leave.
 *
 * Return: pages that left during the call.
 */
long elastic_mem_evacuate(unsigned long *left)
{
	long before = atomic64_read(&elastic_mstats.hosted_pages), now;
	u32 id;
	int i;

	if (!READ_ONCE(elastic_evacuating)) {
		WRITE_ONCE(elastic_evacuating, true);
		pr_info("emptying this node: %ld pages hosted for others\n", before);
	}
	for (id = 1; id <= ELASTIC_MAX_NODE_ID; id++)
		if (!xa_empty(&elastic_hosted[id]))
			elastic_evacuate_send(id, true);
	for (i = 0; i < 20 && atomic64_read(&elastic_mstats.hosted_pages); i++)
		if (msleep_interruptible(50))
			break;
	now = atomic64_read(&elastic_mstats.hosted_pages);
	*left = now;
	return max(before - now, 0L);
}

/**
 * elastic_mem_undrain - end the drain of member @id, or of this node
 * @id: a member, or this node's own id
 *
 * A member takes new pages from this node again.  For this node's own id,
 * it takes pushes again and tells every member so.
 *
 * Return: 0, or -ENOENT when @id is no member.
 */
int elastic_mem_undrain(u32 id)
{
	u32 self = READ_ONCE(elastic_node.id);
	u32 i;

	if (id == self) {
		if (READ_ONCE(elastic_evacuating))
			pr_info("this node takes pages again\n");
		WRITE_ONCE(elastic_evacuating, false);
		for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
			if (i != self && elastic_node_known(i))
				elastic_evacuate_send(i, false);
		return 0;
	}
	if (!elastic_node_known(id))
		return -ENOENT;
	clear_bit(id, elastic_draining);
	return 0;
}

/* ---- the shrinker: memory pressure from any process ---- */

/* Pages one shrinker-requested push moves at most (the rest next time). */
#define ELASTIC_SHRINK_MAX	4096

static struct shrinker *elastic_shrinker;
static atomic_long_t elastic_shrink_want = ATOMIC_LONG_INIT(0);

/*
 * Push from the stretched process with the most resident pages whose
 * members have room: @want pages, or what MemAvailable lacks under
 * push_below_kb, whichever is more.
 */
static void elastic_push_largest(unsigned long want)
{
	unsigned long best = 0, rss;
	struct elastic_mm *em, *pick = NULL;
	struct mm_struct *mm;

	want = min(max(want, elastic_pressure_deficit() + ELASTIC_PUSH_BATCH),
		   ELASTIC_SHRINK_MAX);
	mutex_lock(&elastic_mms_lock);
	list_for_each_entry(em, &elastic_mms, list) {
		rss = get_mm_counter(em->mm, MM_ANONPAGES);
		if (rss > best && !elastic_mm_full(em) && !READ_ONCE(em->unstretching)) {
			pick = em;
			best = rss;
		}
	}
	/* A structure on its way out (no reference left) waits for the lock. */
	if (pick && !kref_get_unless_zero(&pick->ref))
		pick = NULL;
	if (pick && !mmget_not_zero(pick->mm)) {
		mutex_unlock(&elastic_mms_lock);
		elastic_mm_put(pick);
		return;
	}
	mutex_unlock(&elastic_mms_lock);
	if (!pick)
		return;
	mm = pick->mm;
	elastic_push_auto(pick, want, true);
	/* In this order: a listed structure's mm is always there to read. */
	elastic_mm_put(pick);
	mmput(mm);
}

static void elastic_shrink_fn(struct work_struct *work)
{
	elastic_push_largest(atomic_long_xchg(&elastic_shrink_want, 0));
}

/*
 * Like kswapd ahead of direct reclaim: while processes are stretched, look
 * at MemAvailable ten times a second and push before the kernel has to
 * reclaim (the shrinker only hears of pressure once it does, and a home
 * deep in reclaim can fall silent long enough to be declared dead).
 */
/*
 * This node hosts pages for others and is short of @deficit pages: ask
 * each home to move its share (plus a batch) to other members.  Once a
 * second per home at most: a drain round takes that long, and the request
 * is repeated while the shortage lasts.
 */
static void elastic_relieve(unsigned long deficit)
{
	/* Only the pressure work, which never runs twice at once, uses it. */
	static unsigned long last[ELASTIC_MAX_NODE_ID + 1];
	long total = atomic64_read(&elastic_mstats.hosted_pages), n;
	struct elastic_wire_relieve w;
	u64 want;
	u32 home;

	if (total <= 0)
		return;
	for (home = 1; home <= ELASTIC_MAX_NODE_ID; home++) {
		n = atomic_long_read(&elastic_hosted_for[home]);
		if (n <= 0 || (last[home] && time_before(jiffies, last[home] + HZ)))
			continue;
		want = min_t(u64, n, DIV_ROUND_UP((u64)(deficit + ELASTIC_PUSH_BATCH) * n, total));
		want = min_t(u64, want, ELASTIC_WIRE_CAP_MAX);
		w.pages = cpu_to_be64(want);
		if (elastic_peer_send(home, ELASTIC_MSG_RELIEVE, elastic_next_seq(), &w,
				      sizeof(w), NULL, 0))
			continue;
		last[home] = jiffies;
		atomic64_inc(&elastic_mstats.relieve_requests);
	}
}

static void elastic_pressure_fn(struct work_struct *work)
{
	unsigned long deficit = elastic_pressure_deficit();

	if (deficit && atomic_read(&elastic_nstretched))
		elastic_push_largest(0);
	if (deficit && atomic64_read(&elastic_mstats.hosted_pages))
		elastic_relieve(deficit);
	if (atomic_read(&elastic_nstretched) || atomic64_read(&elastic_mstats.hosted_pages))
		queue_delayed_work(system_unbound_wq, &elastic_pressure_work, HZ / 10);
}

static DECLARE_WORK(elastic_shrink_work, elastic_shrink_fn);

static unsigned long elastic_shrink_count(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	struct elastic_mm *em;
	unsigned long n = 0;

	if (!READ_ONCE(elastic_mparams.push_below_kb) || !atomic_read(&elastic_nstretched))
		return 0;
	/* Reclaim may run under any lock: never wait for this one here. */
	if (!mutex_trylock(&elastic_mms_lock))
		return 0;
	list_for_each_entry(em, &elastic_mms, list)
		if (!elastic_mm_full(em))
			n += get_mm_counter(em->mm, MM_ANONPAGES);
	mutex_unlock(&elastic_mms_lock);
	return n;
}

/*
 * A push sends on sockets and allocates, which reclaim context must not:
 * queue it, and tell reclaim that nothing was freed now.
 */
static unsigned long elastic_shrink_scan(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	atomic64_inc(&elastic_mstats.shrinker_scans);
	atomic_long_add(sc->nr_to_scan, &elastic_shrink_want);
	queue_work(system_unbound_wq, &elastic_shrink_work);
	return SHRINK_STOP;
}

/* ---- first touch: CLAIM ---- */

/* Claims a home handles at once at most; each is a work item. */
#define ELASTIC_CLAIMS_MAX	256
static atomic_t elastic_claims_pending = ATOMIC_INIT(0);

/**
 * struct elastic_claim - a member's CLAIM, handled at the home
 * @work:	elastic_claim_fn(), on elastic_wq
 * @src:	the member
 * @seq:	the CLAIM's sequence number
 * @pl:	the page claimed
 * @grant_seq:	the granting reply's sequence number (a request)
 * @slot:	the slot granted
 */
struct elastic_claim {
	struct work_struct work;
	u32 src;
	u64 seq;
	struct elastic_place pl;
	u64 grant_seq;
	u32 slot;
};

static int elastic_claim_reply_send(u32 to, u64 seq, u64 req_seq, int status, u32 owner,
				    u64 slot, const struct elastic_place *pl)
{
	struct elastic_wire_claim_reply r = {
		.req_seq = cpu_to_be64(req_seq),
		.status = cpu_to_be32(-status),
		.owner = cpu_to_be32(owner),
		.slot = cpu_to_be64(slot),
	};

	elastic_wire_place_set(&r.place, pl);
	return elastic_peer_send(to, ELASTIC_MSG_CLAIM_REPLY, seq, &r, sizeof(r), NULL, 0);
}

static int elastic_grant_send(void *arg, u64 seq)
{
	struct elastic_claim *c = arg;

	return elastic_claim_reply_send(c->src, seq, c->seq, 0, c->src, c->slot, &c->pl);
}

/* The stretched process numbered @id here, with a reference, or NULL. */
static struct elastic_mm *elastic_mm_by_id(u32 id)
{
	struct elastic_mm *em;

	mutex_lock(&elastic_mms_lock);
	list_for_each_entry(em, &elastic_mms, list)
		if (em->id == id && kref_get_unless_zero(&em->ref)) {
			mutex_unlock(&elastic_mms_lock);
			return em;
		}
	mutex_unlock(&elastic_mms_lock);
	return NULL;
}

/* Where the page whose PTE is @pte is: this node, or an entry's owner. */
static u32 elastic_pte_owner(pte_t pte)
{
	swp_entry_t e;

	if (is_swap_pte(pte)) {
		e = pte_to_swp_entry(pte);
		if (is_elastic_entry(e))
			return elastic_entry_owner(e);
	}
	return READ_ONCE(elastic_node.id);
}

/*
 * Decide a claim under the process's push_lock (no unstretch meanwhile) and
 * mmap_lock: a page no node has becomes an entry naming the member, busy
 * until the member says it holds the page.  Return 0 with @c->slot, or
 * -errno (-EEXIST with *@owner).
 */
static int elastic_claim_decide(struct elastic_mm *em, struct elastic_claim *c, u32 *owner)
{
	struct mm_struct *mm = em->mm;
	struct vm_area_struct *vma;
	pte_t cur;
	int ret;

	vma = vma_lookup(mm, c->pl.addr);
	if (mm->elastic != em || em->unstretching)
		return -ESRCH;
	if (!vma || !elastic_vma_claimable(vma))
		return -EFAULT;
	if (elastic_slot_alloc(c->src, &c->slot))
		return -ENOMEM;
	/* Faults here on the slot wait until the member holds the page. */
	ret = elastic_pulling_add(c->slot, GFP_KERNEL);
	if (!ret) {
		ret = elastic_claim_entry(vma, c->pl.addr, make_elastic_entry(c->src, c->slot),
					  &cur);
		if (ret)
			elastic_pulling_del(c->slot);
	}
	if (ret) {
		elastic_slot_put(c->slot);
		if (ret == -EEXIST)
			*owner = elastic_pte_owner(cur);
		return ret == -EEXIST ? ret : -ENOMEM;
	}
	atomic_long_inc(&em->remote[c->src]);
	return 0;
}

/*
 * A member's thread touches a page of one of this node's processes that
 * the member does not hold: the home decides who has it.  In a worker: it
 * takes the process's locks and waits for the member's acknowledgment,
 * which the receiver that queued it must stay free to deliver.
 */
static void elastic_claim_fn(struct work_struct *work)
{
	struct elastic_claim *c = container_of(work, struct elastic_claim, work);
	struct elastic_mm *em = elastic_mm_by_id(c->pl.mm);
	struct elastic_req req;
	u32 owner = 0;
	int ret = -ESRCH;

	if (em && mmget_not_zero(em->mm)) {
		mutex_lock(&em->push_lock);
		mmap_read_lock(em->mm);
		ret = elastic_claim_decide(em, c, &owner);
		mmap_read_unlock(em->mm);
		mutex_unlock(&em->push_lock);
		mmput(em->mm);
	}
	if (em)
		elastic_mm_put(em);
	if (ret) {
		atomic64_inc(&elastic_mstats.claims_refused);
		elastic_claim_reply_send(c->src, elastic_next_seq(), c->seq, ret, owner, 0, &c->pl);
		goto out;
	}
	atomic64_inc(&elastic_mstats.claims_granted);
	/* Repeated until the member holds the page (or is declared dead). */
	elastic_req_add(&req, c->src, NULL, &c->grant_seq);
	req.npages = 1;
	elastic_grant_send(c, c->grant_seq);
	ret = elastic_req_wait(&req, elastic_grant_send, c);
	if (ret)
		pr_warn_ratelimited("node %u took no page at %#llx of process %u (%d): faults there fail\n",
				    c->src, c->pl.addr, c->pl.mm, ret);
	elastic_pulling_del(c->slot);
	wake_up_all(&elastic_pull_wq);
out:
	kfree(c);
	atomic_dec(&elastic_claims_pending);
}

static int elastic_rx_claim(u32 src, const struct elastic_wire_msg *m, const u8 *payload)
{
	struct elastic_claim *c;
	struct elastic_place pl;
	int ret;

	ret = elastic_wire_parse_claim(payload, m->len, &pl);
	if (ret)
		return ret;
	c = NULL;
	if (atomic_inc_return(&elastic_claims_pending) <= ELASTIC_CLAIMS_MAX)
		c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		atomic_dec(&elastic_claims_pending);
		atomic64_inc(&elastic_mstats.claims_refused);
		elastic_claim_reply_send(src, elastic_next_seq(), m->seq, -ENOMEM, 0, 0, &pl);
		return 0;
	}
	c->src = src;
	c->seq = m->seq;
	c->pl = pl;
	INIT_WORK(&c->work, elastic_claim_fn);
	queue_work(elastic_wq, &c->work);
	return 0;
}

/*
 * File @page (zeroed by the claimer) as granted by a CLAIM_REPLY.  Its
 * place is remembered; the claimer's fault maps it (it holds the shadow's
 * mmap_lock, so this receiver must not).  A repeated grant finds the page
 * filed already.
 */
static int elastic_host_put_claimed(u32 home, u64 slot, const struct elastic_place *pl,
				    struct page *page)
{
	struct page *old;

	old = xa_cmpxchg(&elastic_hosted[home], slot, NULL, page, GFP_KERNEL);
	if (old) {
		__free_page(page);
		return xa_is_err(old) ? -ENOMEM : 0;
	}
	elastic_host_count(home);
	atomic64_inc(&elastic_mstats.claimed);
	elastic_shadow_set_place(home, slot, pl);
	return 0;
}

/* The home's answer to a CLAIM of this node. */
static int elastic_rx_claim_reply(u32 src, const struct elastic_wire_msg *m, const u8 *payload)
{
	u32 self = READ_ONCE(elastic_node.id);
	struct page *page = NULL;
	struct elastic_place pl;
	struct elastic_req *req;
	int ret, status;
	u64 req_seq, slot;
	u32 owner;

	ret = elastic_wire_parse_claim_reply(payload, m->len, &req_seq, &status, &owner, &slot,
					     &pl);
	if (ret)
		return ret;
	if (!status && owner != self)
		return -EPROTO;
	spin_lock_bh(&elastic_reqs_lock);
	req = elastic_req_find(req_seq);
	if (req && req->claim && req->peer == src) {
		/* The claimer's zeroed page; the request stays until it is filed. */
		if (!status) {
			page = req->page;
			req->page = NULL;
		}
		req->status = status;
		req->owner = owner;
		req->slot = slot;
	} else {
		req = NULL;
	}
	spin_unlock_bh(&elastic_reqs_lock);
	if (!status) {
		/* A grant nobody waits for files nothing, unless it repeats one. */
		if (page)
			ret = elastic_host_put_claimed(src, slot, &pl, page);
		else
			ret = xa_load(&elastic_hosted[src], slot) ? 0 : -ENOENT;
		elastic_ack(src, m->seq, ret, ret ? 0 : 1);
	}
	if (!req) {
		atomic64_inc(&elastic_mstats.stale_replies);
		return 0;
	}
	spin_lock_bh(&elastic_reqs_lock);
	/* Unless the claimer gave up meanwhile (then its entry is gone). */
	if (elastic_req_find(req_seq) == req) {
		if (!status && ret)
			req->status = ret;
		hash_del(&req->node);
		complete(&req->done);
	}
	spin_unlock_bh(&elastic_reqs_lock);
	return 0;
}

struct elastic_claim_msg {
	u32 home;
	struct elastic_wire_place w;
};

static int elastic_claim_send(void *arg, u64 seq)
{
	struct elastic_claim_msg *cm = arg;

	return elastic_peer_send(cm->home, ELASTIC_MSG_CLAIM, seq, &cm->w, sizeof(cm->w), NULL, 0);
}

/**
 * elastic_mem_claim - may this node create a page that no node has?
 * @home: the process's home
 * @pl: the process there, and the page's address
 * @owner: with -EEXIST, the node that has the page
 *
 * Asks @home (CLAIM) and waits.  Granted, the page is filed here, zeroed,
 * under the slot the home gave it, and returned with a reference, for the
 * caller to map.  A repeated claim of a page granted here before (its
 * reply had been lost) finds it filed.
 *
 * Return: the page, or ERR_PTR(-errno): -EEXIST when the page exists on
 * *@owner, -EFAULT when the process has no private anonymous memory
 * there, -ESRCH when it is gone, -EHOSTDOWN when @home is dead, -ENOMEM.
 */
struct page *elastic_mem_claim(u32 home, const struct elastic_place *pl, u32 *owner)
{
	struct elastic_claim_msg cm = { .home = home };
	struct elastic_req req;
	struct page *page;
	u64 seq, slot;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return ERR_PTR(-ENOMEM);
	elastic_wire_place_set(&cm.w, pl);
	elastic_req_init(&req, home, page);
	req.claim = true;
	seq = elastic_next_seq();
	elastic_req_insert(&req, seq);
	if (elastic_claim_send(&cm, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	ret = elastic_req_wait(&req, elastic_claim_send, &cm);
	/* Not taken by a granting reply: ours to free. */
	if (req.page)
		__free_page(req.page);
	*owner = req.owner;
	slot = req.slot;
	if (ret == -EEXIST && *owner == READ_ONCE(elastic_node.id))
		ret = elastic_shadow_slot_of(home, pl, &slot);
	if (ret)
		return ERR_PTR(ret);
	page = elastic_mem_hosted(home, slot);
	/* Pulled home already: the claimer retries and finds it there. */
	return page ?: ERR_PTR(-EAGAIN);
}

int elastic_mem_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++) {
		INIT_WORK(&elastic_evac_work[i], elastic_evac_fn);
		INIT_WORK(&elastic_relieve_work[i], elastic_relieve_fn);
		xa_init(&elastic_hosted[i]);
		elastic_orphans[i].home = i;
		INIT_DELAYED_WORK(&elastic_orphans[i].work, elastic_orphans_fn);
	}
	/* A sixteenth of RAM, as unstretch keeps free. */
	elastic_mparams.push_below_kb = totalram_pages() / 16 << (PAGE_SHIFT - 10);
	elastic_mparams.orphan_keep_ms = 60000;
	INIT_DELAYED_WORK(&elastic_pressure_work, elastic_pressure_fn);
	/* It frees memory: a rescuer thread keeps it going under pressure. */
	elastic_bg_wq = alloc_workqueue("elastic_bg", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!elastic_bg_wq)
		return -ENOMEM;
	elastic_wq = alloc_workqueue("elastic", WQ_UNBOUND, 0);
	if (!elastic_wq)
		goto out_bg;
	elastic_shrinker = shrinker_alloc(0, "elastic");
	if (!elastic_shrinker)
		goto out_wq;
	elastic_shrinker->count_objects = elastic_shrink_count;
	elastic_shrinker->scan_objects = elastic_shrink_scan;
	shrinker_register(elastic_shrinker);
	return 0;

out_wq:
	destroy_workqueue(elastic_wq);
out_bg:
	destroy_workqueue(elastic_bg_wq);
	return -ENOMEM;
}

void elastic_mem_exit(void)
{
	int i;

	shrinker_free(elastic_shrinker);
	cancel_work_sync(&elastic_shrink_work);
	destroy_workqueue(elastic_bg_wq);	/* waits for the last worker */
	destroy_workqueue(elastic_wq);
	cancel_delayed_work_sync(&elastic_pressure_work);
	/* No process is stretched and nothing is hosted (module pinned else). */
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++) {
		cancel_delayed_work_sync(&elastic_orphans[i].work);
		cancel_work_sync(&elastic_evac_work[i]);
		cancel_work_sync(&elastic_relieve_work[i]);
	}
	flush_delayed_work(&elastic_free_work);
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_destroy(&elastic_hosted[i]);
	xa_destroy(&elastic_slots);
}

