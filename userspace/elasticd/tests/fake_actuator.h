/* SPDX-License-Identifier: GPL-2.0 */
/* A recording actuator for tests: drains can be held open until released. */
#ifndef ELASTICD_TEST_FAKE_ACTUATOR_H
#define ELASTICD_TEST_FAKE_ACTUATOR_H

#include <pthread.h>

#include "actuator.h"

struct fake_act {
	struct ed_actuator a;
	pthread_mutex_t m;
	int hold;		/* drains wait for release (or abort) */
	int release;
	int drain_rc;		/* what drain_node returns */
	uint32_t home_procs;
	uint64_t pages_left;
	/* recorded */
	int drains, aborted, deadline_calls, undrains, memberships, removes, caps;
	int in_drain;
	time_t last_deadline;
	enum ed_drain_kind last_kind;
	char events[64][24];
	int n_events;
};

void fake_init(struct fake_act *f);
void fake_release(struct fake_act *f);
int fake_has_event(struct fake_act *f, const char *type);
/* Waits (bounded) for the drain to be inside drain_node. */
int fake_wait_in_drain(struct fake_act *f);

#endif
