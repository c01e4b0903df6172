#!/usr/bin/env python3
"""Every relative link of README.md and docs/*.md names a file that exists,
and every #anchor a heading of its page (GitHub's anchors); every docs/X.md
named in their text exists.  Exit 1 with one line per broken link.

    links.py [ROOT]       check ROOT (default: the current directory)
    links.py --self-test  check that a broken link, anchor and name fail
"""
import os
import re
import sys
import tempfile

LINK = re.compile(r'(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)\)')
NAMED = re.compile(r'(?<![\w/.-])(docs/[\w.-]+\.md)\b')


def prose(path):
    """(line number, text) of the lines outside code fences, inline code cut."""
    fence = False
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            if line.lstrip().startswith('```'):
                fence = not fence
                continue
            if not fence:
                yield n, line


def slug(text):
    """GitHub's anchor of a heading: links to their text, lower case, only
    letters, digits, '_', '-' and spaces kept, spaces to '-'."""
    text = re.sub(r'\[([^\]]*)\]\([^)]*\)', r'\1', text)
    text = re.sub(r'[^\w\- ]', '', text.strip().lower())
    return text.replace(' ', '-')


def anchors(path, cache={}):
    if path not in cache:
        seen, out = {}, set()
        for _, line in prose(path):
            m = re.match(r'#{1,6} (.*?)#*\s*$', line)
            if not m:
                continue
            s = slug(m.group(1))
            k = seen.get(s, 0)
            seen[s] = k + 1
            out.add(s if k == 0 else '%s-%d' % (s, k))
        cache[path] = out
    return cache[path]


def check(root):
    pages = [os.path.join(root, 'README.md')]
    docs = os.path.join(root, 'docs')
    if os.path.isdir(docs):
        pages += sorted(os.path.join(docs, f) for f in os.listdir(docs) if f.endswith('.md'))
    bad = []
    for page in pages:
        rel = os.path.relpath(page, root)
        for n, line in prose(page):
            code_free = re.sub(r'`[^`]*`', '', line)
            for m in LINK.finditer(code_free):
                target = m.group(1)
                if re.match(r'[a-z][a-z0-9+.-]*:', target):
                    continue  # http:, mailto: ...
                path, _, anchor = target.partition('#')
                dest = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
                if not os.path.exists(dest):
                    bad.append('%s:%d: link to %s: no such file' % (rel, n, target))
                elif anchor and dest.endswith('.md') and anchor not in anchors(dest):
                    bad.append('%s:%d: link to %s: %s has no heading #%s'
                               % (rel, n, target, os.path.relpath(dest, root), anchor))
            for m in NAMED.finditer(line):
                if not os.path.exists(os.path.join(root, m.group(1))):
                    bad.append('%s:%d: names %s, which does not exist' % (rel, n, m.group(1)))
    for b in bad:
        print(b)
    return 1 if bad else 0


def self_test():
    cases = {
        'good': ('# T\n\n## A `b` (c)\n\nsee [x](docs/p.md#the-end), [y](#a-b-c), docs/p.md\n',
                 '# P\n\n## The end\n\n[back](../README.md#t)\n', 0),
        'no file': ('# T\n\n[x](docs/q.md)\n', '# P\n', 1),
        'no heading': ('# T\n\n[x](docs/p.md#the-start)\n', '# P\n', 1),
        'no anchor here': ('# T\n\n[x](#nothing)\n', '# P\n', 1),
        'named page': ('# T\n\nsee docs/gone.md\n', '# P\n', 1),
        'code is not a link': ('# T\n\n```\n[x](nowhere.md)\n```\n`[y](nowhere.md)`\n', '# P\n', 0),
    }
    failed = 0
    for name, (readme, page, want) in cases.items():
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, 'docs'))
            with open(os.path.join(d, 'README.md'), 'w') as f:
                f.write(readme)
            with open(os.path.join(d, 'docs', 'p.md'), 'w') as f:
                f.write(page)
            with open(os.devnull, 'w') as null:
                out, sys.stdout = sys.stdout, null
                try:
                    got = check(d)
                finally:
                    sys.stdout = out
            if got != want:
                print('links.py self-test: %s: exit %d, want %d' % (name, got, want))
                failed = 1
    return failed


if __name__ == '__main__':
    if sys.argv[1:] == ['--self-test']:
        sys.exit(self_test())
    sys.exit(check(sys.argv[1] if len(sys.argv) > 1 else '.'))
