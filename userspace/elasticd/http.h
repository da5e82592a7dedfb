/* SPDX-License-Identifier: GPL-2.0 */
/* The one HTTP helper every watcher uses: bounded in time and size,
 * never follows redirects, never uses a proxy. */
#ifndef ELASTICD_HTTP_H
#define ELASTICD_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

struct ed_http_limits {
	long timeout_ms;	/* whole transfer */
	long connect_timeout_ms;
	long max_body;		/* bytes; larger bodies are an error */
};

struct ed_http_client;

struct ed_http_resp {
	long status;		/* 0 when the transfer failed */
	char *body;		/* NUL-terminated, owned by the client, valid until next call */
	size_t body_len;
	char etag[128];		/* ETag response header, if any */
	char error[256];	/* set when the call returns -1 */
};

/* stop: if non-NULL and set, an in-flight transfer is aborted promptly
 * (SIGTERM must not wait for a 60 s long poll). */
struct ed_http_client *ed_http_new(const struct ed_http_limits *lim, atomic_int *stop);
void ed_http_free(struct ed_http_client *c);

/* method: "GET", "PUT" or "POST"; headers: NULL-terminated "Name: value"
 * strings; body may be NULL. extra_timeout_ms widens the transfer timeout
 * for one call (GCP long polls). Returns 0 when an HTTP response (any
 * status) arrived, -1 otherwise with resp->error explaining. Any 3xx is
 * returned as a response: callers treat it as an error, never follow it. */
int ed_http_request(struct ed_http_client *c, const char *method, const char *url,
		    const char *const *headers, const char *body, long extra_timeout_ms,
		    struct ed_http_resp *resp);

/* Global init/cleanup for libcurl (call once from main, before threads). */
int ed_http_global_init(void);
void ed_http_global_cleanup(void);

#endif
