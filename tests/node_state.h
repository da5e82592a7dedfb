/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The elastic module's state as the kselftests read it: tunables from
 * /proc/sys/elastic, counters from netlink stats-get (libelastic).  Every
 * read of either in the C tests goes through here.
 */
#ifndef ELASTIC_TESTS_NODE_STATE_H
#define ELASTIC_TESTS_NODE_STATE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "elastic.h"

/* A tunable of /proc/sys/elastic (node_id...), as a number; -1 if unreadable. */
static long tunable(const char *name)
{
	char path[128];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/elastic/%s", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/*
 * One of this node's counters (bad_input, remote_pages...) or "evacuating",
 * from netlink stats-get; -1 if it cannot be read.
 */
static long counter(const char *name)
{
	struct elastic_client *c;
	struct elastic_stats st;
	int i = elastic_stat_find(name), ret;

	if (i < 0 && strcmp(name, "evacuating"))
		return -1;
	if (elastic_open(&c))
		return -1;
	ret = elastic_stats_get(c, &st);
	elastic_close(c);
	if (ret)
		return -1;
	return i < 0 ? (long)st.evacuating : (long)st.counter[i];
}

#endif
