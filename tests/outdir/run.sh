#!/bin/sh
# Where the generator writes (issue 16, findings 9 and 10).
#  - sets: two stapgen runs of two versions of one spec into one output
#    directory, ROUNDS times (default 300); after each round every file of
#    the tool (.stp, .stp.map, .flags, command, parsers/_parser.c, doc/.md) is the
#    one of the same version, byte for byte; while they run, the tool
#    command is started (stap a stand-in) and the script it hands stap is
#    the one of the command's own version, every time;
#  - the compiled parser: scripts/make-tools.sh of the two versions at once,
#    a few rounds: parsers/TOOL-parse carries the set of the command;
#  - the output directory (as root): a symbolic link planted where a
#    directory is expected (--out, out/KVER, parsers/, doc/), one owned by
#    another user, one writable by group or world without the sticky bit:
#    exit 2, a message naming the path and the owner, nothing written there;
#    a sticky world-writable parent (/tmp) and a root-owned link above are
#    fine.
# usage: run.sh STAPGEN [ROUNDS]
set -u
stapgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
rounds=${2:-300}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
kver=6.1.0-56-cloud-amd64
export LC_ALL=C
fail=0 n=0
bad() { printf 'FAIL: %s\n' "$*"; fail=$((fail + 1)); }

# two versions of one spec: another summary, default, column and probe count
spec() {
	mkdir -p "$tmp/v$1"
	{
		echo "tool: vers"
		echo "summary: version $1 of the tool"
		echo "params:"
		echo "  lim: { type: int, default: $1$1$1, help: limit of version $1, flag: -l }"
		echo "probes:"
		i=0
		while [ "$i" -lt "$1" ]; do
			echo "  - on: kernel.trace(\"sched:sched_process_exit\")"
			echo "    where: pid() > lim"
			echo "    emit: { record: gone$i, columns: { pid: pid(), mark_v$1: execname() } }"
			i=$((i + 1))
		done
	} >"$tmp/v$1/vers.yaml"
	"$stapgen" --kver "$kver" --out "$tmp/ref$1" "$tmp/v$1/vers.yaml" || bad "generating version $1"
}
spec 1
spec 2
files="vers.stp vers.stp.map vers.flags vers parsers/vers_parser.c doc/vers.md"
# which version a file of $tmp/out is: 1, 2, or x (neither)
which() {
	if cmp -s "$tmp/out/$1" "$tmp/ref1/$1"; then echo 1
	elif cmp -s "$tmp/out/$1" "$tmp/ref2/$1"; then echo 2
	else echo x; fi
}

# the stand-in stap: which version is the script it is given, and which the
# command that started it (the file its shell, the parent, has open)
mkdir -p "$tmp/bin"
cat >"$tmp/bin/stap" <<STAP
#!/bin/sh
for a in "\$@"; do script=\$a; done
s=x c=x
cmp -s "\$script" "$tmp/ref1/vers.stp" && s=1
cmp -s "\$script" "$tmp/ref2/vers.stp" && s=2
for f in /proc/\$PPID/fd/*; do
	[ -f "\$f" ] || continue	# the pipes would block cmp
	cmp -s "\$f" "$tmp/ref1/vers" 2>/dev/null && c=1
	cmp -s "\$f" "$tmp/ref2/vers" 2>/dev/null && c=2
done
echo "cmd=\$c stp=\$s"
STAP
chmod +x "$tmp/bin/stap"

# ---- sets: two writers at once, a reader beside them ------------------------
mixed=0 mixed_run=0 runs=0 r=0
while [ "$r" -lt "$rounds" ]; do
	r=$((r + 1))
	"$stapgen" --kver "$kver" --out "$tmp/out" "$tmp/v1/vers.yaml" 2>>"$tmp/err" &
	p1=$!
	"$stapgen" --kver "$kver" --out "$tmp/out" "$tmp/v2/vers.yaml" 2>>"$tmp/err" &
	p2=$!
	if [ -x "$tmp/out/vers" ]; then
		PATH="$tmp/bin:$PATH" "$tmp/out/vers" --raw --no-check >"$tmp/run" 2>&1 &
		p3=$!
	else
		p3=
	fi
	wait "$p1" || bad "round $r: version 1 failed: $(tail -n 2 "$tmp/err")"
	wait "$p2" || bad "round $r: version 2 failed: $(tail -n 2 "$tmp/err")"
	got=''
	for f in $files; do got="$got $(which "$f")"; done
	# every file of one version: no x (neither), not both
	case $got in *x* | *1*2* | *2*1*) mixed=$((mixed + 1)); [ "$mixed" -gt 3 ] || echo "round $r: versions of $files:$got" ;; esac
	if [ -n "$p3" ]; then
		wait "$p3"
		runs=$((runs + 1))
		case $(cat "$tmp/run") in
		"cmd=1 stp=1"|"cmd=2 stp=2") ;;
		*) mixed_run=$((mixed_run + 1)); [ "$mixed_run" -gt 3 ] || echo "round $r: the command ran: $(head -n 2 "$tmp/run")" ;;
		esac
	fi
done
n=$((n + 1))
[ "$mixed" = 0 ] || bad "$mixed of $rounds rounds left a mix of versions"
n=$((n + 1))
[ "$mixed_run" = 0 ] || bad "$mixed_run of $runs runs of the command ran another version's script"
echo "outdir: $rounds rounds of two writers: $mixed mixed; $runs runs of the command: $mixed_run mixed"

# ---- the compiled parser: two make-tools.sh at once ---------------------------
r=0
while [ "$r" -lt "${MT_ROUNDS:-4}" ]; do
	r=$((r + 1))
	./scripts/make-tools.sh "$stapgen" "$kver" "$tmp/mt" "$tmp/v1/vers.yaml" >"$tmp/mt1.log" 2>&1 &
	p1=$!
	./scripts/make-tools.sh "$stapgen" "$kver" "$tmp/mt" "$tmp/v2/vers.yaml" >"$tmp/mt2.log" 2>&1 &
	p2=$!
	wait "$p1" || bad "make-tools (version 1): $(tail -n 3 "$tmp/mt1.log")"
	wait "$p2" || bad "make-tools (version 2): $(tail -n 3 "$tmp/mt2.log")"
	d=$tmp/mt/$kver
	n=$((n + 1))
	v=$(if cmp -s "$d/vers" "$tmp/ref1/vers"; then echo 1; elif cmp -s "$d/vers" "$tmp/ref2/vers"; then echo 2; fi)
	[ -n "$v" ] || { bad "round $r: the command is neither version"; continue; }
	cmp -s "$d/vers.stp" "$tmp/ref$v/vers.stp" || bad "round $r: vers.stp is not of version $v, as the command"
	# the parser's JSON names the column mark_vN of its version
	printf '@stapgen\tvers\t1\n@gone0\t5\tsh\n' | "$d/parsers/vers-parse" -f json >"$tmp/json" 2>&1
	grep -q "\"mark_v$v\"" "$tmp/json" ||
		bad "round $r: parsers/vers-parse is not of version $v, as the command: $(head -n 1 "$tmp/json")"
done

# ---- the output directory -------------------------------------------------------
if [ "$(id -u)" != 0 ]; then
	echo "outdir: not root: the ownership cases are skipped"
else
	nobody=$(id -u nobody)
	# refused OUT DESC: exit 2, a message naming the path and the owner, nothing made
	refused() {
		n=$((n + 1))
		rc=0
		"$stapgen" --kver "$kver" --out "$1" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1 || rc=$?
		[ "$rc" = 2 ] || bad "$2: exit $rc, not 2: $(head -n 2 "$tmp/o")"
		grep -qF "refusing to write through $3: $4" "$tmp/o" || bad "$2: message: $(head -n 2 "$tmp/o")"
		grep -qF "owner $5, uid" "$tmp/o" || bad "$2: no owner in: $(head -n 2 "$tmp/o")"
		[ -z "$(find "$tmp/elsewhere" -type f)" ] || bad "$2: wrote $(find "$tmp/elsewhere" -type f | head -n 3)"
		rm -rf "$tmp/elsewhere"/*
	}
	mkdir -p "$tmp/elsewhere" "$tmp/d"
	ln -s "$tmp/elsewhere" "$tmp/d/link"
	refused "$tmp/d/link" "--out a symbolic link" "$tmp/d/link" "a symbolic link" root
	# a link planted by another user, above the directory
	ln -s "$tmp/elsewhere" "$tmp/d/nlink"
	chown -h "$nobody" "$tmp/d/nlink"
	refused "$tmp/d/nlink/k" "a link of another user above --out" "$tmp/d/nlink" "a symbolic link" nobody
	# out/KVER, parsers/, doc/ as links
	mkdir -p "$tmp/o1" "$tmp/o2" "$tmp/o3"
	ln -s "$tmp/elsewhere" "$tmp/o1/$kver"
	refused "$tmp/o1/$kver" "OUT/KVER a symbolic link" "$tmp/o1/$kver" "a symbolic link" root
	mkdir -p "$tmp/o1x/out" && ln -s "$tmp/elsewhere" "$tmp/o1x/out/$kver"
	(cd "$tmp/o1x" && "$stapgen" --kver "$kver" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1; echo "rc=$?" >>"$tmp/o")
	n=$((n + 1))
	grep -q "rc=2" "$tmp/o" && grep -qF "refusing to write through out/$kver: a symbolic link" "$tmp/o" ||
		bad "the default out/KVER as a link: $(head -n 2 "$tmp/o")"
	ln -s "$tmp/elsewhere" "$tmp/o2/parsers"
	refused "$tmp/o2" "parsers/ a symbolic link" "$tmp/o2/parsers" "a symbolic link" root
	mkdir -p "$tmp/o3/parsers"
	ln -s "$tmp/elsewhere" "$tmp/o3/doc"
	refused "$tmp/o3" "doc/ a symbolic link" "$tmp/o3/doc" "a symbolic link" root
	[ ! -e "$tmp/o3/vers" ] || bad "doc/ a link: the command was written"
	# owned by another user, here or above; writable by others
	mkdir -p "$tmp/own/sub" "$tmp/own2/x" "$tmp/ww" "$tmp/gw"
	chown "$nobody" "$tmp/own/sub"
	refused "$tmp/own/sub" "--out owned by nobody" "$tmp/own/sub" "owned by another user" nobody
	chown "$nobody" "$tmp/own2"
	refused "$tmp/own2/x" "a parent owned by nobody" "$tmp/own2" "owned by another user" nobody
	mkdir -p "$tmp/own3/parsers" && chown "$nobody" "$tmp/own3/parsers"
	refused "$tmp/own3" "parsers/ owned by nobody" "$tmp/own3/parsers" "owned by another user" nobody
	chmod 777 "$tmp/ww"
	refused "$tmp/ww" "--out mode 0777" "$tmp/ww" "writable by others" root
	chmod 775 "$tmp/gw"
	refused "$tmp/gw/x" "a parent mode 0775" "$tmp/gw" "writable by others" root
	# fine: sticky and world-writable above (as /tmp), a root link above, our own
	mkdir -p "$tmp/sticky" "$tmp/real"
	chmod 1777 "$tmp/sticky"
	ln -s "$tmp/real" "$tmp/rootlink"
	for o in "$tmp/sticky/out" "$tmp/rootlink/out"; do
		n=$((n + 1))
		"$stapgen" --kver "$kver" --out "$o" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1 ||
			bad "--out $o refused: $(head -n 2 "$tmp/o")"
		[ -x "$o/vers" ] || bad "--out $o: no command"
	done
	# the same rules for another user: its own directory is fine, one others may write is not
	if command -v setpriv >/dev/null; then
		mkdir -p "$tmp/nb/mine" "$tmp/nb/ww"
		chown "$nobody" "$tmp/nb/mine"
		chmod 777 "$tmp/nb/ww"
		chmod 755 "$tmp" "$tmp/v1"
		chmod 644 "$tmp/v1/vers.yaml"
		as_nobody() { setpriv --reuid="$nobody" --regid="$(id -g nobody)" --clear-groups "$@"; }
		n=$((n + 1))
		as_nobody "$stapgen" --kver "$kver" --out "$tmp/nb/mine/out" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1 ||
			bad "nobody into its own directory: $(head -n 2 "$tmp/o")"
		n=$((n + 1))
		rc=0
		as_nobody "$stapgen" --kver "$kver" --out "$tmp/nb/ww" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1 || rc=$?
		[ "$rc" = 2 ] && grep -qF "refusing to write through $tmp/nb/ww: writable by others" "$tmp/o" ||
			bad "nobody into a 0777 directory: exit $rc: $(head -n 2 "$tmp/o")"
	fi
	# --check writes nothing: it does not look at --out
	n=$((n + 1))
	"$stapgen" --check --out "$tmp/ww" "$tmp/v1/vers.yaml" >"$tmp/o" 2>&1 || bad "--check looks at --out: $(head -n 2 "$tmp/o")"
fi

echo "outdir: $n checks, $fail failed"
[ "$fail" -eq 0 ]
