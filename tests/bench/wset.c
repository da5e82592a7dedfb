// SPDX-License-Identifier: GPL-2.0
/*
 * wset: a working set larger than the home's RAM, for the comparison of
 * elastic memory with swap over NBD (scripts/bench-swap).
 *
 *   wset [-d DEV] SIZE SEED PHASE...
 *	maps SIZE (bytes, or with K, M or G) of private anonymous memory and
 *	writes every page (not timed), then runs each PHASE in turn, timed:
 *	  seq:N   N passes in address order: each page is read and verified,
 *	          then rewritten with its next generation;
 *	  rand:N  N touches of pages drawn from a generator seeded with SEED,
 *	          uniformly over the whole region: read, verify, rewrite;
 *	  read:N  N passes in address order that only read and verify;
 *	  fork    forks: the child runs the phases that follow (its lines
 *	          begin with "child-"), the parent waits for it, idle, and
 *	          prints "fork s S status X" (S: the child's whole life).
 *	Prints "fill pages P s S ...", then one line per phase:
 *	"seq pages P touches T s S bad B rss_mib R in I out O in_req Q
 *	out_req W" (or "rand ..."); exits 1 when a page was wrong.  R is the
 *	process's resident anonymous memory at the end of the phase; I and O
 *	count the pages brought in and sent out during it, Q and W the
 *	messages or requests that carried them: for a stretched process its
 *	PULL and PUSH messages (/proc/self/elastic: pull_msgs, push_msgs), with
 *	-d DEV the sectors and requests that block device DEV (the swap
 *	device, e.g. nbd0) read and wrote (/sys/block/DEV/stat), else 0.
 *
 * Every word of a page is checked against a value derived from the page's
 * address, the seed and the page's generation, and none of them is zero:
 * a zero page or a stale copy never passes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "elastic.h"

#define PAGE 4096UL
#define WORDS (PAGE / 8)

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 32;
	return x;
}

/* One hash per page, then a cheap step per word: the work is memory's. */
static uint64_t page_base(const char *p, uint64_t seed, uint32_t gen)
{
	return mix((uintptr_t)p ^ (seed * 0x9e3779b97f4a7c15ULL) ^
		   ((uint64_t)gen * 0xc2b2ae3d27d4eb4fULL));
}

static void fill_page(char *p, uint64_t seed, uint32_t gen)
{
	uint64_t *q = (uint64_t *)p, b = page_base(p, seed, gen);
	size_t w;

	for (w = 0; w < WORDS; w++)
		q[w] = (b ^ (w * 0x9e3779b97f4a7c15ULL)) | 1;
}

static int page_ok(const char *p, uint64_t seed, uint32_t gen)
{
	const uint64_t *q = (const uint64_t *)p;
	uint64_t b = page_base(p, seed, gen), bad = 0;
	size_t w;

	for (w = 0; w < WORDS; w++)
		bad |= q[w] ^ ((b ^ (w * 0x9e3779b97f4a7c15ULL)) | 1);
	return !bad;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* xorshift64*: the same sequence for a seed on every run. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/*
 * Read and verify page @p, and rewrite it unless @ro; returns 1 when it
 * was wrong.
 */
static int touch(char *b, uint32_t *gen, size_t p, uint64_t seed, int ro)
{
	char *a = b + p * PAGE;
	int bad = !page_ok(a, seed, gen[p]);

	if (!ro)
		fill_page(a, seed, ++gen[p]);
	return bad;
}

/* Reads the number in the line "@key: VALUE" (or "@key VALUE") of @path. */
static int file_value(const char *path, const char *key, uint64_t *v)
{
	size_t len = strlen(key);
	char line[256];
	int ret = -1;
	FILE *f;

	*v = 0;
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && (line[len] == ':' || line[len] == ' ')) {
			*v = strtoull(line + len + 1, NULL, 10);
			ret = 0;
			break;
		}
	fclose(f);
	return ret;
}

struct traffic {
	uint64_t in, out, in_req, out_req;
};

static const char *swap_dev;
/* "child-" in a child made by the fork phase: its lines say so. */
static const char *child = "";

static void traffic_now(struct traffic *t)
{
	unsigned long long st[7] = { 0 };
	char path[128];
	FILE *f;

	memset(t, 0, sizeof(*t));
	/* Only a stretched process has these lines. */
	if (!file_value("/proc/self/elastic", "pulls", &t->in) &&
	    !file_value("/proc/self/elastic", "pushes", &t->out)) {
		/* Kernels before wire v2 sent one page per message. */
		if (file_value("/proc/self/elastic", "pull_msgs", &t->in_req) ||
		    file_value("/proc/self/elastic", "push_msgs", &t->out_req)) {
			t->in_req = t->in;
			t->out_req = t->out;
		}
		return;
	}
	if (!swap_dev)
		return;
	/* reads, merged, sectors, ticks, writes, merged, sectors, ... */
	snprintf(path, sizeof(path), "/sys/block/%s/stat", swap_dev);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &st[0], &st[1], &st[2],
			 &st[3], &st[4], &st[5], &st[6]) != 7) {
		fprintf(stderr, "wset: cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	t->in_req = st[0];
	t->in = st[2] / 8;
	t->out_req = st[4];
	t->out = st[6] / 8;
}

/* Ends a line begun by the caller with what the phase since @t0 moved. */
static void report(const struct traffic *t0)
{
	struct traffic t;
	uint64_t rss;

	traffic_now(&t);
	file_value("/proc/self/status", "RssAnon", &rss);
	printf(" rss_mib %llu in %llu out %llu in_req %llu out_req %llu\n",
	       (unsigned long long)rss >> 10,
	       (unsigned long long)(t.in - t0->in), (unsigned long long)(t.out - t0->out),
	       (unsigned long long)(t.in_req - t0->in_req),
	       (unsigned long long)(t.out_req - t0->out_req));
	fflush(stdout);
}

static int usage(void)
{
	fprintf(stderr, "usage: wset [-d DEV] SIZE SEED seq:PASSES|rand:TOUCHES|read:PASSES|fork...\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t bytes, seed, i, s, bad_all = 0;
	uint32_t n;
	size_t pages, p;
	struct traffic tr;
	uint32_t *gen;
	double t0;
	char *b;
	int a;

	while ((a = getopt(argc, argv, "+d:")) != -1) {
		if (a != 'd' || strchr(optarg, '/'))
			return usage();
		swap_dev = optarg;
	}
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 4 || elastic_parse_size(argv[1], &bytes) || bytes < PAGE ||
	    elastic_parse_size(argv[2], &seed))
		return usage();
	for (a = 3; a < argc; a++)
		if (strcmp(argv[a], "fork") &&
		    ((strncmp(argv[a], "seq:", 4) && strncmp(argv[a], "rand:", 5) &&
		      strncmp(argv[a], "read:", 5)) ||
		     elastic_parse_u32(strchr(argv[a], ':') + 1, 1, UINT32_MAX, &n)))
			return usage();
	pages = bytes / PAGE;
	b = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	gen = calloc(pages, sizeof(*gen));
	if (b == MAP_FAILED || !gen) {
		perror("wset: mmap");
		return 1;
	}
	traffic_now(&tr);
	t0 = now_s();
	for (p = 0; p < pages; p++)
		fill_page(b + p * PAGE, seed, ++gen[p]);
	printf("fill pages %zu s %.3f", pages, now_s() - t0);
	report(&tr);

	s = seed * 0x9e3779b97f4a7c15ULL | 1;
	for (a = 3; a < argc; a++) {
		uint64_t bad = 0, touches;
		int ro = !strncmp(argv[a], "read:", 5), seq = ro || argv[a][0] == 's';
		const char *name = seq ? ro ? "read" : "seq" : "rand";

		if (!strcmp(argv[a], "fork")) {
			int status;
			pid_t pid;

			fflush(stdout);
			t0 = now_s();
			pid = fork();
			if (pid < 0) {
				perror("wset: fork");
				return 1;
			}
			if (!pid) {
				child = "child-";
				continue;
			}
			if (waitpid(pid, &status, 0) != pid) {
				perror("wset: waitpid");
				return 1;
			}
			printf("fork s %.3f status %d\n", now_s() - t0,
			       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
			return bad_all != 0 || status;
		}
		elastic_parse_u32(strchr(argv[a], ':') + 1, 1, UINT32_MAX, &n);
		touches = seq ? n * pages : n;
		traffic_now(&tr);
		t0 = now_s();
		for (i = 0; i < touches; i++)
			bad += touch(b, gen, seq ? i % pages : next_rand(&s) % pages, seed, ro);
		printf("%s%s pages %zu touches %llu s %.3f bad %llu", child, name,
		       pages, (unsigned long long)touches, now_s() - t0,
		       (unsigned long long)bad);
		report(&tr);
		bad_all += bad;
	}
	return bad_all != 0;
}
