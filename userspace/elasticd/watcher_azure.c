// SPDX-License-Identifier: GPL-2.0
/*
 * Azure watcher: Scheduled Events. Acts on EventType "Preempt" events that
 * list this VM (azure_resource) in Resources; an event that disappears from
 * the document is a cancellation; once the drain has finished the event is
 * approved (POST StartRequests) so Azure need not wait out the notice.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "timeutil.h"
#include "watcher.h"

#define EVENTS_PATH "/metadata/scheduledevents?api-version=2020-07-01"
#define MAX_TRACKED 16

struct tracked {
	char id[72];
	time_t when;
	int approved;
	int seen;	/* present in the current document */
};

struct azure {
	struct tracked ev[MAX_TRACKED];
	int n;
	int overflow_logged;
};

static int azure_init(struct ed_watcher *w)
{
	w->priv = calloc(1, sizeof(struct azure));
	return w->priv ? 0 : -1;
}

static void azure_fini(struct ed_watcher *w)
{
	free(w->priv);
	w->priv = NULL;
}

/* EventIds are GUIDs; they go back into a JSON body, so keep them tame. */
static int id_ok(const char *id)
{
	size_t n = strlen(id);

	if (!n || n >= sizeof(((struct tracked *)0)->id))
		return 0;
	for (; *id; id++)
		if (!isalnum((unsigned char)*id) && *id != '-')
			return 0;
	return 1;
}

static int lists_us(struct ed_watcher *w, json_object *resources)
{
	size_t n = json_object_array_length(resources);

	for (size_t i = 0; i < n; i++) {
		json_object *v = json_object_array_get_idx(resources, i);

		if (json_object_is_type(v, json_type_string) &&
		    !strcmp(json_object_get_string(v), w->cfg.azure_resource))
			return 1;
	}
	return 0;
}

static struct tracked *find(struct azure *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->ev[i].id, id))
			return &s->ev[i];
	return NULL;
}

static void notice(struct ed_watcher *w, enum ed_notice_type type, const char *id, time_t when)
{
	struct ed_notice n = { .type = type, .provider = ED_PROV_AZURE, .when = when };

	snprintf(n.reason, sizeof(n.reason), "azure-preempt");
	snprintf(n.id, sizeof(n.id), "%s", id);
	ed_watcher_report(w, &n);
}

/* Validates the whole document before acting on any of it: a half-valid
 * document must not look like a cancellation of the events it lost. */
static int check_doc(struct ed_watcher *w, json_object *doc, json_object **events)
{
	json_object *inc;
	size_t n;

	if (!json_object_is_type(doc, json_type_object) ||
	    !json_object_object_get_ex(doc, "DocumentIncarnation", &inc) ||
	    !json_object_is_type(inc, json_type_int) ||
	    !json_object_object_get_ex(doc, "Events", events) ||
	    !json_object_is_type(*events, json_type_array)) {
		ed_watcher_error(w, "scheduledevents: want integer DocumentIncarnation and array Events");
		return -1;
	}
	n = json_object_array_length(*events);
	for (size_t i = 0; i < n; i++) {
		json_object *e = json_object_array_get_idx(*events, i), *res;
		const char *id = ed_json_str(e, "EventId");

		if (!id || !ed_json_str(e, "EventType") || !ed_json_str(e, "NotBefore") ||
		    !json_object_object_get_ex(e, "Resources", &res) ||
		    !json_object_is_type(res, json_type_array)) {
			ed_watcher_error(w, "scheduledevents: Events[%zu] lacks string EventId/"
					 "EventType/NotBefore or array Resources", i);
			return -1;
		}
		if (!id_ok(id)) {
			ed_watcher_error(w, "scheduledevents: Events[%zu] has a malformed EventId", i);
			return -1;
		}
	}
	return 0;
}

static void handle_event(struct ed_watcher *w, struct azure *s, json_object *e)
{
	const char *id = ed_json_str(e, "EventId"), *type = ed_json_str(e, "EventType");
	const char *nb = ed_json_str(e, "NotBefore"), *status = ed_json_str(e, "EventStatus");
	json_object *res;
	struct tracked *t;
	time_t when = 0;

	json_object_object_get_ex(e, "Resources", &res);
	if (!lists_us(w, res))
		return;
	if (strcmp(type, "Preempt")) {
		if (!find(s, id))
			log_info("azure watcher: ignoring %s event %s for this VM", type, id);
		return;
	}
	if (*nb) {
		if (ed_parse_rfc1123(nb, &when)) {
			/* Still a preemption: drain within the Azure window. */
			log_warn("azure watcher: event %s: unparsable NotBefore '%.40s'", id, nb);
			when = 0;
		}
	} else if (status && !strcmp(status, "Started")) {
		when = ed_wall_now();	/* started events carry no NotBefore: now */
	}
	t = find(s, id);
	if (t) {
		t->seen = 1;
		if (when && (!t->when || when < t->when)) {
			t->when = when;
			notice(w, ED_NOTICE_INTERRUPT, id, when);	/* moved earlier */
		}
		return;
	}
	if (s->n == MAX_TRACKED) {
		if (!s->overflow_logged)
			log_err("azure watcher: more than %d events; ignoring extra ones", MAX_TRACKED);
		s->overflow_logged = 1;
		return;
	}
	t = &s->ev[s->n++];
	memset(t, 0, sizeof(*t));
	snprintf(t->id, sizeof(t->id), "%s", id);
	t->when = when;
	t->seen = 1;
	log_warn("azure watcher: Preempt event %s for %s, NotBefore '%s'", id,
		 w->cfg.azure_resource, nb);
	notice(w, ED_NOTICE_INTERRUPT, id, when);
}

static void approve(struct ed_watcher *w, struct azure *s)
{
	char url[512], body[160];
	const char *headers[] = { "Metadata: true", NULL };
	struct ed_http_resp r;

	if (!w->sink.drained || !w->sink.drained(w->sink.arg))
		return;
	for (int i = 0; i < s->n; i++) {
		struct tracked *t = &s->ev[i];

		if (t->approved)
			continue;
		if (w->dry_run) {
			/* Approving lets Azure preempt at once: never from a dry run. */
			ed_decision("approve node=%u event=%s reason=azure-preempt sent=no",
				    w->cfg.node_id, t->id);
			t->approved = 1;
			continue;
		}
		ed_watcher_url(w, EVENTS_PATH, url, sizeof(url));
		snprintf(body, sizeof(body), "{\"StartRequests\":[{\"EventId\":\"%s\"}]}", t->id);
		if (ed_http_request(w->http, "POST", url, headers, body, 0, &r) || r.status != 200) {
			ed_watcher_error(w, "approving event %s: %s", t->id,
					 r.error[0] ? r.error : "HTTP error");
			continue;	/* retried next round */
		}
		t->approved = 1;
		log_info("azure watcher: drain done; approved event %s", t->id);
	}
}

static long azure_poll(struct ed_watcher *w)
{
	struct azure *s = w->priv;
	char url[512], err[128];
	const char *headers[] = { "Metadata: true", NULL };
	struct ed_http_resp r;
	json_object *doc, *events;
	long interval = w->cfg.poll_interval_ms[ED_PROV_AZURE];
	size_t n;

	ed_watcher_url(w, EVENTS_PATH, url, sizeof(url));
	if (ed_http_request(w->http, "GET", url, headers, NULL, 0, &r)) {
		ed_watcher_error(w, "scheduledevents: %s", r.error);
		return interval;
	}
	if (r.status != 200) {
		ed_watcher_error(w, "scheduledevents: HTTP %ld%s", r.status,
				 r.status == 400 ? " (Metadata header rejected?)" :
				 r.status >= 300 && r.status < 400 ? " (redirects are not followed)" : "");
		return interval;
	}
	doc = ed_json_parse(r.body, r.body_len, err, sizeof(err));
	if (!doc) {
		ed_watcher_error(w, "scheduledevents: %s", err);
		return interval;
	}
	if (check_doc(w, doc, &events)) {
		json_object_put(doc);
		return interval;
	}
	for (int i = 0; i < s->n; i++)
		s->ev[i].seen = 0;
	n = json_object_array_length(events);
	for (size_t i = 0; i < n; i++)
		handle_event(w, s, json_object_array_get_idx(events, i));
	json_object_put(doc);
	/* Events that vanished were cancelled (or completed, in which case this
	 * VM is gone and nobody reads this). */
	for (int i = 0; i < s->n; ) {
		if (s->ev[i].seen) {
			i++;
			continue;
		}
		log_warn("azure watcher: Preempt event %s disappeared: cancelled", s->ev[i].id);
		notice(w, ED_NOTICE_CANCEL, s->ev[i].id, 0);
		s->ev[i] = s->ev[--s->n];
	}
	ed_watcher_ok(w);
	approve(w, s);
	return interval;
}

const struct ed_watcher_ops ed_watcher_azure_ops = {
	.name = "azure",
	.init = azure_init,
	.poll = azure_poll,
	.fini = azure_fini,
};
