#!/bin/sh
# Runs bmake over the tree for one target.  The flavour and MK_FAULTS pick the
# object tree: "sanitize" builds into build-sanitize/ with ASan + UBSan,
# "nofaults" (MK_FAULTS=no) into build-nofaults/ without fault points,
# everything else into build/.  Every directory builds into
# ${OBJTOP}/<its path below the top>.
set -e
SRCTOP=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-all}
case $target in
sanitize)	RUMPUS_FLAVOUR=sanitize ;;
nofaults)	MK_FAULTS=no ;;
esac
RUMPUS_FLAVOUR=${RUMPUS_FLAVOUR:-default}
MK_FAULTS=${MK_FAULTS:-yes}
OBJTOP=$SRCTOP/build
[ "$RUMPUS_FLAVOUR" = default ] || OBJTOP=$OBJTOP-$RUMPUS_FLAVOUR
[ "$MK_FAULTS" = yes ] || OBJTOP=$OBJTOP-nofaults
MAKEOBJDIR='${.CURDIR:S,^${SRCTOP},${OBJTOP},}'
MK_AUTO_OBJ=yes
export SRCTOP OBJTOP MAKEOBJDIR MK_AUTO_OBJ RUMPUS_FLAVOUR MK_FAULTS
cd "$SRCTOP"
exec bmake -j "$(nproc 2>/dev/null || echo 2)" -f mk/build.mk "$target"
