"""Direct mode with real compilers: hits without the preprocessor, and never a stale hit when a
header changes (even keeping its size and mtime), disappears, is shadowed by a new one earlier
on the search path, or appears where a __has_include looks; time macros honoured."""

import os
import shutil
import stat
import struct
import time
import unittest

from common import DDCC, HeaderSearchTestCase

SOURCE = HeaderSearchTestCase.SOURCE


class DirectModeTest(HeaderSearchTestCase):
    def test_second_compile_runs_no_preprocessor(self):
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                wrapper = self.recorder(compiler)
                self.check(wrapper)
                first = self.calls()
                self.assertTrue(any(" -E " in f" {c} " for c in first), first)
                self.check(wrapper)
                self.assertEqual(self.calls(), [])
        self.assertEqual(self.hits(), (2, 0, 2))

    def test_search_path_is_probed_once_per_flags(self):
        wrapper = self.recorder()
        self.write("other.c", SOURCE.replace("value", "other"))
        args = ["-Ilater", *self.args]  # "later" does not exist yet
        self.check(wrapper, args=args)
        self.assertEqual(sum(" -v " in c for c in self.calls()), 1)
        self.check(wrapper, args=[a if a != "main.c" else "other.c" for a in args])
        self.assertEqual(sum(" -v " in c for c in self.calls()), 0)  # memoised
        self.write("later/util.h", "#define UTIL 9\n")  # shadows second/util.h
        self.check(wrapper, args=args)
        self.assertEqual(sum(" -v " in c for c in self.calls()), 1)  # the memo no longer holds
        self.assertEqual(self.hits(), (0, 0, 3))

    def test_changed_header_misses(self):
        self.check()
        self.write("second/util.h", "#define UTIL 3\n")
        self.check()
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))

    def test_same_size_and_mtime_but_new_content(self):
        header = os.path.join(self.work, "second/util.h")
        before = os.stat(header)
        time.sleep(2.1)  # old enough for the manifest to trust its stamp
        self.check()
        self.check()
        self.assertEqual(self.hits(), (1, 0, 1))
        self.write("second/util.h", "#define UTIL 7\n")  # same size
        os.utime(header, ns=(before.st_atime_ns, before.st_mtime_ns))
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))

    def test_files_stamped_ahead_of_the_clock_are_stored_and_hit(self):
        """A tree unpacked from a tarball made where the clock ran ahead (or `touch -d`) has
        mtimes in the future: they say nothing of when the content changed (the ctime does), so
        its compiles are stored and hit, as ccache's are; an edit after is still seen."""
        ahead = time.time() + 7200
        stamp_ahead = lambda: [os.utime(os.path.join(self.work, path), (ahead, ahead))
                               for path in ["main.c", "second/util.h"]]
        for mode, mode_env in [("direct", {}), ("preprocessor", {"DDCC_DIRECT_MODE": "0"}),
                               ("depend", {"DDCC_DEPEND": "1"})]:
            with self.subTest(mode=mode):
                self.env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + mode),
                                **mode_env)
                self.write("second/util.h", "#define UTIL 2\n")
                stamp_ahead()
                self.check()
                self.check()
                self.write("second/util.h", "#define UTIL 3\n")  # same size
                stamp_ahead()
                self.check()
                self.check()
                direct, preprocessed, misses = self.hits()
                self.assertEqual((direct + preprocessed, misses), (2, 2))

    def test_removed_header(self):
        self.check()
        os.remove(os.path.join(self.work, "second/util.h"))
        result = self.check()
        self.assertNotEqual(result.returncode, 0)

    def test_new_header_earlier_on_the_search_path(self):
        self.check()
        self.check()
        self.write("first/util.h", "#define UTIL 1\n")  # shadows second/util.h
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))
        self.write("util.h", "#define UTIL 0\n")  # beside main.c: searched first of all
        self.check()
        self.assertEqual(self.hits(), (1, 0, 3))

    def test_search_directory_that_changed_still_guards_its_absences(self):
        """A header added beside the absent ones changes the directory that guarded them: the
        next hit checks them one by one and restamps it; a shadowing header created after that
        is still seen. A subdirectory created where a header was looked for is a difference
        even while empty (its absence stood for the header's), and so is the header in it."""
        self.write("second/sub/deep.h", "#define DEEP 4\n")
        self.write("main.c", '#include "util.h"\n#include "sub/deep.h"\n'
                             'int value(void) { return UTIL + DEEP; }\n')
        time.sleep(2.1)  # old enough for first/ to guard what it lacks
        self.check()
        self.write("first/unrelated.h", "\n")
        time.sleep(2.1)  # first/ changed, long enough ago to be restamped
        self.check()
        self.write("first/util.h", "#define UTIL 1\n")
        time.sleep(2.1)  # recorded with first/ as a guard again
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))

        os.mkdir(os.path.join(self.work, "first/sub"))
        time.sleep(2.1)
        self.check()
        self.write("first/sub/deep.h", "#define DEEP 5\n")  # first/ itself is unchanged
        self.check()
        self.assertEqual(self.hits(), (1, 1, 3))  # the empty sub/: same preprocessed text

    def test_new_file_where_has_include_looks(self):
        self.write("main.c", '#if __has_include("extra.h")\n#include "extra.h"\n#else\n'
                             '#define EXTRA 0\n#endif\nint value(void) { return EXTRA; }\n')
        self.check()
        self.check()
        self.write("second/extra.h", "#define EXTRA 5\n")
        self.check()
        self.assertEqual(self.hits(), (1, 0, 2))

    def test_probes_and_pragmas_spelled_so_that_a_scan_may_miss_them(self):
        """What a direct hit must not skip, written in ways a plain reading of the source does
        not show: each is changed after the first compile; the second must be the compiler's."""
        old = "2020-01-01"
        cases = {
            # __has_include pasted from three pieces and more.
            "paste3": ("#define CAT3(a,b,c) a##b##c\n#if CAT3(__has,_incl,ude)(<y.h>)\n"
                       "#define V 2\n#else\n#define V 1\n#endif\nint f(void){return V;}\n",
                       lambda: self.write("first/y.h", "")),
            "paste4": ("#define CAT4(a,b,c,d) a##b##c##d\n#if CAT4(__ha,s_in,cl,ude)(<y.h>)\n"
                       "#define V 2\n#else\n#define V 1\n#endif\nint f(void){return V;}\n",
                       lambda: self.write("first/y.h", "")),
            # In C, 1'a/*' is a number and a character literal, not a digit separator before a
            # comment that would hide the probe.
            "quote": ("#if 0\n1'a/*'\n#endif\n#if __has_include(<y.h>)\n#define V 2\n#else\n"
                      "#define V 1\n#endif\nint f(void){return V;}\n/* */\n",
                      lambda: self.write("first/y.h", "")),
            # #pragma GCC dependency with GCC spelled by a macro: gcc warns (-Werror: fails)
            # once the file is newer than the source.
            "dependency": ('#define PRAGMA(x) _Pragma(#x)\n#define XPRAGMA(x) PRAGMA(x)\n'
                           '#define G GCC\nXPRAGMA(G dependency "other.h")\n'
                           "int f(void){return 1;}\n",
                           lambda: os.utime(os.path.join(self.work, "other.h"))),
            # The words in an object-like macro's body, or the arguments over two lines.
            "dependency in a body": ('#define STR(x) #x\n#define XSTR(x) STR(x)\n'
                                     '#define P(x) _Pragma(XSTR(x))\n#define G GCC\n'
                                     '#define DEP "other.h"\n#define ARGS G dependency DEP\n'
                                     "P(ARGS)\nint f(void){return 1;}\n",
                                     lambda: os.utime(os.path.join(self.work, "other.h"))),
            "dependency over lines": ('#define PRAGMA(x) _Pragma(#x)\n#define XPRAGMA(x) PRAGMA(x)\n'
                                      '#define G GCC\n#define DEP "other.h"\nXPRAGMA(G\n'
                                      "        dependency DEP)\nint f(void){return 1;}\n",
                                      lambda: os.utime(os.path.join(self.work, "other.h"))),
            # What gcc and clang read as a line's end, a splice or `##`, and a byte order mark
            # they skip: a probe, a pragma and a line marker (which makes the -dI text name
            # another includer) that only such a reading shows.
            "cr splice": ('#if __has_include(<y\\\r.h>)\n#define V 2\n#else\n#define V 1\n'
                          "#endif\nint f(void){return V;}\n", lambda: self.write("first/y.h", "")),
            "cr pragma": ('#pragma GCC depen\\\rdency "other.h"\nint f(void){return 1;}\n',
                          lambda: os.utime(os.path.join(self.work, "other.h"))),
            "cr marker": ('int a;\r# 1 "first/fake.h" 1\r#include "z.h"\nint f(void){return Z;}\n',
                          lambda: self.write("z.h", "#define Z 2\n")),
            "bom marker": ('\ufeff# 1 "first/fake.h" 1\n#include "z.h"\nint f(void){return Z;}\n',
                           lambda: self.write("z.h", "#define Z 2\n")),
            "digraph paste": ("#define CAT3(a,b,c) a%:%:b%:%:c\n#if CAT3(__h,as_incl,ude)(<y.h>)\n"
                              "#define V 2\n#else\n#define V 1\n#endif\nint f(void){return V;}\n",
                              lambda: self.write("first/y.h", "")),
            "vt pragma": ('#pragma GCC\vdependency\v"other.h"\nint f(void){return 1;}\n',
                          lambda: os.utime(os.path.join(self.work, "other.h"))),
            "nul marker": ('int a;\n\0# 1 "first/fake.h" 1\n#include "z.h"\nint f(void){return Z;}\n',
                           lambda: self.write("z.h", "#define Z 2\n")),
            "comment in <> after )": ("#if __has_include(<sub)/*c*/y.h>)\n#define V 2\n#else\n"
                                      "#define V 1\n#endif\nint f(void){return V;}\n",
                                      lambda: self.write("first/sub)/*c*/y.h", "")),
            "comment in <>": ("#if __has_include(<sub/*c*/y.h>)\n#define V 2\n#else\n#define V 1\n"
                              "#endif\nint f(void){return V;}\n",
                              lambda: self.write("first/sub/*c*/y.h", "")),
        }
        for name, (source, change) in cases.items():
            for compiler in ["gcc", "clang"]:
                with self.subTest(case=name, compiler=compiler):
                    shutil.rmtree(os.path.join(self.work, "first"), ignore_errors=True)
                    self.write("first/.keep", "")
                    self.write("other.h", "")
                    self.write("inc/z.h", "#define Z 1\n")
                    self.write("first/fake.h", "")
                    if os.path.exists(os.path.join(self.work, "z.h")):
                        os.remove(os.path.join(self.work, "z.h"))
                    self.write("main.c", source)
                    stamp = time.mktime(time.strptime(old, "%Y-%m-%d"))
                    for path in ["other.h", "main.c", "first", "."]:
                        os.utime(os.path.join(self.work, path), (stamp, stamp))
                    args = ["-Werror", "-Iinc", "-Ifirst", "-c", "main.c", "-o", "main.o"]
                    self.check(compiler, args)
                    change()
                    self.check(compiler, args)

    def test_a_link_beside_an_angled_includer_is_not_searched(self):
        """An #include <...> and a __has_include(<...>) do not look beside their includer, nor
        past the first file they find: a link there to the header found (Debian's
        libc6-dev-i386 makes /usr/include/sys/cdefs.h one, beside features.h's
        #include <sys/cdefs.h>) is no second name of it, and clang hits directly, in direct and
        depend mode; a file put there later changes nothing, one put before it is seen."""
        self.write("A/sub/x.h", "int xv;\n")
        self.write("A/sub/y.h", "#define Y 1\n")
        self.write("B/feat.h", "#include <sub/x.h>\n#if __has_include(<sub/y.h>)\n"
                               "#include <sub/y.h>\n#endif\n")
        for name in ["x.h", "y.h"]:
            os.makedirs(os.path.join(self.work, "B/sub"), exist_ok=True)
            os.symlink(f"../../A/sub/{name}", os.path.join(self.work, "B/sub", name))
        self.write("main.c", "#include <feat.h>\nint f(void) { return Y; }\n")
        args = ["-isystem", "first", "-isystem", "A", "-isystem", "B", "-MD", "-c", "main.c",
                "-o", "main.o"]
        for compiler in ["clang", "gcc"]:
            for mode, mode_env in [("direct", {}), ("depend", {"DDCC_DEPEND": "1"})]:
                with self.subTest(compiler=compiler, mode=mode):
                    shutil.rmtree(os.path.join(self.work, "first"), ignore_errors=True)
                    os.makedirs(os.path.join(self.work, "first"))
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, f"c-{compiler}-{mode}"),
                               **mode_env)
                    self.check(compiler, args, env=env)
                    self.check(compiler, args, env=env)
                    self.assertEqual(self.stats(env=env)["direct_hits"], 1, self.log())
                    self.write("first/sub/y.h", "#define Y 2\n")
                    self.check(compiler, args, env=env)

    def test_one_file_under_two_names(self):
        """clang keeps one entry per file, which searches its quoted #includes beside the first
        name it was looked up by, whatever name a line marker gives it: a header created there
        must be seen."""
        sources = {
            "probe": ('#if __has_include("dA/h.h")\n#endif\n#include "dB/h.h"\n'
                      "int f(void){return N;}\n", "#ifndef H_H\n#define H_H\n#include \"n.h\"\n#endif\n"),
            "twice": ('#include "dA/h.h"\n#define WANT\n#include "dB/h.h"\nint f(void){return N;}\n',
                      '#ifdef WANT\n#include "n.h"\n#endif\n'),
        }
        for name, (source, header) in sources.items():
            for link in [os.symlink, os.link]:
                with self.subTest(case=name, link=link.__name__):
                    for path in ["dA", "dB"]:
                        shutil.rmtree(os.path.join(self.work, path), ignore_errors=True)
                    self.write("dA/h.h", header)
                    os.makedirs(os.path.join(self.work, "dB"))
                    target = "../dA/h.h" if link is os.symlink else os.path.join(self.work, "dA/h.h")
                    link(target, os.path.join(self.work, "dB/h.h"))
                    self.write("inc/n.h", "#define N 1\n")
                    self.write("main.c", source)
                    args = ["-Iinc", "-MD", "-c", "main.c", "-o", "main.o"]
                    self.check("clang", args)
                    self.check("clang", args)
                    self.write("dA/n.h", "#define N 2\n")
                    self.check("clang", args)

    def test_a_system_header_gcc_names_by_its_real_path(self):
        """gcc names a header of a system directory by its real path where that is shorter:
        where a link leads decides the dependency file, so a link retargeted to a file of the
        same content must not serve the old name."""
        for path in ["sys", "r1", "r2", "deep/x/y/z/w/v"]:
            os.makedirs(os.path.join(self.work, path), exist_ok=True)
        self.write("r1/s.h", "int s;\n")
        self.write("r2/s.h", "int s;\n")
        os.symlink("../r1/s.h", os.path.join(self.work, "sys/s.h"))
        self.write("main.c", "#include <s.h>\nint f(void) { return 1; }\n")
        args = ["-isystem", "deep/x/y/z/w/v/../../../../../../sys", "-MD", "-c", "main.c", "-o",
                "main.o"]
        # Also where the real path is in a search directory of its own.
        for extra in [[], ["-idirafter", os.path.join(self.work, "r1"), "-idirafter",
                           os.path.join(self.work, "r2")]]:
            with self.subTest(extra=extra):
                os.remove(os.path.join(self.work, "sys/s.h"))
                os.symlink("../r1/s.h", os.path.join(self.work, "sys/s.h"))
                self.check("gcc", args + extra)
                self.check("gcc", args + extra)
                os.remove(os.path.join(self.work, "sys/s.h"))
                os.symlink("../r2/s.h", os.path.join(self.work, "sys/s.h"))
                self.check("gcc", args + extra)
        # A file -include names by an absolute path is no such name: it still hits directly.
        self.write("main.c", "int f(void) { return s; }\n")
        before = self.hits()
        args = ["-include", os.path.join(self.work, "r1/s.h"), "-c", "main.c", "-o", "main.o"]
        self.check("gcc", args)
        self.check("gcc", args)
        self.assertEqual(self.hits()[0] - before[0], 1)

    def test_a_system_header_gcc_names_as_found_keeps_that_name_only_while_its_link_holds(self):
        """A system header reached through a link to a longer path is named as found, and hits
        directly; once the link leads to a shorter path (a file of the same content), gcc names
        it by that path, and no hit may serve the old name. The same for a file -include or
        -imacros finds through such a link, in depend mode, and under a base directory for two
        trees of different path lengths whose links lead out of it."""
        def link(target, name):
            path = os.path.join(self.work, name)
            if os.path.lexists(path):
                os.remove(path)
            os.symlink(os.path.join(self.work, target), path)

        self.write("a_much_longer_directory_name/s.h", "#define S 1\n")
        self.write("r/s.h", "#define S 1\n")
        self.write("sys/.keep", "")
        self.write("inc.c", "#include <s.h>\nint f(void) { return S; }\n")
        self.write("forced.c", "int f(void) { return S; }\n")
        cases = [("include", ["inc.c"], {}), ("depend", ["inc.c"], {"DDCC_DEPEND": "1"}),
                 ("-include", ["-include", "s.h", "forced.c"], {}),
                 ("-imacros", ["-imacros", "s.h", "forced.c"], {})]
        for name, inputs, mode_env in cases:
            with self.subTest(case=name):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + name),
                           **mode_env)
                args = ["-isystem", os.path.join(self.work, "sys"), "-MD", *inputs, "-c", "-o",
                        "main.o", "-MF", "main.d"]
                link("a_much_longer_directory_name/s.h", "sys/s.h")
                time.sleep(0.05)  # a link made during the compile would leave nothing stored
                self.check("gcc", args, env=env)
                self.check("gcc", args, env=env)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)
                link("r/s.h", "sys/s.h")
                self.check("gcc", args, env=env)

        # Two trees under one base directory, each with a link to one header outside both.
        self.write("outside/s.h", "#define S 1\n")
        env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-trees"))
        for tree in ["A", "B_a_tree_of_a_much_longer_name"]:
            self.write(tree + "/inc.c", "#include <s.h>\nint f(void) { return S; }\n")
            os.makedirs(os.path.join(self.work, tree, "sys"))
            link("outside/s.h", tree + "/sys/s.h")
            tree_env = dict(env, DDCC_BASEDIR=os.path.join(self.work, tree))
            cached = self.ddcc("gcc", "-isystem", os.path.join(self.work, tree, "sys"), "-MD",
                               "-c", "inc.c", "-o", "inc.o", env=tree_env,
                               cwd=os.path.join(self.work, tree))
            self.assertEqual(cached.returncode, 0, cached.stderr)
            with open(os.path.join(self.work, tree, "inc.d")) as f:
                served = f.read()
            plain = self.run_cmd(["gcc", "-isystem", os.path.join(self.work, tree, "sys"), "-MD",
                                  "-c", "inc.c", "-o", "inc.o"], cwd=os.path.join(self.work, tree))
            self.assertEqual(plain.returncode, 0, plain.stderr)
            with open(os.path.join(self.work, tree, "inc.d")) as f:
                self.assertEqual(served, f.read())

    def test_a_directory_on_a_headers_way_replaced_by_a_link(self):
        """A header reached through no link is named as found; once a directory on its way is
        moved elsewhere and a link put in its place (the header keeps its stamps, the search
        directory its own), gcc names a system header by its now shorter real path (dependency
        file, debug info) and clang warns of a name whose case differs from the real one: no hit
        may serve the old result. In direct, preprocessor and depend mode, and for a directory
        higher up, the search directory itself."""
        long = "a_long_directory_name_on_the_way/inc"
        cases = [("gcc", ["-g", "-isystem", os.path.join(self.work, long)], "<sub/x.h>", "sub",
                  "s/sub"),
                 ("gcc", ["-isystem", os.path.join(self.work, long)], "<sub/x.h>", "", "s/inc"),
                 ("clang", ["-Werror", "-I" + long], '"sub/x.h"', "sub", "other/SUB")]
        modes = [("direct", {}), ("preprocessor", {"DDCC_DIRECT_MODE": "0"}),
                 ("depend", {"DDCC_DEPEND": "1"})]
        for i, (compiler, flags, name, moved, target) in enumerate(cases):
            for mode, mode_env in modes:
                with self.subTest(compiler=compiler, moved=moved, mode=mode):
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, f"cache-{i}-{mode}"),
                               **mode_env)
                    for path in ["a_long_directory_name_on_the_way", "s", "other"]:
                        shutil.rmtree(os.path.join(self.work, path), ignore_errors=True)
                    self.write(long + "/sub/x.h", "struct X { int a; };\n")
                    self.write("main.c", f"#include {name}\nstruct X x;\nint f(void) {{ return x.a; }}\n")
                    args = flags + ["-MD", "-c", "main.c", "-o", "main.o"]
                    self.check(compiler, args, env=env)
                    self.check(compiler, args, env=env)
                    if mode != "preprocessor":
                        self.assertEqual(self.stats(env=env)["direct_hits"], 1)
                    old = os.path.join(self.work, long, moved).rstrip("/")
                    os.makedirs(os.path.dirname(os.path.join(self.work, target)), exist_ok=True)
                    os.rename(old, os.path.join(self.work, target))
                    os.symlink(os.path.join(self.work, target), old)
                    self.check(compiler, args, env=env)

    def test_clang_warns_of_a_name_whose_link_leads_to_another_case(self):
        """clang compares an #include's name with the real path behind a link
        (-Wnonportable-include-path): h.h leading to h2.h is silent, to H.h an error under
        -Werror. A hit after the link was pointed at H.h (the same content) must fail too."""
        self.write("H.h", "#define V 1\n")
        self.write("h2.h", "#define V 1\n")
        self.write("main.c", '#include "h.h"\nint f(void) { return V; }\n')
        args = ["-Werror", "-MD", "-c", "main.c", "-o", "main.o"]
        for mode, mode_env in [("direct", {}), ("depend", {"DDCC_DEPEND": "1"})]:
            with self.subTest(mode=mode):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + mode),
                           **mode_env)
                link = os.path.join(self.work, "h.h")
                if os.path.lexists(link):
                    os.remove(link)
                os.symlink("h2.h", link)
                self.check("clang", args, env=env)
                self.check("clang", args, env=env)
                os.remove(link)
                os.symlink("H.h", link)
                result = self.check("clang", args, env=env)
                self.assertNotEqual(result.returncode, 0)

    def test_a_directory_named_like_a_header_is_passed_over(self):
        """A directory where the compiler searches for a header (src/memory for <memory>, as C++
        projects have) is passed over, and hits directly; a file put in a later search directory,
        or in the directory's place, is seen."""
        self.write("main.cc", "#include <memory>\nint f() { return *std::make_unique<int>(3); }\n")
        args = ["-Isrc", "-Ilater", "-c", "main.cc", "-o", "main.o"]
        for compiler in ["g++", "clang++"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
                for path in ["src", "later"]:
                    shutil.rmtree(os.path.join(self.work, path), ignore_errors=True)
                os.makedirs(os.path.join(self.work, "src/memory/inside"))
                os.makedirs(os.path.join(self.work, "later"))
                self.check(compiler, args, env=env)
                self.check(compiler, args, env=env)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)
                self.write("later/memory", "inline int make() { return 4; }\n")
                self.write("main.cc", "#include <memory>\nint f() { return make(); }\n")
                self.check(compiler, args, env=env)
                os.remove(os.path.join(self.work, "later/memory"))
                self.write("main.cc",
                           "#include <memory>\nint f() { return *std::make_unique<int>(3); }\n")
                self.check(compiler, args, env=env)
                shutil.rmtree(os.path.join(self.work, "src/memory"))
                self.write("src/memory", "inline int make() { return 5; }\n"
                                         "namespace std { template <class T> T *make_unique(int) "
                                         "{ static T t = 5; return &t; } }\n")
                self.check(compiler, args, env=env)

    def test_ordinary_text_that_looks_like_what_the_scans_refuse_hits(self):
        """A string naming a dependency (LLVM's ELF.h), C++14 digit separators beside a comment
        naming a time macro: direct hits."""
        self.write("main.cc", 'static const char *kind = "dependency";\n'
                              'const char *k = "version dependency ";\n'
                              "int n = 1'000'000;  // not __TIME__\n"
                              "int f() { return n + (kind == k); }\n")
        args = ["-std=c++17", "-c", "main.cc", "-o", "main.o"]
        for compiler in ["g++", "clang++"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
                self.check(compiler, args, env=env)
                self.check(compiler, args, env=env)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)

    def test_two_copies_under_a_pragma_once_spelled_through_a_macro(self):
        for directive in ["#define PRAGMA(x) _Pragma(#x)\nPRAGMA(once)\n", "%:import\n"]:
            with self.subTest(directive=directive):
                header = directive + "int v1 = 1;\n"
                if directive.startswith("%:"):
                    header = "int v1 = 1;\n"
                self.write("d1/h.h", header)
                self.write("d2/h.h", header)
                include = "%:import" if directive.startswith("%:") else "#include"
                self.write("main.c", f'{include} "d1/h.h"\n{include} "d2/h.h"\n'
                                     "int f(void) { return v1; }\n")
                stamp = time.time() - 3600
                for path in ["d1/h.h", "d2/h.h", "main.c"]:
                    os.utime(os.path.join(self.work, path), (stamp, stamp))
                args = ["-Wno-deprecated", "-c", "main.c", "-o", "main.o"]
                self.check("gcc", args)
                os.utime(os.path.join(self.work, "d2/h.h"))  # gcc now includes both
                self.check("gcc", args)

    def test_one_pragma_once_file_under_two_spellings_hits_directly(self):
        """meson's -I. with its sources as ../src/x.c reads src/h.h also as
        ../src/../src/h.h (a place searched before it); a source and a header naming one file
        two ways: one file, entered once, not two alike."""
        self.write("src/h.h", "#pragma once\n#define K 7\n")
        self.write("src/a.c", '#include "h.h"\n#include "../src/h.h"\nint f(void) { return K; }\n')
        os.makedirs(os.path.join(self.work, "bd"))
        self.settle()
        for mode in ["direct", "depend"]:
            with self.subTest(mode=mode):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + mode),
                           DDCC_DEPEND="1" if mode == "depend" else "0")
                args = ["-I.", "-I..", "-MD", "-MQ", "a.o", "-MF", "a.o.d", "-c", "../src/a.c",
                        "-o", "a.o"]
                for _ in range(2):
                    cached = self.ddcc("gcc", *args, env=env, cwd=os.path.join(self.work, "bd"))
                    self.assertEqual(cached.returncode, 0, cached.stderr)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)

    def test_two_spellings_of_one_pragma_once_file_that_become_two_files(self):
        """src/h.h and src/../src/h.h are one file until src becomes a link into another tree,
        whose ../src holds a copy of another mtime: gcc then reads both."""
        # Or through a directory a `..` leaves for another: ../inc/../src/h.h; or the header
        # in inc/, found by -Iinc and as src/../inc/h.h.
        cases = [("../src", "src", "src", []), ("../inc/../src", "src", "inc", []),
                 ("../inc", "inc", "src", ["-Iinc"])]
        for way, home, moved, options in cases:
            with self.subTest(way=way, moved=moved):
                self.work = os.path.join(self.root, f"w-{home}-{moved}")
                self.env["DDCC_DIR"] = os.path.join(self.root, f"cache-{home}-{moved}")
                self.write("inc/.keep", "")
                self.write("src/a.c", f'#include "h.h"\n#include "{way}/h.h"\n#ifndef TWICE\n'
                                      '#define TWICE 0\n#endif\nint t = TWICE;\n')
                self.write(f"{home}/h.h",
                           "#pragma once\n#ifdef SEEN\n#define TWICE 1\n#endif\n#define SEEN\n")
                self.settle()
                args = [*options, "-c", "src/a.c", "-o", "main.o"]
                self.check("gcc", args)
                self.check("gcc", args)
                self.assertEqual(self.stats()["direct_hits"], 1)
                other = os.path.join(self.work, "other")
                os.makedirs(os.path.join(other, home))
                os.rename(os.path.join(self.work, moved), os.path.join(other, moved[0]))
                os.symlink(f"other/{moved[0]}", os.path.join(self.work, moved))
                shutil.copy(os.path.join(self.work, home, "h.h"), os.path.join(other, home, "h.h"))
                old = time.time() - 300
                os.utime(os.path.join(other, home, "h.h"), (old, old))
                self.check("gcc", args)

    def test_a_header_map_sends_a_name_anywhere(self):
        """clang's -I naming a header map: x.h is mapped to a file that appears later."""
        gen = os.path.join(self.work, "gen")
        os.makedirs(gen)
        # A header map (clang's HeaderMap format): 8 buckets, x.h in the one its hash names
        # (the sum of its lower-case characters times 13), mapped to gen/x.h.
        strings = b"\0x.h\0" + (gen + "/").encode() + b"\0"
        buckets = [(0, 0, 0)] * 8
        buckets[sum(ord(c) * 13 for c in "x.h") & 7] = (1, 5, 1)  # key, prefix, suffix
        data = struct.pack("<IHHIIII", 0x686D6170, 1, 0, 24 + 12 * 8, 1, 8, len(gen) + 4)
        for bucket in buckets:
            data += struct.pack("<III", *bucket)
        with open(os.path.join(self.work, "map.hmap"), "wb") as f:
            f.write(data + strings)
        self.write("second/x.h", "#define V 2\n")
        self.write("main.c", "#include <x.h>\nint f(void) { return V; }\n")
        args = ["-Imap.hmap", "-Isecond", "-c", "main.c", "-o", "main.o"]
        stamp = time.time() - 3600  # old enough for stamps to prove what a lookup checks
        for path in ["map.hmap", "main.c", "second/x.h", "second", "gen", "."]:
            os.utime(os.path.join(self.work, path), (stamp, stamp))
        self.check("clang", args)
        self.write("gen/x.h", "#define V 3\n")
        self.check("clang", args)

    def test_has_include_through_a_macro_hits_directly(self):
        # fmt and others define a macro around __has_include in one header and call it in
        # others, also through a macro of their own. The calls are probes like any other.
        self.write("second/config.h",
                   "#ifdef __has_include\n#  define LIB_HAS_INCLUDE(x) __has_include(x)\n#else\n"
                   "#  define LIB_HAS_INCLUDE(x) 0\n#endif\n#define LIB_HAS_STD(h) LIB_HAS_INCLUDE(h)\n")
        self.write("second/util.h",
                   '#include "config.h"\n#if LIB_HAS_INCLUDE("extra.h")\n#include "extra.h"\n'
                   "#else\n#define EXTRA 0\n#endif\n#if LIB_HAS_STD(<opt.h>)\n#define OPT 1\n"
                   "#else\n#define OPT 0\n#endif\n#define UTIL (EXTRA + OPT)\n")
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
                for name in ["first/extra.h", "first/opt.h"]:
                    if os.path.exists(os.path.join(self.work, name)):
                        os.remove(os.path.join(self.work, name))
                self.check(compiler, env=env)
                self.check(compiler, env=env)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)
                self.write("first/extra.h", "#define EXTRA 5\n")  # where the quoted probe looks
                self.check(compiler, env=env)
                self.write("first/opt.h", "")  # where the angled one does
                self.check(compiler, env=env)
                self.check(compiler, env=env)
                stats = self.stats(env=env)
                self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (2, 3))

    def test_fmt_headers_hit_directly(self):
        # The real library (Debian's libfmt-dev): FMT_HAS_INCLUDE in core.h, called in others.
        # (Not fmt/os.h: it probes <fcntl.h>, and glibc's fcntl.h may #define fcntl, which would
        # make the probe look for another file; ddcc then records no manifest.)
        self.write("fmt.cc", "#include <fmt/format.h>\n#include <fmt/chrono.h>\n"
                             "#include <fmt/std.h>\n"
                             'std::string f(int x) { return fmt::format("{}", x); }\n')
        args = ["-std=c++17", "-c", "fmt.cc", "-o", "main.o"]
        for compiler in ["g++", "clang++"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
                self.check(compiler, args=args, env=env)
                self.check(compiler, args=args, env=env)
                self.assertEqual(self.stats(env=env)["direct_hits"], 1)
                # Where fmt/chrono.h asks for "winapifamily.h" (its probe's text may be expanded in
                # any file, so beside each).
                self.write("winapifamily.h", "")
                self.check(compiler, args=args, env=env)
                # The probe sits under _WIN32: the text is the same, a preprocessed hit.
                self.assertEqual(self.stats(env=env)["preprocessed_hits"], 1)
                os.remove(os.path.join(self.work, "winapifamily.h"))

    def test_macros_in_a_probed_header_name_are_seen(self):
        # Where macro expansion reaches the tokens of <...> (a #define's body, a probe macro's
        # argument), a parameter or any macro (of a header, the command line, or the compiler:
        # `linux` is 1 under -std=gnu11) makes the probe look for another file.
        has = "#define HAS(x) __has_include(x)\n"
        cases = {
            "parameter": ("#define HAS_H(x) __has_include(<x.h>)\n#if HAS_H(extra)\n", [],
                          "first/extra.h"),
            "command line": (has + "#if HAS(<foo.h>)\n", ["-Dfoo=extra"], "first/extra.h"),
            "header": ('#include "util.h"\n' + has + "#if HAS(<foo.h>)\n", [], "first/other.h"),
            "compiler": (has + "#if HAS(<linux/x.h>)\n", ["-std=gnu11"], "first/1/x.h"),
            "alias": ("#define HAS_X __has_include(<linux/x.h>)\n#if HAS_X\n", ["-std=gnu11"],
                      "first/1/x.h"),
            # A short name pasted from two pieces shorter than 3 characters.
            "pasted": ("#define HAS(x) __has_include(x)\n#define CAT(a, b) a##b\n"
                       "#if CAT(H, AS)(<extra.h>)\n", [], "first/extra.h"),
        }
        self.write("second/util.h", "#define UTIL 2\n#define foo other\n")
        for name, (probe, flags, created) in cases.items():
            with self.subTest(case=name):
                self.write("main.c", probe + "int value(void) { return 1; }\n#else\n"
                           "int value(void) { return 0; }\n#endif\n")
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + name))
                args = [*flags, *self.args]
                time.sleep(1.1)  # no file fresh enough to keep the manifest from being stored
                self.check(args=args, env=env)
                self.check(args=args, env=env)
                path = self.write(created, "")
                try:
                    self.check(args=args, env=env)
                finally:
                    os.remove(path)

    def test_dependency_file_on_a_direct_hit(self):
        args = self.args + ["-MD", "-MF", "main.d"]
        for _ in range(2):
            self.check(args=args)
            with open(os.path.join(self.work, "main.d"), "rb") as f:
                cached = f.read()
            self.run_cmd(["gcc", *args])
            self.assertEqual(cached, self.read("main.d"))
        self.assertEqual(self.hits()[0], 1)

    def test_time_macros(self):
        self.write("second/util.h", "#define UTIL sizeof(__DATE__)\n")
        self.check()
        self.check()
        self.assertEqual(self.hits(), (1, 0, 1))  # the same day: a direct hit
        # With SOURCE_DATE_EPOCH set, whose value the direct key does not hold, no time macro
        # is in an include set: preprocessed hits.
        epoch = dict(self.env, SOURCE_DATE_EPOCH="1700000000")
        self.check(env=epoch)
        self.check(env=epoch)
        self.assertEqual(self.hits(), (1, 1, 2))
        self.write("main.c", SOURCE.replace("UTIL;", "UTIL + sizeof(__TIMESTAMP__);"))
        self.check(env=epoch)
        self.check(env=epoch)
        self.assertEqual(self.hits(), (1, 2, 3))
        sloppy = dict(epoch, DDCC_SLOPPINESS="time_macros")
        self.check(env=sloppy)
        self.check(env=sloppy)
        self.assertEqual(self.hits(), (2, 3, 3))

    def test_a_changed_source_date_epoch_still_hits_directly(self):
        """Reproducible builds set SOURCE_DATE_EPOCH to the last commit's time: a build after
        the next commit hits directly where no file asks the time, and a file that does gets
        the date of its own epoch, whichever epoch (or none) came before."""
        self.write("main.c", SOURCE + 'const char *built = __DATE__ " " __TIME__;\n')
        self.write("other.c", SOURCE)
        other = ["-Ifirst", "-Isecond", "-c", "other.c", "-o", "main.o"]
        plain_env = dict(self.env)
        plain_env.pop("SOURCE_DATE_EPOCH", None)
        retries = 0
        for env in [plain_env, *[dict(self.env, SOURCE_DATE_EPOCH=str(1000000000 + day * 86400))
                                 for day in range(3)]]:
            for _ in range(2):
                # Without the variable, main.c's __TIME__ is each compile's own: ddcc's and the
                # plain one after it may fall in two seconds (a miss every time, so try again).
                for attempt in range(3):
                    try:
                        self.check(env=env)
                        break
                    except AssertionError:
                        if env is not plain_env or attempt == 2:
                            raise
                        retries += 1
                self.check(args=other, env=env)
        # other.c: a miss and a direct hit; with the variable set a preprocessed hit (another
        # direct key), then direct hits whatever its value. main.c: misses without it (its
        # __TIME__ is this run's), and with it a miss for each epoch, then a preprocessed hit.
        self.assertEqual(self.hits(), (1 + 1 + 4, 1 + 3, 1 + 2 + 3 + retries))

    def test_a_clock_a_preload_fakes(self):
        """libfaketime-style preloads set the compiler's clock apart from ddcc's: a compile
        under one never serves another clock's __DATE__."""
        self.write("fake.c", "#include <stdlib.h>\n#include <time.h>\ntime_t time(time_t *t) {"
                   ' const char *e = getenv("FAKE_T"); time_t v = e ? atoll(e) : 0;'
                   " if (t) *t = v; return v; }\n")
        self.run_cmd(["gcc", "-shared", "-fPIC", "-O2", "fake.c", "-o", "fake.so"])
        self.write("main.c", SOURCE + "const char *day = __DATE__;\n")
        preload = os.path.join(self.work, "fake.so")
        for env in [{"LD_PRELOAD": preload, "FAKE_T": "1000000000"},
                    {"LD_PRELOAD": preload, "FAKE_T": "1100000000"}, {}, {}]:
            self.check(env=dict(self.env, **env))
        # The same through a library the loader finds for cc1 (one named as gcc's libmpc,
        # passing on to the real one).
        libmpc = "/usr/lib/x86_64-linux-gnu/libmpc.so.3"
        if not os.path.exists(libmpc):
            return
        os.makedirs(os.path.join(self.work, "shim"))
        os.symlink(libmpc, os.path.join(self.work, "shim", "librealmpc.so"))
        self.run_cmd(["gcc", "-shared", "-fPIC", "fake.c", "-o", "shim/libmpc.so.3",
                      "-Wl,-soname,libmpc.so.3", "-Wl,--no-as-needed", "-Lshim", "-lrealmpc"])
        for env in [{"LD_LIBRARY_PATH": os.path.join(self.work, "shim"), "FAKE_T": "1000000000"},
                    {}]:
            self.check(env=dict(self.env, **env))

    def test_sloppy_time_macros_still_key_the_epoch(self):
        # The sloppiness lets an include set hold __DATE__: SOURCE_DATE_EPOCH's value stays in
        # the direct key then.
        self.write("main.c", SOURCE + "const char *day = __DATE__;\n")
        for epoch in ["100000000", "200000000"]:
            self.check(env=dict(self.env, DDCC_SLOPPINESS="time_macros", SOURCE_DATE_EPOCH=epoch))

    def test_an_include_set_recorded_sloppily_serves_no_strict_compile(self):
        # Not compared with plain compiles, which may run in another second.
        self.write("main.c", "const char *t = __TIME__;\n")
        sloppy = dict(self.env, DDCC_SLOPPINESS="time_macros")
        for _ in range(2):
            self.assertEqual(self.ddcc("gcc", *self.args, env=sloppy).returncode, 0)
        self.assertEqual(self.hits()[0], 1)
        self.ddcc("gcc", *self.args)  # strict: no direct hit on the sloppy compile's set
        self.assertEqual(self.hits()[0], 1)

    def test_date_macro_is_served_on_its_day_only(self):
        # Time zones 26 hours apart never share a date: TZ stands for another day.
        self.write("second/util.h", "#define UTIL 1\nconst char* day = __DATE__;\n")
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
                # The first day's result comes back from the preprocessed text's key.
                self.assertEqual(self.days_served(compiler, env), (2, 1, 2))

    def test_a_source_written_just_before_is_stored(self):
        # A generator (Cython under setuptools) writes the source and starts the compile at once:
        # ddcc waits out the file clock's slack rather than take it for an edit during the
        # compile, which would store nothing.
        for value in range(3):
            self.write("main.c", SOURCE.replace("UTIL", str(value)))
            result = self.run_cmd([DDCC, "gcc", *self.args])  # no settling
            self.assertEqual(result.returncode, 0, result.stderr)
            self.check()
        self.assertEqual(self.hits(), (3, 0, 3), self.log())

    def test_a_header_written_just_before_is_stored(self):
        # A build generates a header (CMake's add_custom_command) and compiles at once: ddcc reads
        # the inputs again once the header's stamp is past the file clock's slack, rather than
        # take it for an edit during the compile, which would store nothing.
        for value in range(3):
            self.write("second/util.h", f"#define UTIL {value}\n")
            result = self.run_cmd([DDCC, "gcc", *self.args])  # no settling
            self.assertEqual(result.returncode, 0, result.stderr)
            self.check()
        self.assertEqual(self.hits(), (3, 0, 3), self.log())

    def test_direct_mode_off(self):
        self.env["DDCC_DIRECT_MODE"] = "0"
        self.check()
        self.check()
        self.assertEqual(self.hits(), (0, 1, 1))


class ClangDriverSearchPathTest(HeaderSearchTestCase):
    """clang's driver adds a search directory only where it exists (a newer GCC's libstdc++, the
    multiarch directory, libc++'s v1) and its -v does not name the places it found empty: one
    made later must not leave a direct hit that reads the old headers."""

    TRIPLE = "x86_64-linux-gnu"

    def setUp(self):
        super().setUp()
        self.write("sr/usr/lib/gcc/%s/12/crtbegin.o" % self.TRIPLE, "")
        self.write("sr/usr/include/c++/12/lib.h", "#define LIB 12\n")
        self.write("sr/usr/include/lib.h", "#define LIB 0\n")
        self.write("sr/usr/include/base.h", "#define BASE 1\n")
        self.write("main.cc", "#include <lib.h>\n#include <base.h>\n"
                              "int value() { return LIB + BASE; }\n")

    def twice_then(self, change, extra=(), compiler="clang++"):
        args = ["--sysroot=sr", *extra, "-c", "main.cc", "-o", "main.o"]
        plain = compiler if os.path.isabs(compiler) else None  # a link: as it is
        self.check(compiler, args=args, plain=plain)
        self.check(compiler, args=args, plain=plain)
        self.assertEqual(self.hits(), (1, 0, 1))
        change()
        self.check(compiler, args=args, plain=plain)
        self.assertEqual(self.hits()[2], 2)

    def test_a_newer_gcc_installed_beside(self):
        def install():
            self.write("sr/usr/include/c++/13/lib.h", "#define LIB 13\n")
            self.write("sr/usr/lib/gcc/%s/13/crtbegin.o" % self.TRIPLE, "")
        self.twice_then(install)

    def test_a_gcc_version_that_becomes_whole(self):
        self.write("sr/usr/include/c++/13/lib.h", "#define LIB 13\n")
        self.write("sr/usr/lib/gcc/%s/13/libstdc++.so" % self.TRIPLE, "")  # no start files yet
        self.twice_then(lambda: self.write("sr/usr/lib/gcc/%s/13/crtbegin.o" % self.TRIPLE, ""))

    def test_the_multiarch_directory_created(self):
        self.twice_then(lambda: self.write("sr/usr/include/%s/base.h" % self.TRIPLE,
                                           "#define BASE 2\n"))

    def test_a_newer_gcc_in_the_gcc_toolchain(self):
        self.write("tc/lib/gcc/%s/12/crtbegin.o" % self.TRIPLE, "")
        self.write("tc/include/c++/12/lib.h", "#define LIB 120\n")

        def install():
            self.write("tc/include/c++/13/lib.h", "#define LIB 130\n")
            self.write("tc/lib/gcc/%s/13/crtbegin.o" % self.TRIPLE, "")
        self.twice_then(install, extra=["--gcc-toolchain=tc"])

    def test_a_bare_metal_targets_library_in_the_sysroot(self):
        self.write("sr/include/c++/12/lib.h", "#define LIB 120\n")
        self.write("sr/include/base.h", "#define BASE 1\n")  # no usr/include there
        self.twice_then(lambda: self.write("sr/include/c++/13/lib.h", "#define LIB 130\n"),
                        extra=["--target=arm-none-eabi"])

    def test_libcxx_for_the_target_as_clang_spells_it(self):
        self.write("sr/usr/include/c++/v1/lib.h", "#define LIB 1\n")
        self.twice_then(lambda: self.write("sr/usr/include/x86_64-pc-linux-gnu/c++/v1/lib.h",
                                           "#define LIB 2\n"), extra=["-stdlib=libc++"])

    def test_clang_under_gccs_name(self):
        link = os.path.join(self.work, "bin", "g++")
        os.makedirs(os.path.dirname(link))
        os.symlink("/usr/bin/clang++", link)

        def install():
            self.write("sr/usr/include/c++/13/lib.h", "#define LIB 13\n")
            self.write("sr/usr/lib/gcc/%s/13/crtbegin.o" % self.TRIPLE, "")
        self.twice_then(install, compiler=link)

    def test_its_own_headers_where_a_resource_directory_appears(self):
        link = os.path.join(self.work, "bin", "clang++")
        os.makedirs(os.path.join(self.work, "lib", "clang"))
        os.makedirs(os.path.dirname(link))
        os.symlink("/usr/bin/clang++", link)
        self.twice_then(lambda: self.write("lib/clang/14.0.6/include/base.h", "#define BASE 3\n"),
                        extra=["-no-canonical-prefixes"], compiler=link)

    def test_libcxx_installed(self):
        self.twice_then(lambda: self.write("sr/usr/include/c++/v1/lib.h", "#define LIB 1\n"),
                        extra=["-stdlib=libc++"])


if __name__ == "__main__":
    unittest.main()
