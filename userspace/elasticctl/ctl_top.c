// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl top: the stretched processes of this node, refreshed every
 * interval, with their counters (process-get) turned into rates over the
 * interval, under a header of the node's counters (stats-get).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "elasticctl.h"

/* A process's counters that top shows per second, and where they are. */
enum { TOP_FAULTS, TOP_PULLS, TOP_PUSHES, TOP_BYTES_IN, TOP_BYTES_OUT, TOP_NCTR };
static const size_t top_ctr_off[TOP_NCTR] = {
	offsetof(struct elastic_process, faults),
	offsetof(struct elastic_process, pulls),
	offsetof(struct elastic_process, pushes),
	offsetof(struct elastic_process, bytes_in),
	offsetof(struct elastic_process, bytes_out),
};

static uint64_t top_ctr(const struct elastic_process *p, int k)
{
	return *(const uint64_t *)((const char *)p + top_ctr_off[k]);
}

/* The node's counters that top shows: levels, then rates. */
static const struct {
	enum elastic_stat stat;
	int rate;		/* shown per second, not as is */
} node_ctr[] = {
	{ ELASTIC_STAT_REMOTE_PAGES, 0 }, { ELASTIC_STAT_HOSTED_PAGES, 0 },
	{ ELASTIC_STAT_HOSTED_IN, 1 }, { ELASTIC_STAT_FREES, 1 },
	{ ELASTIC_STAT_PULL_FAILURES, 1 }, { ELASTIC_STAT_PUSH_FAILURES, 1 },
	{ ELASTIC_STAT_OOM_KILLS, 1 }, { ELASTIC_STAT_RESENDS, 1 },
	{ ELASTIC_STAT_SEND_ERRORS, 1 }, { ELASTIC_STAT_PRESSURE_PUSHES, 1 },
};
#define NODE_NCTR ((int)(sizeof(node_ctr) / sizeof(node_ctr[0])))

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One look at the node and its stretched processes. */
struct top_sample {
	double t;
	struct elastic_stats stats;
	struct elastic_process *procs;	/* ascending by pid */
	int n;
};

/* A process's line on the screen: its sample and its rates over the interval. */
struct top_row {
	const struct elastic_process *p;
	double rate[TOP_NCTR];
};

static int top_by_pid(const void *a, const void *b)
{
	const struct elastic_process *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/*
 * Look at the node's counters and at every stretched process the caller
 * may read (the others, another user's without root, are left out by the
 * kernel without a word); 0 or -errno.
 */
static int top_sample(struct elastic_client *c, struct top_sample *s)
{
	struct elastic_process *procs;
	int ret;

	s->t = now_s();
	ret = elastic_stats_get(c, &s->stats);
	if (ret)
		return ret;
	ret = elastic_process_list(c, &procs);
	if (ret < 0)
		return ret;
	free(s->procs);
	s->procs = procs;
	s->n = ret;
	return 0;
}

/* Is counter k of node_ctr[] in this sample (a module may lack some)? */
static int top_has(const struct top_sample *s, int k)
{
	return !!(s->stats.has & (1ULL << node_ctr[k].stat));
}

static uint64_t top_node(const struct top_sample *s, int k)
{
	return s->stats.counter[node_ctr[k].stat];
}

/* Busiest first: faults per second, then remote pages, then pid. */
static int top_busiest_first(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->rate[TOP_FAULTS] != y->rate[TOP_FAULTS])
		return x->rate[TOP_FAULTS] < y->rate[TOP_FAULTS] ? 1 : -1;
	if (x->p->pages_remote != y->p->pages_remote)
		return x->p->pages_remote < y->p->pages_remote ? 1 : -1;
	return top_by_pid(x->p, y->p);
}

/* Per second from @was to @now; a counter that went back (pid reused) gives 0. */
static double per_s(unsigned long long now, unsigned long long was, double dt)
{
	return now > was ? (now - was) / dt : 0;
}

/*
 * One row per process of @cur, with rates since @prev.  A process first
 * seen in @cur was stretched during the interval: it counts from zero.
 */
static struct top_row *top_rows(const struct top_sample *cur, const struct top_sample *prev)
{
	struct top_row *rows = calloc(cur->n ? cur->n : 1, sizeof(*rows));
	const struct elastic_process *was;
	double dt = cur->t - prev->t;
	int i, k;

	if (!rows)
		return NULL;
	for (i = 0; i < cur->n; i++) {
		rows[i].p = &cur->procs[i];
		was = bsearch(rows[i].p, prev->procs, prev->n, sizeof(*was), top_by_pid);
		for (k = 0; k < TOP_NCTR; k++)
			rows[i].rate[k] = per_s(top_ctr(rows[i].p, k), was ? top_ctr(was, k) : 0, dt);
	}
	qsort(rows, cur->n, sizeof(*rows), top_busiest_first);
	return rows;
}

/* "<512" for an upper bound of a latency, "-" before the first pull. */
static const char *top_lat(unsigned long long us, char *buf, size_t size)
{
	if (!us)
		return "-";
	snprintf(buf, size, "<%llu", us);
	return buf;
}

static void top_print_header(const struct top_sample *cur, const struct top_sample *prev)
{
	double dt = cur->t - prev->t;
	const char *sep = "";
	time_t now = time(NULL);
	char when[16];
	int k;

	strftime(when, sizeof(when), "%H:%M:%S", localtime(&now));
	printf("elasticctl top - node %u - %s - %d stretched - interval %.1f s\n",
	       cur->stats.node_id, when, cur->n, dt);
	for (k = 0; k < NODE_NCTR; k++)
		if (!node_ctr[k].rate && top_has(cur, k)) {
			printf("%s%s %llu", sep, elastic_stat_name(node_ctr[k].stat),
			       (unsigned long long)top_node(cur, k));
			sep = "  ";
		}
	printf("\n");
	for (k = 0, sep = ""; k < NODE_NCTR; k++)
		if (node_ctr[k].rate && top_has(cur, k) && top_has(prev, k)) {
			printf("%s%s/s %.1f", sep, elastic_stat_name(node_ctr[k].stat),
			       per_s(top_node(cur, k), top_node(prev, k), dt));
			sep = "  ";
		}
	printf("\n\n");
}

/* Threads that run away from home now, as "  away TID@NODE...". */
static void top_print_away(const struct elastic_process *p, uint32_t home)
{
	const char *sep = "  away";
	int i;

	for (i = 0; i < p->nthreads; i++)
		if (p->thread[i].node != home) {
			printf("%s %u@%u", sep, p->thread[i].tid, p->thread[i].node);
			sep = "";
		}
}

static void top_print_text(const struct top_sample *cur, const struct top_sample *prev,
			   const struct top_row *rows, int max_rows)
{
	char p50[24], p99[24];
	int i, id;

	top_print_header(cur, prev);
	printf("%7s %-15s %8s %8s %8s %8s %8s %7s %8s %6s %6s  %s\n", "PID", "COMMAND",
	       "LOCAL", "REMOTE", "FAULTS/s", "PULLS/s", "PUSHES/s", "IN MB/s", "OUT MB/s",
	       "P50us", "P99us", "NODE:PAGES");
	for (i = 0; i < cur->n && i < max_rows; i++) {
		const struct elastic_process *p = rows[i].p;
		const double *r = rows[i].rate;

		printf("%7u %-15s %8llu %8llu %8.1f %8.1f %8.1f %7.2f %8.2f %6s %6s ", p->pid,
		       p->comm, (unsigned long long)p->pages_local,
		       (unsigned long long)p->pages_remote, r[TOP_FAULTS], r[TOP_PULLS],
		       r[TOP_PUSHES], r[TOP_BYTES_IN] / 1e6, r[TOP_BYTES_OUT] / 1e6,
		       top_lat(p->lat_p50_us, p50, sizeof(p50)),
		       top_lat(p->lat_p99_us, p99, sizeof(p99)));
		for (id = 1; id < ELASTIC_NODE_IDS; id++)
			if (p->listed & (1ULL << id))
				printf(" %d:%llu", id, (unsigned long long)p->on_node[id]);
		top_print_away(p, cur->stats.node_id);
		printf("\n");
	}
}

/* A rate in JSON with two decimals, as printed, not seventeen digits. */
static struct json_object *json_rate(double v)
{
	char s[32];

	snprintf(s, sizeof(s), "%.2f", v);
	return json_object_new_double_s(v, s);
}

/* The threads that jumped: [{"tid": T, "node": N, "jumps": J}, ...]. */
static struct json_object *json_threads(const struct elastic_process *p)
{
	struct json_object *a = json_object_new_array(), *t;
	int i;

	for (i = 0; i < p->nthreads; i++) {
		t = json_object_new_object();
		json_object_object_add(t, "tid", json_object_new_int64(p->thread[i].tid));
		json_object_object_add(t, "node", json_object_new_int64(p->thread[i].node));
		json_object_object_add(t, "jumps", json_object_new_uint64(p->thread[i].jumps));
		json_object_array_add(a, t);
	}
	return a;
}

static struct json_object *top_json_proc(const struct top_row *row)
{
	static const char *const rate_key[TOP_NCTR] = {
		"faults_per_s", "pulls_per_s", "pushes_per_s", "bytes_in_per_s", "bytes_out_per_s"
	};
	struct json_object *o = json_object_new_object(), *lat = json_object_new_object();
	const struct elastic_process *p = row->p;
	int k;

	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "comm", json_object_new_string(p->comm));
	json_object_object_add(o, "pages_local", json_object_new_uint64(p->pages_local));
	json_object_object_add(o, "pages_remote", json_object_new_uint64(p->pages_remote));
	json_object_object_add(o, "pages_on_node", json_node_pages(p->on_node, p->listed));
	for (k = 0; k < TOP_NCTR; k++)
		json_object_object_add(o, rate_key[k], json_rate(row->rate[k]));
	json_object_object_add(lat, "p50", json_object_new_uint64(p->lat_p50_us));
	json_object_object_add(lat, "p99", json_object_new_uint64(p->lat_p99_us));
	json_object_object_add(o, "pull_latency_us", lat);
	json_object_object_add(o, "threads", json_threads(p));
	return o;
}

static void top_print_json(const struct top_sample *cur, const struct top_sample *prev,
			   const struct top_row *rows)
{
	struct json_object *o = json_object_new_object(), *node = json_object_new_object();
	struct json_object *procs = json_object_new_array();
	double dt = cur->t - prev->t;
	char key[32];
	int i, k;

	for (k = 0; k < NODE_NCTR; k++) {
		if (!node_ctr[k].rate && top_has(cur, k)) {
			json_object_object_add(node, elastic_stat_name(node_ctr[k].stat),
					       json_object_new_uint64(top_node(cur, k)));
		} else if (node_ctr[k].rate && top_has(cur, k) && top_has(prev, k)) {
			snprintf(key, sizeof(key), "%s_per_s", elastic_stat_name(node_ctr[k].stat));
			json_object_object_add(node, key,
					       json_rate(per_s(top_node(cur, k), top_node(prev, k),
							       dt)));
		}
	}
	for (i = 0; i < cur->n; i++)
		json_object_array_add(procs, top_json_proc(&rows[i]));
	json_object_object_add(o, "node_id", json_object_new_int64(cur->stats.node_id));
	json_object_object_add(o, "time", json_object_new_int64(time(NULL)));
	json_object_object_add(o, "interval_s", json_rate(dt));
	json_object_object_add(o, "node", node);
	json_object_object_add(o, "processes", procs);
	print_json(o);
}

/*
 * Rows that fit the terminal, so that the screen does not scroll: five
 * lines of header above them, and the cursor's line below the last.
 */
static int top_max_rows(int tty)
{
	struct winsize ws;

	if (!tty || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) || ws.ws_row < 7)
		return INT_MAX;
	return ws.ws_row - 6;
}

/* Sleep until @next, @ms after the last wake; from now on if we fell behind. */
static void top_wait(struct timespec *next, uint32_t ms)
{
	struct timespec now;

	next->tv_nsec += (long)(ms % 1000) * 1000000;
	next->tv_sec += ms / 1000 + next->tv_nsec / 1000000000;
	next->tv_nsec %= 1000000000;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > next->tv_sec ||
	    (now.tv_sec == next->tv_sec && now.tv_nsec > next->tv_nsec))
		*next = now;
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
		;
}

/*
 * Rates need two looks: the first screen comes one interval after the
 * start.  On a terminal, without --count, each screen replaces the last
 * (ANSI: cursor home, clear); otherwise (batch) screens follow each other,
 * --count of them, or for ever.  -j: one JSON object per line per screen.
 */
static int top_loop(uint32_t interval_ms, uint32_t count)
{
	int tty = !json_out && !count && isatty(STDOUT_FILENO);
	struct top_sample s[2] = {};
	struct elastic_client *c;
	struct timespec next;
	struct top_row *rows;
	uint32_t shown = 0;
	int cur = 0, ret;

	if (ctl_open(&c, "top"))
		return 1;
	ret = top_sample(c, &s[cur]);
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!ret && (!count || shown < count)) {
		top_wait(&next, interval_ms);
		cur = !cur;
		ret = top_sample(c, &s[cur]);
		if (ret)
			break;
		rows = top_rows(&s[cur], &s[!cur]);
		if (!rows) {
			fprintf(stderr, "%s: top: out of memory\n", prog);
			ret = 1;
			break;
		}
		if (tty)
			printf("\033[H\033[2J");
		else if (shown && !json_out)
			printf("\n");
		if (json_out)
			top_print_json(&s[cur], &s[!cur], rows);
		else
			top_print_text(&s[cur], &s[!cur], rows, top_max_rows(tty));
		fflush(stdout);
		free(rows);
		shown++;
	}
	/* Its family gone (ENOENT): the module was unloaded while we watched. */
	if (ret == -ENOENT)
		fprintf(stderr, "%s: top: the elastic module is not loaded\n", prog);
	else if (ret < 0)
		fail(c, "top", ret);
	ret = ret ? 1 : 0;
	elastic_close(c);
	free(s[0].procs);
	free(s[1].procs);
	return ret;
}

/* top [--interval SECONDS] [--count N] */
int do_top(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{}
	};
	uint32_t interval_ms = 1000, count = 0;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (opt == 'i' && !elastic_parse_seconds_ms(optarg, 100, 3600000, &interval_ms))
			continue;
		if (opt == 'c' && !elastic_parse_u32(optarg, 1, UINT32_MAX, &count))
			continue;
		return usage_error("usage: top [--interval SECONDS] [--count N] (SECONDS: 0.1-3600)%s", "");
	}
	if (optind != argc)
		return usage_error("top: unexpected argument '%s'", argv[optind]);
	return top_loop(interval_ms, count);
}
