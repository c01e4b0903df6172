#!/bin/sh
# validate-cell.sh — validate one (tool, kernel) cell of the kernel matrix.
#
# usage: validate-cell.sh MODE KVER TOOL SCRIPTDIR TREE STAPDIR OUT
#   MODE       p2 (stap -p2 against a fetched kernel tree) or
#              p1 (stap -p1: parse, conditionals evaluated for KVER)
#   SCRIPTDIR  out/<KVER>: holds TOOL.stp, or TOOL.unsupported (one-line reason)
#   TREE       what to pass to stap -r (absolute path)
#   STAPDIR    SYSTEMTAP_DIR for stap (the kernel's private cache)
#   OUT        result prefix: writes OUT.rec (key=value lines, read by
#              validate-matrix.sh), OUT.json, OUT.log (stap's stderr) and
#              OUT.out (stap's stdout: the resolved probes).
# Environment: VALIDATE_TOOLCHAIN (host, default: the host's stap; sid: Debian
#              sid's stap in its chroot, scripts/live/toolchain.sh),
#              VALIDATE_TIMEOUT (s, default 600), VALIDATE_STAP_FLAGS,
#              VALIDATE_PROGRESS (counter file: prints [i/n]), VALIDATE_TOTAL,
#              VALIDATE_TREE=headers-only: TREE is a headers-only tree (no
#              vmlinux with DWARF, no module debuginfo); a failure is status
#              "gap" (expected: the tool needs debuginfo, not run twice)
#              unless the script's header says "Kernel debuginfo: not needed"
#              or "needed only if a fallback ...": then it is a FAIL, and so
#              is a pass of a script that says debuginfo is needed.
#
# Always exits 0 once the record is written: a failing cell is a result, not a
# build error (validate-matrix.sh decides the exit status).  The record is
# written to a temporary name and renamed, so an interrupted cell re-runs.
#
# stap options come from the script's header comment (first 40 lines):
# stapgen's "# Run with: -DMAXMAPENTRIES=10240" and "# GURU MODE: ..." (-g),
# or "// stap-flags: ..."; a script with embedded C (%{ ... %}) gets -g.
set -u
mode=$1 kver=$2 tool=$3 sdir=$4 tree=$5 stapdir=$6 out=$7
mkdir -p "$(dirname "$out")"
rec=$out.rec.tmp
: >"$rec"
put() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\t\r\n' '   ')" >>"$rec"; }

tc=${VALIDATE_TOOLCHAIN:-host}
retried=
ho=${VALIDATE_TREE:-}
case $ho in
'') ;;
headers-only) export STAPGEN_TREE=headers-only ;;
*) echo "validate-cell: VALIDATE_TREE: unknown tree '$ho'" >&2; exit 2 ;;
esac
tcsh=$(cd "$(dirname "$0")" && pwd)/live/toolchain.sh
if [ "$mode" = p1 ]; then
	stap_version=$(stap -V 2>&1 | sed -n '1s/^Systemtap translator\/driver (version \([^)]*\)).*/\1/p')
else
	stap_version=$("$tcsh" id "$tc" "$kver" | sed 's/^stap //')
fi
script=$sdir/$tool.stp
unsup=$sdir/$tool.unsupported
put kernel "$kver"; put tool "$tool"; put mode "$mode"; put stap "$stap_version"
[ -z "$ho" ] || put tree "$ho"

# Which file is current: the newer of .stp / .unsupported (a stale one may linger).
if [ -f "$unsup" ] && { [ ! -f "$script" ] || [ "$unsup" -nt "$script" ]; }; then
	status=unsupported
	put status unsupported
	put reason "$(head -n1 "$unsup")"
	put seconds 0
	secs=0 rss=
elif [ ! -f "$script" ]; then
	status=FAIL
	put status FAIL
	put error "no script generated for this kernel (see $sdir/.gen.log)"
	put seconds 0
	secs=0 rss=
else
	put script "$script"
	put sha256 "$(sha256sum <"$script" | cut -d' ' -f1)"
	# stapgen's header says how the script is run: "# Run with: -DX=N ...",
	# "# GURU MODE: ..." (stap -g); "// stap-flags: ..." is accepted as well.
	flags=$(head -n 40 "$script" | sed -n \
		-e 's,^[[:space:]]*\(//\|#\)[[:space:]]*stap-flags:[[:space:]]*,,p' \
		-e 's,^#[[:space:]]*Run with:[[:space:]]*,,p' \
		-e 's,^#[[:space:]]*GURU MODE.*,-g,p' | tr '\n' ' ')
	# embedded C needs guru mode too
	grep -q '%{' "$script" && flags="$flags -g"
	flags=$(echo $flags)
	put flags "$flags"
	# what the generator says the tool needs (its --check says the same)
	dbg=$(sed -n '1,60s/^# Kernel debuginfo: \([^:.]*\).*/\1/p' "$script" | head -n1)
	claimed=1
	if [ -n "$ho" ]; then
		put debuginfo "${dbg:-not stated}"
		# "not needed", or needed only by a fallback: the headers-only
		# path must pass (the tool's --check says "ready" for both)
		case $dbg in "not needed"* | "needed only if"*) ;; *) claimed= ;; esac
	fi
	tfile=$out.time.tmp
	rm -f "$tfile"
	# shellcheck disable=SC2086  # flags are word lists on purpose
	# time and timeout run programs, not shell functions
	# the host's stap too goes through the toolchain: the patched runtime
	# where this kernel needs it, as for the module builds
	if [ "$mode" = p1 ]; then set -- stap; else set -- "$tcsh" stap "$tc" "$kver"; fi
	run_stap() {
		rm -f "$tfile"
		if [ -x /usr/bin/time ]; then
			SYSTEMTAP_DIR=$sysdir /usr/bin/time -f '%e %M' -o "$tfile" \
				timeout "${VALIDATE_TIMEOUT:-600}" \
				"$@" -"$mode" -r "$tree" ${VALIDATE_STAP_FLAGS:-} $flags "$script" \
				>"$out.out" 2>"$out.log"
			rc=$?
			read -r secs rss <"$tfile" 2>/dev/null || { secs=0 rss=; }
			# GNU time writes "Command exited with non-zero status N" first
			if ! echo "$secs" | grep -q '^[0-9.]*$'; then
				secs=$(sed -n '$s/ .*//p' "$tfile") rss=$(sed -n '$s/.* //p' "$tfile")
			fi
		else
			s0=$(date +%s.%N)
			SYSTEMTAP_DIR=$sysdir timeout "${VALIDATE_TIMEOUT:-600}" \
				"$@" -"$mode" -r "$tree" ${VALIDATE_STAP_FLAGS:-} $flags "$script" \
				>"$out.out" 2>"$out.log"
			rc=$?
			secs=$(echo "$s0 $(date +%s.%N)" | awk '{printf "%.2f", $2 - $1}') rss=
		fi
	}
	sysdir=$stapdir
	run_stap "$@"
	# A failure is run once more.  Concurrent cells share one SYSTEMTAP_DIR,
	# where stap builds type/tracepoint query modules on first use; a cold CI
	# run once failed two cells that passed everywhere else.  A real
	# incompatibility fails twice; a cell that passes only on the second
	# attempt says so in its record, its line and the matrix.
	rm -f "$out.first.log"
	if [ $rc != 0 ] && [ $rc != 124 ] && [ -z "${VALIDATE_NO_RETRY:-}" ] && [ -n "$claimed" ]; then
		rc1=$rc
		mv "$out.log" "$out.first.log"
		first=$(grep -m1 -E '(^|[a-z] )error: |^ERROR: ' "$out.first.log" || tail -n1 "$out.first.log")
		# A probe point that did not resolve may be a tracepoint whose query
		# module once failed to build: stap caches that failure for good.
		# The second attempt gets a private copy of the cache without its
		# cached failures (next to it: the sid chroot sees the cache only).
		priv=
		if [ "$mode" = p2 ] && [ -d "$stapdir/cache" ] &&
			grep -q 'while resolving probe point' "$out.first.log"; then
			priv=$(mktemp -d "$stapdir.retry.XXXXXX")
			cp -a "$stapdir/." "$priv/"
			"$tcsh" forget-failures "$tc" "$priv"
			sysdir=$priv
		fi
		run_stap "$@"
		retried=1
		put first_attempt "exit $rc1: $(echo "$first" | cut -c1-300) (full output: $out.first.log)"
		if [ -n "$priv" ]; then
			# the queries that built this time replace their cached failures
			# in the shared cache (renamed in: cells may be reading it)
			"$tcsh" failed-headers "$tc" "$stapdir" >"$out.failed.tmp"
			for o in $(cd "$stapdir/cache" && find . -name 'tracequery_*.o' -size 0); do
				[ -s "$priv/cache/$o" ] || continue
				cp "$priv/cache/$o" "$stapdir/cache/$o.heal.$$" &&
					mv "$stapdir/cache/$o.heal.$$" "$stapdir/cache/$o"
			done
			# the headers failed before and not now
			healed=$("$tcsh" failed-headers "$tc" "$stapdir" | comm -13 - "$out.failed.tmp" | tr '\n' ' ' | sed 's/ $//')
			nb=$(wc -l <"$out.failed.tmp")
			rm -f "$out.failed.tmp"
			put retry_cache "second attempt with a private copy of $stapdir without its $nb cached tracepoint-query failures; built this time (now in the shared cache too): ${healed:-none}"
			rm -rf "$priv"
		fi
	fi
	# for a FAIL's report: the state of this kernel's tracepoint queries
	st=$stapdir/.stapgen-primed
	[ -f "$st" ] || st=$(dirname "$stapdir")/.stapgen-primed
	[ "$rc" != 0 ] && [ -f "$st" ] && put tracepoint_cache "$(sed -n 's/^tracepoints=//p' "$st"); $(sed -n 's/^failed_headers=//p' "$st") trace-event headers do not build: $(sed 's,^trace/events/,,' "$stapdir/failed-headers.txt" 2>/dev/null | tr '\n' ' ')(compiler errors: $stapdir/prime-errors.txt)"
	rm -f "$tfile"
	put seconds "$secs"
	put max_rss_kb "$rss"
	put exit "$rc"
	if [ $rc = 0 ] && [ -n "$ho" ] && [ -z "$claimed" ]; then
		# the script says it needs debuginfo, and it builds without:
		# what the tool's --check says has drifted from what stap does
		status=FAIL
		put status FAIL
		put error "passes without debuginfo, yet the script says 'Kernel debuginfo: ${dbg:-not stated}' (its --check would ask for debuginfo)"
	elif [ $rc = 0 ]; then
		status=pass
		put status pass
		# the probe points stap resolved (shows which '!' alternative was taken)
		[ "$mode" = p2 ] && put probes "$(sed -n '/^# probes/,/^# /{/^#/d;s,^\([^ ]*\).*/\* <- \(.*\) \*/$,\1,p}' "$out.out" | head -n 20 | tr '\n' ' ')"
	elif [ -z "$claimed" ]; then
		# headers-only, and the tool says it needs debuginfo: a known gap
		status=gap
		put status gap
		put reason "needs debuginfo (the script says: ${dbg:-not stated})"
	else
		status=FAIL
		put status FAIL
	fi
	if [ $rc != 0 ]; then
		# stap's first error, its "at FILE:LINE:COL" and the "source:" line
		# that follows; plus the next different error (the reason, when the
		# first is "while resolving probe point").
		if [ $rc = 124 ]; then
			put error "timeout after ${VALIDATE_TIMEOUT:-600}s"
		else
			awk '
			function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
			# stap lists every member/function it knows: keep that apart
			function split_alt(s) {
				ALT = ""
				if (match(s, / \((alternatives|similar [a-z]+): [^)]*\)/)) {
					ALT = substr(s, RSTART + 2, RLENGTH - 3)
					s = substr(s, 1, RSTART - 1) substr(s, RSTART + RLENGTH)
				}
				return s
			}
			function noloc(s) { sub(/ at [^ ]*:[0-9]+:[0-9]+/, "", s); return s }
			/^WARNING/ { next }
			n == 1 && /(^|[a-z] )error: |^ERROR: / {
				e = split_alt(trim($0))
				if (detail == "" && noloc(e) != noloc(err) && e !~ /^Pass [0-9]/) {
					detail = e
					if (alt == "") alt = ALT
				}
			}
			n == 0 && /(^|[a-z] )error: |^ERROR: / {
				n = 1; err = split_alt(trim($0)); alt = ALT; seen = 0; next
			}
			n == 1 && seen < 4 {
				seen++
				if (loc == "" && match($0, / at [^ ]+:[0-9]+:[0-9]+/))
					loc = substr($0, RSTART + 4, RLENGTH - 4)
				if (src == "" && $0 ~ /^[ \t]*source: /) { src = trim($0); sub(/^source: /, "", src) }
			}
			END {
				if (err == "") err = "stap exited with status " code
				if (loc == "" && match(err, / at [^ ]+:[0-9]+:[0-9]+/))
					loc = substr(err, RSTART + 4, RLENGTH - 4)
				print "error=" substr(err, 1, 400)
				print "location=" loc
				print "source=" substr(src, 1, 200)
				print "detail=" substr(detail, 1, 300)
				print "alternatives=" substr(alt, 1, 1000)
			}' code="$rc" "$out.log" | tr '\t\r' '  ' >>"$rec"
			# the same error against the spec text it came from (source map)
			sg=${STAPGEN:-build/stapgen}
			if [ -f "$script.map" ] && [ -x "$sg" ]; then
				spec_err=$("$sg" --explain "$script.map" <"$out.log" 2>/dev/null | head -n 1)
				[ -n "$spec_err" ] && put spec_error "$(echo "$spec_err" | cut -c1-400)"
			fi
		fi
	fi
fi

# JSON rendering of the record (keys in record order; numbers bare).
awk -F= '
function esc(s) {
	gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s)
	gsub(/[\001-\037]/, " ", s)
	return s
}
{
	k = $1; v = substr($0, length(k) + 2)
	if (k ~ /^(seconds|max_rss_kb|exit)$/ && v ~ /^[0-9]+(\.[0-9]+)?$/) val = v
	else if (k ~ /^(seconds|max_rss_kb|exit)$/) val = "null"
	else val = "\"" esc(v) "\""
	printf "%s\"%s\": %s", (NR > 1 ? ",\n  " : "{\n  "), k, val
}
END { print "\n}" }' "$rec" >"$out.json.tmp"
mv "$out.json.tmp" "$out.json"
mv "$rec" "$out.rec"

# progress line
i=
if [ -n "${VALIDATE_PROGRESS:-}" ]; then
	i=$(flock "$VALIDATE_PROGRESS" sh -c 'n=$(($(cat "$1" 2>/dev/null || echo 0) + 1)); echo $n >"$1"; echo $n' sh "$VALIDATE_PROGRESS")
	i="[$i/${VALIDATE_TOTAL:-?}] "
fi
case $status in
pass)
	what=pass; [ "$mode" = p1 ] && what="p1 pass"
	[ -n "$retried" ] && what="$what on the second attempt (first: $(sed -n 's/^first_attempt=//p' "$out.rec" | cut -c1-200))" ;;
unsupported) what="unsupported: $(head -n1 "$unsup")" ;;
gap) what="gap (needs debuginfo): $(sed -n 's/^error=//p' "$out.rec" | cut -c1-200)" ;;
*)
	e=$(sed -n 's/^error=//p' "$out.rec" | cut -c1-200)
	l=$(sed -n 's/^location=//p' "$out.rec")
	case $e in *"$l"*) ;; *) e="$e at $l" ;; esac
	what="FAIL: $e" ;;
esac
extra=
[ -n "${rss:-}" ] && extra=", $((rss / 1024)) MB"
[ "$status" = unsupported ] || extra=" (${secs}s$extra)"
[ "$tc" = host ] || kver="$kver (stap $stap_version)"
[ -z "$ho" ] || kver="$kver [$ho]"
echo "validate: ${i}$kver $tool: $what$extra"
exit 0
