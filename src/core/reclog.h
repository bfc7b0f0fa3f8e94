/*
 * psrecord's text log: a header comment line, then one line per sample with
 * four numbers (elapsed seconds, CPU %, real MB, virtual MB), byte for byte
 * as psrecord writes it, so the tutorial's pandas recipe reads ours and we
 * read psrecord's:
 *   pd.read_csv(path, skiprows=1, delim_whitespace=True,
 *               names=['t', 'cpu', 'mem', 'vmem'])
 * Each sample is written with one write(2) as it comes: nothing is lost if
 * the app is killed. A struct reclog owns its descriptor and path.
 */
#ifndef PROFLAB_CORE_RECLOG_H
#define PROFLAB_CORE_RECLOG_H

#include "base/buf.h"
#include "core/recording.h"

struct reclog;

/* Creates or truncates path and writes the header; errors name the path. */
struct reclog *reclog_open(const char *path, char **cause);
int reclog_write(struct reclog *l, const struct sample *s, char **cause);
/* Frees l in all cases. */
int reclog_close(struct reclog *l, char **cause);

void reclog_format_header(struct buf *b);
void reclog_format_sample(struct buf *b, const struct sample *s);

/*
 * Appends the samples of a psrecord log (ours or psrecord's) to out, which
 * the caller has initialised. Errors name the file and line.
 */
int reclog_read(const char *path, struct recording *out, char **cause);

#endif
