"""-g builds in two directories whose names are as long, as pip makes them
(pip-req-build-XXXXXXXX), with relative paths as setuptools passes them. clang's object moves:
the second directory hits and gets, byte for byte, what clang writes there, DW_AT_comp_dir
naming it. gcc's does not (gcc orders its debug strings by a hash of their text), nor does an
object where more than the compiler's naming of the directory may have put it there."""

import os
import re
import shutil
import tempfile
import unittest

from common import DdccTestCase

SOURCES = {
    "src/main.c": '#include "util.h"\nstatic int twice(int x) { return 2 * x; }\n'
                  "int value(void) { return twice(UTIL); }\n",
    "src/main.cc": '#include "util.h"\n#include <string>\n#include <vector>\n'
                   "namespace { std::vector<std::string> names = {\"a\"}; }\n"
                   "template <typename T> T twice(T x) { return x + x; }\n"
                   "int value() { return twice(UTIL) + names.size(); }\n",
    "src/file.c": "const char *where(void) { return __FILE__; }\n",
    "include/util.h": "#define UTIL 2\n",
}
SOURCE = {"clang": "src/main.c", "clang++": "src/main.cc", "gcc": "src/main.c",
          "g++": "src/main.cc"}


class DebugDirectoryTest(DdccTestCase):
    def reset(self):
        """An empty cache and working directory again, for the next subtest."""
        self.tearDown()
        self.setUp()

    def tree(self, name):
        """A copy of the sources in self.work/<name>."""
        tree = os.path.join(self.work, name)
        for path, text in SOURCES.items():
            self.write(os.path.join(name, path), text)
        return tree

    def compile(self, compiler, tree, *args):
        """Compiles in `tree` with ddcc, keeps the object, compiles again without: the two
        objects and runs must be the same. Returns the object."""
        argv = [*args, "-c", "-o", "main.o"]
        cached = self.ddcc(compiler, *argv, cwd=tree)
        served = self.read(os.path.join(tree, "main.o"))
        plain = self.run_cmd([compiler, *argv], cwd=tree)
        self.assert_same_run(plain, cached)
        self.assertEqual(served, self.read(os.path.join(tree, "main.o")),
                         f"{compiler} {' '.join(argv)} in {tree}")
        return served

    def comp_dir(self, tree):
        dwarf = self.run_cmd(["objdump", "--dwarf=info", "main.o"], cwd=tree).stdout.decode()
        return re.findall(r"DW_AT_comp_dir.*: (\S+)$", dwarf, re.MULTILINE)

    def counts(self):
        stats = self.stats()
        return stats["direct_hits"] + stats["preprocessed_hits"], stats["cache_misses"]

    def pair(self, compiler, *args, names=("pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB")):
        """Compiles the compiler's source with `args` in a tree of each name; returns the trees."""
        trees = [self.tree(name) for name in names]
        for tree in trees:
            self.compile(compiler, tree, *args, "-Iinclude", SOURCE[compiler])
            self.assertEqual(self.comp_dir(tree), [tree])
        return trees

    def test_clang_object_moves_to_a_directory_of_the_same_length(self):
        for compiler in ["clang", "clang++"]:
            for flags in [["-g"], ["-g", "-O2", "-fPIC"], ["-gdwarf-4"]]:
                with self.subTest(compiler=compiler, flags=flags):
                    self.reset()
                    a, b = self.pair(compiler, *flags)
                    self.assertEqual(self.counts(), (1, 1))
                    self.assertIn(b.encode(), self.read(os.path.join(b, "main.o")))
                    self.assertNotIn(a.encode(), self.read(os.path.join(b, "main.o")))

    def test_clang_object_moves_on_direct_hits(self):
        self.pair("clang", "-g")
        third = self.tree("pip-req-build-CCCCCCCC")
        self.compile("clang", third, "-g", "-Iinclude", SOURCE["clang"])
        self.assertEqual(self.comp_dir(third), [third])
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (2, 1))

    def test_gcc_object_stays_in_its_directory(self):
        # In 2 to 11 of 24 names, gcc 12 writes the renamed object's strings in another order.
        # Without -fno-working-directory the preprocessed text names the directory as well.
        names = [f"pip-req-build-{c * 8}" for c in "ABCDEF"]
        for compiler in ["gcc", "g++"]:
            for flags in [["-g"], ["-gdwarf-4", "-fno-working-directory"]]:
                with self.subTest(compiler=compiler, flags=flags):
                    self.reset()
                    self.pair(compiler, *flags, names=names)
                    self.assertEqual(self.counts(), (0, len(names)))

    def test_directory_of_another_length_misses(self):
        self.pair("clang", "-g", names=("pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBBB"))
        self.assertEqual(self.counts(), (0, 2))

    def test_a_header_sharing_a_part_of_the_directory_keeps_the_object_there(self):
        # clang names <work>/inc/util.h as "<work>" and "inc/util.h" from <work>/aaa/..., but
        # as "<work>/inc" and "util.h" from <work>/inc/...
        self.write("inc/util.h", "#define UTIL 2\n")
        for name in ["aaa/pip-req-build-AAAAAAAA", "inc/pip-req-build-BBBBBBBB"]:
            tree = self.tree(name)
            self.compile("clang", tree, "-g", f"-I{self.work}/inc", SOURCE["clang"])
        self.assertEqual(self.counts(), (0, 2))

    def test_directories_whose_first_names_differ_miss(self):
        # From /var/tmp/..., clang names /var/tmp/inc/util.h as "/var/tmp" and "inc/util.h";
        # from /tmp/... as one absolute path.
        shared = tempfile.mkdtemp(dir="/var/tmp")
        self.addCleanup(shutil.rmtree, shared)
        self.write(os.path.join(shared, "inc/util.h"), "#define UTIL 2\n")
        other = tempfile.mkdtemp(dir="/tmp")
        self.addCleanup(shutil.rmtree, other)
        # Two working directories of the same length, one below /var/tmp.
        first = os.path.join(shared, "t")
        second = os.path.join(other, "t" * (len(first) - len(other) - 1))
        for tree in [second, first]:
            for path, text in SOURCES.items():
                self.write(os.path.join(tree, path), text)
            self.compile("clang", tree, "-g", f"-I{shared}/inc", SOURCE["clang"])
        self.assertEqual(self.counts(), (0, 2))

    def test_same_directory_hits(self):
        tree = self.tree("pip-req-build-AAAAAAAA")
        for _ in range(2):
            self.compile("clang", tree, "-g", "-Iinclude", SOURCE["clang"])
        self.assertEqual(self.counts(), (1, 1))

    def test_absolute_source_and_file_macro_stay(self):
        # The object names the source's path in __FILE__ as well; a base directory keys the
        # path relative to the working directory, so only the move tells the trees apart.
        self.env["DDCC_BASEDIR"] = self.work
        for name in ["pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB"]:
            tree = self.tree(name)
            self.compile("clang", tree, "-g", os.path.join(tree, "src/file.c"))
            self.assertIn(f"{tree}/src/file.c".encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (0, 2))

    def test_data_spelling_the_directory_otherwise_stays(self):
        # The text holds no whole name of the first directory, but the program's data does: a
        # string, or a btf_decl_tag's value or an asm label (a linkage name), which clang writes
        # into the debug information's strings beside its own name of the directory (the same
        # string, where they are equal).
        name = "pip-req-build-AAAAAAAA"
        escaped = "\\x{:02x}{}".format(ord(name[0]), name[1:])
        for way, data in [("adjacent literals", 'const char *where = "{0}/" "{1}/data";'),
                          ("an escape", 'const char *where = "{0}/' + escaped + '/data";'),
                          ("a tag", 'int where __attribute__((btf_decl_tag("{0}/" "{1}/d")));'),
                          ("a tag naming it", 'int where __attribute__((btf_decl_tag("{0}/" "{1}")));'),
                          ("an asm label", 'static int g(int a) asm("{0}/" "{1}");\n'
                                           "static int g(int a) {{ return a + 1; }}\n"
                                           "int h(int a) {{ return g(a); }}")]:
            with self.subTest(way=way):
                self.reset()
                for tree_name in ["pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB"]:
                    tree = self.tree(tree_name)
                    self.write(os.path.join(tree_name, "data.c"),
                               data.format(self.work, name) + "\nint y;\n")
                    for mode in ["1", "0"]:
                        self.env["DDCC_DIRECT_MODE"] = mode
                        self.compile("clang", tree, "-g", "-O2", "data.c")
                # Each tree's preprocessor-mode compile hits what its direct-mode one stored.
                self.assertEqual(self.counts(), (2, 2))

    def test_arguments_naming_the_directory_stay(self):
        for option in ["-I{}/include", "-DWHERE=\"{}\""]:
            with self.subTest(option=option):
                self.reset()
                self.env["DDCC_BASEDIR"] = self.work
                for name in ["pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB"]:
                    tree = self.tree(name)
                    self.compile("clang", tree, "-g", "-Iinclude", option.format(tree),
                                 SOURCE["clang"])
                self.assertEqual(self.counts(), (0, 2))

    def test_prefix_map_of_the_other_directory_stays(self):
        # The map applies in the second directory only: its object names /mapped..., not the
        # first one's directory renamed.
        prefix_map = "-fdebug-prefix-map={}=/mapped".format(
            os.path.join(self.work, "pip-req-build-B"))
        for name in ["pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB"]:
            self.compile("clang", self.tree(name), "-g", prefix_map, "-Iinclude", SOURCE["clang"])
        self.assertEqual(self.comp_dir(os.path.join(self.work, "pip-req-build-BBBBBBBB")),
                         ["/mappedBBBBBBB"])
        self.assertEqual(self.counts(), (0, 2))

    def test_compressed_debug_info_stays(self):
        probe = self.run_cmd(["clang", "-gz", "-c", "-x", "c", "/dev/null", "-o", "/dev/null"])
        if probe.returncode:
            self.skipTest("no zlib in clang")
        trees = [self.tree(name) for name in ["pip-req-build-AAAAAAAA", "pip-req-build-BBBBBBBB"]]
        for tree in trees:
            self.compile("clang", tree, "-g", "-gz", "-Iinclude", SOURCE["clang"])
        self.assertEqual(self.counts(), (0, 2))



    def test_split_debug_information_with_the_directory_mapped_is_shared(self):
        """-gsplit-dwarf names the .dwo as -o spells the object: relative, and the directory
        mapped, both trees' .o and .dwo are the same, and the second hits (ccache does too);
        given by its absolute path, each tree keeps its own."""
        for compiler in ["gcc", "clang"]:
            for output, hits in [("main.o", 1), (None, 0)]:
                with self.subTest(compiler=compiler, output=output):
                    self.reset()
                    for name in ["tree-1", "tree-2"]:
                        tree = self.tree(name)
                        obj = output or os.path.join(tree, "main.o")
                        argv = ["-g", "-gsplit-dwarf", f"-ffile-prefix-map={tree}=.", "-Iinclude",
                                "-c", "src/main.c", "-o", obj]
                        env = dict(self.env, DDCC_BASEDIR=self.work)
                        cached = self.ddcc(compiler, *argv, cwd=tree, env=env)
                        served = [self.read(os.path.join(tree, f)) for f in ["main.o", "main.dwo"]]
                        plain = self.run_cmd([compiler, *argv], cwd=tree, env=env)
                        self.assert_same_run(plain, cached)
                        self.assertEqual(served, [self.read(os.path.join(tree, f))
                                                  for f in ["main.o", "main.dwo"]])
                    self.assertEqual(self.counts(), (hits, 2 - hits))



class MappedBuildDirectoryTest(DdccTestCase):
    """CMake's absolute paths, -g and a prefix map of the build directory only
    (-fdebug-prefix-map=<build dir>=.): debug information names the sources and headers by
    their absolute paths. A second build directory of the tree at the same depth writes the same
    object and hits; another checkout writes its own paths and misses."""

    def build(self, compiler, checkout, build, mode, env=None):
        tree = os.path.join(self.work, checkout)
        cwd = os.path.join(tree, build)
        os.makedirs(cwd, exist_ok=True)
        argv = [compiler, "-g", f"-fdebug-prefix-map={cwd}=.", f"-I{tree}/src/inc",
                "-c", f"{tree}/src/m.c", "-o", "m.o"]
        run_env = dict(self.env, DDCC_BASEDIR=self.work, DDCC_DIRECT_MODE=mode,
                       DDCC_DIR=os.path.join(self.root, f"cache-{compiler}-{mode}"), **(env or {}))
        cached = self.ddcc(*argv, cwd=cwd, env=run_env)
        served = self.read(os.path.join(cwd, "m.o"))
        plain = self.run_cmd(argv, cwd=cwd, env=run_env)
        self.assert_same_run(plain, cached)
        self.assertEqual(served, self.read(os.path.join(cwd, "m.o")), (compiler, checkout, build))
        self.assertIn(f"{tree}/src/m.c".encode(), served)
        self.assertNotIn(cwd.encode(), served)
        return served

    def served(self, compiler, mode):
        stats = self.stats(env=dict(self.env, DDCC_DIR=os.path.join(self.root,
                                                                     f"cache-{compiler}-{mode}")))
        return stats["direct_hits"] + stats["preprocessed_hits"]

    def test_build_directories_of_one_tree_share(self):
        for checkout in ["w1", "w2"]:
            self.write(f"{checkout}/src/m.c", '#include "h.h"\n#include "local.h"\n'
                                             "int arr[4];\nint h(int i) { return arr[i] << K; }\n")
            self.write(f"{checkout}/src/inc/h.h", "#define K 1\n")
            self.write(f"{checkout}/src/local.h", "static int local;\n")
        # gcc's -E text names the working directory ("/w1/b1//"), which preprocessor mode keys.
        for compiler, mode, shared in [("gcc", "1", 1), ("clang", "1", 1), ("gcc", "0", 0),
                                       ("clang", "0", 1)]:
            with self.subTest(compiler=compiler, mode=mode):
                self.build(compiler, "w1", "b1", mode)
                self.build(compiler, "w1", "b2", mode)
                self.assertEqual(self.served(compiler, mode), shared)
                self.build(compiler, "w2", "b1", mode)
                self.assertEqual(self.served(compiler, mode), shared)
                self.build(compiler, "w1", "b1", mode)
                self.assertEqual(self.served(compiler, mode), shared + 1)

    def test_a_header_the_arguments_do_not_name(self):
        """A header found through CPATH lies below no path the arguments name: debug
        information names it as the variable spells it; every object is what the compiler
        writes there."""
        for checkout in ["w1", "w2"]:
            self.write(f"{checkout}/src/m.c", '#include "h.h"\n#include "extra.h"\n'
                                             "int h(int i) { return i << K << E; }\n")
            self.write(f"{checkout}/src/inc/h.h", "#define K 1\n")
            self.write(f"{checkout}/other/extra.h", "#define E 2\n")
        for mode in ["1", "0"]:
            with self.subTest(mode=mode):
                for checkout, build in [("w1", "b1"), ("w1", "b2"), ("w2", "b1")]:
                    self.build("clang", checkout, build, mode,
                               env={"CPATH": os.path.join(self.work, checkout, "other")})


if __name__ == "__main__":
    unittest.main()
