/*
 * The network part of `proflab machine --bench`, through libcurl: latency
 * (the TCP connect time, the median of a few fresh connections, name lookup
 * excluded) and download throughput of one GET of url, every step bounded by
 * a timeout so that a server that never answers, or a machine with no
 * network, costs at most `timeout` seconds per step. The result is a JSON
 * object (see man/proflab.1):
 *   {"url": ..., "reachable": true, "latency_s": x, "download_bytes": N,
 *    "download_s": t, "download_bytes_per_s": y, "stopped_at_timeout": false,
 *    "error": null}
 * A download still going at the timeout stops there and reports what came
 * ("stopped_at_timeout": true, no error); no body byte at all is an error
 * ("no answer from HOST:PORT within T s").
 * or, when the host cannot be reached at all,
 *   {"url": ..., "reachable": false, "error": "could not resolve host x"}.
 */
#ifndef PROFLAB_CORE_NETCHECK_H
#define PROFLAB_CORE_NETCHECK_H

#include <jansson.h>

/* The default --net URL: a public speed-test endpoint that sends 10 MB. */
#define NETCHECK_DEFAULT_URL "https://speed.cloudflare.com/__down?bytes=10000000"

/*
 * timeout: seconds for each connection and for the whole download (which
 * stops there and reports what came so far); <= 0 means 3.
 */
json_t *netcheck_run(const char *url, double timeout);

#endif
