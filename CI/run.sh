#!/bin/sh
# The main job.  Until the runner (harness/, issue 6) exists it runs the
# functional suite; the runner will replace this with the bundled scenarios.
set -u
: "${SRCTOP:?} ${OBJTOP:?}"
exec sh "$SRCTOP/CI/test.sh"
