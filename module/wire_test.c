// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the wire protocol's validation (wire.c): every field of a
 * header and of a HELLO is checked, and a header built by the sender
 * parses back to what was put in.
 */
#include <kunit/test.h>

#include "wire.c"

static void build(struct elastic_wire_hdr *h)
{
	elastic_wire_build_hdr(h, ELASTIC_MSG_HELLO, sizeof(struct elastic_wire_hello), 5,
			       0x0102030405060708ULL);
}

static void hdr_round_trip(struct kunit *test)
{
	struct elastic_wire_msg m;
	struct elastic_wire_hdr h;

	KUNIT_EXPECT_EQ(test, sizeof(h), 24);
	build(&h);
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), 0);
	KUNIT_EXPECT_EQ(test, m.type, ELASTIC_MSG_HELLO);
	KUNIT_EXPECT_EQ(test, m.len, sizeof(struct elastic_wire_hello));
	KUNIT_EXPECT_EQ(test, m.src, 5);
	KUNIT_EXPECT_EQ(test, m.seq, 0x0102030405060708ULL);
	/* Big-endian on the wire, whatever the host. */
	KUNIT_EXPECT_EQ(test, ((u8 *)&h)[0], 'S');
	KUNIT_EXPECT_EQ(test, ((u8 *)&h)[23], 0x08);
}

static void hdr_short(struct kunit *test)
{
	struct elastic_wire_msg m;
	struct elastic_wire_hdr h;

	build(&h);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h) - 1, &m), -EINVAL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, 0, &m), -EINVAL);
}

/* One corrupted field at a time must be refused with the right error. */
struct hdr_case {
	const char *name;
	size_t offset;
	u8 value;
	int error;
};

static const struct hdr_case hdr_cases[] = {
	{ "magic", 0, 'X', -EPROTO },
	{ "version 0", 4, 0, -EPROTO },
	{ "version 2", 4, 2, -EPROTO },
	{ "type 0", 5, 0, -EOPNOTSUPP },
	{ "type unknown", 5, __ELASTIC_MSG_MAX, -EOPNOTSUPP },
	{ "type 255", 5, 255, -EOPNOTSUPP },
	{ "flags", 7, 1, -EPROTO },
	{ "length huge", 8, 0x80, -EMSGSIZE },
	{ "length wrong for type", 11, 9, -EMSGSIZE },
	{ "sender 0", 15, 0, -EPROTO },
	{ "sender 64", 15, 64, -EPROTO },
	{ "sender huge", 12, 1, -EPROTO },
};

static void hdr_case_desc(const struct hdr_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hdr, hdr_cases, hdr_case_desc);

static void hdr_refuses_bad_field(struct kunit *test)
{
	const struct hdr_case *c = test->param_value;
	struct elastic_wire_msg m = { .type = 77 };
	struct elastic_wire_hdr h;

	build(&h);
	((u8 *)&h)[c->offset] = c->value;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), c->error);
	KUNIT_EXPECT_EQ(test, m.type, 77);	/* untouched on failure */
}

static void heartbeat_has_no_payload(struct kunit *test)
{
	struct elastic_wire_msg m;
	struct elastic_wire_hdr h;

	elastic_wire_build_hdr(&h, ELASTIC_MSG_HEARTBEAT, 0, 63, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), 0);
	elastic_wire_build_hdr(&h, ELASTIC_MSG_HEARTBEAT, 4, 63, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), -EMSGSIZE);
}

static void hello_payload(struct kunit *test)
{
	struct elastic_wire_hello p = {
		.dst = cpu_to_be32(3), .proto_min = cpu_to_be32(1),
	};
	u32 dst = 0;

	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst), 0);
	KUNIT_EXPECT_EQ(test, dst, 3);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p) - 1, &dst), -EMSGSIZE);
	p.dst = cpu_to_be32(0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst), -EPROTO);
	p.dst = cpu_to_be32(64);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst), -EPROTO);
	p.dst = cpu_to_be32(3);
	p.proto_min = cpu_to_be32(ELASTIC_WIRE_VERSION + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst), -EPROTO);
	KUNIT_EXPECT_EQ(test, dst, 3);
}

/* Memory messages: fixed lengths where fixed, a page only where one belongs. */
static void memory_lengths(struct kunit *test)
{
	static const struct { u32 type, len; int ret; } c[] = {
		{ ELASTIC_MSG_PUSH, 8 + 4096, 0 },
		{ ELASTIC_MSG_PUSH, 8, -EMSGSIZE },
		{ ELASTIC_MSG_PUSH_ACK, 12, 0 },
		{ ELASTIC_MSG_PUSH_ACK, 12 + 4096, -EMSGSIZE },
		{ ELASTIC_MSG_PULL, 8, 0 },
		{ ELASTIC_MSG_PULL, 0, -EMSGSIZE },
		{ ELASTIC_MSG_PULL_REPLY, 12, 0 },
		{ ELASTIC_MSG_PULL_REPLY, 12 + 4096, 0 },
		{ ELASTIC_MSG_PULL_REPLY, ELASTIC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
		{ ELASTIC_MSG_FREE, 8, 0 },
		{ ELASTIC_MSG_FREE, 9, -EMSGSIZE },
		{ ELASTIC_MSG_CAP, 8, 0 },
		{ ELASTIC_MSG_CAP, 0, -EMSGSIZE },
		{ ELASTIC_MSG_EVACUATE, 8, 0 },
		{ ELASTIC_MSG_EVACUATE, 16, -EMSGSIZE },
	};
	struct elastic_wire_msg m;
	struct elastic_wire_hdr h;
	int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		elastic_wire_build_hdr(&h, c[i].type, c[i].len, 2, 1);
		KUNIT_EXPECT_EQ_MSG(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), c[i].ret,
				    "type %u len %u", c[i].type, c[i].len);
	}
}

static void slot_bounds(struct kunit *test)
{
	struct elastic_wire_slot w;
	u64 slot = 0;

	w.slot = cpu_to_be64(1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slot(&w, sizeof(w), &slot), 0);
	KUNIT_EXPECT_EQ(test, slot, 1);
	w.slot = cpu_to_be64(ELASTIC_WIRE_SLOT_MAX);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slot(&w, sizeof(w), &slot), 0);
	KUNIT_EXPECT_EQ(test, slot, ELASTIC_WIRE_SLOT_MAX);
	w.slot = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slot(&w, sizeof(w), &slot), -EPROTO);
	w.slot = cpu_to_be64(ELASTIC_WIRE_SLOT_MAX + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slot(&w, sizeof(w), &slot), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slot(&w, 7, &slot), -EMSGSIZE);
}

static void cap_rules(struct kunit *test)
{
	struct elastic_wire_cap c = { .max_pages = 0 };
	u64 v = 1;

	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&c, sizeof(c), &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0);
	c.max_pages = cpu_to_be64(ELASTIC_WIRE_CAP_MAX);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&c, sizeof(c), &v), 0);
	KUNIT_EXPECT_EQ(test, v, ELASTIC_WIRE_CAP_MAX);
	c.max_pages = cpu_to_be64(ELASTIC_WIRE_CAP_MAX + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&c, sizeof(c), &v), -EPROTO);
	c.max_pages = cpu_to_be64(~0ULL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&c, sizeof(c), &v), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&c, 4, &v), -EMSGSIZE);
}

static void evacuate_rules(struct kunit *test)
{
	struct elastic_wire_evacuate e = { .on = cpu_to_be64(1) };
	bool on = false;

	KUNIT_EXPECT_EQ(test, elastic_wire_parse_evacuate(&e, sizeof(e), &on), 0);
	KUNIT_EXPECT_TRUE(test, on);
	e.on = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_evacuate(&e, sizeof(e), &on), 0);
	KUNIT_EXPECT_FALSE(test, on);
	e.on = cpu_to_be64(2);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_evacuate(&e, sizeof(e), &on), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_evacuate(&e, 7, &on), -EMSGSIZE);
}

static void reply_rules(struct kunit *test)
{
	size_t size = sizeof(struct elastic_wire_reply) + 4096;
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	struct elastic_wire_reply *r = (void *)buf;
	u64 seq = 0;
	int st = 1;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	r->req_seq = cpu_to_be64(77);
	r->status = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, size,
						       &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, seq, 77);
	KUNIT_EXPECT_EQ(test, st, 0);
	/* A successful pull without its page, an ack with one: refused. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, size,
						       &seq, &st), -EMSGSIZE);
	r->status = cpu_to_be32(ENOENT);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, st, -ENOENT);
	r->status = cpu_to_be32(ENOSPC);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, sizeof(*r),
						       &seq, &st), 0);
	KUNIT_EXPECT_EQ(test, st, -ENOSPC);
	/* Only the documented errors. */
	r->status = cpu_to_be32(EIO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, sizeof(*r),
						       &seq, &st), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, 11,
						       &seq, &st), -EMSGSIZE);
}

static struct kunit_case elastic_wire_cases[] = {
	KUNIT_CASE(hdr_round_trip),
	KUNIT_CASE(hdr_short),
	KUNIT_CASE_PARAM(hdr_refuses_bad_field, hdr_gen_params),
	KUNIT_CASE(heartbeat_has_no_payload),
	KUNIT_CASE(hello_payload),
	KUNIT_CASE(memory_lengths),
	KUNIT_CASE(slot_bounds),
	KUNIT_CASE(cap_rules),
	KUNIT_CASE(evacuate_rules),
	KUNIT_CASE(reply_rules),
	{}
};

static struct kunit_suite elastic_wire_suite = {
	.name = "elastic-wire",
	.test_cases = elastic_wire_cases,
};

kunit_test_suite(elastic_wire_suite);
