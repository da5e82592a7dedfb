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

static struct kunit_case elastic_wire_cases[] = {
	KUNIT_CASE(hdr_round_trip),
	KUNIT_CASE(hdr_short),
	KUNIT_CASE_PARAM(hdr_refuses_bad_field, hdr_gen_params),
	KUNIT_CASE(heartbeat_has_no_payload),
	KUNIT_CASE(hello_payload),
	{}
};

static struct kunit_suite elastic_wire_suite = {
	.name = "elastic-wire",
	.test_cases = elastic_wire_cases,
};

kunit_test_suite(elastic_wire_suite);
