"""A generated C project for the reliability tests: shared headers, sources of varied sizes (some
warn), the reference outputs of an uncached compile, and builds through ddcc whose every output
is compared byte for byte with them."""

import concurrent.futures
import os
import random

from common import DDCC

HEADERS = {
    "include/config.h": "#pragma once\n#define SCALE 3\n#define LABEL(x) #x\n",
    "include/shapes.h": """#pragma once
#include "config.h"
struct point { int x, y; };
static inline int area(struct point p) { return SCALE * p.x * p.y; }
""",
    "include/table.h": """#pragma once
#include <stddef.h>
#include <string.h>
static inline size_t label_length(const char *label) { return strlen(label); }
""",
}


def source_text(i, rng):
    """The i-th source: it includes one to three headers, every fifth warns, and every eighth
    holds 16 KiB of random data."""
    lines = ['#include "config.h"']
    if i % 2 == 0:
        lines.append('#include "shapes.h"')
        lines.append(f"int area_{i}(void) {{ struct point p = {{{i}, 2}}; return area(p); }}")
    if i % 3 == 0:
        lines.append('#include "table.h"')
        lines.append(f"size_t length_{i}(void) {{ return label_length(LABEL(f{i})); }}")
    if i % 5 == 0:
        lines.append(f"int warns_{i}(void) {{ int unused; return {i}; }}")
    size = 4096 if i % 8 == 7 else 16 * (i % 7 + 1)
    values = ", ".join(str(rng.randrange(1 << 30)) for _ in range(size))
    lines.append(f"static const int data_{i}[{size}] = {{{values}}};")
    lines.append(f"int sum_{i}(int n) {{ int s = 0; for (int k = 0; k < n; ++k) "
                 f"s += data_{i}[k % {size}] * SCALE; return s + {i}; }}")
    return "\n".join(lines) + "\n"


class Project:
    """`count` sources in test.work/src, compiled by `compiler` with a dependency file; the
    uncached outputs of each are kept as the reference."""

    def __init__(self, test, count, compiler="gcc", seed=0):
        self.test = test
        self.count = count
        self.compiler = compiler
        rng = random.Random(seed)
        for name, text in HEADERS.items():
            test.write(name, text)
        for i in range(count):
            test.write(f"src/f{i}.c", source_text(i, rng))
        self.reference = {}
        plain = self.build("reference", test.env, cached=False)
        for i, result in enumerate(plain):
            test.assertEqual(result.returncode, 0, result.stderr)
            self.reference[i] = (result.stderr, test.read(f"reference/f{i}.o"),
                                 test.read(f"reference/f{i}.d"))

    def argv(self, i, out, cached=True):
        """The compile of source i into directory `out`. The dependency file names a target
        that does not depend on `out`, so every build's outputs are alike."""
        return ([DDCC] if cached else []) + [
            self.compiler, "-O2", "-Wall", "-Iinclude", "-MD", "-MT", f"f{i}.o", "-MF",
            f"{out}/f{i}.d", "-c", f"src/f{i}.c", "-o", f"{out}/f{i}.o"]

    def build(self, out, env, cached=True, workers=4):
        """Compiles every source into `out` with `workers` processes at a time, as make -j
        would; returns the completed processes in source order."""
        os.makedirs(os.path.join(self.test.work, out), exist_ok=True)
        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            return list(pool.map(
                # A compile that waits for ever (on a FIFO in the cache) fails the test.
                lambda i: self.test.run_cmd(self.argv(i, out, cached), env=env, timeout=300),
                range(self.count)))

    def wrong_outputs(self, out, results):
        """What differs from the uncached compile: exit status, stderr, object, dependency
        file. Each item names the source and the difference."""
        wrong = []
        for i, result in enumerate(results):
            stderr, obj, dep = self.reference[i]
            if result.returncode != 0:
                wrong.append(f"f{i}: exit status {result.returncode}: {result.stderr[-500:]}")
                continue
            if result.stderr != stderr:
                wrong.append(f"f{i}: stderr {result.stderr!r}, expected {stderr!r}")
            if self.test.read(f"{out}/f{i}.o") != obj:
                wrong.append(f"f{i}: object differs")
            if self.test.read(f"{out}/f{i}.d") != dep:
                wrong.append(f"f{i}: dependency file differs")
        return wrong

    def check_build(self, out, env):
        """Builds into `out` and fails the test on any difference from the uncached compile."""
        wrong = self.wrong_outputs(out, self.build(out, env))
        self.test.assertEqual(wrong, [], f"build {out}")
        return self.count
