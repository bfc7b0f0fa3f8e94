"""The facts `proflab machine` reports, printed by the classic route: psutil,
platform, /proc and /sys for what psutil leaves out (CPU model, caches,
affinity), and numpy for its BLAS. bench/run times it beside proflab machine
and neofetch; it is not a test, only the other side of a comparison."""
import glob
import os
import platform
import sys

import psutil


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def caches():
    seen = set()
    out = []
    for d in sorted(glob.glob("/sys/devices/system/cpu/cpu[0-9]*/cache/index[0-9]*")):
        try:
            level = open(d + "/level").read().strip()
            kind = open(d + "/type").read().strip()
            size = open(d + "/size").read().strip()
            shared = open(d + "/shared_cpu_list").read().strip()
        except OSError:
            continue
        if (level, kind, shared) not in seen:
            seen.add((level, kind, shared))
            out.append("L%s %s %s" % (level, kind, size))
    return out


def blas():
    try:
        import numpy
    except ImportError as e:
        return "numpy missing: %s" % e
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            if "blas" in os.path.basename(path):
                return "numpy %s, BLAS %s" % (numpy.__version__, path)
    return "numpy %s, BLAS unknown" % numpy.__version__


def main():
    freq = psutil.cpu_freq()
    mem = psutil.virtual_memory()
    swap = psutil.swap_memory()
    print("CPU", cpu_model(), psutil.cpu_count(logical=False), "cores",
          psutil.cpu_count(), "logical", len(os.sched_getaffinity(0)), "usable")
    print("frequency", freq.current if freq else None, freq.min if freq else None,
          freq.max if freq else None)
    print("caches", ", ".join(caches()))
    print("memory", mem.total, mem.available, mem.used, "swap", swap.total, swap.used)
    for part in psutil.disk_partitions(all=False):
        usage = psutil.disk_usage(part.mountpoint)
        print("disk", part.mountpoint, part.fstype, part.device, usage.total, usage.free)
    print("load", os.getloadavg(), "processes", len(psutil.pids()))
    os_name = platform.freedesktop_os_release().get("PRETTY_NAME", "?")
    print("system", platform.node(), os_name, platform.release(), platform.machine(),
          "boot", psutil.boot_time())
    print("python", platform.python_implementation(), platform.python_version(), sys.executable)
    print(blas())
    print("psutil", psutil.__version__)


main()
