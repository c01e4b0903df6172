#!/bin/sh
# rt-objs.sh DIR [CFLAGS...]: compile the parser runtime
# (templates/parser/stapgen_rt*.c) once, into DIR/stapgen_rt*.o, with $CC
# (default cc) and CFLAGS, two files at a time per core.  Every generated
# parser then links these objects instead of compiling the runtime again:
# 5 s of -O2 per parser was most of make live's and make check's build time.
# Prints nothing on success; exits 1 (the compiler's messages on stderr) if
# any file fails.
set -u
[ $# -ge 1 ] || { echo "usage: rt-objs.sh DIR [CFLAGS...]" >&2; exit 2; }
dir=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$dir" || exit 1
jobs=$(( $(nproc 2>/dev/null || echo 1) * 2 ))
# shellcheck disable=SC2016 # $CC and "$@" expand in the child shell
printf '%s\n' "$root"/templates/parser/stapgen_rt*.c |
	xargs -P "$jobs" -I{} sh -c 'f=$1; shift; o=$0/$(basename "$f" .c).o
		${CC:-cc} "$@" -I"$(dirname "$f")" -c -o "$o" "$f"' "$dir" {} "$@" || exit 1
