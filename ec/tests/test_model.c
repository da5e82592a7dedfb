/* The optimiser against brute force, the two EDM constraints, evacuation and revocation
 * draws. Tiny worlds are built in memory. */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A one-hour world: spot markets on the first n_spot types, every type on demand. */
static void tiny_world(ec_world *w, int n_types, const double *mem, const double *od,
                       int n_spot, const double *spot_price)
{
    memset(w, 0, sizeof *w);
    w->n_types = n_types;
    w->types = calloc(n_types, sizeof *w->types);
    for (int j = 0; j < n_types; j++) {
        snprintf(w->types[j].name, EC_NAME_MAX, "t%d.large", j);
        w->types[j].vcpu = 2;
        w->types[j].mem_gib = mem[j];
        w->types[j].od_usd = od[j];
    }
    w->n_mkts = n_spot;
    w->mkt_type = calloc(n_spot + 1, sizeof *w->mkt_type);
    w->band = calloc(n_spot + 1, sizeof *w->band);
    w->price = calloc(n_spot + 1, sizeof *w->price);
    for (int m = 0; m < n_spot; m++) {
        w->mkt_type[m] = m;
        w->band[m] = 0.05;
        w->price[m] = spot_price[m];
    }
    w->n_hours = 1;
    w->hour0 = 430000;
}

static void tiny_config(ec_config *c, double M, double K, double bw)
{
    ec_config_default(c);
    c->memory_gib = M;
    c->hot_gib = K;
    c->bw_gbps = bw;
    c->notice_s = 120;
    c->margin_s = 20;
    c->launch_hours = 0.1;
    c->mip_time_s = 20; /* exact answers, not speed, are tested here */
    c->mip_gap = 0;
}

/* Brute force: is there a page placement for these counts? relax: without the per-market
 * EDM rows (the analysis option --relax-market-edm). */
static int bf_feasible(const ec_world *w, const ec_config *c, const int *n, const int *o,
                       int relax)
{
    double D = c->memory_gib, hot = fmin(c->hot_gib, D), E = ec_evac_cap_gib(c);
    double od_mem = 0, T = 0, N = 0, spot_cap = 0;
    for (int j = 0; j < w->n_types; j++)
        od_mem += o[j] * w->types[j].mem_gib, N += o[j];
    T = od_mem;
    for (int m = 0; m < w->n_mkts; m++)
        T += n[m] * w->types[w->mkt_type[m]].mem_gib, N += n[m];
    for (int m = 0; m < w->n_mkts; m++) {
        const ec_itype *t = &w->types[w->mkt_type[m]];
        double a = ec_page_cap(c, t, 1) * n[m];
        if (!relax)
            a = fmin(a, E * (N - n[m]));
        if (c->market_share < 1)
            a = fmin(a, c->market_share * D);
        spot_cap += a;
        if (!relax && T - n[m] * t->mem_gib < D - 1e-9)
            return 0;
    }
    return fmax(hot, D - spot_cap) <= fmin(od_mem, D) + 1e-9;
}

static void t_brute_force(void)
{
    srand(12345);
    int cases = 0, agree = 0, relaxed = 0;
    for (int it = 0; it < 25; it++) {
        double mem[3] = {8, 16, 32}, od[3], sp[2];
        for (int j = 0; j < 3; j++)
            od[j] = mem[j] * (0.006 + 0.004 * rand() / (double)RAND_MAX);
        for (int m = 0; m < 2; m++)
            sp[m] = mem[m] * (0.0015 + 0.004 * rand() / (double)RAND_MAX);
        ec_world w;
        tiny_world(&w, 3, mem, od, 2, sp);
        ec_config c;
        tiny_config(&c, 24 + rand() % 30, rand() % 12, it % 2 ? 0.8 : 5);
        c.market_share = it % 3 ? 0.7 : 1;
        /* brute force over every fleet up to well past the solver's bounds */
        double best = INFINITY, best_relax = INFINITY;
        int n[2], o[3], ub = (int)ceil(c.memory_gib / 4) + 3;
        for (n[0] = 0; n[0] <= ub; n[0]++)
            for (n[1] = 0; n[1] <= ub; n[1]++)
                for (o[0] = 0; o[0] <= ub; o[0]++)
                    for (o[1] = 0; o[1] <= ub / 2 + 1; o[1]++)
                        for (o[2] = 0; o[2] <= ub / 4 + 1; o[2]++) {
                            double cost = n[0] * sp[0] + n[1] * sp[1] + o[0] * od[0] +
                                          o[1] * od[1] + o[2] * od[2];
                            if (cost < best && bf_feasible(&w, &c, n, o, 0))
                                best = cost;
                            if (cost < best_relax && bf_feasible(&w, &c, n, o, 1))
                                best_relax = cost;
                        }
        int len = 1;
        double D = c.memory_gib;
        ec_problem p = {.w = &w, .c = &c, .P = 1, .len = &len, .price = w.price, .demand = &D,
                        .n_integer = 1, .allow_spot = 1};
        ec_solution s;
        ec_error err;
        int rc = ec_solve(&p, &s, &err);
        CHECK(rc == 0);
        if (rc == 0) {
            cases++;
            /* objective = hourly cost + launching every node (launch_hours of its price) */
            double want = best * (1 + c.launch_hours);
            if (fabs(s.objective - want) <= 1e-6 * (1 + want))
                agree++;
            else
                printf("# case %d: solver %.6f, brute force %.6f\n", it, s.objective, want);
            /* solved with gap 0: the proven bound is the optimum */
            CHECK(s.status == 0 && fabs(s.bound - s.objective) <= 1e-6 * (1 + want));
            char why[256];
            CHECK(ec_check_fleet(&w, &c, &s.fleets[0], D, why, sizeof why) == 0);
            ec_solution_free(&s);
        }
        /* the hindsight hour: launches free; and without the per-market EDM rows */
        p.free_start = 1;
        for (int relax = 0; relax <= 1; relax++) {
            p.relax_market_edm = relax;
            if (ec_solve(&p, &s, &err) == 0) {
                double want = relax ? best_relax : best;
                CHECK_NEAR(s.objective, want, 1e-6 * (1 + want));
                CHECK(s.bound <= s.objective + 1e-9);
                relaxed += relax && best_relax < best - 1e-9;
                ec_solution_free(&s);
            } else {
                CHECK(0);
            }
        }
        ec_world_free(&w);
    }
    CHECK(cases == 25 && agree == cases);
    printf("# per-market EDM rows cost something in %d of 25 cases\n", relaxed);
    CHECK(relaxed > 0);
}

/* A realistic small world: three memory-heavy spot markets, on-demand of every type. */
static void small_world(ec_world *w)
{
    static const double mem[4] = {32, 64, 61, 16}, od[4] = {0.252, 0.504, 0.532, 0.192};
    static const double sp[3] = {0.075, 0.15, 0.14};
    tiny_world(w, 4, mem, od, 3, sp);
}

static ec_fleet solve_small(const ec_world *w, const ec_config *c)
{
    int len = 1;
    double D = c->memory_gib;
    ec_problem p = {.w = w, .c = c, .P = 1, .len = &len, .price = w->price, .demand = &D,
                    .n_integer = 1, .allow_spot = 1};
    ec_solution s;
    ec_error err;
    ec_fleet f;
    ec_fleet_init(&f, w->n_mkts, w->n_types);
    if (CHECK(ec_solve(&p, &s, &err) == 0)) {
        ec_fleet_copy(&f, &s.fleets[0]);
        ec_solution_free(&s);
    } else {
        tap_diag("%s", err.msg);
    }
    return f;
}

static void t_edm_per_node(void)
{
    ec_world w;
    small_world(&w);
    ec_config c;
    tiny_config(&c, 256, 16, 2); /* 2 Gbit/s x 100 s = 23.3 GiB per spot node */
    double E = ec_evac_cap_gib(&c);
    CHECK_NEAR(E, 2e9 / 8 / 1073741824.0 * 100, 1e-9);
    ec_fleet f = solve_small(&w, &c);
    double spot_nodes = 0;
    for (int m = 0; m < w.n_mkts; m++) {
        spot_nodes += f.spot[m];
        if (f.spot[m] > 0)
            CHECK(f.spot_pages[m] / f.spot[m] <= E + 1e-6);
    }
    CHECK(spot_nodes > 0); /* spot is still used, just never filled past the cap */
    CHECK(ec_check_fleet(&w, &c, &f, c.memory_gib, NULL, 0) == 0);
    /* a fleet that fills spot nodes to their memory is rejected */
    ec_fleet bad;
    ec_fleet_init(&bad, w.n_mkts, w.n_types);
    bad.spot[1] = 2, bad.spot_pages[1] = 2 * 64;
    bad.spot[2] = 2, bad.spot_pages[2] = 2 * 56;
    bad.od[1] = 2, bad.od_pages = 16;
    char why[256] = "";
    CHECK(ec_check_fleet(&w, &c, &bad, 256, why, sizeof why) > 0);
    CHECK(strstr(why, "per-node evacuation cap") != NULL);
    /* and evacuating such a node loses what does not fit in the notice */
    double per_node = 2e9 / 8 / 1073741824.0 * 120; /* the deadline is the full notice */
    bad.od[0] = 20;                                 /* plenty of receivers and memory */
    double lost = ec_evacuate(&w, &c, &bad, 1);
    CHECK_NEAR(lost, 2 * (64 - per_node), 1e-9);
    CHECK(bad.spot[1] == 0 && bad.spot_pages[1] == 0);
    ec_fleet_free(&bad);
    ec_fleet_free(&f);
    ec_world_free(&w);
}

static void t_edm_per_market(void)
{
    ec_world w;
    small_world(&w);
    ec_config c;
    tiny_config(&c, 300, 20, 5);
    ec_fleet f = solve_small(&w, &c);
    int used = 0;
    for (int m = 0; m < w.n_mkts; m++) {
        if (f.spot[m] <= 0)
            continue;
        used++;
        /* revoke the whole market: everything must be evacuated into the others */
        ec_fleet g;
        ec_fleet_init(&g, w.n_mkts, w.n_types);
        ec_fleet_copy(&g, &f);
        double before = g.od_pages;
        for (int i = 0; i < w.n_mkts; i++)
            before += g.spot_pages[i];
        double lost = ec_evacuate(&w, &c, &g, m);
        double after = g.od_pages;
        for (int i = 0; i < w.n_mkts; i++)
            after += g.spot_pages[i];
        CHECK(lost < 1e-9);
        CHECK_NEAR(after, before, 1e-6);
        CHECK(after <= ec_fleet_mem(&g, &w) + 1e-6);
        ec_fleet_free(&g);
    }
    CHECK(used >= 2); /* diversified over markets */
    /* everything on one market without headroom: rejected, and a revocation loses pages */
    ec_fleet bad;
    ec_fleet_init(&bad, w.n_mkts, w.n_types);
    bad.spot[0] = 9, bad.spot_pages[0] = 280;
    bad.od[0] = 1, bad.od_pages = 20;
    c.market_share = 1;
    char why[256] = "";
    CHECK(ec_check_fleet(&w, &c, &bad, 300, why, sizeof why) > 0);
    CHECK(strstr(why, "if revoked") != NULL);
    CHECK(ec_evacuate(&w, &c, &bad, 0) > 0);
    ec_fleet_free(&bad);
    ec_fleet_free(&f);
    ec_world_free(&w);
}

static void t_hot_set_and_cap(void)
{
    ec_world w;
    small_world(&w);
    ec_config c;
    tiny_config(&c, 200, 40, 5);
    c.market_share = 0.4;
    ec_fleet f = solve_small(&w, &c);
    double od_mem = 0;
    for (int j = 0; j < w.n_types; j++)
        od_mem += f.od[j] * w.types[j].mem_gib;
    CHECK(f.od_pages >= 40 - 1e-6 && od_mem >= 40);
    for (int m = 0; m < w.n_mkts; m++)
        CHECK(f.spot_pages[m] <= 0.4 * 200 + 1e-6);
    /* on-demand only: no spot at all, and at least M of memory */
    ec_fleet g;
    ec_fleet_init(&g, w.n_mkts, w.n_types);
    ec_error err;
    CHECK(ec_on_demand_fleet(&w, &c, 200, &g, &err) == 0);
    CHECK(ec_fleet_mem(&g, &w) >= 200);
    for (int m = 0; m < w.n_mkts; m++)
        CHECK(g.spot[m] == 0);
    /* on-demand fallback: a spot-only fleet without the hot set gets on-demand nodes */
    ec_fleet h;
    ec_fleet_init(&h, w.n_mkts, w.n_types);
    h.spot[0] = 4, h.spot_pages[0] = 80;
    unsigned char avail[3] = {1, 0, 1}; /* market 1 cannot serve */
    int added = ec_repair(&w, &c, 0, avail, &h, 200, &err);
    CHECK(added > 0);
    CHECK(h.spot[1] == 0 && h.spot[0] == 4);
    CHECK(ec_check_fleet(&w, &c, &h, 200, NULL, 0) == 0);
    ec_fleet_free(&h);
    ec_fleet_free(&g);
    ec_fleet_free(&f);
    ec_world_free(&w);
}

static void t_revocation_draws(void)
{
    /* deterministic in (seed, market, hour), independent of anything else */
    int same = 1, diff_seed = 0, hits = 0;
    const int N = 200000;
    for (int64_t h = 0; h < N; h++) {
        int a = ec_revoked(7, "r4.xlarge", 420000 + h, 0.25);
        same &= a == ec_revoked(7, "r4.xlarge", 420000 + h, 0.25);
        diff_seed += a != ec_revoked(8, "r4.xlarge", 420000 + h, 0.25);
        hits += a;
    }
    CHECK(same);
    CHECK(diff_seed > 0);
    double q = ec_hourly_revocation_prob(0.25);
    CHECK_NEAR(1 - pow(1 - q, 730), 0.25, 1e-9); /* the band is per month */
    double sd = sqrt(N * q * (1 - q));
    printf("# %d revocations in %d hours, expected %.1f +- %.1f\n", hits, N, N * q, sd);
    CHECK(fabs(hits - N * q) < 4 * sd);
    CHECK(ec_hourly_revocation_prob(0) == 0 && !ec_revoked(7, "x", 1, 0));
}

int main(void)
{
    tap_run("model: MILP equals brute force on 25 tiny fleets (also launch-free, relaxed)", t_brute_force);
    tap_run("model: per-node evacuation cap B x (N - margin)", t_edm_per_node);
    tap_run("model: per-market revocation fits in the other nodes", t_edm_per_market);
    tap_run("model: hot set on on-demand, market cap, on-demand fallback", t_hot_set_and_cap);
    tap_run("model: revocation draws deterministic with the band's frequency", t_revocation_draws);
    return tap_done();
}
