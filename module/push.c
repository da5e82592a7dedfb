// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: pushing a stretched process's pages out.
 *
 * The pusher walks the process's private anonymous VMAs (not shared,
 * locked, hugetlb, PFN, uffd) from a cursor, like a CLOCK hand: a page
 * accessed since the last pass gets a second chance.  Pages behind a
 * sequential run go first, young or not.  The core takes each page
 * referenced (elastic_push_prepare()) and the pusher sends it without a
 * copy; batches of ELASTIC_PUSH_BATCH go out as PUSH messages of
 * ELASTIC_WIRE_BATCH pages, pipelined, each acknowledged with the count
 * the member stored.  Only once the owner holds the copy does the core
 * swap the PTE for the entry (elastic_push_commit()), and only if the page
 * was not written meanwhile; otherwise the page stays and the copy is
 * freed.  Before pages go to a member, the member gets the process's
 * layout, so that its shadow can map them.
 *
 * Locking: pushes of one process are serialised by its push_lock; the
 * layout fields of struct elastic_mm are under it too.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/coredump.h>
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
 * struct elastic_push_item - one page of a push batch
 * @addr:	its address
 * @vma:	its VMA (stable: mmap_lock is held for the whole batch)
 * @snap:	PTE when it was taken
 * @page:	the page, referenced until the push of it ends (the network
 *		may hold it longer: it sends the page itself)
 * @slot:	slot allocated for it
 */
struct elastic_push_item {
	unsigned long addr;
	struct vm_area_struct *vma;
	pte_t snap;
	struct page *page;
	u32 slot;
};

/**
 * struct elastic_push_msg - one PUSH message and its ack
 * @to:		node it goes to
 * @n:		pages in it
 * @slots:	their slots
 * @places:	their places (the process's id and their addresses)
 * @pages:	their contents (kernel addresses)
 * @seq:	its sequence number, 0 when it could not be sent
 * @req:	waits for the PUSH_ACK
 */
struct elastic_push_msg {
	u32 to;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
	struct elastic_wire_place places[ELASTIC_WIRE_BATCH];
	struct page *pages[ELASTIC_WIRE_BATCH];
	u64 seq;
	struct elastic_req req;
};

static int elastic_push_send(void *arg, u64 seq)
{
	struct elastic_push_msg *pm = arg;

	return elastic_send_slots(pm->to, ELASTIC_MSG_PUSH, seq, pm->slots, pm->n, pm->places,
				  pm->pages,
				  false);
}

/* Send @pm; elastic_push_wait() collects its ack. */
static void elastic_push_start(struct elastic_push_msg *pm)
{
	elastic_req_add(&pm->req, pm->to, NULL, &pm->seq);
	pm->req.npages = pm->n;
	if (elastic_push_send(pm, pm->seq))
		atomic64_inc(&elastic_mstats.send_errors);
}

/*
 * Wait for @pm's ack.  Return how many of its pages, from the first, the
 * owner stored; *@status says why the next one was not.
 */
static unsigned int elastic_push_wait(struct elastic_push_msg *pm, int *status)
{
	*status = elastic_req_wait(&pm->req, elastic_push_send, pm);
	if (!*status && pm->req.stored < pm->n)
		*status = -EIO;		/* an ack that contradicts itself */
	return pm->req.stored;
}

/*
 * @mm's ranges for its shadows, adjacent VMAs alike as one; beyond
 * ELASTIC_WIRE_LAYOUT_MAX ranges the rest has no shadow (its pages stay
 * unmapped there).  Return how many.
 */
static unsigned int elastic_layout_build(struct mm_struct *mm, struct elastic_range *r)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vm_area_struct *vma;
	unsigned int n = 0;
	u32 prot;

	mmap_assert_locked(mm);
	for_each_vma(vmi, vma) {
		if (!elastic_vma_shadowed(vma))
			continue;
		prot = (vma->vm_flags & VM_READ ? PROT_READ : 0) |
		       (vma->vm_flags & VM_WRITE ? PROT_WRITE : 0) |
		       (vma->vm_flags & VM_EXEC ? PROT_EXEC : 0);
		if (n && r[n - 1].end == vma->vm_start && r[n - 1].prot == prot) {
			r[n - 1].end = vma->vm_end;
			continue;
		}
		if (n == ELASTIC_WIRE_LAYOUT_MAX)
			break;
		r[n++] = (struct elastic_range){ vma->vm_start, vma->vm_end, prot };
	}
	return n;
}

/* Field by field: memcmp() would compare the structures' padding too. */
static bool elastic_ranges_equal(const struct elastic_range *a, const struct elastic_range *b,
				 unsigned int na, unsigned int nb)
{
	unsigned int i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++)
		if (a[i].start != b[i].start || a[i].end != b[i].end || a[i].prot != b[i].prot)
			return false;
	return true;
}

/*
 * Before pages of @em go to @to: make sure @to has the process's layout,
 * as it is now, so that its shadow can map them.  A new version goes to
 * every member that had one (unmapped ranges leave their shadows too).
 * Under @em->push_lock and the mmap_lock.
 */
static void elastic_layout_sync(struct elastic_mm *em, u32 to)
{
	struct elastic_wire_layout *w;
	struct elastic_range *r;
	unsigned int n;
	u32 conn;
	size_t len;
	int i;

	lockdep_assert_held(&em->push_lock);
	/* Two buffers for the life of the process: none per batch. */
	if (!em->layout_buf) {
		r = kvmalloc_array(2 * ELASTIC_WIRE_LAYOUT_MAX, sizeof(*r), GFP_KERNEL);
		if (!r)
			return;
		em->layout_buf = r;
		em->layout = r;
		em->layout_next = r + ELASTIC_WIRE_LAYOUT_MAX;
	}
	n = elastic_layout_build(em->mm, em->layout_next);
	if (!em->layout_gen || !elastic_ranges_equal(em->layout_next, em->layout, n, em->nlayout)) {
		swap(em->layout_next, em->layout);
		em->nlayout = n;
		em->layout_gen = elastic_layout_next_gen();
		for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)	/* all of them again */
			em->layout_sent[i] = em->layout_sent[i] ? U32_MAX : 0;
	}
	if (!em->nlayout)
		return;
	w = NULL;
	len = struct_size(w, range, em->nlayout);
	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		if (i != to && !em->layout_sent[i])
			continue;
		conn = elastic_peer_conn(i);
		if (!conn || conn == em->layout_sent[i])
			continue;
		/* Encoded only when some member lacks this version. */
		if (!w) {
			w = kvmalloc(len, GFP_KERNEL);
			if (!w)
				return;
			elastic_wire_put_layout(w, elastic_node_id(), em->id,
						em->layout_gen, em->layout, em->nlayout);
		}
		if (!elastic_peer_send(i, ELASTIC_MSG_LAYOUT, elastic_next_seq(), w, len,
				       NULL, 0))
			em->layout_sent[i] = conn;
	}
	kvfree(w);
}

/* Pushes in flight per batch: ELASTIC_PUSH_BATCH pages in messages. */
#define ELASTIC_PUSH_MSGS	DIV_ROUND_UP(ELASTIC_PUSH_BATCH, ELASTIC_WIRE_BATCH)

/*
 * Send a prepared batch to @to and commit the pages it accepted.  Return
 * how many left this node, or -ENOSPC when @to refused for lack of room.
 */
static long elastic_push_batch(struct elastic_mm *em, u32 to, struct elastic_push_item *it,
			       int n, struct elastic_push_msg *pm)
{
	unsigned int stored;
	int i, j, k, nmsg, ret, status;
	long moved = 0;
	bool full = false;

	elastic_layout_sync(em, to);
	nmsg = DIV_ROUND_UP(n, ELASTIC_WIRE_BATCH);
	for (k = 0; k < nmsg; k++) {
		pm[k].to = to;
		pm[k].n = min(n - k * ELASTIC_WIRE_BATCH, ELASTIC_WIRE_BATCH);
		for (j = 0; j < pm[k].n; j++) {
			i = k * ELASTIC_WIRE_BATCH + j;
			pm[k].slots[j] = it[i].slot;
			pm[k].places[j] = (struct elastic_wire_place){
				.mm = cpu_to_be32(em->id),
				.addr = cpu_to_be64(it[i].addr),
			};
			pm[k].pages[j] = it[i].page;
		}
		elastic_push_start(&pm[k]);
		atomic64_inc(&em->push_msgs);
	}
	for (k = 0; k < nmsg; k++) {
		stored = elastic_push_wait(&pm[k], &status);
		for (j = 0; j < pm[k].n; j++) {
			i = k * ELASTIC_WIRE_BATCH + j;
			ret = j < stored ? elastic_push_commit(it[i].vma, it[i].addr, it[i].snap,
							       make_elastic_entry(to, it[i].slot))
					 : status;
			put_page(it[i].page);
			if (ret == -ENOSPC)
				full = true;
			if (ret) {
				/* The page stays; the owner's copy, if any, goes. */
				elastic_slot_put(it[i].slot);
				continue;
			}
			atomic_long_inc(&em->remote[to]);
			atomic64_inc(&em->pushes);
			atomic64_add(PAGE_SIZE, &em->bytes_out);
			moved++;
		}
	}
	trace_elastic_push(to, n, moved);
	return moved ? moved : (full ? -ENOSPC : 0);
}

static u32 elastic_pick_member(struct elastic_mm *em, u32 after, u64 full)
{
	u32 self = elastic_node_id();
	u32 i, id;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++) {
		id = (after + i - 1) % ELASTIC_MAX_NODE_ID + 1;
		if (id != self && (em->nodes & BIT_ULL(id)) && !(full & BIT_ULL(id)) &&
		    !elastic_member_draining(id) && elastic_peer_alive(id))
			return id;
	}
	return 0;
}

/*
 * Send the @n prepared pages to *@dst and account for the outcome; the next
 * batch picks its member afresh (*@dst = 0), a full one is not asked again.
 */
static long elastic_push_flush(struct elastic_mm *em, u32 *dst, struct elastic_push_item *it,
			       struct elastic_push_msg *pm, int *n, long *done,
			       u64 *full)
{
	long ret = elastic_push_batch(em, *dst, it, *n, pm);

	if (ret > 0)
		*done += ret;
	else if (ret == -ENOSPC)
		*full |= BIT_ULL(*dst);
	*n = 0;
	*dst = 0;
	return ret;
}

/*
 * A push in progress: the batch being filled (@n pages of @it, each
 * referenced), its member @dst (0: pick one), pages pushed so far (@done), the
 * members that refused for lack of room (@full), the last error (@ret).
 */
struct elastic_push_ctx {
	struct elastic_push_item *it;
	struct elastic_push_msg *pm;
	u32 to;
	u32 dst;
	u32 last;
	u64 full;
	int n;
	long done;
	long ret;
};

/*
 * Whether a push of @em's pages is still wanted: not by a killed thread,
 * nor for a process the OOM killer chose or that has exited (only
 * pushers hold its mm).  A worker's mm_users reference keeps the memory
 * that the kill or the exit is to free: the OOM killer, finding no victim
 * left to wait for, would kill the next process, and at the last panic.
 */
static bool elastic_push_wanted(struct elastic_mm *em)
{
	struct mm_struct *mm = em->mm;

	if (fatal_signal_pending(current) || test_bit(MMF_OOM_REAP_QUEUED, &mm->flags))
		return false;
	return current->mm == mm || atomic_read(&mm->mm_users) > atomic_read(&em->pushers);
}

/*
 * Add the page at @addr to the batch, sending the batch once full.
 * Return false when the push must stop: no member has room, or the push
 * is no longer wanted (elastic_push_wanted()).
 */
static bool elastic_push_add(struct elastic_mm *em, struct elastic_push_ctx *c,
			     struct vm_area_struct *vma, unsigned long addr, bool skip_young)
{
	struct elastic_push_item *it = c->it + c->n;

	if (!c->dst) {
		c->dst = c->to ? c->to : elastic_pick_member(em, c->last, c->full);
		if (!c->dst || (c->full & BIT_ULL(c->dst)))
			return false;
		c->last = c->dst;
	}
	if (elastic_push_prepare(vma, addr, &it->page, &it->snap, skip_young))
		return true;
	if (elastic_slot_alloc(c->dst, &it->slot)) {
		put_page(it->page);
		return true;
	}
	/* A prefetch that raced a zap of the slot's earlier page may have outlived it: gone now. */
	elastic_pf_forget(em, it->slot);
	it->vma = vma;
	it->addr = addr;
	if (++c->n < ELASTIC_PUSH_BATCH)
		return true;
	c->ret = elastic_push_flush(em, &c->dst, c->it, c->pm, &c->n, &c->done, &c->full);
	return elastic_push_wanted(em);
}

/* Pages a sequential run leaves alone behind the fault it is at. */
#define ELASTIC_BEHIND_GAP	(2 * ELASTIC_PF_MAX_WINDOW)

/*
 * A sequential run of faults is done, for now, with the pages behind it:
 * a run through more than the local limit would otherwise push the pages
 * it is about to reach (they are the least recently used), and pull every
 * one back (as a sequential scan defeats LRU).  Push those behind it first,
 * young or not, as drop-behind does for use-once data; the rest stays.
 */
static bool elastic_push_behind_run(struct elastic_mm *em, struct elastic_stream *st,
				    struct elastic_push_ctx *c, unsigned long nr)
{
	unsigned long start = READ_ONCE(st->start), addr = start;
	unsigned long at = READ_ONCE(st->at);
	struct vm_area_struct *vma;
	unsigned long end;
	bool go = true;

	if (READ_ONCE(st->window) < ELASTIC_PF_MAX_WINDOW || !addr ||
	    at < addr + ELASTIC_BEHIND_GAP * PAGE_SIZE)
		return true;
	end = at - ELASTIC_BEHIND_GAP * PAGE_SIZE;
	vma = vma_lookup(em->mm, addr);
	if (!vma || !elastic_vma_elastic(vma))
		return true;
	end = min(end, vma->vm_end);
	for (; addr < end && c->done + c->n < nr && go; addr += PAGE_SIZE)
		go = elastic_push_add(em, c, vma, addr, false);
	/* The next push goes on from here, unless a new run started. */
	cmpxchg(&st->start, start, addr);
	return go;
}

static bool elastic_push_behind(struct elastic_mm *em, struct elastic_push_ctx *c, unsigned long nr)
{
	int i;

	for (i = 0; i < ELASTIC_STREAMS && c->done + c->n < nr; i++)
		if (!elastic_push_behind_run(em, em->streams + i, c, nr))
			return false;
	return true;
}

/**
 * elastic_push_mm - push up to @nr pages of a stretched mm out
 * @em: its state
 * @to: the member to push to, or 0 for any member with room (round robin)
 * @nr: how many pages; 0: down to the local limit and a batch below (or,
 *	without a limit, what MemAvailable lacks under push_below_kb and a
 *	batch), counted once the previous push of this mm is over
 * @cold_only: take only pages not accessed since the previous scan first
 *
 * Pages behind a sequential run go first (elastic_push_behind()).  Then
 * pages are scanned from a cursor that goes round the address space like
 * a CLOCK hand: an accessed page gets a second chance (its accessed bit
 * is cleared) before it may leave.  Takes the mmap_lock for reading.
 *
 * Return: pages pushed, or -errno when none could be.
 */
long elastic_push_mm(struct elastic_mm *em, u32 to, unsigned long nr, bool cold_only)
{
	struct elastic_push_ctx c = { .to = to };
	struct mm_struct *mm = em->mm;
	bool worker = current->mm != mm;
	struct vm_area_struct *vma;
	unsigned long addr, scanned;
	bool wrapped;
	int pass;

	c.it = kvcalloc(ELASTIC_PUSH_BATCH, sizeof(*c.it), GFP_KERNEL);
	c.pm = kvcalloc(ELASTIC_PUSH_MSGS, sizeof(*c.pm), GFP_KERNEL);
	if (!c.it || !c.pm) {
		c.ret = -ENOMEM;
		goto out_free;
	}
	if (worker)
		atomic_inc(&em->pushers);
	mutex_lock(&em->push_lock);
	if (em->unstretching) {
		c.ret = -EINVAL;
		goto out_unlock;
	}
	/* Another push may have waited for the lock while the process went. */
	if (!elastic_push_wanted(em))
		goto out_unlock;
	if (mmap_read_lock_killable(mm)) {
		c.ret = -EINTR;
		goto out_unlock;
	}
	if (mm->elastic != em) {
		c.ret = -EINVAL;	/* unstretched meanwhile */
		goto out_mm;
	}
	if (!nr) {
		unsigned long rss = get_mm_counter(mm, MM_ANONPAGES);
		unsigned long limit = READ_ONCE(em->limit);
		unsigned long deficit = elastic_pressure_deficit();

		/*
		 * Over the limit or under pressure, whichever asks more (a
		 * limit above what the node has left is no licence to
		 * exhaust it).  Threads that waited for another's push
		 * usually find it done.
		 */
		if (limit && rss > limit)
			nr = rss - limit + ELASTIC_PUSH_BATCH;
		if (deficit)
			nr = max(nr, deficit + ELASTIC_PUSH_BATCH);
		if (!nr)
			goto out_mm;
	}
	if (!to && !elastic_push_behind(em, &c, nr))
		goto stop;
	/* The first pass ages accessed pages, the second may take them. */
	for (pass = cold_only ? 0 : 1; pass < 2 && c.done + c.n < nr; pass++) {
		VMA_ITERATOR(vmi, mm, em->cursor);

		addr = em->cursor;
		wrapped = false;
		/* Each pass looks at every page once at most. */
		for (scanned = 0; c.done + c.n < nr && scanned <= mm->total_vm; ) {
			vma = vma_find(&vmi, ULONG_MAX);
			if (!vma) {
				if (wrapped)
					break;
				wrapped = true;
				addr = 0;
				vma_iter_set(&vmi, 0);
				continue;
			}
			if (!elastic_vma_elastic(vma))
				continue;
			for (addr = max(addr, vma->vm_start);
			     addr < vma->vm_end && c.done + c.n < nr; addr += PAGE_SIZE, scanned++)
				if (!elastic_push_add(em, &c, vma, addr, pass == 0))
					goto stop;
			em->cursor = addr;
		}
	}
stop:
	if (c.n)
		c.ret = elastic_push_flush(em, &c.dst, c.it, c.pm, &c.n, &c.done, &c.full);
out_mm:
	mmap_read_unlock(mm);
out_unlock:
	mutex_unlock(&em->push_lock);
	if (worker)
		atomic_dec(&em->pushers);
out_free:
	kvfree(c.pm);
	kvfree(c.it);
	if (c.done)
		return c.done;
	return c.ret < 0 ? c.ret : (c.full ? -ENOSPC : 0);
}

/**
 * elastic_push_auto - a push the module decides on itself
 * @em: the process
 * @nr: pages, or 0 (see elastic_push_mm())
 * @pressure: for memory pressure, not for a local limit
 *
 * To any member, coldest first.  Remembers whether the members were full,
 * and counts what it did.
 *
 * Return: as elastic_push_mm().
 */
long elastic_push_auto(struct elastic_mm *em, unsigned long nr, bool pressure)
{
	long ret = elastic_push_mm(em, 0, nr, true);

	if (ret < 0 && !pressure)
		atomic64_inc(&elastic_mstats.push_failures);
	if (ret > 0 && pressure)
		atomic64_add(ret, &elastic_mstats.pressure_pushes);
	if (ret)
		WRITE_ONCE(em->full_at, ret == -ENOSPC ? jiffies | 1 : 0);
	return ret;
}
