"""What happens to a tree between compiles, as in a developer's day: edits, reverts, touches,
new headers that shadow others, deletions, renames, symlink swaps, edits while ddcc compiles, a
second checkout, another build directory, ddcc's modes switched, time passing.

A step changes the scenario and returns what it did; the caller then compares a ddcc compile
with a plain one. Steps that compare on their own (an edit during a compile) return None."""

import os
import re
import shutil
import subprocess
import threading
import time

import flags as flagmod
import runner
import tree as treemod


def mutate(rng, rel, text, must_change=False):
    """Another version of a file's text, and how it differs. Numbers keep their width, so a
    value change keeps the file's size."""
    if rel.endswith(".bin"):
        size = len(text) if rng.random() < 0.7 else len(text) + rng.randint(1, 8)
        return "".join(chr(rng.randint(97, 122)) for _ in range(size)), "new bytes"
    kinds = ["value", "value", "value", "line", "comment"]
    if not must_change:
        kinds.append("same")
    kind = rng.choice(kinds)
    numbers = list(re.finditer(r"(?<![\w.])([1-9]\d)(?![\w.])", text))
    if kind == "value" and numbers:
        m = rng.choice(numbers)
        new = str(rng.choice([n for n in range(10, 100) if n != int(m.group(1))]))
        return text[:m.start(1)] + new + text[m.end(1):], "a value, same size"
    if kind in ("line", "value"):
        lines = text.split("\n")
        spots = [i for i in range(1, len(lines)) if not lines[i - 1].endswith("\\")]
        i = rng.choice(spots)
        return "\n".join(lines[:i] + [""] + lines[i:]), "a blank line (lines move)"
    if kind == "comment":
        return text + f"/* {rng.randint(10, 99)} */\n", "a comment at the end"
    return text, "same text rewritten"


def shadow_spots(scn):
    """Paths where a new header would be found before, or instead of, what an include directive
    of the tree finds now, as the compiler searches: the includer's directory for a quoted
    include, then the quote directories, then the others."""
    spots = []
    for inc in scn.tree.includes:
        if inc.includer and not scn.exists(inc.includer):
            continue
        dirs = []
        if inc.quoted:
            dirs.append(os.path.dirname(inc.includer) if inc.includer else scn.cwd)
            dirs += scn.flags.quote_dirs
        dirs += scn.flags.angle_dirs
        for d in dirs:
            spot = os.path.normpath(os.path.join(d, inc.name))
            if not scn.exists(spot) and not spot.startswith(".."):
                spots.append((spot, inc.name))
    return sorted(set(spots))


def headers(scn):
    return [p for p in scn.text_files() if p.endswith(".h")]


# --- the steps: each (scenario, rng) -> description


def edit(scn, rng):
    rel = rng.choice(scn.text_files())
    new, how = mutate(rng, rel, scn.read(rel))
    keep = rng.random() < 0.3
    scn.write(rel, new, keep_mtime=keep, replace=rng.random() < 0.3)
    return f"edit {rel}: {how}{', mtime set back' if keep else ''}"


def revert(scn, rng):
    had = [rel for rel, texts in scn.versions.items() if texts and scn.exists(rel)]
    if not had:
        return edit(scn, rng)
    rel = rng.choice(had)
    old = rng.choice(scn.versions[rel])
    keep = rng.random() < 0.4
    scn.write(rel, old, keep_mtime=keep)
    return f"revert {rel} to an earlier text{', mtime set back' if keep else ''}"


def touch(scn, rng):
    rel = rng.choice(scn.text_files())
    os.utime(scn.path(rel))
    scn.touched()
    return f"touch {rel}"


def shadow(scn, rng):
    spots = shadow_spots(scn)
    if not spots:
        return edit(scn, rng)
    # Beside an includer is where a new header is least expected; half the time, go there.
    beside = [(s, n) for s, n in spots if not any(s.startswith(d + "/") for d in
                                                  scn.flags.quote_dirs + scn.flags.angle_dirs)]
    spot, name = rng.choice(beside if beside and rng.random() < 0.5 else spots)
    scn.write(spot, treemod.header_text(rng, scn.tree, spot, name))
    return f"create {spot} (may shadow {name})"


def delete(scn, rng):
    files = headers(scn) + scn.tree.data_files
    files = [f for f in files if scn.exists(f)]
    if not files:
        return edit(scn, rng)
    rel = rng.choice(files)
    scn.remove(rel)
    return f"delete {rel}"


def rename(scn, rng):
    spots = shadow_spots(scn)
    files = headers(scn)
    if not files:
        return edit(scn, rng)
    rel = rng.choice(files)
    if spots and rng.random() < 0.6:
        dest = rng.choice(spots)[0]
    else:
        dest = rel + ".old"
    os.makedirs(os.path.dirname(scn.path(dest)), exist_ok=True)
    os.rename(scn.path(rel), scn.path(dest))
    scn.touched()
    return f"rename {rel} to {dest}"


def swap_link(scn, rng):
    links = [(link, targets) for link, targets in scn.tree.swaps if os.path.islink(scn.path(link))]
    if not links:  # deleted, or replaced by a file renamed over it
        return edit(scn, rng)
    link, targets = rng.choice(links)
    full = scn.path(link)
    now = os.readlink(full)
    target = next(t for t in targets if t != now)
    os.symlink(target, full + ".new")
    os.replace(full + ".new", full)
    scn.touched()
    return f"point symlink {link} at {target}"


def edit_data(scn, rng):
    files = [f for f in scn.tree.data_files if scn.exists(f)]
    if not files:
        return edit(scn, rng)
    rel = rng.choice(files)
    new, how = mutate(rng, rel, scn.read(rel), must_change=True)
    if rel.endswith(".s"):
        new = f".byte {rng.randint(1, 99)}, {rng.randint(1, 99)}\n"
    keep = rng.random() < 0.4
    scn.write(rel, new, keep_mtime=keep)
    return f"edit data file {rel}{', mtime set back' if keep else ''}"


def during_compile(scn, rng):
    """Edits a file while ddcc compiles. That compile's result is not compared (the edit raced
    it), but once the edit has settled the next compile must be the final state's, and once
    the edit is undone the next must be the original's: a result stored under a key that does
    not describe it shows there."""
    reads = [f for f in scn.text_files() if not f.startswith("variants/")]
    rel = rng.choice([scn.tree.source] * 2 + reads)
    first, how = mutate(rng, rel, scn.read(rel), must_change=True)
    scn.write(rel, first)  # a state not compiled yet, so ddcc compiles it
    scn.settle()
    second, _ = mutate(rng, rel, first, must_change=True)
    keep = rng.random() < 0.4
    if scn.wrapper and rng.random() < 0.75:
        moment = rng.choice(runner.MOMENTS)
        scn.arm(moment, rel, second, keep_mtime=keep, replace=rng.random() < 0.3)
        scn.compile(True)
        fired = scn.disarm()
        when = f"{moment} ({'fired' if fired else 'did not fire'})"
    else:
        delay = rng.uniform(0.0, 0.15)
        st = os.stat(scn.path(rel))

        def late_write():
            with open(scn.path(rel), "w") as f:
                f.write(second)
            if keep:
                os.utime(scn.path(rel), ns=(st.st_atime_ns, st.st_mtime_ns))

        timer = threading.Timer(delay, late_write)
        timer.start()
        scn.compile(True)
        timer.join()
        when = f"{delay * 1000:.0f} ms into it (a thread)"
    if scn.read(rel) != second:
        scn.write(rel, second)
    scn.touched()
    scn.note(f"edit {rel} ({how}), then edit it again during a ddcc compile, {when}"
             f"{', mtime set back' if keep else ''}")
    scn.settle(force=True)
    scn.compare("after the edit settled")
    scn.write(rel, first, keep_mtime=rng.random() < 0.4)
    scn.note(f"undo the edit of {rel}")
    scn.settle()
    scn.compare("after the edit was undone")
    return None


def checkout(scn, rng):
    """A second checkout of the tree in another directory, where later steps happen."""
    if not scn.root.endswith("co1"):
        return edit(scn, rng)
    # A name as long as the first's, or not: clang's debug info may move to the first only.
    other = os.path.join(scn.base, rng.choice(["co2", "other-checkout"]))
    shutil.copytree(scn.root, other, symlinks=True,
                    ignore=lambda d, names: treemod.OUTPUT_DIRS if d == scn.root else [])
    os.makedirs(os.path.join(other, "out"))
    scn.root = other
    scn.touched()
    return f"second checkout in {other}, built from there"


def build_dir(scn, rng):
    scn.cwd = rng.choice([d for d in (".", "build", "build2") if d != scn.cwd])
    return f"compile from working directory {scn.cwd}"


def modes(scn, rng):
    if rng.random() < 0.5:
        scn.direct = not scn.direct
        return f"direct mode {'on' if scn.direct else 'off'}"
    scn.depend = not scn.depend
    return f"depend mode {'on' if scn.depend else 'off'}"


def next_second(scn, rng):
    time.sleep(1.02 - time.time() % 1.0)
    return "wait for the next second"


def age(scn, rng):
    """Files over two seconds old are trusted by their stamps: a real wait, used sparingly."""
    if scn.aged:
        return next_second(scn, rng)
    scn.aged = True
    time.sleep(2.1)
    return "wait 2.1 s (files age past ddcc's stamp trust)"


def precompiled(scn, rng):
    """gcc uses pch.h.gch beside pch.h for a plain #include: build it from another text (as a
    build that forgot to rebuild it), from the current one, or remove it."""
    pch = rng.choice([h for h in (scn.tree.pch, scn.tree.forced_include and "include/pre.h")
                      if h] or [""])
    if not pch or not scn.exists(pch):
        return edit(scn, rng)
    gch = scn.path(pch + ".gch")
    what = rng.choice(["other", "other", "current", "remove"])
    if what == "remove":
        if os.path.exists(gch):
            os.remove(gch)
        scn.touched()
        return f"remove {pch}.gch"
    text = scn.read(pch)
    if what == "other":
        text, _ = mutate(rng, pch, text, must_change=True)
    staged = os.path.join(scn.base, "pch-source.h")
    with open(staged, "w") as f:
        f.write(text)
    r, obj = scn.r(), scn.obj()
    args = [flagmod.expand(a, r, scn.root, obj) for a in scn.flags.args]
    args = strip_dependency_options(args)
    lang = "c-header" if scn.tree.lang == "c" else "c++-header"
    subprocess.run(["/usr/bin/" + scn.flags.compiler, *args, "-x", lang, staged, "-o", gch],
                   cwd=os.path.join(scn.root, scn.cwd), capture_output=True, timeout=120)
    scn.touched()
    return f"build {pch}.gch from {'another' if what == 'other' else 'the current'} text"


def strip_dependency_options(args):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-MF", "-MT", "-MQ"):
            skip = True
        elif a not in ("-MD", "-MMD", "-MP") and not a.startswith("-Wp,-MD"):
            out.append(a)
    return out


def reflag(scn, rng):
    """Another configuration of the build: new flags, same tree."""
    scn.flags = flagmod.draw(rng, scn.tree)
    return f"new flags: {scn.flags.describe()}"


def date_epoch(scn, rng):
    if not scn.date_epoch:
        return next_second(scn, rng)
    scn.date_epoch = str(int(scn.date_epoch) + rng.randint(1, 100000))
    return f"SOURCE_DATE_EPOCH={scn.date_epoch}"


def weights(scn):
    """(weight, step) for this scenario."""
    t = scn.tree
    return [
        (5, edit), (3, revert), (1, touch), (4, shadow), (1.5, delete), (1, rename),
        (2 if t.swaps else 0, swap_link), (3 if t.data_files else 0, edit_data),
        (2 if "pragma_dependency" in t.features else 0, next_second),
        (3, during_compile), (0.5, checkout), (0.7, build_dir), (1, modes),
        (2 if t.clock else 0.2, next_second), (0.1, age),
        (3 if t.pch else 1 if t.forced_include else 0, precompiled),
        (0.5, reflag), (0.5 if scn.date_epoch else 0, date_epoch),
    ]


def choose(scn, rng):
    table = [(w, s) for w, s in weights(scn) if w > 0]
    x = rng.uniform(0, sum(w for w, _ in table))
    for w, s in table:
        x -= w
        if x <= 0:
            return s
    return table[-1][1]
