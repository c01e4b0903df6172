#!/bin/sh
# Writes the big hostile inputs into DIR (they are generated at test time so
# the repository does not carry megabytes):
#   DIR/specs/*.yaml    specs past the generator's limits
#   DIR/valid/*.yaml    big specs that are within the limits (--check)
#   DIR/parser/*.in     big inputs for generated result parsers
# usage: gen.sh DIR
set -eu
dir=$1
mkdir -p "$dir/specs" "$dir/valid" "$dir/parser"
s=$dir/specs
v=$dir/valid
p=$dir/parser
export LC_ALL=C

# N copies of string S, no separator
rep() { awk -v n="$1" -v s="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%s", s }'; }
tail_ok="probes:
  - on: begin
    emit: { record: r, columns: { a: '1' } }
"

# ---- specs past the limits ------------------------------------------------
# nesting: flow sequences, flow mappings, block mappings, block sequences
{ printf 'tool: t\nx: '; rep 100000 '['; echo; } >"$s/deep_flow_seq_100k.yaml"
{ printf 'tool: t\nx: '; rep 50000 '{a: '; echo; } >"$s/deep_flow_map_50k.yaml"
awk 'BEGIN { ind = ""; for (i = 0; i < 700; i++) { printf "%sk%d:\n", ind, i; ind = ind "  " } }' \
	>"$s/deep_block_map_700.yaml"
awk 'BEGIN { ind = ""; for (i = 0; i < 700; i++) { printf "%s-\n", ind; ind = ind "  " } }' \
	>"$s/deep_block_seq_700.yaml"
{ printf 'tool: t\nx:\n  '; rep 200000 '- '; echo 1; } >"$s/deep_compact_seq_200k.yaml"
# huge scalars (each under the 1 MiB file limit, over the 64 KiB scalar limit)
{ printf 'tool: t\nsummary: '; rep 900000 x; printf '\n%s' "$tail_ok"; } >"$s/huge_plain_scalar.yaml"
{ printf 'tool: t\nsummary: "'; rep 100000 '\u00e9\t'; printf '"\n%s' "$tail_ok"; } \
	>"$s/huge_quoted_scalar.yaml"
{ printf 'tool: t\ndescription: |\n'; awk 'BEGIN { for (i = 0; i < 14000; i++) printf "  line %06d of a long literal block scalar, sixty bytes wide\n", i }';
  printf 'summary: s\n%s' "$tail_ok"; } >"$s/huge_block_scalar.yaml"
{ printf 'tool: t\nsummary: s\n%s' "$tail_ok"; printf "    where: '"; rep 12000 '1+1+'; printf "1'\n"; } \
	>"$s/huge_expression.yaml"
# huge files: a real 50 MB one, a sparse 8 GiB one, one byte over the limit
{ printf 'tool: t\n'; head -c 52428800 /dev/zero | tr '\0' '#'; echo; } >"$s/huge_file_50m.yaml"
: >"$s/huge_file_sparse_8g.yaml"
dd if=/dev/null of="$s/huge_file_sparse_8g.yaml" bs=1 seek=8589934592 2>/dev/null
{ printf 'tool: t\n#'; rep 1048567 x; echo; } >"$s/file_one_byte_over.yaml"
[ "$(wc -c <"$s/file_one_byte_over.yaml")" -eq 1048577 ]
# many keys: past the node limit; many unknown keys (50 errors shown)
awk 'BEGIN { for (i = 0; i < 60000; i++) printf "k%06d: %d\n", i, i }' >"$s/many_keys_60k.yaml"
{ printf 'tool: t\nsummary: s\n%s' "$tail_ok"; awk 'BEGIN { for (i = 0; i < 40000; i++) printf "k%06d: %d\n", i, i }'; } \
	>"$s/many_unknown_keys_40k.yaml"
{ printf 'tool: t\nsummary: s\n%s' "$tail_ok"; printf 'params:\n'; awk 'BEGIN { for (i = 0; i < 16000; i++) printf "  p%d: {type: int, default: 1, help: h}\n", i }'; } \
	>"$s/many_params_over_node_limit.yaml"
# 600 records, the 551st a second 'r0' with another column: duplicates past
# the first 512 too
{ printf 'tool: t\nsummary: s\nprobes:\n'; awk 'BEGIN { for (i = 0; i < 600; i++) printf "  - on: kernel.function(\"vfs_read\")\n    emit: { record: r%d, columns: { %s: pid() } }\n", i == 550 ? 0 : i, i == 550 ? "b" : "a" }'; } \
	>"$s/many_records_duplicate.yaml"
{ printf 'tool: t\nsummary: s\nparams:\n'; awk 'BEGIN { for (i = 0; i < 8000; i++) printf "  p%d: { type: int, default: %d, help: parameter %d, flag: --p%d }\n", i, i, i, i }';
  printf "%s" "$tail_ok"; } >"$s/too_many_params.yaml"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "  - &a%d x%d\n", i, i; for (i = 0; i < 50000; i++) printf "  - *a%d\n", i % 20000 }' |
	{ printf 'tool: t\nx:\n'; cat; } >"$s/many_anchors_and_aliases.yaml"
# alias bombs: 10^9 nodes through 9 levels, and one alias used 100k times
{ printf 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
  awk 'BEGIN { for (i = 1; i < 10; i++) { printf "a%d: &a%d [", i, i; for (j = 0; j < 10; j++) printf "%s*a%d", j ? ", " : "", i - 1; print "]" } }'; } \
	>"$s/alias_bomb_1e9.yaml"
{ printf 'tool: t\nbig: &b [1, 2, 3, 4, 5, 6, 7, 8]\nx: ['; rep 99999 '*b, '; echo '*b]'; } >"$s/alias_fanout_100k.yaml"
# long lines: an error 900 KB into a line; a 1 MB comment; very many lines
{ printf 'tool: t\nsummary: s\nx: ['; rep 80000 'abcdefghi, '; printf ' : :\n'; } >"$s/long_line_error_at_end.yaml"
{ printf 'tool: t\nsummary: "'; rep 1000 "$(rep 1000 x)"; printf '\n'; } >"$s/long_line_unterminated.yaml"
{ head -c 1000000 /dev/zero | tr '\0' '\n'; printf 'tool: [\n'; } >"$s/many_lines_then_error.yaml"
{ printf 'tool: t\nsummary: s\nprobes:\n'; awk 'BEGIN { for (i = 0; i < 10000; i++) printf "  - { on: nosuch%d, where: \"1 +\" }\n", i }'; } \
	>"$s/many_errors_10k.yaml"
# binary: bytes 0..255 repeated, and a file that is all NUL
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%c", i % 256 }' >"$s/binary_all_bytes.yaml"
head -c 100000 /dev/zero >"$s/binary_all_nul.yaml"

# ---- big specs within the limits: must be handled quickly ------------------
{ printf 'tool: big_params\nsummary: s\nparams:\n'; awk 'BEGIN { for (i = 0; i < 128; i++) printf "  p%d: { type: int, default: %d, help: parameter %d, flag: --p%d }\n", i, i, i, i }';
  printf "probes:\n  - on: begin\n    where: 'p127 > 0'\n    emit: { record: r, columns: { a: p0 } }\n"; } >"$v/many_params.yaml"
{ printf 'tool: big_probes\nsummary: s\naggregates:\n  n: { key: { pid: long } }\nprobes:\n';
  awk 'BEGIN { for (i = 0; i < 3000; i++) printf "  - on: kernel.function(\"f%d\")\n    let: { v: pid() + %d }\n    where: v > %d\n    collect: { \"n[pid()]\": v }\n", i, i, i }';
  printf "reports:\n  - name: top\n    from: n\n    columns: { pid: pid, total: '@sum(n)' }\n"; } >"$v/many_probes.yaml"
# 5000 string columns: 500 records of 10 (one record of them all can print
# more than stap's 8192 bytes of one printf: refused, below)
{ printf 'tool: big_columns\nsummary: s\nprobes:\n  - on: kernel.function("vfs_read")\n    emit:\n';
  awk 'BEGIN { for (i = 0; i < 5000; i++) { if (i % 10 == 0) printf "      - record: r%d\n        columns:\n", i / 10;
	printf "          c%d: { value: \"execname() . \\\"%d\\\"\", type: string, title: C%d, width: 4 }\n", i, i, i } }'; } \
	>"$v/many_columns.yaml"
{ printf 'tool: big_columns\nsummary: s\nprobes:\n  - on: kernel.function("vfs_read")\n    emit:\n      record: r\n      columns:\n';
  awk 'BEGIN { for (i = 0; i < 5000; i++) printf "        c%d: { value: \"execname() . \\\"%d\\\"\", type: string, title: C%d, width: 4 }\n", i, i, i }'; } \
	>"$s/many_columns_one_record.yaml"
{ printf 'tool: big_lets\nsummary: s\nprobes:\n  - on: begin\n    let:\n      v0: "1"\n';
  awk 'BEGIN { for (i = 1; i < 3000; i++) printf "      v%d: v%d + 1\n", i, i - 1 }';
  printf '    emit: { record: r, columns: { a: v2999 } }\n'; } >"$v/long_let_chain.yaml"
{ printf 'tool: big_emits\nsummary: s\nprobes:\n  - on: kernel.function("vfs_read")\n    let: { v: pid() }\n    emit:\n';
  awk 'BEGIN { for (i = 0; i < 6000; i++) printf "      - { record: r%d, when: \"v %s %d\", columns: { a: v } }\n", i % 50, i % 2 ? "<=" : ">", i - i % 2 }';
  printf '  - on: kernel.function("vfs_write")\n    emit: { record: r0, columns: { a: tid() } }\n'; } >"$v/many_emits.yaml"

# ---- parser inputs -----------------------------------------------------------
# (for the tcp_conn parser: @conn TIME EUID UID GID CMD PID PORT SOURCE)
conn='@conn\t1700000000\t0\t0\t0\tsshd\t812\t22\t10.0.0.1\n'
{ printf "$conn"; rep 100000 x; printf '\n'; printf "$conn@end\n"; } >"$p/tcp_conn-overlong_100k.in"
{ printf "$conn"; head -c 10000000 /dev/zero | tr '\0' '@'; printf '\n'; printf "$conn@end\n"; } \
	>"$p/tcp_conn-overlong_10m.in"
awk 'BEGIN { for (i = 0; i < 200000; i++) printf "@conn\t%d\t0\t0\t0\tcmd\\t%d\\303\\251\t%d\t22\t10.0.%d.%d\n", 1700000000 + i, i, i, i % 256, i % 7; print "@end" }' \
	>"$p/tcp_conn-many_records.in"
awk 'BEGIN { for (i = 0; i < 500000; i++) printf "WARNING: garbage line %d\n", i }' >"$p/tcp_conn-many_dropped.in"
awk 'BEGIN { for (i = 0; i < 100000; i++) printf "%c", i % 256 }' >"$p/tcp_conn-binary.in"
# (for the iotop parser: one report block with very many rows)
awk 'BEGIN { print "@report\ttop\t1700000000"; for (i = 0; i < 300000; i++) printf "@top\t%d\tproc%d\t%d\t%d\t%d\t%d\n", i, i, i * 3, i * 5, i % 7, i % 11; print "@report_end\ttop"; print "@end" }' \
	>"$p/iotop-huge_block.in"
