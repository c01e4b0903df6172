# stapgen --help as its man page (section 1): `stapgen --help | awk -v
# date=... -v version=... -f help2man.awk > stapgen.1`.  The help text
# (gen/main.c) is the one source: "usage: X" is the SYNOPSIS, the paragraph
# after it the DESCRIPTION, "options:" items (two-space indent, option, two
# spaces, text; deeper lines continue it) the OPTIONS, "exit status:" the
# EXIT STATUS.
function esc(s) {
	gsub(/\\/, "\\e", s)
	gsub(/-/, "\\-", s)
	sub(/^[.']/, "\\\\\\&&", s)
	return s
}
NR == 1 && sub(/^usage: /, "") {
	print ".TH STAPGEN 1 \"" date "\" \"stapgen " version "\" \"stapgen\""
	print ".SH NAME"
	print "stapgen \\- compile YAML tool specs into SystemTap scripts and result parsers"
	print ".SH SYNOPSIS"
	print "\\fBstapgen\\fR " esc(substr($0, 9))
	print ".SH DESCRIPTION"
	next
}
/^options:$/ { print ".SH OPTIONS"; opts = 1; next }
sub(/^exit status: */, "") { print ".SH EXIT STATUS"; print esc($0); opts = 0; next }
/^$/ { if (!opts) print ".PP"; next }
opts && /^  [ ]?[ ]?[ ]?[ ]?-/ {
	line = $0
	sub(/^ +/, "", line)
	i = index(line, "  ")
	print ".TP"
	if (i) {
		print "\\fB" esc(substr(line, 1, i - 1)) "\\fR"
		t = substr(line, i); sub(/^ +/, "", t)
		print esc(t)
	} else
		print "\\fB" esc(line) "\\fR"
	next
}
{ sub(/^ +/, ""); print esc($0) }
END {
	print ".SH SEE ALSO"
	print "\\fBstap\\fR(1), \\fBstaprun\\fR(8); the tools' pages in section 8"
}
