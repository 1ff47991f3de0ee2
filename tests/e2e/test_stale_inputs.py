"""Never a wrong object when the compiler's inputs are not what ddcc hashed: a file edited,
created or removed while ddcc works; a header searched for again after its first inclusion; a
#line directive; what comments and line splices hide; time macros however they are reached; a
precompiled header beside a header; what the preprocessed text drops of the files. Each case compiles through ddcc and plainly, byte for byte."""

import itertools
import os
import re
import shutil
import subprocess
import time
import unittest

from common import DDCC, HeaderSearchTestCase

# Stands in for the compiler: before the compile proper (not -E), once, runs the edit in
# `edit.sh`, as an editor saving or a generator running would while ddcc works.
EDITING_COMPILER = """#!/bin/sh
case " $* " in
  *" -E "*|*" -###"*|*" -v "*|*" --version "*|*" -dump"*) ;;
  *) if [ -f "{edit}" ]; then sh "{edit}"; rm -f "{edit}"; fi ;;
esac
exec /usr/bin/{compiler} "$@"
"""

# The same, with the edit just after the compile proper (before ddcc records what it read).
EDITING_AFTER_COMPILER = """#!/bin/sh
case " $* " in
  *" -E "*|*" -###"*|*" -v "*|*" --version "*|*" -dump"*) exec /usr/bin/{compiler} "$@" ;;
esac
/usr/bin/{compiler} "$@"
status=$?
if [ -f "{edit}" ]; then sh "{edit}"; rm -f "{edit}"; fi
exit $status
"""

COMPILERS = ["gcc", "clang"]

# Stands in for the compiler: once, the compile proper (`-E` for the preprocessor's run) finds
# first/util.h (or gcc a precompiled second/util.h.gch), which exists only while it runs.
MAKE_HEADER = "echo '#define UTIL 7' > first/util.h"
MAKE_PRECOMPILED = ("echo '#define UTIL 7' > util7.h; "
                    "/usr/bin/gcc -x c-header util7.h -o second/util.h.gch")
TRANSIENT_HEADER_COMPILER = """#!/bin/sh
case " $* " in
  *" -###"*|*" -v "*) ;;
  *"{run}"*) if [ -f "{once}" ]; then
      rm -f "{once}"
      {make}
      /usr/bin/{compiler} "$@"
      status=$?
      rm -f first/util.h second/util.h.gch
      exit $status
    fi ;;
esac
exec /usr/bin/{compiler} "$@"
"""


class StaleInputsTest(HeaderSearchTestCase):
    def editing_compiler(self, compiler, edit, after=False):
        """A compiler that runs the shell command `edit` in the working directory just before
        its next compile (`after`: just after it)."""
        bin_dir = os.path.join(self.root, "editing-after" if after else "editing")
        os.makedirs(bin_dir, exist_ok=True)
        path = os.path.join(bin_dir, compiler)
        edit_script = os.path.join(self.root, "edit.sh")
        if not os.path.exists(path):  # written once: the compiler's identity stays
            with open(path, "w") as f:
                template = EDITING_AFTER_COMPILER if after else EDITING_COMPILER
                f.write(template.format(edit=edit_script, compiler=compiler))
            os.chmod(path, 0o755)
        with open(edit_script, "w") as f:
            f.write(f"cd '{self.work}'\n{edit}\n")
        return path

    def modes(self):
        return [("direct", {}), ("preprocessor", {"DDCC_DIRECT_MODE": "0"}),
                ("depend", {"DDCC_DEPEND": "1"})]

    def test_an_input_edited_during_the_compile_is_never_served_after(self):
        # The edit, then how to undo it: the undone state must get its own object, not the one
        # compiled from the edited text.
        edits = {
            "source": ('echo "int edited;" >> main.c', lambda: self.write("main.c", self.SOURCE)),
            "header": ("echo '#define UTIL 5' > second/util.h",
                       lambda: self.write("second/util.h", "#define UTIL 2\n")),
            # An mtime set ahead of the clock hides nothing: setting it moved the ctime.
            "header stamped ahead": ("echo '#define UTIL 5' > second/util.h; "
                                     "touch -d '+2 hours' second/util.h",
                                     lambda: self.write("second/util.h", "#define UTIL 2\n")),
            "shadowing header": ("echo '#define UTIL 6' > first/util.h",
                                 lambda: os.remove(os.path.join(self.work, "first/util.h"))),
        }
        args = ["-MD", *self.args]
        for compiler in COMPILERS:
            for mode, mode_env in self.modes():
                for name, (edit, undo) in edits.items():
                    with self.subTest(compiler=compiler, mode=mode, edit=name):
                        env = dict(self.env, **mode_env)
                        env["DDCC_DIR"] = os.path.join(self.root, f"cache-{compiler}-{mode}-{name}")
                        self.check(self.editing_compiler(compiler, edit), args=args, env=env)
                        undo()
                        self.check(self.editing_compiler(compiler, "true"), args=args, env=env)

    def test_a_header_swapped_on_its_way_during_the_compile_is_never_served_after(self):
        """A link retargeted (git checkout of a tracked link, ln -sfn) or a directory renamed
        over another while ddcc works leaves each file's own stamps as they were: the compile,
        before or after which it happens, must not be stored under what the preprocessor or
        ddcc read."""
        old = time.time() - 3600
        for path, value in [("v1/util.h", 2), ("v2/util.h", 5), ("d1/util.h", 2),
                            ("d2/util.h", 5), ("t1/second/util.h", 2), ("t2/second/util.h", 5)]:
            self.write(path, f"#define UTIL {value}\n")
            os.utime(os.path.join(self.work, path), (old, old))
        for tree in ["t1", "t2"]:
            os.makedirs(os.path.join(self.work, tree, "x"))
        os.symlink("t1/x", os.path.join(self.work, "lnk"))
        swap_directory = "mv second gone && mv d2 second && mv gone d2"
        swaps = {
            "link": ("ln -sfn ../v2/util.h second/util.h", "ln -sfn ../v1/util.h second/util.h"),
            "directory": (swap_directory, swap_directory),
            # Written into after: its times then move as a plain write moves them.
            "directory written": (f"{swap_directory} && : > second/new.txt", swap_directory),
            # A link a `..` leaves, which the normal path lexically skips: -Ilnk/../second.
            "link before ..": ("ln -sfn t2/x lnk", "ln -sfn t1/x lnk"),
        }
        for compiler in COMPILERS:
            for mode, mode_env in self.modes():
                for name, (swap, back) in swaps.items():
                    if name == "directory written" and compiler != "gcc":
                        continue  # as gcc's: the waits it needs are long
                    args = ["-MD", *self.args]
                    if name == "link before ..":
                        args[args.index("-Isecond")] = "-Ilnk/../second"
                    for after in [False, True]:
                        with self.subTest(compiler=compiler, mode=mode, swap=name, after=after):
                            shutil.rmtree(os.path.join(self.work, "second"), ignore_errors=True)
                            if name == "link":
                                os.makedirs(os.path.join(self.work, "second"))
                                os.symlink("../v1/util.h", os.path.join(self.work, "second/util.h"))
                            elif name == "link before ..":
                                subprocess.run(["ln", "-sfn", "t1/x", "lnk"], cwd=self.work,
                                               check=True)
                            else:
                                shutil.copytree(os.path.join(self.work, "d1"),
                                                os.path.join(self.work, "second"))
                                shutil.rmtree(os.path.join(self.work, "d2"))
                                self.write("d2/util.h", "#define UTIL 5\n")
                            # Older than the compile, as a checkout's; for the written swap, old
                            # enough for their stamps to be trusted (kStampTrustNs), or the
                            # lookup reads them again anyway.
                            time.sleep(2.1 if name == "directory written" else 0.1)
                            env = dict(self.env, DDCC_DIR=os.path.join(
                                self.root, f"cache-swap-{compiler}-{mode}-{name}-{after}"),
                                **mode_env)
                            editing = self.editing_compiler(compiler, swap, after)
                            if after:  # compiled before the swap: no plain compile to match
                                self.assertEqual(self.ddcc(editing, *args, env=env).returncode, 0)
                            else:
                                self.check(editing, args=args, env=env)
                            self.check(self.editing_compiler(compiler, "true", after), args=args,
                                       env=env)
                            subprocess.run(["sh", "-c", back], cwd=self.work, check=True)
                            self.check(self.editing_compiler(compiler, "true", after), args=args,
                                       env=env)

    def test_an_edit_in_the_same_second_on_a_whole_second_file_system(self):
        """On a file system that keeps whole seconds (ext4 with 128-byte inodes), a header saved
        during the compile in the second of its last save keeps its stamp: it must still not
        be stored with the other content's object. Needs a loop mount (root)."""
        image = os.path.join(self.root, "coarse.img")
        mount = os.path.join(self.root, "coarse")
        os.makedirs(mount)
        with open(image, "wb") as f:
            f.truncate(32 << 20)
        made = self.run_cmd(["mkfs.ext4", "-q", "-I", "128", image])
        if made.returncode != 0 or self.run_cmd(["mount", "-o", "loop", image, mount]).returncode:
            self.skipTest("no loop mount here")
        self.addCleanup(lambda: self.run_cmd(["umount", mount], cwd="/"))
        header = os.path.join(mount, "h.h")
        with open(os.path.join(mount, "a.c"), "w") as f:
            f.write('#include "h.h"\nint f(void) { return V; }\n')
        args = ["-MD", "-c", "a.c", "-o", "a.o"]
        for mode, mode_env in self.modes():
            for when in ["before", "after"]:
                with self.subTest(mode=mode, when=when):
                    env = dict(self.env, DDCC_DIR=os.path.join(mount, f"cache-{mode}-{when}"),
                               **mode_env)
                    # Saves the header once, before or after the compile proper.
                    compiler = os.path.join(mount, "cc-" + when)
                    flag = os.path.join(mount, "save.me")
                    save = (f"if [ -f {flag} ]; then rm -f {flag}; "
                            f"printf '#define V 2\\n' > {header}; fi")
                    with open(compiler, "w") as f:
                        f.write("#!/bin/sh\n"
                                f'case " $* " in *" -c "*ddcc-tmp*) '
                                f'{save if when == "before" else ":"} ;; esac\n'
                                '/usr/bin/gcc "$@"; status=$?\n'
                                f'case " $* " in *" -c "*ddcc-tmp*) '
                                f'{save if when == "after" else ":"} ;; esac\n'
                                "exit $status\n")
                    os.chmod(compiler, 0o755)
                    time.sleep(1.02 - time.time() % 1)  # early in a second
                    with open(header, "w") as f:
                        f.write("#define V 1\n")
                    with open(flag, "w"):
                        pass
                    time.sleep(0.03)
                    self.run_cmd([DDCC, compiler, *args], cwd=mount, env=env)
                    time.sleep(1.1)
                    with open(header, "w") as f:  # the state the next compile must describe
                        f.write("#define V 1\n" if when == "before" else "#define V 2\n")
                    time.sleep(1.1)
                    cached = self.run_cmd([DDCC, compiler, *args], cwd=mount, env=env)
                    with open(os.path.join(mount, "a.o"), "rb") as f:
                        served = f.read()
                    plain = self.run_cmd(["gcc", *args], cwd=mount, env=env)
                    self.assert_same_run(plain, cached)
                    with open(os.path.join(mount, "a.o"), "rb") as f:
                        self.assertEqual(served, f.read())

    def test_a_header_that_exists_only_while_one_run_reads_is_never_served_after(self):
        """A header made and removed around the compile (a wrapper, a generator and a clean
        racing) leaves an object that the preprocessor's run, and so the key, does not
        describe; one made for the preprocessor's run only leaves a key that the object does not
        fit. Neither is stored: the runs after get the object of the files as they are."""
        once = os.path.join(self.root, "once")
        cases = [(compiler, run, MAKE_HEADER) for compiler in COMPILERS
                 for run in [" -c ", " -E "]] + [("gcc", " -c ", MAKE_PRECOMPILED)]
        for (compiler, run, make), deps in itertools.product(cases, [[], ["-MD"], ["-MMD"]]):
            for mode, mode_env in self.modes():
                if mode == "depend" and run == " -E ":
                    continue  # no preprocessor's run
                if make == MAKE_PRECOMPILED and (mode == "depend" or "-MMD" in deps):
                    continue  # no listing names util.h then (docs/reliability.md)
                with self.subTest(compiler=compiler, run=run, make=make, deps=deps, mode=mode):
                    env = dict(self.env, **mode_env)
                    name = compiler + run.strip() + str(make == MAKE_PRECOMPILED)
                    env["DDCC_DIR"] = os.path.join(self.root, "cache", name + mode +
                                                   "".join(deps))
                    wrapper = os.path.join(self.root, "transient", name)
                    if not os.path.exists(wrapper):
                        os.makedirs(os.path.dirname(wrapper), exist_ok=True)
                        with open(wrapper, "w") as f:
                            f.write(TRANSIENT_HEADER_COMPILER.format(
                                compiler=compiler, run=run, once=once, make=make))
                        os.chmod(wrapper, 0o755)
                    self.write(once, "")
                    args = [*deps, *self.args]
                    first = self.ddcc(wrapper, *args, env=env)
                    self.assertEqual(first.returncode, 0, first.stderr)
                    self.assertFalse(os.path.exists(once))
                    self.check(wrapper, args=args, env=env, plain=compiler)

    def test_a_compiler_replaced_during_the_compile_is_never_served_after(self):
        """A package upgrade that replaces the compiler while ddcc works, after the keys named
        the old one, leaves an object that those keys do not describe: it is not stored. With
        the old compiler put back as it was, the next compile must not be served that object."""
        bin_dir = os.path.join(self.root, "upgrading")
        os.makedirs(bin_dir)
        compiler = os.path.join(bin_dir, "gcc")
        upgrade = os.path.join(self.root, "upgrade.sh")
        # Only the compile proper upgrades, then runs again as the new compiler.
        old = ('#!/bin/sh\ncase " $* " in *" -E "*|*" -### "*) ;; *)\n'
               f'  if [ -f {upgrade} ]; then sh {upgrade}; rm -f {upgrade}; exec "$0" "$@"; fi ;;\n'
               'esac\nexec /usr/bin/gcc "$@"\n')
        new = '#!/bin/sh\nexec /usr/bin/gcc -DUPGRADED=1 "$@"\n'
        for path, text in [(compiler, old), (compiler + ".new", new)]:
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
        stamp = os.stat(compiler)
        with open(upgrade, "w") as f:
            f.write(f"cp -p {compiler}.new {compiler}.tmp && mv {compiler}.tmp {compiler}\n")
        self.write("main.c", "#ifdef UPGRADED\nint value = 2;\n#else\nint value = 1;\n#endif\n")
        args = ["-c", "main.c", "-o", "main.o"]
        self.assertEqual(self.ddcc(compiler, *args).returncode, 0)
        self.assertEqual(self.stats()["cache_misses"], 1)

        with open(compiler, "w") as f:  # put back: same content, size and mtime
            f.write(old)
        os.utime(compiler, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        cached = self.ddcc(compiler, *args)
        self.assertEqual(cached.returncode, 0)
        served = self.read("main.o")
        plain = self.run_cmd([compiler, *args])
        self.assertEqual(plain.returncode, 0)
        self.assertEqual(served, self.read("main.o"))
        self.assertEqual(self.hits(), (0, 0, 2))

    def test_a_compile_failing_after_the_preprocessor_leaves_dependency_files_as_plainly(self):
        # The header goes after ddcc's -E: the compile fails before it writes a dependency
        # file, and clang then removes the build's, where gcc leaves it.
        for compiler in COMPILERS:
            for option in ["-MD", "-Wp,-MD,main.d"]:
                with self.subTest(compiler=compiler, option=option):
                    self.write("second/util.h", "#define UTIL 2\n")
                    args = [option, *self.args]
                    self.write("main.d", "old\n")
                    wrapper = self.editing_compiler(compiler, "rm second/util.h")
                    cached = self.ddcc(wrapper, *args)
                    kept = os.path.exists(os.path.join(self.work, "main.d"))
                    self.write("main.d", "old\n")
                    plain = self.run_cmd([compiler, *args])
                    self.assert_same_run(plain, cached)
                    self.assertEqual(kept, os.path.exists(os.path.join(self.work, "main.d")))

    def test_a_header_included_again_is_searched_for_again(self):
        # The second #include of common.h (in sub/x.h) looks in sub/ first; only the first
        # leaves a line marker.
        for guard in ["#pragma once\n", "#ifndef COMMON\n#define COMMON\n#endif\n"]:
            for compiler in COMPILERS:
                with self.subTest(guard=guard, compiler=compiler):
                    self.env["DDCC_DIR"] = os.path.join(self.root, f"c-{compiler}-{len(guard)}")
                    self.write("inc/common.h", guard + "#define COMMON_VALUE 1\n")
                    self.write("sub/x.h", '#include "common.h"\nint x = COMMON_VALUE;\n')
                    self.write("main.c", '#include "common.h"\n#include "sub/x.h"\n')
                    if os.path.exists(os.path.join(self.work, "sub/common.h")):
                        os.remove(os.path.join(self.work, "sub/common.h"))
                    args = ["-Iinc", "-c", "main.c", "-o", "main.o"]
                    self.check(compiler, args=args)
                    self.check(compiler, args=args)
                    self.write("sub/common.h", "#define COMMON_VALUE 2\n")
                    self.check(compiler, args=args)

    def test_a_line_directive_does_not_move_the_search(self):
        for compiler in COMPILERS:
            with self.subTest(compiler=compiler):
                self.env["DDCC_DIR"] = os.path.join(self.root, f"cache-{compiler}")
                self.write("inc/tok.h", "#define TOK 1\n")
                self.write("src/parse.c",
                           '#line 1 "grammar/parse.y"\n#include "tok.h"\nint tok = TOK;\n')
                for shadow in ["src/tok.h", "grammar/tok.h"]:
                    if os.path.exists(os.path.join(self.work, shadow)):
                        os.remove(os.path.join(self.work, shadow))
                args = ["-Iinc", "-c", "src/parse.c", "-o", "main.o"]
                self.check(compiler, args=args)
                self.check(compiler, args=args)
                self.write("src/tok.h", "#define TOK 2\n")  # beside the real file
                self.check(compiler, args=args)

    def test_what_comments_and_splices_hide_is_seen(self):
        sources = {
            "comment": '#if __has_include /* why */ ("opt.h")\n#include "opt.h"\n#endif\n',
            "splice": '#if __has_\\\ninclude("opt.h")\n#include "opt.h"\n#endif\n',
        }
        for compiler in COMPILERS:
            for name, text in sources.items():
                with self.subTest(compiler=compiler, source=name):
                    self.env["DDCC_DIR"] = os.path.join(self.root, f"cache-{compiler}-{name}")
                    if os.path.exists(os.path.join(self.work, "opt.h")):
                        os.remove(os.path.join(self.work, "opt.h"))
                    self.write("main.c", text + "int v = 1;\n")
                    self.check(compiler)
                    self.check(compiler)
                    self.write("opt.h", "int opt = 2;\n")
                    self.check(compiler)

    def test_time_macros_are_never_replayed_however_reached(self):
        sources = {
            "spliced": 'const char* t = __TI\\\nME__;\n',
            "pasted": '#define CAT(a, b) a##b\nconst char* t = CAT(__TI, ME__);\n',
            "named by a header": '#include "when.h"\nconst char* t = WHEN;\n',
        }
        self.write("when.h", "#define PIECE(x) __##x##__\n#define WHEN PIECE(TIME)\n")
        modes = {"direct": ({}, []), "depend": ({"DDCC_DEPEND": "1"}, ["-MD"])}
        cases = []
        for compiler in COMPILERS:
            for mode, (mode_env, options) in modes.items():
                for number, (name, text) in enumerate(sources.items()):
                    tag = f"{compiler}-{mode}-{number}"
                    env = dict(self.env, **mode_env, DDCC_DIR=os.path.join(self.root, "c-" + tag))
                    args = [*options, "-c", f"{tag}.c", "-o", f"{tag}.o"]
                    self.write(f"{tag}.c", text)
                    cases.append((dict(compiler=compiler, mode=mode, source=name), tag, env, args))
        first = {}
        for description, tag, env, args in cases:
            self.assertEqual(self.ddcc(description["compiler"], *args, env=env).returncode, 0)
            first[tag] = self.read(f"{tag}.o")
        time.sleep(1.1)  # the next second: another __TIME__
        for description, tag, env, args in cases:
            with self.subTest(**description):
                compiler = description["compiler"]
                self.assertEqual(self.ddcc(compiler, *args, env=env).returncode, 0)
                self.assertNotEqual(self.read(f"{tag}.o"), first[tag])
                self.assertEqual(self.stats(env=env)["direct_hits"], 0)

    def test_a_precompiled_header_beside_a_header_is_never_stored(self):
        """gcc's dependency file names neither a precompiled header it read nor its header: in
        depend mode too, one at a place an #include of the source searches makes the result
        unfit to store."""
        self.write("pch.h", "int v = 1;\n")
        made = self.run_cmd(["gcc", "-x", "c-header", "pch.h", "-o", "pch.h.gch"])
        self.assertEqual(made.returncode, 0, made.stderr)
        self.write("pch.h", "int v = 2;\n")  # gcc goes on using the stale .gch
        # The directive spelt with its digraph or trigraph too.
        for hash_sign, options in [("#", []), ("%:", []), ("??=", ["-trigraphs"])]:
            self.write("main.c", f'{hash_sign}include "pch.h"\nint get(void) {{ return v; }}\n')
            args = [*options, "-MD", "-c", "main.c", "-o", "main.o"]
            for mode, mode_env in self.modes():
                with self.subTest(hash_sign=hash_sign, mode=mode):
                    if os.path.exists(os.path.join(self.root, "gch")):  # a failed subtest's
                        os.rename(os.path.join(self.root, "gch"),
                                  os.path.join(self.work, "pch.h.gch"))
                    env = dict(self.env, **mode_env,
                               DDCC_DIR=os.path.join(self.root, f"cache-{mode}-{len(options)}"
                                                                f"{len(hash_sign)}"))
                    self.check("gcc", args=args, env=env)
                    os.rename(os.path.join(self.work, "pch.h.gch"),
                              os.path.join(self.root, "gch"))
                    self.check("gcc", args=args, env=env)
                    os.rename(os.path.join(self.root, "gch"),
                              os.path.join(self.work, "pch.h.gch"))
                    self.check("gcc", args=args, env=env)


    def test_a_forced_include_with_a_precompiled_form_anywhere_it_is_looked_for(self):
        """-include pch.h found through CPATH, C_INCLUDE_PATH, -Wp,-I or -iwithprefix, beside
        its .gch: the compiler reads that, which neither `-E` nor the dependency file shows, so
        the compile runs as it is, in every mode."""
        self.write("sub/pch.h", "static int v = 1;\n")
        self.write("main.c", "int get(void) { return v; }\n")
        made = self.run_cmd(["gcc", "-x", "c-header", "sub/pch.h", "-o", "sub/pch.h.gch"])
        self.assertEqual(made.returncode, 0, made.stderr)
        for how, options, env in [("CPATH", [], {"CPATH": "sub"}),
                                  ("C_INCLUDE_PATH", [], {"C_INCLUDE_PATH": "sub"}),
                                  ("-Wp,-I", ["-Wp,-Isub"], {}),
                                  ("-iwithprefix", ["-iprefix", "sub/", "-iwithprefix", "."], {})]:
            for mode, mode_env in self.modes():
                with self.subTest(how=how, mode=mode):
                    run_env = dict(self.env, **env, **mode_env,
                                   DDCC_DIR=os.path.join(self.root, f"cache-{how}-{mode}"))
                    args = [*options, "-include", "pch.h", "-MD", "-c", "main.c", "-o", "main.o"]
                    self.check("gcc", args=args, env=run_env)
                    self.check("gcc", args=args, env=run_env)
                    stats = self.stats(env=run_env)
                    self.assertEqual(stats["uncacheable_reasons"]["unsupported_option"], 2)

    def test_a_precompiled_header_directory_is_never_stored(self):
        """gcc reads every fitting .gch in a directory named like the header (pch/all.h.gch/),
        and with -Winvalid-pch warns of each that does not fit: one there, even empty, makes the
        compile's result unfit to store, in each mode."""
        self.write("inc/all.h", "#ifndef VAL\n#define VAL 1\n#endif\nint val(void) { return VAL; }\n")
        self.write("stale/all.h", "#define VAL 5\nint val(void) { return VAL; }\n")
        self.write("main.c", '#include "all.h"\nint get(void) { return val(); }\n')
        gch = os.path.join(self.work, "pch/all.h.gch")
        args = ["-O1", "-Winvalid-pch", "-Ipch", "-Iinc", "-MD", "-c", "main.c", "-o", "main.o"]
        for mode, mode_env in self.modes():
            with self.subTest(mode=mode):
                env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + mode),
                           **mode_env)
                shutil.rmtree(os.path.join(self.work, "pch"), ignore_errors=True)
                os.makedirs(gch)
                self.check("gcc", args=args, env=env)  # an empty directory
                made = self.run_cmd(["gcc", "-O1", "-x", "c-header", "stale/all.h", "-o",
                                     os.path.join(gch, "a.gch")])
                self.assertEqual(made.returncode, 0, made.stderr)
                self.check("gcc", args=args, env=env)  # the stale .gch in use
                os.remove(os.path.join(gch, "a.gch"))
                made = self.run_cmd(["gcc", "-O1", "-DVAL=2", "-x", "c-header", "inc/all.h",
                                     "-o", os.path.join(gch, "b.gch")])
                self.assertEqual(made.returncode, 0, made.stderr)
                self.check("gcc", args=args, env=env)  # one that does not fit: a warning
                shutil.rmtree(gch)
                self.check("gcc", args=args, env=env)


# What the preprocessed text drops of the files it comes from, and the compile still sees: each
# case an edit the text does not show (compiler, flags, file, before, after). Found by an
# adversarial hunt: each was a preprocessed hit replaying the old result.
FALLTHROUGH = """int g(int);
int f(int a) {{
  switch (a) {{
  case 1:
    g(1);
    /* {} */
  case 2:
    return g(2);
  }}
  return 0;
}}
"""
DROPPED_BY_THE_TEXT = [
    # A comment silences -Wimplicit-fallthrough, in the source or in a header.
    ("gcc", ["-Wextra", "-Werror"], "main.c", FALLTHROUGH.format("FALLTHRU"),
     FALLTHROUGH.format("nothing")),
    ("gcc", ["-Wextra", "-Werror"], "second/util.h",
     "#define UTIL 2\n" + FALLTHROUGH.format("FALLTHRU"),
     "#define UTIL 2\n" + FALLTHROUGH.format("nothing")),
    # clang checks documentation comments.
    ("clang", ["-Wdocumentation", "-Werror"], "main.c",
     "/// \\param a the value\nint f(int a);\nint f(int a) { return a; }\n",
     "/// \\param b the value\nint f(int a);\nint f(int a) { return a; }\n"),
    # A tab is not a space to -Wmisleading-indentation.
    ("gcc", ["-Wall", "-Werror"], "main.c",
     "int f(int a) {\n  if (a)\n a++;\n        a++;\n  return a;\n}\n",
     "int f(int a) {\n  if (a)\n\ta++;\n        a++;\n  return a;\n}\n"),
    # Spaces inside a line: columns in debug info, in sanitizer data, in messages, and as values.
    ("gcc", ["-g"], "main.c", "int f(int a) {\n  int x = a; return x;\n}\n",
     "int f(int a) {\n  int x = a;       return x;\n}\n"),
    ("clang", ["-fsanitize=undefined"], "main.c", "int f(int a, int b) { return a << b; }\n",
     "int f(int a, int b) {   return a << b; }\n"),
    ("clang", ["-O2"], "main.c", "int f(void) { return __builtin_COLUMN(); }\n",
     "int f(void) {    return __builtin_COLUMN(); }\n"),
    ("gcc", [], "main.c", "int f(int a) {\n  return a + (1 << 40);\n}\n",
     "int f(int a) {\n  return a +     (1 << 40);\n}\n"),
    # The same tokens written out warn; from a macro they do not.
    ("gcc", ["-Wall", "-Werror"], "main.c",
     "#define SAME (x == x)\nint f(int x) {\n  return SAME;\n}\n",
     "#define SAME_ (x == x)\nint f(int x) {\n  return (x == x);\n}\n"),
    ("clang", ["-Wall", "-Werror"], "main.c",
     "#define SAME (x == x)\nint f(int x) {\n  return SAME;\n}\n",
     "#define SAME_ (x == x)\nint f(int x) {\n  return (x == x);\n}\n"),
]


class WhatTheTextDropsTest(HeaderSearchTestCase):
    """The compiler compiles the files, not the preprocessed text: comments, columns, tabs and
    where tokens came from reach its warnings, exit status and object, so the result key holds
    the bytes of every file the text comes from."""

    def test_an_edit_the_preprocessed_text_does_not_show_is_not_a_hit(self):
        for number, (compiler, flags, name, before, after) in enumerate(DROPPED_BY_THE_TEXT):
            for mode, env in [("direct", {}), ("preprocessor", {"DDCC_DIRECT_MODE": "0"})]:
                with self.subTest(case=number, compiler=compiler, flags=flags, mode=mode):
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, f"c{number}{mode}"),
                               **env)
                    args = [*flags, "-Ifirst", "-Isecond", "-c", "main.c", "-o", "main.o"]
                    self.write("main.c", self.SOURCE if name != "main.c" else before)
                    self.write("second/util.h", "#define UTIL 2\n" if name == "main.c" else before)
                    self.check(compiler, args=args, env=env)
                    self.write(name, after)
                    self.check(compiler, args=args, env=env)


class SearchPlacesTest(HeaderSearchTestCase):
    """Ways a header the compiler would now find was missed, found by an adversarial hunt."""

    def warm_then(self, compiler, args, change, env=None):
        self.check(compiler, args=args, env=env)
        self.check(compiler, args=args, env=env)
        change()
        self.check(compiler, args=args, env=env)

    def fresh(self, name):
        self.env["DDCC_DIR"] = os.path.join(self.root, "cache-" + name)
        work = os.path.join(self.root, "w-" + name)
        os.makedirs(work)
        self.work = work

    def test_a_guarded_header_reached_again_under_another_name(self):
        """clang skips a guarded header it entered before (by -include) when an #include
        reaches the same file under another name, writing no line marker: the text is the same
        whichever directory holds that name, yet the dependency file and debug info name it."""
        self.write("sys/cfg.h", "#ifndef G\n#define G\nint sysv = 25;\n#endif\n")
        self.write("main.c", '#include "a.h"\nint f(void) { return 1; }\n')
        for compiler in COMPILERS:
            for mode, mode_env in [("direct", {}), ("preprocessor", {"DDCC_DIRECT_MODE": "0"})]:
                with self.subTest(compiler=compiler, mode=mode):
                    env = dict(self.env, **mode_env,
                               DDCC_DIR=os.path.join(self.root, "cache-" + compiler + mode))
                    args = ["-g", "-MD", "-include", "sys/cfg.h", *self.args]
                    for place in ["first", "second", "first"]:
                        for other in ["first", "second"]:
                            link = os.path.join(self.work, other, "a.h")
                            if os.path.lexists(link):
                                os.remove(link)
                        os.symlink("../sys/cfg.h", os.path.join(self.work, place, "a.h"))
                        self.check(compiler, args=args, env=env)

    def test_a_dangling_symlink_that_comes_to_life(self):
        for compiler in COMPILERS:
            for mode, mode_env in [("direct", {}), ("depend", {"DDCC_DEPEND": "1"})]:
                with self.subTest(compiler=compiler, mode=mode):
                    self.fresh(f"{compiler}-{mode}")
                    target = os.path.join(self.root, f"target-{compiler}-{mode}")
                    self.write("inc2/d/h.h", "int v = 2;\n")
                    self.write("src/main.c", '#include "d/h.h"\nint f(void) { return v; }\n')
                    os.symlink(target, os.path.join(self.work, "src/d"))
                    time.sleep(2.1)  # directories old enough to guard what is absent below
                    args = ["-MD", "-Iinc2", "-c", "src/main.c", "-o", "main.o"]
                    env = dict(self.env, **mode_env)

                    def create():
                        os.makedirs(target)
                        with open(os.path.join(target, "h.h"), "w") as f:
                            f.write("int v = 99;\n")
                    self.warm_then(compiler, args, create, env)

    def test_include_directories_spelled_with_dot_in_depend_mode(self):
        for compiler in COMPILERS:
            with self.subTest(compiler=compiler):
                self.fresh(compiler)
                self.write("inc1/.keep", "")
                self.write("inc2/h.h", "int v = 1;\n")
                self.write("main.c", "#include <h.h>\nint f(void) { return v; }\n")
                args = ["-MD", "-I./inc1", "-I./inc2/.", "-c", "main.c", "-o", "main.o"]
                self.warm_then(compiler, args, lambda: self.write("inc1/h.h", "int v = 99;\n"),
                               dict(self.env, DDCC_DEPEND="1"))

    def test_a_search_directory_that_was_a_file(self):
        # gcc passes over -Iinc1 while it is a file, and `-E -v` names it nowhere.
        self.write("inc1", "")
        self.write("inc2/h.h", "int v = 1;\n")
        self.write("main.c", "#include <h.h>\nint f(void) { return v; }\n")
        args = ["-MD", "-Iinc1", "-Iinc2", "-c", "main.c", "-o", "main.o"]

        def make_it_a_directory():
            os.remove(os.path.join(self.work, "inc1"))
            self.write("inc1/h.h", "int v = 99;\n")
        self.warm_then("gcc", args, make_it_a_directory)

    def test_a_duplicate_search_directory_pointed_elsewhere(self):
        # -Ib, a link to -Ia, is dropped as its duplicate ("ignoring duplicate directory"), so
        # no include set names it; pointed at another directory, it is searched before -Ic. So
        # is -Ix/a with x a link to the working directory.
        for compiler, (link, target, dropped) in itertools.product(
                COMPILERS, [("b", "a", "b"), ("x", ".", "x/a")]):
            with self.subTest(compiler=compiler, dropped=dropped):
                self.fresh(f"{compiler}-{link}")
                os.makedirs(os.path.join(self.work, "a"))
                os.symlink(target, os.path.join(self.work, link))
                self.write("c/y.h", "int v = 1;\n")
                self.write("d/y.h", "int v = 2;\n")
                self.write("d/a/y.h", "int v = 3;\n")
                self.write("main.c", "#include <y.h>\nint f(void) { return v; }\n")
                args = ["-Ia", f"-I{dropped}", "-Ic", "-c", "main.c", "-o", "main.o"]

                def point_the_link_at_d():
                    os.remove(os.path.join(self.work, link))
                    os.symlink("d", os.path.join(self.work, link))
                self.warm_then(compiler, args, point_the_link_at_d)

    def test_has_include_in_a_define_or_pasted(self):
        sources = {
            "define": ("#if HAS\nint v = 1;\n#else\nint v = 0;\n#endif\n",
                       ["-DHAS=__has_include(<foo.h>)"]),
            "pasted": ("#define CAT(a, b) a##b\n#if CAT(__has_, include)(<foo.h>)\nint v = 1;\n"
                       "#else\nint v = 0;\n#endif\n", []),
            "undefined": ("#define HAS_undefined __has_include\n#if HAS_undefined(<foo.h>)\n"
                          "int v = 1;\n#else\nint v = 0;\n#endif\n", []),
        }
        for compiler in COMPILERS:
            for name, (text, defines) in sources.items():
                with self.subTest(compiler=compiler, source=name):
                    self.fresh(f"{compiler}-{name}")
                    self.write("inc/.keep", "")
                    self.write("main.c", text)
                    args = [*defines, "-MD", "-Iinc", "-c", "main.c", "-o", "main.o"]
                    self.warm_then(compiler, args, lambda: self.write("inc/foo.h", ""))

    def test_has_include_next_sees_a_header_made_further_on(self):
        """A wrapper header asks __has_include_next for its own name: the first file on the
        path is itself, and a header made later in a directory after it changes the answer."""
        probes = {"angled": "__has_include_next(<a.h>)", "quoted": '__has_include_next("a.h")',
                  "macro": "HAS_NEXT(<a.h>)"}
        for compiler in COMPILERS:
            for name, probe in probes.items():
                for mode in ["direct", "depend"]:
                    with self.subTest(compiler=compiler, probe=name, mode=mode):
                        self.fresh(f"{compiler}-{name}-{mode}")
                        self.write("next/.keep", "")
                        self.write("compat/a.h", "#define HAS_NEXT(x) __has_include_next(x)\n"
                                   f"#if {probe}\n#define V 2\n#else\n#define V 1\n#endif\n")
                        self.write("main.c", '#include "a.h"\nint v = V;\n')
                        args = ["-MD", "-Icompat", "-Inext", "-c", "main.c", "-o", "main.o"]
                        env = dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")
                        self.warm_then(compiler, args, lambda: self.write("next/a.h", "\n"),
                                       env=env)

    @unittest.skipUnless(shutil.which("sshfs") and os.path.exists("/usr/lib/openssh/sftp-server")
                         and os.path.exists("/dev/fuse"), "needs sshfs and a FUSE device")
    def test_a_file_system_whose_stamps_miss_changes(self):
        """sshfs gives ctime as mtime, in whole seconds, and a file replaced keeps its inode: a
        header replaced by one of the same size and mtime (rsync -a, cp -p on the server) keeps
        its stamp, so there every file is hashed."""
        served = os.path.join(self.root, "served")
        mount = os.path.join(self.root, "mnt")
        os.makedirs(served)
        os.makedirs(mount)
        # sftp-server on a pipe, as `sshfs -o passive` takes it: no ssh daemon needed.
        to_server, from_client = os.pipe()
        to_client, from_server = os.pipe()
        server = subprocess.Popen(["/usr/lib/openssh/sftp-server"], stdin=to_server,
                                  stdout=from_server)
        client = subprocess.Popen(["sshfs", "-f", "-o", "passive", f":{served}", mount],
                                  stdin=to_client, stdout=from_client)
        for fd in [to_server, from_client, to_client, from_server]:
            os.close(fd)
        try:
            for _ in range(50):
                if os.path.ismount(mount):
                    break
                time.sleep(0.1)
            if not os.path.ismount(mount):
                self.skipTest("sshfs did not mount")
            self.work = mount
            old = time.time() - 3600
            for mode in ["direct", "depend"]:
                with self.subTest(mode=mode):
                    env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-" + mode),
                               DDCC_DEPEND="1" if mode == "depend" else "0")
                    self.write("inc/h.h", "#define V 11\n")
                    self.write("main.c", '#include "h.h"\nint f(void) { return V; }\n')
                    for name in ["inc/h.h", "main.c"]:
                        os.utime(os.path.join(served, name), (old, old))
                    args = ["-MD", "-Iinc", "-c", "main.c", "-o", "main.o"]
                    self.check("gcc", args=args, env=env)
                    self.check("gcc", args=args, env=env)
                    replacement = os.path.join(served, "inc/h.h.new")
                    with open(replacement, "w") as f:
                        f.write("#define V 22\n")
                    os.utime(replacement, (old, old))
                    os.rename(replacement, os.path.join(served, "inc/h.h"))
                    time.sleep(1.5)  # sshfs keeps attributes for a second
                    self.check("gcc", args=args, env=env)
                    # Replaced so while ddcc works (after its preprocessor's run): the compile
                    # read the other text, which must not be stored under this one's key.
                    def replace(value):
                        new = f"{served}/inc/h.h.new"
                        return (f"printf '#define V {value}\\n' > {new} && touch -d @{int(old)} "
                                f"{new} && mv {new} {served}/inc/h.h && sleep 1.5")
                    # Or just after the compile read it, before ddcc reads what it listed.
                    edit = os.path.join(self.root, "edit.sh")
                    for template, name in [(EDITING_COMPILER, "editing"),
                                           (EDITING_AFTER_COMPILER, "editing-after")]:
                        editing = os.path.join(self.root, name, "gcc")
                        os.makedirs(os.path.dirname(editing), exist_ok=True)
                        with open(editing, "w") as f:
                            f.write(template.format(edit=edit, compiler="gcc"))
                        os.chmod(editing, 0o755)
                        with open(edit, "w") as f:
                            f.write(replace(33))
                        if template == EDITING_COMPILER:
                            self.check(editing, args=args, env=env)
                            subprocess.run(["sh", "-c", replace(22)], check=True)
                        else:  # compiled before the edit: no plain compile to match
                            self.assertEqual(self.ddcc(editing, *args, env=env).returncode, 0)
                        self.check(editing, args=args, env=env)
            # A source of this machine's with its headers there: depend mode is not used, so the
            # call is still cached.
            self.work = os.path.join(self.root, "local")
            self.write("main.c", '#include "h.h"\nint f(void) { return V; }\n')
            env = dict(self.env, DDCC_DIR=os.path.join(self.root, "cache-local"), DDCC_DEPEND="1")
            args = ["-MD", f"-I{mount}/inc", "-c", "main.c", "-o", "main.o"]
            self.check("gcc", args=args, env=env)
            self.check("gcc", args=args, env=env)
            self.assertEqual(self.stats(env=env)["direct_hits"], 1)
        finally:
            subprocess.run(["fusermount3", "-u", mount], capture_output=True)
            for process in [client, server]:
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def test_identical_pragma_once_files_told_apart_by_mtime(self):
        # gcc takes two #pragma once files of one content and one mtime for one file.
        self.write("a/h.h", "#pragma once\nint CAT(v, __COUNTER__) = 1;\n")
        self.write("b/h.h", "#pragma once\nint CAT(v, __COUNTER__) = 1;\n")
        same = os.stat(os.path.join(self.work, "a/h.h"))
        os.utime(os.path.join(self.work, "b/h.h"), ns=(same.st_atime_ns, same.st_mtime_ns))
        self.write("main.c", "#define CAT2(a, b) a##b\n#define CAT(a, b) CAT2(a, b)\n"
                   '#include "a/h.h"\n#include "b/h.h"\n')
        time.sleep(2.1)  # stamps old enough to be trusted
        args = ["-c", "main.c", "-o", "main.o"]
        self.warm_then("gcc", args, lambda: os.utime(os.path.join(self.work, "b/h.h")))

    def test_clang_does_not_read_source_date_epoch(self):
        self.write("main.c", "const char* t = __TIME__;\n")
        env = dict(self.env, SOURCE_DATE_EPOCH="1000000000")
        self.assertEqual(self.ddcc("clang", *self.args, env=env).returncode, 0)
        self.assertEqual(self.ddcc("clang", *self.args, env=env).returncode, 0)
        self.assertEqual(self.stats(env=env)["direct_hits"], 0)

    def test_gcc_diagnostic_environment_is_keyed(self):
        self.write("main.c", "int f(void) { int unused; return 0; }\n")
        args = ["-fdiagnostics-color=always", "-Wall", "-c", "main.c", "-o", "main.o"]
        self.check("gcc", args=args)
        self.check("gcc", args=args, env=dict(self.env, GCC_COLORS="warning=01;32"))

    def test_the_language_of_gccs_messages_is_keyed(self):
        # gettext takes LANGUAGE before LC_MESSAGES where the locale is not "C".
        self.write("main.c", "int f(int a) {\n  return a + (1 << 40);\n}\n")
        args = ["-c", "main.c", "-o", "main.o"]
        env = dict(self.env, LANG="C.UTF-8")
        self.check("gcc", args=args, env=env)
        french = self.check("gcc", args=args, env=dict(env, LANGUAGE="fr"))
        self.assertIn("attention", french.stderr.decode())  # gcc-12-locales (install-deps)
        # ddcc's own questions to gcc (-v, -print-search-dirs) are read in C's words: cached.
        self.check("gcc", args=args, env=dict(env, LANGUAGE="fr"))
        self.assertEqual(self.hits(), (1, 0, 2))

    def test_the_locale_installed_for_the_messages_is_keyed(self):
        # LANG names a locale glibc has not got: gcc speaks English until LOCPATH leads to it.
        self.write("main.c", "int f(int x) { int unused; return x; }\n")
        locales = os.path.join(self.work, "locales")
        os.makedirs(locales)
        made = self.run_cmd(["localedef", "-i", "de_DE", "-f", "UTF-8",
                             os.path.join(locales, "de_DE.UTF-8")])
        if made.returncode not in (0, 1):  # 1: made, with warnings
            self.skipTest(f"localedef failed: {made.stderr.decode()}")
        args = ["-Wall", "-c", "main.c", "-o", "main.o"]
        env = dict(self.env, LANG="de_DE.UTF-8", LC_ALL="", LANGUAGE="")
        self.check("gcc", args=args, env=env)
        german = self.check("gcc", args=args, env=dict(env, LOCPATH=locales))
        self.assertIn("Warnung", german.stderr.decode())  # gcc-12-locales (install-deps)

    def test_clangs_darwin_environment_is_keyed(self):
        # The deployment target goes into the object; the SDK decides the headers.
        for sdk in ("s1", "s2"):
            self.write(f"{sdk}/usr/include/sdk.h", f"#define SDK_{sdk} 1\nint sdk = {sdk[1]};\n")
        self.write("main.c", "#include <sdk.h>\nint f(void) { return sdk; }\n")
        args = ["-target", "x86_64-apple-darwin", "-c", "main.c", "-o", "main.o"]
        s1, s2 = (os.path.join(self.work, sdk) for sdk in ("s1", "s2"))
        for step in [{"SDKROOT": s1}, {"SDKROOT": s1, "MACOSX_DEPLOYMENT_TARGET": "11.0"},
                     {"SDKROOT": s2, "MACOSX_DEPLOYMENT_TARGET": "11.0"}]:
            self.check("clang", args=args, env=dict(self.env, **step))

    def test_clang_debug_info_records_each_files_checksum(self):
        # Comments change no text, but clang's line table holds each file's MD5.
        env = dict(self.env, DDCC_DIRECT_MODE="0")
        args = ["-g", "-I.", "-c", "main.c", "-o", "main.o"]
        self.write("h.h", "int h;\n")
        self.write("main.c", '#include "h.h"\nint v = 1;\n')
        self.check("clang", args=args, env=env)
        self.write("main.c", '#include "h.h"\nint v = 1; /* a comment */\n')
        self.check("clang", args=args, env=env)
        self.write("h.h", "int h; // another\n")
        self.check("clang", args=args, env=env)

    def test_a_failed_compile_leaves_its_dependency_file(self):
        self.write("main.c", "int f(void) { int x; return; }\n")
        for compiler in COMPILERS:
            with self.subTest(compiler=compiler):
                args = ["-Wall", "-Werror", "-MD", "-c", "main.c", "-o", "main.o"]
                cached = self.ddcc(compiler, *args)
                written = self.read("main.d")
                os.remove(os.path.join(self.work, "main.d"))
                plain = self.run_cmd([compiler, *args])
                self.assert_same_run(plain, cached)
                self.assertEqual(written, self.read("main.d"))

    def test_a_failed_compile_leaves_the_object_as_the_compiler_does(self):
        # An earlier object stays after a failed compile, except with clang, and with gcc once
        # its assembler has opened it: with -pipe (found by the differential generator), or
        # when the assembler is what fails.
        self.write("good.c", "int f(void) { return 0; }\n")
        sources = {"compile": "int f(void) { return }\n",  # preprocesses, then fails
                   "assemble": '__asm__("no_such_instruction");\n'}
        for compiler in COMPILERS:
            for (name, text), extra in itertools.product(sources.items(), [[], ["-pipe"]]):
                self.write("main.c", text)
                with self.subTest(compiler=compiler, source=name, extra=extra):
                    outcomes = []
                    for run in (self.ddcc, lambda *a: self.run_cmd(list(a))):
                        self.run_cmd([compiler, "-c", "good.c", "-o", "main.o"])
                        result = run(compiler, *extra, "-c", "main.c", "-o", "main.o")
                        # gcc names a new temporary .s file each run.
                        stderr = re.sub(rb"/tmp/cc\w+\.s", b"/tmp/cc.s", result.stderr)
                        outcomes.append((result.returncode, stderr,
                                         os.path.exists(os.path.join(self.work, "main.o"))))
                    self.assertEqual(outcomes[0], outcomes[1])


if __name__ == "__main__":
    unittest.main()
