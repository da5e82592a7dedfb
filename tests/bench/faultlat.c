// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: latency of single remote 4 KiB faults.  Stretches itself over
 * NODE, fills PAGES pages, pushes them all to NODE, then touches them one
 * at a time in a random order (so that no fault finds its page already
 * brought by another) and times each touch.
 *
 *   faultlat PAGES NODE   -> "faults N p50_us X p99_us Y bad B"
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elastic.h"
#include "stats.h"

int main(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t pages, node, i, j, t;
	uint64_t pushed;
	uint32_t *order;
	double *lat;
	long bad = 0;
	char *b;

	if (argc != 3 || elastic_parse_u32(argv[1], 1, 1 << 20, &pages) ||
	    elastic_parse_u32(argv[2], 1, 63, &node)) {
		fprintf(stderr, "usage: faultlat PAGES NODE\n");
		return 2;
	}
	b = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = calloc(pages, sizeof(*order));
	lat = calloc(pages, sizeof(*lat));
	if (b == MAP_FAILED || !order || !lat)
		return 1;
	for (i = 0; i < pages; i++) {
		memset(b + (size_t)i * 4096, (int)(i % 251) + 1, 4096);
		order[i] = i;
	}
	srandom(1);
	for (i = pages - 1; i > 0; i--) {
		j = random() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	if (elastic_open(&c) || elastic_process_stretch(c, getpid(), 1ULL << node, 0)) {
		fprintf(stderr, "faultlat: stretch failed\n");
		return 1;
	}
	/* Only the region leaves: everything else is locked here. */
	if (mlockall(MCL_CURRENT) || munlock(b, (size_t)pages * 4096))
		return 1;
	if (elastic_process_push(c, getpid(), node, pages, &pushed) || pushed != pages) {
		fprintf(stderr, "faultlat: pushed %llu of %u\n", (unsigned long long)pushed, pages);
		return 1;
	}
	elastic_close(c);
	for (i = 0; i < pages; i++) {
		volatile char *p = b + (size_t)order[i] * 4096;
		double t0 = now_us();
		char v = *p;

		lat[i] = now_us() - t0;
		bad += v != (char)(order[i] % 251 + 1);
	}
	printf("faults %u p50_us %.0f p99_us %.0f bad %ld\n", pages, pct(lat, pages, 50),
	       pct(lat, pages, 99), bad);
	return bad != 0;
}
