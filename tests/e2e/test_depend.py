"""Depend mode (DDCC_DEPEND=1) with real compilers: a direct-mode miss of a compile writing a
full dependency file compiles once, never preprocessing, and records the manifest from that file;
the next compile is a direct hit with the compiler's object and dependency file. Changed and
newly shadowing headers miss; compiles without a full dependency file take the normal path;
time macros never serve a stale result."""

import os
import shutil
import time
import unittest

from common import DDCC, HeaderSearchTestCase

SOURCE = HeaderSearchTestCase.SOURCE


def preprocessing(calls):
    """The calls that ran the preprocessor on a source, not on the search path probe's empty
    input."""
    return [c for c in calls if " -E " in f" {c} " and "/dev/null" not in c]


class DependModeTest(HeaderSearchTestCase):
    def setUp(self):
        super().setUp()
        self.env["DDCC_DEPEND"] = "1"
        self.args.insert(2, "-MD")

    def assert_new_file_misses(self, name, text):
        """After a hit, creating `name` makes a miss, with the compiler's result."""
        self.check()
        self.check()
        self.write(name, text)
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))

    def test_miss_compiles_once_and_the_next_compile_hits_directly(self):
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                wrapper = self.recorder(compiler)
                # The first unit with these flags asks for the search path (-E -v on an empty
                # input), which every other unit then finds memoised.
                self.write("other.c", SOURCE.replace("value", "other"))
                self.ddcc(wrapper, *[a if a != "main.c" else "other.c" for a in self.args])
                self.assertEqual(preprocessing(self.calls()), [])
                self.check(wrapper)
                calls = self.calls()
                self.assertEqual(len(calls), 1, calls)
                self.assertNotIn(" -E ", f" {calls[0]} ")
                self.check(wrapper)
                self.assertEqual(self.calls(), [])
        self.assertEqual(self.hits(), (2, 0, 4))

    def test_headers_whose_names_make_quotes(self):
        # The dependency file quotes a space as "\ " and '$' as "$$": read exactly, each such
        # header is in the include set, and a change to it misses.
        self.write("second/util.h", '#include "a b.h"\n#include "c$d.h"\n#define UTIL (A + D)\n')
        for value in (1, 2):
            self.write("second/a b.h", f"#define A {value}\n")
            self.write("second/c$d.h", "#define D 3\n")
            for _ in range(2):
                for compiler in ["gcc", "clang"]:
                    with self.subTest(compiler=compiler, value=value):
                        self.check(compiler)
        self.write("second/c$d.h", "#define D 4\n")
        self.check()
        self.assertEqual(self.hits(), (4, 0, 5))

    def test_each_header_content_has_its_own_result(self):
        for value in (2, 3, 2, 3):
            self.write("second/util.h", f"#define UTIL {value}\n")
            self.check()
        self.assertEqual(self.hits(), (2, 0, 2))

    def test_new_header_earlier_on_the_search_path(self):
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                self.check(compiler)
                self.check(compiler)
                self.write("first/util.h", "#define UTIL 1\n")  # shadows second/util.h
                self.check(compiler)
                self.write("util.h", "#define UTIL 0\n")  # beside main.c: searched first
                self.check(compiler)
                os.remove(os.path.join(self.work, "util.h"))
                os.remove(os.path.join(self.work, "first/util.h"))
        self.assertEqual(self.hits(), (2, 0, 6))

    def test_new_header_beside_its_includer(self):
        # A dependency file does not say that second/util.h included first/inner.h, whose quoted
        # #include looked beside util.h first.
        self.write("second/util.h", '#include "inner.h"\n')
        self.write("first/inner.h", "#define UTIL 1\n")
        self.assert_new_file_misses("second/inner.h", "#define UTIL 2\n")

    def test_new_header_through_a_parent_of_an_earlier_search_directory(self):
        # "../common/x.h" found in second/a is second/a/../common/x.h, which no search directory
        # holds once normal; first/a/../common/x.h was tried before it.
        self.args = ["-Ifirst/a", "-Isecond/a", "-MD", "-c", "main.c", "-o", "main.o"]
        self.write("first/a/.keep", "")
        self.write("second/a/.keep", "")
        self.write("second/common/x.h", "#define UTIL 2\n")
        for spelling in ['"../common/x.h"', "<../common/x.h>"]:
            for compiler in ["gcc", "clang"]:
                with self.subTest(spelling=spelling, compiler=compiler):
                    self.write("main.c", f"#include {spelling}\nint value(void) {{ return UTIL; }}\n")
                    self.check(compiler)
                    self.check(compiler)
                    self.write("first/common/x.h", "#define UTIL 1\n")
                    self.check(compiler)
                    shutil.rmtree(os.path.join(self.work, "first/common"))
        self.assertEqual(self.hits(), (4, 0, 8))

    def test_new_header_shadowing_a_system_header(self):
        self.write("main.c", "#include <stddef.h>\nint value(void) { return sizeof(size_t); }\n")
        self.assert_new_file_misses("first/stddef.h", "typedef char size_t;\n")

    def test_without_a_full_dependency_file_takes_the_normal_path(self):
        wrapper = self.recorder()
        for args in [[a for a in self.args if a != "-MD"],
                     [a if a != "-MD" else "-MMD" for a in self.args]]:
            with self.subTest(args=args):
                self.check(wrapper, args=args)
                self.assertEqual(len(preprocessing(self.calls())), 1)
                explained = self.ddcc("--explain", "main.o").stdout.decode()
                self.assertIn("depend mode not used", explained)
                self.check(wrapper, args=args)
                self.assertEqual(self.calls(), [])
        self.assertEqual(self.hits(), (2, 0, 2))

    def test_time_macros_never_serve_a_stale_result(self):
        self.write("second/util.h", '#define UTIL 0\nconst char* when = __TIME__;\n')
        wrapper = self.recorder()
        # Not compared with a plain compile, which may run in the next second: each object must
        # hold the time of its own compile, so the second one differs from the first.
        objects = []
        for _ in range(2):
            self.assertEqual(self.ddcc(wrapper, *self.args).returncode, 0)
            objects.append(self.read("main.o"))
            time.sleep(1.1)
        self.assertNotEqual(objects[0], objects[1])
        calls = self.calls()
        self.assertEqual(preprocessing(calls), [])
        # Besides ddcc's questions: its -E on /dev/null, where a specs file is (LIBRARY_PATH),
        # where gcc looks for its assembler.
        self.assertEqual(len([c for c in calls if "/dev/null" not in c and
                              c not in ("-print-libgcc-file-name", "-print-search-dirs")]), 2)
        self.assertEqual(self.hits(), (0, 0, 2))
        # SOURCE_DATE_EPOCH fixes the time, but the direct key holds only whether it is set:
        # another epoch would find the set, so none is recorded (and depend mode has no text).
        epoch = dict(self.env, SOURCE_DATE_EPOCH="1700000000")
        self.check(env=epoch)
        self.check(env=epoch)
        self.assertEqual(self.hits(), (0, 0, 4))

    def test_date_macro_is_served_on_its_day_only(self):
        """As in direct mode, a result holding __DATE__ (a file names it, or token pasting
        makes it and the object shows it) is kept to its day."""
        for name, header in [("named", "#define UTIL 1\nconst char* day = __DATE__;\n"),
                             ("pasted", "#define UTIL 1\n#define C(a, b) a##b\n"
                                        "#define X(a, b) C(a, b)\nconst char* day = X(__DA, TE__);\n")]:
            for compiler in ["gcc", "clang"]:
                with self.subTest(name=name, compiler=compiler):
                    self.write("second/util.h", header)
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, name + compiler))
                    self.assertEqual(self.days_served(compiler, env), (2, 0, 3))

    def test_a_pasted_date_folded_into_a_constant_under_another_epoch(self):
        # Without text, a __DATE__ made by token pasting and folded into a constant shows
        # nowhere: depend mode keeps SOURCE_DATE_EPOCH's value in the direct key.
        self.write("main.c", "#define C(a, b) a##b\n#define X(a, b) C(a, b)\n"
                             "int day = X(__DA, TE__)[10];\n")
        for epoch in ["100000000", "200000000"]:
            self.check(env=dict(self.env, SOURCE_DATE_EPOCH=epoch))

    def test_base_dir_keeps_each_tree_to_its_own_result(self):
        # Without the preprocessed text nothing shows whether __FILE__ names the tree, so the
        # second tree misses and gets its own result, never the first tree's.
        self.env["DDCC_BASEDIR"] = self.root
        trees = [os.path.join(self.root, name) for name in ("one", "two")]
        for tree in trees:
            for name in ("second/util.h", "main.c"):
                self.write(os.path.join(tree, name), self.read(name, mode="r"))
            self.write(os.path.join(tree, "first/.keep"), "")
            self.write(os.path.join(tree, "second/util.h"),
                       '#define UTIL 0\nconst char* file = __FILE__;\n')
        for tree in trees * 2:
            args = [f"-I{tree}/first", f"-I{tree}/second", *self.args[2:]]
            self.settle()
            cached = self.run_cmd([DDCC, "gcc", *args], cwd=tree)
            self.assertEqual(cached.returncode, 0, cached.stderr)
            for output in ("main.o", "main.d"):
                with open(os.path.join(tree, output), "rb") as f:
                    self.assertIn(tree.encode() + b"/second/util.h", f.read())
        self.assertEqual(self.hits(), (2, 0, 2))

if __name__ == "__main__":
    unittest.main()
