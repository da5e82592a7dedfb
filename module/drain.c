// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: moving this node's processes' pages off members.
 *
 * Drain (node-drain).  The member is marked draining (no new pages go to
 * it).  Batches of its slots are marked busy (a fault on one waits, as for
 * a concurrent pull) and moved directly from member to member: the home
 * sends the old owner a MOVE naming the slots and the new owner; the old
 * owner hands the pages to the new one in one HANDOFF, and the new owner
 * files them and acknowledges to the home.  Only then does the owner map
 * switch and the old copy get a FREE.  At the end of each call the page
 * table entries of every stretched process are rewritten to name the new
 * owners.  The same drain, for a number of pages and without the mark,
 * relieves a member short of memory (RELIEVE); a member being reclaimed
 * asks for it with EVACUATE, and this node asks the same of its homes
 * when it is emptied itself (node-drain of its own id).
 *
 * The drains a member asks for run in work items: not in the member's
 * receiver thread, which must stay free to deliver the replies the drain
 * waits for.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/elastic.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "transport.h"
#include "elastic_trace.h"

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
	u32 self = elastic_node_id();
	u32 id;

	for (id = 1; id <= ELASTIC_MAX_NODE_ID; id++)
		if (id != self && id != from && !(full & BIT_ULL(id)) &&
		    !elastic_member_draining(id) && elastic_node_known(id) &&
		    elastic_peer_alive(id))
			return id;
	return 0;
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
			keep = elastic_slot_move(mv[k].slots[j], mv[k].from, mv[k].to);
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
 * mms are collected first and walked after the list's lock is dropped:
 * stretch and fork take that lock under mmap_lock, so it must never be
 * held while taking one.
 */
static void elastic_remap_all(u32 from)
{
	struct mm_struct **mms;
	int n, max, i;

	max = elastic_mm_nstretched() + 16;
	mms = kvcalloc(max, sizeof(*mms), GFP_KERNEL);
	if (!mms)
		return;	/* entries keep their old owner; the map is right */
	n = elastic_mm_collect(mms, max);
	for (i = 0; i < n; i++) {
		mmap_read_lock(mms[i]);
		elastic_remap_entries(mms[i], elastic_remap_one, &from);
		mmap_read_unlock(mms[i]);
		mmput(mms[i]);
	}
	kvfree(mms);
}

/**
 * elastic_drain - move pages of this node's processes off member @from
 * @from: the member to empty
 * @max: pages to move at most in this call
 * @left: pages it still holds afterwards
 * @mark: mark it draining first (a drain), or not (a relief: the member
 *	asked for some of its pages to go, and refuses pushes itself)
 *
 * A drain marks the member first: pushes avoid it from then on.  The
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
	unsigned long *slots;
	long moved = 0, ret = 0;
	u64 fullmask = 0;
	int n, k, j;
	u32 to;

	if (from == elastic_node_id())
		return -EINVAL;
	if (!elastic_node_known(from))
		return -ENOENT;
	if (mark)
		set_bit(ELASTIC_MEMBER_DRAINING, &elastic_members[from].home.flags);
	if (!elastic_peer_alive(from)) {
		*left = elastic_slot_held(from);
		return *left ? -EHOSTDOWN : 0;
	}
	mv = kvcalloc(ELASTIC_DRAIN_MSGS, sizeof(*mv), GFP_KERNEL);
	slots = kvmalloc_array(ELASTIC_DRAIN_BATCH, sizeof(*slots), GFP_KERNEL);
	if (!mv || !slots) {
		kvfree(slots);
		kvfree(mv);
		return -ENOMEM;
	}
	while (moved < max && elastic_slot_held(from)) {
		to = elastic_pick_drain_target(from, fullmask);
		if (!to) {
			ret = -ENOSPC;
			break;
		}
		n = min_t(unsigned long, ELASTIC_DRAIN_BATCH, max - moved);
		n = elastic_slots_collect(from, slots, n);
		for (k = 0; k < n; k++)
			mv[k / ELASTIC_WIRE_BATCH].slots[k % ELASTIC_WIRE_BATCH] = slots[k];
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
		trace_elastic_drain(from, to, n, ret, elastic_slot_held(from));
		for (k = 0; k * ELASTIC_WIRE_BATCH < n; k++)
			for (j = 0; j < mv[k].n; j++)
				elastic_pulling_del(mv[k].slots[j]);
		elastic_pulling_wake();
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
	kvfree(slots);
	kvfree(mv);
	if (moved)
		elastic_remap_all(from);
	atomic64_add(moved, &elastic_mstats.drained);
	*left = elastic_slot_held(from);
	if (moved)
		return moved;
	return ret < 0 ? ret : 0;
}

/**
 * elastic_mem_drain - node-drain of member @from
 * @from: the member to empty; from now on it gets no new pages
 * @max: pages to move at most in this call
 * @left: pages it still holds afterwards
 *
 * Return: as elastic_drain().
 */
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
	u32 from = elastic_member_of_home(container_of(work, struct elastic_member_home,
						       relieve_work));
	unsigned long want = atomic_long_xchg(&elastic_members[from].home.relieve_want, 0);
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
	u32 from = elastic_member_of_home(container_of(work, struct elastic_member_home,
						       evac_work));
	unsigned long left = 0;
	long ret;

	if (!elastic_member_draining(from))
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
		if (elastic_store_count(id))
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
	u32 self = elastic_node_id();
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
	clear_bit(ELASTIC_MEMBER_DRAINING, &elastic_members[id].home.flags);
	return 0;
}

/**
 * elastic_drain_removed - member @id was removed: it may get pages again
 * once it is added back
 * @id: node id
 */
void elastic_drain_removed(u32 id)
{
	if (elastic_node_id_valid(id))
		clear_bit(ELASTIC_MEMBER_DRAINING, &elastic_members[id].home.flags);
}

/* EVACUATE: a member being reclaimed asks for this node's pages to go. */
static int elastic_rx_evacuate(struct elastic_conn *c, const struct elastic_wire_msg *m,
			       const u8 *payload)
{
	u32 src = elastic_rx_src(c);
	struct elastic_member_home *home = &elastic_members[src].home;
	bool on;
	int ret;

	ret = elastic_wire_parse_evacuate(payload, m->len, &on);
	if (ret)
		return ret;
	if (!on) {
		if (test_and_clear_bit(ELASTIC_MEMBER_DRAINING, &home->flags))
			pr_info("node %u takes pages again\n", src);
		return 0;
	}
	if (!test_and_set_bit(ELASTIC_MEMBER_DRAINING, &home->flags)) {
		pr_info("node %u is being reclaimed: moving this node's pages off it\n", src);
		elastic_event(ELASTIC_EVENT_TYPE_EVACUATE, src);
	}
	atomic64_inc(&elastic_mstats.evacuations);
	/* The member repeats the request; a queued drain covers them all. */
	queue_work(system_unbound_wq, &home->evac_work);
	return 0;
}

/* RELIEVE: a member short of memory asks for some of this node's pages to go. */
static int elastic_rx_relieve(struct elastic_conn *c, const struct elastic_wire_msg *m,
			      const u8 *payload)
{
	struct elastic_member_home *home = &elastic_members[elastic_rx_src(c)].home;
	u64 pages;
	int ret;

	ret = elastic_wire_parse_relieve(payload, m->len, &pages);
	if (ret)
		return ret;
	/* Repeated while the member stays short: the latest count holds. */
	atomic_long_set(&home->relieve_want, pages);
	queue_work(system_unbound_wq, &home->relieve_work);
	return 0;
}

static const struct elastic_msg_handler elastic_evacuate_handler = {
	.rx = elastic_rx_evacuate,
};

static const struct elastic_msg_handler elastic_relieve_handler = {
	.rx = elastic_rx_relieve,
};

/** elastic_drain_init - at load */
void elastic_drain_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++) {
		INIT_WORK(&elastic_members[i].home.evac_work, elastic_evac_fn);
		INIT_WORK(&elastic_members[i].home.relieve_work, elastic_relieve_fn);
	}
	elastic_msg_register(ELASTIC_MSG_EVACUATE, &elastic_evacuate_handler);
	elastic_msg_register(ELASTIC_MSG_RELIEVE, &elastic_relieve_handler);
}

/** elastic_drain_exit - at unload, after every connection ended */
void elastic_drain_exit(void)
{
	int i;

	elastic_msg_unregister(ELASTIC_MSG_EVACUATE);
	elastic_msg_unregister(ELASTIC_MSG_RELIEVE);
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++) {
		cancel_work_sync(&elastic_members[i].home.evac_work);
		cancel_work_sync(&elastic_members[i].home.relieve_work);
	}
}
