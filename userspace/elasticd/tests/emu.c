// SPDX-License-Identifier: GPL-2.0
#include "emu.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int emu_start(struct emu *e, const char *cloud)
{
	int in[2], out[2];
	posix_spawn_file_actions_t fa;
	const char *py = getenv("PYTHON") ? getenv("PYTHON") : "/usr/bin/python3";
	char *argv[] = { (char *)py, "tests/emulator.py", "--cloud", (char *)cloud, NULL };
	char line[64] = { 0 };
	struct ed_http_limits lim = { 5000, 1000, 1 << 20 };
	FILE *f;

	memset(e, 0, sizeof(*e));
	if (pipe(in) || pipe(out))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	if (posix_spawn(&e->pid, py, &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	e->stdin_fd = in[1];
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) || sscanf(line, "PORT %d", &e->port) != 1) {
		if (f)
			fclose(f);
		emu_stop(e);
		return -1;
	}
	fclose(f);
	snprintf(e->url, sizeof(e->url), "http://127.0.0.1:%d", e->port);
	e->http = ed_http_new(&lim, NULL);
	return e->http ? 0 : -1;
}

void emu_stop(struct emu *e)
{
	if (e->pid > 0) {
		close(e->stdin_fd);
		kill(e->pid, SIGTERM);
		waitpid(e->pid, NULL, 0);
		e->pid = 0;
	}
	ed_http_free(e->http);
	e->http = NULL;
}

static int post(struct emu *e, const char *path, const char *json)
{
	char url[128];
	struct ed_http_resp r;

	snprintf(url, sizeof(url), "%s%s", e->url, path);
	if (ed_http_request(e->http, "POST", url, NULL, json, 0, &r) || r.status != 200) {
		fprintf(stderr, "emulator control %s failed: %s (HTTP %ld)\n", path, r.error, r.status);
		return -1;
	}
	return 0;
}

int emu_ctl(struct emu *e, const char *json)
{
	return post(e, "/__emu/state", json);
}

int emu_reset(struct emu *e)
{
	return post(e, "/__emu/reset", "{}");
}

json_object *emu_stats(struct emu *e, json_object **root)
{
	char url[128];
	struct ed_http_resp r;
	json_object *stats;

	*root = NULL;
	snprintf(url, sizeof(url), "%s/__emu/stats", e->url);
	if (ed_http_request(e->http, "GET", url, NULL, NULL, 0, &r) || r.status != 200)
		return NULL;
	*root = json_tokener_parse(r.body);
	if (!*root || !json_object_object_get_ex(*root, "stats", &stats))
		return NULL;
	return stats;
}

long emu_stat(struct emu *e, const char *key)
{
	json_object *root, *s = emu_stats(e, &root), *v;
	long n = -1;

	if (s && json_object_object_get_ex(s, key, &v)) {
		if (json_object_is_type(v, json_type_array))
			n = (long)json_object_array_length(v);
		else
			n = (long)json_object_get_int64(v);
	}
	json_object_put(root);
	return n;
}

long emu_path_count(struct emu *e, const char *path)
{
	json_object *root, *s = emu_stats(e, &root), *bp, *v;
	long n = 0;

	if (s && json_object_object_get_ex(s, "by_path", &bp) &&
	    json_object_object_get_ex(bp, path, &v))
		n = (long)json_object_get_int64(v);
	json_object_put(root);
	return n;
}

int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&a, sizeof(a)) &&
	    !getsockname(fd, (struct sockaddr *)&a, &len))
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}
