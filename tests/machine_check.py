"""Compare a `proflab machine --json` report with the system's own tools.

Usage: /usr/bin/python3.11 tests/machine_check.py REPORT.json

Prints TAP: each fact of the live report against nproc, /proc/meminfo, df,
platform, socket and psutil, each with its tolerance in its description.
Without psutil, the comparisons that need it are skipped. Exits 1 when a
comparison fails, 2 when the report cannot be read.
"""

import datetime
import json
import os
import platform
import socket
import subprocess
import sys
import time

try:
    import psutil
except ImportError:
    psutil = None

MIB = 1024 * 1024


class Tap:
    def __init__(self):
        self.lines = []
        self.failed = 0

    def _add(self, ok, text):
        n = len(self.lines) + 1
        self.lines.append(("ok %d - %s" if ok else "not ok %d - %s") % (n, text))
        if not ok:
            self.failed += 1

    def check(self, ok, what, expected=None, got=None):
        if ok:
            self._add(True, what)
        else:
            self._add(False, "%s (expected %s, got %s)" % (what, expected, got))

    def equal(self, what, expected, got):
        self.check(expected == got, what, expected, got)

    def near(self, what, expected, got, tolerance):
        ok = (isinstance(got, (int, float)) and not isinstance(got, bool)
              and abs(got - expected) <= tolerance)
        self.check(ok, what, expected, got)

    def skip(self, what, why):
        self._add(True, "%s # SKIP %s" % (what, why))

    def finish(self):
        print("1..%d" % len(self.lines))
        for line in self.lines:
            print(line)
        sys.stdout.flush()
        return 1 if self.failed else 0


def meminfo():
    values = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, _, rest = line.partition(":")
            fields = rest.split()
            if fields:
                values[key] = int(fields[0]) * 1024
    return values


def nproc():
    # nproc also obeys OMP_NUM_THREADS and OMP_THREAD_LIMIT; the affinity alone is wanted.
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMP_")}
    out = subprocess.run(["nproc"], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def df(mount):
    """(size, avail) in bytes as df prints them, or None."""
    out = subprocess.run(["df", "-B1", "--output=size,avail", "--", mount],
                         capture_output=True, text=True)
    lines = out.stdout.split("\n")
    if out.returncode != 0 or len(lines) < 2:
        return None
    size, avail = lines[1].split()
    return int(size), int(avail)


def can_statvfs(path):
    try:
        os.statvfs(path)
    except OSError:
        return False
    return True


def report_age(report):
    """Seconds since the report's "time", or 0 without one."""
    try:
        t = datetime.datetime.strptime(report["time"], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, ValueError):
        return 0.0
    t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
    return max(0.0, time.time() - t)


def main():
    if len(sys.argv) != 2:
        print("usage: machine_check.py REPORT.json", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1]) as f:
            report = json.load(f)
        cpu, mem, swap = report["cpu"], report["memory"], report["swap"]
        disks, host = report["disks"], report["host"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("Bail out! %s: %s" % (sys.argv[1], e))
        return 2

    tap = Tap()
    no_psutil = "psutil missing"

    # CPUs
    what = "cpu.logical == psutil.cpu_count() (exact)"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        tap.equal(what, psutil.cpu_count(), cpu.get("logical"))
    what = "cpu.cores == psutil.cpu_count(logical=False) (exact)"
    if psutil is None:
        tap.skip(what, no_psutil)
    elif psutil.cpu_count(logical=False) is None:
        tap.skip(what, "psutil gives no core count")
    else:
        tap.equal(what, psutil.cpu_count(logical=False), cpu.get("cores"))
    tap.equal("cpu.affinity == nproc (exact)", nproc(), cpu.get("affinity"))
    what = "cpu.freq_mhz.current within 25 % of psutil.cpu_freq().current"
    current = (cpu.get("freq_mhz") or {}).get("current")
    freq = None
    if psutil is not None:
        try:
            freq = psutil.cpu_freq()
        except (OSError, NotImplementedError):
            freq = None
    if psutil is None:
        tap.skip(what, no_psutil)
    elif freq is None or not freq.current or current is None:
        tap.skip(what, "frequency unknown")
    else:
        tap.near(what, freq.current, current, 0.25 * freq.current)

    # memory and swap
    info = meminfo()
    tap.equal("memory.total_bytes == MemTotal of /proc/meminfo (exact)",
              info.get("MemTotal"), mem.get("total_bytes"))
    what = "memory.available_bytes within 5 % or 64 MiB of psutil's"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        avail = psutil.virtual_memory().available
        tap.near(what, avail, mem.get("available_bytes"), max(0.05 * avail, 64 * MIB))
    tap.equal("swap.total_bytes == SwapTotal of /proc/meminfo (exact)",
              info.get("SwapTotal"), swap.get("total_bytes"))

    # disks
    mounts = [d.get("mount") for d in disks]
    tap.check("/" in mounts, "the disks include /", "/ among them", mounts)
    for d in disks:
        m = d.get("mount")
        sizes = df(m)
        if sizes is None:
            tap.check(False, "disk %s: df reads it" % m, "df output", "none")
            continue
        tap.equal("disk %s: total_bytes == df -B1 size (exact)" % m, sizes[0],
                  d.get("total_bytes"))
        tap.near("disk %s: free_bytes within 1 %% or 64 MiB of df's avail" % m, sizes[1],
                 d.get("free_bytes"), max(0.01 * sizes[1], 64 * MIB))
    what = "the disks hold a mount of every device of psutil.disk_partitions() (exact)"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        # Bind mounts: one device, several mount points; any of them will do.
        by_device = {}
        for p in psutil.disk_partitions(all=False):
            if can_statvfs(p.mountpoint):
                by_device.setdefault(p.device, []).append(p.mountpoint)
        missing = [sorted(points) for points in by_device.values()
                   if not any(point in mounts for point in points)]
        tap.check(not missing, what, "one of each", "none of %s" % missing)
    what = "every disk but / is among psutil.disk_partitions() (exact)"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        points = {p.mountpoint for p in psutil.disk_partitions(all=False)}
        extra = [m for m in mounts if m != "/" and m not in points]
        tap.check(not extra, what, "none extra", extra)

    # processes, load, uptime
    what = "processes within 10 % or 20 of len(psutil.pids())"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        n = len(psutil.pids())
        tap.near(what, n, report.get("processes"), max(0.1 * n, 20))
    load = report.get("load")
    expected = os.getloadavg()
    ok = (isinstance(load, list) and len(load) == 3
          and all(isinstance(x, (int, float)) and abs(x - e) <= 1.0
                  for x, e in zip(load, expected)))
    tap.check(ok, "load within 1.0 of os.getloadavg()", list(expected), load)
    what = "host.uptime_s within 5 s of psutil.boot_time()'s"
    if psutil is None:
        tap.skip(what, no_psutil)
    else:
        # The report was taken report_age() seconds ago.
        uptime = time.time() - psutil.boot_time() - report_age(report)
        tap.near(what, round(uptime, 1), host.get("uptime_s"), 5.0)

    # host
    tap.equal("host.kernel == platform.release() (exact)", platform.release(),
              host.get("kernel"))
    tap.equal("host.hostname == socket.gethostname() (exact)", socket.gethostname(),
              host.get("hostname"))
    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
