#!/usr/bin/python3
"""The classic recorder loop: what psrecord does for each sample, with psutil.

Per sample: proc.status() (stop on a zombie or dead process),
proc.cpu_percent(), proc.memory_info(), one formatted log line written and
flushed, then time.sleep(interval) -- a plain sleep, as psrecord does, so
the time spent sampling adds up as drift.

    psutil_loop.py [--interval S] [--duration S] [--log FILE] PID
    psutil_loop.py --no-sleep N PID     # N samples back to back

At the end it prints its own CPU time (time.process_time()):
    cpu_seconds X samples N
and with --no-sleep also the cost of one sample:
    cpu_seconds_per_sample X ns_per_sample Y
"""
import argparse
import os
import sys
import time

import psutil

MB = 1024.0 * 1024.0


def sample(proc, start, out):
    """One psrecord-style sample; False once the process is gone."""
    try:
        status = proc.status()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    if status in (psutil.STATUS_ZOMBIE, psutil.STATUS_DEAD):
        return False
    try:
        cpu = proc.cpu_percent()
        mem = proc.memory_info()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return False
    out.write("{:12.3f} {:12.3f} {:12.3f} {:12.3f}\n".format(
        time.time() - start, cpu, mem.rss / MB, mem.vms / MB))
    out.flush()
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pid", type=int)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--duration", type=float, default=None)
    parser.add_argument("--log", default=os.devnull)
    parser.add_argument("--no-sleep", type=int, default=0, metavar="N",
                        help="take N samples without sleeping, report the cost")
    args = parser.parse_args(argv)

    proc = psutil.Process(args.pid)
    samples = 0
    cpu0 = time.process_time()
    with open(args.log, "w") as out:
        out.write("# {0:12s} {1:12s} {2:12s} {3:12s}\n".format(
            "Elapsed time".center(12), "CPU (%)".center(12),
            "Real (MB)".center(12), "Virtual (MB)".center(12)))
        start = time.time()
        if args.no_sleep > 0:
            for _ in range(args.no_sleep):
                if not sample(proc, start, out):
                    break
                samples += 1
        else:
            while True:
                if (args.duration is not None
                        and time.time() - start > args.duration):
                    break
                if not sample(proc, start, out):
                    break
                samples += 1
                time.sleep(args.interval)
    cpu = time.process_time() - cpu0
    print("cpu_seconds {:.6f} samples {}".format(cpu, samples))
    if args.no_sleep > 0 and samples:
        print("cpu_seconds_per_sample {:.9f} ns_per_sample {:.0f}".format(
            cpu / samples, cpu / samples * 1e9))
    return 0


if __name__ == "__main__":
    sys.exit(main())
