// SPDX-License-Identifier: GPL-2.0
/* elasticctl node: the cluster's members, their drains and hosting caps. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <linux/elastic.h>

#include "elasticctl.h"

/* Every node command's usage error, as one line. */
#define NODE_USAGE "usage: node add ID ADDR[:PORT] | node del ID | node list | node show ID | " \
	"node drain ID [--deadline SEC] | node undrain ID | node set ID --max-pages N%s"

void node_usage(FILE *f)
{
	fprintf(f,
		"  node add ID ADDR[:PORT]        add a cluster member (port %u by default)\n"
		"  node del ID                    remove a member\n"
		"  node list | node show ID       members and their state\n"
		"  node drain ID [--deadline SEC] move this node's pages off member ID, with progress;\n"
		"                                 this node's own ID: empty this node (spot reclaim)\n"
		"  node undrain ID                member ID (or this node) takes pages again\n"
		"  node set ID --max-pages N      cap the pages node ID hosts for others (0: no cap)\n",
		ELASTIC_DEFAULT_PORT);
}

/* A command of want words, its name first, then (want > 1) a node id: 0 or 2. */
static int node_args(int argc, char **argv, int want, uint32_t *id)
{
	if (argc != want)
		return usage_error(NODE_USAGE, "");
	if (want > 1 && elastic_parse_u32(argv[1], 1, ELASTIC_MAX_NODE_ID, id))
		return usage_error("node id '%s' is not a number from 1 to 63", argv[1]);
	return 0;
}

/* Close the client; a failure is reported as the node command's. */
static int node_done(struct elastic_client *c, int ret)
{
	if (ret)
		ret = fail(c, "node", ret);
	elastic_close(c);
	return ret;
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

static int node_add(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t id, addr;
	uint16_t port;

	if (node_args(argc, argv, 3, &id))
		return 2;
	if (elastic_parse_addr(argv[2], ELASTIC_DEFAULT_PORT, &addr, &port))
		return usage_error("'%s' is not an IPv4 address with an optional :PORT", argv[2]);
	if (ctl_open(&c, "node"))
		return 1;
	return node_done(c, elastic_node_add(c, id, addr, port));
}

/* node del ID, node undrain ID: act on a node, print nothing. */
static int node_act(int argc, char **argv, int (*act)(struct elastic_client *c, uint32_t id))
{
	struct elastic_client *c;
	uint32_t id;

	if (node_args(argc, argv, 2, &id))
		return 2;
	if (ctl_open(&c, "node"))
		return 1;
	return node_done(c, act(c, id));
}

static int node_del(int argc, char **argv)
{
	return node_act(argc, argv, elastic_node_del);
}

static int node_undrain(int argc, char **argv)
{
	return node_act(argc, argv, elastic_node_undrain);
}

static int node_list(int argc, char **argv)
{
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID];
	struct elastic_client *c;
	int ret;

	if (node_args(argc, argv, 1, NULL))
		return 2;
	if (ctl_open(&c, "node"))
		return 1;
	ret = elastic_node_list(c, nodes, ELASTIC_MAX_NODE_ID);
	if (ret >= 0)
		print_nodes(nodes, ret);
	return node_done(c, ret < 0 ? ret : 0);
}

static int node_show(int argc, char **argv)
{
	struct elastic_client *c;
	struct elastic_node node;
	uint32_t id;
	int ret;

	if (node_args(argc, argv, 2, &id))
		return 2;
	if (ctl_open(&c, "node"))
		return 1;
	ret = elastic_node_get(c, id, &node);
	if (!ret)
		print_nodes(&node, 1);
	return node_done(c, ret);
}

/* node set ID --max-pages N: the option is required */
static int node_set(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t id, max_pages;

	if (argc != 4 || strcmp(argv[2], "--max-pages"))
		return usage_error(NODE_USAGE, "");
	if (elastic_parse_u32(argv[3], 0, INT32_MAX, &max_pages))
		return usage_error("node set: '%s' is not a number of pages (0-2147483647)", argv[3]);
	if (node_args(argc, argv, 4, &id))
		return 2;
	if (ctl_open(&c, "node"))
		return 1;
	return node_done(c, elastic_node_set_max_pages(c, id, max_pages));
}

/* A line after each call of the drain, in text. */
static int drain_line(void *arg, const struct elastic_drain_progress *p)
{
	printf("drain node %u: %llu pages moved, %llu left, %.1f s\n", *(const uint32_t *)arg,
	       (unsigned long long)p->moved, (unsigned long long)p->left, p->seconds);
	fflush(stdout);
	return 0;
}

/* Drain with libelastic's loop, then sum it up.  Exit 1 if pages are left. */
static int drain(struct elastic_client *c, uint32_t id, uint32_t deadline)
{
	struct elastic_drain d = {
		.node = id, .deadline_s = deadline, .stall_s = ELASTIC_DRAIN_STALL_S,
		.progress = json_out ? NULL : drain_line, .arg = &id,
	};
	struct elastic_drain_progress p;
	int ret = elastic_drain(c, &d, &p), met;

	if (ret == -EAGAIN)
		fprintf(stderr, "%s: node drain: no page moved for %d s: giving up\n", prog,
			ELASTIC_DRAIN_STALL_S);
	else if (ret && ret != -ETIME)
		return fail(c, "node drain", ret);
	met = !p.left && (!deadline || p.seconds <= deadline);
	if (json_out) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "node_id", json_object_new_int64(id));
		json_object_object_add(o, "pages_moved", json_object_new_uint64(p.moved));
		json_object_object_add(o, "pages_left", json_object_new_uint64(p.left));
		json_object_object_add(o, "seconds", json_object_new_double(p.seconds));
		if (deadline)
			json_object_object_add(o, "deadline_met", json_object_new_boolean(met));
		print_json(o);
	} else if (deadline) {
		printf("drained node %u: %llu pages in %.1f s, deadline %u s %s\n", id,
		       (unsigned long long)p.moved, p.seconds, deadline, met ? "met" : "MISSED");
	} else {
		printf("drained node %u: %llu pages in %.1f s%s\n", id,
		       (unsigned long long)p.moved, p.seconds, p.left ? " (pages left)" : "");
	}
	return met ? 0 : 1;
}

/* node drain ID [--deadline SEC] */
static int node_drain(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t id, deadline = 0;
	int ret;

	if (argc == 4 && !strcmp(argv[2], "--deadline")) {
		if (elastic_parse_u32(argv[3], 1, 86400, &deadline))
			return usage_error("node drain: '%s' is not a number of seconds", argv[3]);
		argc = 2;
	}
	if (node_args(argc, argv, 2, &id))
		return 2;
	if (ctl_open(&c, "node"))
		return 1;
	ret = drain(c, id, deadline);
	elastic_close(c);
	return ret;
}

static const struct ctl_cmd node_cmds[] = {
	{ "add", node_add },
	{ "del", node_del },
	{ "list", node_list },
	{ "show", node_show },
	{ "drain", node_drain },
	{ "undrain", node_undrain },
	{ "set", node_set },
	{}
};

int do_node(int argc, char **argv)
{
	const struct ctl_cmd *cmd = argc > 1 ? ctl_find(node_cmds, argv[1]) : NULL;

	if (!cmd)
		return usage_error(NODE_USAGE, "");
	return cmd->run(argc - 1, argv + 1);
}
