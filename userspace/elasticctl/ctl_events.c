// SPDX-License-Identifier: GPL-2.0
/* elasticctl events: follow the module's events multicast group. */
#include <errno.h>
#include <getopt.h>
#include <time.h>

#include "elasticctl.h"
#include "iso8601.h"

void events_usage(FILE *f)
{
	fputs("  events [--count N] [--timeout SEC]\n"
	      "                                 follow the module's events multicast group\n", f);
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

/* Print events until count of them (0: no end), or timeout s without one (0: none). */
static int follow_events(struct elastic_client *c, uint32_t count, uint32_t timeout)
{
	struct elastic_event ev;
	uint32_t seen = 0;
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

/* events [--count N] [--timeout SEC] */
int do_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{}
	};
	uint32_t count = 0, timeout = 0;
	struct elastic_client *c;
	int opt, ret;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'c' && !elastic_parse_u32(optarg, 1, UINT32_MAX, &count))
			continue;
		if (opt == 't' && !elastic_parse_u32(optarg, 1, 86400, &timeout))
			continue;
		return usage_error("events: bad option or value%s", "");
	}
	if (optind != argc)
		return usage_error("events: unexpected argument '%s'", argv[optind]);
	if (ctl_open(&c, "events"))
		return 1;
	ret = follow_events(c, count, timeout);
	elastic_close(c);
	return ret;
}
