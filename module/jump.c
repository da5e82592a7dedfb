// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: threads that jump (docs/jump-design.md, stage 1).
 *
 * A jump moves a thread's user state (registers, xstate, TLS bases, signal
 * mask, sigaltstack, rseq) to another node; its pages stay where they are.
 * A thread has one running incarnation and, on each node where it ran
 * before, a parked one: at the home its own task, on a member a task
 * running in that member's shadow of the process (shadow.c), started the
 * first time the thread arrives there and parked when it leaves.
 *
 * Leaving is always a task work of the leaving task, on its way back to
 * user mode with no lock held (task_pt_regs() is the whole user state):
 * it saves the state, sends JUMP, and parks in the same frame until the
 * thread comes back (a JUMP for it), the target refuses (JUMP_ACK with an
 * error: it resumes here as if nothing happened), or it is killed.
 * Arriving is a task work too: the state is loaded into the parked task,
 * or into a task started for it, which then returns to user mode.
 *
 * In this stage a thread leaves its home only when the operator moves it
 * (process-jump).  On a member it runs until it needs what only the home
 * has: any system call (rewound, to be made again at the home), a page
 * the member does not hold (the shadow's CLAIM says it is elsewhere), or
 * an address the shadow does not map (its file-backed text, its vDSO):
 * each brings it home, where the instruction runs again.
 *
 * Contexts: the table is used by the receivers (JUMP, JUMP_ACK), by the
 * netlink handler of a forced jump, by the threads' own task works and
 * syscall and fault hooks, and by the shadow's and members' callbacks.
 *
 * Locking: elastic_threads_lock (a spinlock) protects the table and each
 * thread's fields marked so; a thread is freed by its last reference.
 * Parked tasks wait on their thread's @wq for @in or @nack, set under
 * the lock.  No lock is held while sending or spawning.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/elastic.h>
#include <linux/hashtable.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/oom.h>
#include <linux/ptrace.h>
#include <linux/rseq.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/uidgid.h>
#include <net/netlink.h>
#include <uapi/linux/elastic.h>
#include <asm/unistd.h>

#include "internal.h"
#include "jump.h"
#include "mem.h"
#include "member.h"
#include "node.h"
#include "shadow.h"
#include "transport.h"
#include "wire_jump.h"

struct elastic_jump_stats elastic_jstats;

/**
 * struct elastic_jump_in - a thread's state received, for its task to load
 * @regs:	registers and signal state
 * @xlen:	bytes of @xstate
 * @arrived:	when it arrived (ktime ns), for the JUMP_ACK's delay
 * @seq:	the JUMP's sequence number
 * @from:	the node that sent it
 * @xstate:	the xstate, uabi layout
 */
struct elastic_jump_in {
	struct elastic_uregs regs;
	u32 xlen;
	u64 arrived;
	u64 seq;
	u32 from;
	u8 xstate[];
};

/**
 * struct elastic_thread - a thread of a stretched process, on this node
 * @node:	in elastic_threads, keyed by (@home, @mm, @tid)
 * @by_task:	in elastic_thread_tasks, keyed by @task, while it has one
 * @ref:	the table's, one per task work queued, one per user
 * @home:	the process's home
 * @mm:		the process's id there
 * @tid:	the thread's id there
 * @epoch:	jumps of the thread so far, the newest this node saw (lock)
 * @where:	at the home: the node it runs on (lock)
 * @target:	where the queued leave takes it (lock)
 * @leaving:	a leave is queued or under way (lock)
 * @task:	this node's incarnation, referenced (lock)
 * @in:		a state for @task to load (lock)
 * @nack:	the target refused the leave: resume here (lock)
 * @unacked:	a JUMP to @target is out and not answered: it is sent again
 *		until it is, and @target's death kills the thread (lock)
 * @dead:	the thread is over here: its task ends (lock)
 * @jumps:	jumps this node saw of it
 * @wq:		@task parks on it
 * @leave:	the leave task work
 * @arrive:	the arrive task work of a started task
 */
struct elastic_thread {
	struct hlist_node node;
	struct hlist_node by_task;
	struct kref ref;
	u32 home;
	u32 mm;
	u32 tid;
	u64 epoch;
	u32 where;
	u32 target;
	bool leaving;
	struct task_struct *task;
	struct elastic_jump_in *in;
	int nack;
	bool unacked;
	bool dead;
	u64 jumps;
	wait_queue_head_t wq;
	struct callback_head leave;
	struct callback_head arrive;
};

static DEFINE_SPINLOCK(elastic_threads_lock);
static DEFINE_HASHTABLE(elastic_threads, 6);
static DEFINE_HASHTABLE(elastic_thread_tasks, 6);

static u32 elastic_thread_key(u32 home, u32 mm, u32 tid)
{
	return (home << 26) ^ (mm << 16) ^ tid;
}

static void elastic_thread_release(struct kref *ref)
{
	struct elastic_thread *t = container_of(ref, struct elastic_thread, ref);

	kfree(t->in);
	if (t->task)
		put_task_struct(t->task);
	kfree(t);
	module_put(THIS_MODULE);
}

static void elastic_thread_put(struct elastic_thread *t)
{
	kref_put(&t->ref, elastic_thread_release);
}

/* Under elastic_threads_lock. */
static struct elastic_thread *elastic_thread_find(u32 home, u32 mm, u32 tid)
{
	struct elastic_thread *t;

	hash_for_each_possible(elastic_threads, t, node, elastic_thread_key(home, mm, tid))
		if (t->home == home && t->mm == mm && t->tid == tid)
			return t;
	return NULL;
}

/* The thread current runs, referenced, or NULL. */
static struct elastic_thread *elastic_thread_current(void)
{
	struct elastic_thread *t;

	spin_lock(&elastic_threads_lock);
	hash_for_each_possible(elastic_thread_tasks, t, by_task, (unsigned long)current)
		if (t->task == current) {
			kref_get(&t->ref);
			spin_unlock(&elastic_threads_lock);
			return t;
		}
	spin_unlock(&elastic_threads_lock);
	return NULL;
}

/*
 * A new thread in the table, with a reference for the caller besides the
 * table's; it pins the module while it exists (so rmmod says "in use"
 * while a thread is away or parked).
 */
static struct elastic_thread *elastic_thread_new(u32 home, u32 mm, u32 tid)
{
	struct elastic_thread *t, *old;

	if (!try_module_get(THIS_MODULE))
		return NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t) {
		module_put(THIS_MODULE);
		return NULL;
	}
	t->home = home;
	t->mm = mm;
	t->tid = tid;
	t->where = home;
	kref_init(&t->ref);
	init_waitqueue_head(&t->wq);
	INIT_HLIST_NODE(&t->by_task);
	spin_lock(&elastic_threads_lock);
	old = elastic_thread_find(home, mm, tid);
	if (old) {
		kref_get(&old->ref);
		spin_unlock(&elastic_threads_lock);
		kfree(t);
		module_put(THIS_MODULE);
		return old;
	}
	hash_add(elastic_threads, &t->node, elastic_thread_key(home, mm, tid));
	kref_get(&t->ref);
	spin_unlock(&elastic_threads_lock);
	return t;
}

/* Under elastic_threads_lock: @task is @t's incarnation here. */
static void elastic_thread_set_task(struct elastic_thread *t, struct task_struct *task)
{
	t->task = get_task_struct(task);
	hash_add(elastic_thread_tasks, &t->by_task, (unsigned long)task);
}

/*
 * Take @t out of the table (its task, if parked, wakes up to end); the
 * table's reference goes.
 */
static void elastic_thread_unlink(struct elastic_thread *t)
{
	bool linked;

	spin_lock(&elastic_threads_lock);
	linked = !hlist_unhashed(&t->node);
	if (linked) {
		hash_del(&t->node);
		INIT_HLIST_NODE(&t->node);
		if (!hlist_unhashed(&t->by_task)) {
			hash_del(&t->by_task);
			INIT_HLIST_NODE(&t->by_task);
		}
		t->dead = true;
	}
	spin_unlock(&elastic_threads_lock);
	wake_up(&t->wq);
	if (linked)
		elastic_thread_put(t);
}

/* What a JUMP to this node may carry. */
static void elastic_jump_limits_here(struct elastic_jump_limits *lim)
{
	lim->task_size = TASK_SIZE_MAX;
	lim->nr_syscalls = NR_syscalls;
	lim->xstate_len = elastic_xstate_size();
	lim->xfeatures = elastic_xstate_features();
	lim->mxcsr_mask = elastic_mxcsr_mask();
}

static void elastic_jump_ack(u32 to, u64 seq, int status, u64 epoch, u64 run_us)
{
	struct elastic_wire_jump_ack a;

	elastic_wire_put_jump_ack(&a, seq, status, epoch, run_us);
	if (elastic_peer_send(to, ELASTIC_MSG_JUMP_ACK, elastic_next_seq(), &a, sizeof(a),
			      NULL, 0))
		atomic64_inc(&elastic_jstats.send_errors);
}

/* Signal state of current, into @r. */
static void elastic_sigstate_save(struct elastic_uregs *r)
{
	r->blocked = current->blocked.sig[0];
	r->sas_ss_sp = current->sas_ss_sp;
	r->sas_ss_size = current->sas_ss_size;
	/* Only SS_AUTODISARM is state; the mode follows from sp and size. */
	r->sas_ss_flags = current->sas_ss_size ? current->sas_ss_flags & SS_FLAG_BITS : 0;
#ifdef CONFIG_RSEQ
	r->rseq = (unsigned long)current->rseq;
	r->rseq_len = current->rseq_len;
	r->rseq_sig = current->rseq_sig;
#endif
}

static void elastic_sigstate_load(const struct elastic_uregs *r)
{
	elastic_set_blocked(r->blocked);
	current->sas_ss_sp = r->sas_ss_sp;
	current->sas_ss_size = r->sas_ss_size;
	current->sas_ss_flags = r->sas_ss_size ? r->sas_ss_flags : SS_DISABLE;
#ifdef CONFIG_RSEQ
	current->rseq = (struct rseq __user *)(unsigned long)r->rseq;
	current->rseq_len = r->rseq_len;
	current->rseq_sig = r->rseq_sig;
	if (current->rseq)
		rseq_set_notify_resume(current);
#endif
}

static void elastic_uregs_from_core(struct elastic_uregs *r, const struct elastic_user_regs *u)
{
	memset(r, 0, sizeof(*r));
	r->gpr[ELASTIC_R15] = u->r15;
	r->gpr[ELASTIC_R14] = u->r14;
	r->gpr[ELASTIC_R13] = u->r13;
	r->gpr[ELASTIC_R12] = u->r12;
	r->gpr[ELASTIC_BP] = u->bp;
	r->gpr[ELASTIC_BX] = u->bx;
	r->gpr[ELASTIC_R11] = u->r11;
	r->gpr[ELASTIC_R10] = u->r10;
	r->gpr[ELASTIC_R9] = u->r9;
	r->gpr[ELASTIC_R8] = u->r8;
	r->gpr[ELASTIC_AX] = u->ax;
	r->gpr[ELASTIC_CX] = u->cx;
	r->gpr[ELASTIC_DX] = u->dx;
	r->gpr[ELASTIC_SI] = u->si;
	r->gpr[ELASTIC_DI] = u->di;
	r->gpr[ELASTIC_ORIG_AX] = -1;
	r->gpr[ELASTIC_IP] = u->ip;
	r->gpr[ELASTIC_FLAGS] = u->flags;
	r->gpr[ELASTIC_SP] = u->sp;
	r->fs_base = u->fs_base;
	r->gs_base = u->gs_base;
}

static void elastic_uregs_to_core(struct elastic_user_regs *u, const struct elastic_uregs *r)
{
	u->r15 = r->gpr[ELASTIC_R15];
	u->r14 = r->gpr[ELASTIC_R14];
	u->r13 = r->gpr[ELASTIC_R13];
	u->r12 = r->gpr[ELASTIC_R12];
	u->bp = r->gpr[ELASTIC_BP];
	u->bx = r->gpr[ELASTIC_BX];
	u->r11 = r->gpr[ELASTIC_R11];
	u->r10 = r->gpr[ELASTIC_R10];
	u->r9 = r->gpr[ELASTIC_R9];
	u->r8 = r->gpr[ELASTIC_R8];
	u->ax = r->gpr[ELASTIC_AX];
	u->cx = r->gpr[ELASTIC_CX];
	u->dx = r->gpr[ELASTIC_DX];
	u->si = r->gpr[ELASTIC_SI];
	u->di = r->gpr[ELASTIC_DI];
	u->ip = r->gpr[ELASTIC_IP];
	u->flags = r->gpr[ELASTIC_FLAGS];
	u->sp = r->gpr[ELASTIC_SP];
	u->fs_base = r->fs_base;
	u->gs_base = r->gs_base;
}

/*
 * Load a received state into current.  Return 0, or -EINVAL (current
 * unchanged).
 */
static int elastic_jump_load(const struct elastic_jump_in *in)
{
	struct elastic_user_regs u;
	int ret;

	elastic_uregs_to_core(&u, &in->regs);
	ret = elastic_uregs_load(&u, in->xstate, in->xlen);
	if (ret)
		return ret;
	elastic_sigstate_load(&in->regs);
	return 0;
}

static void elastic_leave_fn(struct callback_head *cb);

/*
 * Queue @t's leave to @to in @task (current, or a thread of a process at
 * its home: then with a signal-like notification, so that a thread in a
 * system call or asleep gets there too).  Return 0, -EBUSY when a leave is
 * under way, or -ESRCH when @task is exiting.
 */
static int elastic_leave_queue(struct elastic_thread *t, struct task_struct *task, u32 to,
			       enum task_work_notify_mode mode)
{
	spin_lock(&elastic_threads_lock);
	if (t->leaving || t->dead) {
		spin_unlock(&elastic_threads_lock);
		return -EBUSY;
	}
	t->leaving = true;
	t->target = to;
	t->nack = 0;
	spin_unlock(&elastic_threads_lock);
	kref_get(&t->ref);
	init_task_work(&t->leave, elastic_leave_fn);
	if (task_work_add(task, &t->leave, mode)) {
		spin_lock(&elastic_threads_lock);
		t->leaving = false;
		spin_unlock(&elastic_threads_lock);
		elastic_thread_put(t);
		return -ESRCH;
	}
	return 0;
}

/*
 * A JUMP unanswered this long is sent again: TCP lost it only if the link
 * dropped, and the target answers a JUMP it has seen before without
 * running it twice (elastic_thread_hand()).
 */
#define ELASTIC_JUMP_RESEND	HZ

/*
 * Park current, which sent @t away with the JUMP in @buf (@len bytes,
 * sequence @seq), until it comes back (0), the target refused (its error),
 * or it must end (-EINTR).  Loads the state that came back.
 */
static int elastic_park(struct elastic_thread *t, u32 to, u64 seq, const void *buf, size_t len)
{
	struct elastic_jump_in *in = NULL;
	bool unacked = true;
	int nack = 0;
	long left;

	for (;;) {
		left = wait_event_killable_timeout(t->wq, READ_ONCE(t->in) || READ_ONCE(t->nack) ||
						   READ_ONCE(t->dead) ||
						   fatal_signal_pending(current),
						   unacked ? ELASTIC_JUMP_RESEND :
						   MAX_SCHEDULE_TIMEOUT);
		spin_lock(&elastic_threads_lock);
		in = t->in;
		t->in = NULL;
		nack = t->nack;
		t->nack = 0;
		unacked = t->unacked;
		spin_unlock(&elastic_threads_lock);
		if (in || nack || READ_ONCE(t->dead) || fatal_signal_pending(current))
			break;
		if (!left && unacked) {
			atomic64_inc(&elastic_jstats.resent);
			if (elastic_peer_send(to, ELASTIC_MSG_JUMP, seq, buf, len, NULL, 0))
				atomic64_inc(&elastic_jstats.send_errors);
		}
	}
	if (nack) {
		kfree(in);
		return nack;
	}
	if (!in)
		return -EINTR;
	if (elastic_jump_load(in)) {
		/* Validated on receipt: only a core refusal gets here. */
		pr_warn_ratelimited("thread %u:%u:%u: state from node %u refused\n", t->home,
				    t->mm, t->tid, in->from);
		atomic64_inc(&elastic_jstats.refused);
		elastic_jump_ack(in->from, in->seq, -EINVAL, t->epoch, 0);
		kfree(in);
		return -EINTR;
	}
	elastic_jump_ack(in->from, in->seq, 0, t->epoch,
			 div_u64(ktime_get_ns() - in->arrived, NSEC_PER_USEC));
	kfree(in);
	return 0;
}

/* The thread is lost (a load failed, its home is gone): end the process. */
static void elastic_thread_kill(struct elastic_thread *t, const char *why)
{
	pr_warn_ratelimited("thread %u:%u:%u: %s: killed\n", t->home, t->mm, t->tid, why);
	force_sig(SIGKILL);
}

/*
 * The leave task work: save the state, send it, park until the thread
 * comes back or the target refuses.
 */
static void elastic_leave_fn(struct callback_head *cb)
{
	struct elastic_thread *t = container_of(cb, struct elastic_thread, leave);
	unsigned int xlen = elastic_xstate_size();
	struct elastic_user_regs u;
	struct elastic_jump j = {};
	bool home = t->home == elastic_node_id();
	size_t len;
	void *buf;
	u64 seq;
	int ret;
	u32 to;

	spin_lock(&elastic_threads_lock);
	to = t->target;
	spin_unlock(&elastic_threads_lock);
	ret = -EINTR;
	if (fatal_signal_pending(current) || READ_ONCE(t->dead))
		goto out;
	ret = -EAGAIN;
	if (task_sigpending(current))
		goto refused;	/* a signal to take first: here */
	len = elastic_wire_jump_len(xlen, 0);
	buf = kvzalloc(len + xlen, GFP_KERNEL);
	ret = -ENOMEM;
	if (!buf)
		goto refused;
	ret = elastic_uregs_save(&u, (u8 *)buf + len, xlen);
	if (ret) {
		kvfree(buf);
		goto refused;
	}
	elastic_uregs_from_core(&j.regs, &u);
	elastic_sigstate_save(&j.regs);
	j.home = t->home;
	j.mm = t->mm;
	j.tid = t->tid;
	j.reason = home ? ELASTIC_JUMP_FORCED : ELASTIC_JUMP_SYSCALL;
	j.xstate = (u8 *)buf + len;
	j.xstate_len = xlen;
	spin_lock(&elastic_threads_lock);
	j.epoch = ++t->epoch;
	t->unacked = true;
	spin_unlock(&elastic_threads_lock);
	elastic_wire_put_jump(buf, &j);
	seq = elastic_next_seq();
	ret = elastic_peer_send(to, ELASTIC_MSG_JUMP, seq, buf, len, NULL, 0);
	if (ret) {
		kvfree(buf);
		atomic64_inc(&elastic_jstats.send_errors);
		spin_lock(&elastic_threads_lock);
		t->unacked = false;
		spin_unlock(&elastic_threads_lock);
		if (!home) {
			elastic_thread_kill(t, "its home cannot be reached");
			goto out;
		}
		goto refused;
	}
	atomic64_inc(&elastic_jstats.jumps_out);
	spin_lock(&elastic_threads_lock);
	t->leaving = false;
	spin_unlock(&elastic_threads_lock);
	ret = elastic_park(t, to, seq, buf, len);
	kvfree(buf);
	if (ret == -EINTR) {
		if (!home && !fatal_signal_pending(current))
			force_sig(SIGKILL);	/* its shadow is gone */
		goto put;
	}
	if (ret) {
		/* Refused there: the thread goes on here, state untouched. */
		atomic64_inc(&elastic_jstats.refused);
		if (!home)
			elastic_thread_kill(t, "its home refused it");
	}
	goto put;
refused:
	atomic64_inc(&elastic_jstats.refused);
	pr_info_ratelimited("thread %u:%u:%u stays on node %u: %d\n", t->home, t->mm, t->tid,
			    elastic_node_id(), ret);
	if (!home)
		elastic_thread_kill(t, "it cannot go home");
out:
	spin_lock(&elastic_threads_lock);
	t->leaving = false;
	spin_unlock(&elastic_threads_lock);
put:
	elastic_thread_put(t);
}

/* The arrive task work of a task started for a thread: load and run. */
static void elastic_arrive_fn(struct callback_head *cb)
{
	struct elastic_thread *t = container_of(cb, struct elastic_thread, arrive);
	struct elastic_jump_in *in;
	int ret = -EINTR;

	spin_lock(&elastic_threads_lock);
	in = t->in;
	t->in = NULL;
	spin_unlock(&elastic_threads_lock);
	if (in) {
		ret = elastic_jump_load(in);
		elastic_jump_ack(in->from, in->seq, ret, t->epoch,
				 ret ? 0 : div_u64(ktime_get_ns() - in->arrived, NSEC_PER_USEC));
		kfree(in);
	}
	if (ret) {
		atomic64_inc(&elastic_jstats.refused);
		force_sig(SIGKILL);	/* never runs the zeroed registers */
	}
	elastic_thread_put(t);
}

/* Every signal's action the default one (a kernel thread ignores them all). */
static void elastic_signals_default(void)
{
	/* Only current replaces its own sighand (exec): stable here. */
	struct sighand_struct *sh = rcu_dereference_protected(current->sighand, true);
	struct k_sigaction *ka = sh->action;
	int i;

	spin_lock_irq(&sh->siglock);
	for (i = 0; i < _NSIG; i++, ka++) {
		ka->sa.sa_handler = SIG_DFL;
		ka->sa.sa_flags = 0;
		sigemptyset(&ka->sa.sa_mask);
	}
	spin_unlock_irq(&sh->siglock);
	flush_signals(current);
}

/*
 * A task started on a member for a thread that arrived: it takes the
 * process's shadow as its mm (the caller's, CLONE_VM), no capabilities and
 * no identity of this node's users, and never an OOM kill (its RSS is the
 * hosted pages, which caps, RELIEVE and drain manage); then it loads the
 * state on its way to user mode.
 */
static int elastic_incarnation_main(void *arg)
{
	struct elastic_thread *t = arg;
	char comm[TASK_COMM_LEN];
	struct cred *cred;

	cred = prepare_creds();
	if (cred) {
		kuid_t uid = make_kuid(&init_user_ns, overflowuid);
		kgid_t gid = make_kgid(&init_user_ns, overflowgid);

		cred->uid = uid;
		cred->euid = uid;
		cred->suid = uid;
		cred->fsuid = uid;
		cred->gid = gid;
		cred->egid = gid;
		cred->sgid = gid;
		cred->fsgid = gid;
		cap_clear(cred->cap_inheritable);
		cap_clear(cred->cap_permitted);
		cap_clear(cred->cap_effective);
		cap_clear(cred->cap_bset);
		cap_clear(cred->cap_ambient);
		commit_creds(cred);
	} else {
		force_sig(SIGKILL);
	}
	task_set_no_new_privs(current);
	/* Started by a receiver thread: none of its ways are a user task's. */
	current->flags &= ~PF_MEMALLOC;
	elastic_signals_default();
	current->signal->oom_score_adj = OOM_SCORE_ADJ_MIN;
	snprintf(comm, sizeof(comm), "jump/%u:%u", t->home, t->tid);
	elastic_set_comm(comm);
	spin_lock(&elastic_threads_lock);
	elastic_thread_set_task(t, current);
	spin_unlock(&elastic_threads_lock);
	set_syscall_work(SYSCALL_ELASTIC);
	init_task_work(&t->arrive, elastic_arrive_fn);
	if (task_work_add(current, &t->arrive, TWA_RESUME)) {
		force_sig(SIGKILL);
		elastic_thread_put(t);
	}
	return 0;
}

/* A received JUMP's state, copied for the task that loads it. */
static struct elastic_jump_in *elastic_jump_in_new(const struct elastic_jump *j, u32 from,
						   u64 seq)
{
	struct elastic_jump_in *in = kmalloc(struct_size(in, xstate, j->xstate_len), GFP_KERNEL);

	if (!in)
		return NULL;
	in->regs = j->regs;
	in->xlen = j->xstate_len;
	in->arrived = ktime_get_ns();
	in->seq = seq;
	in->from = from;
	memcpy(in->xstate, j->xstate, j->xstate_len);
	return in;
}

/*
 * Hand @in, sent by @src, to @t: to its parked task (0), or to a task the
 * caller starts for it (1, with @spawn); or not, as elastic_hand_decide()
 * says.
 */
static int elastic_thread_hand(struct elastic_thread *t, u32 src, u64 epoch,
			       struct elastic_jump_in *in, bool spawn)
{
	struct elastic_hand_view v;
	int ret;

	spin_lock(&elastic_threads_lock);
	v = (struct elastic_hand_view) {
		.self = elastic_node_id(), .home = t->home, .epoch = t->epoch,
		.where = t->where, .target = t->target, .unacked = t->unacked,
		.jumps = t->jumps, .has_in = !!t->in, .has_task = !!t->task,
		.dead = t->dead,
	};
	ret = elastic_hand_decide(&v, src, epoch, spawn);
	if (ret >= 0) {
		/* A thread back from @src proves that it ran there. */
		t->unacked = false;
		t->epoch = epoch;
		t->in = in;
		t->where = v.self;
		t->jumps++;
	}
	spin_unlock(&elastic_threads_lock);
	if (!ret)
		wake_up(&t->wq);
	return ret;
}

/* A thread of a process whose home is @src arrives on this member. */
static int elastic_jump_to_member(u32 src, u64 seq, const struct elastic_jump *j)
{
	struct elastic_jump_in *in;
	struct elastic_thread *t;
	struct mm_struct *mm;
	pid_t pid;
	int ret;

	if (src != j->home)
		return -ESRCH;	/* only its home sends a thread here, in this stage */
	mm = elastic_shadow_mm_get(j->home, j->mm);
	if (!mm)
		return -ESRCH;
	ret = -ENOMEM;
	in = elastic_jump_in_new(j, src, seq);
	if (!in)
		goto out_mm;
	t = elastic_thread_new(j->home, j->mm, j->tid);
	if (!t) {
		kfree(in);
		goto out_mm;
	}
	ret = elastic_thread_hand(t, src, j->epoch, in, true);
	if (ret != 1) {
		if (ret)
			kfree(in);
		goto out_t;
	}
	/* First time here: a task in the shadow loads it. */
	kref_get(&t->ref);	/* the new task's */
	kthread_use_mm(mm);
	pid = elastic_spawn_user_thread(elastic_incarnation_main, t, CLONE_PARENT | SIGCHLD);
	kthread_unuse_mm(mm);
	ret = 0;
	if (pid < 0) {
		elastic_thread_put(t);
		elastic_thread_unlink(t);
		ret = -ENOMEM;
	}
out_t:
	elastic_thread_put(t);
out_mm:
	mmput(mm);
	return ret;
}

/* A thread of this node's process comes back from member @src. */
static int elastic_jump_home(u32 src, u64 seq, const struct elastic_jump *j)
{
	struct elastic_jump_in *in;
	struct elastic_thread *t;
	int ret;

	spin_lock(&elastic_threads_lock);
	t = elastic_thread_find(j->home, j->mm, j->tid);
	if (t)
		kref_get(&t->ref);
	spin_unlock(&elastic_threads_lock);
	if (!t)
		return -ESRCH;
	ret = -ENOMEM;
	in = elastic_jump_in_new(j, src, seq);
	if (!in)
		goto out;
	ret = elastic_thread_hand(t, src, j->epoch, in, false);
	if (ret)
		kfree(in);
out:
	elastic_thread_put(t);
	return ret;
}

/* JUMP: a thread arrives (receiver thread; may sleep, never waits for a node). */
static int elastic_rx_jump(struct elastic_conn *c, const struct elastic_wire_msg *m,
			   const u8 *payload)
{
	struct elastic_jump_limits lim;
	u32 src = elastic_rx_src(c);
	struct elastic_jump j;
	int ret;

	elastic_jump_limits_here(&lim);
	memset(&j, 0, sizeof(j));
	ret = elastic_wire_parse_jump(payload, m->len, &lim, &j);
	if (ret == -EPROTO && j.epoch) {
		/*
		 * A state this node will not load: a bad frame (the link
		 * closes), but its sender hears so and resumes the thread.
		 */
		pr_warn_ratelimited("node %u: thread %u:%u:%u refused: bad state\n", src, j.home,
				    j.mm, j.tid);
		atomic64_inc(&elastic_jstats.refused);
		elastic_jump_ack(src, m->seq, -EINVAL, j.epoch, 0);
	}
	if (ret)
		return ret;
	if (j.home == elastic_node_id())
		ret = elastic_jump_home(src, m->seq, &j);
	else
		ret = elastic_jump_to_member(src, m->seq, &j);
	switch (ret) {
	case 0:
		atomic64_inc(&elastic_jstats.jumps_in);
		break;
	case -EALREADY:
		atomic64_inc(&elastic_jstats.dups);
		elastic_jump_ack(src, m->seq, 0, j.epoch, 0);
		break;
	case -EINPROGRESS:
		atomic64_inc(&elastic_jstats.dups);
		break;
	default:
		atomic64_inc(&elastic_jstats.refused);
		elastic_jump_ack(src, m->seq, ret, j.epoch, 0);
	}
	return 0;
}

/*
 * JUMP_ACK: the target runs the thread (the home notes where), or refused
 * it (its sender resumes it).  From any node but the one the thread was
 * sent to it is stale.
 */
static int elastic_rx_jump_ack(struct elastic_conn *c, const struct elastic_wire_msg *m,
			       const u8 *payload)
{
	u32 src = elastic_rx_src(c);
	struct elastic_thread *t;
	u64 seq, epoch, run_us;
	int status, bkt, ret;
	bool found = false;

	ret = elastic_wire_parse_jump_ack(payload, m->len, &seq, &status, &epoch, &run_us);
	if (ret)
		return ret;
	spin_lock(&elastic_threads_lock);
	hash_for_each(elastic_threads, bkt, t, node) {
		if (t->epoch != epoch || t->target != src || !t->task)
			continue;
		found = true;
		t->unacked = false;
		if (status) {
			t->nack = status;
		} else if (t->home == elastic_node_id()) {
			t->where = src;
			t->jumps++;
		}
		break;
	}
	spin_unlock(&elastic_threads_lock);
	if (!found) {
		atomic64_inc(&elastic_jstats.stale_acks);
		return 0;
	}
	if (status)
		wake_up_all(&t->wq);
	return 0;
}

static const struct elastic_msg_handler elastic_jump_handler = {
	.rx = elastic_rx_jump,
};

static const struct elastic_msg_handler elastic_jump_ack_handler = {
	.rx = elastic_rx_jump_ack,
};

/* The task of @nr in current's pid namespace, referenced, or NULL. */
static struct task_struct *elastic_task_by_vpid(pid_t nr)
{
	struct pid *p = find_get_pid(nr);
	struct task_struct *task = get_pid_task(p, PIDTYPE_PID);

	put_pid(p);
	return task;
}

/**
 * elastic_jump_force - move a thread of a stretched process to a member
 * @pid: the process, at this (its home) node
 * @tid: the thread
 * @to: the member
 *
 * The thread leaves on its way back to user mode (a system call it is in
 * is interrupted and made again where it arrives); where it runs shows in
 * /proc/PID/elastic.
 *
 * Return: 0 (queued), -ESRCH (no such thread, or not a thread of @pid),
 * -EINVAL (@to is not a member that is up, or is this node), -ENOENT (the
 * process is not stretched), -EBUSY (it is away or leaving already).
 */
int elastic_jump_force(pid_t pid, pid_t tid, u32 to)
{
	struct elastic_thread *t;
	struct task_struct *task;
	struct elastic_mm *em;
	struct mm_struct *mm;
	int ret;

	if (to == elastic_node_id() || !elastic_node_id_valid(to) || !elastic_peer_up(to))
		return -EINVAL;
	/* The caller may move the thread as it may ptrace it. */
	mm = elastic_mm_of_pid(tid, PTRACE_MODE_ATTACH_REALCREDS);
	if (IS_ERR(mm))
		return PTR_ERR(mm) == -EINVAL ? -ESRCH : PTR_ERR(mm);
	task = elastic_task_by_vpid(tid);
	ret = -ESRCH;
	if (!task || task_tgid_vnr(task) != pid || task->mm != mm || (task->flags & PF_EXITING))
		goto out_mm;
	ret = -ENOENT;
	em = elastic_mm_get(mm);
	if (!em)
		goto out_mm;
	ret = -ENOMEM;
	/* Known by its global id: the same on every node, whatever namespace asked. */
	t = elastic_thread_new(elastic_node_id(), em->id, task_pid_nr(task));
	elastic_mm_put(em);
	if (!t)
		goto out_mm;
	spin_lock(&elastic_threads_lock);
	if (t->task && t->task != task && (t->task->flags & PF_EXITING) && !t->leaving &&
	    t->where == elastic_node_id()) {
		/* An earlier thread of that id is gone: its place is the new one's. */
		hash_del(&t->by_task);
		INIT_HLIST_NODE(&t->by_task);
		put_task_struct(t->task);
		t->task = NULL;
	}
	if (!t->task)
		elastic_thread_set_task(t, task);
	ret = t->where != elastic_node_id() || t->task != task ? -EBUSY : 0;
	spin_unlock(&elastic_threads_lock);
	if (!ret)
		ret = elastic_leave_queue(t, task, to, TWA_SIGNAL);
	elastic_thread_put(t);
out_mm:
	if (task)
		put_task_struct(task);
	mmput(mm);
	return ret;
}

/**
 * elastic_jump_nl_fill - the threads of process @id that jumped, as netlink nests
 * @msg: a process-get reply
 * @id: the process's id at this node
 *
 * Return: 0, or -EMSGSIZE.
 */
int elastic_jump_nl_fill(struct sk_buff *msg, u32 id)
{
	struct elastic_thread *t;
	struct nlattr *nest;
	int bkt, ret = 0;

	spin_lock(&elastic_threads_lock);
	hash_for_each(elastic_threads, bkt, t, node) {
		if (t->home != elastic_node_id() || t->mm != id || !t->task)
			continue;
		nest = nla_nest_start(msg, ELASTIC_A_PROCESS_THREAD);
		if (!nest ||
		    nla_put_u32(msg, ELASTIC_A_THREAD_TID, task_pid_vnr(t->task)) ||
		    nla_put_u32(msg, ELASTIC_A_THREAD_NODE, t->where) ||
		    nla_put_u64_64bit(msg, ELASTIC_A_THREAD_JUMPS, t->jumps,
				      ELASTIC_A_THREAD_PAD)) {
			if (nest)
				nla_nest_cancel(msg, nest);
			ret = -EMSGSIZE;
			break;
		}
		nla_nest_end(msg, nest);
	}
	spin_unlock(&elastic_threads_lock);
	return ret;
}

/* Syscall hook: a thread on a member makes every call at its home, for now. */
static bool elastic_jump_syscall(struct pt_regs *regs, long nr)
{
	struct elastic_thread *t = elastic_thread_current();

	if (!t)
		return false;
	/* Made again at the home: the syscall instruction, with its number. */
	regs->ax = nr;
	regs->ip -= 2;
	atomic64_inc(&elastic_jstats.syscalls_home);
	if (elastic_leave_queue(t, current, t->home, TWA_RESUME))
		force_sig(SIGKILL);
	elastic_thread_put(t);
	return true;
}

/* Go home to touch what this member cannot map; the home decides. */
static bool elastic_jump_go_home(void)
{
	struct elastic_thread *t = elastic_thread_current();
	int ret;

	if (!t)
		return false;
	ret = elastic_leave_queue(t, current, t->home, TWA_RESUME);
	elastic_thread_put(t);
	return !ret || ret == -EBUSY;
}

static bool elastic_jump_bad_fault(struct pt_regs *regs, unsigned long error_code,
				   unsigned long address)
{
	if (!elastic_jump_go_home())
		return false;
	atomic64_inc(&elastic_jstats.faults_home);
	return true;
}

/* A fault in a shadow that cannot be served here: a thread here goes home. */
static bool elastic_jump_shadow_fault(u32 home, u32 id, int err, u32 owner)
{
	if (!test_syscall_work(SYSCALL_ELASTIC) || !elastic_jump_go_home())
		return false;
	atomic64_inc(&elastic_jstats.faults_home);
	return true;
}

/* End every thread here of (@home, @mm), or of every process of @home (@mm 0). */
static void elastic_threads_end(u32 home, u32 mm)
{
	struct elastic_thread *t, *victim;
	int bkt;

	do {
		victim = NULL;
		spin_lock(&elastic_threads_lock);
		hash_for_each(elastic_threads, bkt, t, node)
			if (t->home == home && (!mm || t->mm == mm)) {
				victim = t;
				kref_get(&t->ref);
				break;
			}
		spin_unlock(&elastic_threads_lock);
		if (!victim)
			break;
		if (victim->task && victim->home != elastic_node_id())
			send_sig(SIGKILL, victim->task, 1);
		elastic_thread_unlink(victim);
		elastic_thread_put(victim);
	} while (victim);
}

/* The shadow of (@home, @id) is gone: its tasks end. */
static void elastic_jump_shadow_gone(u32 home, u32 id)
{
	elastic_threads_end(home, id);
}

/*
 * Member @id died: threads of this node's processes that ran there are
 * lost with their registers (the process gets SIGKILL, as when its pages
 * die with a node); threads of @id's processes that run here end.
 */
static void elastic_jump_node_dead(u32 id)
{
	struct elastic_thread *t;
	int bkt;

	spin_lock(&elastic_threads_lock);
	hash_for_each(elastic_threads, bkt, t, node)
		if (t->home == elastic_node_id() && t->task &&
		    (t->where == id || (t->unacked && t->target == id))) {
			pr_warn("thread %u of process %u died with node %u\n", t->tid, t->mm, id);
			send_sig(SIGKILL, t->task, 1);
		}
	spin_unlock(&elastic_threads_lock);
	elastic_threads_end(id, 0);
}

/*
 * Whether a thread of process (@home, @id) is known here with a task (@on
 * 0), or runs on node @on as far as this node knows.
 */
static bool elastic_threads_any(u32 home, u32 id, u32 on)
{
	struct elastic_thread *t;
	bool any = false;
	int bkt;

	spin_lock(&elastic_threads_lock);
	hash_for_each(elastic_threads, bkt, t, node)
		if (t->home == home && t->mm == id && (on ? t->where == on : !!t->task)) {
			any = true;
			break;
		}
	spin_unlock(&elastic_threads_lock);
	return any;
}

/* Whether threads run in the shadow of (@home, @id) on this node. */
static bool elastic_jump_shadow_busy(u32 home, u32 id)
{
	return elastic_threads_any(home, id, 0);
}

/*
 * A thread of this node's process (@id) ended: forget it.  From the
 * memory layer when the process's mm goes.
 */
static void elastic_jump_mm_gone(u32 id)
{
	elastic_threads_end(elastic_node_id(), id);
}

/* Whether a thread of this node's process @id runs on node @on now. */
static bool elastic_jump_runs_on(u32 id, u32 on)
{
	return elastic_threads_any(elastic_node_id(), id, on);
}

static const struct elastic_thread_ops elastic_jump_thread_ops = {
	.shadow_fault	= elastic_jump_shadow_fault,
	.shadow_gone	= elastic_jump_shadow_gone,
	.shadow_busy	= elastic_jump_shadow_busy,
	.node_dead	= elastic_jump_node_dead,
	.mm_gone	= elastic_jump_mm_gone,
	.runs_on	= elastic_jump_runs_on,
};

/**
 * elastic_jump_show - where each thread of process @id runs, for /proc/PID/elastic
 * @m: the file
 * @id: the process's id at this node
 */
void elastic_jump_show(struct seq_file *m, u32 id)
{
	struct elastic_thread *t;
	int bkt;

	spin_lock(&elastic_threads_lock);
	hash_for_each(elastic_threads, bkt, t, node)
		if (t->home == elastic_node_id() && t->mm == id)
			seq_printf(m, "thread %d node %u jumps %llu\n",
				   t->task ? task_pid_vnr(t->task) : 0, t->where, t->jumps);
	spin_unlock(&elastic_threads_lock);
}

/** elastic_jump_hook_syscall - ops->syscall (main.c) */
bool elastic_jump_hook_syscall(struct pt_regs *regs, long nr)
{
	return elastic_jump_syscall(regs, nr);
}

/** elastic_jump_hook_bad_fault - ops->bad_fault (main.c) */
bool elastic_jump_hook_bad_fault(struct pt_regs *regs, unsigned long error_code,
				 unsigned long address)
{
	return elastic_jump_bad_fault(regs, error_code, address);
}

/** elastic_jump_init - at load, after the memory layer */
void elastic_jump_init(void)
{
	elastic_thread_ops_set(&elastic_jump_thread_ops);
	elastic_msg_register(ELASTIC_MSG_JUMP, &elastic_jump_handler);
	elastic_msg_register(ELASTIC_MSG_JUMP_ACK, &elastic_jump_ack_handler);
}

/** elastic_jump_exit - at unload: no thread is left (each pins the module) */
void elastic_jump_exit(void)
{
	elastic_msg_unregister(ELASTIC_MSG_JUMP_ACK);
	elastic_msg_unregister(ELASTIC_MSG_JUMP);
	elastic_thread_ops_set(NULL);
}
