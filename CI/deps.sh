#!/bin/sh
# Installs the Debian packages rumpus needs, and only those that are missing:
# run on a machine that has them all, it does nothing.  Every make target runs
# it first, so a fresh Debian 12 machine needs no other set-up step.
set -e

# package	what for
PACKAGES="
bmake		the build (with its bsd.*.mk in /usr/share/mk)
gcc		the compiler
libc6-dev	the host library's headers
binutils	ld -r and objcopy for the kernel object
pkg-config	flags for lua5.4 and atf-c
atf-sh		ATF's shell interface
libatf-dev	atf-c, for the test programs
kyua		runs the suite
lua5.4		the scenario language
liblua5.4-dev	the Lua C API for the binding
e2fsprogs	mke2fs, e2fsck and debugfs: the ext2 oracle
libseccomp-dev	the instance sandbox (seccomp filter, syscall names)
"

missing=
for p in $(printf '%s\n' "$PACKAGES" | awk 'NF { print $1 }'); do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $status in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "rumpus: installing missing Debian packages:$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "rumpus: not root and no sudo; install these by hand:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; update once, then install.
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "rumpus: installed:$missing"
