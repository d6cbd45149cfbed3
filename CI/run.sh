#!/bin/sh
# The main job: every bundled scenario (scenarios/) through the runner, one
# disposable kernel instance per case.  Results go to reports/out/:
# results.jsonl (one record per case, as each ends), summary.txt (printed
# here too), junit.xml, report.html, and artifacts/ (the whole console of
# each case that was not ok).  Exits non-zero when a case was not
# ok.  Arguments after the target go to "rumpus run" (e.g. -j 1, --mode).
set -u
: "${SRCTOP:?} ${OBJTOP:?}"
out=$SRCTOP/reports/out
mkdir -p "$out"
# Images are cached in the object tree, beside what they are built for.
RUMPUS_CACHE=$OBJTOP/cache
export RUMPUS_CACHE
rm -rf "$out/artifacts"
"$OBJTOP/harness/rumpus" run -o "$out/results.jsonl" -k "$out/artifacts" "$@" \
    "$SRCTOP/scenarios"
status=$?
if ! lua5.4 "$SRCTOP/reports/summary.lua" "$out/results.jsonl" "$out"; then
	echo "run: could not summarize $out/results.jsonl" >&2
	exit 1
fi
echo
cat "$out/summary.txt"
echo "results: $out/results.jsonl, $out/junit.xml, $out/report.html"
exit $status
