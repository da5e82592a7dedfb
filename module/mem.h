/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the memory layer's files and what they share.
 *
 * Roles.  A process is stretched on its home node (where it runs).  When
 * the home pushes one of its pages to a member, the member keeps the page
 * in its hosted store and the home replaces the page table entry by an
 * elastic swap entry naming the member and a slot: a number the home
 * allocated, unique on the home, under which the member files the page.
 * A fault on that entry pulls the page back (PULL, PULL_REPLY); once it
 * is mapped again, or when the entry is zapped, the home tells the member
 * to FREE its copy.  Pulls do not free the owner's copy by themselves, so
 * a request may be repeated after a lost connection without losing data.
 *
 * Files, from the bottom up (each calls only files above it in this list
 * never; see docs/developer-guide.md for the lock order):
 *  - pressure.c	MemAvailable against push_below_kb; the periodic watcher
 *  - req.c		requests waiting for replies; the memory messages' senders
 *  - slots.c		the home's owner map, slots being pulled, FREE batching
 *  - store.c		the member's hosted store
 *  - shadow.c		members' shadows: the table, where hosted pages live
 *  - shadow_claim.c	a member's first touch of a page (CLAIM)
 *  - shadow_vm.c	a shadow's VMAs: layouts, the worker, faults
 *  - shadow_proc.c	/proc/elastic/shadows, the debugfs poke, loading
 *  - hosting.c		the member's side of the protocol (PUSH, PULL, FREE,
 *			MOVE, HANDOFF, LAYOUT, CAP), dead and restarted homes
 *  - mm.c		stretched processes: their state and its lifecycle
 *  - fault.c		faults on remote pages, prefetch, map-ahead
 *  - push.c		pushing pages out, the layout members need
 *  - reclaim.c		local limits, the background pusher, pressure, shrinker
 *  - drain.c		draining and evacuating members, relieving them
 *  - claim.c		the home's side of a member's first touch
 *  - process.c		stretch, push, unstretch, caps, what netlink reports
 *  - memory.c		load and unload of the layer: handlers, callbacks
 */
#ifndef _ELASTIC_MEM_H
#define _ELASTIC_MEM_H

#include <linux/completion.h>
#include <linux/jiffies.h>
#include <linux/kref.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <uapi/linux/elastic.h>

#include "internal.h"
#include "policy.h"
#include "wire.h"

struct elastic_conn;
struct elastic_proc_info;
struct vm_fault;

/**
 * struct elastic_mem_params - memory settings (sysctls)
 * @max_hosted_pages:	pages this node hosts for other nodes at most; 0
 *			for no cap.  Read with READ_ONCE().
 * @push_below_kb:	when MemAvailable falls below this (KiB), stretched
 *			processes push cold pages out even without a local
 *			limit; 0: never.  Read with READ_ONCE().
 * @orphan_keep_ms:	how long pages hosted for a home declared dead are
 *			kept in case it was only slow (at least one more
 *			detection period).  Read with READ_ONCE().
 */
struct elastic_mem_params {
	unsigned int max_hosted_pages;
	unsigned int push_below_kb;
	unsigned int orphan_keep_ms;
};

/**
 * struct elastic_mem_stats - memory counters of this node (stats-get)
 * @remote_pages:	pages of its processes that other nodes hold now
 * @hosted_pages:	pages it hosts for other nodes now
 * @hosted_in:		pages other nodes pushed to it
 * @frees:		slots of its processes whose remote copy was freed
 * @pull_failures:	pulls that ended in SIGBUS (owner dead or page lost)
 * @push_failures:	pushes to honour a local limit that moved nothing
 * @resends:		requests sent again for want of a reply
 * @stale_replies:	replies to requests that were no longer waiting
 * @send_errors:	messages that could not be sent (and were retried)
 * @drained:		pages moved off members by node-drain
 * @oom_kills:		processes killed over their local limit with every
 *			member full
 * @caps_set:		hosting caps this node received from other nodes
 * @evacuations:	requests of members being reclaimed to move this
 *			node's pages off them
 * @pressure_pushes:	pages pushed because this node ran short of memory
 *			(push_below_kb), not because of a local limit
 * @shrinker_scans:	times the kernel's reclaim asked the module's shrinker
 *			to free memory (each queues pushes)
 * @relieve_requests:	RELIEVE messages this node sent, short of memory
 *			while hosting pages for others
 * @relieved:		pages this node moved off members at their request
 * @handed_off:		pages this node handed to another member at their
 *			home's request (MOVE), for a drain or a relief
 * @handed_in:		pages other members handed to this node (HANDOFF)
 * @bg_pushes:		pages pushed ahead of a local limit by the background
 *			pusher, not by a faulting thread
 * @restarts:		members seen coming back as a new incarnation (HELLO);
 *			what this node hosted for them was dropped
 * @layouts:		LAYOUTs applied to this node's shadows (older ones
 *			are ignored)
 * @shadows:		shadow address spaces this node keeps now
 * @shadow_pages:	hosted pages mapped in a shadow now
 * @shadow_errors:	shadows or their ranges that could not be made, pages
 *			that could not be mapped for want of memory
 * @claims_granted:	first touches of this node's pages that it gave to
 *			the member that asked (CLAIM)
 * @claims_refused:	claims it refused: the page existed, or no such
 *			memory or process
 * @claims_pushed:	claimed pages this node held and pushed to the member
 *			that asked (a thread that runs there wants them)
 * @claimed:		pages this node created after its home granted them
 */
struct elastic_mem_stats {
	atomic64_t remote_pages;
	atomic64_t hosted_pages;
	atomic64_t hosted_in;
	atomic64_t frees;
	atomic64_t pull_failures;
	atomic64_t push_failures;
	atomic64_t resends;
	atomic64_t stale_replies;
	atomic64_t send_errors;
	atomic64_t drained;
	atomic64_t oom_kills;
	atomic64_t caps_set;
	atomic64_t evacuations;
	atomic64_t pressure_pushes;
	atomic64_t shrinker_scans;
	atomic64_t relieve_requests;
	atomic64_t relieved;
	atomic64_t handed_off;
	atomic64_t handed_in;
	atomic64_t bg_pushes;
	atomic64_t restarts;
	atomic64_t layouts;
	atomic64_t shadows;
	atomic64_t shadow_pages;
	atomic64_t shadow_errors;
	atomic64_t claims_granted;
	atomic64_t claims_refused;
	atomic64_t claims_pushed;
	atomic64_t claimed;
};

extern struct elastic_mem_params elastic_mparams;
extern struct elastic_mem_stats elastic_mstats;

/* ---- pressure.c ---- */

unsigned long elastic_pressure_deficit(void);
bool elastic_pressure_severe(unsigned long deficit);
bool elastic_home_has_room(unsigned long need);
void elastic_pressure_watch(void);
/* What the memory watcher does each time; true to look again shortly. */
typedef bool (*elastic_tick_t)(void);
void elastic_pressure_init(elastic_tick_t tick);
void elastic_pressure_exit(void);

/* ---- req.c ---- */

/**
 * struct elastic_req - a request waiting for its reply
 * @done:	completed by the receiver with @status (and @page filled)
 * @peer:	node the reply must come from
 * @peer2:	another node that may send it (a MOVE's source), or 0
 * @status:	0 or -errno from the reply
 * @page:	for a pull, where the page's contents go
 * @npages:	for a push, how many pages it carries
 * @stored:	for a push, how many of them the peer stored (the ack's count)
 * @claim:	a CLAIM: only a CLAIM_REPLY answers it
 * @notify:	its completion also wakes elastic_req_wq (a fault may wait
 *		for it without its lock, knowing only the slot)
 * @owner:	for a claim, the node that has the page (the reply's)
 * @slot:	for a granted claim, the page's slot
 * @seq:	the request's sequence number, its key in the request table
 * @node:	in the request table while a reply may complete it (under
 *		elastic_reqs_lock); unhashed otherwise
 */
struct elastic_req {
	struct completion done;
	u32 peer;
	u32 peer2;
	int status;
	struct page *page;
	unsigned int npages;
	unsigned int stored;
	bool claim;
	bool notify;
	u32 owner;
	u64 slot;
	u64 seq;
	struct hlist_node node;
};

extern struct wait_queue_head elastic_req_wq;

void elastic_req_init(struct elastic_req *req, u32 peer, struct page *page);
void elastic_req_insert(struct elastic_req *req, u64 seq);
void elastic_req_add(struct elastic_req *req, u32 peer, struct page *page, u64 *seq);
void elastic_req_remove(struct elastic_req *req);
int elastic_req_wait(struct elastic_req *req, int (*resend)(void *arg, u64 seq), void *arg);
struct elastic_req *elastic_req_lock_find(u64 seq);
void elastic_req_unlock(void);
void elastic_req_complete(struct elastic_req *req);
int elastic_send_slots_after(u32 to, u32 type, u64 seq, const void *pfx, size_t pfxlen,
			     const unsigned long *slots, unsigned int n,
			     const struct elastic_wire_place *pl, struct page * const *pages,
			     bool more);
int elastic_send_slots(u32 to, u32 type, u64 seq, const unsigned long *slots,
		       unsigned int n, const struct elastic_wire_place *pl,
		       struct page * const *pages, bool more);
int elastic_send_slots_nowait(u32 to, u32 type, u64 seq, const unsigned long *slots,
			      unsigned int n);
void elastic_ack(u32 to, u64 req_seq, int status, unsigned int stored);
void elastic_req_register(void);
void elastic_req_unregister(void);

/* ---- slots.c ---- */

int elastic_slot_alloc(unsigned int owner, u32 *slot);
void elastic_slot_put(unsigned long slot);
void elastic_slot_get(unsigned long slot);
int elastic_slot_owner_of(unsigned long slot);
bool elastic_slot_move(unsigned long slot, u32 from, u32 to);
long elastic_slot_held(u32 id);
int elastic_pulling_add(unsigned long slot, gfp_t gfp);
void elastic_pulling_del(unsigned long slot);
bool elastic_pulling_has(unsigned long slot);
void elastic_pulling_wait(unsigned long slot);
void elastic_pulling_wake(void);

/**
 * struct elastic_free_batch - FREEs for one node, sent ELASTIC_WIRE_BATCH
 * at a time
 * @to:		the node
 * @n:		slots collected
 * @slots:	the slots
 */
struct elastic_free_batch {
	u32 to;
	unsigned int n;
	unsigned long slots[ELASTIC_WIRE_BATCH];
};

void elastic_free_batch_add(struct elastic_free_batch *fb, unsigned long slot);
void elastic_free_batch_send(struct elastic_free_batch *fb);
void elastic_slots_flush(void);
int elastic_slots_collect(u32 from, unsigned long *slots, int max);
void elastic_slots_exit(void);

/* ---- store.c ---- */

extern bool elastic_evacuating;

int elastic_store_put(u32 home, u64 slot, const u8 *data, u64 tag, struct page **pagep);
int elastic_store_put_page(u32 home, u64 slot, struct page *page);
struct page *elastic_store_get(u32 home, u64 slot);
struct page *elastic_store_take(u32 home, u64 slot);
struct page *elastic_store_take_next(u32 home, unsigned long *slot);
void elastic_store_free(u32 home, struct page *page);
long elastic_store_count(u32 home);
u64 elastic_store_room(void);
bool elastic_store_has(u32 home, u64 slot);
void elastic_store_init(void);
void elastic_store_exit(void);

/* ---- mm.c ---- */

/**
 * struct elastic_stream - a sequential run of faults of one process
 * @last:	address of its latest fault, or of the last page mapped ahead
 *		of it: a fault at the next page continues the run
 * @at:		address of its latest fault
 * @start:	where it started, or where pushes behind it go on from
 *		(elastic_push_behind()); 0: none
 * @pf_end:	end of the pages asked for ahead of it
 * @window:	pages to prefetch at its next fault (0: not sequential yet)
 * @used:	the process's stream_clock at its latest fault
 *
 * Several are followed at once (ELASTIC_STREAMS), as readahead keeps a
 * state per open file: a process that walks two arrays, or an array and
 * its own bookkeeping, interleaves two runs, and one state would see
 * neither as sequential.  Hints, read and written without a lock: a
 * race costs a prefetch or a push decision, never a page.
 */
struct elastic_stream {
	unsigned long last;
	unsigned long at;
	unsigned long start;
	unsigned long pf_end;
	unsigned int window;
	unsigned long used;
};

#define ELASTIC_STREAMS		4

/**
 * struct elastic_mm - elastic state of one stretched address space
 * @mm:		the address space (mm->elastic points back here)
 * @nodes:	bitmap of member node ids its pages may go to
 * @limit:	resident anonymous pages allowed at home; 0: no limit
 * @remote:	pages of this mm held by each node (its entries, not slots)
 * @faults:	faults on its remote pages
 * @pulls:	pages pulled home
 * @pushes:	pages pushed out
 * @bytes_in:	page bytes received
 * @bytes_out:	page bytes sent
 * @coalesced:	faults that waited for another fault's pull of the page
 * @lat_us:	pull latency histogram, power-of-two buckets of microseconds
 * @push_lock:	serialises pushes of this mm
 * @pushers:	threads other than the process's own in elastic_push_mm(),
 *		waiting for @push_lock or pushing; each holds an mm_users
 *		reference (elastic_push_wanted())
 * @cursor:	where the next push scan starts (a CLOCK hand)
 * @list:	in the list of stretched processes, under its lock (mm.c)
 * @pf:		prefetched pages: slot -> struct elastic_pf, in flight or
 *		arrived, until a fault takes them or the slot is released
 * @npf:	entries in @pf
 * @streams:	sequential runs of faults being followed (struct elastic_stream)
 * @stream_clock: counts faults, to find the least recently used stream
 * @pf_hits:	pages served from @pf: by their fault, or mapped ahead
 * @ahead:	pages of @pf_hits mapped ahead of a fault (elastic_mem_ahead())
 * @pull_msgs:	PULLs sent for it, re-sent ones not counted
 * @push_msgs:	PUSHes sent for it, re-sent ones not counted
 * @ref:	one for mm->elastic, one for each push or queued limit task
 *		work that uses the structure without the mmap_lock
 * @unstretching: an unstretch is bringing the pages home (under @push_lock)
 * @full_at:	jiffies (| 1) when every member last refused a push for lack
 *		of room; 0 once one took pages again
 * @bg_work:	pushes ahead of the local limit (reclaim.c), queued with a
 *		reference to the structure and the mm
 * @id:		the process's number on this node (1..ELASTIC_WIRE_MM_MAX),
 *		which names its shadows on the members
 * @layout:	its private anonymous ranges as last sent (@nlayout of them,
 *		ELASTIC_WIRE_LAYOUT_MAX allocated), under @push_lock
 * @layout_next: where the next look at them is built, swapped with
 *		@layout on a change
 * @layout_buf:	the one allocation of both, made at the first push
 * @nlayout:	ranges in @layout
 * @layout_gen:	version of @layout, 0 before the first
 * @layout_sent: for each member, the connection (elastic_peer_conn()) on
 *		which it was sent @layout_gen, 0 if not; under @push_lock
 * @rcu:	freed after a grace period (elastic_mem_room())
 *
 * @remote counts this mm's entries by the owner they name; a drain
 * rewrites the entries and moves the counts.  mm->elastic is set under
 * the mmap_lock and cleared with every fault excluded
 * (elastic_mmap_write_lock_all()) or at the mm's end.
 */
struct elastic_mm {
	struct mm_struct *mm;
	u64 nodes;
	unsigned long limit;
	atomic_long_t remote[ELASTIC_MAX_NODE_ID + 1];
	atomic64_t faults;
	atomic64_t pulls;
	atomic64_t pushes;
	atomic64_t bytes_in;
	atomic64_t bytes_out;
	atomic64_t coalesced;
	atomic64_t lat_us[ELASTIC_LAT_BUCKETS];
	struct mutex push_lock;	/* see @push_lock above */
	atomic_t pushers;
	unsigned long cursor;
	struct list_head list;
	struct xarray pf;
	atomic_t npf;
	struct elastic_stream streams[ELASTIC_STREAMS];
	unsigned long stream_clock;
	atomic64_t pf_hits;
	atomic64_t ahead;
	atomic64_t pull_msgs;
	atomic64_t push_msgs;
	struct kref ref;
	bool unstretching;
	unsigned long full_at;
	struct work_struct bg_work;
	u32 id;
	struct elastic_range *layout;
	struct elastic_range *layout_next;
	struct elastic_range *layout_buf;
	unsigned int nlayout;
	u64 layout_gen;
	u32 layout_sent[ELASTIC_MAX_NODE_ID + 1];
	struct rcu_head rcu;
};

/**
 * struct elastic_pf - a page pulled ahead of its fault
 * @page:	where the reply's data goes (a charged folio's page)
 * @owner:	node asked
 * @slot:	the page's slot (the key in elastic_mm.pf)
 * @demand:	asked for by a fault, which waits for it without its lock
 * @asked:	when it was asked for (ktime ns)
 * @req:	completed by the receiver
 */
struct elastic_pf {
	struct page *page;
	u32 owner;
	unsigned long slot;
	bool demand;
	u64 asked;
	struct elastic_req req;
};

/* Every member refused lately: do not ask them for each page. */
static inline bool elastic_mm_full(struct elastic_mm *em)
{
	unsigned long full = READ_ONCE(em->full_at);

	return full && time_before(jiffies, full + HZ);
}

struct elastic_mm *elastic_mm_alloc(struct mm_struct *mm, u64 nodes, unsigned long limit);
struct elastic_mm *elastic_mm_get(struct mm_struct *mm);
void elastic_mm_put(struct elastic_mm *em);
struct elastic_mm *elastic_mm_by_id(u32 id);
struct elastic_mm *elastic_mm_largest(void);
unsigned long elastic_mm_resident(void);
int elastic_mm_collect(struct mm_struct **mms, int max);
unsigned long elastic_mm_remote(struct elastic_mm *em);
u64 elastic_layout_next_gen(void);
void elastic_pf_drop(struct elastic_mm *em, struct elastic_pf *pf);
void elastic_pf_forget(struct elastic_mm *em, unsigned long slot);
bool elastic_vma_claimable(struct vm_area_struct *vma);
bool elastic_vma_elastic(struct vm_area_struct *vma);
bool elastic_vma_shadowed(struct vm_area_struct *vma);
int elastic_mem_inherit(struct mm_struct *old, struct mm_struct *mm);
unsigned long elastic_mem_room(struct mm_struct *mm);
void elastic_mem_mm_exit(struct mm_struct *mm);
int elastic_mms_init(work_func_t bg_fn);
void elastic_mms_exit(void);

/* The module's own workqueue for work that sends and waits; unload waits for it. */
extern struct workqueue_struct *elastic_wq;

/* ---- fault.c ---- */

vm_fault_t elastic_mem_pull(struct vm_fault *vmf, swp_entry_t entry, struct folio **foliop);
void elastic_mem_pulled(struct mm_struct *mm, swp_entry_t entry, bool mapped);
struct folio *elastic_mem_ahead(struct mm_struct *mm, unsigned long addr, swp_entry_t entry);
void elastic_mem_release(struct mm_struct *mm, swp_entry_t entry);
void elastic_mem_dup(struct mm_struct *mm, swp_entry_t entry);

/* ---- push.c ---- */

long elastic_push_mm(struct elastic_mm *em, u32 to, unsigned long nr, bool cold_only);
long elastic_push_pages(struct elastic_mm *em, u32 to, unsigned long addr, unsigned long nr);
long elastic_push_auto(struct elastic_mm *em, unsigned long nr, bool pressure);

/* ---- reclaim.c ---- */

void elastic_mem_charge(struct mm_struct *mm);
void elastic_bg_fn(struct work_struct *work);
bool elastic_pressure_tick_fn(void);
int elastic_reclaim_init(void);
void elastic_reclaim_exit(void);

/* ---- drain.c ---- */

void elastic_drain_removed(u32 id);
void elastic_drain_init(void);
void elastic_drain_exit(void);

/* ---- hosting.c ---- */

void elastic_hosting_dead(u32 id);
void elastic_hosting_restarted(u32 id);
void elastic_hosting_init(void);
void elastic_hosting_exit(void);

/* ---- claim.c ---- */

void elastic_claim_init(void);
void elastic_claim_exit(void);

#endif /* _ELASTIC_MEM_H */
