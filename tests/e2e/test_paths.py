"""Path independence with real compilers: two copies of a tree at different absolute paths,
compiled with absolute paths and DDCC_BASEDIR covering both. Without -g the second tree hits and
gets the object a plain compile would give; with -g it misses and its object names its own
directory, unless a prefix map gives the directory a fixed name; diagnostics, dependency files and
__FILE__ always name the tree they belong to."""

import os
import shutil
import time
import unittest

from common import DdccTestCase

MAIN = '#include "util.h"\nint value(void) { return UTIL; }\n'
WARNS = '#include "util.h"\nint value(void) { int unused; return UTIL; }\n'
NAMES_POSITION = '#include "util.h"\nconst char *where() { return __builtin_FILE(); }\n'
NAMES_FILE = '#include "util.h"\nconst char *where(void) { return __FILE__; }\n'


class PathsTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.env["DDCC_BASEDIR"] = self.work
        # Names of one length: dependency targets (the object's path) are keyed by their length.
        self.trees = [os.path.join(self.work, name) for name in ("tree-a", "tree-b")]

    def make_trees(self, source=MAIN, name="main.c"):
        self.write(f"tree-a/src/{name}", source)
        self.write("tree-a/include/util.h", "#define UTIL 2\n")
        shutil.copytree(self.trees[0], self.trees[1])

    def args(self, tree, *extra, source="main.c"):
        return [*extra, f"-I{tree}/include", "-c", f"{tree}/src/{source}", "-o", f"{tree}/main.o"]

    def compile(self, compiler, tree, *extra, source="main.c"):
        """Compiles in `tree` with ddcc, then without; both must give the same bytes and output."""
        args = self.args(tree, *extra, source=source)
        cached = self.ddcc(compiler, *args, cwd=tree)
        outputs = {}
        for name in os.listdir(tree):
            if os.path.isfile(os.path.join(tree, name)):
                with open(os.path.join(tree, name), "rb") as f:
                    outputs[name] = f.read()
        # Through the shell, which runs a script without #! as ddcc does (execvp).
        plain = self.run_cmd(["sh", "-c", 'exec "$@"', "sh", compiler, *args], cwd=tree)
        self.assert_same_run(plain, cached)
        for name, content in outputs.items():
            with open(os.path.join(tree, name), "rb") as f:
                self.assertEqual(content, f.read(), name)
        return cached

    def counts(self):
        stats = self.stats()
        return stats["direct_hits"], stats["preprocessed_hits"], stats["cache_misses"]

    def dwarf(self, tree):
        return self.run_cmd(["objdump", "--dwarf=info", "main.o"], cwd=tree).stdout.decode()

    def test_second_tree_hits_without_debug_info(self):
        self.make_trees()
        for compiler in ["gcc", "clang"]:
            for tree in self.trees:
                self.compile(compiler, tree)
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_links_inside_each_tree(self):
        """Each tree holds a link on a header's way, into itself: the header is tied to its real
        path in the tree's own terms, so the second tree hits directly (depend mode, which keys
        each tree apart: its second compile); a link there retargeted to a shorter place (gcc
        names a system header by its real path) or to another case (clang warns of the name) is
        no hit, in direct and depend mode."""
        cases = {"gcc": ("#include <sub/x.h>\n", "-isystem", "a_longer_directory_name/sub",
                         "s/sub"),
                 "clang": ('#include "sub/x.h"\n', "-Werror", "real/sub", "other/SUB")}
        for compiler, (include, flag, first, second) in cases.items():
            for mode, mode_env in [("direct", {}), ("depend", {"DDCC_DEPEND": "1"})]:
                with self.subTest(compiler=compiler, mode=mode):
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, f"{compiler}-{mode}"),
                               **mode_env)
                    for tree in self.trees:
                        shutil.rmtree(tree, ignore_errors=True)
                        for target in [first, second]:
                            self.write(f"{tree}/{target}/x.h", "int x;\n")
                        os.makedirs(f"{tree}/inc")
                        os.symlink(f"{tree}/{first}", f"{tree}/inc/sub")
                        self.write(f"{tree}/main.c", include + "int f(void) { return x; }\n")
                    time.sleep(0.05)  # a link made during the compile would leave nothing stored
                    for tree in self.trees + (self.trees[1:] if mode == "depend" else []):
                        args = [*([flag] if flag == "-Werror" else []),
                                *(["-isystem"] if flag == "-isystem" else ["-I"]), f"{tree}/inc",
                                "-MD", "-c", f"{tree}/main.c", "-o", "main.o"]
                        cached = self.ddcc(compiler, *args, cwd=tree, env=env)
                        plain = self.run_cmd([compiler, *args], cwd=tree)
                        self.assert_same_run(plain, cached)
                    self.assertEqual(self.stats(env=env)["direct_hits"], 1, self.log())
                    tree = self.trees[1]
                    os.remove(f"{tree}/inc/sub")
                    os.symlink(f"{tree}/{second}", f"{tree}/inc/sub")
                    time.sleep(0.05)
                    outputs = []
                    for run in [lambda: self.ddcc(compiler, *args, cwd=tree, env=env),
                                lambda: self.run_cmd([compiler, *args], cwd=tree)]:
                        result = run()
                        with open(f"{tree}/main.d") as f:
                            outputs.append((result.returncode, result.stderr, f.read()))
                    self.assertEqual(outputs[0], outputs[1])

    def test_a_link_out_of_the_base_directory_keeps_direct_mode(self):
        """A vendored SDK linked into the tree from outside the base directory (-I.../third/sdk):
        clang's headers behind it are tied to their absolute real paths, which both trees share,
        and hit directly in direct and depend mode; a link retargeted is no hit."""
        outside = os.path.join(self.root, "outside")  # the base directory is self.work
        for sdk in ["sdk1", "sdk2"]:
            os.makedirs(os.path.join(outside, sdk, "sub"))
            with open(os.path.join(outside, sdk, "sub/x.h"), "w") as f:
                f.write("int x;\n")
        for compiler in ["clang", "gcc"]:
            for mode, mode_env in [("direct", {}), ("depend", {"DDCC_DEPEND": "1"})]:
                with self.subTest(compiler=compiler, mode=mode):
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, f"{compiler}-{mode}"),
                               **mode_env)
                    tree = self.trees[0]
                    shutil.rmtree(tree, ignore_errors=True)
                    self.write(f"{tree}/src/m.c", '#include "sub/x.h"\nint f(void) { return x; }\n')
                    os.makedirs(f"{tree}/third")
                    os.symlink(os.path.join(outside, "sdk1"), f"{tree}/third/sdk")
                    time.sleep(0.05)  # a link made during the compile would leave nothing stored
                    args = ["-Werror", f"-I{tree}/third/sdk", "-MD", "-c", "src/m.c", "-o", "m.o"]
                    for _ in range(2):
                        cached = self.ddcc(compiler, *args, cwd=tree, env=env)
                        self.assert_same_run(self.run_cmd([compiler, *args], cwd=tree), cached)
                    self.assertEqual(self.stats(env=env)["direct_hits"], 1, self.log())
                    os.remove(f"{tree}/third/sdk")
                    os.symlink(os.path.join(outside, "sdk2"), f"{tree}/third/sdk")
                    time.sleep(0.05)
                    cached = self.ddcc(compiler, *args, cwd=tree, env=env)
                    with open(f"{tree}/m.d") as f:
                        served = f.read()
                    self.assert_same_run(self.run_cmd([compiler, *args], cwd=tree), cached)
                    with open(f"{tree}/m.d") as f:
                        self.assertEqual(served, f.read())

    def test_separate_and_other_path_options(self):
        self.make_trees()
        for tree in self.trees:
            self.compile("clang", tree, "-isystem", f"{tree}/include", "-include",
                         f"{tree}/include/util.h", "-iquote", f"{tree}/src")
        self.assertEqual(self.counts(), (1, 0, 1))

    def test_no_base_dir_no_sharing(self):
        del self.env["DDCC_BASEDIR"]
        self.make_trees()
        for tree in self.trees:
            self.compile("gcc", tree)
        self.assertEqual(self.counts(), (0, 0, 2))

    def test_changed_header_in_the_second_tree(self):
        self.make_trees()
        self.compile("gcc", self.trees[0])
        self.write("tree-b/include/util.h", "#define UTIL 3\n")
        self.compile("gcc", self.trees[1])
        self.assertEqual(self.counts(), (0, 0, 2))

    def test_debug_info_misses_and_names_its_own_directory(self):
        self.make_trees()
        for compiler in ["gcc", "clang"]:
            for tree in self.trees:
                self.compile(compiler, tree, "-g")
                dwarf = self.dwarf(tree)
                self.assertIn(tree, dwarf)
                other = self.trees[1 - self.trees.index(tree)]
                self.assertNotIn(other + "/", dwarf)
        self.assertEqual(self.counts(), (0, 0, 4))

    def test_debug_info_with_a_prefix_map_hits(self):
        self.make_trees()
        for compiler in ["gcc", "clang"]:
            for tree in self.trees:
                self.compile(compiler, tree, "-g", f"-fdebug-prefix-map={tree}=.")
                self.assertNotIn(self.work, self.dwarf(tree))
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_prefix_map_of_another_directory_misses(self):
        self.make_trees()
        for tree in self.trees:
            self.compile("gcc", tree, "-g", f"-fdebug-prefix-map={tree}/src=.")
            self.assertIn(tree, self.dwarf(tree))
        self.assertEqual(self.counts(), (0, 0, 2))

    def test_maps_of_the_tree_around_a_build_directory_hit(self):
        """CMake's -ffile-prefix-map=${CMAKE_SOURCE_DIR}=. with the build directory inside, and
        maps of the source and build directories apart: the debug info is the same in every
        tree whose build directory has the same name; one of another name misses."""
        self.make_trees()
        layouts = [
            (lambda tree: [f"-ffile-prefix-map={tree}=."], ["build", "build"], (1, 0, 1)),
            (lambda tree: [f"-ffile-prefix-map={tree}/src=/src",
                           f"-ffile-prefix-map={tree}/include=/include",
                           f"-ffile-prefix-map={tree}/build=/build"], ["build", "build"],
             (1, 0, 1)),
            (lambda tree: [f"-ffile-prefix-map={tree}=."], ["build", "other"], (0, 0, 2)),
        ]
        for compiler in ["gcc", "clang"]:
            for maps, build_dirs, counts in layouts:
                with self.subTest(compiler=compiler, maps=maps("T"), build_dirs=build_dirs):
                    self.run_cmd(["rm", "-rf", self.cache])
                    objects = []
                    for tree, build in zip(self.trees, build_dirs):
                        cwd = os.path.join(tree, build)
                        os.makedirs(cwd, exist_ok=True)
                        args = ["-g", *maps(tree), *self.args(tree)[:-2], "-o", "main.o"]
                        cached = self.ddcc(compiler, *args, cwd=cwd)
                        got = self.read(os.path.join(cwd, "main.o"))
                        plain = self.run_cmd([compiler, *args], cwd=cwd)
                        self.assert_same_run(plain, cached)
                        self.assertEqual(got, self.read(os.path.join(cwd, "main.o")))
                        self.assertNotIn(tree, self.dwarf(cwd))
                        objects.append(got)
                    self.assertEqual(objects[0] == objects[1], counts[0] == 1)
                    self.assertEqual(self.counts(), counts)

    def test_a_map_of_every_path_after_the_exact_one_misses(self):
        # An empty OLD maps every path, and gcc takes the last map that matches.
        self.make_trees()
        for tree in self.trees:
            self.compile("gcc", tree, "-g", f"-fdebug-prefix-map={tree}=.",
                         "-fdebug-prefix-map==/X")
            self.assertIn(tree, self.dwarf(tree))
        self.assertEqual(self.counts(), (0, 0, 2))

    def test_diagnostics_name_their_own_tree(self):
        self.make_trees(WARNS)
        for compiler in ["gcc", "clang"]:
            for tree in self.trees * 3:
                result = self.compile(compiler, tree, "-Wall")
                self.assertIn(tree.encode(), result.stderr)
        # Each tree gets its own entry, on its first compile.
        self.assertEqual(sum(self.counts()), 12)
        self.assertEqual(self.counts()[2], 4)

    def test_unity_sources_of_two_checkouts(self):
        """CMake's UNITY_BUILD writes a source including each of the target's by its absolute
        path: a second checkout hits (preprocessed, as ccache), unless a message or __FILE__
        names the tree. A column after a path (clang's __builtin_COLUMN) is the same where the
        checkouts' paths are as long, and a longer one misses."""
        after = {"gcc": "-DAFTER=3", "clang": "-DAFTER=__builtin_COLUMN()"}
        bodies = {"quiet": MAIN, "warns": WARNS, "file": NAMES_FILE}

        def unity(tree):
            self.write(os.path.join(tree, "src/unity.c"),
                       f'/* generated by CMake */\n\n#include "{tree}/src/main.c"\n'
                       f"/* {tree}/src/main.c */ int after = AFTER;\n")

        for name, body in bodies.items():
            with self.subTest(source=name):
                for tree in self.trees:
                    shutil.rmtree(tree, ignore_errors=True)
                self.make_trees(body)
                before = self.counts()
                for tree in self.trees:
                    unity(tree)
                    for compiler in ["gcc", "clang"]:
                        self.compile(compiler, tree, "-Wall", after[compiler], source="unity.c")
                direct, preprocessed, misses = (now - then for now, then in
                                                zip(self.counts(), before))
                self.assertEqual(direct, 0)
                self.assertEqual((preprocessed, misses), (2, 2) if name == "quiet" else (0, 4))
        # With -g and a prefix map of each tree: gcc's debug info is the same in both; clang's
        # records each file's MD5, so the bytes as they are.
        for tree in self.trees:
            shutil.rmtree(tree, ignore_errors=True)
        self.make_trees(MAIN)
        for compiler, shared in [("gcc", 1), ("clang", 0)]:
            before = self.counts()
            for tree in self.trees:
                unity(tree)
                self.compile(compiler, tree, "-g", f"-ffile-prefix-map={tree}=.", after[compiler],
                             source="unity.c")
            self.assertEqual(self.counts()[1] - before[1], shared, compiler)
        longer = os.path.join(self.work, "tree-bb")
        shutil.copytree(self.trees[0], longer)
        unity(longer)
        before = self.counts()
        self.compile("clang", longer, "-Wall", after["clang"], source="unity.c")
        self.assertEqual(self.counts()[2], before[2] + 1)

    def test_the_base_directory_itself_named_in_a_file(self):
        """A file naming the base directory (or one above the working directory: stdio.h's
        P_tmpdir "/tmp" with /tmp a base directory) holds the same bytes in every tree, which
        mean the same: trees at other depths share the result."""
        source = f'#include "util.h"\nconst char *top(void) {{ return "{self.work}"; }}\n'
        trees = [self.trees[0], os.path.join(self.work, "deeper", "x", "tree-b")]
        for tree in trees:
            self.write(os.path.join(tree, "src/main.c"), source)
            self.write(os.path.join(tree, "include/util.h"), "#define UTIL 2\n")
        self.env["DDCC_DIRECT_MODE"] = "0"
        for tree in trees:
            self.compile("gcc", tree)
        self.assertEqual(self.counts(), (0, 1, 1))

    def test_a_raw_string_holding_an_include_line(self):
        # The keyed text leaves out what looks like -dI's #include lines: a file that may hold a
        # raw string is keyed by its bytes as they are.
        for tree in self.trees:
            self.write(os.path.join(tree, "raw.cc"),
                       f'const char *s = R"(\n#include "{tree}/foo"\n)";\n')
            argv = ["g++", "-c", "raw.cc", "-o", "raw.o"]
            cached = self.ddcc(*argv, cwd=tree)
            served = self.read(os.path.join(tree, "raw.o"))
            self.assert_same_run(self.run_cmd(argv, cwd=tree), cached)
            self.assertEqual(served, self.read(os.path.join(tree, "raw.o")))
        self.assertEqual(self.counts(), (0, 0, 2))

    def test_dependency_file_names_its_own_tree(self):
        self.make_trees()
        for tree in self.trees * 3:
            self.compile("gcc", tree, "-MD")
            with open(os.path.join(tree, "main.d")) as f:
                self.assertIn(f"{tree}/include/util.h", f.read())
        # One entry, its dependency file kept relative to the working directory.
        self.assertEqual(self.counts(), (5, 0, 1))

    def test_dependency_files_across_checkouts_of_other_lengths(self):
        """As CMake compiles: absolute paths, relative outputs and targets, in checkouts whose
        paths differ in length one character at a time, so that the compilers break the
        dependency files' lines at every column in turn."""
        headers = [f"sub/{'h' * (i % 5 + 1)}{i}.h" for i in range(10)]
        source = "".join(f'#include "{h}"\n' for h in headers) + "int f(void) { return 0; }\n"
        checkouts = [os.path.join(self.work, "c" * n) for n in range(1, 25)]
        for checkout in checkouts:
            self.write(f"{checkout}/src/main.c", source)
            for h in headers:
                self.write(f"{checkout}/include/{h}", "int v;\n")
            os.makedirs(f"{checkout}/build/obj")
        options = [["-MD"], ["-MMD", "-MP"], ["-MD", "-MP", "-MT", "obj/main.o", "-MT", "all"]]
        compiles = 0
        for compiler in ["gcc", "clang"]:
            for i, checkout in enumerate(checkouts):
                # Every option set in a few checkouts; the plainest in all.
                for extra in options if i < 3 else options[:1]:
                    build = f"{checkout}/build"
                    args = [*extra, f"-I{checkout}/include", "-c", f"{checkout}/src/main.c",
                            "-o", "obj/main.o", "-MF", "obj/main.d"]
                    cached = self.ddcc(compiler, *args, cwd=build)
                    outputs = [self.read(f"{build}/obj/main.{e}") for e in "od"]
                    self.assertIn(f"{checkout}/include/sub".encode(), outputs[1])
                    plain = self.run_cmd([compiler, *args], cwd=build)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(outputs, [self.read(f"{build}/obj/main.{e}") for e in "od"],
                                     f"{compiler} {extra} in {checkout}")
                    compiles += 1
        # The first checkout misses, the others hit.
        self.assertEqual(self.counts(), (compiles - 6, 0, 6))

    def test_directories_beside_the_cmake_source_directory(self):
        """CMake spells a directory beside its source directory `${CMAKE_SOURCE_DIR}/../lib`,
        and names the object of a source outside it after the source's absolute path. Each
        spelling keeps its own form: the second tree hits directly, and every dependency file
        names the paths as the compiler spells them in its own tree."""
        for tree in self.trees:
            self.write(f"{tree}/lib/x.c", '#include "q.h"\n#include <y.h>\nint x(void) { return Q + Y; }\n')
            self.write(f"{tree}/quote/q.h", "#define Q 1\n")
            self.write(f"{tree}/inc/y.h", "#define Y 2\n")
            os.makedirs(f"{tree}/proj/build")
        spellings = {"dots": ["-I{tree}/proj/../inc", "-iquote", "{tree}/proj/./../quote//"],
                     "plain": ["-I{tree}/inc", "-iquote", "{tree}/quote"]}
        compiles = 0
        for compiler in ["gcc", "clang"]:
            for name, spelled in spellings.items():
                for tree in self.trees:
                    build = f"{tree}/proj/build"
                    obj = f"CMakeFiles/lib.dir{tree}/lib/x.c.o"
                    args = [*(a.format(tree=tree) for a in spelled), "-MD", "-MT", obj,
                            "-MF", f"{obj}.d", "-o", obj, "-c", f"{tree}/lib/x.c"]
                    os.makedirs(os.path.dirname(f"{build}/{obj}"), exist_ok=True)
                    cached = self.ddcc(compiler, *args, cwd=build)
                    outputs = [self.read(f"{build}/{obj}{e}") for e in ("", ".d")]
                    plain = self.run_cmd([compiler, *args], cwd=build)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(outputs, [self.read(f"{build}/{obj}{e}") for e in ("", ".d")],
                                     f"{compiler} {name} in {tree}")
                    compiles += 1
        # Each compiler and spelling misses in the first tree and hits directly in the second.
        self.assertEqual(self.counts(), (compiles // 2, 0, compiles // 2))

    def test_dependency_file_that_cannot_be_made_portable(self):
        # gcc writes a backslash in a path as is, which could be a quoted space's.
        self.write("tree-a/src/main.c", '#include "util.h"\nint value(void) { return UTIL; }\n')
        self.write("tree-a/in\\clude/util.h", "#define UTIL 2\n")
        shutil.copytree(self.trees[0], self.trees[1])
        for tree in self.trees * 2:
            self.compile("gcc", tree, "-MD", "-iquote", f"{tree}/in\\clude")
            with open(os.path.join(tree, "main.d")) as f:
                self.assertIn(f"{tree}/in\\clude/util.h", f.read())
        # Each tree gets its own entry, on its first compile.
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_dependency_file_with_quoted_paths_is_shared(self):
        # gcc and clang quote a space, '$' and '#' alike; the paths come back unquoted.
        self.write("tree-a/src/main.c", '#include "util.h"\nint value(void) { return UTIL; }\n')
        self.write("tree-a/in clude$#/util.h", "#define UTIL 2\n")
        shutil.copytree(self.trees[0], self.trees[1])
        for compiler in ["gcc", "clang"]:
            for tree in self.trees:
                self.compile(compiler, tree, "-MD", "-iquote", f"{tree}/in clude$#")
        # The first tree misses, the second hits.
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_file_macro_names_its_own_tree(self):
        self.make_trees(NAMES_FILE)
        for tree in self.trees + self.trees:
            self.compile("gcc", tree)
            self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_a_macro_map_matching_part_of_a_sibling_name(self):
        """The compilers match a prefix map's OLD as a string: tree-a's map also maps the
        headers of tree-a-common beside it, whose __FILE__ tree-b's map leaves alone."""
        self.make_trees('#include "common.h"\nint f(void) { return hf[0]; }\n')
        self.write("tree-a-common/common.h", "static const char* hf = __FILE__;\n")
        common = os.path.join(self.work, "tree-a-common")
        for compiler in ["gcc", "clang"]:
            for option in ["-fmacro-prefix-map", "-ffile-prefix-map"]:
                for order in [self.trees, self.trees[::-1]]:
                    with self.subTest(compiler=compiler, option=option, first=order[0]):
                        self.run_cmd(["rm", "-rf", self.cache])
                        for tree in order + order:
                            self.compile(compiler, tree, f"{option}={tree}=Q", f"-I{common}")

    def test_position_named_by_the_compiler(self):
        self.make_trees(NAMES_POSITION, "main.cc")
        for compiler in ["g++", "clang++"]:
            for tree in self.trees * 2:
                self.compile(compiler, tree, source="main.cc")
                self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (4, 0, 4))
        # A macro prefix map of the tree makes the name the same in both (ccache hits too); a
        # debug prefix map does not map it; one of the base directory maps each tree's to its
        # own name (./tree-a/include/util.h). (The rest of the working directory after a map's
        # OLD is in the result key only: preprocessed hits.)
        for compiler in ["g++", "clang++"]:
            for tree in self.trees:
                self.compile(compiler, tree, f"-ffile-prefix-map={tree}=.", source="main.cc")
                self.compile(compiler, tree, f"-fdebug-prefix-map={tree}=.", source="main.cc")
                self.compile(compiler, tree, f"-fmacro-prefix-map={self.work}=.", source="main.cc")
        self.assertEqual(self.counts(), (4, 2, 14))

    def test_clang_names_a_lambda_by_where_it_is_written(self):
        """__PRETTY_FUNCTION__ of a template given a lambda: clang writes "(lambda at
        /tree/include/util.h:2:45)", the line marker's path (nameof, magic_enum, entt); gcc
        writes <lambda()>, and shares."""
        self.make_trees('#include "util.h"\nconst char *p() { return tag(); }\n', "main.cc")
        header = ("template <class T> const char *name(T) { return __PRETTY_FUNCTION__; }\n"
                  "inline const char *tag() { return name([] {}); }\n")
        for tree in self.trees:
            self.write(os.path.join(tree, "include/util.h"), header)
        for tree in self.trees * 2:
            self.compile("clang++", tree, "-O2", source="main.cc")
            self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (2, 0, 2))
        for tree in self.trees:
            self.compile("g++", tree, "-O2", source="main.cc")
        self.assertEqual(self.counts(), (3, 0, 3))
        # Assembly escapes some bytes and bitcode packs them: no scan of those finds the tree.
        for extra in [["-S"], ["-flto=thin"], ["-emit-llvm"]]:
            for tree in self.trees:
                self.compile("clang++", tree, "-O2", *extra, source="main.cc")
        self.assertEqual(self.counts(), (3, 0, 9))

    def test_clang_openmp_names_the_source(self):
        """With -g, clang's OpenMP runtime calls carry the source's path, which no prefix map
        maps."""
        self.make_trees('#include "util.h"\nint s(int *a) {\n  int t = 0;\n'
                        "#pragma omp parallel for reduction(+ : t)\n"
                        "  for (int i = 0; i < UTIL; ++i) t += a[i];\n  return t;\n}\n")
        for tree in self.trees * 2:
            self.compile("clang", tree, "-g", "-fopenmp", f"-ffile-prefix-map={tree}=.")
            self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (2, 0, 2))

    def test_sanitizers_name_their_own_tree(self):
        # UBSan's checks and ASan's globals name the source and headers as the line markers do.
        self.make_trees('#include "util.h"\nint g[4];\n'
                        "int value(int a, int b) { return a / b << (b + g[a]); }\n")
        for compiler in ["gcc", "clang"]:
            for sanitizer in ["undefined", "address"]:
                for tree in self.trees * 2:
                    self.compile(compiler, tree, f"-fsanitize={sanitizer}")
                    self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))
        self.assertEqual(self.counts(), (8, 0, 8))

    def test_path_patterns_keep_the_object_to_its_tree(self):
        # Lists matched against the files' names as given (absolute here): what each tree
        # instruments differs.
        self.make_trees("int g(int);\nint f(int x) { for (int i = 0; i < x; i++) x = g(x) + i;"
                        " return x; }\n")
        self.write("list.txt", "src:*/tree-a/*\n")
        self.write("attr.txt", "[always]\nsrc:*/tree-a/*\n")
        lists = [("gcc", ["-finstrument-functions",
                          "-finstrument-functions-exclude-file-list=tree-a"]),
                 ("clang", ["-fxray-instrument", f"-fxray-always-instrument={self.work}/list.txt"]),
                 ("clang", ["-fxray-instrument", f"-fxray-attr-list={self.work}/attr.txt"]),
                 ("clang", ["-fsanitize-coverage=trace-pc-guard",
                            f"-fsanitize-coverage-ignorelist={self.work}/list.txt"]),
                 # The coverage mapping names the directory; gcc's object its .gcda.
                 ("clang", ["-fprofile-instr-generate", "-fcoverage-mapping"]),
                 ("gcc", ["-fprofile-generate", "-frandom-seed=1"])]
        for compiler, options in lists:
            with self.subTest(options=options):
                objects = []
                for tree in self.trees:
                    self.compile(compiler, tree, "-O2", *options)
                    objects.append(self.read(os.path.join(tree, "main.o")))
                self.assertNotEqual(objects[0], objects[1])
        self.assertEqual(self.counts(), (0, 0, 12))

    def test_sanitizers_a_wrapper_adds_name_their_own_tree(self):
        # A wrapper script's options are known by asking the compiler it runs, whatever its name.
        self.make_trees('#include "util.h"\nint g[4];\n'
                        "int value(int a, int b) { return a / b << (b + g[a]); }\n")
        # (One without #!, which the shell runs.)
        for number, name in enumerate(["sanitizing-cc", "gcc", "x86_64-linux-gnu-clang", "cc",
                                       "g++"]):
            wrapper = os.path.join(self.work, f"bin{number}", name)
            compiler = "clang" if "clang" in name else "gcc"
            shebang = "" if name == "g++" else "#!/bin/sh\n"
            self.write(wrapper, f'{shebang}exec {compiler} -fsanitize=undefined "$@"\n')
            os.chmod(wrapper, 0o755)
            for tree in self.trees * 2:
                with self.subTest(name=name, tree=tree):
                    self.compile(wrapper, tree)
                    self.assertIn(tree.encode(), self.read(os.path.join(tree, "main.o")))

    def test_a_tree_whose_path_holds_a_backslash_or_a_tab(self):
        # clang writes a dependency file's backslashes as slashes.
        # A tab: gcc escapes it, clang writes it as it is.
        trees = [os.path.join(self.work, name) for name in ["ab", "a\\b", "a\\ b", "a\tb"]]
        for tree in trees:
            self.write(os.path.join(tree, "x.c"), "int v;\n")
        for compiler in ["clang", "gcc"]:
            for tree in trees:
                with self.subTest(compiler=compiler, tree=tree):
                    args = ["-MD", "-c", os.path.join(tree, "x.c"), "-o", "x.o"]
                    cached = self.ddcc(compiler, *args, cwd=tree)
                    outputs = [self.read(os.path.join(tree, name)) for name in ["x.o", "x.d"]]
                    plain = self.run_cmd([compiler, *args], cwd=tree)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(outputs,
                                     [self.read(os.path.join(tree, name)) for name in ["x.o", "x.d"]])

    def test_debug_info_names_the_directory_as_the_compiler_does(self):
        # gcc and clang name the working directory by $PWD when it leads there.
        self.write("real/main.c", "int f(void) { return 1; }\n")
        link = os.path.join(self.work, "link")
        os.symlink("real", link)
        for compiler in ["gcc", "clang"]:
            for pwd in [os.path.join(self.work, "real"), link]:
                cached = self.ddcc(compiler, "-g", "-c", "main.c", cwd=pwd,
                                   env=dict(self.env, PWD=pwd))
                self.assertEqual(cached.returncode, 0, cached.stderr)
                dwarf = self.run_cmd(["objdump", "--dwarf=info", "main.o"], cwd=pwd).stdout
                [comp_dir] = [line for line in dwarf.decode().splitlines()
                              if "DW_AT_comp_dir" in line]
                self.assertTrue(comp_dir.endswith(" " + pwd), comp_dir)
        self.assertEqual(self.counts(), (0, 0, 4))


class DirectoryInObjectTest(DdccTestCase):
    """Objects (or messages) that name the working directory, or files by absolute paths,
    without -g: a second tree of the same layout must get its own, not the first's."""

    def in_trees(self, compiler, args, files, base_dir=False):
        """Compiles `args` ({tree} standing for the tree's path, in `files` too) in two trees
        through ddcc: each
        run must be a plain compile's there, object and messages."""
        env = dict(self.env, DDCC_BASEDIR=self.work) if base_dir else self.env
        for tree in ["t1", "t2"]:
            for path, text in files.items():
                self.write(os.path.join(tree, path),
                           text.replace("{tree}", os.path.join(self.work, tree)))
        for tree in ["t1", "t2"]:
            cwd = os.path.join(self.work, tree)
            argv = [compiler, *[arg.format(tree=cwd) for arg in args], "-o", "out.o"]
            with self.subTest(compiler=compiler, args=args, tree=tree):
                cached = self.ddcc(*argv, cwd=cwd, env=env)
                served = self.read(os.path.join(tree, "out.o"))
                plain = self.run_cmd(argv, cwd=cwd, env=env)
                self.assert_same_run(plain, cached)
                self.assertEqual(served, self.read(os.path.join(tree, "out.o")))

    def test_what_only_the_object_says(self):
        """Paths no key input shows, found in the object: clang's __builtin_dump_struct names an
        unnamed struct by where it is written; a #line path ending in "//" (as gcc's marker of
        the working directory does) is still the file __builtin_FILE() names."""
        self.in_trees("clang", ["-I{tree}/inc", "-c", "src/a.c"],
                      {"inc/h.h": "struct S { struct { int a; } in; int b; };\n",
                       "src/a.c": '#include <stdio.h>\n#include "h.h"\n'
                                  "void f(struct S *s) { __builtin_dump_struct(s, &printf); }\n"},
                      base_dir=True)
        for compiler in ["gcc", "clang"]:
            self.in_trees(compiler, ["-c", "a.c"],
                          {"a.c": '#line 1 "{tree}/gen//"\n'
                                  "const char *f(void) { return __builtin_FILE(); }\n"},
                          base_dir=True)

    def test_clang_names_an_unnamed_struct_in_c_too(self):
        """C's __PRETTY_FUNCTION__ of a function taking an unnamed struct names where it is
        written, and a logging macro's hash of it folds into a constant no search of the object
        finds: keyed to the tree."""
        files = {"src/x.c": "static inline unsigned id(const char *s) { unsigned x = 5381;\n"
                            "  while (*s) x = x * 33 + (unsigned char)*s++; return x; }\n"
                            "unsigned handler(struct { int a; } *p) {\n"
                            "  (void)p; return id(__PRETTY_FUNCTION__); }\n"}
        self.in_trees("clang", ["-O2", "-c", "{tree}/src/x.c"], files, base_dir=True)
        # __builtin_dump_struct's format strings name it so too, folded as well.
        files = {"src/x.c": "struct S { struct { int a; } in; };\nstatic unsigned h;\n"
                            "static int add(const char *f, ...) {\n"
                            "  while (*f) h = h * 33 + *f++; return 0; }\n"
                            "unsigned g(struct S *s) { h = 5; __builtin_dump_struct(s, &add);"
                            " return h; }\n"}
        self.in_trees("clang", ["-O2", "-c", "{tree}/src/x.c"], files, base_dir=True)

    def test_what_only_the_object_says_of_a_directory_beside_the_tree(self):
        """A relative form that climbs out of the tree names another file from a working
        directory at another depth (a library beside one checkout, inside another), and a base
        directory may be the source directory with the build directory beside it: the object
        naming any path below a base directory that the text does not hold is kept to its
        directory."""
        header = ("struct S { struct { int a; } in; };\n"
                  "static inline void show(struct S *s) { __builtin_dump_struct(s, &printf); }\n")
        source = '#include <stdio.h>\n#include "h.h"\nvoid f(struct S *s) { show(s); }\n'
        omp = ("static inline int sum(int *a) { int t = 0;\n#pragma omp parallel for reduction(+:t)\n"
               "  for (int i = 0; i < 4; ++i) t += a[i];\n  return t; }\n")
        for name, text, flags in [("dump", header, []),
                                  ("omp", omp, ["-g", "-fopenmp", "-ffile-prefix-map={tree}=."])]:
            b = os.path.join(self.work, name)
            layouts = [(f"{b}/p", f"{b}/lib", b), (f"{b}/q/sub", f"{b}/q/lib", b),
                       (f"{b}/co1/source", f"{b}/co1/source/include", f"{b}/co1/source"),
                       (f"{b}/co2/source", f"{b}/co2/source/include", f"{b}/co2/source")]
            for tree, lib, base in layouts:
                self.write(os.path.join(lib, "h.h"), text)
                self.write(os.path.join(tree, "x.c"), source)
            for tree, lib, base in layouts:
                build = tree.replace("/source", "") + "/build"
                os.makedirs(build, exist_ok=True)
                argv = ["clang", "-O2", *[flag.format(tree=tree) for flag in flags], f"-I{lib}",
                        "-c", f"{tree}/x.c", "-o", "x.o"]
                env = dict(self.env, DDCC_BASEDIR=base)
                with self.subTest(name=name, tree=tree):
                    cached = self.ddcc(*argv, cwd=build, env=env)
                    served = self.read(os.path.join(build, "x.o"))
                    plain = self.run_cmd(argv, cwd=build, env=env)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(served, self.read(os.path.join(build, "x.o")))

    def test_gcc_lto_and_offloading_sections(self):
        files = {"inc/h.h": "int shared;\n",
                 "src/x.c": '#include "h.h"\nint f(int n) { int s = shared;\n'
                            "#pragma omp target map(tofrom:s)\n"
                            "  for (int i = 0; i < n; i++) s += i;\n  return s; }\n"}
        for args in [["-flto", "-O2"], ["-flto=auto", "-ffat-lto-objects"], ["-fopenmp", "-O2"]]:
            self.in_trees("gcc", [*args, "-frandom-seed=1", "-Iinc", "-c", "src/x.c"], files)
        # A target region through _Pragma in a macro, and a declare target.
        for region in ['#define REGION _Pragma("omp target map(tofrom:s)")\nREGION\n',
                       "#pragma omp declare target\nint g(int i) { return i; }\n"
                       "#pragma omp end declare target\n#pragma omp target map(tofrom:s)\n"]:
            spelt = dict(files, **{"src/x.c": files["src/x.c"].replace(
                "#pragma omp target map(tofrom:s)\n", region)})
            self.in_trees("gcc", ["-fopenmp", "-O2", "-frandom-seed=1", "-Iinc", "-c", "src/x.c"],
                          spelt)
        # OpenMP's attribute syntax, however spaced, in C++.
        for attribute in ["[[omp :: sequence(directive(target map(tofrom: a[0:1])))]]",
                          "[[using omp: directive(target map(tofrom: a[0:1]))]]"]:
            self.in_trees("g++", ["-fopenmp", "-std=c++17", "-frandom-seed=1", "-c", "src/a.cc"],
                          {"src/a.cc": f"int f(int *a) {{\n{attribute} {{ a[0]++; }}\n"
                                       "return a[0]; }\n"})
        # Depend mode has no text to look for the target region in.
        self.env = dict(self.env, DDCC_DEPEND="1")
        self.in_trees("gcc", ["-fopenmp", "-O2", "-frandom-seed=1", "-MD", "-Iinc", "-c",
                              "src/x.c"], files)
        self.in_trees("gcc", ["-flto", "-frandom-seed=1", "-I{tree}/inc", "-c", "src/x.c"], files,
                      base_dir=True)

    def test_gcc_debug_info_mapped_with_relative_paths_is_shared(self):
        """gcc -g marks the working directory in its -E text ("/tree//"); with the tree mapped
        (-ffile-prefix-map) and relative paths, nothing else names it, even where the object
        records positions or the sanitizers name files: the second tree hits."""
        files = {"inc/h.h": "int shared;\n",
                 "src/x.c": '#include "h.h"\nconst char *where(void) { return __builtin_FILE(); }\n'
                            "int f(int *p) { return p[shared]; }\n"}
        for extra in [[], ["-fsanitize=address"]]:
            self.in_trees("gcc", ["-g", *extra, "-ffile-prefix-map={tree}=.", "-Iinc", "-c",
                                  "src/x.c"], files, base_dir=True)
        stats = self.stats(env=dict(self.env, DDCC_BASEDIR=self.work))
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (2, 2))

    def test_a_raw_string_without_a_hash_line_is_shared(self):
        """A raw string literal may hold a line that reads as a line marker; one that holds none
        (JSON, a regular expression) leaves the object the same in every tree: the second tree
        hits, absolute paths (CMake's) and all."""
        files = {"inc/h.h": "int shared;\n",
                 "src/x.cc": '#include "h.h"\nconst char *json = R"({"a": 1,\n  "b": [2]})";\n'
                             "int f() { return shared; }\n"}
        for compiler in ["g++", "clang++"]:
            self.in_trees(compiler, ["-I{tree}/inc", "-c", "{tree}/src/x.cc"], files,
                          base_dir=True)
        stats = self.stats(env=dict(self.env, DDCC_BASEDIR=self.work))
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (2, 2))

    def test_a_raw_string_behind_a_false_opener(self):
        """What looks like a raw string's opener in an ordinary literal (" R""a(") must not
        hide a real raw string's line that reads as a line marker naming the tree."""
        for tree in ["t1", "t2"]:
            path = os.path.join(self.work, tree, "x.h")
            self.write(os.path.join(tree, "x.cc"),
                       'const char *d = " R""a(";\nconst char *s = R"z(first\n)"a"\n'
                       f'# 5 "{path}"\n)z";\nint f() {{ return d[0] + s[0]; }}\n')
        for tree in ["t1", "t2"]:
            cwd = os.path.join(self.work, tree)
            argv = ["g++", "-c", os.path.join(cwd, "x.cc"), "-o", "out.o"]
            env = dict(self.env, DDCC_BASEDIR=self.work)
            cached = self.ddcc(*argv, cwd=cwd, env=env)
            served = self.read(os.path.join(tree, "out.o"))
            self.assert_same_run(self.run_cmd(argv, cwd=cwd, env=env), cached)
            self.assertEqual(served, self.read(os.path.join(tree, "out.o")))

    def test_clang_coverage_mapping(self):
        # The mapping names the working directory even for a relative source.
        files = {"src/x.c": "int f(int n) { return n ? 1 : 2; }\n"}
        self.in_trees("clang", ["-fprofile-instr-generate", "-fcoverage-mapping", "-c",
                                "src/x.c"], files)

    def test_gcc_parallel_loops_alone_are_shared(self):
        # Only target regions (and OpenACC) write offloading sections: a parallel loop's object
        # is the same in every tree, and the second one hits.
        # Nor does the word "target" elsewhere (std::function::target, a target attribute).
        files = {"src/p.cc": "#include <functional>\n"
                             '__attribute__((target("avx2"))) int g(int x) { return x; }\n'
                             "int f(int n) { int s = 0;\n#pragma omp parallel for reduction(+:s)\n"
                             "  for (int i = 0; i < n; i++) s += i;\n  return s; }\n"}
        self.in_trees("g++", ["-fopenmp", "-O2", "-frandom-seed=1", "-c", "src/p.cc"], files)
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (1, 1))

    def test_clang_bitcode_naming_an_absolute_source_below_the_base_directory(self):
        files = {"src/x.c": "static int g(void) { return 1; }\nint f(void) { return g(); }\n"}
        for args in [["-flto=thin"], ["-flto"], ["-emit-llvm"], ["-fembed-bitcode"],
                     ["-funique-internal-linkage-names"]]:
            self.in_trees("clang", [*args, "-O1", "-c", "{tree}/src/x.c"], files, base_dir=True)

    def test_assembler_line_tables(self):
        files = {"x.S": '\t.file 1 "x.c"\n\t.text\n\t.globl f\nf:\n\t.loc 1 3 0\n\tret\n'}
        for compiler in ["gcc", "clang"]:
            self.in_trees(compiler, ["-c", "x.S"], files)

    def test_inline_assembly_line_tables(self):
        # gas reads the file number as an expression: (1), a symbol.
        for directives in ['.file 1 \\"x.c\\"\\n.loc 1 3 0',
                           '.set FN, 1\\n.file (FN) \\"x.c\\"\\n.loc FN 3 0']:
            files = {"x.c": f'void f(void) {{ __asm__("{directives}\\nnop"); }}\n'}
            for depend in ["0", "1"]:
                self.env = dict(self.env, DDCC_DEPEND=depend)
                self.in_trees("gcc", ["-MD", "-c", "x.c"], files)

    def test_assembler_without_line_tables_is_shared(self):
        """A .S without a numbered .file or a .loc names no directory (a `.file "name"` names
        only the object's file symbol): a second build directory hits, as CMake's out-of-source
        builds of one tree (the source by its absolute path)."""
        self.write("src/f.S", ".text\n.globl fz\nfz: ret\n")
        self.write("src/g.S", '\t.file "g.c"\n.text\n.globl fy\nfy: ret\n')
        self.write("src/h.c", '__asm__(".file \\"asmname.c\\"");\nint y = 1;\n')
        for build in ["b1", "b2"]:
            os.makedirs(os.path.join(self.work, build))
            for source in ["f.S", "g.S", "h.c"]:
                argv = ["gcc", "-c", os.path.join(self.work, "src", source), "-o", "f.o"]
                cached = self.ddcc(*argv, cwd=os.path.join(self.work, build))
                served = self.read(os.path.join(build, "f.o"))
                plain = self.run_cmd(argv, cwd=os.path.join(self.work, build))
                self.assert_same_run(plain, cached)
                self.assertEqual(served, self.read(os.path.join(build, "f.o")))
        self.assertEqual(self.hits(), (3, 0, 3))

    def test_cpath_is_keyed_as_the_arguments_are(self):
        """A header found through CPATH is recorded relative to the working directory, as one
        through -I: CPATH naming the first build directory's headers, set for a second build
        directory too, keys apart there (its compiler reads the first one's header, changed
        since); each build directory's own (CPATH=$PWD/inc) shares."""
        self.write("src/m.c", '#include "x.h"\nint v = G;\n')
        env = dict(self.env, DDCC_BASEDIR=self.work)

        def build(name, cpath):
            cwd = os.path.join(self.work, name)
            run_env = dict(env, CPATH=os.path.join(self.work, cpath, "inc"))
            argv = ["gcc", "-c", "../src/m.c", "-o", "m.o"]
            cached = self.ddcc(*argv, cwd=cwd, env=run_env)
            served = self.read(os.path.join(name, "m.o"))
            self.assert_same_run(self.run_cmd(argv, cwd=cwd, env=run_env), cached)
            self.assertEqual(served, self.read(os.path.join(name, "m.o")), name)

        for name in ["b1", "b2"]:
            self.write(f"{name}/inc/x.h", "#define G 1\n")
        build("b1", "b1")
        self.write("b1/inc/x.h", "#define G 3\n")
        build("b2", "b1")  # reads b1's header, no longer what b2's still holds
        for name in ["b1", "b2"]:
            self.write(f"{name}/inc/x.h", "#define G 5\n")
        build("b1", "b1")
        build("b2", "b2")
        self.assertEqual(self.hits()[0], 1)

    def test_build_directories_of_one_tree_share_what_the_text_names(self):
        """assert() names the source by the absolute path CMake gives it: the text holds it, so
        the object's naming it ties nothing to a build directory: under a base directory a
        second build directory of the tree hits, in both modes. So do clang's (its
        __PRETTY_FUNCTION__, keyed with the line markers as written) and __builtin_FILE()'s."""
        self.write("src/m.c", "#include <assert.h>\n#include \"h.h\"\n"
                              "int f(int x) { assert(x > K); return x; }\n"
                              "const char *g(void) { return __builtin_FILE(); }\n")
        self.write("src/inc/h.h", "#define K 1\n")
        env = dict(self.env, DDCC_BASEDIR=self.work)
        for compiler in ["gcc", "clang"]:
            for mode in ["1", "0"]:
                for build in ["b1", "b2"]:
                    os.makedirs(os.path.join(self.work, build), exist_ok=True)
                    argv = [compiler, "-O2", f"-I{self.work}/src/inc", "-c",
                            os.path.join(self.work, "src/m.c"), "-o", "m.o"]
                    cwd = os.path.join(self.work, build)
                    run_env = dict(env, DDCC_DIRECT_MODE=mode,
                                   DDCC_DIR=os.path.join(self.root, compiler + mode))
                    cached = self.ddcc(*argv, cwd=cwd, env=run_env)
                    served = self.read(os.path.join(build, "m.o"))
                    self.assertIn(f"{self.work}/src/m.c".encode(), served)
                    plain = self.run_cmd(argv, cwd=cwd, env=run_env)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(served, self.read(os.path.join(build, "m.o")))
                stats = self.stats(env=run_env)
                self.assertEqual(stats["cache_hits"], 1, (compiler, mode))

    def test_clangs_assembler_line_table_ignores_prefix_maps(self):
        """clang's integrated assembler names the directory in its line table as it is, a
        prefix map of it or not (gcc's assembler maps it: shared)."""
        files = {"x.S": ".text\n.globl f\nf: ret\n", "x.s": ".text\n.globl f\nf: ret\n"}
        for compiler in ["gcc", "clang"]:
            for source in ["x.S", "x.s"]:
                for debug in ["-g", "-gdwarf-4"]:
                    self.in_trees(compiler, [debug, "-fdebug-prefix-map={tree}=.", "-c", source],
                                  files, base_dir=True)
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (4, 12))

    def test_clang_messages_with_absolute_paths(self):
        files = {"x.c": "int f(void) { int unused; return 0; }\n"}
        self.in_trees("clang", ["-Wall", "-fdiagnostics-absolute-paths", "-c", "x.c"], files)


if __name__ == "__main__":
    unittest.main()
