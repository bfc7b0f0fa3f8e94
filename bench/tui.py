#!/usr/bin/python3
"""The lab's own cost, side by side with htop and btop (each in its own
pseudo-terminal of 120x36, run one after the other in one go):

- first frame: seconds from start until the screen's last-drawn text has
  been written (proflab: its status line; htop: its key bar; btop: its
  cpu box);
- CPU: the program's own CPU time over a 10 s window divided by the window
  (proflab while it runs spam.py with the graph redrawn 10 times a second;
  the worker is another process and is not counted; htop at -d 1, a 0.1 s
  refresh; btop at update_ms=100);
- memory: the program's resident memory (VmRSS) at the end of the window.

Usage: bench/tui.py [BUILD_DIR]   (default: build/, else the repo root)
Needs htop and btop for their columns (apt-get install htop btop); a
missing one is reported as such.
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROWS, COLS = 36, 120
WINDOW = 10.0
HZ = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / HZ


def rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def spawn(argv, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    return pid, fd


def drain(fd, until, seen=b"", marker=None):
    """Reads the pty until `until` (monotonic); returns (bytes, time marker seen)."""
    at = None
    while True:
        left = until - time.monotonic()
        if left <= 0:
            return seen, at
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            continue
        try:
            data = os.read(fd, 65536)
        except OSError:
            return seen, at
        if not data:
            return seen, at
        seen = (seen + data)[-200000:]
        if marker is not None and at is None and marker in seen:
            at = time.monotonic()


def measure(name, argv, env, marker, keys=b""):
    t0 = time.monotonic()
    pid, fd = spawn(argv, env)
    seen, at = b"", None
    # Wait for the first frame (or 5 s).
    while at is None and time.monotonic() - t0 < 5:
        seen, at = drain(fd, min(t0 + 5, time.monotonic() + 0.05), seen, marker)
    first = at - t0 if at is not None else float("nan")
    for k in keys:
        os.write(fd, bytes([k]))
        drain(fd, time.monotonic() + 0.2)
    drain(fd, time.monotonic() + 1.0)  # let the run start
    c0, w0 = cpu_seconds(pid), time.monotonic()
    drain(fd, w0 + WINDOW)
    c1, w1 = cpu_seconds(pid), time.monotonic()
    rss = rss_mib(pid)
    os.kill(pid, signal.SIGTERM)
    drain(fd, time.monotonic() + 1.0)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    os.close(fd)
    return first, 100 * (c1 - c0) / (w1 - w0), rss


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else (
        os.path.join(TOP, "build") if os.path.exists(os.path.join(TOP, "build", "proflab")) else TOP)
    proflab = os.path.join(build, "proflab")
    home = tempfile.mkdtemp(prefix="proflab-bench-")
    env = {"TERM": "xterm-256color", "LC_ALL": "C.UTF-8", "HOME": home,
           "XDG_STATE_HOME": os.path.join(home, "state"), "XDG_CONFIG_HOME": os.path.join(home, "config")}
    os.makedirs(os.path.join(home, "config", "btop"))
    with open(os.path.join(home, "config", "btop", "btop.conf"), "w") as f:
        f.write("update_ms = 100\n")
    rows = []
    if os.access(proflab, os.X_OK):
        # Lesson 3's second exercise is spam.py: n selects it, Enter runs it.
        rows.append(("proflab (lab running spam.py)",) + measure(
            "proflab", [proflab, "lesson", "3"], env, b"q: quit", b"n\r"))
    else:
        rows.append(("proflab", None, None, None))
    for name, argv, marker in (("htop -d 1", ["htop", "-d", "1"], b"Quit"),
                               ("btop (update_ms=100)", ["btop"], b"cpu")):
        if shutil.which(argv[0]) is None:
            rows.append((name + ": not installed", None, None, None))
            continue
        rows.append((name,) + measure(name, argv, env, marker))
    shutil.rmtree(home, ignore_errors=True)
    print("%-32s %14s %10s %12s" % ("program", "first frame", "CPU %", "RSS MiB"))
    for name, first, cpu, rss in rows:
        if first is None:
            print("%-32s %14s %10s %12s" % (name, "-", "-", "-"))
        else:
            print("%-32s %12.0f ms %10.2f %12.1f" % (name, first * 1000, cpu, rss))
    p = rows[0]
    if p[1] is not None:
        print("\ntargets: first frame <= 100 ms: %s; CPU < 1 %%: %s; RSS < 16 MiB: %s" % (
            "PASS" if p[1] <= 0.1 else "FAIL", "PASS" if p[2] < 1 else "FAIL",
            "PASS" if p[3] < 16 else "FAIL"))


if __name__ == "__main__":
    main()
