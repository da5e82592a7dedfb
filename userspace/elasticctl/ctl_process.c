// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl process: the netlink family's process commands (stretch,
 * push, jump, unstretch) and what elasticctl builds on them (run, map, top).
 * Each also answers to its name alone, as before the process object.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/elastic.h>

#include "elasticctl.h"

void process_usage(FILE *f)
{
	fputs("  process stretch PID --nodes LIST [--local-limit SIZE]\n"
	      "                                 spread a running process's memory over nodes\n"
	      "                                 (LIST: 1,2,3 or 1-3; SIZE: bytes, K, M, G)\n"
	      "  process run --nodes LIST [--local-limit SIZE] -- CMD [ARGS...]\n"
	      "                                 start CMD stretched (it stays so across exec)\n"
	      "  process push PID [--to NODE] --pages N\n"
	      "                                 push N pages of a stretched process now\n"
	      "  process jump PID TID --to NODE move a thread of a stretched process to a member:\n"
	      "                                 it runs there until it needs its home\n"
	      "  process unstretch PID          bring every page home; the process is no longer\n"
	      "                                 stretched\n"
	      "  process map PID [--width N] [--svg FILE]\n"
	      "                                 where a process's pages are: one row per mapping;\n"
	      "                                 --svg also draws it in FILE ('-': only that, on stdout)\n"
	      "  process top [--interval SEC] [--count N]\n"
	      "                                 stretched processes and their rates, every SEC\n"
	      "                                 (default 1, e.g. 0.5); N screens, then exit\n", f);
}

/* What stretch, run and push are told, checked before the kernel hears of it. */
struct process_args {
	uint32_t pid;		/* stretch, push */
	uint32_t node;		/* push --to: 0 for any of the process's nodes */
	uint64_t nodes;		/* stretch, run: bitmap of node ids */
	uint64_t limit;		/* stretch, run: local limit in pages (0: none) */
	uint64_t pages;		/* push */
	char **cmd;		/* run: the program and its arguments */
};

/* Options of stretch, run and push; the process is argv[1] for stretch/push. */
static int parse_process(int argc, char **argv, struct process_args *a)
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
		    !elastic_parse_u32(optarg, 1, ELASTIC_MAX_NODE_ID, &a->node))
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

/* Stretch pid as a says; what: the command, for its messages. */
static int stretch(const char *what, uint32_t pid, const struct process_args *a)
{
	struct elastic_client *c;
	int ret;

	if (ctl_open(&c, what))
		return 1;
	ret = elastic_process_stretch(c, pid, a->nodes, a->limit);
	if (ret)
		ret = fail(c, what, ret);
	elastic_close(c);
	return ret;
}

static int process_stretch(int argc, char **argv)
{
	struct process_args a = {};

	return parse_process(argc, argv, &a) ? 2 : stretch("stretch", a.pid, &a);
}

/* Stretch ourselves, then become CMD: the stretch survives the exec. */
static int process_run(int argc, char **argv)
{
	struct process_args a = {};
	int ret;

	if (parse_process(argc, argv, &a))
		return 2;
	ret = stretch("run", getpid(), &a);
	if (ret)
		return ret;
	execvp(a.cmd[0], a.cmd);
	fprintf(stderr, "%s: run: %s: %s\n", prog, a.cmd[0], strerror(errno));
	return 127;
}

/* K pages of pid P: text of fmt (with K, then P), or {"pid":P,"pages":K}. */
static void print_pages(uint32_t pid, uint64_t pages, const char *fmt)
{
	struct json_object *o;

	if (!json_out) {
		printf(fmt, (unsigned long long)pages, pid);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "pid", json_object_new_int64(pid));
	json_object_object_add(o, "pages", json_object_new_uint64(pages));
	print_json(o);
}

static int process_push(int argc, char **argv)
{
	struct process_args a = {};
	struct elastic_client *c;
	uint64_t pushed = 0;
	int ret;

	if (parse_process(argc, argv, &a))
		return 2;
	if (ctl_open(&c, "push"))
		return 1;
	ret = elastic_process_push(c, a.pid, a.node, a.pages, &pushed);
	if (ret)
		ret = fail(c, "push", ret);
	else
		print_pages(a.pid, pushed, "pushed %llu pages of pid %u\n");
	elastic_close(c);
	return ret;
}

static int process_jump(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{}
	};
	struct elastic_client *c;
	uint32_t pid, tid, node = 0;
	int opt, ret;

	optind = 0;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (opt != 't' || elastic_parse_u32(optarg, 1, ELASTIC_MAX_NODE_ID, &node))
			return usage_error("jump: bad option or value (see --help)%s", "");
	if (optind != argc - 2 || !node || elastic_parse_u32(argv[optind], 1, INT32_MAX, &pid) ||
	    elastic_parse_u32(argv[optind + 1], 1, INT32_MAX, &tid))
		return usage_error("usage: jump PID TID --to NODE%s", "");
	if (ctl_open(&c, "jump"))
		return 1;
	ret = elastic_process_jump(c, pid, tid, node);
	if (ret) {
		ret = fail(c, "jump", ret);
	} else if (json_out) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "pid", json_object_new_int64(pid));
		json_object_object_add(o, "tid", json_object_new_int64(tid));
		json_object_object_add(o, "node", json_object_new_int64(node));
		print_json(o);
	} else {
		printf("thread %u of pid %u leaves for node %u\n", tid, pid, node);
	}
	elastic_close(c);
	return ret;
}

static int process_unstretch(int argc, char **argv)
{
	struct elastic_client *c;
	uint64_t pulled = 0;
	uint32_t pid;
	int ret;

	if (argc != 2 || elastic_parse_u32(argv[1], 1, INT32_MAX, &pid))
		return usage_error("usage: unstretch PID%s", "");
	if (ctl_open(&c, "unstretch"))
		return 1;
	ret = elastic_process_unstretch(c, pid, &pulled);
	if (ret == -ENOMEM) {
		fprintf(stderr, "%s: unstretch: pid %u: this node has no room for its remote pages\n",
			prog, pid);
		ret = 1;
	} else if (ret) {
		ret = fail(c, "unstretch", ret);
	} else {
		print_pages(pid, pulled, "brought %llu pages of pid %u home; it is no longer stretched\n");
	}
	elastic_close(c);
	return ret;
}

/* As the netlink spec names them. */
static const struct ctl_cmd process_cmds[] = {
	{ "run", process_run },
	{ "stretch", process_stretch },
	{ "push", process_push },
	{ "jump", process_jump },
	{ "unstretch", process_unstretch },
	{ "map", do_map },
	{ "top", do_top },
	{}
};

int do_process_cmd(int argc, char **argv)
{
	const struct ctl_cmd *cmd = ctl_find(process_cmds, argv[0]);

	if (!cmd)
		return usage_error("process: unknown command '%s'", argv[0]);
	return cmd->run(argc, argv);
}

int do_process(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("usage: process COMMAND [ARGS] (COMMAND: run, stretch, push, "
				   "unstretch, map, top)%s", "");
	return do_process_cmd(argc - 1, argv + 1);
}

/* What map and top share. */

/* /proc/PID/comm without its newline; "?" and -1 when it cannot be read. */
int read_comm(unsigned int pid, char *buf, size_t size)
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

int process_fail(struct elastic_client *c, const char *what, uint32_t pid, int err)
{
	if (err == -ESRCH)
		fprintf(stderr, "%s: %s: pid %u: no such process\n", prog, what, pid);
	else if (err == -EACCES || err == -EPERM)
		fprintf(stderr, "%s: %s: pid %u: %s (reading a process takes ptrace read rights "
			"over it: its owner, or root)\n", prog, what, pid, strerror(-err));
	else if (err == -ENOENT)
		/* The family went away under us: the module was unloaded. */
		fprintf(stderr, "%s: %s: the elastic module is not loaded\n", prog, what);
	else
		return fail(c, what, err);
	return 1;
}

/* {"2": N, "3": N} for the nodes with pages (or every node listed in mask). */
struct json_object *json_node_pages(const uint64_t *pages, uint64_t mask)
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
