#!/usr/bin/env python3
"""Make Python raise MemoryError, safely.

Allocating until memory runs out rarely ends in a tidy MemoryError: the
operating system first swaps (everything slows to a crawl), and Linux may
overcommit and then kill the biggest process. So this script first caps
its own address space with resource.setrlimit(RLIMIT_AS): past the cap an
allocation fails at once, and Python turns that failure into MemoryError.

    python3 memory_error.py [--limit-mb 1024]
"""
import argparse
import resource
import sys

try:
    from proflab import mark
except ImportError:  # plain python3: markers are a no-op
    def mark(label):
        pass

MB = 1024 * 1024


def proc_status_kb(field):
    """A field of /proc/self/status, in kB (None where there is none)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def available_mb():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def swap_report():
    try:
        import psutil
    except ImportError:
        return ("(psutil is not installed: with it, psutil.swap_memory() "
                "tells how much swap the OS could use before any MemoryError)")
    swap = psutil.swap_memory()
    return ("psutil.swap_memory(): {:.0f} MB swap, {:.0f} MB used. Without a "
            "limit the OS would swap before Python sees a MemoryError."
            .format(swap.total / MB, swap.used / MB))


def grab(limit_bytes):
    """Allocate in growing chunks, then smaller ones once a chunk fails.
    Return (bytes held, first failed chunk size, resident kB at the peak)."""
    held = []
    total = 0
    chunk = MB
    failed_at = None
    while True:
        try:
            block = b"\x5a" * chunk          # really written: counts in RSS
        except MemoryError:
            if failed_at is None:
                failed_at = (chunk, total)
            if chunk <= MB:
                break
            chunk //= 2                      # try smaller pieces
            continue
        held.append(block)
        total += chunk
        print("  holding {:6d} MB".format(total // MB))
        if total >= 4 * limit_bytes:         # cannot happen with the limit
            break
        if failed_at is None:
            chunk *= 2
    rss = proc_status_kb("VmHWM") or proc_status_kb("VmRSS")
    del held
    return total, failed_at, rss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-mb", type=int, default=1024,
                        help="extra address space allowed, in MiB (default 1024)")
    args = parser.parse_args(argv)

    limit_mb = max(16, args.limit_mb)
    avail = available_mb()
    if avail is not None and limit_mb > avail // 2:
        limit_mb = max(16, avail // 2)
        print("only {} MB available: limiting to {} MB".format(avail, limit_mb))

    # The cap counts all address space, including what the interpreter and
    # its libraries have mapped already: allow that plus limit_mb.
    vm_kb = proc_status_kb("VmSize") or 0
    cap = vm_kb * 1024 + limit_mb * MB
    old_soft, old_hard = resource.getrlimit(resource.RLIMIT_AS)
    if old_hard != resource.RLIM_INFINITY and cap > old_hard:
        cap = old_hard
    resource.setrlimit(resource.RLIMIT_AS, (cap, old_hard))
    print("address space now {} MB, capped at {} MB (RLIMIT_AS)"
          .format(vm_kb // 1024, cap // MB))

    mark("allocating")
    try:
        total, failed_at, rss = grab(limit_mb * MB)
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (old_soft, old_hard))
    mark("released")

    if failed_at is not None:
        chunk, before = failed_at
        print("MemoryError: a {} MB chunk failed after {} MB in growing "
              "chunks; ended up holding {} MB (resident memory "
              "peaked at {} MB)"
              .format(chunk // MB, before // MB, total // MB,
                      "?" if rss is None else rss // 1024))
    else:
        print("no MemoryError after {} MB: the limit did not apply here"
              .format(total // MB))
    print(swap_report())
    return 0


if __name__ == "__main__":
    sys.exit(main())
