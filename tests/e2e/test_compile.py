"""Cacheable compiles through ddcc with real gcc, g++ and clang: every object and dependency
file compared byte for byte with what the compiler writes without ddcc."""

import os
import shutil
import unittest

from common import DdccTestCase

C_SOURCE = """#include <stdio.h>
#include "util.h"
int twice(int x) { return UTIL_FACTOR * x; }
int main(void) { printf("%d\\n", twice(21)); return 0; }
"""
PGO_SOURCE = """int f(int n) { int s = 0; for (int i = 0; i < n; ++i) s += i % 3 ? i : -i; return s; }
int main(int argc, char **argv) { (void)argv; return f(argc * 1000) & 1; }
"""
CXX_SOURCE = """#include <string>
#include <vector>
#include "util.h"
std::vector<std::string> names() { return {"a", std::to_string(UTIL_FACTOR)}; }
"""
WARNING_SOURCE = """int f(int x) { int unused; return x; }
"""
COMPILERS = [("gcc", "c", C_SOURCE), ("g++", "cpp", CXX_SOURCE), ("clang", "c", C_SOURCE),
             ("clang++", "cpp", CXX_SOURCE)]


class CompileTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("include/util.h", "#define UTIL_FACTOR 2\n")

    def plain_and_cached(self, compiler, args, outputs, cached_runs=2):
        """Compiles once without ddcc, then `cached_runs` times with it; checks that every run
        wrote the same outputs and printed the same as the plain one."""
        plain = self.run_cmd([compiler, *args])
        expected = {name: self.read(name) for name in outputs if plain.returncode == 0}
        for _ in range(cached_runs):
            for name in outputs:
                if os.path.exists(os.path.join(self.work, name)):
                    os.remove(os.path.join(self.work, name))
            cached = self.ddcc(compiler, *args)
            self.assert_same_run(plain, cached)
            for name in expected:
                self.assertEqual(self.read(name), expected[name], f"{name} differs ({compiler})")
        return plain

    def test_miss_then_hit_for_each_compiler(self):
        for compiler, suffix, source in COMPILERS:
            with self.subTest(compiler=compiler):
                before = self.stats()
                self.write(f"src/main.{suffix}", source)
                self.plain_and_cached(
                    compiler, ["-O2", "-Iinclude", "-c", f"src/main.{suffix}", "-o", "main.o"],
                    ["main.o"])
                after = self.stats()
                self.assertEqual(after["cache_misses"] - before["cache_misses"], 1)
                self.assertEqual(after["cache_hits"] - before["cache_hits"], 1)

    def test_time_saved_grows_on_hits(self):
        self.write("main.c", C_SOURCE)
        self.plain_and_cached("gcc", ["-Iinclude", "-O2", "-c", "main.c"], ["main.o"],
                              cached_runs=1)
        self.assertEqual(self.stats()["time_saved_seconds"], 0)
        saved = []
        for _ in range(2):
            self.plain_and_cached("gcc", ["-Iinclude", "-O2", "-c", "main.c"], ["main.o"],
                                  cached_runs=1)
            saved.append(self.stats()["time_saved_seconds"])
        self.assertGreater(saved[0], 0)
        self.assertAlmostEqual(saved[1], 2 * saved[0], delta=0.0015)

    def test_debug_writes_the_key_inputs_beside_the_object(self):
        self.write("main.c", C_SOURCE)
        self.env["DDCC_DEBUG"] = "1"
        transcripts = []
        for level in ["-O1", "-O2"]:
            self.plain_and_cached("gcc", ["-Iinclude", level, "-c", "main.c"], ["main.o"],
                                  cached_runs=1)
            transcripts.append(self.read("main.o.ddcc-keys.txt", "r").splitlines())
        changed = set(transcripts[0]) ^ set(transcripts[1])
        self.assertEqual(changed, {"argument: -O1", "argument: -O2",
                                   "preprocessor argument: -O1", "preprocessor argument: -O2"})
        self.assertIn("# result key", transcripts[0])

    def test_files_beside_the_object(self):
        self.write("src/main.c", C_SOURCE)
        os.makedirs(os.path.join(self.work, "obj"))
        cases = [("gcc", ["-g", "-gsplit-dwarf", "-fstack-usage"], [".dwo", ".su"]),
                 ("clang", ["-g", "-gsplit-dwarf"], [".dwo"])]
        for compiler, options, suffixes in cases:
            with self.subTest(compiler=compiler):
                outputs = ["obj/main.o"] + [f"obj/main{suffix}" for suffix in suffixes]
                self.plain_and_cached(compiler, ["-Iinclude", *options, "-c", "src/main.c",
                                                 "-o", "obj/main.o"], outputs)
        self.assertEqual(self.stats()["cache_hits"], 2)

    def test_coverage_files_stay_consistent_with_their_object(self):
        self.write("src/main.c", C_SOURCE)
        outputs = ["main.o", "main.gcno"]
        args = ["gcc", "--coverage", "-Iinclude", "-c", "src/main.c", "-o", "main.o"]
        runs = []
        for _ in range(2):
            for name in outputs:
                if os.path.exists(os.path.join(self.work, name)):
                    os.remove(os.path.join(self.work, name))
            self.assertEqual(self.ddcc(*args).returncode, 0)
            runs.append([self.read(name) for name in outputs])
        # The .gcno carries a stamp that the object repeats; a hit brings back both.
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(self.stats()["cache_hits"], 1)
        # The object names its .gcda by absolute path: another directory must not hit.
        other = os.path.join(self.root, "other")
        shutil.copytree(self.work, other)
        self.assertEqual(self.ddcc(*args, cwd=other).returncode, 0)
        self.assertIn(other.encode(), self.run_cmd(["strings", "main.o"], cwd=other).stdout)
        self.assertEqual(self.stats()["cache_hits"], 1)

    def test_profile_use_reads_the_gcda_beside_the_object(self):
        self.write("pgo.c", PGO_SOURCE)
        use = ["-O2", "-fprofile-use", "-c", "pgo.c", "-o", "pgo.o"]
        # No profile yet: gcc warns and compiles; the warning is replayed on the hit.
        plain = self.plain_and_cached("gcc", use, ["pgo.o"])
        self.assertIn(b"missing-profile", plain.stderr)
        self.run_cmd(["gcc", "-O2", "-fprofile-generate", "-c", "pgo.c", "-o", "pgo.o"])
        self.run_cmd(["gcc", "-fprofile-generate", "pgo.o", "-o", "pgo"])
        self.run_cmd(["./pgo"])
        self.assertTrue(os.path.exists(os.path.join(self.work, "pgo.gcda")))
        self.plain_and_cached("gcc", use, ["pgo.o"])
        self.run_cmd(["./pgo", "more", "arguments"])  # the profile's counts change
        self.plain_and_cached("gcc", use, ["pgo.o"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (3, 3))
        # A profile the training run wrote just now is not taken for one changed during the
        # compile: stored, and the next compile hits.
        self.run_cmd(["./pgo"])
        self.assertEqual(self.ddcc("gcc", *use).returncode, 0)
        self.plain_and_cached("gcc", use, ["pgo.o"], cached_runs=1)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (4, 4))

    def test_clangs_macro_debug_info_is_cached(self):
        # -g3 records every macro, unused ones from -D and -imacros too: -E -dD shows them.
        self.write("m.c", "#define LOCAL 5\nint f(void) { return LOCAL; }\n")
        for option in ["-g3", "-fdebug-macro"]:
            for define, imacros in [("1", "1"), ("1", "1"), ("2", "1"), ("2", "3")]:
                with self.subTest(option=option, define=define, imacros=imacros):
                    self.write("im.h", f"#define IM {imacros}\n")
                    self.plain_and_cached("clang", ["-g", option, f"-DUNUSED={define}",
                                                    "-imacros", "im.h", "-c", "m.c"], ["m.o"],
                                          cached_runs=1)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (6, 2))

    def test_profile_instrumentation_is_cached(self):
        # clang's source-based coverage (CI's coverage jobs), PGO instrumentation of both.
        self.write("pgo.c", PGO_SOURCE)
        calls = [("clang", ["-fprofile-instr-generate", "-fcoverage-mapping"]),
                 ("clang", ["-fprofile-generate"]),
                 ("gcc", ["-fprofile-generate", "-frandom-seed=1"])]
        for compiler, options in calls:
            with self.subTest(compiler=compiler, options=options):
                self.plain_and_cached(compiler, [*options, "-c", "pgo.c", "-o", "pgo.o"],
                                      ["pgo.o"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (3, 3))

    def test_profile_use_beside_an_object_named_with_a_leading_dot(self):
        # gcc reads sub/.o.gcda for sub/.o (no suffix to replace).
        self.write("pgo.c", PGO_SOURCE)
        os.makedirs(os.path.join(self.work, "sub"))
        use = ["-O2", "-fprofile-use", "-c", "pgo.c", "-o", "sub/.o"]
        self.plain_and_cached("gcc", use, ["sub/.o"])
        self.run_cmd(["gcc", "-O2", "-fprofile-generate", "-c", "pgo.c", "-o", "sub/.o"])
        self.run_cmd(["gcc", "-fprofile-generate", "sub/.o", "-o", "pgo"])
        self.run_cmd(["./pgo"])
        self.assertTrue(os.path.exists(os.path.join(self.work, "sub/.o.gcda")))
        plain = self.plain_and_cached("gcc", use, ["sub/.o"])
        self.assertNotIn(b"missing-profile", plain.stderr)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (2, 2))

    def test_a_changed_header_misses(self):
        self.write("main.c", C_SOURCE)
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"])
        self.write("include/util.h", "#define UTIL_FACTOR 3\n")
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"], cached_runs=1)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (2, 1))

    def test_warnings_are_replayed(self):
        self.write("warn.c", WARNING_SOURCE)
        for compiler in ["gcc", "clang"]:
            plain = self.plain_and_cached(compiler, ["-Wall", "-c", "warn.c"], ["warn.o"])
            self.assertIn(b"unused", plain.stderr)
        self.assertEqual(self.stats()["cache_hits"], 2)

    def test_dependency_files(self):
        self.write("src/main.c", C_SOURCE)
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                # CMake's Ninja generator
                self.plain_and_cached(compiler, [
                    "-Iinclude", "-MD", "-MT", "obj/main.c.o", "-MF", "obj/main.c.o.d", "-o",
                    "obj/main.c.o", "-c", "src/main.c"], ["obj/main.c.o", "obj/main.c.o.d"])
                # default dependency file and target, and -MMD -MP
                self.plain_and_cached(compiler, ["-Iinclude", "-MMD", "-MP", "-c", "src/main.c",
                                                 "-o", "obj/m2.o"], ["obj/m2.o", "obj/m2.d"])
                # -MQ with characters Make quoting changes
                self.plain_and_cached(compiler, ["-Iinclude", "-MD", "-MQ", "$(OBJ) x.o", "-c",
                                                 "src/main.c", "-o", "obj/m3.o"],
                                      ["obj/m3.o", "obj/m3.d"])

    def test_other_object_name_shares_the_entry_with_right_targets(self):
        self.write("src/main.c", C_SOURCE)
        os.makedirs(os.path.join(self.work, "static"))
        os.makedirs(os.path.join(self.work, "shared"))
        self.plain_and_cached("gcc", ["-Iinclude", "-MD", "-c", "src/main.c", "-o",
                                      "static/main.o"], ["static/main.o", "static/main.d"],
                              cached_runs=1)
        self.plain_and_cached("gcc", ["-Iinclude", "-MD", "-c", "src/main.c", "-o",
                                      "shared/main.o"], ["shared/main.o", "shared/main.d"],
                              cached_runs=1)
        self.assertEqual(self.stats()["cache_hits"], 1)
        self.assertTrue(self.read("shared/main.d").startswith(b"shared/main.o:"))

    def test_an_unused_define_shares_the_entry(self):
        self.write("main.c", C_SOURCE)
        self.plain_and_cached("gcc", ["-Iinclude", "-DUNUSED=1", "-c", "main.c"], ["main.o"],
                              cached_runs=1)
        self.plain_and_cached("gcc", ["-Iinclude", "-DUNUSED=2", "-c", "main.c"], ["main.o"],
                              cached_runs=1)
        self.plain_and_cached("gcc", ["-Iinclude", "-O1", "-c", "main.c"], ["main.o"],
                              cached_runs=1)
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (1, 2))

    def test_macros_in_debug_info_are_never_served_from_another_define(self):
        """gcc's -g3 keeps the definitions in its preprocessed text, so they are keyed; clang's
        (-g3, -fdebug-macro) leaves them out, so clang does not cache those compiles."""
        for compiler, flag in (("gcc", "-g3"), ("clang", "-g3"), ("clang", "-fdebug-macro")):
            with self.subTest(compiler=compiler, flag=flag):
                for value in (1, 2):
                    self.write("macros.c", f"#define UNUSED {value}\nint f(void) {{ return 1; }}\n")
                    self.plain_and_cached(compiler, ["-g", flag, "-c", "macros.c"], ["macros.o"],
                                          cached_runs=1)

    def test_debug_info_names_the_right_directory(self):
        self.write("a/main.c", C_SOURCE)
        self.write("a/include/util.h", "#define UTIL_FACTOR 2\n")
        shutil.copytree(os.path.join(self.work, "a"), os.path.join(self.work, "b"))
        for compiler in ["gcc", "clang"]:
            for tree in ["a", "b"]:
                cwd = os.path.join(self.work, tree)
                cached = self.ddcc(compiler, "-g", "-Iinclude", "-c", "main.c", cwd=cwd)
                self.assertEqual(cached.returncode, 0, cached.stderr)
                dwarf = self.run_cmd(["objdump", "--dwarf=info", "main.o"], cwd=cwd).stdout
                self.assertIn(cwd.encode(), dwarf)
                other = os.path.join(self.work, "b" if tree == "a" else "a")
                self.assertNotIn(other.encode(), dwarf)
        # clang's object moves to b, a name as long (docs/paths.md); gcc's stays in a.
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (1, 3))

    def test_failing_compile_keeps_status_and_message(self):
        self.write("bad.c", "int f( { return 0; }\n")
        for compiler in ["gcc", "clang"]:
            plain = self.plain_and_cached(compiler, ["-c", "bad.c"], [])
            self.assertNotEqual(plain.returncode, 0)
        stats = self.stats()
        self.assertEqual(stats["uncacheable_reasons"]["compilation_failed"], 4)
        # gcc's and clang's search paths (stamped before the key is made); bad.o's record for
        # --explain is in the journal, not an entry.
        self.assertEqual(stats["files"], 2)

    def test_damaged_entry_is_a_miss_and_removed(self):
        self.write("main.c", C_SOURCE)
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"], cached_runs=1)
        entries = [os.path.join(d, f) for d, _, files in os.walk(self.cache)
                   for f in files if f.endswith(".e")]
        # The result, its manifest, and the search path.
        self.assertEqual(len(entries), 3)
        for entry in entries:
            with open(entry, "r+b") as f:
                f.seek(os.path.getsize(entry) // 2)
                byte = f.read(1)
                f.seek(-1, os.SEEK_CUR)
                f.write(bytes([byte[0] ^ 0xFF]))
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"], cached_runs=2)
        stats = self.stats()
        self.assertEqual(stats["error_reasons"]["corrupt_entry"], 3)
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (2, 1))

    def test_unusable_cache_directory_still_builds(self):
        self.write("main.c", C_SOURCE)
        not_a_dir = self.write("file", "x")
        for cache_dir in [not_a_dir, os.path.join(not_a_dir, "sub"), "/proc/ddcc"]:
            with self.subTest(cache_dir=cache_dir):
                self.env["DDCC_DIR"] = cache_dir
                self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"])

    def test_bad_config_still_builds_and_is_logged(self):
        self.write("main.c", C_SOURCE)
        os.makedirs(self.cache)
        with open(os.path.join(self.cache, "ddcc.conf"), "w") as f:
            f.write("max_size = lots\n")
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"])
        self.assertIn("bad configuration", self.log())
        self.env["DDCC_MAXSIZE"] = "not a size"
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"])

    def test_output_to_dev_null_is_not_replaced(self):
        self.write("main.c", C_SOURCE)
        for _ in range(2):
            result = self.ddcc("gcc", "-Iinclude", "-c", "main.c", "-o", "/dev/null")
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists("/dev/null") and not os.path.isfile("/dev/null"))
        self.assertEqual(
            self.stats()["uncacheable_reasons"]["output_not_regular_file"], 2)

    def test_preprocessor_warnings_are_part_of_the_key(self):
        self.write("main.c", C_SOURCE)
        for redefined in ["-DX=2", "-DX=1"]:
            plain = self.plain_and_cached("gcc", ["-Iinclude", "-DX=1", redefined, "-c", "main.c"],
                                          ["main.o"], cached_runs=1)
        self.assertEqual(plain.stderr, b"")
        self.assertEqual(self.stats()["cache_misses"], 2)

    def test_incbin_is_not_cached(self):
        self.write("data.bin", "one")
        self.write("blob.c", '__asm__(".section .rodata\\n.incbin \\"data.bin\\"\\n");\n')
        self.write("blob.S", '.section .rodata\n.include "defs.s"\n')
        self.write("defs.s", ".long 1\n")
        for _ in range(2):
            self.plain_and_cached("gcc", ["-c", "blob.c"], ["blob.o"], cached_runs=1)
            self.plain_and_cached("gcc", ["-c", "blob.S"], ["blob.o"], cached_runs=1)
            self.write("data.bin", "two")
        stats = self.stats()
        self.assertEqual(stats["uncacheable_reasons"]["unsupported_code_directive"], 4)
        # The search paths of C and of assembler-with-cpp; blob.o's record for --explain is in
        # the journal.
        self.assertEqual(stats["files"], 2)

    def test_recache_overwrites(self):
        self.write("main.c", C_SOURCE)
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"], cached_runs=1)
        self.env["DDCC_RECACHE"] = "1"
        self.plain_and_cached("gcc", ["-Iinclude", "-c", "main.c"], ["main.o"], cached_runs=1)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (2, 0))

    def test_assembler_with_preprocessor(self):
        self.write("start.S", "#define VALUE 42\n.globl value\nvalue: .long VALUE\n")
        self.plain_and_cached("gcc", ["-c", "start.S"], ["start.o"])
        self.assertEqual(self.stats()["cache_hits"], 1)

    def test_assembler_without_preprocessor(self):
        """A .s (OpenSSL's perlasm output, a compiler's -S) is read as it is: cached, and an edit,
        with or without -g, with the line markers gas reads, or a -x assembler, is a new key."""
        versions = [".globl value\nvalue: .long 42\n", ".globl value\nvalue: .long 43\n",
                    '# 7 "gen.c"\n.globl value\nvalue: .long 43\n',
                    '# 7 "gen.c"\n.globl value\nvalue: .long 43\n# 9 "gen.c"\n.warning "w"\n']
        for compiler in ["gcc", "clang"]:
            for args in [["-c", "start.s"], ["-g", "-c", "start.s"],
                         ["-x", "assembler", "-c", "start.asm", "-o", "start.o"]]:
                for text in versions:
                    with self.subTest(compiler=compiler, args=args, text=text):
                        self.write("start.s", text)
                        self.write("start.asm", text)
                        self.plain_and_cached(compiler, args, ["start.o"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (24, 24))
        # Nothing is preprocessed, so no dependency file is written: run as is.
        self.plain_and_cached("gcc", ["-MD", "-c", "start.s"], ["start.o"])
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_option"], 2)

    def test_assembly_output(self):
        """-S writes assembly where -c writes an object: cached under a key of its own (neither
        serves the other), named after the source without -o, its dependency file's target still
        the .o that gcc and clang name there; -g names the directory in it as in an object."""
        for compiler, suffix, source in COMPILERS:
            self.write(f"src/main.{suffix}", source)
            for args, outputs in [(["-S", f"src/main.{suffix}", "-MD"], ["main.s", "main.d"]),
                                  (["-c", "-S", "-g", f"src/main.{suffix}"], ["main.s"]),
                                  (["-S", "-O2", f"src/main.{suffix}", "-o", "out.o", "-MMD"],
                                   ["out.o", "out.d"]),
                                  (["-c", "-O2", f"src/main.{suffix}", "-o", "out.o", "-MMD"],
                                   ["out.o", "out.d"])]:
                with self.subTest(compiler=compiler, args=args):
                    self.plain_and_cached(compiler, ["-Iinclude", *args], outputs)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (16, 16))
        # The assembler writes the .dwo, and an assembler source gives -S nothing to do.
        self.write("start.S", ".globl value\nvalue: .long 42\n")
        self.plain_and_cached("gcc", ["-S", "-gsplit-dwarf", "src/main.c"], ["main.s"])
        self.plain_and_cached("gcc", ["-S", "start.S", "-o", "start.out"], [])
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_option"], 4)

    def test_verbose_assembly_of_two_trees(self):
        """gcc's -fverbose-asm quotes each line of code under its file's name as read: under a
        base directory, a second tree's absolute names are not the first one's."""
        self.env["DDCC_BASEDIR"] = self.work
        for tree in ["t1", "t2"]:
            with self.subTest(tree=tree):
                self.write(f"{tree}/inc/h.h", "static inline int g(int x) { return x * 3; }\n")
                self.write(f"{tree}/a.c", '#include "h.h"\nint f(int x) { return g(x) + 1; }\n')
                cwd = os.path.join(self.work, tree)
                args = ["gcc", "-S", "-fverbose-asm", "-I", os.path.join(cwd, "inc"),
                        os.path.join(cwd, "a.c"), "-o", "a.s"]
                plain = self.run_cmd(args, cwd=cwd)
                expected = self.read(f"{tree}/a.s")
                os.remove(os.path.join(cwd, "a.s"))
                self.assert_same_run(plain, self.ddcc(*args, cwd=cwd))
                self.assertEqual(self.read(f"{tree}/a.s"), expected)

    def test_preprocessed_sources(self):
        """A .i or .ii (what -E wrote) is read as it is: cached, the C++ drivers compiling a .i as
        C++; what would make the compiler read another file, the clock or the source's name runs
        as is (clang preprocesses a .i again; gcc reads the .gch that -fpch-preprocess names)."""
        for compiler, suffix, source in COMPILERS:
            self.write(f"src/main.{suffix}", source)
            plain = self.run_cmd([compiler, "-Iinclude", "-E", f"src/main.{suffix}"])
            self.assertEqual(plain.returncode, 0, plain.stderr)
            self.write("main.i", plain.stdout.decode())
            self.write("main.ii", plain.stdout.decode())
            for args in [["-c", "main.i"], ["-O2", "-g", "-c", "main.ii", "-o", "x.o"]]:
                with self.subTest(compiler=compiler, args=args):
                    self.plain_and_cached(compiler, args, ["main.o" if "-o" not in args else "x.o"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (8, 8))
        self.write("include/dep.h", "#define UTIL 3\n")
        for compiler, text in [("clang", '#include "include/dep.h"\nint u = UTIL;\n'),
                               ("clang", "const char *d = __DATE__;\n"),
                               ("gcc", '#pragma GCC pch_preprocess "include/dep.h.gch"\nint u;\n')]:
            with self.subTest(compiler=compiler, text=text):
                self.write("odd.i", text)
                self.plain_and_cached(compiler, ["-c", "odd.i"], ["odd.o"])
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_code_directive"], 6)

    def test_what_a_preprocessed_source_names(self):
        """gcc quotes a message's line from the file a .i's markers name (and -fverbose-asm its
        lines), read from disk: an edit there is a new key. A .i without markers is named as the
        command line names it (__builtin_FILE()): under a base directory, a second tree's
        absolute path is not the first's."""
        self.write("a.c", "int f(void) {\n  int u; return u; /* one */\n}\n")
        self.write("a.i", self.run_cmd(["gcc", "-E", "a.c"]).stdout.decode())
        for mode in [{}, {"DDCC_DIRECT_MODE": "0"}]:
            for comment in ["one", "two"]:
                with self.subTest(mode=mode, comment=comment):
                    self.write("a.c", f"int f(void) {{\n  int u; return u; /* {comment} */\n}}\n")
                    self.env.update(mode)
                    self.plain_and_cached("gcc", ["-Wall", "-c", "a.i"], ["a.o"])
                    self.plain_and_cached("gcc", ["-S", "-fverbose-asm", "a.i"], ["a.s"])
        self.env.pop("DDCC_DIRECT_MODE")
        self.env["DDCC_BASEDIR"] = self.work
        for compiler in ["gcc", "clang"]:
            for tree in ["t1", "t2"]:
                with self.subTest(compiler=compiler, tree=tree):
                    self.write(f"{tree}/b.i", "const char *f = __builtin_FILE();\n")
                    self.plain_and_cached(compiler, ["-c", os.path.join(self.work, tree, "b.i"),
                                                     "-o", f"{tree}/b.o"], [f"{tree}/b.o"])

    def test_options_unused_by_a_source_read_as_it_is(self):
        """clang's driver warns of a preprocessing option that a .s or .i leaves unused, and with
        -Werror fails: a hit of the same source without it must not be served."""
        self.write("start.s", ".globl value\nvalue: .long 42\n")
        self.write("start.i", "int value = 42;\n")
        for source in ["start.s", "start.i"]:
            for args in [[], ["-DX"], ["-Werror", "-DX"], ["-include", "include/util.h"]]:
                with self.subTest(source=source, args=args):
                    self.plain_and_cached("clang", [*args, "-c", source], ["start.o"])

    def test_options_passed_to_the_preprocessor(self):
        """-Xpreprocessor X is read as -Wp,X (commas kept): a -D shares the entry of the text it
        makes, an option of the compiler proper (cc1 compiles too) is keyed; one whose value the
        next -Xpreprocessor gives runs as is."""
        self.write("x.c", "#ifdef X\nint x = X;\n#endif\nint y;\n")
        for compiler in ["gcc", "clang"]:
            for args in [["-Xpreprocessor", "-DX=3"], ["-Xpreprocessor", "-DX=4"],
                         ["-Xpreprocessor", "-DY=1,2"], ["-Xpreprocessor", "-fopenmp"],
                         ["-Xpreprocessor", "-include", "-Xpreprocessor", "include/util.h"]]:
                with self.subTest(compiler=compiler, args=args):
                    self.plain_and_cached(compiler, [*args, "-c", "x.c"], ["x.o"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], stats["cache_hits"]), (8, 8))
        # The text of -DY=1,2 (Y unused) is that of no -D: a hit.
        self.plain_and_cached("gcc", ["-c", "x.c"], ["x.o"])
        self.assertEqual(self.stats()["cache_hits"], 10)
        self.assertEqual(stats["uncacheable_reasons"]["unsupported_option"], 4)

    def test_compile_options_passed_to_the_preprocessor_run_as_they_are(self):
        """-Wp,X and -Xpreprocessor X give X to cc1 alone, unseen by ddcc's reading of the
        options: -g names the directory, -g3 records the -D macros, -fstack-usage and
        -ftest-coverage write files named after the object. Each runs as it is, in any
        directory and with any -D."""
        for option, written in [("-g", []), ("-g3", []), ("-fstack-usage", ["x.su"]),
                                ("-ftest-coverage", ["x.gcno"])]:
            for how in [[f"-Wp,{option}"], ["-Xpreprocessor", option]]:
                for where, define in [("one", "-DV=1"), ("two", "-DV=2")]:
                    with self.subTest(how=how, where=where):
                        shutil.rmtree(os.path.join(self.work, where), ignore_errors=True)
                        self.write(f"{where}/x.c", "int f(int x) { return x + 1; }\n")
                        args = ["gcc", *how, define, "-c", "x.c", "-o", "x.o"]
                        cwd = os.path.join(self.work, where)
                        plain = self.run_cmd(args, cwd=cwd)
                        expected = {n: self.read(f"{where}/{n}") for n in ["x.o", *written]}
                        for name in expected:
                            os.remove(os.path.join(cwd, name))
                        self.assert_same_run(plain, self.ddcc(*args, cwd=cwd))
                        self.assertEqual(sorted(os.listdir(cwd)), sorted(["x.c", *expected]))
                        for name, content in expected.items():
                            if name != "x.gcno":  # its stamp differs between two compiles
                                self.assertEqual(self.read(f"{where}/{name}"), content, name)
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_option"], 16)

if __name__ == "__main__":
    unittest.main()
