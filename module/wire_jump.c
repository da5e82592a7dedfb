// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: encoding and validation of JUMP and JUMP_ACK
 * (wire_jump.h).  A JUMP asks the receiver to run user code with the
 * registers it carries: every rule below keeps a forged one from giving a
 * task anything a user could not give itself (kernel addresses, I/O
 * privilege, virtual-8086 mode, xstate the CPU would fault on).  The core
 * load helper checks again; these checks come first so that a bad frame
 * is refused and counted before anything is touched.  Pure functions of
 * their arguments, tested by KUnit in wire_jump_test.c.
 */
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/signal.h>
#include <linux/string.h>
#include <asm/processor-flags.h>
#include <uapi/linux/elastic.h>

#include "wire_jump.h"

/*
 * Flags a user thread may hold: what ptrace and sigreturn let it set
 * (arithmetic, TF, DF, RF, AC), ID (cpuid probing toggles it), IF and the
 * fixed bit.  Never IOPL, NT, VM, VIF or VIP.
 */
#define ELASTIC_USER_FLAGS							\
	(X86_EFLAGS_CF | X86_EFLAGS_FIXED | X86_EFLAGS_PF | X86_EFLAGS_AF |	\
	 X86_EFLAGS_ZF | X86_EFLAGS_SF | X86_EFLAGS_TF | X86_EFLAGS_IF |	\
	 X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_RF | X86_EFLAGS_AC |	\
	 X86_EFLAGS_ID)

/* The smallest rseq area (ORIG_RSEQ_SIZE) and the largest we take. */
#define ELASTIC_RSEQ_MIN	32
#define ELASTIC_RSEQ_MAX	4096

/**
 * elastic_wire_jump_len - bytes of a JUMP's payload
 * @xstate_len: bytes of xstate it carries
 * @nsig: siginfos it carries
 *
 * Return: the length.
 */
size_t elastic_wire_jump_len(u32 xstate_len, u32 nsig)
{
	return sizeof(struct elastic_wire_jump) + xstate_len + (size_t)nsig * ELASTIC_WIRE_SIGINFO;
}

/* A user range [addr, addr + size) below @task_size, without wrapping. */
static bool elastic_user_range(u64 addr, u64 size, u64 task_size)
{
	return addr < task_size && size <= task_size - addr;
}

/**
 * elastic_uregs_check - may a thread run with these registers?
 * @r: the state
 * @lim: what this node accepts
 *
 * Return: 0, or -EPROTO naming no field (the caller counts a bad frame).
 */
int elastic_uregs_check(const struct elastic_uregs *r, const struct elastic_jump_limits *lim)
{
	u64 orig_ax = r->gpr[ELASTIC_ORIG_AX];
	u64 flags = r->gpr[ELASTIC_FLAGS];

	if (r->gpr[ELASTIC_IP] >= lim->task_size || r->gpr[ELASTIC_SP] >= lim->task_size)
		return -EPROTO;
	if (r->fs_base >= lim->task_size || r->gs_base >= lim->task_size)
		return -EPROTO;
	if ((flags & ~(u64)ELASTIC_USER_FLAGS) || !(flags & X86_EFLAGS_IF))
		return -EPROTO;
	if (orig_ax != (u64)-1 && orig_ax >= lim->nr_syscalls)
		return -EPROTO;
	if (r->blocked & (BIT_ULL(SIGKILL - 1) | BIT_ULL(SIGSTOP - 1)))
		return -EPROTO;
	if (r->sas_ss_flags & ~SS_AUTODISARM)
		return -EPROTO;
	if (r->sas_ss_size ? !elastic_user_range(r->sas_ss_sp, r->sas_ss_size, lim->task_size) :
	    r->sas_ss_sp || r->sas_ss_flags)
		return -EPROTO;
	if (r->rseq_len) {
		if (r->rseq_len < ELASTIC_RSEQ_MIN || r->rseq_len > ELASTIC_RSEQ_MAX ||
		    r->rseq % 32 || !elastic_user_range(r->rseq, r->rseq_len, lim->task_size))
			return -EPROTO;
	} else if (r->rseq || r->rseq_sig) {
		return -EPROTO;
	}
	return 0;
}

/**
 * elastic_xstate_check - may this xstate be loaded here?
 * @xs: the xstate, in the uabi (non-compacted, ptrace) layout
 * @len: its length
 * @lim: what this node accepts
 *
 * The rules of the kernel's own validate_user_xstate_header() and MXCSR
 * check, so that the load cannot fault: this node's size, features it has,
 * no compacted format, reserved bytes zero.
 *
 * Return: 0, or -EPROTO.
 */
int elastic_xstate_check(const void *xs, u32 len, const struct elastic_jump_limits *lim)
{
	const u8 *hdr = (const u8 *)xs + ELASTIC_WIRE_XSAVE_LEGACY;
	__le64 bv, comp;
	__le32 mxcsr;

	if (len != lim->xstate_len || len < ELASTIC_WIRE_XSAVE_LEGACY + ELASTIC_WIRE_XSAVE_HDR)
		return -EPROTO;
	memcpy(&mxcsr, (const u8 *)xs + ELASTIC_WIRE_XSAVE_MXCSR, sizeof(mxcsr));
	if (le32_to_cpu(mxcsr) & ~lim->mxcsr_mask)
		return -EPROTO;
	memcpy(&bv, hdr, sizeof(bv));
	memcpy(&comp, hdr + 8, sizeof(comp));
	if ((le64_to_cpu(bv) & ~lim->xfeatures) || comp)
		return -EPROTO;
	if (memchr_inv(hdr + 16, 0, ELASTIC_WIRE_XSAVE_HDR - 16))
		return -EPROTO;
	return 0;
}

static void elastic_uregs_from_wire(struct elastic_uregs *r, const struct elastic_wire_uregs *w)
{
	int i;

	for (i = 0; i < ELASTIC_NGPR; i++)
		r->gpr[i] = be64_to_cpu(w->gpr[i]);
	r->fs_base = be64_to_cpu(w->fs_base);
	r->gs_base = be64_to_cpu(w->gs_base);
	r->blocked = be64_to_cpu(w->blocked);
	r->sas_ss_sp = be64_to_cpu(w->sas_ss_sp);
	r->sas_ss_size = be64_to_cpu(w->sas_ss_size);
	r->sas_ss_flags = be32_to_cpu(w->sas_ss_flags);
	r->rseq_len = be32_to_cpu(w->rseq_len);
	r->rseq = be64_to_cpu(w->rseq);
	r->rseq_sig = be32_to_cpu(w->rseq_sig);
	r->utime_ns = be64_to_cpu(w->utime_ns);
	r->stime_ns = be64_to_cpu(w->stime_ns);
}

static void elastic_uregs_to_wire(struct elastic_wire_uregs *w, const struct elastic_uregs *r)
{
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(w->gpr) != ELASTIC_NGPR);
	for (i = 0; i < ELASTIC_NGPR; i++)
		w->gpr[i] = cpu_to_be64(r->gpr[i]);
	w->fs_base = cpu_to_be64(r->fs_base);
	w->gs_base = cpu_to_be64(r->gs_base);
	w->blocked = cpu_to_be64(r->blocked);
	w->sas_ss_sp = cpu_to_be64(r->sas_ss_sp);
	w->sas_ss_size = cpu_to_be64(r->sas_ss_size);
	w->sas_ss_flags = cpu_to_be32(r->sas_ss_flags);
	w->rseq_len = cpu_to_be32(r->rseq_len);
	w->rseq = cpu_to_be64(r->rseq);
	w->rseq_sig = cpu_to_be32(r->rseq_sig);
	w->zero = 0;
	w->utime_ns = cpu_to_be64(r->utime_ns);
	w->stime_ns = cpu_to_be64(r->stime_ns);
}

/* Each queued siginfo names a signal (si_signo, its first int). */
static int elastic_sigs_check(const u8 *sigs, u32 nsig)
{
	u32 i;
	int signo;

	for (i = 0; i < nsig; i++) {
		memcpy(&signo, sigs + (size_t)i * ELASTIC_WIRE_SIGINFO, sizeof(signo));
		if (signo < 1 || signo > ELASTIC_WIRE_NSIG)
			return -EPROTO;
	}
	return 0;
}

/**
 * elastic_wire_parse_jump - validate a JUMP
 * @buf: payload
 * @len: its length
 * @lim: what this node accepts
 * @j: filled on success; its @xstate and @sigs point into @buf
 *
 * Return: 0, -EMSGSIZE when @len does not match what the JUMP says it
 * carries, -EPROTO for any field out of its rules (a bad frame).
 */
int elastic_wire_parse_jump(const void *buf, size_t len, const struct elastic_jump_limits *lim,
			    struct elastic_jump *j)
{
	struct elastic_wire_jump w;
	u32 xlen, nsig;
	int ret;

	if (len < sizeof(w))
		return -EMSGSIZE;
	memcpy(&w, buf, sizeof(w));
	xlen = be32_to_cpu(w.xstate_len);
	nsig = be32_to_cpu(w.nsig);
	if (xlen > ELASTIC_WIRE_XSTATE_MAX || nsig > ELASTIC_WIRE_JUMP_SIGS_MAX)
		return -EPROTO;
	if (len != elastic_wire_jump_len(xlen, nsig))
		return -EMSGSIZE;
	j->home = be32_to_cpu(w.home);
	j->mm = be32_to_cpu(w.mm);
	j->tid = be32_to_cpu(w.tid);
	j->reason = be32_to_cpu(w.reason);
	j->epoch = be64_to_cpu(w.epoch);
	j->layout_gen = be64_to_cpu(w.layout_gen);
	if (j->home < 1 || j->home > ELASTIC_MAX_NODE_ID || !j->mm ||
	    j->mm > ELASTIC_WIRE_MM_MAX || !j->tid || j->tid >= ELASTIC_WIRE_TID_MAX ||
	    j->reason < ELASTIC_JUMP_FAULT || j->reason >= __ELASTIC_JUMP_MAX || !j->epoch ||
	    w.regs.zero)
		return -EPROTO;
	elastic_uregs_from_wire(&j->regs, &w.regs);
	ret = elastic_uregs_check(&j->regs, lim);
	if (ret)
		return ret;
	j->xstate = (const u8 *)buf + sizeof(w);
	j->xstate_len = xlen;
	ret = elastic_xstate_check(j->xstate, xlen, lim);
	if (ret)
		return ret;
	j->sigs = (const u8 *)j->xstate + xlen;
	j->nsig = nsig;
	return elastic_sigs_check(j->sigs, nsig);
}

/**
 * elastic_wire_put_jump - encode a JUMP
 * @buf: elastic_wire_jump_len(@j->xstate_len, @j->nsig) bytes
 * @j: what to send; its xstate and siginfos are copied
 */
void elastic_wire_put_jump(void *buf, const struct elastic_jump *j)
{
	struct elastic_wire_jump w = {
		.home = cpu_to_be32(j->home),
		.mm = cpu_to_be32(j->mm),
		.tid = cpu_to_be32(j->tid),
		.reason = cpu_to_be32(j->reason),
		.epoch = cpu_to_be64(j->epoch),
		.layout_gen = cpu_to_be64(j->layout_gen),
		.xstate_len = cpu_to_be32(j->xstate_len),
		.nsig = cpu_to_be32(j->nsig),
	};

	elastic_uregs_to_wire(&w.regs, &j->regs);
	memcpy(buf, &w, sizeof(w));
	memcpy((u8 *)buf + sizeof(w), j->xstate, j->xstate_len);
	memcpy((u8 *)buf + sizeof(w) + j->xstate_len, j->sigs,
	       (size_t)j->nsig * ELASTIC_WIRE_SIGINFO);
}

/**
 * elastic_wire_parse_jump_ack - validate a JUMP_ACK
 * @buf: payload
 * @len: its length
 * @req_seq: the JUMP's sequence number, filled on success
 * @status: 0 or a negative errno, filled on success
 * @epoch: the JUMP's epoch, filled on success
 * @run_us: microseconds to running, filled on success (0 unless @status 0)
 *
 * Return: 0, -EMSGSIZE, or -EPROTO for a status outside the documented
 * ones, a reserved field set, a zero epoch or a delay with a refusal.
 */
int elastic_wire_parse_jump_ack(const void *buf, size_t len, u64 *req_seq, int *status,
				u64 *epoch, u64 *run_us)
{
	struct elastic_wire_jump_ack a;
	u32 st;

	if (len != sizeof(a))
		return -EMSGSIZE;
	memcpy(&a, buf, sizeof(a));
	st = be32_to_cpu(a.status);
	switch (st) {
	case 0:
	case EBUSY:
	case ENOMEM:
	case ESRCH:
	case ESTALE:
	case EINVAL:
	case EOPNOTSUPP:
		break;
	default:
		return -EPROTO;
	}
	if (a.zero || !a.epoch || (st && a.run_us))
		return -EPROTO;
	*req_seq = be64_to_cpu(a.req_seq);
	*status = -(int)st;
	*epoch = be64_to_cpu(a.epoch);
	*run_us = be64_to_cpu(a.run_us);
	return 0;
}

/**
 * elastic_wire_put_jump_ack - encode a JUMP_ACK
 * @w: the payload
 * @req_seq: the JUMP's sequence number
 * @status: 0 or a negative errno of those elastic_wire_parse_jump_ack() takes
 * @epoch: the JUMP's epoch
 * @run_us: with @status 0, microseconds from its arrival to running
 */
void elastic_wire_put_jump_ack(struct elastic_wire_jump_ack *w, u64 req_seq, int status,
			       u64 epoch, u64 run_us)
{
	w->req_seq = cpu_to_be64(req_seq);
	w->status = cpu_to_be32(-status);
	w->zero = 0;
	w->epoch = cpu_to_be64(epoch);
	w->run_us = cpu_to_be64(status ? 0 : run_us);
}
