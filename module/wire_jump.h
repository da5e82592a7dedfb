/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SpotOS elastic module: the wire form of a thread that jumps (JUMP) and
 * of its answer (JUMP_ACK), and the rules a receiver checks before it
 * loads anything into a task (docs/jump-design.md, sections 1 and 8).
 *
 * Registers travel big-endian like every other field; the xstate travels
 * as the CPU saved it (the ptrace "uabi" layout, little-endian on x86),
 * since it is only ever loaded into a CPU of the same kind, and siginfos
 * travel as the kernel keeps them.  Pure definitions and functions
 * (wire_jump.c), tested by KUnit in wire_jump_test.c.
 */
#ifndef _ELASTIC_WIRE_JUMP_H
#define _ELASTIC_WIRE_JUMP_H

#include <linux/types.h>

#include "wire.h"

/* Bytes of xstate at most: AVX-512's is 2,696; AMX (dynamic) is refused. */
#define ELASTIC_WIRE_XSTATE_MAX		8192
/* The legacy FXSAVE area and the xsave header that follows it. */
#define ELASTIC_WIRE_XSAVE_LEGACY	512
#define ELASTIC_WIRE_XSAVE_HDR		64
/* Offset of MXCSR in the legacy area. */
#define ELASTIC_WIRE_XSAVE_MXCSR	24
/* Queued signals a thread takes home at most. */
#define ELASTIC_WIRE_JUMP_SIGS_MAX	32
/* Bytes of one siginfo (SI_MAX_SIZE). */
#define ELASTIC_WIRE_SIGINFO		128
/* Thread ids are below this (PID_MAX_LIMIT). */
#define ELASTIC_WIRE_TID_MAX		(4 * 1024 * 1024)
/* Signals are numbered 1..ELASTIC_WIRE_NSIG (_NSIG on x86). */
#define ELASTIC_WIRE_NSIG		64

/* Why a thread jumps (a JUMP's @reason). */
enum elastic_jump_reason {
	ELASTIC_JUMP_FAULT = 1,		/* it touched a page held there */
	ELASTIC_JUMP_FORCED,		/* the operator moved it */
	ELASTIC_JUMP_SYSCALL,		/* a call it can only make at home */
	ELASTIC_JUMP_SIGNAL,		/* a signal it must take at home */
	ELASTIC_JUMP_RECALL,		/* its home called it back */
	ELASTIC_JUMP_DRAIN,		/* the node it ran on is being drained */
	ELASTIC_JUMP_FATAL,		/* it dies: the home ends it */
	__ELASTIC_JUMP_MAX,
};

/**
 * struct elastic_wire_uregs - a thread's user state, as in a JUMP
 * @gpr:	r15, r14, r13, r12, bp, bx, r11, r10, r9, r8, ax, cx, dx, si,
 *		di, orig_ax, ip, flags, sp: struct pt_regs's user fields in
 *		its order, without cs and ss (the target forces user ones)
 * @fs_base:	the FS base (TLS), below the task size
 * @gs_base:	the GS base, below the task size
 * @blocked:	the blocked signals; never SIGKILL or SIGSTOP
 * @sas_ss_sp:	the alternate signal stack, 0 for none
 * @sas_ss_size: its size
 * @sas_ss_flags: 0 or SS_AUTODISARM
 * @rseq_len:	the registered rseq area's length, 0 for none
 * @rseq:	its address (32-byte aligned)
 * @rseq_sig:	its signature
 * @zero:	0; reserved
 * @utime_ns:	user time of the incarnation that sends it
 * @stime_ns:	system time of it
 */
struct elastic_wire_uregs {
	__be64 gpr[19];
	__be64 fs_base;
	__be64 gs_base;
	__be64 blocked;
	__be64 sas_ss_sp;
	__be64 sas_ss_size;
	__be32 sas_ss_flags;
	__be32 rseq_len;
	__be64 rseq;
	__be32 rseq_sig;
	__be32 zero;
	__be64 utime_ns;
	__be64 stime_ns;
} __packed;

/* Indices into elastic_uregs.gpr, in struct pt_regs's order. */
enum elastic_gpr {
	ELASTIC_R15, ELASTIC_R14, ELASTIC_R13, ELASTIC_R12, ELASTIC_BP, ELASTIC_BX,
	ELASTIC_R11, ELASTIC_R10, ELASTIC_R9, ELASTIC_R8, ELASTIC_AX, ELASTIC_CX,
	ELASTIC_DX, ELASTIC_SI, ELASTIC_DI, ELASTIC_ORIG_AX, ELASTIC_IP, ELASTIC_FLAGS,
	ELASTIC_SP, ELASTIC_NGPR,
};

/**
 * struct elastic_uregs - a struct elastic_wire_uregs in host order
 * @gpr:	see enum elastic_gpr
 * @fs_base:	FS base
 * @gs_base:	GS base
 * @blocked:	blocked signals (bit n-1 for signal n)
 * @sas_ss_sp:	alternate signal stack
 * @sas_ss_size: its size
 * @sas_ss_flags: its flags
 * @rseq:	rseq area
 * @rseq_len:	its length
 * @rseq_sig:	its signature
 * @utime_ns:	user time
 * @stime_ns:	system time
 */
struct elastic_uregs {
	u64 gpr[ELASTIC_NGPR];
	u64 fs_base;
	u64 gs_base;
	u64 blocked;
	u64 sas_ss_sp;
	u64 sas_ss_size;
	u32 sas_ss_flags;
	u64 rseq;
	u32 rseq_len;
	u32 rseq_sig;
	u64 utime_ns;
	u64 stime_ns;
};

/**
 * struct elastic_wire_jump - start of a JUMP's payload
 * @home:	the process's home, 1..ELASTIC_MAX_NODE_ID
 * @mm:		the process there, 1..ELASTIC_WIRE_MM_MAX (its shadow's id)
 * @tid:	the thread's id at the home, 1..ELASTIC_WIRE_TID_MAX - 1
 * @reason:	an enum elastic_jump_reason
 * @epoch:	the thread's jump count, non-zero: a message about an older
 *		incarnation is stale
 * @layout_gen:	the layout the thread ran under; the target waits for it
 * @regs:	the user state
 * @xstate_len:	bytes of xstate that follow @nsig, exactly the target's size
 * @nsig:	siginfos after the xstate, 0..ELASTIC_WIRE_JUMP_SIGS_MAX: queued
 *		for the thread where it ran, for the target to queue again
 *
 * Answered by a JUMP_ACK on the same sequence number.
 */
struct elastic_wire_jump {
	__be32 home;
	__be32 mm;
	__be32 tid;
	__be32 reason;
	__be64 epoch;
	__be64 layout_gen;
	struct elastic_wire_uregs regs;
	__be32 xstate_len;
	__be32 nsig;
} __packed;

/**
 * struct elastic_wire_jump_ack - payload of JUMP_ACK
 * @req_seq:	the JUMP's sequence number
 * @status:	0 (running), or EBUSY, ENOMEM, ESRCH (no shadow of the
 *		process), ESTALE (an older epoch), EINVAL (state refused),
 *		EOPNOTSUPP (this node takes no jumps)
 * @zero:	0; reserved
 * @epoch:	the JUMP's epoch
 * @run_us:	with 0, microseconds from its arrival to the thread running
 */
struct elastic_wire_jump_ack {
	__be64 req_seq;
	__be32 status;
	__be32 zero;
	__be64 epoch;
	__be64 run_us;
} __packed;

/**
 * struct elastic_jump_limits - what the receiving node accepts
 * @task_size:	user addresses are below this
 * @nr_syscalls: orig_ax is -1 or below this
 * @xstate_len:	the node's xstate size in the uabi layout
 * @xfeatures:	the user xstate features the node supports
 * @mxcsr_mask:	the MXCSR bits the node's CPU accepts
 */
struct elastic_jump_limits {
	u64 task_size;
	u32 nr_syscalls;
	u32 xstate_len;
	u64 xfeatures;
	u32 mxcsr_mask;
};

/**
 * struct elastic_jump - a parsed JUMP
 * @home:	process's home
 * @mm:		process at the home
 * @tid:	thread id at the home
 * @reason:	why it jumps
 * @epoch:	its jump count
 * @layout_gen:	its layout
 * @regs:	its user state
 * @xstate:	its xstate (points into the payload), @xstate_len bytes
 * @xstate_len:	bytes of it
 * @sigs:	its queued siginfos (into the payload), @nsig of them
 * @nsig:	how many
 */
struct elastic_jump {
	u32 home;
	u32 mm;
	u32 tid;
	u32 reason;
	u64 epoch;
	u64 layout_gen;
	struct elastic_uregs regs;
	const void *xstate;
	u32 xstate_len;
	const void *sigs;
	u32 nsig;
};

size_t elastic_wire_jump_len(u32 xstate_len, u32 nsig);
int elastic_uregs_check(const struct elastic_uregs *r, const struct elastic_jump_limits *lim);
int elastic_xstate_check(const void *xs, u32 len, const struct elastic_jump_limits *lim);
int elastic_wire_parse_jump(const void *buf, size_t len, const struct elastic_jump_limits *lim,
			    struct elastic_jump *j);
void elastic_wire_put_jump(void *buf, const struct elastic_jump *j);
int elastic_wire_parse_jump_ack(const void *buf, size_t len, u64 *req_seq, int *status,
				u64 *epoch, u64 *run_us);
void elastic_wire_put_jump_ack(struct elastic_wire_jump_ack *w, u64 req_seq, int status,
			       u64 epoch, u64 run_us);

#endif /* _ELASTIC_WIRE_JUMP_H */
