#!/bin/sh
# Runs every benchmark: bench/NAME/ builds a program NAME, which prints its
# own figures.  Arguments after the target go to each program unchanged.
set -u
: "${SRCTOP:?} ${OBJTOP:?}"
status=0
for dir in "$SRCTOP"/bench/*/; do
	name=$(basename "$dir")
	prog=$OBJTOP/bench/$name/$name
	[ -x "$prog" ] || { echo "bench: $prog was not built" >&2; status=1; continue; }
	echo "=== bench/$name"
	"$prog" || status=1
done
exit $status
