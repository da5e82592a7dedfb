// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the memory layer's decisions, as pure functions.
 *
 * How much to push and when, when to kill, how far to prefetch, how much
 * room a node has, what a slot's value in the owner map says, who has a
 * page a member claims: functions of their arguments only, with no module
 * state, so that the KUnit tests (policy_test.c) exercise exactly the
 * code the module runs.  The callers read the state and act.
 */
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/swap.h>
#include <linux/swapops.h>

#include "policy.h"

/**
 * elastic_deficit - pages short of the pressure line
 * @avail: MemAvailable, in pages
 * @below: push_below_kb, in pages; 0: never under pressure
 *
 * Return: how many pages MemAvailable lacks to reach @below, 0 when it
 * does not.
 */
unsigned long elastic_deficit(long avail, unsigned long below)
{
	return below && avail < (long)below ? below - avail : 0;
}

/**
 * elastic_severe - is a shortfall more than half of the pressure line?
 * @deficit: from elastic_deficit()
 * @below: push_below_kb, in pages
 *
 * Return: true when the background pusher is not keeping up: faulting
 * threads push too.
 */
bool elastic_severe(unsigned long deficit, unsigned long below)
{
	return deficit > below / 2;
}

/**
 * elastic_push_amount - pages a push decided by the module moves
 * @rss: the process's resident anonymous pages
 * @limit: its local limit, 0 for none
 * @deficit: the node's shortfall (elastic_deficit())
 *
 * Over the limit or under pressure, whichever asks more (a limit above
 * what the node has left is no licence to exhaust it), and a batch more,
 * so as not to come back at once.
 *
 * Return: pages, 0 when nothing needs to go.
 */
unsigned long elastic_push_amount(unsigned long rss, unsigned long limit, unsigned long deficit)
{
	unsigned long nr = 0;

	if (limit && rss > limit)
		nr = rss - limit + ELASTIC_PUSH_BATCH;
	if (deficit)
		nr = max(nr, deficit + ELASTIC_PUSH_BATCH);
	return nr;
}

/**
 * elastic_bg_want - pages the background pusher is due to push
 * @rss: the process's resident anonymous pages
 * @limit: its local limit, 0 for none
 * @deficit: the node's shortfall (elastic_deficit())
 * @full: every member refused lately: nothing to do
 * @pressure: set when the pressure, not the limit, asks most
 *
 * Down to ELASTIC_BG_LOW pages under the limit once within
 * ELASTIC_BG_START of it, or the shortfall and a batch, whichever is more.
 *
 * Return: pages, 0 for none.
 */
unsigned long elastic_bg_want(unsigned long rss, unsigned long limit, unsigned long deficit,
			      bool full, bool *pressure)
{
	unsigned long nr = 0;

	*pressure = false;
	if (full)
		return 0;
	if (limit > ELASTIC_BG_LOW && rss + ELASTIC_BG_START > limit)
		nr = rss + ELASTIC_BG_LOW - limit;
	if (deficit && deficit + ELASTIC_PUSH_BATCH > nr) {
		nr = deficit + ELASTIC_PUSH_BATCH;
		*pressure = true;
	}
	return nr;
}

/**
 * elastic_kill_mark - resident pages beyond which a process is killed
 * @limit: its local limit
 *
 * When every member is full: an eighth over the limit and four batches,
 * as a memory cgroup at its limit kills (pages never bounce between nodes
 * in search of room).
 *
 * Return: pages.
 */
unsigned long elastic_kill_mark(unsigned long limit)
{
	return limit + limit / 8 + 4 * ELASTIC_PUSH_BATCH;
}

/**
 * elastic_room - pages a node can still take for other nodes' processes
 * @avail: its MemAvailable, in pages
 * @below: its push_below_kb, in pages (below it, it refuses pages)
 * @cap: its hosting cap, 0 for none
 * @hosted: pages it hosts now
 * @evacuating: it is being emptied: it takes nothing
 *
 * Return: pages.
 */
u64 elastic_room(long avail, unsigned long below, u64 cap, u64 hosted, bool evacuating)
{
	u64 room;

	if (evacuating || avail <= (long)below)
		return 0;
	room = avail - below;
	if (cap)
		room = min(room, cap > hosted ? cap - hosted : 0);
	return room;
}

/**
 * elastic_relieve_share - pages one home is asked to move off a short node
 * @deficit: the node's shortfall, in pages
 * @n: pages it hosts for that home
 * @total: pages it hosts for every home
 *
 * Each home's share of the shortfall and a batch, in proportion to what
 * it has there, never more than it has.
 *
 * Return: pages.
 */
u64 elastic_relieve_share(unsigned long deficit, u64 n, u64 total)
{
	if (!total || !n)
		return 0;
	return min(n, DIV_ROUND_UP_ULL((u64)(deficit + ELASTIC_PUSH_BATCH) * n, total));
}

/**
 * elastic_window_next - a prefetch window after a fault
 * @window: the window of the run the fault belongs to (0: none yet)
 * @sequential: the fault is the page after the run's last one
 *
 * Return: the window doubled (from ELASTIC_PF_START, up to
 * ELASTIC_PF_MAX_WINDOW) while access stays sequential, else 0.
 */
unsigned int elastic_window_next(unsigned int window, bool sequential)
{
	if (!sequential)
		return 0;
	return clamp(window * 2, ELASTIC_PF_START, ELASTIC_PF_MAX_WINDOW);
}

/**
 * elastic_prefetch_due - is it time to ask for more pages ahead?
 * @ahead: pages asked for ahead of the fault
 * @ready: how many of those arrived already
 * @window: the run's window
 *
 * Like readahead's asynchronous marker: only once fewer than half a
 * window of pages are still in flight (pages that arrived are mapped
 * ahead of this fault and do not count); asking for every page that
 * entered the window would send a PULL per page again.
 *
 * Return: true to ask for a window more.
 */
bool elastic_prefetch_due(unsigned int ahead, unsigned int ready, unsigned int window)
{
	return ahead < window / 2 || ahead - min(ready, ahead) < window / 2;
}

/**
 * elastic_pte_owner - where the page whose PTE is @pte is
 * @pte: a PTE of a stretched process at its home
 * @self: the home's node id
 *
 * For a member's claim of a page that exists: the node an elastic entry
 * names, else the home itself (present, or in its own swap).
 *
 * Return: a node id.
 */
u32 elastic_pte_owner(pte_t pte, u32 self)
{
	swp_entry_t e;

	if (is_swap_pte(pte)) {
		e = pte_to_swp_entry(pte);
		if (is_elastic_entry(e))
			return elastic_entry_owner(e);
	}
	return self;
}
