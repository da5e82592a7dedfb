// SPDX-License-Identifier: GPL-2.0
/* libelastic: the one drain loop, for elasticctl's node drain and elasticd. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "drain.h"

#define DRAIN_BATCH	512	/* pages per call: progress shows, limits are checked between */
#define DRAIN_PACE_S	0.1	/* after a call that moved nothing, the next one no sooner */

int elastic_drain_loop(const struct elastic_drain_ops *ops, void *ctx,
		       const struct elastic_drain *d, struct elastic_drain_progress *p)
{
	double t0 = ops->now(ctx), last_move = t0, call, now;
	uint64_t moved;
	int calls, ret;

	memset(p, 0, sizeof(*p));
	for (calls = 0;; calls++) {
		call = ops->now(ctx);
		ret = ops->drain(ctx, d->node, DRAIN_BATCH, &moved, &p->left);
		if (ret)
			return ret;
		now = ops->now(ctx);
		if (!calls)
			p->start = moved + p->left;
		p->moved += moved;
		p->seconds = now - t0;
		if (moved)
			last_move = now;
		if (d->progress && d->progress(d->arg, p))
			return -ECANCELED;
		if (!p->left)
			return 0;
		if (d->deadline_s && p->seconds > d->deadline_s)
			return -ETIME;
		if (d->stall_s && now - last_move > d->stall_s)
			return -EAGAIN;
		/* Only pages in flight remain: let them land. */
		if (!moved && now - call < DRAIN_PACE_S)
			ops->sleep(ctx, DRAIN_PACE_S - (now - call));
	}
}

static int kernel_drain(void *ctx, uint32_t node, uint64_t max, uint64_t *moved, uint64_t *left)
{
	return elastic_node_drain(ctx, node, max, moved, left);
}

static double mono_now(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void mono_sleep(void *ctx, double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };

	(void)ctx;
	ts.tv_nsec = (long)((seconds - ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int elastic_drain(struct elastic_client *client, const struct elastic_drain *d,
		  struct elastic_drain_progress *p)
{
	static const struct elastic_drain_ops kernel = { kernel_drain, mono_now, mono_sleep };

	return elastic_drain_loop(&kernel, client, d, p);
}
