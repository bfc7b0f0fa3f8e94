/*
 * Lessons: the tutorial's sections as Markdown files (lessons/README.md
 * describes the format). A lesson parses into a flat list of blocks:
 * headings, paragraphs, list items, quotes, code blocks and exercises. Block
 * text keeps its inline markup (`code`, **bold**, *italic*); lesson_spans
 * splits it for drawing. An exercise is a fenced block whose info string
 * carries `exercise=ID` and `title="..."`: a `python` snippet, or one
 * `proflab ...` command line, split into words as the shell would.
 *
 * A lesson owns its blocks and their strings. Errors name the file and line.
 */
#ifndef PROFLAB_CORE_LESSON_H
#define PROFLAB_CORE_LESSON_H

#include <stddef.h>

enum lesson_block_kind {
	LESSON_HEADING, /* level 2 or 3 (the title is the lesson's) */
	LESSON_PARAGRAPH,
	LESSON_BULLET, /* one "- " item */
	LESSON_NUMBERED, /* one "N. " item; number in `level` */
	LESSON_QUOTE, /* "> " lines */
	LESSON_CODE, /* a fenced block that is not an exercise */
	LESSON_EXERCISE
};

enum exercise_kind {
	EXERCISE_SNIPPET, /* python: run as the interactive interpreter would */
	EXERCISE_COMMAND /* proflab: one command line */
};

struct exercise {
	char *id; /* "E4", "X1" */
	char *title;
	enum exercise_kind kind;
	char *needs; /* NULL, or profile, lines, memory, console */
	char *code; /* the snippet, or the command line as written */
	char **argv; /* EXERCISE_COMMAND: the words after "proflab" */
	int argc;
};

struct lesson_block {
	enum lesson_block_kind kind;
	int level;
	char *text; /* inline markup kept; code: the body, lines joined by \n */
	char *lang; /* LESSON_CODE: the info string's first word, or NULL */
	struct exercise *ex; /* LESSON_EXERCISE */
	unsigned int line; /* where the block starts, 1-based */
};

struct lesson {
	char *path;
	int number; /* N of "# N. Title" */
	char *title;
	struct lesson_block *blocks;
	size_t nblocks;
};

/* Parses a lesson; NULL with *cause ("PATH:LINE: what") on a malformed one. */
struct lesson *lesson_parse(const char *path, const char *text, size_t len, char **cause);
/* Reads and parses a file. */
struct lesson *lesson_load(const char *path, char **cause);
void lesson_free(struct lesson *l);

/* The commands an exercise may run, and the instrument each later needs. */
int exercise_command_known(const char *cmd, const char **needs);

/* Inline markup, for drawing. */
enum lesson_span_kind { SPAN_TEXT, SPAN_CODE, SPAN_BOLD, SPAN_ITALIC };

struct lesson_span {
	enum lesson_span_kind kind;
	const char *start; /* points into the text; markers excluded */
	size_t len;
};

/*
 * Splits text into spans; returns how many there are (which may be more than
 * max: only max are stored). Unclosed markers are plain text.
 */
size_t lesson_spans(const char *text, struct lesson_span *spans, size_t max);

/* All lessons of a directory (NN-*.md, by name), and the files that failed. */
struct lesson_set {
	struct lesson **lessons;
	size_t nlessons;
	char **errors; /* "PATH:LINE: what", one per file that did not parse */
	size_t nerrors;
};

/* 0, or -1 with *cause when the directory cannot be read at all. */
int lesson_set_load(const char *dir, struct lesson_set *set, char **cause);
void lesson_set_free(struct lesson_set *set);
/* The exercise with that ID, and its lesson; NULL if none. */
const struct exercise *lesson_set_find(
    const struct lesson_set *set, const char *id, const struct lesson **in);

#endif
