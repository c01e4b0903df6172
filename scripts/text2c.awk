# text2c.awk: a text file as a C string constant and its length.
# usage: LC_ALL=C awk -v name=IDENT -f text2c.awk FILE
BEGIN {
	printf "/* Generated from a text file by scripts/text2c.awk.  Do not edit. */\n#include <stddef.h>\n\nconst char %s[] =\n", name
	bs = sprintf("%c", 92)
}
{
	line = ""
	for (i = 1; i <= length($0); i++) {
		c = substr($0, i, 1)
		if (c == bs || c == "\"")
			line = line bs c
		else if (c == "\t")
			line = line bs "t"
		else
			line = line c
	}
	printf "\t\"%s%sn\"\n", line, bs
	n += length($0) + 1
}
END { printf "\t\"\";\nconst size_t %s_len = %d;\n", name, n }
