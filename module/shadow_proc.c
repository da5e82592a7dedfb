// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: what the operator sees of the shadows
 * (/proc/elastic/shadows) and the debugfs poke that writes into one as a
 * thread running there would; loading and unloading of the shadow files.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/proc_fs.h>
#include <linux/sched/mm.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "internal.h"
#include "mem.h"
#include "node.h"
#include "shadow_priv.h"

static struct proc_dir_entry *elastic_proc_dir;

/*
 * /proc/elastic/shadows: each shadow, its layout and its pages, and how
 * many of those the shadow's page table really maps at their address
 * (looked up there, without faulting), a check on the whole mechanism.
 * The table is copied first (elastic_shadow_views()): the lookups wait
 * for the mmap_locks, which must never happen under elastic_shadows_lock.
 */
static int elastic_shadows_show(struct seq_file *m, void *v)
{
	struct elastic_shadow_view *views;
	struct elastic_shadow *s;
	unsigned long idx, n, ok;
	struct page *page, *got;
	unsigned int i, k, nv;

	views = elastic_shadow_views(&nv);
	if (!views && nv)
		return -ENOMEM;
	for (i = 0; i < nv; i++) {
		s = views[i].s;
		n = 0;
		ok = 0;
		mmap_read_lock(s->mm);
		xa_for_each(&s->pages, idx, page) {
			n++;
			if (get_user_pages_remote(s->mm, idx << PAGE_SHIFT, 1, FOLL_NOFAULT,
						  &got, NULL) == 1) {
				ok += got == page;
				put_page(got);
			}
		}
		mmap_read_unlock(s->mm);
		seq_printf(m, "shadow %u:%u gen %llu ranges %u pages %lu mapped %lu\n",
			   s->home, s->id, views[i].gen, views[i].nranges, n, ok);
		for (k = 0; k < views[i].nranges; k++)
			seq_printf(m, "range %llx-%llx %c%c%c\n", views[i].ranges[k].start,
				   views[i].ranges[k].end,
				   views[i].ranges[k].prot & PROT_READ ? 'r' : '-',
				   views[i].ranges[k].prot & PROT_WRITE ? 'w' : '-',
				   views[i].ranges[k].prot & PROT_EXEC ? 'x' : '-');
		kfree(views[i].ranges);
		elastic_shadow_put(s);
	}
	kfree(views);
	return 0;
}

static int elastic_shadows_open(struct inode *inode, struct file *file)
{
	return single_open(file, elastic_shadows_show, NULL);
}

/**
 * elastic_shadow_poke - store a u64 in a shadow, as a thread running there would
 * @home: the home of the process the shadow mirrors
 * @id: the shadow's id on that home
 * @addr: an address in it, 8-byte aligned
 * @val: the value
 *
 * The write faults as a thread's would (and claims a new page from the
 * home where the shadow has none): what jumped threads will do, for
 * tests and for the operator, through debugfs (debugfs.c).  Process
 * context; takes the shadow mm's mmap_lock, which the fault may drop
 * while its claim waits.
 *
 * Return: 0, -EINVAL (@addr out of range or unaligned), -ENOENT (no such
 * shadow), or the fault's error (-EFAULT, or what the claim met).
 */
int elastic_shadow_poke(u32 home, u32 id, u64 addr, u64 val)
{
	struct elastic_shadow *s;
	struct page *page;
	int ret, locked = 1;
	void *kaddr;
	long got;

	if (!elastic_node_id_valid(home) || !id || id > ELASTIC_WIRE_MM_MAX ||
	    addr % sizeof(val) || addr >= ELASTIC_WIRE_ADDR_END)
		return -EINVAL;
	s = elastic_shadow_get(home, id);
	if (!s)
		return -ENOENT;
	ret = -EFAULT;
	if (mmget_not_zero(s->mm)) {
		WRITE_ONCE(s->fault_err, 0);
		mmap_read_lock(s->mm);
		/* @locked: the fault may drop the lock while a claim waits. */
		got = get_user_pages_remote(s->mm, addr, 1, FOLL_WRITE, &page, &locked);
		if (locked)
			mmap_read_unlock(s->mm);
		if (got == 1) {
			kaddr = kmap_local_page(page);
			memcpy(kaddr + offset_in_page(addr), &val, sizeof(val));
			kunmap_local(kaddr);
			put_page(page);
			ret = 0;
		} else {
			ret = READ_ONCE(s->fault_err) ?: -EFAULT;
		}
		mmput(s->mm);
	}
	elastic_shadow_put(s);
	return ret;
}

static const struct proc_ops elastic_shadows_ops = {
	.proc_open	= elastic_shadows_open,
	.proc_read	= seq_read,
	.proc_lseek	= seq_lseek,
	.proc_release	= single_release,
};

int elastic_shadow_init(void)
{
	int ret = elastic_shadow_table_init();

	if (ret)
		return ret;
	elastic_proc_dir = proc_mkdir("elastic", NULL);
	if (!elastic_proc_dir ||
	    !proc_create("shadows", 0400, elastic_proc_dir, &elastic_shadows_ops)) {
		proc_remove(elastic_proc_dir);
		elastic_shadow_table_exit();
		return -ENOMEM;
	}
	elastic_shadow_claim_init();
	return 0;
}

void elastic_shadow_exit(void)
{
	elastic_shadow_claim_exit();
	proc_remove(elastic_proc_dir);
	elastic_shadow_table_exit();
}
