/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TCP baseline's exchange, shared by rr (client and server) and
 * faultlat (which interleaves it with its faults): a 16-byte request
 * answered with 4096 bytes over one TCP_NODELAY connection.
 */
#ifndef BENCH_RRPROTO_H
#define BENCH_RRPROTO_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define RR_REQ 16
#define RR_REPLY 4096

/* Reads (rd) or writes n bytes in full; -1 on error or end of stream. */
static inline int rr_full(int fd, void *buf, size_t n, int rd)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = rd ? read(fd, (char *)buf + done, n - done) :
			 write(fd, (char *)buf + done, n - done);
		if (r <= 0)
			return -1;
		done += r;
	}
	return 0;
}

/* A TCP_NODELAY connection to HOST:PORT, or -1. */
static inline int rr_connect(const char *host, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, s;

	if (inet_pton(AF_INET, host, &a.sin_addr) != 1)
		return -1;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("rr: connect");
		if (s >= 0)
			close(s);
		return -1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

/* One round trip: the request out, the whole reply in. */
static inline int rr_exchange(int s)
{
	char req[RR_REQ] = "page please", page[RR_REPLY];

	return rr_full(s, req, sizeof(req), 0) || rr_full(s, page, sizeof(page), 1) ? -1 : 0;
}

#endif
