"""One scenario: a tree, a compiler and flags, a cache, and the compiles through ddcc and plain
whose results must be the same. Steps (steps.py) change the tree through the methods here,
which keep the history that a report prints."""

import os
import random
import re
import shutil
import subprocess
import tempfile
import time

import flags as flagmod
import tree as treemod

# A compiler that runs the hook armed for its kind of call once, before or after the real
# compiler: how a step edits a file while ddcc is in the middle of a compile.
WRAPPER = """#!/bin/sh
hooks={hooks}
case " $* " in
  *" -E "*" -v "*|*" -v "*" -E "*) kind=probe ;;
  *" -E "*) kind=preprocess ;;
  *) kind=compile ;;
esac
if [ -f "$hooks/before-$kind" ]; then sh "$hooks/before-$kind"; rm -f "$hooks/before-$kind"; fi
{real} "$@"
status=$?
if [ -f "$hooks/after-$kind" ]; then sh "$hooks/after-$kind"; rm -f "$hooks/after-$kind"; fi
exit $status
"""

MOMENTS = ["before-preprocess", "after-preprocess", "before-compile", "after-compile",
           "before-probe"]

# ddcc records no include set for a file changed within this long of its compile's start.
SETTLE_SECONDS = 0.03


class Difference(Exception):
    def __init__(self, what, label):
        super().__init__(f"{label}: {'; '.join(what)}")
        self.what = what
        self.label = label


class Result:
    def __init__(self, proc, outputs, root):
        self.status = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        # root-relative path -> bytes, or None if not written
        self.outputs = {os.path.relpath(p, root): data for p, data in outputs.items()}


def snapshot(paths):
    got = {}
    for p in paths:
        try:
            with open(p, "rb") as f:
                got[p] = f.read()
        except FileNotFoundError:
            got[p] = None
    return got


def restore(state):
    for p, data in state.items():
        if data is None:
            if os.path.lexists(p):
                os.remove(p)
        else:
            with open(p, "wb") as f:
                f.write(data)


def first_line_difference(a, b):
    la, lb = a.decode(errors="replace").splitlines(), b.decode(errors="replace").splitlines()
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<none>"
        y = lb[i] if i < len(lb) else "<none>"
        if x != y:
            return f"line {i + 1}: ddcc {x[:100]!r} vs plain {y[:100]!r}"
    return "same lines, other bytes"


TEMP_NAME = re.compile(rb"/tmp/cc[A-Za-z0-9]{6}\.[a-z]+")


def differences(cached, plain):
    """What differs between two Results, one phrase each."""
    what = []
    if cached.status != plain.status:
        what.append(f"exit status (ddcc {cached.status}, plain {plain.status})")
    for name in ("stdout", "stderr"):
        # The assembler names gcc's temporary file, a new one each run, ddcc's or not.
        a, b = (TEMP_NAME.sub(b"/tmp/ccXXXXXX", getattr(r, name)) for r in (cached, plain))
        if a != b:
            what.append(f"{name} ({first_line_difference(a, b)})")
    for path, plain_bytes in plain.outputs.items():
        got = cached.outputs.get(path)
        if got == plain_bytes:
            continue
        if got is None or plain_bytes is None:
            what.append(f"{path} (ddcc {'none' if got is None else len(got)} bytes, plain "
                        f"{'none' if plain_bytes is None else len(plain_bytes)})")
        elif path.endswith(".o"):
            at = next(i for i in range(min(len(got), len(plain_bytes)) + 1)
                      if i == min(len(got), len(plain_bytes)) or got[i] != plain_bytes[i])
            what.append(f"{path} (ddcc {len(got)} bytes, plain {len(plain_bytes)}, first "
                        f"difference at byte {at})")
        else:
            what.append(f"{path} ({first_line_difference(got, plain_bytes)})")
    return what


CLOCK = re.compile(rb"\d\d:\d\d:\d\d")


def within_clock(cached, earlier, later):
    """Whether ddcc's outputs are the plain ones but for __TIME__ expansions that lie between
    those of the plain compile before and the one after (the same day): a compile of its own,
    not a stored result of an earlier second."""
    if differences(cached, later) and not differences(cached, earlier):
        return True
    for path, later_bytes in later.outputs.items():
        got, first = cached.outputs.get(path), earlier.outputs.get(path)
        if got is None or later_bytes is None or first is None:
            if not (got is None and later_bytes is None):
                return False
            continue
        masked = [CLOCK.sub(b"XX:XX:XX", b) for b in (got, first, later_bytes)]
        if masked[0] != masked[2] or masked[1] != masked[2]:
            return False
        times = [CLOCK.findall(b) for b in (got, first, later_bytes)]
        if any(not t0 <= t <= t1 for t, t0, t1 in zip(*times)):
            return False
    return not [w for w in differences(cached, later) if not w.startswith(tuple(later.outputs))]


class Scenario:
    def __init__(self, seed, index, ddcc, features=None, disabled=False):
        self.seed, self.index, self.ddcc = seed, index, ddcc
        self.disabled = disabled  # DDCC_DISABLE=1: checks the generator, not the cache
        self.rng = random.Random(f"{seed}/{index}")
        rng = self.rng
        self.base = tempfile.mkdtemp(prefix=f"ddcc-diff-{seed}-{index}-")
        self.tree = treemod.generate(rng, rng.choice(["c", "c++"]), rng.choice(["gcc", "clang"]),
                                     features or treemod.FEATURES)
        self.root = os.path.join(self.base, "co1")
        treemod.write(self.tree, self.root)
        self.flags = flagmod.draw(rng, self.tree)
        self.cwd = "."  # root-relative
        self.direct = rng.random() < 0.9
        self.depend = rng.random() < 0.25
        self.basedir = rng.random() < 0.4
        self.date_epoch = str(1700000000 + rng.randrange(10**6)) if rng.random() < 0.1 else ""
        self.settle_chance = rng.choice([0.6, 0.85, 1.0])
        self.hooks = os.path.join(self.base, "hooks")
        self.wrapper = ""
        if rng.random() < 0.5:
            self.wrapper = self._write_wrapper()
        self.history = []
        self.versions = {}  # path -> texts it had, for reverts
        self.last_write = time.monotonic()
        self.compiles = 0
        self.failed = False  # the last plain compile failed
        self.aged = False  # the one long wait of a scenario is spent
        self.note(f"tree: {self.tree.lang}, features {', '.join(self.tree.features)}")
        self.note(f"{self.flags.compiler} {self.flags.describe()}"
                  f" (direct {'on' if self.direct else 'off'}, depend {int(self.depend)}, "
                  f"basedir {int(self.basedir)}, wrapper {int(bool(self.wrapper))}"
                  f"{', SOURCE_DATE_EPOCH' if self.date_epoch else ''})")

    # --- paths and history

    def path(self, rel):
        return os.path.join(self.root, rel)

    def note(self, text):
        self.history.append(text)

    def _write_wrapper(self):
        os.makedirs(self.hooks)
        bindir = os.path.join(self.base, "bin")
        os.makedirs(bindir)
        path = os.path.join(bindir, self.flags.compiler)
        with open(path, "w") as f:
            f.write(WRAPPER.format(hooks=self.hooks, real="/usr/bin/" + self.flags.compiler))
        os.chmod(path, 0o755)
        return path

    # --- changes to the tree

    def touched(self):
        self.last_write = time.monotonic()

    def exists(self, rel):
        return os.path.lexists(self.path(rel))

    def read(self, rel):
        with open(self.path(rel)) as f:
            return f.read()

    def write(self, rel, text, keep_mtime=False, replace=False):
        """Writes `rel`: in place, or (`replace`) a new file renamed over it; `keep_mtime` sets
        the mtime back to what it was, as a checkout or a careful generator may."""
        full = self.path(rel)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        old = os.stat(full) if os.path.exists(full) else None
        if old is not None:
            self.versions.setdefault(rel, []).append(self.read(rel))
        if replace:
            tmp = full + ".tmp"
            with open(tmp, "w") as f:
                f.write(text)
            os.replace(tmp, full)
        else:
            with open(full, "w") as f:
                f.write(text)
        if keep_mtime and old is not None:
            os.utime(full, ns=(old.st_atime_ns, old.st_mtime_ns))
        self.touched()

    def remove(self, rel):
        os.remove(self.path(rel))
        self.touched()

    def text_files(self):
        """Root-relative regular files a compile may read: sources, headers, data."""
        found = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel_dir = os.path.relpath(dirpath, self.root)
            if rel_dir.split(os.sep)[0] in treemod.OUTPUT_DIRS:
                dirnames[:] = []
                continue
            for name in filenames:
                rel = os.path.normpath(os.path.join(rel_dir, name))
                # A symlink whose target is gone is no file to edit.
                if name.endswith((".h", ".c", ".cc", ".bin", ".s")) and \
                        os.path.isfile(os.path.join(dirpath, name)):
                    found.append(rel)
        return sorted(found)

    def settle(self, force=False):
        """Lets the last change age past ddcc's clock slack, most of the time: compiling at once
        is its own path (no include set recorded)."""
        if force or self.rng.random() < self.settle_chance:
            time.sleep(max(0.0, self.last_write + SETTLE_SECONDS - time.monotonic()))
        else:
            self.note("  (compiled at once after the change)")

    # --- compiles

    def r(self):
        """The root as the flags see it from the working directory."""
        if self.flags.absolute:
            return self.root + "/"
        return "" if self.cwd == "." else "../" * len(self.cwd.split("/"))

    def obj(self):
        return "out/main" if self.cwd == "." else "main"

    def argv(self):
        r, obj = self.r(), self.obj()
        ex = [flagmod.expand(a, r, self.root, obj) for a in self.flags.args]
        return ex + ["-c", r + self.tree.source, "-o", obj + ".o"]

    def outputs(self):
        cwd = os.path.join(self.root, self.cwd)
        names = [self.obj() + ".o"]
        if self.flags.dep_file:
            names.append(flagmod.expand(self.flags.dep_file, self.r(), self.root, self.obj()))
        return [os.path.join(cwd, n) for n in names]

    def env(self, through_ddcc):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DDCC_", "SCCACHE_")) and k != "SOURCE_DATE_EPOCH"}
        env["LC_ALL"] = "C"
        if self.date_epoch:
            env["SOURCE_DATE_EPOCH"] = self.date_epoch
        if through_ddcc:
            env["DDCC_DIR"] = os.path.join(self.base, "cache")
            env["DDCC_LOGFILE"] = os.path.join(self.base, "ddcc.log")
            env["DDCC_DIRECT_MODE"] = "1" if self.direct else "0"
            env["DDCC_DEPEND"] = "1" if self.depend else "0"
            if self.basedir:
                env["DDCC_BASEDIR"] = self.base
            if self.disabled:
                env["DDCC_DISABLE"] = "1"
        return env

    def compile(self, through_ddcc):
        compiler = self.wrapper or (self.flags.compiler if through_ddcc
                                    else "/usr/bin/" + self.flags.compiler)
        cmd = ([self.ddcc] if through_ddcc else []) + [compiler] + self.argv()
        cwd = os.path.join(self.root, self.cwd)
        os.makedirs(os.path.join(cwd, os.path.dirname(self.obj())), exist_ok=True)
        proc = subprocess.run(cmd, cwd=cwd, env=self.env(through_ddcc), capture_output=True,
                              timeout=120)
        self.compiles += 1
        return Result(proc, snapshot(self.outputs()), self.root)

    def compare(self, label):
        """Compiles through ddcc and plainly from the same state: everything the build sees
        must be the same. With clock macros a plain compile before and one after bracket
        ddcc's: it must equal one of them. On a loaded machine the three can take three
        seconds, so a clock tree gets a second try; a stored wrong time differs again."""
        before = snapshot(self.outputs())
        # gcc takes __TIME__ from SOURCE_DATE_EPOCH; clang only from version 16 (Debian 12 has
        # 14), so its clock trees still tick.
        epoch_fixes_clock = self.date_epoch and not self.flags.compiler.startswith("clang")
        tries = 2 if self.tree.clock and not epoch_fixes_clock else 1
        for _ in range(tries):
            restore(before)
            earlier = None
            if tries > 1:
                earlier = self.compile(False)
                restore(before)
            cached = self.compile(True)
            restore(before)
            plain = self.compile(False)
            what = differences(cached, plain)
            if what and earlier is not None and within_clock(cached, earlier, plain):
                what = []
            if not what:
                break
        self.failed = plain.status != 0
        self.note(f"  compared {label}: {'DIFFERENT' if what else 'same'}")
        if what:
            self.keep_outputs(cached, plain)
            raise Difference(what, label)
        return plain

    def keep_outputs(self, cached, plain):
        """Both sides' outputs and messages, for a look after a difference."""
        for side, result in (("ddcc", cached), ("plain", plain)):
            d = os.path.join(self.base, "differed", side)
            os.makedirs(d, exist_ok=True)
            files = dict(result.outputs, stdout=result.stdout, stderr=result.stderr)
            for rel, data in files.items():
                if data is not None:
                    with open(os.path.join(d, os.path.basename(rel)), "wb") as f:
                        f.write(data)

    # --- hooks: an edit in the middle of a ddcc compile

    def arm(self, moment, rel, text, keep_mtime, replace):
        """The wrapper will write `text` to `rel` at `moment` of the next compile."""
        full = self.path(rel)
        payload = os.path.join(self.hooks, "payload")
        with open(payload, "w") as f:
            f.write(text)
        lines = ([f'cp "{payload}" "{full}.new" && mv "{full}.new" "{full}"'] if replace
                 else [f'cat "{payload}" > "{full}"'])
        if keep_mtime:
            ref = os.path.join(self.hooks, "ref")
            open(ref, "w").close()
            st = os.stat(full)
            os.utime(ref, ns=(st.st_atime_ns, st.st_mtime_ns))
            lines.append(f'touch -r "{ref}" "{full}"')
        with open(os.path.join(self.hooks, moment), "w") as f:
            f.write("\n".join(lines) + "\n")

    def disarm(self):
        """Whether an armed hook fired; removes one that did not."""
        fired = True
        for moment in MOMENTS:
            p = os.path.join(self.hooks, moment)
            if os.path.exists(p):
                os.remove(p)
                fired = False
        return fired

    def cleanup(self):
        shutil.rmtree(self.base, ignore_errors=True)
