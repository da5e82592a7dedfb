// SPDX-License-Identifier: GPL-2.0
/*
 * mmpath: workloads for the tests of the core mm paths of elastic memory
 * (tests/memory/28-*.sh, 29-*.sh).  Run stretched (elasticctl run) or
 * not; every page it checks carries a pattern of its address, a seed and
 * a generation, as memtouch's do.
 *
 *   mmpath locks SIZE SECONDS
 *	Fill SIZE, print "ready ADDR" and wait for a line on stdin (the test
 *	pushes the region away and cuts a member's link meanwhile).  Then one
 *	thread reads the region back (its faults pull, and wait for the
 *	member) while another, for SECONDS, maps and unmaps 64 KiB elsewhere
 *	and changes the protection of the region's last page, timing each
 *	call.  Print "max_ms MS calls N read_ms MS" (the slowest call, how
 *	many, how long the reading took) and "ok PAGES" or "bad PAGE".
 *   mmpath inflight SIZE SECONDS
 *	Fill SIZE, print "ready ADDR", then for SECONDS: make the region
 *	writable, write a new generation into every page, make it read-only
 *	again, and again (the test pushes the region all the while).  Then
 *	check that every page holds the last generation written to it:
 *	"ok PAGES rounds N", or "bad PAGE has GEN want GEN".
 *   mmpath bigmap SIZE TOUCH_MB
 *	Map SIZE in one mmap() (accounted: no MAP_NORESERVE), write and check
 *	the first TOUCH_MB MiB: "ok PAGES", or "mmap: ERROR".
 *   mmpath majflt SIZE
 *	Fill SIZE, print "ready ADDR", wait for a line on stdin (the test
 *	pushes the region away), read it back: "ok PAGES majflt N", with the
 *	major faults that reading took (getrusage()).
 *   mmpath signals SIZE PASSES USEC
 *	With a SIGALRM every USEC microseconds (a handler that counts them),
 *	fill SIZE, push it away itself (a netlink push runs in the caller:
 *	its sends meet the signals) and check it, PASSES times: "ok PAGES
 *	signals N pushed P", or "push: ERROR".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "elastic.h"

#define PAGE 4096UL

static uint64_t pattern(uint64_t addr, uint64_t seed, uint64_t gen)
{
	uint64_t x = addr ^ (seed << 32) ^ (gen * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 29);
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

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t size_arg(const char *s)
{
	char *end;
	uint64_t v = strtoull(s, &end, 10);

	if (*end == 'K' || *end == 'k')
		v <<= 10;
	else if (*end == 'M' || *end == 'm')
		v <<= 20;
	else if (*end == 'G' || *end == 'g')
		v <<= 30;
	return v & ~(PAGE - 1);
}

static char *fill(uint64_t bytes, uint64_t seed)
{
	char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	size_t p;

	if (b == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		exit(1);
	}
	for (p = 0; p < bytes / PAGE; p++)
		fill_page(b + p * PAGE, seed, 1);
	return b;
}

/* Print "ready ADDR" and wait for the test's line on stdin. */
static void ready(const char *b)
{
	char line[64];

	printf("ready %p\n", (void *)b);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		exit(1);
}

/* ---- locks ---- */

struct locks {
	char *b;
	size_t pages;
	pthread_barrier_t go;
	double until;
	double max;
	double read;
	unsigned long calls;
	long bad;
};

/* Another thread's mappings while the reader's faults wait for the member. */
static void *locks_mapper(void *arg)
{
	struct locks *l = arg;
	char *last;
	int prot = PROT_READ;
	double t, d;
	void *m;

	pthread_barrier_wait(&l->go);
	last = l->b + (l->pages - 1) * PAGE;
	while ((t = now()) < l->until) {
		m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED || munmap(m, 65536) ||
		    mprotect(last, PAGE, prot)) {
			perror("mmpath: mmap, munmap or mprotect");
			exit(1);
		}
		prot ^= PROT_WRITE;
		d = now() - t;
		if (d > l->max)
			l->max = d;
		l->calls++;
		usleep(2000);
	}
	mprotect(last, PAGE, PROT_READ | PROT_WRITE);
	return NULL;
}

static void *locks_reader(void *arg)
{
	struct locks *l = arg;
	double t;
	size_t p;

	pthread_barrier_wait(&l->go);
	t = now();
	l->bad = -1;
	for (p = 0; p < l->pages; p++)
		if (!page_ok(l->b + p * PAGE, 7, 1)) {
			l->bad = p;
			break;
		}
	l->read = now() - t;
	return NULL;
}

static int cmd_locks(uint64_t bytes, unsigned int seconds)
{
	struct locks l = { .pages = bytes / PAGE };
	pthread_t r, m;

	/*
	 * Everything but the region stays here (mlocked memory is never
	 * pushed): only the reader's faults may wait for the member, not
	 * the threads' start or the main thread's stack.
	 */
	pthread_barrier_init(&l.go, NULL, 3);
	pthread_create(&m, NULL, locks_mapper, &l);
	pthread_create(&r, NULL, locks_reader, &l);
	if (mlockall(MCL_CURRENT)) {
		perror("mmpath: mlockall");
		return 1;
	}
	l.b = fill(bytes, 7);
	ready(l.b);
	l.until = now() + seconds;
	pthread_barrier_wait(&l.go);
	pthread_join(r, NULL);
	pthread_join(m, NULL);
	printf("max_ms %.1f calls %lu read_ms %.0f\n", l.max * 1000, l.calls, l.read * 1000);
	if (l.bad >= 0) {
		printf("bad %ld\n", l.bad);
		return 1;
	}
	printf("ok %zu\n", l.pages);
	return 0;
}

/* ---- inflight ---- */

static int cmd_inflight(uint64_t bytes, unsigned int seconds)
{
	size_t pages = bytes / PAGE, p;
	uint64_t gen = 1, g;
	double until;
	char *b;

	b = fill(bytes, 11);
	printf("ready %p\n", (void *)b);
	fflush(stdout);
	until = now() + seconds;
	while (now() < until) {
		gen++;
		if (mprotect(b, bytes, PROT_READ | PROT_WRITE))
			return perror("mmpath: mprotect"), 1;
		for (p = 0; p < pages; p++)
			fill_page(b + p * PAGE, 11, gen);
		if (mprotect(b, bytes, PROT_READ))
			return perror("mmpath: mprotect"), 1;
		usleep(1000);
	}
	for (p = 0; p < pages; p++) {
		if (page_ok(b + p * PAGE, 11, gen))
			continue;
		for (g = 1; g < gen && !page_ok(b + p * PAGE, 11, g); g++)
			;
		printf("bad %zu has %llu want %llu\n", p, g < gen ? (unsigned long long)g : 0ULL,
		       (unsigned long long)gen);
		return 1;
	}
	printf("ok %zu rounds %llu\n", pages, (unsigned long long)gen - 1);
	return 0;
}

/* ---- bigmap ---- */

static int cmd_bigmap(uint64_t bytes, uint64_t touch)
{
	size_t p, pages;
	char *b;

	b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED) {
		printf("mmap: %s\n", strerror(errno));
		return 1;
	}
	pages = (touch < bytes ? touch : bytes) / PAGE;
	for (p = 0; p < pages; p++)
		fill_page(b + p * PAGE, 13, 1);
	for (p = 0; p < pages; p++)
		if (!page_ok(b + p * PAGE, 13, 1)) {
			printf("bad %zu\n", p);
			return 1;
		}
	printf("ok %zu\n", pages);
	return 0;
}

/* ---- majflt ---- */

static int cmd_majflt(uint64_t bytes)
{
	size_t pages = bytes / PAGE, p;
	struct rusage r0, r1;
	char *b;

	b = fill(bytes, 17);
	ready(b);
	getrusage(RUSAGE_SELF, &r0);
	for (p = 0; p < pages; p++)
		if (!page_ok(b + p * PAGE, 17, 1)) {
			printf("bad %zu\n", p);
			return 1;
		}
	getrusage(RUSAGE_SELF, &r1);
	printf("ok %zu majflt %ld\n", pages, r1.ru_majflt - r0.ru_majflt);
	return 0;
}

/* ---- signals ---- */

static volatile sig_atomic_t signals;

static void on_alarm(int sig)
{
	signals++;
}

static int cmd_signals(uint64_t bytes, unsigned int passes, unsigned int usec)
{
	struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
	struct itimerval it = { { 0, usec }, { 0, usec } };
	size_t pages = bytes / PAGE, p;
	uint64_t pushed = 0;
	unsigned int gen;
	char *b;

	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	b = fill(bytes, 19);
	for (gen = 1; gen <= passes; gen++) {
		struct elastic_client *c;
		uint64_t n = 0;
		int ret;

		if (gen > 1)
			for (p = 0; p < pages; p++)
				fill_page(b + p * PAGE, 19, gen);
		ret = elastic_open(&c);
		if (!ret) {
			ret = elastic_process_push(c, getpid(), 0, pages, &n);
			elastic_close(c);
		}
		if (ret) {
			printf("push: %s\n", strerror(-ret));
			return 1;
		}
		pushed += n;
		for (p = 0; p < pages; p++)
			if (!page_ok(b + p * PAGE, 19, gen)) {
				printf("bad %zu pass %u\n", p, gen);
				return 1;
			}
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	printf("ok %zu signals %ld pushed %llu\n", pages, (long)signals,
	       (unsigned long long)pushed);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: mmpath locks SIZE SECONDS | inflight SIZE SECONDS |\n"
		"       bigmap SIZE TOUCH_MB | majflt SIZE | signals SIZE PASSES USEC\n");
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(argv[1], "locks"))
		return cmd_locks(size_arg(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "inflight"))
		return cmd_inflight(size_arg(argv[2]), atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "bigmap"))
		return cmd_bigmap(size_arg(argv[2]), (uint64_t)atoi(argv[3]) << 20);
	if (argc == 3 && !strcmp(argv[1], "majflt"))
		return cmd_majflt(size_arg(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "signals"))
		return cmd_signals(size_arg(argv[2]), atoi(argv[3]), atoi(argv[4]));
	return usage();
}
