/* backtest.c - replay the trace hour by hour: decide, fall back to on-demand if the
 * decision cannot hold the realised demand, bill, then apply this hour's revocations and
 * evacuate. Also the hindsight oracle. */
#include "ec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned char *ec_revocation_events(const ec_world *w, const ec_config *c, int start, int end)
{
    unsigned char *ev = calloc((size_t)w->n_hours * w->n_mkts + 1, 1);
    for (int h = start; h < end; h++)
        for (int m = 0; m < w->n_mkts; m++)
            ev[(size_t)h * w->n_mkts + m] =
                ec_revoked(c->seed, w->types[w->mkt_type[m]].name, w->hour0 + h, w->band[m]);
    return ev;
}

unsigned char *ec_cooldown_mask(const ec_world *w, const ec_config *c, const unsigned char *ev,
                                int start, int end)
{
    unsigned char *cd = calloc((size_t)w->n_hours * w->n_mkts + 1, 1);
    for (int h = start; h < end; h++)
        for (int m = 0; m < w->n_mkts; m++)
            if (ev[(size_t)h * w->n_mkts + m])
                for (int k = 1; k <= c->cooldown_h && h + k < w->n_hours; k++)
                    cd[(size_t)(h + k) * w->n_mkts + m] = 1;
    return cd;
}

double ec_evacuate(const ec_world *w, const ec_config *c, ec_fleet *f, int m)
{
    double n = f->spot[m], pages = f->spot_pages[m];
    f->spot[m] = 0;
    f->spot_pages[m] = 0;
    if (n <= 0 || pages <= 0)
        return 0;
    /* The deadline is the full notice (the margin is only for planning). Senders and
     * receivers each move B GiB/s. */
    double per_node_s = c->bw_gbps * 1e9 / 8.0 / 1073741824.0 * c->notice_s;
    double send = n * fmin(pages / n, per_node_s);
    double receivers = ec_fleet_nodes(f);
    double recv = receivers * per_node_s;
    double mem = ec_fleet_mem(f, w), used = f->od_pages;
    for (int i = 0; i < f->n_mkts; i++)
        used += f->spot_pages[i];
    double free_mem = mem - used > 0 ? mem - used : 0;
    double moved = fmin(fmin(pages, send), fmin(recv, free_mem));
    /* Moved pages land in proportion to each market's free memory. */
    if (moved > 0 && free_mem > 0) {
        double od_mem = 0;
        for (int j = 0; j < f->n_types; j++)
            od_mem += f->od[j] * w->types[j].mem_gib;
        f->od_pages += moved * fmax(0, od_mem - f->od_pages) / free_mem;
        for (int i = 0; i < f->n_mkts; i++) {
            double free_i = f->spot[i] * w->types[w->mkt_type[i]].mem_gib - f->spot_pages[i];
            f->spot_pages[i] += moved * fmax(0, free_i) / free_mem;
        }
    }
    return pages - moved;
}

static double fleet_spot_cost(const ec_world *w, const ec_fleet *f, int t)
{
    double s = 0;
    for (int m = 0; m < w->n_mkts; m++)
        if (f->spot[m] > 0)
            s += f->spot[m] * ec_price(w, t, m);
    return s;
}

static double fleet_od_cost(const ec_world *w, const ec_fleet *f)
{
    double s = 0;
    for (int j = 0; j < w->n_types; j++)
        s += f->od[j] * w->types[j].od_usd;
    return s;
}

static double fleet_hour_cost(const ec_world *w, const ec_fleet *f, int t)
{
    return fleet_spot_cost(w, f, t) + fleet_od_cost(w, f);
}

static double launch_cost(const ec_world *w, const ec_config *c, const ec_fleet *from,
                          const ec_fleet *to, int t, double *launches)
{
    double s = 0;
    for (int m = 0; m < w->n_mkts; m++)
        if (to->spot[m] > from->spot[m]) {
            s += (to->spot[m] - from->spot[m]) * c->launch_hours * ec_price(w, t, m);
            *launches += to->spot[m] - from->spot[m];
        }
    for (int j = 0; j < w->n_types; j++)
        if (to->od[j] > from->od[j]) {
            s += (to->od[j] - from->od[j]) * c->launch_hours * w->types[j].od_usd;
            *launches += to->od[j] - from->od[j];
        }
    return s;
}

static void result_init(ec_result *r, const ec_world *w, ec_policy p, const ec_bt_opts *o)
{
    memset(r, 0, sizeof *r);
    r->policy = p;
    r->hours = o->end - o->start;
    r->start = o->start;
    r->n_mkts = w->n_mkts;
    r->cum_cost = calloc(r->hours + 1, sizeof *r->cum_cost);
    r->mix = calloc((size_t)(r->hours + 1) * (w->n_mkts + 1), sizeof *r->mix);
}

static void record_mix(ec_result *r, const ec_fleet *f, int i)
{
    double *row = r->mix + (size_t)i * (r->n_mkts + 1);
    for (int m = 0; m < r->n_mkts; m++)
        row[m] = f->spot[m];
    for (int j = 0; j < f->n_types; j++)
        row[r->n_mkts] += f->od[j];
}

/* The on-demand baseline: the cheapest on-demand fleet holding M, kept all along. */
static int on_demand_baseline(const ec_world *w, const ec_config *c, const ec_bt_opts *o,
                              double *cost, ec_error *err)
{
    ec_fleet f, empty;
    ec_fleet_init(&f, w->n_mkts, w->n_types);
    ec_fleet_init(&empty, w->n_mkts, w->n_types);
    int rc = ec_on_demand_fleet(w, c, c->memory_gib, &f, err);
    double launches = 0;
    if (rc == 0)
        *cost = launch_cost(w, c, &empty, &f, o->start, &launches) +
                (o->end - o->start) * fleet_hour_cost(w, &f, o->start);
    ec_fleet_free(&f);
    ec_fleet_free(&empty);
    return rc;
}

/* What every replay starts with: the range, the result, the on-demand baseline, and the
 * seed's revocations with the cooldowns they cause (*ev and *cd, freed by the caller). */
static int replay_begin(const ec_world *w, const ec_config *c, const ec_bt_opts *o, ec_policy p,
                        ec_result *r, unsigned char **ev, unsigned char **cd, ec_error *err)
{
    if (o->start < 0 || o->end > w->n_hours || o->start >= o->end)
        return ec_fail(err, "empty replay range");
    result_init(r, w, p, o);
    if (on_demand_baseline(w, c, o, &r->on_demand_cost_usd, err))
        return -1;
    *ev = ec_revocation_events(w, c, o->start, o->end);
    *cd = ec_cooldown_mask(w, c, *ev, o->start, o->end);
    return 0;
}

static double realised_demand(const ec_world *w, const ec_config *c, int t)
{
    return w->demand ? w->demand[t] : c->memory_gib;
}

int ec_backtest(const ec_world *w, const ec_config *c, ec_policy p, const ec_bt_opts *o,
                ec_result *r, ec_error *err)
{
    if (p == EC_ORACLE)
        return ec_oracle(w, c, o, r, err);
    if (p == EC_HINDSIGHT)
        return ec_hindsight(w, c, o, r, err);
    const int M = w->n_mkts;
    unsigned char *ev, *cd;
    if (replay_begin(w, c, o, p, r, &ev, &cd, err))
        return -1;
    unsigned char *avail = malloc(M + 1);
    ec_fleet cur, next;
    ec_fleet_init(&cur, M, w->n_types);
    ec_fleet_init(&next, M, w->n_types);
    int rc = 0;
    double total_ms = 0;
    for (int t = o->start; t < o->end; t++) {
        int i = t - o->start;
        for (int m = 0; m < M; m++) {
            avail[m] = !cd[(size_t)t * M + m] && !isnan(ec_price(w, t, m));
            if (!avail[m]) /* market gone: its nodes were drained (planned, not evacuated) */
                cur.spot[m] = cur.spot_pages[m] = 0;
        }
        ec_decision_ctx x = {.w = w, .c = c, .t = t, .available = avail, .current = &cur,
                             .demand_hist = w->demand};
        double t0 = ec_now_ms();
        if ((rc = ec_decide(p, &x, &next, err))) {
            char when[32], msg[EC_ERR_MAX];
            ec_format_hour(w->hour0 + t, when);
            snprintf(msg, sizeof msg, "%s", err->msg);
            ec_fail(err, "hour %s: %.400s", when, msg);
            break;
        }
        double ms = ec_now_ms() - t0;
        total_ms += ms;
        if (ms > r->max_decision_ms)
            r->max_decision_ms = ms;
        int added = ec_repair(w, c, t, avail, &next, realised_demand(w, c, t), err);
        if (added < 0) {
            rc = -1;
            break;
        }
        r->fallbacks += added > 0;
        double spot = fleet_spot_cost(w, &next, t), od = fleet_od_cost(w, &next);
        double launch = launch_cost(w, c, &cur, &next, t, &r->launches);
        r->spot_usd += spot;
        r->od_usd += od;
        r->launch_usd += launch;
        r->cost_usd += spot + od + launch;
        r->cum_cost[i] = r->cost_usd;
        record_mix(r, &next, i);
        ec_fleet_copy(&cur, &next);
        for (int m = 0; m < M; m++)
            if (ev[(size_t)t * M + m] && cur.spot[m] > 0) {
                r->revocations++;
                double lost = ec_evacuate(w, c, &cur, m);
                if (lost > 1e-9) {
                    r->deadline_violations++;
                    r->lost_gib += lost;
                }
            }
        if (o->progress && (i + 1) % 168 == 0)
            fprintf(stderr, "ec: %s: %d/%d hours, %.2f USD\n", ec_policy_name(p), i + 1,
                    r->hours, r->cost_usd);
    }
    r->mean_decision_ms = total_ms / r->hours;
    r->cost_ratio = r->on_demand_cost_usd > 0 ? r->cost_usd / r->on_demand_cost_usd : NAN;
    ec_fleet_free(&cur);
    ec_fleet_free(&next);
    free(avail);
    free(ev);
    free(cd);
    return rc;
}

/* Hindsight lower bound: the same model, LP-relaxed, over the realised prices, demand and
 * revocations, solved in weekly blocks. Each block may start from any fleet for free, so
 * the sum of the blocks' optima is <= the cost of any policy's trajectory (every policy's
 * hourly fleet is feasible for the block model and pays at least the block's launches). */
int ec_oracle(const ec_world *w, const ec_config *c, const ec_bt_opts *o, ec_result *r,
              ec_error *err)
{
    const int M = w->n_mkts, B = 168;
    unsigned char *ev, *cd;
    if (replay_begin(w, c, o, EC_ORACLE, r, &ev, &cd, err))
        return -1;
    int *len = malloc(sizeof *len * B);
    unsigned char *od = malloc(w->n_types + 1);
    ec_od_undominated(w, od);
    double *price = malloc(sizeof *price * (size_t)B * (M + 1));
    double *demand = malloc(sizeof *demand * B);
    int rc = 0;
    for (int b0 = o->start; b0 < o->end && rc == 0; b0 += B) {
        int P = o->end - b0 < B ? o->end - b0 : B;
        for (int k = 0; k < P; k++) {
            len[k] = 1;
            demand[k] = realised_demand(w, c, b0 + k);
            for (int m = 0; m < M; m++)
                price[(size_t)k * M + m] = cd[(size_t)(b0 + k) * M + m] ? NAN : ec_price(w, b0 + k, m);
        }
        /* Dominated on-demand types can go even here: swapping one for its dominator keeps
         * node count, adds memory and costs no more, so the bound stays valid. */
        ec_problem p = {.w = w, .c = c, .P = P, .len = len, .price = price, .demand = demand,
                        .free_start = 1, .revoked = ev + (size_t)b0 * M, .n_integer = 0,
                        .allow_spot = 1, .od_allowed = od,
                        .relax_market_edm = c->relax_market_edm};
        ec_solution s;
        double t0 = ec_now_ms();
        if ((rc = ec_solve(&p, &s, err)))
            break;
        double ms = ec_now_ms() - t0;
        if (ms > r->max_decision_ms)
            r->max_decision_ms = ms;
        for (int k = 0; k < P; k++) {
            int i = b0 + k - o->start;
            record_mix(r, &s.fleets[k], i);
            for (int m = 0; m < M; m++)
                if (ev[(size_t)(b0 + k) * M + m] && s.fleets[k].spot[m] > 1e-6)
                    r->revocations++;
        }
        /* cumulative cost inside the block from the per-period node-hours; launches are in
         * the block total */
        double before = r->cost_usd;
        for (int k = 0; k < P; k++) {
            double spot = fleet_spot_cost(w, &s.fleets[k], b0 + k);
            double odc = fleet_od_cost(w, &s.fleets[k]);
            r->spot_usd += spot;
            r->od_usd += odc;
            r->launch_usd -= spot + odc;
            before += spot + odc;
            r->cum_cost[b0 + k - o->start] = before;
        }
        r->launch_usd += s.cost;
        r->cost_usd += s.cost;
        r->cum_cost[b0 + P - 1 - o->start] = r->cost_usd;
        ec_solution_free(&s);
        if (o->progress)
            fprintf(stderr, "ec: oracle: %d/%d hours, %.2f USD\n", b0 + P - o->start, r->hours,
                    r->cost_usd);
    }
    r->mean_decision_ms = r->max_decision_ms;
    r->cost_ratio = r->on_demand_cost_usd > 0 ? r->cost_usd / r->on_demand_cost_usd : NAN;
    free(len);
    free(od);
    free(price);
    free(demand);
    free(ev);
    free(cd);
    return rc;
}

/* Hindsight per-hour integer bound. Every policy's fleet at hour t is, after ec_repair, an
 * integer fleet that meets every constraint at the realised demand using only markets that
 * are priced and not cooling down, and the policy pays its node-hours at the realised prices
 * plus launches (>= 0). So it is feasible for this hour's problem, which has the same rows,
 * and pays at least the hour's optimum. Two restrictions of ec_solve lose nothing here:
 * dominated on-demand types (see the oracle) and the integer upper bounds
 * ceil(D / cap) + 1: with ceil(D / cap_m) nodes, market m alone holds D GiB of memory and
 * can receive D GiB within the notice, so more of them relieve no constraint; an on-demand
 * type with ceil(D / mem_j) nodes holds all pages on its own and makes every spot node
 * unnecessary. Gap 0; an hour that hits the time limit contributes the solver's proven
 * bound instead of a fleet's cost and is counted in bound_hours. */
int ec_hindsight(const ec_world *w, const ec_config *c, const ec_bt_opts *o, ec_result *r,
                 ec_error *err)
{
    const int M = w->n_mkts;
    unsigned char *ev, *cd;
    if (replay_begin(w, c, o, EC_HINDSIGHT, r, &ev, &cd, err))
        return -1;
    ec_config hc = *c;
    hc.mip_gap = 0;
    hc.mip_time_s = c->hindsight_time_s;
    unsigned char *od = malloc(w->n_types + 1);
    ec_od_undominated(w, od);
    double *price = malloc(sizeof *price * (M + 1));
    ec_fleet prev;
    ec_fleet_init(&prev, M, w->n_types);
    int rc = 0, one = 1;
    double total_ms = 0;
    for (int t = o->start; t < o->end && rc == 0; t++) {
        int i = t - o->start;
        double demand = realised_demand(w, c, t);
        for (int m = 0; m < M; m++)
            price[m] = cd[(size_t)t * M + m] ? NAN : ec_price(w, t, m);
        ec_problem p = {.w = w, .c = &hc, .P = 1, .len = &one, .price = price, .demand = &demand,
                        .free_start = 1, .n_integer = 1, .allow_spot = 1, .od_allowed = od,
                        .relax_market_edm = c->relax_market_edm};
        ec_solution s;
        double t0 = ec_now_ms(), hour;
        if (ec_solve(&p, &s, err)) {
            /* time limit without an integer fleet: the LP relaxation still bounds the hour */
            p.n_integer = 0;
            if ((rc = ec_solve(&p, &s, err))) {
                char when[32], msg[EC_ERR_MAX];
                ec_format_hour(w->hour0 + t, when);
                snprintf(msg, sizeof msg, "%s", err->msg);
                ec_fail(err, "hour %s: %.400s", when, msg);
                break;
            }
            s.status = 1;
        }
        double ms = ec_now_ms() - t0;
        total_ms += ms;
        if (ms > r->max_decision_ms)
            r->max_decision_ms = ms;
        const ec_fleet *f = &s.fleets[0];
        if (s.status == 0) {
            hour = s.cost;
        } else {
            hour = s.bound;
            r->bound_hours++;
        }
        r->spot_usd += fleet_spot_cost(w, f, t);
        r->od_usd += fleet_od_cost(w, f);
        r->launch_usd += launch_cost(w, c, &prev, f, t, &r->launches);
        r->cost_usd += hour;
        r->cum_cost[i] = r->cost_usd;
        record_mix(r, f, i);
        ec_fleet_copy(&prev, f);
        for (int m = 0; m < M; m++)
            if (ev[(size_t)t * M + m] && prev.spot[m] > 0) {
                r->revocations++;
                prev.spot[m] = prev.spot_pages[m] = 0;
            }
        ec_solution_free(&s);
        if (o->progress && (i + 1) % 168 == 0)
            fprintf(stderr, "ec: hindsight: %d/%d hours, %.2f USD\n", i + 1, r->hours,
                    r->cost_usd);
    }
    r->mean_decision_ms = total_ms / r->hours;
    r->cost_ratio = r->on_demand_cost_usd > 0 ? r->cost_usd / r->on_demand_cost_usd : NAN;
    ec_fleet_free(&prev);
    free(price);
    free(od);
    free(ev);
    free(cd);
    return rc;
}

void ec_result_free(ec_result *r)
{
    free(r->cum_cost);
    free(r->mix);
    memset(r, 0, sizeof *r);
}
