// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static int g_syslog;
static int g_max_prio = LOG_INFO;
/* One lock so lines from watcher, drain and main threads never interleave. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void ed_log_init(int use_syslog, int verbosity)
{
	g_syslog = use_syslog;
	/* 1 debug, 0 info, -1 warnings (-q), -2 errors, -3 critical only (tests). */
	g_max_prio = verbosity > 0 ? LOG_DEBUG : verbosity == 0 ? LOG_INFO :
		     verbosity == -1 ? LOG_WARNING : verbosity == -2 ? LOG_ERR : LOG_CRIT;
	if (use_syslog)
		openlog("elasticd", LOG_PID, LOG_DAEMON);
}

static const char *prio_name(int prio)
{
	switch (prio) {
	case LOG_EMERG: case LOG_ALERT: case LOG_CRIT: return "CRIT";
	case LOG_ERR: return "ERROR";
	case LOG_WARNING: return "WARN";
	case LOG_NOTICE: case LOG_INFO: return "INFO";
	default: return "DEBUG";
	}
}

void ed_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (prio > g_max_prio)
		return;
	va_start(ap, fmt);
	pthread_mutex_lock(&g_lock);
	if (g_syslog) {
		vsyslog(prio, fmt, ap);
	} else {
		/* "<N>" prefix lets journald keep the priority of stderr lines. */
		fprintf(stderr, "<%d>elasticd: %s: ", prio, prio_name(prio));
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		fflush(stderr);
	}
	pthread_mutex_unlock(&g_lock);
	va_end(ap);
}
