# A tool's doc page (Markdown, as gen/emit/emit_doc.c writes it) as a man
# page: `awk -v section=1 -v date=... -f md2man.awk TOOL.md > TOOL.1`.
# Handles what the doc pages use: "# title" (the NAME line, with the next
# paragraph as its summary), "## heading", paragraphs, ``` blocks, tables
# (one .TP item per row: the first cell, then the others), `code`.
# Every text line is escaped (backslashes, a leading . or ', control
# characters): text from a spec cannot become a roff request.
function esc(s) {
	# what a terminal would act on (C0 but tab, DEL, C1, bidi controls): "?"
	gsub(/[\001-\010\013-\037\177]|\302[\200-\237]|\342\200[\216\217\252-\256]|\342\201[\246-\251]/, "?", s)
	gsub(/\\/, "\\e", s)
	sub(/^[.']/, "\\\\\\&&", s)
	return s
}
# inline Markdown: `code` and ``code``, \| in table cells
function inline(s,    out, i, n, t) {
	s = esc(s)
	gsub(/\\e\|/, "|", s)
	out = ""
	while ((i = index(s, "`")) > 0) {
		out = out substr(s, 1, i - 1)
		s = substr(s, i)
		if (substr(s, 1, 3) == "`` " && (n = index(substr(s, 4), " ``")) > 0) {
			t = substr(s, 4, n - 1)
			s = substr(s, n + 6)
		} else if ((n = index(substr(s, 2), "`")) > 0) {
			t = substr(s, 2, n - 1)
			s = substr(s, n + 2)
		} else {
			out = out "`"
			s = substr(s, 2)
			continue
		}
		out = out "\\fB" t "\\fR"
	}
	out = out s
	# a cell or line that now starts with . or ' after the font change
	sub(/^[.']/, "\\\\\\&&", out)
	return out
}
function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}
function para() {
	if (!inpara) {
		print ".PP"
		inpara = 1
	}
}
BEGIN {
	if (section == "") section = 1
	state = "start"
}
# the first "# title": .TH and the NAME section, the summary follows
state == "start" && /^# / {
	name = substr($0, 3)
	up = toupper(name)
	gsub(/[^A-Za-z0-9_.-]/, "", up)
	printf ".TH %s %s \"%s\" \"stapgen\" \"stapgen tools\"\n", up, section, date
	print ".SH NAME"
	state = "summary"
	next
}
state == "summary" {
	if ($0 == "") next
	print esc(name) " \\- " inline($0)
	print ".SH DESCRIPTION"
	state = "body"
	next
}
/^```/ {
	if (!code) {
		print ".PP"
		print ".RS 4"
		print ".nf"
		code = 1
	} else {
		print ".fi"
		print ".RE"
		code = 0
	}
	inpara = 0
	next
}
code { print esc($0); next }
/^## / {
	print ".SH " inline(toupper(substr($0, 4)))
	inpara = 0
	next
}
/^\|/ {
	line = $0
	if (line ~ /^\|[-| :]*$/) next	# the header's rule
	# the header row is the one before the rule: skip it
	if ((getline nextline) > 0) {
		if (nextline ~ /^\|[-| :]*$/) next
	} else
		nextline = ""
	row(line)
	if (nextline ~ /^\|/) {
		row(nextline)
		next
	}
	inpara = 0
	if (nextline == "") next
	$0 = nextline
}
/^$/ { inpara = 0; next }
{ para(); print inline($0) }
function row(line,    n, cells, i, rest, c) {
	gsub(/\\\|/, "\001", line)
	n = split(line, cells, "|")
	rest = ""
	for (i = 3; i < n; i++) {
		c = trim(cells[i])
		gsub(/\001/, "\\|", c)
		if (c != "")
			rest = rest (rest == "" ? "" : "; ") c
	}
	c = trim(cells[2])
	gsub(/\001/, "\\|", c)
	print ".TP"
	print inline(c)
	if (rest != "")
		print inline(rest)
	inpara = 0
}
