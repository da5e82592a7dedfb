// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the home's owner map, and slots being pulled.
 *
 * The owner map (elastic_slots) is authoritative: for every slot in use,
 * its owner and the number of page table entries referring to it (fork
 * shares entries between parent and child as it shares swap slots), in
 * an xarray value (elastic_slot_pack()).  A
 * slot whose last reference goes is marked and freed by a worker that
 * sends FREE (zaps run under the page table lock and cannot send), one
 * message per owner for up to ELASTIC_WIRE_BATCH slots.
 *
 * Slots being pulled, moved or claimed are in a set (elastic_pulling), so
 * that concurrent faults on one page coalesce: the second waits on
 * elastic_pull_wq and retries.
 *
 * Locking: elastic_slots under its xa_lock, never held across sleeping.  elastic_pulling under
 * elastic_pulling_lock (a spinlock, taken under page table locks).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "transport.h"

#define ELASTIC_SLOT_FREEING	XA_MARK_1

static DEFINE_XARRAY_ALLOC1(elastic_slots);

/*
 * Slots being pulled (or moved, or claimed): a hash set, not an xarray (a
 * random slot's xarray leaf was allocated and RCU-freed on nearly every
 * fault).
 */
#define ELASTIC_PULLING_HASH_BITS	8
static DEFINE_HASHTABLE(elastic_pulling, ELASTIC_PULLING_HASH_BITS);
static DEFINE_SPINLOCK(elastic_pulling_lock);
static DECLARE_WAIT_QUEUE_HEAD(elastic_pull_wq);

/**
 * struct elastic_pulling_ent - a slot in elastic_pulling
 * @node:	in elastic_pulling, under elastic_pulling_lock
 * @slot:	the slot
 */
struct elastic_pulling_ent {
	struct hlist_node node;
	unsigned long slot;
};

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

/**
 * elastic_pulling_add - mark @slot as being pulled (or moved, or claimed)
 * @slot: the slot
 * @gfp: for the set's entry
 *
 * Return: 0, -EBUSY if it is already, or -ENOMEM.
 */
int elastic_pulling_add(unsigned long slot, gfp_t gfp)
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

/**
 * elastic_pulling_del - @slot is no longer being pulled
 * @slot: the slot
 *
 * Atomic: called under page table locks.  The caller wakes the waiters
 * (elastic_pulling_wake()), once for several slots.
 */
void elastic_pulling_del(unsigned long slot)
{
	struct elastic_pulling_ent *e;

	spin_lock(&elastic_pulling_lock);
	e = elastic_pulling_find(slot);
	if (e)
		hash_del(&e->node);
	spin_unlock(&elastic_pulling_lock);
	kfree(e);
}

/**
 * elastic_pulling_has - is @slot being pulled?
 * @slot: the slot
 *
 * Return: true if so.
 */
bool elastic_pulling_has(unsigned long slot)
{
	bool ret;

	spin_lock(&elastic_pulling_lock);
	ret = elastic_pulling_find(slot);
	spin_unlock(&elastic_pulling_lock);
	return ret;
}

/**
 * elastic_pulling_wait - wait until @slot is no longer being pulled
 * @slot: the slot
 *
 * Killable: a killed task returns at once (its fault is retried or it dies).
 */
void elastic_pulling_wait(unsigned long slot)
{
	wait_event_killable(elastic_pull_wq, !elastic_pulling_has(slot));
}

/** elastic_pulling_wake - wake the waiters of slots no longer pulled */
void elastic_pulling_wake(void)
{
	wake_up_all(&elastic_pull_wq);
}

/* ---- the owner map ---- */

static unsigned int elastic_slot_owner(void *v)
{
	return elastic_slot_unpack_owner(xa_to_value(v));
}

static unsigned long elastic_slot_refs(void *v)
{
	return elastic_slot_unpack_refs(xa_to_value(v));
}

static void *elastic_slot_val(unsigned int owner, unsigned long refs)
{
	return xa_mk_value(elastic_slot_pack(owner, refs));
}

/**
 * elastic_slot_alloc - a new slot for a page that goes to @owner
 * @owner: the member that will hold it
 * @slot: set to the slot, with one reference
 *
 * Return: 0, or -ENOMEM / -EBUSY when no slot is left.
 */
int elastic_slot_alloc(unsigned int owner, u32 *slot)
{
	int ret;

	ret = xa_alloc(&elastic_slots, slot, elastic_slot_val(owner, 1),
		       XA_LIMIT(1, U32_MAX), GFP_KERNEL);
	if (!ret) {
		atomic_long_inc(&elastic_members[owner].home.held);
		atomic64_inc(&elastic_mstats.remote_pages);
	}
	return ret;
}

/**
 * elastic_slot_put - drop one reference to @slot
 * @slot: a slot in use
 *
 * The last one hands the slot to the free worker.  Atomic: called under
 * page table locks.
 */
void elastic_slot_put(unsigned long slot)
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

/**
 * elastic_slot_get - one more reference to @slot (fork copied an entry)
 * @slot: a slot in use
 *
 * Atomic: called under page table locks.
 */
void elastic_slot_get(unsigned long slot)
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

/**
 * elastic_slot_owner_of - who holds @slot's page
 * @slot: a slot
 *
 * Return: the owner's node id, or -ENOENT for a slot not in use.
 */
int elastic_slot_owner_of(unsigned long slot)
{
	void *v = xa_load(&elastic_slots, slot);

	return v ? elastic_slot_owner(v) : -ENOENT;
}

/**
 * elastic_slot_move - @slot's page moved from member @from to member @to
 * @slot: the slot
 * @from: its owner until now
 * @to: its new owner
 *
 * Switches the owner unless the slot was freed meanwhile (or moved by
 * someone else).
 *
 * Return: true when switched; false when the new copy is to be freed.
 */
bool elastic_slot_move(unsigned long slot, u32 from, u32 to)
{
	bool keep;
	void *v;

	xa_lock(&elastic_slots);
	v = xa_load(&elastic_slots, slot);
	keep = v && elastic_slot_refs(v) && elastic_slot_owner(v) == from;
	if (keep) {
		__xa_store(&elastic_slots, slot, elastic_slot_val(to, elastic_slot_refs(v)),
			   GFP_ATOMIC);
		atomic_long_dec(&elastic_members[from].home.held);
		atomic_long_inc(&elastic_members[to].home.held);
	}
	xa_unlock(&elastic_slots);
	return keep;
}

/**
 * elastic_slots_collect - slots held by @from to move, marked as being pulled
 * @from: a member
 * @slots: filled
 * @max: how many at most
 *
 * A slot being pulled is left for a later round.  The caller ends each
 * with elastic_pulling_del().
 *
 * Return: how many.
 */
int elastic_slots_collect(u32 from, unsigned long *slots, int max)
{
	unsigned long slot;
	int n = 0;
	void *v;

	xa_for_each(&elastic_slots, slot, v) {
		if (elastic_slot_owner(v) != from || !elastic_slot_refs(v))
			continue;
		if (elastic_pulling_add(slot, GFP_KERNEL))
			continue;
		slots[n++] = slot;
		if (n == max)
			break;
	}
	return n;
}

/**
 * elastic_slot_held - pages that member @id holds for this node
 * @id: node id
 *
 * Return: how many slots of the owner map name @id.
 */
long elastic_slot_held(u32 id)
{
	return elastic_node_id_valid(id) ? atomic_long_read(&elastic_members[id].home.held) : 0;
}

/* ---- FREE ---- */

/**
 * elastic_free_batch_send - send the FREE collected in @fb
 * @fb: the batch; emptied
 */
void elastic_free_batch_send(struct elastic_free_batch *fb)
{
	if (fb->n)
		elastic_send_slots(fb->to, ELASTIC_MSG_FREE, elastic_next_seq(),
				   fb->slots, fb->n, NULL, NULL, false);
	fb->n = 0;
}

/**
 * elastic_free_batch_add - add @slot to @fb, sending a full batch
 * @fb: the batch
 * @slot: a slot whose copy on @fb->to is to go
 */
void elastic_free_batch_add(struct elastic_free_batch *fb, unsigned long slot)
{
	fb->slots[fb->n++] = slot;
	if (fb->n == ELASTIC_WIRE_BATCH)
		elastic_free_batch_send(fb);
}

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
			atomic_long_dec(&elastic_members[fb->to].home.held);
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
 * elastic_slots_flush - send the FREEs pending now
 *
 * Before a message that must come after them on the same connections.
 */
void elastic_slots_flush(void)
{
	flush_delayed_work(&elastic_free_work);
}

/** elastic_slots_exit - at unload, when no slot is in use */
void elastic_slots_exit(void)
{
	flush_delayed_work(&elastic_free_work);
	xa_destroy(&elastic_slots);
}
