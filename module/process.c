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
 *
 * Stretching a stretched process changes its nodes and limit.
 *
 * Return: 0, -ESRCH, -EPERM/-EACCES without ptrace rights, -EINVAL for a
 * kernel thread, -ENOENT when a node is not a member, -ENOMEM.
 */
int elastic_mem_stretch(u32 pid, u64 nodes, unsigned long limit)
{
	struct elastic_mm *em;
	struct mm_struct *mm;
	int i, ret = 0;

	for (i = 0; i < 64; i++)
		if ((nodes & BIT_ULL(i)) &&
		    (!elastic_node_id_valid(i) || !elastic_node_known(i)))
			return -ENOENT;
	mm = elastic_mm_of_pid(pid);
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

	mm = elastic_mm_of_pid(pid);
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

	mm = elastic_mm_of_pid(pid);
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
