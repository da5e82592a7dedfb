// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl: control SpotOS elastic memory on this node.
 *
 *   elasticctl [OPTIONS] OBJECT COMMAND [ARGS]
 *
 * Shaped like iproute2: OBJECT COMMAND, -j for JSON, one file per object
 * (elasticctl.h).  Objects: status, stats, config, node, events,
 * process; the process commands also go by their first spellings (run,
 * stretch, push, unstretch, map, top).  Exit status: 0 done, 1 the
 * operation failed, 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <linux/elastic.h>

#include "elasticctl.h"

#define VERSION "0.1.0"

int json_out;
const char *prog = "elasticctl";

static const struct ctl_cmd objects[] = {
	{ "status", do_status },
	{ "stats", do_stats },
	{ "config", do_config },
	{ "node", do_node },
	{ "events", do_events },
	{ "process", do_process },
	/* The process commands' first spellings, which scripts and docs use. */
	{ "run", do_process_cmd },
	{ "stretch", do_process_cmd },
	{ "push", do_process_cmd },
	{ "unstretch", do_process_cmd },
	{ "map", do_process_cmd },
	{ "top", do_process_cmd },
	{}
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s [OPTIONS] OBJECT COMMAND [ARGS]\n", prog);
	status_usage(f);
	stats_usage(f);
	config_usage(f);
	node_usage(f);
	events_usage(f);
	process_usage(f);
	fprintf(f,
		"Aliases: run, stretch, push, unstretch, map and top alone are the process\n"
		"commands of the same name ('%s run ...' is '%s process run ...').\n"
		"Options:\n"
		"  -j, --json      print JSON\n"
		"  -V, --version   print elasticctl's version\n"
		"  -h, --help      this text\n", prog, prog);
}

const struct ctl_cmd *ctl_find(const struct ctl_cmd *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	return 2;
}

int fail(struct elastic_client *c, const char *what, int err)
{
	const char *why = c ? elastic_last_error(c) : "";

	if (err == -ENOENT && !c)
		fprintf(stderr, "%s: %s: the elastic module is not loaded "
			"(no generic netlink family '%s')\n", prog, what, ELASTIC_FAMILY_NAME);
	else if (err == -EOPNOTSUPP)
		fprintf(stderr, "%s: %s: the loaded elastic module is older than this elasticctl "
			"and lacks the operation\n", prog, what);
	else if (err == -EPERM)
		fprintf(stderr, "%s: %s: %s (needs CAP_NET_ADMIN)\n", prog, what, strerror(-err));
	else if (why && *why)
		fprintf(stderr, "%s: %s: %s: %s\n", prog, what, strerror(-err), why);
	else
		fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(-err));
	return 1;
}

int ctl_open(struct elastic_client **c, const char *what)
{
	int ret = elastic_open(c);

	return ret ? fail(NULL, what, ret) : 0;
}

void print_json(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	fflush(stdout);
	json_object_put(o);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	const struct ctl_cmd *obj;
	int opt;

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
	obj = ctl_find(objects, argv[0]);
	if (!obj)
		return usage_error("unknown object '%s'", argv[0]);
	return obj->run(argc, argv);
}
