// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the failure detector's judgement (elastic_watch_beat(),
 * member.h): when a member that stops showing signs of life is declared
 * dead, and that a stall of the observer itself is not taken for its
 * silence.
 */
#include <kunit/test.h>

#include "member.h"

#define PERIOD	1000	/* the detection period, in jiffies */
#define MISSES	5	/* beats in a row it takes */
#define BEAT	(PERIOD / MISSES)

/* Beats every BEAT from @now on, no new sign: the beat that judges dead, or 0. */
static unsigned int beats_to_dead(struct elastic_watch *w, unsigned long now,
				  unsigned int max)
{
	unsigned int i;

	for (i = 1; i <= max; i++)
		if (elastic_watch_beat(w, w->sign, now + i * BEAT, PERIOD, MISSES))
			return i;
	return 0;
}

/* A member that keeps showing signs of life is never dead, whatever the time. */
static void signs_keep_alive(struct kunit *test)
{
	struct elastic_watch w = { .sign = 0 };
	unsigned long now = 5000;
	int i;

	for (i = 0; i < 100; i++, now += BEAT)
		KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, now - 1, now, PERIOD, MISSES));
	/* Even at beats far apart, each bringing a newer sign. */
	for (i = 0; i < 10; i++, now += 10 * PERIOD)
		KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, now - 1, now, PERIOD, MISSES));
}

/* Silent from one point on: dead at the beat that is past both the period and the count. */
static void silence_is_death(struct kunit *test)
{
	struct elastic_watch w = { .sign = 0 };
	unsigned long last = 7000;

	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, last, PERIOD, MISSES));
	/* Beat MISSES is at exactly one period: not past it yet. */
	KUNIT_EXPECT_EQ(test, beats_to_dead(&w, last, 20), MISSES + 1);
	KUNIT_EXPECT_EQ(test, w.silent, MISSES + 1);
}

/*
 * The observer stalls for ten periods: its first beat after is one beat,
 * not ten periods of silence; what the member sent meanwhile, seen at the
 * next beat, keeps it alive.
 */
static void observer_stall(struct kunit *test)
{
	struct elastic_watch w = { .sign = 0 };
	unsigned long last = 3000, now;

	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, last, PERIOD, MISSES));
	now = last + 10 * PERIOD;
	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, now, PERIOD, MISSES));
	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, now + 1, now + BEAT, PERIOD, MISSES));
	KUNIT_EXPECT_EQ(test, w.silent, 0U);
	/* Nothing came during the stall either: dead MISSES beats after it, not at once. */
	w = (struct elastic_watch){ .sign = last, .silent = 0 };
	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, now, PERIOD, MISSES));
	KUNIT_EXPECT_EQ(test, beats_to_dead(&w, now, 20), MISSES - 1);
}

/* A sign older than one already seen (evidence not looked at this beat) changes nothing. */
static void older_sign(struct kunit *test)
{
	struct elastic_watch w = { .sign = 0 };
	unsigned long last = 4000;
	unsigned int i;

	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, last, PERIOD, MISSES));
	for (i = 1; i <= MISSES; i++)
		KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last - i, last + i * BEAT,
							    PERIOD, MISSES));
	KUNIT_EXPECT_EQ(test, w.sign, last);
	KUNIT_EXPECT_TRUE(test, elastic_watch_beat(&w, last - 1, last + (MISSES + 1) * BEAT,
						   PERIOD, MISSES));
}

/* Across the wrap of jiffies, as on a 32-bit machine or at INITIAL_JIFFIES. */
static void jiffies_wrap(struct kunit *test)
{
	unsigned long last = ULONG_MAX - 2 * BEAT;
	struct elastic_watch w = { .sign = last - PERIOD };

	KUNIT_EXPECT_FALSE(test, elastic_watch_beat(&w, last, last, PERIOD, MISSES));
	KUNIT_EXPECT_EQ(test, w.sign, last);
	KUNIT_EXPECT_EQ(test, beats_to_dead(&w, last, 20), MISSES + 1);
}

/* The count saturates: a member silent for ever stays dead, never wraps to alive. */
static void count_saturates(struct kunit *test)
{
	struct elastic_watch w = { .sign = 100, .silent = UINT_MAX - 1 };

	KUNIT_EXPECT_TRUE(test, elastic_watch_beat(&w, 100, 100 + 2 * PERIOD, PERIOD, MISSES));
	KUNIT_EXPECT_TRUE(test, elastic_watch_beat(&w, 100, 100 + 3 * PERIOD, PERIOD, MISSES));
	KUNIT_EXPECT_EQ(test, w.silent, UINT_MAX);
}

/* A TCP timestamp (32 bits) becomes jiffies; only a later one moves the sign. */
static void tcp_stamp(struct kunit *test)
{
	unsigned long now = jiffies, t;

	t = elastic_later_tcp_stamp(now - 100, (u32)now - 10);
	/* jiffies may tick meanwhile: the stamp stays where it was. */
	KUNIT_EXPECT_EQ(test, t, now - 10);
	KUNIT_EXPECT_EQ(test, elastic_later_tcp_stamp(now - 5, (u32)now - 10), now - 5);
	/* A stamp from before a wrap of the low 32 bits still reads as past. */
	t = elastic_later_tcp_stamp(now - 100, (u32)now + 0x80000000u);
	KUNIT_EXPECT_EQ(test, t, now - 100);
}

static struct kunit_case elastic_liveness_cases[] = {
	KUNIT_CASE(signs_keep_alive),
	KUNIT_CASE(silence_is_death),
	KUNIT_CASE(observer_stall),
	KUNIT_CASE(older_sign),
	KUNIT_CASE(jiffies_wrap),
	KUNIT_CASE(count_saturates),
	KUNIT_CASE(tcp_stamp),
	{}
};

static struct kunit_suite elastic_liveness_suite = {
	.name = "elastic-liveness",
	.test_cases = elastic_liveness_cases,
};

kunit_test_suite(elastic_liveness_suite);
