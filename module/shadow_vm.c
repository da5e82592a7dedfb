// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: a shadow's VMAs (shadow.c says what a shadow is).
 * LAYOUTs become VMAs in the shadow's worker, which also does what
 * receivers could not do at once (map, unmap, tear down); a touch of a
 * page the shadow does not map is a fault here, decided by the home
 * (shadow_claim.c).
 *
 * Contexts: elastic_shadow_layout() in the receiver thread; the worker on
 * elastic_shadow_wq, with the shadow's mm as its own while it changes the
 * VMAs; faults in whoever touches the shadow (the debugfs poke, GUP;
 * threads that jump), holding the shadow's mmap_lock or a VMA lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "shadow_priv.h"

/*
 * Map the page hosted under @slot at the fault's address, under the
 * shadow's mmap_lock held for reading.  Return 0 (mapped here, now or by
 * another fault), -EAGAIN when it left the node meanwhile (the fault is
 * to be retried: the home says where it is now), or -errno.
 */
static int elastic_shadow_map_claimed(struct elastic_shadow *s, struct vm_fault *vmf, u64 slot)
{
	struct elastic_place pl = { .mm = s->id, .addr = vmf->address & PAGE_MASK };
	struct xarray *placed = &elastic_members[s->home].host.placed;
	unsigned long idx = pl.addr >> PAGE_SHIFT;
	struct page *page;
	int ret;

	page = elastic_store_get(s->home, slot);
	if (!page)
		return -EAGAIN;
	ret = xa_insert(&s->pages, idx, page, GFP_KERNEL);
	if (!ret) {
		ret = vm_insert_page(vmf->vma, pl.addr, page);
		if (ret)
			xa_erase(&s->pages, idx);
	}
	if (!ret) {
		atomic_long_inc(&elastic_members[s->home].host.mapped);
		atomic64_inc(&elastic_mstats.shadow_pages);
		/*
		 * A receiver giving the page away meanwhile took its place
		 * first and then looked for it here, maybe too early to see
		 * it (elastic_shadow_unmap()): look at the place again.
		 */
		smp_mb();
		if (xa_load(placed, slot) != elastic_place_val(&pl)) {
			if (xa_cmpxchg(&s->pages, idx, page, NULL, 0) == page) {
				zap_page_range_single(vmf->vma, pl.addr, PAGE_SIZE, NULL);
				atomic_long_dec(&elastic_members[s->home].host.mapped);
				atomic64_dec(&elastic_mstats.shadow_pages);
			}
			ret = -EAGAIN;
		}
	}
	put_page(page);
	return ret == -EBUSY ? 0 : ret;		/* -EBUSY: another fault mapped it */
}

static void elastic_shadow_claim_failed(struct elastic_shadow *s, unsigned long addr, int err,
					u32 owner)
{
	if (err == -EEXIST)
		pr_info_ratelimited("shadow %u:%u: page at %#lx is on node %u\n", s->home, s->id,
				    addr, owner);
	else if (err)
		pr_info_ratelimited("shadow %u:%u: page at %#lx cannot be had (%d)\n", s->home,
				    s->id, addr, err);
}

/*
 * A touch of a page the shadow does not map: never a zero page of its own
 * (another node may have the page, or create it at the same time).  The
 * home decides (elastic_shadow_claim()): the page is created here, or it is
 * elsewhere, which a thread here cannot use until it can jump to it.  The
 * claim waits for the home without the fault's lock when the fault may be
 * retried, as a pull at the home does: the receivers that map and unmap
 * the shadow's pages, /proc/elastic/shadows and the shadow's worker all
 * take that lock.  The retry finds the outcome in the shadow's @claims.
 */
static vm_fault_t elastic_shadow_fault(struct vm_fault *vmf)
{
	struct elastic_shadow *s = vmf->vma->vm_private_data;
	unsigned long addr = vmf->address & PAGE_MASK;
	struct elastic_place pl = { .mm = s->id, .addr = addr };
	u32 owner = 0;
	bool noted;
	u64 slot = 0;
	int ret;

	if (READ_ONCE(s->dead))
		return VM_FAULT_SIGBUS;
	/* A fresh fault drops what an abandoned try left. */
	noted = elastic_claim_noted(s, addr, &ret, &slot) && (vmf->flags & FAULT_FLAG_TRIED);
	if (!noted && (vmf->flags & FAULT_FLAG_ALLOW_RETRY)) {
		if (vmf->flags & FAULT_FLAG_RETRY_NOWAIT)
			return VM_FAULT_RETRY;
		kref_get(&s->ref);
		release_fault_lock(vmf);
		ret = elastic_shadow_claim(s->home, &pl, &owner, &slot);
		elastic_shadow_claim_failed(s, addr, ret, owner);
		elastic_claim_note(s, addr, ret, slot);
		elastic_shadow_put(s);
		return VM_FAULT_RETRY;
	}
	if (!noted) {
		/* GUP that cannot drop the lock: wait with it, as a swap-in would. */
		ret = elastic_shadow_claim(s->home, &pl, &owner, &slot);
		elastic_shadow_claim_failed(s, addr, ret, owner);
	}
	if (!ret)
		ret = elastic_shadow_map_claimed(s, vmf, slot);
	if (ret == -EAGAIN)
		return VM_FAULT_NOPAGE;		/* gone home meanwhile: touch again */
	if (ret && (vmf->flags & FAULT_FLAG_USER)) {
		const struct elastic_thread_ops *ops = elastic_thread_ops();

		/* A thread running here goes where the page can be had. */
		if (ops && ops->shadow_fault(s->home, s->id, ret, owner))
			return VM_FAULT_NOPAGE;
	}
	WRITE_ONCE(s->fault_err, ret);
	if (!ret)
		return VM_FAULT_NOPAGE;
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
		s = elastic_shadow_new(home, id, elastic_shadow_fn);
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
