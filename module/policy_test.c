// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the memory layer's decisions (policy.c).
 *
 * Built into elastic_kunit.ko with its own copy of policy.c, as the other
 * suites are, so that they need nothing exported by elastic.ko.
 */
#include <kunit/test.h>

#include "policy.c"

/* The owner map's values: owner and references survive, any of each. */
static void slot_value(struct kunit *test)
{
	static const unsigned int owners[] = { 1, 2, 33, 63 };
	static const unsigned long refs[] = { 0, 1, 2, 1000, 1UL << 40 };
	unsigned long v;
	int i, j;

	for (i = 0; i < ARRAY_SIZE(owners); i++)
		for (j = 0; j < ARRAY_SIZE(refs); j++) {
			v = elastic_slot_pack(owners[i], refs[j]);
			KUNIT_EXPECT_EQ(test, elastic_slot_unpack_owner(v), owners[i]);
			KUNIT_EXPECT_EQ(test, elastic_slot_unpack_refs(v), refs[j]);
		}
	/* One reference fewer keeps the owner. */
	v = elastic_slot_pack(17, 3);
	v = elastic_slot_pack(elastic_slot_unpack_owner(v), elastic_slot_unpack_refs(v) - 1);
	KUNIT_EXPECT_EQ(test, elastic_slot_unpack_owner(v), 17);
	KUNIT_EXPECT_EQ(test, elastic_slot_unpack_refs(v), 2);
}

static void pressure(struct kunit *test)
{
	/* No line: never under pressure, whatever is left. */
	KUNIT_EXPECT_EQ(test, elastic_deficit(0, 0), 0);
	KUNIT_EXPECT_EQ(test, elastic_deficit(-5, 0), 0);
	KUNIT_EXPECT_EQ(test, elastic_deficit(1000, 800), 0);
	KUNIT_EXPECT_EQ(test, elastic_deficit(800, 800), 0);
	KUNIT_EXPECT_EQ(test, elastic_deficit(799, 800), 1);
	KUNIT_EXPECT_EQ(test, elastic_deficit(0, 800), 800);
	/* MemAvailable can be estimated below zero. */
	KUNIT_EXPECT_EQ(test, elastic_deficit(-100, 800), 900);
	KUNIT_EXPECT_FALSE(test, elastic_severe(400, 800));
	KUNIT_EXPECT_TRUE(test, elastic_severe(401, 800));
	KUNIT_EXPECT_FALSE(test, elastic_severe(0, 0));
}

static void push_amount(struct kunit *test)
{
	/* Nothing over the limit, no pressure: nothing. */
	KUNIT_EXPECT_EQ(test, elastic_push_amount(100, 200, 0), 0);
	KUNIT_EXPECT_EQ(test, elastic_push_amount(200, 200, 0), 0);
	KUNIT_EXPECT_EQ(test, elastic_push_amount(100, 0, 0), 0);
	/* The excess and a batch. */
	KUNIT_EXPECT_EQ(test, elastic_push_amount(300, 200, 0), 100 + ELASTIC_PUSH_BATCH);
	/* Pressure without a limit: the shortfall and a batch. */
	KUNIT_EXPECT_EQ(test, elastic_push_amount(300, 0, 50), 50 + ELASTIC_PUSH_BATCH);
	/* Both: whichever asks more. */
	KUNIT_EXPECT_EQ(test, elastic_push_amount(300, 200, 50), 100 + ELASTIC_PUSH_BATCH);
	KUNIT_EXPECT_EQ(test, elastic_push_amount(300, 200, 500), 500 + ELASTIC_PUSH_BATCH);
	/* A limit above what the node has is no licence to exhaust it. */
	KUNIT_EXPECT_EQ(test, elastic_push_amount(300, 100000, 50), 50 + ELASTIC_PUSH_BATCH);
}

static void background_pusher(struct kunit *test)
{
	bool pressure = true;

	/* Far under the limit, no pressure: nothing, and not for pressure. */
	KUNIT_EXPECT_EQ(test, elastic_bg_want(100, 10000, 0, false, &pressure), 0);
	KUNIT_EXPECT_FALSE(test, pressure);
	/* Within ELASTIC_BG_START of the limit: down to ELASTIC_BG_LOW under it. */
	KUNIT_EXPECT_EQ(test, elastic_bg_want(10000 - ELASTIC_BG_START, 10000, 0, false,
					      &pressure), 0);
	KUNIT_EXPECT_EQ(test, elastic_bg_want(10000 - ELASTIC_BG_START + 1, 10000, 0, false,
					      &pressure),
			ELASTIC_BG_LOW - ELASTIC_BG_START + 1);
	KUNIT_EXPECT_FALSE(test, pressure);
	KUNIT_EXPECT_EQ(test, elastic_bg_want(12000, 10000, 0, false, &pressure),
			2000 + ELASTIC_BG_LOW);
	/* A limit too small to push below is left to the faults. */
	KUNIT_EXPECT_EQ(test, elastic_bg_want(5000, ELASTIC_BG_LOW, 0, false, &pressure), 0);
	/* Pressure asks more: the shortfall and a batch, marked as pressure. */
	KUNIT_EXPECT_EQ(test, elastic_bg_want(100, 0, 3000, false, &pressure),
			3000 + ELASTIC_PUSH_BATCH);
	KUNIT_EXPECT_TRUE(test, pressure);
	KUNIT_EXPECT_EQ(test, elastic_bg_want(12000, 10000, 10, false, &pressure),
			2000 + ELASTIC_BG_LOW);
	KUNIT_EXPECT_FALSE(test, pressure);
	/* Members full: nothing, whatever is asked. */
	KUNIT_EXPECT_EQ(test, elastic_bg_want(12000, 10000, 3000, true, &pressure), 0);
	KUNIT_EXPECT_FALSE(test, pressure);
}

static void kill_mark(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, elastic_kill_mark(0), 4 * ELASTIC_PUSH_BATCH);
	KUNIT_EXPECT_EQ(test, elastic_kill_mark(8000), 9000 + 4 * ELASTIC_PUSH_BATCH);
	KUNIT_EXPECT_GT(test, elastic_kill_mark(2048), 2048 + ELASTIC_PUSH_BATCH);
}

static void room(struct kunit *test)
{
	/* Above the pressure line by 1000, no cap. */
	KUNIT_EXPECT_EQ(test, elastic_room(3000, 2000, 0, 500, false), 1000);
	/* At or below the line: nothing (it refuses pages there). */
	KUNIT_EXPECT_EQ(test, elastic_room(2000, 2000, 0, 0, false), 0);
	KUNIT_EXPECT_EQ(test, elastic_room(-10, 2000, 0, 0, false), 0);
	/* A cap bounds it. */
	KUNIT_EXPECT_EQ(test, elastic_room(30000, 2000, 1000, 400, false), 600);
	KUNIT_EXPECT_EQ(test, elastic_room(30000, 2000, 1000, 1000, false), 0);
	/* Over a lowered cap: nothing, not a negative number. */
	KUNIT_EXPECT_EQ(test, elastic_room(30000, 2000, 1000, 5000, false), 0);
	/* Memory bounds a generous cap. */
	KUNIT_EXPECT_EQ(test, elastic_room(3000, 2000, 1 << 20, 0, false), 1000);
	/* Being emptied: nothing. */
	KUNIT_EXPECT_EQ(test, elastic_room(30000, 2000, 0, 0, true), 0);
}

static void relieve_share(struct kunit *test)
{
	/* A home with a quarter of the pages is asked for a quarter. */
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(1000 - ELASTIC_PUSH_BATCH, 250, 1000), 250);
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(400 - ELASTIC_PUSH_BATCH, 250, 1000), 100);
	/* Rounded up: a home with one page is asked for it. */
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(0, 1, 1000000), 1);
	/* Never more than it has. */
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(100000, 250, 1000), 250);
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(100, 0, 1000), 0);
	KUNIT_EXPECT_EQ(test, elastic_relieve_share(100, 10, 0), 0);
}

static void prefetch_window(struct kunit *test)
{
	unsigned int w = 0;
	int i;

	/* A fault that continues no run has no window. */
	KUNIT_EXPECT_EQ(test, elastic_window_next(16, false), 0);
	/* Sequential: from ELASTIC_PF_START, doubling, up to the largest. */
	w = elastic_window_next(w, true);
	KUNIT_EXPECT_EQ(test, w, ELASTIC_PF_START);
	w = elastic_window_next(w, true);
	KUNIT_EXPECT_EQ(test, w, 2 * ELASTIC_PF_START);
	for (i = 0; i < 10; i++)
		w = elastic_window_next(w, true);
	KUNIT_EXPECT_EQ(test, w, ELASTIC_PF_MAX_WINDOW);
	KUNIT_EXPECT_LE(test, ELASTIC_PF_MAX_WINDOW, ELASTIC_PF_MAX);
}

static void prefetch_due(struct kunit *test)
{
	/* Nothing ahead: ask. */
	KUNIT_EXPECT_TRUE(test, elastic_prefetch_due(0, 0, 32));
	/* Fewer than half a window asked for: ask. */
	KUNIT_EXPECT_TRUE(test, elastic_prefetch_due(15, 0, 32));
	/* Half a window or more in flight: wait. */
	KUNIT_EXPECT_FALSE(test, elastic_prefetch_due(16, 0, 32));
	KUNIT_EXPECT_FALSE(test, elastic_prefetch_due(32, 10, 32));
	/* Arrived pages are mapped ahead: they do not count as in flight. */
	KUNIT_EXPECT_TRUE(test, elastic_prefetch_due(32, 17, 32));
	KUNIT_EXPECT_TRUE(test, elastic_prefetch_due(32, 32, 32));
	/* More ready than asked cannot be; no underflow if it were. */
	KUNIT_EXPECT_TRUE(test, elastic_prefetch_due(4, 8, 32));
}

static void claim_owner(struct kunit *test)
{
	swp_entry_t e = make_elastic_entry(9, 12345);

	/* A page that lives on a member: that member has it. */
	KUNIT_EXPECT_EQ(test, elastic_pte_owner(swp_entry_to_pte(e), 1), 9);
	/* In the home's own swap, or present, or anything else: the home. */
	KUNIT_EXPECT_EQ(test, elastic_pte_owner(swp_entry_to_pte(swp_entry(0, 77)), 1), 1);
	KUNIT_EXPECT_EQ(test, elastic_pte_owner(pfn_pte(1234, PAGE_KERNEL), 3), 3);
}

static struct kunit_case elastic_policy_cases[] = {
	KUNIT_CASE(slot_value),
	KUNIT_CASE(pressure),
	KUNIT_CASE(push_amount),
	KUNIT_CASE(background_pusher),
	KUNIT_CASE(kill_mark),
	KUNIT_CASE(room),
	KUNIT_CASE(relieve_share),
	KUNIT_CASE(prefetch_window),
	KUNIT_CASE(prefetch_due),
	KUNIT_CASE(claim_owner),
	{}
};

static struct kunit_suite elastic_policy_suite = {
	.name = "elastic-policy",
	.test_cases = elastic_policy_cases,
};

kunit_test_suite(elastic_policy_suite);
