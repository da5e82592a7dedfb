/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elastic_drain()'s loop with the kernel and the clock passed in, so that
 * the host tests can run it against a fake node on a clock of their own.
 */
#ifndef ELASTIC_DRAIN_H
#define ELASTIC_DRAIN_H

#include "elastic.h"

struct elastic_drain_ops {
	/* elastic_node_drain(): fills moved and left only when it returns 0 */
	int (*drain)(void *ctx, uint32_t node, uint64_t max, uint64_t *moved, uint64_t *left);
	double (*now)(void *ctx);		/* seconds, monotonic */
	void (*sleep)(void *ctx, double seconds);
};

int elastic_drain_loop(const struct elastic_drain_ops *ops, void *ctx,
		       const struct elastic_drain *d, struct elastic_drain_progress *p);

#endif /* ELASTIC_DRAIN_H */
