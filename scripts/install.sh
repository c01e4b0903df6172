#!/bin/sh
# make install: stapgen and the helpers into PREFIX/bin, and every tool
# generated for one kernel release (make tools' OUT/KVER):
#   PREFIX/lib/stapgen/KVER/TOOL, TOOL.stp, TOOL.stp.map, parsers/TOOL-parse,
#                               lib/stapgen-cmd.sh (the commands' runtime)
#   PREFIX/bin/TOOL               runs lib/stapgen/$(uname -r)/TOOL if installed, else KVER's
#   PREFIX/share/man/man1/TOOL.1  the doc page as a man page (scripts/md2man.awk)
#   PREFIX/share/doc/stapgen/KVER/TOOL.md
# Everything is written under DESTDIR; the paths inside the files are PREFIX's.
# usage: install.sh OUTDIR KVER DESTDIR PREFIX PROGRAM...
set -eu
out=$1 kver=$2 destdir=$3 prefix=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
nl='
'
case $destdir$prefix$out in *"$nl"*) echo "install: DESTDIR, PREFIX and OUT may not hold a newline" >&2; exit 2 ;; esac
case $prefix in /*) ;; *) echo "install: PREFIX must be an absolute path: $prefix" >&2; exit 2 ;; esac
case $prefix$kver in
*[!A-Za-z0-9_./+-]*) echo "install: PREFIX and KVER may hold only letters, digits and _ . / + -" >&2; exit 2 ;;
esac
[ -d "$out" ] || { echo "install: no $out (make tools KVER=$kver)" >&2; exit 1; }
bindir=$prefix/bin
libdir=$prefix/lib/stapgen/$kver
mandir=$prefix/share/man/man1
docdir=$prefix/share/doc/stapgen/$kver
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
	date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
else
	date=$(date -u +%Y-%m-%d)
fi
install -d "$destdir$bindir" "$destdir$libdir/parsers" "$destdir$libdir/lib" "$destdir$mandir" "$destdir$docdir"
# the runtime every command sources from its own directory
install -m 644 "$out/lib/stapgen-cmd.sh" "$destdir$libdir/lib/stapgen-cmd.sh"
progs=''
for f in "$@"; do
	install -m 755 "$f" "$destdir$bindir/"
	progs="$progs $(basename "$f")"
done
n=0
for cmd in "$out"/*; do
	if [ ! -f "$cmd" ] || [ ! -x "$cmd" ]; then continue; fi
	tool=$(basename "$cmd")
	case " $progs " in *" $tool "*)
		echo "install: a tool named $tool would replace bin/$tool: skipped" >&2
		continue ;;
	esac
	[ -x "$out/parsers/$tool-parse" ] || { echo "install: $tool has no compiled parser (make tools)" >&2; exit 1; }
	install -m 755 "$cmd" "$destdir$libdir/$tool"
	install -m 644 "$out/$tool.stp" "$destdir$libdir/$tool.stp"
	[ ! -f "$out/$tool.stp.map" ] || install -m 644 "$out/$tool.stp.map" "$destdir$libdir/$tool.stp.map"
	install -m 755 "$out/parsers/$tool-parse" "$destdir$libdir/parsers/$tool-parse"
	install -m 644 "$out/doc/$tool.md" "$destdir$docdir/$tool.md"
	LC_ALL=C awk -v section=1 -v date="$date" -f "$here/md2man.awk" "$out/doc/$tool.md" \
		>"$destdir$mandir/$tool.1"
	chmod 644 "$destdir$mandir/$tool.1"
	cat >"$destdir$bindir/$tool" <<WRAP
#!/bin/sh
# $tool: the stapgen tool generated for the running kernel, else for $kver
# (installed by make install).
d='$prefix/lib/stapgen'
k=\$(uname -r)
[ -x "\$d/\$k/$tool" ] || k='$kver'
exec "\$d/\$k/$tool" "\$@"
WRAP
	chmod 755 "$destdir$bindir/$tool"
	n=$((n + 1))
done
echo "make install: stapgen, $n tools for $kver, their man pages, under $destdir$prefix"
