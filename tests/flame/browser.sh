#!/bin/sh
# make check-browser: a generated flame graph in headless Chromium (Debian's
# chromium package).  selftest.js is appended to the SVG as a second script:
# it hovers a frame, clicks one (zoom), searches through the Search button
# (window.prompt answered), resets, and writes its verdict to the root's
# data-selftest attribute, which chromium --dump-dom prints.  Exit 77 (skip)
# without chromium unless BROWSER_REQUIRED=1.
set -u
stapgen=$1
here=$(dirname "$0")
if [ -n "${CHROMIUM:-}" ]; then
	chrome=$(command -v "$CHROMIUM" || true)
else
	chrome=$(command -v chromium || command -v chromium-browser || true)
fi
if [ -z "$chrome" ]; then
	echo "check-browser: no chromium (apt-get install chromium)"
	[ "${BROWSER_REQUIRED:-0}" = 1 ] && exit 1
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
"$stapgen" --kver browser-test --out "$tmp/out" specs/cpu/sample_bt.yaml 2>/dev/null ||
	{ echo "FAIL: generator"; exit 1; }
$CC -std=c11 -O1 -Wall -Wextra -Werror -Itemplates/parser -o "$tmp/parse" \
	"$tmp/out/parsers/sample_bt_parser.c" templates/parser/stapgen_rt*.c || { echo "FAIL: compile"; exit 1; }
fail=0
for opts in "" "--inverted" "--width 1600"; do
	# shellcheck disable=SC2086 # opts are words
	TZ=UTC "$tmp/parse" -f svg $opts "$here/stacks.in" >"$tmp/g.svg" || { echo "FAIL: parser"; exit 1; }
	python3 - "$tmp/g.svg" "$here/selftest.js" "$tmp/t.svg" <<'PY'
import sys
svg = open(sys.argv[1], encoding='utf-8').read()
js = open(sys.argv[2], encoding='utf-8').read()
assert ']]>' not in js
i = svg.rindex('</svg>')
open(sys.argv[3], 'w', encoding='utf-8').write(
    svg[:i] + '<script type="text/ecmascript"><![CDATA[\n' + js + ']]></script>\n' + svg[i:])
PY
	# --no-sandbox: CI runs as root; a private profile; no network is used
	verdict=$(timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$tmp/profile" --dump-dom "file://$tmp/t.svg" 2>"$tmp/err" |
		grep -o 'data-selftest="[^"]*"')
	if [ "$verdict" = 'data-selftest="PASS"' ]; then
		echo "browser: flame graph ${opts:-(default)}: PASS"
	else
		echo "FAIL: browser: flame graph ${opts:-(default)}: ${verdict:-no verdict}"
		grep -v 'dbus\|Fontconfig' "$tmp/err" | head -n 5
		fail=$((fail + 1))
	fi
done
# hostile frame names in folded input: markup and script stay text
printf '%s 3\n' 'main;<script>window.pwned=1</script>' \
	'main;"><img src=x onerror="window.pwned=2">' "main;');window.pwned=3;('" >"$tmp/h.folded"
"$tmp/parse" --from-folded "$tmp/h.folded" >"$tmp/h.svg" || { echo "FAIL: parser (folded)"; exit 1; }
cat >"$tmp/h.js" <<'JS'
(function () {
  var svg = document.documentElement, errs = [];
  if (window.pwned !== undefined) errs.push('a frame name ran: ' + window.pwned);
  if (svg.querySelectorAll('script').length !== 2) errs.push('scripts: ' + svg.querySelectorAll('script').length);
  if (svg.querySelectorAll('img').length !== 0) errs.push('an img element');
  window.prompt = function () { return '<script>'; };
  svg.querySelector('.search').dispatchEvent(new MouseEvent('click', { bubbles: true }));
  var m = svg.querySelector('.match').textContent;
  if (m !== 'Matched: 33.33%') errs.push('search: ' + m);
  svg.querySelector('g.f.u rect').dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
  if (svg.querySelector('.details').textContent.indexOf('(3 samples, 33.33%)') < 0) errs.push('details');
  if (window.pwned !== undefined) errs.push('a frame name ran: ' + window.pwned);
  svg.setAttribute('data-selftest', errs.length ? 'FAIL: ' + errs.join('; ') : 'PASS');
})();
JS
python3 - "$tmp/h.svg" "$tmp/h.js" "$tmp/t.svg" <<'PY'
import sys
svg = open(sys.argv[1], encoding='utf-8').read()
js = open(sys.argv[2], encoding='utf-8').read()
i = svg.rindex('</svg>')
open(sys.argv[3], 'w', encoding='utf-8').write(
    svg[:i] + '<script type="text/ecmascript"><![CDATA[\n' + js + ']]></script>\n' + svg[i:])
PY
verdict=$(timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --no-first-run \
	--user-data-dir="$tmp/profile" --dump-dom "file://$tmp/t.svg" 2>"$tmp/err" |
	grep -o 'data-selftest="[^"]*"')
if [ "$verdict" = 'data-selftest="PASS"' ]; then
	echo "browser: hostile frame names: PASS"
else
	echo "FAIL: browser: hostile frame names: ${verdict:-no verdict}"
	fail=$((fail + 1))
fi
[ "$fail" -eq 0 ]
