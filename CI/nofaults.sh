#!/bin/sh
# The check of a tree built without fault points (make nofaults: MK_FAULTS=no,
# RUMPUS_NOFAULTS, build-nofaults/).  Each step counts as passed or failed:
#
#   1. nm: no symbol with "fault" in its name, nor an engine symbol (fe_*),
#      defined or referenced, in the kernel object or in librumpuser (the
#      archive and the shared library), and no fault point section in the
#      kernel; no hook entry point in the runner.  fe_seed_parse is the one
#      fe_ symbol librumpuser keeps: RUMPUS_SEED's syntax (its serial-mode
#      PRNG), which the engine shares.
#   2. What needs a fault point fails, naming the reason: --faults, --trace,
#      rumpus sweep, a scenario's faults=, fault.inject, RUMPUS_FAULTS, a
#      replayed token with a plan; a token without one replays.
#   3. The kernel's and the file systems' test programs under kyua
#      (atf-tests/Kyuafile.nofaults, CI/test.sh): a case that arms a fault
#      skips, saying so.
#   4. The bundled scenarios through "rumpus run", but those that use faults
#      (faults= or fault.*), which are listed as skipped.
#
# The last line is "nofaults: N passed, M failed, K skipped"; the exit status
# is non-zero when M > 0.  Called from mk/build.mk with SRCTOP and OBJTOP set.
set -u
: "${SRCTOP:?} ${OBJTOP:?}"
RUMPUS=$OBJTOP/harness/rumpus
NOFAULTS="this build has no fault points"
RUMPUS_CACHE=$OBJTOP/cache
export RUMPUS_CACHE
unset RUMPUS_FAULTS RUMPUS_TRACE
work=$OBJTOP/nofaults-check
rm -rf "$work"
mkdir -p "$work"
passed=0
failed=0
skipped=0

pass() { passed=$((passed + 1)); echo "ok      $*"; }
fail() { failed=$((failed + 1)); echo "FAILED  $*"; }

# 1. Symbols.  nofaults_syms FILE NM-OPTION PATTERN: the names matching.
nofaults_syms() {
	nm $2 "$1" 2>/dev/null | awk 'NF >= 2 { print $NF }' |
	    grep -i -E "$3" | grep -v -x fe_seed_parse | sort -u | tr '\n' ' '
}
for f in kern/rumpkern.o faults/librumpuser.a faults/librumpuser.so.0 \
    faults/librumpuser.so.0:-D; do
	opt=
	case $f in *:-D) opt=-D; f=${f%:-D} ;; esac
	if [ ! -f "$OBJTOP/$f" ]; then
		fail "nm${opt:+ $opt} $f: not built"
		continue
	fi
	bad=$(nofaults_syms "$OBJTOP/$f" "$opt" 'fault|^fe_')
	if [ -n "$bad" ]; then
		fail "nm${opt:+ $opt} $f: fault symbols: $bad"
	else
		pass "nm${opt:+ $opt} $f: no fault symbol"
	fi
done
if objdump -h "$OBJTOP/kern/rumpkern.o" | grep -q rumpus_fault_set; then
	fail "kern/rumpkern.o: has the rumpus_fault_set section"
else
	pass "kern/rumpkern.o: no fault point section"
fi
# The runner keeps the engine's token codec and spec grammar; no hook.
bad=$(nofaults_syms "$RUMPUS" "" \
    'rumpuser_+fault|rumpus_fault_set_hook|rumpus_fault_points|fault_check|^fault_hook|^fe_(rumpuser|kernel|host|engine)')
if [ -n "$bad" ]; then
	fail "nm harness/rumpus: hook symbols: $bad"
else
	pass "nm harness/rumpus: no hook symbol"
fi

# 2. Refusals.  refused WHAT STATUS OUTPUT: the status is not 0 and the
# output names the reason.
refused() {
	if [ "$2" -ne 0 ] && printf '%s\n' "$3" | grep -q "$NOFAULTS"; then
		pass "refused: $1"
	else
		fail "refused: $1 (status $2): $3"
	fi
}
plain=$SRCTOP/scenarios/fs/sparse.lua
out=$("$RUMPUS" run --faults 'malloc:nth=1:ENOMEM' "$plain" 2>&1)
refused "rumpus run --faults" $? "$out"
out=$("$RUMPUS" run --trace "$plain" 2>&1)
refused "rumpus run --trace" $? "$out"
out=$("$RUMPUS" sweep --point malloc "$plain" 2>&1)
refused "rumpus sweep" $? "$out"
out=$("$RUMPUS" run "$SRCTOP/scenarios/regress/process.lua" 2>&1)
refused "a scenario's faults=" $? "$out"
out=$(RUMPUS_FAULTS='malloc:nth=1:ENOMEM' "$RUMPUS" run -v -c 'holes[tmpfs]' \
    "$plain" 2>&1)
refused "RUMPUS_FAULTS" $? "$out"
out=$("$RUMPUS" replay "$(cat "$SRCTOP/atf-tests/harness/data/plan.token")" \
    2>&1)
refused "rumpus replay of a token with a plan" $? "$out"
cat >"$work/nofaults.lua" <<'EOF'
scenario {
	name = "inject",
	fs = { "tmpfs" },
	function(k, fs)
		fault.inject("malloc:nth=1:ENOMEM")
	end
}

scenario {
	name = "fails",
	fs = { "tmpfs" },
	function(k, fs)
		expect(false, "fails on purpose")
	end
}
EOF
out=$("$RUMPUS" run -c 'inject[tmpfs]' "$work/nofaults.lua" 2>&1)
status=$?
if printf '%s\n' "$out" | grep -q "nofaults.lua:5: fault.inject: $NOFAULTS"
then
	refused "fault.inject (at file:line)" $status "$out"
else
	fail "fault.inject: no file:line: $out"
fi
# A token without a plan replays: the case fails again, as it did.
token=$("$RUMPUS" run -c 'fails[tmpfs]' "$work/nofaults.lua" 2>&1 |
    awk '$1 == "token:" { print $2 }')
out=$("$RUMPUS" replay "$token" 2>&1)
if printf '%s\n' "$out" | grep -q '^fail .*fails on purpose'; then
	pass "rumpus replay of a token without a plan"
else
	fail "rumpus replay of a token without a plan: $out"
fi

# 3. kyua.
tally=$(MK_FAULTS=no sh "$SRCTOP/CI/test.sh" |
    tee "$work/kyua.txt" | tail -1)
grep -v '^tests: ' "$work/kyua.txt"
set -- $(printf '%s\n' "$tally" |
    sed -n 's/^tests: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/\1 \2 \3/p')
if [ $# -ne 3 ]; then
	fail "kyua: no tally ($tally)"
else
	echo "kyua: $tally"
	passed=$((passed + $1))
	failed=$((failed + $2))
	skipped=$((skipped + $3))
fi

# 4. Scenarios.
files=
for f in $(find "$SRCTOP/scenarios" -name '*.lua' | sort); do
	if grep -q -E '(^|[^[:alnum:]_])(faults[[:space:]]*=|fault\.[a-z])' \
	    "$f"; then
		# Its declarations: "rumpus list" refuses a faults= plan.
		n=$(grep -c -E '^scenario[[:space:]]*[{(]' "$f")
		skipped=$((skipped + n))
		echo "skipped ${f#$SRCTOP/}: $n scenarios that use faults"
	else
		files="$files $f"
	fi
done
"$RUMPUS" run -o "$work/results.jsonl" -k "$work/artifacts" $files
status=$?
ok=$(grep -c '"ok":true' "$work/results.jsonl")
notok=$(grep -c '"ok":false' "$work/results.jsonl")
passed=$((passed + ok))
failed=$((failed + notok))
[ "$status" -eq 0 ] || [ "$notok" -gt 0 ] ||
	fail "rumpus run: status $status with every case ok"

echo "nofaults: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
