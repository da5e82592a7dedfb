/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The reactor turns notices from the watchers into drains of this node.
 * It owns the drain state machine (idle -> draining -> drained/failed) and
 * runs the drain on its own thread so watchers keep polling meanwhile.
 */
#ifndef ELASTICD_REACTOR_H
#define ELASTICD_REACTOR_H

#include <stdint.h>
#include <time.h>

#include "actuator.h"
#include "config.h"

enum ed_notice_type {
	ED_NOTICE_INTERRUPT,	/* the cloud will take this node back */
	ED_NOTICE_REBALANCE,	/* AWS rebalance recommendation */
	ED_NOTICE_CANCEL,	/* an interruption notice was withdrawn (Azure) */
};

struct ed_notice {
	enum ed_notice_type type;
	enum ed_provider provider;
	time_t when;		/* the cloud's notice time; 0 = not given */
	char reason[32];	/* aws-instance-action, gcp-preempted, azure-preempt, ... */
	char id[72];		/* event id when the cloud has one (Azure), else "" */
};

/* Where a watcher sends notices (the reactor in elasticd, a recorder in tests). */
struct ed_sink {
	void (*notice)(void *arg, const struct ed_notice *n);
	int (*drained)(void *arg);	/* 1 once this node's drain has finished */
	void *arg;
};

enum ed_drain_state { ED_IDLE, ED_DRAINING, ED_DRAINED, ED_FAILED };

/* Deadline rules, pure so they can be tested:
 * - no notice time: now + window;
 * - notice time more than window + slack ahead: implausible, now + window;
 * - deadline = notice time - margin, never before now. */
#define ED_DL_UNKNOWN	 0x1	/* notice carried no time */
#define ED_DL_IMPLAUSIBLE 0x2	/* too far ahead, window used instead */
#define ED_DL_PAST	 0x4	/* notice time already past */
#define ED_DL_NOW	 0x8	/* deadline clamped to now (drain now) */
time_t ed_compute_deadline(time_t now, time_t when, int window_s, int margin_s, int slack_s,
			   unsigned *flags);

struct ed_reactor;

struct ed_reactor *ed_reactor_new(const struct ed_config *cfg, struct ed_actuator *a);
/* Stops a running drain (progress callback answers "stop") and joins it. */
void ed_reactor_free(struct ed_reactor *r);
void ed_reactor_set_config(struct ed_reactor *r, const struct ed_config *cfg);
void ed_reactor_notice(struct ed_reactor *r, const struct ed_notice *n);
enum ed_drain_state ed_reactor_state(struct ed_reactor *r, time_t *deadline);
/* Waits (bounded) until the state is want; for tests and shutdown. 0 = reached. */
int ed_reactor_wait(struct ed_reactor *r, enum ed_drain_state want, int timeout_ms);
/* How many drains were started / deadlines tightened (tests assert on counts). */
unsigned ed_reactor_drains_started(struct ed_reactor *r);
unsigned ed_reactor_deadline_updates(struct ed_reactor *r);
struct ed_sink ed_reactor_sink(struct ed_reactor *r);
const char *ed_drain_state_name(enum ed_drain_state s);

#endif
