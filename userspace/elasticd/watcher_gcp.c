// SPDX-License-Identifier: GPL-2.0
/*
 * GCP watcher: instance/preempted, first a plain GET, then long polls with
 * wait_for_change=true&last_etag=ETAG. Passing the last ETag makes the
 * server answer at once if the value changed between two requests, so a
 * preemption is never missed in the gap.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "watcher.h"

#define PREEMPTED_PATH "/computeMetadata/v1/instance/preempted"

struct gcp {
	char etag[128];		/* "" = next request is a plain one */
};

static int gcp_init(struct ed_watcher *w)
{
	w->priv = calloc(1, sizeof(struct gcp));
	return w->priv ? 0 : -1;
}

static void gcp_fini(struct ed_watcher *w)
{
	free(w->priv);
	w->priv = NULL;
}

/* ETags go into our URL: accept only what GCP uses (hex and friends). */
static int etag_ok(const char *e)
{
	if (!*e)
		return 0;
	for (; *e; e++)
		if (!isalnum((unsigned char)*e) && *e != '-' && *e != '_')
			return 0;
	return 1;
}

static long gcp_poll(struct ed_watcher *w)
{
	struct gcp *s = w->priv;
	char url[768];
	const char *headers[] = { "Metadata-Flavor: Google", NULL };
	struct ed_http_resp r;
	long backoff = w->cfg.poll_interval_ms[ED_PROV_GCP], extra = 0;
	size_t len;
	char *b;

	if (s->etag[0]) {
		snprintf(url, sizeof(url), "%s%s?wait_for_change=true&last_etag=%s&timeout_sec=%d",
			 w->cfg.metadata_url, PREEMPTED_PATH, s->etag, w->cfg.gcp_wait_timeout_s);
		extra = w->cfg.gcp_wait_timeout_s * 1000L;	/* the server may hold it that long */
	} else {
		ed_watcher_url(w, PREEMPTED_PATH, url, sizeof(url));
	}
	if (ed_http_request(w->http, "GET", url, headers, NULL, extra, &r)) {
		/* Lost track of the value: start again with a plain request. */
		s->etag[0] = 0;
		ed_watcher_error(w, "preempted: %s", r.error);
		return backoff;
	}
	if (r.status != 200) {
		s->etag[0] = 0;
		ed_watcher_error(w, "preempted: HTTP %ld%s", r.status,
				 r.status == 403 ? " (Metadata-Flavor rejected?)" :
				 r.status >= 300 && r.status < 400 ? " (redirects are not followed)" : "");
		return backoff;
	}
	b = r.body;
	len = r.body_len;
	while (len && isspace((unsigned char)b[len - 1]))
		b[--len] = 0;
	if (strcmp(b, "TRUE") && strcmp(b, "FALSE")) {
		s->etag[0] = 0;
		ed_watcher_error(w, "preempted: unexpected body '%.32s' (want TRUE or FALSE)", b);
		return backoff;
	}
	if (!strcmp(b, "TRUE")) {
		struct ed_notice n = { .type = ED_NOTICE_INTERRUPT, .provider = ED_PROV_GCP };

		/* GCP gives no time: the reactor applies the GCP window from now. */
		snprintf(n.reason, sizeof(n.reason), "gcp-preempted");
		ed_watcher_report(w, &n);
	}
	if (!etag_ok(r.etag)) {
		s->etag[0] = 0;
		ed_watcher_error(w, "preempted: no usable ETag; polling without wait_for_change");
		return backoff;
	}
	snprintf(s->etag, sizeof(s->etag), "%s", r.etag);
	ed_watcher_ok(w);
	return 0;	/* the next request is a long poll: no sleep needed */
}

const struct ed_watcher_ops ed_watcher_gcp_ops = {
	.name = "gcp",
	.init = gcp_init,
	.poll = gcp_poll,
	.fini = gcp_fini,
};
