/*
 * Parsing the console's % commands (see magic.h). Options are read as
 * IPython's parse_options reads them: words up to the first that is not an
 * option; the statement is the rest of the line exactly as typed.
 */
#include "config.h"

#include "core/magic.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/xmalloc.h"
#include "core/profile.h"

/* Which options a magic takes: a letter, and whether it takes a value. */
struct magic_def {
	const char *name;
	enum magic_kind kind;
	const char *flags; /* the letters without a value */
	const char *valued; /* the letters with one */
	int needs_stmt;
};

static const struct magic_def magic_defs[] = {
    {"time", MAGIC_TIME, "", "", 1},
    {"timeit", MAGIC_TIMEIT, "q", "nrp", 1},
    {"prun", MAGIC_PRUN, "q", "slD", 1},
    {"lprun", MAGIC_LPRUN, "", "fu", 1},
    {"mprun", MAGIC_MPRUN, "", "f", 1},
    {"memit", MAGIC_MEMIT, "", "r", 1},
    {"load_ext", MAGIC_LOAD_EXT, "", "", 0},
};

#define NDEFS (sizeof magic_defs / sizeof magic_defs[0])

const char *
magic_name(enum magic_kind k)
{
	for (size_t i = 0; i < NDEFS; i++) {
		if (magic_defs[i].kind == k)
			return magic_defs[i].name;
	}
	return "none";
}

void
magic_free(struct magic *m)
{
	free(m->stmt);
	free(m->sort);
	free(m->dump);
	free(m->ext);
	for (int i = 0; i < m->nfuncs; i++)
		free(m->funcs[i]);
	free(m->funcs);
	memset(m, 0, sizeof *m);
}

static int
magic_fail(struct magic *m, char **cause, char *msg)
{
	magic_free(m);
	*cause = msg;
	return -1;
}

/* A whole number >= min, else -1 with *cause. */
static int
magic_count(const char *name, int opt, const char *v, long min, long *out, char **cause)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0 || n < min || n > 1000000000L) {
		*cause = xasprintf("%%%s: -%c needs a whole number of at least %ld, not \"%s\"",
		    name, opt, min, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int
magic_option(struct magic *m, const char *name, int opt, const char *v, char **cause)
{
	long n;

	switch (m->kind) {
	case MAGIC_TIMEIT:
		if (opt == 'n')
			return magic_count(name, opt, v, 1, &m->number, cause);
		if (opt == 'r')
			return magic_count(name, opt, v, 1, &m->repeat, cause);
		if (magic_count(name, opt, v, 1, &n, cause) == -1)
			return -1;
		m->precision = n > 20 ? 20 : (int)n;
		return 0;
	case MAGIC_MEMIT:
		return magic_count(name, opt, v, 1, &m->repeat, cause);
	case MAGIC_PRUN:
		if (opt == 'l')
			return magic_count(name, opt, v, 0, &m->limit, cause);
		if (opt == 'D') {
			free(m->dump);
			m->dump = xstrdup(v);
			return 0;
		}
		if (m->sort == NULL) {
			m->sort = xstrdup(v);
		} else {
			char *s = xasprintf("%s,%s", m->sort, v);

			free(m->sort);
			m->sort = s;
		}
		return 0;
	case MAGIC_LPRUN:
		if (opt == 'u') {
			char *end;
			double u;

			errno = 0;
			u = strtod(v, &end);
			if (*v == '\0' || *end != '\0' || errno != 0 || !isfinite(u) || u <= 0) {
				*cause = xasprintf("%%%s: -u needs a unit in seconds above 0, such "
				                   "as 1e-6, not \"%s\"",
				    name, v);
				return -1;
			}
			m->unit = u;
			return 0;
		}
		/* FALLTHROUGH */
	case MAGIC_MPRUN:
		m->funcs = xreallocarray(m->funcs, (size_t)m->nfuncs + 2, sizeof *m->funcs);
		m->funcs[m->nfuncs++] = xstrdup(v);
		m->funcs[m->nfuncs] = NULL;
		return 0;
	default:
		break;
	}
	return 0;
}

/* The next word of s from *pos: its start and length; 0 at the end. */
static size_t
magic_word(const char *s, size_t *pos, size_t *start)
{
	size_t i = *pos, n = 0;

	while (s[i] == ' ' || s[i] == '\t')
		i++;
	*start = i;
	while (s[i + n] != '\0' && !isspace((unsigned char)s[i + n]))
		n++;
	*pos = i + n;
	return n;
}

static char *
magic_trim(const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	return xstrndup(s, len);
}

static int
magic_parse_line(const char *text, struct magic *m, char **cause)
{
	const struct magic_def *d = NULL;
	size_t pos = 1, start, n, namelen = 0;
	char name[32];

	while (isalnum((unsigned char)text[pos + namelen]) || text[pos + namelen] == '_')
		namelen++;
	if (namelen == 0 || namelen >= sizeof name)
		return magic_fail(m, cause,
		    xstrdup("% needs a command name: %time, %timeit, %prun, %lprun, %memit, "
		            "%mprun or %load_ext"));
	memcpy(name, text + pos, namelen);
	name[namelen] = '\0';
	for (size_t i = 0; i < NDEFS; i++) {
		if (strcmp(magic_defs[i].name, name) == 0)
			d = &magic_defs[i];
	}
	if (d == NULL)
		return magic_fail(m, cause,
		    xasprintf("%%%s: no such command here; the console knows %%time, %%timeit, "
		              "%%prun, %%lprun, %%memit, %%mprun and %%load_ext",
		        name));
	m->kind = d->kind;
	m->repeat = d->kind == MAGIC_TIMEIT ? 7 : 1;
	m->precision = 3;
	m->limit = -1;
	pos += namelen;
	if (text[pos] != '\0' && !isspace((unsigned char)text[pos]))
		return magic_fail(m, cause,
		    xasprintf("%.*s: no such command here; a %% command is followed by a space",
		        (int)strcspn(text, " \t\n"), text));
	for (;;) {
		size_t save = pos;
		const char *v;
		int opt;

		n = magic_word(text, &pos, &start);
		if (n < 2 || text[start] != '-' || !isalpha((unsigned char)text[start + 1])) {
			pos = save;
			break;
		}
		opt = text[start + 1];
		if (strchr(d->flags, opt) != NULL && n == 2) {
			m->quiet = 1;
			continue;
		}
		if (strchr(d->valued, opt) == NULL) {
			/* An expression such as -x + 1 is a statement, not an option, for %time. */
			if (d->valued[0] == '\0' && d->flags[0] == '\0') {
				pos = save;
				break;
			}
			return magic_fail(m, cause,
			    xasprintf("%%%s: unknown option %.*s", name, (int)n, text + start));
		}
		if (n > 2) {
			char *value = xstrndup(text + start + 2, n - 2);
			int rc = magic_option(m, name, opt, value, cause);

			free(value);
			if (rc == -1)
				return magic_fail(m, cause, *cause);
			continue;
		}
		n = magic_word(text, &pos, &start);
		if (n == 0)
			return magic_fail(
			    m, cause, xasprintf("%%%s: -%c needs a value", name, opt));
		v = xstrndup(text + start, n);
		if (magic_option(m, name, opt, v, cause) == -1) {
			free((char *)v);
			return magic_fail(m, cause, *cause);
		}
		free((char *)v);
	}
	m->stmt = magic_trim(text + pos, strlen(text + pos));
	if (d->kind == MAGIC_LOAD_EXT) {
		if (strcmp(m->stmt, "line_profiler") != 0 &&
		    strcmp(m->stmt, "memory_profiler") != 0)
			return magic_fail(m, cause,
			    xasprintf(
			        "%%load_ext %s: the console has line_profiler's %%lprun and "
			        "memory_profiler's %%memit and %%mprun built in, and no other "
			        "extension",
			        *m->stmt != '\0' ? m->stmt : "(no name)"));
		m->ext = m->stmt;
		m->stmt = xstrdup("");
		return 0;
	}
	if ((d->kind == MAGIC_LPRUN || d->kind == MAGIC_MPRUN) && m->nfuncs == 0)
		return magic_fail(
		    m, cause, xasprintf("%%%s: name the functions to measure with -f FUNC", name));
	if (d->needs_stmt && *m->stmt == '\0')
		return magic_fail(m, cause, xasprintf("%%%s: no statement to run", name));
	if (m->kind == MAGIC_PRUN && m->sort == NULL)
		m->sort = xstrdup("time");
	if (m->kind == MAGIC_PRUN) {
		struct prof_sort ps;
		char *why = NULL;

		if (prof_sort_parse(&ps, m->sort, &why) == -1) {
			char *msg = xasprintf("%%prun -s: %s", why);

			free(why);
			return magic_fail(m, cause, msg);
		}
	}
	return 0;
}

int
magic_parse(const char *text, struct magic *m, char **cause)
{
	size_t i = 0;

	memset(m, 0, sizeof *m);
	while (text[i] == ' ' || text[i] == '\t')
		i++;
	if (text[i] != '%') {
		m->kind = MAGIC_NONE;
		m->stmt = xstrdup(text);
		return 0;
	}
	if (text[i + 1] == '%')
		return magic_fail(m, cause,
		    xasprintf("%%%%: cell commands are not supported; put the statement on the "
		              "line: %%%.*s",
		        (int)strcspn(text + i + 2, " \t\n"), text + i + 2));
	if (strchr(text + i, '\n') != NULL && text[i + strcspn(text + i, "\n") + 1] != '\0') {
		/* One % command a line; the REPL's continuation lines are not its. */
		const char *nl = strchr(text + i, '\n');

		while (*nl == '\n' || *nl == ' ' || *nl == '\t')
			nl++;
		if (*nl != '\0')
			return magic_fail(m, cause,
			    xstrdup("a % command takes one line: put the statement on it"));
	}
	return magic_parse_line(text + i, m, cause);
}

void
magic_args(struct buf *out, const struct magic *m, const char *path)
{
	switch (m->kind) {
	case MAGIC_TIMEIT:
		buf_addf(out, "%ld\n%ld", m->number, m->repeat);
		break;
	case MAGIC_MEMIT:
		buf_addf(out, "%ld", m->repeat);
		break;
	case MAGIC_PRUN:
		buf_adds(out, path);
		break;
	case MAGIC_LPRUN:
	case MAGIC_MPRUN:
		buf_adds(out, path);
		for (int i = 0; i < m->nfuncs; i++) {
			buf_addc(out, '\n');
			buf_adds(out, m->funcs[i]);
		}
		break;
	default:
		break;
	}
}
