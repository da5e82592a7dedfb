// SPDX-License-Identifier: GPL-2.0
/* libelastic: the generic netlink client, on libnl-genl-3. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/elastic.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "elastic.h"
#include "reply.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct elastic_client {
	struct nl_sock *sk;	/* requests and replies */
	struct nl_sock *ev;	/* events multicast group, once subscribed */
	int family;
	int err;		/* errno of the last NLMSG_ERROR */
	int done;		/* the current request's ack or error arrived */
	char msg[256];		/* its extended-ack message, if any */
	/* filled by the reply handlers */
	struct elastic_status *status;
	struct elastic_event *event;
	int got_event;
	struct elastic_node *nodes;	/* node-get replies go here */
	int nnodes, max_nodes;
	uint64_t pages;			/* process-push, node-drain reply */
	uint64_t pages_left;		/* node-drain reply */
	struct elastic_stats *stats;	/* stats-get reply */
	struct elastic_process *procs;	/* process-get replies: an array of */
	int nprocs, procs_alloc;	/* procs_alloc (-1: the caller's one) */
	struct elastic_process_map *map;	/* process-map replies */
	int parse_err;			/* a reply that could not be read */
};

static struct nla_policy process_policy[ELASTIC_A_PROCESS_MAX + 1] = {
	[ELASTIC_A_PROCESS_PAGES] = { .type = NLA_U64 },
};

static struct nla_policy status_policy[ELASTIC_A_STATUS_MAX + 1] = {
	[ELASTIC_A_STATUS_VERSION] = { .type = NLA_STRING },
	[ELASTIC_A_STATUS_NODE_ID] = { .type = NLA_U32 },
	[ELASTIC_A_STATUS_RELEASE] = { .type = NLA_STRING },
	[ELASTIC_A_STATUS_BAD_INPUT] = { .type = NLA_U64 },
	[ELASTIC_A_STATUS_STRETCHED] = { .type = NLA_U32 },
	[ELASTIC_A_STATUS_HOSTED_PAGES] = { .type = NLA_U64 },
};

static struct nla_policy event_policy[ELASTIC_A_EVENT_MAX + 1] = {
	[ELASTIC_A_EVENT_TYPE] = { .type = NLA_U32 },
	[ELASTIC_A_EVENT_NODE_ID] = { .type = NLA_U32 },
	[ELASTIC_A_EVENT_PEER] = { .type = NLA_U32 },
	[ELASTIC_A_EVENT_DEADLINE] = { .type = NLA_U64 },
	[ELASTIC_A_EVENT_REASON] = { .type = NLA_STRING },
	[ELASTIC_A_EVENT_DETAIL] = { .type = NLA_STRING },
};

static struct nla_policy node_policy[ELASTIC_A_NODE_MAX + 1] = {
	[ELASTIC_A_NODE_ID] = { .type = NLA_U32 },
	[ELASTIC_A_NODE_ADDR] = { .type = NLA_U32 },
	[ELASTIC_A_NODE_PORT] = { .type = NLA_U16 },
	[ELASTIC_A_NODE_STATE] = { .type = NLA_U32 },
	[ELASTIC_A_NODE_LAST_HEARD_MS] = { .type = NLA_U32 },
	[ELASTIC_A_NODE_RX_MSGS] = { .type = NLA_U64 },
	[ELASTIC_A_NODE_TX_MSGS] = { .type = NLA_U64 },
	[ELASTIC_A_NODE_PAGES] = { .type = NLA_U64 },
	[ELASTIC_A_NODE_PAGES_LEFT] = { .type = NLA_U64 },
};

const char *elastic_last_error(const struct elastic_client *c)
{
	return c->msg;
}

const char *elastic_event_type_name(uint32_t type)
{
	switch (type) {
	case ELASTIC_EVENT_TYPE_CONFIG_CHANGED:
		return "config-changed";
	case ELASTIC_EVENT_TYPE_NODE_ADDED:
		return "node-added";
	case ELASTIC_EVENT_TYPE_NODE_REMOVED:
		return "node-removed";
	case ELASTIC_EVENT_TYPE_NODE_UP:
		return "node-up";
	case ELASTIC_EVENT_TYPE_NODE_DEAD:
		return "node-dead";
	case ELASTIC_EVENT_TYPE_DRAIN_START:
		return "drain-start";
	case ELASTIC_EVENT_TYPE_DRAIN_DEADLINE:
		return "drain-deadline";
	case ELASTIC_EVENT_TYPE_DRAIN_PROGRESS:
		return "drain-progress";
	case ELASTIC_EVENT_TYPE_DRAIN_DONE:
		return "drain-done";
	case ELASTIC_EVENT_TYPE_DRAIN_FAILED:
		return "drain-failed";
	case ELASTIC_EVENT_TYPE_DRAIN_CANCELLED:
		return "drain-cancelled";
	case ELASTIC_EVENT_TYPE_HOME_PINNED:
		return "home-pinned";
	case ELASTIC_EVENT_TYPE_REBALANCE:
		return "rebalance";
	case ELASTIC_EVENT_TYPE_EVACUATE:
		return "evacuate";
	default:
		return "unknown";
	}
}

const char *elastic_node_state_name(uint32_t state)
{
	switch (state) {
	case ELASTIC_NODE_STATE_SELF:
		return "self";
	case ELASTIC_NODE_STATE_CONNECTING:
		return "connecting";
	case ELASTIC_NODE_STATE_UP:
		return "up";
	case ELASTIC_NODE_STATE_DEAD:
		return "dead";
	default:
		return "unknown";
	}
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	struct elastic_client *c = arg;
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)err - NLMSG_HDRLEN);

	(void)nla;
	c->err = err->error;
	c->done = 1;
	elastic_extack_msg(nlh, nlh->nlmsg_len, c->msg, sizeof(c->msg));
	return NL_STOP;
}

static int on_status(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlattr *tb[ELASTIC_A_STATUS_MAX + 1];
	struct elastic_status *st = c->status;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ELASTIC_A_STATUS_MAX, status_policy) < 0)
		return NL_SKIP;
	if (tb[ELASTIC_A_STATUS_VERSION])
		nla_strlcpy(st->version, tb[ELASTIC_A_STATUS_VERSION], sizeof(st->version));
	if (tb[ELASTIC_A_STATUS_RELEASE])
		nla_strlcpy(st->release, tb[ELASTIC_A_STATUS_RELEASE], sizeof(st->release));
	if (tb[ELASTIC_A_STATUS_NODE_ID])
		st->node_id = nla_get_u32(tb[ELASTIC_A_STATUS_NODE_ID]);
	if (tb[ELASTIC_A_STATUS_BAD_INPUT])
		st->bad_input = nla_get_u64(tb[ELASTIC_A_STATUS_BAD_INPUT]);
	if (tb[ELASTIC_A_STATUS_STRETCHED])
		st->stretched = nla_get_u32(tb[ELASTIC_A_STATUS_STRETCHED]);
	if (tb[ELASTIC_A_STATUS_HOSTED_PAGES])
		st->hosted_pages = nla_get_u64(tb[ELASTIC_A_STATUS_HOSTED_PAGES]);
	return NL_OK;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlattr *tb[ELASTIC_A_EVENT_MAX + 1];
	struct genlmsghdr *g = nlmsg_data(nlmsg_hdr(msg));

	if (g->cmd != ELASTIC_CMD_EVENT_NTF ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, ELASTIC_A_EVENT_MAX, event_policy) < 0 ||
	    !tb[ELASTIC_A_EVENT_TYPE])
		return NL_SKIP;
	c->event->type = nla_get_u32(tb[ELASTIC_A_EVENT_TYPE]);
	c->event->node_id = tb[ELASTIC_A_EVENT_NODE_ID] ?
			    nla_get_u32(tb[ELASTIC_A_EVENT_NODE_ID]) : 0;
	c->event->peer = tb[ELASTIC_A_EVENT_PEER] ? nla_get_u32(tb[ELASTIC_A_EVENT_PEER]) : 0;
	c->event->deadline = tb[ELASTIC_A_EVENT_DEADLINE] ?
			     (int64_t)nla_get_u64(tb[ELASTIC_A_EVENT_DEADLINE]) : 0;
	c->event->reason[0] = c->event->detail[0] = '\0';
	if (tb[ELASTIC_A_EVENT_REASON])
		nla_strlcpy(c->event->reason, tb[ELASTIC_A_EVENT_REASON],
			    sizeof(c->event->reason));
	if (tb[ELASTIC_A_EVENT_DETAIL])
		nla_strlcpy(c->event->detail, tb[ELASTIC_A_EVENT_DETAIL],
			    sizeof(c->event->detail));
	c->got_event = 1;
	return NL_STOP;
}

static int on_node(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlattr *tb[ELASTIC_A_NODE_MAX + 1];
	struct elastic_node *n;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ELASTIC_A_NODE_MAX, node_policy) < 0 ||
	    !tb[ELASTIC_A_NODE_ID] || c->nnodes >= c->max_nodes)
		return NL_SKIP;
	n = &c->nodes[c->nnodes++];
	memset(n, 0, sizeof(*n));
	n->id = nla_get_u32(tb[ELASTIC_A_NODE_ID]);
	if (tb[ELASTIC_A_NODE_ADDR])
		n->addr = nla_get_u32(tb[ELASTIC_A_NODE_ADDR]);
	if (tb[ELASTIC_A_NODE_PORT])
		n->port = nla_get_u16(tb[ELASTIC_A_NODE_PORT]);
	if (tb[ELASTIC_A_NODE_STATE])
		n->state = nla_get_u32(tb[ELASTIC_A_NODE_STATE]);
	if (tb[ELASTIC_A_NODE_LAST_HEARD_MS])
		n->last_heard_ms = nla_get_u32(tb[ELASTIC_A_NODE_LAST_HEARD_MS]);
	if (tb[ELASTIC_A_NODE_RX_MSGS])
		n->rx_msgs = nla_get_u64(tb[ELASTIC_A_NODE_RX_MSGS]);
	if (tb[ELASTIC_A_NODE_TX_MSGS])
		n->tx_msgs = nla_get_u64(tb[ELASTIC_A_NODE_TX_MSGS]);
	return NL_OK;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;

	(void)msg;
	c->done = 1;
	return NL_STOP;
}

/*
 * The end of a dump.  A dump that failed after it began (the kernel's
 * dumpit returned an error) says so here, not in an NLMSG_ERROR: its
 * errno is the payload, followed by the extended ack.  libnl ignores it.
 */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err;

	c->done = 1;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(err))
		return NL_STOP;
	memcpy(&err, nlmsg_data(nlh), sizeof(err));
	if (err < 0) {
		c->err = err;
		elastic_extack_msg(nlh, nlh->nlmsg_len, c->msg, sizeof(c->msg));
	}
	return NL_STOP;
}

static int no_seq_check(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

/* libnl returns its own error codes; the kernel's errno is in c->err. */
static int nl_to_errno(struct elastic_client *c, int nlerr)
{
	if (c->err)
		return c->err;
	switch (-nlerr) {
	case NLE_NOMEM:
		return -ENOMEM;
	case NLE_PERM:
		return -EPERM;
	case NLE_OBJ_NOTFOUND:
		return -ENOENT;
	default:
		return -EIO;
	}
}

static struct nl_sock *open_sock(struct elastic_client *c)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1;

	if (!sk)
		return NULL;
	if (genl_connect(sk)) {
		nl_socket_free(sk);
		return NULL;
	}
	/* Ask the kernel to say why it refused a request. */
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, on_error, c);
	/* Size each read to the message: a dump's may be larger than a page. */
	nl_socket_enable_msg_peek(sk);
	return sk;
}

int elastic_open(struct elastic_client **clientp)
{
	struct elastic_client *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->sk = open_sock(c);
	if (!c->sk) {
		free(c);
		return -EIO;
	}
	c->family = genl_ctrl_resolve(c->sk, ELASTIC_FAMILY_NAME);
	if (c->family < 0) {
		elastic_close(c);
		/* The family exists only while the module is loaded. */
		return -ENOENT;
	}
	*clientp = c;
	return 0;
}

void elastic_close(struct elastic_client *c)
{
	if (!c)
		return;
	if (c->ev)
		nl_socket_free(c->ev);
	nl_socket_free(c->sk);
	free(c);
}

/*
 * Send one request; replies go to handler (may be NULL).  Read until this
 * request's own ack, error, or end of dump: a reply that is not multipart ends one
 * nl_recvmsgs() call before the ack, and an ack left queued would be taken
 * for the answer to the next request (nl_send_sync() has that flaw).
 */
static int request(struct elastic_client *c, struct nl_msg *msg, nl_recvmsg_msg_cb_t handler)
{
	int ret;

	c->err = 0;
	c->done = 0;
	c->parse_err = 0;
	c->msg[0] = '\0';
	nl_socket_modify_cb(c->sk, NL_CB_VALID, handler ? NL_CB_CUSTOM : NL_CB_DEFAULT,
			    handler, c);
	nl_socket_modify_cb(c->sk, NL_CB_ACK, NL_CB_CUSTOM, on_ack, c);
	/* A dump ends with NLMSG_DONE instead of an ack. */
	nl_socket_modify_cb(c->sk, NL_CB_FINISH, NL_CB_CUSTOM, on_done, c);
	ret = nl_send_auto(c->sk, msg);
	nlmsg_free(msg);
	if (ret < 0)
		return nl_to_errno(c, ret);
	while (!c->done) {
		ret = nl_recvmsgs_default(c->sk);
		if (ret < 0)
			return nl_to_errno(c, ret);
	}
	/* A reply we could not read is the request's failure, once it is all read. */
	return c->err ? c->err : c->parse_err;
}

static struct nl_msg *new_request_flags(struct elastic_client *c, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (msg && !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, c->family, 0, flags, cmd,
				ELASTIC_FAMILY_VERSION)) {
		nlmsg_free(msg);
		msg = NULL;
	}
	return msg;
}

static struct nl_msg *new_request(struct elastic_client *c, uint8_t cmd)
{
	return new_request_flags(c, cmd, 0);
}

int elastic_status_get(struct elastic_client *c, struct elastic_status *st)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_STATUS_GET);

	if (!msg)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	c->status = st;
	return request(c, msg, on_status);
}

int elastic_config_set_node_id(struct elastic_client *c, uint32_t node_id)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_CONFIG_SET);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_CONFIG_NODE_ID, node_id) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

int elastic_node_add(struct elastic_client *c, uint32_t id, uint32_t addr, uint16_t port)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_NODE_ADD);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_NODE_ID, id) < 0 ||
	    nla_put_u32(msg, ELASTIC_A_NODE_ADDR, addr) < 0 ||
	    nla_put_u16(msg, ELASTIC_A_NODE_PORT, port) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

/* A request whose only attribute is a node id, answered by an ack. */
static int node_id_request(struct elastic_client *c, uint8_t cmd, uint32_t id)
{
	struct nl_msg *msg = new_request(c, cmd);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_NODE_ID, id) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

int elastic_node_del(struct elastic_client *c, uint32_t id)
{
	return node_id_request(c, ELASTIC_CMD_NODE_DEL, id);
}

int elastic_node_get(struct elastic_client *c, uint32_t id, struct elastic_node *node)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_NODE_GET);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_NODE_ID, id) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->nodes = node;
	c->nnodes = 0;
	c->max_nodes = 1;
	ret = request(c, msg, on_node);
	return ret ? ret : (c->nnodes == 1 ? 0 : -EIO);
}

int elastic_node_list(struct elastic_client *c, struct elastic_node *nodes, int max)
{
	struct nl_msg *msg = new_request_flags(c, ELASTIC_CMD_NODE_GET, NLM_F_DUMP);
	int ret;

	if (!msg)
		return -ENOMEM;
	c->nodes = nodes;
	c->nnodes = 0;
	c->max_nodes = max;
	ret = request(c, msg, on_node);
	return ret ? ret : c->nnodes;
}

int elastic_events_subscribe(struct elastic_client *c)
{
	int grp;

	if (c->ev)
		return 0;
	grp = genl_ctrl_resolve_grp(c->sk, ELASTIC_FAMILY_NAME, ELASTIC_MCGRP_EVENTS);
	if (grp < 0)
		return -ENOENT;
	c->ev = open_sock(c);
	if (!c->ev)
		return -EIO;
	nl_socket_disable_seq_check(c->ev);
	nl_socket_modify_cb(c->ev, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	nl_socket_modify_cb(c->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, c);
	if (nl_socket_add_membership(c->ev, grp) < 0) {
		nl_socket_free(c->ev);
		c->ev = NULL;
		return -EIO;
	}
	return 0;
}

int elastic_event_next(struct elastic_client *c, struct elastic_event *ev, int timeout_ms)
{
	struct pollfd pfd;
	int ret;

	if (!c->ev)
		return -EINVAL;
	c->event = ev;
	c->got_event = 0;
	pfd.fd = nl_socket_get_fd(c->ev);
	pfd.events = POLLIN;
	while (!c->got_event) {
		ret = poll(&pfd, 1, timeout_ms);
		if (ret < 0)
			return -errno;
		if (ret == 0)
			return -ETIMEDOUT;
		ret = nl_recvmsgs_default(c->ev);
		/* NLE_NOMEM here means our queue overflowed: events were lost. */
		if (ret < 0 && ret != -NLE_AGAIN)
			return ret == -NLE_NOMEM ? -ENOBUFS : -EIO;
	}
	return 0;
}

int elastic_process_stretch(struct elastic_client *c, uint32_t pid, uint64_t nodes,
			    uint64_t local_limit_pages)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_PROCESS_STRETCH);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0 ||
	    nla_put_u64(msg, ELASTIC_A_PROCESS_NODES, nodes) < 0 ||
	    nla_put_u64(msg, ELASTIC_A_PROCESS_LIMIT, local_limit_pages) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

static int on_process(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlattr *tb[ELASTIC_A_PROCESS_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ELASTIC_A_PROCESS_MAX, process_policy) < 0)
		return NL_SKIP;
	if (tb[ELASTIC_A_PROCESS_PAGES])
		c->pages = nla_get_u64(tb[ELASTIC_A_PROCESS_PAGES]);
	return NL_OK;
}

int elastic_process_push(struct elastic_client *c, uint32_t pid, uint32_t node, uint64_t pages,
			 uint64_t *pushed)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_PROCESS_PUSH);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0 ||
	    (node && nla_put_u32(msg, ELASTIC_A_PROCESS_NODE, node) < 0) ||
	    nla_put_u64(msg, ELASTIC_A_PROCESS_PAGES, pages) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->pages = 0;
	ret = request(c, msg, on_process);
	if (!ret && pushed)
		*pushed = c->pages;
	return ret;
}

int elastic_process_jump(struct elastic_client *c, uint32_t pid, uint32_t tid, uint32_t node)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_PROCESS_JUMP);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0 ||
	    nla_put_u32(msg, ELASTIC_A_PROCESS_TID, tid) < 0 ||
	    nla_put_u32(msg, ELASTIC_A_PROCESS_NODE, node) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

static int on_drain(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct nlattr *tb[ELASTIC_A_NODE_MAX + 1];

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ELASTIC_A_NODE_MAX, node_policy) < 0)
		return NL_SKIP;
	if (tb[ELASTIC_A_NODE_PAGES])
		c->pages = nla_get_u64(tb[ELASTIC_A_NODE_PAGES]);
	if (tb[ELASTIC_A_NODE_PAGES_LEFT])
		c->pages_left = nla_get_u64(tb[ELASTIC_A_NODE_PAGES_LEFT]);
	return NL_OK;
}

int elastic_node_drain(struct elastic_client *c, uint32_t id, uint64_t max, uint64_t *moved,
		       uint64_t *left)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_NODE_DRAIN);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_NODE_ID, id) < 0 ||
	    nla_put_u64(msg, ELASTIC_A_NODE_PAGES, max) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->pages = 0;
	c->pages_left = 0;
	ret = request(c, msg, on_drain);
	if (!ret) {
		*moved = c->pages;
		*left = c->pages_left;
	}
	return ret;
}

int elastic_process_unstretch(struct elastic_client *c, uint32_t pid, uint64_t *pulled)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_PROCESS_UNSTRETCH);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->pages = 0;
	ret = request(c, msg, on_process);
	if (!ret && pulled)
		*pulled = c->pages;
	return ret;
}

int elastic_node_set_max_pages(struct elastic_client *c, uint32_t id, uint32_t max_pages)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_NODE_SET);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_NODE_ID, id) < 0 ||
	    nla_put_u32(msg, ELASTIC_A_NODE_MAX_PAGES, max_pages) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

int elastic_node_undrain(struct elastic_client *c, uint32_t id)
{
	return node_id_request(c, ELASTIC_CMD_NODE_UNDRAIN, id);
}

int elastic_event_post(struct elastic_client *c, uint32_t type, int64_t deadline,
		       const char *reason, const char *detail)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_EVENT_POST);

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_EVENT_TYPE, type) < 0 ||
	    (deadline > 0 && nla_put_u64(msg, ELASTIC_A_EVENT_DEADLINE, (uint64_t)deadline) < 0) ||
	    (reason && nla_put_string(msg, ELASTIC_A_EVENT_REASON, reason) < 0) ||
	    (detail && nla_put_string(msg, ELASTIC_A_EVENT_DETAIL, detail) < 0)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	return request(c, msg, NULL);
}

static int on_stats(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	int ret = elastic_stats_parse(nlmsg_hdr(msg), c->stats);

	if (ret && !c->parse_err)
		c->parse_err = ret;
	return NL_OK;
}

int elastic_stats_get(struct elastic_client *c, struct elastic_stats *st)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_STATS_GET);

	if (!msg)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	c->stats = st;
	return request(c, msg, on_stats);
}

/* One process into c->procs: the caller's single one, or a growing array. */
static int on_process_get(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	struct elastic_process *p;
	int ret;

	if (c->parse_err)
		return NL_OK;		/* read on to the end, keep nothing */
	if (c->procs_alloc < 0) {
		if (c->nprocs) {
			c->parse_err = -EPROTO;	/* a do answered twice */
			return NL_OK;
		}
	} else if (c->nprocs == c->procs_alloc) {
		p = realloc(c->procs, (c->procs_alloc ? 2 * c->procs_alloc : 64) * sizeof(*p));
		if (!p) {
			c->parse_err = -ENOMEM;
			return NL_OK;
		}
		c->procs = p;
		c->procs_alloc = c->procs_alloc ? 2 * c->procs_alloc : 64;
	}
	ret = elastic_process_parse(nlmsg_hdr(msg), &c->procs[c->nprocs]);
	if (ret)
		c->parse_err = ret;
	else
		c->nprocs++;
	return NL_OK;
}

int elastic_process_get(struct elastic_client *c, uint32_t pid, struct elastic_process *p)
{
	struct nl_msg *msg = new_request(c, ELASTIC_CMD_PROCESS_GET);
	int ret;

	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	memset(p, 0, sizeof(*p));
	c->procs = p;
	c->nprocs = 0;
	c->procs_alloc = -1;
	ret = request(c, msg, on_process_get);
	c->procs = NULL;
	return ret ? ret : (c->nprocs == 1 ? 0 : -EPROTO);
}

static int by_pid(const void *a, const void *b)
{
	const struct elastic_process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

int elastic_process_list(struct elastic_client *c, struct elastic_process **procs)
{
	struct nl_msg *msg = new_request_flags(c, ELASTIC_CMD_PROCESS_GET, NLM_F_DUMP);
	int ret;

	if (!msg)
		return -ENOMEM;
	c->procs = NULL;
	c->nprocs = 0;
	c->procs_alloc = 0;
	ret = request(c, msg, on_process_get);
	if (ret) {
		free(c->procs);
		c->procs = NULL;
		return ret;
	}
	qsort(c->procs, c->nprocs, sizeof(*c->procs), by_pid);
	*procs = c->procs;
	c->procs = NULL;
	return c->nprocs;
}

static int on_process_map(struct nl_msg *msg, void *arg)
{
	struct elastic_client *c = arg;
	int ret;

	if (c->parse_err)
		return NL_OK;		/* read on to the end */
	ret = elastic_process_map_add(c->map, nlmsg_hdr(msg));
	if (ret)
		c->parse_err = ret;
	return NL_OK;
}

int elastic_process_map(struct elastic_client *c, uint32_t pid, struct elastic_process_map *m)
{
	struct nl_msg *msg = new_request_flags(c, ELASTIC_CMD_PROCESS_MAP, NLM_F_DUMP);
	int ret;

	memset(m, 0, sizeof(*m));
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, ELASTIC_A_PROCESS_PID, pid) < 0) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	c->map = m;
	ret = request(c, msg, on_process_map);
	c->map = NULL;
	if (!ret && !m->pid)
		m->pid = pid;	/* a process with no pages anywhere: no message */
	return ret;
}
