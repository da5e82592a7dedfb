// SPDX-License-Identifier: GPL-2.0
/*
 * elasticd: the SpotOS per-node agent. Applies cluster membership and the
 * economic calculator's page caps to the kernel module, watches this node's
 * cloud metadata service for interruption notices and drains the node
 * before the cloud takes it back.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actuator.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "reactor.h"
#include "watcher.h"

#define ELASTICD_VERSION "0.1"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: elasticd [--config FILE] [--foreground] [--dry-run] [--check-config] [-v|-q]\n"
		"  --config FILE   configuration (default " ED_DEFAULT_CONFIG ")\n"
		"  --foreground    stay attached, log to stderr (systemd, tests)\n"
		"  --dry-run       watch the metadata service, but never touch the kernel;\n"
		"                  print one line per decision on stdout\n"
		"  --check-config  parse the configuration and plan, then exit\n"
		"  -v, --verbose   debug logging;  -q, --quiet  warnings and errors only\n");
}

/* Drains nodes that left the configuration, then applies membership and caps. */
static void apply_config(struct ed_actuator *act, const struct ed_config *old,
			 const struct ed_config *cfg)
{
	struct ed_plan plan;
	char err[256];
	int rc;

	for (size_t i = 0; old && i < old->n_nodes; i++) {
		uint32_t id = old->nodes[i].id;
		struct ed_drain_req req = { id, 0, ED_DRAIN_REMOVE, "config-remove" };
		struct ed_drain_result res;

		if (ed_config_node(cfg, id))
			continue;
		/* Pages on a node that vanishes would be lost: empty it first. */
		log_info("node %u left the configuration: draining it before removal", id);
		rc = act->ops->drain_node(act, &req, NULL, NULL, &res);
		if (rc == 0 && res.pages_left == 0)
			act->ops->remove_node(act, id);
		else
			log_err("node %u not removed: drain %s (%llu pages left)", id,
				rc ? strerror(-rc) : "incomplete", (unsigned long long)res.pages_left);
	}
	rc = act->ops->apply_membership(act, cfg);
	if (rc)
		log_err("applying membership failed: %s", strerror(-rc));
	if (!cfg->plan_file[0])
		return;
	if (ed_plan_load(&plan, cfg->plan_file, cfg, err, sizeof(err))) {
		log_err("plan not applied, keeping previous caps: %s", err);
		return;
	}
	rc = act->ops->set_caps(act, &plan);
	if (rc)
		log_err("applying page caps failed: %s", strerror(-rc));
	else
		log_info("applied page caps for %zu node(s) from %s", plan.n_caps, cfg->plan_file);
}

/* Only settings a watcher reads need a watcher restart on reload. */
static int watcher_settings_changed(const struct ed_config *a, const struct ed_config *b)
{
	const struct ed_node *sa = ed_config_self(a), *sb = ed_config_self(b);

	return sa->provider != sb->provider || strcmp(a->metadata_url, b->metadata_url) ||
	       memcmp(a->poll_interval_ms, b->poll_interval_ms, sizeof(a->poll_interval_ms)) ||
	       a->gcp_wait_timeout_s != b->gcp_wait_timeout_s ||
	       a->http_timeout_ms != b->http_timeout_ms ||
	       a->http_connect_timeout_ms != b->http_connect_timeout_ms ||
	       a->http_max_body != b->http_max_body || a->aws_token_ttl_s != b->aws_token_ttl_s ||
	       a->aws_imdsv1_fallback != b->aws_imdsv1_fallback ||
	       strcmp(a->azure_resource, b->azure_resource);
}

static struct ed_watcher *start_watcher(const struct ed_config *cfg, struct ed_reactor *r,
					int dry_run)
{
	const struct ed_node *self = ed_config_self(cfg);
	struct ed_watcher *w;

	if (self->provider == ED_PROV_NONE) {
		log_info("node %u has provider none: no metadata watcher", cfg->node_id);
		return NULL;
	}
	w = ed_watcher_new(self->provider, cfg, ed_reactor_sink(r), dry_run);
	if (!w || ed_watcher_start(w)) {
		log_err("cannot start the %s watcher", ed_provider_name(self->provider));
		ed_watcher_free(w);
		return NULL;
	}
	return w;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "check-config", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	const char *path = ED_DEFAULT_CONFIG;
	int foreground = 0, dry_run = 0, check = 0, verbosity = 0, opt, sig;
	/* Two configurations (running, candidate) swapped on reload; static
	 * because they are large and live as long as the process. */
	static struct ed_config cfg_a, cfg_b;
	struct ed_config *cfg = &cfg_a, *next = &cfg_b;
	struct ed_actuator *act;
	struct ed_reactor *reactor;
	struct ed_watcher *watcher;
	char err[512];
	sigset_t set;

	while ((opt = getopt_long(argc, argv, "c:fnvqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 'f': foreground = 1; break;
		case 'n': dry_run = 1; break;
		case 'C': check = 1; break;
		case 'v': verbosity = 1; break;
		case 'q': verbosity = -1; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("elasticd %s\n", ELASTICD_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	ed_log_init(!foreground && !check, verbosity);
	if (ed_config_load(cfg, path, err, sizeof(err))) {
		log_err("configuration error: %s", err);
		return 2;
	}
	if (check) {
		struct ed_plan plan;

		if (cfg->plan_file[0] && ed_plan_load(&plan, cfg->plan_file, cfg, err, sizeof(err))) {
			log_err("plan error: %s", err);
			return 2;
		}
		printf("%s: ok (node %u of %zu, provider %s)\n", path, cfg->node_id, cfg->n_nodes,
		       ed_provider_name(ed_config_self(cfg)->provider));
		return 0;
	}
	if (!foreground && daemon(0, 0)) {
		log_err("daemon: %s", strerror(errno));
		return 1;
	}

	/* Signals are taken synchronously by this thread only (sigwait), so
	 * watcher and drain threads never run handlers mid-request. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (ed_http_global_init()) {
		log_err("libcurl initialisation failed");
		return 1;
	}
	act = dry_run ? ed_actuator_dryrun_new(stdout) : ed_actuator_netlink_new();
	if (!act)
		return 1;
	log_info("starting: node %u, %zu node(s), actuator %s", cfg->node_id, cfg->n_nodes,
		 act->ops->name);
	apply_config(act, NULL, cfg);
	reactor = ed_reactor_new(cfg, act);
	if (!reactor)
		return 1;
	watcher = start_watcher(cfg, reactor, dry_run);

	for (;;) {
		sig = sigwaitinfo(&set, NULL);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			log_err("sigwaitinfo: %s", strerror(errno));
			break;
		}
		if (sig != SIGHUP)
			break;
		log_info("SIGHUP: re-reading %s", path);
		if (ed_config_load(next, path, err, sizeof(err))) {
			log_err("reload failed, keeping the running configuration: %s", err);
			continue;
		}
		if (next->node_id != cfg->node_id) {
			log_err("reload refused: node_id changed (%u -> %u); restart elasticd for that",
				cfg->node_id, next->node_id);
			continue;
		}
		apply_config(act, cfg, next);
		ed_reactor_set_config(reactor, next);
		if (watcher_settings_changed(cfg, next)) {
			log_info("watcher settings changed: restarting the watcher");
			ed_watcher_free(watcher);
			watcher = start_watcher(next, reactor, dry_run);
		}
		{
			struct ed_config *t = cfg;

			cfg = next;
			next = t;
		}
		log_info("configuration reloaded");
	}

	log_info("%s: shutting down", strsignal(sig));
	ed_watcher_free(watcher);
	ed_reactor_free(reactor);
	act->ops->destroy(act);
	ed_http_global_cleanup();
	log_info("stopped");
	return 0;
}
