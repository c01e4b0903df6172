#!/bin/sh
# The command fuzzer's shell side: one generated COMMAND, its runtime sourced
# once, then every case read from stdin runs sg_main in a subshell whose
# sg_run prints the command line it would run instead of running it.
# A case is shell text `set -- WORD...` ending with a line `#END`; for each,
# stdout gets `ARGV <n> <len>:<bytes>...` (when it got that far) and then
# `RC <status> <1 if it printed anything>`.
# usage: harness.sh COMMAND <cases
set -euf
cmd=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the command's own part, up to where it finds its runtime
eval "$(sed '/^case \$0 in/,$d' "$cmd")"
sg_here=$(cd "$(dirname "$cmd")" && pwd -P)
# shellcheck source=/dev/null
. "$sg_here/lib/stapgen-cmd.sh"
# the script and parser as named: the model expects the script's path
sg_pin_set() { sg_run_script=$sg_script sg_run_parse=$sg_parse; }
# shellcheck disable=SC2120
sg_run() {
	sg_tmp=/SGTMP
	sg_argv
	eval "set -- $sg_words"
	{
		printf 'ARGV %d' $#
		for a in "$@"; do printf ' %d:%s' ${#a} "$a"; done
		printf '\n'
	} >&3
	exit 0
}
case_text=''
while IFS= read -r line; do
	if [ "$line" != '#END' ]; then
		case_text="$case_text$line
"
		continue
	fi
	rc=0
	# fd 3: the command line; what the command prints (-h, -V, errors) is its stderr's
	(eval "$case_text"; sg_main "$@") 3>&1 >"$tmp/err" 2>&1 </dev/null || rc=$?
	if [ -s "$tmp/err" ]; then e=1; else e=0; fi
	printf 'RC %d %d\n' "$rc" "$e"
	case_text=''
done
