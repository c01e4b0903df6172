#!/bin/sh
# Ensures the Debian packages the build needs are installed.  As root with
# apt-get available, installs what is missing; otherwise names it and fails.
# usage: deps.sh [--check] PACKAGE...
set -u
check_only=0
[ "${1:-}" = "--check" ] && { check_only=1; shift; }
# Elsewhere (RHEL: dnf) the names differ: say what to have, and go on.
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system: not checking for the Debian packages$(printf ' %s' "$@") (install their equivalents)" >&2
	exit 0
fi
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$check_only" -eq 0 ] && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null && exit 0
	echo "deps: error: apt-get install failed for:$missing" >&2
	exit 1
fi
echo "deps: error: missing packages:$missing" >&2
echo "deps: install them (Debian/Ubuntu: apt-get install$missing) or run 'make deps' as root" >&2
exit 1
