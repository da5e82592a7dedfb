// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: stretched processes, their state and its life.
 *
 * A stretched address space has a struct elastic_mm (mm->elastic), made by
 * a stretch or inherited across fork and exec, and freed with the last
 * reference after the mm's end.  Each has a number on this node that
 * names its shadows on the members; when it ends, every member is told
 * (an empty LAYOUT) after the FREEs of its pages, and only then is the
 * number free again.  The pages it pulled ahead of its faults (@pf) are
 * dropped with it, or with their slot.
 *
 * Locking: elastic_mms (the list of stretched processes) under
 * elastic_mms_lock, a mutex that stretch and fork take under an mmap_lock,
 * so it is never held while taking one.  struct elastic_mm as documented
 * there.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "internal.h"
#include "mem.h"
#include "shadow.h"
#include "member.h"
#include "node.h"
#include "transport.h"

/* Numbers of stretched processes (struct elastic_mm.id). */
static DEFINE_IDA(elastic_mm_ids);
/* Layout versions: one counter, so that a reused id's layouts are newer. */
static atomic64_t elastic_layout_gens = ATOMIC64_INIT(0);

static atomic_t elastic_nstretched = ATOMIC_INIT(0);
static LIST_HEAD(elastic_mms);
static DEFINE_MUTEX(elastic_mms_lock);

/*
 * Work that sends and waits (a process's end, a member's claim): the
 * module's own, so that unload waits for it, and not WQ_MEM_RECLAIM, so
 * that it may flush system work.
 */
struct workqueue_struct *elastic_wq;

/* The background pusher (reclaim.c), set at load. */
static work_func_t elastic_mm_bg_fn;

/**
 * struct elastic_gone - a process whose members must drop its shadows
 * @work:	sends the LAYOUTs (elastic_gone_fn())
 * @id:		the process's number, free again once they are sent
 */
struct elastic_gone {
	struct work_struct work;
	u32 id;
};

/** elastic_mm_nstretched - stretched processes whose home is this node */
int elastic_mm_nstretched(void)
{
	return atomic_read(&elastic_nstretched);
}

/** elastic_layout_next_gen - a new layout version, newer than every other */
u64 elastic_layout_next_gen(void)
{
	return atomic64_inc_return(&elastic_layout_gens);
}

/**
 * elastic_mm_alloc - the elastic state of a newly stretched @mm
 * @mm: the address space
 * @nodes: bitmap of the members its pages may go to
 * @limit: resident anonymous pages allowed at home; 0: no limit
 *
 * Pins the module for as long as the process is stretched.  The caller
 * sets mm->elastic under the mmap_lock.
 *
 * Return: the state, or NULL.
 */
struct elastic_mm *elastic_mm_alloc(struct mm_struct *mm, u64 nodes, unsigned long limit)
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
	INIT_WORK(&em->bg_work, elastic_mm_bg_fn);
	atomic_inc(&elastic_nstretched);
	mutex_lock(&elastic_mms_lock);
	list_add(&em->list, &elastic_mms);
	mutex_unlock(&elastic_mms_lock);
	elastic_pressure_watch();
	return em;
}

/**
 * elastic_pf_drop - forget a prefetched page
 * @em: its process
 * @pf: taken out of @em->pf
 *
 * Its request leaves the request table first: the receiver copies under
 * that table's lock, so no copy into the page is under way afterwards.
 * Atomic: called under page table locks.
 */
void elastic_pf_drop(struct elastic_mm *em, struct elastic_pf *pf)
{
	elastic_req_remove(&pf->req);
	put_page(pf->page);	/* a charged folio: put, not freed */
	kfree(pf);
	atomic_dec(&em->npf);
}

/**
 * elastic_pf_forget - drop the prefetch of @slot, if any
 * @em: the process
 * @slot: a slot that is released or reused: no prefetch may outlive it
 */
void elastic_pf_forget(struct elastic_mm *em, unsigned long slot)
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

	elastic_slots_flush();
	elastic_wire_put_layout(&w, elastic_node_id(), g->id, elastic_layout_next_gen(), NULL, 0);
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
	/* elastic_mem_room() may look at it without the mmap_lock. */
	kfree_rcu(em, rcu);
	atomic_dec(&elastic_nstretched);
	module_put(THIS_MODULE);
}

/**
 * elastic_mm_put - drop a reference to @em
 * @em: the state; the last reference frees it
 */
void elastic_mm_put(struct elastic_mm *em)
{
	kref_put(&em->ref, elastic_mm_release);
}

/**
 * elastic_mm_get - @mm's elastic state with a reference
 * @mm: an address space, its users pinned by the caller
 *
 * Return: the state, or NULL when @mm is not stretched.
 */
struct elastic_mm *elastic_mm_get(struct mm_struct *mm)
{
	struct elastic_mm *em;

	mmap_read_lock(mm);
	em = mm->elastic;
	if (em)
		kref_get(&em->ref);
	mmap_read_unlock(mm);
	return em;
}

/**
 * elastic_mm_by_id - the stretched process numbered @id here
 * @id: its number
 *
 * Return: its state with a reference, or NULL.
 */
struct elastic_mm *elastic_mm_by_id(u32 id)
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

/**
 * elastic_mm_largest - the stretched process with the most resident pages
 * whose members have room, and that is not being unstretched
 *
 * Return: its state with a reference, its mm with a user reference
 * (mmput() it after elastic_mm_put()), or NULL.
 */
struct elastic_mm *elastic_mm_largest(void)
{
	struct elastic_mm *em, *pick = NULL;
	unsigned long best = 0, rss;

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
		return NULL;
	}
	mutex_unlock(&elastic_mms_lock);
	return pick;
}

/**
 * elastic_mm_resident - resident anonymous pages of stretched processes
 * whose members have room
 *
 * For reclaim, which may run under any lock: 0 when the list is busy.
 *
 * Return: the pages.
 */
unsigned long elastic_mm_resident(void)
{
	struct elastic_mm *em;
	unsigned long n = 0;

	if (!mutex_trylock(&elastic_mms_lock))
		return 0;
	list_for_each_entry(em, &elastic_mms, list)
		if (!elastic_mm_full(em))
			n += get_mm_counter(em->mm, MM_ANONPAGES);
	mutex_unlock(&elastic_mms_lock);
	return n;
}

/**
 * elastic_mm_collect - the stretched address spaces, each with a user reference
 * @mms: filled (mmput() each)
 * @max: room in @mms
 *
 * Return: how many.
 */
int elastic_mm_collect(struct mm_struct **mms, int max)
{
	struct elastic_mm *em;
	int n = 0;

	mutex_lock(&elastic_mms_lock);
	list_for_each_entry(em, &elastic_mms, list)
		if (n < max && mmget_not_zero(em->mm))
			mms[n++] = em->mm;
	mutex_unlock(&elastic_mms_lock);
	return n;
}

/**
 * elastic_mm_remote - @em's pages that other nodes hold
 * @em: the state
 *
 * Return: how many.
 */
unsigned long elastic_mm_remote(struct elastic_mm *em)
{
	unsigned long n = 0;
	int i;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		n += atomic_long_read(&em->remote[i]);
	return n;
}

/**
 * elastic_mem_room - the room operation: pages other nodes may hold for @mm
 * @mm: a stretched address space
 *
 * For commit accounting (a stretched process's memory is not bounded by
 * its home's RAM and swap): what its members said in their latest
 * heartbeats that they can still take, plus what they hold for this node
 * already, as the commit limit counts all of swap, used or not (a fork
 * of a process whose pages are mostly on members is then accounted as
 * it would be with those pages in swap).  Callers need not hold the
 * mmap_lock: the state is freed after a grace period.
 *
 * Return: the pages.
 */
unsigned long elastic_mem_room(struct mm_struct *mm)
{
	u32 self = elastic_node_id(), id;
	struct elastic_mm *em;
	unsigned long room = 0;
	u64 nodes = 0;

	rcu_read_lock();
	em = READ_ONCE(mm->elastic);
	if (em)
		nodes = READ_ONCE(em->nodes);
	rcu_read_unlock();
	for (id = 1; id <= ELASTIC_MAX_NODE_ID; id++)
		if (id != self && (nodes & BIT_ULL(id)) && !elastic_member_draining(id))
			room = min_t(u64, room + elastic_peer_room(id) +
				     atomic_long_read(&elastic_members[id].home.held), LONG_MAX);
	return room;
}

/**
 * elastic_vma_claimable - may this VMA's pages live elsewhere?
 * @vma: a VMA of a stretched mm
 *
 * Return: true for private anonymous memory that is not locked, huge,
 * special, or registered with userfaultfd, touched here or not.
 */
bool elastic_vma_claimable(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
		!(vma->vm_flags & (VM_SHARED | VM_LOCKED | VM_HUGETLB | VM_PFNMAP |
				   VM_IO | VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR));
}

/**
 * elastic_vma_elastic - may this VMA's pages be pushed?
 * @vma: a VMA of a stretched mm
 *
 * Return: true when claimable and it has pages (an anon_vma).
 */
bool elastic_vma_elastic(struct vm_area_struct *vma)
{
	return elastic_vma_claimable(vma) && vma->anon_vma;
}

/**
 * elastic_vma_shadowed - does a member's shadow mirror this VMA?
 * @vma: a VMA of a stretched mm
 *
 * Return: true for private anonymous memory.
 */
bool elastic_vma_shadowed(struct vm_area_struct *vma)
{
	return vma_is_anonymous(vma) &&
		!(vma->vm_flags & (VM_SHARED | VM_HUGETLB | VM_PFNMAP | VM_IO));
}

/**
 * elastic_mem_inherit - the inherit operation: @mm is stretched as @old
 * @old: a stretched address space
 * @mm: its copy made by fork, or its replacement made by exec
 *
 * Return: 0, or -ENOMEM to fail the fork or exec.
 */
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

/**
 * elastic_mem_mm_exit - the exit operation: the last user of @mm is gone
 * @mm: a stretched address space, its pages all zapped
 */
void elastic_mem_mm_exit(struct mm_struct *mm)
{
	const struct elastic_thread_ops *ops = elastic_thread_ops();
	struct elastic_mm *em = mm->elastic;

	if (ops && em)
		ops->mm_gone(em->id);
	mm->elastic = NULL;
	elastic_mm_put(em);
}

/**
 * elastic_mms_init - at load
 * @bg_fn: what a process's background pusher runs (struct elastic_mm.bg_work)
 *
 * Return: 0, or -ENOMEM.
 */
int elastic_mms_init(work_func_t bg_fn)
{
	elastic_mm_bg_fn = bg_fn;
	elastic_wq = alloc_workqueue("elastic", WQ_UNBOUND, 0);
	return elastic_wq ? 0 : -ENOMEM;
}

/** elastic_mms_exit - at unload: waits for the processes' ends to be told */
void elastic_mms_exit(void)
{
	destroy_workqueue(elastic_wq);
}
