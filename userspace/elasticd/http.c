// SPDX-License-Identifier: GPL-2.0
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct ed_http_client {
	CURL *curl;
	struct ed_http_limits lim;
	atomic_int *stop;
	char *buf;		/* max_body + 1 bytes, allocated once */
	size_t len;
	int overflow;
	char etag[128];
};

int ed_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void ed_http_global_cleanup(void)
{
	curl_global_cleanup();
}

struct ed_http_client *ed_http_new(const struct ed_http_limits *lim, atomic_int *stop)
{
	struct ed_http_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->lim = *lim;
	c->stop = stop;
	c->buf = malloc((size_t)lim->max_body + 1);
	c->curl = curl_easy_init();
	if (!c->buf || !c->curl) {
		ed_http_free(c);
		return NULL;
	}
	return c;
}

void ed_http_free(struct ed_http_client *c)
{
	if (!c)
		return;
	if (c->curl)
		curl_easy_cleanup(c->curl);
	free(c->buf);
	free(c);
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct ed_http_client *c = arg;
	size_t n = size * nmemb;

	if (c->len + n > (size_t)c->lim.max_body) {
		/* Returning short makes curl abort: memory stays bounded even
		 * when the server streams forever. */
		c->overflow = 1;
		return 0;
	}
	memcpy(c->buf + c->len, ptr, n);
	c->len += n;
	return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct ed_http_client *c = arg;
	size_t n = size * nmemb, vlen;
	const char *v;

	if (n > 5 && !strncasecmp(ptr, "ETag:", 5)) {
		v = ptr + 5;
		vlen = n - 5;
		while (vlen && isspace((unsigned char)*v))
			v++, vlen--;
		while (vlen && isspace((unsigned char)v[vlen - 1]))
			vlen--;
		if (vlen < sizeof(c->etag)) {
			memcpy(c->etag, v, vlen);
			c->etag[vlen] = 0;
		}
	}
	return n;
}

static int on_progress(void *arg, curl_off_t dlt, curl_off_t dln, curl_off_t ult, curl_off_t uln)
{
	struct ed_http_client *c = arg;

	(void)dlt; (void)dln; (void)ult; (void)uln;
	return c->stop && atomic_load(c->stop) ? 1 : 0;
}

int ed_http_request(struct ed_http_client *c, const char *method, const char *url,
		    const char *const *headers, const char *body, long extra_timeout_ms,
		    struct ed_http_resp *resp)
{
	CURL *h = c->curl;
	struct curl_slist *hl = NULL;
	CURLcode rc;
	int ret = -1;

	memset(resp, 0, sizeof(*resp));
	c->len = 0;
	c->overflow = 0;
	c->etag[0] = 0;
	c->buf[0] = 0;

	curl_easy_reset(h);	/* keeps the connection cache, drops old options */
	for (; headers && *headers; headers++) {
		struct curl_slist *n = curl_slist_append(hl, *headers);

		if (!n) {
			snprintf(resp->error, sizeof(resp->error), "out of memory");
			goto out;
		}
		hl = n;
	}
	if (body) {
		struct curl_slist *n = curl_slist_append(hl, "Content-Type: application/json");

		if (n)
			hl = n;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "PUT") || !strcmp(method, "POST")) {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
	/* Metadata services live on a link-local address: a proxy from the
	 * environment would leak the request or answer for another machine. */
	curl_easy_setopt(h, CURLOPT_PROXY, "");
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);	/* threads + timeouts */
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->lim.timeout_ms + extra_timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->lim.connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->lim.max_body);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, c);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, c);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "elasticd/1");

	rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		if (c->overflow || rc == CURLE_FILESIZE_EXCEEDED)
			snprintf(resp->error, sizeof(resp->error),
				 "response body larger than %ld bytes", c->lim.max_body);
		else if (rc == CURLE_ABORTED_BY_CALLBACK)
			snprintf(resp->error, sizeof(resp->error), "aborted (shutting down)");
		else
			snprintf(resp->error, sizeof(resp->error), "%s", curl_easy_strerror(rc));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
	c->buf[c->len] = 0;
	resp->body = c->buf;
	resp->body_len = c->len;
	memcpy(resp->etag, c->etag, sizeof(resp->etag));
	if (strlen(resp->body) != c->len) {
		/* Embedded NULs would make every later string check lie. */
		snprintf(resp->error, sizeof(resp->error), "response body contains NUL bytes");
		resp->status = 0;
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(hl);
	return ret;
}
