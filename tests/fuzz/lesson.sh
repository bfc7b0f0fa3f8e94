#!/bin/sh
# Runs the lesson fuzz target (built with the mutation driver) over the real
# lessons and the parser's test inputs. TAP comes from the driver.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
exec "$top_builddir/tests/fuzz/fuzz_lesson" "$top_srcdir"/lessons/[0-9]*.md \
	"$top_srcdir"/tests/fuzz/corpus/*
