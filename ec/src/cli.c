/* cli.c - the `ec` command: backtest, plan, forecast. */
#include "ec.h"

#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fputs(
        "usage:\n"
        "  ec backtest --prices F --interruptions F --instance-types F (--memory-gib M | --demand F)\n"
        "              [--hot-gib K] [--horizon H] --notice SEC --bandwidth-gbps B --policy P[,P..|all]\n"
        "              [--seed S] [--json] [--plot FILE.png|FILE.svg] [--start TS] [--end TS]\n"
        "  ec plan     (same data and sizing options) [--policy P] [--at TS] [--current F] --json\n"
        "  ec forecast --prices F --interruptions F --instance-types F [--demand F]\n"
        "              [--start TS] [--end TS] [--json]\n"
        "tuning: --margin SEC (10) --cooldown H (3) --pools N (4) --risk A (0.5)\n"
        "        --switch-hours X (0.1) --launch-hours X (0.1) --market-share F (0.5)\n"
        "        --time-limit SEC (0.6) --hindsight-time-limit SEC (60) --quiet\n"
        "analysis (oracle, hindsight only): --relax-market-edm (drop the per-market EDM rows)\n"
        "policies: mpo on-demand lowest-price price-capacity; lower bounds: oracle hindsight\n",
        f);
}

typedef struct {
    const char *cmd;
    ec_load_opts load;
    ec_config c;
    const char *policy, *plot, *start, *end, *at, *current;
    int json, have_notice, have_bw, have_mem;
} args;

static int num_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
    if (ec_parse_double(v, out) || *out < lo || *out > hi) {
        fprintf(stderr, "ec: %s: expected a number in [%g, %g], got '%s'\n", opt, lo, hi, v);
        return -1;
    }
    return 0;
}

/* One option with a value; o is its name with the dashes, as in the messages. */
static int set_option(args *a, const char *o, const char *v)
{
    double d;
    struct {
        const char *name;
        double *dst, lo, hi;
    } nums[] = {
        {"--memory-gib", &a->c.memory_gib, 1e-6, 1e7},
        {"--hot-gib", &a->c.hot_gib, 0, 1e7},
        {"--notice", &a->c.notice_s, 1, 86400},
        {"--bandwidth-gbps", &a->c.bw_gbps, 1e-6, 1e5},
        {"--margin", &a->c.margin_s, 0, 86400},
        {"--risk", &a->c.risk_aversion, 0, 1e6},
        {"--switch-hours", &a->c.switch_hours, 0, 1e3},
        {"--launch-hours", &a->c.launch_hours, 0, 1e3},
        {"--market-share", &a->c.market_share, 0.01, 1},
        {"--time-limit", &a->c.mip_time_s, 0.01, 3600},
        {"--hindsight-time-limit", &a->c.hindsight_time_s, 0.01, 86400},
    };
    for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++)
        if (strcmp(o, nums[k].name) == 0) {
            a->have_notice |= k == 2;
            a->have_bw |= k == 3;
            a->have_mem |= k == 0;
            return num_arg(o, v, nums[k].lo, nums[k].hi, nums[k].dst);
        }
    if (strcmp(o, "--horizon") == 0 || strcmp(o, "--cooldown") == 0 || strcmp(o, "--pools") == 0) {
        if (num_arg(o, v, strcmp(o, "--cooldown") == 0 ? 0 : 1, 720, &d) || d != floor(d)) {
            fprintf(stderr, "ec: %s: expected a whole number\n", o);
            return -1;
        }
        *(o[2] == 'h' ? &a->c.horizon : o[2] == 'c' ? &a->c.cooldown_h : &a->c.pools) = (int)d;
    } else if (strcmp(o, "--seed") == 0) {
        char *end;
        a->c.seed = strtoull(v, &end, 10);
        if (!*v || *end) {
            fprintf(stderr, "ec: --seed: expected a whole number, got '%s'\n", v);
            return -1;
        }
    } else {
        const char **dst = strcmp(o, "--prices") == 0           ? &a->load.prices
                           : strcmp(o, "--interruptions") == 0  ? &a->load.interruptions
                           : strcmp(o, "--instance-types") == 0 ? &a->load.instance_types
                           : strcmp(o, "--demand") == 0         ? &a->load.demand
                           : strcmp(o, "--policy") == 0         ? &a->policy
                           : strcmp(o, "--plot") == 0           ? &a->plot
                           : strcmp(o, "--start") == 0          ? &a->start
                           : strcmp(o, "--end") == 0            ? &a->end
                           : strcmp(o, "--at") == 0             ? &a->at
                                                                : &a->current;
        *dst = v;
    }
    return 0;
}

/* argv[1] is the command; its options follow. */
static int parse_args(int argc, char **argv, args *a)
{
    /* distinct values: glibc takes an abbreviation shared by options alike for the first */
    static const struct option opts[] = {
        {"json", no_argument, NULL, 1}, {"quiet", no_argument, NULL, 2},
        {"relax-market-edm", no_argument, NULL, 3}, {"memory-gib", required_argument, NULL, 4},
        {"hot-gib", required_argument, NULL, 5}, {"notice", required_argument, NULL, 6},
        {"bandwidth-gbps", required_argument, NULL, 7}, {"margin", required_argument, NULL, 8},
        {"risk", required_argument, NULL, 9}, {"switch-hours", required_argument, NULL, 10},
        {"launch-hours", required_argument, NULL, 11},
        {"market-share", required_argument, NULL, 12}, {"time-limit", required_argument, NULL, 13},
        {"hindsight-time-limit", required_argument, NULL, 14},
        {"horizon", required_argument, NULL, 15}, {"cooldown", required_argument, NULL, 16},
        {"pools", required_argument, NULL, 17}, {"seed", required_argument, NULL, 18},
        {"prices", required_argument, NULL, 19}, {"interruptions", required_argument, NULL, 20},
        {"instance-types", required_argument, NULL, 21}, {"demand", required_argument, NULL, 22},
        {"policy", required_argument, NULL, 23}, {"plot", required_argument, NULL, 24},
        {"start", required_argument, NULL, 25}, {"end", required_argument, NULL, 26},
        {"at", required_argument, NULL, 27}, {"current", required_argument, NULL, 28},
        {NULL, 0, NULL, 0},
    };
    char o[32];
    int opt;
    memset(a, 0, sizeof *a);
    ec_config_default(&a->c);
    a->cmd = argv[1];
    a->policy = "mpo";
    opterr = 0; /* our own messages, below */
    optind = 2;
    while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (opt == ':') {
            fprintf(stderr, "ec: %s needs a value\n", argv[optind - 1]);
            return -1;
        }
        if (opt == '?') {
            fprintf(stderr, "ec: unknown option %s\n", argv[optind - 1]);
            return -1;
        }
        snprintf(o, sizeof o, "--%s", opts[opt - 1].name);
        if (strcmp(o, "--json") == 0)
            a->json = 1;
        else if (strcmp(o, "--quiet") == 0)
            a->load.quiet = 1;
        else if (strcmp(o, "--relax-market-edm") == 0)
            a->c.relax_market_edm = 1;
        else if (set_option(a, o, optarg))
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, "ec: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!a->load.prices || !a->load.interruptions || !a->load.instance_types) {
        fprintf(stderr, "ec: --prices, --interruptions and --instance-types are required\n");
        return -1;
    }
    if (strcmp(a->cmd, "forecast") != 0) {
        if (!a->have_mem && !a->load.demand) {
            fprintf(stderr, "ec: give --memory-gib M or --demand F\n");
            return -1;
        }
        if (!a->have_notice || !a->have_bw) {
            fprintf(stderr, "ec: --notice and --bandwidth-gbps are required\n");
            return -1;
        }
        if (a->c.margin_s >= a->c.notice_s) {
            fprintf(stderr, "ec: --margin (%g s) must be shorter than --notice (%g s)\n",
                    a->c.margin_s, a->c.notice_s);
            return -1;
        }
        if (a->c.hot_gib > a->c.memory_gib) {
            fprintf(stderr, "ec: --hot-gib must not exceed the memory\n");
            return -1;
        }
    }
    a->load.memory_gib = a->c.memory_gib;
    return 0;
}

static int hour_arg(const ec_world *w, const char *opt, const char *v, int *out)
{
    int64_t t;
    if (ec_parse_time(v, &t)) {
        fprintf(stderr, "ec: %s: bad timestamp '%s'\n", opt, v);
        return -1;
    }
    int h = ec_world_find_hour(w, t / 3600);
    if (h < 0) {
        fprintf(stderr, "ec: %s: %s is outside the price trace\n", opt, v);
        return -1;
    }
    *out = h;
    return 0;
}

/* Load the world and resolve the replay range; attaches the demand trace if given. */
static int setup(args *a, ec_world *w, int *start, int *end)
{
    ec_error err;
    if (ec_world_load(&a->load, w, &err)) {
        fprintf(stderr, "ec: %s\n", err.msg);
        return -1;
    }
    if (w->n_mkts == 0 && !a->load.quiet)
        fprintf(stderr, "ec: warning: no usable spot market: on-demand only\n");
    *start = ec_world_default_start(w);
    *end = w->n_hours;
    if ((a->start && hour_arg(w, "--start", a->start, start)) ||
        (a->end && hour_arg(w, "--end", a->end, end)))
        return -1;
    if (*start >= *end) {
        fprintf(stderr, "ec: empty replay range\n");
        return -1;
    }
    if (a->load.demand) {
        double *tr;
        int n;
        int64_t h0;
        if (ec_load_demand(a->load.demand, &tr, &n, &h0, &err) ||
            ec_world_attach_demand(w, tr, n, h0, *start, *end, a->c.memory_gib, &err)) {
            fprintf(stderr, "ec: %s\n", err.msg);
            return -1;
        }
        free(tr);
    }
    return 0;
}

static int parse_policies(const char *s, ec_policy *list, int *n)
{
    *n = 0;
    if (strcmp(s, "all") == 0) {
        for (int i = 0; i < EC_N_POLICIES; i++)
            list[(*n)++] = (ec_policy)i;
        return 0;
    }
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        if (*n >= EC_N_POLICIES || ec_policy_parse(tok, &list[*n])) {
            fprintf(stderr, "ec: unknown policy '%s' (mpo, on-demand, lowest-price, "
                            "price-capacity, oracle, hindsight, all)\n", tok);
            return -1;
        }
        (*n)++;
    }
    return *n ? 0 : -1;
}

static int cmd_backtest(args *a)
{
    ec_world w;
    int start, end, np;
    ec_policy pol[EC_N_POLICIES];
    if (parse_policies(a->policy, pol, &np))
        return 2;
    for (int i = 0; i < np && a->c.relax_market_edm; i++)
        if (pol[i] < EC_ORACLE) {
            fprintf(stderr, "ec: --relax-market-edm is for the bounds (oracle, hindsight) only: "
                            "policy %s would lose pages\n", ec_policy_name(pol[i]));
            return 2;
        }
    if (setup(a, &w, &start, &end))
        return 2;
    ec_bt_opts o = {.start = start, .end = end, .progress = end - start > 48 && !a->load.quiet};
    ec_result r[EC_N_POLICIES];
    int rc = 0, done = 0;
    for (int i = 0; i < np && rc == 0; i++, done++) {
        ec_error err;
        if (ec_backtest(&w, &a->c, pol[i], &o, &r[i], &err)) {
            fprintf(stderr, "ec: backtest %s: %s\n", ec_policy_name(pol[i]), err.msg);
            rc = 1;
            ec_result_free(&r[i]);
            done--;
        }
    }
    if (rc == 0) {
        char s0[32], s1[32];
        ec_format_hour(w.hour0 + start, s0);
        ec_format_hour(w.hour0 + end - 1, s1);
        if (a->json) {
            /* one object, or an array of them for several policies */
            json_object *all = np > 1 ? json_object_new_array() : NULL;
            for (int i = 0; i < np; i++) {
                json_object *o = ec_json_result(&r[i]);
                json_object_object_add(o, "first_hour", json_object_new_string(s0));
                json_object_object_add(o, "last_hour", json_object_new_string(s1));
                json_object_object_add(o, "seed", json_object_new_int64((long long)a->c.seed));
                json_object_object_add(o, "markets", json_object_new_int(w.n_mkts));
                if (all)
                    json_object_array_add(all, o);
                else
                    ec_json_print(o, stdout);
            }
            if (all)
                ec_json_print(all, stdout);
        } else {
            printf("replay %s .. %s (%d hours, %d markets, seed %llu)\n", s0, s1, end - start,
                   w.n_mkts, (unsigned long long)a->c.seed);
            printf("%-15s %12s %8s %6s %6s %9s %10s\n", "policy", "cost_usd", "ratio", "revoc",
                   "viol", "lost_gib", "max_ms");
            for (int i = 0; i < np; i++)
                printf("%-15s %12.2f %8.4f %6d %6d %9.2f %10.1f\n", ec_policy_name(r[i].policy),
                       r[i].cost_usd, r[i].cost_ratio, r[i].revocations,
                       r[i].deadline_violations, r[i].lost_gib, r[i].max_decision_ms);
        }
        if (a->plot) {
            ec_error err;
            if (ec_plot(a->plot, &w, r, np, &err)) {
                fprintf(stderr, "ec: %s\n", err.msg);
                rc = 1;
            }
        }
    }
    for (int i = 0; i < done; i++)
        ec_result_free(&r[i]);
    ec_world_free(&w);
    return rc;
}

/* Optional current fleet for `plan`: CSV instance_type,market(spot|on-demand),nodes. */
static int load_current(const char *path, const ec_world *w, ec_fleet *f)
{
    ec_csv csv;
    ec_error err;
    if (ec_csv_read(path, &csv, &err)) {
        fprintf(stderr, "ec: %s\n", err.msg);
        return -1;
    }
    int rc = 0;
    for (int r = 1; r < csv.n_rows && rc == 0; r++) {
        double n;
        if (csv.n_fields[r] != 3) {
            rc = ec_csv_fail(&csv, r, 0, &err, "expected instance_type,market,nodes");
            break;
        }
        const char *type = csv.fields[r][0], *mk = csv.fields[r][1];
        if (ec_parse_double(csv.fields[r][2], &n) || n < 0 || n != floor(n)) {
            rc = ec_csv_fail(&csv, r, 2, &err, "nodes must be a whole number, got '%s'",
                             csv.fields[r][2]);
            break;
        }
        int found = 0;
        if (strcmp(mk, "spot") == 0) {
            for (int m = 0; m < w->n_mkts; m++)
                if (strcmp(w->types[w->mkt_type[m]].name, type) == 0)
                    f->spot[m] = n, found = 1;
        } else if (strcmp(mk, "on-demand") == 0) {
            for (int j = 0; j < w->n_types; j++)
                if (strcmp(w->types[j].name, type) == 0)
                    f->od[j] = n, found = 1;
        } else {
            rc = ec_csv_fail(&csv, r, 1, &err, "market must be spot or on-demand, got '%s'", mk);
            break;
        }
        if (!found)
            rc = ec_csv_fail(&csv, r, 0, &err, "unknown %s market '%s'", mk, type);
    }
    if (rc)
        fprintf(stderr, "ec: %s\n", err.msg);
    ec_csv_free(&csv);
    return rc;
}

static void plan_group(json_object *nodes, const ec_config *c, const char *type_name,
                       const ec_itype *t, int spot, int n, double pages, double price,
                       double band, double *hot_left, int *node_id)
{
    double cap = ec_page_cap(c, t, spot), per = n ? pages / n : 0;
    for (int i = 0; i < n; i++) {
        double hot = 0;
        if (!spot && *hot_left > 0) {
            hot = *hot_left < per ? *hot_left : per;
            *hot_left -= hot;
        }
        json_object *o = json_object_new_object();
        char id[64];
        snprintf(id, sizeof id, "%s-%s-%d", type_name, spot ? "spot" : "od", i);
        json_object_object_add(o, "index", json_object_new_int((*node_id)++));
        json_object_object_add(o, "id", json_object_new_string(id));
        json_object_object_add(o, "instance_type", json_object_new_string(type_name));
        json_object_object_add(o, "market", json_object_new_string(spot ? "spot" : "on-demand"));
        json_object_object_add(o, "memory_gib", ec_json_num(t->mem_gib));
        json_object_object_add(o, "page_cap_gib", ec_json_num(cap));
        json_object_object_add(o, "pages_gib", ec_json_num(per));
        json_object_object_add(o, "hot_gib", ec_json_num(hot));
        json_object_object_add(o, "price_usd_per_hour", ec_json_num(price));
        json_object_object_add(o, "interruption_band", ec_json_num(spot ? band : 0));
        json_object_array_add(nodes, o);
    }
}

static int cmd_plan(args *a)
{
    ec_world w;
    int start, end;
    ec_policy pol;
    if (ec_policy_parse(a->policy, &pol) || pol >= EC_ORACLE) {
        fprintf(stderr, "ec: plan: --policy must be mpo, on-demand, lowest-price or price-capacity\n");
        return 2;
    }
    if (setup(a, &w, &start, &end))
        return 2;
    int t = end - 1;
    if (a->at && (hour_arg(&w, "--at", a->at, &t) || t >= w.n_hours)) {
        if (t >= w.n_hours)
            fprintf(stderr, "ec: --at: %s is after the last price row\n", a->at);
        ec_world_free(&w);
        return 2;
    }
    ec_fleet cur, plan;
    ec_fleet_init(&cur, w.n_mkts, w.n_types);
    ec_fleet_init(&plan, w.n_mkts, w.n_types);
    int rc = 0;
    if (a->current && load_current(a->current, &w, &cur))
        rc = 2;
    unsigned char *avail = malloc(w.n_mkts + 1);
    for (int m = 0; m < w.n_mkts; m++)
        avail[m] = !isnan(ec_price(&w, t, m));
    ec_error err;
    double t0 = ec_now_ms();
    ec_decision_ctx x = {.w = &w, .c = &a->c, .t = t, .available = avail, .current = &cur,
                         .demand_hist = w.demand};
    double demand = w.demand ? w.demand[t] : a->c.memory_gib;
    if (rc == 0 && (ec_decide(pol, &x, &plan, &err) ||
                    ec_repair(&w, &a->c, t, avail, &plan, demand, &err) < 0)) {
        fprintf(stderr, "ec: plan: %s\n", err.msg);
        rc = 1;
    }
    double ms = ec_now_ms() - t0;
    if (rc == 0) {
        char when[32];
        ec_format_hour(w.hour0 + t, when);
        double cost = 0, od_cost = 0;
        ec_fleet od;
        ec_fleet_init(&od, w.n_mkts, w.n_types);
        if (ec_on_demand_fleet(&w, &a->c, a->c.memory_gib, &od, &err) == 0)
            for (int j = 0; j < w.n_types; j++)
                od_cost += od.od[j] * w.types[j].od_usd;
        ec_fleet_free(&od);
        for (int m = 0; m < w.n_mkts; m++)
            if (plan.spot[m] > 0)
                cost += plan.spot[m] * ec_price(&w, t, m);
        for (int j = 0; j < w.n_types; j++)
            cost += plan.od[j] * w.types[j].od_usd;
        char why[256] = "";
        int bad = ec_check_fleet(&w, &a->c, &plan, demand, why, sizeof why);
        if (!a->json) {
            printf("plan for %s (%s): %.4f USD/h (on-demand %.4f USD/h), %s\n", when,
                   ec_policy_name(pol), cost, od_cost, bad ? why : "all EDM constraints hold");
            for (int m = 0; m < w.n_mkts; m++)
                if (plan.spot[m] > 0)
                    printf("  spot      %-14s x%-3g pages %.2f GiB\n", w.types[w.mkt_type[m]].name,
                           plan.spot[m], plan.spot_pages[m]);
            for (int j = 0; j < w.n_types; j++)
                if (plan.od[j] > 0)
                    printf("  on-demand %-14s x%-3g\n", w.types[j].name, plan.od[j]);
            printf("  on-demand pages %.2f GiB (hot set %.2f GiB)\n", plan.od_pages, a->c.hot_gib);
        } else {
            json_object *o = json_object_new_object(), *groups = json_object_new_array();
            json_object *nodes = json_object_new_array();
            json_object_object_add(o, "schema", json_object_new_string("spotos-ec-plan/1"));
            json_object_object_add(o, "hour", json_object_new_string(when));
            json_object_object_add(o, "policy", json_object_new_string(ec_policy_name(pol)));
            json_object_object_add(o, "memory_gib", ec_json_num(demand));
            json_object_object_add(o, "hot_gib",
                                   ec_json_num(a->c.hot_gib < demand ? a->c.hot_gib : demand));
            json_object_object_add(o, "notice_s", ec_json_num(a->c.notice_s));
            json_object_object_add(o, "bandwidth_gbps", ec_json_num(a->c.bw_gbps));
            json_object_object_add(o, "margin_s", ec_json_num(a->c.margin_s));
            json_object_object_add(o, "evacuation_cap_gib", ec_json_num(ec_evac_cap_gib(&a->c)));
            json_object_object_add(o, "cost_usd_per_hour", ec_json_num(cost));
            json_object_object_add(o, "on_demand_cost_usd_per_hour", ec_json_num(od_cost));
            json_object_object_add(o, "decision_ms", ec_json_num(ms));
            json_object_object_add(o, "constraints_ok", json_object_new_boolean(bad == 0));
            double od_mem = 0;
            for (int k = 0; k < w.n_types; k++)
                od_mem += plan.od[k] * w.types[k].mem_gib;
            for (int m = 0; m < w.n_mkts; m++)
                if (plan.spot[m] > 0) {
                    json_object *g = json_object_new_object();
                    json_object_object_add(g, "instance_type",
                                           json_object_new_string(w.types[w.mkt_type[m]].name));
                    json_object_object_add(g, "market", json_object_new_string("spot"));
                    json_object_object_add(g, "nodes", json_object_new_int64((long long)plan.spot[m]));
                    json_object_object_add(g, "pages_gib", ec_json_num(plan.spot_pages[m]));
                    json_object_array_add(groups, g);
                }
            for (int jj = 0; jj < w.n_types; jj++)
                if (plan.od[jj] > 0) {
                    json_object *g = json_object_new_object();
                    json_object_object_add(g, "instance_type", json_object_new_string(w.types[jj].name));
                    json_object_object_add(g, "market", json_object_new_string("on-demand"));
                    json_object_object_add(g, "nodes", json_object_new_int64((long long)plan.od[jj]));
                    json_object_object_add(g, "pages_gib",
                                           ec_json_num(od_mem > 0 ? plan.od_pages * plan.od[jj] *
                                                                        w.types[jj].mem_gib / od_mem
                                                                  : 0));
                    json_object_array_add(groups, g);
                }
            json_object_object_add(o, "groups", groups);
            double hot_left = a->c.hot_gib < demand ? a->c.hot_gib : demand;
            int id = 0;
            /* on-demand first: they carry the hot set */
            for (int jj = 0; jj < w.n_types; jj++)
                if (plan.od[jj] > 0)
                    plan_group(nodes, &a->c, w.types[jj].name, &w.types[jj], 0, (int)plan.od[jj],
                               od_mem > 0 ? plan.od_pages * plan.od[jj] * w.types[jj].mem_gib / od_mem : 0,
                               w.types[jj].od_usd, 0, &hot_left, &id);
            for (int m = 0; m < w.n_mkts; m++)
                if (plan.spot[m] > 0)
                    plan_group(nodes, &a->c, w.types[w.mkt_type[m]].name, &w.types[w.mkt_type[m]],
                               1, (int)plan.spot[m], plan.spot_pages[m], ec_price(&w, t, m),
                               w.band[m], &hot_left, &id);
            json_object_object_add(o, "nodes", nodes);
            ec_json_print(o, stdout);
        }
    }
    free(avail);
    ec_fleet_free(&cur);
    ec_fleet_free(&plan);
    ec_world_free(&w);
    return rc;
}

/* An evaluation's table, or (json not NULL) its object under the key what. */
static void print_eval(json_object *json, const char *what, const ec_fc_eval *ev, int season)
{
    if (json) {
        json_object *o = json_object_new_object(), *by = json_object_new_array();
        json_object_object_add(o, "season_hours", json_object_new_int(season));
        for (int h = 1; h <= ev->horizon; h++) {
            if (!ev->n[h])
                continue;
            json_object *e = json_object_new_object();
            json_object_object_add(e, "h", json_object_new_int(h));
            json_object_object_add(e, "mape_pct", ec_json_num(ev->mape_model[h]));
            json_object_object_add(e, "snaive_mape_pct", ec_json_num(100 * ev->mae_snaive[h]));
            json_object_object_add(e, "mase", ec_json_num(ev->rel[h]));
            json_object_object_add(e, "mase_insample_scale", ec_json_num(ev->mase[h]));
            json_object_object_add(e, "n", json_object_new_int64(ev->n[h]));
            json_object_array_add(by, e);
        }
        json_object_object_add(o, "by_horizon", by);
        json_object_object_add(json, what, o);
        return;
    }
    printf("%s (seasonal naive lag %d h; mase = MAE / seasonal-naive MAE on the same points,\n"
           "  mase_is = MAE / in-sample one-step seasonal-naive MAE)\n  %4s %9s %12s %7s %9s %8s\n",
           what, season, "h", "mape_%", "snaive_%", "mase", "mase_is", "n");
    for (int h = 1; h <= ev->horizon; h++)
        if (ev->n[h] && (h <= 6 || h % 6 == 0))
            printf("  %4d %9.3f %12.3f %7.3f %9.3f %8ld\n", h, ev->mape_model[h],
                   100 * ev->mae_snaive[h], ev->rel[h], ev->mase[h], ev->n[h]);
}

static int cmd_forecast(args *a)
{
    ec_world w;
    int start, end;
    if (setup(a, &w, &start, &end))
        return 2;
    json_object *jp = a->json ? json_object_new_object() : NULL;
    ec_fc_eval ev;
    ec_fc_evaluate(0, w.price, w.n_mkts, w.n_mkts, start, end, 24, 24, &ev);
    if (!jp) {
        char s0[32], s1[32];
        ec_format_hour(w.hour0 + start, s0);
        ec_format_hour(w.hour0 + end - 1, s1);
        printf("evaluated %s .. %s, %d markets\n", s0, s1, w.n_mkts);
    }
    print_eval(jp, "prices", &ev, 24);
    if (a->load.demand) {
        double *tr;
        int n;
        int64_t h0;
        ec_error err;
        if (ec_load_demand(a->load.demand, &tr, &n, &h0, &err)) {
            fprintf(stderr, "ec: %s\n", err.msg);
            json_object_put(jp);
            ec_world_free(&w);
            return 2;
        }
        /* demand: the last 8 weeks of the trace are the test period */
        int lo = n > 8 * 168 + 4 * 168 ? n - 8 * 168 : n / 2;
        for (int s = 24; s <= 168; s += 144) {
            ec_fc_evaluate(1, tr, 1, 1, lo, n, s, 24, &ev);
            print_eval(jp, s == 24 ? "demand_vs_daily_snaive" : "demand_vs_weekly_snaive", &ev, s);
        }
        free(tr);
    }
    if (jp)
        ec_json_print(jp, stdout);
    ec_world_free(&w);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    args a;
    if (strcmp(argv[1], "backtest") && strcmp(argv[1], "plan") && strcmp(argv[1], "forecast")) {
        fprintf(stderr, "ec: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return 2;
    }
    if (parse_args(argc, argv, &a)) {
        usage(stderr);
        return 2;
    }
    if (strcmp(a.cmd, "backtest") == 0)
        return cmd_backtest(&a);
    if (strcmp(a.cmd, "plan") == 0)
        return cmd_plan(&a);
    return cmd_forecast(&a);
}
