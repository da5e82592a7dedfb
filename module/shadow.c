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
 * with vm_insert_page() (its VMAs become VM_MIXEDMAP, so khugepaged, KSM
 * and NUMA balancing leave them alone) and unmaps them with
 * zap_page_range_single() before the store lets them go.  A page whose
 * place lies outside its shadow's layout, or that arrived before the
 * layout did (a HANDOFF can overtake the home's LAYOUT, on another
 * connection), stays in the store unmapped, and is mapped when a layout
 * covering it arrives.
 *
 * Locking: elastic_shadows_lock (a mutex) covers the table of shadows,
 * each shadow's fields and its @pages, and is taken before a shadow mm's
 * mmap_lock.  elastic_placed[home] is an xarray of values (its own lock):
 * slot -> where the page hosted under that slot lives.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "internal.h"
#include "wire.h"

/* Shadows one node keeps at most: each costs an mm and page tables. */
#define ELASTIC_SHADOWS_MAX	4096

/*
 * A place in an xarray value: the page's frame number in the process and
 * the process's id (ELASTIC_WIRE_MM_MAX fits in 16 bits).
 */
#define ELASTIC_PLACE_MM_BITS	16

/**
 * struct elastic_shadow - a member's shadow of one process's address space
 * @node:	in elastic_shadows, keyed by (@home, @id)
 * @home:	the process's home node
 * @id:		the process's id at its home
 * @gen:	version of the layout applied (the highest seen)
 * @mm:		the shadow address space
 * @ranges:	the layout applied (@nranges entries), to forward with pages
 * @nranges:	ranges in it
 * @pages:	address >> PAGE_SHIFT -> the hosted page mapped there
 * @fwd:	nodes this layout version was forwarded to
 *
 * All fields under elastic_shadows_lock.
 */
struct elastic_shadow {
	struct hlist_node node;
	u32 home;
	u32 id;
	u64 gen;
	struct mm_struct *mm;
	struct elastic_range *ranges;
	unsigned int nranges;
	struct xarray pages;
	u64 fwd;
};

static DEFINE_MUTEX(elastic_shadows_lock);
static DEFINE_HASHTABLE(elastic_shadows, 8);
static unsigned int elastic_nshadows;
static struct xarray elastic_placed[ELASTIC_MAX_NODE_ID + 1];
/* Pages hosted for each home that are mapped in one of its shadows. */
static atomic_long_t elastic_mapped_for[ELASTIC_MAX_NODE_ID + 1];
static struct proc_dir_entry *elastic_proc_dir;

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

/* Map @page at @addr in @s; under elastic_shadows_lock and @s's mmap_lock. */
static bool elastic_shadow_insert(struct elastic_shadow *s, unsigned long addr, struct page *page)
{
	struct vm_area_struct *vma = vma_lookup(s->mm, addr);
	unsigned long idx = addr >> PAGE_SHIFT;

	if (!vma || xa_load(&s->pages, idx))
		return false;
	if (xa_insert(&s->pages, idx, page, GFP_KERNEL))
		return false;
	if (vm_insert_page(vma, addr, page)) {
		xa_erase(&s->pages, idx);
		atomic64_inc(&elastic_mstats.shadow_errors);
		return false;
	}
	atomic_long_inc(&elastic_mapped_for[s->home]);
	atomic64_inc(&elastic_mstats.shadow_pages);
	return true;
}

/* Unmap what @s maps at @addr if it is @page (NULL: whatever it is). */
static void elastic_shadow_remove(struct elastic_shadow *s, unsigned long addr, struct page *page)
{
	unsigned long idx = addr >> PAGE_SHIFT;
	struct vm_area_struct *vma;
	struct page *cur;

	cur = xa_load(&s->pages, idx);
	if (!cur || (page && cur != page))
		return;
	xa_erase(&s->pages, idx);
	vma = vma_lookup(s->mm, addr);
	if (vma)
		zap_page_range_single(vma, addr, PAGE_SIZE, NULL);
	atomic_long_dec(&elastic_mapped_for[s->home]);
	atomic64_dec(&elastic_mstats.shadow_pages);
}

/**
 * elastic_shadow_map - map a page just filed for @home in its shadow
 * @home: the page's home
 * @slot: its slot there
 * @pl: where it lives in its process
 * @page: the hosted page
 *
 * Remembers the place (a HANDOFF passes it on) and maps the page when the
 * shadow's layout covers it.  Called by the receiver that filed the page.
 */
void elastic_shadow_map(u32 home, u64 slot, const struct elastic_place *pl, struct page *page)
{
	struct elastic_shadow *s;

	if (xa_err(xa_store(&elastic_placed[home], slot, elastic_place_val(pl), GFP_KERNEL))) {
		atomic64_inc(&elastic_mstats.shadow_errors);
		return;
	}
	mutex_lock(&elastic_shadows_lock);
	s = elastic_shadow_find(home, pl->mm);
	if (s) {
		mmap_write_lock(s->mm);
		elastic_shadow_insert(s, pl->addr, page);
		mmap_write_unlock(s->mm);
	}
	mutex_unlock(&elastic_shadows_lock);
}

/**
 * elastic_shadow_unmap - a page hosted for @home is about to go
 * @home: its home
 * @slot: its slot there
 * @page: the page, unmapped from its shadow if it is mapped there
 */
void elastic_shadow_unmap(u32 home, u64 slot, struct page *page)
{
	struct elastic_shadow *s;
	struct elastic_place pl;
	void *v;

	v = xa_erase(&elastic_placed[home], slot);
	if (!v)
		return;
	elastic_place_of(v, &pl);
	mutex_lock(&elastic_shadows_lock);
	s = elastic_shadow_find(home, pl.mm);
	if (s) {
		mmap_write_lock(s->mm);
		elastic_shadow_remove(s, pl.addr, page);
		mmap_write_unlock(s->mm);
	}
	mutex_unlock(&elastic_shadows_lock);
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
	void *v = xa_load(&elastic_placed[home], slot);

	if (!v)
		return -ENOENT;
	elastic_place_of(v, pl);
	return 0;
}

static void elastic_shadow_destroy(struct elastic_shadow *s)
{
	unsigned long idx;
	struct page *page;

	lockdep_assert_held(&elastic_shadows_lock);
	hash_del(&s->node);
	elastic_nshadows--;
	atomic64_dec(&elastic_mstats.shadows);
	/* Its pages stay in the store, unmapped; exit_mmap() unmaps them. */
	xa_for_each(&s->pages, idx, page) {
		atomic_long_dec(&elastic_mapped_for[s->home]);
		atomic64_dec(&elastic_mstats.shadow_pages);
	}
	xa_destroy(&s->pages);
	mmput(s->mm);
	kfree(s->ranges);
	kfree(s);
}

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
	hash_add(elastic_shadows, &s->node, elastic_shadow_key(home, id));
	elastic_nshadows++;
	atomic64_inc(&elastic_mstats.shadows);
	return s;
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
			got = vm_mmap(NULL, a, end - a, r[i].prot,
				      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE |
				      MAP_NORESERVE, 0);
			if (IS_ERR_VALUE(got)) {
				ret = (int)got;
				atomic64_inc(&elastic_mstats.shadow_errors);
				continue;
			}
			mmap_write_lock(s->mm);
			vma = vma_lookup(s->mm, a);
			if (vma)	/* hosted pages are inserted, never faulted in */
				vm_flags_set(vma, VM_MIXEDMAP | VM_DONTEXPAND | VM_NOHUGEPAGE);
			mmap_write_unlock(s->mm);
		}
	}
	return ret;
}

/* Map the pages of @s's process hosted here that are not mapped yet. */
static void elastic_shadow_fill(struct elastic_shadow *s)
{
	struct elastic_place pl;
	unsigned long slot;
	struct page *page;
	void *v;

	if (atomic_long_read(&elastic_mapped_for[s->home]) >= elastic_mem_hosted_for(s->home))
		return;
	mmap_write_lock(s->mm);
	xa_for_each(&elastic_placed[s->home], slot, v) {
		elastic_place_of(v, &pl);
		if (pl.mm != s->id || xa_load(&s->pages, pl.addr >> PAGE_SHIFT))
			continue;
		page = elastic_mem_hosted(s->home, slot);
		if (!page)
			continue;
		elastic_shadow_insert(s, pl.addr, page);
		put_page(page);
	}
	mmap_write_unlock(s->mm);
}

/**
 * elastic_shadow_layout - a LAYOUT arrived: bring the shadow up to date
 * @home: the process's home
 * @id: the process there
 * @gen: the layout's version; an older one than applied is ignored
 * @r: its ranges
 * @n: how many; 0: the process is gone, and so is its shadow
 *
 * Called by a receiver (a kernel thread without an mm of its own: the
 * shadow's VMAs are made with vm_mmap() as the shadow's thread).
 *
 * Return: 0, or -errno when the shadow could not be made or completed
 * (counted in shadow_errors; its pages stay, unmapped where need be).
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
			elastic_shadow_destroy(s);
		goto out;
	}
	if (!s)
		s = elastic_shadow_new(home, id);
	if (!s) {
		atomic64_inc(&elastic_mstats.shadow_errors);
		ret = -ENOMEM;
		goto out;
	}
	kthread_use_mm(s->mm);
	ret = elastic_shadow_apply(s, r, n);
	kthread_unuse_mm(s->mm);
	s->gen = gen;
	s->fwd = 0;
	swap(s->ranges, copy);
	s->nranges = n;
	elastic_shadow_fill(s);
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
	unsigned int i, k;
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
		w->home = cpu_to_be32(home);
		w->mm = cpu_to_be32(s->id);
		w->gen = cpu_to_be64(s->gen);
		w->count = cpu_to_be32(s->nranges);
		w->zero = 0;
		for (k = 0; k < s->nranges; k++) {
			w->range[k].start = cpu_to_be64(s->ranges[k].start);
			w->range[k].end = cpu_to_be64(s->ranges[k].end);
			w->range[k].prot = cpu_to_be32(s->ranges[k].prot);
			w->range[k].zero = 0;
		}
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
			elastic_shadow_destroy(s);
	mutex_unlock(&elastic_shadows_lock);
}

/*
 * /proc/elastic/shadows: each shadow, its layout and its pages, and how
 * many of those the shadow's page table really maps at their address
 * (looked up there, without faulting), a check on the whole mechanism.
 */
static int elastic_shadows_show(struct seq_file *m, void *v)
{
	struct elastic_shadow *s;
	unsigned long idx, n, ok;
	struct page *page, *got;
	unsigned int i;
	int b;

	mutex_lock(&elastic_shadows_lock);
	hash_for_each(elastic_shadows, b, s, node) {
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
			   s->home, s->id, s->gen, s->nranges, n, ok);
		for (i = 0; i < s->nranges; i++)
			seq_printf(m, "range %llx-%llx %c%c%c\n", s->ranges[i].start,
				   s->ranges[i].end, s->ranges[i].prot & PROT_READ ? 'r' : '-',
				   s->ranges[i].prot & PROT_WRITE ? 'w' : '-',
				   s->ranges[i].prot & PROT_EXEC ? 'x' : '-');
	}
	mutex_unlock(&elastic_shadows_lock);
	return 0;
}

int elastic_shadow_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_init(&elastic_placed[i]);
	elastic_proc_dir = proc_mkdir("elastic", NULL);
	if (!elastic_proc_dir)
		return -ENOMEM;
	if (!proc_create_single("shadows", 0400, elastic_proc_dir, elastic_shadows_show)) {
		proc_remove(elastic_proc_dir);
		return -ENOMEM;
	}
	return 0;
}

void elastic_shadow_exit(void)
{
	struct elastic_shadow *s;
	struct hlist_node *tmp;
	int b, i;

	proc_remove(elastic_proc_dir);
	mutex_lock(&elastic_shadows_lock);
	hash_for_each_safe(elastic_shadows, b, tmp, s, node)
		elastic_shadow_destroy(s);
	mutex_unlock(&elastic_shadows_lock);
	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_destroy(&elastic_placed[i]);
}
