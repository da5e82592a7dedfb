/* Backtests on the one-week test data: the oracle bounds every policy, revocations are
 * shared and evacuated without loss, and the CLI's JSON, plan and plot work end to end. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void week_config(ec_config *c)
{
    ec_config_default(c);
    c->memory_gib = 256;
    c->hot_gib = 24;
    c->horizon = 12;
    c->notice_s = 120;
    c->bw_gbps = 5;
}

static void t_oracle_bounds_policies(void)
{
    ec_world w;
    test_world(&w);
    ec_config c;
    week_config(&c);
    ec_bt_opts o = {.start = 48, .end = w.n_hours};
    for (uint64_t seed = 1; seed <= 2; seed++) {
        c.seed = seed;
        ec_result orc;
        ec_error err;
        CHECK(ec_oracle(&w, &c, &o, &orc, &err) == 0);
        CHECK(orc.hours == 168 && orc.cost_usd > 0);
        for (int p = 0; p < EC_ORACLE; p++) {
            ec_result r;
            if (!CHECK(ec_backtest(&w, &c, (ec_policy)p, &o, &r, &err) == 0)) {
                tap_diag("%s", err.msg);
                continue;
            }
            printf("# seed %llu %-14s %.3f USD (ratio %.4f), oracle %.3f\n",
                   (unsigned long long)seed, ec_policy_name(r.policy), r.cost_usd, r.cost_ratio,
                   orc.cost_usd);
            CHECK(orc.cost_usd <= r.cost_usd + 1e-6);
            CHECK_NEAR(r.cost_ratio, r.cost_usd / r.on_demand_cost_usd, 1e-12);
            CHECK(r.deadline_violations == 0 && r.lost_gib == 0);
            if (p == EC_ON_DEMAND)
                CHECK_NEAR(r.cost_usd, r.on_demand_cost_usd, 1e-6);
            else
                CHECK(r.cost_usd < r.on_demand_cost_usd);
            ec_result_free(&r);
        }
        ec_result_free(&orc);
    }
    ec_world_free(&w);
}

/* The per-hour integer bound: every policy pays at least the hour's optimum in every hour.
 * Against the oracle: the hindsight fleets are feasible for the oracle's weekly LPs, which
 * would bill their launches (the hindsight does not), so oracle <= hindsight + its launch
 * cost always, and oracle <= hindsight exactly when launches are free. */
static void t_hindsight_bounds_policies(void)
{
    ec_world w;
    test_world(&w);
    ec_config c;
    week_config(&c);
    ec_bt_opts o = {.start = 48, .end = w.n_hours};
    ec_error err;
    for (uint64_t seed = 1; seed <= 2; seed++) {
        c.seed = seed;
        ec_result hs, orc, orc0;
        if (!CHECK(ec_hindsight(&w, &c, &o, &hs, &err) == 0)) {
            tap_diag("%s", err.msg);
            continue;
        }
        CHECK(hs.hours == 168 && hs.cost_usd > 0 && hs.bound_hours == 0);
        CHECK_NEAR(hs.cost_usd, hs.spot_usd + hs.od_usd, 1e-6);
        CHECK(ec_oracle(&w, &c, &o, &orc, &err) == 0);
        ec_config free_launch = c;
        free_launch.launch_hours = 0;
        CHECK(ec_oracle(&w, &free_launch, &o, &orc0, &err) == 0);
        printf("# seed %llu hindsight %.3f USD (ratio %.4f, its launches %.3f), oracle %.3f, "
               "oracle without launch cost %.3f\n",
               (unsigned long long)seed, hs.cost_usd, hs.cost_ratio, hs.launch_usd, orc.cost_usd,
               orc0.cost_usd);
        CHECK(orc0.cost_usd <= hs.cost_usd + 1e-6);
        CHECK(orc.cost_usd <= hs.cost_usd + hs.launch_usd + 1e-6);
        CHECK(orc.cost_usd <= hs.cost_usd + 1e-6); /* holds on this data, not in general */
        for (int p = 0; p < EC_ORACLE; p++) {
            ec_result r;
            if (!CHECK(ec_backtest(&w, &c, (ec_policy)p, &o, &r, &err) == 0)) {
                tap_diag("%s", err.msg);
                continue;
            }
            printf("# seed %llu %-14s %.3f USD (node-hours %.3f)\n", (unsigned long long)seed,
                   ec_policy_name(r.policy), r.cost_usd, r.spot_usd + r.od_usd);
            CHECK_NEAR(r.cost_usd, r.spot_usd + r.od_usd + r.launch_usd, 1e-6);
            CHECK(hs.cost_usd <= r.spot_usd + r.od_usd + 1e-6);
            int worse = 0;
            for (int i = 0; i < r.hours; i++) {
                double a = hs.cum_cost[i] - (i ? hs.cum_cost[i - 1] : 0);
                double b = r.cum_cost[i] - (i ? r.cum_cost[i - 1] : 0);
                worse += a > b + 1e-6;
            }
            CHECK(worse == 0);
            ec_result_free(&r);
        }
        /* a time limit too short to prove optimality: the hours' bounds stay below the
         * optima */
        ec_config rushed = c;
        rushed.hindsight_time_s = 0.001;
        ec_result hr;
        CHECK(ec_hindsight(&w, &rushed, &o, &hr, &err) == 0);
        printf("# seed %llu rushed hindsight %.3f USD, %d hours on the bound\n",
               (unsigned long long)seed, hr.cost_usd, hr.bound_hours);
        int above = 0;
        for (int i = 0; i < hr.hours; i++)
            above += hr.cum_cost[i] - (i ? hr.cum_cost[i - 1] : 0) >
                     hs.cum_cost[i] - (i ? hs.cum_cost[i - 1] : 0) + 1e-6;
        CHECK(above == 0);
        ec_result_free(&hr);
        ec_result_free(&hs);
        ec_result_free(&orc);
        ec_result_free(&orc0);
    }
    ec_world_free(&w);
}

static void t_revocation_stress(void)
{
    /* Bands near 100%/month: about one revocation per market per 4 days. Every policy
     * must see the same events, lose nothing and never miss the deadline. */
    ec_world w;
    test_world(&w);
    for (int m = 0; m < w.n_mkts; m++)
        w.band[m] = 0.9999;
    ec_config c;
    week_config(&c);
    c.seed = 3;
    ec_bt_opts o = {.start = 48, .end = w.n_hours};
    unsigned char *a = ec_revocation_events(&w, &c, o.start, o.end);
    unsigned char *b = ec_revocation_events(&w, &c, o.start, o.end);
    size_t n = (size_t)w.n_hours * w.n_mkts, events = 0;
    CHECK(memcmp(a, b, n) == 0);
    for (size_t i = 0; i < n; i++)
        events += a[i];
    printf("# %zu revocation events\n", events);
    CHECK(events > 0);
    ec_error err;
    int hit = 0;
    for (int p = 0; p < EC_ORACLE; p++) {
        if (p == EC_ON_DEMAND)
            continue;
        ec_result r;
        CHECK(ec_backtest(&w, &c, (ec_policy)p, &o, &r, &err) == 0);
        printf("# %-14s revocations %d violations %d lost %.2f fallbacks %d\n",
               ec_policy_name(r.policy), r.revocations, r.deadline_violations, r.lost_gib,
               r.fallbacks);
        CHECK(r.revocations <= (int)events);
        CHECK(r.deadline_violations == 0 && r.lost_gib == 0);
        hit += r.revocations;
        ec_result_free(&r);
    }
    CHECK(hit > 0);
    free(a);
    free(b);
    ec_world_free(&w);
}

/* ---- the CLI */

static char out_buf[1 << 20], err_buf[1 << 16];

static int run(const char *args)
{
    const char *bin = getenv("EC_BIN");
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s %s 2>/tmp/ec-test-stderr", bin ? bin : "./ec", args);
    FILE *p = popen(cmd, "r");
    size_t n = fread(out_buf, 1, sizeof out_buf - 1, p);
    out_buf[n] = 0;
    int st = pclose(p);
    FILE *e = fopen("/tmp/ec-test-stderr", "r");
    n = e ? fread(err_buf, 1, sizeof err_buf - 1, e) : 0;
    err_buf[n] = 0;
    if (e)
        fclose(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static double field(const char *json, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(json, k);
    return p ? strtod(p + strlen(k), NULL) : NAN;
}

static const char *data_args(void)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "--prices %s --interruptions %s --instance-types %s --notice 120 "
             "--bandwidth-gbps 5 --hot-gib 24 --horizon 12",
             test_data("prices-week.csv"), test_data("bands.csv"), test_data("instance-types.csv"));
    return buf;
}

static void t_cli_backtest_json(void)
{
    char args[2048];
    snprintf(args, sizeof args,
             "backtest %s --memory-gib 256 --policy mpo --seed 5 --json "
             "--start 2018-10-15T00:00:00Z --end 2018-10-22T00:00:00Z",
             data_args());
    CHECK(run(args) == 0);
    CHECK(strstr(out_buf, "\"policy\":\"mpo\"") != NULL);
    CHECK(field(out_buf, "hours") == 168);
    double cost = field(out_buf, "cost_usd"), od = field(out_buf, "on_demand_cost_usd");
    CHECK(cost > 0 && od > cost);
    CHECK_NEAR(field(out_buf, "cost_ratio"), cost / od, 1e-8);
    CHECK(field(out_buf, "deadline_violations") == 0 && field(out_buf, "lost_gib") == 0);
    CHECK(field(out_buf, "revocations") >= 0 && field(out_buf, "max_decision_ms") > 0);
    CHECK(out_buf[0] == '{' && strchr(out_buf, '\n') == out_buf + strlen(out_buf) - 1);
    /* stdout is only JSON; warnings go to stderr */
    CHECK(strstr(err_buf, "c1.xlarge") != NULL);
    /* the bounds, with and without the per-market EDM rows */
    double bound[2];
    for (int relax = 0; relax <= 1; relax++) {
        snprintf(args, sizeof args,
                 "backtest %s --memory-gib 256 --policy hindsight --seed 5 --json --quiet%s "
                 "--start 2018-10-15T00:00:00Z --end 2018-10-22T00:00:00Z",
                 data_args(), relax ? " --relax-market-edm" : "");
        CHECK(run(args) == 0);
        CHECK(strstr(out_buf, "\"policy\":\"hindsight\"") != NULL);
        CHECK(field(out_buf, "bound_hours") == 0);
        bound[relax] = field(out_buf, "cost_usd");
        CHECK_NEAR(bound[relax], field(out_buf, "spot_usd") + field(out_buf, "od_usd"), 1e-3);
    }
    CHECK(bound[1] < bound[0] && bound[0] <= cost);
}

static void t_cli_plan(void)
{
    char args[2048];
    snprintf(args, sizeof args, "plan %s --memory-gib 256 --json", data_args());
    CHECK(run(args) == 0);
    CHECK(strstr(out_buf, "\"schema\":\"spotos-ec-plan/1\"") != NULL);
    CHECK(strstr(out_buf, "\"constraints_ok\":true") != NULL);
    double E = field(out_buf, "evacuation_cap_gib");
    CHECK_NEAR(E, 5e9 / 8 / 1073741824.0 * (120 - 10), 1e-6);
    /* walk the nodes: spot page caps within E, hot set exactly K on on-demand nodes */
    const char *p = strstr(out_buf, "\"nodes\":[");
    double hot = 0, pages = 0;
    int nodes = 0, spot = 0;
    while (p && (p = strstr(p, "{\"index\":"))) {
        const char *end = strchr(p, '}');
        char node[1024];
        snprintf(node, sizeof node, "%.*s", (int)(end - p + 1), p);
        int is_spot = strstr(node, "\"market\":\"spot\"") != NULL;
        double cap = field(node, "page_cap_gib"), pg = field(node, "pages_gib");
        CHECK(pg <= cap + 1e-6);
        if (is_spot)
            CHECK(cap <= E + 1e-9), spot++;
        else
            hot += field(node, "hot_gib");
        CHECK(!is_spot || field(node, "hot_gib") == 0);
        pages += pg;
        nodes++;
        p = end;
    }
    CHECK(nodes > 0 && spot > 0);
    CHECK_NEAR(hot, 24, 1e-6);
    CHECK_NEAR(pages, 256, 1e-3);
}

static void t_cli_plot_and_demand(void)
{
    const char *png = test_tmpfile("plot.png", "");
    char args[2048];
    snprintf(args, sizeof args,
             "backtest %s --memory-gib 256 --demand %s --policy lowest-price,on-demand --quiet "
             "--start 2018-10-15T00:00:00Z --end 2018-10-22T00:00:00Z --plot %s",
             data_args(), test_data("demand-5weeks.csv"), png);
    CHECK(run(args) == 0);
    CHECK(strstr(out_buf, "lowest-price") && strstr(out_buf, "on-demand"));
    FILE *f = fopen(png, "rb");
    unsigned char magic[8] = {0};
    long size = 0;
    if (f) {
        CHECK(fread(magic, 1, 8, f) == 8);
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fclose(f);
    }
    CHECK(memcmp(magic, "\x89PNG", 4) == 0 && size > 2000);
}

static void t_cli_errors(void)
{
    char args[2048];
    snprintf(args, sizeof args,
             "backtest --prices %s --interruptions %s --instance-types %s --memory-gib 64 "
             "--bandwidth-gbps 5 --policy mpo",
             test_data("prices-week.csv"), test_data("bands.csv"), test_data("instance-types.csv"));
    CHECK(run(args) == 2 && strstr(err_buf, "--notice"));
    const char *bad = test_tmpfile("bad.csv", ",r4.xlarge\n2018-10-13 00:00:00+00:00,0.07\n"
                                             "2018-10-13 01:00:00+00:00,0.07x\n");
    snprintf(args, sizeof args,
             "backtest --prices %s --interruptions %s --instance-types %s --memory-gib 64 "
             "--notice 120 --bandwidth-gbps 5 --policy mpo",
             bad, test_data("bands.csv"), test_data("instance-types.csv"));
    CHECK(run(args) == 2 && strstr(err_buf, "bad.csv:3:2:"));
    snprintf(args, sizeof args, "backtest %s --memory-gib 64 --policy cheapest", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "unknown policy"));
    snprintf(args, sizeof args, "backtest %s --memory-gib -4 --policy mpo", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "--memory-gib"));
    snprintf(args, sizeof args, "backtest %s --memory-gib 64 --policy mpo --relax-market-edm",
             data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "--relax-market-edm"));
    snprintf(args, sizeof args, "plan %s --memory-gib 64 --policy hindsight", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "--policy"));
    /* getopt_long: --name=value, unique abbreviations; not an ambiguous one, nor strays */
    snprintf(args, sizeof args, "plan %s --memory-gib=64 --pol lowest-price --json --quiet",
             data_args());
    CHECK(run(args) == 0 && strstr(out_buf, "\"memory_gib\":64,") &&
          strstr(out_buf, "\"policy\":\"lowest-price\""));
    snprintf(args, sizeof args, "plan %s --memory-gib 64 --h 3", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "unknown option --h"));
    snprintf(args, sizeof args, "plan %s --memory-gib 64 stray", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "unexpected argument 'stray'"));
    snprintf(args, sizeof args, "plan %s --memory-gib", data_args());
    CHECK(run(args) == 2 && strstr(err_buf, "--memory-gib needs a value"));
}

int main(void)
{
    tap_run("backtest: oracle <= every policy (2 seeds, one week)", t_oracle_bounds_policies);
    tap_run("backtest: oracle <= hindsight <= every policy, hour by hour (2 seeds)",
            t_hindsight_bounds_policies);
    tap_run("backtest: shared revocations evacuated without loss", t_revocation_stress);
    tap_run("cli: backtest --json over one week", t_cli_backtest_json);
    tap_run("cli: plan --json contract (caps, hot set, pages)", t_cli_plan);
    tap_run("cli: --plot png and --demand trace", t_cli_plot_and_demand);
    tap_run("cli: clear errors and exit status 2", t_cli_errors);
    return tap_done();
}
