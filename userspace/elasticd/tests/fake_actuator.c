// SPDX-License-Identifier: GPL-2.0
#include "fake_actuator.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#define F(a) ((struct fake_act *)(a))

static void nap(void)
{
	struct timespec ts = { 0, 2 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

static int f_membership(struct ed_actuator *a, const struct ed_config *c)
{
	(void)c;
	pthread_mutex_lock(&F(a)->m);
	F(a)->memberships++;
	pthread_mutex_unlock(&F(a)->m);
	return 0;
}

static int f_remove(struct ed_actuator *a, uint32_t n)
{
	(void)n;
	F(a)->removes++;
	return 0;
}

static int f_caps(struct ed_actuator *a, const struct ed_plan *p)
{
	(void)p;
	F(a)->caps++;
	return 0;
}

static int f_drain(struct ed_actuator *a, const struct ed_drain_req *req,
		   ed_drain_progress_fn progress, void *arg, struct ed_drain_result *res)
{
	struct fake_act *f = F(a);

	pthread_mutex_lock(&f->m);
	f->drains++;
	f->last_deadline = req->deadline;
	f->last_kind = req->kind;
	f->in_drain = 1;
	pthread_mutex_unlock(&f->m);
	for (;;) {
		int done;

		if (progress && progress(arg, 1, 10)) {
			pthread_mutex_lock(&f->m);
			f->aborted++;
			f->in_drain = 0;
			pthread_mutex_unlock(&f->m);
			return -ECANCELED;
		}
		pthread_mutex_lock(&f->m);
		done = !f->hold || f->release;
		pthread_mutex_unlock(&f->m);
		if (done)
			break;
		nap();
	}
	pthread_mutex_lock(&f->m);
	res->home_procs = f->home_procs;
	res->pages_left = f->pages_left;
	f->in_drain = 0;
	pthread_mutex_unlock(&f->m);
	return f->drain_rc;
}

static int f_deadline(struct ed_actuator *a, uint32_t n, time_t dl, const char *r)
{
	(void)n; (void)r;
	pthread_mutex_lock(&F(a)->m);
	F(a)->deadline_calls++;
	F(a)->last_deadline = dl;
	pthread_mutex_unlock(&F(a)->m);
	return 0;
}

static int f_undrain(struct ed_actuator *a, uint32_t n, const char *r)
{
	(void)n; (void)r;
	pthread_mutex_lock(&F(a)->m);
	F(a)->undrains++;
	pthread_mutex_unlock(&F(a)->m);
	return 0;
}

static int f_event(struct ed_actuator *a, const struct ed_event *ev)
{
	struct fake_act *f = F(a);

	pthread_mutex_lock(&f->m);
	if (f->n_events < 64)
		strncpy(f->events[f->n_events++], ev->type, sizeof(f->events[0]) - 1);
	pthread_mutex_unlock(&f->m);
	return 0;
}

static void f_destroy(struct ed_actuator *a)
{
	(void)a;
}

static const struct ed_actuator_ops fake_ops = {
	"fake", f_membership, f_remove, f_caps, f_drain, f_deadline, f_undrain, f_event, f_destroy,
};

void fake_init(struct fake_act *f)
{
	memset(f, 0, sizeof(*f));
	f->a.ops = &fake_ops;
	pthread_mutex_init(&f->m, NULL);
}

void fake_release(struct fake_act *f)
{
	pthread_mutex_lock(&f->m);
	f->release = 1;
	pthread_mutex_unlock(&f->m);
}

int fake_has_event(struct fake_act *f, const char *type)
{
	int found = 0;

	pthread_mutex_lock(&f->m);
	for (int i = 0; i < f->n_events; i++)
		if (!strcmp(f->events[i], type))
			found = 1;
	pthread_mutex_unlock(&f->m);
	return found;
}

int fake_wait_in_drain(struct fake_act *f)
{
	for (int i = 0; i < 2500; i++) {	/* bounded: 5 s */
		int in;

		pthread_mutex_lock(&f->m);
		in = f->in_drain;
		pthread_mutex_unlock(&f->m);
		if (in)
			return 0;
		nap();
	}
	return -1;
}
