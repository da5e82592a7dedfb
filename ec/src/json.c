/* json.c - a minimal streaming JSON writer (objects, arrays, numbers, strings). */
#include "ec.h"

#include <math.h>
#include <stdio.h>

void ec_json_begin(ec_json *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = 1;
}

static void sep(ec_json *j, const char *key)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = 0;
    if (key) {
        fputc('"', j->f);
        for (const char *p = key; *p; p++)
            fputc(*p, j->f);
        fputs("\":", j->f);
    }
}

static void open_(ec_json *j, const char *key, char c)
{
    sep(j, key);
    fputc(c, j->f);
    if (j->depth < 31)
        j->depth++;
    j->first[j->depth] = 1;
}

void ec_json_obj(ec_json *j, const char *key) { open_(j, key, '{'); }
void ec_json_arr(ec_json *j, const char *key) { open_(j, key, '['); }

void ec_json_end_obj(ec_json *j)
{
    j->depth--;
    fputc('}', j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void ec_json_end_arr(ec_json *j)
{
    j->depth--;
    fputc(']', j->f);
    if (j->depth == 0)
        fputc('\n', j->f);
}

void ec_json_num(ec_json *j, const char *key, double v)
{
    sep(j, key);
    if (isfinite(v))
        fprintf(j->f, "%.10g", v);
    else
        fputs("null", j->f);
}

void ec_json_int(ec_json *j, const char *key, long long v)
{
    sep(j, key);
    fprintf(j->f, "%lld", v);
}

void ec_json_bool(ec_json *j, const char *key, int v)
{
    sep(j, key);
    fputs(v ? "true" : "false", j->f);
}

void ec_json_str(ec_json *j, const char *key, const char *v)
{
    sep(j, key);
    fputc('"', j->f);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(j->f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(j->f, "\\u%04x", *p);
        else
            fputc(*p, j->f);
    }
    fputc('"', j->f);
}

void ec_json_result(ec_json *j, const ec_result *r)
{
    ec_json_str(j, "policy", ec_policy_name(r->policy));
    ec_json_int(j, "hours", r->hours);
    ec_json_num(j, "cost_usd", r->cost_usd);
    ec_json_num(j, "on_demand_cost_usd", r->on_demand_cost_usd);
    ec_json_num(j, "cost_ratio", r->cost_ratio);
    ec_json_int(j, "revocations", r->revocations);
    ec_json_int(j, "deadline_violations", r->deadline_violations);
    ec_json_num(j, "lost_gib", r->lost_gib);
    ec_json_num(j, "max_decision_ms", r->max_decision_ms);
    ec_json_num(j, "mean_decision_ms", r->mean_decision_ms);
    ec_json_int(j, "fallback_hours", r->fallbacks);
    ec_json_num(j, "launches", r->launches);
    ec_json_num(j, "spot_usd", r->spot_usd);
    ec_json_num(j, "od_usd", r->od_usd);
    ec_json_num(j, "launch_usd", r->launch_usd);
    if (r->policy == EC_HINDSIGHT)
        ec_json_int(j, "bound_hours", r->bound_hours);
}
