#!/usr/bin/env python3
"""Line ratio of the examples corpus (docs/corpus.md): for each spec in
tests/golden/corpus/, its non-blank, non-comment lines against those of the
SystemTap example it replaces, named on the spec's first line
("# io/iostats.stp: ...", a path under testsuite/systemtap.examples/).

usage: scripts/corpus-ratio.py SYSTEMTAP_GIT_DIR [SPEC...]
Prints one tab-separated row per spec (name, script, script lines, spec
lines, ratio) and the median ratio."""
import os
import re
import statistics
import subprocess
import sys


def yaml_lines(text):
    # a line whose first non-blank character is '#' is a comment
    return sum(1 for l in text.splitlines() if l.strip() and not l.strip().startswith('#'))


def stap_lines(text):
    """stap comments: '#', '//' to the end of the line, '/* ... */'; not
    inside strings, and not the '#' of '$#' or '@#' (argument counts)."""
    n = 0
    in_block = False
    for line in text.splitlines():
        code = []
        i = 0
        in_str = False
        while i < len(line):
            c = line[i]
            if in_block:
                if line.startswith('*/', i):
                    in_block = False
                    i += 2
                else:
                    i += 1
                continue
            if in_str:
                code.append(c)
                if c == '\\':
                    code.append(line[i + 1:i + 2])
                    i += 2
                    continue
                if c == '"':
                    in_str = False
                i += 1
                continue
            if c == '"':
                in_str = True
            elif line.startswith('/*', i):
                in_block = True
                i += 2
                continue
            elif line.startswith('//', i):
                break
            elif c == '#' and not (i > 0 and line[i - 1] in '$@'):
                break
            code.append(c)
            i += 1
        if ''.join(code).strip():
            n += 1
    return n


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    git = sys.argv[1]
    specs = sys.argv[2:]
    if not specs:
        d = 'tests/golden/corpus'
        specs = sorted(os.path.join(d, f) for f in os.listdir(d) if f.endswith('.yaml'))
    ratios = []
    print('spec\tscript\tscript_lines\tspec_lines\tratio')
    for spec in specs:
        with open(spec, encoding='utf-8') as f:
            text = f.read()
        m = re.match(r'#\s*([\w.-]+/[\w.-]+\.stp)\b', text)
        if not m:
            sys.exit(f'{spec}:1: the first line must name the example (# io/x.stp: ...)')
        path = m.group(1)
        src = subprocess.run(['git', '-C', git, 'show', 'HEAD:testsuite/systemtap.examples/' + path],
                             check=True, capture_output=True, text=True).stdout
        s, y = stap_lines(src), yaml_lines(text)
        ratios.append(y / s)
        print(f'{os.path.basename(spec)[:-5]}\t{path}\t{s}\t{y}\t{y / s:.2f}')
    print(f'median\t\t\t\t{statistics.median(ratios):.2f}')


if __name__ == '__main__':
    main()
