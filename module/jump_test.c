// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the rules of threads that jump (jump_rules.c): a JUMP
 * that comes twice never runs a thread twice, a stale one is refused, a
 * home takes a thread back only from where it went.
 *
 * Built into elastic_kunit.ko with its own copy of jump_rules.c, as the
 * other suites are, so that they need nothing exported by elastic.ko.
 */
#include <kunit/test.h>

#include "jump_rules.c"

/* A member (node 2) that has never seen thread of home 1. */
static const struct elastic_hand_view fresh_member = {
	.self = 2, .home = 1, .where = 1,
};

/* Home 1, its thread sent to node 2 as jump 1, not answered yet. */
static const struct elastic_hand_view home_sent = {
	.self = 1, .home = 1, .epoch = 1, .where = 1, .target = 2, .unacked = true,
	.has_task = true,
};

/* The first JUMP of a thread to a member starts a task; the home never does. */
static void first_arrival(struct kunit *test)
{
	struct elastic_hand_view v = fresh_member;

	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 1, true), 1);
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 1, false), -EBUSY);
}

/* The same JUMP again: while it loads, and once it runs. */
static void repeated(struct kunit *test)
{
	struct elastic_hand_view v = fresh_member;

	/* As elastic_thread_hand() leaves it after the first. */
	v.epoch = 1;
	v.where = 2;
	v.jumps = 1;
	v.has_in = true;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 1, true), -EINPROGRESS);
	v.has_in = false;
	v.has_task = true;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 1, true), -EALREADY);
	/* Older ones are stale; the next one goes to the parked task. */
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 0, true), -ESTALE);
	v.where = 1;	/* it went home, as jump 2 */
	v.epoch = 2;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 2, true), -ESTALE);
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 1, 3, true), 0);
}

/* The home takes its thread back only from where it went. */
static void back_home(struct kunit *test)
{
	struct elastic_hand_view v = home_sent;

	/* Before the answer: the JUMP back proves it ran there. */
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), 0);
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 3, 2, false), -ESRCH);
	/* After it. */
	v.unacked = false;
	v.where = 2;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), 0);
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 3, 2, false), -ESRCH);
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 1, false), -ESTALE);
	/* Back already (jump 2 taken): the same JUMP again is answered again. */
	v.epoch = 2;
	v.where = 1;
	v.jumps = 2;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), -EALREADY);
}

/* No task to take it: a state waiting, a thread over, none parked. */
static void busy(struct kunit *test)
{
	struct elastic_hand_view v = home_sent;

	v.has_in = true;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), -EBUSY);
	v.has_in = false;
	v.dead = true;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), -EBUSY);
	v.dead = false;
	v.has_task = false;
	KUNIT_EXPECT_EQ(test, elastic_hand_decide(&v, 2, 2, false), -EBUSY);
}

static struct kunit_case elastic_jump_cases[] = {
	KUNIT_CASE(first_arrival),
	KUNIT_CASE(repeated),
	KUNIT_CASE(back_home),
	KUNIT_CASE(busy),
	{}
};

static struct kunit_suite elastic_jump_suite = {
	.name = "elastic-jump",
	.test_cases = elastic_jump_cases,
};

kunit_test_suite(elastic_jump_suite);
