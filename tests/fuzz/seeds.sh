#!/bin/sh
# Builds the seed corpora for the fuzz harnesses into DIR/<harness>/:
#   fuzz_spec  every spec, the golden error specs, the hostile spec corpus,
#              the crafted command specs (tests/command/specs),
#              tests/fuzz/seeds/spec/* (*.bin: template mode, see fuzz_spec.c)
#   fuzz_expr  every expression-looking value in the specs (with two context
#              bytes: probe context with $vars/$return, report context),
#              tests/fuzz/seeds/expr/*
#   fuzz_rt    the parser test inputs, tests/fuzz/seeds/rt/* (first byte 7:
#              all five output formats; tcp_conn's also with first byte
#              0x17: through the generated tcp_conn parser's own code)
#   fuzz_explain  tests/fuzz/seeds/explain/* (stap stderr samples)
# usage: seeds.sh DIR
set -eu
dir=$1
here=$(dirname "$0")
rm -rf "$dir"
mkdir -p "$dir/fuzz_spec" "$dir/fuzz_expr" "$dir/fuzz_rt" "$dir/fuzz_explain"
i=0
for f in $(find specs tests/golden/errors tests/hostile/specs tests/hostile/valid tests/command/specs \
	-name '*.yaml' 2>/dev/null | LC_ALL=C sort) "$here"/seeds/spec/*; do
	i=$((i + 1))
	cp "$f" "$dir/fuzz_spec/s$i.yaml"
done
# Expressions: the value after "key: " on spec lines, quotes removed.
find specs -name '*.yaml' | LC_ALL=C sort | xargs cat |
	sed -n 's/^[ -]*[A-Za-z_][^:#]*: *//p' |
	sed -e 's/ *#.*$//' -e "s/^'\(.*\)'\$/\1/" -e 's/^"\(.*\)"$/\1/' |
	grep -v '^[{[]' | grep -v '^$' | LC_ALL=C sort -u >"$dir/exprs.txt" || true
i=0
while IFS= read -r e; do
	i=$((i + 1))
	printf '\003%s' "$e" >"$dir/fuzz_expr/p$i"
	printf '\004%s' "$e" >"$dir/fuzz_expr/r$i"
done <"$dir/exprs.txt"
rm -f "$dir/exprs.txt"
for f in "$here"/seeds/expr/*; do
	[ -e "$f" ] && cp "$f" "$dir/fuzz_expr/"
done
i=0
for f in tests/parsers/*/*.in "$here"/seeds/rt/*; do
	[ -e "$f" ] || continue
	i=$((i + 1))
	case $f in
	*/seeds/rt/*) cp "$f" "$dir/fuzz_rt/t$i" ;;
	*) { printf '\007'; cat "$f"; } >"$dir/fuzz_rt/t$i" ;;
	esac
	case $f in # tcp_conn's through its generated parser's own code too
	*/parsers/tcp_conn/*) { printf '\027'; cat "$f"; } >"$dir/fuzz_rt/g$i" ;;
	esac
done
for f in "$here"/seeds/explain/*; do
	[ -e "$f" ] && cp "$f" "$dir/fuzz_explain/"
done
