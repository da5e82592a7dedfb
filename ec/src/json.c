/* json.c - ec's JSON through json-c: numbers as ec has always printed them, results. */
#include "ec.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>

json_object *ec_json_num(double v)
{
    char s[32];
    if (!isfinite(v))
        return NULL; /* null: JSON has no infinity or NaN */
    /* ten digits, not json-c's seventeen: scripts compare and read these */
    snprintf(s, sizeof s, "%.10g", v);
    return json_object_new_double_s(v, s);
}

json_object *ec_json_result(const ec_result *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "policy", json_object_new_string(ec_policy_name(r->policy)));
    json_object_object_add(o, "hours", json_object_new_int(r->hours));
    json_object_object_add(o, "cost_usd", ec_json_num(r->cost_usd));
    json_object_object_add(o, "on_demand_cost_usd", ec_json_num(r->on_demand_cost_usd));
    json_object_object_add(o, "cost_ratio", ec_json_num(r->cost_ratio));
    json_object_object_add(o, "revocations", json_object_new_int(r->revocations));
    json_object_object_add(o, "deadline_violations", json_object_new_int(r->deadline_violations));
    json_object_object_add(o, "lost_gib", ec_json_num(r->lost_gib));
    json_object_object_add(o, "max_decision_ms", ec_json_num(r->max_decision_ms));
    json_object_object_add(o, "mean_decision_ms", ec_json_num(r->mean_decision_ms));
    json_object_object_add(o, "fallback_hours", json_object_new_int(r->fallbacks));
    json_object_object_add(o, "launches", ec_json_num(r->launches));
    json_object_object_add(o, "spot_usd", ec_json_num(r->spot_usd));
    json_object_object_add(o, "od_usd", ec_json_num(r->od_usd));
    json_object_object_add(o, "launch_usd", ec_json_num(r->launch_usd));
    if (r->policy == EC_HINDSIGHT)
        json_object_object_add(o, "bound_hours", json_object_new_int(r->bound_hours));
    return o;
}

void ec_json_print(json_object *o, FILE *f)
{
    /* one line, '/' as is: "spotos-ec-plan/1" */
    fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                JSON_C_TO_STRING_NOSLASHESCAPE), f);
    fputc('\n', f);
    json_object_put(o);
}
