// SPDX-License-Identifier: GPL-2.0
/*
 * faultlat: latency of single remote 4 KiB faults.  Stretches itself over
 * NODE, fills PAGES pages, pushes them all to NODE, then touches them one
 * at a time in a random order (so that no fault finds its page already
 * brought by another) and times each touch.
 *
 * With HOST PORT (an "rr server" there), one TCP round trip of the
 * baseline's exchange is timed before each fault: the host's speed drifts
 * within seconds under TCG, and baseline and faults taken in turns see the
 * same host.
 *
 *   faultlat PAGES NODE [HOST PORT]
 *     -> "faults N p50_us X p99_us Y bad B [rr_p50_us X rr_p99_us Y]"
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elastic.h"
#include "rrproto.h"
#include "stats.h"

int main(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t pages, node, i, j, t;
	uint64_t pushed;
	uint32_t *order, port;
	double *lat, *rtt;
	long bad = 0;
	int s = -1;
	char *b;

	if ((argc != 3 && argc != 5) || elastic_parse_u32(argv[1], 1, 1 << 20, &pages) ||
	    elastic_parse_u32(argv[2], 1, 63, &node) ||
	    (argc == 5 && elastic_parse_u32(argv[4], 1, 65535, &port))) {
		fprintf(stderr, "usage: faultlat PAGES NODE [HOST PORT]\n");
		return 2;
	}
	if (argc == 5) {
		s = rr_connect(argv[3], (int)port);
		if (s < 0)
			return 1;
	}
	b = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	order = calloc(pages, sizeof(*order));
	lat = calloc(pages, sizeof(*lat));
	rtt = calloc(pages, sizeof(*rtt));
	if (b == MAP_FAILED || !order || !lat || !rtt)
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
		double t0;
		char v;

		if (s >= 0) {
			t0 = now_us();
			if (rr_exchange(s))
				return 1;
			rtt[i] = now_us() - t0;
		}
		t0 = now_us();
		v = *p;
		lat[i] = now_us() - t0;
		bad += v != (char)(order[i] % 251 + 1);
	}
	printf("faults %u p50_us %.0f p99_us %.0f bad %ld", pages, pct(lat, pages, 50),
	       pct(lat, pages, 99), bad);
	if (s >= 0)
		printf(" rr_p50_us %.0f rr_p99_us %.0f", pct(rtt, pages, 50), pct(rtt, pages, 99));
	printf("\n");
	return bad != 0;
}
