// SPDX-License-Identifier: GPL-2.0
/*
 * memtouch: a workload for elastic memory tests, run inside a node.
 *
 *   memtouch fill SIZE SEED [PASSES [MIB_PER_S]]
 *	map SIZE of private anonymous memory, write a pattern derived from
 *	each word's address, the seed and the pass, verify it, PASSES times
 *	(default 2); print "ok PAGES" or "bad PAGE" and exit 0 or 1.  With
 *	MIB_PER_S, the first pass writes at that rate at most (a process
 *	that grows slowly).
 *   memtouch keep SIZE SEED
 *	fill SIZE once, print "ready", wait for a line on stdin, verify and
 *	print "ok PAGES" or "bad PAGE".  With MEMTOUCH_SPARE=N in the
 *	environment, N more pages follow SIZE in the same mapping, never
 *	touched; "spare ADDR" before "ready" says where they start.
 *   memtouch threads SIZE SEED PASSES THREADS
 *	the same with THREADS threads: three quarters of the region is split
 *	into one slice per thread, the last quarter is shared: in each of its
 *	pages thread t writes the words w with w % THREADS == t, so several
 *	threads fault on and write one page at once.  After each pass every
 *	thread checks its slice and every word of the shared pages (the
 *	other threads' writes too).
 *   memtouch hold SIZE SEED NODE...
 *	stretch itself over the nodes, map one region per NODE, fill them,
 *	push each region's pages to its node, print "ready", wait for a line
 *	on stdin, then read every page with SIGBUS caught and print
 *	"ok N sigbus N bad N" followed by each region's counts.
 *
 * A zero page or a stale copy never matches the pattern.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elastic.h"

#define PAGE 4096UL

static uint64_t pattern(uintptr_t a, uint64_t seed, uint64_t gen)
{
	uint64_t x = a ^ (seed * 0x9e3779b97f4a7c15ULL) ^ (gen * 0xc2b2ae3d27d4eb4fULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x | 1;
}

static void fill_page(char *p, uint64_t seed, uint64_t gen)
{
	uint64_t *q = (uint64_t *)p;
	size_t w;

	for (w = 0; w < PAGE / 8; w++)
		q[w] = pattern((uintptr_t)p + w * 8, seed, gen);
}

static int page_ok(const char *p, uint64_t seed, uint64_t gen)
{
	const uint64_t *q = (const uint64_t *)p;
	size_t w;

	for (w = 0; w < PAGE / 8; w++)
		if (q[w] != pattern((uintptr_t)p + w * 8, seed, gen))
			return 0;
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: memtouch fill SIZE SEED [PASSES [MIB_PER_S]] | memtouch keep SIZE SEED |\n"
		"       memtouch threads SIZE SEED PASSES THREADS | memtouch hold SIZE SEED NODE...\n");
	return 2;
}

static char *map(uint64_t bytes)
{
	char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (b == MAP_FAILED) {
		perror("memtouch: mmap");
		exit(1);
	}
	return b;
}

static int cmd_fill(uint64_t bytes, uint64_t seed, unsigned int passes, unsigned int rate)
{
	size_t pages = bytes / PAGE, p;
	char *b = map(bytes);
	unsigned int gen;

	for (gen = 1; gen <= passes; gen++) {
		for (p = 0; p < pages; p++) {
			fill_page(b + p * PAGE, seed, gen);
			/* A MiB at a time: 256 pages, then 1/rate s. */
			if (gen == 1 && rate && p % 256 == 255)
				usleep(1000000 / rate);
		}
		for (p = 0; p < pages; p++)
			if (!page_ok(b + p * PAGE, seed, gen)) {
				printf("bad %zu pass %u\n", p, gen);
				return 1;
			}
	}
	printf("ok %zu\n", pages);
	return 0;
}

struct tctx {
	pthread_t tid;
	pthread_barrier_t *bar;
	char *slice, *shared;
	size_t slice_pages, shared_pages;
	uint64_t seed;
	unsigned int t, threads, passes;
	long bad;
};

static void *thread_main(void *arg)
{
	struct tctx *x = arg;
	size_t p, i, w;
	unsigned int gen;

	for (gen = 1; gen <= x->passes; gen++) {
		for (p = 0; p < x->slice_pages; p++)
			fill_page(x->slice + p * PAGE, x->seed, gen);
		/* Start at different pages so that threads meet on each page. */
		for (i = 0; i < x->shared_pages; i++) {
			uint64_t *q;

			p = (i + x->t * x->shared_pages / x->threads) % x->shared_pages;
			q = (uint64_t *)(x->shared + p * PAGE);
			for (w = x->t; w < PAGE / 8; w += x->threads)
				q[w] = pattern((uintptr_t)&q[w], x->seed, gen);
		}
		pthread_barrier_wait(x->bar);
		for (p = 0; p < x->slice_pages; p++)
			if (!page_ok(x->slice + p * PAGE, x->seed, gen))
				x->bad++;
		for (p = 0; p < x->shared_pages; p++)
			if (!page_ok(x->shared + p * PAGE, x->seed, gen))
				x->bad++;
		pthread_barrier_wait(x->bar);
	}
	return NULL;
}

static int cmd_threads(uint64_t bytes, uint64_t seed, unsigned int passes,
		       unsigned int threads)
{
	size_t pages = bytes / PAGE, shared = pages / 4, slice = (pages - shared) / threads;
	pthread_barrier_t bar;
	struct tctx x[64];
	char *b = map(bytes);
	unsigned int t;
	long bad = 0;

	if (!slice || !shared)
		return usage();
	pthread_barrier_init(&bar, NULL, threads);
	for (t = 0; t < threads; t++) {
		x[t] = (struct tctx){ .bar = &bar, .slice = b + t * slice * PAGE,
			.shared = b + (pages - shared) * PAGE, .slice_pages = slice,
			.shared_pages = shared, .seed = seed, .t = t,
			.threads = threads, .passes = passes };
		if (pthread_create(&x[t].tid, NULL, thread_main, &x[t])) {
			perror("memtouch: pthread_create");
			return 1;
		}
	}
	for (t = 0; t < threads; t++) {
		pthread_join(x[t].tid, NULL);
		bad += x[t].bad;
	}
	if (bad) {
		printf("bad %ld\n", bad);
		return 1;
	}
	printf("ok %zu threads %u\n", slice * threads + shared, threads);
	return 0;
}

static int cmd_keep(uint64_t bytes, uint64_t seed)
{
	const char *sp = getenv("MEMTOUCH_SPARE");
	size_t pages = bytes / PAGE, p, spare = sp ? strtoul(sp, NULL, 0) : 0;
	char *b = map(bytes + spare * PAGE), line[16];

	for (p = 0; p < pages; p++)
		fill_page(b + p * PAGE, seed, 1);
	/* Pages no one touches here, for tests of first touches elsewhere. */
	if (spare)
		printf("spare %p\n", (void *)(b + bytes));
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	for (p = 0; p < pages; p++)
		if (!page_ok(b + p * PAGE, seed, 1)) {
			printf("bad %zu\n", p);
			return 1;
		}
	printf("ok %zu\n", pages);
	return 0;
}

static sigjmp_buf bus_jmp;

static void on_bus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static int cmd_hold(uint64_t bytes, uint64_t seed, int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_bus };
	size_t pages = bytes / PAGE, p;
	long ok = 0, bus = 0, bad = 0;
	long r_ok[64] = {}, r_bus[64] = {};
	struct elastic_client *c;
	uint32_t node[64];
	uint64_t nodes = 0, pushed;
	char *b[64], line[16];
	int n = argc, i, ret;

	if (n > 64)
		return usage();
	for (i = 0; i < n; i++) {
		if (elastic_parse_u32(argv[i], 1, 63, &node[i]))
			return usage();
		nodes |= 1ULL << node[i];
	}
	ret = elastic_open(&c);
	if (!ret)
		ret = elastic_process_stretch(c, getpid(), nodes, 0);
	if (ret) {
		fprintf(stderr, "memtouch: stretch: %s %s\n", strerror(-ret), c ? elastic_last_error(c) : "");
		return 1;
	}
	for (i = 0; i < n; i++) {
		b[i] = map(bytes);
		for (p = 0; p < pages; p++)
			fill_page(b[i] + p * PAGE, seed + i, 1);
	}
	/*
	 * Each region to its own node, and nothing else anywhere: everything
	 * is locked (locked pages stay local), new mappings too, then each
	 * region in turn is unlocked and pushed.  (Locking a pushed region
	 * again would fault it back in.)
	 */
	if (mlockall(MCL_CURRENT | MCL_FUTURE)) {
		perror("memtouch: mlockall");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (munlock(b[i], bytes)) {
			perror("memtouch: munlock");
			return 1;
		}
		ret = elastic_process_push(c, getpid(), node[i], 1UL << 30, &pushed);
		if (!ret && pushed != pages) {
			fprintf(stderr, "memtouch: pushed %llu of %zu pages to %u\n",
				(unsigned long long)pushed, pages, node[i]);
			return 1;
		}
		if (ret) {
			fprintf(stderr, "memtouch: push to %u: %s\n", node[i], strerror(-ret));
			return 1;
		}
	}
	munlockall();
	elastic_close(c);
	printf("ready\n");
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < n; i++) {
		for (p = 0; p < pages; p++) {
			volatile int faulted = 0;

			if (sigsetjmp(bus_jmp, 1))
				faulted = 1;
			if (faulted) {
				bus++;
				r_bus[i]++;
				continue;
			}
			if (page_ok(b[i] + p * PAGE, seed + i, 1)) {
				ok++;
				r_ok[i]++;
			} else {
				bad++;
			}
		}
	}
	printf("ok %ld sigbus %ld bad %ld\n", ok, bus, bad);
	for (i = 0; i < n; i++)
		printf("node %u ok %ld sigbus %ld\n", node[i], r_ok[i], r_bus[i]);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	uint64_t bytes, seed;
	uint32_t passes = 2;

	if (argc < 4 || elastic_parse_size(argv[2], &bytes) || bytes < PAGE ||
	    elastic_parse_size(argv[3], &seed))
		return usage();
	bytes &= ~(PAGE - 1);
	if (!strcmp(argv[1], "fill")) {
		uint32_t rate = 0;

		if (argc > 6 || (argc >= 5 && elastic_parse_u32(argv[4], 1, 100, &passes)) ||
		    (argc == 6 && elastic_parse_u32(argv[5], 1, 1000, &rate)))
			return usage();
		return cmd_fill(bytes, seed, passes, rate);
	}
	if (!strcmp(argv[1], "keep") && argc == 4)
		return cmd_keep(bytes, seed);
	if (!strcmp(argv[1], "threads")) {
		uint32_t threads;

		if (argc != 6 || elastic_parse_u32(argv[4], 1, 100, &passes) ||
		    elastic_parse_u32(argv[5], 1, 64, &threads))
			return usage();
		return cmd_threads(bytes, seed, passes, threads);
	}
	if (!strcmp(argv[1], "hold") && argc >= 5)
		return cmd_hold(bytes, seed, argc - 4, argv + 4);
	return usage();
}
