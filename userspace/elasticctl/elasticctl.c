// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl: control SpotOS elastic memory on this node.
 *
 *   elasticctl [-j] status
 *   elasticctl config set node-id ID
 *   elasticctl node add ID ADDR[:PORT] | node del ID | [-j] node list | [-j] node show ID
 *   elasticctl [-j] node drain ID [--deadline SECONDS]
 *   elasticctl node undrain ID | node set ID --max-pages N
 *   elasticctl [-j] events [--count N] [--timeout SEC]
 *   elasticctl stretch PID --nodes LIST [--local-limit SIZE]
 *   elasticctl run --nodes LIST [--local-limit SIZE] -- CMD [ARGS...]
 *   elasticctl [-j] push PID [--to NODE] --pages N
 *   elasticctl [-j] unstretch PID
 *   elasticctl [-j] map PID [--width N] [--svg FILE]
 *   elasticctl [-j] top [--interval SECONDS] [--count N]
 *
 * Shaped like iproute2: OBJECT COMMAND, -j for JSON.  Exit status: 0 done,
 * 1 the operation failed, 2 usage error.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/elastic.h>
#include <json-c/json.h>

#include "elastic.h"
#include "iso8601.h"

#define VERSION "0.1.0"
#define MAP_MAX_WIDTH 400	/* map: cells per row at most */

static int json_out;
static const char *prog = "elasticctl";

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n"
		"  status                         module version, node id, counters\n"
		"  config set node-id ID          set this node's id (1-%u; needs CAP_NET_ADMIN)\n"
		"  node add ID ADDR[:PORT]        add a cluster member (port %u by default)\n"
		"  node del ID                    remove a member\n"
		"  node list | node show ID       members and their state\n"
		"  node drain ID [--deadline SEC] move this node's pages off member ID, with progress;\n"
		"                                 this node's own ID: empty this node (spot reclaim)\n"
		"  node undrain ID                member ID (or this node) takes pages again\n"
		"  node set ID --max-pages N      cap the pages node ID hosts for others (0: no cap)\n"
		"  events [--count N] [--timeout SEC]\n"
		"                                 follow the module's events multicast group\n"
		"  stretch PID --nodes LIST [--local-limit SIZE]\n"
		"                                 spread a running process's memory over nodes\n"
		"                                 (LIST: 1,2,3 or 1-3; SIZE: bytes, K, M, G)\n"
		"  run --nodes LIST [--local-limit SIZE] -- CMD [ARGS...]\n"
		"                                 start CMD stretched (it stays so across exec)\n"
		"  push PID [--to NODE] --pages N push N pages of a stretched process now\n"
		"  unstretch PID                  bring every page home; the process is no longer stretched\n"
		"  map PID [--width N] [--svg FILE]\n"
		"                                 where a process's pages are: one row per mapping;\n"
		"                                 --svg also draws it in FILE ('-': only that, on stdout)\n"
		"  top [--interval SEC] [--count N]\n"
		"                                 stretched processes and their rates, every SEC\n"
		"                                 (default 1, e.g. 0.5); N screens, then exit\n"
		"Options:\n"
		"  -j, --json      print JSON\n"
		"  -V, --version   print elasticctl's version\n"
		"  -h, --help      this text\n",
		prog, ELASTIC_MAX_NODE_ID, ELASTIC_DEFAULT_PORT);
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return 2;
}

/* Report a failed operation in words a person can act on. */
static int fail(struct elastic_client *c, const char *what, int err)
{
	const char *why = c ? elastic_last_error(c) : "";

	if (err == -ENOENT && !c)
		fprintf(stderr, "%s: %s: the elastic module is not loaded "
			"(no generic netlink family '%s')\n", prog, what, ELASTIC_FAMILY_NAME);
	else if (err == -EPERM)
		fprintf(stderr, "%s: %s: %s (needs CAP_NET_ADMIN)\n", prog, what, strerror(-err));
	else if (why && *why)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, what, strerror(-err), why);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	return 1;
}

static void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

static int cmd_status(struct elastic_client *c)
{
	struct elastic_status st;
	struct json_object *o;
	int ret;

	ret = elastic_status_get(c, &st);
	if (ret)
		return fail(c, "status", ret);
	if (!json_out) {
		printf("module   elastic %s\n", st.version);
		printf("kernel   %s\n", st.release);
		if (st.node_id)
			printf("node     %u\n", st.node_id);
		else
			printf("node     unassigned\n");
		printf("bad-input %llu\n", (unsigned long long)st.bad_input);
		printf("stretched %u\n", st.stretched);
		printf("hosted   %llu pages\n", (unsigned long long)st.hosted_pages);
		return 0;
	}
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(st.version));
	json_object_object_add(o, "release", json_object_new_string(st.release));
	json_object_object_add(o, "node_id", json_object_new_int64(st.node_id));
	json_object_object_add(o, "bad_input", json_object_new_uint64(st.bad_input));
	json_object_object_add(o, "stretched", json_object_new_int64(st.stretched));
	json_object_object_add(o, "hosted_pages", json_object_new_uint64(st.hosted_pages));
	print_json(o);
	return 0;
}

/* A command's arguments, checked before anything is sent to the kernel. */
struct cmd_args {
	const char *verb;	/* node: add, del, list, show */
	uint32_t node_id;	/* config set node-id; node add/del/show */
	uint32_t addr;		/* node add, network byte order */
	uint16_t port;
	uint32_t count;		/* events, top: stop after this many (0: never) */
	uint32_t timeout;	/* events: seconds without an event (0: wait forever) */
	uint32_t deadline;	/* node drain: seconds (0: none) */
	uint32_t max_pages;	/* node set */
	uint32_t pid;		/* stretch, push */
	uint64_t nodes;		/* stretch, run: bitmap of node ids */
	uint64_t limit;		/* stretch, run: local limit in pages (0: none) */
	uint64_t pages;		/* push */
	char **cmd;		/* run: the program and its arguments */
	uint32_t width;		/* map: cells per row */
	const char *svg;	/* map: write the picture here ("-": stdout) */
	uint32_t interval_ms;	/* top: between screens */
};

/* Options of stretch, run and push; the process is argv[1] for stretch/push. */
static int parse_process(int argc, char **argv, struct cmd_args *a)
{
	static const struct option opts[] = {
		{ "nodes", required_argument, NULL, 'n' },
		{ "local-limit", required_argument, NULL, 'l' },
		{ "to", required_argument, NULL, 't' },
		{ "pages", required_argument, NULL, 'p' },
		{}
	};
	const char *obj = argv[0];
	int is_push = !strcmp(obj, "push"), is_run = !strcmp(obj, "run");
	uint64_t bytes;
	int opt;

	/* 0, not 1: glibc then also forgets the ordering of the last parse. */
	optind = 0;
	/*
	 * '+' for run: stop at the first non-option, so that CMD keeps its own
	 * options.  push and stretch take theirs after the PID too, as their
	 * usage says.
	 */
	while ((opt = getopt_long(argc, argv, is_run ? "+" : "", opts, NULL)) != -1) {
		if (opt == 'n' && !is_push && !elastic_parse_nodes(optarg, &a->nodes))
			continue;
		if (opt == 'l' && !is_push && !elastic_parse_size(optarg, &bytes)) {
			/* Whole pages; a limit below one page would be no limit at all. */
			a->limit = (bytes + 4095) / 4096;
			if (bytes && a->limit)
				continue;
		}
		if (opt == 't' && is_push &&
		    !elastic_parse_u32(optarg, 1, ELASTIC_MAX_NODE_ID, &a->node_id))
			continue;
		if (opt == 'p' && is_push && !elastic_parse_size(optarg, &a->pages) && a->pages)
			continue;
		return usage_error("%s: bad option or value (see --help)", obj);
	}
	if (is_run) {
		if (optind >= argc || !a->nodes)
			return usage_error("usage: run --nodes LIST [--local-limit SIZE] -- CMD [ARGS...]%s", "");
		a->cmd = argv + optind;
		return 0;
	}
	if (optind != argc - 1 || elastic_parse_u32(argv[optind], 1, INT32_MAX, &a->pid))
		return usage_error(is_push ? "usage: push PID [--to NODE] --pages N%s" :
			"usage: stretch PID --nodes LIST [--local-limit SIZE]%s", "");
	if (is_push ? !a->pages : !a->nodes)
		return usage_error("%s: a required option is missing (see --help)", obj);
	return 0;
}

static int parse_config(int argc, char **argv, struct cmd_args *a)
{
	if (argc != 4 || strcmp(argv[1], "set") || strcmp(argv[2], "node-id"))
		return usage_error("usage: config set node-id ID%s", "");
	if (elastic_parse_u32(argv[3], 1, ELASTIC_MAX_NODE_ID, &a->node_id))
		return usage_error("node id '%s' is not a number from 1 to 63", argv[3]);
	return 0;
}

static int parse_node(int argc, char **argv, struct cmd_args *a)
{
	const char *v = argc > 1 ? argv[1] : "";
	int want = !strcmp(v, "add") ? 4 : !strcmp(v, "del") || !strcmp(v, "show") ? 3 :
		   !strcmp(v, "list") ? 2 : !strcmp(v, "drain") || !strcmp(v, "undrain") ? 3 : 0;

	/* node drain ID --deadline SEC */
	if (!strcmp(v, "drain") && argc == 5 && !strcmp(argv[3], "--deadline")) {
		if (elastic_parse_u32(argv[4], 1, 86400, &a->deadline))
			return usage_error("node drain: '%s' is not a number of seconds", argv[4]);
		argc = 3;
	}
	/* node set ID --max-pages N: the option is required */
	if (!strcmp(v, "set") && argc == 5 && !strcmp(argv[3], "--max-pages")) {
		if (elastic_parse_u32(argv[4], 0, INT32_MAX, &a->max_pages))
			return usage_error("node set: '%s' is not a number of pages (0-2147483647)",
					   argv[4]);
		want = 3;
		argc = 3;
	}
	if (!want || argc != want)
		return usage_error("usage: node add ID ADDR[:PORT] | node del ID | node list | node show ID | node drain ID [--deadline SEC] | node undrain ID | node set ID --max-pages N%s", "");
	a->verb = v;
	if (want >= 3 && elastic_parse_u32(argv[2], 1, ELASTIC_MAX_NODE_ID, &a->node_id))
		return usage_error("node id '%s' is not a number from 1 to 63", argv[2]);
	if (want == 4 && elastic_parse_addr(argv[3], ELASTIC_DEFAULT_PORT, &a->addr, &a->port))
		return usage_error("'%s' is not an IPv4 address with an optional :PORT", argv[3]);
	return 0;
}

static int parse_events(int argc, char **argv, struct cmd_args *a)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{}
	};
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'c' && !elastic_parse_u32(optarg, 1, UINT32_MAX, &a->count))
			continue;
		if (opt == 't' && !elastic_parse_u32(optarg, 1, 86400, &a->timeout))
			continue;
		return usage_error("events: bad option or value%s", "");
	}
	if (optind != argc)
		return usage_error("events: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* top [--interval SECONDS] [--count N] */
static int parse_top(int argc, char **argv, struct cmd_args *a)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{}
	};
	int opt;

	a->interval_ms = 1000;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'i' && !elastic_parse_seconds_ms(optarg, 100, 3600000, &a->interval_ms))
			continue;
		if (opt == 'c' && !elastic_parse_u32(optarg, 1, UINT32_MAX, &a->count))
			continue;
		return usage_error("usage: top [--interval SECONDS] [--count N] (SECONDS: 0.1-3600)%s", "");
	}
	if (optind != argc)
		return usage_error("top: unexpected argument '%s'", argv[optind]);
	return 0;
}

/* map PID [--width N] [--svg FILE] */
static int parse_map(int argc, char **argv, struct cmd_args *a)
{
	static const struct option opts[] = {
		{ "width", required_argument, NULL, 'w' },
		{ "svg", required_argument, NULL, 's' },
		{}
	};
	int opt;

	a->width = 64;
	/* 0, not 1: glibc then forgets main's '+' and lets options follow PID. */
	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'w' && !elastic_parse_u32(optarg, 8, MAP_MAX_WIDTH, &a->width))
			continue;
		if (opt == 's' && *optarg) {
			a->svg = optarg;
			continue;
		}
		return usage_error("usage: map PID [--width N] [--svg FILE] (N: 8-400)%s", "");
	}
	if (optind != argc - 1 || elastic_parse_u32(argv[optind], 1, INT32_MAX, &a->pid))
		return usage_error("usage: map PID [--width N] [--svg FILE] (N: 8-400)%s", "");
	return 0;
}

static int cmd_config(struct elastic_client *c, const struct cmd_args *a)
{
	int ret = elastic_config_set_node_id(c, a->node_id);

	return ret ? fail(c, "config set", ret) : 0;
}

static void print_nodes(const struct elastic_node *n, int count)
{
	struct json_object *arr = json_object_new_array();
	char ip[INET_ADDRSTRLEN];
	int i;

	if (!json_out)
		printf("%-4s %-21s %-10s %12s %10s %10s\n", "id", "address", "state",
		       "last-heard", "rx", "tx");
	for (i = 0; i < count; i++) {
		struct in_addr a = { .s_addr = n[i].addr };
		const char *state = elastic_node_state_name(n[i].state);
		char addr[32], heard[24];

		inet_ntop(AF_INET, &a, ip, sizeof(ip));
		if (json_out) {
			struct json_object *o = json_object_new_object();

			json_object_object_add(o, "id", json_object_new_int64(n[i].id));
			json_object_object_add(o, "addr", json_object_new_string(ip));
			json_object_object_add(o, "port", json_object_new_int64(n[i].port));
			json_object_object_add(o, "state", json_object_new_string(state));
			json_object_object_add(o, "last_heard_ms",
					       json_object_new_int64(n[i].last_heard_ms));
			json_object_object_add(o, "rx_msgs", json_object_new_uint64(n[i].rx_msgs));
			json_object_object_add(o, "tx_msgs", json_object_new_uint64(n[i].tx_msgs));
			json_object_array_add(arr, o);
			continue;
		}
		snprintf(addr, sizeof(addr), "%s:%u", ip, n[i].port);
		if (n[i].state == ELASTIC_NODE_STATE_SELF)
			snprintf(heard, sizeof(heard), "-");
		else
			snprintf(heard, sizeof(heard), "%u ms", n[i].last_heard_ms);
		printf("%-4u %-21s %-10s %12s %10llu %10llu\n", n[i].id, addr, state, heard,
		       (unsigned long long)n[i].rx_msgs, (unsigned long long)n[i].tx_msgs);
	}
	if (json_out)
		print_json(arr);
	else
		json_object_put(arr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Drain in calls of a few hundred pages, so that progress shows and the
 * deadline is checked between them.  Exit 1 if pages are left.
 */
static int cmd_drain(struct elastic_client *c, const struct cmd_args *a)
{
	uint64_t moved, left = 0, total = 0;
	double t0 = now_s(), t;
	int ret, met;

	for (;;) {
		ret = elastic_node_drain(c, a->node_id, 512, &moved, &left);
		if (ret)
			return fail(c, "node drain", ret);
		total += moved;
		t = now_s() - t0;
		if (!json_out) {
			printf("drain node %u: %llu pages moved, %llu left, %.1f s\n", a->node_id,
			       (unsigned long long)total, (unsigned long long)left, t);
			fflush(stdout);
		}
		if (!left || (a->deadline && t > a->deadline))
			break;
		if (!moved)	/* only pages in flight remain: let them land */
			usleep(100000);
	}
	met = !left && (!a->deadline || t <= a->deadline);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "node_id", json_object_new_int64(a->node_id));
		json_object_object_add(o, "pages_moved", json_object_new_uint64(total));
		json_object_object_add(o, "pages_left", json_object_new_uint64(left));
		json_object_object_add(o, "seconds", json_object_new_double(t));
		if (a->deadline)
			json_object_object_add(o, "deadline_met", json_object_new_boolean(met));
		print_json(o);
	} else if (a->deadline) {
		printf("drained node %u: %llu pages in %.1f s, deadline %u s %s\n", a->node_id,
		       (unsigned long long)total, t, a->deadline, met ? "met" : "MISSED");
	} else {
		printf("drained node %u: %llu pages in %.1f s%s\n", a->node_id,
		       (unsigned long long)total, t, left ? " (pages left)" : "");
	}
	return met ? 0 : 1;
}

static int cmd_node(struct elastic_client *c, const struct cmd_args *a)
{
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID];
	int ret;

	if (!strcmp(a->verb, "drain"))
		return cmd_drain(c, a);
	if (!strcmp(a->verb, "set"))
		ret = elastic_node_set_max_pages(c, a->node_id, a->max_pages);
	else if (!strcmp(a->verb, "undrain"))
		ret = elastic_node_undrain(c, a->node_id);
	else if (!strcmp(a->verb, "add"))
		ret = elastic_node_add(c, a->node_id, a->addr, a->port);
	else if (!strcmp(a->verb, "del"))
		ret = elastic_node_del(c, a->node_id);
	else if (!strcmp(a->verb, "show"))
		ret = elastic_node_get(c, a->node_id, nodes);
	else
		ret = elastic_node_list(c, nodes, ELASTIC_MAX_NODE_ID);
	if (ret < 0)
		return fail(c, "node", ret);
	if (!strcmp(a->verb, "show"))
		print_nodes(nodes, 1);
	else if (!strcmp(a->verb, "list"))
		print_nodes(nodes, ret);
	return 0;
}

static int cmd_stretch(struct elastic_client *c, const struct cmd_args *a)
{
	int ret = elastic_process_stretch(c, a->pid, a->nodes, a->limit);

	return ret ? fail(c, "stretch", ret) : 0;
}

/* Stretch ourselves, then become CMD: the stretch survives the exec. */
static int cmd_run(struct elastic_client *c, const struct cmd_args *a)
{
	int ret = elastic_process_stretch(c, getpid(), a->nodes, a->limit);

	if (ret)
		return fail(c, "run", ret);
	elastic_close(c);
	execvp(a->cmd[0], a->cmd);
	fprintf(stderr, "%s: run: %s: %s\n", prog, a->cmd[0], strerror(errno));
	return 127;
}

static int cmd_unstretch(struct elastic_client *c, const struct cmd_args *a)
{
	uint64_t pulled = 0;
	int ret = elastic_process_unstretch(c, a->pid, &pulled);

	if (ret == -ENOMEM)
		fprintf(stderr, "%s: unstretch: pid %u: this node has no room for its remote pages\n",
			prog, a->pid);
	if (ret)
		return ret == -ENOMEM ? 1 : fail(c, "unstretch", ret);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pid", json_object_new_int64(a->pid));
		json_object_object_add(o, "pages", json_object_new_uint64(pulled));
		print_json(o);
	} else {
		printf("brought %llu pages of pid %u home; it is no longer stretched\n",
		       (unsigned long long)pulled, a->pid);
	}
	return 0;
}

static int cmd_push(struct elastic_client *c, const struct cmd_args *a)
{
	uint64_t pushed = 0;
	int ret = elastic_process_push(c, a->pid, a->node_id, a->pages, &pushed);

	if (ret)
		return fail(c, "push", ret);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pid", json_object_new_int64(a->pid));
		json_object_object_add(o, "pages", json_object_new_uint64(pushed));
		print_json(o);
	} else {
		printf("pushed %llu pages of pid %u\n", (unsigned long long)pushed, a->pid);
	}
	return 0;
}

/* A node's mark in the map: 1-9, then a-z, A-Z for ids 10-63. */
static char node_mark(int id)
{
	if (id < 10)
		return '0' + id;
	if (id < 36)
		return 'a' + id - 10;
	return 'A' + id - 36;
}

/* One number from /proc/sys/elastic/NAME: -ENOENT without the module. */
static int read_sysctl(const char *name, long long *v)
{
	char path[64];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "/proc/sys/elastic/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	ok = fscanf(f, "%lld", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

/* /proc/PID/comm without its newline; "?" and -1 when it cannot be read. */
static int read_comm(unsigned int pid, char *buf, size_t size)
{
	char path[64];
	int ret = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, size, f)) {
		snprintf(buf, size, "?");
		ret = -1;
	}
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static int no_module(const char *what)
{
	fprintf(stderr, "%s: %s: the elastic module is not loaded\n", prog, what);
	return 1;
}

/* {"2": N, "3": N} for the nodes with pages (or every node listed in mask). */
static struct json_object *json_node_pages(const unsigned long long *pages, uint64_t mask)
{
	struct json_object *o = json_object_new_object();
	char k[8];
	int i;

	for (i = 1; i < 64; i++)
		if (pages[i] || (mask & (1ULL << i))) {
			snprintf(k, sizeof(k), "%d", i);
			json_object_object_add(o, k, json_object_new_uint64(pages[i]));
		}
	return o;
}

#define MAP_HERE	0	/* a cell's holder: most of its present pages are here */
#define MAP_NONE	(-1)	/* a cell's holder: none of its pages is present */

/* One mapping with pages present: who holds each cell, and page counts. */
struct map_row {
	unsigned long long start, end;
	unsigned long long local, remote[64];
	int cells;
	signed char holder[MAP_MAX_WIDTH];	/* MAP_NONE, MAP_HERE or a node id */
};

/* A process's pages, from one pass over its maps and pagemap. */
struct page_map {
	unsigned int pid;
	char comm[20];
	long long node_id;	/* this node's */
	unsigned long long local, remote[64];
	int nrows;
	struct map_row *rows;
};

/*
 * Count @n pages from virtual page @page on by where they are: here, or
 * per owner node.  Elastic entries are swap entries (bit 62) of the swap
 * type @type (bits 0-4); their swap offset (bits 5-54) names the owner in
 * its bits 40-45.  Entries are read a few thousand at a time: one read per
 * page would make a large process slow to map.
 */
static void map_count(int pm, unsigned long long page, unsigned long long n, int type,
		      unsigned long long *here, unsigned long long *owner)
{
	uint64_t e[512];
	ssize_t got;
	int i;

	while (n) {
		got = pread(pm, e, (n < 512 ? n : 512) * 8, (off_t)(page * 8));
		if (got < 8)
			return;
		for (i = 0; i < got / 8; i++) {
			if (e[i] >> 63)
				(*here)++;
			else if ((e[i] >> 62) & 1 && (int)(e[i] & 31) == type)
				owner[(e[i] >> 45) & 63]++;
		}
		page += got / 8;
		n -= got / 8;
	}
}

/*
 * Fill @r for its mapping [start, end): each cell goes to who holds most of
 * its pages.  Return the number of pages present, here or remote.
 */
static unsigned long long map_scan_row(int pm, int type, int width, struct map_row *r)
{
	unsigned long long npages = (r->end - r->start) / 4096, cell, present = 0;
	int i;

	r->cells = npages < (unsigned long long)width ? (int)npages : width;
	for (cell = 0; cell < (unsigned long long)r->cells; cell++) {
		unsigned long long first = cell * npages / r->cells;
		unsigned long long last = (cell + 1) * npages / r->cells;
		unsigned long long here = 0, best = 0, cnt[64] = { 0 };
		int bestn = 0;

		map_count(pm, r->start / 4096 + first, last - first, type, &here, cnt);
		for (i = 1; i < 64; i++) {
			if (cnt[i] > best) {
				best = cnt[i];
				bestn = i;
			}
			r->remote[i] += cnt[i];
			present += cnt[i];
		}
		r->local += here;
		present += here;
		r->holder[cell] = best > here ? bestn : here ? MAP_HERE : MAP_NONE;
	}
	return present;
}

/* The next row of @m, zeroed; NULL when out of memory. */
static struct map_row *map_new_row(struct page_map *m, int *cap)
{
	struct map_row *r;

	if (m->nrows == *cap) {
		r = realloc(m->rows, (*cap ? 2 * *cap : 64) * sizeof(*r));
		if (!r)
			return NULL;
		m->rows = r;
		*cap = *cap ? 2 * *cap : 64;
	}
	r = &m->rows[m->nrows];
	memset(r, 0, sizeof(*r));
	return r;
}

/*
 * Read /proc/PID/maps and /proc/PID/pagemap (root, or the process's owner)
 * into @m: one row per mapping that has pages present.  Text, JSON and SVG
 * are drawn from this one pass, so that they agree with each other.
 */
static int map_scan(unsigned int pid, int width, struct page_map *m)
{
	unsigned long long start, end;
	struct map_row *r;
	char path[64], line[512];
	long long type;
	int pm, cap = 0, ret = 0, i;
	FILE *maps;

	if (read_sysctl("swap_type", &type))
		return no_module("map");
	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	maps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%u/pagemap", pid);
	pm = open(path, O_RDONLY | O_CLOEXEC);
	if (!maps || pm < 0) {
		fprintf(stderr, "%s: map: pid %u: %s\n", prog, pid, strerror(errno));
		if (maps)
			fclose(maps);
		return 1;
	}
	memset(m, 0, sizeof(*m));
	m->pid = pid;
	read_comm(pid, m->comm, sizeof(m->comm));
	read_sysctl("node_id", &m->node_id);
	while (fgets(line, sizeof(line), maps)) {
		if (sscanf(line, "%llx-%llx", &start, &end) != 2 || end <= start)
			continue;
		r = map_new_row(m, &cap);
		if (!r) {
			fprintf(stderr, "%s: map: out of memory\n", prog);
			free(m->rows);
			ret = 1;
			break;
		}
		r->start = start;
		r->end = end;
		if (!map_scan_row(pm, (int)type, width, r))
			continue;	/* nothing present: not drawn */
		for (i = 1; i < 64; i++)
			m->remote[i] += r->remote[i];
		m->local += r->local;
		m->nrows++;
	}
	fclose(maps);
	close(pm);
	return ret;
}

static void map_print_text(const struct page_map *m)
{
	char cells[MAP_MAX_WIDTH + 1];
	const struct map_row *r;
	int c, i;

	printf("pid %u: '.' here, 1-9 a-z A-Z the node holding most of a cell's pages\n", m->pid);
	for (r = m->rows; r < m->rows + m->nrows; r++) {
		for (c = 0; c < r->cells; c++)
			cells[c] = r->holder[c] == MAP_NONE ? ' ' :
				   r->holder[c] == MAP_HERE ? '.' : node_mark(r->holder[c]);
		cells[c] = '\0';
		printf("%012llx %8llu pages [%s]\n", r->start, (r->end - r->start) / 4096, cells);
	}
	printf("here: %llu pages", m->local);
	for (i = 1; i < 64; i++)
		if (m->remote[i])
			printf(", node %d: %llu pages", i, m->remote[i]);
	printf("\n");
}

static void map_print_json(const struct page_map *m)
{
	struct json_object *o = json_object_new_object(), *rows = json_object_new_array();
	const struct map_row *r;

	for (r = m->rows; r < m->rows + m->nrows; r++) {
		struct json_object *jr = json_object_new_object();

		json_object_object_add(jr, "start", json_object_new_uint64(r->start));
		json_object_object_add(jr, "end", json_object_new_uint64(r->end));
		json_object_object_add(jr, "local", json_object_new_uint64(r->local));
		json_object_object_add(jr, "remote", json_node_pages(r->remote, 0));
		json_object_array_add(rows, jr);
	}
	json_object_object_add(o, "pid", json_object_new_int64(m->pid));
	json_object_object_add(o, "local", json_object_new_uint64(m->local));
	json_object_object_add(o, "remote", json_node_pages(m->remote, 0));
	json_object_object_add(o, "regions", rows);
	print_json(o);
}

/* SVG geometry, in pixels. */
#define SVG_MARGIN	10
#define SVG_HEAD	48	/* title and explanation above the rows */
#define SVG_LABEL_W	150	/* row labels: start address and size */
#define SVG_ROW_H	14
#define SVG_ROW_STEP	17
#define SVG_GRID_W	768	/* cells of a full row, at most (at least 2 px each) */
#define SVG_MIN_W	600
#define SVG_HERE	"#808080"
#define SVG_NONE	"#e0e0e0"

/*
 * A fixed colour per node id: hues a golden angle (137.5 degrees) apart,
 * so that any few ids get distinct colours, all saturated, which sets
 * them apart from the greys of "here" and "absent".
 */
static void node_colour(int id, char *buf, size_t size)
{
	int h = id * 1375 / 10 % 360, v = 217, lo = 65;	/* HSV: value 0.85, saturation 0.7 */
	int f = (h % 60) * (v - lo) / 60, r, g, b;

	switch (h / 60) {
	case 0:
		r = v, g = lo + f, b = lo;
		break;
	case 1:
		r = v - f, g = v, b = lo;
		break;
	case 2:
		r = lo, g = v, b = lo + f;
		break;
	case 3:
		r = lo, g = v - f, b = v;
		break;
	case 4:
		r = lo + f, g = lo, b = v;
		break;
	default:
		r = v, g = lo, b = v - f;
		break;
	}
	snprintf(buf, size, "#%02x%02x%02x", r, g, b);
}

/* A cell, or a legend swatch, in the colour of @holder. */
static void svg_rect(FILE *f, int x, int y, int w, int holder)
{
	char fill[8];

	if (holder == MAP_HERE)
		snprintf(fill, sizeof(fill), SVG_HERE);
	else if (holder == MAP_NONE)
		snprintf(fill, sizeof(fill), SVG_NONE);
	else
		node_colour(holder, fill, sizeof(fill));
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
		x, y, w, SVG_ROW_H, fill);
}

/* 4K, 132K, 8.0M, 1.5G: a mapping's size for its label. */
static void fmt_size(unsigned long long bytes, char *buf, size_t size)
{
	if (bytes < 1ULL << 20)
		snprintf(buf, size, "%lluK", bytes >> 10);
	else if (bytes < 1ULL << 30)
		snprintf(buf, size, "%.1fM", bytes / 1048576.0);
	else
		snprintf(buf, size, "%.1fG", bytes / 1073741824.0);
}

/*
 * Text for XML: markup escaped, and anything but printable ASCII as '?'
 * (a command name is bytes, not necessarily UTF-8).
 */
static void svg_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '"')
			fputs("&quot;", f);
		else
			fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	}
}

static void svg_row(FILE *f, const struct map_row *r, int y, int cw)
{
	char size[16];
	int c, i;

	fmt_size(r->end - r->start, size, sizeof(size));
	fprintf(f, "<g><title>%012llx-%012llx: %llu pages, here %llu", r->start, r->end,
		(r->end - r->start) / 4096, r->local);
	for (i = 1; i < 64; i++)
		if (r->remote[i])
			fprintf(f, ", node %d: %llu", i, r->remote[i]);
	fprintf(f, "</title>\n<text x=\"%d\" y=\"%d\">%012llx %6s</text>\n",
		SVG_MARGIN, y + SVG_ROW_H - 3, r->start, size);
	/* A pixel of white between cells wide enough to spare it. */
	for (c = 0; c < r->cells; c++)
		svg_rect(f, SVG_MARGIN + SVG_LABEL_W + c * cw, y, cw - (cw > 3), r->holder[c]);
	fputs("</g>\n", f);
}

static void svg_legend_entry(FILE *f, int holder, int y, const char *label,
			     unsigned long long pages)
{
	svg_rect(f, SVG_MARGIN, y, SVG_ROW_H, holder);
	fprintf(f, "<text x=\"%d\" y=\"%d\">%s", SVG_MARGIN + SVG_ROW_H + 6, y + SVG_ROW_H - 3, label);
	if (holder != MAP_NONE)
		fprintf(f, ": %llu pages", pages);
	fputs("</text>\n", f);
}

/* The legend: here, each node holding pages, absent; one line each. */
static void svg_legend(FILE *f, const struct page_map *m, int y)
{
	char label[16];
	int i;

	fputs("<g id=\"legend\">\n", f);
	svg_legend_entry(f, MAP_HERE, y, "here", m->local);
	for (i = 1; i < 64; i++)
		if (m->remote[i]) {
			y += SVG_ROW_STEP;
			snprintf(label, sizeof(label), "node %d", i);
			svg_legend_entry(f, i, y, label, m->remote[i]);
		}
	svg_legend_entry(f, MAP_NONE, y + SVG_ROW_STEP, "absent: no page present", 0);
	fputs("</g>\n", f);
}

/*
 * The map as an SVG 1.1 picture: a row of cells per mapping, as in the
 * text, coloured by holder, with a legend of page counts per node.  Plain
 * presentation attributes, no CSS, so that simple renderers draw it too.
 */
static void map_write_svg(FILE *f, const struct page_map *m, int width)
{
	int cw = SVG_GRID_W / width, legend = 2, w, h, i;
	const struct map_row *r;

	cw = cw > 12 ? 12 : cw < 2 ? 2 : cw;
	for (i = 1; i < 64; i++)
		legend += !!m->remote[i];
	w = 2 * SVG_MARGIN + SVG_LABEL_W + width * cw;
	w = w < SVG_MIN_W ? SVG_MIN_W : w;	/* room for the title */
	h = SVG_HEAD + (m->nrows + 1 + legend) * SVG_ROW_STEP + SVG_MARGIN;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"11\" stroke=\"none\">\n", w, h, w, h);
	fprintf(f, "<title>pid %u (", m->pid);
	svg_escaped(f, m->comm);
	fprintf(f, "): page placement</title>\n<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"14\">pid %u (", SVG_MARGIN, SVG_MARGIN + 12,
		m->pid);
	svg_escaped(f, m->comm);
	fprintf(f, ") on node %lld: where its pages are</text>\n", m->node_id);
	fprintf(f, "<text x=\"%d\" y=\"%d\">one row per mapping with pages present; "
		"a cell is coloured by who holds most of its pages</text>\n",
		SVG_MARGIN, SVG_MARGIN + 30);
	fputs("<g id=\"rows\">\n", f);
	for (r = m->rows, i = 0; r < m->rows + m->nrows; r++, i++)
		svg_row(f, r, SVG_HEAD + i * SVG_ROW_STEP, cw);
	fputs("</g>\n", f);
	svg_legend(f, m, SVG_HEAD + (m->nrows + 1) * SVG_ROW_STEP);
	fputs("</svg>\n", f);
}

/* Write the SVG to @path, "-" for stdout. */
static int map_svg_to(const char *path, const struct page_map *m, int width)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	int err;

	if (!f) {
		fprintf(stderr, "%s: map: %s: %s\n", prog, path, strerror(errno));
		return 1;
	}
	map_write_svg(f, m, width);
	err = ferror(f);
	/* A full disk may show only when the last buffer goes out. */
	if (f == stdout ? fflush(f) : fclose(f))
		err = 1;
	if (err)
		fprintf(stderr, "%s: map: %s: %s\n", prog, path, strerror(errno));
	return err ? 1 : 0;
}

/*
 * elasticctl map: each mapping that has pages as a row of cells; a cell
 * shows '.' when most of its pages are here, the mark of the node holding
 * most of them otherwise, ' ' when none is present.  --svg FILE draws the
 * same scan as a picture too; with FILE "-", instead, on stdout.
 */
static int cmd_map(const struct cmd_args *a)
{
	int picture_only = a->svg && !strcmp(a->svg, "-"), ret = 0;
	struct page_map m;

	if (map_scan(a->pid, a->width, &m))
		return 1;
	if (a->svg)
		ret = map_svg_to(a->svg, &m, a->width);
	if (!picture_only && json_out)
		map_print_json(&m);
	else if (!picture_only)
		map_print_text(&m);
	free(m.rows);
	return ret;
}

/*
 * elasticctl top: the stretched processes of this node, refreshed every
 * interval, with their counters of /proc/PID/elastic turned into rates
 * over the interval, under a header of the node's counters.
 */

/* The counters of /proc/PID/elastic that top shows per second. */
enum { TOP_FAULTS, TOP_PULLS, TOP_PUSHES, TOP_BYTES_IN, TOP_BYTES_OUT, TOP_NCTR };
static const char *const top_ctr_key[TOP_NCTR] = {
	"faults", "pulls", "pushes", "bytes_in", "bytes_out"
};

/* One stretched process, as its /proc/PID/elastic showed it. */
struct top_proc {
	unsigned int pid;
	char comm[20];
	unsigned long long local, remote, on_node[64];
	uint64_t listed;	/* the nodes in pages_on_node, those with 0 pages too */
	unsigned long long ctr[TOP_NCTR];
	unsigned long long p50, p99;	/* pull latency upper bounds, us; 0: no pull yet */
};

/* The node's counters in /proc/sys/elastic/ that top shows: levels, then rates. */
static const struct {
	const char *name;
	int rate;		/* shown per second, not as is */
} node_ctr[] = {
	{ "remote_pages", 0 }, { "hosted_pages", 0 }, { "hosted_in", 1 }, { "frees", 1 },
	{ "pull_failures", 1 }, { "push_failures", 1 }, { "oom_kills", 1 }, { "resends", 1 },
	{ "send_errors", 1 }, { "pressure_pushes", 1 },
};
#define NODE_NCTR ((int)(sizeof(node_ctr) / sizeof(node_ctr[0])))

/* One look at the node and its stretched processes. */
struct top_sample {
	double t;
	long long node_id, node[NODE_NCTR];	/* -1: not in this module's version */
	struct top_proc *procs;		/* sorted by pid */
	int n, cap;
};

/* A process's line on the screen: its sample and its rates over the interval. */
struct top_row {
	const struct top_proc *p;
	double rate[TOP_NCTR];
};

/* pages_on_node: "2:123 3:45" */
static void top_parse_on_node(const char *s, struct top_proc *p)
{
	unsigned long long pages;
	int id, n;

	while (sscanf(s, "%d:%llu%n", &id, &pages, &n) == 2) {
		if (id >= 1 && id < 64) {
			p->on_node[id] = pages;
			p->listed |= 1ULL << id;
		}
		s += n;
	}
}

static void top_parse_line(const char *key, const char *val, struct top_proc *p,
			   int *stretched)
{
	int k;

	for (k = 0; k < TOP_NCTR; k++)
		if (!strcmp(key, top_ctr_key[k]))
			p->ctr[k] = strtoull(val, NULL, 10);
	if (!strcmp(key, "stretched"))
		*stretched = !strcmp(val, "yes");
	else if (!strcmp(key, "pages_local"))
		p->local = strtoull(val, NULL, 10);
	else if (!strcmp(key, "pages_remote"))
		p->remote = strtoull(val, NULL, 10);
	else if (!strcmp(key, "pages_on_node"))
		top_parse_on_node(val, p);
	else if (!strcmp(key, "pull_latency_us"))
		sscanf(val, "p50<%llu p99<%llu", &p->p50, &p->p99);
}

/*
 * Read /proc/PID/elastic into @p: 0 for a stretched process, -1 for one
 * that is not, that has gone, or that we may not read (EACCES), all three
 * left out of the screen without a word.
 */
static int top_read_proc(unsigned int pid, struct top_proc *p)
{
	char path[64], line[1024], *val;
	int stretched = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/elastic", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		val = strchr(line, ':');
		if (!val)
			continue;
		*val++ = '\0';
		top_parse_line(line, val + strspn(val, "\t "), p, &stretched);
	}
	fclose(f);
	/* Gone since? Then it is not shown either. */
	return stretched ? read_comm(pid, p->comm, sizeof(p->comm)) : -1;
}

static int top_by_pid(const void *a, const void *b)
{
	const struct top_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Look at the node's counters and every process; -1 without the module. */
static int top_sample(struct top_sample *s)
{
	struct top_proc *procs;
	struct dirent *e;
	uint32_t pid;
	DIR *d;
	int k;

	s->t = now_s();
	s->n = 0;
	if (read_sysctl("node_id", &s->node_id))
		return -1;
	for (k = 0; k < NODE_NCTR; k++)
		if (read_sysctl(node_ctr[k].name, &s->node[k]))
			s->node[k] = -1;
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (elastic_parse_u32(e->d_name, 1, INT32_MAX, &pid))
			continue;
		if (s->n == s->cap) {
			procs = realloc(s->procs, (s->cap ? 2 * s->cap : 64) * sizeof(*procs));
			if (!procs)
				break;	/* show what fits */
			s->procs = procs;
			s->cap = s->cap ? 2 * s->cap : 64;
		}
		if (!top_read_proc(pid, &s->procs[s->n]))
			s->n++;
	}
	closedir(d);
	qsort(s->procs, s->n, sizeof(*s->procs), top_by_pid);
	return 0;
}

/* Busiest first: faults per second, then remote pages, then pid. */
static int top_busiest_first(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->rate[TOP_FAULTS] != y->rate[TOP_FAULTS])
		return x->rate[TOP_FAULTS] < y->rate[TOP_FAULTS] ? 1 : -1;
	if (x->p->remote != y->p->remote)
		return x->p->remote < y->p->remote ? 1 : -1;
	return top_by_pid(x->p, y->p);
}

/* Per second from @was to @now; a counter that went back (pid reused) gives 0. */
static double per_s(unsigned long long now, unsigned long long was, double dt)
{
	return now > was ? (now - was) / dt : 0;
}

/*
 * One row per process of @cur, with rates since @prev.  A process first
 * seen in @cur was stretched during the interval: it counts from zero.
 */
static struct top_row *top_rows(const struct top_sample *cur, const struct top_sample *prev)
{
	struct top_row *rows = calloc(cur->n ? cur->n : 1, sizeof(*rows));
	const struct top_proc *was;
	double dt = cur->t - prev->t;
	int i, k;

	if (!rows)
		return NULL;
	for (i = 0; i < cur->n; i++) {
		rows[i].p = &cur->procs[i];
		was = bsearch(rows[i].p, prev->procs, prev->n, sizeof(*was), top_by_pid);
		for (k = 0; k < TOP_NCTR; k++)
			rows[i].rate[k] = per_s(rows[i].p->ctr[k], was ? was->ctr[k] : 0, dt);
	}
	qsort(rows, cur->n, sizeof(*rows), top_busiest_first);
	return rows;
}

/* "<512" for an upper bound of a latency, "-" before the first pull. */
static const char *top_lat(unsigned long long us, char *buf, size_t size)
{
	if (!us)
		return "-";
	snprintf(buf, size, "<%llu", us);
	return buf;
}

static void top_print_header(const struct top_sample *cur, const struct top_sample *prev)
{
	double dt = cur->t - prev->t;
	const char *sep = "";
	time_t now = time(NULL);
	char when[16];
	int k;

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	printf("elasticctl top - node %lld - %s - %d stretched - interval %.1f s\n",
	       cur->node_id, when, cur->n, dt);
	for (k = 0; k < NODE_NCTR; k++)
		if (!node_ctr[k].rate && cur->node[k] >= 0) {
			printf("%s%s %lld", sep, node_ctr[k].name, cur->node[k]);
			sep = "  ";
		}
	printf("\n");
	for (k = 0, sep = ""; k < NODE_NCTR; k++)
		if (node_ctr[k].rate && cur->node[k] >= 0 && prev->node[k] >= 0) {
			printf("%s%s/s %.1f", sep, node_ctr[k].name,
			       per_s(cur->node[k], prev->node[k], dt));
			sep = "  ";
		}
	printf("\n\n");
}

static void top_print_text(const struct top_sample *cur, const struct top_sample *prev,
			   const struct top_row *rows, int max_rows)
{
	char p50[24], p99[24];
	int i, id;

	top_print_header(cur, prev);
	printf("%7s %-15s %8s %8s %8s %8s %8s %7s %8s %6s %6s  %s\n", "PID", "COMMAND",
	       "LOCAL", "REMOTE", "FAULTS/s", "PULLS/s", "PUSHES/s", "IN MB/s", "OUT MB/s",
	       "P50us", "P99us", "NODE:PAGES");
	for (i = 0; i < cur->n && i < max_rows; i++) {
		const struct top_proc *p = rows[i].p;
		const double *r = rows[i].rate;

		printf("%7u %-15s %8llu %8llu %8.1f %8.1f %8.1f %7.2f %8.2f %6s %6s ", p->pid,
		       p->comm, p->local, p->remote, r[TOP_FAULTS], r[TOP_PULLS], r[TOP_PUSHES],
		       r[TOP_BYTES_IN] / 1e6, r[TOP_BYTES_OUT] / 1e6,
		       top_lat(p->p50, p50, sizeof(p50)), top_lat(p->p99, p99, sizeof(p99)));
		for (id = 1; id < 64; id++)
			if (p->listed & (1ULL << id))
				printf(" %d:%llu", id, p->on_node[id]);
		printf("\n");
	}
}

/* A rate in JSON with two decimals, as printed, not seventeen digits. */
static struct json_object *json_rate(double v)
{
	char s[32];

	snprintf(s, sizeof(s), "%.2f", v);
	return json_object_new_double_s(v, s);
}

static struct json_object *top_json_proc(const struct top_row *row)
{
	static const char *const rate_key[TOP_NCTR] = {
		"faults_per_s", "pulls_per_s", "pushes_per_s", "bytes_in_per_s", "bytes_out_per_s"
	};
	struct json_object *o = json_object_new_object(), *lat = json_object_new_object();
	const struct top_proc *p = row->p;
	int k;

	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "comm", json_object_new_string(p->comm));
	json_object_object_add(o, "pages_local", json_object_new_uint64(p->local));
	json_object_object_add(o, "pages_remote", json_object_new_uint64(p->remote));
	json_object_object_add(o, "pages_on_node", json_node_pages(p->on_node, p->listed));
	for (k = 0; k < TOP_NCTR; k++)
		json_object_object_add(o, rate_key[k], json_rate(row->rate[k]));
	json_object_object_add(lat, "p50", json_object_new_uint64(p->p50));
	json_object_object_add(lat, "p99", json_object_new_uint64(p->p99));
	json_object_object_add(o, "pull_latency_us", lat);
	return o;
}

static void top_print_json(const struct top_sample *cur, const struct top_sample *prev,
			   const struct top_row *rows)
{
	struct json_object *o = json_object_new_object(), *node = json_object_new_object();
	struct json_object *procs = json_object_new_array();
	double dt = cur->t - prev->t;
	char key[32];
	int i, k;

	for (k = 0; k < NODE_NCTR; k++) {
		if (!node_ctr[k].rate && cur->node[k] >= 0) {
			json_object_object_add(node, node_ctr[k].name,
					       json_object_new_int64(cur->node[k]));
		} else if (cur->node[k] >= 0 && prev->node[k] >= 0) {
			snprintf(key, sizeof(key), "%s_per_s", node_ctr[k].name);
			json_object_object_add(node, key,
					       json_rate(per_s(cur->node[k], prev->node[k], dt)));
		}
	}
	for (i = 0; i < cur->n; i++)
		json_object_array_add(procs, top_json_proc(&rows[i]));
	json_object_object_add(o, "node_id", json_object_new_int64(cur->node_id));
	json_object_object_add(o, "time", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "interval_s", json_rate(dt));
	json_object_object_add(o, "node", node);
	json_object_object_add(o, "processes", procs);
	print_json(o);
}

/*
 * Rows that fit the terminal, so that the screen does not scroll: five
 * lines of header above them, and the cursor's line below the last.
 */
static int top_max_rows(int tty)
{
	struct winsize ws;

	if (!tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 7)
		return INT_MAX;
	return ws.ws_row - 6;
}

/* Sleep until @next, @ms after the last wake; from now on if we fell behind. */
static void top_wait(struct timespec *next, uint32_t ms)
{
	struct timespec now;

	next->tv_nsec += (long)(ms % 1000) * 1000000;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000;
	next->tv_nsec %= 1000000000;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > next->tv_sec ||
	    (now.tv_sec == next->tv_sec && now.tv_nsec > next->tv_nsec))
		*next = now;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

/*
 * Rates need two looks: the first screen comes one interval after the
 * start.  On a terminal, without --count, each screen replaces the last
 * (ANSI: cursor home, clear); otherwise (batch) screens follow each other,
 * --count of them, or for ever.  -j: one JSON object per line per screen.
 */
static int cmd_top(const struct cmd_args *a)
{
	int tty = !json_out && !a->count && isatty(STDOUT_FILENO);
	struct top_sample s[2] = {};
	struct timespec next;
	struct top_row *rows;
	uint32_t shown = 0;
	int cur = 0, ret = 0;

	if (top_sample(&s[cur]))
		return no_module("top");
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!a->count || shown < a->count) {
		top_wait(&next, a->interval_ms);
		cur = !cur;
		if (top_sample(&s[cur])) {
			ret = no_module("top");	/* unloaded while we watched */
			break;
		}
		rows = top_rows(&s[cur], &s[!cur]);
		if (!rows) {
			fprintf(stderr, "%s: top: out of memory\n", prog);
			ret = 1;
			break;
		}
		if (tty)
			printf("\033[H\033[2J");
		else if (shown && !json_out)
			printf("\n");
		if (json_out)
			top_print_json(&s[cur], &s[!cur], rows);
		else
			top_print_text(&s[cur], &s[!cur], rows, top_max_rows(tty));
		fflush(stdout);
		free(rows);
		shown++;
	}
	free(s[0].procs);
	free(s[1].procs);
	return ret;
}

/* One line per event: type, node, then only the fields it has. */
static void print_event(const struct elastic_event *ev)
{
	struct json_object *o;
	char dl[32] = "";

	if (ev->deadline)
		iso8601_format((time_t)ev->deadline, dl, sizeof(dl));
	if (!json_out) {
		printf("%s node=%u", elastic_event_type_name(ev->type), ev->node_id);
		if (ev->peer)
			printf(" peer=%u", ev->peer);
		if (dl[0])
			printf(" deadline=%s", dl);
		if (ev->reason[0])
			printf(" reason=%s", ev->reason);
		if (ev->detail[0])
			printf(" detail=\"%s\"", ev->detail);
		printf("\n");
		fflush(stdout);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "event", json_object_new_string(elastic_event_type_name(ev->type)));
	json_object_object_add(o, "node_id", json_object_new_int64(ev->node_id));
	if (ev->peer)
		json_object_object_add(o, "peer", json_object_new_int64(ev->peer));
	if (dl[0])
		json_object_object_add(o, "deadline", json_object_new_string(dl));
	if (ev->reason[0])
		json_object_object_add(o, "reason", json_object_new_string(ev->reason));
	if (ev->detail[0])
		json_object_object_add(o, "detail", json_object_new_string(ev->detail));
	print_json(o);
}

static int cmd_events(struct elastic_client *c, const struct cmd_args *a)
{
	uint32_t count = a->count, timeout = a->timeout, seen = 0;
	struct elastic_event ev;
	int ret;

	ret = elastic_events_subscribe(c);
	if (ret)
		return fail(c, "events", ret);
	/* Tell a script that waits for us that the subscription is in place. */
	fprintf(stderr, "%s: following events\n", prog);
	while (!count || seen < count) {
		ret = elastic_event_next(c, &ev, timeout ? (int)timeout * 1000 : -1);
		if (ret == -ETIMEDOUT)
			return count ? fail(c, "events", ret) : 0;
		if (ret)
			return fail(c, "events", ret);
		seen++;
		print_event(&ev);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct elastic_client *c = NULL;
	struct cmd_args a = {};
	const char *obj;
	int opt, ret;

	/* Options come before OBJECT; what follows belongs to the command. */
	while ((opt = getopt_long(argc, argv, "+jVh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json_out = 1;
			break;
		case 'V':
			printf("elasticctl %s\n", VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		usage(stderr);
		return 2;
	}
	obj = argv[0];
	if (strcmp(obj, "status") && strcmp(obj, "config") && strcmp(obj, "events") &&
	    strcmp(obj, "node") && strcmp(obj, "stretch") && strcmp(obj, "run") &&
	    strcmp(obj, "push") && strcmp(obj, "map") && strcmp(obj, "unstretch") &&
	    strcmp(obj, "top"))
		return usage_error("unknown object '%s'", obj);
	if (!strcmp(obj, "status") && argc != 1)
		return usage_error("status takes no arguments ('%s')", argv[1]);
	if (!strcmp(obj, "config") && parse_config(argc, argv, &a))
		return 2;
	if (!strcmp(obj, "events") && parse_events(argc, argv, &a))
		return 2;
	if (!strcmp(obj, "node") && parse_node(argc, argv, &a))
		return 2;
	if ((!strcmp(obj, "stretch") || !strcmp(obj, "run") || !strcmp(obj, "push")) &&
	    parse_process(argc, argv, &a))
		return 2;
	if (!strcmp(obj, "unstretch") &&
	    (argc != 2 || elastic_parse_u32(argv[1], 1, INT32_MAX, &a.pid)))
		return usage_error("usage: unstretch PID%s", "");
	/* map and top read /proc only: no netlink. */
	if (!strcmp(obj, "map"))
		return parse_map(argc, argv, &a) ? 2 : cmd_map(&a);
	if (!strcmp(obj, "top"))
		return parse_top(argc, argv, &a) ? 2 : cmd_top(&a);

	ret = elastic_open(&c);
	if (ret)
		return fail(NULL, obj, ret);
	if (!strcmp(obj, "status"))
		ret = cmd_status(c);
	else if (!strcmp(obj, "config"))
		ret = cmd_config(c, &a);
	else if (!strcmp(obj, "node"))
		ret = cmd_node(c, &a);
	else if (!strcmp(obj, "stretch"))
		ret = cmd_stretch(c, &a);
	else if (!strcmp(obj, "run"))
		return cmd_run(c, &a);	/* returns only when it fails */
	else if (!strcmp(obj, "push"))
		ret = cmd_push(c, &a);
	else if (!strcmp(obj, "unstretch"))
		ret = cmd_unstretch(c, &a);
	else
		ret = cmd_events(c, &a);
	elastic_close(c);
	return ret;
}
