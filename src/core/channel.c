/*
 * Encoding and decoding of channel records (see channel.h).
 */
#include "config.h"

#include "core/channel.h"

#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"

const struct chan_type_def chan_types[CHAN_NTYPES] = {
    [CHAN_HELLO] = {"hello", 4},
    [CHAN_MARK] = {"mark", 2},
    [CHAN_EXIT] = {"exit", 3},
    [CHAN_ERROR] = {"error", 1},
    [CHAN_PROFILE] = {"profile", 2},
    [CHAN_LINES] = {"lines", 3},
    [CHAN_BLAS] = {"blas", 1},
    [CHAN_TIMEIT] = {"timeit", 2},
    [CHAN_CPUTIME] = {"cputime", 4},
    [CHAN_MEMIT] = {"memit", 2},
    [CHAN_DONE] = {"done", 3},
    [CHAN_RUN] = {"run", 4},
};

void
chan_msg_free(struct chan_msg *msg)
{
	for (int i = 0; i < msg->nfields; i++)
		free(msg->fields[i]);
	free(msg->fields);
	msg->fields = NULL;
	msg->nfields = 0;
}

void
chan_escape(struct buf *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\t':
			buf_adds(out, "\\t");
			break;
		case '\n':
			buf_adds(out, "\\n");
			break;
		case '\r':
			buf_adds(out, "\\r");
			break;
		case '\\':
			buf_adds(out, "\\\\");
			break;
		default:
			buf_addc(out, *s);
		}
	}
}

char *
chan_unescape(const char *s, size_t len, char **cause)
{
	struct buf out;

	buf_init(&out);
	buf_reserve(&out, len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\0') {
			*cause = xstrdup("NUL byte in field");
			buf_free(&out);
			return NULL;
		}
		if (s[i] != '\\') {
			buf_addc(&out, s[i]);
			continue;
		}
		if (++i == len) {
			*cause = xstrdup("field ends in a lone backslash");
			buf_free(&out);
			return NULL;
		}
		switch (s[i]) {
		case 't':
			buf_addc(&out, '\t');
			break;
		case 'n':
			buf_addc(&out, '\n');
			break;
		case 'r':
			buf_addc(&out, '\r');
			break;
		case '\\':
			buf_addc(&out, '\\');
			break;
		default:
			*cause = xasprintf("unknown escape \\%c", s[i]);
			buf_free(&out);
			return NULL;
		}
	}
	return buf_steal(&out);
}

void
chan_encode(struct buf *out, enum chan_type type, const char *const *fields, int n)
{
	if ((unsigned int)type >= CHAN_NTYPES) {
		fatalx("channel record type %d does not exist", (int)type);
		return;
	}
	if (n != chan_types[type].nfields)
		fatalx("channel record %s encoded with %d fields", chan_types[type].name, n);
	buf_adds(out, chan_types[type].name);
	for (int i = 0; i < n; i++) {
		buf_addc(out, '\t');
		chan_escape(out, fields[i] != NULL ? fields[i] : "");
	}
	buf_addc(out, '\n');
}

void
chan_reader_init(struct chan_reader *r)
{
	buf_init(&r->in);
	r->line = 0;
}

void
chan_reader_free(struct chan_reader *r)
{
	buf_free(&r->in);
}

void
chan_reader_feed(struct chan_reader *r, const void *data, size_t len)
{
	buf_add(&r->in, data, len);
}

size_t
chan_reader_pending(const struct chan_reader *r)
{
	return r->in.len;
}

static int
chan_parse_line(
    const char *line, size_t len, unsigned long lineno, struct chan_msg *msg, char **cause)
{
	const char *end = line + len, *p, *tab;
	char *ucause = NULL;
	int type = -1;
	size_t namelen;

	tab = memchr(line, '\t', len);
	namelen = (tab != NULL ? tab : end) - line;
	for (int t = 0; t < CHAN_NTYPES; t++) {
		if (strlen(chan_types[t].name) == namelen &&
		    memcmp(chan_types[t].name, line, namelen) == 0)
			type = t;
	}
	if (type < 0) {
		*cause = xasprintf("channel record %lu: unknown type \"%.*s\"", lineno,
		    (int)(namelen > 40 ? 40 : namelen), line);
		return -1;
	}
	msg->type = (enum chan_type)type;
	msg->nfields = 0;
	msg->fields = xcalloc((size_t)chan_types[type].nfields + 1, sizeof *msg->fields);
	for (p = tab; p != NULL; p = tab) {
		const char *start = p + 1;

		tab = memchr(start, '\t', (size_t)(end - start));
		if (msg->nfields == chan_types[type].nfields) {
			msg->nfields++;
			break;
		}
		msg->fields[msg->nfields] =
		    chan_unescape(start, (size_t)((tab != NULL ? tab : end) - start), &ucause);
		if (msg->fields[msg->nfields] == NULL) {
			*cause = xasprintf(
			    "channel record %lu (%s): %s", lineno, chan_types[type].name, ucause);
			free(ucause);
			chan_msg_free(msg);
			return -1;
		}
		msg->nfields++;
	}
	if (msg->nfields != chan_types[type].nfields) {
		*cause = xasprintf("channel record %lu (%s): %s fields, expected %d", lineno,
		    chan_types[type].name,
		    msg->nfields > chan_types[type].nfields ? "too many" : "too few",
		    chan_types[type].nfields);
		if (msg->nfields > chan_types[type].nfields)
			msg->nfields--;
		chan_msg_free(msg);
		return -1;
	}
	return 1;
}

int
chan_reader_next(struct chan_reader *r, struct chan_msg *msg, char **cause)
{
	char *nl;
	size_t len;
	int rc;

	if (r->in.len == 0)
		return 0;
	nl = memchr(r->in.data, '\n', r->in.len);
	if (nl == NULL)
		return 0;
	len = (size_t)(nl - r->in.data);
	r->line++;
	rc = chan_parse_line(r->in.data, len, r->line, msg, cause);
	buf_consume(&r->in, len + 1);
	return rc;
}
