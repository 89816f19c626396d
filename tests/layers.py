#!/usr/bin/env python3
"""layers.py - the include rules between spillway's folders.

    sim/      the engine: includes neither models/, reports/ nor cli/
    models/   the resource types: include sim/ and each other, never
              reports/ or cli/; their include graph has no cycle (a
              module is X.c with X.h)
    reports/  the readers of results: include sim/ only, and name no
              resource type (no string literal that is a type's name:
              what a report needs of a type comes from its ops table)
    cli/      the executable: the only folder that includes models/ and
              reports/

Usage: tests/layers.py [--root DIR]   (default: the tree holding this file)
Prints every broken rule as FILE:LINE: message and exits 1; exits 0 and
prints a one-line summary when every rule holds.
"""
import argparse
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
TYPE_NAME = re.compile(r'^const struct model_ops\s+\w+\s*=\s*\{\s*\.name\s*=\s*"([^"]+)"',
                       re.M)
STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"')

# What each folder may include, besides itself.
ALLOWED = {
    'sim': {'sim'},
    'models': {'sim', 'models'},
    'reports': {'sim', 'reports'},
    'cli': {'sim', 'models', 'reports', 'cli'},
}
# The tenant is the engine's traffic source (sim/run.h counts tenants and
# reports write tenants.csv), not a resource type.
NOT_RESOURCE_TYPES = {'tenant'}


def sources(root, folder):
    d = os.path.join(root, folder)
    if not os.path.isdir(d):
        return []
    return sorted(os.path.join(folder, f) for f in os.listdir(d)
                  if f.endswith(('.c', '.h')))


def includes(root, path):
    with open(os.path.join(root, path), encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1)


def code_strings(text):
    """String literals outside comments, with their line numbers."""
    out = []
    i, line, n = 0, 1, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            line += text.count('\n', i, j)
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        elif c == "'":
            m = re.match(r"'(?:[^'\\\n]|\\.)*'", text[i:])
            i += len(m.group(0)) if m else 1
        elif c == '"':
            m = STRING.match(text, i)
            if not m:
                i += 1
                continue
            out.append((line, m.group(1)))
            i = m.end()
        else:
            if c == '\n':
                line += 1
            i += 1
    return out


def cycle(graph):
    """A cycle of the graph as a list of nodes, or None."""
    state, stack = {}, []

    def visit(u):
        state[u] = 1
        stack.append(u)
        for v in sorted(graph.get(u, ())):
            if state.get(v) == 1:
                return stack[stack.index(v):] + [v]
            if v not in state:
                c = visit(v)
                if c:
                    return c
        stack.pop()
        state[u] = 2
        return None

    for u in sorted(graph):
        if u not in state:
            c = visit(u)
            if c:
                return c
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--root', default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), '..'))
    root = os.path.normpath(ap.parse_args().root)
    problems = []
    files = 0
    graph = {}
    for folder, allowed in ALLOWED.items():
        for path in sources(root, folder):
            files += 1
            for n, inc in includes(root, path):
                top = inc.split('/')[0]
                if '/' in inc and top in ALLOWED and top not in allowed:
                    problems.append(f'{path}:{n}: includes "{inc}": {folder}/ may include '
                                    + ', '.join(sorted(f + '/' for f in allowed)) + ' only')
                if folder == 'models' and top == 'models':
                    a = os.path.splitext(os.path.basename(path))[0]
                    b = os.path.splitext(os.path.basename(inc))[0]
                    if a != b:
                        graph.setdefault(a, set()).add(b)
    types = set()
    for path in sources(root, 'models'):
        with open(os.path.join(root, path), encoding='utf-8') as f:
            types.update(TYPE_NAME.findall(f.read()))
    types -= NOT_RESOURCE_TYPES
    if not types:
        problems.append('models/: no `const struct model_ops NAME = { .name = "..."` found')
    for path in sources(root, 'reports'):
        with open(os.path.join(root, path), encoding='utf-8') as f:
            text = f.read()
        for n, s in code_strings(text):
            if s in types:
                problems.append(f'{path}:{n}: names the resource type "{s}": reports/ '
                                'reads what a type needs from its ops table')
    c = cycle(graph)
    if c:
        problems.append('models/: include cycle ' + ' -> '.join(c))
    for p in problems:
        print(p)
    if problems:
        print(f'layers: {len(problems)} broken rule{"s" if len(problems) != 1 else ""}')
        return 1
    print(f'layers: {files} files of sim/, models/, reports/, cli/ keep the include rules; '
          f'models/ include graph of {len(graph)} modules has no cycle; reports/ names none '
          f'of {len(types)} resource types')
    return 0


if __name__ == '__main__':
    sys.exit(main())
