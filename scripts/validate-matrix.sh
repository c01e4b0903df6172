#!/bin/sh
# validate-matrix.sh — aggregate the cell records into matrix.md + matrix.json.
#
# usage: validate-matrix.sh VDIR "MODE:KVER ..." "TOOL ..."
#   VDIR   out/validation (cells in VDIR/cells/<KVER>/<TOOL>.rec)
#   columns in the given order (fixtures first, then p1-only releases);
#   tools are sorted here (C locale) so the output order is deterministic.
# Environment: KCACHE (kernel cache, for the fixtures' package versions).
# Exit status: 1 if any cell FAILed (or a record is missing), else 0.  The
# matrix is always written first (atomically).
set -eu
vdir=$1 cols=$2 tools=$3
tools=$(printf '%s\n' $tools | LC_ALL=C sort -u | tr '\n' ' ')
mkdir -p "$vdir"

# Column metadata: MODE KVER VERSION PACKAGE-LIST
meta=$vdir/.columns.tmp
: >"$meta"
for c in $cols; do
	# MODE:RELEASE[@TOOLCHAIN]: p2 cells of another stap are RELEASE@sid,
	# the live runs RELEASE@live, headers-only cells (mode ho)
	# RELEASE[@TOOLCHAIN]@headers-only (cells/<column>/<tool>.rec each)
	m=${c%%:*} k=${c#*:} kb=${k%%@*} tc=
	case ${k%@headers-only} in *@*) tc=${k#*@}; tc=${tc%@headers-only} ;; esac
	# src: a user's kernel source (scripts/kernel-source.sh): the tree
	# RELEASE@KIND is its own cache directory, its stamp names the source
	sd=$kb src=- dbg=-
	[ "$m" = src ] && { sd=$k tc=; }
	ver=- pk=-
	if [ "$m" != p1 ] && [ -f "${KCACHE:-/nonexistent}/$sd/.stapgen-ready" ]; then
		ver=$(sed -n 's/^version=//p' "$KCACHE/$sd/.stapgen-ready")
		pk=$(sed -n 's/^packages=//p' "$KCACHE/$sd/.stapgen-ready" | tr ' ' ',')
		if [ "$m" = src ]; then
			src=$(sed -n 's/^source=//p' "$KCACHE/$sd/.stapgen-ready")
			dbg=$(sed -n 's/^debuginfo=//p' "$KCACHE/$sd/.stapgen-ready")
		fi
	fi
	tp=-
	primed=$KCACHE/$sd/.stapgen-primed
	[ -n "$tc" ] && primed=$KCACHE/$kb/stap-$tc/.stapgen-primed
	[ "$m" = ho ] && primed=$KCACHE/$kb/headers-only/stap-${tc:-host}/.stapgen-primed
	{ [ "$m" = p2 ] || [ "$m" = ho ] || [ "$m" = src ]; } && [ -f "$primed" ] &&
		tp=$(sed -n 's/^tracepoints=//p' "$primed" | tr ' ' '_')
	echo "$m $k ${ver:--} ${pk:--} $tp $vdir/gen/$kb/.gen.log ${src:--} ${dbg:--}" >>"$meta"
done

rc=0
# each tool's probe cost, as make bench-overhead measured it (docs/overhead.tsv)
ovh=${STAPGEN_OVERHEAD:-$(cd "$(dirname "$0")/.." && pwd)/docs/overhead.tsv}
LC_ALL=C awk -v vdir="$vdir" -v tools="$tools" -v metaf="$meta" -v ovh="$ovh" \
	-v md="$vdir/matrix.md.tmp" -v js="$vdir/matrix.json.tmp" '
function esc(s) {
	gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/[\001-\037]/, " ", s)
	return s
}
function mdesc(s) { gsub(/\|/, "\\|", s); gsub(/`/, "'\''", s); return s }
function short(s, n) { return length(s) > n ? substr(s, 1, n - 1) "…" : s }
function jstr(s) {	# keeps newlines as \n
	gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\t/, "\\t", s)
	gsub(/\n/, "\\n", s); gsub(/[\001-\037]/, " ", s)
	return s
}
function jnum(v) { return v ~ /^[0-9]+(\.[0-9]+)?$/ ? v : "null" }
BEGIN {
	nt = split(tools, T, " ")
	nc = 0
	while ((getline line < metaf) > 0) {
		split(line, f, " ")
		nc++; CM[nc] = f[1]; CK[nc] = f[2]; CV[nc] = f[3]; CP[nc] = f[4]; CT[nc] = f[5]
		CSRC[nc] = f[7]; CDBG[nc] = f[8]
		# a source without debuginfo is a headers-only column (gaps)
		HO[nc] = (CM[nc] == "ho" || (CM[nc] == "src" && CDBG[nc] == "none"))
		gsub(/_/, " ", CT[nc])
		GL[nc] = ""; ngl = 0
		while ((getline gl < f[6]) > 0) if (++ngl <= 40) GL[nc] = GL[nc] gl "\n"
		close(f[6])
		if (GL[nc] != "") ngen++
	}
	stapv = ""; npass = nfail = nuns = np1 = nnr = ngap = 0; serial = 0; maxrss = 0; nf = 0
	for (t = 1; t <= nt; t++) for (c = 1; c <= nc; c++) {
		key = t SUBSEP c
		file = vdir "/cells/" CK[c] "/" T[t] ".rec"
		n = 0
		while ((getline line < file) > 0) {
			n++
			k = line; sub(/=.*/, "", k); v = substr(line, length(k) + 2)
			R[key, k] = v; K[key, n] = k
		}
		close(file)
		if (n == 0 && CM[c] == "live") {
			# live.py records every test it was asked to run (FAIL when the
			# guest died first): no record means a LIVE_TOOLS run left it out
			n = 3; K[key, 1] = "kernel"; K[key, 2] = "tool"; K[key, 3] = "status"
			R[key, "kernel"] = CK[c]; R[key, "tool"] = T[t]; R[key, "status"] = "not-run"
		} else if (n == 0) {
			n = 3; K[key, 1] = "kernel"; K[key, 2] = "tool"; K[key, 3] = "status"
			R[key, "kernel"] = CK[c]; R[key, "tool"] = T[t]
			R[key, "status"] = "FAIL"; R[key, "error"] = "no result recorded"
			K[key, ++n] = "error"
		}
		NK[key] = n
		st = R[key, "status"]
		if (R[key, "stap"] != "") { if (CS[c] == "") CS[c] = R[key, "stap"]; if (CM[c] == "p2" && CK[c] !~ /@/) stapv = R[key, "stap"] }
		if (st == "pass" && R[key, "first_attempt"] != "") RT[++nrt] = T[t] " on " CK[c] ": " R[key, "first_attempt"]
		if (st == "pass" && CM[c] == "p1") np1++
		else if (st == "pass") npass++
		else if (st == "unsupported" || st == "not-triggerable") nuns++
		else if (st == "not-run") nnr++
		else if (st == "gap" && HO[c]) ngap++
		else { nfail++; FL[++nf] = key }
		# headers-only columns: how many tools pass there
		if (HO[c]) { HN[c, st]++ }
		serial += R[key, "seconds"] + 0
		if (R[key, "max_rss_kb"] + 0 > maxrss) maxrss = R[key, "max_rss_kb"] + 0
	}

	# ---- matrix.md ----
	print "# Kernel validation matrix\n" > md
	print "Generated by `make validate` (and `make live`). A `p2` cell is `stap -p2 -r <tree>` on the script" > md
	print "generated for that kernel (`out/validation/gen/<release>/<tool>.stp`) with the stap the column names;" > md
	print "`p1` is `stap -p1` (parse, with `%( kernel_v ... %)` conditionals evaluated for that release) where no" > md
	print "tree can be fetched; `live` is the tool built with `stap -p4`, loaded with `staprun` in a QEMU guest" > md
	print "booting the real image of that kernel, driven by a workload, its parsed records checked value by value" > md
	print "against the `live:` expectations of its spec (docs/live.md).\n" > md
	print "| column | kernel | check | stap | package version | tracepoints |" > md
	print "|---|---|---|---|---|---|" > md
	for (c = 1; c <= nc; c++) {
		kb = CK[c]; sub(/@.*/, "", kb)
		printf "| %s | `%s` | %s | %s | %s | %s |\n", c, kb, \
			(CM[c] == "p2" ? "stap -p2 (fetched tree)" : CM[c] == "ho" ? "stap -p2, headers-only tree (no vmlinux with DWARF, no module debuginfo)" : CM[c] == "live" ? "live run (QEMU, stap -p4 + staprun)" : CM[c] == "src" ? "stap -p2, tree from `" mdesc(CSRC[c]) "`" (CDBG[c] == "none" ? " (headers-only: no debuginfo)" : " (debuginfo `" mdesc(CDBG[c]) "`)") : "stap -p1 only (no tree)"), \
			(CS[c] != "" ? mdesc(CS[c]) : "-"), mdesc(CV[c]), (CM[c] == "p2" || CM[c] == "ho" || CM[c] == "src" ? mdesc(CT[c]) : "-") > md
	}
	printf "\n| tool |" > md
	for (c = 1; c <= nc; c++) {
		kb = CK[c]; sub(/@.*/, "", kb); sv = CS[c]; sub(/[\/, ].*/, "", sv)
		ck = CM[c] == "ho" ? "p2 headers-only" : CM[c] == "src" ? "p2 from " substr(CK[c], index(CK[c], "@") + 1) (HO[c] ? ", headers-only" : "") : CM[c]
		printf " %s: %s %s%s |", c, kb, ck, (CM[c] == "p2" || CM[c] == "ho" || CM[c] == "src" ? " (stap " sv ")" : "") > md
	}
	printf "\n|---|" > md
	for (c = 1; c <= nc; c++) printf "---|" > md
	printf "\n" > md
	for (t = 1; t <= nt; t++) {
		printf "| %s |", T[t] > md
		for (c = 1; c <= nc; c++) {
			key = t SUBSEP c; st = R[key, "status"]; s = R[key, "seconds"]
			# one if/else chain: every status gets exactly one rendering
			if (st == "pass") {
				cell = (CM[c] == "p1" ? "p1 pass" : CM[c] == "live" ? "live pass" : "pass") " " s "s"
				if (R[key, "first_attempt"] != "") cell = cell " (second attempt; first: " mdesc(short(R[key, "first_attempt"], 120)) ")"
			} else if (st == "unsupported") cell = "unsupported: " mdesc(short(R[key, "reason"], 80))
			else if (st == "not-triggerable") cell = "not triggerable: " mdesc(short(R[key, "reason"], 100))
			else if (st == "not-run") cell = "not run"
			else {
				e = R[key, "error"]; loc = R[key, "location"]
				if (loc != "" && (p = index(e, " at " loc)) > 0) e = substr(e, 1, p - 1) substr(e, p + 4 + length(loc))
				if (e ~ /while resolving probe point/ && R[key, "detail"] != "") e = e "; " R[key, "detail"]
				if (st == "gap" && HO[c]) cell = "gap (needs debuginfo): " mdesc(short(e, 150))
				else {
					cell = "**FAIL**" (s != "" ? " " s "s" : "") ": " mdesc(short(e, 150))
					if (loc != "") cell = cell " at `" mdesc(loc) "`"
					if (R[key, "spec_error"] != "") {
						se = R[key, "spec_error"]; sub(/: error: .*/, "", se)
						cell = cell "; spec: `" mdesc(se) "`"
					}
				}
			}
			printf " %s |", cell > md
		}
		printf "\n" > md
	}
	printf "\n%d cells: %d pass, %d p1 pass, %d unsupported, %d FAIL%s. Serial sum of cell times %.1f s; largest stap RSS %d MB.\n", \
		nt * nc, npass, np1, nuns, nfail, (ngap ? ", " ngap " headers-only gaps" : ""), serial, maxrss / 1024 > md
	nho = 0
	for (c = 1; c <= nc; c++) if (HO[c]) {
		kb = CK[c]; sub(/@.*/, "", kb); sv = CS[c]; sub(/[\/, ].*/, "", sv)
		tcn = CK[c]; sub(/@headers-only$/, "", tcn); tcn = (tcn ~ /@/ ? substr(tcn, index(tcn, "@") + 1) : "host")
		if (CM[c] == "src") tcn = tcn " (" CSRC[c] ")"
		HL[++nho] = sprintf("headers-only: %d of %d pass on %s@%s (stap %s): %d gap (needs debuginfo), %d FAIL, %d unsupported", \
			HN[c, "pass"], nt, kb, tcn, sv, HN[c, "gap"], nt - HN[c, "pass"] - HN[c, "gap"] - HN[c, "unsupported"], HN[c, "unsupported"])
		HC[nho] = c
	}
	if (nho) {
		print "\nA headers-only column is the tree a host without the kernel'\''s debuginfo has (`linux-headers-<release>`, `System.map`): a `gap` is a tool that needs the debuginfo (its `TOOL.flags` says `debuginfo=needed`), not a failure of `make validate`; a tool whose plan says `not-needed` must pass there.\n" > md
		for (i = 1; i <= nho; i++) printf "- %s\n", HL[i] > md
	}
	if (nf > 0) {
		print "\n## Failures\n" > md
		for (i = 1; i <= nf; i++) {
			key = FL[i]
			split(key, kp, SUBSEP)
			printf "### %s on %s\n\n", T[kp[1]], CK[kp[2]] > md
			printf "```\n%s\n", R[key, "error"] > md
			if (R[key, "source"] != "") printf "source: %s\n", R[key, "source"] > md
			if (R[key, "detail"] != "") printf "%s\n", R[key, "detail"] > md
			if (R[key, "alternatives"] != "") printf "(%s)\n", R[key, "alternatives"] > md
			printf "```\n" > md
			if (R[key, "spec_error"] != "")
				printf "In the spec (`stapgen --explain`):\n\n```\n%s\n```\n", R[key, "spec_error"] > md
			if (R[key, "script"] != "")
				printf "Script `%s`; full stap output in `%s/cells/%s/%s.log`.\n\n", R[key, "script"], vdir, CK[kp[2]], T[kp[1]] > md
			else print "" > md
		}
	}

	if (ngen > 0) {
		print "\n## Generator errors\n" > md
		print "These specs produced no script (so they have no row above); `make validate` fails.\n" > md
		for (c = 1; c <= nc; c++) if (GL[c] != "") {
			printf "### stapgen --kver %s\n\n```\n%s```\n\n", CK[c], GL[c] > md
			break	# the same spec errors repeat for every release
		}
	}

	# ---- matrix.json ----
	printf "{\n  \"stap\": \"%s\",\n  \"kernels\": [", esc(stapv) > js
	for (c = 1; c <= nc; c++) {
		# a source column: "check": "p2", and what it was made from
		ck = CM[c] == "ho" ? "p2\", \"tree\": \"headers-only" : CM[c] != "src" ? CM[c] : \
			"p2\", " (HO[c] ? "\"tree\": \"headers-only\", " : "") "\"source\": \"" esc(CSRC[c]) "\", \"kernel\": \"" esc(substr(CK[c], 1, index(CK[c], "@") - 1)) "\", \"debuginfo\": \"" esc(CDBG[c])
		printf "%s\n    {\"release\": \"%s\", \"check\": \"%s\", \"package_version\": \"%s\", \"packages\": \"%s\", \"tracepoints\": \"%s\", \"generator_errors\": \"%s\"}", \
			(c > 1 ? "," : ""), esc(CK[c]), ck, esc(CV[c]), esc(CP[c]), esc(CT[c]), jstr(GL[c]) > js
	}
	printf "\n  ],\n  \"tools\": [" > js
	for (t = 1; t <= nt; t++) printf "%s\"%s\"", (t > 1 ? ", " : ""), esc(T[t]) > js
	printf "],\n  \"cells\": [" > js
	first = 1
	for (t = 1; t <= nt; t++) for (c = 1; c <= nc; c++) {
		key = t SUBSEP c
		# "column": the kernels[] entry it belongs to (the record key
		# "kernel" is the bare release, the same in every column of it)
		printf "%s\n    {\"column\": \"%s\"", (first ? "" : ","), esc(CK[c]) > js; first = 0
		for (j = 1; j <= NK[key]; j++) {
			k = K[key, j]; v = R[key, k]
			if (k == "column") continue
			if (k == "seconds" || k == "max_rss_kb" || k == "exit") val = jnum(v)
			else val = "\"" esc(v) "\""
			printf ", \"%s\": %s", k, val > js
		}
		printf "}" > js
	}
	printf "\n  ],\n  \"summary\": {\"cells\": %d, \"pass\": %d, \"p1_pass\": %d, \"unsupported\": %d, \"fail\": %d, \"headers_only_gap\": %d, \"serial_seconds\": %.2f, \"max_rss_kb\": %d,\n    \"headers_only\": [", \
		nt * nc, npass, np1, nuns, nfail, ngap, serial, maxrss > js
	for (i = 1; i <= nho; i++) {
		c = HC[i]
		printf "%s\n      {\"column\": \"%s\", \"tools\": %d, \"pass\": %d, \"gap\": %d, \"unsupported\": %d}", (i > 1 ? "," : ""), \
			esc(CK[c]), nt, HN[c, "pass"], HN[c, "gap"], HN[c, "unsupported"] > js
	}
	printf "%s]},\n  \"overhead\": [", (nho ? "\n    " : "") > js
	# one object per tool variant measured: its row of docs/overhead.tsv,
	# numbers as numbers (an empty field: null)
	no = 0
	while ((getline ol < ovh) > 0) {
		nf = split(ol, of, "\t")
		if (++nol == 1) { for (i = 1; i <= nf; i++) OC[i] = of[i]; continue }
		printf "%s\n    {", (no++ ? "," : "") > js
		for (i = 1; i <= nf; i++) {
			num = OC[i] ~ /^(added_us_per_op|hits_per_op|added_us_per_hit|cycles_per_hit|cost_ratio)$/
			val = num ? (of[i] == "" ? "null" : of[i]) : "\"" esc(of[i]) "\""
			printf "%s\"%s\": %s", (i > 1 ? ", " : ""), esc(OC[i]), val > js
		}
		printf "}" > js
	}
	close(ovh)
	printf "%s]\n}\n", (no ? "\n  " : "") > js
	close(md); close(js)
	# the failures again, last, with the end of the stap output: CI keeps only
	# the tail of a log, and that tail must say what failed
	for (i = 1; i <= nf && i <= 8; i++) {
		key = FL[i]
		split(key, kp, SUBSEP)
		printf "validate: FAIL %s on %s: %s\n", T[kp[1]], CK[kp[2]], short(R[key, "error"], 300)
		if (R[key, "detail"] != "") printf "validate:   %s\n", short(R[key, "detail"], 300)
		if (R[key, "first_attempt"] != "") printf "validate:   first attempt: %s\n", short(R[key, "first_attempt"], 300)
		if (R[key, "retry_cache"] != "") printf "validate:   %s\n", short(R[key, "retry_cache"], 300)
		if (R[key, "error"] ~ /resolving probe point/ && R[key, "tracepoint_cache"] != "") printf "validate:   tracepoint cache: %s\n", short(R[key, "tracepoint_cache"], 600)
		if (R[key, "script"] == "") continue
		split(key, kp, SUBSEP)
		lf = vdir "/cells/" CK[kp[2]] "/" T[kp[1]] ".log"; nl = 0
		while ((getline gl < lf) > 0) LT[++nl % 12] = gl
		close(lf)
		for (j = (nl > 12 ? nl - 11 : 1); j <= nl; j++) printf "validate:   | %s\n", short(LT[j % 12], 240)
	}
	for (i = 1; i <= nrt; i++) printf "validate: warning: passed on the second attempt: %s\n", short(RT[i], 400)
	if (nf > 8) printf "validate: ... and %d more failures (%s/matrix.md)\n", nf - 8, vdir
	for (i = 1; i <= nho; i++) printf "validate: %s\n", HL[i]
	printf "validate: %d cells: %d pass, %d p1 pass, %d unsupported, %d FAIL%s%s; serial sum %.1f s -> %s/matrix.md\n", \
		nt * nc, npass, np1, nuns, nfail, (ngap ? ", " ngap " headers-only gaps" : ""), (nnr ? ", " nnr " not run (LIVE_TOOLS, VALIDATE_SOURCE_NO_TRACE)" : ""), serial, vdir
	exit (nfail > 0 || ngen > 0)
}' || rc=$?
rm -f "$meta"
mv "$vdir/matrix.md.tmp" "$vdir/matrix.md"
mv "$vdir/matrix.json.tmp" "$vdir/matrix.json"
exit $rc
