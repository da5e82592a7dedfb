/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The actuator: every action elasticd takes on the kernel goes through this
 * one small interface, so the policy code never knows whether it talks to
 * the SpotOS module (actuator_netlink.c) or only prints what it would do
 * (actuator_dryrun.c, --dry-run).
 */
#ifndef ELASTICD_ACTUATOR_H
#define ELASTICD_ACTUATOR_H

#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "config.h"

enum ed_drain_kind {
	ED_DRAIN_NOTICE,	/* cloud interruption notice: deadline set */
	ED_DRAIN_REBALANCE,	/* rebalance recommendation: no deadline */
	ED_DRAIN_REMOVE,	/* node leaves the configuration: no deadline */
};

struct ed_drain_req {
	uint32_t node;
	time_t deadline;	/* 0 = no deadline (unhurried) */
	enum ed_drain_kind kind;
	const char *reason;	/* "aws-instance-action", "config-remove", ... */
};

struct ed_drain_result {
	uint64_t pages_left;	/* pages still on the node when the drain returned */
	uint32_t home_procs;	/* stretched processes homed here: cannot leave yet */
};

/* Called by drain_node while it works. Returns nonzero to make the drain stop
 * early (cancelled notice, shutdown); drain_node then returns -ECANCELED. */
typedef int (*ed_drain_progress_fn)(void *arg, uint64_t pages_moved, uint64_t pages_total);

/* Multicast to the module's "events" group (and logged). */
struct ed_event {
	const char *type;	/* drain-start, drain-deadline, drain-progress, drain-done,
				 * drain-failed, drain-cancelled, home-pinned, rebalance */
	uint32_t node;
	time_t deadline;	/* 0 = none */
	const char *reason;
	const char *detail;	/* free text, may be NULL */
};

struct ed_actuator;

struct ed_actuator_ops {
	const char *name;
	/* Make the module's membership match cfg (add or update every node). */
	int (*apply_membership)(struct ed_actuator *a, const struct ed_config *cfg);
	/* Drop a node that the caller has already drained. */
	int (*remove_node)(struct ed_actuator *a, uint32_t node);
	/* Per-node page caps from the economic calculator's plan. */
	int (*set_caps)(struct ed_actuator *a, const struct ed_plan *plan);
	/* Move every movable page off req->node; blocks until done, failed or
	 * stopped by progress(). 0 on success (see res for leftovers). */
	int (*drain_node)(struct ed_actuator *a, const struct ed_drain_req *req,
			  ed_drain_progress_fn progress, void *arg, struct ed_drain_result *res);
	/* Tighten the deadline of a running drain (never loosens). */
	int (*drain_deadline)(struct ed_actuator *a, uint32_t node, time_t deadline,
			      const char *reason);
	/* A drain was cancelled (notice withdrawn): node takes pages again. */
	int (*undrain_node)(struct ed_actuator *a, uint32_t node, const char *reason);
	int (*publish_event)(struct ed_actuator *a, const struct ed_event *ev);
	void (*destroy)(struct ed_actuator *a);
};

struct ed_actuator {
	const struct ed_actuator_ops *ops;
	void *priv;
};

/* Dry run: prints one decision line per call on out (normally stdout). */
struct ed_actuator *ed_actuator_dryrun_new(FILE *out);
/* Real kernel actuator (SpotOS module, generic netlink). */
struct ed_actuator *ed_actuator_netlink_new(void);

/* Prints one decision line on the dry-run stream (serialised, flushed).
 * Used for decisions that are not kernel actions, e.g. an Azure approval
 * that a dry run deliberately does not send. */
void ed_decision(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
