// SPDX-License-Identifier: GPL-2.0
/* elasticctl status: the module's version, this node's id, its counters. */
#include "elasticctl.h"

void status_usage(FILE *f)
{
	fputs("  status                         module version, node id, counters\n", f);
}

static void print_status(const struct elastic_status *st)
{
	struct json_object *o;

	if (!json_out) {
		printf("module   elastic %s\n", st->version);
		printf("kernel   %s\n", st->release);
		if (st->node_id)
			printf("node     %u\n", st->node_id);
		else
			printf("node     unassigned\n");
		printf("bad-input %llu\n", (unsigned long long)st->bad_input);
		printf("stretched %u\n", st->stretched);
		printf("hosted   %llu pages\n", (unsigned long long)st->hosted_pages);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "version", json_object_new_string(st->version));
	json_object_object_add(o, "release", json_object_new_string(st->release));
	json_object_object_add(o, "node_id", json_object_new_int64(st->node_id));
	json_object_object_add(o, "bad_input", json_object_new_uint64(st->bad_input));
	json_object_object_add(o, "stretched", json_object_new_int64(st->stretched));
	json_object_object_add(o, "hosted_pages", json_object_new_uint64(st->hosted_pages));
	print_json(o);
}

int do_status(int argc, char **argv)
{
	struct elastic_client *c;
	struct elastic_status st;
	int ret;

	if (argc != 1)
		return usage_error("status takes no arguments ('%s')", argv[1]);
	if (ctl_open(&c, "status"))
		return 1;
	ret = elastic_status_get(c, &st);
	if (ret)
		ret = fail(c, "status", ret);
	else
		print_status(&st);
	elastic_close(c);
	return ret;
}
