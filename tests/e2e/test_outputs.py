"""Where a miss's compile writes: private temporary paths beside the build's outputs, renamed
into place, so that another writer of the same output can never get into the cache; the outputs
stay byte for byte what the compiler writes without ddcc; leftovers of killed ddccs go away."""

import concurrent.futures
import os
import time
import unittest

from common import DdccTestCase

SOURCE = """#include <stdio.h>
#include "util.h"
int twice(int x) { return UTIL_FACTOR * x; }
int main(void) { printf("%d\\n", twice(21)); return 0; }
"""
TEMP_MARKER = ".ddcc-tmp."

# A compiler that, once the real one has written its outputs, writes other bytes to the paths
# named in $FOREIGN_OBJECT and $FOREIGN_DEPFILE: a second build writing the same outputs at the
# same moment, made deterministic.
FOREIGN_WRITER = """#!/bin/sh
/usr/bin/gcc "$@" || exit $?
case " $* " in *" -E "*) exit 0;; esac
[ -n "$FOREIGN_OBJECT" ] && printf 'foreign object' > "$FOREIGN_OBJECT"
[ -n "$FOREIGN_DEPFILE" ] && printf 'main.o: foreign.h\\n' > "$FOREIGN_DEPFILE"
exit 0
"""


class OutputsTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("include/util.h", "#define UTIL_FACTOR 2\n")
        self.write("main.c", SOURCE)

    def temp_files(self):
        return [os.path.join(d, name) for d, _, names in os.walk(self.work)
                for name in names if TEMP_MARKER in name]

    def test_another_writer_of_the_outputs_is_not_stored(self):
        wrapper = os.path.join(self.root, "bin", "gcc")
        os.makedirs(os.path.dirname(wrapper))
        with open(wrapper, "w") as f:
            f.write(FOREIGN_WRITER)
        os.chmod(wrapper, 0o755)
        args = ["-Iinclude", "-MD", "-c", "main.c", "-o", "main.o"]
        plain = self.run_cmd(["/usr/bin/gcc", *args])
        expected = {name: self.read(name) for name in ["main.o", "main.d"]}

        foreign = dict(self.env, FOREIGN_OBJECT=os.path.join(self.work, "main.o"),
                       FOREIGN_DEPFILE=os.path.join(self.work, "main.d"))
        miss = self.ddcc(wrapper, *args, env=foreign)
        self.assert_same_run(plain, miss)
        # ddcc renamed its own outputs over the other writer's.
        for name, content in expected.items():
            self.assertEqual(self.read(name), content, f"{name} after the miss")
        for name in expected:
            os.remove(os.path.join(self.work, name))
        hit = self.ddcc(wrapper, *args)
        self.assert_same_run(plain, hit)
        self.assertEqual(self.stats()["cache_hits"], 1)
        for name, content in expected.items():
            self.assertEqual(self.read(name), content, f"{name} served by the hit")

    def test_concurrent_compiles_to_one_output_store_their_own(self):
        """8 sources compiled again and again to the same object and dependency file, 4 at a
        time, every run a miss: each source's entry must hold its own compile's outputs. When
        ddcc read the build's paths back, this stored another source's dependency file in 2 of
        3 runs; test_another_writer_of_the_outputs_is_not_stored is the deterministic check."""
        count, rounds = 8, 5
        for i in range(count):
            body = "\n".join(f"int f{i}_{j}(int x) {{ return x * {j} + {i}; }}" for j in range(400))
            self.write(f"c{i}.c", body + "\n")
        recache = dict(self.env, DDCC_RECACHE="1")

        def compile_to_shared(i):
            return self.ddcc("gcc", "-O1", "-MD", "-MT", "shared.o", "-c", f"c{i}.c", "-o",
                             "shared.o", env=recache).returncode

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            self.assertEqual(set(pool.map(compile_to_shared, list(range(count)) * rounds)), {0})
        wrong = []
        for i in range(count):
            args = ["-O1", "-MD", "-MT", "shared.o", "-c", f"c{i}.c"]
            plain = self.run_cmd(["gcc", *args, "-o", f"plain{i}.o", "-MF", f"plain{i}.d"])
            self.assertEqual(plain.returncode, 0)
            hit = self.ddcc("gcc", *args, "-o", f"hit{i}.o", "-MF", f"hit{i}.d")
            self.assertEqual(hit.returncode, 0)
            for suffix in ["o", "d"]:
                if self.read(f"plain{i}.{suffix}") != self.read(f"hit{i}.{suffix}"):
                    wrong.append(f"c{i}.c's .{suffix}")
        self.assertEqual(self.stats()["cache_hits"], count)
        self.assertEqual(wrong, [])

    def test_outputs_are_the_plain_compiles_byte_for_byte(self):
        os.makedirs(os.path.join(self.work, "obj"))
        with open(os.path.join(self.work, "args.rsp"), "w") as f:
            f.write("-MD -MF obj/rsp.d -o obj/rsp.o\n")
        calls = [
            (["-c", "main.c"], ["main.o"]),
            (["-g", "-c", "main.c", "-oobj/joined.o"], ["obj/joined.o"]),
            (["-MD", "-c", "main.c", "-o", "obj/default.o"], ["obj/default.o", "obj/default.d"]),
            (["-MMD", "-MP", "-MFobj/mf.d", "-c", "main.c", "-o", "obj/mf.o"],
             ["obj/mf.o", "obj/mf.d"]),
            (["-Wp,-MD,obj/wp.d", "-c", "main.c", "-o", "obj/wp.o"], ["obj/wp.o", "obj/wp.d"]),
            (["-MD", "-MT", "a", "-MQ", "$(B) c", "-MT", "./d", "-c", "main.c", "-o",
              "obj/targets.o"], ["obj/targets.o", "obj/targets.d"]),
            (["-MD", "-c", "main.c", "-o", "./obj/../obj/dots.o"], ["obj/dots.o", "obj/dots.d"]),
            (["-c", "main.c", "@args.rsp"], ["obj/rsp.o", "obj/rsp.d"]),
        ]
        for compiler in ["gcc", "clang"]:
            for args, outputs in calls:
                args = ["-Iinclude", *args]
                with self.subTest(compiler=compiler, args=args):
                    plain = self.run_cmd([compiler, *args])
                    self.assertEqual(plain.returncode, 0, plain.stderr)
                    expected = {name: self.read(name) for name in outputs}
                    for run in ["miss", "hit"]:
                        for name in outputs:
                            os.remove(os.path.join(self.work, name))
                        self.assert_same_run(plain, self.ddcc(compiler, *args))
                        for name, content in expected.items():
                            self.assertEqual(self.read(name), content, f"{name} on the {run}")
        # Each compiler's calls with the same flags share an entry, whatever the object's name:
        # plain, -g, -MD, -MMD -MP then miss; the rest hit.
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (24, 8), stats)
        self.assertEqual(self.temp_files(), [])

    def test_a_failed_compile_leaves_the_object_as_the_compiler_would(self):
        """clang removes the object of a failed compile, gcc leaves it."""
        self.write("bad.c", "int f( { return 0; }\n")
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                left = []
                for ddcc in [False, True]:
                    self.write("bad.o", "old object")
                    argv = [compiler, "-c", "bad.c"]
                    result = self.ddcc(*argv) if ddcc else self.run_cmd(argv)
                    self.assertNotEqual(result.returncode, 0)
                    left.append(os.path.exists(os.path.join(self.work, "bad.o")))
                self.assertEqual(left[1], left[0])
        self.assertEqual(self.temp_files(), [])

    def test_a_miss_removes_stale_temporary_files_of_its_outputs(self):
        old = time.time() - 2 * 3600
        stale = [self.write("main.o.ddcc-tmp.1.00000000000000aa", "x"),
                 self.write("main.d.ddcc-tmp.1.00000000000000bb", "x")]
        for path in stale:
            os.utime(path, (old, old))
        fresh = self.write("main.o.ddcc-tmp.2.00000000000000cc", "x")
        other = self.write("other.o.ddcc-tmp.3.00000000000000dd", "x")
        os.utime(other, (old, old))
        result = self.ddcc("gcc", "-Iinclude", "-MD", "-c", "main.c")
        self.assertEqual(result.returncode, 0, result.stderr)
        for path in stale:
            self.assertFalse(os.path.exists(path), path)
        self.assertTrue(os.path.exists(fresh), "a live writer's file may be fresh")
        self.assertTrue(os.path.exists(other), "only the outputs' own temporary files")


if __name__ == "__main__":
    unittest.main()
