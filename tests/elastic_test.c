// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the elastic module's interfaces, run inside a SpotOS node as
 * root (scripts/check runs it on node 2): the generic netlink family, the
 * sysctls and /proc/PID/elastic, including every kind of bad input, the
 * permission checks, and unloading while in use.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/elastic.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

#include "elastic.h"
#include "kselftest_harness.h"
#include "node_state.h"

#define NOBODY 65534

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY), n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static int set_node_id_sysctl(long id)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%ld\n", id);
	return write_file("/proc/sys/elastic/node_id", buf);
}

/* Value of "key:" in /proc/PID/elastic text. */
static long proc_value(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtol(p + strlen(key) + 1, NULL, 10) : -1;
}

/* Send a prebuilt generic netlink request; the kernel's errno and extack. */
static int raw_request_msg(struct nlmsghdr *req, char *msg, size_t size)
{
	struct nlmsghdr *nlh;
	char buf[8192];
	int fd, one = 1, n;

	msg[0] = '\0';
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	req->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->nlmsg_pid = 0;
	if (send(fd, req, req->nlmsg_len, 0) < 0) {
		close(fd);
		return -errno;
	}
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			close(fd);
			return -errno;
		}
		for (nlh = (struct nlmsghdr *)buf; NLMSG_OK(nlh, n); nlh = NLMSG_NEXT(nlh, n)) {
			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			elastic_extack_msg(nlh, nlh->nlmsg_len, msg, size);
			close(fd);
			return ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
		}
	}
}

/*
 * Send one raw generic netlink request and return the kernel's errno from
 * the ack (0 or negative), with its extack message in msg.
 */
static int raw_request(uint8_t cmd, const struct nlattr *attr, char *msg, size_t size)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct {
		struct nlmsghdr nlh;
		struct genlmsghdr g;
		char attrs[64];
	} req = {};
	int family;

	msg[0] = '\0';
	if (!sk || genl_connect(sk))
		return -EIO;
	family = genl_ctrl_resolve(sk, ELASTIC_FAMILY_NAME);
	nl_socket_free(sk);
	if (family < 0)
		return -ENOENT;
	req.nlh.nlmsg_type = family;
	req.nlh.nlmsg_seq = 1;
	req.g.cmd = cmd;
	req.g.version = ELASTIC_FAMILY_VERSION;
	req.nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	if (attr) {
		memcpy(req.attrs, attr, NLA_ALIGN(attr->nla_len));
		req.nlh.nlmsg_len += NLA_ALIGN(attr->nla_len);
	}
	return raw_request_msg(&req.nlh, msg, size);
}

/* An attribute of any type and payload, for hand-made bad requests. */
struct raw_attr {
	struct nlattr a;
	char data[16];
};

static struct nlattr *make_attr(struct raw_attr *r, uint16_t type, const void *data, int len)
{
	r->a.nla_type = type;
	r->a.nla_len = NLA_HDRLEN + len;
	memcpy(r->data, data, len);
	return &r->a;
}

/*
 * Run fn in a child with the ids of nobody (no capabilities); return the
 * child's exit status: fn's return value, or 10 if the ids could not change.
 */
static int as_nobody(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		if (setresgid(NOBODY, NOBODY, NOBODY) || setresuid(NOBODY, NOBODY, NOBODY))
			_exit(10);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* ---- status and configuration over netlink ---- */

FIXTURE(nl)
{
	struct elastic_client *c;
	long saved_id;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, elastic_open(&self->c));
	self->saved_id = tunable("node_id");
	ASSERT_GE(self->saved_id, 1);
}

/* Members go first: the id cannot change while there are any. */
FIXTURE_TEARDOWN(nl)
{
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID];
	int i, n = elastic_node_list(self->c, nodes, ELASTIC_MAX_NODE_ID);

	for (i = 0; i < n; i++)
		elastic_node_del(self->c, nodes[i].id);
	set_node_id_sysctl(self->saved_id);
	elastic_close(self->c);
}

TEST_F(nl, status_matches_sysctl_uname_and_hostname)
{
	struct elastic_status st;
	struct utsname u;
	char host[64];

	ASSERT_EQ(0, elastic_status_get(self->c, &st));
	ASSERT_EQ(0, uname(&u));
	EXPECT_STREQ(u.release, st.release);
	EXPECT_NE(NULL, strstr(st.release, "-spotos"));
	EXPECT_EQ(self->saved_id, st.node_id);
	EXPECT_EQ(counter("bad_input"), (long)st.bad_input);
	snprintf(host, sizeof(host), "node%u", st.node_id);
	EXPECT_STREQ(host, u.nodename);
	EXPECT_STRNE("", st.version);
}

TEST_F(nl, config_set_round_trip)
{
	struct elastic_status st;
	uint32_t other = self->saved_id % ELASTIC_MAX_NODE_ID + 1;

	ASSERT_EQ(0, elastic_config_set_node_id(self->c, other));
	ASSERT_EQ(0, elastic_status_get(self->c, &st));
	EXPECT_EQ(other, st.node_id);
	EXPECT_EQ((long)other, tunable("node_id"));
	ASSERT_EQ(0, elastic_config_set_node_id(self->c, self->saved_id));
	EXPECT_EQ(self->saved_id, tunable("node_id"));
}

TEST_F(nl, unknown_command_is_refused)
{
	char msg[256];

	EXPECT_EQ(-EOPNOTSUPP, raw_request(ELASTIC_CMD_MAX + 7, NULL, msg, sizeof(msg)));
	EXPECT_EQ(-EOPNOTSUPP, raw_request(0, NULL, msg, sizeof(msg)));
}

static int nobody_config_set(void *arg)
{
	struct elastic_client *c;
	struct elastic_status st;

	(void)arg;
	if (elastic_open(&c))
		return 11;
	/* Reading is for everyone; changing needs CAP_NET_ADMIN. */
	if (elastic_status_get(c, &st))
		return 12;
	if (elastic_config_set_node_id(c, 5) != -EPERM)
		return 13;
	return 0;
}

TEST_F(nl, config_set_needs_cap_net_admin)
{
	EXPECT_EQ(0, as_nobody(nobody_config_set, NULL));
	EXPECT_EQ(self->saved_id, tunable("node_id"));
}

/* ---- bad config-set requests: each refused cleanly, nothing changes ---- */

FIXTURE(bad_config)
{
	long saved_id;
};

FIXTURE_VARIANT(bad_config)
{
	uint16_t type;		/* attribute type; 0: send no attribute */
	int len;		/* payload length */
	uint32_t value;
	int error;		/* expected errno (negative) */
	int counted;		/* whether the module counts it as bad input */
	const char *why;	/* expected in the extack message */
};

FIXTURE_VARIANT_ADD(bad_config, id_above_max)
{
	.type = ELASTIC_A_CONFIG_NODE_ID, .len = 4, .value = ELASTIC_MAX_NODE_ID + 1,
	.error = -ERANGE, .why = "out of range",
};

FIXTURE_VARIANT_ADD(bad_config, id_zero)
{
	.type = ELASTIC_A_CONFIG_NODE_ID, .len = 4, .value = 0,
	.error = -ERANGE, .why = "out of range",
};

FIXTURE_VARIANT_ADD(bad_config, id_huge)
{
	.type = ELASTIC_A_CONFIG_NODE_ID, .len = 4, .value = 0xffffffff,
	.error = -ERANGE, .why = "out of range",
};

FIXTURE_VARIANT_ADD(bad_config, id_too_short)
{
	.type = ELASTIC_A_CONFIG_NODE_ID, .len = 2, .value = 3,
	.error = -ERANGE, .why = "",
};

FIXTURE_VARIANT_ADD(bad_config, unknown_attribute)
{
	.type = ELASTIC_A_CONFIG_MAX + 5, .len = 4, .value = 3,
	.error = -EINVAL, .why = "",
};

FIXTURE_VARIANT_ADD(bad_config, missing_attribute)
{
	.type = 0, .error = -EINVAL, .counted = 1, .why = "",
};

FIXTURE_SETUP(bad_config)
{
	self->saved_id = tunable("node_id");
	ASSERT_GE(self->saved_id, 1);
}

FIXTURE_TEARDOWN(bad_config)
{
	set_node_id_sysctl(self->saved_id);
}

TEST_F(bad_config, refused_and_nothing_changes)
{
	long before = counter("bad_input");
	struct raw_attr r;
	char msg[256];
	int ret;

	ret = raw_request(ELASTIC_CMD_CONFIG_SET,
			  variant->type ? make_attr(&r, variant->type, &variant->value, variant->len) : NULL,
			  msg, sizeof(msg));
	TH_LOG("kernel said %d (%s)", ret, msg);
	if (variant->error == -ERANGE && variant->len != 4) {
		/* A wrong length fails the policy's length check. */
		EXPECT_TRUE(ret == -ERANGE || ret == -EINVAL);
	} else {
		EXPECT_EQ(variant->error, ret);
	}
	if (*variant->why)
		EXPECT_NE(NULL, strstr(msg, variant->why));
	EXPECT_EQ(self->saved_id, tunable("node_id"));
	EXPECT_EQ(before + variant->counted, counter("bad_input"));
}

/* ---- membership: node-add refuses bad requests cleanly ---- */

FIXTURE(bad_node_add)
{
	long bad_input;
};

FIXTURE_VARIANT(bad_node_add)
{
	int omit;		/* which attribute to leave out: 'i', 'a', 'p' or 0 */
	uint32_t id;
	uint32_t addr;		/* host byte order */
	uint16_t port;
	int error;
	int counted;		/* refused by the module itself, so counted */
	const char *why;	/* expected in the extack message */
};

#define NET(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

FIXTURE_VARIANT_ADD(bad_node_add, id_zero)
{
	.id = 0, .addr = NET(10, 0, 0, 1), .port = 7070, .error = -ERANGE, .why = "range",
};

FIXTURE_VARIANT_ADD(bad_node_add, id_64)
{
	.id = 64, .addr = NET(10, 0, 0, 1), .port = 7070, .error = -ERANGE, .why = "range",
};

FIXTURE_VARIANT_ADD(bad_node_add, port_zero)
{
	.id = 9, .addr = NET(10, 0, 0, 1), .port = 0, .error = -ERANGE, .why = "range",
};

FIXTURE_VARIANT_ADD(bad_node_add, addr_zero)
{
	.id = 9, .addr = NET(0, 0, 0, 0), .port = 7070, .error = -EINVAL, .counted = 1,
	.why = "unicast",
};

FIXTURE_VARIANT_ADD(bad_node_add, addr_broadcast)
{
	.id = 9, .addr = NET(255, 255, 255, 255), .port = 7070, .error = -EINVAL, .counted = 1,
	.why = "unicast",
};

FIXTURE_VARIANT_ADD(bad_node_add, addr_multicast)
{
	.id = 9, .addr = NET(224, 0, 0, 1), .port = 7070, .error = -EINVAL, .counted = 1,
	.why = "unicast",
};

FIXTURE_VARIANT_ADD(bad_node_add, missing_id)
{
	.omit = 'i', .addr = NET(10, 0, 0, 1), .port = 7070, .error = -EINVAL, .counted = 1,
};

FIXTURE_VARIANT_ADD(bad_node_add, missing_addr)
{
	.omit = 'a', .id = 9, .port = 7070, .error = -EINVAL, .counted = 1,
};

FIXTURE_VARIANT_ADD(bad_node_add, missing_port)
{
	.omit = 'p', .id = 9, .addr = NET(10, 0, 0, 1), .error = -EINVAL, .counted = 1,
};

FIXTURE_SETUP(bad_node_add)
{
	self->bad_input = counter("bad_input");
}

FIXTURE_TEARDOWN(bad_node_add)
{
}

/* A request with up to three attributes, built by hand. */
static int raw_node_add(const FIXTURE_VARIANT(bad_node_add) *v, char *msg, size_t size)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *m;
	int family, ret, n = 0;

	if (!sk || genl_connect(sk))
		return -EIO;
	family = genl_ctrl_resolve(sk, ELASTIC_FAMILY_NAME);
	nl_socket_free(sk);
	if (family < 0)
		return -ENOENT;
	m = nlmsg_alloc();
	genlmsg_put(m, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0, ELASTIC_CMD_NODE_ADD, 1);
	if (v->omit != 'i')
		n |= nla_put_u32(m, ELASTIC_A_NODE_ID, v->id);
	if (v->omit != 'a')
		n |= nla_put_u32(m, ELASTIC_A_NODE_ADDR, htonl(v->addr));
	if (v->omit != 'p')
		n |= nla_put_u16(m, ELASTIC_A_NODE_PORT, v->port);
	ret = n ? -ENOMEM : raw_request_msg(nlmsg_hdr(m), msg, size);
	nlmsg_free(m);
	return ret;
}

TEST_F(bad_node_add, refused_and_nothing_added)
{
	struct elastic_client *c;
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID];
	char msg[256];
	int ret, before;

	ASSERT_EQ(0, elastic_open(&c));
	before = elastic_node_list(c, nodes, ELASTIC_MAX_NODE_ID);
	ret = raw_node_add(variant, msg, sizeof(msg));
	TH_LOG("kernel said %d (%s)", ret, msg);
	EXPECT_EQ(variant->error, ret);
	if (variant->why)
		EXPECT_NE(NULL, strstr(msg, variant->why));
	EXPECT_EQ(before, elastic_node_list(c, nodes, ELASTIC_MAX_NODE_ID));
	EXPECT_EQ(self->bad_input + variant->counted, counter("bad_input"));
	elastic_close(c);
}

/* ---- membership: the operations themselves ---- */

/* 192.0.2.0/24 is TEST-NET-1: no route there, nobody answers. */
#define TESTNET(n) htonl(0xc0000200 | (n))

TEST_F(nl, add_show_list_del)
{
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID], n;

	ASSERT_EQ(0, elastic_node_add(self->c, self->saved_id, TESTNET(1), 7070));
	ASSERT_EQ(0, elastic_node_add(self->c, 40, TESTNET(40), 7171));
	ASSERT_EQ(0, elastic_node_get(self->c, 40, &n));
	EXPECT_EQ(40, n.id);
	EXPECT_EQ(TESTNET(40), n.addr);
	EXPECT_EQ(7171, n.port);
	EXPECT_EQ(ELASTIC_NODE_STATE_CONNECTING, n.state);
	ASSERT_EQ(0, elastic_node_get(self->c, self->saved_id, &n));
	EXPECT_EQ(ELASTIC_NODE_STATE_SELF, n.state);
	ASSERT_EQ(2, elastic_node_list(self->c, nodes, ELASTIC_MAX_NODE_ID));
	EXPECT_LT(nodes[0].id, nodes[1].id);
	ASSERT_EQ(0, elastic_node_del(self->c, 40));
	EXPECT_EQ(-ENOENT, elastic_node_get(self->c, 40, &n));
	EXPECT_EQ(1, elastic_node_list(self->c, nodes, ELASTIC_MAX_NODE_ID));
}

TEST_F(nl, refusals)
{
	ASSERT_EQ(0, elastic_node_add(self->c, 40, TESTNET(40), 7070));
	EXPECT_EQ(-EEXIST, elastic_node_add(self->c, 40, TESTNET(41), 7070));
	EXPECT_NE(NULL, strstr(elastic_last_error(self->c), "exists"));
	EXPECT_EQ(-EADDRINUSE, elastic_node_add(self->c, 41, TESTNET(40), 7070));
	/* Same address, another port: a second node on one host is fine. */
	EXPECT_EQ(0, elastic_node_add(self->c, 41, TESTNET(40), 7071));
	EXPECT_EQ(-ENOENT, elastic_node_del(self->c, 42));
	/* The id is in every message: it cannot change while there are members. */
	EXPECT_EQ(-EBUSY, elastic_config_set_node_id(self->c, self->saved_id % 63 + 1));
	EXPECT_EQ(self->saved_id, tunable("node_id"));
}

TEST_F(nl, many_members_dump_in_full)
{
	struct elastic_node nodes[ELASTIC_MAX_NODE_ID];
	int i, added = 0;

	for (i = 1; i <= ELASTIC_MAX_NODE_ID; i++)
		added += !elastic_node_add(self->c, i, TESTNET(i), 7070);
	EXPECT_EQ(ELASTIC_MAX_NODE_ID, added);
	EXPECT_EQ(ELASTIC_MAX_NODE_ID, elastic_node_list(self->c, nodes, ELASTIC_MAX_NODE_ID));
	for (i = 0; i < ELASTIC_MAX_NODE_ID; i++)
		EXPECT_EQ(i + 1, nodes[i].id);
}

static int nobody_node_changes(void *arg)
{
	struct elastic_client *c;
	struct elastic_node n;

	(void)arg;
	if (elastic_open(&c))
		return 11;
	if (elastic_node_get(c, 40, &n))	/* reading is for everyone */
		return 12;
	if (elastic_node_add(c, 41, TESTNET(41), 7070) != -EPERM)
		return 13;
	if (elastic_node_del(c, 40) != -EPERM)
		return 14;
	return 0;
}

TEST_F(nl, node_changes_need_cap_net_admin)
{
	ASSERT_EQ(0, elastic_node_add(self->c, 40, TESTNET(40), 7070));
	EXPECT_EQ(0, as_nobody(nobody_node_changes, NULL));
}

/* ---- events: a change through either interface is announced once ---- */

FIXTURE(events)
{
	struct elastic_client *c;
	long saved_id;
};

FIXTURE_VARIANT(events)
{
	int via_sysctl;
};

FIXTURE_VARIANT_ADD(events, via_netlink)
{
	.via_sysctl = 0,
};

FIXTURE_VARIANT_ADD(events, via_sysctl)
{
	.via_sysctl = 1,
};

FIXTURE_SETUP(events)
{
	ASSERT_EQ(0, elastic_open(&self->c));
	ASSERT_EQ(0, elastic_events_subscribe(self->c));
	self->saved_id = tunable("node_id");
}

FIXTURE_TEARDOWN(events)
{
	set_node_id_sysctl(self->saved_id);
	elastic_close(self->c);
}

TEST_F(events, config_change_is_announced_once)
{
	uint32_t other = self->saved_id % ELASTIC_MAX_NODE_ID + 1;
	struct elastic_event ev;

	if (variant->via_sysctl) {
		ASSERT_EQ(0, set_node_id_sysctl(other));
	} else {
		ASSERT_EQ(0, elastic_config_set_node_id(self->c, other));
	}
	ASSERT_EQ(0, elastic_event_next(self->c, &ev, 5000));
	EXPECT_EQ(ELASTIC_EVENT_TYPE_CONFIG_CHANGED, ev.type);
	EXPECT_EQ(other, ev.node_id);
	/* Setting the same id again is no change: no event. */
	if (variant->via_sysctl) {
		ASSERT_EQ(0, set_node_id_sysctl(other));
	} else {
		ASSERT_EQ(0, elastic_config_set_node_id(self->c, other));
	}
	EXPECT_EQ(-ETIMEDOUT, elastic_event_next(self->c, &ev, 300));
}

/* ---- drain events from the node agent; a node's drain of itself ---- */

static int nobody_event_post(void *arg)
{
	struct elastic_client *c;

	(void)arg;
	if (elastic_open(&c))
		return 11;
	if (elastic_event_post(c, ELASTIC_EVENT_TYPE_DRAIN_START, 0, NULL, NULL) != -EPERM)
		return 12;
	if (elastic_node_undrain(c, 1) != -EPERM)
		return 13;
	return 0;
}

TEST(event_post_round_trip_and_refusals)
{
	long before = counter("bad_input");
	struct elastic_client *c, *l;
	struct elastic_event ev;
	char longer[40];
	int ret;

	ASSERT_EQ(0, elastic_open(&l));
	ASSERT_EQ(0, elastic_events_subscribe(l));
	ASSERT_EQ(0, elastic_open(&c));
	ASSERT_EQ(0, elastic_event_post(c, ELASTIC_EVENT_TYPE_DRAIN_PROGRESS, 1795000000,
					"gcp-preemption", "10/20 pages"));
	ASSERT_EQ(0, elastic_event_next(l, &ev, 5000));
	EXPECT_EQ(ELASTIC_EVENT_TYPE_DRAIN_PROGRESS, ev.type);
	EXPECT_EQ(tunable("node_id"), (long)ev.node_id);
	EXPECT_EQ(0, ev.peer);
	EXPECT_EQ(1795000000, ev.deadline);
	EXPECT_STREQ("gcp-preemption", ev.reason);
	EXPECT_STREQ("10/20 pages", ev.detail);
	/* Fields left out stay out. */
	ASSERT_EQ(0, elastic_event_post(c, ELASTIC_EVENT_TYPE_DRAIN_DONE, 0, NULL, NULL));
	ASSERT_EQ(0, elastic_event_next(l, &ev, 5000));
	EXPECT_EQ(ELASTIC_EVENT_TYPE_DRAIN_DONE, ev.type);
	EXPECT_EQ(0, ev.deadline);
	EXPECT_STREQ("", ev.reason);
	EXPECT_STREQ("", ev.detail);
	/* Membership and evacuate events are the kernel's own: refused, counted. */
	EXPECT_EQ(-EINVAL, elastic_event_post(c, ELASTIC_EVENT_TYPE_NODE_DEAD, 0, NULL, NULL));
	EXPECT_EQ(-EINVAL, elastic_event_post(c, ELASTIC_EVENT_TYPE_EVACUATE, 0, NULL, NULL));
	EXPECT_EQ(before + 2, counter("bad_input"));
	/* A reason longer than 31 characters fails the policy. */
	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	ret = elastic_event_post(c, ELASTIC_EVENT_TYPE_DRAIN_START, 0, longer, NULL);
	EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE);
	EXPECT_EQ(0, as_nobody(nobody_event_post, NULL));
	/* Nothing refused was announced. */
	EXPECT_EQ(-ETIMEDOUT, elastic_event_next(l, &ev, 300));
	elastic_close(c);
	elastic_close(l);
}

TEST(drain_of_this_node_and_undrain)
{
	uint64_t moved = 1, left = 1;
	struct elastic_client *c;
	uint32_t self;

	ASSERT_EQ(0, elastic_open(&c));
	self = tunable("node_id");
	ASSERT_EQ(0, counter("evacuating"));
	/* A node hosting nothing is empty at once, and marked as emptying. */
	ASSERT_EQ(0, elastic_node_drain(c, self, 512, &moved, &left));
	EXPECT_EQ(0, moved);
	EXPECT_EQ(0, left);
	EXPECT_EQ(1, counter("evacuating"));
	ASSERT_EQ(0, elastic_node_undrain(c, self));
	EXPECT_EQ(0, counter("evacuating"));
	EXPECT_EQ(-ENOENT, elastic_node_undrain(c, self == 62 ? 61 : 62));
	elastic_close(c);
}

/* ---- sysctls ---- */

TEST(sysctl_node_id_rejects_bad_values)
{
	const char *bad[] = { "64\n", "0\n", "abc\n", "-1\n", "99999999999999999999\n", "\n" };
	long id = tunable("node_id"), count = counter("bad_input");
	unsigned int i;

	ASSERT_GE(id, 1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = write_file("/proc/sys/elastic/node_id", bad[i]);

		if (ret != -EINVAL)
			TH_LOG("writing '%s' gave %d", bad[i], ret);
		EXPECT_EQ(-EINVAL, ret);
	}
	EXPECT_EQ(id, tunable("node_id"));
	EXPECT_EQ(count + 6, counter("bad_input"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * /proc/sys/elastic holds the tunables and nothing else, each writable by
 * root: the counters are read through stats-get.
 */
TEST(sysctls_are_tunables)
{
	static const char *const names[] = {
		"heartbeat_misses", "heartbeat_ms", "listen_port", "max_hosted_pages",
		"node_id", "orphan_keep_ms", "push_below_kb",
	};
	char path[128], *seen[32];
	struct dirent *d;
	struct stat st;
	size_t n = 0, i;
	DIR *dir;

	dir = opendir("/proc/sys/elastic");
	ASSERT_NE(NULL, dir);
	while ((d = readdir(dir)) && n < 32)
		if (d->d_name[0] != '.')
			seen[n++] = strdup(d->d_name);
	closedir(dir);
	qsort(seen, n, sizeof(*seen), cmp_str);
	ASSERT_EQ(sizeof(names) / sizeof(names[0]), n);
	for (i = 0; i < n; i++) {
		EXPECT_STREQ(names[i], seen[i]);
		snprintf(path, sizeof(path), "/proc/sys/elastic/%s", seen[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0644, st.st_mode & 07777) TH_LOG("%s", path);
		free(seen[i]);
	}
}

/* ---- /proc/PID/elastic ---- */

TEST(proc_elastic_mode_and_content)
{
	const size_t size = 4 << 20;
	char before[512], after[512];
	struct stat st;
	char *p;

	ASSERT_EQ(0, stat("/proc/self/elastic", &st));
	EXPECT_EQ(0400, st.st_mode & 07777);
	ASSERT_GT(read_file("/proc/self/elastic", before, sizeof(before)), 0);
	EXPECT_EQ(tunable("node_id"), proc_value(before, "node_id:"));
	EXPECT_EQ(tunable("node_id"), proc_value(before, "home_node:"));
	EXPECT_NE(NULL, strstr(before, "stretched:\tno\n"));
	/* Touching 4 MiB of private anonymous memory shows up. */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	madvise(p, size, MADV_NOHUGEPAGE);
	memset(p, 0x5a, size);
	ASSERT_GT(read_file("/proc/self/elastic", after, sizeof(after)), 0);
	EXPECT_GE(proc_value(after, "pages_local:") - proc_value(before, "pages_local:"),
		  (long)(size / 4096));
	munmap(p, size);
}

static int nobody_proc_access(void *arg)
{
	char path[64], buf[256];
	int null = open("/dev/null", O_WRONLY);

	snprintf(path, sizeof(path), "/proc/%d/elastic", *(pid_t *)arg);
	if (read_file(path, buf, sizeof(buf)) != -EACCES)
		return 11;
	/*
	 * A user's own process is readable by that user, once it is a fresh
	 * program: one that changed its ids is not dumpable, and the ptrace
	 * check denies it (as for /proc/PID/environ).
	 */
	dup2(null, 1);
	execl("/bin/cat", "cat", "/proc/self/elastic", NULL);
	return 12;
}

TEST(proc_elastic_denied_to_another_user)
{
	pid_t parent = getpid();

	EXPECT_EQ(0, as_nobody(nobody_proc_access, &parent));
}

/* ---- module lifetime ---- */

static int module_loaded(void)
{
	return access("/sys/module/elastic", F_OK) == 0;
}

/*
 * The module file this node loaded at boot: scripts/cluster names it on
 * the kernel command line (spotos.module=, the debug build under
 * make check-debug); else elastic.ko at the top of the tree.
 */
static void module_path(char *buf, size_t size)
{
	char exe[PATH_MAX], cmdline[4096], *p;
	ssize_t n;

	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) > 0) {
		p = strstr(cmdline, "spotos.module=");
		if (p) {
			p += strlen("spotos.module=");
			snprintf(buf, size, "%.*s", (int)strcspn(p, " \n"), p);
			return;
		}
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	/* tests/elastic_test -> elastic.ko at the top of the tree */
	snprintf(buf, size, "%s/../elastic.ko", dirname(exe));
}

TEST(unload_refused_while_proc_file_open)
{
	char buf[256];
	int fd, rc;

	fd = open("/proc/self/elastic", O_RDONLY);
	ASSERT_GE(fd, 0);
	/* The kernel's answer to delete_module(2) for a module in use. */
	EXPECT_EQ(-1, syscall(SYS_delete_module, "elastic", O_NONBLOCK));
	EXPECT_EQ(EWOULDBLOCK, errno);
	/* kmod's rmmod checks the count first and reports it in use (EBUSY). */
	rc = system("rmmod elastic 2>/tmp/rmmod.err");
	EXPECT_NE(0, rc);
	ASSERT_GT(read_file("/tmp/rmmod.err", buf, sizeof(buf)), 0);
	EXPECT_NE(NULL, strstr(buf, "in use")) TH_LOG("rmmod said: %s", buf);
	EXPECT_TRUE(module_loaded());
	/* Still readable after the refused unload. */
	EXPECT_GT(read(fd, buf, sizeof(buf)), 0);
	close(fd);
}

TEST(unload_when_idle_then_reload)
{
	struct elastic_client *c;
	struct elastic_status st;
	long id = tunable("node_id");
	char ko[PATH_MAX + 64], cmd[PATH_MAX + 128], buf[64];

	ASSERT_GE(id, 1);
	module_path(ko, sizeof(ko));
	ASSERT_EQ(0, access(ko, R_OK)) TH_LOG("no module at %s", ko);
	ASSERT_EQ(0, system("rmmod elastic"));
	EXPECT_FALSE(module_loaded());
	/* Without the module: the /proc file says so, the family is gone. */
	EXPECT_EQ(-ENODEV, read_file("/proc/self/elastic", buf, sizeof(buf)));
	EXPECT_EQ(-ENOENT, elastic_open(&c));
	snprintf(cmd, sizeof(cmd), "insmod %s node_id=%ld", ko, id);
	ASSERT_EQ(0, system(cmd));
	ASSERT_EQ(0, elastic_open(&c));
	ASSERT_EQ(0, elastic_status_get(c, &st));
	EXPECT_EQ(id, st.node_id);
	elastic_close(c);
}

TEST(load_refuses_bad_node_id_parameter)
{
	char ko[PATH_MAX + 64], cmd[PATH_MAX + 128];
	long id = tunable("node_id");

	ASSERT_GE(id, 1);
	module_path(ko, sizeof(ko));
	ASSERT_EQ(0, system("rmmod elastic"));
	snprintf(cmd, sizeof(cmd), "insmod %s node_id=64 2>/dev/null", ko);
	EXPECT_NE(0, system(cmd));
	EXPECT_FALSE(module_loaded());
	snprintf(cmd, sizeof(cmd), "insmod %s node_id=%ld", ko, id);
	ASSERT_EQ(0, system(cmd));
	EXPECT_TRUE(module_loaded());
	EXPECT_EQ(id, tunable("node_id"));
}

TEST_HARNESS_MAIN
