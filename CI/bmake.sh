#!/bin/sh
# Runs bmake over the tree for one target.  The flavour picks the object tree:
# "sanitize" builds into build-sanitize/ with ASan + UBSan, everything else into
# build/.  Every directory builds into ${OBJTOP}/<its path below the top>.
set -e
SRCTOP=$(cd "$(dirname "$0")/.." && pwd)
target=${1:-all}
case $target in
sanitize)	RUMPUS_FLAVOUR=sanitize; OBJTOP=$SRCTOP/build-sanitize ;;
*)		RUMPUS_FLAVOUR=${RUMPUS_FLAVOUR:-default}; OBJTOP=$SRCTOP/build ;;
esac
MAKEOBJDIR='${.CURDIR:S,^${SRCTOP},${OBJTOP},}'
MK_AUTO_OBJ=yes
export SRCTOP OBJTOP MAKEOBJDIR MK_AUTO_OBJ RUMPUS_FLAVOUR
cd "$SRCTOP"
exec bmake -j "$(nproc 2>/dev/null || echo 2)" -f mk/build.mk "$target"
