// SPDX-License-Identifier: GPL-2.0
/*
 * spotos-agent: runs commands inside a SpotOS test guest for the host.
 *
 *   spotos-agent serve [--port P]                 in the guest (its PID 1)
 *   spotos-agent exec [--timeout S] [--env K=V]... HOST[:PORT] -- CMD [ARG...]
 *   spotos-agent wait [--timeout S] HOST[:PORT]   until the agent answers
 *   spotos-agent poweroff HOST[:PORT]             clean power-off
 *
 * Why not ssh: nothing to configure in a guest whose root is the host's
 * filesystem read-only, and it starts in milliseconds under TCG.  It has
 * no authentication: it listens only on the test bridge inside a network
 * namespace that the cluster script creates.
 *
 * Protocol (TCP, little-endian): a request is "SPA1", u32 type, u32 count
 * of strings, then each string as u32 length + bytes; for exec the strings
 * are: cwd, the number of environment entries as text, those entries, then
 * argv.  Replies are frames: u8 kind (1 stdout, 2 stderr, 3 exit status as
 * i32), u32 length, payload.  The command runs in its own process group,
 * with stdin from /dev/null, and is killed when the client goes away.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_PORT	7000
#define MAX_STRINGS	4096
#define MAX_BYTES	(4u << 20)

enum { REQ_EXEC = 1, REQ_PING = 2, REQ_POWEROFF = 3 };
enum { FR_STDOUT = 1, FR_STDERR = 2, FR_EXIT = 3 };

static const char *prog = "spotos-agent";

/* All of len bytes out (or in), again after EINTR: 0, or -1 at an error or EOF. */
static int io_all(int fd, char *p, size_t len, int out)
{
	while (len) {
		ssize_t n = out ? write(fd, p, len) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t len)
{
	return io_all(fd, (char *)buf, len, 1);	/* write() only reads it */
}

static int read_all(int fd, void *buf, size_t len)
{
	return io_all(fd, buf, len, 0);
}

static int put_u32(int fd, uint32_t v)
{
	v = htole32(v);
	return write_all(fd, &v, 4);
}

static int get_u32(int fd, uint32_t *v)
{
	if (read_all(fd, v, 4))
		return -1;
	*v = le32toh(*v);
	return 0;
}

static int send_frame(int fd, uint8_t kind, const void *data, uint32_t len)
{
	if (write_all(fd, &kind, 1) || put_u32(fd, len))
		return -1;
	return write_all(fd, data, len);
}

/* ---- server ---- */

/* Read a request's strings, bounded in number and size: bad input is dropped. */
static char **read_strings(int fd, uint32_t *countp)
{
	uint32_t count, len, total = 0, i;
	char **v;

	if (get_u32(fd, &count) || count > MAX_STRINGS)
		return NULL;
	v = calloc(count + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < count; i++) {
		if (get_u32(fd, &len) || len > MAX_BYTES - total)
			goto bad;
		total += len;
		v[i] = malloc(len + 1);
		if (!v[i] || read_all(fd, v[i], len))
			goto bad;
		v[i][len] = '\0';
	}
	*countp = count;
	return v;
bad:
	for (i = 0; i < count; i++)
		free(v[i]);
	free(v);
	return NULL;
}

static void send_exit(int fd, int status)
{
	int32_t code = htole32(status);

	send_frame(fd, FR_EXIT, &code, 4);
}

static void run_command(int sock, char **s, uint32_t n)
{
	int out[2], err[2], status, open_pipes = 2;
	uint32_t nenv, i;
	char buf[65536];
	pid_t pid;

	if (n < 3 || sscanf(s[1], "%u", &nenv) != 1 || nenv > n - 2 || n - 2 - nenv < 1) {
		send_exit(sock, 127);
		return;
	}
	/*
	 * Close-on-exec: the command gets only the dup2()ed copies, so a
	 * daemon it starts cannot hold the pipes open and keep us waiting.
	 */
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		send_exit(sock, 127);
		return;
	}
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		setpgid(0, 0);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		close(sock);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(s[0]))
			(void)!chdir("/");
		for (i = 0; i < nenv; i++)
			putenv(s[2 + i]);
		execvp(s[2 + nenv], &s[2 + nenv]);
		fprintf(stderr, "%s: %s: %s\n", prog, s[2 + nenv], strerror(errno));
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		send_exit(sock, 127);
		return;
	}
	setpgid(pid, pid);
	while (open_pipes) {
		struct pollfd p[3] = {
			{ .fd = out[0], .events = POLLIN },
			{ .fd = err[0], .events = POLLIN },
			{ .fd = sock, .events = POLLIN },
		};

		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		/* The client hung up (Ctrl-C, timeout): stop the command. */
		if (p[2].revents) {
			kill(-pid, SIGKILL);
			break;
		}
		for (i = 0; i < 2; i++) {
			ssize_t r;

			if (!p[i].revents || p[i].fd < 0)
				continue;
			r = read(p[i].fd, buf, sizeof(buf));
			if (r > 0) {
				if (send_frame(sock, i ? FR_STDERR : FR_STDOUT, buf, r)) {
					kill(-pid, SIGKILL);
					open_pipes = 0;
				}
			} else if (r == 0 || errno != EINTR) {
				close(i ? err[0] : out[0]);
				if (i)
					err[0] = -1;
				else
					out[0] = -1;
				open_pipes--;
			}
		}
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	send_exit(sock, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static void handle(int sock)
{
	uint32_t type, n = 0, i;
	char magic[4];
	char **s = NULL;

	if (read_all(sock, magic, 4) || memcmp(magic, "SPA1", 4) || get_u32(sock, &type))
		return;
	s = read_strings(sock, &n);
	if (!s)
		return;
	switch (type) {
	case REQ_EXEC:
		run_command(sock, s, n);
		break;
	case REQ_PING:
		send_exit(sock, 0);
		break;
	case REQ_POWEROFF:
		sync();
		send_exit(sock, 0);
		close(sock);
		reboot(RB_POWER_OFF);
		break;
	}
	for (i = 0; i < n; i++)
		free(s[i]);
	free(s);
}

static void on_sigchld(int sig)
{
	(void)sig;
}

static int serve(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, ls;

	signal(SIGPIPE, SIG_IGN);
	/* As PID 1 we inherit every orphan: reap them all. */
	signal(SIGCHLD, on_sigchld);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 64)) {
		perror("spotos-agent: listen");
		return 1;
	}
	fprintf(stderr, "%s: serving on port %d\n", prog, port);
	for (;;) {
		struct pollfd p = { .fd = ls, .events = POLLIN };
		int c;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (poll(&p, 1, 1000) <= 0)
			continue;
		c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (fork() == 0) {
			close(ls);
			signal(SIGCHLD, SIG_DFL);
			handle(c);
			_exit(0);
		}
		close(c);
	}
}

/* ---- client ---- */

/* Connect within timeout_ms: a dead guest never answers the SYN. */
static int connect_to(const char *target, int timeout_ms)
{
	char host[256], port[16];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *ai;
	const char *colon = strrchr(target, ':');
	int fd, one = 1;

	snprintf(port, sizeof(port), "%d", DEFAULT_PORT);
	snprintf(host, sizeof(host), "%s", target);
	if (colon) {
		snprintf(host, sizeof(host), "%.*s", (int)(colon - target), target);
		snprintf(port, sizeof(port), "%s", colon + 1);
	}
	if (getaddrinfo(host, port, &hints, &ai))
		return -1;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) && errno != EINPROGRESS) {
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd >= 0) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		socklen_t len = sizeof(int);
		int err = 0;

		if (poll(&p, 1, timeout_ms) != 1 ||
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
			close(fd);
			return -1;
		}
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	}
	return fd;
}

static int send_request(int fd, uint32_t type, char **s, uint32_t n)
{
	uint32_t i;

	if (write_all(fd, "SPA1", 4) || put_u32(fd, type) || put_u32(fd, n))
		return -1;
	for (i = 0; i < n; i++)
		if (put_u32(fd, strlen(s[i])) || write_all(fd, s[i], strlen(s[i])))
			return -1;
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Relay frames to our stdout/stderr; return the remote exit status. */
static int relay(int fd, double deadline, const char *target)
{
	char buf[65536];

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int ms = deadline ? (int)((deadline - now()) * 1000) : -1;
		uint32_t len;
		uint8_t kind;

		if (deadline && ms <= 0) {
			fprintf(stderr, "%s: %s: command timed out\n", prog, target);
			return 124;
		}
		if (poll(&p, 1, ms) <= 0)
			continue;
		if (read_all(fd, &kind, 1) || get_u32(fd, &len) || len > sizeof(buf) ||
		    read_all(fd, buf, len)) {
			fprintf(stderr, "%s: %s: connection lost\n", prog, target);
			return 255;
		}
		if (kind == FR_EXIT && len == 4) {
			int32_t code;

			memcpy(&code, buf, 4);
			return le32toh(code);
		}
		if (kind == FR_STDOUT || kind == FR_STDERR)
			write_all(kind == FR_STDOUT ? 1 : 2, buf, len);
	}
}

static int client(int argc, char **argv, uint32_t type)
{
	double timeout = 0, deadline;
	char cwd[4096], nenv[16], **s;
	int i, fd, n = 0, envs = 0, cmd = -1;
	const char *target = NULL;

	s = calloc(argc + 3, sizeof(*s));
	if (!s)
		return 255;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			cmd = i + 1;
			break;
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout = atof(argv[++i]);
		} else if (!strcmp(argv[i], "--env") && i + 1 < argc) {
			i++;
		} else if (!target) {
			target = argv[i];
		} else {
			fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[i]);
			return 2;
		}
	}
	if (!target || (type == REQ_EXEC && (cmd < 0 || cmd >= argc))) {
		fprintf(stderr, "usage: %s exec [--timeout S] [--env K=V]... HOST[:PORT] -- CMD [ARG...]\n",
			prog);
		return 2;
	}
	if (type == REQ_EXEC) {
		s[n++] = getcwd(cwd, sizeof(cwd)) ? cwd : "/";
		s[n++] = nenv;
		for (i = 0; i < cmd - 1; i++)
			if (!strcmp(argv[i], "--env"))
				s[n++] = argv[++i], envs++;
		snprintf(nenv, sizeof(nenv), "%d", envs);
		for (i = cmd; i < argc; i++)
			s[n++] = argv[i];
	}
	deadline = timeout > 0 ? now() + timeout : 0;
	for (;;) {
		fd = connect_to(target, 5000);
		/* wait: keep trying until the guest's agent is up. */
		if (fd >= 0 || type != REQ_PING || !deadline || now() > deadline)
			break;
		usleep(100000);
	}
	if (fd < 0) {
		fprintf(stderr, "%s: cannot reach the agent at %s\n", prog, target);
		return 255;
	}
	if (send_request(fd, type, s, n)) {
		fprintf(stderr, "%s: %s: connection lost\n", prog, target);
		return 255;
	}
	i = relay(fd, deadline, target);
	close(fd);
	free(s);
	return i;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "serve")) {
		int port = DEFAULT_PORT;

		if (argc == 4 && !strcmp(argv[2], "--port"))
			port = atoi(argv[3]);
		return serve(port);
	}
	if (argc >= 2 && !strcmp(argv[1], "exec"))
		return client(argc - 2, argv + 2, REQ_EXEC);
	if (argc >= 2 && !strcmp(argv[1], "wait"))
		return client(argc - 2, argv + 2, REQ_PING);
	if (argc >= 2 && !strcmp(argv[1], "poweroff"))
		return client(argc - 2, argv + 2, REQ_POWEROFF);
	fprintf(stderr, "usage: %s serve|exec|wait|poweroff ...\n", prog);
	return 2;
}
