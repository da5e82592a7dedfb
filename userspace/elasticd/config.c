// SPDX-License-Identifier: GPL-2.0
#include "config.h"
#include "log.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/elastic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Config and plan files are small; refusing big ones bounds memory. */
#define ED_MAX_FILE (256 * 1024)

static const char *const prov_names[ED_PROV_COUNT] = { "none", "aws", "gcp", "azure" };

const char *ed_provider_name(enum ed_provider p)
{
	return p < ED_PROV_COUNT ? prov_names[p] : "?";
}

const char *ed_kind_name(enum ed_kind k)
{
	return k == ED_KIND_SPOT ? "spot" : "on-demand";
}

void ed_config_defaults(struct ed_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->node_id = UINT32_MAX;
	/* Documented minimum notice per cloud: AWS 2 min, GCP 30 s, Azure Preempt 30 s. */
	cfg->notice_window_s[ED_PROV_AWS] = 120;
	cfg->notice_window_s[ED_PROV_GCP] = 30;
	cfg->notice_window_s[ED_PROV_AZURE] = 30;
	cfg->drain_margin_s = 10;
	cfg->notice_slack_s = 60;
	cfg->rebalance_drain = 0;
	snprintf(cfg->metadata_url, sizeof(cfg->metadata_url), "http://169.254.169.254");
	cfg->poll_interval_ms[ED_PROV_AWS] = 2000;
	cfg->poll_interval_ms[ED_PROV_GCP] = 1000;	/* back-off after a failed long poll */
	cfg->poll_interval_ms[ED_PROV_AZURE] = 1000;
	cfg->gcp_wait_timeout_s = 60;
	cfg->http_timeout_ms = 2000;
	cfg->http_connect_timeout_ms = 1000;
	cfg->http_max_body = 64 * 1024;
	cfg->aws_token_ttl_s = 21600;
	cfg->aws_imdsv1_fallback = 1;
	if (gethostname(cfg->azure_resource, sizeof(cfg->azure_resource) - 1))
		cfg->azure_resource[0] = 0;
}

static void set_err(char *err, size_t errlen, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_err(char *err, size_t errlen, int line, const char *fmt, ...)
{
	va_list ap;
	size_t off = 0;

	if (!err || !errlen)
		return;
	if (line > 0)
		off = (size_t)snprintf(err, errlen, "line %d: ", line);
	if (off >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + off, errlen - off, fmt, ap);
	va_end(ap);
}

static int parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	if (!*s || (!isdigit((unsigned char)*s) && *s != '-'))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on"))
		*out = 1;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0") || !strcmp(s, "off"))
		*out = 0;
	else
		return -1;
	return 0;
}

static int parse_provider(const char *s, enum ed_provider *out)
{
	for (int i = 0; i < ED_PROV_COUNT; i++)
		if (!strcmp(s, prov_names[i])) {
			*out = (enum ed_provider)i;
			return 0;
		}
	return -1;
}

/* "a.b.c.d:port", dotted quad only (inet_pton refuses shorthand forms). */
static int parse_addr(const char *s, struct ed_node *n)
{
	char host[16];
	const char *colon = strrchr(s, ':');
	long port;
	struct in_addr a;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	if (inet_pton(AF_INET, host, &a) != 1 || parse_long(colon + 1, 1, 65535, &port))
		return -1;
	n->ipv4 = a.s_addr;
	n->port = (uint16_t)port;
	snprintf(n->addr, sizeof(n->addr), "%s:%ld", host, port);
	return 0;
}

/* node = <id> <ipv4:port> <spot|on-demand> <aws|gcp|azure|none> */
static int parse_node(struct ed_config *cfg, char *val, int line, char *err, size_t errlen)
{
	char *tok[5], *save = NULL;
	int n = 0;
	long id;
	struct ed_node node = { 0 };

	for (char *t = strtok_r(val, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == 4) {
			set_err(err, errlen, line, "node: too many fields (want: id ipv4:port kind provider)");
			return -1;
		}
		tok[n++] = t;
	}
	if (n != 4) {
		set_err(err, errlen, line, "node: want 4 fields: id ipv4:port spot|on-demand aws|gcp|azure|none");
		return -1;
	}
	if (parse_long(tok[0], 1, ELASTIC_MAX_NODE_ID, &id)) {
		set_err(err, errlen, line, "node: bad id '%s' (1..%d)", tok[0], ELASTIC_MAX_NODE_ID);
		return -1;
	}
	node.id = (uint32_t)id;
	if (parse_addr(tok[1], &node)) {
		set_err(err, errlen, line, "node %ld: bad address '%s' (want IPv4:port)", id, tok[1]);
		return -1;
	}
	if (!strcmp(tok[2], "spot"))
		node.kind = ED_KIND_SPOT;
	else if (!strcmp(tok[2], "on-demand"))
		node.kind = ED_KIND_ON_DEMAND;
	else {
		set_err(err, errlen, line, "node %ld: bad kind '%s' (spot|on-demand)", id, tok[2]);
		return -1;
	}
	if (parse_provider(tok[3], &node.provider)) {
		set_err(err, errlen, line, "node %ld: bad provider '%s' (aws|gcp|azure|none)", id, tok[3]);
		return -1;
	}
	for (size_t i = 0; i < cfg->n_nodes; i++) {
		if (cfg->nodes[i].id == node.id) {
			set_err(err, errlen, line, "node %ld: duplicate id", id);
			return -1;
		}
		if (!strcmp(cfg->nodes[i].addr, node.addr)) {
			set_err(err, errlen, line, "node %ld: address %s already used by node %u",
				id, node.addr, cfg->nodes[i].id);
			return -1;
		}
	}
	if (cfg->n_nodes == ED_MAX_NODES) {
		set_err(err, errlen, line, "too many nodes (max %d)", ED_MAX_NODES);
		return -1;
	}
	cfg->nodes[cfg->n_nodes++] = node;
	return 0;
}

struct int_key {
	const char *name;
	size_t off;
	long min, max;
};

#define IK(name, field, min, max) { name, offsetof(struct ed_config, field), min, max }
static const struct int_key int_keys[] = {
	IK("notice_window_aws", notice_window_s[ED_PROV_AWS], 1, 86400),
	IK("notice_window_gcp", notice_window_s[ED_PROV_GCP], 1, 86400),
	IK("notice_window_azure", notice_window_s[ED_PROV_AZURE], 1, 86400),
	IK("drain_margin", drain_margin_s, 0, 3600),
	IK("notice_slack", notice_slack_s, 0, 86400),
	IK("poll_interval_aws_ms", poll_interval_ms[ED_PROV_AWS], 10, 600000),
	IK("poll_interval_gcp_ms", poll_interval_ms[ED_PROV_GCP], 10, 600000),
	IK("poll_interval_azure_ms", poll_interval_ms[ED_PROV_AZURE], 10, 600000),
	IK("gcp_wait_timeout", gcp_wait_timeout_s, 1, 3600),
	IK("http_timeout_ms", http_timeout_ms, 50, 600000),
	IK("http_connect_timeout_ms", http_connect_timeout_ms, 50, 600000),
	IK("aws_token_ttl", aws_token_ttl_s, 1, 21600),	/* IMDSv2 accepts 1..21600 */
};

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int set_key(struct ed_config *cfg, const char *key, char *val, int line,
		   char *err, size_t errlen)
{
	long v;

	for (size_t i = 0; i < sizeof(int_keys) / sizeof(int_keys[0]); i++) {
		const struct int_key *k = &int_keys[i];

		if (strcmp(key, k->name))
			continue;
		if (parse_long(val, k->min, k->max, &v)) {
			set_err(err, errlen, line, "%s: '%s' is not an integer in %ld..%ld",
				key, val, k->min, k->max);
			return -1;
		}
		*(int *)((char *)cfg + k->off) = (int)v;
		return 0;
	}
	if (!strcmp(key, "node_id")) {
		if (parse_long(val, 1, ELASTIC_MAX_NODE_ID, &v)) {
			set_err(err, errlen, line, "node_id: '%s' is not an id in 1..%d", val,
				ELASTIC_MAX_NODE_ID);
			return -1;
		}
		cfg->node_id = (uint32_t)v;
	} else if (!strcmp(key, "node")) {
		return parse_node(cfg, val, line, err, errlen);
	} else if (!strcmp(key, "rebalance_drain") || !strcmp(key, "aws_imdsv1_fallback")) {
		int b;

		if (parse_bool(val, &b)) {
			set_err(err, errlen, line, "%s: '%s' is not yes/no", key, val);
			return -1;
		}
		if (key[0] == 'r')
			cfg->rebalance_drain = b;
		else
			cfg->aws_imdsv1_fallback = b;
	} else if (!strcmp(key, "http_max_body")) {
		if (parse_long(val, 256, 16L * 1024 * 1024, &v)) {
			set_err(err, errlen, line, "http_max_body: '%s' not in 256..16777216", val);
			return -1;
		}
		cfg->http_max_body = v;
	} else if (!strcmp(key, "metadata_url")) {
		size_t l = strlen(val);

		if (strncmp(val, "http://", 7) && strncmp(val, "https://", 8)) {
			set_err(err, errlen, line, "metadata_url: must start with http:// or https://");
			return -1;
		}
		while (l && val[l - 1] == '/')	/* paths are appended with a leading '/' */
			val[--l] = 0;
		if (l >= sizeof(cfg->metadata_url)) {
			set_err(err, errlen, line, "metadata_url: too long");
			return -1;
		}
		memcpy(cfg->metadata_url, val, l + 1);
	} else if (!strcmp(key, "azure_resource")) {
		if (strlen(val) >= sizeof(cfg->azure_resource)) {
			set_err(err, errlen, line, "azure_resource: too long");
			return -1;
		}
		strcpy(cfg->azure_resource, val);
	} else if (!strcmp(key, "plan_file")) {
		if (strlen(val) >= sizeof(cfg->plan_file)) {
			set_err(err, errlen, line, "plan_file: too long");
			return -1;
		}
		strcpy(cfg->plan_file, val);
	} else {
		/* Unknown keys are errors: a typo must not silently become a default. */
		set_err(err, errlen, line, "unknown key '%s'", key);
		return -1;
	}
	return 0;
}

int ed_config_parse(struct ed_config *cfg, const char *text, char *err, size_t errlen)
{
	char *copy = strdup(text), *save = NULL, *p;
	int line = 0, rc = -1;
	const struct ed_node *self;

	ed_config_defaults(cfg);
	if (!copy) {
		set_err(err, errlen, 0, "out of memory");
		return -1;
	}
	/* Walk lines by hand: strtok would skip empty lines and break numbering. */
	for (p = copy; p; ) {
		char *nl = strchr(p, '\n'), *eq, *key, *val, *hash;

		if (nl)
			*nl = 0;
		line++;
		hash = strchr(p, '#');
		if (hash)
			*hash = 0;
		p = trim(p);
		if (*p) {
			eq = strchr(p, '=');
			if (!eq) {
				set_err(err, errlen, line, "expected 'key = value'");
				goto out;
			}
			*eq = 0;
			key = trim(p);
			val = trim(eq + 1);
			if (!*key || !*val) {
				set_err(err, errlen, line, "empty key or value");
				goto out;
			}
			if (set_key(cfg, key, val, line, err, errlen))
				goto out;
		}
		p = nl ? nl + 1 : NULL;
	}
	(void)save;
	if (cfg->node_id == UINT32_MAX) {
		set_err(err, errlen, 0, "node_id is required");
		goto out;
	}
	self = ed_config_self(cfg);
	if (!self) {
		set_err(err, errlen, 0, "node_id %u is not listed in any 'node =' line", cfg->node_id);
		goto out;
	}
	for (int pr = ED_PROV_AWS; pr < ED_PROV_COUNT; pr++)
		if (cfg->drain_margin_s >= cfg->notice_window_s[pr])
			/* Legal, but every drain would start with a past deadline: say so. */
			log_warn("drain_margin (%d s) >= notice_window_%s (%d s): drains start late",
				cfg->drain_margin_s, ed_provider_name(pr), cfg->notice_window_s[pr]);
	if (self->provider == ED_PROV_AZURE && !cfg->azure_resource[0]) {
		set_err(err, errlen, 0, "azure_resource is required (no hostname to default to)");
		goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static char *read_small_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f) {
		set_err(err, errlen, 0, "%s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(ED_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		set_err(err, errlen, 0, "out of memory");
		return NULL;
	}
	n = fread(buf, 1, ED_MAX_FILE + 1, f);
	fclose(f);
	if (n > ED_MAX_FILE) {
		free(buf);
		set_err(err, errlen, 0, "%s: larger than %d bytes", path, ED_MAX_FILE);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

int ed_config_load(struct ed_config *cfg, const char *path, char *err, size_t errlen)
{
	char *text = read_small_file(path, err, errlen);
	int rc;
	char sub[256];

	if (!text)
		return -1;
	rc = ed_config_parse(cfg, text, sub, sizeof(sub));
	free(text);
	if (rc)
		set_err(err, errlen, 0, "%s: %s", path, sub);
	return rc;
}

const struct ed_node *ed_config_node(const struct ed_config *cfg, uint32_t id)
{
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (cfg->nodes[i].id == id)
			return &cfg->nodes[i];
	return NULL;
}

const struct ed_node *ed_config_self(const struct ed_config *cfg)
{
	return ed_config_node(cfg, cfg->node_id);
}

int ed_plan_parse(struct ed_plan *plan, const char *json, const struct ed_config *cfg,
		  char *err, size_t errlen)
{
	enum json_tokener_error jerr;
	json_object *root = json_tokener_parse_verbose(json, &jerr), *nodes;
	int rc = -1;
	size_t n;

	memset(plan, 0, sizeof(*plan));
	if (!root) {
		set_err(err, errlen, 0, "plan: bad JSON: %s", json_tokener_error_desc(jerr));
		return -1;
	}
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "nodes", &nodes) ||
	    !json_object_is_type(nodes, json_type_array)) {
		set_err(err, errlen, 0, "plan: want an object with a \"nodes\" array");
		goto out;
	}
	n = json_object_array_length(nodes);
	if (n > ED_MAX_NODES) {
		set_err(err, errlen, 0, "plan: too many nodes");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(nodes, i), *id, *cap;
		int64_t idv, capv;

		if (!json_object_is_type(e, json_type_object) ||
		    !json_object_object_get_ex(e, "id", &id) || !json_object_is_type(id, json_type_int) ||
		    !json_object_object_get_ex(e, "page_cap", &cap) ||
		    !json_object_is_type(cap, json_type_int)) {
			set_err(err, errlen, 0, "plan: nodes[%zu] needs integer \"id\" and \"page_cap\"", i);
			goto out;
		}
		idv = json_object_get_int64(id);
		capv = json_object_get_int64(cap);
		if (idv < 1 || idv > ELASTIC_MAX_NODE_ID || capv < 0) {
			set_err(err, errlen, 0, "plan: nodes[%zu]: id or page_cap out of range", i);
			goto out;
		}
		if (cfg && !ed_config_node(cfg, (uint32_t)idv)) {
			set_err(err, errlen, 0, "plan: node %lld is not a member", (long long)idv);
			goto out;
		}
		for (size_t j = 0; j < plan->n_caps; j++)
			if (plan->caps[j].node == (uint32_t)idv) {
				set_err(err, errlen, 0, "plan: node %lld listed twice", (long long)idv);
				goto out;
			}
		plan->caps[plan->n_caps].node = (uint32_t)idv;
		plan->caps[plan->n_caps].max_pages = (uint64_t)capv;
		plan->n_caps++;
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

int ed_plan_load(struct ed_plan *plan, const char *path, const struct ed_config *cfg,
		 char *err, size_t errlen)
{
	char *text = read_small_file(path, err, errlen);
	int rc;

	if (!text)
		return -1;
	rc = ed_plan_parse(plan, text, cfg, err, errlen);
	free(text);
	return rc;
}
