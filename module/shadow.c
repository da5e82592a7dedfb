// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: shadows of stretched processes on member nodes,
 * the table of them and where each hosted page lives.
 *
 * A member keeps, for each process whose pages it may hold, a shadow of
 * that process's address space: an mm that no task runs in, with the same
 * private anonymous ranges as the process at its home (LAYOUT), in which
 * each page the member holds for the process is mapped at its address
 * (PUSH and HANDOFF say where each page lives).  Threads that jump here
 * will run in it; until then it shows where each hosted page belongs, and
 * a HANDOFF carries that on to the page's next owner, with the layout.
 * The files: shadow_priv.h.
 *
 * Mapping.  The hosted store (store.c) owns the pages; a shadow maps them
 * with vm_insert_page() and unmaps them with zap_page_range_single() before
 * the store lets them go.  Its VMAs are VM_MIXEDMAP (khugepaged, KSM and
 * NUMA balancing leave them alone) and VM_SHARED: a write goes to the
 * hosted page itself, never to a private copy, and a touch of a page the
 * shadow does not map reaches elastic_shadow_fault() (shadow_vm.c), which
 * asks the home (CLAIM, shadow_claim.c) instead of making a zero page of
 * its own.  A page whose place lies outside its shadow's layout, or that
 * arrived before the layout did (a HANDOFF can overtake the home's LAYOUT,
 * on another connection), stays in the store unmapped, and is mapped when
 * a layout covering it arrives.
 *
 * Nobody waits for another node with a shadow's mmap_lock held: a fault
 * releases it while its CLAIM waits and is retried, as a fault at the home
 * does while its PULL waits.  Receivers still map and unmap pages only
 * when they get the lock at once, and leave the rest (and every change of
 * the VMAs) to the shadow's worker.  A receiver takes a page's place away
 * (host.placed) before it looks for the page in the shadow, and a fault
 * looks at the place again after mapping it, with a full barrier in
 * between on both sides: one of them sees the other, and a page leaving
 * the node never stays mapped in its shadow.
 *
 * Locking:
 *  - elastic_shadows_lock (a mutex): the table of shadows, and each
 *    shadow's @gen, @ranges, @nranges, @fwd.  Never held while waiting for
 *    a shadow's mmap_lock.
 *  - a shadow's mm's mmap_lock: its VMAs and @pages (which its fault
 *    handler adds to under the lock held for reading; the xarray's own
 *    lock orders those additions); @dead is written under it.
 *  - @lock (a spinlock): the work the worker has to do.
 *  - @claims: its own lock (xarray).
 *  - elastic_members[home].host.placed: an xarray of values (its own lock): slot ->
 *    where the page hosted under that slot lives.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "shadow_priv.h"
#include "transport.h"

/* Shadows one node keeps at most: each costs an mm and page tables. */
#define ELASTIC_SHADOWS_MAX	4096

/* The table and each shadow's layout: see Locking above. */
DEFINE_MUTEX(elastic_shadows_lock);
static DEFINE_HASHTABLE(elastic_shadows, 8);
static unsigned int elastic_nshadows;
/* The shadows' workers; unload waits for them. */
static struct workqueue_struct *elastic_shadow_wq;

/* Threads that run in shadows (jump.c), registered at load. */
static const struct elastic_thread_ops *elastic_thread_ops_cur;

/**
 * elastic_thread_ops_set - the execution layer registers itself (NULL: leaves)
 * @ops: its callbacks
 */
void elastic_thread_ops_set(const struct elastic_thread_ops *ops)
{
	WRITE_ONCE(elastic_thread_ops_cur, ops);
}

/**
 * elastic_thread_ops - the execution layer's callbacks
 *
 * Return: them, or NULL before it loads and after it leaves.
 */
const struct elastic_thread_ops *elastic_thread_ops(void)
{
	return READ_ONCE(elastic_thread_ops_cur);
}

static u32 elastic_shadow_key(u32 home, u32 id)
{
	return home << ELASTIC_PLACE_MM_BITS | id;
}

/* The shadow of (@home, @id), or NULL; under elastic_shadows_lock. */
struct elastic_shadow *elastic_shadow_find(u32 home, u32 id)
{
	struct elastic_shadow *s;

	lockdep_assert_held(&elastic_shadows_lock);
	hash_for_each_possible(elastic_shadows, s, node, elastic_shadow_key(home, id))
		if (s->home == home && s->id == id)
			return s;
	return NULL;
}

/* The shadow of (@home, @id) with a reference, or NULL. */
struct elastic_shadow *elastic_shadow_get(u32 home, u32 id)
{
	struct elastic_shadow *s;

	mutex_lock(&elastic_shadows_lock);
	s = elastic_shadow_find(home, id);
	if (s)
		kref_get(&s->ref);
	mutex_unlock(&elastic_shadows_lock);
	return s;
}

static void elastic_shadow_release(struct kref *ref)
{
	struct elastic_shadow *s = container_of(ref, struct elastic_shadow, ref);

	mmput(s->mm);
	xa_destroy(&s->claims);
	kfree(s->ranges);
	kfree(s);
}

void elastic_shadow_put(struct elastic_shadow *s)
{
	kref_put(&s->ref, elastic_shadow_release);
}

/* Let the worker run (again); it holds a reference while queued. */
void elastic_shadow_kick(struct elastic_shadow *s)
{
	kref_get(&s->ref);
	if (!queue_work(elastic_shadow_wq, &s->work))
		elastic_shadow_put(s);
}

/*
 * The mmap_lock for writing if it is free (mmap_lock.h has no such call:
 * the kernel never needed one); released with mmap_write_unlock().
 */
static bool elastic_mmap_write_trylock(struct mm_struct *mm)
{
	return down_write_trylock(&mm->mmap_lock);
}

/* Map @page at @addr in @s; under @s's mmap_lock held for writing. */
void elastic_shadow_insert(struct elastic_shadow *s, unsigned long addr, struct page *page)
{
	struct vm_area_struct *vma = vma_lookup(s->mm, addr);
	unsigned long idx = addr >> PAGE_SHIFT;

	mmap_assert_write_locked(s->mm);
	if (s->dead || !vma || xa_load(&s->pages, idx))
		return;
	if (xa_insert(&s->pages, idx, page, GFP_KERNEL))
		return;
	if (vm_insert_page(vma, addr, page)) {
		xa_erase(&s->pages, idx);
		atomic64_inc(&elastic_mstats.shadow_errors);
		return;
	}
	atomic_long_inc(&elastic_members[s->home].host.mapped);
	atomic64_inc(&elastic_mstats.shadow_pages);
}

/* Unmap what @s maps at @addr if it is @page (NULL: whatever it is). */
void elastic_shadow_remove(struct elastic_shadow *s, unsigned long addr, struct page *page)
{
	unsigned long idx = addr >> PAGE_SHIFT;
	struct vm_area_struct *vma;
	struct page *cur;

	mmap_assert_write_locked(s->mm);
	cur = xa_load(&s->pages, idx);
	if (!cur || (page && cur != page))
		return;
	xa_erase(&s->pages, idx);
	vma = vma_lookup(s->mm, addr);
	if (vma)
		zap_page_range_single(vma, addr, PAGE_SIZE, NULL);
	atomic_long_dec(&elastic_members[s->home].host.mapped);
	atomic64_dec(&elastic_mstats.shadow_pages);
}

/**
 * elastic_shadow_set_place - remember where a page filed for @home lives
 * @home: its home
 * @slot: its slot there
 * @pl: its place
 *
 * For a page the caller maps itself (a claimed one, in its fault).
 */
void elastic_shadow_set_place(u32 home, u64 slot, const struct elastic_place *pl)
{
	struct xarray *placed = &elastic_members[home].host.placed;

	if (xa_err(xa_store(placed, slot, elastic_place_val(pl), GFP_KERNEL)))
		atomic64_inc(&elastic_mstats.shadow_errors);
}

/**
 * elastic_shadow_map - map a page just filed for @home in its shadow
 * @home: the page's home
 * @slot: its slot there
 * @pl: where it lives in its process
 * @page: the hosted page
 *
 * Remembers the place (a HANDOFF passes it on) and maps the page when the
 * shadow's layout covers it, now or (when a fault holds the shadow's
 * mmap_lock) in the shadow's worker.  Called by the receiver that filed it.
 */
void elastic_shadow_map(u32 home, u64 slot, const struct elastic_place *pl, struct page *page)
{
	struct elastic_shadow *s;

	elastic_shadow_set_place(home, slot, pl);
	s = elastic_shadow_get(home, pl->mm);
	if (!s)
		return;
	if (elastic_mmap_write_trylock(s->mm)) {
		elastic_shadow_insert(s, pl->addr, page);
		mmap_write_unlock(s->mm);
	} else {
		spin_lock(&s->lock);
		s->refill = true;
		spin_unlock(&s->lock);
		elastic_shadow_kick(s);
	}
	elastic_shadow_put(s);
}

/**
 * elastic_shadow_unmap - a page hosted for @home is about to go
 * @home: its home
 * @slot: its slot there
 * @page: the page, unmapped from its shadow if it is mapped there
 *
 * When the shadow's mmap_lock is taken, the shadow's worker unmaps it; the
 * mapping keeps a reference to the page until then.
 */
void elastic_shadow_unmap(u32 home, u64 slot, struct page *page)
{
	struct elastic_shadow *s;
	struct elastic_place pl;
	struct elastic_zap *z;
	void *v;

	v = xa_erase(&elastic_members[home].host.placed, slot);
	if (!v)
		return;
	/* Seen by a fault mapping the page now: elastic_shadow_map_claimed(). */
	smp_mb();
	elastic_place_of(v, &pl);
	s = elastic_shadow_get(home, pl.mm);
	if (!s)
		return;
	if (elastic_mmap_write_trylock(s->mm)) {
		elastic_shadow_remove(s, pl.addr, page);
		mmap_write_unlock(s->mm);
	} else if (xa_load(&s->pages, pl.addr >> PAGE_SHIFT) == page) {
		z = kmalloc(sizeof(*z), GFP_KERNEL);
		if (z) {
			z->addr = pl.addr;
			z->page = page;
			get_page(page);
			spin_lock(&s->lock);
			list_add_tail(&z->list, &s->zaps);
			spin_unlock(&s->lock);
			elastic_shadow_kick(s);
		} else {
			atomic64_inc(&elastic_mstats.shadow_errors);
		}
	}
	elastic_shadow_put(s);
}

/**
 * elastic_shadow_unmap_now - a page hosted for @home is given away now
 * @home: its home
 * @slot: its slot there
 * @page: the page
 *
 * As elastic_shadow_unmap(), but when threads run in the page's shadow it
 * is unmapped before this returns (the caller then copies it, and no CPU
 * here can write it after that), waiting for the shadow's mmap_lock: no
 * holder of it waits for another node while threads run there.  Called by
 * receivers answering PULL and MOVE.
 */
void elastic_shadow_unmap_now(u32 home, u64 slot, struct page *page)
{
	const struct elastic_thread_ops *ops = elastic_thread_ops();
	struct elastic_shadow *s;
	struct elastic_place pl;

	if (!ops || elastic_shadow_place(home, slot, &pl) ||
	    !ops->shadow_busy(home, pl.mm))
		return;
	if (!xa_erase(&elastic_members[home].host.placed, slot))
		return;
	/* Seen by a fault mapping the page now: elastic_shadow_map_claimed(). */
	smp_mb();
	s = elastic_shadow_get(home, pl.mm);
	if (!s)
		return;
	mmap_write_lock(s->mm);
	elastic_shadow_remove(s, pl.addr, page);
	mmap_write_unlock(s->mm);
	elastic_shadow_put(s);
}

/**
 * elastic_shadow_mm_get - the address space of a shadow, for a thread to run in
 * @home: the process's home
 * @id: the process there
 *
 * Return: the shadow's mm with a user reference (mmput() it), or NULL when
 * there is no such shadow or it is being torn down.
 */
struct mm_struct *elastic_shadow_mm_get(u32 home, u32 id)
{
	struct elastic_shadow *s = elastic_shadow_get(home, id);
	struct mm_struct *mm = NULL;

	if (!s)
		return NULL;
	spin_lock(&s->lock);
	if (!s->gone && !READ_ONCE(s->dead) && mmget_not_zero(s->mm))
		mm = s->mm;
	spin_unlock(&s->lock);
	elastic_shadow_put(s);
	return mm;
}

/**
 * elastic_shadow_place - where the page hosted for @home under @slot lives
 * @home: its home
 * @slot: its slot
 * @pl: filled with its process and address
 *
 * Return: 0, or -ENOENT when no place is known.
 */
int elastic_shadow_place(u32 home, u64 slot, struct elastic_place *pl)
{
	void *v = xa_load(&elastic_members[home].host.placed, slot);

	if (!v)
		return -ENOENT;
	elastic_place_of(v, pl);
	return 0;
}

/**
 * elastic_shadow_slot_of - the slot of the page hosted for @home at @pl
 * @home: its home
 * @pl: its place
 * @slot: filled on success
 *
 * A walk of what this node hosts for @home: only for a claim whose grant
 * was filed while its reply was lost.
 *
 * Return: 0, or -ENOENT.
 */
int elastic_shadow_slot_of(u32 home, const struct elastic_place *pl, u64 *slot)
{
	void *want = elastic_place_val(pl), *v;
	unsigned long i;

	xa_for_each(&elastic_members[home].host.placed, i, v)
		if (v == want) {
			*slot = i;
			return 0;
		}
	return -ENOENT;
}

/* Take @s out of the table; its worker tears it down. */
void elastic_shadow_unlink(struct elastic_shadow *s)
{
	const struct elastic_thread_ops *ops = elastic_thread_ops();

	lockdep_assert_held(&elastic_shadows_lock);
	if (ops)
		ops->shadow_gone(s->home, s->id);
	hash_del(&s->node);
	elastic_nshadows--;
	atomic64_dec(&elastic_mstats.shadows);
	spin_lock(&s->lock);
	s->gone = true;
	spin_unlock(&s->lock);
	elastic_shadow_kick(s);
	elastic_shadow_put(s);		/* the table's */
}

/*
 * A new shadow of (@home, @id) in the table (one reference: the table's),
 * with @worker as its worker; under elastic_shadows_lock.  NULL when the
 * table is full or memory short.
 */
struct elastic_shadow *elastic_shadow_new(u32 home, u32 id, work_func_t worker)
{
	struct elastic_shadow *s;

	lockdep_assert_held(&elastic_shadows_lock);
	if (elastic_nshadows >= ELASTIC_SHADOWS_MAX)
		return NULL;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->mm = mm_alloc();
	if (!s->mm) {
		kfree(s);
		return NULL;
	}
#ifdef CONFIG_MEMCG
	/* No task owns it: the thread that made it may exit before it goes. */
	RCU_INIT_POINTER(s->mm->owner, NULL);
#endif
	s->mm->task_size = TASK_SIZE_MAX;
	s->home = home;
	s->id = id;
	xa_init(&s->pages);
	xa_init(&s->claims);
	kref_init(&s->ref);
	INIT_WORK(&s->work, worker);
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->zaps);
	hash_add(elastic_shadows, &s->node, elastic_shadow_key(home, id));
	elastic_nshadows++;
	atomic64_inc(&elastic_mstats.shadows);
	return s;
}

/**
 * elastic_shadow_forward - send @to the layouts of pages about to go to it
 * @home: the pages' home
 * @to: the node a HANDOFF will carry them to
 * @pl: their places
 * @n: how many
 *
 * Each layout goes once per version and node, before the HANDOFF and on
 * the same connection, so that @to can map the pages as they arrive.
 */
void elastic_shadow_forward(u32 home, u32 to, const struct elastic_place *pl, unsigned int n)
{
	struct elastic_wire_layout *w;
	struct elastic_shadow *s;
	unsigned int i;
	size_t len;

	mutex_lock(&elastic_shadows_lock);
	for (i = 0; i < n; i++) {
		s = elastic_shadow_find(home, pl[i].mm);
		if (!s || !s->nranges || (s->fwd & BIT_ULL(to)))
			continue;
		len = struct_size(w, range, s->nranges);
		w = kmalloc(len, GFP_KERNEL);
		if (!w)
			break;
		elastic_wire_put_layout(w, home, s->id, s->gen, s->ranges, s->nranges);
		if (!elastic_peer_send(to, ELASTIC_MSG_LAYOUT, elastic_next_seq(), w, len,
				       NULL, 0))
			s->fwd |= BIT_ULL(to);
		kfree(w);
	}
	mutex_unlock(&elastic_shadows_lock);
}

/**
 * elastic_shadow_drop_home - forget every shadow of @home's processes
 * @home: a node that died or restarted (its hosted pages were dropped)
 */
void elastic_shadow_drop_home(u32 home)
{
	struct elastic_shadow *s;
	struct hlist_node *tmp;
	int b;

	mutex_lock(&elastic_shadows_lock);
	hash_for_each_safe(elastic_shadows, b, tmp, s, node)
		if (s->home == home)
			elastic_shadow_unlink(s);
	mutex_unlock(&elastic_shadows_lock);
}

/**
 * elastic_shadow_views - a copy of the table, for /proc/elastic/shadows
 * @n: set to the number of shadows in it
 *
 * Copied under elastic_shadows_lock, so that the caller may then wait for
 * each shadow's mmap_lock, which must never happen under it.
 *
 * Return: an array to kfree(), each entry's @s referenced and @ranges
 * allocated, or NULL (*@n 0: no shadows; else no memory).
 */
struct elastic_shadow_view *elastic_shadow_views(unsigned int *n)
{
	struct elastic_shadow_view *views;
	struct elastic_shadow *s;
	unsigned int nv = 0;
	int b;

	mutex_lock(&elastic_shadows_lock);
	*n = elastic_nshadows;
	views = kcalloc(elastic_nshadows, sizeof(*views), GFP_KERNEL);
	if (!views) {
		mutex_unlock(&elastic_shadows_lock);
		return NULL;
	}
	hash_for_each(elastic_shadows, b, s, node) {
		kref_get(&s->ref);
		views[nv].s = s;
		views[nv].gen = s->gen;
		views[nv].nranges = s->nranges;
		views[nv].ranges = kmemdup(s->ranges, s->nranges * sizeof(*s->ranges),
					   GFP_KERNEL);
		if (!views[nv].ranges)
			views[nv].nranges = 0;
		nv++;
	}
	mutex_unlock(&elastic_shadows_lock);
	return views;
}

int elastic_shadow_table_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_init(&elastic_members[i].host.placed);
	elastic_shadow_wq = alloc_workqueue("elastic_shadow", WQ_UNBOUND, 0);
	return elastic_shadow_wq ? 0 : -ENOMEM;
}

void elastic_shadow_table_exit(void)
{
	struct elastic_shadow *s;
	struct hlist_node *tmp;
	int b, i;

	mutex_lock(&elastic_shadows_lock);
	hash_for_each_safe(elastic_shadows, b, tmp, s, node)
		elastic_shadow_unlink(s);
	mutex_unlock(&elastic_shadows_lock);
	destroy_workqueue(elastic_shadow_wq);	/* the last workers free them */
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_destroy(&elastic_members[i].host.placed);
}
