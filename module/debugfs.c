// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: debugfs, for debugging aids that are no interface.
 *
 * /sys/kernel/debug/elastic/shadow_poke (0200): "HOME:ID ADDR VALUE" (ADDR
 * and VALUE in hex) stores the u64 VALUE at ADDR in the shadow that this
 * node keeps of process ID of node HOME, as a thread running there would
 * (elastic_shadow_poke()).  Malformed input fails with EINVAL and counts
 * in bad_input.
 *
 * /sys/kernel/debug/elastic/jump (0200): "PID TID NODE" moves thread TID of
 * stretched process PID (whose home is this node) to member NODE
 * (elastic_jump_force()), as the netlink operation process-jump does, for
 * a node without elasticctl.  Errors as that function's; malformed input
 * fails with EINVAL and counts in bad_input.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/threads.h>
#include <linux/uaccess.h>

#include "internal.h"
#include "jump.h"
#include "node.h"
#include "shadow.h"

static struct dentry *elastic_debugfs_dir;

/*
 * A written line into @buf (@size bytes), NUL-terminated.  Return 0,
 * -EFAULT, or -EINVAL (counted in bad_input) when it does not fit.
 */
static int elastic_debugfs_line(char *buf, size_t size, const char __user *ubuf, size_t len)
{
	if (len >= size) {
		elastic_count_bad_input();
		return -EINVAL;
	}
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	return 0;
}

static ssize_t elastic_shadow_poke_write(struct file *file, const char __user *ubuf,
					 size_t len, loff_t *ppos)
{
	unsigned long long addr, val;
	unsigned int home, id;
	char buf[64], end;
	int ret, n;

	ret = elastic_debugfs_line(buf, sizeof(buf), ubuf, len);
	if (ret)
		return ret;
	n = sscanf(buf, "%u:%u %llx %llx%c", &home, &id, &addr, &val, &end);
	if (n < 4 || (n == 5 && end != '\n'))
		goto bad;
	ret = elastic_shadow_poke(home, id, addr, val);
	if (ret == -EINVAL)
		goto bad;
	return ret ?: len;
bad:
	elastic_count_bad_input();
	return -EINVAL;
}

static const struct file_operations elastic_shadow_poke_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= elastic_shadow_poke_write,
	.llseek	= noop_llseek,
};

static ssize_t elastic_jump_write(struct file *file, const char __user *ubuf, size_t len,
				  loff_t *ppos)
{
	unsigned int pid, tid, node;
	char buf[64], end;
	int ret, n;

	ret = elastic_debugfs_line(buf, sizeof(buf), ubuf, len);
	if (ret)
		return ret;
	n = sscanf(buf, "%u %u %u%c", &pid, &tid, &node, &end);
	if (n < 3 || (n == 4 && end != '\n') || !pid || !tid || pid > PID_MAX_LIMIT ||
	    tid > PID_MAX_LIMIT)
		goto bad;
	ret = elastic_jump_force(pid, tid, node);
	return ret ?: len;
bad:
	elastic_count_bad_input();
	return -EINVAL;
}

static const struct file_operations elastic_jump_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.write	= elastic_jump_write,
	.llseek	= noop_llseek,
};

/** elastic_debugfs_init - at load; without debugfs, nothing (not an error) */
void elastic_debugfs_init(void)
{
	elastic_debugfs_dir = debugfs_create_dir("elastic", NULL);
	debugfs_create_file("shadow_poke", 0200, elastic_debugfs_dir, NULL,
			    &elastic_shadow_poke_fops);
	debugfs_create_file("jump", 0200, elastic_debugfs_dir, NULL, &elastic_jump_fops);
}

/** elastic_debugfs_exit - at unload */
void elastic_debugfs_exit(void)
{
	debugfs_remove_recursive(elastic_debugfs_dir);
}
