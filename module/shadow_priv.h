/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: what the files of a member's shadows share, bottom
 * up: shadow.c (the table of shadows, where each hosted page lives, pages
 * mapped and unmapped by receivers), shadow_claim.c (CLAIM: a member's
 * first touch of a page), shadow_vm.c (the shadow's VMAs: layouts, the
 * worker, faults), shadow_proc.c (/proc/elastic/shadows, the debugfs poke,
 * loading).  The rest of the module sees shadow.h only.
 */
#ifndef _ELASTIC_SHADOW_PRIV_H
#define _ELASTIC_SHADOW_PRIV_H

#include <linux/hashtable.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include "shadow.h"

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
 * @claims:	address >> PAGE_SHIFT -> what a CLAIM that waited without the
 *		mmap_lock learnt, for the retried fault (elastic_claim_note())
 * @ref:	one for the table, one for a queued @work, one for each user
 *		outside elastic_shadows_lock
 * @work:	the shadow's worker (elastic_shadow_fn())
 * @lock:	protects what follows: the worker's to-do
 * @relayout:	@ranges changed: apply them
 * @refill:	map the hosted pages of the process that are not mapped
 * @gone:	tear the shadow down
 * @zaps:	pages to unmap (struct elastic_zap)
 *
 * Locking: see the top of shadow.c.
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
	struct xarray claims;
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

/**
 * struct elastic_shadow_view - one shadow as /proc/elastic/shadows shows it
 * @s:		the shadow (a reference: elastic_shadow_put() it)
 * @gen:	its layout's version
 * @ranges:	a copy of its layout (kfree() it), NULL if there was no room
 * @nranges:	ranges in it
 */
struct elastic_shadow_view {
	struct elastic_shadow *s;
	u64 gen;
	struct elastic_range *ranges;
	unsigned int nranges;
};

/* The table's lock: see the top of shadow.c. */
extern struct mutex elastic_shadows_lock;

static inline void *elastic_place_val(const struct elastic_place *pl)
{
	return xa_mk_value((unsigned long)(pl->addr >> PAGE_SHIFT) << ELASTIC_PLACE_MM_BITS |
			   pl->mm);
}

static inline void elastic_place_of(void *v, struct elastic_place *pl)
{
	unsigned long x = xa_to_value(v);

	pl->mm = x & (BIT(ELASTIC_PLACE_MM_BITS) - 1);
	pl->addr = (u64)(x >> ELASTIC_PLACE_MM_BITS) << PAGE_SHIFT;
}

/* shadow.c */
struct elastic_shadow *elastic_shadow_find(u32 home, u32 id);
struct elastic_shadow *elastic_shadow_get(u32 home, u32 id);
void elastic_shadow_put(struct elastic_shadow *s);
void elastic_shadow_kick(struct elastic_shadow *s);
struct elastic_shadow *elastic_shadow_new(u32 home, u32 id, work_func_t worker);
void elastic_shadow_unlink(struct elastic_shadow *s);
void elastic_shadow_insert(struct elastic_shadow *s, unsigned long addr, struct page *page);
void elastic_shadow_remove(struct elastic_shadow *s, unsigned long addr, struct page *page);
int elastic_shadow_slot_of(u32 home, const struct elastic_place *pl, u64 *slot);
struct elastic_shadow_view *elastic_shadow_views(unsigned int *n);
int elastic_shadow_table_init(void);
void elastic_shadow_table_exit(void);

/* shadow_claim.c */
int elastic_shadow_claim(u32 home, const struct elastic_place *pl, u32 *owner, u64 *slot);
void elastic_claim_note(struct elastic_shadow *s, unsigned long addr, int err, u64 slot);
bool elastic_claim_noted(struct elastic_shadow *s, unsigned long addr, int *err, u64 *slot);
void elastic_shadow_claim_init(void);
void elastic_shadow_claim_exit(void);

#endif /* _ELASTIC_SHADOW_PRIV_H */
