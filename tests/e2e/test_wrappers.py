"""Compilers whose names say nothing (mpicc, h5cc, a project's cc-wrapper.sh, a cross gcc under
an odd name): ddcc asks each binary once what it predefines, caches what answers as gcc or
clang, and passes the rest through. What a wrapper runs (the compiler it picks, the options it
adds from its environment or its files) is in the key of every call: changing it is a miss,
never a stale object."""

import os
import shutil
import subprocess
import time
import unittest

from common import DDCC, DdccTestCase

SOURCE = "int value(void) { return VALUE; }\n"

# A wrapper in the style of mpicc: picks its compiler from the environment (OMPI_CC), adds
# options from the environment and from a file of its own.
WRAPPER = """#!/bin/sh
echo "$*" >> "{log}"
exec ${{WRAP_CC:-gcc}} -DVALUE=${{WRAP_VALUE:-1}} $(cat "{flags}") "$@"
"""

# Not a compiler: answers anything with text and a status of its own.
NOT_A_COMPILER = """#!/bin/sh
echo "not a compiler: $*"
echo "complaint" >&2
exit 3
"""

# A wrapper that hides what it runs: its -### shows nothing.
HIDING_WRAPPER = """#!/bin/sh
case "$1" in -###) exit 0 ;; esac
exec gcc -DVALUE=${WRAP_VALUE:-1} "$@"
"""

# A wrapper that sets the header search path of the gcc it runs, which gcc's -### does not show.
CPATH_WRAPPER = """#!/bin/sh
CPATH=$(cat "{cpath}") exec gcc "$@"
"""

# A wrapper whose compile (not its -### or -E) waits a second before it reads its flags file.
SLOW_WRAPPER = """#!/bin/sh
case " $* " in *" -### "*|*" -E "*) ;; *) touch "{started}"; sleep 1 ;; esac
exec gcc $(cat "{flags}") "$@"
"""

# A wrapper that sets gcc's environment and adds options from a file of its own.
SETTINGS_WRAPPER = """#!/bin/sh
. "{settings}"
exec gcc $EXTRA "$@"
"""


class WrapperTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.flags = os.path.join(self.root, "wrapper-flags")
        with open(self.flags, "w") as f:
            f.write("-O0\n")
        self.log_path = os.path.join(self.root, "wrapper-calls")
        self.wrapper = self.write("bin/mpicc", WRAPPER.format(log=self.log_path, flags=self.flags))
        os.chmod(self.wrapper, 0o755)
        self.write("v.c", SOURCE)
        self.settle()

    def wrapper_calls(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return f.read().splitlines()

    def compile_both(self, *options, compiler=None):
        """Through ddcc and plainly (the wrapper, or `compiler`, as is): same run, same object."""
        argv = [compiler or self.wrapper, *options, "-c", "v.c", "-o", "v.o"]
        return self.same_as_plain(argv, self.work, self.env, "v.o")

    def same_as_plain(self, argv, cwd, env, obj):
        """`argv` in `cwd` through ddcc, then plainly: same run, same object (`obj`, below the
        work directory). Returns the object ddcc gave."""
        cached = self.ddcc(*argv, cwd=cwd, env=env)
        served = self.read(obj)
        self.assert_same_run(self.run_cmd(argv, cwd=cwd, env=env), cached)
        self.assertEqual(served, self.read(obj))
        return served

    def test_a_wrapper_of_gcc_or_clang_is_cached(self):
        def probes():
            return [call for call in self.wrapper_calls() if call.startswith("-dM -E")]

        for compiler in ("gcc", "clang"):
            self.env["WRAP_CC"] = compiler
            self.compile_both()
            self.compile_both()
            self.compile_both()
            # Asked what it is (-dM -E) once, and once more when it turned out to run the other
            # family; not at every call.
            self.assertEqual(len(probes()), 1 if compiler == "gcc" else 2, self.wrapper_calls())
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (4, 2))
        self.assertEqual(stats["uncacheable_reasons"]["unsupported_compiler"], 0)

    def test_what_the_wrapper_adds_is_in_the_key(self):
        objects = {}
        steps = [("WRAP_VALUE", "1"), ("WRAP_VALUE", "2"), ("flags", "-O2"),
                 ("WRAP_CC", "clang"), ("WRAP_VALUE", "1")]
        for name, value in steps:
            if name == "flags":
                with open(self.flags, "w") as f:
                    f.write(value + "\n")
            else:
                self.env[name] = value
            objects[(name, value)] = self.compile_both()  # compared with the wrapper's own
        self.assertNotEqual(objects[("WRAP_VALUE", "1")], objects[("WRAP_VALUE", "2")])
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["preprocessed_hits"]), (0, 0))
        self.assertEqual(stats["cache_misses"], len(steps))
        # Back to the first setting: a hit again.
        self.env.update(WRAP_VALUE="1", WRAP_CC="gcc")
        with open(self.flags, "w") as f:
            f.write("-O0\n")
        self.compile_both()
        self.assertEqual(self.stats()["direct_hits"], 1)

    def test_a_search_path_the_wrapper_sets_is_in_the_key(self):
        cpath = os.path.join(self.root, "wrapper-cpath")
        self.wrapper = self.write("bin/cpathcc", CPATH_WRAPPER.format(cpath=cpath))
        os.chmod(self.wrapper, 0o755)
        self.write("one/value.h", "#define VALUE 1\n")
        self.write("two/value.h", "#define VALUE 2\n")
        self.write("v.c", '#include "value.h"\n' + SOURCE)
        self.settle()
        objects = []
        for directory in ("one", "two", "one"):
            with open(cpath, "w") as f:
                f.write(os.path.join(self.work, directory))
            objects.append(self.compile_both())  # compared with the wrapper's own
        self.assertNotEqual(objects[0], objects[1])
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, 2))

    def test_what_the_wrapper_sets_for_gcc_is_in_the_key(self):
        """gcc and cc1 read LC_ALL, SOURCE_DATE_EPOCH, GCC_* themselves: a wrapper setting them
        shows nothing in -###."""
        settings = os.path.join(self.root, "wrapper-settings")
        self.wrapper = self.write("bin/settingscc", SETTINGS_WRAPPER.format(settings=settings))
        os.chmod(self.wrapper, 0o755)
        self.write("v.c", 'const char *day = __DATE__;\nint f(void) { int unused; return 0; }\n'
                          'int g(void) { return printf("x"); }\n')
        steps = ["export LC_ALL=C", "export LC_ALL=C.UTF-8",
                 "export SOURCE_DATE_EPOCH=1000000000", "export SOURCE_DATE_EPOCH=1100000000",
                 "export GCC_EXTRA_DIAGNOSTIC_OUTPUT=fixits-v2", "export LC_ALL=C"]
        for step in steps:
            with open(settings, "w") as f:
                f.write(step + "\n")
            self.settle()
            self.compile_both("-Wall")  # compared with the wrapper's own
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, len(steps) - 1))

    def test_options_the_wrapper_adds_that_read_or_write_files_are_not_cached(self):
        settings = os.path.join(self.root, "wrapper-settings")
        self.wrapper = self.write("bin/settingscc", SETTINGS_WRAPPER.format(settings=settings))
        os.chmod(self.wrapper, 0o755)
        for extra, written in [("-MD", "v.d"), ("-gsplit-dwarf", "v.dwo"),
                               ("-O2 -fprofile-use", None), ("-fstack-usage", "v.su")]:
            with self.subTest(extra=extra):
                with open(settings, "w") as f:
                    f.write(f'EXTRA="{extra}"\n')
                for _ in range(2):
                    for name in os.listdir(self.work):
                        if name not in ("v.c", "bin"):
                            os.remove(os.path.join(self.work, name))
                    self.compile_both("-DVALUE=1")
                    if written:
                        self.assertTrue(os.path.exists(os.path.join(self.work, written)))
                    # (The one probe of what the wrapper is, `-dM -E /dev/null`, leaves its
                    # null.d where the wrapper adds -MD: a wrapper's own doing, once.)
                    left = sorted(set(os.listdir(self.work)) - {"null.d"})
                    self.assertEqual(left, sorted(["bin", "v.c", "v.o"] + ([written] if written else [])))
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (0, 0))

    def test_options_the_wrapper_adds_that_name_the_directory(self):
        """-g, gcc's -flto and the sanitizers name the working directory or files as given; the
        listing of what the wrapper runs does not show the directory: another directory must not
        get this one's object, in any mode; with a base directory too, where a header is
        included by its absolute path (as CMake's generated ones are)."""
        settings = os.path.join(self.root, "wrapper-settings")
        self.wrapper = self.write("bin/settingscc", SETTINGS_WRAPPER.format(settings=settings))
        os.chmod(self.wrapper, 0o755)
        body = "int g[4];\nint value(int a, int b) { return a / b << (b + g[a]) + K; }\n"
        for tree in ["d1", "d2"]:
            self.write(f"{tree}/gen/x.h", "#define K 1\nint gv[3];\n")
            self.write(f"{tree}/v.c", '#include "gen/x.h"\n' + body)
            self.write(f"{tree}/w.c", f'#include "{self.work}/{tree}/gen/x.h"\n' + body)
        self.settle()
        cases = [("-g", "v.c", {}), ("-flto -frandom-seed=1", "v.c", {}),
                 ("-fsanitize=address", "w.c", {"DDCC_BASEDIR": self.work})]
        for extra, source, more in cases:
            with open(settings, "w") as f:
                f.write(f'EXTRA="{extra}"\n')
            for mode in [{}, {"DDCC_DIRECT_MODE": "0"}, {"DDCC_DEPEND": "1"}]:
                env = dict(self.env, **more, **mode, DDCC_DIR=os.path.join(self.root, "c" + extra))
                for tree in ["d1", "d2"]:
                    with self.subTest(extra=extra, mode=mode, tree=tree):
                        cwd = os.path.join(self.work, tree)
                        depend = ["-MD"] if mode.get("DDCC_DEPEND") else []
                        argv = [self.wrapper, *depend, "-c", source, "-o", "v.o"]
                        self.same_as_plain(argv, cwd, env, f"{tree}/v.o")
        # Relative paths name neither tree: shared, as with the call's own options.
        with open(settings, "w") as f:
            f.write('EXTRA="-fsanitize=address -fopenmp"\n')
        env = dict(self.env, DDCC_BASEDIR=self.work, DDCC_DIR=os.path.join(self.root, "shared"))
        for tree in ["d1", "d2"]:
            argv = [self.wrapper, "-c", "v.c", "-o", "v.o"]
            self.same_as_plain(argv, os.path.join(self.work, tree), env, f"{tree}/v.o")
        self.assertEqual(self.stats(env=env)["cache_hits"], 1)

    def test_two_checkouts_share_through_a_wrapper(self):
        """What the wrapper runs repeats the call's absolute paths (CMake's): below a base
        directory they are keyed as the arguments are, so a second checkout hits, as ccache's
        does; so is what the wrapper adds (its -I of the tree's own directory)."""
        self.wrapper = self.write("bin/plaincc", '#!/bin/sh\nexec gcc -I"$EXTRA_INC" "$@"\n')
        os.chmod(self.wrapper, 0o755)
        for tree in ["t1", "t2"]:
            self.write(f"{tree}/inc/h.h", "static inline int twice(int x) { return 2 * x; }\n")
            self.write(f"{tree}/extra/e.h", "#define EXTRA 1\n")
            self.write(f"{tree}/src/x.c", '#include "h.h"\n#include "e.h"\n'
                                          "int f(int x) { return twice(x) + EXTRA; }\n")
            os.makedirs(os.path.join(self.work, tree, "build"))
        self.settle()
        env = dict(self.env, DDCC_BASEDIR=self.work)
        for tree in ["t1", "t2"]:
            root = os.path.join(self.work, tree)
            argv = [self.wrapper, "-O2", f"-I{root}/inc", "-c", f"{root}/src/x.c", "-o", "x.o"]
            run_env = dict(env, EXTRA_INC=f"{root}/extra")
            self.same_as_plain(argv, os.path.join(root, "build"), run_env, f"{tree}/build/x.o")
        self.assertEqual(self.stats(env=env)["cache_hits"], 1)

    def test_files_the_options_a_wrapper_adds_name_are_in_the_key(self):
        ignore = os.path.join(self.root, "ignore.txt")
        self.wrapper = self.write(
            "bin/asancc", f'#!/bin/sh\nexec clang -fsanitize=address -fsanitize-ignorelist={ignore} "$@"\n')
        os.chmod(self.wrapper, 0o755)
        self.write("v.c", "int g[4];\nint f(int i) { return g[i]; }\n")
        objects = []
        for text in ["fun:g\n", "fun:f\n", "fun:g\n"]:
            with open(ignore, "w") as f:
                f.write(text)
            self.settle()
            objects.append(self.compile_both())  # compared with the wrapper's own
        self.assertNotEqual(objects[0], objects[1])
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, 2))

    def test_a_flags_file_edited_during_the_compile_is_not_stored_under_the_old_key(self):
        started = os.path.join(self.root, "started")
        self.wrapper = self.write("bin/slowcc",
                                  SLOW_WRAPPER.format(started=started, flags=self.flags))
        os.chmod(self.wrapper, 0o755)
        with open(self.flags, "w") as f:
            f.write("-DVALUE=1\n")
        self.settle()
        process = subprocess.Popen([DDCC, self.wrapper, "-c", "v.c", "-o", "v.o"], cwd=self.work,
                                   env=self.env)
        deadline = time.monotonic() + 30
        while not os.path.exists(started) and time.monotonic() < deadline:
            time.sleep(0.01)
        with open(self.flags, "w") as f:  # after the keys were made, before the wrapper reads it
            f.write("-DVALUE=2\n")
        self.assertEqual(process.wait(), 0)
        with open(self.flags, "w") as f:
            f.write("-DVALUE=1\n")
        self.compile_both()  # VALUE=1 again: never the object made with 2
        self.assertEqual(self.stats()["direct_hits"], 0)
        self.assertIn("what the driver runs changed during the compile", self.log())

    def test_a_wrapper_that_hides_what_it_runs_is_not_cached(self):
        self.wrapper = self.write("bin/hiding", HIDING_WRAPPER)
        os.chmod(self.wrapper, 0o755)
        for value in ("1", "2"):
            self.env["WRAP_VALUE"] = value
            self.compile_both()
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (0, 0))
        self.assertEqual(stats["errors"], 2)

    def test_what_does_not_answer_as_gcc_runs_unharmed(self):
        script = self.write("bin/tool", NOT_A_COMPILER)
        os.chmod(script, 0o755)
        for program in (script, "/bin/echo", "/bin/true"):
            for _ in range(2):
                plain = self.run_cmd([program, "-c", "v.c", "-o", "v.o"])
                cached = self.ddcc(program, "-c", "v.c", "-o", "v.o")
                self.assert_same_run(plain, cached)
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_compiler"], 6)

    def test_a_gcc_under_a_name_of_its_own(self):
        """A cross compiler or a vendor's gcc with an odd name: a real driver, probed."""
        odd = os.path.join(self.root, "bin", "vendor-cc-v7")
        os.makedirs(os.path.dirname(odd))
        os.symlink("/usr/bin/gcc", odd)
        self.env["PATH"] = os.path.dirname(odd) + ":" + self.env["PATH"]
        for _ in range(2):
            plain = self.run_cmd(["vendor-cc-v7", "-DVALUE=3", "-c", "v.c", "-o", "v.o"])
            obj = self.read("v.o")
            cached = self.ddcc("vendor-cc-v7", "-DVALUE=3", "-c", "v.c", "-o", "v.o")
            self.assert_same_run(plain, cached)
            self.assertEqual(obj, self.read("v.o"))
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (1, 1))

    @unittest.skipUnless(shutil.which("mpicc"), "Open MPI is not installed")
    def test_open_mpis_mpicc(self):
        """The real thing: a compiled wrapper that reads its options from a data file and its
        compiler from OMPI_CC."""
        self.write("mpi.c", "#include <mpi.h>\n"
                   "int rank(void) { int r; MPI_Comm_rank(MPI_COMM_WORLD, &r); return r; }\n")
        self.settle()
        for compiler in ("gcc", "gcc", "clang", "clang"):
            self.env["OMPI_CC"] = compiler
            argv = ["mpicc", "-O2", "-c", "mpi.c", "-o", "mpi.o"]
            cached = self.ddcc(*argv)
            obj = self.read("mpi.o")
            self.assert_same_run(self.run_cmd(argv), cached)
            self.assertEqual(obj, self.read("mpi.o"))
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (2, 2))

    def test_clang_with_a_program_directory_is_cached(self):
        """-B makes ddcc read clang's own -### listing too, whose ' (in-process)' line is no
        program."""
        for _ in range(2):
            self.compile_both("-B/usr/bin", "-DVALUE=4", compiler="clang")
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"], stats["errors"]), (1, 1, 0))


if __name__ == "__main__":
    unittest.main()
