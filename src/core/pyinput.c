/*
 * The console's completeness rules (see pyinput.h). The lexer walks the
 * whole text each time: inputs are a few lines typed by hand.
 */
#include "config.h"

#include "core/pyinput.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xmalloc.h"

/* What the lexer found at the end of the text. */
struct pyinput_scan {
	int depth; /* open brackets */
	int unbalanced; /* a closing bracket that closed nothing */
	int in_triple; /* inside a triple-quoted string */
	int continued; /* the last line ends with a backslash */
	int first_end; /* the offset where the first logical line ends, or -1 */
	int header; /* that line ends with ':' or starts with '@' */
	char last_sig; /* the last character outside strings and comments */
};

static void
pyinput_scan(const char *s, struct pyinput_scan *sc)
{
	size_t i = 0;
	char quote = 0;
	int triple = 0;

	memset(sc, 0, sizeof *sc);
	sc->first_end = -1;
	while (s[i] != '\0') {
		char c = s[i];

		if (quote != 0) {
			if (c == '\\' && s[i + 1] != '\0') {
				i += 2;
				continue;
			}
			if (triple && c == quote && s[i + 1] == quote && s[i + 2] == quote) {
				quote = 0;
				i += 3;
				sc->last_sig = c;
				continue;
			}
			if (!triple && c == quote) {
				quote = 0;
				sc->last_sig = c;
			} else if (!triple && c == '\n') {
				/* An unterminated string ends with its line: Python reports it. */
				quote = 0;
				continue;
			}
			i++;
			continue;
		}
		switch (c) {
		case '#':
			while (s[i] != '\0' && s[i] != '\n')
				i++;
			continue;
		case '\'':
		case '"':
			quote = c;
			triple = s[i + 1] == c && s[i + 2] == c;
			i += triple ? 3 : 1;
			continue;
		case '\\':
			if (s[i + 1] == '\n') {
				i += 2;
				continue;
			}
			if (s[i + 1] == '\0') {
				sc->continued = 1;
				i++;
				continue;
			}
			break;
		case '(':
		case '[':
		case '{':
			sc->depth++;
			break;
		case ')':
		case ']':
		case '}':
			if (sc->depth > 0)
				sc->depth--;
			else
				sc->unbalanced = 1;
			break;
		case '\n':
			if (sc->depth == 0 && sc->first_end == -1) {
				sc->first_end = (int)i;
				sc->header = sc->last_sig == ':';
			}
			break;
		default:
			break;
		}
		if (!isspace((unsigned char)c))
			sc->last_sig = c;
		i++;
	}
	sc->in_triple = quote != 0 && triple;
	if (sc->first_end == -1 && sc->depth == 0 && !sc->in_triple)
		sc->header = sc->last_sig == ':';
	{
		const char *p = s;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '@')
			sc->header = 1;
	}
}

/* 1 when the last line of s holds nothing but blanks. */
static int
pyinput_last_blank(const char *s)
{
	const char *nl = strrchr(s, '\n');

	if (nl == NULL)
		return 0;
	for (nl++; *nl != '\0'; nl++) {
		if (!isspace((unsigned char)*nl))
			return 0;
	}
	return 1;
}

int
pyinput_complete(const char *text)
{
	struct pyinput_scan sc;
	const char *p = text;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0' || *p == '%')
		return 1;
	pyinput_scan(text, &sc);
	if (sc.unbalanced)
		return 1;
	if (sc.in_triple || sc.depth > 0 || sc.continued)
		return 0;
	if (!sc.header)
		return 1;
	return pyinput_last_blank(text);
}

int
pyinput_starts_new(const char *text, const char *line)
{
	static const char *const going_on[] = {"else", "elif", "except", "finally"};
	struct pyinput_scan sc;
	const char *nl;
	int body = 0;

	if (line[0] == '\0' || isspace((unsigned char)line[0]) || line[0] == '#' ||
	    line[0] == ')' || line[0] == ']' || line[0] == '}')
		return 0;
	for (size_t i = 0; i < sizeof going_on / sizeof going_on[0]; i++) {
		size_t n = strlen(going_on[i]);

		if (strncmp(line, going_on[i], n) == 0 && !isalnum((unsigned char)line[n]) &&
		    line[n] != '_')
			return 0;
	}
	pyinput_scan(text, &sc);
	if (!sc.header || sc.in_triple || sc.depth > 0 || sc.continued)
		return 0;
	/* The body: an indented line after the header. */
	for (nl = strchr(text, '\n'); nl != NULL; nl = strchr(nl + 1, '\n')) {
		if (nl[1] == ' ' || nl[1] == '\t') {
			const char *q = nl + 1;

			while (*q == ' ' || *q == '\t')
				q++;
			if (*q != '\n' && *q != '\0' && *q != '#')
				body = 1;
		}
	}
	return body;
}

int
pyinput_indent(const char *text)
{
	const char *line = strrchr(text, '\n');
	struct pyinput_scan sc;
	int indent = 0;

	line = line == NULL ? text : line + 1;
	while (line[indent] == ' ')
		indent++;
	pyinput_scan(line, &sc);
	if (sc.depth == 0 && !sc.in_triple && sc.last_sig == ':')
		indent += 4;
	return indent;
}

void
pyinput_reader_init(struct pyinput_reader *r, int margin)
{
	buf_init(&r->pending);
	buf_addc(&r->pending, '\0');
	r->margin = margin;
}

void
pyinput_reader_free(struct pyinput_reader *r)
{
	buf_free(&r->pending);
}

int
pyinput_reader_open(const struct pyinput_reader *r)
{
	return r->pending.len > 1;
}

/* The open input, unless it is blank (caller frees); the reader is emptied. */
static char *
pyinput_take(struct pyinput_reader *r)
{
	const char *p = r->pending.data;
	char *input = NULL;

	while (*p == ' ' || *p == '\t' || *p == '\n')
		p++;
	if (*p != '\0')
		input = xstrdup(r->pending.data);
	buf_reset(&r->pending);
	buf_addc(&r->pending, '\0');
	return input;
}

int
pyinput_reader_add(struct pyinput_reader *r, const char *line, char *out[2])
{
	int n = 0;

	if (r->margin && pyinput_reader_open(r) && pyinput_starts_new(r->pending.data, line) &&
	    (out[n] = pyinput_take(r)) != NULL)
		n++;
	r->pending.len--;
	if (r->pending.len > 0)
		buf_addc(&r->pending, '\n');
	buf_adds(&r->pending, line);
	buf_addc(&r->pending, '\0');
	if (pyinput_complete(r->pending.data) && (out[n] = pyinput_take(r)) != NULL)
		n++;
	return n;
}

char *
pyinput_reader_end(struct pyinput_reader *r)
{
	return pyinput_take(r);
}

int
pyinput_split(const char *text, char ***out)
{
	struct pyinput_reader r;
	const char *p = text;
	char *got[2], *last;
	int n = 0;

	*out = xcalloc(1, sizeof **out);
	pyinput_reader_init(&r, 1);
	for (;;) {
		size_t len = strcspn(p, "\n");
		char *line = xstrndup(p, len);
		int k;

		if (*p == '\0') {
			free(line);
			break;
		}
		p += len + (p[len] == '\n');
		k = pyinput_reader_add(&r, line, got);
		free(line);
		*out = xreallocarray(*out, (size_t)(n + k) + 1, sizeof **out);
		for (int i = 0; i < k; i++)
			(*out)[n++] = got[i];
		(*out)[n] = NULL;
	}
	if ((last = pyinput_reader_end(&r)) != NULL) {
		*out = xreallocarray(*out, (size_t)n + 2, sizeof **out);
		(*out)[n++] = last;
		(*out)[n] = NULL;
	}
	pyinput_reader_free(&r);
	return n;
}
