#!/usr/bin/python3
"""Run a command and report the CPU time it (and its children) used.

    cputime.py [-o FILE] COMMAND [ARGS...]

Prints one line to FILE (default: stderr), after the command ends:
    cputime user U sys S total T wall W rc R
U and S come from getrusage(RUSAGE_CHILDREN): the command and every
descendant it waited for. The command's own stdout/stderr pass through.
"""
import os
import resource
import subprocess
import sys
import time


def main(argv):
    out = None
    if len(argv) > 2 and argv[1] == "-o":
        out = argv[2]
        argv = argv[2:]
    command = argv[1:]
    if not command:
        sys.stderr.write(__doc__)
        return 2
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    try:
        rc = subprocess.call(command)
    except OSError as error:
        sys.stderr.write("cputime: {}: {}\n".format(command[0], error))
        rc = 127
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    user = after.ru_utime - before.ru_utime
    system = after.ru_stime - before.ru_stime
    line = "cputime user {:.4f} sys {:.4f} total {:.4f} wall {:.3f} rc {}\n".format(
        user, system, user + system, wall, rc)
    if out:
        with open(out, "w") as f:
            f.write(line)
    else:
        sys.stderr.write(line)
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
