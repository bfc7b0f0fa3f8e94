"""Drives `proflab-worker --console` as the front end does, for tests/worker/console.sh.

    console_drive.py LOG WORKER STEP...

starts WORKER --console --channel-fd N --request-fd M (stdin /dev/null,
stdout, stderr, the channel and the requests on pipes of their own), runs
the steps and writes LOG, one event a line, in the order the front end would
see them (before a record is logged, the output pipes are drained, as
core/run.c does):

    > ID MAGIC              a request sent
    1| TEXT                 a line (or the start of one) the worker wrote on stdout
    2| TEXT                 ... on stderr
    @ RECORD                a channel record, as it came (fields tab-separated)
    ! WHAT                  the driver's own word (a timeout)
    exit STATUS             how the worker ended (negative: killed by that signal)

A step is one argument; its words are separated by '|' (in ARGS and SOURCE,
\\n, \\t and \\\\ are escapes):

    run|ID|MAGIC|ARGS|SOURCE    send the request, wait for its done record
    send|ID|MAGIC|ARGS|SOURCE   send it without waiting
    wait|ID                     wait for done ID
    raw|TEXT                    write TEXT as it is on the request pipe
    sigint                      SIGINT to the worker now
    sigint-when|PATH            wait until PATH exists, then SIGINT
    idle                        wait until the worker waits for requests (its
                                main thread in poll, as /proc/PID/wchan says)
    close                       EOF on the request pipe; wait for the worker's end

Every wait ends after $DRIVE_TIMEOUT seconds (default 20): the worker is
killed, "! timeout ..." logged, and the driver exits 1. Exits 0 otherwise.
"""
import os
import select
import signal
import subprocess
import sys
import time

TIMEOUT = float(os.environ.get("DRIVE_TIMEOUT", "20"))


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append({"n": "\n", "t": "\t", "\\": "\\"}.get(s[i + 1], "\\" + s[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def esc(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Driver:
    def __init__(self, log, worker):
        self.log = open(log, "w", encoding="utf-8", errors="backslashreplace")
        chan_r, chan_w = os.pipe()
        req_r, req_w = os.pipe()
        self.proc = subprocess.Popen(
            [worker, "--console", "--channel-fd", str(chan_w), "--request-fd", str(req_r)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            pass_fds=(chan_w, req_r), close_fds=True)
        os.close(chan_w)
        os.close(req_r)
        self.chan = chan_r
        self.req = req_w
        self.out = {self.proc.stdout.fileno(): "1", self.proc.stderr.fileno(): "2"}
        self.partial = {"1": b"", "2": b""}
        self.chanbuf = b""
        self.done = set()
        self.records = []
        for fd in list(self.out) + [self.chan]:
            os.set_blocking(fd, False)

    def say(self, line):
        self.log.write(line + "\n")
        self.log.flush()

    def flush_partial(self):
        for tag in ("1", "2"):
            if self.partial[tag]:
                self.say("%s| %s" % (tag, self.partial[tag].decode("utf-8", "backslashreplace")))
                self.partial[tag] = b""

    def take_output(self, fd):
        tag = self.out[fd]
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return True
        if not data:
            return False
        buf = self.partial[tag] + data
        *lines, self.partial[tag] = buf.split(b"\n")
        for line in lines:
            self.say("%s| %s" % (tag, line.decode("utf-8", "backslashreplace")))
        return True

    def drain_output(self):
        for fd in list(self.out):
            while True:
                r, _, _ = select.select([fd], [], [], 0)
                if not r or not self.take_output(fd):
                    break

    def pump(self, deadline):
        """Handles what arrives until deadline; False when every pipe is at EOF."""
        fds = list(self.out) + ([self.chan] if self.chan is not None else [])
        if not fds:
            return False
        r, _, _ = select.select(fds, [], [], max(0.0, deadline - time.monotonic()))
        for fd in r:
            if fd in self.out:
                if not self.take_output(fd):
                    del self.out[fd]
                continue
            try:
                data = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if not data:
                os.close(self.chan)
                self.chan = None
                continue
            self.chanbuf += data
            while b"\n" in self.chanbuf:
                line, self.chanbuf = self.chanbuf.split(b"\n", 1)
                self.drain_output()
                self.flush_partial()
                text = line.decode("utf-8", "backslashreplace")
                self.say("@ " + text)
                fields = text.split("\t")
                self.records.append(fields)
                if fields[0] == "done" and len(fields) > 1:
                    self.done.add(fields[1])
        return True

    def wait_until(self, cond, what):
        deadline = time.monotonic() + TIMEOUT
        while not cond():
            if time.monotonic() >= deadline:
                self.say("! timeout " + what)
                self.proc.kill()
                self.proc.wait()
                sys.exit(1)
            if not self.pump(min(deadline, time.monotonic() + 0.05)) and not cond():
                if self.proc.poll() is not None:
                    self.say("! worker gone " + what)
                    self.finish()
                    sys.exit(1)
                time.sleep(0.01)

    def wait_idle(self):
        path = "/proc/%d/wchan" % self.proc.pid

        def idle():
            try:
                with open(path) as f:
                    wchan = f.read()
            except OSError:
                return True
            return "poll" in wchan or wchan in ("", "0")  # "0": the kernel does not tell

        self.wait_until(idle, "waiting for the worker to be idle")

    def send(self, rid, magic, args, source):
        rec = "\t".join(["run", rid, magic, esc(unescape(args)), esc(unescape(source))]) + "\n"
        self.say("> %s %s" % (rid, magic))
        self.write(rec.encode("utf-8"))

    def write(self, data):
        try:
            os.write(self.req, data)
        except BrokenPipeError:
            self.say("! the worker does not read its requests")

    def finish(self):
        deadline = time.monotonic() + TIMEOUT
        while self.pump(deadline) and time.monotonic() < deadline:
            pass
        self.flush_partial()
        try:
            status = self.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.say("! timeout waiting for the worker's end")
            self.proc.kill()
            status = self.proc.wait()
        self.say("exit %d" % status)


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    d = Driver(argv[1], argv[2])
    for step in argv[3:]:
        w = step.split("|", 4)
        if w[0] in ("run", "send") and len(w) == 5:
            d.send(w[1], w[2], w[3], w[4])
            if w[0] == "run":
                d.wait_until(lambda: w[1] in d.done, "waiting for done " + w[1])
        elif w[0] == "wait" and len(w) == 2:
            d.wait_until(lambda: w[1] in d.done, "waiting for done " + w[1])
        elif w[0] == "raw" and len(w) == 2:
            d.write(unescape(w[1]).encode("utf-8"))
        elif w[0] == "sigint":
            d.proc.send_signal(signal.SIGINT)
        elif w[0] == "sigint-when" and len(w) == 2:
            d.wait_until(lambda: os.path.exists(w[1]), "waiting for " + w[1])
            d.proc.send_signal(signal.SIGINT)
        elif w[0] == "idle":
            d.wait_idle()
        elif w[0] == "close":
            os.close(d.req)
            d.req = None
            d.finish()
            return 0
        else:
            sys.stderr.write("console_drive.py: bad step %r\n" % step)
            d.proc.kill()
            return 2
    if d.req is not None:
        os.close(d.req)
    d.finish()
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.exit(main(sys.argv))
