// SPDX-License-Identifier: GPL-2.0
#include "watcher.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Metadata documents are flat; deep nesting can only be garbage. */
#define ED_JSON_MAX_DEPTH 16
#define ED_ERR_LOG_EVERY 100

struct ed_watcher *ed_watcher_new(enum ed_provider p, const struct ed_config *cfg,
				  struct ed_sink sink, int dry_run)
{
	const struct ed_watcher_ops *ops;
	struct ed_watcher *w;
	struct ed_http_limits lim = {
		.timeout_ms = cfg->http_timeout_ms,
		.connect_timeout_ms = cfg->http_connect_timeout_ms,
		.max_body = cfg->http_max_body,
	};
	pthread_condattr_t ca;

	switch (p) {
	case ED_PROV_AWS: ops = &ed_watcher_aws_ops; break;
	case ED_PROV_GCP: ops = &ed_watcher_gcp_ops; break;
	case ED_PROV_AZURE: ops = &ed_watcher_azure_ops; break;
	default: return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->ops = ops;
	w->provider = p;
	w->cfg = *cfg;
	w->sink = sink;
	w->dry_run = dry_run;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cond, &ca);
	pthread_condattr_destroy(&ca);
	w->http = ed_http_new(&lim, &w->stop);
	if (!w->http || ops->init(w)) {
		ed_http_free(w->http);
		free(w);
		return NULL;
	}
	return w;
}

long ed_watcher_poll(struct ed_watcher *w)
{
	w->rounds++;
	return w->ops->poll(w);
}

static void *watch_main(void *arg)
{
	struct ed_watcher *w = arg;

	log_info("%s watcher: polling %s", w->ops->name, w->cfg.metadata_url);
	while (!atomic_load(&w->stop)) {
		long delay = ed_watcher_poll(w);
		struct timespec ts;

		if (delay <= 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_sec += delay / 1000;
		ts.tv_nsec += (delay % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		/* Interruptible sleep: stop() signals the condition. */
		pthread_mutex_lock(&w->lock);
		while (!atomic_load(&w->stop) &&
		       pthread_cond_timedwait(&w->cond, &w->lock, &ts) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&w->lock);
	}
	log_info("%s watcher: stopped", w->ops->name);
	return NULL;
}

int ed_watcher_start(struct ed_watcher *w)
{
	if (pthread_create(&w->thread, NULL, watch_main, w))
		return -1;
	w->running = 1;
	return 0;
}

void ed_watcher_stop(struct ed_watcher *w)
{
	if (!w || !w->running)
		return;
	pthread_mutex_lock(&w->lock);
	atomic_store(&w->stop, 1);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->running = 0;
}

void ed_watcher_free(struct ed_watcher *w)
{
	if (!w)
		return;
	ed_watcher_stop(w);
	w->ops->fini(w);
	ed_http_free(w->http);
	pthread_cond_destroy(&w->cond);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

void ed_watcher_report(struct ed_watcher *w, const struct ed_notice *n)
{
	w->sink.notice(w->sink.arg, n);
}

void ed_watcher_error(struct ed_watcher *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	unsigned i, n = sizeof(w->errs) / sizeof(w->errs[0]);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(w->last_err, sizeof(w->last_err), "%s", msg);
	if (atomic_load(&w->stop))
		return;	/* requests aborted by a shutdown are not failures */
	/* A few recent messages are remembered because one round can fail in
	 * several ways (AWS polls two endpoints) and each would alternate. */
	for (i = 0; i < n; i++)
		if (!strcmp(w->errs[i].msg, msg)) {
			if (++w->errs[i].repeats % ED_ERR_LOG_EVERY == 0)
				log_err("%s watcher: %s (repeated %u times)", w->ops->name, msg,
					w->errs[i].repeats);
			return;
		}
	i = w->err_next++ % n;
	snprintf(w->errs[i].msg, sizeof(w->errs[i].msg), "%s", msg);
	w->errs[i].repeats = 0;
	log_err("%s watcher: %s", w->ops->name, msg);
}

void ed_watcher_ok(struct ed_watcher *w)
{
	if (w->last_err[0])
		log_info("%s watcher: metadata service answers normally again", w->ops->name);
	w->last_err[0] = 0;
	memset(w->errs, 0, sizeof(w->errs));
}

void ed_watcher_url(const struct ed_watcher *w, const char *path, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", w->cfg.metadata_url, path);
}

json_object *ed_json_parse(const char *body, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(ED_JSON_MAX_DEPTH);
	json_object *obj;
	enum json_tokener_error e;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	obj = json_tokener_parse_ex(tok, body, (int)len);
	e = json_tokener_get_error(tok);
	if (!obj || e != json_tokener_success) {
		snprintf(err, errlen, "bad JSON: %s", e == json_tokener_continue ?
			 "truncated document" : json_tokener_error_desc(e));
		json_object_put(obj);
		obj = NULL;
	} else if (json_tokener_get_parse_end(tok) < len) {
		/* Trailing bytes after the document: garbage, not a notice. */
		size_t i = json_tokener_get_parse_end(tok);

		while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
			i++;
		if (i < len) {
			snprintf(err, errlen, "bad JSON: trailing data");
			json_object_put(obj);
			obj = NULL;
		}
	}
	json_tokener_free(tok);
	return obj;
}

const char *ed_json_str(json_object *obj, const char *key)
{
	json_object *v;

	if (!json_object_is_type(obj, json_type_object) ||
	    !json_object_object_get_ex(obj, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
