// SPDX-License-Identifier: GPL-2.0
/*
 * SpotOS elastic module: the rules of threads that jump, as pure functions
 * of their arguments (jump.h), tested by KUnit in jump_test.c.
 */
#include <linux/errno.h>

#include "jump.h"

/**
 * elastic_hand_decide - who takes a JUMP that arrives for a known thread
 * @v: the thread as this node knows it
 * @src: the node that sent the JUMP
 * @epoch: the JUMP's epoch (the thread's jump count)
 * @spawn: a task may be started for it (on a member; the home never starts one)
 *
 * A JUMP is sent again when its answer is late, so the same one may come
 * twice: it must never run the thread twice.
 *
 * Return: 0 to hand it to the thread's parked task, 1 to start a task for
 * it; -EALREADY when this node runs it already (answer again), -EINPROGRESS
 * when its state is being loaded here (the answer comes), -ESTALE for an
 * older JUMP, -ESRCH at the home when @src is not where the thread went,
 * -EBUSY when no task can take it.
 */
int elastic_hand_decide(const struct elastic_hand_view *v, u32 src, u64 epoch, bool spawn)
{
	if (epoch == v->epoch && v->where == v->self && v->jumps)
		return v->has_in ? -EINPROGRESS : -EALREADY;
	if (epoch <= v->epoch)
		return -ESTALE;
	if (v->home == v->self && v->where != src && !(v->unacked && v->target == src))
		return -ESRCH;
	if (v->has_in || v->dead || (!v->has_task && !spawn))
		return -EBUSY;
	return v->has_task ? 0 : 1;
}
