#!/usr/bin/env python3
"""Structure tests of the svg flame graphs (tests/flame/run.sh).

usage: check_svg.py SAMPLE_BT_PARSER OFF_CPU_PARSER DIR
Runs the parsers on DIR's inputs, parses the SVGs as XML and checks the
frames (names, depths, widths from their counts, percentages, classes and
colours), the script (one, fixed: no frame text in it), escaping of hostile
frame names, the options and their errors; compares with DIR/*.svg goldens
(UPDATE=1 rewrites them)."""
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
bt, off, here = sys.argv[1:4]
fails = []
XMLLINT = shutil.which('xmllint')
checks = 0


def check(ok, what):
    global checks
    checks += 1
    if not ok:
        fails.append(what)


def run(args, rc=0, stdin=None):
    p = subprocess.run(args, capture_output=True, env=dict(os.environ, TZ='UTC'), stdin=stdin)
    check(p.returncode == rc, '%s: exit %d, expected %d: %s' % (' '.join(args[1:]), p.returncode, rc,
                                                                 p.stderr.decode(errors='replace')[:300]))
    return p.stdout, p.stderr.decode(errors='replace')


def golden(name, out):
    out = out.replace(here.encode(), b'DIR')
    path = os.path.join(here, name)
    if os.environ.get('UPDATE') == '1':
        open(path, 'wb').write(out)
        return
    global checks
    checks += 1
    if os.path.exists(path) and open(path, 'rb').read() == out:
        return
    # the first differing line, as FILE:LINE, and the command that updates it
    want = open(path, 'rb').read().split(b'\n') if os.path.exists(path) else []
    got = out.split(b'\n')
    i = next((k for k in range(max(len(want), len(got)))
              if k >= len(want) or k >= len(got) or want[k] != got[k]), len(got) - 1)
    line = lambda ls: ls[i].decode(errors='replace')[:200] if i < len(ls) else '(end of file)'
    rel = os.path.relpath(path)
    fails.append('golden %s differs\n%s:%d: expected: %s\n%s:%d: got:      %s\n'
                 'to update: %s'
                 % (name, rel, i + 1, line(want), rel, i + 1, line(got),
                    os.environ.get('GOLDEN_UPDATE_CMD', 'UPDATE=1 tests/flame/run.sh STAPGEN')))


def parse(out, what):
    if XMLLINT:
        p = subprocess.run([XMLLINT, '--noout', '-'], input=out, capture_output=True)
        check(p.returncode == 0, '%s: xmllint: %s' % (what, p.stderr.decode(errors='replace')[:300]))
    try:
        return ET.fromstring(out)
    except ET.ParseError as e:
        fails.append('%s: not XML: %s' % (what, e))
        raise


def frames(root):
    """[(graph, g, name, details, cls, depth, start, count, rect)]"""
    res = []
    for gr in root.iter(SVG + 'g'):
        if gr.get('class') != 'graph':
            continue
        for g in gr.iter(SVG + 'g'):
            c = (g.get('class') or '').split()
            if not c or c[0] != 'f':
                continue
            t = g.find(SVG + 'title').text
            i = t.rindex(' (')
            res.append(dict(graph=gr, g=g, name=t[:i], details=t[i + 2:-1], cls=c[1],
                            d=int(g.get('data-d')), s=int(g.get('data-s')), n=int(g.get('data-n')),
                            rect=g.find(SVG + 'rect'), text=g.find(SVG + 'text')))
    return res


def rgb(f):
    m = re.fullmatch(r'rgb\((\d+),(\d+),(\d+)\)', f['rect'].get('fill'))
    return tuple(int(x) for x in m.groups())


def by_name(fr, name):
    r = [f for f in fr if f['name'] == name]
    check(len(r) >= 1, 'frame %r missing' % name)
    return r[0] if r else None


def common(root, fr, width, what):
    """Invariants of every graph."""
    check(root.get('width') == str(width), '%s: width %s' % (what, root.get('width')))
    scripts = list(root.iter(SVG + 'script'))
    check(len(scripts) == 1, '%s: one script' % what)
    js = scripts[0].text
    check(js == SCRIPT, '%s: the script is the fixed one' % what)
    for gr in root.iter(SVG + 'g'):
        if gr.get('class') != 'graph':
            continue
        total = int(gr.get('data-t'))
        gf = [f for f in fr if f['graph'] is gr]
        roots = [f for f in gf if f['d'] == 0]
        check(len(roots) == 1 and roots[0]['n'] == total and roots[0]['cls'] == 'r',
              '%s: one root of the total' % what)
        for f in gf:
            x, w = float(f['rect'].get('x')), float(f['rect'].get('width'))
            px = width - 20
            check(abs(x - (10 + f['s'] * px / total)) <= 0.051, '%s: %s x %s' % (what, f['name'], x))
            check(abs(w - f['n'] * px / total) <= 0.051, '%s: %s width %s' % (what, f['name'], w))
            pct = '%.2f%%' % (100.0 * f['n'] / total)
            check(pct in f['details'], '%s: %s details %r lack %s' % (what, f['name'], f['details'], pct))
            check(f['cls'] in 'rusk', '%s: class %s' % (what, f['cls']))
            if f['text'] is not None:
                shown = f['text'].text
                check(shown == f['name'] or (shown.endswith('..') and f['name'].startswith(shown[:-2])),
                      '%s: label %r of %r' % (what, shown, f['name']))


# the fixed script, from the first graph
out, _ = run([bt, '-f', 'svg', os.path.join(here, 'stacks.in')])
SCRIPT = list(ET.fromstring(out).iter(SVG + 'script'))[0].text

# ---- records of sample_bt: kernel and user frames, separator, hostile name
root = parse(out, 'stacks')
golden('stacks.svg', out)
fr = frames(root)
common(root, fr, 1200, 'stacks')
check(len(fr) == 9, 'stacks: 9 frames, got %d' % len(fr))
for n, d, c, cls in [('all', 0, 10, 'r'), ('main', 1, 7, 'u'), ('entry_SYSCALL', 1, 3, 'k'),
                     ('ngx_http_core_run_phases', 2, 6, 'u'), ('-', 3, 6, 's'),
                     ('do_syscall_64', 4, 6, 'k'), ('x<&>"\'y]]>', 2, 1, 'u')]:
    f = by_name(fr, n)
    if f:
        check((f['d'], f['n'], f['cls']) == (d, c, cls), 'stacks: %s is %r' % (n, (f['d'], f['n'], f['cls'])))
f = by_name(fr, 'ngx_http_core_run_phases')
check(f['details'] == '6 samples, 60.00%', 'stacks: details %r' % f['details'])
check(by_name(fr, 'schedule')['details'].endswith(', kernel'), 'stacks: kernel in details')
for f in fr:
    r, g, b = rgb(f)
    if f['cls'] == 'u':
        check(r >= 205 and b <= 55, 'stacks: user frame %s hot: %r' % (f['name'], (r, g, b)))
    elif f['cls'] == 'k':
        check(r <= 110 and g >= 170 and b >= 170, 'stacks: kernel frame %s aqua: %r' % (f['name'], (r, g, b)))
    elif f['cls'] == 's':
        check((r, g, b) == (160, 160, 160), 'stacks: separator grey')
check(b'x&lt;&amp;&gt;&quot;&apos;y]]&gt;' in out, 'stacks: hostile name escaped')
check(b'ngx' not in SCRIPT.encode(), 'stacks: no frame name in the script')
title = [t for t in root.iter(SVG + 'text') if t.get('class') == 'title']
check(len(title) == 1 and title[0].text == 'sample_bt', 'stacks: title')
check(not [t for t in root.iter(SVG + 'text') if t.get('class') == 'sub'], 'stacks: no subtitle')
# the same stacks as -f folded: no kernel marks there
fo, _ = run([bt, '-f', 'folded', os.path.join(here, 'stacks.in')])
check(b'_[k]' not in fo and b'main;ngx_http_core_run_phases;-;do_syscall_64;schedule 6\n' in fo,
      'folded output unchanged')

# ---- options: --inverted, --width, --title, --subtitle
out, _ = run([bt, '-f', 'svg', '--inverted', '--width=800', '--title', 'T<1>',
              '--subtitle', 'sample_bt -k -p 42 & more', os.path.join(here, 'stacks.in')])
root = parse(out, 'inverted')
fr = frames(root)
common(root, fr, 800, 'inverted')
ys = {f['d']: float(f['rect'].get('y')) for f in fr}
check(all(ys[d] < ys[d + 1] for d in range(max(ys))), 'inverted: depth grows downwards')
check(b'>T&lt;1&gt;</text>' in out and b'>sample_bt -k -p 42 &amp; more</text>' in out,
      'title and subtitle')
out, _ = run([bt, '-f', 'svg', os.path.join(here, 'stacks.in')])
fr = frames(parse(out, 'upright'))
ys = {f['d']: float(f['rect'].get('y')) for f in fr}
check(all(ys[d] > ys[d + 1] for d in range(max(ys))), 'upright: depth grows upwards')
for bad in (['--width', '5'], ['--width', '12x'], ['--width'], ['-f', 'json', '--inverted'],
            ['-f', 'csv', '--from-folded'], ['--diff', 'a'], ['--diff', 'a', 'b', 'c'],
            ['-f', 'svg', '--unit', 'a (b'], ['-f', 'svg', '--unit', ''], ['-f', 'svg', '--unit', 'x' * 17]):
    _, err = run([bt] + bad, rc=2)
    check('usage' in err, 'usage error for %r' % bad)

# ---- off-CPU: time in microseconds, the off-CPU palette
out, _ = run([off, '-f', 'svg', os.path.join(here, 'offcpu.in')])
root = parse(out, 'offcpu')
golden('offcpu.svg', out)
fr = frames(root)
common(root, fr, 1200, 'offcpu')
check(b'samples' not in out and b'sample ' not in out, 'offcpu: no samples')
check(by_name(fr, 'all')['details'] == '4000 us, 100.00%', 'offcpu: %r' % by_name(fr, 'all')['details'])
check(b'(4000 us)</text>' in out, 'offcpu: graph label in us')
for f in fr:
    r, g, b = rgb(f)
    if f['cls'] == 'u':
        check(b >= 200 and r <= 130, 'offcpu: user blue %r' % ((r, g, b),))
    elif f['cls'] == 'k':
        check(b >= 200 and r >= 150, 'offcpu: kernel purple %r' % ((r, g, b),))
check(by_name(fr, 'do_nanosleep')['cls'] == 'k' and by_name(fr, 'nanosleep')['cls'] == 'u',
      'offcpu: kernel frames')
out, _ = run([off, '-f', 'svg', '--unit', 'ms', os.path.join(here, 'offcpu.in')])
check(b'(4000 ms)</text>' in out, '--unit overrides')
out, _ = run([bt, '-f', 'svg', '--unit', 'cycles', os.path.join(here, 'stacks.in')])
check(b'(10 cycles)</text>' in out and b'(6 cycles, 60.00%)' in out, '--unit cycles')

# ---- folded input, hostile
out, err = run([bt, '--from-folded', os.path.join(here, 'hostile.folded')], rc=3)
root = parse(out, 'hostile')
golden('hostile.svg', out)
fr = frames(root)
common(root, fr, 1200, 'hostile')
names = {f['name'] for f in fr}
for n in ['<script>alert(1)</script>', 'a&b', '"quoted" \'single\'', 'end]]>cdata', 'ctl??char',
          'bad??utf8', "' + alert(1) + '", '?reversed?', 'crlf']:
    check(n in names, 'hostile: frame %r' % n)
check(by_name(fr, 'all')['n'] == 17, 'hostile: total 20')
check(by_name(fr, 'sys_read')['cls'] == 'k' and by_name(fr, 'vfs_read')['cls'] == 'k', 'hostile: _[k] kernel')
check(len([x for x in root.iter() if x.tag == SVG + 'script']) == 1, 'hostile: one script')
check(b'<script>alert' not in out, 'hostile: markup escaped')
for n, why in [(11, 'not a whole number'), (12, 'not a whole number'), (13, 'COUNT is 0'),
               (14, 'not a whole number'), (15, 'empty stack')]:
    check(('hostile.folded:%d: dropped: ' % n) in err and why in err, 'hostile: line %d dropped' % n)
with open(os.path.join(here, 'hostile.folded'), 'rb') as f:
    out2, _ = run([bt, '--from-folded', '-f', 'svg', '--title', 'x'], rc=3, stdin=f)
check(b'>&lt;stdin&gt; (17 samples)</text>' in out2, 'folded from stdin')
out, _ = run([bt, '--from-folded', '/nonexistent/x.folded'], rc=1)

# ---- differential
out, _ = run([bt, '--diff', os.path.join(here, 'before.folded'), os.path.join(here, 'after.folded')])
root = parse(out, 'diff')
golden('diff.svg', out)
fr = frames(root)
common(root, fr, 1200, 'diff')
check(by_name(fr, 'all')['n'] == 17, 'diff: widths from the second file')
check('gone' not in {f['name'] for f in fr}, 'diff: stacks only in the first have no frame')
for n, before, col in [('bar', 5, 'red'), ('foo', 8, 'red'), ('new', 0, 'red'), ('copy', 4, 'blue'),
                       ('main', 14, 'red'), ('all', 14, 'red')]:
    f = by_name(fr, n)
    r, g, b = rgb(f)
    check(('before: %d' % before) in f['details'], 'diff: %s before %r' % (n, f['details']))
    check((r == 255 and g == b and g < 250) if col == 'red' else (b == 255 and r == g and r < 250),
          'diff: %s %s %r' % (n, col, (r, g, b)))
f = by_name(fr, 'foo')
check(f['n'] == 12 and f['details'] == '12 samples, 70.59%; before: 8, +4', 'diff: foo %r' % f['details'])
check(by_name(fr, 'copy')['cls'] == 'k', 'diff: kernel frame')
# --normalize: before scaled to the second file's total (14 -> 17)
out, _ = run([bt, '--normalize', '--diff', os.path.join(here, 'before.folded'), os.path.join(here, 'after.folded')])
fr = frames(parse(out, 'normalized'))
check(b'(17 samples; before: 17 samples, scaled from 14)</text>' in out, 'normalize: label')
f = by_name(fr, 'foo')
check(f['details'] == '12 samples, 70.59%; before: 10, +2', 'normalize: foo %r' % f['details'])
check(by_name(fr, 'all')['details'].endswith('before: 17, +0') and rgb(by_name(fr, 'all')) == (250, 250, 250),
      'normalize: the root is unchanged')
run([bt, '--normalize', os.path.join(here, 'stacks.in')], rc=2)
# equal: white
out, _ = run([bt, '--diff', os.path.join(here, 'after.folded'), os.path.join(here, 'after.folded')])
fr = frames(parse(out, 'same'))
check(all(rgb(f) == (250, 250, 250) for f in fr), 'diff of a file with itself: white')

print('flame: %d checks, %d failed' % (checks, len(fails)))
for f in fails:
    print('FAIL: ' + f)
sys.exit(1 if fails else 0)
