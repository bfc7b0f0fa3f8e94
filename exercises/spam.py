#!/usr/bin/env python3
"""Keep one CPU core busy and let memory grow, for a bounded time.

Watch it from the outside (a system monitor, `proflab record`, psrecord):
one core near 100 % the whole time, and resident memory climbing steadily
up to a few hundred MB, then everything is released at the end.

    python3 spam.py [--seconds 8] [--max-mb 300]
"""
import argparse
import sys
import time

try:
    from proflab import mark
except ImportError:  # plain python3: markers are a no-op
    def mark(label):
        pass


def available_mb():
    """MemAvailable from /proc/meminfo in MB, or None where there is none."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def busy_work(seed):
    """A slice of pure-Python number crunching (about a millisecond)."""
    acc = 0
    for k in range(seed % 7 + 1, 3000):
        acc = (acc + k * k) % 1000003
    return acc


def make_block(start, count):
    """A list of fresh Python objects: small strings and tuples."""
    return [(n, "item-%d" % n) for n in range(start, start + count)]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=8.0,
                        help="how long to run (default 8)")
    parser.add_argument("--max-mb", type=float, default=300.0,
                        help="memory to reach at the end, in MB (default 300)")
    args = parser.parse_args(argv)

    limit_mb = max(1.0, args.max_mb)
    avail = available_mb()
    if avail is not None and limit_mb > avail / 4:
        limit_mb = max(1.0, avail / 4)
        print("spam: only {} MB available, growing to {:.0f} MB at most"
              .format(avail, limit_mb))

    # Roughly what one stored item costs: the tuple, the int, the str and
    # the list slot pointing to the tuple.
    sample = make_block(10 ** 6, 1)[0]
    item_bytes = (sys.getsizeof(sample) + sys.getsizeof(sample[0])
                  + sys.getsizeof(sample[1]) + 8)
    block_items = 20000

    mark("spam: start")
    print("spam: running for {:.1f} s, growing to about {:.0f} MB"
          .format(args.seconds, limit_mb))
    kept = []
    items = 0
    checksum = 0
    start = time.time()
    next_report = start + 1.0
    while True:
        now = time.time()
        elapsed = now - start
        if elapsed >= args.seconds:
            break
        checksum ^= busy_work(items)
        # Grow in step with time, so memory climbs as a steady ramp.
        target_bytes = limit_mb * 1e6 * min(1.0, elapsed / args.seconds)
        while items * item_bytes < target_bytes:
            kept.append(make_block(items, block_items))
            items += block_items
        if now >= next_report:
            print("{:6.1f} s: holding {:8d} objects, about {:6.1f} MB"
                  .format(elapsed, items, items * item_bytes / 1e6))
            next_report += 1.0

    mark("spam: release")
    print("spam: done after {:.1f} s, {} objects (~{:.0f} MB), checksum {}"
          .format(time.time() - start, items, items * item_bytes / 1e6,
                  checksum))
    del kept
    return 0


if __name__ == "__main__":
    sys.exit(main())
