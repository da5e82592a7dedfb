// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of JUMP and JUMP_ACK (wire_jump.c): a JUMP built by the
 * sender parses back to what was put in, and each register, header and
 * xstate rule, broken one at a time, is refused.
 */
#include <kunit/test.h>

#include "wire_jump.c"

/* A node like a plain AVX-512 x86-64 one (4-level paging). */
static const struct elastic_jump_limits lim = {
	.task_size = (1ULL << 47) - 4096,
	.nr_syscalls = 463,
	.xstate_len = 2696,
	.xfeatures = 0xe7,
	.mxcsr_mask = 0xffff,
};

static u8 xstate[2696];
static u8 sigs[2 * ELASTIC_WIRE_SIGINFO];
static u8 buf[sizeof(struct elastic_wire_jump) + sizeof(xstate) + sizeof(sigs)];

static void good(struct elastic_jump *j)
{
	__le64 bv = cpu_to_le64(0x7);
	__le32 mxcsr = cpu_to_le32(0x1f80);
	int signo;

	memset(j, 0, sizeof(*j));
	j->home = 1;
	j->mm = 7;
	j->tid = 4242;
	j->reason = ELASTIC_JUMP_FAULT;
	j->epoch = 3;
	j->layout_gen = 9;
	j->regs.gpr[ELASTIC_IP] = 0x401000;
	j->regs.gpr[ELASTIC_SP] = 0x7ffffffde000;
	j->regs.gpr[ELASTIC_FLAGS] = X86_EFLAGS_IF | X86_EFLAGS_FIXED | X86_EFLAGS_ZF;
	j->regs.gpr[ELASTIC_ORIG_AX] = (u64)-1;
	j->regs.gpr[ELASTIC_AX] = 0x1122334455667788ULL;
	j->regs.fs_base = 0x7f0000001000;
	j->regs.blocked = BIT_ULL(SIGUSR1 - 1);
	j->regs.rseq = 0x7f0000002000;
	j->regs.rseq_len = 32;
	j->regs.rseq_sig = 0x53053053;
	j->regs.utime_ns = 5;
	memset(xstate, 0, sizeof(xstate));
	memcpy(xstate + ELASTIC_WIRE_XSAVE_MXCSR, &mxcsr, sizeof(mxcsr));
	memcpy(xstate + ELASTIC_WIRE_XSAVE_LEGACY, &bv, sizeof(bv));
	xstate[160] = 0xab;		/* an xmm register's byte */
	j->xstate = xstate;
	j->xstate_len = sizeof(xstate);
	memset(sigs, 0, sizeof(sigs));
	signo = SIGUSR2;
	memcpy(sigs, &signo, sizeof(signo));
	signo = SIGALRM;
	memcpy(sigs + ELASTIC_WIRE_SIGINFO, &signo, sizeof(signo));
	j->sigs = sigs;
	j->nsig = 2;
}

static void jump_round_trip(struct kunit *test)
{
	struct elastic_jump in, out;
	size_t len;

	good(&in);
	len = elastic_wire_jump_len(in.xstate_len, in.nsig);
	KUNIT_ASSERT_EQ(test, len, sizeof(buf));
	elastic_wire_put_jump(buf, &in);
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_jump(buf, len, &lim, &out), 0);
	KUNIT_EXPECT_EQ(test, out.home, 1);
	KUNIT_EXPECT_EQ(test, out.mm, 7);
	KUNIT_EXPECT_EQ(test, out.tid, 4242);
	KUNIT_EXPECT_EQ(test, out.reason, ELASTIC_JUMP_FAULT);
	KUNIT_EXPECT_EQ(test, out.epoch, 3);
	KUNIT_EXPECT_EQ(test, out.layout_gen, 9);
	KUNIT_EXPECT_EQ(test, memcmp(&out.regs, &in.regs, sizeof(in.regs)), 0);
	KUNIT_EXPECT_EQ(test, out.xstate_len, sizeof(xstate));
	KUNIT_EXPECT_EQ(test, memcmp(out.xstate, xstate, sizeof(xstate)), 0);
	KUNIT_EXPECT_EQ(test, out.nsig, 2);
	KUNIT_EXPECT_EQ(test, memcmp(out.sigs, sigs, sizeof(sigs)), 0);
	/* Registers are big-endian on the wire: ax's first byte is 0x11. */
	KUNIT_EXPECT_EQ(test, buf[offsetof(struct elastic_wire_jump, regs) + ELASTIC_AX * 8], 0x11);
}

static void jump_lengths(struct kunit *test)
{
	struct elastic_jump in, out;
	size_t len;

	good(&in);
	len = elastic_wire_jump_len(in.xstate_len, in.nsig);
	elastic_wire_put_jump(buf, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, len - 1, &lim, &out), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, 10, &lim, &out), -EMSGSIZE);
	/* Fewer signals than the payload holds: the length no longer fits. */
	in.nsig = 1;
	elastic_wire_put_jump(buf, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, len, &lim, &out), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, len - ELASTIC_WIRE_SIGINFO, &lim, &out),
			0);
}

/* One rule broken at a time: each JUMP is refused as a bad frame. */
struct jump_case {
	const char *name;
	void (*spoil)(struct elastic_jump *j);
};

#define SPOIL(n, stmt)								\
	static void spoil_##n(struct elastic_jump *j) { stmt; }

SPOIL(home0, j->home = 0)
SPOIL(home_big, j->home = ELASTIC_MAX_NODE_ID + 1)
SPOIL(mm0, j->mm = 0)
SPOIL(mm_big, j->mm = ELASTIC_WIRE_MM_MAX + 1)
SPOIL(tid0, j->tid = 0)
SPOIL(tid_big, j->tid = ELASTIC_WIRE_TID_MAX)
SPOIL(reason0, j->reason = 0)
SPOIL(reason_big, j->reason = __ELASTIC_JUMP_MAX)
SPOIL(epoch0, j->epoch = 0)
SPOIL(ip_kernel, j->regs.gpr[ELASTIC_IP] = 0xffffffff81000000ULL)
SPOIL(ip_noncanonical, j->regs.gpr[ELASTIC_IP] = 1ULL << 47)
SPOIL(sp_kernel, j->regs.gpr[ELASTIC_SP] = 0xffff888000000000ULL)
SPOIL(fs_kernel, j->regs.fs_base = 0xffff888000000000ULL)
SPOIL(gs_kernel, j->regs.gs_base = 1ULL << 47)
SPOIL(flags_iopl, j->regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_IOPL)
SPOIL(flags_nt, j->regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_NT)
SPOIL(flags_vm, j->regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_VM)
SPOIL(flags_vif, j->regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_VIF)
SPOIL(flags_vip, j->regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_VIP)
SPOIL(flags_no_if, j->regs.gpr[ELASTIC_FLAGS] &= ~X86_EFLAGS_IF)
SPOIL(flags_high, j->regs.gpr[ELASTIC_FLAGS] |= 1ULL << 32)
SPOIL(orig_ax_big, j->regs.gpr[ELASTIC_ORIG_AX] = 463)
SPOIL(orig_ax_neg, j->regs.gpr[ELASTIC_ORIG_AX] = (u64)-2)
SPOIL(blocked_kill, j->regs.blocked |= BIT_ULL(SIGKILL - 1))
SPOIL(blocked_stop, j->regs.blocked |= BIT_ULL(SIGSTOP - 1))
SPOIL(sas_flags, j->regs.sas_ss_flags = SS_ONSTACK)
SPOIL(sas_kernel, { j->regs.sas_ss_sp = 0xffff888000000000ULL; j->regs.sas_ss_size = 8192; })
SPOIL(sas_wrap, { j->regs.sas_ss_sp = (1ULL << 47) - 8192; j->regs.sas_ss_size = 8192; })
SPOIL(sas_sp_no_size, j->regs.sas_ss_sp = 0x10000)
SPOIL(rseq_short, j->regs.rseq_len = 16)
SPOIL(rseq_long, j->regs.rseq_len = 8192)
SPOIL(rseq_unaligned, j->regs.rseq += 8)
SPOIL(rseq_kernel, j->regs.rseq = 0xffff888000000000ULL)
SPOIL(rseq_no_len, { j->regs.rseq_len = 0; })
SPOIL(xstate_len, { j->xstate_len = 2688; })
SPOIL(xstate_feature, { xstate[ELASTIC_WIRE_XSAVE_LEGACY + 2] = 0x02; })
SPOIL(xstate_compacted, { xstate[ELASTIC_WIRE_XSAVE_LEGACY + 15] = 0x80; })
SPOIL(xstate_reserved, { xstate[ELASTIC_WIRE_XSAVE_LEGACY + 40] = 1; })
SPOIL(xstate_mxcsr, { xstate[ELASTIC_WIRE_XSAVE_MXCSR + 2] = 1; })
SPOIL(sig0, { memset(sigs, 0, 4); })
SPOIL(sig_big, { int s = ELASTIC_WIRE_NSIG + 1; memcpy(sigs, &s, sizeof(s)); })

#define CASE(n) { #n, spoil_##n }
static const struct jump_case jump_cases[] = {
	CASE(home0), CASE(home_big), CASE(mm0), CASE(mm_big), CASE(tid0), CASE(tid_big),
	CASE(reason0), CASE(reason_big), CASE(epoch0), CASE(ip_kernel), CASE(ip_noncanonical),
	CASE(sp_kernel), CASE(fs_kernel), CASE(gs_kernel), CASE(flags_iopl), CASE(flags_nt),
	CASE(flags_vm), CASE(flags_vif), CASE(flags_vip), CASE(flags_no_if), CASE(flags_high),
	CASE(orig_ax_big), CASE(orig_ax_neg), CASE(blocked_kill), CASE(blocked_stop),
	CASE(sas_flags), CASE(sas_kernel), CASE(sas_wrap), CASE(sas_sp_no_size),
	CASE(rseq_short), CASE(rseq_long), CASE(rseq_unaligned), CASE(rseq_kernel),
	CASE(rseq_no_len), CASE(xstate_len), CASE(xstate_feature), CASE(xstate_compacted),
	CASE(xstate_reserved), CASE(xstate_mxcsr), CASE(sig0), CASE(sig_big),
};

static void jump_case_desc(const struct jump_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(jump, jump_cases, jump_case_desc);

static void jump_refuses_bad_field(struct kunit *test)
{
	const struct jump_case *c = test->param_value;
	struct elastic_jump in, out;

	good(&in);
	c->spoil(&in);
	/* A shorter xstate is sent as it says: only the rule refuses it. */
	elastic_wire_put_jump(buf, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, elastic_wire_jump_len(in.xstate_len,
										 in.nsig),
						      &lim, &out), -EPROTO);
}

/* What a user thread may legitimately hold passes. */
static void jump_user_state_passes(struct kunit *test)
{
	struct elastic_jump in, out;

	good(&in);
	in.regs.gpr[ELASTIC_FLAGS] |= X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_AC |
				      X86_EFLAGS_ID | X86_EFLAGS_RF | X86_EFLAGS_CF;
	in.regs.gpr[ELASTIC_ORIG_AX] = 462;
	in.regs.gpr[ELASTIC_IP] = lim.task_size - 1;
	in.regs.sas_ss_sp = 0x10000;
	in.regs.sas_ss_size = 8192;
	in.regs.sas_ss_flags = SS_AUTODISARM;
	in.regs.rseq = 0;
	in.regs.rseq_len = 0;
	in.regs.rseq_sig = 0;
	in.nsig = 0;
	elastic_wire_put_jump(buf, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, elastic_wire_jump_len(in.xstate_len, 0),
						      &lim, &out), 0);
	KUNIT_EXPECT_EQ(test, out.regs.gpr[ELASTIC_FLAGS], in.regs.gpr[ELASTIC_FLAGS]);
	KUNIT_EXPECT_EQ(test, out.regs.sas_ss_flags, SS_AUTODISARM);
}

/* Too large a count is refused before the length is even compared. */
static void jump_counts_bounded(struct kunit *test)
{
	struct elastic_wire_jump *w = (struct elastic_wire_jump *)buf;
	struct elastic_jump in, out;

	good(&in);
	elastic_wire_put_jump(buf, &in);
	w->nsig = cpu_to_be32(ELASTIC_WIRE_JUMP_SIGS_MAX + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, sizeof(buf), &lim, &out), -EPROTO);
	elastic_wire_put_jump(buf, &in);
	w->xstate_len = cpu_to_be32(0xffffffff);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, sizeof(buf), &lim, &out), -EPROTO);
	elastic_wire_put_jump(buf, &in);
	w->regs.zero = cpu_to_be32(1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump(buf, sizeof(buf), &lim, &out), -EPROTO);
}

static void jump_ack_rules(struct kunit *test)
{
	struct elastic_wire_jump_ack a;
	u64 seq, epoch, us;
	int st;

	elastic_wire_put_jump_ack(&a, 77, 0, 3, 1500);
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			0);
	KUNIT_EXPECT_EQ(test, seq, 77);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, epoch, 3);
	KUNIT_EXPECT_EQ(test, us, 1500);
	/* A refusal carries no delay. */
	elastic_wire_put_jump_ack(&a, 77, -ESTALE, 3, 1500);
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			0);
	KUNIT_EXPECT_EQ(test, st, -ESTALE);
	KUNIT_EXPECT_EQ(test, us, 0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a) - 1, &seq, &st, &epoch,
							  &us), -EMSGSIZE);
	a.run_us = cpu_to_be64(1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			-EPROTO);
	elastic_wire_put_jump_ack(&a, 77, -EPERM, 3, 0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			-EPROTO);
	elastic_wire_put_jump_ack(&a, 77, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			-EPROTO);
	elastic_wire_put_jump_ack(&a, 77, 0, 3, 0);
	a.zero = cpu_to_be32(1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_jump_ack(&a, sizeof(a), &seq, &st, &epoch, &us),
			-EPROTO);
}

static struct kunit_case elastic_wire_jump_cases[] = {
	KUNIT_CASE(jump_round_trip),
	KUNIT_CASE(jump_lengths),
	KUNIT_CASE_PARAM(jump_refuses_bad_field, jump_gen_params),
	KUNIT_CASE(jump_user_state_passes),
	KUNIT_CASE(jump_counts_bounded),
	KUNIT_CASE(jump_ack_rules),
	{}
};

static struct kunit_suite elastic_wire_jump_suite = {
	.name = "elastic-wire-jump",
	.test_cases = elastic_wire_jump_cases,
};

kunit_test_suite(elastic_wire_jump_suite);
