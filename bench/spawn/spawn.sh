# bench/spawn: disposable instances per second through "rumpus run", at -j1
# and -j2, for an empty scenario and a small tmpfs one (create, write
# 4 KiB, read back, close), and the same small case under kyua (one ATF
# test case per instance) beside them, and "rumpus sweep" throughput.
# Prints one line per figure.
# @RUMPUS@ is filled in by the build.  Usage: spawn [instances [kyua_cases]]
set -eu
rumpus=@RUMPUS@
n=${1:-2000}
nkyua=${2:-100}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/empty.lua" <<LUA
for i = 1, $n do scenario { name = "empty" .. i, function() end } end
LUA
# small_lua N: N cases of the small tmpfs job.
small_lua() {
	cat <<LUA
for i = 1, $1 do
	scenario { name = "small" .. i, fs = { "tmpfs" }, function(k, fs)
		local fd = expect_ok(k.open(fs.dir .. "/f", "w+"))
		expect_eq(k.write(fd, ("x"):rep(4096)), 4096)
		expect_ok(k.lseek(fd, 0))
		expect_eq(#k.read(fd, 4096), 4096)
		expect_ok(k.close(fd))
	end }
end
LUA
}
small_lua "$n" >"$work/small.lua"

# Seconds of wall time for a command, as a decimal.
seconds() {
	start=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "spawn: failed: $*" >&2; exit 1; }
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

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

# Sweep throughput: "rumpus sweep --point kmem.alloc" over one case of the
# small tmpfs job (the counting run, then one instance per allocation),
# repeated until about n instances, at -j1 and -j2.
small_lua 1 >"$work/sweep1.lua"
per=$("$rumpus" sweep --point kmem.alloc "$work/sweep1.lua" 2>&1 >/dev/null |
    sed -n -E 's/.*sweep: ([0-9]+) instances.*/\1/p')
reps=$(( (n + per) / (per + 1) ))
i=2
while [ $i -le "$reps" ]; do cp "$work/sweep1.lua" "$work/sweep$i.lua"; i=$((i + 1)); done
for j in 1 2; do
	start=$(date +%s.%N)
	"$rumpus" sweep --point kmem.alloc -j "$j" "$work"/sweep[0-9]*.lua \
	    >/dev/null 2>&1 || [ $? -eq 1 ] ||
	    { echo "spawn: rumpus sweep failed" >&2; exit 1; }
	end=$(date +%s.%N)
	t=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
	total=$((reps * (per + 1)))
	printf 'rumpus sweep -j%d, kmem.alloc over the small scenario: %d instances (%d counting) in %.2f s, %.0f instances/s\n' \
	    "$j" "$total" "$reps" "$t" "$(awk -v n="$total" -v t="$t" 'BEGIN { print n / t }')"
done
