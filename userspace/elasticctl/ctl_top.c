// SPDX-License-Identifier: GPL-2.0
/*
 * elasticctl top: the stretched processes of this node, refreshed every
 * interval, with their counters of /proc/PID/elastic turned into rates
 * over the interval, under a header of the node's counters.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "elasticctl.h"

/* The counters of /proc/PID/elastic that top shows per second. */
enum { TOP_FAULTS, TOP_PULLS, TOP_PUSHES, TOP_BYTES_IN, TOP_BYTES_OUT, TOP_NCTR };
static const char *const top_ctr_key[TOP_NCTR] = {
	"faults", "pulls", "pushes", "bytes_in", "bytes_out"
};

/* One stretched process, as its /proc/PID/elastic showed it. */
struct top_proc {
	unsigned int pid;
	char comm[20];
	unsigned long long local, remote, on_node[64];
	uint64_t listed;	/* the nodes in pages_on_node, those with 0 pages too */
	unsigned long long ctr[TOP_NCTR];
	unsigned long long p50, p99;	/* pull latency upper bounds, us; 0: no pull yet */
};

/* The node's counters in /proc/sys/elastic/ that top shows: levels, then rates. */
static const struct {
	const char *name;
	int rate;		/* shown per second, not as is */
} node_ctr[] = {
	{ "remote_pages", 0 }, { "hosted_pages", 0 }, { "hosted_in", 1 }, { "frees", 1 },
	{ "pull_failures", 1 }, { "push_failures", 1 }, { "oom_kills", 1 }, { "resends", 1 },
	{ "send_errors", 1 }, { "pressure_pushes", 1 },
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
	long long node_id, node[NODE_NCTR];	/* -1: not in this module's version */
	struct top_proc *procs;		/* sorted by pid */
	int n, cap;
};

/* A process's line on the screen: its sample and its rates over the interval. */
struct top_row {
	const struct top_proc *p;
	double rate[TOP_NCTR];
};

/* pages_on_node: "2:123 3:45" */
static void top_parse_on_node(const char *s, struct top_proc *p)
{
	unsigned long long pages;
	int id, n;

	while (sscanf(s, "%d:%llu%n", &id, &pages, &n) == 2) {
		if (id >= 1 && id < 64) {
			p->on_node[id] = pages;
			p->listed |= 1ULL << id;
		}
		s += n;
	}
}

static void top_parse_line(const char *key, const char *val, struct top_proc *p,
			   int *stretched)
{
	int k;

	for (k = 0; k < TOP_NCTR; k++)
		if (!strcmp(key, top_ctr_key[k]))
			p->ctr[k] = strtoull(val, NULL, 10);
	if (!strcmp(key, "stretched"))
		*stretched = !strcmp(val, "yes");
	else if (!strcmp(key, "pages_local"))
		p->local = strtoull(val, NULL, 10);
	else if (!strcmp(key, "pages_remote"))
		p->remote = strtoull(val, NULL, 10);
	else if (!strcmp(key, "pages_on_node"))
		top_parse_on_node(val, p);
	else if (!strcmp(key, "pull_latency_us"))
		sscanf(val, "p50<%llu p99<%llu", &p->p50, &p->p99);
}

/*
 * Read /proc/PID/elastic into @p: 0 for a stretched process, -1 for one
 * that is not, that has gone, or that we may not read (EACCES), all three
 * left out of the screen without a word.
 */
static int top_read_proc(unsigned int pid, struct top_proc *p)
{
	char path[64], line[1024], *val;
	int stretched = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/elastic", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		val = strchr(line, ':');
		if (!val)
			continue;
		*val++ = '\0';
		top_parse_line(line, val + strspn(val, "\t "), p, &stretched);
	}
	fclose(f);
	/* Gone since? Then it is not shown either. */
	return stretched ? read_comm(pid, p->comm, sizeof(p->comm)) : -1;
}

static int top_by_pid(const void *a, const void *b)
{
	const struct top_proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Look at the node's counters and every process; -1 without the module. */
static int top_sample(struct top_sample *s)
{
	struct top_proc *procs;
	struct dirent *e;
	uint32_t pid;
	DIR *d;
	int k;

	s->t = now_s();
	s->n = 0;
	if (read_sysctl("node_id", &s->node_id))
		return -1;
	for (k = 0; k < NODE_NCTR; k++)
		if (read_sysctl(node_ctr[k].name, &s->node[k]))
			s->node[k] = -1;
	d = opendir("/proc");
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (elastic_parse_u32(e->d_name, 1, INT32_MAX, &pid))
			continue;
		if (s->n == s->cap) {
			procs = realloc(s->procs, (s->cap ? 2 * s->cap : 64) * sizeof(*procs));
			if (!procs)
				break;	/* show what fits */
			s->procs = procs;
			s->cap = s->cap ? 2 * s->cap : 64;
		}
		if (!top_read_proc(pid, &s->procs[s->n]))
			s->n++;
	}
	closedir(d);
	qsort(s->procs, s->n, sizeof(*s->procs), top_by_pid);
	return 0;
}

/* Busiest first: faults per second, then remote pages, then pid. */
static int top_busiest_first(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->rate[TOP_FAULTS] != y->rate[TOP_FAULTS])
		return x->rate[TOP_FAULTS] < y->rate[TOP_FAULTS] ? 1 : -1;
	if (x->p->remote != y->p->remote)
		return x->p->remote < y->p->remote ? 1 : -1;
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
	const struct top_proc *was;
	double dt = cur->t - prev->t;
	int i, k;

	if (!rows)
		return NULL;
	for (i = 0; i < cur->n; i++) {
		rows[i].p = &cur->procs[i];
		was = bsearch(rows[i].p, prev->procs, prev->n, sizeof(*was), top_by_pid);
		for (k = 0; k < TOP_NCTR; k++)
			rows[i].rate[k] = per_s(rows[i].p->ctr[k], was ? was->ctr[k] : 0, dt);
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
	printf("elasticctl top - node %lld - %s - %d stretched - interval %.1f s\n",
	       cur->node_id, when, cur->n, dt);
	for (k = 0; k < NODE_NCTR; k++)
		if (!node_ctr[k].rate && cur->node[k] >= 0) {
			printf("%s%s %lld", sep, node_ctr[k].name, cur->node[k]);
			sep = "  ";
		}
	printf("\n");
	for (k = 0, sep = ""; k < NODE_NCTR; k++)
		if (node_ctr[k].rate && cur->node[k] >= 0 && prev->node[k] >= 0) {
			printf("%s%s/s %.1f", sep, node_ctr[k].name,
			       per_s(cur->node[k], prev->node[k], dt));
			sep = "  ";
		}
	printf("\n\n");
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
		const struct top_proc *p = rows[i].p;
		const double *r = rows[i].rate;

		printf("%7u %-15s %8llu %8llu %8.1f %8.1f %8.1f %7.2f %8.2f %6s %6s ", p->pid,
		       p->comm, p->local, p->remote, r[TOP_FAULTS], r[TOP_PULLS], r[TOP_PUSHES],
		       r[TOP_BYTES_IN] / 1e6, r[TOP_BYTES_OUT] / 1e6,
		       top_lat(p->p50, p50, sizeof(p50)), top_lat(p->p99, p99, sizeof(p99)));
		for (id = 1; id < 64; id++)
			if (p->listed & (1ULL << id))
				printf(" %d:%llu", id, p->on_node[id]);
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

static struct json_object *top_json_proc(const struct top_row *row)
{
	static const char *const rate_key[TOP_NCTR] = {
		"faults_per_s", "pulls_per_s", "pushes_per_s", "bytes_in_per_s", "bytes_out_per_s"
	};
	struct json_object *o = json_object_new_object(), *lat = json_object_new_object();
	const struct top_proc *p = row->p;
	int k;

	json_object_object_add(o, "pid", json_object_new_int64(p->pid));
	json_object_object_add(o, "comm", json_object_new_string(p->comm));
	json_object_object_add(o, "pages_local", json_object_new_uint64(p->local));
	json_object_object_add(o, "pages_remote", json_object_new_uint64(p->remote));
	json_object_object_add(o, "pages_on_node", json_node_pages(p->on_node, p->listed));
	for (k = 0; k < TOP_NCTR; k++)
		json_object_object_add(o, rate_key[k], json_rate(row->rate[k]));
	json_object_object_add(lat, "p50", json_object_new_uint64(p->p50));
	json_object_object_add(lat, "p99", json_object_new_uint64(p->p99));
	json_object_object_add(o, "pull_latency_us", lat);
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
		if (!node_ctr[k].rate && cur->node[k] >= 0) {
			json_object_object_add(node, node_ctr[k].name,
					       json_object_new_int64(cur->node[k]));
		} else if (cur->node[k] >= 0 && prev->node[k] >= 0) {
			snprintf(key, sizeof(key), "%s_per_s", node_ctr[k].name);
			json_object_object_add(node, key,
					       json_rate(per_s(cur->node[k], prev->node[k], dt)));
		}
	}
	for (i = 0; i < cur->n; i++)
		json_object_array_add(procs, top_json_proc(&rows[i]));
	json_object_object_add(o, "node_id", json_object_new_int64(cur->node_id));
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
	struct timespec next;
	struct top_row *rows;
	uint32_t shown = 0;
	int cur = 0, ret = 0;

	if (top_sample(&s[cur]))
		return no_module("top");
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!count || shown < count) {
		top_wait(&next, interval_ms);
		cur = !cur;
		if (top_sample(&s[cur])) {
			ret = no_module("top");	/* unloaded while we watched */
			break;
		}
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
