#!/usr/bin/env python3
"""extremes.py - scenarios with extreme values for every numeric key.

For every resource type (spillway --list-models), the tenants and the top
level, the keys and their kinds and ranges come from `spillway help`; the
shipped scenarios (scenarios/*.yaml) and test fixtures (tests/fixtures/*.yaml)
are the bases, so that every type appears with valid wiring. Each base is
resolved once (`spillway run` writes scenario.resolved.yaml with every
default filled in, so every key of the base is there to change). Each
generated scenario is a base with a few numeric keys of one resource (or
tenant, or the top level) set to extreme values: 0, the minimum, the
maximum, just past either, huge (1e308s, 1e30, 2^63), tiny (1ns) and
heavy-tailed distributions for distribution keys.

Every generated scenario goes through `spillway check` (exit 2: refused,
which is fine); an accepted one is run with `spillway run SCN -o DIR
--replications 1 --no-review` (and with --review, also with its review and
what-ifs) under a wall-clock limit (60 s) and an address-space limit
(4 GiB, RLIMIT_AS; --no-as-limit for sanitizer builds, which reserve far
more address space than they use; the peak RSS is checked in either case).
A run passes when it exits 0, 1 or 2 within the limits and leaves nothing
behind: DIR alone after success, nothing at all after a failure (no
DIR.tmp-*, DIR.old-* or other stray file beside it).

Deterministic for a given --seed and spillway binary. Prints a summary
table and the failures; the scenarios of failures are kept (in
--work/failures) for reproduction. Exit status: 0 when every scenario
passed, 1 otherwise, 2 on bad usage.

    tests/extremes.py [--spillway BIN] [--count N | --quick] [--seed N]
                      [--work DIR] [--review] [--no-as-limit] [--keep]

Python 3 standard library only.
"""

import argparse
import glob
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# --------------------------------------------------------------------------
# The key catalogue, from `spillway help`.

NUMERIC = ("integer", "number", "duration", "size", "rate", "fraction",
           "duration distribution", "size distribution", "distribution")


class Key:
    """One key of a schema: its kind, range and children."""

    def __init__(self, name, what):
        self.name = name
        self.what = what
        self.children = {}
        self.kind = None
        self.words = []       # "none" / "infinite" when accepted
        self.lo = None        # range as written ("1ms"), or None
        self.hi = None
        self.lo_excl = False
        for k in ("duration distribution", "size distribution",
                  "distribution", "integer", "number", "duration", "size",
                  "rate", "fraction", "bool", "word", "string", "name",
                  "list of maps", "exactly one of", "true, false or a map",
                  "none or a map", "map"):
            if what.startswith(k):
                self.kind = k
                break
        if " or none" in what.split(",")[0]:
            self.words.append("none")
        if " or infinite" in what.split(",")[0]:
            self.words.append("infinite")
        m = re.search(r", (>=|>) (\S+)$", what)
        if m:
            self.lo, self.lo_excl = m.group(2), m.group(1) == ">"
        m = re.search(r", (> )?(\S+)\.\.(\S+)$", what)
        if m:
            self.lo, self.hi, self.lo_excl = m.group(2), m.group(3), bool(m.group(1))

    def numeric(self):
        return self.kind in NUMERIC


def parse_help(text):
    """The key tree of one `spillway help` section: a root Key."""
    root = Key("", "map")
    stack = [(-1, root)]
    lines = [l for l in text.split("\n") if l.strip()]
    i = 0
    # The header line(s) end before the first key line (indent 2).
    while i < len(lines) and not lines[i].startswith("  "):
        i += 1
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip(" "))
        if not line.startswith(" ") or indent < 2:
            i += 1
            continue
        parts = line.strip().split(None, 1)
        key = Key(parts[0], parts[1] if len(parts) > 1 else "")
        i += 1  # the key's help line
        if i < len(lines):
            i += 1
        if i < len(lines) and lines[i].strip().startswith("one of:"):
            i += 1
        while stack[-1][0] >= indent:
            stack.pop()
        stack[-1][1].children[key.name] = key
        stack.append((indent, key))
    return root


def catalogue(bin_):
    """{type: root Key}, with "tenant" and "" (the top level) too."""
    out = {}
    types = [l.split()[0] for l in run_out([bin_, "--list-models"]).split("\n")
             if l.strip()]
    for t in types:
        out[t] = parse_help(run_out([bin_, "help", t]))
    out["tenant"] = parse_help(run_out([bin_, "help", "tenant"]))
    top = run_out([bin_, "help"])
    # `help` prints the top level first; it ends where tenants begin.
    out[""] = parse_help(top.split("\nTenant")[0])
    return out


def run_out(argv):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, check=False).stdout


# --------------------------------------------------------------------------
# A reader and writer for the YAML spillway writes (scenario.resolved.yaml):
# block style, two spaces per level, "- " items of maps, scalars kept as
# their raw text (quotes included) so that they are written back unchanged.

def parse_resolved(text):
    lines = []
    raw = text.split("\n")
    i = 0
    while i < len(raw):
        l = raw[i]
        i += 1
        if not l.strip() or l.lstrip().startswith("#"):
            continue
        # A double-quoted scalar may go on over several lines.
        while l.count('"') - l.count('\\"') == 1 and i < len(raw):
            l += "\n" + raw[i]
            i += 1
        lines.append(l)
    pos = [0]

    def indent_of(l):
        return len(l) - len(l.lstrip(" "))

    def block(ind):
        """A map or a list at indentation ind."""
        if pos[0] < len(lines) and lines[pos[0]].lstrip().startswith("- ") \
                and indent_of(lines[pos[0]]) == ind:
            items = []
            while pos[0] < len(lines) and indent_of(lines[pos[0]]) == ind \
                    and lines[pos[0]].lstrip().startswith("- "):
                # The item's first key is on the dash line: treat the dash
                # as two spaces of indentation.
                l = lines[pos[0]]
                lines[pos[0]] = " " * (ind + 2) + l.lstrip()[2:]
                items.append(block(ind + 2))
            return items
        m = {}
        while pos[0] < len(lines) and indent_of(lines[pos[0]]) == ind \
                and not lines[pos[0]].lstrip().startswith("- "):
            l = lines[pos[0]].strip()
            pos[0] += 1
            key, _, val = l.partition(":")
            val = val.strip()
            if val:
                m[key] = val
            elif pos[0] < len(lines) and (indent_of(lines[pos[0]]) > ind or
                                          (indent_of(lines[pos[0]]) == ind and
                                           lines[pos[0]].lstrip().startswith("- "))):
                m[key] = block(indent_of(lines[pos[0]]))
            else:
                m[key] = {}
        return m

    return block(0)


def dump(node, ind=0):
    out = []
    pad = " " * ind
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(v, dict) and v:
                out.append(f"{pad}{k}:")
                out.extend(dump(v, ind + 2))
            elif isinstance(v, list) and v:
                out.append(f"{pad}{k}:")
                out.extend(dump(v, ind))
            elif isinstance(v, (dict, list)):
                out.append(f"{pad}{k}: {{}}" if isinstance(v, dict) else f"{pad}{k}: []")
            else:
                out.append(f"{pad}{k}: {v}")
    else:
        for item in node:
            sub = dump(item, ind + 2)
            if sub:
                sub[0] = pad + "- " + sub[0][ind + 2:]
            out.extend(sub)
    return out


# --------------------------------------------------------------------------
# Values.

DUR_NS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9,
          "h": 3600 * 10**9, "d": 86400 * 10**9}
SIZE_B = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}
RATE_S = {"/s": 1, "/m": 60, "/min": 60, "/h": 3600, "/d": 86400}


def split_unit(text, table):
    m = re.match(r"^([-+]?[0-9.eE+-]+?)([a-zA-Z/%]*)$", text)
    if not m or m.group(2) not in table:
        return None
    return float(m.group(1)), m.group(2)


def past(text, kind, up):
    """Just past a bound written `text`: one ns, byte or unit beyond."""
    if text is None:
        return None
    if kind == "duration":
        v = split_unit(text, DUR_NS)
        if v:
            ns = int(round(v[0] * DUR_NS[v[1]])) + (1 if up else -1)
            return f"{ns}ns"
    elif kind == "size":
        v = split_unit(text, SIZE_B)
        if v:
            return f"{int(round(v[0] * SIZE_B[v[1]])) + (1 if up else -1)}B"
    elif kind == "rate":
        v = split_unit(text, RATE_S)
        if v:
            x = v[0] / RATE_S[v[1]]
            return f"{x * (1.000001 if up else 0.999999) if x else (1e-9 if up else -1e-9):.12g}/s"
    elif kind == "fraction":
        x = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        return f"{x + (1e-9 if up else -1e-9):.12g}"
    elif kind == "integer":
        try:
            return str(int(float(text)) + (1 if up else -1))
        except ValueError:
            return None
    elif kind == "number":
        try:
            x = float(text)
        except ValueError:
            return None
        return f"{x * (1.000001 if up else 0.999999) if x else (1e-9 if up else -1e-9):.12g}"
    return None


HUGE = {
    "duration": ["0s", "1ns", "1e9s", "1000000001s", "1e10s", "1e308s",
                 "9223372036854775807ns", "9223372036854775808ns", "-1s",
                 "1e-300s", "106751d", "292y"],
    "size": ["0B", "1B", "4294967295B", "4294967296B", "1e15B", "1e30B",
             "1e308B", "18446744073709551616B", "1TiB", "-1B"],
    "rate": ["0/s", "1e-300/s", "1e-9/s", "1e9/s", "1e30/s", "1e308/s",
             "1/d", "-1/s"],
    "fraction": ["0", "1", "100%", "1.0000001", "1e-300", "0.999999999",
                 "-0.0", "1e308%"],
    "integer": ["0", "1", "-1", "2147483648", "4294967296",
                "9007199254740993", "9223372036854775807",
                "9223372036854775808", "1e30"],
    "number": ["0", "1e-300", "1e-9", "1e30", "1e308", "-1", "1e9"],
}

DIST_UNIT = {"duration distribution": ("s", "duration"),
             "size distribution": ("B", "size"),
             "distribution": ("", "number")}


def dist_values(kind):
    u, base = DIST_UNIT[kind]
    big = {"s": "1e9s", "B": "1e15B", "": "1e15"}[u]
    tiny = {"s": "1ns", "B": "1B", "": "1e-9"}[u]
    huge = {"s": "1e308s", "B": "1e308B", "": "1e308"}[u]
    one = {"s": "1s", "B": "1KB", "": "1"}[u]
    return HUGE[base] + [
        f"{{pareto: {{shape: 0.01, scale: {one}}}}}",
        f"{{pareto: {{shape: 1e-300, scale: {big}}}}}",
        f"{{pareto: {{shape: 1e300, scale: {tiny}}}}}",
        "{lognormal: {mu: 700, sigma: 1000}}",
        "{lognormal: {mu: -700, sigma: 0}}",
        f"{{lognormal: {{median: {tiny}, p99: {big}}}}}",
        f"{{gamma: {{mean: {big}, cv: 1e10}}}}",
        f"{{gamma: {{mean: {tiny}, cv: 1e-10}}}}",
        f"{{uniform: {{min: 0{u}, max: {big}}}}}",
        f"{{uniform: {{min: 0{u}, max: {huge}}}}}",
        f"{{normal: {{mean: -{big}, sd: {big}}}}}",
        f"{{normal: {{mean: {big}, sd: {big}}}}}",
        f"{{exponential: {{mean: {big}}}}}",
        f"{{exponential: {{mean: {tiny}}}}}",
        f"{{exponential: {{mean: {huge}}}}}",
        f"{{empirical: {{file: empirical-{u or 'n'}.txt}}}}",
    ]


# Sample files for empirical distributions, beside each scenario: extreme
# values, including one past the unit's bound (samples are capped there).
EMPIRICAL = {
    "empirical-s.txt": ["0s", "1ns", "1s", "1e9s", "1e300s"],
    "empirical-B.txt": ["0B", "1B", "1KB", "1e15B", "1e300B"],
    "empirical-n.txt": ["0", "1e-9", "1", "1e15", "1e300"],
}


def candidates(key):
    """Extreme values for one numeric key: (likely accepted, likely not).
    The first holds the range's ends, zero and tiny values, the words the
    key takes and heavy-tailed distributions; the second what lies past
    the range and huge values (a key without a written maximum has a
    sanity bound, which some of them cross)."""
    if key.kind in DIST_UNIT:
        base = DIST_UNIT[key.kind][1]
        inside = [v for v in dist_values(key.kind) if v.startswith("{")]
        outside = list(HUGE[base])
    else:
        base = key.kind
        inside, outside = [], list(HUGE[base])
    if key.lo:
        (outside if key.lo_excl else inside).append(key.lo)
    if key.hi:
        inside.append(key.hi)
    else:
        # A sanity maximum, not written: the largest plain values pass.
        inside.extend({"duration": ["1e9s", "1000000000s"], "size": ["1e12B"],
                       "rate": ["1e9/s"], "number": ["1e9"],
                       "integer": ["1000000000"]}.get(base, []))
    for v in (past(key.lo, base, False), past(key.hi, base, True)):
        if v:
            outside.append(v)
    for v in ("0", "0s", "0B", "0/s", "1ns", "1B", "1e-9/s", "1e-300"):
        if v in outside and not key.lo_excl:
            inside.append(v)
    inside.extend(key.words)
    return inside, outside


def draw(rng, key, p_inside):
    inside, outside = candidates(key)
    if inside and rng.random() < p_inside:
        return rng.choice(inside)
    return rng.choice(outside)


# --------------------------------------------------------------------------
# Places to change: (entry path, key path, Key) for every numeric key of a
# resolved base, and for numeric keys its maps leave out.

def places(node, cat, path, out):
    if not isinstance(node, dict):
        return
    for name, key in cat.children.items():
        here = path + [name]
        v = node.get(name)
        if key.numeric():
            out.append((here, key))
            continue
        if v is None:
            continue
        if key.kind == "list of maps" and isinstance(v, list):
            if v and isinstance(v[0], dict):
                places(v[0], key, here + [0], out)
        elif key.kind == "exactly one of" and isinstance(v, dict):
            for alt, sub in v.items():
                if alt in key.children and isinstance(sub, dict):
                    places(sub, key.children[alt], here + [alt], out)
        elif isinstance(v, dict):
            places(v, key, here, out)


def put(node, path, value):
    for p in path[:-1]:
        if isinstance(node, list):
            node = node[p]
        else:
            node = node.setdefault(p, {})
    node[path[-1]] = value


# --------------------------------------------------------------------------
# Bases.

def absolutize(node, basedir):
    """Relative file names (empirical samples, pricing) point at basedir."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("file", "pricing") and isinstance(v, str) \
                    and not v.startswith(("/", '"')):
                node[k] = os.path.join(basedir, v)
            else:
                absolutize(v, basedir)
    elif isinstance(node, list):
        for v in node:
            absolutize(v, basedir)


def resolve_bases(bin_, work, horizon, timeout):
    """The shipped scenarios and fixtures that run, resolved; and those whose
    one-second run hung or crashed (failures in their own right)."""
    bases = []
    broken = []
    files = sorted(glob.glob(os.path.join(ROOT, "scenarios", "*.yaml")) +
                   glob.glob(os.path.join(ROOT, "tests", "fixtures", "*.yaml")))
    for f in files:
        out = os.path.join(work, "bases", os.path.basename(os.path.dirname(f)) +
                           "-" + os.path.basename(f)[:-5])
        try:
            r = subprocess.run([bin_, "run", f, "-o", out, "--replications", "1",
                                "--no-review", "-q", "--set", "duration=1s",
                                "--set", "warmup=0s"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            broken.append((f, f"base run of 1 s took more than {timeout:g} s"))
            continue
        if r.returncode not in (0, 1, 2):
            broken.append((f, f"base run of 1 s: exit {r.returncode}"))
            continue
        if r.returncode != 0:
            continue  # a fixture meant to fail
        with open(os.path.join(out, "scenario.resolved.yaml")) as fh:
            tree = parse_resolved(fh.read())
        shutil.rmtree(out)
        tree["duration"] = horizon
        tree["warmup"] = "0s"
        tree["replications"] = "1"
        absolutize(tree, os.path.dirname(f))
        bases.append((os.path.relpath(f, ROOT), tree))
    return bases, broken


# --------------------------------------------------------------------------
# Running.

class Result:
    def __init__(self):
        self.rc = None
        self.wall = 0.0
        self.rss_kb = 0
        self.why = ""
        self.stderr = ""


def limited(argv, timeout, as_limit, cwd):
    """Runs argv; returns Result (rc -9 with why on a timeout)."""
    res = Result()

    def pre():
        os.setsid()
        if as_limit:
            resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))

    t0 = time.monotonic()
    errf = tempfile.TemporaryFile()
    env = dict(os.environ)
    # A sanitizer build's reports must not pass for exit status 1.
    env.setdefault("ASAN_OPTIONS", "exitcode=99")
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1:exitcode=99")
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=errf,
                         preexec_fn=pre, cwd=cwd, env=env)
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() - t0 > timeout:
            # SIGTERM first: spillway then removes its temporary
            # directory (and exits 143; a large time series takes a
            # while to delete); SIGKILL if it has not stopped in 20 s.
            os.killpg(p.pid, signal.SIGTERM)
            for _ in range(1000):
                pid, status, ru = os.wait4(p.pid, os.WNOHANG)
                if pid:
                    break
                time.sleep(0.02)
            if not pid:
                os.killpg(p.pid, signal.SIGKILL)
                pid, status, ru = os.wait4(p.pid, 0)
            res.why = f"took more than {timeout:g} s"
            break
        time.sleep(0.02)
    p.returncode = 0  # reaped here, not by Popen
    res.wall = time.monotonic() - t0
    res.rss_kb = ru.ru_maxrss
    if os.WIFEXITED(status):
        res.rc = os.WEXITSTATUS(status)
    else:
        res.rc = -os.WTERMSIG(status)
    errf.seek(0)
    res.stderr = errf.read().decode("utf-8", "replace")
    errf.close()
    return res


def leftovers(parent, rc):
    """What a run left beside (or instead of) its output directory."""
    found = sorted(os.listdir(parent))
    allowed = {"scn.yaml"} | set(EMPIRICAL)
    if rc == 0:
        allowed.add("out")
    return [f for f in found if f not in allowed]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--spillway", default=os.path.join(ROOT, "build", "spillway"))
    ap.add_argument("--count", type=int, default=240,
                    help="scenarios to generate (default 240)")
    ap.add_argument("--quick", action="store_true",
                    help="30 scenarios over a 2-minute horizon (the meson test)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", help="working directory (default: a new one in /tmp)")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--memory", type=int, default=4096, help="MiB (default 4096)")
    ap.add_argument("--no-as-limit", action="store_true",
                    help="no RLIMIT_AS (sanitizer builds); RSS is still checked")
    ap.add_argument("--review", action="store_true",
                    help="also run each accepted scenario with its review")
    ap.add_argument("--keep", action="store_true", help="keep every scenario")
    ap.add_argument("--horizon", default=None,
                    help="duration of the generated scenarios (default 10m, quick 2m)")
    args = ap.parse_args()
    if args.quick:
        args.count = 30
    horizon = args.horizon or ("2m" if args.quick else "10m")
    bin_ = os.path.abspath(args.spillway)
    if not os.access(bin_, os.X_OK):
        print(f"extremes: no spillway at {bin_}", file=sys.stderr)
        return 2
    work = args.work or tempfile.mkdtemp(prefix="spillway-extremes-")
    os.makedirs(work, exist_ok=True)
    rng = random.Random(args.seed)
    cat = catalogue(bin_)
    bases, broken = resolve_bases(bin_, work, horizon, args.timeout)
    # Every (type, key) with the bases holding an entry of that type.
    where = {}
    for bi, (_, tree) in enumerate(bases):
        entries = [("", [], tree)]
        for name, e in tree.get("tenants", {}).items():
            entries.append(("tenant", ["tenants", name], e))
        for name, e in tree.get("resources", {}).items():
            entries.append((e.get("type", ""), ["resources", name], e))
        for typ, epath, e in entries:
            if typ not in cat:
                continue
            found = []
            places(e, cat[typ], [], found)
            for kpath, key in found:
                label = typ + ":" + ".".join(str(p) for p in kpath)
                where.setdefault(label, []).append((bi, epath, kpath, key))
    labels = sorted(where)
    if not labels:
        print("extremes: no numeric keys found", file=sys.stderr)
        return 2
    rng.shuffle(labels)
    as_limit = 0 if args.no_as_limit else args.memory << 20
    rows = []
    failures = [(os.path.relpath(f, ROOT), why, [], "") for f, why in broken]
    counts = {"generated": 0, "refused": 0, "ran": 0}
    rcs = {}
    max_wall = 0.0
    max_rss = 0
    fail_dir = os.path.join(work, "failures")
    for i in range(args.count):
        # Keys in turn, so that every key is drawn before any is drawn
        # twice; one to three of the same entry per scenario.
        label = labels[i % len(labels)]
        bi, epath, kpath, key = rng.choice(where[label])
        tree = eval(repr(bases[bi][1]))  # a deep copy of plain data
        entry = tree
        for p in epath:
            entry = entry[p]
        changes = []
        same = [w for lbl in labels for w in where[lbl]
                if w[0] == bi and w[1] == epath and w[2] != kpath]
        picks = [(kpath, key)] + [(w[2], w[3]) for w in
                                  rng.sample(same, min(len(same), rng.randint(0, 2)))]
        for n, (kp, k) in enumerate(picks):
            # The key in turn is past its range more often than the others
            # drawn with it, so that most scenarios still get to run.
            v = draw(rng, k, 0.6 if n == 0 else 0.85)
            put(entry, kp, v)
            changes.append(".".join(str(p) for p in epath + kp) + "=" + v)
        d = os.path.join(work, f"s{i:04d}")
        os.makedirs(d)
        scn = os.path.join(d, "scn.yaml")
        text = "\n".join(dump(tree)) + "\n"
        for name, vals in EMPIRICAL.items():
            with open(os.path.join(d, name), "w") as fh:
                fh.write("".join(v + "\n" for v in vals))
        with open(scn, "w") as fh:
            fh.write(f"# extremes.py seed {args.seed} #{i}: base {bases[bi][0]}\n")
            fh.write("".join(f"#   {c}\n" for c in changes))
            fh.write(text)
        counts["generated"] += 1
        runs = [("check", [bin_, "check", scn])]
        problems = []
        results = []
        chk = limited(runs[0][1], args.timeout, as_limit, d)
        results.append(("check", chk))
        if chk.rc == 2:
            counts["refused"] += 1
        elif chk.rc == 0:
            counts["ran"] += 1
            out = os.path.join(d, "out")
            r = limited([bin_, "run", scn, "-o", out, "--replications", "1",
                         "--no-review", "-q"], args.timeout, as_limit, d)
            results.append(("run", r))
            left = leftovers(d, r.rc)
            if left:
                problems.append("left behind: " + ", ".join(left))
            if os.path.isdir(out):
                shutil.rmtree(out)
            if args.review:
                r = limited([bin_, "run", scn, "-o", out, "--replications", "1",
                             "-q"], args.timeout, as_limit, d)
                results.append(("run+review", r))
                left = leftovers(d, r.rc)
                if left:
                    problems.append("review run left behind: " + ", ".join(left))
                if os.path.isdir(out):
                    shutil.rmtree(out)
        for what, r in results:
            rcs[r.rc] = rcs.get(r.rc, 0) + 1
            max_wall = max(max_wall, r.wall)
            max_rss = max(max_rss, r.rss_kb)
            if r.why:
                problems.append(f"{what}: {r.why}")
            elif r.rc not in (0, 1, 2):
                problems.append(f"{what}: exit {r.rc}")
            for mark in ("runtime error:", "Sanitizer", "assertion failed"):
                if mark in r.stderr:
                    problems.append(f"{what}: {mark} in its messages")
                    break
            if r.rss_kb > args.memory * 1024:
                problems.append(f"{what}: peak RSS {r.rss_kb // 1024} MiB")
        rows.append((i, label, chk.rc, results[-1][1].rc if len(results) > 1 else None))
        if problems:
            os.makedirs(fail_dir, exist_ok=True)
            kept = os.path.join(fail_dir, f"s{i:04d}.yaml")
            shutil.copy(scn, kept)
            for name in EMPIRICAL:
                shutil.copy(os.path.join(d, name), os.path.join(fail_dir, name))
            tail = ""
            for what, r in results:
                for line in r.stderr.split("\n"):
                    if any(m in line for m in ("runtime error", "ERROR:", "assertion", "error:")):
                        tail = line.strip()[:300]
                        break
                if not tail and r.stderr.strip():
                    tail = r.stderr.strip().split("\n")[-1][:300]
            failures.append((kept, "; ".join(problems), changes, tail))
        if not args.keep:
            shutil.rmtree(d, ignore_errors=True)
        if sys.stderr.isatty():
            print(f"\rextremes: {i + 1}/{args.count}", end="", file=sys.stderr, flush=True)
    if sys.stderr.isatty():
        print("", file=sys.stderr)

    keys_total = len(labels)
    keys_drawn = min(args.count, keys_total)
    print(f"extremes: seed {args.seed}, {len(bases)} bases, {keys_total} numeric keys "
          f"({keys_drawn} drawn at least once), horizon {horizon}")
    print(f"  {'generated':<22}{counts['generated']}")
    print(f"  {'refused by check':<22}{counts['refused']}")
    print(f"  {'ran':<22}{counts['ran']}")
    print(f"  {'exit codes':<22}" + ", ".join(f"{k}: {v}" for k, v in sorted(rcs.items(), key=lambda x: (x[0] is None, x[0]))))
    print(f"  {'max time':<22}{max_wall:.2f} s")
    print(f"  {'max RSS':<22}{max_rss / 1024:.1f} MiB")
    print(f"  {'failures':<22}{len(failures)}")
    for kept, why, changes, tail in failures:
        print(f"FAIL {kept}: {why}")
        for c in changes:
            print(f"     {c}")
        if tail:
            print(f"     stderr: {tail}")
    if not failures and not args.keep and not args.work:
        shutil.rmtree(work, ignore_errors=True)
    elif os.path.isdir(fail_dir):
        print(f"extremes: failing scenarios kept in {fail_dir}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
