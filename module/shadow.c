// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: shadows of stretched processes on member nodes.
 *
 * A member keeps, for each process whose pages it may hold, a shadow of
 * that process's address space: an mm that no task runs in, with the same
 * private anonymous ranges as the process at its home (LAYOUT), in which
 * each page the member holds for the process is mapped at its address
 * (PUSH and HANDOFF say where each page lives).  Threads that jump here
 * will run in it; until then it shows where each hosted page belongs, and
 * a HANDOFF carries that on to the page's next owner, with the layout.
 *
 * Mapping.  The hosted store (memory.c) owns the pages; a shadow maps them
 * with vm_insert_page() and unmaps them with zap_page_range_single() before
 * the store lets them go.  Its VMAs are VM_MIXEDMAP (khugepaged, KSM and
 * NUMA balancing leave them alone) and VM_SHARED: a write goes to the
 * hosted page itself, never to a private copy, and a touch of a page the
 * shadow does not map reaches elastic_shadow_fault(), which asks the home
 * (CLAIM) instead of making a zero page of its own.  A page whose place
 * lies outside its shadow's layout, or that arrived before the layout did
 * (a HANDOFF can overtake the home's LAYOUT, on another connection), stays
 * in the store unmapped, and is mapped when a layout covering it arrives.
 *
 * Receivers never wait for a shadow's mmap_lock: a fault in the shadow
 * holds it while it waits for the home's answer to its CLAIM, which a
 * receiver must be free to deliver.  So a receiver maps and unmaps pages
 * only when it gets the lock at once, and leaves the rest (and every
 * change of the VMAs) to the shadow's worker.
 *
 * Locking:
 *  - elastic_shadows_lock (a mutex): the table of shadows, and each
 *    shadow's @gen, @ranges, @nranges, @fwd.  Never held while waiting for
 *    a shadow's mmap_lock.
 *  - a shadow's mm's mmap_lock: its VMAs and @pages (which its fault
 *    handler adds to under the lock held for reading; the xarray's own
 *    lock orders those additions); @dead is written under it.
 *  - @lock (a spinlock): the work the worker has to do.
 *  - elastic_members[home].host.placed: an xarray of values (its own lock): slot ->
 *    where the page hosted under that slot lives.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/highmem.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "shadow.h"
#include "transport.h"

/* Shadows one node keeps at most: each costs an mm and page tables. */
#define ELASTIC_SHADOWS_MAX	4096

/*
 * A place in an xarray value: the page's frame number in the process and
 * the process's id (ELASTIC_WIRE_MM_MAX fits in 16 bits).
 */
#define ELASTIC_PLACE_MM_BITS	16

/**
 * struct elastic_shadow - a member's shadow of one process's address space
 * @node:	in elastic_shadows, keyed by (@home, @id), while in the table
 * @home:	the process's home node
 * @id:		the process's id at its home
 * @gen:	version of the latest layout (the highest seen)
 * @mm:		the shadow address space
 * @ranges:	the latest layout (@nranges entries), to apply and to forward
 * @nranges:	ranges in it
 * @fwd:	nodes the latest layout was forwarded to
 * @pages:	address >> PAGE_SHIFT -> the hosted page mapped there
 * @dead:	out of the table and torn down: faults fail
 * @fault_err:	why the latest fault failed, for the writer that caused it
 * @ref:	one for the table, one for a queued @work, one for each user
 *		outside elastic_shadows_lock
 * @work:	the shadow's worker (elastic_shadow_fn())
 * @lock:	protects what follows: the worker's to-do
 * @relayout:	@ranges changed: apply them
 * @refill:	map the hosted pages of the process that are not mapped
 * @gone:	tear the shadow down
 * @zaps:	pages to unmap (struct elastic_zap)
 *
 * Locking: see the top of this file.
 */
struct elastic_shadow {
	struct hlist_node node;
	u32 home;
	u32 id;
	u64 gen;
	struct mm_struct *mm;
	struct elastic_range *ranges;
	unsigned int nranges;
	u64 fwd;
	struct xarray pages;
	bool dead;
	int fault_err;
	struct kref ref;
	struct work_struct work;
	spinlock_t lock;	/* see @lock above */
	bool relayout;
	bool refill;
	bool gone;
	struct list_head zaps;
};

/**
 * struct elastic_zap - a page a receiver could not unmap at once
 * @list:	in elastic_shadow.zaps
 * @addr:	where it is mapped
 * @page:	the page (referenced)
 */
struct elastic_zap {
	struct list_head list;
	unsigned long addr;
	struct page *page;
};

static DEFINE_MUTEX(elastic_shadows_lock);
static DEFINE_HASHTABLE(elastic_shadows, 8);
static unsigned int elastic_nshadows;
static struct proc_dir_entry *elastic_proc_dir;
/* The shadows' workers; unload waits for them. */
static struct workqueue_struct *elastic_shadow_wq;

static u32 elastic_shadow_key(u32 home, u32 id)
{
	return home << ELASTIC_PLACE_MM_BITS | id;
}

static struct elastic_shadow *elastic_shadow_find(u32 home, u32 id)
{
	struct elastic_shadow *s;

	lockdep_assert_held(&elastic_shadows_lock);
	hash_for_each_possible(elastic_shadows, s, node, elastic_shadow_key(home, id))
		if (s->home == home && s->id == id)
			return s;
	return NULL;
}

/* The shadow of (@home, @id) with a reference, or NULL. */
static struct elastic_shadow *elastic_shadow_get(u32 home, u32 id)
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
	kfree(s->ranges);
	kfree(s);
}

static void elastic_shadow_put(struct elastic_shadow *s)
{
	kref_put(&s->ref, elastic_shadow_release);
}

/* Let the worker run (again); it holds a reference while queued. */
static void elastic_shadow_kick(struct elastic_shadow *s)
{
	kref_get(&s->ref);
	if (!queue_work(elastic_shadow_wq, &s->work))
		elastic_shadow_put(s);
}

static void *elastic_place_val(const struct elastic_place *pl)
{
	return xa_mk_value((unsigned long)(pl->addr >> PAGE_SHIFT) << ELASTIC_PLACE_MM_BITS |
			   pl->mm);
}

static void elastic_place_of(void *v, struct elastic_place *pl)
{
	unsigned long x = xa_to_value(v);

	pl->mm = x & (BIT(ELASTIC_PLACE_MM_BITS) - 1);
	pl->addr = (u64)(x >> ELASTIC_PLACE_MM_BITS) << PAGE_SHIFT;
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
static void elastic_shadow_insert(struct elastic_shadow *s, unsigned long addr, struct page *page)
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
static void elastic_shadow_remove(struct elastic_shadow *s, unsigned long addr, struct page *page)
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
 * When a fault holds the shadow's mmap_lock, the shadow's worker unmaps
 * it; the mapping keeps a reference to the page until then.
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
static int elastic_shadow_slot_of(u32 home, const struct elastic_place *pl, u64 *slot)
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
static void elastic_shadow_unlink(struct elastic_shadow *s)
{
	lockdep_assert_held(&elastic_shadows_lock);
	hash_del(&s->node);
	elastic_nshadows--;
	atomic64_dec(&elastic_mstats.shadows);
	spin_lock(&s->lock);
	s->gone = true;
	spin_unlock(&s->lock);
	elastic_shadow_kick(s);
	elastic_shadow_put(s);		/* the table's */
}

static void elastic_shadow_fn(struct work_struct *work);

static struct elastic_shadow *elastic_shadow_new(u32 home, u32 id)
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
	kref_init(&s->ref);
	INIT_WORK(&s->work, elastic_shadow_fn);
	spin_lock_init(&s->lock);
	INIT_LIST_HEAD(&s->zaps);
	hash_add(elastic_shadows, &s->node, elastic_shadow_key(home, id));
	elastic_nshadows++;
	atomic64_inc(&elastic_mstats.shadows);
	return s;
}

/* ---- a member's first touch of a page: CLAIM ---- */

/*
 * File @page (zeroed by the claimer) as granted by a CLAIM_REPLY.  Its
 * place is remembered; the claimer's fault maps it (it holds the shadow's
 * mmap_lock, so this receiver must not).  A repeated grant finds the page
 * filed already.
 */
static int elastic_shadow_file_claimed(u32 home, u64 slot, const struct elastic_place *pl,
				       struct page *page)
{
	int ret = elastic_store_put_page(home, slot, page);

	if (!ret) {
		atomic64_inc(&elastic_mstats.claimed);
		elastic_shadow_set_place(home, slot, pl);
	}
	return ret;
}

/* The home's answer to a CLAIM of this node. */
static int elastic_rx_claim_reply(struct elastic_conn *c, const struct elastic_wire_msg *m,
				  const u8 *payload)
{
	u32 src = elastic_rx_src(c), self = elastic_node_id();
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
	req = elastic_req_lock_find(req_seq);
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
	elastic_req_unlock();
	if (!status) {
		/* A grant nobody waits for files nothing, unless it repeats one. */
		if (page)
			ret = elastic_shadow_file_claimed(src, slot, &pl, page);
		else
			ret = elastic_store_has(src, slot) ? 0 : -ENOENT;
		elastic_ack(src, m->seq, ret, ret ? 0 : 1);
	}
	if (!req) {
		atomic64_inc(&elastic_mstats.stale_replies);
		return 0;
	}
	/* Unless the claimer gave up meanwhile (then its entry is gone). */
	if (elastic_req_lock_find(req_seq) == req) {
		if (!status && ret)
			req->status = ret;
		elastic_req_complete(req);
	}
	elastic_req_unlock();
	return 0;
}

/**
 * struct elastic_claim_msg - a CLAIM being asked
 * @home:	the node asked
 * @w:		the page claimed, as on the wire
 */
struct elastic_claim_msg {
	u32 home;
	struct elastic_wire_place w;
};

static int elastic_claim_send(void *arg, u64 seq)
{
	struct elastic_claim_msg *cm = arg;

	return elastic_peer_send(cm->home, ELASTIC_MSG_CLAIM, seq, &cm->w, sizeof(cm->w), NULL, 0);
}

/*
 * May this node create a page that no node has?  Asks @home (CLAIM) and
 * waits.  Granted, the page is filed here, zeroed, under the slot the home
 * gave it, and returned with a reference, for the caller to map.  A
 * repeated claim of a page granted here before (its reply had been lost)
 * finds it filed.  Return the page, or ERR_PTR(-errno): -EEXIST when the
 * page exists on *@owner, -EFAULT when the process has no private
 * anonymous memory there, -ESRCH when it is gone, -EHOSTDOWN when @home is
 * dead, -ENOMEM, -EAGAIN when it was pulled home meanwhile.
 */
static struct page *elastic_shadow_claim(u32 home, const struct elastic_place *pl, u32 *owner)
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
	if (ret == -EEXIST && *owner == elastic_node_id())
		ret = elastic_shadow_slot_of(home, pl, &slot);
	if (ret)
		return ERR_PTR(ret);
	page = elastic_store_get(home, slot);
	/* Pulled home already: the claimer retries and finds it there. */
	return page ?: ERR_PTR(-EAGAIN);
}

/*
 * A touch of a page the shadow does not map: never a zero page of its own
 * (another node may have the page, or create it at the same time).  The
 * home decides (elastic_shadow_claim()): the page is created here, or it is
 * elsewhere, which a thread here cannot use until it can jump to it.
 */
static vm_fault_t elastic_shadow_fault(struct vm_fault *vmf)
{
	struct elastic_shadow *s = vmf->vma->vm_private_data;
	struct elastic_place pl = { .mm = s->id, .addr = vmf->address & PAGE_MASK };
	unsigned long idx = pl.addr >> PAGE_SHIFT;
	struct page *page;
	u32 owner = 0;
	int ret;

	if (READ_ONCE(s->dead))
		return VM_FAULT_SIGBUS;
	page = elastic_shadow_claim(s->home, &pl, &owner);
	ret = PTR_ERR_OR_ZERO(page);
	if (ret == -EAGAIN)
		return VM_FAULT_NOPAGE;		/* gone home meanwhile: touch again */
	if (!ret) {
		ret = xa_insert(&s->pages, idx, page, GFP_KERNEL);
		if (!ret) {
			ret = vm_insert_page(vmf->vma, pl.addr, page);
			if (ret)
				xa_erase(&s->pages, idx);
		}
		if (!ret) {
			atomic_long_inc(&elastic_members[s->home].host.mapped);
			atomic64_inc(&elastic_mstats.shadow_pages);
		}
		put_page(page);
		if (ret == -EBUSY)	/* another fault mapped it */
			ret = 0;
	}
	WRITE_ONCE(s->fault_err, ret);
	if (!ret)
		return VM_FAULT_NOPAGE;
	if (ret == -EEXIST)
		pr_info_ratelimited("shadow %u:%u: page at %#llx is on node %u\n", s->home, s->id,
				    pl.addr, owner);
	else
		pr_info_ratelimited("shadow %u:%u: page at %#llx cannot be had (%d)\n", s->home,
				    s->id, pl.addr, ret);
	return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct elastic_shadow_vm_ops = {
	.fault = elastic_shadow_fault,
};

/* A new VMA of @s, made with vm_mmap(); under the mm's mmap_lock (write). */
static void elastic_shadow_vma_init(struct elastic_shadow *s, struct vm_area_struct *vma,
				    u32 prot)
{
	vm_flags_set(vma, VM_SHARED | VM_MAYSHARE | VM_MIXEDMAP | VM_DONTEXPAND |
		     VM_NOHUGEPAGE | (prot & PROT_WRITE ? VM_WRITE | VM_MAYWRITE : 0));
	vma->vm_page_prot = vm_get_page_prot(vma->vm_flags);
	vma->vm_ops = &elastic_shadow_vm_ops;
	vma->vm_private_data = s;
}

static unsigned long elastic_prot_flags(u32 prot)
{
	return (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	       (prot & PROT_EXEC ? VM_EXEC : 0);
}

/* The range of @r that contains @addr, or NULL. */
static const struct elastic_range *elastic_range_at(const struct elastic_range *r,
						    unsigned int n, unsigned long addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (addr >= r[i].start && addr < r[i].end)
			return &r[i];
	return NULL;
}

/* Unmap [start, end) of @s: its VMAs and what @pages says is there. */
static void elastic_shadow_cut(struct elastic_shadow *s, unsigned long start, unsigned long end)
{
	unsigned long idx;
	struct page *page;

	mmap_write_lock(s->mm);
	xa_for_each_range(&s->pages, idx, page, start >> PAGE_SHIFT, (end >> PAGE_SHIFT) - 1)
		elastic_shadow_remove(s, idx << PAGE_SHIFT, NULL);
	mmap_write_unlock(s->mm);
	vm_munmap(start, end - start);
}

/*
 * Make @s's VMAs the ranges @r: unmap what lies outside them or has other
 * protections, then map the holes.  Runs with @s->mm as the thread's mm.
 */
static int elastic_shadow_apply(struct elastic_shadow *s, const struct elastic_range *r,
				unsigned int n)
{
	const struct elastic_range *want;
	struct vm_area_struct *vma;
	unsigned long start, end, a, got, mask = VM_READ | VM_WRITE | VM_EXEC;
	unsigned int i;
	int ret = 0;

	/* Pass 1: cut every piece of a VMA that the new layout lacks. */
	for (a = 0;;) {
		mmap_read_lock(s->mm);
		vma = find_vma(s->mm, a);
		if (!vma) {
			mmap_read_unlock(s->mm);
			break;
		}
		start = max(a, vma->vm_start);
		end = vma->vm_end;
		want = elastic_range_at(r, n, start);
		if (want && elastic_prot_flags(want->prot) == (vma->vm_flags & mask)) {
			a = min_t(unsigned long, end, want->end);
			mmap_read_unlock(s->mm);
			continue;
		}
		/* Cut up to the end of the VMA or the next wanted range. */
		for (i = 0; !want && i < n; i++)
			if (r[i].start > start && r[i].start < end)
				end = r[i].start;
		if (want)
			end = min_t(unsigned long, end, want->end);
		mmap_read_unlock(s->mm);
		elastic_shadow_cut(s, start, end);
		a = end;
	}
	/* Pass 2: map the holes of each range. */
	for (i = 0; i < n; i++) {
		for (a = r[i].start; a < r[i].end; a = end) {
			mmap_read_lock(s->mm);
			vma = find_vma(s->mm, a);
			if (vma && vma->vm_start <= a) {
				end = min_t(unsigned long, vma->vm_end, r[i].end);
				mmap_read_unlock(s->mm);
				continue;
			}
			end = vma ? min_t(unsigned long, vma->vm_start, r[i].end) : r[i].end;
			mmap_read_unlock(s->mm);
			/* Made read-only, then shared: nothing is accounted. */
			got = vm_mmap(NULL, a, end - a, r[i].prot & ~PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
				      MAP_NORESERVE, 0);
			if (IS_ERR_VALUE(got)) {
				ret = (int)got;
				atomic64_inc(&elastic_mstats.shadow_errors);
				continue;
			}
			mmap_write_lock(s->mm);
			vma = vma_lookup(s->mm, a);
			if (vma)
				elastic_shadow_vma_init(s, vma, r[i].prot);
			mmap_write_unlock(s->mm);
		}
	}
	return ret;
}

/*
 * Map the pages of @s's process hosted here that are not mapped yet; under
 * the mm's mmap_lock held for writing.
 */
static void elastic_shadow_fill(struct elastic_shadow *s)
{
	struct elastic_place pl;
	unsigned long slot;
	struct page *page;
	void *v;

	if (atomic_long_read(&elastic_members[s->home].host.mapped) >= elastic_store_count(s->home))
		return;
	xa_for_each(&elastic_members[s->home].host.placed, slot, v) {
		elastic_place_of(v, &pl);
		if (pl.mm != s->id || xa_load(&s->pages, pl.addr >> PAGE_SHIFT))
			continue;
		page = elastic_store_get(s->home, slot);
		if (!page)
			continue;
		elastic_shadow_insert(s, pl.addr, page);
		put_page(page);
	}
}

/*
 * The shadow's worker: what receivers could not do at once (they never
 * wait for the mmap_lock): apply a new layout, map pages, unmap pages,
 * tear the shadow down.
 */
static void elastic_shadow_fn(struct work_struct *work)
{
	struct elastic_shadow *s = container_of(work, struct elastic_shadow, work);
	struct elastic_range *r = NULL;
	struct elastic_zap *z, *tmp;
	bool relayout, refill, gone;
	unsigned long idx;
	struct page *page;
	unsigned int n = 0;
	LIST_HEAD(zaps);

	spin_lock(&s->lock);
	relayout = s->relayout;
	refill = s->refill;
	gone = s->gone;
	s->relayout = false;
	s->refill = false;
	list_splice_init(&s->zaps, &zaps);
	spin_unlock(&s->lock);

	if (relayout && !gone) {
		mutex_lock(&elastic_shadows_lock);
		n = s->nranges;
		r = kmemdup(s->ranges, n * sizeof(*r), GFP_KERNEL);
		mutex_unlock(&elastic_shadows_lock);
		if (r) {
			kthread_use_mm(s->mm);
			elastic_shadow_apply(s, r, n);
			kthread_unuse_mm(s->mm);
			kfree(r);
		} else {
			atomic64_inc(&elastic_mstats.shadow_errors);
		}
		refill = true;
	}
	mmap_write_lock(s->mm);
	list_for_each_entry(z, &zaps, list)
		elastic_shadow_remove(s, z->addr, z->page);
	if (gone && !s->dead) {
		/* Its pages stay in the store, unmapped; exit_mmap() unmaps them. */
		s->dead = true;
		xa_for_each(&s->pages, idx, page) {
			atomic_long_dec(&elastic_members[s->home].host.mapped);
			atomic64_dec(&elastic_mstats.shadow_pages);
		}
		xa_destroy(&s->pages);
	} else if (refill && !s->dead) {
		elastic_shadow_fill(s);
	}
	mmap_write_unlock(s->mm);
	list_for_each_entry_safe(z, tmp, &zaps, list) {
		put_page(z->page);
		kfree(z);
	}
	elastic_shadow_put(s);		/* the work's */
}

/**
 * elastic_shadow_layout - a LAYOUT arrived: bring the shadow up to date
 * @home: the process's home
 * @id: the process there
 * @gen: the layout's version; an older one than the latest is ignored
 * @r: its ranges
 * @n: how many; 0: the process is gone, and so is its shadow
 *
 * The shadow's worker changes its VMAs.
 *
 * Return: 0, or -errno when the shadow could not be made (counted in
 * shadow_errors; its pages stay, unmapped).
 */
int elastic_shadow_layout(u32 home, u32 id, u64 gen, const struct elastic_range *r,
			  unsigned int n)
{
	struct elastic_range *copy = NULL;
	struct elastic_shadow *s;
	int ret = 0;

	if (n) {
		copy = kmemdup(r, n * sizeof(*r), GFP_KERNEL);
		if (!copy) {
			atomic64_inc(&elastic_mstats.shadow_errors);
			return -ENOMEM;
		}
	}
	mutex_lock(&elastic_shadows_lock);
	s = elastic_shadow_find(home, id);
	if (s && gen <= s->gen)
		goto out;		/* a forwarded copy older than ours */
	atomic64_inc(&elastic_mstats.layouts);
	if (!n) {
		if (s)
			elastic_shadow_unlink(s);
		goto out;
	}
	if (!s)
		s = elastic_shadow_new(home, id);
	if (!s) {
		atomic64_inc(&elastic_mstats.shadow_errors);
		ret = -ENOMEM;
		goto out;
	}
	s->gen = gen;
	s->fwd = 0;
	swap(s->ranges, copy);
	s->nranges = n;
	spin_lock(&s->lock);
	s->relayout = true;
	spin_unlock(&s->lock);
	elastic_shadow_kick(s);
out:
	mutex_unlock(&elastic_shadows_lock);
	kfree(copy);
	return ret;
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
 * struct elastic_shadow_view - one shadow as /proc/elastic/shadows shows it
 * @s:		the shadow (a reference)
 * @gen:	its layout's version
 * @ranges:	its layout
 * @nranges:	ranges in it
 */
struct elastic_shadow_view {
	struct elastic_shadow *s;
	u64 gen;
	struct elastic_range *ranges;
	unsigned int nranges;
};

/*
 * /proc/elastic/shadows: each shadow, its layout and its pages, and how
 * many of those the shadow's page table really maps at their address
 * (looked up there, without faulting), a check on the whole mechanism.
 * The table is copied first: the lookups wait for the mmap_locks, which
 * must never happen under elastic_shadows_lock.
 */
static int elastic_shadows_show(struct seq_file *m, void *v)
{
	struct elastic_shadow_view *views;
	struct elastic_shadow *s;
	unsigned long idx, n, ok;
	struct page *page, *got;
	unsigned int i, k, nv = 0;
	int b;

	mutex_lock(&elastic_shadows_lock);
	views = kcalloc(elastic_nshadows, sizeof(*views), GFP_KERNEL);
	if (!views && elastic_nshadows) {
		mutex_unlock(&elastic_shadows_lock);
		return -ENOMEM;
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
	for (i = 0; i < nv; i++) {
		s = views[i].s;
		n = 0;
		ok = 0;
		mmap_read_lock(s->mm);
		xa_for_each(&s->pages, idx, page) {
			n++;
			if (get_user_pages_remote(s->mm, idx << PAGE_SHIFT, 1, FOLL_NOFAULT,
						  &got, NULL) == 1) {
				ok += got == page;
				put_page(got);
			}
		}
		mmap_read_unlock(s->mm);
		seq_printf(m, "shadow %u:%u gen %llu ranges %u pages %lu mapped %lu\n",
			   s->home, s->id, views[i].gen, views[i].nranges, n, ok);
		for (k = 0; k < views[i].nranges; k++)
			seq_printf(m, "range %llx-%llx %c%c%c\n", views[i].ranges[k].start,
				   views[i].ranges[k].end,
				   views[i].ranges[k].prot & PROT_READ ? 'r' : '-',
				   views[i].ranges[k].prot & PROT_WRITE ? 'w' : '-',
				   views[i].ranges[k].prot & PROT_EXEC ? 'x' : '-');
		kfree(views[i].ranges);
		elastic_shadow_put(s);
	}
	kfree(views);
	return 0;
}

static int elastic_shadows_open(struct inode *inode, struct file *file)
{
	return single_open(file, elastic_shadows_show, NULL);
}

/**
 * elastic_shadow_poke - store a u64 in a shadow, as a thread running there would
 * @home: the home of the process the shadow mirrors
 * @id: the shadow's id on that home
 * @addr: an address in it, 8-byte aligned
 * @val: the value
 *
 * The write faults as a thread's would (and claims a new page from the
 * home where the shadow has none): what jumped threads will do, for
 * tests and for the operator, through debugfs (debugfs.c).  Process
 * context; takes the shadow mm's mmap_lock.
 *
 * Return: 0, -EINVAL (@addr out of range or unaligned), -ENOENT (no such
 * shadow), or the fault's error (-EFAULT, or what the claim met).
 */
int elastic_shadow_poke(u32 home, u32 id, u64 addr, u64 val)
{
	struct elastic_shadow *s;
	struct page *page;
	void *kaddr;
	int ret;

	if (!elastic_node_id_valid(home) || !id || id > ELASTIC_WIRE_MM_MAX ||
	    addr % sizeof(val) || addr >= ELASTIC_WIRE_ADDR_END)
		return -EINVAL;
	s = elastic_shadow_get(home, id);
	if (!s)
		return -ENOENT;
	ret = -EFAULT;
	if (mmget_not_zero(s->mm)) {
		WRITE_ONCE(s->fault_err, 0);
		mmap_read_lock(s->mm);
		if (get_user_pages_remote(s->mm, addr, 1, FOLL_WRITE, &page, NULL) == 1) {
			kaddr = kmap_local_page(page);
			memcpy(kaddr + offset_in_page(addr), &val, sizeof(val));
			kunmap_local(kaddr);
			put_page(page);
			ret = 0;
		} else {
			ret = READ_ONCE(s->fault_err) ?: -EFAULT;
		}
		mmap_read_unlock(s->mm);
		mmput(s->mm);
	}
	elastic_shadow_put(s);
	return ret;
}

static const struct proc_ops elastic_shadows_ops = {
	.proc_open	= elastic_shadows_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

static const struct elastic_msg_handler elastic_claim_reply_handler = {
	.rx = elastic_rx_claim_reply,
};

int elastic_shadow_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_init(&elastic_members[i].host.placed);
	elastic_shadow_wq = alloc_workqueue("elastic_shadow", WQ_UNBOUND, 0);
	if (!elastic_shadow_wq)
		return -ENOMEM;
	elastic_proc_dir = proc_mkdir("elastic", NULL);
	if (!elastic_proc_dir ||
	    !proc_create("shadows", 0400, elastic_proc_dir, &elastic_shadows_ops)) {
		proc_remove(elastic_proc_dir);
		destroy_workqueue(elastic_shadow_wq);
		return -ENOMEM;
	}
	elastic_msg_register(ELASTIC_MSG_CLAIM_REPLY, &elastic_claim_reply_handler);
	return 0;
}

void elastic_shadow_exit(void)
{
	struct elastic_shadow *s;
	struct hlist_node *tmp;
	int b, i;

	elastic_msg_unregister(ELASTIC_MSG_CLAIM_REPLY);
	proc_remove(elastic_proc_dir);
	mutex_lock(&elastic_shadows_lock);
	hash_for_each_safe(elastic_shadows, b, tmp, s, node)
		elastic_shadow_unlink(s);
	mutex_unlock(&elastic_shadows_lock);
	destroy_workqueue(elastic_shadow_wq);	/* the last workers free them */
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_destroy(&elastic_members[i].host.placed);
}
