/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One interface for every cloud's metadata watcher. A watcher is a set of
 * ops plus private state; the common code here runs it on a thread, gives
 * it the one HTTP client, throttles its error logs and parses JSON safely.
 */
#ifndef ELASTICD_WATCHER_H
#define ELASTICD_WATCHER_H

#include <json-c/json.h>
#include <pthread.h>
#include <stdatomic.h>

#include "config.h"
#include "http.h"
#include "reactor.h"

struct ed_watcher;

struct ed_watcher_ops {
	const char *name;
	int (*init)(struct ed_watcher *w);
	/* One round of requests. Reports notices through ed_watcher_report().
	 * Returns how long to wait before the next round, in ms. */
	long (*poll)(struct ed_watcher *w);
	void (*fini)(struct ed_watcher *w);
};

struct ed_watcher {
	const struct ed_watcher_ops *ops;
	enum ed_provider provider;
	struct ed_config cfg;		/* private copy: reloads restart watchers */
	struct ed_http_client *http;
	struct ed_sink sink;
	int dry_run;			/* never send state-changing requests (approvals) */
	atomic_int stop;
	unsigned long rounds;

	pthread_t thread;
	int running;
	pthread_mutex_t lock;
	pthread_cond_t cond;

	char last_err[256];		/* most recent error (tests read it) */
	struct {			/* throttling, see ed_watcher_error() */
		char msg[256];
		unsigned repeats;
	} errs[4];
	unsigned err_next;
	void *priv;
};

extern const struct ed_watcher_ops ed_watcher_aws_ops;
extern const struct ed_watcher_ops ed_watcher_gcp_ops;
extern const struct ed_watcher_ops ed_watcher_azure_ops;

/* NULL for ED_PROV_NONE (nothing to watch) or on allocation failure. */
struct ed_watcher *ed_watcher_new(enum ed_provider p, const struct ed_config *cfg,
				  struct ed_sink sink, int dry_run);
int ed_watcher_start(struct ed_watcher *w);	/* poll loop on a thread */
void ed_watcher_stop(struct ed_watcher *w);	/* prompt: aborts in-flight HTTP */
void ed_watcher_free(struct ed_watcher *w);
/* One round, synchronously (tests drive watchers this way, counting requests). */
long ed_watcher_poll(struct ed_watcher *w);

/* Helpers for watcher implementations. */
void ed_watcher_report(struct ed_watcher *w, const struct ed_notice *n);
/* Logs an error, but a failure repeated every poll is logged only when it
 * starts, every 100th time, and when it stops (ed_watcher_ok). */
void ed_watcher_error(struct ed_watcher *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void ed_watcher_ok(struct ed_watcher *w);
void ed_watcher_url(const struct ed_watcher *w, const char *path, char *buf, size_t len);
/* Parses a JSON body with a nesting limit. NULL with err set on failure. */
json_object *ed_json_parse(const char *body, size_t len, char *err, size_t errlen);
/* String member or NULL (missing or not a string). */
const char *ed_json_str(json_object *obj, const char *key);

#endif
