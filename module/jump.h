/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: threads that jump (jump.c), the execution layer
 * above memory.  Lower files reach it only through struct
 * elastic_thread_ops (shadow.h), which it registers at load.
 */
#ifndef _ELASTIC_JUMP_H
#define _ELASTIC_JUMP_H

#include <linux/types.h>

struct pt_regs;
struct seq_file;
struct sk_buff;

/**
 * struct elastic_jump_stats - counters of threads that jump
 * @jumps_out:		threads this node sent to another
 * @jumps_in:		threads that arrived here
 * @refused:		jumps refused (here or by the target), or states not loaded
 * @send_errors:	JUMP or JUMP_ACK messages that could not be sent
 * @stale_acks:		JUMP_ACKs for no thread that waits for one
 * @syscalls_home:	system calls that took a thread home
 * @faults_home:	faults that took a thread home
 * @resent:		JUMPs sent again for want of an answer
 * @dups:		JUMPs received again (answered, not run twice)
 */
struct elastic_jump_stats {
	atomic64_t jumps_out;
	atomic64_t jumps_in;
	atomic64_t refused;
	atomic64_t send_errors;
	atomic64_t stale_acks;
	atomic64_t syscalls_home;
	atomic64_t faults_home;
	atomic64_t resent;
	atomic64_t dups;
};

extern struct elastic_jump_stats elastic_jstats;

/**
 * struct elastic_hand_view - a thread as elastic_hand_decide() sees it
 * @self:	this node's id
 * @home:	the thread's home
 * @epoch:	the newest jump of it this node saw
 * @where:	where this node last knew it to run
 * @target:	where its last leave from here went
 * @unacked:	that leave is not answered yet
 * @jumps:	jumps of it this node saw
 * @has_in:	a state is waiting to be loaded here
 * @has_task:	it has a task here
 * @dead:	it is over here
 */
struct elastic_hand_view {
	u32 self;
	u32 home;
	u64 epoch;
	u32 where;
	u32 target;
	bool unacked;
	u64 jumps;
	bool has_in;
	bool has_task;
	bool dead;
};

int elastic_hand_decide(const struct elastic_hand_view *v, u32 src, u64 epoch, bool spawn);
int elastic_jump_force(pid_t pid, pid_t tid, u32 to);
void elastic_jump_show(struct seq_file *m, u32 id);
int elastic_jump_nl_fill(struct sk_buff *msg, u32 id);
bool elastic_jump_hook_syscall(struct pt_regs *regs, long nr);
bool elastic_jump_hook_bad_fault(struct pt_regs *regs, unsigned long error_code,
				 unsigned long address);
void elastic_jump_init(void);
void elastic_jump_exit(void);

#endif /* _ELASTIC_JUMP_H */
