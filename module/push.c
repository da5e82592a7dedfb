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
 * @addr:	its address (its VMA is looked up again after the ack: the
 *		mmap_lock is not held while the batch travels)
 * @snap:	PTE when it was taken
 * @page:	the page, referenced until the push of it ends (the network
 *		may hold it longer: it sends the page itself)
 * @slot:	slot allocated for it
 */
struct elastic_push_item {
	unsigned long addr;
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
 * Look at @em's layout as it is now, for the members' shadows; a change
 * makes a new version, which every member that had one gets again
 * (unmapped ranges leave their shadows too).  Under @em->push_lock and
 * the mmap_lock.
 */
static void elastic_layout_update(struct elastic_mm *em)
{
	struct elastic_range *r;
	unsigned int n;
	int i;

	lockdep_assert_held(&em->push_lock);
	mmap_assert_locked(em->mm);
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
}

/*
 * Before pages of @em go to @to: make sure @to, and every member that had
 * an older version, has the layout elastic_layout_update() saw, so that
 * the shadows can map them.  Under @em->push_lock; it may wait for the
 * network, so not under the mmap_lock.
 */
static void elastic_layout_send(struct elastic_mm *em, u32 to)
{
	struct elastic_wire_layout *w = NULL;
	size_t len;
	u32 conn;
	int i;

	lockdep_assert_held(&em->push_lock);
	if (!em->nlayout)
		return;
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
 * Commit the page of @it that @to stored: its PTE becomes the entry, if
 * it is still the page sent, unwritten.  Under the mmap_lock, taken again
 * after the ack: the VMA may have changed meanwhile.
 */
static int elastic_push_commit_one(struct elastic_mm *em, u32 to, struct elastic_push_item *it)
{
	struct vm_area_struct *vma = vma_lookup(em->mm, it->addr);

	if (!vma || !elastic_vma_elastic(vma))
		return -EAGAIN;
	return elastic_push_commit(vma, it->addr, it->snap, make_elastic_entry(to, it->slot));
}

/*
 * Send a prepared batch to @to and commit the pages it accepted.  Called
 * with the mmap_lock held for reading; drops it while the batch travels
 * (nobody waits for the network with it held: another thread's mmap() or
 * munmap() would wait for the ack) and takes it again to commit, unless a
 * fatal signal comes first: then *@locked is false.  Return how many
 * pages left this node, or -ENOSPC when @to refused for lack of room.
 */
static long elastic_push_batch(struct elastic_mm *em, u32 to, struct elastic_push_item *it,
			       int n, struct elastic_push_msg *pm, bool *locked)
{
	unsigned int stored[ELASTIC_PUSH_MSGS];
	int status[ELASTIC_PUSH_MSGS];
	int i, j, k, nmsg, ret;
	long moved = 0;
	bool full = false;

	elastic_layout_update(em);
	mmap_read_unlock(em->mm);
	elastic_layout_send(em, to);
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
	for (k = 0; k < nmsg; k++)
		stored[k] = elastic_push_wait(&pm[k], &status[k]);
	*locked = !mmap_read_lock_killable(em->mm);
	for (k = 0; k < nmsg; k++) {
		for (j = 0; j < pm[k].n; j++) {
			i = k * ELASTIC_WIRE_BATCH + j;
			if (j >= stored[k])
				ret = status[k];
			else if (!*locked)
				ret = -EINTR;
			else
				ret = elastic_push_commit_one(em, to, &it[i]);
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
 * A push in progress: the batch being filled (@n pages of @it, each
 * referenced), its member @dst (0: pick one), pages pushed so far (@done),
 * the members that refused for lack of room (@full), the last error
 * (@ret), and whether the mmap_lock is held (@locked: a batch drops it
 * while it travels).
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
	bool locked;
};

/*
 * Send the prepared pages to their member and account for the outcome; the
 * next batch picks its member afresh, a full one is not asked again.
 */
static void elastic_push_flush(struct elastic_mm *em, struct elastic_push_ctx *c)
{
	long ret = elastic_push_batch(em, c->dst, c->it, c->n, c->pm, &c->locked);

	if (ret > 0)
		c->done += ret;
	else if (ret == -ENOSPC)
		c->full |= BIT_ULL(c->dst);
	c->ret = ret;
	c->n = 0;
	c->dst = 0;
}

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

/* What elastic_push_add() says of the walk: go on, look the VMA up again, stop. */
enum elastic_push_next { ELASTIC_PUSH_GO, ELASTIC_PUSH_RELOOK, ELASTIC_PUSH_STOP };

/*
 * Add the page at @addr of @vma to the batch, sending the batch once full.
 * A batch sent dropped the mmap_lock for a while: @vma is stale then.
 * Stop when no member has room, the push is no longer wanted
 * (elastic_push_wanted()), or the mmap_lock could not be taken again.
 */
static enum elastic_push_next elastic_push_add(struct elastic_mm *em, struct elastic_push_ctx *c,
					       struct vm_area_struct *vma, unsigned long addr,
					       bool skip_young)
{
	struct elastic_push_item *it = c->it + c->n;

	if (!c->dst) {
		c->dst = c->to ? c->to : elastic_pick_member(em, c->last, c->full);
		if (!c->dst || (c->full & BIT_ULL(c->dst)))
			return ELASTIC_PUSH_STOP;
		c->last = c->dst;
	}
	if (elastic_push_prepare(vma, addr, &it->page, &it->snap, skip_young))
		return ELASTIC_PUSH_GO;
	if (elastic_slot_alloc(c->dst, &it->slot)) {
		put_page(it->page);
		return ELASTIC_PUSH_GO;
	}
	/* A prefetch that raced a zap of the slot's earlier page may have outlived it. */
	elastic_pf_forget(em, it->slot);
	it->addr = addr;
	if (++c->n < ELASTIC_PUSH_BATCH)
		return ELASTIC_PUSH_GO;
	elastic_push_flush(em, c);
	if (!c->locked || !elastic_push_wanted(em))
		return ELASTIC_PUSH_STOP;
	return ELASTIC_PUSH_RELOOK;
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
	enum elastic_push_next next = ELASTIC_PUSH_RELOOK;
	struct vm_area_struct *vma = NULL;
	unsigned long end;

	if (READ_ONCE(st->window) < ELASTIC_PF_MAX_WINDOW || !addr ||
	    at < addr + ELASTIC_BEHIND_GAP * PAGE_SIZE)
		return true;
	end = at - ELASTIC_BEHIND_GAP * PAGE_SIZE;
	while (addr < end && c->done + c->n < nr) {
		if (next == ELASTIC_PUSH_RELOOK) {
			vma = vma_lookup(em->mm, addr);
			if (!vma || !elastic_vma_elastic(vma))
				break;
			end = min(end, vma->vm_end);
		}
		next = elastic_push_add(em, c, vma, addr, false);
		addr += PAGE_SIZE;
		if (next == ELASTIC_PUSH_STOP)
			break;
	}
	/* The next push goes on from here, unless a new run started. */
	cmpxchg(&st->start, start, addr);
	return next != ELASTIC_PUSH_STOP;
}

static bool elastic_push_behind(struct elastic_mm *em, struct elastic_push_ctx *c, unsigned long nr)
{
	int i;

	for (i = 0; i < ELASTIC_STREAMS && c->done + c->n < nr; i++)
		if (!elastic_push_behind_run(em, em->streams + i, c, nr))
			return false;
	return true;
}

/*
 * One pass of the CLOCK hand, from the cursor round the address space,
 * looking at every page once at most.  False when the push must stop.
 */
static bool elastic_push_scan(struct elastic_mm *em, struct elastic_push_ctx *c,
			      unsigned long nr, bool skip_young)
{
	struct mm_struct *mm = em->mm;
	enum elastic_push_next next;
	struct vm_area_struct *vma;
	unsigned long addr = em->cursor, scanned = 0;
	bool wrapped = false;

	while (c->done + c->n < nr && scanned <= mm->total_vm) {
		vma = find_vma(mm, addr);
		if (!vma) {
			if (wrapped)
				break;
			wrapped = true;
			addr = 0;
			continue;
		}
		if (!elastic_vma_elastic(vma)) {
			addr = vma->vm_end;
			continue;
		}
		for (addr = max(addr, vma->vm_start); addr < vma->vm_end && c->done + c->n < nr;) {
			next = elastic_push_add(em, c, vma, addr, skip_young);
			addr += PAGE_SIZE;
			scanned++;
			if (next == ELASTIC_PUSH_STOP) {
				em->cursor = addr;
				return false;
			}
			if (next == ELASTIC_PUSH_RELOOK)
				break;
		}
		em->cursor = addr;
	}
	return true;
}

/* The pages [@addr, @addr + @nr pages) of one VMA, young or not. */
static void elastic_push_at(struct elastic_mm *em, struct elastic_push_ctx *c,
			    unsigned long addr, unsigned long nr)
{
	enum elastic_push_next next = ELASTIC_PUSH_RELOOK;
	unsigned long end = addr + nr * PAGE_SIZE;
	struct vm_area_struct *vma = NULL;

	for (; addr < end; addr += PAGE_SIZE) {
		if (next == ELASTIC_PUSH_RELOOK) {
			vma = vma_lookup(em->mm, addr);
			if (!vma || !elastic_vma_elastic(vma))
				return;
		}
		next = elastic_push_add(em, c, vma, addr, false);
		if (next == ELASTIC_PUSH_STOP)
			return;
	}
}

static long elastic_push_do(struct elastic_mm *em, u32 to, unsigned long addr,
			    unsigned long nr, bool cold_only);

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
 * is cleared) before it may leave.  Takes the mmap_lock for reading to
 * take pages and to commit them, never while they travel.
 *
 * Return: pages pushed, or -errno when none could be.
 */
long elastic_push_mm(struct elastic_mm *em, u32 to, unsigned long nr, bool cold_only)
{
	return elastic_push_do(em, to, 0, nr, cold_only);
}

/**
 * elastic_push_pages - push given pages of a stretched mm to a member
 * @em: its state
 * @to: the member
 * @addr: the first page's address
 * @nr: pages from @addr (the walk stops at the first address that is not
 *	private anonymous memory)
 *
 * For a member whose thread touches pages that the home holds: they go
 * there as any push does, accessed recently or not.
 *
 * Return: pages pushed, or -errno when none could be.
 */
long elastic_push_pages(struct elastic_mm *em, u32 to, unsigned long addr, unsigned long nr)
{
	return elastic_push_do(em, to, addr, nr, false);
}

/* elastic_push_mm(), or with @addr elastic_push_pages(). */
static long elastic_push_do(struct elastic_mm *em, u32 to, unsigned long addr,
			    unsigned long nr, bool cold_only)
{
	struct elastic_push_ctx c = { .to = to };
	struct mm_struct *mm = em->mm;
	bool worker = current->mm != mm;
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
	c.locked = true;
	if (mm->elastic != em) {
		c.ret = -EINVAL;	/* unstretched meanwhile */
		goto out_mm;
	}
	if (addr) {
		elastic_push_at(em, &c, addr, nr);
		goto stop;
	}
	if (!nr) {
		/* Threads that waited for another's push usually find it done. */
		nr = elastic_push_amount(get_mm_counter(mm, MM_ANONPAGES), READ_ONCE(em->limit),
					 elastic_pressure_deficit());
		if (!nr)
			goto out_mm;
	}
	if (!to && !elastic_push_behind(em, &c, nr))
		goto stop;
	/* The first pass ages accessed pages, the second may take them. */
	for (pass = cold_only ? 0 : 1; pass < 2 && c.done + c.n < nr; pass++)
		if (!elastic_push_scan(em, &c, nr, pass == 0))
			break;
stop:
	if (c.n && c.locked)
		elastic_push_flush(em, &c);
out_mm:
	if (c.locked)
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
