"""Where a miss's compile writes: private temporary paths beside the build's outputs, renamed
into place, so that another writer of the same output can never get into the cache; the outputs
stay byte for byte what the compiler writes without ddcc; leftovers of killed ddccs go away."""

import concurrent.futures
import os
import signal
import subprocess
import time
import unittest

from common import DDCC, DdccTestCase

SOURCE = """#include <stdio.h>
#include "util.h"
int twice(int x) { return UTIL_FACTOR * x; }
int main(void) { printf("%d\\n", twice(21)); return 0; }
"""
TEMP_MARKER = ".ddcc-tmp."

# A compiler that, once the real one has written its outputs, writes other bytes to the paths
# named in $FOREIGN_OBJECT and $FOREIGN_DEPFILE: a second build writing the same outputs at the
# same moment, made deterministic.
# (A script named gcc is a wrapper to ddcc, which asks it with -E and -###: those only run gcc.)
FOREIGN_WRITER = """#!/bin/sh
/usr/bin/gcc "$@" || exit $?
case " $* " in *" -E "*|*" -### "*) exit 0;; esac
[ -n "$FOREIGN_OBJECT" ] && printf 'foreign object' > "$FOREIGN_OBJECT"
[ -n "$FOREIGN_DEPFILE" ] && printf 'main.o: foreign.h\\n' > "$FOREIGN_DEPFILE"
exit 0
"""

# A compiler that takes its time: writes part of its object, says its pid, and sleeps.
SLOW_WRITER = """#!/bin/sh
case " $* " in *" -E "*|*" -### "*) exec /usr/bin/gcc "$@";; esac
while [ $# -gt 1 ]; do [ "$1" = -o ] && printf partial > "$2"; shift; done
echo $$ > "$PID_FILE"
exec sleep 60
"""

# About 5 s of gcc's constant evaluation on an idle machine.
SLOW_SOURCE = """constexpr long Slow() {
  long s = 0;
  for (long i = 0; i < 2000000; ++i) s += i % 7;
  return s;
}
constexpr long kValue = Slow();
long Value() { return kValue; }
"""
SLOW_FLAGS = ["-fconstexpr-loop-limit=2000000000", "-fconstexpr-ops-limit=2000000000000"]


def running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ")[-1][0] != "Z"


def children(pid):
    """(pid, argv) of each process whose parent is `pid`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().split(") ")[-1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError, IndexError):
            continue
        if parent == pid:
            found.append((int(entry), argv))
    return found


class OutputsTest(DdccTestCase):
    def test_a_read_only_output_fails_as_it_fails_without_ddcc(self):
        """An existing object or dependency file the user may not write: clang fails on the
        object, gcc on the dependency file; ddcc must not rename its own over them. Run as
        nobody where the tests run as root (root may write anything)."""
        script = os.path.join(self.root, "readonly.sh")
        with open(script, "w") as f:
            f.write('cd "$(dirname "$0")/work" && export DDCC_DIR=$PWD/../ro-cache\n'
                    "printf 'int f(void){return 1;}\\n' > a.c\n"
                    "for cc in gcc clang; do for run in 1 2; do for who in ddcc plain; do\n"
                    "  rm -f a.o a.d; echo old > a.o; echo old > a.d; chmod 444 a.o a.d\n"
                    '  if [ $who = ddcc ]; then "$1" $cc -c a.c -o a.o -MD 2>err; '
                    "else $cc -c a.c -o a.o -MD 2>err; fi\n"
                    '  echo "$cc $run $who $? $(md5sum a.o a.d | cut -c1-32 | tr "\\n" " ")'
                    ' $(sed s/ddcc-tmp[^:]*// err | md5sum)"\n'
                    "done; done; done\n")
        argv = ["sh", script, DDCC]
        if os.geteuid() == 0:
            os.chmod(self.root, 0o755)
            subprocess.run(["chown", "-R", "nobody", self.root], check=True)
            argv = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *argv]
        lines = subprocess.run(argv, capture_output=True, text=True).stdout.split("\n")
        runs = [line.split() for line in lines if line]
        self.assertEqual(len(runs), 8)
        for ddcc_run, plain_run in zip(runs[0::2], runs[1::2]):
            self.assertEqual(ddcc_run[3:], plain_run[3:], (ddcc_run, plain_run))
            if plain_run[0] == "clang":
                self.assertNotEqual(plain_run[3], "0", plain_run)  # the case is one

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
                    self.same_outputs_twice(compiler, args, outputs)
        # Each compiler's calls with the same flags share an entry, whatever the object's name:
        # plain, -g, -MD, -MMD -MP then miss; the rest hit.
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (24, 8), stats)
        self.assertEqual(self.temp_files(), [])

    def test_files_named_otherwise_than_after_the_object(self):
        # clang's -gsplit-dwarf=single: the object names itself; gcc's -dumpbase and -dumpdir
        # name the files beside the object.
        os.makedirs(os.path.join(self.work, "obj"))
        os.makedirs(os.path.join(self.work, "dd"))
        calls = [
            ("clang", ["-g", "-gsplit-dwarf=single", "-o", "obj/single.o"], ["obj/single.o"]),
            ("gcc", ["-g", "-gsplit-dwarf", "-dumpbase", "foo", "-o", "a.o"], ["a.o", "foo.dwo"]),
            ("gcc", ["-fstack-usage", "-dumpdir", "dd/", "-o", "b.o"], ["b.o", "dd/b.su"]),
            ("gcc", ["-fstack-usage", "-dumpbase", "bar", "-o", "c.o"], ["c.o", "bar.su"]),
            ("gcc", ["-MD", "-dumpbase", "baz"], ["main.o", "baz.d"]),
        ]
        for compiler, args, outputs in calls:
            args = ["-Iinclude", "-c", "main.c", *args]
            with self.subTest(compiler=compiler, args=args):
                self.same_outputs_twice(compiler, args, outputs)

    def test_files_named_after_an_object_with_a_leading_dot(self):
        # gcc takes no suffix from a name's leading dot (obj/.o: obj/.o.dwo); clang does.
        os.makedirs(os.path.join(self.work, "obj"))
        calls = [
            ("gcc", ["-g", "-gsplit-dwarf", "--coverage", "-frandom-seed=1", "-fstack-usage", "-o",
                     "obj/.o"],
             ["obj/.o", "obj/.o.dwo", "obj/.o.gcno", "obj/.o.su"]),
            ("clang", ["-g", "-gsplit-dwarf", "--coverage", "-o", "obj/.x"],
             ["obj/.x", "obj/.dwo", "obj/.gcno"]),
        ]
        for compiler, args, outputs in calls:
            args = ["-Iinclude", "-c", "main.c", *args]
            with self.subTest(compiler=compiler, args=args):
                self.run_cmd(["rm", "-rf", self.cache])
                self.same_outputs_twice(compiler, args, outputs)

    def same_outputs_twice(self, compiler, args, outputs):
        """A plain compile, then ddcc's miss and hit: the same run and `outputs`, byte for byte."""
        plain = self.run_cmd([compiler, *args])
        self.assertEqual(plain.returncode, 0, plain.stderr)
        expected = {name: self.read(name) for name in outputs}
        for run in ["miss", "hit"]:
            for name in outputs:
                os.remove(os.path.join(self.work, name))
            self.assert_same_run(plain, self.ddcc(compiler, *args))
            for name, content in expected.items():
                self.assertEqual(self.read(name), content, f"{name} on the {run}")

    def test_messages_on_a_terminal_are_coloured_as_the_compiler_colours_them(self):
        """On a terminal the compiler colours its messages (gcc: TERM set and not dumb); through
        ddcc's pipe it would not, so ddcc asks gcc for colour and keeps the messages so, taking
        it out where gcc would not colour: a build on a terminal, then through a pipe (`make |
        tee log`), hits, and each gets the compiler's own messages. clang is asked for colour
        only on a terminal, which its key says (it copies a message's own escapes as they are)."""
        self.write("w.c", "int f(void) { int unused; return 0; }\n")
        for compiler in ["gcc", "clang"]:
            env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + compiler))
            argv = [compiler, "-Wall", "-c", "w.c", "-o", "w.o"]
            for term in ["xterm", None, "dumb"]:
                with self.subTest(compiler=compiler, term=term):
                    env.pop("TERM", None)
                    if term:
                        env["TERM"] = term
                    plain = self.on_terminal(argv, env)
                    self.assertEqual(self.on_terminal([DDCC, *argv], env), plain)
                    self.assertEqual(self.on_terminal([DDCC, *argv], env), plain)
                    if term == "xterm":
                        self.assertIn(b"\x1b[", plain)
                    piped = self.run_cmd(argv, env=env)
                    self.assert_same_run(piped, self.run_cmd([DDCC, *argv], env=env))
                    self.assertNotIn(b"\x1b[", piped.stderr)
            stats = self.stats(env=env)
            expected = (1, 8) if compiler == "gcc" else (2, 7)
            self.assertEqual((stats["cache_misses"], stats["direct_hits"]), expected)

    def test_messages_holding_escapes_of_their_own(self):
        """gcc quotes a source's bytes as they are, an escape sequence too (clang escapes it):
        the colour ddcc asked for cannot then be told from it, nor from an escape a message's
        own text holds (#pragma message, deprecated(...)). On a terminal, then through a pipe,
        each run shows the compiler's own messages."""
        self.write("esc.c", '#warning "a \x1b[31mred\x1b[0m word"\n'
                            '#pragma message "A\\x1b[1mB"\n'
                            '__attribute__((deprecated("C\\x1b[1mD"))) int old(void);\n'
                            "int f(void) { return old(); }\n")
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "esc-" + compiler),
                           TERM="xterm")
                argv = [compiler, "-c", "esc.c", "-o", "esc.o"]
                self.assertEqual(self.on_terminal([DDCC, *argv], env), self.on_terminal(argv, env))
                for _ in range(2):
                    self.assert_same_run(self.run_cmd(argv, env=env),
                                         self.run_cmd([DDCC, *argv], env=env))

    def test_where_gcc_lays_messages_out_by_width_colour_is_not_taken_out(self):
        """gcc counts the colour's bytes where it fits lines to -fmessage-length=N and sets the
        analyzer's labels side by side: there its plain text is no coloured text less colour.
        A terminal's run, then a pipe's, each get gcc's own messages."""
        self.write("leak.c", "void leak(void) { char *p = __builtin_malloc(10); p[0] = 1; }\n"
                             "int f(void) { int unused_variable_with_a_long_name; return 0; }\n")
        for options in [["-fanalyzer"], ["-Wall", "-fmessage-length=40"]]:
            with self.subTest(options=options):
                env = dict(self.env, TERM="xterm",
                           DDCC_DIR=os.path.join(self.root, "layout-" + options[-1]))
                argv = ["gcc", *options, "-c", "leak.c", "-o", "leak.o"]
                self.assertEqual(self.on_terminal([DDCC, *argv], env), self.on_terminal(argv, env))
                for _ in range(2):
                    self.assert_same_run(self.run_cmd(argv, env=env),
                                         self.run_cmd([DDCC, *argv], env=env))

    def test_a_dependency_file_to_stdout(self):
        self.write("a.c", "int x;\n")
        for compiler in ["gcc", "clang"]:
            for spelling in [["-MD", "-MF", "-"], ["-MD", "-MF-"], ["-Wp,-MD,-"]]:
                with self.subTest(compiler=compiler, spelling=spelling):
                    argv = [compiler, *spelling, "-c", "a.c", "-o", "out.o"]
                    for _ in range(2):
                        cached = self.ddcc(*argv)
                        self.assertFalse(os.path.exists(os.path.join(self.work, "-")))
                        self.assert_same_run(self.run_cmd(argv), cached)

    def test_an_output_that_is_a_link_to_nothing(self):
        self.write("a.c", "int x;\n")
        os.makedirs(os.path.join(self.work, "out"))
        link = os.path.join(self.work, "link.o")
        for compiler in ["gcc", "clang"]:
            for target in ["out/a.o", "nowhere/a.o"]:
                with self.subTest(compiler=compiler, target=target):
                    argv = [compiler, "-c", "a.c", "-o", "link.o"]
                    runs = []
                    for run in [lambda: self.ddcc(*argv), lambda: self.run_cmd(argv)]:
                        for name in ["link.o", "out/a.o"]:
                            if os.path.lexists(os.path.join(self.work, name)):
                                os.remove(os.path.join(self.work, name))
                        os.symlink(target, link)
                        result = run()
                        runs.append((result.returncode, result.stdout, os.path.islink(link),
                                     os.path.exists(os.path.join(self.work, "out/a.o"))))
                    self.assertEqual(runs[0], runs[1])

    def test_an_output_that_is_a_link(self):
        # gcc writes the object, and both compilers the dependency file, through a symbolic link
        # into the file it leads to, or into the file a hard link shares; ddcc would replace it.
        self.write("a.c", "int x;\n")
        for compiler in ["gcc", "clang"]:
            for output in ["a.o", "link.d"]:
                for kind in ["symbolic", "hard"]:
                    with self.subTest(compiler=compiler, output=output, kind=kind):
                        self.link_twice(compiler, output, kind)

    def link_twice(self, compiler, output, kind):
        # (gcc with -MD replaces a linked object, as ddcc does.)
        deps = ["-MD", "-MF", "link.d"] if output == "link.d" else []
        argv = [compiler, *deps, "-c", "a.c", "-o", "a.o"]
        runs = []
        for run in [lambda: self.ddcc(*argv), lambda: self.run_cmd(argv)] * 2:
            for name in ["a.o", "link.d", "real"]:
                if os.path.lexists(os.path.join(self.work, name)):
                    os.remove(os.path.join(self.work, name))
            # (gcc's assembler writes through to an empty file, and replaces a link to another.)
            self.write("real", "" if output == "a.o" else "old\n")
            if kind == "symbolic":
                os.symlink("real", os.path.join(self.work, output))
            else:
                os.link(os.path.join(self.work, "real"), os.path.join(self.work, output))
            result = run()
            runs.append((result.returncode, os.path.islink(os.path.join(self.work, output)),
                         self.read("real")))
        self.assertEqual(runs[0], runs[1])
        self.assertEqual(runs[2], runs[3])

    def test_two_outputs_at_one_path(self):
        """-MF naming the .su, the .gcno or the object: what the compiler leaves there is its own
        affair, and a hit of the normal compile after it must not write the dependency text as
        the other file."""
        self.write("a.c", "int f(int x) { char b[64]; b[x] = 1; return b[x + 1]; }\n")
        os.symlink(".", os.path.join(self.work, "here"))
        for compiler in ["gcc", "clang"]:
            for option, other in [("-fstack-usage", "x.su"), ("-ftest-coverage", "x.gcno"),
                                  ("-O0", "x.o"), ("-fstack-usage", "here/x.su")]:
                with self.subTest(compiler=compiler, other=other):
                    for deps in [["-MF", other], []]:
                        argv = [compiler, option, "-MD", *deps, "-c", "a.c", "-o", "x.o"]
                        for name in os.listdir(self.work):
                            if name.startswith("x."):
                                os.remove(os.path.join(self.work, name))
                        plain = self.run_cmd(argv)
                        written = {n: self.read(n) for n in os.listdir(self.work)
                                   if n.startswith("x.")}
                        for name in written:
                            os.remove(os.path.join(self.work, name))
                        self.assert_same_run(plain, self.ddcc(*argv))
                        for name, content in written.items():
                            if name != "x.gcno":  # its stamp differs between two compiles
                                self.assertEqual(self.read(name), content, name)

    def test_a_failed_compile_leaves_the_object_as_the_compiler_would(self):
        """clang removes the object of a failed compile, gcc leaves it (and make, finding it
        newer than the source, would link it). Also where the compile writes the build's own
        object (options that name other files after it)."""
        self.write("bad.c", "int f( { return 0; }\n")
        for options in [[], ["-fstack-usage"], ["--coverage"], ["-gsplit-dwarf"]]:
            for compiler in ["gcc", "clang"]:
                with self.subTest(compiler=compiler, options=options):
                    left = []
                    for ddcc in [False, True]:
                        self.write("bad.o", "old object")
                        argv = [compiler, *options, "-c", "bad.c", "-o", "bad.o"]
                        result = self.ddcc(*argv) if ddcc else self.run_cmd(argv)
                        self.assertNotEqual(result.returncode, 0)
                        path = os.path.join(self.work, "bad.o")
                        left.append(self.read("bad.o") if os.path.exists(path) else None)
                    self.assertEqual(left[1], left[0])
                    for name in ["bad.o", "bad.su", "bad.gcno", "bad.dwo"]:
                        if os.path.exists(os.path.join(self.work, name)):
                            os.remove(os.path.join(self.work, name))
        self.assertEqual(self.temp_files(), [])

    def test_an_object_written_before_a_failure_is_the_builds(self):
        """A compiler (a wrapper) that writes its object and then fails, as a check after the
        compile does: the build gets the new object, as without ddcc."""
        wrapper = self.write("bin/cc-check", '#!/bin/sh\n/usr/bin/gcc "$@" || exit $?\n'
                             'case " $* " in *" -E "*|*"-###"*|*" -v "*) exit 0 ;; esac\n'
                             'echo "check failed" >&2\nexit 3\n')
        os.chmod(wrapper, 0o755)
        self.write("ok.c", "int ok(void) { return 2; }\n")
        for old in ["old object", None]:
            with self.subTest(old=old):
                left = []
                for ddcc in [False, True]:
                    path = os.path.join(self.work, "ok.o")
                    if old is None and os.path.exists(path):
                        os.remove(path)
                    elif old is not None:
                        self.write("ok.o", old)
                    argv = [wrapper, "-c", "ok.c", "-o", "ok.o"]
                    result = self.ddcc(*argv) if ddcc else self.run_cmd(argv)
                    self.assertEqual((result.returncode, result.stderr), (3, b"check failed\n"))
                    left.append(self.read("ok.o") if os.path.exists(path) else None)
                self.assertEqual(left[1], left[0])
                self.assertTrue(left[0].startswith(b"\x7fELF"))
        self.assertEqual(self.temp_files(), [])

    def test_a_failed_compile_leaves_the_dependency_file_as_the_compiler_would(self):
        """clang removes the dependency file of a compile that failed once its jobs ran, and
        leaves it where its driver rejected the command before; gcc leaves it."""
        self.write("ok.c", "int ok;\n")
        self.write("bad.c", "int f( { return 0; }\n")
        for compiler in ["clang", "gcc"]:
            for source, options in [("ok.c", ["-Wa,--bogus"]), ("bad.c", []), ("ok.c", ["-fbogus"])]:
                for depend in ["0", "1"]:
                    with self.subTest(compiler=compiler, source=source, options=options,
                                      depend=depend):
                        env = dict(self.env, DDCC_DEPEND=depend)
                        left = []
                        for ddcc in [False, True]:
                            self.write("x.d", "old dependency file")
                            self.write("x.o", "old object")
                            argv = [compiler, "-MD", "-MF", "x.d", *options, "-c", source,
                                    "-o", "x.o"]
                            result = self.ddcc(*argv, env=env) if ddcc else self.run_cmd(argv)
                            self.assertNotEqual(result.returncode, 0)
                            left.append([self.read(name) if os.path.exists(
                                os.path.join(self.work, name)) else None for name in ["x.o", "x.d"]])
                        self.assertEqual(left[1], left[0])
        self.assertEqual(self.temp_files(), [])

    def test_a_compile_that_writes_no_object(self):
        """gcc -Wa,--version prints the assembler's version and succeeds without an object, as
        do gcc's -fversion and -fhelp: the build's object stays as it was, or absent, the
        dependency file written is there, and nothing is stored to be served."""
        self.write("a.c", "int f(int a) { return a; }\n")
        for args in [["gcc", "-Wa,--version"], ["gcc", "-fversion"], ["gcc", "-fhelp"],
                     ["gcc", "-Wa,--version", "-MD"],
                     ["clang", "-fno-integrated-as", "-Wa,--version", "-MD"]]:
            for old in [None, "old object", None]:
                with self.subTest(args=args, old=old):
                    left = []
                    for ddcc in [False, True]:
                        for name in ["a.o", "a.d"]:
                            if os.path.exists(os.path.join(self.work, name)):
                                os.remove(os.path.join(self.work, name))
                        if old:
                            self.write("a.o", old)
                        argv = [*args, "-c", "a.c", "-o", "a.o"]
                        result = self.ddcc(*argv) if ddcc else self.run_cmd(argv)
                        left.append((result.returncode, result.stdout, result.stderr,
                                     *[self.read(name) if os.path.exists(os.path.join(
                                         self.work, name)) else None for name in ["a.o", "a.d"]]))
                    self.assertEqual(left[1], left[0])
        self.assertEqual(self.stats()["cache_hits"], 0)
        self.assertEqual(self.temp_files(), [])

    def test_an_output_that_is_an_input_ends_as_the_plain_compile(self):
        """gcc refuses `-c x.c -o x.c`; a hit or a miss's rename would replace the source by
        the object. However the output names the source, the call runs as is."""
        source = "int f(void) { return 42; }\n"
        work = self.work
        to_primed = ["-c", "x.c", "-o", "primed.o"]
        # Each call, and one that makes the same key without the clash, so that it could hit.
        calls = [
            (["-c", "x.c", "-o", "x.c"], to_primed),
            (["-c", "x.c", "-ox.c"], to_primed),
            (["-c", "x.c", "-o", "./x.c"], to_primed),
            (["-c", "x.c", "-o", os.path.join(work, "x.c")], to_primed),
            (["-c", "x.c", "-o", "sub/../x.c"], to_primed),
            (["-c", "x.c", "-o", "symlink.c"], to_primed),
            (["-c", "x.c", "-o", "hardlink.c"], to_primed),
            (["-c", "symlink.c", "-o", "x.c"], ["-c", "symlink.c", "-o", "primed.o"]),
            (["-MD", "-MF", "x.c", "-c", "x.c", "-o", "x.o"],
             ["-MD", "-MF", "primed.d", "-c", "x.c", "-o", "x.o"]),
            (["-MD", "-MF", "hardlink.c", "-c", "x.c", "-o", "x.o"],
             ["-MD", "-MF", "primed.d", "-c", "x.c", "-o", "x.o"]),
            (["-Wp,-MD,./x.c", "-c", "x.c", "-o", "x.o"],
             ["-Wp,-MD,primed.d", "-c", "x.c", "-o", "x.o"]),
            (["-gsplit-dwarf", "-x", "c", "-c", "x.dwo", "-o", "x.o"],
             ["-gsplit-dwarf", "-x", "c", "-c", "x.dwo", "-o", "x.o"]),
        ]

        def reset():
            for name in os.listdir(work):
                if os.path.isdir(os.path.join(work, name)):
                    continue
                os.remove(os.path.join(work, name))
            self.write("x.c", source)
            self.write("x.dwo", source)
            os.makedirs(os.path.join(work, "sub"), exist_ok=True)
            os.symlink("x.c", os.path.join(work, "symlink.c"))
            os.link(os.path.join(work, "x.c"), os.path.join(work, "hardlink.c"))

        def ending():
            return {name: self.read(name) for name in sorted(os.listdir(work))
                    if not os.path.isdir(os.path.join(work, name))}

        for compiler in ["gcc", "clang"]:
            for args, prime in calls:
                with self.subTest(compiler=compiler, args=args):
                    reset()
                    plain = self.run_cmd([compiler, *args])
                    expected = ending()
                    for run in ["first", "primed"]:
                        if run == "primed":
                            reset()
                            primed = self.ddcc(compiler, *prime)
                            self.assertEqual(primed.returncode, 0, primed.stderr)
                        reset()
                        self.assert_same_run(plain, self.ddcc(compiler, *args))
                        self.assertEqual(ending(), expected, run)
        self.assertEqual(self.temp_files(), [])

    def wait_for(self, found, what):
        deadline = time.monotonic() + 30
        while not found():
            self.assertLess(time.monotonic(), deadline, what)
            time.sleep(0.02)

    def test_a_signal_to_ddcc_ends_its_compiler_and_leaves_no_file(self):
        """A CI cancel, `kill PID`: only ddcc gets the signal."""
        slow = self.write("slow/gcc", SLOW_WRITER)
        os.chmod(slow, 0o755)
        self.write("slow.cc", SLOW_SOURCE)
        pid_file = os.path.join(self.root, "compiler.pid")
        self.strays = []
        calls = [("script", [slow, "-Iinclude", "-MD", "-c", "main.c"]),
                 ("g++", ["g++", *SLOW_FLAGS, "-MD", "-c", "slow.cc", "-o", "slow.o"])]
        for name, argv in calls:
            for sig in [signal.SIGTERM, signal.SIGINT, signal.SIGHUP]:
                with self.subTest(compiler=name, signal=sig):
                    if os.path.exists(pid_file):
                        os.remove(pid_file)
                    self.settle()
                    ddcc = subprocess.Popen([DDCC, *argv], cwd=self.work,
                                            env=dict(self.env, PID_FILE=pid_file),
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                    try:
                        if name == "script":
                            self.wait_for(lambda: os.path.exists(pid_file) and os.path.getsize(
                                pid_file) and self.temp_files(), "the script's start")
                            with open(pid_file) as f:
                                compiler = int(f.read())
                        else:
                            compiler = self.wait_for_child(ddcc.pid, "cc1plus")
                        ddcc.send_signal(sig)
                        self.assertEqual(ddcc.wait(timeout=30), -sig)
                    finally:
                        ddcc.kill()
                        ddcc.wait()
                    still = running(compiler)
                    # gcc leaves its compiler proper running when it is killed, as without ddcc;
                    # on a machine shared with others, it goes here.
                    for pid in [compiler, *self.strays]:
                        if running(pid):
                            os.kill(pid, signal.SIGKILL)
                    self.strays.clear()
                    self.assertFalse(still, "the compiler goes on")
                    self.assertEqual(self.temp_files(), [])

    def wait_for_child(self, pid, grandchild):
        """The pid of ddcc's compile (not its -E) once that runs `grandchild`, the compiler
        proper, which then has the source to chew on."""
        found = []

        def look():
            for child, cmdline in children(pid):
                if b"-E" in cmdline:
                    continue
                proper = [p for p, argv in children(child) if argv[0].endswith(grandchild.encode())]
                if proper:
                    found.append(child)
                    self.strays.extend(proper)
                    return True
            return False

        self.wait_for(look, "the compile")
        return found[0]

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


    def test_an_object_whose_name_is_nearly_as_long_as_a_name_may_be(self):
        """A name of 240 bytes leaves no room for the temporary file's suffix: its name is cut
        short, and the compile is cached as any other."""
        name = "n" * 236 + ".o"
        for _ in range(2):
            result = self.ddcc("gcc", "-Iinclude", "-c", "main.c", "-o", name)
            self.assertEqual(result.returncode, 0, result.stderr)
        got = self.read(name)
        self.assertEqual(self.run_cmd(["gcc", "-Iinclude", "-c", "main.c", "-o", name]).returncode, 0)
        self.assertEqual(got, self.read(name))
        self.assertEqual(self.stats()["direct_hits"], 1)
        self.assertEqual(self.temp_files(), [])

if __name__ == "__main__":
    unittest.main()
