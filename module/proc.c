// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the content of /proc/PID/elastic.
 *
 * The core kernel opens the file (with the ptrace check) and calls
 * elastic_proc_show() with a reference on the process's address space.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "internal.h"
#include "jump.h"
#include "mem.h"
#include "node.h"

int elastic_proc_show(struct seq_file *m, struct mm_struct *mm)
{
	u32 id = elastic_node_id();
	struct elastic_proc_info *info;
	struct elastic_mm *em;

	/* Too big for the stack: a counter per node. */
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->node_id = id;
	/* Threads do not jump yet: a process's home is where it runs. */
	info->home_id = id;
	/* The exact sum: the per-CPU batches hide small counts. */
	info->pages_local = percpu_counter_sum_positive(&mm->rss_stat[MM_ANONPAGES]);
	elastic_mem_proc(mm, info);
	elastic_proc_format(m, info);
	kfree(info);
	em = elastic_mm_get(mm);
	if (em) {
		elastic_jump_show(m, em->id);
		elastic_mm_put(em);
	}
	return 0;
}
