/*
 * The lesson parser (see lesson.h): one pass over the lines, accumulating the
 * current paragraph, list item or quote until a blank line or another kind of
 * line ends it. Fenced blocks are taken whole. Every rule that is broken
 * stops the parse with "PATH:LINE: what".
 */
#include "config.h"

#include "core/lesson.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xmalloc.h"

#define LESSON_MAX_BYTES (4 * 1024 * 1024)

struct parser {
	const char *path;
	struct lesson *l;
	char *cause;
	/* the block being accumulated */
	int open;
	enum lesson_block_kind kind;
	int level;
	unsigned int line;
	struct buf text;
};

static const struct {
	const char *cmd;
	const char *needs;
} exercise_commands[] = {
    {"run", NULL},
    {"record", NULL},
    {"profile", "profile"},
    {"stats", "profile"},
    {"lines", "lines"},
    {"memory", "memory"},
    {"timeit", NULL},
    {"machine", NULL},
};

static const char *const exercise_needs[] = {"profile", "lines", "memory", "console"};

int
exercise_command_known(const char *cmd, const char **needs)
{
	for (size_t i = 0; i < sizeof exercise_commands / sizeof exercise_commands[0]; i++) {
		if (strcmp(cmd, exercise_commands[i].cmd) == 0) {
			if (needs != NULL)
				*needs = exercise_commands[i].needs;
			return 1;
		}
	}
	return 0;
}

static int
parser_fail(struct parser *p, unsigned int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (p->cause != NULL)
		return -1;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	p->cause = xasprintf("%s:%u: %s", p->path, line, msg);
	free(msg);
	return -1;
}

static struct lesson_block *
parser_add(struct parser *p, enum lesson_block_kind kind, int level, unsigned int line)
{
	struct lesson *l = p->l;
	struct lesson_block *b;

	l->blocks = xreallocarray(l->blocks, l->nblocks + 1, sizeof *l->blocks);
	b = &l->blocks[l->nblocks++];
	memset(b, 0, sizeof *b);
	b->kind = kind;
	b->level = level;
	b->line = line;
	return b;
}

static void
parser_flush(struct parser *p)
{
	struct lesson_block *b;

	if (!p->open)
		return;
	b = parser_add(p, p->kind, p->level, p->line);
	b->text = buf_steal(&p->text);
	p->open = 0;
}

static void
parser_start(struct parser *p, enum lesson_block_kind kind, int level, unsigned int line)
{
	parser_flush(p);
	p->open = 1;
	p->kind = kind;
	p->level = level;
	p->line = line;
	buf_reset(&p->text);
}

/* Appends a line of text, joined to the previous one by `sep` ('\0': nothing). */
static void
parser_append(struct parser *p, const char *s, size_t len, char sep)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (p->text.len != 0 && len != 0 && sep != '\0')
		buf_addc(&p->text, sep);
	buf_add(&p->text, s, len);
}

static int
is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (!isspace((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* "N. " at the start of a line: N, and the text after it; -1 if not. */
static int
numbered_item(const char *s, size_t len, size_t *skip)
{
	size_t i = 0;
	int n = 0;

	while (i < len && i < 4 && isdigit((unsigned char)s[i]))
		n = n * 10 + (s[i++] - '0');
	if (i == 0 || i + 1 >= len || s[i] != '.' || s[i + 1] != ' ')
		return -1;
	*skip = i + 2;
	return n;
}

/*
 * Splits a command line into words as sh would for quotes and backslashes
 * (no expansion). -1 with *err on an unterminated quote.
 */
static int
split_words(const char *s, char ***argvp, int *argcp, const char **err)
{
	struct buf w;
	char **argv = NULL;
	int argc = 0, inword = 0;
	char quote = 0;

	buf_init(&w);
	for (;; s++) {
		char c = *s;

		if (c == '\0' || (quote == 0 && (c == ' ' || c == '\t'))) {
			if (c == '\0' && quote != 0) {
				*err = quote == '\'' ? "unterminated ' quote"
				                     : "unterminated \" quote";
				goto fail;
			}
			if (inword) {
				argv = xreallocarray(argv, (size_t)argc + 2, sizeof *argv);
				argv[argc++] = buf_steal(&w);
				argv[argc] = NULL;
				inword = 0;
			}
			if (c == '\0')
				break;
			continue;
		}
		inword = 1;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				buf_addc(&w, c);
		} else if (c == '\\' && s[1] != '\0' &&
		    (quote == 0 || strchr("\"\\$`", s[1]) != NULL)) {
			buf_addc(&w, *++s);
		} else if (quote == '"') {
			if (c == '"')
				quote = 0;
			else
				buf_addc(&w, c);
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else {
			buf_addc(&w, c);
		}
	}
	buf_free(&w);
	*argvp = argv;
	*argcp = argc;
	return 0;
fail:
	buf_free(&w);
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
	return -1;
}

static void
exercise_free(struct exercise *ex)
{
	if (ex == NULL)
		return;
	free(ex->id);
	free(ex->title);
	free(ex->needs);
	free(ex->code);
	for (int i = 0; i < ex->argc; i++)
		free(ex->argv[i]);
	free(ex->argv);
	free(ex);
}

static int
valid_id(const char *id)
{
	if ((id[0] != 'E' && id[0] != 'X') || !isdigit((unsigned char)id[1]))
		return 0;
	for (id++; *id != '\0'; id++) {
		if (!isdigit((unsigned char)*id))
			return 0;
	}
	return 1;
}

/* Parses `key=value key="value"` into the exercise; -1 with the parser's cause. */
static int
parse_attributes(
    struct parser *p, unsigned int line, const char *s, struct exercise *ex, int *has_exercise)
{
	while (*s != '\0') {
		const char *key, *eq, *val;
		size_t keylen, vallen;
		char **slot = NULL;

		s += strspn(s, " \t");
		if (*s == '\0')
			break;
		key = s;
		eq = s + strcspn(s, "= \t");
		if (*eq != '=')
			return parser_fail(p, line,
			    "exercise block: expected key=value, not \"%.*s\"", (int)(eq - key),
			    key);
		keylen = (size_t)(eq - key);
		if (eq[1] == '"') {
			val = eq + 2;
			s = strchr(val, '"');
			if (s == NULL)
				return parser_fail(p, line,
				    "exercise block: unterminated quote in %.*s=", (int)keylen,
				    key);
			vallen = (size_t)(s - val);
			s++;
			if (*s != '\0' && *s != ' ' && *s != '\t')
				return parser_fail(p, line,
				    "exercise block: space expected after %.*s=\"...\"",
				    (int)keylen, key);
		} else {
			val = eq + 1;
			vallen = strcspn(val, " \t");
			s = val + vallen;
		}
		if (keylen == 8 && memcmp(key, "exercise", 8) == 0) {
			slot = &ex->id;
			*has_exercise = 1;
		} else if (keylen == 5 && memcmp(key, "title", 5) == 0) {
			slot = &ex->title;
		} else if (keylen == 5 && memcmp(key, "needs", 5) == 0) {
			slot = &ex->needs;
		} else {
			return parser_fail(p, line,
			    "exercise block: unknown attribute '%.*s' (exercise, title, needs)",
			    (int)keylen, key);
		}
		if (*slot != NULL)
			return parser_fail(
			    p, line, "exercise block: %.*s= given twice", (int)keylen, key);
		*slot = xstrndup(val, vallen);
	}
	return 0;
}

/* A fenced block: a code block or an exercise. */
static int
parser_fence(
    struct parser *p, unsigned int line, const char *info, size_t infolen, const char *body)
{
	struct exercise *ex;
	struct lesson_block *b;
	char *inf = xstrndup(info, infolen), *lang, *attrs;
	int has_exercise = 0, rc = -1;
	const char *err, *needs;

	lang = inf + strspn(inf, " \t");
	attrs = lang + strcspn(lang, " \t");
	if (*attrs != '\0')
		*attrs++ = '\0';
	ex = xcalloc(1, sizeof *ex);
	if (parse_attributes(p, line, attrs, ex, &has_exercise) == -1)
		goto out;
	if (!has_exercise) {
		if (ex->title != NULL || ex->needs != NULL) {
			parser_fail(p, line, "code block: title= or needs= without exercise=");
			goto out;
		}
		b = parser_add(p, LESSON_CODE, 0, line);
		b->lang = *lang != '\0' ? xstrdup(lang) : NULL;
		b->text = xstrdup(body);
		rc = 0;
		goto out;
	}
	if (!valid_id(ex->id)) {
		parser_fail(
		    p, line, "exercise block: exercise=%s is not E<number> or X<number>", ex->id);
		goto out;
	}
	if (ex->title == NULL || *ex->title == '\0') {
		parser_fail(p, line, "exercise %s: title= is missing", ex->id);
		goto out;
	}
	if (ex->needs != NULL) {
		size_t i, n = sizeof exercise_needs / sizeof exercise_needs[0];

		for (i = 0; i < n && strcmp(ex->needs, exercise_needs[i]) != 0; i++)
			;
		if (i == n) {
			parser_fail(p, line,
			    "exercise %s: needs=%s is not one of profile, lines, memory, console",
			    ex->id, ex->needs);
			goto out;
		}
	}
	if (strcmp(lang, "python") == 0) {
		ex->kind = EXERCISE_SNIPPET;
		if (is_blank(body, strlen(body))) {
			parser_fail(p, line, "exercise %s: the python snippet is empty", ex->id);
			goto out;
		}
		ex->code = xstrdup(body);
	} else if (strcmp(lang, "proflab") == 0) {
		const char *nl = strchr(body, '\n');

		ex->kind = EXERCISE_COMMAND;
		if (nl != NULL && !is_blank(nl, strlen(nl))) {
			parser_fail(
			    p, line, "exercise %s: a proflab block holds one command line", ex->id);
			goto out;
		}
		ex->code = nl != NULL ? xstrndup(body, (size_t)(nl - body)) : xstrdup(body);
		if (split_words(ex->code, &ex->argv, &ex->argc, &err) == -1) {
			parser_fail(p, line + 1, "exercise %s: %s", ex->id, err);
			goto out;
		}
		if (ex->argc < 2 || strcmp(ex->argv[0], "proflab") != 0) {
			parser_fail(p, line + 1,
			    "exercise %s: the command line must start with 'proflab COMMAND'",
			    ex->id);
			goto out;
		}
		if (!exercise_command_known(ex->argv[1], &needs)) {
			parser_fail(p, line + 1, "exercise %s: unknown command 'proflab %s'",
			    ex->id, ex->argv[1]);
			goto out;
		}
		if (ex->needs == NULL && needs != NULL)
			ex->needs = xstrdup(needs);
		/* Keep the words after "proflab". */
		free(ex->argv[0]);
		memmove(ex->argv, ex->argv + 1, (size_t)ex->argc * sizeof *ex->argv);
		ex->argc--;
	} else {
		parser_fail(p, line, "exercise %s: unknown language '%s' (python or proflab)",
		    ex->id, lang);
		goto out;
	}
	b = parser_add(p, LESSON_EXERCISE, 0, line);
	b->ex = ex;
	b->lang = xstrdup(lang);
	b->text = xstrdup(ex->code);
	ex = NULL;
	rc = 0;
out:
	exercise_free(ex);
	free(inf);
	return rc;
}

/* The first line: "# N. Title". */
static int
parser_title(struct parser *p, const char *s, size_t len)
{
	size_t skip;
	int n;

	if (len < 3 || s[0] != '#' || s[1] != ' ')
		return parser_fail(p, 1, "a lesson starts with a '# N. Title' line");
	n = numbered_item(s + 2, len - 2, &skip);
	if (n < 0 || is_blank(s + 2 + skip, len - 2 - skip))
		return parser_fail(p, 1, "the title must read '# N. Title' (N the section number)");
	p->l->number = n;
	buf_reset(&p->text);
	parser_append(p, s + 2 + skip, len - 2 - skip, ' ');
	p->l->title = buf_steal(&p->text);
	return 0;
}

struct lesson *
lesson_parse(const char *path, const char *text, size_t len, char **cause)
{
	struct parser p;
	const char *s = text, *end = text + len;
	unsigned int line = 0;

	memset(&p, 0, sizeof p);
	p.path = path;
	p.l = xcalloc(1, sizeof *p.l);
	p.l->path = xstrdup(path);
	buf_init(&p.text);
	if (memchr(text, '\0', len) != NULL) {
		parser_fail(&p, 1, "the file holds a NUL byte: not a text lesson");
		goto fail;
	}
	while (s < end && p.cause == NULL) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = (size_t)((nl != NULL ? nl : end) - s);
		const char *next = nl != NULL ? nl + 1 : end;
		size_t skip;
		int num;

		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (line == 1) {
			parser_title(&p, s, n);
		} else if (n >= 3 && memcmp(s, "```", 3) == 0) {
			unsigned int open = line;
			const char *info = s + 3;
			size_t infolen = n - 3;
			struct buf body;
			int closed = 0;

			parser_flush(&p);
			buf_init(&body);
			for (s = next; s < end; s = next) {
				const char *bnl = memchr(s, '\n', (size_t)(end - s));
				size_t bn = (size_t)((bnl != NULL ? bnl : end) - s);

				next = bnl != NULL ? bnl + 1 : end;
				line++;
				if (bn > 0 && s[bn - 1] == '\r')
					bn--;
				if (bn >= 3 && memcmp(s, "```", 3) == 0 &&
				    is_blank(s + 3, bn - 3)) {
					closed = 1;
					break;
				}
				buf_add(&body, s, bn);
				buf_addc(&body, '\n');
			}
			if (!closed)
				parser_fail(
				    &p, open, "code block opened here is never closed with ```");
			else
				parser_fence(
				    &p, open, info, infolen, body.data != NULL ? body.data : "");
			buf_free(&body);
		} else if (n >= 3 && memcmp(s, "~~~", 3) == 0) {
			parser_fail(&p, line, "fence code blocks with ```, not ~~~");
		} else if (is_blank(s, n)) {
			parser_flush(&p);
		} else if (s[0] == '#') {
			size_t level = 0;

			/* The input is not NUL-terminated: count within the line. */
			while (level < n && s[level] == '#')
				level++;

			if (level == 1)
				parser_fail(&p, line, "only the first line may be a '# ' title");
			else if (level > 3)
				parser_fail(&p, line, "headings go down to ### only");
			else if (level >= n || s[level] != ' ')
				parser_fail(&p, line, "a heading needs a space after its #s");
			else {
				parser_start(&p, LESSON_HEADING, (int)level, line);
				parser_append(&p, s + level, n - level, ' ');
				parser_flush(&p);
			}
		} else if (n >= 2 && s[0] == '-' && s[1] == ' ') {
			parser_start(&p, LESSON_BULLET, 0, line);
			parser_append(&p, s + 2, n - 2, ' ');
		} else if ((num = numbered_item(s, n, &skip)) >= 0) {
			parser_start(&p, LESSON_NUMBERED, num, line);
			parser_append(&p, s + skip, n - skip, ' ');
		} else if (s[0] == '>') {
			size_t q = n >= 2 && s[1] == ' ' ? 2 : 1;

			if (!p.open || p.kind != LESSON_QUOTE)
				parser_start(&p, LESSON_QUOTE, 0, line);
			if (is_blank(s + q, n - q))
				buf_addc(&p.text, '\n');
			else
				parser_append(&p, s + q, n - q,
				    p.text.len > 0 && p.text.data[p.text.len - 1] == '\n' ? '\0'
				                                                          : ' ');
		} else if (p.open && (p.kind == LESSON_BULLET || p.kind == LESSON_NUMBERED) &&
		    (s[0] == ' ' || s[0] == '\t')) {
			parser_append(&p, s, n, ' ');
		} else if (p.open && p.kind == LESSON_PARAGRAPH) {
			parser_append(&p, s, n, ' ');
		} else {
			parser_start(&p, LESSON_PARAGRAPH, 0, line);
			parser_append(&p, s, n, ' ');
		}
		s = next;
	}
	if (p.cause == NULL && line == 0)
		parser_fail(&p, 1, "the lesson is empty");
	if (p.cause != NULL)
		goto fail;
	parser_flush(&p);
	buf_free(&p.text);
	return p.l;
fail:
	*cause = p.cause;
	buf_free(&p.text);
	lesson_free(p.l);
	return NULL;
}

struct lesson *
lesson_load(const char *path, char **cause)
{
	struct lesson *l;
	struct buf b;
	char chunk[65536];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		return NULL;
	}
	buf_init(&b);
	for (;;) {
		n = read(fd, chunk, sizeof chunk);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		buf_add(&b, chunk, (size_t)n);
		if (b.len > LESSON_MAX_BYTES) {
			n = -1;
			errno = EFBIG;
			break;
		}
	}
	close(fd);
	if (n == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		buf_free(&b);
		return NULL;
	}
	l = lesson_parse(path, b.data != NULL ? b.data : "", b.len, cause);
	buf_free(&b);
	return l;
}

void
lesson_free(struct lesson *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->nblocks; i++) {
		free(l->blocks[i].text);
		free(l->blocks[i].lang);
		exercise_free(l->blocks[i].ex);
	}
	free(l->blocks);
	free(l->title);
	free(l->path);
	free(l);
}

struct span_state {
	struct lesson_span *spans;
	size_t max;
	size_t n;
	enum lesson_span_kind last_kind;
	const char *last_end;
};

static void
span_add(struct span_state *st, enum lesson_span_kind kind, const char *start, size_t len)
{
	if (len == 0)
		return;
	/* Adjacent text runs are one span, whether stored or only counted. */
	if (st->n > 0 && kind == SPAN_TEXT && st->last_kind == SPAN_TEXT && st->last_end == start) {
		if (st->n <= st->max)
			st->spans[st->n - 1].len += len;
	} else {
		if (st->n < st->max) {
			st->spans[st->n].kind = kind;
			st->spans[st->n].start = start;
			st->spans[st->n].len = len;
		}
		st->n++;
	}
	st->last_kind = kind;
	st->last_end = start + len;
}

size_t
lesson_spans(const char *text, struct lesson_span *spans, size_t max)
{
	struct span_state st = {spans, max, 0, SPAN_TEXT, NULL};
	const char *s = text, *close;

	while (*s != '\0') {
		if (*s == '`' && (close = strchr(s + 1, '`')) != NULL) {
			span_add(&st, SPAN_CODE, s + 1, (size_t)(close - s - 1));
			s = close + 1;
		} else if (s[0] == '*' && s[1] == '*' && (close = strstr(s + 2, "**")) != NULL &&
		    close > s + 2) {
			span_add(&st, SPAN_BOLD, s + 2, (size_t)(close - s - 2));
			s = close + 2;
		} else if (s[0] == '*' && s[1] != '*' && s[1] != ' ' && s[1] != '\0' &&
		    (close = strchr(s + 1, '*')) != NULL) {
			span_add(&st, SPAN_ITALIC, s + 1, (size_t)(close - s - 1));
			s = close + 1;
		} else {
			size_t len = strcspn(s + 1, "`*") + 1;

			span_add(&st, SPAN_TEXT, s, len);
			s += len;
		}
	}
	return st.n;
}

static int
lesson_name_ok(const char *name)
{
	size_t len = strlen(name);

	return len > 6 && isdigit((unsigned char)name[0]) && isdigit((unsigned char)name[1]) &&
	    name[2] == '-' && strcmp(name + len - 3, ".md") == 0;
}

static int
lesson_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lesson_set_error(struct lesson_set *set, char *msg)
{
	set->errors = xreallocarray(set->errors, set->nerrors + 1, sizeof *set->errors);
	set->errors[set->nerrors++] = msg;
}

/* Reports an exercise ID that an earlier lesson already has. */
static void
lesson_set_check_ids(struct lesson_set *set, const struct lesson *l)
{
	for (size_t i = 0; i < l->nblocks; i++) {
		const struct lesson_block *b = &l->blocks[i];
		const struct lesson *other;

		if (b->ex == NULL)
			continue;
		for (size_t j = 0; j < i; j++) {
			if (l->blocks[j].ex != NULL && strcmp(l->blocks[j].ex->id, b->ex->id) == 0)
				lesson_set_error(set,
				    xasprintf("%s:%u: exercise %s is also at line %u", l->path,
				        b->line, b->ex->id, l->blocks[j].line));
		}
		if (lesson_set_find(set, b->ex->id, &other) != NULL)
			lesson_set_error(set,
			    xasprintf("%s:%u: exercise %s is also in %s", l->path, b->line,
			        b->ex->id, other->path));
	}
}

int
lesson_set_load(const char *dir, struct lesson_set *set, char **cause)
{
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0;
	DIR *d;

	memset(set, 0, sizeof *set);
	d = opendir(dir);
	if (d == NULL) {
		*cause = xasprintf("cannot read lessons in %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!lesson_name_ok(de->d_name))
			continue;
		names = xreallocarray(names, nnames + 1, sizeof *names);
		names[nnames++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nnames, sizeof *names, lesson_name_cmp);
	for (size_t i = 0; i < nnames; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]), *err = NULL;
		struct lesson *l = lesson_load(path, &err);

		if (l == NULL) {
			lesson_set_error(set, err);
		} else {
			lesson_set_check_ids(set, l);
			set->lessons =
			    xreallocarray(set->lessons, set->nlessons + 1, sizeof *set->lessons);
			set->lessons[set->nlessons++] = l;
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}

void
lesson_set_free(struct lesson_set *set)
{
	for (size_t i = 0; i < set->nlessons; i++)
		lesson_free(set->lessons[i]);
	for (size_t i = 0; i < set->nerrors; i++)
		free(set->errors[i]);
	free(set->lessons);
	free(set->errors);
	memset(set, 0, sizeof *set);
}

const struct exercise *
lesson_set_find(const struct lesson_set *set, const char *id, const struct lesson **in)
{
	for (size_t i = 0; i < set->nlessons; i++) {
		const struct lesson *l = set->lessons[i];

		for (size_t j = 0; j < l->nblocks; j++) {
			if (l->blocks[j].ex != NULL && strcmp(l->blocks[j].ex->id, id) == 0) {
				if (in != NULL)
					*in = l;
				return l->blocks[j].ex;
			}
		}
	}
	return NULL;
}
