# A valid record of each kind (three rows or events) from TOOL_parser.c's own
# field tables, inside its report blocks; then @end (as tests/portable/run.sh).
/^static const sg_field [a-z0-9_]*_fields_[a-z0-9_]*\[\] = \{/ {
	cur = $4; sub(/\[\]$/, "", cur); nf[cur] = 0; next }
cur != "" && /^\};/ { cur = ""; next }
cur != "" && /^\t\{ "/ { split($0, a, /[",]+ */); types[cur, ++nf[cur]] = a[3]; names[cur, nf[cur]] = a[2]; next }
/^\t\{ "[a-z0-9_]*", SG_(EVENT|ROW|HIST_LOG2|HIST_LINEAR), / {
	line = $0; gsub(/[{},"]/, " ", line); split(line, k, " +")
	kinds[++nk] = k[2]; cls[nk] = k[3]; flds[nk] = k[4]; lo[nk] = k[6]; rep[nk] = k[9]
	if (k[9] != "NULL" && !(k[9] in seen)) { seen[k[9]] = 1; reps[++nr] = k[9] }
}
function row(i, j,   f, s, t, v) {
	s = "@" kinds[i]
	for (f = 1; f <= nf[flds[i]]; f++) {
		t = types[flds[i], f]
		if (t == "SG_TIME") v = 1700000000 + j
		else if (t == "SG_STRING") v = "s" j "\\tx"
		else if (t == "SG_STACK") v = "f" j "+0x1 [kernel]\\ng+0x2 [kernel]"
		else if (names[flds[i], f] == "bucket") v = cls[i] == "SG_HIST_LOG2" ? 65 + 2 * j : 1 + j
		else v = j + 1
		s = s "\t" v
	}
	print s
}
END {
	printf "@stapgen\t%s\t1\n", tool
	for (i = 1; i <= nk; i++) if (rep[i] == "NULL") for (j = 0; j < 3; j++) row(i, j)
	for (r = 1; r <= nr; r++) {
		printf "@report\t%s\t1700000000\n", reps[r]
		for (i = 1; i <= nk; i++) if (rep[i] == reps[r]) for (j = 0; j < 3; j++) row(i, j)
		printf "@report_end\t%s\n", reps[r]
	}
	print "@end"
}
