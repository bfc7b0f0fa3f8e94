#!/bin/sh
# Layer check (STYLE.md): every source file includes only what its layer may.
#   src/base    libc only
#   src/core    base, core, libc, libcurl, cairo; no curses, no Python
#   src/tui     base, core, tui, curses; no Python
#   src/worker  base, core/channel.h, worker, Python; no curses
#   src/*.c     base, core, tui, cli; no Python
# TAP: one test per layer, and one proving the check catches a violation.
srcdir=${top_srcdir:-.}/src

# violations ALLOWED FORBIDDEN FILES...: "file:line:#include ..." of each
# include that does not match ALLOWED, or matches FORBIDDEN.
violations() {
	allowed=$1 forbidden=$2
	shift 2
	for f in "$@"; do
		[ -f "$f" ] || continue
		grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
			inc=$(printf '%s\n' "$line" | sed -n 's/.*include[[:space:]]*\([<"][^>"]*[>"]\).*/\1/p')
			if ! printf '%s\n' "$inc" | grep -Eq "$allowed" ||
			    printf '%s\n' "$inc" | grep -Eq "$forbidden"; then
				printf '%s:%s\n' "$f" "$line"
			fi
		done
	done
}

SYS='<[A-Za-z0-9_/.-]+>'
CURSES='<n?curses|<term\.h>|<panel\.h>'
PY='<Python\.h>|<frameobject\.h>|<py[a-z]*\.h>'
n=0 fails=0
report() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed 's/^/#   /'
	fi
}

echo "1..6"
report "src/base includes libc and base only" \
	"$(violations "^(\"config\.h\"|\"base/[a-z_]+\.h\"|$SYS)\$" "$CURSES|$PY|curl|cairo" "$srcdir"/base/*.[ch])"
report "src/core includes no curses and no Python" \
	"$(violations "^(\"config\.h\"|\"(base|core)/[a-z_]+\.h\"|$SYS)\$" "$CURSES|$PY" "$srcdir"/core/*.[ch])"
report "src/tui includes no Python and nothing of the worker" \
	"$(violations "^(\"config\.h\"|\"(base|core|tui)/[a-z_]+\.h\"|$SYS)\$" "$PY" "$srcdir"/tui/*.[ch])"
report "src/worker includes base, the channel and Python only" \
	"$(violations "^(\"config\.h\"|\"base/[a-z_]+\.h\"|\"core/channel\.h\"|\"worker/[a-z_]+\.h\"|$SYS)\$" "$CURSES" "$srcdir"/worker/*.[ch])"
report "src/main.c and src/cli.c include no Python and nothing of the worker" \
	"$(violations "^(\"config\.h\"|\"(base|core|tui)/[a-z_]+\.h\"|\"cli\.h\"|$SYS)\$" "$PY" "$srcdir"/*.[ch])"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
printf '#include "config.h"\n#include <ncursesw/curses.h>\n#include "tui/pane.h"\n' > "$tmp/bad.c"
caught=$(violations "^(\"config\.h\"|\"(base|core)/[a-z_]+\.h\"|$SYS)\$" "$CURSES|$PY" "$tmp/bad.c" | wc -l)
report "the check catches curses and tui includes in a core file" "$([ "$caught" -eq 2 ] || echo "caught $caught of 2")"
[ "$fails" -eq 0 ]
