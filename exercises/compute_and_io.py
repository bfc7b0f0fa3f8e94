#!/usr/bin/env python3
"""Computation, network download, more computation, disk I/O.

Record it (proflab, psrecord) and compare the phases on the CPU curve: one
core at 100 % while computing, much lower while waiting for the network
and for the disk. Each phase prints the seconds elapsed since the start:

    0.000 sec : starting computation
    0.35x sec : starting network download
    ...

    python3 compute_and_io.py [URL]

The download reads URL (or $PROFLAB_DOWNLOAD_URL, or a default public
file). Without a network it serves the same amount of data from a slow
local web server started by this script, so the phase still shows a
process that waits on I/O.
"""
import hashlib
import http.server
import os
import sys
import tempfile
import threading
import time
import urllib.request

try:
    from proflab import mark
except ImportError:  # plain python3: markers are a no-op
    def mark(label):
        pass


DEFAULT_URL = "https://www.python.org/ftp/python/3.8.10/python-3.8.10-embed-amd64.zip"
DOWNLOAD_BYTES = 5 * 1000 * 1000   # read at most this much
DOWNLOAD_PHASE_SECONDS = 2.4       # how long the local fallback should take
CONNECT_TIMEOUT = 2.0              # seconds, for connecting and every read
DOWNLOAD_DEADLINE = 6.0            # the whole download phase, at most
CHUNK = 64 * 1024

START = time.time()


def phase(label):
    mark(label)
    print("{:.3f} sec : {}".format(time.time() - START, label))
    sys.stdout.flush()


# ---------------------------------------------------------------- computing

def crunch(rounds):
    """Pure-Python number crunching: loops, calls, a dict and a list."""
    counts = {}
    values = []
    for i in range(rounds):
        key = (i * 2654435761) % 1021
        counts[key] = counts.get(key, 0) + 1
        values.append(key * key % 97)
        if len(values) > 1000:
            values = [sum(values) % 1000]
    return len(counts), values[-1]


# ---------------------------------------------------------------- network

def fetch(url, limit, deadline):
    """Read up to `limit` bytes of url; return (bytes read, sha256 prefix)."""
    digest = hashlib.sha256()
    got = 0
    with urllib.request.urlopen(url, timeout=CONNECT_TIMEOUT) as response:
        while got < limit and time.time() < deadline:
            block = response.read(min(CHUNK, limit - got))
            if not block:
                break
            digest.update(block)
            got += len(block)
    return got, digest.hexdigest()[:12]


def fetch_with_deadline(url, limit, seconds):
    """fetch() in a helper thread, so that nothing (not even a slow DNS
    lookup, which no socket timeout covers) makes us wait past `seconds`."""
    result = {}
    deadline = time.time() + seconds

    def run():
        try:
            result["ok"] = fetch(url, limit, deadline)
        except Exception as error:  # any failure means: no network
            result["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds + 0.5)
    if "ok" in result:
        return result["ok"], None
    return None, result.get("error", "timed out after {:.1f} s".format(seconds))


class SlowHandler(http.server.BaseHTTPRequestHandler):
    """Serves server.payload_size bytes, spread over server.serve_seconds."""

    def do_GET(self):
        size = self.server.payload_size
        pause = self.server.serve_seconds / max(1, size // CHUNK)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        block = bytes(range(256)) * (CHUNK // 256)
        sent = 0
        try:
            while sent < size:
                piece = block[:min(CHUNK, size - sent)]
                self.wfile.write(piece)
                sent += len(piece)
                time.sleep(pause)
        except OSError:  # the client went away
            pass

    def log_message(self, *args):  # keep the terminal quiet
        pass


def local_download(limit, seconds):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    server.daemon_threads = True
    server.payload_size = limit
    server.serve_seconds = seconds
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    host, port = server.server_address[:2]
    try:
        url = "http://{}:{}/data.bin".format(host, port)
        result, _ = fetch_with_deadline(url, limit, seconds + 5.0)
    finally:
        server.shutdown()
        server.server_close()
    got, digest = result if result is not None else (0, "")
    return got, digest, "{}:{}".format(host, port)


def download(url):
    start = time.time()
    (result, error) = fetch_with_deadline(url, DOWNLOAD_BYTES, DOWNLOAD_DEADLINE)
    if result is not None:
        got, digest = result
        print("download: read {:.1f} MB from {} in {:.2f} s (sha256 {}...)"
              .format(got / 1e6, url, time.time() - start, digest))
        return
    # No network: same amount of data from a throttled local server, taking
    # what is left of the usual phase length (at least a second).
    spent = time.time() - start
    seconds = max(1.0, DOWNLOAD_PHASE_SECONDS - spent)
    got, digest, where = local_download(DOWNLOAD_BYTES, seconds)
    print("download: network unreachable ({}), served {:.1f} MB from a "
          "local throttled server at {}".format(short(error), got / 1e6, where))


def short(error):
    text = str(getattr(error, "reason", error)) or type(error).__name__
    return text if len(text) <= 60 else text[:57] + "..."


# ---------------------------------------------------------------- disk

def disk_io(directory, seconds=0.5, max_bytes=128 * 1024 * 1024):
    """Write a file with fsync for about `seconds`, then read it back."""
    path = os.path.join(directory, "compute_and_io.dat")
    block = os.urandom(1024 * 1024)
    written = 0
    start = time.time()
    with open(path, "wb") as out:
        while written < max_bytes and time.time() - start < seconds:
            out.write(block)
            out.flush()
            os.fsync(out.fileno())
            written += len(block)
    write_seconds = time.time() - start
    digest = hashlib.sha256()
    with open(path, "rb") as back:
        if hasattr(os, "posix_fadvise"):
            # Ask the kernel to forget its cached copy, so we read the disk.
            os.posix_fadvise(back.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
        while True:
            block = back.read(1024 * 1024)
            if not block:
                break
            digest.update(block)
    os.remove(path)
    print("disk: wrote {} MB with fsync in {:.2f} s, read it back in {:.2f} s"
          .format(written // (1024 * 1024), write_seconds,
                  time.time() - start - write_seconds))


def main():
    url = (sys.argv[1] if len(sys.argv) > 1
           else os.environ.get("PROFLAB_DOWNLOAD_URL") or DEFAULT_URL)

    phase("starting computation")
    crunch(1500000)

    phase("starting network download")
    download(url)

    phase("starting more computation")
    crunch(15000000)

    phase("starting disk I/O")
    with tempfile.TemporaryDirectory(prefix="proflab-io-") as directory:
        disk_io(directory)

    phase("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
