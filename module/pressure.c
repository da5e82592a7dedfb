// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: memory pressure, as the memory layer measures it,
 * and the layer's settings and counters.
 *
 * The lowest file of the memory layer.  A node is under pressure while
 * MemAvailable is below push_below_kb: MemAvailable, not free pages,
 * because page cache that the kernel can drop is no reason to send
 * anonymous pages over the network.  The watcher looks at it ten times a
 * second while processes are stretched or pages are hosted, as kswapd
 * looks ahead of direct reclaim; what it does then (reclaim.c) is a
 * callback set at load.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "mem.h"

struct elastic_mem_params elastic_mparams;
struct elastic_mem_stats elastic_mstats;

/* What the watcher does each time; true to look again in a tenth of a second. */
static elastic_tick_t elastic_pressure_tick;
static struct delayed_work elastic_pressure_work;

/**
 * elastic_pressure_deficit - pages short of push_below_kb of MemAvailable
 *
 * Looked at once per jiffy at most: it is asked on every fault of a
 * stretched process.
 *
 * Return: the shortfall in pages, 0 when not under pressure.
 */
unsigned long elastic_pressure_deficit(void)
{
	static unsigned long deficit;
	static u64 checked;
	unsigned long below = READ_ONCE(elastic_mparams.push_below_kb) >> (PAGE_SHIFT - 10);
	u64 now = get_jiffies_64();
	long avail;

	if (!below)
		return 0;
	if (READ_ONCE(checked) == now)
		return READ_ONCE(deficit);
	avail = si_mem_available();
	WRITE_ONCE(deficit, elastic_deficit(avail, below));
	WRITE_ONCE(checked, now);
	return READ_ONCE(deficit);
}

/**
 * elastic_pressure_severe - is a shortfall more than half of push_below_kb?
 * @deficit: from elastic_pressure_deficit()
 *
 * Return: true when the background pusher is not keeping up.
 */
bool elastic_pressure_severe(unsigned long deficit)
{
	unsigned long below = READ_ONCE(elastic_mparams.push_below_kb) >> (PAGE_SHIFT - 10);

	return elastic_severe(deficit, below);
}

/**
 * elastic_home_has_room - can this node take @need more pages?
 * @need: pages
 *
 * What the kernel estimates available, less a sixteenth of RAM, so that
 * bringing pages home never starts reclaim.
 *
 * Return: true if so.
 */
bool elastic_home_has_room(unsigned long need)
{
	return need + totalram_pages() / 16 <= si_mem_available();
}

static void elastic_pressure_fn(struct work_struct *work)
{
	elastic_tick_t tick = READ_ONCE(elastic_pressure_tick);

	if (tick && tick())
		queue_delayed_work(system_unbound_wq, &elastic_pressure_work, HZ / 10);
}

/**
 * elastic_pressure_watch - watch memory from now on (a no-op while watching)
 *
 * Called when a process is stretched and when this node starts hosting
 * pages; the watcher stops by itself when its callback says so.
 */
void elastic_pressure_watch(void)
{
	queue_delayed_work(system_unbound_wq, &elastic_pressure_work, HZ / 10);
}

/**
 * elastic_pressure_init - set the defaults and what the watcher does
 * @tick: called ten times a second while watching; returns whether to go on
 */
void elastic_pressure_init(elastic_tick_t tick)
{
	/* A sixteenth of RAM, as unstretch keeps free. */
	elastic_mparams.push_below_kb = totalram_pages() / 16 << (PAGE_SHIFT - 10);
	elastic_mparams.orphan_keep_ms = 60000;
	INIT_DELAYED_WORK(&elastic_pressure_work, elastic_pressure_fn);
	elastic_pressure_tick = tick;
}

/** elastic_pressure_exit - stop watching */
void elastic_pressure_exit(void)
{
	WRITE_ONCE(elastic_pressure_tick, NULL);
	cancel_delayed_work_sync(&elastic_pressure_work);
}
