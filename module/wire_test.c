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
	{ "version 1", 4, 1, -EPROTO },
	{ "version 2", 4, 2, -EPROTO },
	{ "version 4", 4, 4, -EPROTO },
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
		.incarnation = cpu_to_be64(0x1234567890abcdefULL),
	};
	u64 inc = 0;
	u32 dst = 0;

	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst, &inc), 0);
	KUNIT_EXPECT_EQ(test, dst, 3);
	KUNIT_EXPECT_EQ(test, inc, 0x1234567890abcdefULL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p) - 1, &dst, &inc),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, 8, &dst, &inc), -EMSGSIZE);
	p.dst = cpu_to_be32(0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst, &inc), -EPROTO);
	p.dst = cpu_to_be32(64);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst, &inc), -EPROTO);
	p.dst = cpu_to_be32(3);
	p.proto_min = cpu_to_be32(ELASTIC_WIRE_VERSION + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst, &inc), -EPROTO);
	p.proto_min = cpu_to_be32(1);
	p.incarnation = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hello(&p, sizeof(p), &dst, &inc), -EPROTO);
	KUNIT_EXPECT_EQ(test, dst, 3);
}

/* Memory messages: fixed lengths where fixed, a page only where one belongs. */
static void memory_lengths(struct kunit *test)
{
	static const struct { u32 type, len; int ret; } c[] = {
		/* Vectors: the header admits any length, the payload checks it. */
		{ ELASTIC_MSG_PUSH, 16 + 4096, 0 },
		{ ELASTIC_MSG_PUSH, ELASTIC_WIRE_MAX_PAYLOAD, 0 },
		{ ELASTIC_MSG_PUSH, ELASTIC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
		{ ELASTIC_MSG_PUSH_ACK, 16, 0 },
		{ ELASTIC_MSG_PUSH_ACK, 12, -EMSGSIZE },
		{ ELASTIC_MSG_PUSH_ACK, 16 + 4096, -EMSGSIZE },
		{ ELASTIC_MSG_PULL, 16, 0 },
		{ ELASTIC_MSG_PULL_REPLY, 12, 0 },
		{ ELASTIC_MSG_PULL_REPLY, 12 + 4096, 0 },
		{ ELASTIC_MSG_PULL_REPLY, ELASTIC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
		{ ELASTIC_MSG_FREE, 16, 0 },
		{ ELASTIC_MSG_CAP, 8, 0 },
		{ ELASTIC_MSG_CAP, 0, -EMSGSIZE },
		{ ELASTIC_MSG_EVACUATE, 8, 0 },
		{ ELASTIC_MSG_EVACUATE, 16, -EMSGSIZE },
		{ ELASTIC_MSG_RELIEVE, 8, 0 },
		{ ELASTIC_MSG_RELIEVE, 0, -EMSGSIZE },
		{ ELASTIC_MSG_MOVE, 24, 0 },
		{ ELASTIC_MSG_HANDOFF, ELASTIC_WIRE_MAX_PAYLOAD, 0 },
		{ ELASTIC_MSG_HANDOFF, ELASTIC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
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

/* A PUSH, PULL or FREE of @n slots, @first, @first + 1, ...; pages zero. */
static size_t slots_msg(u8 *buf, u32 type, u32 n, u64 first)
{
	struct elastic_wire_slots *w = (void *)buf;
	size_t len = elastic_wire_slots_len(n);
	u32 i;

	w->count = cpu_to_be32(n);
	w->zero = 0;
	for (i = 0; i < n; i++)
		w->slot[i] = cpu_to_be64(first + i);
	if (type == ELASTIC_MSG_PUSH || type == ELASTIC_MSG_HANDOFF) {
		memset(buf + len, 0, n * ELASTIC_WIRE_PAGE);
		len += n * ELASTIC_WIRE_PAGE;
	}
	return len;
}

static void slots_rules(struct kunit *test)
{
	static const u32 types[] = { ELASTIC_MSG_PUSH, ELASTIC_MSG_PULL, ELASTIC_MSG_FREE };
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD + 64, GFP_KERNEL);
	struct elastic_wire_slots *w = (void *)buf;
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n;
	size_t len;
	u32 t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		t = types[i];
		len = slots_msg(buf, t, 1, 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), 0);
		KUNIT_EXPECT_EQ(test, n, 1);
		KUNIT_EXPECT_EQ(test, slots[0], 1);
		len = slots_msg(buf, t, ELASTIC_WIRE_BATCH,
				ELASTIC_WIRE_SLOT_MAX - ELASTIC_WIRE_BATCH + 1);
		KUNIT_EXPECT_LE(test, len, ELASTIC_WIRE_MAX_PAYLOAD);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), 0);
		KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_BATCH);
		KUNIT_EXPECT_EQ(test, slots[ELASTIC_WIRE_BATCH - 1], ELASTIC_WIRE_SLOT_MAX);
		/* A length one off either way, in slots or in pages. */
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len - 1, slots, &n),
				-EMSGSIZE);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len + 1, slots, &n),
				-EMSGSIZE);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, 7, slots, &n), -EMSGSIZE);
		/* Slot 0 and slots past the largest, anywhere in the vector. */
		len = slots_msg(buf, t, 3, 1);
		w->slot[2] = 0;
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
		w->slot[2] = cpu_to_be64(ELASTIC_WIRE_SLOT_MAX + 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
		/* Counts 0 and over the batch, and the reserved field. */
		len = slots_msg(buf, t, 2, 5);
		w->count = 0;
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
		w->count = cpu_to_be32(ELASTIC_WIRE_BATCH + 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
		w->count = cpu_to_be32(~0U);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
		w->count = cpu_to_be32(2);
		w->zero = cpu_to_be32(1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, &n), -EPROTO);
	}
	/* A PUSH without its pages, a PULL with them: refused. */
	len = slots_msg(buf, ELASTIC_MSG_PULL, 2, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf, len, slots, &n),
			-EMSGSIZE);
	len = slots_msg(buf, ELASTIC_MSG_PUSH, 2, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PULL, buf, len, slots, &n),
			-EMSGSIZE);
}

/* A MOVE names its target, then slots as a PULL does. */
static void move_rules(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD, GFP_KERNEL);
	struct elastic_wire_move *h = (void *)buf;
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n = 0;
	size_t len;
	u32 to = 0;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = sizeof(*h) + slots_msg(buf + sizeof(*h), ELASTIC_MSG_MOVE, ELASTIC_WIRE_BATCH, 9);
	h->to = cpu_to_be32(ELASTIC_MAX_NODE_ID);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len, &to, slots, &n), 0);
	KUNIT_EXPECT_EQ(test, to, ELASTIC_MAX_NODE_ID);
	KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_BATCH);
	KUNIT_EXPECT_EQ(test, slots[ELASTIC_WIRE_BATCH - 1], 9 + ELASTIC_WIRE_BATCH - 1);
	/* Pages after the slots, or a slot short: the length is wrong. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len + ELASTIC_WIRE_PAGE, &to, slots,
						      &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len - 8, &to, slots, &n),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, 7, &to, slots, &n), -EMSGSIZE);
	/* No node 0 or past the last; the reserved field stays 0. */
	h->to = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len, &to, slots, &n), -EPROTO);
	h->to = cpu_to_be32(ELASTIC_MAX_NODE_ID + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len, &to, slots, &n), -EPROTO);
	h->to = cpu_to_be32(2);
	h->zero = cpu_to_be32(1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len, &to, slots, &n), -EPROTO);
	h->zero = 0;
	/* The slot rules hold after the target. */
	len = sizeof(*h) + slots_msg(buf + sizeof(*h), ELASTIC_MSG_MOVE, 1, 0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_move(buf, len, &to, slots, &n), -EPROTO);
}

/* A HANDOFF names the home, a status and the MOVE, then slots and pages. */
static void handoff_rules(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD + 8, GFP_KERNEL);
	struct elastic_wire_handoff *h = (void *)buf;
	u64 slots[ELASTIC_WIRE_BATCH], seq = 0;
	unsigned int n = 0;
	u32 home = 0;
	int st = 1;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = sizeof(*h) + slots_msg(buf + sizeof(*h), ELASTIC_MSG_HANDOFF,
				     ELASTIC_WIRE_BATCH, 1);
	KUNIT_EXPECT_EQ(test, len, ELASTIC_WIRE_MAX_PAYLOAD);
	h->home = cpu_to_be32(1);
	h->req_seq = cpu_to_be64(~0ULL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots, &n),
			0);
	KUNIT_EXPECT_EQ(test, home, 1);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, seq, ~0ULL);
	KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_BATCH);
	h->status = cpu_to_be32(ENOENT);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots, &n),
			0);
	KUNIT_EXPECT_EQ(test, st, -ENOENT);
	/* A member has no other reason to hand fewer pages than asked. */
	h->status = cpu_to_be32(ENOSPC);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots, &n),
			-EPROTO);
	h->status = 0;
	/* Without a page, or with one too many. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len - ELASTIC_WIRE_PAGE, &home,
							 &st, &seq, slots, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len + 8, &home, &st, &seq,
							 slots, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, 15, &home, &st, &seq, slots, &n),
			-EMSGSIZE);
	h->home = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots, &n),
			-EPROTO);
	h->home = cpu_to_be32(ELASTIC_MAX_NODE_ID + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots, &n),
			-EPROTO);
}

/* A payload of one u64 in [@min, @max]: both ends taken, beyond refused. */
static void u64_bounds(struct kunit *test, int (*parse)(const void *, size_t, u64 *),
		       u64 min, u64 max)
{
	__be64 w = cpu_to_be64(min);
	u64 v = ~min;

	KUNIT_EXPECT_EQ(test, parse(&w, sizeof(w), &v), 0);
	KUNIT_EXPECT_EQ(test, v, min);
	w = cpu_to_be64(max);
	KUNIT_EXPECT_EQ(test, parse(&w, sizeof(w), &v), 0);
	KUNIT_EXPECT_EQ(test, v, max);
	if (min) {
		w = cpu_to_be64(min - 1);
		KUNIT_EXPECT_EQ(test, parse(&w, sizeof(w), &v), -EPROTO);
	}
	w = cpu_to_be64(max + 1);
	KUNIT_EXPECT_EQ(test, parse(&w, sizeof(w), &v), -EPROTO);
	KUNIT_EXPECT_EQ(test, parse(&w, 7, &v), -EMSGSIZE);
}

static void cap_rules(struct kunit *test)
{
	__be64 w = cpu_to_be64(~0ULL);
	u64 v;

	u64_bounds(test, elastic_wire_parse_cap, 0, ELASTIC_WIRE_CAP_MAX);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&w, sizeof(w), &v), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_cap(&w, 4, &v), -EMSGSIZE);
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

static void relieve_rules(struct kunit *test)
{
	u64_bounds(test, elastic_wire_parse_relieve, 1, ELASTIC_WIRE_CAP_MAX);
}

static void reply_rules(struct kunit *test)
{
	size_t size = sizeof(struct elastic_wire_reply) + 4096;
	size_t ack = sizeof(struct elastic_wire_reply) + sizeof(__be32);
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	struct elastic_wire_reply *r = (void *)buf;
	__be32 *stored = (void *)(buf + sizeof(*r));
	unsigned int n = 99;
	u64 seq = 0;
	int st = 1;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	r->req_seq = cpu_to_be64(77);
	r->status = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, size,
						       &seq, &st, &n), 0);
	KUNIT_EXPECT_EQ(test, seq, 77);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, n, 0);
	/* A successful pull without its page, an ack with one: refused. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, size,
						       &seq, &st, &n), -EMSGSIZE);
	r->status = cpu_to_be32(ENOENT);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st, &n), 0);
	KUNIT_EXPECT_EQ(test, st, -ENOENT);
	/* An ack says how many pages it stored: up to a batch. */
	r->status = cpu_to_be32(ENOSPC);
	*stored = cpu_to_be32(5);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, ack,
						       &seq, &st, &n), 0);
	KUNIT_EXPECT_EQ(test, st, -ENOSPC);
	KUNIT_EXPECT_EQ(test, n, 5);
	*stored = cpu_to_be32(ELASTIC_WIRE_BATCH + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, ack,
						       &seq, &st, &n), -EPROTO);
	*stored = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, sizeof(*r),
						       &seq, &st, &n), -EMSGSIZE);
	/* A MOVE's failures come back in an ack, never in a pull's reply. */
	r->status = cpu_to_be32(EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, ack,
						       &seq, &st, &n), 0);
	KUNIT_EXPECT_EQ(test, st, -EHOSTUNREACH);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st, &n), -EPROTO);
	r->status = cpu_to_be32(EEXIST);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, ack,
						       &seq, &st, &n), 0);
	KUNIT_EXPECT_EQ(test, st, -EEXIST);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PULL_REPLY, buf, sizeof(*r),
						       &seq, &st, &n), -EPROTO);
	/* Only the documented errors. */
	r->status = cpu_to_be32(EIO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, ack,
						       &seq, &st, &n), -EPROTO);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_reply(ELASTIC_MSG_PUSH_ACK, buf, 11,
						       &seq, &st, &n), -EMSGSIZE);
}

static struct kunit_case elastic_wire_cases[] = {
	KUNIT_CASE(hdr_round_trip),
	KUNIT_CASE(hdr_short),
	KUNIT_CASE_PARAM(hdr_refuses_bad_field, hdr_gen_params),
	KUNIT_CASE(heartbeat_has_no_payload),
	KUNIT_CASE(hello_payload),
	KUNIT_CASE(memory_lengths),
	KUNIT_CASE(slots_rules),
	KUNIT_CASE(move_rules),
	KUNIT_CASE(handoff_rules),
	KUNIT_CASE(cap_rules),
	KUNIT_CASE(evacuate_rules),
	KUNIT_CASE(relieve_rules),
	KUNIT_CASE(reply_rules),
	{}
};

static struct kunit_suite elastic_wire_suite = {
	.name = "elastic-wire",
	.test_cases = elastic_wire_cases,
};

kunit_test_suite(elastic_wire_suite);
