// SPDX-License-Identifier: GPL-2.0
/*
 * pagefault: the cost of ordinary page faults in a process that is not
 * stretched, to compare a SpotOS kernel with the same kernel without its
 * patches (scripts/bench-fault).
 *
 * A round maps MIB MiB of private anonymous memory without huge pages,
 * touches one byte of each page, and unmaps it:
 *   write  first-touch write faults (do_anonymous_page allocates a page);
 *   read   first-touch read faults (do_anonymous_page maps the zero page).
 * Only the touching is timed as the fault cost; the munmap after the
 * write rounds (zapping present pages) is timed separately.  A measurement
 * is WRITE_ROUNDS or READ_ROUNDS rounds (a read fault costs less than a
 * write fault, which clears its page); REPS measurements of each kind are
 * made, write and read alternating, after one untimed warm-up round of each.
 *
 *   pagefault MIB WRITE_ROUNDS READ_ROUNDS REPS
 *     -> per measurement: "write|read rep R faults N ns_per_fault X
 *                          unmap_ns_per_page Y"
 *     -> last: "median write_ns X read_ns Y unmap_ns Z minflt_per_page M"
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stats.h"

#define PAGE 4096UL

struct result {
	double fault_ns;	/* per fault */
	double unmap_ns;	/* per page */
	long minflt;		/* minor faults counted by the kernel */
};

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* One round: map, touch every page, unmap.  Adds its times to @r. */
static int round_once(size_t len, int write, struct result *r)
{
	volatile char *p;
	unsigned long sum = 0;
	double t0, t1, t2;
	long f0;
	size_t off;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("pagefault: mmap");
		return -1;
	}
	/* 4 KiB faults only: the kernel may be built with THP always. */
	if (madvise((void *)p, len, MADV_NOHUGEPAGE)) {
		perror("pagefault: madvise");
		return -1;
	}
	f0 = minflt();
	t0 = now_us();
	if (write) {
		for (off = 0; off < len; off += PAGE)
			p[off] = 1;
	} else {
		for (off = 0; off < len; off += PAGE)
			sum += p[off];
	}
	t1 = now_us();
	r->minflt += minflt() - f0;
	munmap((void *)p, len);
	t2 = now_us();
	if (sum)
		return -1;	/* the zero page is not zero */
	r->fault_ns += (t1 - t0) * 1e3;
	r->unmap_ns += (t2 - t1) * 1e3;
	return 0;
}

static int measure(size_t len, unsigned int rounds, int write,
		   struct result *r)
{
	unsigned long pages = len / PAGE * rounds;
	unsigned int i;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < rounds; i++)
		if (round_once(len, write, r))
			return -1;
	r->fault_ns /= pages;
	r->unmap_ns /= pages;
	return 0;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	double *w, *rd, *un;
	long mib, rounds[2], reps, faults = 0, pages;
	struct result r;
	int i, k;

	if (argc != 5) {
		fprintf(stderr, "usage: pagefault MIB WRITE_ROUNDS READ_ROUNDS REPS\n");
		return 2;
	}
	mib = strtol(argv[1], NULL, 10);
	rounds[1] = strtol(argv[2], NULL, 10);
	rounds[0] = strtol(argv[3], NULL, 10);
	reps = strtol(argv[4], NULL, 10);
	if (mib < 1 || mib > 4096 || rounds[1] < 1 || rounds[1] > 100000 ||
	    rounds[0] < 1 || rounds[0] > 100000 || reps < 1 || reps > 1000) {
		fprintf(stderr, "pagefault: MIB 1-4096, ROUNDS 1-100000, REPS 1-1000\n");
		return 2;
	}
	w = calloc(reps, sizeof(*w));
	rd = calloc(reps, sizeof(*rd));
	un = calloc(reps, sizeof(*un));
	if (!w || !rd || !un)
		return 1;
	/* Warm-up: page tables, allocator caches, translated code. */
	if (measure(mib << 20, 1, 1, &r) || measure(mib << 20, 1, 0, &r))
		return 1;
	for (i = 0; i < reps; i++) {
		for (k = 1; k >= 0; k--) {
			if (measure(mib << 20, rounds[k], k, &r))
				return 1;
			faults += r.minflt;
			printf("%s rep %d faults %ld ns_per_fault %.1f unmap_ns_per_page %.1f\n",
			       k ? "write" : "read", i, r.minflt, r.fault_ns,
			       r.unmap_ns);
			if (k) {
				w[i] = r.fault_ns;
				un[i] = r.unmap_ns;
			} else {
				rd[i] = r.fault_ns;
			}
		}
	}
	pages = (mib << 20) / PAGE * (rounds[0] + rounds[1]) * reps;
	printf("median write_ns %.1f read_ns %.1f unmap_ns %.1f minflt_per_page %.3f\n",
	       median(w, reps), median(rd, reps), median(un, reps),
	       (double)faults / pages);
	return 0;
}
