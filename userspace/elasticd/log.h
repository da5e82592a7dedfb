/* SPDX-License-Identifier: GPL-2.0 */
/* Logging: stderr (foreground, picked up by the journal) or syslog (daemon). */
#ifndef ELASTICD_LOG_H
#define ELASTICD_LOG_H

#include <syslog.h>

void ed_log_init(int use_syslog, int verbosity);
void ed_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_crit(...)  ed_log(LOG_CRIT, __VA_ARGS__)
#define log_err(...)   ed_log(LOG_ERR, __VA_ARGS__)
#define log_warn(...)  ed_log(LOG_WARNING, __VA_ARGS__)
#define log_info(...)  ed_log(LOG_INFO, __VA_ARGS__)
#define log_debug(...) ed_log(LOG_DEBUG, __VA_ARGS__)

#endif
