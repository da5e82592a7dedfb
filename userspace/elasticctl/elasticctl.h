/* SPDX-License-Identifier: GPL-2.0 */
/*
 * elasticctl is split per object as iproute2's ip/ip*.c: elasticctl.c has
 * main, the global options and the object table; each object's file has
 * its commands' table, parsing and usage lines.  A command is called with
 * argv[0] its own name, checks its arguments before it talks to the
 * kernel, and returns the exit status: 0 done, 1 failed, 2 usage error.
 */
#ifndef ELASTICCTL_H
#define ELASTICCTL_H

#include <stdint.h>
#include <stdio.h>
#include <json-c/json.h>

#include "elastic.h"

/* A command of an object, or an object of elasticctl. */
struct ctl_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
};

/* The entry of table (ending with an empty one) named name; NULL if none. */
const struct ctl_cmd *ctl_find(const struct ctl_cmd *table, const char *name);

extern int json_out;		/* -j */
extern const char *prog;

/* "elasticctl: " fmt (with arg), then where help is; returns 2. */
int usage_error(const char *fmt, const char *arg);
/* A failed operation in words a person can act on; returns 1. */
int fail(struct elastic_client *c, const char *what, int err);
/* elastic_open(), or 1 after saying why (what: the command's name). */
int ctl_open(struct elastic_client **c, const char *what);
/* Print o on one line and drop it. */
void print_json(struct json_object *o);

/* What map and top share (ctl_process.c). */
int read_comm(unsigned int pid, char *buf, size_t size);
/*
 * A failed request about process pid, in words a person can act on (no
 * such process, no right to read it, the module gone), else as fail();
 * returns 1.
 */
int process_fail(struct elastic_client *c, const char *what, uint32_t pid, int err);
struct json_object *json_node_pages(const uint64_t *pages, uint64_t mask);

/* The objects: their usage lines for --help, and what runs them. */
void status_usage(FILE *f);
int do_status(int argc, char **argv);
void stats_usage(FILE *f);
int do_stats(int argc, char **argv);
void config_usage(FILE *f);
int do_config(int argc, char **argv);
void node_usage(FILE *f);
int do_node(int argc, char **argv);
void events_usage(FILE *f);
int do_events(int argc, char **argv);
void process_usage(FILE *f);
int do_process(int argc, char **argv);
/* A process command without "process" before it: run, stretch, ... */
int do_process_cmd(int argc, char **argv);
int do_map(int argc, char **argv);
int do_top(int argc, char **argv);

#endif /* ELASTICCTL_H */
