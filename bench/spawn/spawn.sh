# bench/spawn: disposable instances per second through "rumpus run", at -j1
# and -j2, for an empty scenario and a small tmpfs one (create, write
# 4 KiB, read back, close), and the same small case under kyua (one ATF
# test case per instance) beside them, and "rumpus sweep" throughput.
# Prints one line per figure.
# @RUMPUS@ is filled in by the build, which puts bench/common/rumpus.sh
# (small_lua, seconds, sweep_rate) first.
# Usage: spawn [instances [kyua_cases]]
set -eu
rumpus=@RUMPUS@
n=${1:-2000}
nkyua=${2:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/empty.lua" <<LUA
for i = 1, $n do scenario { name = "empty" .. i, function() end } end
LUA
small_lua "$n" >"$work/small.lua"

for scen in empty small; do
	for j in 1 2; do
		t=$(seconds "$rumpus" run -j "$j" "$work/$scen.lua")
		printf 'rumpus run -j%d, %s scenario: %d instances in %.2f s, %.0f instances/s\n' \
		    "$j" "$scen" "$n" "$t" "$(awk -v n="$n" -v t="$t" 'BEGIN { print n / t }')"
	done
done

# The same small case under kyua: an ATF program of nkyua cases, each one
# "rumpus run" of one case (what atf-tests/scenarios does).
small_lua "$nkyua" >"$work/small1.lua"
cat >"$work/tp" <<SH
#! /bin/sh
# An ATF test program by hand: -l lists, otherwise run one case.
if [ "\$1" = -l ]; then
	echo 'Content-Type: application/X-atf-tp; version="1"'
	i=1
	while [ \$i -le $nkyua ]; do printf '\nident: small%d\n' \$i; i=\$((i + 1)); done
	exit 0
fi
res=/dev/stdout
while getopts r:s:v: o; do [ \$o = r ] && res=\$OPTARG; done
shift \$((OPTIND - 1))
exec "$rumpus" run -j 1 --atf-result "\$res" -c "\${1%%:*}[tmpfs]" "$work/small1.lua"
SH
chmod +x "$work/tp"
cat >"$work/Kyuafile" <<K
syntax(2)
test_suite("spawn")
atf_test_program{name="tp"}
K
for j in 1 2; do
	t=$(seconds kyua -v parallelism="$j" test --kyuafile "$work/Kyuafile" \
	    --build-root "$work" --results-file "$work/r$j.db")
	printf 'kyua -j%d, small scenario: %d instances in %.2f s, %.0f instances/s\n' \
	    "$j" "$nkyua" "$t" "$(awk -v n="$nkyua" -v t="$t" 'BEGIN { print n / t }')"
done

# Sweep throughput (bench/common/rumpus.sh; bench/faults prints it too).
sweep_rate "$n"
