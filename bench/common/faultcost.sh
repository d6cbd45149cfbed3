#!/bin/sh
# What the fault points cost when nothing is armed: callgrind instruction
# counts (repeatable on a busy machine, unlike times) of bench/hypercall and
# bench/boot, built with fault points (build/) and without (build-nofaults/,
# make nofaults).  Run from the top directory after "make && make nofaults":
#
#	sh bench/common/faultcost.sh
#
# hypercall: Ir per call pair, the inclusive Ir of each loop over its
# iterations (a warm-up of n/10 and 5 rounds of n), taken before armed()
# arms a hook (--dump-before=armed; without fault points nothing is armed).
# boot: Ir of one rump_init and one rumpus_teardown in the zygote, the
# difference of a 30-round and a 10-round run over 20 (the zygote's first
# boot and the start-up cancel out; forked children are not counted).
set -eu
n=100000
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# incl FILE FUNCTION: the inclusive Ir of FUNCTION in callgrind file FILE.
incl() {
	callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
	    awk -v f=":$2 " 'index($0, f) { gsub(",", "", $1); print $1; exit }'
}

printf '%-30s %12s %15s\n' "Ir" "build" "build-nofaults"
for what in hyper boot; do
	for b in build build-nofaults; do
		[ -x "$b/bench/boot/boot" ] ||
			{ echo "faultcost: $b is not built" >&2; exit 1; }
		mkdir -p "$tmp/$b"
		if [ $what = hyper ]; then
			valgrind --tool=callgrind --dump-before=armed \
			    --callgrind-out-file="$tmp/$b/hc.%p" \
			    "$b/bench/hypercall/hypercall" $n >/dev/null 2>&1
			# The first dump: before armed(), or the only one.
			f=$(ls "$tmp/$b"/hc.* | sort | tail -1)
			for l in rumpuser_mutex pthread_mutex pthread_errcheck \
			    rumpuser_malloc malloc; do
				echo "$b $l $(incl "$f" loop_$l)"
			done >>"$tmp/hyper"
		else
			for r in 10 30; do
				mkdir -p "$tmp/$b/$r"
				valgrind --tool=callgrind \
				    --callgrind-out-file="$tmp/$b/$r/cg.%p" \
				    "$b/bench/boot/boot" $r >/dev/null 2>&1
				# The zygote: the lowest process id.
				f=$(ls "$tmp/$b/$r" | sort -t. -k2 -n | head -1)
				for fn in rump_init rumpus_teardown; do
					echo "$b $fn $r $(incl "$tmp/$b/$r/$f" $fn)"
				done >>"$tmp/boot"
			done
		fi
	done
done
awk -v n=$n '
FILENAME ~ /hyper$/ { v[$2, $1] = $3 / (5.1 * n); k[$2] = 1; next }
{ b[$2, $1, $3] = $4; kb[$2] = 1 }
END {
	split("rumpuser_mutex pthread_mutex pthread_errcheck rumpuser_malloc malloc", o)
	for (i = 1; i <= 5; i++)
		printf "%-30s %12.1f %15.1f\n", o[i] " (per pair)",
		    v[o[i], "build"], v[o[i], "build-nofaults"]
	split("rump_init rumpus_teardown", f)
	for (i = 1; i <= 2; i++) {
		with = b[f[i], "build", 30] - b[f[i], "build", 10]
		without = b[f[i], "build-nofaults", 30] - \
		    b[f[i], "build-nofaults", 10]
		printf "%-30s %12.0f %15.0f\n", f[i], with / 20, without / 20
	}
}' "$tmp/hyper" "$tmp/boot"
