# bench/faults' sweep figure: "rumpus sweep" throughput in instances per
# second at -j1 and -j2 (sweep_rate, bench/common/rumpus.sh, which the
# build puts first, as for bench/spawn).  The faults program runs it after
# its table.  @RUMPUS@ is filled in by the build.
# Usage: faults-sweep [instances]
set -eu
rumpus=@RUMPUS@
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
sweep_rate "${1:-1000}"
