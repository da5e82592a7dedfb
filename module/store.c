// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the hosted store, the pages a member keeps for
 * other nodes' processes.
 *
 * Per home, an xarray of slot -> page (struct elastic_member_host.pages).
 * The store holds one reference to each page; a page's private field is
 * the sequence number of the MOVE that brought it, 0 for a PUSH.  The
 * store only files and drops pages: mapping them into shadows, answering
 * for them and deciding when they go is hosting.c's and the shadow files'.
 *
 * Locking: each xarray's own lock.  The receiver of a home's connection
 * adds (PUSH) and removes (FREE) its pages; receivers of other members'
 * connections add pages the home moved here (HANDOFF); a dead or restarted
 * home's pages are dropped by a worker or that home's new receiver.  While
 * it hosts anything, the store pins the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/xarray.h>

#include "internal.h"
#include "mem.h"
#include "member.h"

/*
 * This node is being emptied (node-drain of its own id): it refuses pushes.
 * Read by stats-get.
 */
bool elastic_evacuating;

static struct xarray *elastic_store_of(u32 home)
{
	return &elastic_members[home].host.pages;
}

/* One more page hosted for @home (elastic_store_free() undoes it). */
static void elastic_store_count_one(u32 home)
{
	atomic_long_inc(&elastic_members[home].host.count);
	if (atomic64_inc_return(&elastic_mstats.hosted_pages) == 1) {
		__module_get(THIS_MODULE);	/* no unload while hosting */
		/* Watch memory while hosting (a no-op while it is watched). */
		elastic_pressure_watch();
	}
}

/**
 * elastic_store_put - file a page for @home under @slot
 * @home: the page's home
 * @slot: its slot there
 * @data: its contents, PAGE_SIZE bytes
 * @tag: 0 for a PUSH from @home, whose repetition replaces the page; for a
 *	HANDOFF, the MOVE's sequence number
 * @pagep: set to the page filed, with a reference for the caller to put,
 *	and to the page it replaced (a repeated PUSH, still counted for
 *	the new one) in @pagep[1], which the caller frees with __free_page()
 *	once it is unmapped; NULL when none
 *
 * A HANDOFF meeting another copy of the slot is refused with -EEXIST
 * unless it is a repetition of the same MOVE (then 0, with nothing new
 * filed): that copy is stale, its FREE from the home still on its way (the
 * home's messages and this HANDOFF travel on different connections), and
 * the FREE would drop the new page in its place.  The home moves the slot
 * again later.
 *
 * Return: 0, -ENOSPC (this node is full, short of memory, or being
 * emptied), -ENOMEM or -EEXIST.
 */
int elastic_store_put(u32 home, u64 slot, const u8 *data, u64 tag, struct page **pagep)
{
	unsigned long cap = READ_ONCE(elastic_mparams.max_hosted_pages);
	struct xarray *xa = elastic_store_of(home);
	struct page *page, *old;
	void *kaddr;
	bool same;

	pagep[0] = NULL;
	pagep[1] = NULL;
	if (tag) {
		xa_lock(xa);
		old = xa_load(xa, slot);
		same = old && page_private(old) == tag;
		xa_unlock(xa);
		if (old)
			return same ? 0 : -EEXIST;
	}

	/* Nor while this node is short of memory: it asks for pages to go. */
	if (READ_ONCE(elastic_evacuating) || elastic_pressure_deficit())
		return -ENOSPC;
	if (cap && atomic64_read(&elastic_mstats.hosted_pages) >= cap && !xa_load(xa, slot))
		return -ENOSPC;
	page = alloc_page(GFP_KERNEL | __GFP_NOWARN);
	if (!page)
		return -ENOMEM;
	kaddr = kmap_local_page(page);
	memcpy(kaddr, data, PAGE_SIZE);
	kunmap_local(kaddr);
	set_page_private(page, tag);
	if (tag)	/* only this connection's receiver hands this slot here */
		old = xa_cmpxchg(xa, slot, NULL, page, GFP_KERNEL);
	else
		old = xa_store(xa, slot, page, GFP_KERNEL);
	if (xa_is_err(old)) {
		__free_page(page);
		return -ENOMEM;
	}
	if (old && tag) {
		__free_page(page);
		return page_private(old) == tag ? 0 : -EEXIST;
	}
	if (old)
		pagep[1] = old;		/* a repeated push of the same slot */
	else
		elastic_store_count_one(home);
	/* A FREE racing a (malformed) repeat cannot free it under the caller. */
	get_page(page);
	pagep[0] = page;
	return 0;
}

/**
 * elastic_store_put_page - file @page, zeroed by a claimer, for @home
 * @home: the page's home
 * @slot: the slot the home granted
 * @page: the page; the store takes it over, or frees it when the slot is
 *	filed already (a repeated grant)
 *
 * Return: 0 (filed, or filed before), or -ENOMEM.
 */
int elastic_store_put_page(u32 home, u64 slot, struct page *page)
{
	struct page *old;

	old = xa_cmpxchg(elastic_store_of(home), slot, NULL, page, GFP_KERNEL);
	if (old) {
		__free_page(page);
		return xa_is_err(old) ? -ENOMEM : 0;
	}
	elastic_store_count_one(home);
	return 0;
}

/**
 * elastic_store_get - the page hosted for @home under @slot
 * @home: node id
 * @slot: slot
 *
 * Return: the page with a reference, or NULL.
 */
struct page *elastic_store_get(u32 home, u64 slot)
{
	struct xarray *xa = elastic_store_of(home);
	struct page *page;

	xa_lock(xa);
	page = xa_load(xa, slot);
	if (page)
		get_page(page);
	xa_unlock(xa);
	return page;
}

/**
 * elastic_store_has - is a page hosted for @home under @slot?
 * @home: node id
 * @slot: slot
 *
 * Return: true if so.
 */
bool elastic_store_has(u32 home, u64 slot)
{
	return xa_load(elastic_store_of(home), slot);
}

/**
 * elastic_store_take - take the page of @home's @slot out of the store
 * @home: node id
 * @slot: slot
 *
 * Return: the page, still counted, for elastic_store_free() once nothing
 * maps it; or NULL.
 */
struct page *elastic_store_take(u32 home, u64 slot)
{
	return xa_erase(elastic_store_of(home), slot);
}

/**
 * elastic_store_take_next - take the next page of @home out of the store
 * @home: node id
 * @slot: where to look from; set to the page's slot
 *
 * Return: as elastic_store_take(), NULL when none is left.
 */
struct page *elastic_store_take_next(u32 home, unsigned long *slot)
{
	struct xarray *xa = elastic_store_of(home);
	struct page *page;

	page = xa_find(xa, slot, ULONG_MAX, XA_PRESENT);
	return page ? xa_erase(xa, *slot) : NULL;
}

/**
 * elastic_store_free - free a page taken out of @home's store
 * @home: node id
 * @page: the page from elastic_store_take(), unmapped
 */
void elastic_store_free(u32 home, struct page *page)
{
	set_page_private(page, 0);
	__free_page(page);
	atomic_long_dec(&elastic_members[home].host.count);
	if (atomic64_dec_and_test(&elastic_mstats.hosted_pages))
		module_put(THIS_MODULE);
}

/**
 * elastic_store_count - pages this node hosts for @home
 * @home: node id
 *
 * Return: how many.
 */
long elastic_store_count(u32 home)
{
	return atomic_long_read(&elastic_members[home].host.count);
}

/**
 * elastic_store_room - pages this node can still take for others
 *
 * Under its hosting cap and above push_below_kb of MemAvailable (below
 * it, it refuses pages and asks for some to go); none while it is being
 * emptied.  What its heartbeats tell the homes.
 *
 * Return: the pages.
 */
u64 elastic_store_room(void)
{
	return elastic_room(si_mem_available(),
			    READ_ONCE(elastic_mparams.push_below_kb) >> (PAGE_SHIFT - 10),
			    READ_ONCE(elastic_mparams.max_hosted_pages),
			    atomic64_read(&elastic_mstats.hosted_pages),
			    READ_ONCE(elastic_evacuating));
}

/** elastic_store_init - at load */
void elastic_store_init(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_init(elastic_store_of(i));
}

/** elastic_store_exit - at unload, when nothing is hosted (the module is pinned else) */
void elastic_store_exit(void)
{
	int i;

	for (i = 0; i <= ELASTIC_MAX_NODE_ID; i++)
		xa_destroy(elastic_store_of(i));
}
