/* model.c - the multi-period fleet optimisation as a MILP solved by GLPK, plus the EDM
 * (evacuation) feasibility check used by the tests and the backtest.
 *
 * Per period k (len[k] hours), with spot markets m and on-demand types j:
 *   n[k,m] spot nodes, o[k,j] on-demand nodes (integer in the first n_integer periods)
 *   y[k,m] GiB of pages on market m, z[k] GiB on on-demand nodes, T[k] memory, N[k] nodes
 *   ls/lo launches, r[k,s] |cost deviation| in price scenario s (MAD risk)
 * minimise  sum_k len_k * (sum_m (p[k,m] + pen_m) n + sum_j od_j o + risk/S * sum_s r)
 *         + sum_k sum (launch_hours (+ switch_hours) * price) * launches
 * s.t.      sum_m y + z = D_k                       all pages placed
 *           z >= K, z <= sum_j mem_j o             hot set on reliable nodes
 *           y_m <= min(mem_m, B (N - margin)) n_m  per-node evacuation (EDM)
 *           y_m <= share * D_k                     SpotWeb's per-market cap
 *           T - mem_m n_m >= D_k                   per-market revocation: the others hold all pages
 *           y_m <= B (N - margin) (N - n_m)        ... and can receive them in time
 *           ls >= n[k] - n[k-1], lo >= o[k] - o[k-1] */
#include "ec.h"

#include <glpk.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ec_config_default(ec_config *c)
{
    memset(c, 0, sizeof *c);
    c->memory_gib = 512;
    c->hot_gib = 0;
    c->horizon = 24;
    c->notice_s = 120;
    c->bw_gbps = 5;
    c->margin_s = 10;
    c->launch_hours = 0.1;
    c->switch_hours = 0.1;
    c->risk_aversion = 0.5;
    c->risk_window = 48;
    c->market_share = 0.5;
    c->cooldown_h = 3;
    c->pools = 4;
    c->seed = 1;
    c->mip_time_s = 0.6;
    c->mip_gap = 1e-4;
    c->hindsight_time_s = 60;
}

static double gib_per_s(const ec_config *c) { return c->bw_gbps * 1e9 / 8.0 / 1073741824.0; }

double ec_evac_cap_gib(const ec_config *c)
{
    double s = c->notice_s - c->margin_s;
    return s > 0 ? gib_per_s(c) * s : 0;
}

double ec_page_cap(const ec_config *c, const ec_itype *t, int spot)
{
    double e = ec_evac_cap_gib(c);
    return spot && e < t->mem_gib ? e : t->mem_gib;
}

double ec_hourly_revocation_prob(double band)
{
    if (!(band > 0))
        return 0;
    if (band >= 1)
        return 1;
    return 1 - pow(1 - band, 1.0 / 730.0); /* 730 hours per month */
}

/* splitmix64: a good, tiny mixer; the draw depends only on (seed, market name, hour) so
 * every policy and every run sees the same revocations. */
static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

int ec_revoked(uint64_t seed, const char *name, int64_t hour, double band)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a of the market name */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    uint64_t x = mix64(mix64(seed) ^ h);
    x = mix64(x ^ (uint64_t)hour);
    double u = (x >> 11) * (1.0 / 9007199254740992.0);
    return u < ec_hourly_revocation_prob(band);
}

int ec_fleet_init(ec_fleet *f, int n_mkts, int n_types)
{
    memset(f, 0, sizeof *f);
    f->n_mkts = n_mkts;
    f->n_types = n_types;
    f->spot = calloc(n_mkts + 1, sizeof *f->spot);
    f->spot_pages = calloc(n_mkts + 1, sizeof *f->spot_pages);
    f->od = calloc(n_types + 1, sizeof *f->od);
    return f->spot && f->spot_pages && f->od ? 0 : -1;
}

void ec_fleet_free(ec_fleet *f)
{
    free(f->spot);
    free(f->spot_pages);
    free(f->od);
    memset(f, 0, sizeof *f);
}

void ec_fleet_copy(ec_fleet *dst, const ec_fleet *src)
{
    memcpy(dst->spot, src->spot, sizeof *dst->spot * src->n_mkts);
    memcpy(dst->spot_pages, src->spot_pages, sizeof *dst->spot_pages * src->n_mkts);
    memcpy(dst->od, src->od, sizeof *dst->od * src->n_types);
    dst->od_pages = src->od_pages;
}

void ec_fleet_clear(ec_fleet *f)
{
    memset(f->spot, 0, sizeof *f->spot * f->n_mkts);
    memset(f->spot_pages, 0, sizeof *f->spot_pages * f->n_mkts);
    memset(f->od, 0, sizeof *f->od * f->n_types);
    f->od_pages = 0;
}

double ec_fleet_nodes(const ec_fleet *f)
{
    double n = 0;
    for (int m = 0; m < f->n_mkts; m++)
        n += f->spot[m];
    for (int j = 0; j < f->n_types; j++)
        n += f->od[j];
    return n;
}

double ec_fleet_mem(const ec_fleet *f, const ec_world *w)
{
    double s = 0;
    for (int m = 0; m < f->n_mkts; m++)
        s += f->spot[m] * w->types[w->mkt_type[m]].mem_gib;
    for (int j = 0; j < f->n_types; j++)
        s += f->od[j] * w->types[j].mem_gib;
    return s;
}

int ec_check_fleet(const ec_world *w, const ec_config *c, const ec_fleet *f, double demand,
                   char *why, size_t why_len)
{
    const double tol = 1e-6 * (1 + demand);
    double E = ec_evac_cap_gib(c), pages = f->od_pages, mem = ec_fleet_mem(f, w);
    double nodes = ec_fleet_nodes(f), od_mem = 0;
    int bad = 0;
#define VIOL(...)                                                                                \
    do {                                                                                         \
        if (!bad++ && why)                                                                       \
            snprintf(why, why_len, __VA_ARGS__);                                                 \
    } while (0)
    for (int j = 0; j < f->n_types; j++)
        od_mem += f->od[j] * w->types[j].mem_gib;
    for (int m = 0; m < f->n_mkts; m++)
        pages += f->spot_pages[m];
    if (pages < demand - tol)
        VIOL("pages placed %.3f GiB < demand %.3f GiB", pages, demand);
    double hot = c->hot_gib < demand ? c->hot_gib : demand;
    if (f->od_pages < hot - tol)
        VIOL("on-demand pages %.3f GiB < hot set %.3f GiB", f->od_pages, hot);
    if (f->od_pages > od_mem + tol)
        VIOL("on-demand pages %.3f GiB > on-demand memory %.3f GiB", f->od_pages, od_mem);
    for (int m = 0; m < f->n_mkts; m++) {
        const ec_itype *t = &w->types[w->mkt_type[m]];
        double n = f->spot[m], y = f->spot_pages[m];
        if (n <= 0 && y <= tol)
            continue;
        if (y > ec_page_cap(c, t, 1) * n + tol)
            VIOL("market %s: %.3f GiB on %g nodes exceeds the per-node evacuation cap %.3f GiB",
                 t->name, y, n, ec_page_cap(c, t, 1));
        if (c->market_share < 1 && y > c->market_share * demand + tol)
            VIOL("market %s: %.3f GiB exceeds the per-market cap", t->name, y);
        if (mem - n * t->mem_gib < demand - tol)
            VIOL("market %s: if revoked, the other nodes' %.3f GiB cannot hold %.3f GiB",
                 t->name, mem - n * t->mem_gib, demand);
        if (y > E * (nodes - n) + tol)
            VIOL("market %s: %.3f GiB cannot reach %g receivers within the notice", t->name, y,
                 nodes - n);
    }
#undef VIOL
    return bad;
}

/* ------------------------------------------------------------ the MILP */

typedef struct {
    glp_prob *lp;
    int *ia, *ja;
    double *ar;
    int nz, cap;
} builder;

static int add_col(builder *b, int kind, double lo, double hi, double cost)
{
    int c = glp_add_cols(b->lp, 1);
    if (hi == INFINITY)
        glp_set_col_bnds(b->lp, c, GLP_LO, lo, 0);
    else if (lo == hi && lo == 0)
        glp_set_col_bnds(b->lp, c, GLP_FX, 0, 0);
    else if (hi == lo)
        glp_set_col_bnds(b->lp, c, GLP_FX, lo, lo);
    else
        glp_set_col_bnds(b->lp, c, GLP_DB, lo, hi);
    glp_set_obj_coef(b->lp, c, cost);
    if (kind)
        glp_set_col_kind(b->lp, c, GLP_IV);
    return c;
}

static int add_row(builder *b, int type, double lo, double hi)
{
    int r = glp_add_rows(b->lp, 1);
    glp_set_row_bnds(b->lp, r, type, lo, hi);
    return r;
}

static void put(builder *b, int row, int col, double v)
{
    if (col <= 0 || v == 0)
        return;
    if (b->nz + 1 >= b->cap) {
        b->cap = b->cap ? 2 * b->cap : 4096;
        b->ia = realloc(b->ia, sizeof *b->ia * b->cap);
        b->ja = realloc(b->ja, sizeof *b->ja * b->cap);
        b->ar = realloc(b->ar, sizeof *b->ar * b->cap);
    }
    b->nz++;
    b->ia[b->nz] = row;
    b->ja[b->nz] = col;
    b->ar[b->nz] = v;
}

void ec_solution_free(ec_solution *s)
{
    for (int k = 0; k < s->P && s->fleets; k++)
        ec_fleet_free(&s->fleets[k]);
    free(s->fleets);
    memset(s, 0, sizeof *s);
}

/* Expected revocation penalty per spot node-hour: the hourly revocation probability times
 * what a revocation costs us: relaunching the nodes and covering their pages on on-demand
 * capacity during the cooldown. */
static double revocation_penalty(const ec_world *w, const ec_config *c, int m, double price,
                                 double od_per_gib)
{
    const ec_itype *t = &w->types[w->mkt_type[m]];
    double q = ec_hourly_revocation_prob(w->band[m]);
    return q * (c->launch_hours * price + c->cooldown_h * od_per_gib * ec_page_cap(c, t, 1));
}

/* Branch-and-cut callback: the best local bound among the active subproblems. Node bounds
 * only grow from parent to child and the active set only loses its weakest nodes, so the
 * largest value seen is a proven lower bound on the integer optimum even if the search is
 * stopped by the time limit. */
static void track_bound(glp_tree *tree, void *info)
{
    double *best = info;
    int node = glp_ios_best_node(tree);
    if (node) {
        double b = glp_ios_node_bound(tree, node);
        if (b > *best)
            *best = b;
    }
}

int ec_solve(const ec_problem *p, ec_solution *s, ec_error *err)
{
    const ec_world *w = p->w;
    const ec_config *c = p->c;
    const int P = p->P, M = w->n_mkts, J = w->n_types;
    double t0 = ec_now_ms();
    memset(s, 0, sizeof *s);
    double E = ec_evac_cap_gib(c);
    double od_per_gib = INFINITY;
    for (int j = 0; j < J; j++)
        if (w->types[j].od_usd / w->types[j].mem_gib < od_per_gib)
            od_per_gib = w->types[j].od_usd / w->types[j].mem_gib;

    glp_term_out(GLP_OFF); /* GLPK prints scaling/basis chatter even at GLP_MSG_OFF */
    builder b = {0};
    b.lp = glp_create_prob();
    glp_set_obj_dir(b.lp, GLP_MIN);
    int *cn = calloc((size_t)P * M, sizeof *cn), *cy = calloc((size_t)P * M, sizeof *cy);
    int *co = calloc((size_t)P * J, sizeof *co);
    int *cz = calloc(P, sizeof *cz), *cT = calloc(P, sizeof *cT), *cN = calloc(P, sizeof *cN);
    double *launch_price = calloc((size_t)P * (M + J), sizeof *launch_price);
    int *cl = calloc((size_t)P * (M + J), sizeof *cl);

    for (int k = 0; k < P; k++) {
        double D = p->demand[k], L = p->len[k];
        int integer = k < p->n_integer;
        double hot = c->hot_gib < D ? c->hot_gib : D;
        cz[k] = add_col(&b, 0, hot, INFINITY, 0);
        cT[k] = add_col(&b, 0, 0, INFINITY, 0);
        cN[k] = add_col(&b, 0, 0, INFINITY, 0);
        for (int m = 0; m < M && p->allow_spot; m++) {
            double pr = p->price[(size_t)k * M + m];
            if (isnan(pr) || (p->allowed && !p->allowed[m]))
                continue;
            const ec_itype *t = &w->types[w->mkt_type[m]];
            double cap = ec_page_cap(c, t, 1);
            if (cap <= 0)
                continue;
            /* bounds only help branch-and-bound; LP periods stay unbounded so the relaxation
             * (the oracle) contains every fleet a policy could hold */
            double ub = integer ? ceil(D / cap) + 1 : INFINITY, lo = 0;
            if (k == 0 && p->lower && p->fix_spot)
                lo = ub = p->lower->spot[m];
            double cost = L * (pr + (p->penalties ? revocation_penalty(w, c, m, pr, od_per_gib) : 0));
            cn[k * M + m] = add_col(&b, integer, lo, ub, cost);
            double ycap = c->market_share < 1 ? c->market_share * D : INFINITY;
            cy[k * M + m] = add_col(&b, 0, 0, ycap, 0);
            launch_price[(size_t)k * (M + J) + m] = pr;
        }
        for (int j = 0; j < J; j++) {
            if (p->od_allowed && !p->od_allowed[j] && !(k == 0 && p->lower && p->lower->od[j] > 0))
                continue;
            double ub = integer ? ceil(D / w->types[j].mem_gib) + 1 : INFINITY, lo = 0;
            if (k == 0 && p->lower) {
                lo = p->lower->od[j];
                if (ub < lo)
                    ub = integer ? lo : INFINITY;
            }
            co[k * J + j] = add_col(&b, integer, lo, ub, L * w->types[j].od_usd);
            launch_price[(size_t)k * (M + J) + M + j] = w->types[j].od_usd;
        }
        /* pages, hot set, memory and node totals */
        int r = add_row(&b, GLP_FX, D, D);
        put(&b, r, cz[k], 1);
        int rod = add_row(&b, GLP_LO, 0, 0);
        put(&b, rod, cz[k], -1);
        int rT = add_row(&b, GLP_FX, 0, 0), rN = add_row(&b, GLP_FX, 0, 0);
        put(&b, rT, cT[k], 1);
        put(&b, rN, cN[k], 1);
        for (int j = 0; j < J; j++) {
            put(&b, rod, co[k * J + j], w->types[j].mem_gib);
            put(&b, rT, co[k * J + j], -w->types[j].mem_gib);
            put(&b, rN, co[k * J + j], -1);
        }
        for (int m = 0; m < M; m++) {
            int n = cn[k * M + m], y = cy[k * M + m];
            if (!n)
                continue;
            const ec_itype *t = &w->types[w->mkt_type[m]];
            put(&b, r, y, 1);
            put(&b, rT, n, -t->mem_gib);
            put(&b, rN, n, -1);
            int rc = add_row(&b, GLP_UP, 0, 0); /* per-node evacuation cap */
            put(&b, rc, y, 1);
            put(&b, rc, n, -ec_page_cap(c, t, 1));
            if (p->relax_market_edm) /* analysis only: what the headroom costs */
                continue;
            int rm = add_row(&b, GLP_LO, D, 0); /* market revoked: others hold everything */
            put(&b, rm, cT[k], 1);
            put(&b, rm, n, -t->mem_gib);
            int rb = add_row(&b, GLP_UP, 0, 0); /* ...and receive it within the notice */
            put(&b, rb, y, 1);
            put(&b, rb, cN[k], -E);
            put(&b, rb, n, E);
        }
        /* launches against the previous period (or the current fleet) */
        for (int i = 0; i < M + J; i++) {
            int x = i < M ? cn[k * M + i] : co[k * J + i - M];
            if (!x)
                continue;
            double carry_const = 0;
            int carry_col = 0;
            if (k == 0) {
                if (p->free_start)
                    continue;
                if (p->start)
                    carry_const = i < M ? p->start->spot[i] : p->start->od[i - M];
            } else if (!(i < M && p->revoked && p->revoked[(size_t)(k - 1) * M + i])) {
                carry_col = i < M ? cn[(k - 1) * M + i] : co[(k - 1) * J + i - M];
            }
            double lp = launch_price[(size_t)k * (M + J) + i];
            double lcost = (c->launch_hours + (i < M ? p->switch_hours : 0)) * lp;
            int l = add_col(&b, 0, 0, INFINITY, lcost);
            cl[(size_t)k * (M + J) + i] = l;
            int rl = add_row(&b, GLP_LO, -carry_const, 0);
            put(&b, rl, l, 1);
            put(&b, rl, x, -1);
            put(&b, rl, carry_col, 1);
        }
        /* MAD risk: mean |portfolio cost deviation| over the price scenarios */
        /* Deviations are in USD (1e-4..1e-2); rows are scaled by RS so the simplex sees
         * coefficients near 1, and sub-micro-dollar noise is dropped. */
        const double RS = 1000;
        for (int sc = 0; sc < p->n_scen && p->risk_weight > 0; sc++) {
            int rc = add_col(&b, 0, 0, INFINITY, L * p->risk_weight / p->n_scen / RS);
            int r1 = add_row(&b, GLP_LO, 0, 0), r2 = add_row(&b, GLP_LO, 0, 0);
            put(&b, r1, rc, 1);
            put(&b, r2, rc, 1);
            for (int m = 0; m < M; m++) {
                double d = p->risk_dev[(size_t)sc * M + m];
                if (fabs(d) < 1e-6)
                    continue;
                put(&b, r1, cn[k * M + m], -d * RS);
                put(&b, r2, cn[k * M + m], d * RS);
            }
        }
    }
    glp_load_matrix(b.lp, b.nz, b.ia, b.ja, b.ar);

    /* Scale, solve the LP relaxation by simplex (presolve first, plain simplex if the
     * presolver gives up on a degenerate instance), then branch-and-cut from that basis. */
    int rc = 0, has_int = p->n_integer > 0;
    glp_scale_prob(b.lp, GLP_SF_AUTO);
    glp_smcp sm;
    glp_init_smcp(&sm);
    sm.msg_lev = GLP_MSG_OFF;
    sm.presolve = GLP_ON;
    int ret = glp_simplex(b.lp, &sm);
    if (ret != 0 || glp_get_status(b.lp) != GLP_OPT) {
        sm.presolve = GLP_OFF;
        glp_adv_basis(b.lp, 0);
        ret = glp_simplex(b.lp, &sm);
    }
    if (ret != 0 || glp_get_status(b.lp) != GLP_OPT)
        rc = ec_fail(err, "LP relaxation not solved (glpk ret %d, status %d)", ret,
                     glp_get_status(b.lp));
    double bound = rc == 0 ? glp_get_obj_val(b.lp) : -INFINITY; /* the LP relaxation's */
    if (rc == 0 && has_int) {
        glp_iocp parm;
        glp_init_iocp(&parm);
        parm.msg_lev = GLP_MSG_OFF;
        parm.presolve = GLP_OFF;
        parm.tm_lim = (int)(c->mip_time_s * 1000);
        parm.mip_gap = c->mip_gap;
        parm.fp_heur = GLP_ON;
        parm.mir_cuts = GLP_ON;
        parm.gmi_cuts = GLP_ON;
        parm.cb_func = track_bound;
        parm.cb_info = &bound;
        ret = glp_intopt(b.lp, &parm);
        int st = glp_mip_status(b.lp);
        if (st == GLP_OPT)
            s->status = 0;
        else if (st == GLP_FEAS)
            s->status = 1;
        else
            rc = ec_fail(err, "MILP: no integer fleet found (glpk ret %d, status %d)", ret, st);
        /* Solved to the gap: the optimum is within mip_gap of the incumbent. */
        if (st == GLP_OPT) {
            double v = glp_mip_obj_val(b.lp), g = parm.mip_gap * (fabs(v) + 2.2e-16);
            if (v - g > bound)
                bound = v - g;
        }
    }
    if (rc == 0) {
        s->P = P;
        s->fleets = calloc(P, sizeof *s->fleets);
        s->objective = has_int ? glp_mip_obj_val(b.lp) : glp_get_obj_val(b.lp);
        s->bound = bound < s->objective ? bound : s->objective;
        s->cost = 0;
#define VAL(col) ((col) ? (has_int ? glp_mip_col_val(b.lp, col) : glp_get_col_prim(b.lp, col)) : 0.0)
        for (int k = 0; k < P; k++) {
            ec_fleet *f = &s->fleets[k];
            ec_fleet_init(f, M, J);
            int integer = k < p->n_integer;
            for (int m = 0; m < M; m++) {
                double v = VAL(cn[k * M + m]);
                f->spot[m] = integer ? round(v) : v;
                f->spot_pages[m] = VAL(cy[k * M + m]);
                if (f->spot[m])
                    s->cost += p->len[k] * p->price[(size_t)k * M + m] * f->spot[m];
            }
            for (int j = 0; j < J; j++) {
                double v = VAL(co[k * J + j]);
                f->od[j] = integer ? round(v) : v;
                s->cost += p->len[k] * w->types[j].od_usd * f->od[j];
            }
            f->od_pages = VAL(cz[k]);
            for (int i = 0; i < M + J; i++)
                s->cost += c->launch_hours * launch_price[(size_t)k * (M + J) + i] *
                           VAL(cl[(size_t)k * (M + J) + i]);
        }
#undef VAL
    }
    glp_delete_prob(b.lp);
    free(b.ia);
    free(b.ja);
    free(b.ar);
    free(cn);
    free(cy);
    free(co);
    free(cz);
    free(cT);
    free(cN);
    free(cl);
    free(launch_price);
    s->ms = ec_now_ms() - t0;
    return rc;
}
