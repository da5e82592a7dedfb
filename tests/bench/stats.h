/* SPDX-License-Identifier: GPL-2.0 */
/* Timing and percentiles shared by the benchmark programs. */
#ifndef BENCH_STATS_H
#define BENCH_STATS_H

#include <stdlib.h>
#include <time.h>

static inline double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (nearest rank) of n samples; sorts them. */
static inline double pct(double *v, int n, int p)
{
	int k = (n * p + 99) / 100;

	qsort(v, n, sizeof(*v), cmp_double);
	return v[k > 0 ? k - 1 : 0];
}

#endif
