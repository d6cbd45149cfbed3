#!/bin/sh
# Runs the functional suite under kyua and prints the tally.
#
# Expected failures count as passed, kyua's "broken" as failed; skips are
# listed beside the tally.  The last line is "tests: N passed, M failed" and
# the exit status is non-zero when M > 0 or when kyua itself failed.
# Called from mk/build.mk with SRCTOP and OBJTOP set (CI/bmake.sh).  A tree
# built without fault points (MK_FAULTS=no) has only the programs of
# atf-tests/Kyuafile.nofaults.
set -u
: "${SRCTOP:?} ${OBJTOP:?}"
kyuafile=$SRCTOP/atf-tests/Kyuafile
[ "${MK_FAULTS:-yes}" = yes ] || kyuafile=$kyuafile.nofaults

results=$OBJTOP/kyua-results.db
junit=$OBJTOP/junit.xml
rm -f "$results"

# libatf-c 0.21 leaks its test-case list when kyua asks a program to list its
# cases; under the sanitizer flavour LeakSanitizer would call every program
# broken.  Suppress that library's leaks only, and keep the report of used
# suppressions off stderr, which kyua watches.
LSAN_OPTIONS="suppressions=$SRCTOP/CI/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

jobs=$(nproc 2>/dev/null || echo 2)
kyua -v parallelism="$jobs" test \
    --kyuafile "$kyuafile" \
    --build-root "$OBJTOP/atf-tests" \
    --results-file "$results" >"$OBJTOP/kyua-test.log" 2>&1
kyua_status=$?
if [ ! -f "$results" ]; then
	cat "$OBJTOP/kyua-test.log"
	echo "tests: 0 passed, 1 failed (kyua did not run: see above)"
	exit 1
fi

report=$OBJTOP/kyua-report.txt
kyua report --results-file "$results" \
    --results-filter passed,skipped,xfail,broken,failed >"$report" 2>&1
kyua report-junit --results-file "$results" --output "$junit" >/dev/null 2>&1

# Each case is one line "program:case  ->  outcome...".
count() { grep -E -c -- "  ->  ($1)" "$report"; }
passed=$(( $(count passed) + $(count expected_failure) ))
failed=$(( $(count failed) + $(count broken) ))
skipped=$(count skipped)

if [ "$failed" -gt 0 ]; then
	echo "=== failed and broken cases (details: kyua report --verbose --results-file $results)"
	grep -E -- "  ->  (failed|broken)" "$report"
fi
if [ "$skipped" -gt 0 ]; then
	echo "=== skipped cases"
	grep -E -- "  ->  skipped" "$report"
fi
echo "JUnit report: $junit"
if [ "$failed" -eq 0 ] && [ "$kyua_status" -ne 0 ]; then
	# kyua failed without a failing case: say so rather than pass quietly.
	cat "$OBJTOP/kyua-test.log"
	failed=1
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
