/* SPDX-License-Identifier: GPL-2.0 */
/* Starts tests/emulator.py on 127.0.0.1 (ephemeral port) and drives it. */
#ifndef ELASTICD_TEST_EMU_H
#define ELASTICD_TEST_EMU_H

#include <json-c/json.h>
#include <sys/types.h>

#include "http.h"

struct emu {
	pid_t pid;
	int stdin_fd;		/* closing it makes the emulator exit */
	int port;
	char url[64];
	struct ed_http_client *http;
};

int emu_start(struct emu *e, const char *cloud);
void emu_stop(struct emu *e);
int emu_ctl(struct emu *e, const char *json);	/* merge into state */
int emu_reset(struct emu *e);
/* The "stats" object; caller json_object_put()s the returned root via *root. */
json_object *emu_stats(struct emu *e, json_object **root);
long emu_stat(struct emu *e, const char *key);
long emu_path_count(struct emu *e, const char *path);

/* A TCP port on 127.0.0.1 that nothing listens on (bound, then closed). */
int free_port(void);

#endif
