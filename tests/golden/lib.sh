# Sourced by the golden runners (run.sh, diagnostics.sh): how a mismatch is
# reported.  golden_fail TITLE WANT GOT NAME OFFSET CUT prints
#   FAIL: TITLE
#   NAME:LINE: expected: <the golden's first differing line>
#   NAME:LINE: got:      <the generated line>
#   the diff -u of WANT and GOT (its first CUT lines; 0: all)
#   to update: <golden_update_cmd>
# NAME is the golden's path as the user opens it; its line LINE is WANT's
# line LINE - OFFSET (diagnostics.test holds many expectations).  The
# caller sets golden_update_cmd to the command it was run as, with UPDATE=1,
# and tmp to its scratch directory.
golden_update_cmd=

golden_fail() {
	gf_title=$1 gf_want=$2 gf_got=$3 gf_name=$4 gf_off=$5 gf_cut=$6
	echo "FAIL: $gf_title"
	if [ ! -e "$gf_want" ]; then
		echo "$gf_name: no such golden (a new file?)"
		echo "to update: $golden_update_cmd"
		return
	fi
	# the first line that differs, or where one file ends; long lines cut
	LC_ALL=C awk -v name="$gf_name" -v off="$gf_off" '
		function show(s) { return length(s) > 200 ? substr(s, 1, 200) "..." : s }
		FILENAME == ARGV[1] { w[FNR] = $0; nw = FNR; next }
		{ g[FNR] = $0; ng = FNR }
		END {
			n = nw > ng ? nw : ng
			for (i = 1; i <= n; i++)
				if (i > nw || i > ng || w[i] != g[i])
					break
			if (i > n) {
				printf "%s: the files differ only in the newline at the end\n", name
				exit
			}
			we = i > nw ? "(end of file)" : show(w[i])
			ge = i > ng ? "(end of file)" : show(g[i])
			printf("%s:%d: expected: %s\n", name, i + off, we)
			printf("%s:%d: got:      %s\n", name, i + off, ge)
		}' "$gf_want" "$gf_got"
	diff -u --label "$gf_name" --label generated "$gf_want" "$gf_got" >"${tmp:?}/golden.diff"
	gf_n=$(wc -l <"${tmp:?}/golden.diff")
	if [ "$gf_cut" -gt 0 ] && [ "$gf_n" -gt "$gf_cut" ]; then
		head -n "$gf_cut" "${tmp:?}/golden.diff"
		echo "... (the diff has $gf_n lines; $gf_cut shown)"
	else
		cat "${tmp:?}/golden.diff"
	fi
	rm -f "${tmp:?}/golden.diff"
	echo "to update: $golden_update_cmd"
}
