// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of elastic memory, run as root on the home node of a cluster whose
 * nodes are all members of each other (scripts/check runs it on node 1 of
 * the memory suite's cluster, after tests/memory/lib.sh's mem_prepare;
 * ELASTIC_MEMBERS names the other members, default "2,3").
 *
 * Every page checked carries a pattern derived from its address, a seed and
 * a generation, so a zero page, a stale copy or a page from elsewhere in
 * the region never passes.  The process stretches itself, pushes its pages
 * to members and reads or writes them back through ordinary faults, forks,
 * munmap, mremap, madvise, /proc/self/mem, process_vm_readv, core dumps,
 * userfaultfd, MADV_COLLAPSE, mlock and O_DIRECT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <elf.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/elastic.h>
#include <linux/loop.h>
#include <linux/userfaultfd.h>

#include "elastic.h"
#include "kselftest_harness.h"
#include "node_state.h"

/*
 * Pages cross an emulated network here: seconds per test under TCG, far
 * more with KASAN (make check-debug).  The harness's 30 s would cut them.
 */
#undef TEST_TIMEOUT_DEFAULT
#define TEST_TIMEOUT_DEFAULT 900

#define PAGE 4096UL
#define WORDS (PAGE / sizeof(uint64_t))
/* More pages than any test maps: push every anonymous page there is. */
#define ALL (1UL << 20)

static uint64_t members(void)
{
	const char *s = getenv("ELASTIC_MEMBERS");
	uint64_t b = 0;

	if (elastic_parse_nodes(s ? s : "2,3", &b))
		return 0;
	return b;
}

static int first_member(void)
{
	uint64_t b = members();
	int i;

	for (i = 1; i < 64; i++)
		if (b & (1ULL << i))
			return i;
	return 0;
}

/* The value of the word at address a: any change of a, seed or gen changes it. */
static uint64_t pattern(uintptr_t a, uint64_t seed, uint64_t gen)
{
	uint64_t x = a ^ (seed * 0x9e3779b97f4a7c15ULL) ^ (gen * 0xc2b2ae3d27d4eb4fULL);

	x ^= x >> 31;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 29;
	return x | 1;	/* never zero */
}

/* Fill pages [first, first + n) of the region at base; addresses taken from orig. */
static void fill(char *base, uintptr_t orig, size_t first, size_t n, uint64_t seed, uint64_t gen)
{
	size_t p, w;

	for (p = first; p < first + n; p++) {
		uint64_t *q = (uint64_t *)(base + p * PAGE);

		for (w = 0; w < WORDS; w++)
			q[w] = pattern(orig + p * PAGE + w * 8, seed, gen);
	}
}

/* Index of the first wrong page, or -1 when all n pages hold generation gen. */
static long check(const char *base, uintptr_t orig, size_t first, size_t n, uint64_t seed,
		  uint64_t gen)
{
	size_t p, w;

	for (p = first; p < first + n; p++) {
		const uint64_t *q = (const uint64_t *)(base + p * PAGE);

		for (w = 0; w < WORDS; w++)
			if (q[w] != pattern(orig + p * PAGE + w * 8, seed, gen))
				return p;
	}
	return -1;
}

/* Read a small file whole into buf (NUL-terminated); -1 on failure. */
static int slurp(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/* Value of "key:" in /proc/self/elastic. */
static long proc_value(const char *key)
{
	char buf[2048], *p;
	size_t k = strlen(key);

	if (slurp("/proc/self/elastic", buf, sizeof(buf)) < 0)
		return -1;
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, k) && p[k] == ':')
			return strtol(p + k + 1, NULL, 10);
	return -1;
}

/* Pages on node id according to the "pages_on_node:" line. */
static long pages_on(int id)
{
	char buf[2048], pat[16], *p;

	if (slurp("/proc/self/elastic", buf, sizeof(buf)) < 0)
		return -1;
	p = strstr(buf, "pages_on_node:");
	if (!p)
		return -1;
	snprintf(pat, sizeof(pat), "%d:", id);
	for (p += 14; *p && *p != '\n'; p++)
		if ((p[-1] == '\t' || p[-1] == ' ') && !strncmp(p, pat, strlen(pat)))
			return strtol(p + strlen(pat), NULL, 10);
	return 0;
}

/* Wait up to 5 s for this node's remote_pages to drop to at most want. */
static long wait_remote_pages(long want)
{
	long v = -1;
	int i;

	for (i = 0; i < 100; i++) {
		v = counter("remote_pages");
		if (v <= want)
			break;
		usleep(50000);
	}
	return v;
}

/*
 * Pages of [base, base + pages * PAGE) that are remote: /proc/self/pagemap
 * shows them as swap entries (bit 62) whose type is not a swap device's.
 */
static long region_remote(const char *base, size_t pages)
{
	uint64_t *e = calloc(pages, sizeof(*e));
	long n = 0;
	size_t i;
	int fd;

	if (!e)
		return -1;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, e, pages * 8, (uintptr_t)base / PAGE * 8) != (ssize_t)(pages * 8))
		n = -1;
	for (i = 0; n >= 0 && i < pages; i++)
		n += (e[i] >> 62) & 1;
	if (fd >= 0)
		close(fd);
	free(e);
	return n;
}

static int stretch_self(uint64_t limit_pages)
{
	struct elastic_client *c;
	int ret = elastic_open(&c);

	if (ret)
		return ret;
	ret = elastic_process_stretch(c, getpid(), members(), limit_pages);
	elastic_close(c);
	return ret;
}

static long push_self(uint32_t node, uint64_t pages)
{
	struct elastic_client *c;
	uint64_t pushed = 0;
	int ret = elastic_open(&c);

	if (ret)
		return ret;
	ret = elastic_process_push(c, getpid(), node, pages, &pushed);
	elastic_close(c);
	return ret ? ret : (long)pushed;
}

static long unstretch_self(void)
{
	struct elastic_client *c;
	uint64_t pulled = 0;
	int ret = elastic_open(&c);

	if (ret)
		return ret;
	ret = elastic_process_unstretch(c, getpid(), &pulled);
	elastic_close(c);
	return ret ? ret : (long)pulled;
}

/* 1 when /proc/self/elastic says "stretched: yes", 0 for no, -1 unreadable. */
static int stretched(void)
{
	char buf[2048];

	if (slurp("/proc/self/elastic", buf, sizeof(buf)) < 0)
		return -1;
	return strstr(buf, "stretched:\tyes\n") != NULL;
}

/*
 * A stretched region of @pages pages, filled (generation 1), every page of
 * it on a member; NULL if that could not be arranged.  @align: a power of
 * two the address is aligned to (0: a page).
 */
static char *remote_region(size_t pages, uint64_t seed, size_t align)
{
	size_t len = pages * PAGE + align;
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b;

	if (m == MAP_FAILED)
		return NULL;
	b = align ? (char *)(((uintptr_t)m + align - 1) & ~(align - 1)) : m;
	fill(b, (uintptr_t)b, 0, pages, seed, 1);
	if (stretch_self(0) || push_self(0, ALL) < (long)pages ||
	    region_remote(b, pages) != (long)pages)
		return NULL;
	return b;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
	close(fd);
	return ok ? 0 : -1;
}

FIXTURE(region) {
	char *base;
	size_t pages;
	uint64_t seed;
	long remote0;
};

FIXTURE_VARIANT(region) {
	size_t mib;
};

FIXTURE_VARIANT_ADD(region, small) {
	.mib = 4,
};

FIXTURE_VARIANT_ADD(region, medium) {
	.mib = 24,
};

FIXTURE_SETUP(region)
{
	ASSERT_NE(0, members()) TH_LOG("ELASTIC_MEMBERS is not a node list");
	self->pages = variant->mib * 256;
	self->seed = getpid() * 7919ULL + variant->mib;
	/* The previous test's pages are freed in the background: let them go. */
	self->remote0 = wait_remote_pages(0);
	ASSERT_LE(0, self->remote0);
	ASSERT_EQ(0, stretch_self(0));
	self->base = mmap(NULL, self->pages * PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->base);
	fill(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1);
}

FIXTURE_TEARDOWN(region)
{
	if (self->base)
		munmap(self->base, self->pages * PAGE);
}

/* Every page goes to one member and comes back, intact, on access. */
TEST_F(region, push_and_read_back)
{
	int to = first_member();

	ASSERT_LE((long)self->pages, push_self(to, ALL));
	EXPECT_EQ((long)self->pages, region_remote(self->base, self->pages));
	EXPECT_LE((long)self->pages, pages_on(to));
	EXPECT_LE(self->remote0 + (long)self->pages, counter("remote_pages"));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1));
	EXPECT_EQ(0, region_remote(self->base, self->pages));
	EXPECT_LE((long)self->pages, proc_value("pulls"));
	/* check() reads in address order: most pages were pulled ahead. */
	EXPECT_LE((long)self->pages / 2, proc_value("prefetch_hits"));
}

/* Writes to remote pages pull them first: no write is lost, no page zeroed. */
TEST_F(region, write_after_push)
{
	size_t p;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	for (p = 0; p < self->pages; p += 2)
		fill(self->base, (uintptr_t)self->base, p, 1, self->seed, 2);
	for (p = 0; p < self->pages; p++)
		ASSERT_EQ(-1, check(self->base, (uintptr_t)self->base, p, 1, self->seed,
				    p % 2 ? 1 : 2)) TH_LOG("page %zu", p);
}

/* Without a target the pages spread over every member. */
TEST_F(region, spread_over_members)
{
	uint64_t b = members();
	int i, used = 0, want = 0;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	for (i = 1; i < 64; i++) {
		if (!(b & (1ULL << i)) || i == (int)tunable("node_id"))
			continue;
		want++;
		used += pages_on(i) > 0;
	}
	EXPECT_EQ(want, used);
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1));
}

/* A pushed page read twice, and pushed again, stays itself. */
TEST_F(region, push_twice)
{
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1));
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1));
}

/*
 * fork shares remote pages copy-on-write: parent and child each see their
 * own writes and the other's never, and the child is stretched too.
 */
TEST_F(region, fork_cow)
{
	size_t half = self->pages / 2;
	int status;
	pid_t pid;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		if (region_remote(self->base, self->pages) != (long)self->pages)
			_exit(10);
		fill(self->base, (uintptr_t)self->base, 0, half, self->seed, 3);
		if (check(self->base, (uintptr_t)self->base, 0, half, self->seed, 3) != -1)
			_exit(11);
		if (check(self->base, (uintptr_t)self->base, half, self->pages - half,
			  self->seed, 1) != -1)
			_exit(12);
		/* The child pushes too: it is stretched as its parent is. */
		if (push_self(0, ALL) < (long)half)
			_exit(13);
		if (check(self->base, (uintptr_t)self->base, 0, half, self->seed, 3) != -1)
			_exit(14);
		_exit(0);
	}
	fill(self->base, (uintptr_t)self->base, half, self->pages - half, self->seed, 4);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, half, self->seed, 1));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, half, self->pages - half,
			    self->seed, 4));
}

/*
 * A page that fork shares between parent and child is pushed once, for
 * both: the child's push moves the pages it shares with its parent, the
 * parent's mappings become the same remote entries (one copy on the
 * member, not two), and each reads its data back as its own private
 * copy afterwards: a write by one is never seen by the other.
 */
TEST_F(region, fork_shared_push)
{
	size_t half = self->pages / 2;
	int to_child[2], to_parent[2], status;
	long pushed, held;
	char c = 0;
	pid_t pid;

	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	ASSERT_EQ(0, region_remote(self->base, self->pages));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pushed = push_self(0, ALL);
		c = pushed < (long)self->pages ? 20 :
		    region_remote(self->base, self->pages) != (long)self->pages ? 21 : 0;
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(22);
		if (check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1) != -1)
			_exit(23);
		if (write(to_parent[1], &c, 1) != 1 || read(to_child[0], &c, 1) != 1)
			_exit(24);
		/* The parent wrote its half meanwhile: not here. */
		if (check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1) != -1)
			_exit(25);
		_exit(c);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, c) TH_LOG("the child's push did not move its shared pages (%d)", c);
	/* The parent's mappings of the shared pages went remote with the child's. */
	EXPECT_EQ((long)self->pages, region_remote(self->base, self->pages));
	/* One copy of each on the members: the slot is shared, as a swap slot is. */
	held = counter("remote_pages") - self->remote0;
	EXPECT_LE((long)self->pages, held);
	EXPECT_GT((long)(self->pages + self->pages / 2), held);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	fill(self->base, (uintptr_t)self->base, 0, half, self->seed, 2);
	ASSERT_EQ(1, write(to_child[1], &c, 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, half, self->seed, 2));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, half, self->pages - half,
			    self->seed, 1));
}

/* munmap of remote pages frees them on their members. */
TEST_F(region, munmap_frees)
{
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	ASSERT_EQ(0, munmap(self->base, self->pages * PAGE));
	self->base = NULL;
	/* Only pages outside the region (stack, heap) may still be remote. */
	EXPECT_GE(self->remote0 + 64, wait_remote_pages(self->remote0 + 64));
}

/* MADV_DONTNEED drops remote pages as it drops local ones: zeros after. */
TEST_F(region, dontneed)
{
	size_t half = self->pages / 2, p;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	ASSERT_EQ(0, madvise(self->base, half * PAGE, MADV_DONTNEED));
	for (p = 0; p < half * PAGE; p += 512)
		ASSERT_EQ(0, self->base[p]);
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, half, self->pages - half,
			    self->seed, 1));
}

/* mremap moves remote entries with the mapping; the data follows. */
TEST_F(region, mremap_moves)
{
	size_t len = self->pages * PAGE;
	uintptr_t orig = (uintptr_t)self->base;
	char *dst, *moved;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, dst);
	moved = mremap(self->base, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, moved);
	self->base = moved;
	EXPECT_EQ((long)self->pages, region_remote(moved, self->pages));
	EXPECT_EQ(-1, check(moved, orig, 0, self->pages, self->seed, 1));
}

/* mprotect keeps remote entries; reads pull, writes after re-enabling work. */
TEST_F(region, mprotect_keeps)
{
	size_t len = self->pages * PAGE;

	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	ASSERT_EQ(0, mprotect(self->base, len, PROT_READ));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages / 2, self->seed, 1));
	ASSERT_EQ(0, mprotect(self->base, len, PROT_READ | PROT_WRITE));
	fill(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 5);
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 5));
}

/* Other paths into the memory (GUP) pull too: /proc/self/mem, process_vm_readv. */
TEST_F(region, remote_readers)
{
	size_t len = self->pages * PAGE;
	struct iovec local, remote;
	char *copy = malloc(len);
	int fd;

	ASSERT_NE(NULL, copy);
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	fd = open("/proc/self/mem", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)(len / 2), pread(fd, copy, len / 2, (off_t)(uintptr_t)self->base));
	close(fd);
	EXPECT_EQ(-1, check(copy, (uintptr_t)self->base, 0, self->pages / 2, self->seed, 1));
	local.iov_base = copy;
	local.iov_len = len - len / 2;
	remote.iov_base = self->base + len / 2;
	remote.iov_len = len - len / 2;
	ASSERT_EQ((ssize_t)(len - len / 2), process_vm_readv(getpid(), &local, 1, &remote, 1, 0))
		TH_LOG("process_vm_readv: %s", strerror(errno));
	EXPECT_EQ(-1, check(copy, (uintptr_t)self->base + len / 2, 0, self->pages - self->pages / 2,
			    self->seed, 1));
	free(copy);
}

/*
 * Unstretch brings every page home, intact, and ends the stretch: no push
 * is possible afterwards, the members hold nothing, and the process can be
 * stretched again.
 */
TEST_F(region, unstretch_brings_home)
{
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	ASSERT_EQ((long)self->pages, region_remote(self->base, self->pages));
	ASSERT_EQ(1, stretched());
	/* The region, and whatever else of the process push_self() took. */
	EXPECT_LE((long)self->pages, unstretch_self());
	EXPECT_EQ(0, region_remote(self->base, self->pages));
	EXPECT_EQ(0, stretched());
	EXPECT_EQ(-EINVAL, push_self(0, 16));
	EXPECT_EQ(-EINVAL, unstretch_self());
	EXPECT_EQ(self->remote0, wait_remote_pages(self->remote0));
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 1));
	/* Stretched afresh: pushes and pulls work as before. */
	ASSERT_EQ(0, stretch_self(0));
	ASSERT_LE((long)self->pages, push_self(0, ALL));
	fill(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 2);
	EXPECT_EQ(-1, check(self->base, (uintptr_t)self->base, 0, self->pages, self->seed, 2));
}

/* Exit frees every remote page of the process on its members. */
TEST(exit_frees)
{
	long before = counter("remote_pages");
	size_t pages = 2048;
	int status;
	pid_t pid;

	ASSERT_LE(0, before);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char *b = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (b == MAP_FAILED || stretch_self(0))
			_exit(10);
		fill(b, (uintptr_t)b, 0, pages, 5, 1);
		if (push_self(0, ALL) < (long)pages)
			_exit(11);
		if (counter("remote_pages") < before + (long)pages)
			_exit(12);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(before, wait_remote_pages(before));
}

/* With a local limit, the home keeps at most that much; the rest is pushed. */
TEST(local_limit)
{
	size_t pages = 32 * 256, limit = 8 * 256;
	uint64_t seed = 42;
	long rss;
	char *base;

	ASSERT_EQ(0, stretch_self(limit));
	base = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, base);
	fill(base, (uintptr_t)base, 0, pages, seed, 1);
	rss = proc_value("pages_local");
	/* A batch beyond the limit may be resident before the push runs. */
	EXPECT_GE((long)limit + 256, rss);
	EXPECT_LE((long)(pages - limit - 256), proc_value("pages_remote"));
	EXPECT_EQ(-1, check(base, (uintptr_t)base, 0, pages, seed, 1));
	EXPECT_GE((long)limit + 256, proc_value("pages_local"));
	munmap(base, pages * PAGE);
	EXPECT_EQ(0, stretch_self(0));
}

struct worker {
	char *base;
	size_t first, n;
	uint64_t seed;
	long bad;
	long *shared;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	int round;

	for (round = 1; round <= 2; round++) {
		fill(w->base, (uintptr_t)w->base, w->first, w->n, w->seed, round);
		__atomic_fetch_add(w->shared, 1, __ATOMIC_SEQ_CST);
		w->bad = check(w->base, (uintptr_t)w->base, w->first, w->n, w->seed, round);
		if (w->bad != -1)
			break;
	}
	return NULL;
}

/* Four threads, each on its quarter, and one shared counter page, under a limit. */
TEST(threads)
{
	size_t pages = 24 * 256, q = pages / 4;
	struct worker w[4];
	pthread_t t[4];
	long *shared;
	char *base;
	int i;

	ASSERT_EQ(0, stretch_self(4 * 256));
	base = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, base);
	shared = (long *)(base + pages * PAGE);
	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ base, i * q, q, 99, 0, shared };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, work, &w[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(-1, w[i].bad) TH_LOG("thread %d: page %ld", i, w[i].bad);
	}
	EXPECT_EQ(8, *shared);
	EXPECT_LT(0, proc_value("pushes"));
	munmap(base, (pages + 1) * PAGE);
	EXPECT_EQ(0, stretch_self(0));
}

/*
 * A core dump of a process whose pages are remote has their contents: the
 * dump reads them through faults (get_dump_page()), never as holes or zeros.
 */
TEST(core_dump)
{
	size_t pages = 512, i;
	char old[256], path[64], *buf;
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uintptr_t base = 0;
	int pfd[2], status, fd, found = 0;
	pid_t pid;

	ASSERT_LT(0, slurp("/proc/sys/kernel/core_pattern", old, sizeof(old)));
	ASSERT_EQ(0, write_file("/proc/sys/kernel/core_pattern", "/tmp/memory_test.core.%p"));
	ASSERT_EQ(0, pipe(pfd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
		char *b = remote_region(pages, 31, 0);

		if (!b || setrlimit(RLIMIT_CORE, &rl))
			_exit(10);
		base = (uintptr_t)b;
		if (write(pfd[1], &base, sizeof(base)) != sizeof(base))
			_exit(11);
		abort();
	}
	close(pfd[1]);
	EXPECT_EQ((ssize_t)sizeof(base), read(pfd[0], &base, sizeof(base)));
	close(pfd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	write_file("/proc/sys/kernel/core_pattern", old);
	ASSERT_TRUE(WIFSIGNALED(status) && WCOREDUMP(status)) TH_LOG("status %#x", status);
	snprintf(path, sizeof(path), "/tmp/memory_test.core.%d", pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ((ssize_t)sizeof(eh), pread(fd, &eh, sizeof(eh), 0));
	ASSERT_EQ(0, memcmp(eh.e_ident, ELFMAG, SELFMAG));
	ASSERT_EQ(ET_CORE, eh.e_type);
	buf = malloc(pages * PAGE);
	ASSERT_NE(NULL, buf);
	for (i = 0; i < eh.e_phnum; i++) {
		ASSERT_EQ((ssize_t)sizeof(ph),
			  pread(fd, &ph, sizeof(ph), eh.e_phoff + i * eh.e_phentsize));
		if (ph.p_type != PT_LOAD || ph.p_vaddr != base)
			continue;
		found = 1;
		ASSERT_LE(pages * PAGE, ph.p_filesz);
		ASSERT_EQ((ssize_t)(pages * PAGE), pread(fd, buf, pages * PAGE, ph.p_offset));
		EXPECT_EQ(-1, check(buf, base, 0, pages, 31, 1));
	}
	EXPECT_TRUE(found) TH_LOG("no segment at %#lx in the core", (unsigned long)base);
	free(buf);
	close(fd);
	unlink(path);
}

/*
 * A range registered with userfaultfd: its remote pages are not missing,
 * so faults pull them and the monitor hears nothing; it is never pushed,
 * while a push takes the process's other pages.
 */
TEST(userfaultfd_registered)
{
	size_t pages = 512, other_pages = 64;
	char *b = remote_region(pages, 32, 0), *other;
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (uintptr_t)b, pages * PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	struct uffd_msg msg;
	int uffd;

	ASSERT_NE(NULL, b);
	uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd);
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));
	EXPECT_EQ(-1, check(b, (uintptr_t)b, 0, pages, 32, 1));
	EXPECT_EQ(0, region_remote(b, pages));
	/* A region that is not registered: the push must move it, not b. */
	other = mmap(NULL, other_pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other);
	fill(other, (uintptr_t)other, 0, other_pages, 37, 1);
	ASSERT_LE((long)other_pages, push_self(0, ALL));
	EXPECT_EQ((long)other_pages, region_remote(other, other_pages));
	EXPECT_EQ(0, region_remote(b, pages));
	EXPECT_EQ(-1, read(uffd, &msg, sizeof(msg)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, check(b, (uintptr_t)b, 0, pages, 32, 1));
	EXPECT_EQ(-1, check(other, (uintptr_t)other, 0, other_pages, 37, 1));
	close(uffd);
	munmap(other, other_pages * PAGE);
}

/* kB of "key:" in the /proc/self/smaps entry of the mapping holding addr; -1 if none. */
static long smaps_kb(const void *addr, const char *key)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	long kb = -1;
	int in = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;

		if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = start <= (uintptr_t)addr && (uintptr_t)addr < end;
		else if (in && !strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
			kb = strtol(line + strlen(key) + 1, NULL, 10);
	}
	fclose(f);
	return kb;
}

/*
 * MADV_COLLAPSE of a range holding remote pages swaps them in through the
 * fault path (pulls, __collapse_huge_page_swapin()) before building the
 * huge page: the data survives, and the range is one huge page.
 * The kernel turns THP off on nodes under 512 MiB: on for this test.  A
 * small home may have no free 2 MiB block: memory is compacted first, and
 * a collapse that found none (ENOMEM) is tried again after compacting.  A
 * collapse that meets a remote page gets EAGAIN, as one that meets a page
 * still being read from swap does: the pull does not wait with mmap_lock
 * held, it is started (with the pages after it) and the caller tries
 * again.  It must succeed while each try brings pages home.
 */
TEST(madv_collapse)
{
	const char *thp = "/sys/kernel/mm/transparent_hugepage/enabled";
	size_t pages = 512;	/* one PMD of 4 KiB pages */
	char old[128], *mode, *b;
	int ret = -1, err = 0, tries = 0, stuck = 0;
	long remote = -1;

	ASSERT_LT(0, slurp(thp, old, sizeof(old)));
	mode = strchr(old, '[');
	ASSERT_NE(NULL, mode);
	mode[strcspn(mode, "]")] = '\0';
	ASSERT_EQ(0, write_file(thp, "madvise"));
	b = remote_region(pages, 33, pages * PAGE);
	/*
	 * Half written back (present, writable), half remote: as with swap,
	 * a range with no writable page is not collapsed (SCAN_PAGE_RO).
	 */
	if (b) {
		fill(b, (uintptr_t)b, 0, pages / 2, 33, 2);
		remote = region_remote(b, pages);
	}
	while (b && stuck < 5 && tries++ < 200) {
		long left = region_remote(b, pages);

		write_file("/proc/sys/vm/compact_memory", "1");
		ret = madvise(b, pages * PAGE, 25 /* MADV_COLLAPSE */);
		err = errno;
		if (!ret || (err != EAGAIN && err != ENOMEM))
			break;
		/* Each try pulls what it met (as swap-in starts its reads). */
		stuck = region_remote(b, pages) < left ? 0 : stuck + 1;
		TH_LOG("MADV_COLLAPSE try %d: %s, %ld pages remote", tries, strerror(err),
		       region_remote(b, pages));
		if (stuck)
			usleep(200000);
	}
	write_file(thp, mode + 1);
	ASSERT_NE(NULL, b);
	/* Remote pages to collapse (prefetch may have pulled some of them). */
	EXPECT_LT(0, remote);
	ASSERT_EQ(0, ret) TH_LOG("MADV_COLLAPSE: %s after %d tries", strerror(err), tries);
	EXPECT_LE(2048, smaps_kb(b, "AnonHugePages"));
	EXPECT_EQ(0, region_remote(b, pages));
	EXPECT_EQ(-1, check(b, (uintptr_t)b, 0, pages / 2, 33, 2));
	EXPECT_EQ(-1, check(b, (uintptr_t)b, pages / 2, pages / 2, 33, 1));
}

/*
 * mlock pulls remote pages in, and a locked range is never pushed, while a
 * push takes the process's other pages.
 */
TEST(mlock_pulls)
{
	size_t pages = 256, other_pages = 64;
	char *b = remote_region(pages, 34, 0), *other;

	ASSERT_NE(NULL, b);
	ASSERT_EQ(0, mlock(b, pages * PAGE));
	EXPECT_EQ(0, region_remote(b, pages));
	other = mmap(NULL, other_pages * PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, other);
	fill(other, (uintptr_t)other, 0, other_pages, 38, 1);
	ASSERT_LE((long)other_pages, push_self(0, ALL));
	EXPECT_EQ((long)other_pages, region_remote(other, other_pages));
	EXPECT_EQ(0, region_remote(b, pages));
	EXPECT_EQ(-1, check(b, (uintptr_t)b, 0, pages, 34, 1));
	EXPECT_EQ(-1, check(other, (uintptr_t)other, 0, other_pages, 38, 1));
	EXPECT_EQ(0, munlock(b, pages * PAGE));
	munmap(other, other_pages * PAGE);
}

/*
 * O_DIRECT moves data between a block device and the user pages themselves
 * (pinned by GUP, no copy through the page cache): a write from remote
 * pages must pull them, never send zeros, and a read into remote pages
 * pulls them, then overwrites them.  The device is a loop device over a
 * file in tmpfs.
 */
TEST(o_direct)
{
	size_t pages = 64, len = pages * PAGE;
	char file[] = "/tmp/elastic-dio-XXXXXX", dev_path[32], *a, *b;
	struct loop_config cfg = {};
	int ctl, n, dev, bfd;

	a = remote_region(pages, 35, 0);
	ASSERT_NE(NULL, a);
	b = remote_region(pages, 36, 0);
	ASSERT_NE(NULL, b);
	ASSERT_EQ((long)pages, region_remote(a, pages));
	bfd = mkstemp(file);
	ASSERT_LE(0, bfd);
	unlink(file);
	ASSERT_EQ(0, ftruncate(bfd, len));
	ctl = open("/dev/loop-control", O_RDWR);
	ASSERT_LE(0, ctl) TH_LOG("/dev/loop-control: %s (CONFIG_BLK_DEV_LOOP?)", strerror(errno));
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	ASSERT_LE(0, n);
	snprintf(dev_path, sizeof(dev_path), "/dev/loop%d", n);
	dev = open(dev_path, O_RDWR);
	ASSERT_LE(0, dev) TH_LOG("%s: %s", dev_path, strerror(errno));
	cfg.fd = bfd;
	cfg.block_size = PAGE;
	ASSERT_EQ(0, ioctl(dev, LOOP_CONFIGURE, &cfg)) TH_LOG("LOOP_CONFIGURE: %s", strerror(errno));
	close(dev);
	dev = open(dev_path, O_RDWR | O_DIRECT);
	ASSERT_LE(0, dev);
	EXPECT_EQ((ssize_t)len, pwrite(dev, a, len, 0)) TH_LOG("pwrite: %s", strerror(errno));
	EXPECT_EQ((ssize_t)len, pread(dev, b, len, 0)) TH_LOG("pread: %s", strerror(errno));
	close(dev);
	/* b now holds a's bytes, which carry a's addresses in their pattern. */
	EXPECT_EQ(-1, check(b, (uintptr_t)a, 0, pages, 35, 1));
	EXPECT_EQ(-1, check(a, (uintptr_t)a, 0, pages, 35, 1));
	/* The file behind the device has them too, not zeros. */
	EXPECT_EQ((ssize_t)len, pread(bfd, b, len, 0));
	EXPECT_EQ(-1, check(b, (uintptr_t)a, 0, pages, 35, 1));
	dev = open(dev_path, O_RDWR);
	if (dev >= 0) {
		ioctl(dev, LOOP_CLR_FD, 0);
		close(dev);
	}
	close(ctl);
	close(bfd);
	munmap(a, len);
	munmap(b, len);
}

/* Refusals: unknown process, node that is no member, a process not stretched. */
TEST(refusals)
{
	struct elastic_client *c;
	uint64_t pushed;
	pid_t pid;
	int status;

	ASSERT_EQ(0, elastic_open(&c));
	EXPECT_EQ(-ESRCH, elastic_process_stretch(c, 0x3fffffff, members(), 0));
	EXPECT_EQ(-ENOENT, elastic_process_stretch(c, getpid(), 1ULL << 62, 0));
	EXPECT_EQ(-EINVAL, elastic_process_stretch(c, getpid(), 1, 0));
	EXPECT_EQ(-EINVAL, elastic_process_push(c, getpid(), 0, 0, &pushed));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		pause();
		_exit(0);
	}
	/* A child that never stretched: nothing to push, nothing to unstretch. */
	EXPECT_EQ(-EINVAL, elastic_process_push(c, pid, 0, 16, &pushed));
	EXPECT_EQ(-EINVAL, elastic_process_unstretch(c, pid, &pushed));
	EXPECT_EQ(-ESRCH, elastic_process_unstretch(c, 0x3fffffff, &pushed));
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	elastic_close(c);
}

TEST_HARNESS_MAIN
