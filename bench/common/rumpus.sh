# What the benchmarks that drive the rumpus command share (bench/spawn,
# bench/faults): the build puts this file before each script's own text.
# They set $rumpus (the command) and $work (a scratch directory).

# small_lua N: N cases of the small tmpfs job (create, write 4 KiB, read
# back, close).
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

# Seconds of wall time for a command, as a decimal.
seconds() {
	start=$(date +%s.%N)
	"$@" >/dev/null 2>&1 || { echo "bench: failed: $*" >&2; exit 1; }
	end=$(date +%s.%N)
	awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
}

# sweep_rate N: "rumpus sweep --point kmem.alloc" throughput over one case
# of the small tmpfs job (the counting run, then one instance per
# allocation), repeated until about N instances, at -j1 and -j2: one
# line each, in instances per second.
sweep_rate() {
	small_lua 1 >"$work/sweep1.lua"
	per=$("$rumpus" sweep --point kmem.alloc "$work/sweep1.lua" 2>&1 \
	    >/dev/null | sed -n -E 's/.*sweep: ([0-9]+) instances.*/\1/p')
	reps=$(( ($1 + per) / (per + 1) ))
	i=2
	while [ $i -le "$reps" ]; do
		cp "$work/sweep1.lua" "$work/sweep$i.lua"
		i=$((i + 1))
	done
	for j in 1 2; do
		start=$(date +%s.%N)
		"$rumpus" sweep --point kmem.alloc -j "$j" \
		    "$work"/sweep[0-9]*.lua >/dev/null 2>&1 || [ $? -eq 1 ] ||
		    { echo "bench: rumpus sweep failed" >&2; exit 1; }
		end=$(date +%s.%N)
		t=$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')
		total=$((reps * (per + 1)))
		printf 'rumpus sweep -j%d, kmem.alloc over the small scenario: %d instances (%d counting) in %.2f s, %.0f instances/s\n' \
		    "$j" "$total" "$reps" "$t" \
		    "$(awk -v n="$total" -v t="$t" 'BEGIN { print n / t }')"
	done
}
