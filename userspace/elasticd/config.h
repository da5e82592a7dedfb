/* SPDX-License-Identifier: GPL-2.0 */
/* elasticd configuration file (see docs/elasticd.md) and the EC plan. */
#ifndef ELASTICD_CONFIG_H
#define ELASTICD_CONFIG_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define ED_MAX_NODES 64
#define ED_DEFAULT_CONFIG "/etc/spotos/elasticd.conf"

enum ed_provider { ED_PROV_NONE, ED_PROV_AWS, ED_PROV_GCP, ED_PROV_AZURE, ED_PROV_COUNT };
enum ed_kind { ED_KIND_SPOT, ED_KIND_ON_DEMAND };

struct ed_node {
	uint32_t id;
	char addr[24];		/* "a.b.c.d:port", validated */
	uint32_t ipv4;		/* network byte order */
	uint16_t port;
	enum ed_kind kind;
	enum ed_provider provider;
};

struct ed_config {
	uint32_t node_id;
	struct ed_node nodes[ED_MAX_NODES];
	size_t n_nodes;

	int notice_window_s[ED_PROV_COUNT];
	int drain_margin_s;
	int notice_slack_s;
	int rebalance_drain;

	char metadata_url[256];
	int poll_interval_ms[ED_PROV_COUNT];
	int gcp_wait_timeout_s;
	int http_timeout_ms;
	int http_connect_timeout_ms;
	long http_max_body;
	int aws_token_ttl_s;
	int aws_imdsv1_fallback;
	char azure_resource[128];

	char plan_file[PATH_MAX];
};

struct ed_cap {
	uint32_t node;
	uint64_t max_pages;
};

struct ed_plan {
	struct ed_cap caps[ED_MAX_NODES];
	size_t n_caps;
};

void ed_config_defaults(struct ed_config *cfg);
/* Parse from a string / a file. On error returns -1 with "line N: why" in err. */
int ed_config_parse(struct ed_config *cfg, const char *text, char *err, size_t errlen);
int ed_config_load(struct ed_config *cfg, const char *path, char *err, size_t errlen);

const struct ed_node *ed_config_node(const struct ed_config *cfg, uint32_t id);
const struct ed_node *ed_config_self(const struct ed_config *cfg);

/* Plan: {"nodes": [{"id": 1, "page_cap": 262144}, ...]}; ids must be members. */
int ed_plan_parse(struct ed_plan *plan, const char *json, const struct ed_config *cfg,
		  char *err, size_t errlen);
int ed_plan_load(struct ed_plan *plan, const char *path, const struct ed_config *cfg,
		 char *err, size_t errlen);

const char *ed_provider_name(enum ed_provider p);
const char *ed_kind_name(enum ed_kind k);

#endif
