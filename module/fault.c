// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: faults on remote pages.
 *
 * A fault on an elastic entry pulls the page from its owner (PULL,
 * PULL_REPLY) and waits, asleep.  Concurrent faults on one slot coalesce
 * (the second waits, then retries the fault).  A lost reply is
 * re-requested every two heartbeats; when the owner is declared dead the
 * fault gets SIGBUS and a log line, never a zero page.
 *
 * Prefetch.  A fault right after the previous one (address + 1 page) of a
 * run opens a window of 4 pages, doubling to 32 while access stays
 * sequential; ELASTIC_STREAMS runs are followed at once per process.  The
 * entries ahead are read locklessly and asked for without waiting, one
 * PULL per owner; replies land in the process's prefetch cache
 * (struct elastic_mm.pf), where a fault finds its page, and from which the
 * core maps pages ahead of the next fault (elastic_mem_ahead()).  A
 * prefetch holds the slot like a fault while it is set up, and zapping or
 * mapping the slot drops it: slot numbers are reused, so no stale
 * prefetch may outlive its slot.
 *
 * Locking: the prefetch cache is an xarray (its own lock); streams are
 * hints, read and written without a lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/llist.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "transport.h"
#include "elastic_trace.h"

static int elastic_pull_send(void *arg, u64 seq)
{
	unsigned long *slotp = arg;

	return elastic_send_slots(slotp[1], ELASTIC_MSG_PULL, seq, slotp, 1, NULL, NULL, false);
}

/**
 * struct elastic_pull_later - a PULL that could not be sent under a fault's lock
 * @node:	in elastic_pulls_later
 * @owner:	the node to ask
 * @seq:	the PULL's sequence number
 * @n:		slots in @slots
 * @slots:	the pages asked for
 */
struct elastic_pull_later {
	struct llist_node node;
	u32 owner;
	u64 seq;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
};

static LLIST_HEAD(elastic_pulls_later);

static void elastic_pulls_later_fn(struct work_struct *work)
{
	struct llist_node *list = llist_reverse_order(llist_del_all(&elastic_pulls_later));
	struct elastic_pull_later *l, *t;

	llist_for_each_entry_safe(l, t, list, node) {
		if (elastic_send_slots(l->owner, ELASTIC_MSG_PULL, l->seq, l->slots, l->n,
				       NULL, NULL, false))
			atomic64_inc(&elastic_mstats.send_errors);
		kfree(l);
	}
}

static DECLARE_WORK(elastic_pulls_later_work, elastic_pulls_later_fn);

/*
 * Send a PULL with the fault's lock held: at once if the connection is
 * free and has room, else from a worker, so that the fault never waits
 * behind another send (a push filling a slow link) with mmap_lock held.
 * The worker is queued on elastic_wq, drained at unload.
 */
static int elastic_pull_send_locked(u32 owner, u64 seq, const unsigned long *slots,
				    unsigned int n)
{
	struct elastic_pull_later *l;
	int ret;

	ret = elastic_send_slots_nowait(owner, ELASTIC_MSG_PULL, seq, slots, n);
	if (ret != -EAGAIN)
		return ret;
	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return ret;	/* the waiter asks again, two heartbeats on */
	l->owner = owner;
	l->seq = seq;
	l->n = n;
	memcpy(l->slots, slots, n * sizeof(*slots));
	llist_add(&l->node, &elastic_pulls_later);
	queue_work(elastic_wq, &elastic_pulls_later_work);
	return 0;
}

static void elastic_lat_add(struct elastic_mm *em, u64 ns)
{
	u64 us = div_u64(ns, NSEC_PER_USEC);
	int b = us ? min_t(int, ilog2(us) + 1, ELASTIC_LAT_BUCKETS - 1) : 0;

	atomic64_inc(&em->lat_us[b]);
}

/*
 * Set up the pull of @slot (not yet asked for) into the prefetch cache,
 * the page at @addr in @vma: ahead of a fault, or for a fault that waits
 * for it without its lock (@demand).  The slot is held as a fault holds
 * it (the fault's own is held already), so that a fault on it either
 * finds the prefetch or has the slot to itself, and never maps the page
 * while a prefetch of it is being started.  The page is allocated and
 * charged as the fault would, so that it can be mapped as it is.  Return
 * it, or NULL (best effort for a prefetch: the fault pulls then).
 */
static noinline_for_stack struct elastic_pf *
elastic_prefetch_prep(struct elastic_mm *em, unsigned long slot, struct vm_area_struct *vma,
		      unsigned long addr, bool demand)
{
	struct elastic_pf *pf = NULL;
	struct folio *folio;
	int owner;

	if (xa_load(&em->pf, slot))
		return NULL;
	if (!demand && elastic_pulling_add(slot, GFP_KERNEL))
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
		pf->demand = demand;
		pf->asked = ktime_get_ns();
		elastic_req_init(&pf->req, owner, pf->page);
		/* A fault may wait for it without its lock: wake it. */
		pf->req.notify = true;
		return pf;
	}
	kfree(pf);
	if (!demand) {
		elastic_pulling_del(slot);
		elastic_pulling_wake();
	}
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
	if (elastic_pull_send_locked(owner, seq, slots, c))
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
			WRITE_ONCE(st->window, elastic_window_next(READ_ONCE(st->window), true));
			goto found;
		}
		/* The same fault again, retried once its page came: no step. */
		if (READ_ONCE(st->last) == addr)
			goto found;
		if (READ_ONCE(st->used) < READ_ONCE(lru->used))
			lru = st;
	}
	/* Not the next page of any run: maybe the start of a new one. */
	st = lru;
	WRITE_ONCE(st->window, elastic_window_next(READ_ONCE(st->window), false));
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
	if (!elastic_prefetch_due(ahead, elastic_pf_ready(em, next, min_t(int, n, ahead)), w))
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
						       addr + (ahead + i + 1) * PAGE_SIZE, false);
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
	elastic_pulling_wake();
}

/*
 * Take the prefetch of @slot out of the cache if its reply is in (NULL
 * if not, or if there is none).  Answered: the receiver took its request
 * out of the request table.
 */
static struct elastic_pf *elastic_pf_take_done(struct elastic_mm *em, unsigned long slot)
{
	struct elastic_pf *pf;

	xa_lock(&em->pf);
	pf = xa_load(&em->pf, slot);
	if (pf && completion_done(&pf->req.done))
		__xa_erase(&em->pf, slot);
	else
		pf = NULL;
	xa_unlock(&em->pf);
	if (pf)
		atomic_dec(&em->npf);
	return pf;
}

/*
 * Is the pull of @slot settled: no longer in the cache, or its reply in?
 * If not, *@owner and *@seq say whom to ask again, and on what number.
 */
static bool elastic_pf_settled(struct elastic_mm *em, unsigned long slot, u32 *owner, u64 *seq)
{
	struct elastic_pf *pf;
	bool settled;

	xa_lock(&em->pf);
	pf = xa_load(&em->pf, slot);
	settled = !pf || completion_done(&pf->req.done);
	if (!settled && owner) {
		*owner = pf->owner;
		*seq = pf->req.seq;
	}
	xa_unlock(&em->pf);
	return settled;
}

/*
 * Wait, without the fault's lock, for the pull of @slot to settle: its
 * reply in, the prefetch dropped (its slot was zapped), its owner dead, or
 * a fatal signal.  The PULL is asked again every two heartbeats, as
 * elastic_req_wait() does.
 */
static void elastic_pf_wait(struct elastic_mm *em, unsigned long slot)
{
	unsigned long resend = msecs_to_jiffies(2 * READ_ONCE(elastic_params.heartbeat_ms));
	unsigned long slots[1] = { slot };
	u32 owner;
	u64 seq;
	long ret;

	while (!elastic_pf_settled(em, slot, &owner, &seq) && elastic_peer_alive(owner)) {
		ret = wait_event_killable_timeout(elastic_req_wq,
						  elastic_pf_settled(em, slot, NULL, NULL), resend);
		if (ret)
			return;		/* settled, or killed */
		atomic64_inc(&elastic_mstats.resends);
		elastic_send_slots(owner, ELASTIC_MSG_PULL, seq, slots, 1, NULL, NULL, false);
	}
}

/*
 * A pull that must wait for another node: start it (unless a prefetch
 * asked for the page already), drop the fault's lock and wait, and have
 * the fault retried once the page is here, as a swap-in from a slow
 * device does: nobody waits on the network with the mmap_lock or a VMA
 * lock held.
 */
static vm_fault_t elastic_pull_retry(struct vm_fault *vmf, struct elastic_mm *em,
				     unsigned long slot)
{
	struct elastic_pf *pf = NULL;
	u32 owner = 0;
	u64 seq;

	/* In flight from a node declared dead: the caller fails it at once. */
	if (!elastic_pf_settled(em, slot, &owner, &seq) && !elastic_peer_alive(owner))
		return 0;
	if (!owner) {
		pf = elastic_prefetch_prep(em, slot, vmf->vma, vmf->address & PAGE_MASK, true);
		if (!pf)
			return 0;	/* cannot be started: the caller pulls and waits */
		elastic_prefetch_send(em, &pf, 1);
	}
	elastic_prefetch(vmf, em);
	elastic_pulling_del(slot);
	elastic_pulling_wake();
	if (!(vmf->flags & FAULT_FLAG_RETRY_NOWAIT)) {
		kref_get(&em->ref);
		release_fault_lock(vmf);
		elastic_pf_wait(em, slot);
		elastic_mm_put(em);	/* never the last: mm->elastic holds one */
	}
	return VM_FAULT_RETRY | VM_FAULT_MAJOR;
}

/*
 * Pull @slot from @owner into a new folio and wait, with the fault's lock
 * held: for a fault that cannot be retried (GUP without a lock to drop).
 */
static int elastic_pull_sync(struct vm_fault *vmf, struct elastic_mm *em, unsigned long slot,
			     int owner, struct folio **foliop)
{
	unsigned long arg[2] = { slot, owner };
	struct elastic_req req;
	struct folio *folio;
	u64 seq;
	int ret;

	folio = elastic_alloc_folio(vmf->vma, vmf->address);
	if (!folio)
		return -ENOMEM;
	elastic_req_add(&req, owner, folio_page(folio, 0), &seq);
	if (elastic_pull_send(arg, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	atomic64_inc(&em->pull_msgs);
	ret = elastic_req_wait(&req, elastic_pull_send, arg);
	if (ret) {
		folio_put(folio);
		return ret;
	}
	*foliop = folio;
	return 0;
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
		elastic_pulling_wake();
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

/* The fault may drop its lock and be retried (see elastic_pull_retry()). */
static bool elastic_fault_may_retry(struct vm_fault *vmf)
{
	return vmf->flags & FAULT_FLAG_ALLOW_RETRY;
}

/**
 * elastic_mem_pull - the pull operation: a remote page's data for a fault
 * @vmf: the fault, mmap_lock or VMA lock held
 * @entry: the elastic entry it met
 * @foliop: set to a folio holding the data
 *
 * A page pulled ahead (or by an earlier try of this fault) whose reply is
 * in is handed over as it is.  Otherwise the page is asked for, and the
 * fault, when it allows it, drops its lock, waits and is retried
 * (elastic_pull_retry()); else it waits with the lock held.  Faults on a
 * page being pulled by another wait for that one, the same way.
 *
 * Return: 0 with *@foliop (elastic_mem_pulled() ends the pull),
 * VM_FAULT_RETRY (the lock released, the page on its way),
 * VM_FAULT_NOPAGE to retry the fault at once, VM_FAULT_SIGBUS when the
 * page is lost (its owner is dead), VM_FAULT_OOM; VM_FAULT_MAJOR added
 * when the page came over the network for this fault.
 */
vm_fault_t elastic_mem_pull(struct vm_fault *vmf, swp_entry_t entry, struct folio **foliop)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct elastic_mm *em = mm->elastic;
	unsigned long slot = elastic_entry_slot(entry);
	int owner = elastic_entry_owner(entry), ret;
	bool prefetched = true;
	struct elastic_pf *pf;
	vm_fault_t major = 0;
	u64 t0, ns;

	if (WARN_ON_ONCE(!em))
		return VM_FAULT_SIGBUS;
	if (!(vmf->flags & FAULT_FLAG_TRIED))
		atomic64_inc(&em->faults);
	/* Another thread, or a forked relative, is pulling this page. */
	ret = elastic_pulling_add(slot, GFP_KERNEL);
	if (ret == -EBUSY) {
		atomic64_inc(&em->coalesced);
		if (elastic_fault_may_retry(vmf)) {
			/* With RETRY_NOWAIT the lock stays held: no wait. */
			if (!(vmf->flags & FAULT_FLAG_RETRY_NOWAIT)) {
				release_fault_lock(vmf);
				elastic_pulling_wait(slot);
			}
			return VM_FAULT_RETRY;
		}
		/* Killed or not, the fault is retried (or the task dies). */
		elastic_pulling_wait(slot);
		return VM_FAULT_NOPAGE;
	}
	if (ret)
		return VM_FAULT_OOM;

	t0 = ktime_get_ns();
	/* Pulled ahead, or for an earlier try of this fault, and here? */
	pf = elastic_pf_take_done(em, slot);
	if (pf && !pf->req.status) {
		prefetched = !pf->demand;
		ns = prefetched ? ktime_get_ns() - t0 : ktime_get_ns() - pf->asked;
		owner = pf->owner;
		*foliop = page_folio(pf->page);
		kfree(pf);
		goto done;
	}
	if (pf) {
		/* Failed (owner changed by a drain, say): pull anew. */
		put_page(pf->page);
		kfree(pf);
	}
	if (elastic_fault_may_retry(vmf)) {
		major = elastic_pull_retry(vmf, em, slot);
		if (major)
			return major;
	}
	/* In flight, for a fault that cannot be retried: wait for it here. */
	pf = xa_erase(&em->pf, slot);
	if (pf) {
		unsigned long arg[2] = { slot, pf->owner };

		atomic_dec(&em->npf);
		ret = elastic_req_wait(&pf->req, elastic_pull_send, arg);
		elastic_req_remove(&pf->req);
		owner = pf->owner;
		if (!ret) {
			*foliop = page_folio(pf->page);
			kfree(pf);
			ns = ktime_get_ns() - t0;
			goto done;
		}
		put_page(pf->page);
		kfree(pf);
	}
	prefetched = false;
	owner = elastic_slot_owner_of(slot);
	ret = owner < 0 ? -ENOENT : elastic_pull_sync(vmf, em, slot, owner, foliop);
	if (ret)
		goto fail;
	ns = ktime_get_ns() - t0;
	major = VM_FAULT_MAJOR;
done:
	trace_elastic_pull(vmf->address, slot, owner, ns, prefetched, false, 0);
	elastic_lat_add(em, ns);
	if (prefetched)
		atomic64_inc(&em->pf_hits);
	atomic64_inc(&em->pulls);
	atomic64_add(PAGE_SIZE, &em->bytes_in);
	/*
	 * Ask for what follows now that this page is here (a retried fault
	 * asked on its first try too, before the pages ahead had arrived,
	 * when it was too early to ask for more).
	 */
	elastic_prefetch(vmf, em);
	return major;	/* elastic_mem_pulled() ends the pull */
fail:
	trace_elastic_pull(vmf->address, slot, owner, ktime_get_ns() - t0, false, false, ret);
	pr_err_ratelimited("pid %d: page at %#lx (slot %lu on node %d) cannot be pulled (%d): SIGBUS\n",
			   task_pid_nr(current), vmf->address, slot, owner, ret);
	atomic64_inc(&elastic_mstats.pull_failures);
	elastic_pulling_del(slot);
	elastic_pulling_wake();
	return ret == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/**
 * elastic_mem_pulled - the pulled operation: a pull ended
 * @mm: the address space
 * @entry: the entry the page was pulled for
 * @mapped: the page replaced @entry (under the page table lock), or the PTE
 *	had changed and the page was dropped
 */
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
	elastic_pulling_wake();
}

/**
 * elastic_mem_release - the release operation: an entry was zapped
 * @mm: the address space
 * @entry: the entry; its slot loses a reference
 *
 * Under the page table lock.
 */
void elastic_mem_release(struct mm_struct *mm, swp_entry_t entry)
{
	struct elastic_mm *em = mm->elastic;

	if (em) {
		atomic_long_dec(&em->remote[elastic_entry_owner(entry)]);
		elastic_pf_forget(em, elastic_entry_slot(entry));
	}
	elastic_slot_put(elastic_entry_slot(entry));
}

/**
 * elastic_mem_dup - the dup operation: fork copied an entry into @mm
 * @mm: the child's address space
 * @entry: the entry; its slot gains a reference
 *
 * Under both page table locks.
 */
void elastic_mem_dup(struct mm_struct *mm, swp_entry_t entry)
{
	struct elastic_mm *em = mm->elastic;

	elastic_slot_get(elastic_entry_slot(entry));
	if (em)
		atomic_long_inc(&em->remote[elastic_entry_owner(entry)]);
}
