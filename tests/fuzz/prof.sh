#!/bin/sh
# Runs the pstats fuzz target (built with the mutation driver) over the
# .prof fixtures: cProfile's, the profile module's, and broken ones. TAP
# comes from the driver.
: "${top_srcdir:?top_srcdir is not set}"
: "${top_builddir:?top_builddir is not set}"
exec "$top_builddir/tests/fuzz/fuzz_prof" "$top_srcdir"/tests/fixtures/prof/*.prof
