/*
 * The network check of `proflab machine --bench` through the libcurl easy
 * interface: blocking, for the CLI (or a child process), one thread at a
 * time.
 *
 * The URL is parsed first (http and https only, the scheme spelt out), so
 * that a bad one is an error of its own and the messages can name
 * HOST:PORT. Then:
 *
 * - latency: up to NETCHECK_CONNECTS connections, each on a handle of its
 *   own (so each is fresh, and closed when the handle goes) with
 *   CURLOPT_CONNECT_ONLY: TCP, and TLS for https, and no request at all, so
 *   that a server refusing HEAD or slow to answer does not matter. One
 *   sample is CURLINFO_CONNECT_TIME_T - CURLINFO_NAMELOOKUP_TIME_T, the TCP
 *   handshake (one round trip); latency_s is the median of the samples. The
 *   handles share their DNS cache, so only the first connection waits for
 *   the resolver. The first connection has `timeout` seconds; if it fails
 *   the host is unreachable and nothing else is tried. The others share
 *   what is left of 2 * timeout and a failure among them only leaves fewer
 *   samples.
 * - download: one GET of the URL (redirects followed, NETCHECK_REDIRECTS at
 *   most), the body counted and dropped, ended by CURLOPT_TIMEOUT_MS after
 *   `timeout` seconds. A server still sending then is slow, not broken: the
 *   bytes so far are reported with "stopped_at_timeout": true and "error":
 *   null. A server that answers nothing (or only headers) within the
 *   timeout is an error, and so is an HTTP status >= 400.
 *
 * So the whole check costs at most 3 * timeout, plus what curl needs to
 * give up. CURLOPT_QUICK_EXIT lets a resolver thread stuck on a dead DNS
 * server be abandoned at the timeout rather than waited for.
 *
 * download_s is the time from the first byte of the response to the end of
 * the body (or the stop at the timeout): CURLINFO_TOTAL_TIME_T -
 * CURLINFO_STARTTRANSFER_TIME_T, which leaves out the lookup, the connect,
 * the TLS handshake and the server's time to the first byte. A body that
 * came in under NETCHECK_MIN_STREAM seconds that way (a few packets: the
 * difference would be mostly noise) is timed over the whole request
 * instead. download_bytes_per_s = download_bytes / download_s; both are
 * null when no body byte came.
 *
 * The result (an object the caller owns):
 *   reachable: {"url", "reachable": true, "latency_s", "download_bytes",
 *               "download_s", "download_bytes_per_s", "stopped_at_timeout",
 *               "error": null or one line}
 *   otherwise: {"url", "reachable": false, "error": one line}
 * "reachable" means a connection (TCP, and TLS for https) to the server
 * was made. Every error is a single line, in our words where we know the
 * case ("could not resolve host H", "connection refused by H:P", "no answer
 * from H:P within T s", "HTTP 404 from URL"), else curl's message.
 */
#include "config.h"

#include "core/netcheck.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "base/xmalloc.h"
#include "core/machine.h"

#define NETCHECK_CONNECTS 3
#define NETCHECK_REDIRECTS 3L
#define NETCHECK_MIN_STREAM 0.01
#define NETCHECK_MAX_TIMEOUT 3600.0

struct netcheck {
	const char *url;
	double timeout;
	CURLSH *share; /* the DNS cache of every handle */
	char errbuf[CURL_ERROR_SIZE];
};

static int netcheck_initialised;

static void
netcheck_init(void)
{
	CURLcode rc;

	if (netcheck_initialised)
		return;
	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK)
		fatalx("curl_global_init: %s", curl_easy_strerror(rc));
	netcheck_initialised = 1;
}

/* Seconds as "1", "0.5", "2.25". */
static char *
netcheck_seconds(double s)
{
	char *text = xasprintf("%.3f", s);
	size_t n = strlen(text);

	while (n > 1 && text[n - 1] == '0')
		text[--n] = '\0';
	if (n > 1 && text[n - 1] == '.')
		text[--n] = '\0';
	return text;
}

/* Control characters become spaces, trailing spaces go; in place. */
static char *
netcheck_one_line(char *s)
{
	size_t n;

	for (char *p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	}
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

/*
 * Parses url: 0 with *host and *where ("host:port") set (caller frees), or
 * -1 with *cause. Only http and https, with the scheme written out.
 */
static int
netcheck_parse(const char *url, char **host, char **where, char **cause)
{
	char *h = NULL, *port = NULL;
	size_t n = strspn(url, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	CURLUcode uc;
	CURLU *u;
	int rv = -1;

	if (n == 0 || strncmp(url + n, "://", 3) != 0) {
		*cause = xasprintf("bad URL '%s': no http:// or https:// in front", url);
		return -1;
	}
	if ((n != 4 || strncasecmp(url, "http", 4) != 0) &&
	    (n != 5 || strncasecmp(url, "https", 5) != 0)) {
		*cause = xasprintf(
		    "unsupported protocol '%.*s' in %s (only http and https)", (int)n, url, url);
		return -1;
	}
	if ((u = curl_url()) == NULL)
		fatalx("curl_url failed");
	if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_HOST, &h, 0)) != CURLUE_OK ||
	    (uc = curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT)) != CURLUE_OK) {
		*cause = xasprintf("bad URL '%s': %s", url, curl_url_strerror(uc));
		goto out;
	}
	*host = xstrdup(h);
	*where = xasprintf("%s:%s", h, port);
	rv = 0;
out:
	curl_free(h);
	curl_free(port);
	curl_url_cleanup(u);
	return rv;
}

/* A handle for url with everything common set; limit in seconds. */
static CURL *
netcheck_handle(struct netcheck *nc, double limit)
{
	long ms = (long)(limit * 1000 + 0.5);
	CURL *h;

	if ((h = curl_easy_init()) == NULL)
		fatalx("curl_easy_init failed");
	if (ms < 1)
		ms = 1;
	nc->errbuf[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, nc->url);
	curl_easy_setopt(h, CURLOPT_SHARE, nc->share);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nc->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "proflab/" PACKAGE_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
#if LIBCURL_VERSION_NUM >= 0x075700
	curl_easy_setopt(h, CURLOPT_QUICK_EXIT, 1L);
#endif
	return h;
}

/*
 * The URL h asked last (after redirects, the failing server is that of the
 * last one) with its host and "host:port" for messages (caller frees).
 */
static void
netcheck_target(struct netcheck *nc, CURL *h, const char **url, char **host, char **where)
{
	char *last = NULL, *cause = NULL;

	curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &last);
	*url = last != NULL ? last : nc->url;
	if (netcheck_parse(*url, host, where, &cause) != 0) {
		free(cause);
		*host = xstrdup(*url);
		*where = xstrdup(*url);
	}
}

/* The message for a failed transfer on h (caller frees), one line. */
static char *
netcheck_error(struct netcheck *nc, CURL *h, CURLcode rc, double limit)
{
	char *host, *where, *s, *msg;
	long oserr = 0, status = 0;
	const char *url;

	netcheck_target(nc, h, &url, &host, &where);
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		msg = xasprintf("could not resolve host %s", host);
		break;
	case CURLE_COULDNT_CONNECT:
		curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &oserr);
		if (oserr == ECONNREFUSED)
			msg = xasprintf("connection refused by %s", where);
		else if (oserr != 0)
			msg = xasprintf("could not connect to %s: %s", where, strerror((int)oserr));
		else
			msg = xasprintf("could not connect to %s: %s", where, nc->errbuf);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		s = netcheck_seconds(limit);
		if (strncmp(nc->errbuf, "Resolving timed out", 19) == 0)
			msg = xasprintf("could not resolve host %s within %s s", host, s);
		else
			msg = xasprintf("no answer from %s within %s s", where, s);
		free(s);
		break;
	case CURLE_HTTP_RETURNED_ERROR:
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		msg = xasprintf("HTTP %ld from %s", status, url);
		break;
	case CURLE_TOO_MANY_REDIRECTS:
		msg = xasprintf("more than %ld redirects from %s", NETCHECK_REDIRECTS, nc->url);
		break;
	case CURLE_GOT_NOTHING:
		msg = xasprintf("empty reply from %s", where);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		msg = xasprintf("TLS with %s failed: %s", where,
		    nc->errbuf[0] != '\0' ? nc->errbuf : curl_easy_strerror(rc));
		break;
	default:
		msg = xasprintf(
		    "%s: %s", where, nc->errbuf[0] != '\0' ? nc->errbuf : curl_easy_strerror(rc));
		break;
	}
	free(host);
	free(where);
	return netcheck_one_line(msg);
}

/* One fresh connection: 0 with *latency in seconds, or -1 with *cause. */
static int
netcheck_connect(struct netcheck *nc, double limit, double *latency, char **cause)
{
	curl_off_t lookup = 0, connect = 0;
	CURLcode rc;
	CURL *h;

	h = netcheck_handle(nc, limit);
	curl_easy_setopt(h, CURLOPT_CONNECT_ONLY, 1L);
	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		*cause = netcheck_error(nc, h, rc, limit);
		curl_easy_cleanup(h);
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_NAMELOOKUP_TIME_T, &lookup);
	curl_easy_getinfo(h, CURLINFO_CONNECT_TIME_T, &connect);
	curl_easy_cleanup(h);
	*latency = connect > lookup ? (double)(connect - lookup) / 1e6 : 0;
	return 0;
}

static int
netcheck_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The latency samples of up to NETCHECK_CONNECTS connections: how many, or -1. */
static int
netcheck_latency(struct netcheck *nc, double *latency, char **cause)
{
	double samples[NETCHECK_CONNECTS], left = 2 * nc->timeout, used;
	char *ignored;
	int n = 0;

	for (int i = 0; i < NETCHECK_CONNECTS; i++) {
		double limit = i == 0 ? nc->timeout : left < nc->timeout ? left : nc->timeout;
		struct timespec t0, t1;

		if (limit < 0.001)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		ignored = NULL;
		if (netcheck_connect(nc, limit, &samples[n], i == 0 ? cause : &ignored) != 0) {
			free(ignored);
			if (i == 0)
				return -1;
			break;
		}
		n++;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		used = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		left -= used;
	}
	qsort(samples, (size_t)n, sizeof samples[0], netcheck_cmp);
	*latency = n % 2 == 1 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
	return n;
}

static size_t
netcheck_write(char *data, size_t size, size_t n, void *arg)
{
	*(int64_t *)arg += (int64_t)(size * n);
	return size * n;
}

/* One GET of the URL into o: download_bytes, download_s, ..., error. */
static void
netcheck_download(struct netcheck *nc, json_t *o)
{
	curl_off_t total = 0, first = 0;
	double seconds = 0;
	int64_t bytes = 0;
	char *error = NULL, *s;
	int stopped = 0;
	long status = 0;
	CURLcode rc;
	CURL *h;

	h = netcheck_handle(nc, nc->timeout);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, NETCHECK_REDIRECTS);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, netcheck_write);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_TOTAL_TIME_T, &total);
	curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME_T, &first);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (rc == CURLE_OPERATION_TIMEDOUT && bytes > 0)
		stopped = 1;
	else if (rc == CURLE_OPERATION_TIMEDOUT && status != 0) {
		const char *url;
		char *host, *where;

		netcheck_target(nc, h, &url, &host, &where);
		s = netcheck_seconds(nc->timeout);
		error = xasprintf("no data from %s within %s s after the headers", where, s);
		free(s);
		free(host);
		free(where);
	} else if (rc != CURLE_OK)
		error = netcheck_error(nc, h, rc, nc->timeout);
	curl_easy_cleanup(h);

	if (total - first >= (curl_off_t)(NETCHECK_MIN_STREAM * 1e6))
		seconds = (double)(total - first) / 1e6;
	else
		seconds = (double)total / 1e6;
	json_object_set_new(o, "download_bytes", json_integer(bytes));
	if (bytes > 0 && seconds > 0) {
		json_object_set_new(o, "download_s", json_real(seconds));
		json_object_set_new(o, "download_bytes_per_s", json_real((double)bytes / seconds));
	} else {
		json_object_set_new(o, "download_s", json_null());
		json_object_set_new(o, "download_bytes_per_s", json_null());
	}
	json_object_set_new(o, "stopped_at_timeout", json_boolean(stopped));
	json_object_set_new(o, "error", error != NULL ? machine_json_string(error) : json_null());
	free(error);
}

json_t *
netcheck_run(const char *url, double timeout)
{
	struct netcheck nc;
	char *host = NULL, *where = NULL, *cause = NULL;
	double latency = 0;
	json_t *o;

	netcheck_init();
	if (url == NULL)
		url = NETCHECK_DEFAULT_URL;
	if (!(timeout > 0))
		timeout = 3;
	if (timeout > NETCHECK_MAX_TIMEOUT)
		timeout = NETCHECK_MAX_TIMEOUT;
	memset(&nc, 0, sizeof nc);
	nc.url = url;
	nc.timeout = timeout;

	o = json_object();
	json_object_set_new(o, "url", machine_json_string(url));
	if (netcheck_parse(url, &host, &where, &cause) != 0)
		goto unreachable;
	if ((nc.share = curl_share_init()) == NULL)
		fatalx("curl_share_init failed");
	curl_share_setopt(nc.share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	if (netcheck_latency(&nc, &latency, &cause) <= 0)
		goto unreachable;
	json_object_set_new(o, "reachable", json_true());
	json_object_set_new(o, "latency_s", json_real(latency));
	netcheck_download(&nc, o);
	goto out;

unreachable:
	json_object_set_new(o, "reachable", json_false());
	json_object_set_new(o, "error", machine_json_string(netcheck_one_line(cause)));
	free(cause);
out:
	if (nc.share != NULL)
		curl_share_cleanup(nc.share);
	free(host);
	free(where);
	return o;
}
