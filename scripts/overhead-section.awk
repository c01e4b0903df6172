# overhead-section.awk: a tool's "Overhead" section for its doc page, from
# docs/overhead.tsv (written by make bench-overhead, never by hand).
#   awk -v tool=NAME -f scripts/overhead-section.awk docs/overhead.tsv
# Prints nothing when the table has no row for the tool.  The first line
# is the OVERHEAD line: the cost per probe hit of the run that prints what
# the hand-written original prints (variant "generated" or "generated
# OPTIONS"), and its ratio to the original's cost.
BEGIN { FS = "\t" }
NR == 1 {
	for (i = 1; i <= NF; i++) col[$i] = i
	next
}
$col["tool"] == tool {
	n++
	for (c in col) v[n, c] = $col[c]
}
function us(x) { return x == "" ? "-" : x " us" }
function label(s) {
	sub(/^generated,? ?/, "", s)
	return s == "" ? "as it runs by default" : s
}
END {
	if (!n) exit
	h = 0	# the run printing what the original prints: no ", " in its name
	for (i = 1; i <= n; i++) if (index(v[i, "variant"], ", ") == 0 && v[i, "invalid"] == "") { h = i; break }
	print "## Overhead\n"
	if (h) {
		line = "OVERHEAD: " us(v[h, "added_us_per_hit"]) " of guest time per probe hit"
		if (v[h, "cost_ratio"] != "")
			line = line sprintf(", %.2fx what its hand-written original costs", v[h, "cost_ratio"])
		if (label(v[h, "variant"]) != "as it runs by default")
			line = line " (with " label(v[h, "variant"]) ", which prints what the original prints)"
		print line ".\n"
	} else {
		print "OVERHEAD: no valid figure in the last benchmark run (below).\n"
	}
	print "| run | added guest time per op | probe hits per op | per probe hit | cycles per hit (stap -t) | against the original |"
	print "|---|---|---|---|---|---|"
	for (i = 1; i <= n; i++) {
		if (v[i, "invalid"] != "") {
			printf "| %s | invalid: %s | | | | |\n", label(v[i, "variant"]), v[i, "invalid"]
			continue
		}
		# each cell says what it is: the man page lists a row's cells without the header
		printf "| %s | %s per op | %s hits per op | %s per hit | %s cycles per hit | %s |\n", label(v[i, "variant"]),
			us(v[i, "added_us_per_op"]), v[i, "hits_per_op"] == "" ? "-" : v[i, "hits_per_op"],
			us(v[i, "added_us_per_hit"]), v[i, "cycles_per_hit"] == "" ? "-" : v[i, "cycles_per_hit"],
			v[i, "cost_ratio"] == "" ? "no original" : sprintf("%.2fx the original", v[i, "cost_ratio"])
	}
	print ""
	printf "One op is %s.", v[1, "op"]
	if (v[1, "original"] != "") printf " The original: %s.", v[1, "original"]
	printf " Measured by `make bench-overhead` on %s (%s), %s, in a QEMU TCG guest, which emulates every instruction: its times are many times a real CPU's, and only the ratios compare (stapgen's docs/performance.md, \"Probe cost\").\n", \
		v[1, "kernel"], v[1, "stap"], v[1, "date"]
}
