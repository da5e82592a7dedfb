// SPDX-License-Identifier: GPL-2.0
/*
 * rr: the TCP baseline for the remote fault benchmark.  A client sends a
 * 16-byte request and the server answers with 4096 bytes, as a page pull
 * does; the client reports round-trip percentiles.
 *
 * With "stream" it is the baseline of bulk moves (a drain): the client
 * sends MIB MiB and the server acknowledges the last byte.
 *
 *   rr server PORT
 *   rr client HOST PORT COUNT    -> "rr count N p50_us X p99_us Y"
 *   rr stream HOST PORT MIB      -> "stream mib N seconds S mib_per_s R"
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rrproto.h"
#include "stats.h"

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char req[RR_REQ], page[RR_REPLY];
	int one = 1, s, c;

	memset(page, 0x5a, sizeof(page));
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 4)) {
		perror("rr: bind/listen");
		return 1;
	}
	for (;;) {
		c = accept(s, NULL, NULL);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		while (!rr_full(c, req, sizeof(req), 1)) {
			if (!memcmp(req, "stream ", 7)) {
				long mib = atol(req + 7), i;

				for (i = 0; i < mib * 256; i++)
					if (rr_full(c, page, sizeof(page), 1))
						break;
				if (i < mib * 256 || rr_full(c, req, 1, 0))
					break;
				continue;
			}
			if (rr_full(c, page, sizeof(page), 0))
				break;
		}
		close(c);
	}
}

static int client(const char *host, int port, int count)
{
	double *lat = calloc(count, sizeof(*lat));
	int s, i;

	if (!lat || count < 1)
		return 2;
	s = rr_connect(host, port);
	if (s < 0)
		return 1;
	for (i = 0; i < count; i++) {
		double t0 = now_us();

		if (rr_exchange(s))
			return 1;
		lat[i] = now_us() - t0;
	}
	printf("rr count %d p50_us %.0f p99_us %.0f\n", count, pct(lat, count, 50),
	       pct(lat, count, 99));
	return 0;
}

static int stream(const char *host, int port, int mib)
{
	char req[16] = "", page[4096];
	double t0, t;
	int s, i;

	if (mib < 1 || mib > 4096)
		return 2;
	memset(page, 0xa5, sizeof(page));
	snprintf(req, sizeof(req), "stream %d", mib);
	s = rr_connect(host, port);
	if (s < 0)
		return 1;
	t0 = now_us();
	if (rr_full(s, req, sizeof(req), 0))
		return 1;
	for (i = 0; i < mib * 256; i++)
		if (rr_full(s, page, sizeof(page), 0))
			return 1;
	if (rr_full(s, req, 1, 1))	/* the server has every byte */
		return 1;
	t = (now_us() - t0) / 1e6;
	printf("stream mib %d seconds %.3f mib_per_s %.1f\n", mib, t, mib / t);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "server"))
		return serve(atoi(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "client"))
		return client(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "stream"))
		return stream(argv[2], atoi(argv[3]), atoi(argv[4]));
	fprintf(stderr, "usage: rr server PORT | rr client HOST PORT COUNT | rr stream HOST PORT MIB\n");
	return 2;
}
