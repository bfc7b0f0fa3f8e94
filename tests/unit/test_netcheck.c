/*
 * Unit tests for the network check (core/netcheck.c), offline: the servers
 * are on 127.0.0.1 in this process. One HTTP server thread answers one
 * request per connection by its path: /full sends 1 MiB, /slow sends the
 * headers and then 1 KiB every 100 ms until the client goes, /headers only
 * the headers, /missing a 404, /redirect a 302 to /full, /loop a 302 to
 * itself, /empty an empty body, /close nothing (it closes the connection).
 * Other cases use a socket that listens and never accepts (the kernel
 * completes the handshakes: a server that never answers), a port just
 * closed (refused), a listener whose accept queue is full (connections
 * time out), and a name under .invalid (never resolves). Every run must
 * end within its bound: 3 * timeout plus a margin.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/netcheck.h"

#define MIB (1024 * 1024)
#define MARGIN 2.0 /* seconds past 3 * timeout that a run may take */

struct server {
	int fd; /* listening */
	int stop[2];
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	char agent[256]; /* the User-Agent of the last request */
	int requests;
};

static struct server server;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A TCP socket on 127.0.0.1, port chosen by the kernel; *port set. */
static int
listen_local(int backlog, int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	int fd;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* 1 when conn is readable (data or EOF), 0 after ms, -1 when the server must stop. */
static int
server_wait(struct server *s, int conn, int ms)
{
	struct pollfd pfd[2] = {{s->stop[0], POLLIN, 0}, {conn, POLLIN, 0}};
	int n;

	while ((n = poll(pfd, 2, ms)) == -1 && errno == EINTR)
		;
	if (n == -1 || pfd[0].revents != 0)
		return -1;
	return n > 0;
}

static int
server_send(int conn, const void *data, size_t len)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		if ((n = send(conn, p, len, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
server_sends(int conn, const char *text)
{
	return server_send(conn, text, strlen(text));
}

#define OK_HEADERS(len)                                                                            \
	"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " len        \
	"\r\nConnection: close\r\n\r\n"

/* One request on conn, answered by its path. */
static void
server_serve(struct server *s, int conn)
{
	static char block[64 * 1024];
	char req[8192], path[256], *agent;
	struct timeval tv = {5, 0};
	size_t len = 0;
	ssize_t n;

	setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	memset(block, 'x', sizeof block);
	while (len < sizeof req - 1) {
		if (server_wait(s, conn, 5000) <= 0)
			return;
		if ((n = recv(conn, req + len, sizeof req - 1 - len, 0)) == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a connect-only connection ends here */
		len += (size_t)n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	if (sscanf(req, "GET %255s HTTP/1.1", path) != 1)
		return;
	pthread_mutex_lock(&s->lock);
	s->requests++;
	s->agent[0] = '\0';
	if ((agent = strstr(req, "\r\nUser-Agent: ")) != NULL)
		sscanf(agent + 14, "%255[^\r]", s->agent);
	pthread_mutex_unlock(&s->lock);

	if (strcmp(path, "/full") == 0) {
		if (server_sends(conn, OK_HEADERS("1048576")) != 0)
			return;
		for (int i = 0; i < MIB / (int)sizeof block; i++) {
			if (server_send(conn, block, sizeof block) != 0)
				return;
		}
	} else if (strcmp(path, "/slow") == 0) {
		if (server_sends(conn, OK_HEADERS("1048576")) != 0)
			return;
		/* 1 KiB every 100 ms until the client goes (its EOF is readable). */
		for (int i = 0; i < 1024; i++) {
			if (server_send(conn, block, 1024) != 0 || server_wait(s, conn, 100) != 0)
				return;
		}
	} else if (strcmp(path, "/headers") == 0) {
		if (server_sends(conn, OK_HEADERS("1048576")) == 0)
			server_wait(s, conn, 60000);
	} else if (strcmp(path, "/missing") == 0) {
		server_sends(conn,
		    "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
		    "Content-Length: 10\r\nConnection: close\r\n\r\nnot found\n");
	} else if (strcmp(path, "/redirect") == 0) {
		server_sends(conn,
		    "HTTP/1.1 302 Found\r\nLocation: /full\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	} else if (strcmp(path, "/loop") == 0) {
		server_sends(conn,
		    "HTTP/1.1 302 Found\r\nLocation: /loop\r\n"
		    "Content-Length: 0\r\nConnection: close\r\n\r\n");
	} else if (strcmp(path, "/empty") == 0)
		server_sends(conn, OK_HEADERS("0"));
	/* /close and anything else: closed without an answer */
}

static void *
server_main(void *arg)
{
	struct server *s = arg;
	struct pollfd pfd[2] = {{s->stop[0], POLLIN, 0}, {s->fd, POLLIN, 0}};
	int conn;

	for (;;) {
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[0].revents != 0)
			break;
		if ((conn = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		server_serve(s, conn);
		close(conn);
	}
	return NULL;
}

static int
server_start(void **state)
{
	memset(&server, 0, sizeof server);
	server.fd = listen_local(16, &server.port);
	assert_int_equal(pipe2(server.stop, O_CLOEXEC), 0);
	assert_int_equal(pthread_mutex_init(&server.lock, NULL), 0);
	assert_int_equal(pthread_create(&server.thread, NULL, server_main, &server), 0);
	return 0;
}

static int
server_stop(void **state)
{
	assert_int_equal(write(server.stop[1], "x", 1), 1);
	assert_int_equal(pthread_join(server.thread, NULL), 0);
	close(server.stop[0]);
	close(server.stop[1]);
	close(server.fd);
	pthread_mutex_destroy(&server.lock);
	return 0;
}

static char *
server_url(const char *path)
{
	static char url[256];

	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", server.port, path);
	return url;
}

/*
 * netcheck_run within its bound, its result in the documented shape: the
 * keys (in order) of a reachable or an unreachable result, an error that
 * is null or one line.
 */
static json_t *
run(const char *url, double timeout, double bound)
{
	static const char *reachable[] = {"url", "reachable", "latency_s", "download_bytes",
	    "download_s", "download_bytes_per_s", "stopped_at_timeout", "error"};
	static const char *unreachable[] = {"url", "reachable", "error"};
	const char **keys;
	const char *key;
	double t0, elapsed;
	size_t i = 0, nkeys;
	json_t *o, *v, *error;

	t0 = now();
	o = netcheck_run(url, timeout);
	elapsed = now() - t0;
	assert_non_null(o);
	if (elapsed > bound)
		fail_msg("%s took %.2f s, bound %.2f s", url, elapsed, bound);
	assert_true(json_is_boolean(json_object_get(o, "reachable")));
	if (json_is_true(json_object_get(o, "reachable"))) {
		keys = reachable;
		nkeys = sizeof reachable / sizeof reachable[0];
	} else {
		keys = unreachable;
		nkeys = sizeof unreachable / sizeof unreachable[0];
	}
	assert_int_equal(json_object_size(o), nkeys);
	json_object_foreach(o, key, v)
	{
		if (strcmp(key, keys[i]) != 0)
			fail_msg("key %zu is '%s', want '%s'", i, key, keys[i]);
		i++;
	}
	assert_string_equal(json_string_value(json_object_get(o, "url")), url);
	error = json_object_get(o, "error");
	if (json_is_string(error)) {
		assert_true(json_string_length(error) > 0);
		assert_null(strchr(json_string_value(error), '\n'));
		assert_null(strchr(json_string_value(error), '\r'));
	} else
		assert_true(json_is_null(error));
	return o;
}

static const char *
error_of(json_t *o)
{
	const char *e = json_string_value(json_object_get(o, "error"));

	assert_non_null(e);
	return e;
}

static void
assert_error(json_t *o, const char *fmt, ...)
{
	char want[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(want, sizeof want, fmt, ap);
	va_end(ap);
	assert_string_equal(error_of(o), want);
}

static json_int_t
bytes_of(json_t *o)
{
	json_t *v = json_object_get(o, "download_bytes");

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static void
assert_latency(json_t *o)
{
	json_t *v = json_object_get(o, "latency_s");

	assert_true(json_is_real(v));
	assert_true(json_real_value(v) >= 0 && json_real_value(v) < 1);
}

/* download_s and the rate: both positive numbers, or both null. */
static void
assert_rate(json_t *o, int known)
{
	json_t *s = json_object_get(o, "download_s"),
	       *r = json_object_get(o, "download_bytes_per_s");

	if (!known) {
		assert_true(json_is_null(s));
		assert_true(json_is_null(r));
		return;
	}
	assert_true(json_is_real(s) && json_real_value(s) > 0);
	assert_true(json_is_real(r) && json_real_value(r) > 0);
	assert_true(json_real_value(r) * json_real_value(s) <= (double)bytes_of(o) * 1.000001);
	assert_true(json_real_value(r) * json_real_value(s) >= (double)bytes_of(o) * 0.999999);
}

/* --- servers that answer ------------------------------------------------------------------ */

static void
test_full(void **state)
{
	char want[64];
	json_t *o;

	o = run(server_url("/full"), 5, 3 * 5 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_latency(o);
	assert_int_equal(bytes_of(o), MIB);
	assert_rate(o, 1);
	assert_true(json_is_false(json_object_get(o, "stopped_at_timeout")));
	assert_true(json_is_null(json_object_get(o, "error")));
	json_decref(o);
	snprintf(want, sizeof want, "proflab/%s", PACKAGE_VERSION);
	pthread_mutex_lock(&server.lock);
	assert_string_equal(server.agent, want);
	pthread_mutex_unlock(&server.lock);
}

static void
test_slow(void **state)
{
	json_t *o;

	o = run(server_url("/slow"), 1, 3 * 1 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_latency(o);
	assert_true(bytes_of(o) > 0 && bytes_of(o) < MIB);
	assert_rate(o, 1);
	assert_true(json_is_true(json_object_get(o, "stopped_at_timeout")));
	assert_true(json_is_null(json_object_get(o, "error")));
	json_decref(o);
}

static void
test_headers_only(void **state)
{
	json_t *o;

	o = run(server_url("/headers"), 1, 3 * 1 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_int_equal(bytes_of(o), 0);
	assert_rate(o, 0);
	assert_true(json_is_false(json_object_get(o, "stopped_at_timeout")));
	assert_error(o, "no data from 127.0.0.1:%d within 1 s after the headers", server.port);
	json_decref(o);
}

static void
test_http_error(void **state)
{
	json_t *o;

	o = run(server_url("/missing"), 2, 3 * 2 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_latency(o);
	assert_int_equal(bytes_of(o), 0);
	assert_rate(o, 0);
	assert_error(o, "HTTP 404 from http://127.0.0.1:%d/missing", server.port);
	json_decref(o);
}

static void
test_redirects(void **state)
{
	json_t *o;

	o = run(server_url("/redirect"), 5, 3 * 5 + MARGIN);
	assert_int_equal(bytes_of(o), MIB);
	assert_true(json_is_null(json_object_get(o, "error")));
	json_decref(o);

	o = run(server_url("/loop"), 2, 3 * 2 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_error(o, "more than 3 redirects from http://127.0.0.1:%d/loop", server.port);
	json_decref(o);
}

static void
test_empty(void **state)
{
	json_t *o;

	o = run(server_url("/empty"), 2, 3 * 2 + MARGIN);
	assert_int_equal(bytes_of(o), 0);
	assert_rate(o, 0);
	assert_true(json_is_null(json_object_get(o, "error")));
	json_decref(o);

	o = run(server_url("/close"), 2, 3 * 2 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_int_equal(bytes_of(o), 0);
	assert_error(o, "empty reply from 127.0.0.1:%d", server.port);
	json_decref(o);
}

/* --- servers that do not answer, and no server -------------------------------------------- */

/* Listens and never accepts: connections are made, requests never answered. */
static void
test_no_answer(void **state)
{
	char url[64];
	json_t *o;
	int fd, port;

	fd = listen_local(16, &port);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	o = run(url, 1, 3 * 1 + MARGIN);
	assert_true(json_is_true(json_object_get(o, "reachable")));
	assert_latency(o);
	assert_int_equal(bytes_of(o), 0);
	assert_rate(o, 0);
	assert_error(o, "no answer from 127.0.0.1:%d within 1 s", port);
	json_decref(o);

	/* A timeout <= 0 is 3 s. */
	o = run(url, 0, 3 * 3 + MARGIN);
	assert_error(o, "no answer from 127.0.0.1:%d within 3 s", port);
	json_decref(o);
	close(fd);
}

static void
test_refused(void **state)
{
	char url[64];
	json_t *o;
	int port;

	close(listen_local(-1, &port));
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	o = run(url, 1, 1 + MARGIN);
	assert_true(json_is_false(json_object_get(o, "reachable")));
	assert_error(o, "connection refused by 127.0.0.1:%d", port);
	json_decref(o);
}

/* A listener whose accept queue is full drops new SYNs: the connection times out. */
static void
test_connect_timeout(void **state)
{
	int fds[64], nfds = 0, fd, port, full = 0;
	char url[64];
	json_t *o;

	fd = listen_local(0, &port);
	while (nfds < 64) {
		struct sockaddr_in sin;
		struct pollfd pfd;
		int c, err = 0;
		socklen_t len = sizeof err;

		c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		assert_true(c >= 0);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons((uint16_t)port);
		if (connect(c, (struct sockaddr *)&sin, sizeof sin) == -1)
			assert_int_equal(errno, EINPROGRESS);
		pfd.fd = c;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, 300) == 1 &&
		    getsockopt(c, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
			fds[nfds++] = c;
			continue;
		}
		close(c);
		full = 1;
		break;
	}
	if (full) {
		snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
		o = run(url, 1, 1 + MARGIN);
		assert_true(json_is_false(json_object_get(o, "reachable")));
		assert_error(o, "no answer from 127.0.0.1:%d within 1 s", port);
		json_decref(o);
	}
	while (nfds > 0)
		close(fds[--nfds]);
	close(fd);
	if (!full)
		skip();
}

static void
test_unresolvable(void **state)
{
	static const char url[] = "http://proflab-no-such-host.invalid/";
	json_t *o;

	o = run(url, 1, 1 + MARGIN);
	assert_true(json_is_false(json_object_get(o, "reachable")));
	if (strstr(error_of(o), "could not resolve host proflab-no-such-host.invalid") !=
	    error_of(o))
		fail_msg("error '%s'", error_of(o));
	json_decref(o);
}

static void
test_bad_url(void **state)
{
	static const struct {
		const char *url;
		const char *error;
	} cases[] = {
	    {"not a url", "bad URL 'not a url': no http:// or https:// in front"},
	    {"", "bad URL '': no http:// or https:// in front"},
	    {"127.0.0.1/x", "bad URL '127.0.0.1/x': no http:// or https:// in front"},
	    {"http://", "bad URL 'http://': "},
	    {"http://a b/", "bad URL 'http://a b/': "},
	    {"http://x\n/", "bad URL 'http://x /': "},
	    {"ftp://127.0.0.1/",
	        "unsupported protocol 'ftp' in ftp://127.0.0.1/ (only http and https)"},
	    {"file:///etc/passwd",
	        "unsupported protocol 'file' in file:///etc/passwd (only http and https)"},
	};
	json_t *o;

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		o = run(cases[i].url, 1, MARGIN);
		assert_true(json_is_false(json_object_get(o, "reachable")));
		if (strncmp(error_of(o), cases[i].error, strlen(cases[i].error)) != 0)
			fail_msg("'%s': error '%s', want '%s...'", cases[i].url, error_of(o),
			    cases[i].error);
		json_decref(o);
	}
}

int
main(void)
{
	static const char *proxies[] = {
	    "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"};
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),
	    cmocka_unit_test(test_slow),
	    cmocka_unit_test(test_headers_only),
	    cmocka_unit_test(test_http_error),
	    cmocka_unit_test(test_redirects),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_no_answer),
	    cmocka_unit_test(test_refused),
	    cmocka_unit_test(test_connect_timeout),
	    cmocka_unit_test(test_unresolvable),
	    cmocka_unit_test(test_bad_url),
	};

	/* 127.0.0.1 directly, whatever the environment says. */
	for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
		unsetenv(proxies[i]);
	return cmocka_run_group_tests(tests, server_start, server_stop);
}
