// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: what an operator does to stretched processes
 * (stretch, push, unstretch, caps), and what the module reports of them.
 *
 * Unstretch.  Pushes stop (the limit goes to 0 and a flag makes every push
 * give up), then the entries are found with the page-table walk of the
 * core (elastic_remap_entries()) and faulted in with
 * get_user_pages_remote() in runs of neighbours, so pulls and prefetch do
 * the work exactly as for the process's own faults.  When no entry is
 * left, mm->elastic is detached with every fault excluded
 * (elastic_mmap_write_lock_all()).  It is refused up front when the home
 * cannot hold the remote pages; a page whose owner is dead makes it fail
 * with EIO and leaves the process stretched.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elastic.h>
#include <linux/mm.h>
#include <linux/pid_namespace.h>
#include <linux/ptrace.h>
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

/**
 * elastic_mem_stretch - stretch process @pid over @nodes
 * @pid: process id in the caller's namespace
 * @nodes: bitmap of member ids its pages may go to
 * @limit: resident anonymous pages it may keep at home; 0: no limit
 * @bad: set to the node that made it fail with -ENOENT or -EHOSTUNREACH
 *
 * Stretching a stretched process changes its nodes and limit.  Every node
 * named must be a member, this node included (a home outside its own
 * cluster has no id there), and every other must be up: a push to a
 * member that never answers would wait for it.
 *
 * Return: 0, -ESRCH, -EPERM/-EACCES without ptrace rights, -EINVAL for a
 * kernel thread, -ENOENT when a node is not a member, -EHOSTUNREACH when
 * one is not up, -ENOMEM.
 */
int elastic_mem_stretch(u32 pid, u64 nodes, unsigned long limit, u32 *bad)
{
	u32 self = elastic_node_id();
	struct elastic_mm *em;
	struct mm_struct *mm;
	int i, ret = 0;

	for (i = 0; i < 64; i++) {
		if (!(nodes & BIT_ULL(i)))
			continue;
		*bad = i;
		if (!elastic_node_id_valid(i) || !elastic_node_known(i))
			return -ENOENT;
		if (i != self && !elastic_peer_up(i))
			return -EHOSTUNREACH;
	}
	if (self && !elastic_node_known(self)) {
		*bad = self;
		return -ENOENT;
	}
	mm = elastic_mm_of_pid(pid, PTRACE_MODE_ATTACH_REALCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (mmap_write_lock_killable(mm)) {
		ret = -EINTR;
		goto out;
	}
	em = mm->elastic;
	if (em) {
		em->nodes = nodes;
		em->limit = limit;
	} else {
		em = elastic_mm_alloc(mm, nodes, limit);
		if (em)
			mm->elastic = em;
		else
			ret = -ENOMEM;
	}
	mmap_write_unlock(mm);
out:
	mmput(mm);
	return ret;
}

/**
 * elastic_mem_push - push @nr pages of process @pid to member @to
 * @pid: a stretched process
 * @to: a member, or 0 for any of its nodes
 * @nr: pages
 *
 * Return: pages pushed, or -errno (-EINVAL when @pid is not stretched,
 * -ENOSPC when the members are full).
 */
long elastic_mem_push(u32 pid, u32 to, unsigned long nr)
{
	struct elastic_mm *em;
	struct mm_struct *mm;
	long ret;

	mm = elastic_mm_of_pid(pid, PTRACE_MODE_ATTACH_REALCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	em = elastic_mm_get(mm);
	ret = -EINVAL;
	if (to && elastic_member_draining(to))
		ret = -EBUSY;
	else if (em && (!to || to != elastic_node_id()))
		ret = elastic_push_mm(em, to, nr, false);
	if (em)
		elastic_mm_put(em);
	mmput(mm);
	return ret;
}

/* Where an unstretch collects the addresses of remote pages. */
struct elastic_collect {
	unsigned long *addr;
	int n;
	int max;
};

static swp_entry_t elastic_collect_one(struct mm_struct *mm, unsigned long addr,
				       swp_entry_t entry, void *arg)
{
	struct elastic_collect *c = arg;

	if (c->n < c->max)
		c->addr[c->n++] = addr;
	return entry;
}

#define ELASTIC_COLLECT_MAX	4096

/*
 * Fault in the pages at the @n ascending addresses (runs of neighbours at
 * a time, so sequential prefetch applies).  An address that is no longer
 * mapped is skipped.  Return: pages brought in, or -EINTR.
 */
static long elastic_fault_in(struct mm_struct *mm, const unsigned long *addr, int n)
{
	struct page *pages[32];
	int locked = 0, i = 0, run, got, j;
	long done = 0;

	while (i < n) {
		for (run = 1; i + run < n && run < ARRAY_SIZE(pages) &&
		     addr[i + run] == addr[i] + run * PAGE_SIZE; run++)
			;
		if (!locked) {
			if (mmap_read_lock_killable(mm))
				return -EINTR;
			locked = 1;
		}
		got = get_user_pages_remote(mm, addr[i], run, 0, pages, &locked);
		if (got <= 0) {
			i++;	/* unmapped meanwhile, or lost: counted by the caller */
			continue;
		}
		for (j = 0; j < got; j++)
			put_page(pages[j]);
		done += got;
		i += got;
		if (fatal_signal_pending(current))
			break;
	}
	if (locked)
		mmap_read_unlock(mm);
	return fatal_signal_pending(current) ? -EINTR : done;
}

/**
 * elastic_mem_unstretch - bring every page of process @pid home, end its stretch
 * @pid: a stretched process
 *
 * Pushes stop first; the pages are faulted in as the process would fault
 * them (pulls, with prefetch); then the elastic state is detached with
 * every fault excluded.  On failure the process stays stretched over its
 * nodes with its limit.
 *
 * Return: pages brought home, or -errno: -EINVAL (not stretched), -EBUSY
 * (an unstretch is under way), -ENOMEM (the home has no room for them),
 * -EIO (a page could not be pulled: its owner is dead), -EINTR.
 */
long elastic_mem_unstretch(u32 pid)
{
	struct elastic_collect c = { .max = ELASTIC_COLLECT_MAX };
	unsigned long limit = 0;
	struct elastic_mm *em;
	struct mm_struct *mm;
	long ret = 0, done = 0, got;

	mm = elastic_mm_of_pid(pid, PTRACE_MODE_ATTACH_REALCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	em = elastic_mm_get(mm);
	if (!em) {
		mmput(mm);
		return -EINVAL;
	}
	c.addr = kvmalloc_array(c.max, sizeof(*c.addr), GFP_KERNEL);
	if (!c.addr) {
		ret = -ENOMEM;
		goto out;
	}
	mutex_lock(&em->push_lock);
	if (em->unstretching) {
		mutex_unlock(&em->push_lock);
		ret = -EBUSY;
		goto out;
	}
	if (!elastic_home_has_room(elastic_mm_remote(em))) {
		mutex_unlock(&em->push_lock);
		ret = -ENOMEM;
		goto out;
	}
	/* No push from now on: a page that came home stays. */
	em->unstretching = true;
	limit = em->limit;
	WRITE_ONCE(em->limit, 0);
	mutex_unlock(&em->push_lock);

	while (elastic_mm_remote(em)) {
		c.n = 0;
		if (mmap_read_lock_killable(mm)) {
			ret = -EINTR;
			break;
		}
		elastic_remap_entries(mm, elastic_collect_one, &c);
		mmap_read_unlock(mm);
		got = c.n ? elastic_fault_in(mm, c.addr, c.n) : 0;
		if (got < 0) {
			ret = got;
			break;
		}
		/* Nothing came home: the pages left are lost (owner dead). */
		if (!got) {
			ret = -EIO;
			break;
		}
		done += got;
	}
	if (!ret) {
		ret = elastic_mmap_write_lock_all(mm);
		if (!ret) {
			if (mm->elastic != em || elastic_mm_remote(em)) {
				ret = -EAGAIN;	/* cannot be: no push ran */
			} else {
				mm->elastic = NULL;
				elastic_mm_put(em);	/* mm->elastic's reference */
			}
			mmap_write_unlock(mm);
		}
	}
	if (ret) {
		mutex_lock(&em->push_lock);
		WRITE_ONCE(em->limit, limit);
		em->unstretching = false;
		mutex_unlock(&em->push_lock);
	}
out:
	kvfree(c.addr);
	elastic_mm_put(em);
	mmput(mm);
	return ret ? ret : done;
}

/*
 * Resend function of a CAP request: @arg points to the target and the cap.
 */
static int elastic_cap_send(void *arg, u64 seq)
{
	u64 *a = arg;
	struct elastic_wire_cap w = { .max_pages = cpu_to_be64(a[1]) };

	return elastic_peer_send(a[0], ELASTIC_MSG_CAP, seq, &w, sizeof(w), NULL, 0);
}

/**
 * elastic_mem_set_cap - set the hosting cap of node @id
 * @id: this node, or a member (told with a CAP message, acknowledged)
 * @max_pages: pages it may host for others at most, 0 for no cap
 *
 * Return: 0, -ERANGE (cap too large), -ENOENT (no such member),
 * -EHOSTDOWN (the member is dead or does not answer).
 */
int elastic_mem_set_cap(u32 id, u64 max_pages)
{
	u64 arg[2] = { id, max_pages };
	struct elastic_req req;
	u64 seq;

	if (max_pages > ELASTIC_WIRE_CAP_MAX)
		return -ERANGE;
	if (id == elastic_node_id()) {
		WRITE_ONCE(elastic_mparams.max_hosted_pages, max_pages);
		return 0;
	}
	if (!elastic_node_id_valid(id) || !elastic_node_known(id))
		return -ENOENT;
	if (!elastic_peer_alive(id))
		return -EHOSTDOWN;
	elastic_req_add(&req, id, NULL, &seq);
	if (elastic_cap_send(arg, seq))
		atomic64_inc(&elastic_mstats.send_errors);
	return elastic_req_wait(&req, elastic_cap_send, arg);
}

/**
 * elastic_mem_proc - fill what /proc/PID/elastic shows of @mm
 * @mm: an address space, its users pinned by the caller
 * @info: filled
 */
void elastic_mem_proc(struct mm_struct *mm, struct elastic_proc_info *info)
{
	struct elastic_mm *em;
	int i;

	mmap_read_lock(mm);
	em = mm->elastic;
	info->stretched = em;
	if (em) {
		info->nodes = em->nodes;
		info->limit = em->limit;
		info->shadow_id = em->id;
		for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
			info->remote[i] = atomic_long_read(&em->remote[i]);
		info->faults = atomic64_read(&em->faults);
		info->pulls = atomic64_read(&em->pulls);
		info->pushes = atomic64_read(&em->pushes);
		info->bytes_in = atomic64_read(&em->bytes_in);
		info->bytes_out = atomic64_read(&em->bytes_out);
		info->coalesced = atomic64_read(&em->coalesced);
		info->prefetch_hits = atomic64_read(&em->pf_hits);
		info->mapped_ahead = atomic64_read(&em->ahead);
		info->pull_msgs = atomic64_read(&em->pull_msgs);
		info->push_msgs = atomic64_read(&em->push_msgs);
		for (i = 0; i < ELASTIC_LAT_BUCKETS; i++)
			info->lat_us[i] = atomic64_read(&em->lat_us[i]);
	}
	mmap_read_unlock(mm);
}

/*
 * The stretched state of process @nr (in the caller's pid namespace) for
 * a reader with ptrace read rights.  A dump (@skip) passes over processes
 * that are not stretched before any ptrace check, which costs more than a
 * look at the mm.
 */
static int elastic_process_read(u32 nr, struct elastic_proc_info *info, char *comm, bool skip)
{
	struct task_struct *task;
	struct mm_struct *mm;
	bool stretched = true;

	rcu_read_lock();
	task = get_pid_task(find_vpid(nr), PIDTYPE_TGID);
	rcu_read_unlock();
	if (!task)
		return -ESRCH;
	if (skip) {
		mm = get_task_mm(task);
		stretched = mm && READ_ONCE(mm->elastic);
		if (mm)
			mmput(mm);
	}
	__get_task_comm(comm, TASK_COMM_LEN, task);
	put_task_struct(task);
	if (!stretched)
		return -ENOENT;
	mm = elastic_mm_of_pid(nr, PTRACE_MODE_READ_FSCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	memset(info, 0, sizeof(*info));
	info->node_id = elastic_node_id();
	info->home_id = info->node_id;
	info->pages_local = percpu_counter_sum_positive(&mm->rss_stat[MM_ANONPAGES]);
	elastic_mem_proc(mm, info);
	mmput(mm);
	return info->stretched ? 0 : -ENOENT;
}

/**
 * elastic_mem_process - what process-get reports of process @pid
 * @pid: process id in the caller's pid namespace
 * @info: filled
 * @comm: filled with its name (TASK_COMM_LEN bytes)
 *
 * The caller needs ptrace read rights over it, as for /proc/PID/elastic.
 *
 * Return: 0, -ESRCH (no such process), -ENOENT (not stretched), -EACCES.
 */
int elastic_mem_process(u32 pid, struct elastic_proc_info *info, char *comm)
{
	return elastic_process_read(pid, info, comm, false);
}

/**
 * elastic_mem_process_next - the next stretched process the caller may read
 * @pid: where to look from, in the caller's pid namespace; set to its pid
 * @info: filled
 * @comm: filled with its name (TASK_COMM_LEN bytes)
 *
 * For a dump: processes in the order of their ids.
 *
 * Return: 0, or -ENOENT when there is none at or after @pid.
 */
int elastic_mem_process_next(u32 *pid, struct elastic_proc_info *info, char *comm)
{
	struct pid_namespace *ns = task_active_pid_ns(current);
	struct pid *p;
	u32 nr = *pid;
	int ret;

	for (;; nr++) {
		rcu_read_lock();
		p = find_ge_pid(nr, ns);
		if (p)
			nr = pid_nr_ns(p, ns);
		rcu_read_unlock();
		if (!p)
			return -ENOENT;
		ret = elastic_process_read(nr, info, comm, true);
		if (!ret) {
			*pid = nr;
			return 0;
		}
		if (fatal_signal_pending(current))
			return -ENOENT;
	}
}

/**
 * struct elastic_map_walk - a walk of where a process's pages are
 * @put:	the caller's, see elastic_mem_map()
 * @arg:	for @put
 * @self:	this node's id, for resident pages
 * @vma:	the mapping being walked
 * @started:	@put has seen @vma's start
 * @next:	where to go on from if @put can take no more: the start of the
 *		run not yet taken
 * @run_addr:	the run being gathered: its first address,
 * @run_nr:	its pages (0: none),
 * @run_node:	and the node that holds them
 */
struct elastic_map_walk {
	int (*put)(unsigned long start, unsigned long end, unsigned long addr,
		   unsigned long nr, u32 node, void *arg);
	void *arg;
	u32 self;
	struct vm_area_struct *vma;
	bool started;
	unsigned long next;
	unsigned long run_addr;
	unsigned long run_nr;
	u32 run_node;
};

/* Hand the gathered run over; non-zero when the caller can take no more. */
static int elastic_map_flush(struct elastic_map_walk *w)
{
	struct vm_area_struct *vma = w->vma;

	if (!w->run_nr)
		return 0;
	if (!w->started && w->put(vma->vm_start, vma->vm_end, 0, 0, 0, w->arg))
		return 1;
	w->started = true;
	if (w->put(vma->vm_start, vma->vm_end, w->run_addr, w->run_nr, w->run_node, w->arg))
		return 1;
	w->next = w->run_addr + w->run_nr * PAGE_SIZE;
	w->run_nr = 0;
	return 0;
}

static int elastic_map_page(unsigned long addr, unsigned long nr, unsigned int owner, void *arg)
{
	struct elastic_map_walk *w = arg;
	u32 node = owner ?: w->self;

	if (w->run_nr && node == w->run_node && addr == w->run_addr + w->run_nr * PAGE_SIZE) {
		w->run_nr += nr;
		return 0;
	}
	if (elastic_map_flush(w))
		return 1;
	w->run_addr = addr;
	w->run_nr = nr;
	w->run_node = node;
	return 0;
}

/**
 * elastic_mem_map - walk where the pages of process @pid are
 * @pid: process id in the caller's pid namespace; it need not be stretched
 * @from: where to start; set to where to go on from when @put stopped the
 *	walk, or to 0 after the last mapping
 * @put: called with each mapping that has pages here or remote, in
 *	address order (@nr 0), and then for each run of its pages held by one
 *	node (@nr pages from @addr, held by @node: this node's id for resident
 *	pages).  Under the page table lock: must not sleep.  Returns non-zero
 *	when it can take no more.
 * @arg: for @put
 *
 * Needs ptrace read rights over @pid, as /proc/PID/smaps does.
 *
 * Return: 0, or -ESRCH, -EACCES, -EINTR.
 */
int elastic_mem_map(u32 pid, unsigned long *from,
		    int (*put)(unsigned long start, unsigned long end, unsigned long addr,
			       unsigned long nr, u32 node, void *arg),
		    void *arg)
{
	struct elastic_map_walk w = { .put = put, .arg = arg, .self = elastic_node_id() };
	struct vm_area_struct *vma;
	struct mm_struct *mm;
	int ret = 0;

	mm = elastic_mm_of_pid(pid, PTRACE_MODE_READ_FSCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm);
	if (mmap_read_lock_killable(mm)) {
		mmput(mm);
		return -EINTR;
	}
	for (vma = find_vma(mm, *from); vma; vma = find_vma(mm, vma->vm_end)) {
		w.vma = vma;
		w.next = max(*from, vma->vm_start);
		w.run_nr = 0;
		w.started = false;
		if (elastic_walk_pages(mm, w.next, vma->vm_end, elastic_map_page, &w) ||
		    elastic_map_flush(&w)) {
			*from = w.next;
			goto out;
		}
	}
	*from = 0;
out:
	mmap_read_unlock(mm);
	mmput(mm);
	return ret;
}
