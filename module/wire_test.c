// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the wire protocol's validation (wire.c): every field of a
 * header, of a HELLO and of each memory message (slots, places, LAYOUT
 * ranges, a CLAIM_REPLY's status, owner and slot) is checked, and a header
 * built by the sender parses back to what was put in.
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
	{ "version 3", 4, 3, -EPROTO },
	{ "version 4", 4, 4, -EPROTO },
	{ "version 5", 4, 5, -EPROTO },
	{ "version 7", 4, 7, -EPROTO },
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

static void heartbeat_says_room(struct kunit *test)
{
	struct elastic_wire_heartbeat p = { .room = cpu_to_be64(0x123456789ULL) };
	struct elastic_wire_msg m;
	struct elastic_wire_hdr h;
	u64 room = 0;

	elastic_wire_build_hdr(&h, ELASTIC_MSG_HEARTBEAT, sizeof(p), 63, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), 0);
	elastic_wire_build_hdr(&h, ELASTIC_MSG_HEARTBEAT, 0, 63, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), -EMSGSIZE);
	elastic_wire_build_hdr(&h, ELASTIC_MSG_HEARTBEAT, sizeof(p) + 4, 63, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_hdr(&h, sizeof(h), &m), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_heartbeat(&p, sizeof(p), &room), 0);
	KUNIT_EXPECT_EQ(test, room, 0x123456789ULL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_heartbeat(&p, sizeof(p) - 1, &room), -EMSGSIZE);
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
		{ ELASTIC_MSG_PUSH, 16 + 16 + 4096, 0 },
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
		{ ELASTIC_MSG_LAYOUT, 24, 0 },
		{ ELASTIC_MSG_LAYOUT, 24 + 24 * ELASTIC_WIRE_LAYOUT_MAX, 0 },
		{ ELASTIC_MSG_LAYOUT, ELASTIC_WIRE_MAX_PAYLOAD + 1, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM, 16, 0 },
		{ ELASTIC_MSG_CLAIM, 0, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM, 15, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM, 17, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM, 16 + 4096, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM_REPLY, 40, 0 },
		{ ELASTIC_MSG_CLAIM_REPLY, 0, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM_REPLY, 16, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM_REPLY, 39, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM_REPLY, 41, -EMSGSIZE },
		{ ELASTIC_MSG_CLAIM_REPLY, 40 + 4096, -EMSGSIZE },
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

/* The place of the i-th page of a PUSH or HANDOFF: both ends of each range. */
static u32 place_mm(unsigned int i)
{
	return i & 1 ? ELASTIC_WIRE_MM_MAX : i + 1;
}

static u64 place_addr(unsigned int i)
{
	return i & 1 ? ELASTIC_WIRE_ADDR_END - ELASTIC_WIRE_PAGE : (u64)i * ELASTIC_WIRE_PAGE;
}

/* The places of a PUSH or HANDOFF of @n slots, as slots_msg() wrote them. */
static struct elastic_wire_place *places_of(u8 *buf, u32 n)
{
	return (void *)(buf + elastic_wire_slots_len(n));
}

/*
 * A PUSH, PULL or FREE of @n slots, @first, @first + 1, ...; for a PUSH (or
 * a HANDOFF's part after its own fields) places by place_mm() and
 * place_addr(), then pages of zeroes.
 */
static size_t slots_msg(u8 *buf, u32 type, u32 n, u64 first)
{
	struct elastic_wire_slots *w = (void *)buf;
	struct elastic_wire_place *p = places_of(buf, n);
	size_t len = elastic_wire_slots_len(n);
	struct elastic_place pl;
	u32 i;

	w->count = cpu_to_be32(n);
	w->zero = 0;
	for (i = 0; i < n; i++)
		w->slot[i] = cpu_to_be64(first + i);
	if (type == ELASTIC_MSG_PUSH || type == ELASTIC_MSG_HANDOFF) {
		for (i = 0; i < n; i++) {
			pl.mm = place_mm(i);
			pl.addr = place_addr(i);
			elastic_wire_place_set(&p[i], &pl);
		}
		len = elastic_wire_pages_off(n);
		memset(buf + len, 0, n * ELASTIC_WIRE_PAGE);
		len += n * ELASTIC_WIRE_PAGE;
	}
	return len;
}

/* The places parsed are the ones slots_msg() wrote. */
static void expect_places(struct kunit *test, const struct elastic_place *places,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ_MSG(test, places[i].mm, place_mm(i), "place %u", i);
		KUNIT_EXPECT_EQ_MSG(test, places[i].addr, place_addr(i), "place %u", i);
	}
}

static void slots_rules(struct kunit *test)
{
	static const u32 types[] = { ELASTIC_MSG_PUSH, ELASTIC_MSG_PULL, ELASTIC_MSG_FREE };
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD + 64, GFP_KERNEL);
	struct elastic_place *places = kunit_kcalloc(test, ELASTIC_WIRE_BATCH, sizeof(*places),
						     GFP_KERNEL);
	struct elastic_place *pl;
	struct elastic_wire_slots *w = (void *)buf;
	u64 slots[ELASTIC_WIRE_BATCH];
	unsigned int n;
	size_t len;
	u32 t;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, places);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		t = types[i];
		/* Only a PUSH has places: the others may pass none. */
		pl = t == ELASTIC_MSG_PUSH ? places : NULL;
		len = slots_msg(buf, t, 1, 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n), 0);
		KUNIT_EXPECT_EQ(test, n, 1);
		KUNIT_EXPECT_EQ(test, slots[0], 1);
		if (pl)
			expect_places(test, pl, 1);
		len = slots_msg(buf, t, ELASTIC_WIRE_BATCH,
				ELASTIC_WIRE_SLOT_MAX - ELASTIC_WIRE_BATCH + 1);
		KUNIT_EXPECT_LE(test, len, ELASTIC_WIRE_MAX_PAYLOAD);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n), 0);
		KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_BATCH);
		KUNIT_EXPECT_EQ(test, slots[ELASTIC_WIRE_BATCH - 1], ELASTIC_WIRE_SLOT_MAX);
		if (pl)
			expect_places(test, pl, ELASTIC_WIRE_BATCH);
		/* A length one off either way, in slots or in pages. */
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len - 1, slots, pl, &n),
				-EMSGSIZE);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len + 1, slots, pl, &n),
				-EMSGSIZE);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, 7, slots, pl, &n),
				-EMSGSIZE);
		/* Slot 0 and slots past the largest, anywhere in the vector. */
		len = slots_msg(buf, t, 3, 1);
		w->slot[2] = 0;
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
		w->slot[2] = cpu_to_be64(ELASTIC_WIRE_SLOT_MAX + 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
		/* Counts 0 and over the batch, and the reserved field. */
		len = slots_msg(buf, t, 2, 5);
		w->count = 0;
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
		w->count = cpu_to_be32(ELASTIC_WIRE_BATCH + 1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
		w->count = cpu_to_be32(~0U);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
		w->count = cpu_to_be32(2);
		w->zero = cpu_to_be32(1);
		KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(t, buf, len, slots, pl, &n),
				-EPROTO);
	}
	/* A PUSH without its pages, a PULL with them: refused. */
	len = slots_msg(buf, ELASTIC_MSG_PULL, 2, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf, len, slots,
						       places, &n), -EMSGSIZE);
	len = slots_msg(buf, ELASTIC_MSG_PUSH, 2, 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PULL, buf, len, slots, NULL,
						       &n), -EMSGSIZE);
	/* A PUSH with its places but no pages, or a place short (version 3's). */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf,
						       elastic_wire_pages_off(2), slots, places,
						       &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf,
						       len - sizeof(struct elastic_wire_place),
						       slots, places, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf,
						       len - 2 * sizeof(struct elastic_wire_place),
						       slots, places, &n), -EMSGSIZE);
}

/* One bad field in a place of a PUSH, HANDOFF, CLAIM or CLAIM_REPLY. */
struct place_case {
	const char *name;
	u32 mm;
	u32 zero;
	u64 addr;
};

static const struct place_case place_cases[] = {
	{ "mm 0", 0, 0, 0x10000000 },
	{ "mm 0x10000", ELASTIC_WIRE_MM_MAX + 1, 0, 0x10000000 },
	{ "mm ~0", ~0U, 0, 0x10000000 },
	{ "zero set", 1, 1, 0x10000000 },
	{ "zero top bit", 1, 0x80000000, 0x10000000 },
	{ "addr unaligned by a byte", 1, 0, 0x10000001 },
	{ "addr unaligned by half a page", 1, 0, 0x10000800 },
	{ "addr last byte", 1, 0, ELASTIC_WIRE_ADDR_END - 1 },
	{ "addr 1 << 57", 1, 0, ELASTIC_WIRE_ADDR_END },
	{ "addr 1 << 63", 1, 0, 1ULL << 63 },
	{ "addr highest page", 1, 0, ~0ULL << 12 },
};

static void place_case_desc(const struct place_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(place, place_cases, place_case_desc);

/* A CLAIM_REPLY's fields, in host order (@status positive, as on the wire). */
static void claim_reply_set(struct elastic_wire_claim_reply *r, u64 req_seq, u32 status,
			    u32 owner, u64 slot, const struct elastic_place *pl)
{
	r->req_seq = cpu_to_be64(req_seq);
	r->status = cpu_to_be32(status);
	r->owner = cpu_to_be32(owner);
	r->slot = cpu_to_be64(slot);
	elastic_wire_place_set(&r->place, pl);
}

static void place_set_bad(struct elastic_wire_place *p, const struct place_case *c)
{
	p->mm = cpu_to_be32(c->mm);
	p->zero = cpu_to_be32(c->zero);
	p->addr = cpu_to_be64(c->addr);
}

/* Whichever page carries it, in a PUSH, a HANDOFF, a CLAIM or its reply: refused. */
static void places_refuse_bad_field(struct kunit *test)
{
	const struct place_case *c = test->param_value;
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD, GFP_KERNEL);
	struct elastic_place good = { .mm = 1, .addr = 0x10000000 };
	struct elastic_place pl;
	struct elastic_wire_handoff *h = (void *)buf;
	struct elastic_place *places = kunit_kcalloc(test, ELASTIC_WIRE_BATCH, sizeof(*places),
						     GFP_KERNEL);
	struct elastic_wire_claim_reply r;
	u8 *rest = buf + sizeof(*h);
	u64 slots[ELASTIC_WIRE_BATCH], seq, slot;
	struct elastic_wire_place w;
	unsigned int n = 99, i;
	u32 home = 0, owner;
	size_t len;
	int st;

	KUNIT_ASSERT_NOT_NULL(test, places);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	for (i = 0; i < 3; i++) {
		len = slots_msg(buf, ELASTIC_MSG_PUSH, 3, 1);
		KUNIT_ASSERT_EQ(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf, len, slots,
							       places, &n), 0);
		place_set_bad(places_of(buf, 3) + i, c);
		n = 99;
		KUNIT_EXPECT_EQ_MSG(test, elastic_wire_parse_slots(ELASTIC_MSG_PUSH, buf, len,
								   slots, places, &n),
				    -EPROTO, "PUSH, place %u", i);
		KUNIT_EXPECT_EQ(test, n, 99);	/* untouched on failure */

		len = sizeof(*h) + slots_msg(rest, ELASTIC_MSG_HANDOFF, 3, 1);
		h->home = cpu_to_be32(3);
		KUNIT_ASSERT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq,
								 slots, places, &n), 0);
		place_set_bad(places_of(rest, 3) + i, c);
		n = 99;
		KUNIT_EXPECT_EQ_MSG(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq,
								     slots, places, &n),
				    -EPROTO, "HANDOFF, place %u", i);
		KUNIT_EXPECT_EQ(test, n, 99);
	}

	elastic_wire_place_set(&w, &good);
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_claim(&w, sizeof(w), &pl), 0);
	place_set_bad(&w, c);
	KUNIT_EXPECT_EQ_MSG(test, elastic_wire_parse_claim(&w, sizeof(w), &pl), -EPROTO, "CLAIM");

	/* In a reply that grants the page, and in one that refuses it. */
	for (i = 0; i < 2; i++) {
		if (i)
			claim_reply_set(&r, 5, ESRCH, 0, 0, &good);
		else
			claim_reply_set(&r, 5, 0, 2, 1, &good);
		KUNIT_ASSERT_EQ(test, elastic_wire_parse_claim_reply(&r, sizeof(r), &seq, &st,
								     &owner, &slot, &pl), 0);
		place_set_bad(&r.place, c);
		KUNIT_EXPECT_EQ_MSG(test, elastic_wire_parse_claim_reply(&r, sizeof(r), &seq, &st,
									 &owner, &slot, &pl),
				    -EPROTO, "CLAIM_REPLY, status %s", i ? "ESRCH" : "0");
	}
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

/* A HANDOFF names the home, a status and the MOVE, then slots, places and pages. */
static void handoff_rules(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, ELASTIC_WIRE_MAX_PAYLOAD + 8, GFP_KERNEL);
	struct elastic_wire_handoff *h = (void *)buf;
	struct elastic_place *places = kunit_kcalloc(test, ELASTIC_WIRE_BATCH, sizeof(*places),
						     GFP_KERNEL);
	u64 slots[ELASTIC_WIRE_BATCH], seq = 0;
	unsigned int n = 0;
	u32 home = 0;
	int st = 1;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, places);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = sizeof(*h) + slots_msg(buf + sizeof(*h), ELASTIC_MSG_HANDOFF,
				     ELASTIC_WIRE_BATCH, 1);
	KUNIT_EXPECT_EQ(test, len, ELASTIC_WIRE_MAX_PAYLOAD);
	KUNIT_EXPECT_EQ(test, len, sizeof(*h) + elastic_wire_pages_off(ELASTIC_WIRE_BATCH) +
			ELASTIC_WIRE_BATCH * ELASTIC_WIRE_PAGE);
	h->home = cpu_to_be32(1);
	h->req_seq = cpu_to_be64(~0ULL);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots,
							 places, &n), 0);
	KUNIT_EXPECT_EQ(test, home, 1);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, seq, ~0ULL);
	KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_BATCH);
	KUNIT_EXPECT_EQ(test, slots[ELASTIC_WIRE_BATCH - 1], ELASTIC_WIRE_BATCH);
	expect_places(test, places, ELASTIC_WIRE_BATCH);
	h->status = cpu_to_be32(ENOENT);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots,
							 places, &n), 0);
	KUNIT_EXPECT_EQ(test, st, -ENOENT);
	/* A member has no other reason to hand fewer pages than asked. */
	h->status = cpu_to_be32(ENOSPC);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots,
							 places, &n), -EPROTO);
	h->status = 0;
	/* Without a page, or with one too many. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len - ELASTIC_WIRE_PAGE, &home,
							 &st, &seq, slots, places, &n),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len + 8, &home, &st, &seq,
							 slots, places, &n), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, 15, &home, &st, &seq, slots,
							 places, &n), -EMSGSIZE);
	/* Without its places (version 3's HANDOFF), or a place short. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len - ELASTIC_WIRE_BATCH *
							 sizeof(struct elastic_wire_place),
							 &home, &st, &seq, slots, places, &n),
			-EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len -
							 sizeof(struct elastic_wire_place),
							 &home, &st, &seq, slots, places, &n),
			-EMSGSIZE);
	h->home = 0;
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots,
							 places, &n), -EPROTO);
	h->home = cpu_to_be32(ELASTIC_MAX_NODE_ID + 1);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_handoff(buf, len, &home, &st, &seq, slots,
							 places, &n), -EPROTO);
}

/* A LAYOUT of three ranges, the first two touching, the last up to the end. */
static const struct elastic_range layout3[] = {
	{ 0x10000000, 0x10004000, 3 },
	{ 0x10004000, 0x20000000, 1 },
	{ 0x7f0000000000ULL, ELASTIC_WIRE_ADDR_END, 7 },
};

/*
 * Write a LAYOUT of @n ranges from @r at @buf with the senders' encoder
 * (the byte checks below test it); return its length.
 */
static size_t layout_msg(u8 *buf, u32 home, u32 mm, u64 gen, const struct elastic_range *r,
			 unsigned int n)
{
	struct elastic_wire_layout *h = (void *)buf;

	elastic_wire_put_layout(h, home, mm, gen, r, n);
	return sizeof(*h) + n * sizeof(h->range[0]);
}

/* Valid LAYOUTs: none (the process is gone), one, several, the most. */
static void layout_valid(struct kunit *test)
{
	size_t size = sizeof(struct elastic_wire_layout) +
		      ELASTIC_WIRE_LAYOUT_MAX * sizeof(struct elastic_wire_range);
	struct elastic_range *r = kunit_kcalloc(test, ELASTIC_WIRE_LAYOUT_MAX, sizeof(*r),
						GFP_KERNEL);
	struct elastic_range *out = kunit_kcalloc(test, ELASTIC_WIRE_LAYOUT_MAX, sizeof(*out),
						  GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	unsigned int n = 99, i;
	u32 home = 0, mm = 0;
	u64 gen = 0;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, r);
	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_EQ(test, sizeof(struct elastic_wire_place), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct elastic_wire_range), 24);
	KUNIT_EXPECT_EQ(test, sizeof(struct elastic_wire_layout), 24);

	len = layout_msg(buf, 1, 1, 1, NULL, 0);
	KUNIT_EXPECT_EQ(test, len, 24);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n), 0);
	KUNIT_EXPECT_EQ(test, home, 1);
	KUNIT_EXPECT_EQ(test, mm, 1);
	KUNIT_EXPECT_EQ(test, gen, 1);
	KUNIT_EXPECT_EQ(test, n, 0);

	len = layout_msg(buf, 7, 42, 0x0102030405060708ULL, layout3, 1);
	KUNIT_EXPECT_EQ(test, len, 48);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n), 0);
	KUNIT_EXPECT_EQ(test, home, 7);
	KUNIT_EXPECT_EQ(test, mm, 42);
	KUNIT_EXPECT_EQ(test, gen, 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, n, 1);
	KUNIT_EXPECT_EQ(test, out[0].start, 0x10000000);
	KUNIT_EXPECT_EQ(test, out[0].end, 0x10004000);
	KUNIT_EXPECT_EQ(test, out[0].prot, 3);
	/* Big-endian on the wire: the range's start is bytes 24..31, prot 40..43. */
	KUNIT_EXPECT_EQ(test, buf[28], 0x10);
	KUNIT_EXPECT_EQ(test, buf[43], 3);

	len = layout_msg(buf, ELASTIC_MAX_NODE_ID, ELASTIC_WIRE_MM_MAX, ~0ULL, layout3,
			 ARRAY_SIZE(layout3));
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n), 0);
	KUNIT_EXPECT_EQ(test, home, ELASTIC_MAX_NODE_ID);
	KUNIT_EXPECT_EQ(test, mm, ELASTIC_WIRE_MM_MAX);
	KUNIT_EXPECT_EQ(test, gen, ~0ULL);
	KUNIT_ASSERT_EQ(test, n, ARRAY_SIZE(layout3));
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_EQ(test, out[i].start, layout3[i].start);
		KUNIT_EXPECT_EQ(test, out[i].end, layout3[i].end);
		KUNIT_EXPECT_EQ(test, out[i].prot, layout3[i].prot);
	}

	/* The most ranges, every one touching the next, from address 0. */
	for (i = 0; i < ELASTIC_WIRE_LAYOUT_MAX; i++) {
		r[i].start = (u64)i * ELASTIC_WIRE_PAGE;
		r[i].end = r[i].start + ELASTIC_WIRE_PAGE;
		r[i].prot = i & ELASTIC_WIRE_PROT_MASK;
	}
	len = layout_msg(buf, 2, 3, 4, r, ELASTIC_WIRE_LAYOUT_MAX);
	KUNIT_EXPECT_EQ(test, len, size);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n), 0);
	KUNIT_EXPECT_EQ(test, n, ELASTIC_WIRE_LAYOUT_MAX);
	KUNIT_EXPECT_EQ(test, out[n - 1].start, r[n - 1].start);
	KUNIT_EXPECT_EQ(test, out[n - 1].end, r[n - 1].end);
	KUNIT_EXPECT_EQ(test, out[n - 1].prot, r[n - 1].prot);
}

/*
 * One rule of a LAYOUT broken: a header field (@field: 0 home, 1 mm, 2 gen,
 * 3 count, 4 zero, set to @value), or range @index of layout3 replaced by
 * @r (@field -1), or the length off by @len bytes (@field -2).
 */
struct layout_case {
	const char *name;
	int field;
	u64 value;
	unsigned int index;
	struct elastic_range r;
	u32 zero;
	long len;
	int error;
};

static const struct layout_case layout_cases[] = {
	{ "home 0", 0, 0, .error = -EPROTO },
	{ "home 64", 0, ELASTIC_MAX_NODE_ID + 1, .error = -EPROTO },
	{ "mm 0", 1, 0, .error = -EPROTO },
	{ "mm 0x10000", 1, ELASTIC_WIRE_MM_MAX + 1, .error = -EPROTO },
	{ "gen 0", 2, 0, .error = -EPROTO },
	{ "count over the most", 3, ELASTIC_WIRE_LAYOUT_MAX + 1, .error = -EPROTO },
	{ "count ~0", 3, ~0U, .error = -EPROTO },
	{ "count one more", 3, ARRAY_SIZE(layout3) + 1, .error = -EMSGSIZE },
	{ "count one fewer", 3, ARRAY_SIZE(layout3) - 1, .error = -EMSGSIZE },
	{ "count 0", 3, 0, .error = -EMSGSIZE },
	{ "zero set", 4, 1, .error = -EPROTO },
	{ "length one short", -2, .len = -1, .error = -EMSGSIZE },
	{ "length one long", -2, .len = 1, .error = -EMSGSIZE },
	{ "length a range short", -2, .len = -24, .error = -EMSGSIZE },
	{ "length a range long", -2, .len = 24, .error = -EMSGSIZE },
	{ "no header", -2, .len = -(3 * 24 + 1), .error = -EMSGSIZE },
	{ "start unaligned", -1, .index = 1, .r = { 0x10004800, 0x20000000, 1 },
	  .error = -EPROTO },
	{ "end unaligned", -1, .index = 1, .r = { 0x10004000, 0x20000001, 1 },
	  .error = -EPROTO },
	{ "empty", -1, .index = 1, .r = { 0x10004000, 0x10004000, 1 }, .error = -EPROTO },
	{ "reversed", -1, .index = 1, .r = { 0x20000000, 0x10004000, 1 }, .error = -EPROTO },
	{ "end past 57 bits", -1, .index = 2,
	  .r = { 0x7f0000000000ULL, ELASTIC_WIRE_ADDR_END + ELASTIC_WIRE_PAGE, 7 },
	  .error = -EPROTO },
	{ "start at the end", -1, .index = 2,
	  .r = { ELASTIC_WIRE_ADDR_END, ELASTIC_WIRE_ADDR_END + ELASTIC_WIRE_PAGE, 7 },
	  .error = -EPROTO },
	{ "end wraps", -1, .index = 2, .r = { 0x7f0000000000ULL, 0, 7 }, .error = -EPROTO },
	{ "overlaps the previous", -1, .index = 1, .r = { 0x10003000, 0x20000000, 1 },
	  .error = -EPROTO },
	{ "before the previous", -1, .index = 2, .r = { 0x1000, 0x2000, 7 }, .error = -EPROTO },
	{ "prot 8", -1, .index = 0, .r = { 0x10000000, 0x10004000, 8 }, .error = -EPROTO },
	{ "prot top bit", -1, .index = 0, .r = { 0x10000000, 0x10004000, 0x80000000 },
	  .error = -EPROTO },
	{ "range zero set", -1, .index = 1, .r = { 0x10004000, 0x20000000, 1 }, .zero = 1,
	  .error = -EPROTO },
};

static void layout_case_desc(const struct layout_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(layout, layout_cases, layout_case_desc);

static void layout_refuses_bad_field(struct kunit *test)
{
	const struct layout_case *c = test->param_value;
	size_t size = sizeof(struct elastic_wire_layout) +
		      (ELASTIC_WIRE_LAYOUT_MAX + 1) * sizeof(struct elastic_wire_range);
	struct elastic_range *out = kunit_kcalloc(test, ELASTIC_WIRE_LAYOUT_MAX, sizeof(*out),
						  GFP_KERNEL);
	u8 *buf = kunit_kzalloc(test, size, GFP_KERNEL);
	struct elastic_wire_layout *h = (void *)buf;
	unsigned int n = 99;
	u32 home = 0, mm = 0;
	u64 gen = 0;
	size_t len;

	KUNIT_ASSERT_NOT_NULL(test, out);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = layout_msg(buf, 5, 9, 77, layout3, ARRAY_SIZE(layout3));
	KUNIT_ASSERT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n), 0);
	home = 0;
	mm = 0;
	gen = 0;
	n = 99;
	switch (c->field) {
	case 0:
		h->home = cpu_to_be32(c->value);
		break;
	case 1:
		h->mm = cpu_to_be32(c->value);
		break;
	case 2:
		h->gen = cpu_to_be64(c->value);
		break;
	case 3:
		h->count = cpu_to_be32(c->value);
		break;
	case 4:
		h->zero = cpu_to_be32(c->value);
		break;
	case -1:
		h->range[c->index].start = cpu_to_be64(c->r.start);
		h->range[c->index].end = cpu_to_be64(c->r.end);
		h->range[c->index].prot = cpu_to_be32(c->r.prot);
		h->range[c->index].zero = cpu_to_be32(c->zero);
		break;
	case -2:
		len += c->len;
		break;
	}
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_layout(buf, len, &home, &mm, &gen, out, &n),
			c->error);
	/* Untouched on failure. */
	KUNIT_EXPECT_EQ(test, home, 0);
	KUNIT_EXPECT_EQ(test, mm, 0);
	KUNIT_EXPECT_EQ(test, gen, 0);
	KUNIT_EXPECT_EQ(test, n, 99);
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

/* A CLAIM is one place: both ends of each range taken, a short one refused. */
static void claim_rules(struct kunit *test)
{
	struct elastic_place in = { .mm = 1, .addr = 0 }, pl = { .mm = 77, .addr = 77 };
	struct elastic_wire_place w;

	KUNIT_EXPECT_EQ(test, sizeof(w), 16);
	elastic_wire_place_set(&w, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim(&w, sizeof(w), &pl), 0);
	KUNIT_EXPECT_EQ(test, pl.mm, 1);
	KUNIT_EXPECT_EQ(test, pl.addr, 0);
	in.mm = ELASTIC_WIRE_MM_MAX;
	in.addr = ELASTIC_WIRE_ADDR_END - ELASTIC_WIRE_PAGE;
	elastic_wire_place_set(&w, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim(&w, sizeof(w), &pl), 0);
	KUNIT_EXPECT_EQ(test, pl.mm, ELASTIC_WIRE_MM_MAX);
	KUNIT_EXPECT_EQ(test, pl.addr, ELASTIC_WIRE_ADDR_END - ELASTIC_WIRE_PAGE);
	/* Big-endian on the wire: mm is bytes 0..3, the address 8..15. */
	KUNIT_EXPECT_EQ(test, ((u8 *)&w)[3], 0xff);
	KUNIT_EXPECT_EQ(test, ((u8 *)&w)[8], 0x01);
	KUNIT_EXPECT_EQ(test, ((u8 *)&w)[14], 0xf0);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim(&w, sizeof(w) - 1, &pl), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim(&w, 0, &pl), -EMSGSIZE);
	/* The place's rules: places_refuse_bad_field(). */
}

/* A CLAIM_REPLY's status, owner and slot, one combination at a time. */
struct claim_reply_case {
	const char *name;
	u32 status;
	u32 owner;
	u64 slot;
	int error;
};

static const struct claim_reply_case claim_reply_cases[] = {
	{ "granted, lowest", 0, 1, 1, 0 },
	{ "granted, highest", 0, ELASTIC_MAX_NODE_ID, ELASTIC_WIRE_SLOT_MAX, 0 },
	{ "exists on the first node", EEXIST, 1, 0, 0 },
	{ "exists on the last node", EEXIST, ELASTIC_MAX_NODE_ID, 0, 0 },
	{ "no such memory", EFAULT, 0, 0, 0 },
	{ "no such process", ESRCH, 0, 0, 0 },
	{ "no memory", ENOMEM, 0, 0, 0 },
	{ "granted to node 0", 0, 0, 1, -EPROTO },
	{ "granted to node 64", 0, ELASTIC_MAX_NODE_ID + 1, 1, -EPROTO },
	{ "granted to node ~0", 0, ~0U, 1, -EPROTO },
	{ "granted slot 0", 0, 1, 0, -EPROTO },
	{ "granted slot past the last", 0, 1, ELASTIC_WIRE_SLOT_MAX + 1, -EPROTO },
	{ "granted slot ~0", 0, 1, ~0ULL, -EPROTO },
	{ "exists on node 0", EEXIST, 0, 0, -EPROTO },
	{ "exists on node 64", EEXIST, ELASTIC_MAX_NODE_ID + 1, 0, -EPROTO },
	{ "exists with a slot", EEXIST, 1, 1, -EPROTO },
	{ "no such memory, an owner", EFAULT, 1, 0, -EPROTO },
	{ "no such memory, a slot", EFAULT, 0, 1, -EPROTO },
	{ "no such process, an owner", ESRCH, 1, 0, -EPROTO },
	{ "no such process, a slot", ESRCH, 0, 1, -EPROTO },
	{ "no memory, an owner", ENOMEM, 1, 0, -EPROTO },
	{ "no memory, a slot", ENOMEM, 0, ELASTIC_WIRE_SLOT_MAX, -EPROTO },
	{ "status ENOENT", ENOENT, 0, 0, -EPROTO },
	{ "status ENOSPC", ENOSPC, 0, 0, -EPROTO },
	{ "status EHOSTUNREACH", EHOSTUNREACH, 0, 0, -EPROTO },
	{ "status 1", 1, 0, 0, -EPROTO },
	{ "status -EEXIST", (u32)-EEXIST, 1, 0, -EPROTO },
	{ "status ~0", ~0U, 0, 0, -EPROTO },
};

static void claim_reply_case_desc(const struct claim_reply_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(claim_reply, claim_reply_cases, claim_reply_case_desc);

static void claim_reply_status(struct kunit *test)
{
	const struct claim_reply_case *c = test->param_value;
	struct elastic_place in = { .mm = ELASTIC_WIRE_MM_MAX,
				    .addr = ELASTIC_WIRE_ADDR_END - ELASTIC_WIRE_PAGE };
	struct elastic_place pl = { .mm = 77, .addr = 77 };
	struct elastic_wire_claim_reply r;
	u64 seq = 77, slot = 77;
	u32 owner = 77;
	int st = 77;

	claim_reply_set(&r, 0x0102030405060708ULL, c->status, c->owner, c->slot, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, sizeof(r), &seq, &st, &owner,
							     &slot, &pl), c->error);
	if (c->error) {
		/* Untouched on failure (but the place, filled as it is checked). */
		KUNIT_EXPECT_EQ(test, seq, 77);
		KUNIT_EXPECT_EQ(test, st, 77);
		KUNIT_EXPECT_EQ(test, owner, 77);
		KUNIT_EXPECT_EQ(test, slot, 77);
		return;
	}
	KUNIT_EXPECT_EQ(test, seq, 0x0102030405060708ULL);
	KUNIT_EXPECT_EQ(test, st, -(int)c->status);
	KUNIT_EXPECT_EQ(test, owner, c->owner);
	KUNIT_EXPECT_EQ(test, slot, c->slot);
	KUNIT_EXPECT_EQ(test, pl.mm, ELASTIC_WIRE_MM_MAX);
	KUNIT_EXPECT_EQ(test, pl.addr, ELASTIC_WIRE_ADDR_END - ELASTIC_WIRE_PAGE);
}

/* A CLAIM_REPLY's layout and length. */
static void claim_reply_rules(struct kunit *test)
{
	struct elastic_place in = { .mm = 3, .addr = 0x10000000 }, pl;
	struct elastic_wire_claim_reply r;
	u64 seq, slot;
	u32 owner;
	int st;

	KUNIT_EXPECT_EQ(test, sizeof(r), 40);
	/* Whether the owner granted is the receiver, only the receiver knows. */
	claim_reply_set(&r, 9, 0, 5, 0x0102030405ULL, &in);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, sizeof(r), &seq, &st, &owner,
							     &slot, &pl), 0);
	KUNIT_EXPECT_EQ(test, seq, 9);
	KUNIT_EXPECT_EQ(test, st, 0);
	KUNIT_EXPECT_EQ(test, owner, 5);
	KUNIT_EXPECT_EQ(test, slot, 0x0102030405ULL);
	KUNIT_EXPECT_EQ(test, pl.mm, 3);
	KUNIT_EXPECT_EQ(test, pl.addr, 0x10000000);
	/*
	 * Big-endian on the wire: req_seq is bytes 0..7, status 8..11, owner
	 * 12..15, slot 16..23, the place's mm 24..27 and address 32..39.
	 */
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[7], 9);
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[15], 5);
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[19], 0x01);
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[23], 0x05);
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[27], 3);
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[36], 0x10);
	r.status = cpu_to_be32(ESRCH);
	r.owner = 0;
	r.slot = 0;
	KUNIT_EXPECT_EQ(test, ((u8 *)&r)[11], ESRCH);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, sizeof(r), &seq, &st, &owner,
							     &slot, &pl), 0);
	KUNIT_EXPECT_EQ(test, st, -ESRCH);
	/* Short: the header refuses any other length, the parser a short one. */
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, sizeof(r) - 1, &seq, &st,
							     &owner, &slot, &pl), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, 16, &seq, &st, &owner, &slot,
							     &pl), -EMSGSIZE);
	KUNIT_EXPECT_EQ(test, elastic_wire_parse_claim_reply(&r, 0, &seq, &st, &owner, &slot,
							     &pl), -EMSGSIZE);
}

static struct kunit_case elastic_wire_cases[] = {
	KUNIT_CASE(hdr_round_trip),
	KUNIT_CASE(hdr_short),
	KUNIT_CASE_PARAM(hdr_refuses_bad_field, hdr_gen_params),
	KUNIT_CASE(heartbeat_says_room),
	KUNIT_CASE(hello_payload),
	KUNIT_CASE(memory_lengths),
	KUNIT_CASE(slots_rules),
	KUNIT_CASE(move_rules),
	KUNIT_CASE_PARAM(places_refuse_bad_field, place_gen_params),
	KUNIT_CASE(handoff_rules),
	KUNIT_CASE(layout_valid),
	KUNIT_CASE_PARAM(layout_refuses_bad_field, layout_gen_params),
	KUNIT_CASE(cap_rules),
	KUNIT_CASE(evacuate_rules),
	KUNIT_CASE(relieve_rules),
	KUNIT_CASE(reply_rules),
	KUNIT_CASE(claim_rules),
	KUNIT_CASE_PARAM(claim_reply_status, claim_reply_gen_params),
	KUNIT_CASE(claim_reply_rules),
	{}
};

static struct kunit_suite elastic_wire_suite = {
	.name = "elastic-wire",
	.test_cases = elastic_wire_cases,
};

kunit_test_suite(elastic_wire_suite);
