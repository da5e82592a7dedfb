// SPDX-License-Identifier: GPL-2.0
/*
 * AWS EC2 watcher: IMDSv2 session token (PUT /latest/api/token), falling
 * back to IMDSv1 when no token can be had; polls the spot instance-action
 * and the rebalance recommendation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iso8601.h"
#include "log.h"
#include "timeutil.h"
#include "watcher.h"

#define TOKEN_PATH "/latest/api/token"
#define ACTION_PATH "/latest/meta-data/spot/instance-action"
#define REBALANCE_PATH "/latest/meta-data/events/recommendations/rebalance"
/* While in IMDSv1 fallback, try to get a token again this often. */
#define TOKEN_RETRY_S 60.0
#define TOKEN_MAX 512

struct aws {
	char token[TOKEN_MAX + 1];
	double token_refresh_at;	/* monotonic; refresh before expiry */
	double token_retry_at;		/* monotonic; next attempt while in v1 mode */
	int v1_mode;
};

static int aws_init(struct ed_watcher *w)
{
	w->priv = calloc(1, sizeof(struct aws));
	return w->priv ? 0 : -1;
}

static void aws_fini(struct ed_watcher *w)
{
	free(w->priv);
	w->priv = NULL;
}

static int token_ok(const char *t, size_t len)
{
	if (!len || len > TOKEN_MAX)
		return 0;
	for (size_t i = 0; i < len; i++)	/* it goes into a header: no CR/LF */
		if (t[i] < 0x21 || t[i] > 0x7e)
			return 0;
	return 1;
}

static void get_token(struct ed_watcher *w, struct aws *s)
{
	char url[512], hdr[96];
	const char *headers[] = { hdr, NULL };
	struct ed_http_resp r;
	int ttl = w->cfg.aws_token_ttl_s;
	double now = ed_mono_now(), margin;

	ed_watcher_url(w, TOKEN_PATH, url, sizeof(url));
	snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token-ttl-seconds: %d", ttl);
	s->token[0] = 0;
	if (ed_http_request(w->http, "PUT", url, headers, NULL, 0, &r) == 0 && r.status == 200 &&
	    token_ok(r.body, r.body_len)) {
		memcpy(s->token, r.body, r.body_len + 1);
		/* Refresh a quarter of the TTL (at most 60 s) before expiry. */
		margin = ttl / 4.0 < 60.0 ? ttl / 4.0 : 60.0;
		s->token_refresh_at = now + ttl - margin;
		if (s->v1_mode)
			log_info("aws watcher: IMDSv2 token obtained; leaving IMDSv1 fallback");
		s->v1_mode = 0;
		return;
	}
	if (!s->v1_mode)
		log_warn("aws watcher: no IMDSv2 token (%s)%s", r.error[0] ? r.error :
			 (r.status == 200 ? "unusable token" : "HTTP error"),
			 w->cfg.aws_imdsv1_fallback ? "; falling back to IMDSv1" : "");
	if (r.status)
		log_debug("aws watcher: token PUT answered HTTP %ld", r.status);
	s->v1_mode = 1;
	s->token_retry_at = now + TOKEN_RETRY_S;
}

static void ensure_token(struct ed_watcher *w, struct aws *s)
{
	double now = ed_mono_now();

	if (s->token[0] && now < s->token_refresh_at)
		return;
	if (!s->token[0] && s->v1_mode && now < s->token_retry_at)
		return;
	get_token(w, s);
}

/* GET with the token header when we have one; a 401 means the token went
 * stale (or IMDSv2 became required): get a new one and retry once. */
static int aws_get(struct ed_watcher *w, struct aws *s, const char *path, struct ed_http_resp *r)
{
	char url[512], hdr[64 + TOKEN_MAX];
	const char *headers[] = { hdr, NULL };

	ed_watcher_url(w, path, url, sizeof(url));
	for (int attempt = 0; attempt < 2; attempt++) {
		ensure_token(w, s);
		if (!s->token[0] && !w->cfg.aws_imdsv1_fallback) {
			snprintf(r->error, sizeof(r->error), "no IMDSv2 token and IMDSv1 fallback disabled");
			return -1;
		}
		snprintf(hdr, sizeof(hdr), "X-aws-ec2-metadata-token: %s", s->token);
		if (ed_http_request(w->http, "GET", url, s->token[0] ? headers : NULL, NULL, 0, r))
			return -1;
		if (r->status != 401 || attempt)
			return 0;
		log_debug("aws watcher: %s answered 401; fetching a new token", path);
		s->token[0] = 0;
		s->v1_mode = 0;		/* retry the PUT now, not in TOKEN_RETRY_S */
	}
	return 0;
}

/* Returns 1 when the document was a usable notice and fills n. */
static int parse_action(struct ed_watcher *w, const struct ed_http_resp *r, struct ed_notice *n)
{
	char err[128];
	json_object *o = ed_json_parse(r->body, r->body_len, err, sizeof(err));
	const char *action, *t;
	int ok = 0;

	if (!o) {
		ed_watcher_error(w, "instance-action: %s", err);
		return 0;
	}
	action = ed_json_str(o, "action");
	t = ed_json_str(o, "time");
	if (!action || !t)
		ed_watcher_error(w, "instance-action: want string \"action\" and \"time\"");
	else if (strcmp(action, "terminate") && strcmp(action, "stop") && strcmp(action, "hibernate"))
		ed_watcher_error(w, "instance-action: unknown action '%.32s'", action);
	else if (iso8601_parse(t, 0, &n->when))
		ed_watcher_error(w, "instance-action: bad time '%.40s'", t);
	else
		ok = 1;
	if (ok) {
		n->type = ED_NOTICE_INTERRUPT;
		n->provider = ED_PROV_AWS;
		snprintf(n->reason, sizeof(n->reason), "aws-instance-action");
		snprintf(n->id, sizeof(n->id), "aws-%s", action);
	}
	json_object_put(o);
	return ok;
}

static int parse_rebalance(struct ed_watcher *w, const struct ed_http_resp *r, struct ed_notice *n)
{
	char err[128];
	json_object *o = ed_json_parse(r->body, r->body_len, err, sizeof(err));
	const char *t;
	int ok = 0;

	if (!o) {
		ed_watcher_error(w, "rebalance: %s", err);
		return 0;
	}
	t = ed_json_str(o, "noticeTime");
	if (!t)
		ed_watcher_error(w, "rebalance: want string \"noticeTime\"");
	else if (iso8601_parse(t, 0, &n->when))
		ed_watcher_error(w, "rebalance: bad noticeTime '%.40s'", t);
	else
		ok = 1;
	if (ok) {
		n->type = ED_NOTICE_REBALANCE;
		n->provider = ED_PROV_AWS;
		snprintf(n->reason, sizeof(n->reason), "aws-rebalance");
	}
	json_object_put(o);
	return ok;
}

/* One endpoint: 404 means nothing scheduled; 200 carries a document. */
static int poll_one(struct ed_watcher *w, struct aws *s, const char *path, const char *what,
		    int (*parse)(struct ed_watcher *, const struct ed_http_resp *, struct ed_notice *))
{
	struct ed_http_resp r;
	struct ed_notice n = { 0 };

	if (aws_get(w, s, path, &r)) {
		ed_watcher_error(w, "%s: %s", what, r.error);
		return -1;
	}
	if (r.status == 404)
		return 0;
	if (r.status != 200) {
		ed_watcher_error(w, "%s: HTTP %ld%s", what, r.status,
				 r.status >= 300 && r.status < 400 ? " (redirects are not followed)" : "");
		return -1;
	}
	if (!parse(w, &r, &n))
		return -1;
	ed_watcher_report(w, &n);
	return 0;
}

static long aws_poll(struct ed_watcher *w)
{
	struct aws *s = w->priv;
	int bad = 0;

	bad |= poll_one(w, s, ACTION_PATH, "instance-action", parse_action);
	if (!atomic_load(&w->stop))
		bad |= poll_one(w, s, REBALANCE_PATH, "rebalance", parse_rebalance);
	if (!bad)
		ed_watcher_ok(w);
	return w->cfg.poll_interval_ms[ED_PROV_AWS];
}

const struct ed_watcher_ops ed_watcher_aws_ops = {
	.name = "aws",
	.init = aws_init,
	.poll = aws_poll,
	.fini = aws_fini,
};
