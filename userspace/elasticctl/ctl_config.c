// SPDX-License-Identifier: GPL-2.0
/* elasticctl config set node-id ID: this node's id. */
#include <string.h>
#include <linux/elastic.h>

#include "elasticctl.h"

void config_usage(FILE *f)
{
	fprintf(f, "  config set node-id ID          set this node's id (1-%u; needs CAP_NET_ADMIN)\n",
		ELASTIC_MAX_NODE_ID);
}

/* set node-id ID: the only setting so far */
static int config_set(int argc, char **argv)
{
	struct elastic_client *c;
	uint32_t id;
	int ret;

	if (argc != 3 || strcmp(argv[1], "node-id"))
		return usage_error("usage: config set node-id ID%s", "");
	if (elastic_parse_u32(argv[2], 1, ELASTIC_MAX_NODE_ID, &id))
		return usage_error("node id '%s' is not a number from 1 to 63", argv[2]);
	if (ctl_open(&c, "config"))
		return 1;
	ret = elastic_config_set_node_id(c, id);
	if (ret)
		ret = fail(c, "config set", ret);
	elastic_close(c);
	return ret;
}

static const struct ctl_cmd config_cmds[] = {
	{ "set", config_set },
	{}
};

int do_config(int argc, char **argv)
{
	const struct ctl_cmd *cmd = argc > 1 ? ctl_find(config_cmds, argv[1]) : NULL;

	if (!cmd)
		return usage_error("usage: config set node-id ID%s", "");
	return cmd->run(argc - 1, argv + 1);
}
