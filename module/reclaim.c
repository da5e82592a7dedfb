// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: local limits and memory pressure.
 *
 * Local limit.  ops->charge compares the mm's anonymous RSS with the
 * limit.  Within ELASTIC_BG_START pages of it, it wakes the process's
 * background pusher, which pushes the process down to ELASTIC_BG_LOW pages
 * under the limit while its threads go on faulting, as kswapd reclaims
 * ahead of direct reclaim.  Above the limit (plus a batch) it queues task
 * work for the faulting thread, which pushes on its way back to user
 * space, with no locks held.  A process over its limit with every member
 * full is killed once well over it, as a memory cgroup kills.
 *
 * Memory pressure.  A process pushes too when its home runs short (while
 * MemAvailable is under push_below_kb, pressure.c), in the same two steps:
 * the background pusher first, the faulting thread too once MemAvailable
 * is under half of push_below_kb.  Other processes' allocations never
 * fault in a stretched process: the memory watcher pushes from the
 * largest stretched process ten times a second, and the module's shrinker
 * queues the same push when the kernel's reclaim asks (it cannot push in
 * reclaim context).  A member short of memory asks the homes of what it
 * hosts to move some of it elsewhere (RELIEVE).
 *
 * Locking: elastic_throttles under elastic_throttles_lock (a spinlock,
 * taken in the fault path).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hashtable.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/shrinker.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/workqueue.h>

#include "internal.h"
#include "mem.h"
#include "member.h"
#include "transport.h"

/*
 * Pushes ahead of the local limit and of memory pressure
 * (elastic_bg_want()): their own workqueue, so that unload waits for a
 * worker that dropped the last reference to the module.
 */
static struct workqueue_struct *elastic_bg_wq;

/**
 * struct elastic_throttle - a thread's pending return through the limit
 * @node:	in elastic_throttles, keyed by @task
 * @task:	the thread that went over the limit
 * @em:		its address space's elastic state (a reference)
 * @work:	task work run on its way back to user space
 *
 * Every thread that faults its process over the local limit runs the
 * push itself on its way back to user space, before it can fault again:
 * one thread pushes (under @em's push_lock), the others wait for it there,
 * so N threads cannot outrun a single pusher into the kernel's OOM killer.
 * At most one per thread: the hash table tells whether it has one queued.
 * elastic_throttles is under elastic_throttles_lock.
 */
struct elastic_throttle {
	struct hlist_node node;
	struct task_struct *task;
	struct elastic_mm *em;
	struct callback_head work;
};

static DEFINE_HASHTABLE(elastic_throttles, 6);
static DEFINE_SPINLOCK(elastic_throttles_lock);

static void elastic_throttle_free(struct elastic_throttle *t)
{
	struct mm_struct *mm = t->em->mm;

	spin_lock(&elastic_throttles_lock);
	hash_del(&t->node);
	spin_unlock(&elastic_throttles_lock);
	elastic_mm_put(t->em);
	mmput_async(mm);
	kfree(t);
}

void elastic_bg_fn(struct work_struct *work)
{
	struct elastic_mm *em = container_of(work, struct elastic_mm, bg_work);
	struct mm_struct *mm = em->mm;
	unsigned long nr, rss = get_mm_counter(mm, MM_ANONPAGES);
	bool pressure;
	long ret;

	nr = elastic_bg_want(rss, READ_ONCE(em->limit), elastic_pressure_deficit(),
			     elastic_mm_full(em), &pressure);
	if (nr) {
		ret = elastic_push_auto(em, nr, pressure);
		if (ret > 0)
			atomic64_add(ret, &elastic_mstats.bg_pushes);
	}
	mmput_async(mm);
	elastic_mm_put(em);
}

/* From the fault path: wake the background pusher unless it is queued. */
static void elastic_bg_kick(struct elastic_mm *em)
{
	if (work_pending(&em->bg_work))
		return;
	mmget(em->mm);
	kref_get(&em->ref);
	if (queue_work(elastic_bg_wq, &em->bg_work))
		return;
	mmput_async(em->mm);
	elastic_mm_put(em);	/* never the last: mm->elastic holds one */
}

static void elastic_limit_work(struct callback_head *head)
{
	struct elastic_throttle *t = container_of(head, struct elastic_throttle, work);
	struct elastic_mm *em = t->em;
	struct mm_struct *mm = em->mm;
	unsigned long rss, limit = READ_ONCE(em->limit);
	bool full;
	long ret;

	if (current->mm == mm && !(current->flags & PF_EXITING)) {
		full = elastic_mm_full(em);
		if (!full) {
			rss = get_mm_counter(mm, MM_ANONPAGES);
			/* A batch beyond the excess, so as not to come back at once. */
			ret = elastic_push_auto(em, 0, !limit || rss <= limit);
			full = ret == -ENOSPC;
		}
		rss = get_mm_counter(mm, MM_ANONPAGES);
		/* Under pressure alone, the kernel's OOM killer decides. */
		if (limit && full && rss > elastic_kill_mark(limit)) {
			pr_err("pid %d (%s): %lu pages resident, local limit %lu, and no member has room: killed\n",
			       task_tgid_nr(current), current->comm, rss, limit);
			atomic64_inc(&elastic_mstats.oom_kills);
			send_sig(SIGKILL, current, 1);
		}
	}
	elastic_throttle_free(t);
}

void elastic_mem_charge(struct mm_struct *mm)
{
	struct elastic_mm *em = mm->elastic;
	struct elastic_throttle *t;
	unsigned long rss, limit, deficit;
	bool pressure;

	if (!em || current->mm != mm)
		return;
	limit = READ_ONCE(em->limit);
	rss = get_mm_counter(mm, MM_ANONPAGES);
	deficit = elastic_pressure_deficit();
	if (elastic_bg_want(rss, limit, deficit, elastic_mm_full(em), &pressure))
		elastic_bg_kick(em);
	if (limit && rss > limit + ELASTIC_PUSH_BATCH) {
		/* Members full: no task work per fault, only once it is time to kill. */
		if (elastic_mm_full(em) && rss <= elastic_kill_mark(limit))
			return;
	} else if (!elastic_pressure_severe(deficit) || elastic_mm_full(em)) {
		/*
		 * Under the limit, pressure the background pusher does not
		 * keep up with has the faulting thread push too.
		 */
		return;
	}
	spin_lock(&elastic_throttles_lock);
	hash_for_each_possible(elastic_throttles, t, node, (unsigned long)current)
		if (t->task == current) {
			spin_unlock(&elastic_throttles_lock);
			return;
		}
	/* In the fault path: no reclaim; the next fault tries again. */
	t = kmalloc(sizeof(*t), GFP_NOWAIT | __GFP_NOWARN);
	if (t) {
		t->task = current;
		t->em = em;
		hash_add(elastic_throttles, &t->node, (unsigned long)current);
	}
	spin_unlock(&elastic_throttles_lock);
	if (!t)
		return;
	mmget(mm);
	kref_get(&em->ref);
	init_task_work(&t->work, elastic_limit_work);
	if (task_work_add(current, &t->work, TWA_RESUME))
		elastic_throttle_free(t);	/* exiting: mm->elastic holds em */
}

/* Pages one shrinker-requested push moves at most (the rest next time). */
#define ELASTIC_SHRINK_MAX	4096

static struct shrinker *elastic_shrinker;
static atomic_long_t elastic_shrink_want = ATOMIC_LONG_INIT(0);

/*
 * Push from the stretched process with the most resident pages whose
 * members have room: @want pages, or what MemAvailable lacks under
 * push_below_kb, whichever is more.
 */
static void elastic_push_largest(unsigned long want)
{
	struct elastic_mm *pick;
	struct mm_struct *mm;

	want = min(max(want, elastic_pressure_deficit() + ELASTIC_PUSH_BATCH),
		   ELASTIC_SHRINK_MAX);
	pick = elastic_mm_largest();
	if (!pick)
		return;
	mm = pick->mm;
	elastic_push_auto(pick, want, true);
	/* In this order: a listed structure's mm is always there to read. */
	elastic_mm_put(pick);
	mmput(mm);
}

static void elastic_shrink_fn(struct work_struct *work)
{
	elastic_push_largest(atomic_long_xchg(&elastic_shrink_want, 0));
}

/*
 * This node hosts pages for others and is short of @deficit pages: ask
 * each home to move its share (plus a batch) to other members.  Once a
 * second per home at most: a drain round takes that long, and the request
 * is repeated while the shortage lasts.
 */
static void elastic_relieve(unsigned long deficit)
{
	/* Only the pressure work, which never runs twice at once, uses it. */
	static unsigned long last[ELASTIC_MAX_NODE_ID + 1];
	long total = atomic64_read(&elastic_mstats.hosted_pages), n;
	struct elastic_wire_relieve w;
	u64 want;
	u32 home;

	if (total <= 0)
		return;
	for (home = 1; home <= ELASTIC_MAX_NODE_ID; home++) {
		n = elastic_store_count(home);
		if (n <= 0 || (last[home] && time_before(jiffies, last[home] + HZ)))
			continue;
		want = min_t(u64, elastic_relieve_share(deficit, n, total), ELASTIC_WIRE_CAP_MAX);
		w.pages = cpu_to_be64(want);
		if (elastic_peer_send(home, ELASTIC_MSG_RELIEVE, elastic_next_seq(), &w,
				      sizeof(w), NULL, 0))
			continue;
		last[home] = jiffies;
		atomic64_inc(&elastic_mstats.relieve_requests);
	}
}

/**
 * elastic_pressure_tick_fn - what the memory watcher does, ten times a second
 *
 * Like kswapd ahead of direct reclaim: push before the kernel has to
 * reclaim (the shrinker only hears of pressure once it does, and a home
 * deep in reclaim can fall silent long enough to be declared dead).  Under
 * pressure, push from the largest stretched process, and ask the
 * homes of the pages this node hosts to take some away.
 *
 * Return: whether to go on watching (processes stretched or pages hosted).
 */
bool elastic_pressure_tick_fn(void)
{
	unsigned long deficit = elastic_pressure_deficit();

	if (deficit && elastic_mm_nstretched())
		elastic_push_largest(0);
	if (deficit && atomic64_read(&elastic_mstats.hosted_pages))
		elastic_relieve(deficit);
	return elastic_mm_nstretched() || atomic64_read(&elastic_mstats.hosted_pages);
}

static DECLARE_WORK(elastic_shrink_work, elastic_shrink_fn);

static unsigned long elastic_shrink_count(struct shrinker *shrinker,
					  struct shrink_control *sc)
{
	if (!READ_ONCE(elastic_mparams.push_below_kb) || !elastic_mm_nstretched())
		return 0;
	/* Reclaim may run under any lock: never waits for the list's here. */
	return elastic_mm_resident();
}

/*
 * A push sends on sockets and allocates, which reclaim context must not:
 * queue it, and tell reclaim that nothing was freed now.
 */
static unsigned long elastic_shrink_scan(struct shrinker *shrinker,
					 struct shrink_control *sc)
{
	atomic64_inc(&elastic_mstats.shrinker_scans);
	atomic_long_add(sc->nr_to_scan, &elastic_shrink_want);
	queue_work(system_unbound_wq, &elastic_shrink_work);
	return SHRINK_STOP;
}

/** elastic_reclaim_init - at load */
int elastic_reclaim_init(void)
{
	/* It frees memory: a rescuer thread keeps it going under pressure. */
	elastic_bg_wq = alloc_workqueue("elastic_bg", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!elastic_bg_wq)
		return -ENOMEM;
	elastic_shrinker = shrinker_alloc(0, "elastic");
	if (!elastic_shrinker) {
		destroy_workqueue(elastic_bg_wq);
		return -ENOMEM;
	}
	elastic_shrinker->count_objects = elastic_shrink_count;
	elastic_shrinker->scan_objects = elastic_shrink_scan;
	shrinker_register(elastic_shrinker);
	return 0;
}

/** elastic_reclaim_exit - at unload */
void elastic_reclaim_exit(void)
{
	shrinker_free(elastic_shrinker);
	cancel_work_sync(&elastic_shrink_work);
	destroy_workqueue(elastic_bg_wq);	/* waits for the last worker */
}
