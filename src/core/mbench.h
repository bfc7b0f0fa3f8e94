/*
 * The quick benchmarks of `proflab machine --bench` that need no Python
 * inside proflab: interpreter start-up (a fresh `python -c CODE`, best of
 * several runs), memory bandwidth, and disk write and read throughput in a
 * temporary directory that is removed afterwards. Each returns its result
 * as a JSON object (the "bench" part of the machine report, see
 * man/proflab.1) or, on failure, an object with an "error" string: a
 * benchmark that fails never ends the report.
 */
#ifndef PROFLAB_CORE_MBENCH_H
#define PROFLAB_CORE_MBENCH_H

#include <stdint.h>

#include <jansson.h>

/*
 * Runs `python -c code` runs times (stdout and stderr to /dev/null) and
 * keeps the fastest: {"code": ..., "runs": N, "real_s": x, "user_s": y,
 * "sys_s": z}.
 */
json_t *mbench_startup(const char *python, const char *code, int runs);

/*
 * Copies a buffer of `bytes` (two buffers of that size are allocated) a few
 * times and keeps the fastest: {"bytes": N, "copy_bytes_per_s": x}, counting
 * each byte read and each byte written, as STREAM's copy does.
 */
json_t *mbench_memory(int64_t bytes);

/*
 * Writes `bytes` to a new file in a temporary directory made under dir,
 * with fdatasync; drops it from the page cache (posix_fadvise DONTNEED) and
 * reads it back; removes the file and the directory in every case.
 * {"dir": dir, "fstype": "ext4", "bytes": N, "write_bytes_per_s": x,
 *  "read_bytes_per_s": y, "read_from_cache": false}
 */
json_t *mbench_disk(const char *dir, int64_t bytes);

#endif
