// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl stats: this node's counters (stats-get), one "name value"
 * line each under the names of the sysctls they were, then one line per
 * member: the pages of this node's processes it holds, and the pages this
 * node hosts for it.
 */
#include "elasticctl.h"

void stats_usage(FILE *f)
{
	fputs("  stats                          this node's counters, and the pages each member\n"
	      "                                 holds for it and it hosts for each member\n", f);
}

static void print_stats_text(const struct elastic_stats *st)
{
	unsigned int i;
	int m;

	printf("node_id %u\n", st->node_id);
	printf("evacuating %u\n", st->evacuating);
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		if (st->has & (1ULL << i))
			printf("%s %llu\n", elastic_stat_name(i),
			       (unsigned long long)st->counter[i]);
	for (m = 0; m < st->nmembers; m++)
		printf("member %u held %llu hosted %llu\n", st->member[m].id,
		       (unsigned long long)st->member[m].held,
		       (unsigned long long)st->member[m].hosted);
}

static void print_stats_json(const struct elastic_stats *st)
{
	struct json_object *o = json_object_new_object(), *members = json_object_new_array();
	unsigned int i;
	int m;

	json_object_object_add(o, "node_id", json_object_new_int64(st->node_id));
	json_object_object_add(o, "evacuating", json_object_new_int64(st->evacuating));
	for (i = 0; i < ELASTIC_STAT_COUNT; i++)
		if (st->has & (1ULL << i))
			json_object_object_add(o, elastic_stat_name(i),
					       json_object_new_uint64(st->counter[i]));
	for (m = 0; m < st->nmembers; m++) {
		struct json_object *jm = json_object_new_object();

		json_object_object_add(jm, "id", json_object_new_int64(st->member[m].id));
		json_object_object_add(jm, "held", json_object_new_uint64(st->member[m].held));
		json_object_object_add(jm, "hosted", json_object_new_uint64(st->member[m].hosted));
		json_object_array_add(members, jm);
	}
	json_object_object_add(o, "members", members);
	print_json(o);
}

int do_stats(int argc, char **argv)
{
	struct elastic_client *c;
	struct elastic_stats st;
	int ret;

	if (argc != 1)
		return usage_error("stats takes no arguments ('%s')", argv[1]);
	if (ctl_open(&c, "stats"))
		return 1;
	ret = elastic_stats_get(c, &st);
	if (ret)
		ret = fail(c, "stats", ret);
	else if (json_out)
		print_stats_json(&st);
	else
		print_stats_text(&st);
	elastic_close(c);
	return ret;
}
