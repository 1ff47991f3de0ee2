"""Inputs the preprocessed text does not show: files the assembler reads, programs the driver
runs from elsewhere, what -march=native means here, and what -P and #pragma GCC dependency
hide. Each test compiles through ddcc, changes the hidden input, compiles again through ddcc,
and compares everything with a plain compile of the new state."""

import os
import shutil
import subprocess
import time
import unittest

from common import DDCC, DdccTestCase

# C sources that make the assembler read data.bin, spelling the directive in other ways.
INCBIN_C_SOURCES = {
    "upper": '__asm__(".section .rodata\\n.INCBIN \\"data.bin\\"\\n.text");\n',
    "pieces": '__asm__(".section .rodata\\n.in" "cbin \\"data.bin\\"\\n.text");\n',
    "macro pieces": '#define DOT "."\n#define NAME(x) #x\n'
                    '__asm__(".section .rodata\\n" DOT NAME(incbin) " \\"data.bin\\"\\n.text");\n',
    "hex escape": '__asm__(".section .rodata\\n\\x2eincbin \\"data.bin\\"\\n.text");\n',
    "octal escape": '__asm__(".section .rodata\\n\\056incbin \\"data.bin\\"\\n.text");\n',
    "include": '__asm__(".section .rodata\\n.include \\"data.bin\\"\\n.text");\n',
    # Literals a macro between them joins: only the preprocessed text shows the directive.
    "macro between": '#define B "bin"\n'
                     '__asm__(".section .rodata\\n.inc" B " \\"data.bin\\"\\n.text");\n',
    "empty macro between": '#define EMPTY\n'
                           '__asm__(".section .rodata\\n.incl" EMPTY "ude \\"data.bin\\"\\n.text");\n',
    "macro on the next line": '#define B "bin \\"data.bin\\"\\n.text"\n'
                              '__asm__(".section .rodata\\n.inc"\n        B);\n',
    "operand": 'int incbin;\nvoid f(void) {\n'
               '  __asm__(".section .rodata\\n.%c0 \\"data.bin\\"\\n.text" :: "i"(&incbin));\n}\n',
    "section name": 'int x __attribute__((section(".data\\n.incbin \\"data.bin\\"\\n#"))) = 1;\n',
    "comment": '__asm__(".section .rodata\\n.inc/**/bin \\"data.bin\\"\\n.text");\n',
    # A backslash before a lone CR splices the line, as before LF.
    "cr splice": '__asm__(".section .rodata\\n.inc\\\rbin \\"data.bin\\"\\n.text");\n',
    "gas macro": '__asm__(".macro m name\\n.\\\\name \\"data.bin\\"\\n.endm\\n'
                 '.section .rodata\\nm incbin\\n.text");\n',
    # .irep is gas's other name for .irp.
    "irep": '__asm__(".section .rodata\\n.irep s,bin\\n.inc\\\\s \\"data.bin\\"\\n.endr\\n.text");\n',
}


class HiddenInputTestCase(DdccTestCase):
    def compile_twice(self, compiler, args, change, outputs=("out.o",), env=None):
        """Compiles through ddcc, applies `change`, compiles through ddcc again: the second
        compile's outputs and messages must be a plain compile's of the new state."""
        env = env or self.env
        first = self.ddcc(compiler, *args, env=env)
        self.assertEqual(first.returncode, 0, first.stderr)
        change()
        cached = self.ddcc(compiler, *args, env=env)
        got = [self.read(name) for name in outputs]
        plain = self.run_cmd([compiler, *args], env=env)
        self.assert_same_run(plain, cached)
        self.assertEqual(got, [self.read(name) for name in outputs])


    def in_mode(self, mode):
        """The environment for one of LOOKUP_MODES."""
        return dict(self.env, DDCC_DIRECT_MODE="0" if mode == "preprocessor" else "1",
                    DDCC_DEPEND="1" if mode == "depend" else "0")


LOOKUP_MODES = ["direct", "preprocessor", "depend"]


class AssemblerFilesTest(HiddenInputTestCase):
    """Item: files the assembler reads (.incbin, .include) are not in any key."""

    def data(self, text):
        return lambda: self.write("data.bin", text)

    def test_c_sources_that_make_the_assembler_read_a_file(self):
        for compiler in ["gcc", "clang", "g++"]:
            for name, source in INCBIN_C_SOURCES.items():
                if compiler == "g++" and name in ("operand", "section name"):
                    continue  # the same in C++; only the C spelling is tried
                if compiler == "clang" and name in ("comment", "irep"):
                    continue  # gas drops the comment and knows .irep; clang's assembler not
                for mode in ["direct", "depend"]:
                    with self.subTest(compiler=compiler, source=name, mode=mode):
                        self.write("data.bin", ".long 1\n")
                        self.write("src.c", source)
                        env = dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")
                        args = ["-x", "c++"] if compiler == "g++" else []
                        self.compile_twice(
                            compiler, [*args, "-fno-pie", "-MD", "-c", "src.c", "-o", "out.o"],
                            self.data(".long 2\n"), env=env)

    def test_assembler_sources(self):
        self.write("defs.s", ".long 1\n")
        for compiler in ["gcc", "clang"]:
            for directive in [".INCBIN", ".Include"]:
                with self.subTest(compiler=compiler, directive=directive):
                    self.write("data.bin", ".long 1\n")
                    self.write("src.S", f'.section .rodata\n{directive} "data.bin"\n')
                    self.compile_twice(compiler, ["-c", "src.S", "-o", "out.o"],
                                       self.data(".long 2\n"))

    def test_plain_assembler_and_include_dirs_for_the_assembler(self):
        """A .s source has no preprocessor run: its own text is searched. -Wa,-I gives .incbin a
        directory to search; the directive is refused wherever it is found."""
        self.write("inc/data.bin", "one")
        self.write("src.s", '.section .rodata\n.incbin "data.bin"\n')
        self.write("src.c", '__asm__(".section .rodata\\n.incbin \\"data.bin\\"\\n.text");\n')
        change = lambda: self.write("inc/data.bin", "two")
        for compiler in ["gcc", "clang"]:
            for source in ["src.s", "src.c"]:
                with self.subTest(compiler=compiler, source=source):
                    self.compile_twice(compiler, ["-Wa,-Iinc", "-c", source, "-o", "out.o"],
                                       change)
        # gas drops a comment before it reads the line: .inc/**/bin is .incbin to it.
        self.write("src2.s", '.section .rodata\n.inc/**/bin "data.bin"\n')
        self.compile_twice("gcc", ["-Wa,-Iinc", "-c", "src2.s", "-o", "out.o"], change)
        reasons = self.stats()["uncacheable_reasons"]
        self.assertEqual(reasons["unsupported_code_directive"], 10)


    def test_c_that_only_looks_like_directives_is_cached(self):
        """Names holding a directive's (`"paths.include_dirs"`), and a designated initializer
        `.file = __FILE__`, are no assembler directives: stored and hit in every mode."""
        self.write("src.c", 'const char *keys[] = {"paths.include_dirs", "opts.macro_expand",\n'
                            '                      "MyApp.Include"};\n'
                            "struct site { const char *file; int loc; };\n"
                            "struct site here = { .file = __FILE__, .loc = 3 };\n")
        for mode in LOOKUP_MODES:
            with self.subTest(mode=mode):
                env = dict(self.in_mode(mode), DDCC_DIR=os.path.join(self.root, "cache-" + mode))
                for _ in range(2):
                    cached = self.ddcc("gcc", "-MD", "-c", "src.c", "-o", "out.o", env=env)
                    self.assertEqual(cached.returncode, 0, cached.stderr)
                stats = self.stats(env=env)
                self.assertEqual(stats["direct_hits"] + stats["preprocessed_hits"], 1)


class OwnPreprocessorTextTest(HiddenInputTestCase):
    """Options under which ddcc's own -E text, which it reads for the headers and the places
    searched, would not be in the form it reads, or not what the compiler searched: run as
    they are, with the compiler's outputs."""

    def test_run_as_they_are(self):
        cases = [("gcc", ["-fdebug-cpp"]), ("clang", ["-fuse-line-directives"]),
                 ("gcc", ["-C"]), ("gcc", ["-CC"]),
                 ("gcc", ["-finput-charset=UTF-16LE", "-nostdinc"]),
                 ("clang", ["-fms-compatibility"]),
                 # (COFF objects hold the second they were made in, but for this option.)
                 ("clang", ["--target=x86_64-pc-windows-msvc", "-mno-incremental-linker-compatible"]),
                 ("clang", ["-mllvm", "-info-output-file=info.txt"]),
                 # Polly's import reads ./*.jscop, its dumps write files there.
                 ("clang", ["-O3", "-mllvm", "-polly", "-mllvm", "-polly-import"]),
                 ("clang", ["-O3", "-mllvm", "-polly", "-mllvm", "-polly-dump-before"]),
                 # ddcc's -E text would keep the comments, as with -C.
                 ("clang", ["-frewrite-includes"]), ("clang", ["-frewrite-imports"])]
        for compiler, options in cases:
            with self.subTest(compiler=compiler, options=options):
                # Read as UTF-16 where the option says so, headers too.
                encoding = "utf-16-le" if "-finput-charset=UTF-16LE" in options else "utf-8"
                def write(name, text):
                    self.write(name, "")
                    with open(os.path.join(self.work, name), "wb") as f:
                        f.write(text.encode(encoding))
                write("inc/h.h", "#define H 1\n")
                write("src.c", '#include "h.h"\nint f(void) { return H; }\n')
                args = [*options, "-Iinc", "-c", "src.c", "-o", "out.o"]
                before = self.stats()["uncacheable_reasons"].get("unsupported_option", 0)
                self.compile_twice(compiler, args, lambda: write("inc/h.h", "#define H 2\n"))
                after = self.stats()["uncacheable_reasons"]["unsupported_option"]
                self.assertEqual(after - before, 2)


class AssemblerInputsTest(HiddenInputTestCase):
    """Item: a word of -Wa, that is no option's value is another input file to the assembler."""

    def test_an_extra_input_to_the_assembler(self):
        self.write("a.c", "int f(void) { return 1; }\n")
        self.write("a.s", "\t.text\nf:\tret\n")
        for source in ["a.c", "a.s"]:
            with self.subTest(source=source):
                self.write("extra.s", "\t.data\n\t.byte 1\n")
                self.compile_twice("gcc", ["-Wa,extra.s", "-c", source, "-o", "out.o"],
                                   lambda: self.write("extra.s", "\t.data\n\t.byte 2\n"))
        # Values of -I and --defsym are no inputs.
        self.compile_twice("gcc", ["-Wa,-I,inc,--defsym,x=1", "-c", "a.c", "-o", "out.o"],
                           lambda: None)
        self.assertEqual(self.stats()["cache_hits"], 1)


class DriverProgramsTest(HiddenInputTestCase):
    """Item: programs the driver runs from elsewhere (-B, COMPILER_PATH, GCC_EXEC_PREFIX)."""

    def program(self, name, text):
        path = self.write(f"bin/{name}", "#!/bin/sh\n" + text)
        os.chmod(path, 0o755)

    def test_a_replaced_program_is_a_new_key(self):
        self.write("src.c", "int x = 1;\nint f(int y) { return y + x; }\n")
        self.write("extra.s", ".data\n.long 42\n")
        extra = os.path.join(self.work, "extra.s")
        cc1 = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1"
        cases = [
            ("gcc", ["-Bbin"], {}, "as", 'exec /usr/bin/as "$@"\n',
             f'exec /usr/bin/as "$@" {extra}\n'),
            ("gcc", [], {"COMPILER_PATH": "bin"}, "as", 'exec /usr/bin/as "$@"\n',
             f'exec /usr/bin/as "$@" {extra}\n'),
            ("gcc", ["-Bbin/"], {}, "cc1", f'exec {cc1} "$@"\n',
             f'exec {cc1} "$@" -fno-asynchronous-unwind-tables\n'),
            ("clang", ["-Bbin", "-fno-integrated-as"], {}, "as", 'exec /usr/bin/as "$@"\n',
             f'exec /usr/bin/as "$@" {extra}\n'),
        ]
        for compiler, options, env, name, before, after in cases:
            with self.subTest(compiler=compiler, options=options, env=env, program=name):
                self.program(name, before)
                self.compile_twice(compiler, [*options, "-c", "src.c", "-o", "out.o"],
                                   lambda: self.program(name, after), env=dict(self.env, **env))
                os.remove(os.path.join(self.work, "bin", name))


class NativeTest(HiddenInputTestCase):
    """Item: -march=native is keyed by what it means on this host."""

    # A compiler that tells -### what cpu.txt says, standing in for another host's CPU; a binary,
    # as a script named like a compiler would be taken for a wrapper and asked otherwise.
    WRAPPER = r"""#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char** argv) {
  argv[0] = COMPILER;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "-###") != 0) continue;
    pid_t pid = fork();
    if (pid == 0) execv(COMPILER, argv);
    waitpid(pid, NULL, 0);
    char cpu[64] = "";
    FILE* file = fopen(CPU, "r");
    fgets(cpu, sizeof(cpu), file);
    fprintf(stderr, " cpu %s\n", cpu);
    return 0;
  }
  execv(COMPILER, argv);
  return 127;
}
"""

    def test_the_expansion_is_in_the_key(self):
        self.write("src.c", "int f(int x) { return x * 3; }\n")
        cpu = os.path.join(self.work, "cpu.txt")
        for compiler in ["gcc", "clang"]:
            for option in ["-march=native", "-mtune=native"]:
                with self.subTest(compiler=compiler, option=option):
                    self.write("cpu.txt", "one")
                    path = os.path.join(self.work, "bin", compiler)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    self.run_cmd(["gcc", f'-DCOMPILER="/usr/bin/{compiler}"', f'-DCPU="{cpu}"',
                                  "-x", "c", "-", "-o", path], input=self.WRAPPER.encode())
                    before = self.hits()
                    for text in ["one", "two", "two"]:
                        self.write("cpu.txt", text)
                        result = self.ddcc(path, option, "-O2", "-c", "src.c", "-o", "out.o")
                        self.assertEqual(result.returncode, 0, result.stderr)
                    after = self.hits()
                    # One CPU's entry is not served to the other; the same CPU hits.
                    self.assertEqual(after[2] - before[2], 2)
                    self.assertEqual(sum(after[:2]) - sum(before[:2]), 1)


class ClangConfigFileTest(HiddenInputTestCase):
    """Item: clang called by a target-prefixed name reads <prefix>-<mode>.cfg or <prefix>.cfg
    beside its binary, which only -v names."""

    def test_an_edited_or_new_config_file(self):
        self.write("src.c", "int v = V;\n")
        binary = os.path.join(self.work, "bin", "x86_64-linux-gnu-clang")
        os.makedirs(os.path.dirname(binary))
        shutil.copy("/usr/lib/llvm-14/bin/clang", binary)  # clang reads its real directory
        for name in ["x86_64-linux-gnu.cfg", "x86_64-linux-gnu-clang.cfg"]:
            with self.subTest(name=name):
                self.write(f"bin/{name}", "-DV=2\n")
                self.compile_twice(binary, ["-c", "src.c", "-o", "out.o"],
                                   lambda: self.write(f"bin/{name}", "-DV=3\n"))
        # A more specific file made beside the one in use is read instead.
        os.remove(os.path.join(self.work, "bin/x86_64-linux-gnu-clang.cfg"))
        self.compile_twice(binary, ["-c", "src.c", "-o", "out.o"],
                           lambda: self.write("bin/x86_64-linux-gnu-clang.cfg", "-DV=4\n"))
        # One that a config file's @file names (Gentoo's are so made).
        self.write("bin/x86_64-linux-gnu-clang.cfg", "@inner.cfg\n")
        self.write("bin/inner.cfg", "-DV=5\n")
        self.compile_twice(binary, ["-c", "src.c", "-o", "out.o"],
                           lambda: self.write("bin/inner.cfg", "-DV=6\n"))

    def test_a_config_file_for_the_architecture_an_option_switches_to(self):
        self.write("src.c", "int v = V;\n")
        binary = os.path.join(self.work, "bin", "x86_64-linux-gnu-clang")
        os.makedirs(os.path.dirname(binary))
        shutil.copy("/usr/lib/llvm-14/bin/clang", binary)
        self.write("bin/x86_64-linux-gnu-clang.cfg", "-DV=1\n")
        for option, name in [("-m32", "i386-linux-gnu-clang.cfg"), ("-m32", "i386.cfg"),
                             ("--target=aarch64-linux-gnu", "aarch64-linux-gnu-clang.cfg")]:
            with self.subTest(option=option, name=name):
                path = os.path.join(self.work, "bin", name)
                if os.path.exists(path):
                    os.remove(path)
                self.compile_twice(binary, [option, "-c", "src.c", "-o", "out.o"],
                                   lambda: self.write(f"bin/{name}", "-DV=32\n"))
                os.remove(path)


    def test_a_config_file_option_ddcc_does_not_read_there(self):
        """-g there names the working directory, -MD writes a dependency file: options other
        than those that change only what the key holds make the call run as it is."""
        self.write("src.c", "int v = 1;\n")
        binary = os.path.join(self.work, "bin", "x86_64-linux-gnu-clang")
        os.makedirs(os.path.dirname(binary))
        shutil.copy("/usr/lib/llvm-14/bin/clang", binary)
        for config, output in [("-g\n", "out.o"), ("# a comment\n-MD\n", "out.d"),
                               ("@inner.cfg\n", "out.d"), ("-ftime-trace\n", "out.json"),
                               ("-fno-integrated-as\n", "out.o"),
                               # Keyed only from the command line: the CPU -march=native
                               # names, Microsoft's search of a Windows target, comments kept.
                               ("-march=native\n", "out.o"), ("-fms-compatibility\n", "out.o"),
                               ("--target=x86_64-pc-windows-msvc\n", "out.o"),
                               ("-frewrite-includes\n", "out.o")]:
            with self.subTest(config=config):
                self.write("bin/x86_64-linux-gnu-clang.cfg", config)
                self.write("bin/inner.cfg", "-O2 -MD\n")
                for _ in range(2):
                    if os.path.exists(os.path.join(self.work, output)):
                        os.remove(os.path.join(self.work, output))
                    cached = self.ddcc(binary, "-c", "src.c", "-o", "out.o")
                    self.assertEqual(cached.returncode, 0, cached.stderr)
                    self.assertTrue(os.path.exists(os.path.join(self.work, output)))
                self.assertEqual(self.stats()["cache_hits"], 0)
        # Options that change only what the key holds leave it cached.
        self.write("bin/x86_64-linux-gnu-clang.cfg", "# target\n--target=x86_64-linux-gnu -O2\n"
                                                   "-DV=1 -Wall -march=x86-64 -I inc -isysteminc\n"
                                                   "-ffunction-sections -fdata-sections "
                                                   "-fstack-protector-strong -fno-omit-frame-pointer\n")
        for _ in range(2):
            self.assertEqual(self.ddcc(binary, "-c", "src.c", "-o", "out.o").returncode, 0)
        self.assertEqual(self.stats()["cache_hits"], 1)


class CxxDriverTest(HiddenInputTestCase):
    """Item: g++ and clang++ (and clang --driver-mode=g++) compile a .c file as C++, with C++'s
    search path (CPLUS_INCLUDE_PATH, -cxx-isystem, libstdc++'s directories)."""

    def test_a_c_file_compiled_by_a_cxx_driver(self):
        self.write("src.c", "#include <myh.h>\nint f(void) { return V; }\n")
        self.write("after/myh.h", "#define V 1\n")
        env = dict(self.env, CPLUS_INCLUDE_PATH=os.path.join(self.work, "cpi"))
        for compiler, options in [("g++", []), ("clang++", []),
                                  ("clang", ["--driver-mode=g++"]),
                                  ("clang++", ["-cxx-isystem", "cpi"])]:
            with self.subTest(compiler=compiler, options=options):
                shutil.rmtree(os.path.join(self.work, "cpi"), ignore_errors=True)
                os.makedirs(os.path.join(self.work, "cpi"))
                # Old enough for their stamps to be trusted: a direct hit checks no more.
                old = time.time() - 60
                for path in ["src.c", "after/myh.h", "after", "cpi", "."]:
                    os.utime(os.path.join(self.work, path), (old, old))
                self.ddcc(compiler, *options, "-idirafter", "after", "-c", "src.c", "-o", "out.o",
                          env=env)
                self.compile_twice(
                    compiler, [*options, "-idirafter", "after", "-c", "src.c", "-o", "out.o"],
                    lambda: self.write("cpi/myh.h", "#define V 2\n"), env=env)


class StandardInputTest(HiddenInputTestCase):
    """Item: a source or header read from a pipe through /dev/stdin, which only the compile
    itself may read."""

    def test_a_source_or_header_on_stdin(self):
        self.write("x.c", 'int v =\n#include "/dev/stdin"\n;\n')
        for compiler in ["gcc", "clang"]:
            for mode in LOOKUP_MODES:
                env = self.in_mode(mode)
                for args, text in [(["-x", "c", "-c", "/dev/stdin", "-o", "y.o"], b"int v = 3;\n"),
                                   (["-MD", "-c", "x.c", "-o", "y.o"], b"5\n")]:
                    with self.subTest(compiler=compiler, mode=mode, args=args):
                        cached = self.ddcc(compiler, *args, env=env, input=text)
                        got = self.read("y.o")
                        plain = self.run_cmd([compiler, *args], env=env, input=text)
                        self.assert_same_run(plain, cached)
                        self.assertEqual(got, self.read("y.o"))


class LineDirectiveFileTest(HiddenInputTestCase):
    """Item: gcc quotes a message's source line from the file a #line names (bison's and flex's
    output name their grammar), which it reads only then."""

    def test_the_named_file_edited_or_created(self):
        self.write("x.c", '#line 1 "gram.y"\nint f(int x) { int unused; return x; }\n')
        for compiler in ["gcc", "clang"]:
            for mode in LOOKUP_MODES:
                env = self.in_mode(mode)
                args = ["-Wall", "-MD", "-c", "x.c", "-o", "out.o"]
                with self.subTest(compiler=compiler, mode=mode):
                    self.write("gram.y", "old text\n")
                    self.compile_twice(compiler, args, lambda: self.write("gram.y", "new text\n"),
                                       env=env)
                    os.remove(os.path.join(self.work, "gram.y"))
                    self.compile_twice(compiler, args, lambda: self.write("gram.y", "made\n"),
                                       env=env)


class NoLineMarkersTest(HiddenInputTestCase):
    """Item: -P given to ddcc's own -E would leave line numbers out of the key."""

    def test_a_header_gaining_lines(self):
        self.write("src.c", '#include "head.h"\nint f(int x) { return g(x); }\n')
        head = "int g(int x) { int unused; return x; }\n"
        for compiler in ["gcc", "clang"]:
            for how in [["-Wp,-P"], ["-Wp,-DX,-P"]]:
                with self.subTest(compiler=compiler, how=how):
                    self.write("head.h", head)
                    self.compile_twice(compiler, [*how, "-g", "-Wall", "-c", "src.c", "-o", "out.o"],
                                       lambda: self.write("head.h", "\n\n\n" + head))
        self.env["CCC_OVERRIDE_OPTIONS"] = "+-P"
        self.write("head.h", head)
        self.compile_twice("clang", ["-g", "-Wall", "-c", "src.c", "-o", "out.o"],
                           lambda: self.write("head.h", "\n\n\n" + head))


class PragmaDependencyTest(HiddenInputTestCase):
    """Item: #pragma GCC dependency warns by file times, which no key holds."""

    def test_a_newer_dependency_warns_again(self):
        self.write("head.h", '#pragma GCC dependency "grammar.y"\nint g(void);\n')
        self.write("src.c", '#include "head.h"\nint f(void) { return g(); }\n')
        for compiler in ["gcc", "clang"]:
            for mode in ["direct", "depend"]:
                with self.subTest(compiler=compiler, mode=mode):
                    self.write("grammar.y", "x\n")
                    old = time.time() - 1000
                    for name in ["grammar.y", "head.h", "src.c"]:
                        os.utime(os.path.join(self.work, name), (old, old))
                    env = dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")
                    args = ["-MD", "-c", "src.c", "-o", "out.o"]
                    first = self.ddcc(compiler, *args, env=env)
                    self.assertEqual(first.stderr, b"")

                    def newer_dependency():
                        now = time.time()
                        os.utime(os.path.join(self.work, "grammar.y"), (now, now))

                    self.compile_twice(compiler, args, newer_dependency, env=env)


class CommandLineInObjectTest(HiddenInputTestCase):
    """Item: objects that hold the compile's command line, which would then name ddcc's own
    paths (a private object or listing) or another tree's: not cached."""

    def test_codeview_and_darwin_debug_options(self):
        self.write("src.c", "int f(int a) { return a + 1; }\n")
        windows = ["--target=x86_64-pc-windows-msvc", "-mno-incremental-linker-compatible"]
        cases = [([*windows, "-g"], {}), ([*windows, "-g", "-MD"], {}),
                 (["--target=x86_64-w64-windows-gnu", "-g", "-gcodeview"], {}),
                 (["--target=x86_64-apple-macosx10.15", "-g"], {"RC_DEBUG_OPTIONS": "1"}),
                 (["--target=x86_64-none-macho", "-g"], {"RC_DEBUG_OPTIONS": "1"})]
        for args, env in cases:
            with self.subTest(args=args, env=env):
                env = dict(self.env, **env)
                argv = [*args, "-c", "src.c", "-o", "out.o"]
                for _ in range(2):
                    cached = self.ddcc("clang", *argv, env=env)
                    got = self.read("out.o")
                    self.assert_same_run(self.run_cmd(["clang", *argv], env=env), cached)
                    self.assertEqual(got, self.read("out.o"))
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_option"], 10)


class DriverSurroundingsTest(HiddenInputTestCase):
    """Item: what the driver takes from its surroundings: the assembler PATH finds, the include
    directory beside each -B prefix and COMPILER_PATH directory, clang's CC_PRINT_* variables."""

    def test_the_assembler_on_path(self):
        self.write("src.c", "int f(void) { return 1; }\n")
        marking = self.write("asbin/as", '#!/bin/sh\nexec /usr/bin/as --defsym injected=1 "$@"\n')
        os.chmod(marking, 0o755)
        env = dict(self.env, PATH=os.path.dirname(marking) + ":" + self.env["PATH"])
        for compiler, args in [("gcc", []), ("clang", ["-fno-integrated-as"])]:
            with self.subTest(compiler=compiler):
                args = [*args, "-c", "src.c", "-o", "out.o"]
                self.assertEqual(self.ddcc(compiler, *args).returncode, 0)
                cached = self.ddcc(compiler, *args, env=env)
                got = self.read("out.o")
                self.assert_same_run(self.run_cmd([compiler, *args], env=env), cached)
                self.assertEqual(got, self.read("out.o"))
                if compiler == "gcc":  # clang looks beside its gcc installation first
                    self.assertIn(b"injected", self.run_cmd(["nm", "out.o"]).stdout)

    def test_the_assembler_clang_runs_for_a_target_it_does_not_assemble_for(self):
        """clang runs <triple>-as, else as, from PATH for some targets (SPARC, C-SKY, ...) with
        no -fno-integrated-as: another one first on PATH is a new key."""
        self.write("src.c", "int f(int x) { return x + 1; }\n")
        args = ["--target=sparc-linux-gnu", "-c", "src.c", "-o", "out.o"]
        for version in ["1", "2"]:
            fake = self.write(f"as{version}/sparc-linux-gnu-as",
                              '#!/bin/sh\nwhile [ $# -gt 0 ]; do [ "$1" = -o ] && out=$2; shift; done\n'
                              f'printf "assembled by {version}" > "$out"\n')
            os.chmod(fake, 0o755)
            env = dict(self.env, PATH=os.path.dirname(fake) + ":" + self.env["PATH"])
            cached = self.ddcc("clang", *args, env=env)
            got = self.read("out.o")
            self.assert_same_run(self.run_cmd(["clang", *args], env=env), cached)
            self.assertEqual(got, f"assembled by {version}".encode())

    def test_the_objcopy_gccs_split_dwarf_runs(self):
        """gcc -gsplit-dwarf has objcopy move the split sections into the .dwo: the one PATH
        finds (another binutils, a wrapper) is keyed as the assembler is."""
        self.write("src.c", "int f(int x) { return x + 1; }\n")
        self.write("mark.txt", "MARK\n")
        marking = self.write("objbin/objcopy", '#!/bin/sh\n/usr/bin/objcopy "$@" || exit $?\n'
                             '[ "$1" = --strip-dwo ] && /usr/bin/objcopy --add-section '
                             f'.note.mark={self.work}/mark.txt "$2"\nexit 0\n')
        os.chmod(marking, 0o755)
        env = dict(self.env, PATH=os.path.dirname(marking) + ":" + self.env["PATH"])
        args = ["-g", "-gsplit-dwarf", "-frandom-seed=1", "-c", "src.c", "-o", "out.o"]
        self.assertEqual(self.ddcc("gcc", *args).returncode, 0)
        cached = self.ddcc("gcc", *args, env=env)
        got = self.read("out.o")
        self.assert_same_run(self.run_cmd(["gcc", *args], env=env), cached)
        self.assertEqual(got, self.read("out.o"))
        self.assertIn(b"MARK", got)

    def test_the_assembler_a_toolchain_finds_before_path(self):
        """gcc runs the "as" of its own programs' directories (a relocated or cross toolchain's
        binutils, <prefix>/<target>/bin/as) before PATH's; clang runs <triple>-as or "as" beside
        itself before PATH's. One installed there after a compile is a new key."""
        self.write("src.c", "int f(void) { return 1; }\n")
        gcc = os.path.join(self.root, "tc", "bin", "gcc")
        libs = os.path.join(self.root, "tc", "lib", "gcc", "x86_64-linux-gnu", "12")
        os.makedirs(libs)
        os.makedirs(os.path.dirname(gcc))
        shutil.copy2("/usr/bin/x86_64-linux-gnu-gcc-12", gcc)
        for name in os.listdir("/usr/lib/gcc/x86_64-linux-gnu/12"):
            os.symlink(os.path.join("/usr/lib/gcc/x86_64-linux-gnu/12", name),
                       os.path.join(libs, name))
        clang = os.path.join(self.root, "cl", "bin", "clang")
        os.makedirs(os.path.dirname(clang))
        os.symlink(shutil.which("clang"), clang)
        triple = self.run_cmd(["clang", "-print-target-triple"]).stdout.decode().strip()
        for compiler, args, assembler in [
                (gcc, [], os.path.join(self.root, "tc", "x86_64-linux-gnu", "bin", "as")),
                (clang, ["-fno-integrated-as"], os.path.join(os.path.dirname(clang), "as")),
                (clang, ["-fno-integrated-as"],
                 os.path.join(os.path.dirname(clang), f"{triple}-as"))]:
            with self.subTest(assembler=assembler):
                args = [*args, "-c", "src.c", "-o", "out.o"]
                self.assertEqual(self.ddcc(compiler, *args).returncode, 0)
                self.write(assembler, '#!/bin/sh\nexec /usr/bin/as --defsym injected=1 "$@"\n')
                os.chmod(assembler, 0o755)
                cached = self.ddcc(compiler, *args)
                got = self.read("out.o")
                self.assert_same_run(self.run_cmd([compiler, *args]), cached)
                self.assertEqual(got, self.read("out.o"))
                self.assertIn(b"injected", self.run_cmd(["nm", "out.o"]).stdout)
                os.remove(assembler)

    def test_an_include_directory_beside_a_prefix_made_later(self):
        """gcc adds each of six directories below a -B prefix or a COMPILER_PATH directory to
        the system header path where it exists; a -B naming a directory without its slash
        gets one."""
        self.write("later/h.h", "#define V 1\n")
        self.write("src.c", "#include <h.h>\nint v = V;\n")
        machine = self.run_cmd(["gcc", "-dumpmachine"]).stdout.decode().strip()
        version = self.run_cmd(["gcc", "-dumpversion"]).stdout.decode().strip()
        below = [f"{machine}/{version}/include", f"{machine}/include", "include",
                 f"{machine}/{version}/include-fixed", f"{machine}/include-fixed",
                 "include-fixed"]
        compiler_path = os.path.join(self.work, "cp") + "/"
        hows = [("-B without its slash", ["-Bbd"], self.env, "bd/"),
                ("-B separate", ["-B", "bs/"], self.env, "bs/"),
                ("COMPILER_PATH", [], dict(self.env, COMPILER_PATH=compiler_path), compiler_path)]
        for prefix in ["bd", "bs", compiler_path]:
            os.makedirs(os.path.join(self.work, prefix))
        self.settle()
        for i, directory in enumerate(below):
            how, args, env, prefix = hows[i % len(hows)]
            for mode in ["direct", "depend"]:
                with self.subTest(how=how, directory=directory, mode=mode):
                    self.compile_twice(
                        "gcc", [*args, "-idirafter", "later", "-c", "src.c", "-o", "out.o"],
                        lambda: self.write(os.path.join(prefix, directory, "h.h"),
                                           "#define V 9\n"),
                        env=dict(env, DDCC_DEPEND="1" if mode == "depend" else "0"))
                    shutil.rmtree(os.path.join(self.work, prefix, directory.split("/")[0]))
        # A multilib's are below its multiarch name: i386-linux-gnu for -m32.
        multiarch = self.run_cmd(["gcc", "-m32", "-print-multiarch"]).stdout.decode().strip()
        for mode in ["direct", "depend"]:
            with self.subTest(how="-m32", mode=mode):
                self.compile_twice(
                    "gcc", ["-m32", "-Bbd", "-idirafter", "later", "-c", "src.c", "-o", "out.o"],
                    lambda: self.write(f"bd/{multiarch}/include/h.h", "#define V 32\n"),
                    env=dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0"))
                shutil.rmtree(os.path.join(self.work, "bd", multiarch))

    def test_a_gcc_without_its_libgcc_given_a_prefix(self):
        """A bootstrap cross gcc names no libgcc's directory: its machine and version name the
        directories below a -B prefix, and the compile is cached."""
        wrapper = self.write("bin/gcc", '#!/bin/sh\ncase "$*" in\n'
                             '  -print-libgcc-file-name) echo libgcc.a ;;\n'
                             '  *) exec /usr/bin/gcc "$@" ;;\nesac\n')
        os.chmod(wrapper, 0o755)
        self.write("src.c", "int v = 1;\n")
        os.makedirs(os.path.join(self.work, "bd"))
        self.settle()
        for _ in range(2):
            result = self.ddcc(wrapper, "-Bbd", "-c", "src.c", "-o", "out.o")
            self.assertEqual(result.returncode, 0, result.stderr)
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["errors"]), (1, 0))

    def test_clang_print_variables(self):
        self.write("h1.h", "int g(void);\n")
        self.write("src.c", '#include "h1.h"\nint f(void) { int unused; return g(); }\n')
        args = ["-Wall", "-c", "src.c", "-o", "out.o"]
        for name in ["CC_PRINT_OPTIONS", "CC_LOG_DIAGNOSTICS", "CC_PRINT_HEADERS",
                     "CC_PRINT_PROC_STAT", "FORCE_CLANG_DIAGNOSTICS_CRASH"]:
            with self.subTest(name=name):
                self.assertEqual(self.ddcc("clang", *args).returncode, 0)
                env = dict(self.env, TMPDIR=self.work, **{name: "1"})
                cached = self.ddcc("clang", *args, env=env)
                if name == "CC_PRINT_PROC_STAT":  # times differ from run to run
                    self.assertEqual(cached.returncode, 0, cached.stderr)
                    self.assertIn(b"total=", cached.stdout)
                elif name == "FORCE_CLANG_DIAGNOSTICS_CRASH":  # names new files each time
                    plain = self.run_cmd(["clang", *args], env=env)
                    self.assertNotEqual(plain.returncode, 0)
                    self.assertEqual(cached.returncode, plain.returncode, cached.stderr)
                else:
                    self.assert_same_run(self.run_cmd(["clang", *args], env=env), cached)


    def test_clangs_variables_leave_gcc_cached(self):
        """gcc reads none of clang's driver variables: a shell that builds with either keeps
        caching gcc's compiles."""
        self.write("src.c", "int f(void) { int unused; return 1; }\n")
        env = dict(self.env, CCC_OVERRIDE_OPTIONS="+-DNAME=5", CC_PRINT_OPTIONS="1",
                   CC_PRINT_HEADERS="1")
        args = ["-Wall", "-c", "src.c", "-o", "out.o"]
        for _ in range(2):
            cached = self.ddcc("gcc", *args, env=env)
            served = self.read("out.o")
            self.assert_same_run(self.run_cmd(["gcc", *args], env=env), cached)
            self.assertEqual(served, self.read("out.o"))
        self.assertEqual(self.stats()["direct_hits"], 1)


class OptionFilesTest(HiddenInputTestCase):
    """Item: options whose files are inputs or outputs the arguments only name."""

    def test_a_basic_block_sections_list(self):
        self.write("src.c", "int f(int x) { return x + 1; }\nint g(int x) { return x * 3; }\n")
        self.write("bb.txt", "!g\n")
        self.compile_twice("clang", ["-O2", "-fbasic-block-sections=list=bb.txt", "-c", "src.c",
                                     "-o", "out.o"],
                           lambda: self.write("bb.txt", "!f\n"))

    def test_clang_save_stats_writes_its_file(self):
        self.write("src.c", "int f(int x) { return x + 1; }\n")
        for n in range(2):
            with self.subTest(n=n):
                if os.path.exists(os.path.join(self.work, "src.stats")):
                    os.remove(os.path.join(self.work, "src.stats"))
                run = self.ddcc("clang", "-save-stats", "-c", "src.c", "-o", "out.o")
                self.assertEqual(run.returncode, 0, run.stderr)
                self.assertTrue(os.path.exists(os.path.join(self.work, "src.stats")))
        self.assertEqual(self.hits(), (0, 0, 0))

    def test_a_response_file_split_as_the_compiler_splits_it(self):
        self.write("src.c", "#define DW 3\nint v = V;\n")
        self.write("args.rsp", "-DV=7 -DW\n")
        for compiler in ["clang", "gcc"]:
            with self.subTest(compiler=compiler):
                self.write("args.rsp", "-DV=7 -DW\n")
                self.compile_twice(compiler, ["@args.rsp", "-c", "src.c", "-o", "out.o"],
                                   lambda: self.write("args.rsp", "-DV=7\f-DW\n"))

    def test_a_response_file_in_the_corners_where_the_compilers_split_apart(self):
        """gcc drops a backslash that ends the file, clang keeps it; '' is an empty argument to
        gcc, none to clang (-I '' -DV=1: -I takes -DV=1); a NUL ends gcc's. The compile runs
        with ddcc's split."""
        self.write("src.c", "int v = V;\n")
        # And gcc reads it as a C string: a NUL ends it.
        for compiler, text in [("gcc", "-DV=7\\"), ("clang", "-DV=7\\"),
                               ("clang", "-I '' -DV=1\n"), ("gcc", "-DV=1 ''\n"),
                               ("gcc", "-DV=1\0 -DV=2\n")]:
            with self.subTest(compiler=compiler, text=text):
                with open(os.path.join(self.work, "args.rsp"), "w") as f:
                    f.write(text)
                argv = [compiler, "-c", "src.c", "@args.rsp", "-o", "out.o"]
                plain = self.run_cmd(argv)
                plain_out = self.read("out.o") if plain.returncode == 0 else None
                if os.path.exists(os.path.join(self.work, "out.o")):
                    os.remove(os.path.join(self.work, "out.o"))
                cached = self.ddcc(*argv)
                self.assert_same_run(plain, cached)
                if plain_out is not None:
                    self.assertEqual(self.read("out.o"), plain_out)

    def test_a_response_file_that_is_a_fifo_is_left_to_the_compiler(self):
        # ddcc opening the FIFO would let the writer write into a pipe it then closes: the
        # compiler would wait for arguments that never come.
        self.write("src.c", "int v = V;\n")
        fifo = os.path.join(self.work, "args.rsp")
        os.mkfifo(fifo)
        writer = subprocess.Popen(["sh", "-c", f"echo -DV=7 > {fifo}"])
        try:
            run = self.ddcc("clang", "@args.rsp", "-c", "src.c", "-o", "out.o", timeout=20)
            self.assertEqual(run.returncode, 0, run.stderr)
            writer.wait(timeout=20)
        finally:
            writer.kill()
            writer.wait()

    def test_gcc_names_its_f_option_in_the_object(self):
        # -F (a framework directory elsewhere) only steers the preprocessor, but gcc names it in
        # DW_AT_producer and -frecord-gcc-switches' section.
        self.write("src.c", "int f(void) { return 1; }\n")
        for options in [["-g"], ["-frecord-gcc-switches"]]:
            for directory in ["y", "z"]:
                with self.subTest(options=options, directory=directory):
                    argv = ["gcc", *options, "-F", directory, "-c", "src.c", "-o", "out.o"]
                    cached = self.ddcc(*argv)
                    served = self.read("out.o")
                    self.assert_same_run(self.run_cmd(argv), cached)
                    self.assertEqual(served, self.read("out.o"))

    def test_objects_holding_the_command_line_or_timings_are_not_cached(self):
        self.write("src.c", "int f(void) { return 1; }\n")
        for compiler, option in [("clang", "-fembed-bitcode=marker"), ("gcc", "-Wa,--statistics"),
                                 ("gcc", "-Wa,--stat"), ("gcc", "-Wa,-statistics")]:
            with self.subTest(option=option):
                for _ in range(2):
                    run = self.ddcc(compiler, option, "-c", "src.c", "-o", "out.o")
                    self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(self.hits(), (0, 0, 0))

    def test_pipes_named_on_the_command_line_are_left_to_the_compiler(self):
        # bash's <(...) names a pipe that only the first reader gets to read.
        self.write("src.c", "int g[10];\nint f(int i) { return g[i]; }\nint v = V;\n")
        for option in ["-include", "-imacros", "-fsanitize-ignorelist="]:
            for compiler in ["gcc", "clang"]:
                if option.endswith("=") and compiler == "gcc":
                    continue
                with self.subTest(option=option, compiler=compiler):
                    pipe = '<(echo "fun:f")' if option.endswith("=") else '<(echo "#define V 7")'
                    define = "-DV=7" if option.endswith("=") else ""
                    sanitize = "-fsanitize=address" if option.endswith("=") else ""
                    line = (f"{{}} {compiler} {sanitize} {define} {option}"
                            f"{'' if option.endswith('=') else ' '}{pipe} -c src.c -o {{}}")
                    plain = self.run_cmd(["bash", "-c", line.format("", "plain.o")])
                    self.assertEqual(plain.returncode, 0, plain.stderr)
                    cached = self.run_cmd(["bash", "-c", line.format(DDCC, "out.o")],
                                          timeout=20)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(self.read("plain.o"), self.read("out.o"))
        # Passed on to the preprocessor with -Wp, which reads it as -include's.
        for compiler in ["gcc", "clang"]:
            for option in ["-Wp,-include,", "-Wp,-imacros,"]:
                with self.subTest(compiler=compiler, option=option):
                    line = f"{{}} {compiler} {option}<(echo '#define V 7') -c src.c -o {{}}"
                    plain = self.run_cmd(["bash", "-c", line.format("", "plain.o")])
                    self.assertEqual(plain.returncode, 0, plain.stderr)
                    cached = self.run_cmd(["bash", "-c", line.format(DDCC, "out.o")], timeout=20)
                    self.assert_same_run(plain, cached)

    def test_a_fifo_found_as_an_include_file_on_the_search_path(self):
        """By -I, and by the other search options and variables too."""
        self.write("src.c", "int v = V;\n")
        os.makedirs(os.path.join(self.work, "inc"))
        fifo = os.path.join(self.work, "inc", "pre.h")
        os.mkfifo(fifo)
        for options, env in [(["-Iinc"], {}), (["-iquote", "inc"], {}), (["-isystem", "inc"], {}),
                             ([], {"CPATH": "inc"})]:
            with self.subTest(options=options, env=env):
                writer = subprocess.Popen(["sh", "-c", f"echo '#define V 7' > {fifo}"])
                try:
                    run = self.ddcc("gcc", *options, "-include", "pre.h", "-c", "src.c", "-o",
                                    "out.o", timeout=20, env=dict(self.env, **env))
                    self.assertEqual(run.returncode, 0, run.stderr)
                    writer.wait(timeout=20)
                finally:
                    writer.kill()
                    writer.wait()

    def test_a_rewrite_map_and_an_llvm_option_naming_a_file(self):
        self.write("src.c", "static int callee(int x) { return x * 7 + 3; }\n"
                            "int foo(void) { return 1; }\n"
                            "int caller(int y) { return callee(y) + 1; }\n")
        self.write("map.txt", "function: {\n  source: foo,\n  target: renamed_one,\n}\n")
        self.compile_twice("clang", ["-flegacy-pass-manager", "-frewrite-map-file=map.txt", "-c",
                                     "src.c", "-o", "out.o"],
                           lambda: self.write("map.txt", "function: {\n  source: foo,\n"
                                                         "  target: renamed_two,\n}\n"))
        self.write("replay.txt", "")
        self.compile_twice(
            "clang", ["-O2", "-mllvm", "-cgscc-inline-replay=replay.txt", "-mllvm",
                      "-cgscc-inline-replay-fallback=NeverInline", "-c", "src.c", "-o", "out.o"],
            lambda: self.write("replay.txt", "remark: src.c:3:35: 'callee' inlined into 'caller'"
                                             " with (cost=-15000, threshold=225) at callsite "
                                             "caller:0:35;\n"))

    def test_the_sanitizers_lists_in_a_resource_directory(self):
        real = self.run_cmd(["clang", "-print-resource-dir"]).stdout.decode().strip()
        shutil.copytree(os.path.join(real, "include"), os.path.join(self.work, "res/include"))
        shutil.copytree(os.path.join(real, "share"), os.path.join(self.work, "res/share"))
        self.write("src.c", "int g[10];\nint f(int i) { return g[i]; }\n")
        self.compile_twice(
            "clang", ["-resource-dir", "res", "-fsanitize=address", "-c", "src.c", "-o", "out.o"],
            lambda: self.write("res/share/asan_ignorelist.txt", "fun:f\n"))

    def test_assembler_listings_and_dependency_files(self):
        self.write("src.c", "int f(int x) { return x + 1; }\n")
        # Each names gcc's temporary .s: that the second compile writes it is what counts.
        for option, written in [("-Wa,--a=a.lst", "a.lst"), ("-Wa,--M,a.asdep", "a.asdep")]:
            with self.subTest(option=option):
                for _ in range(2):
                    path = os.path.join(self.work, written)
                    if os.path.exists(path):
                        os.remove(path)
                    run = self.ddcc("gcc", option, "-c", "src.c", "-o", "out.o")
                    self.assertEqual(run.returncode, 0, run.stderr)
                    self.assertTrue(os.path.exists(path))

    def test_a_thin_link_bitcode_file(self):
        args = ["-flto=thin", "-fthin-link-bitcode=t.thin.bc", "-c", "src.c", "-o", "out.o"]
        self.write("src.c", "int f(int x) { return x * 3; }\n")
        outputs = ("out.o", "t.thin.bc")
        self.compile_twice("clang", args, lambda: self.write(
            "src.c", "int f(int x) { return x * 5; }\nint g(void) { return 2; }\n"), outputs)
        self.compile_twice("clang", args, lambda: self.write(
            "src.c", "int f(int x) { return x * 3; }\n"), outputs)


class ImportTest(HiddenInputTestCase):
    """Item: #import takes two files alike as one, as #pragma once does, by their mtimes."""

    def test_two_imported_headers_alike(self):
        twin = "#ifdef SEEN\nint second;\n#else\n#define SEEN\nint first;\n#endif\n"
        self.write("src.c", '#import "a.h"\n#import "b.h"\n')
        for older, newer in [("2020-01-01", "2020-01-02"), ("2020-01-02", "2020-01-01")]:
            with self.subTest(second=newer):
                for name in ["a.h", "b.h"]:
                    self.write(name, twin)
                    self.run_cmd(["touch", "-d", older, name])
                self.compile_twice("gcc", ["-w", "-c", "src.c", "-o", "out.o"],
                                   lambda: self.run_cmd(["touch", "-d", newer, "b.h"]))


class GccSpecsFileTest(HiddenInputTestCase):
    """Item: gcc reads a specs file, which may add any option, from each -B prefix and each
    directory of LIBRARY_PATH and LPATH, and below each in <machine>/<version>/."""

    def test_a_specs_file_made_or_edited(self):
        self.write("src.c", "int g(int x) { int s = 0; for (int i = 0; i < x; i++) s += i * i;"
                            " return s; }\n")
        target = self.run_cmd(["gcc", "-dumpmachine"]).stdout.decode().strip() + "/" + \
            self.run_cmd(["gcc", "-dumpversion"]).stdout.decode().strip()
        for how, args, env in [("LIBRARY_PATH", [], {"LIBRARY_PATH": "lib"}),
                               ("LPATH", [], {"LPATH": "lib"}),
                               ("-B", ["-Blib"], {}),
                               ("-B separate", ["-B", "lib/"], {})]:
            for place in ["lib/specs", f"lib/{target}/specs"]:
                for mode in ["direct", "preprocessor"]:
                    with self.subTest(how=how, place=place, mode=mode):
                        shutil.rmtree(os.path.join(self.work, "lib"), ignore_errors=True)
                        os.makedirs(os.path.join(self.work, "lib", target))
                        run_env = dict(self.in_mode(mode), **env)
                        args_all = [*args, "-c", "src.c", "-o", "out.o"]
                        self.compile_twice("gcc", args_all,
                                           lambda: self.write(place, "*cc1_options:\n+ -O2\n"),
                                           env=run_env)
                        self.compile_twice("gcc", args_all,
                                           lambda: self.write(place, "*cc1_options:\n+ -O1\n"),
                                           env=run_env)

    def test_a_specs_file_runs_the_compile_as_it_is(self):
        """A specs file may add any option: -g names the working directory, which another tree
        below the base directory would be served."""
        for tree in ["a", "b"]:
            self.write(f"{tree}/src.c", "int f(int x) { return x + 1; }\n")
        self.write("lib/specs", "*cc1_options:\n+ -g\n\n")
        env = dict(self.env, DDCC_BASEDIR=self.work)
        for tree in ["a", "b"]:
            cwd = os.path.join(self.work, tree)
            args = [f"-B{self.work}/lib/", "-c", "src.c", "-o", "out.o"]
            cached = self.ddcc("gcc", *args, env=env, cwd=cwd)
            got = self.read(f"{tree}/out.o")
            self.assert_same_run(self.run_cmd(["gcc", *args], cwd=cwd), cached)
            self.assertEqual(got, self.read(f"{tree}/out.o"))
        self.assertEqual(self.stats(env=env)["cache_hits"], 0)


class SearchChangesTest(HiddenInputTestCase):
    """Item: a header made between the files of an #include_next chain, search directories that
    stop being directories (gcc warns of them), a search directory given otherwise than by -I
    that stops being the duplicate of another, clang's framework directories, gcc's -remap."""

    def modes(self):
        for compiler in ["gcc", "clang"]:
            for mode in ["direct", "depend"]:
                yield compiler, mode, dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")

    def test_a_header_made_between_an_include_next_chain(self):
        for compiler, mode, env in self.modes():
            with self.subTest(compiler=compiler, mode=mode):
                d = f"{compiler}-{mode}"
                self.write(f"{d}/i1/v.h", "#include_next <v.h>\n")
                self.write(f"{d}/i3/v.h", "#define V 1\n")
                os.makedirs(os.path.join(self.work, d, "i2"))
                self.write("a.c", "#include <v.h>\nint x = V;\n")
                self.compile_twice(
                    compiler, [f"-I{d}/i1", f"-I{d}/i2", f"-I{d}/i3", "-MD", "-c", "a.c", "-o",
                               "out.o"],
                    lambda: self.write(f"{d}/i2/v.h", "#define V 2\n"), ("out.o", "out.d"), env)

    def test_a_search_directory_that_stops_being_one(self):
        self.write("a.c", "int x;\n")
        for compiler, mode, env in self.modes():
            for change in ["a file", "removed"]:
                with self.subTest(compiler=compiler, mode=mode, change=change):
                    d = os.path.join(self.work, f"{compiler}-{mode}-{change}")
                    os.makedirs(d)

                    def make_it_so():
                        os.rmdir(d)
                        if change == "a file":
                            self.write(d, "\n")

                    self.compile_twice(compiler, ["-Wmissing-include-dirs", f"-I{d}", "-c", "a.c",
                                                  "-o", "out.o"], make_it_so, env=env)


    def test_a_duplicate_search_directory_made_another(self):
        self.write("a.c", "#include <x.h>\nint g(void) { return v; }\n")
        for how, args, variables in [
                ("CPATH", [], {"CPATH": "{d}/a:{d}/link:{d}/c"}),
                ("CPLUS_INCLUDE_PATH", ["-x", "c++"],
                 {"CPLUS_INCLUDE_PATH": "{d}/a:{d}/link:{d}/c"}),
                ("-Wp,-I", ["-Wp,-I{d}/a", "-Wp,-I{d}/link", "-Wp,-isystem,{d}/c"], {}),
                ("-iwithprefixbefore", ["-iprefix", "{d}/", "-iwithprefixbefore", "a",
                                        "-iwithprefixbefore", "link", "-iwithprefixbefore", "c"],
                 {}),
                ("sysroot", ["--sysroot={d}", "-I=/a", "-I=/link", "-I=/c"], {})]:
            for compiler, mode, env in self.modes():
                with self.subTest(how=how, compiler=compiler, mode=mode):
                    d = os.path.join(self.work, "".join(c for c in f"{how}-{compiler}-{mode}" if c.isalnum() or c == "-"))
                    self.write(f"{d}/c/x.h", "int v = 3;\n")
                    self.write(f"{d}/b/x.h", "int v = 2;\n")
                    os.makedirs(f"{d}/a")
                    os.symlink("a", f"{d}/link")
                    run_env = dict(env, **{k: v.format(d=d) for k, v in variables.items()})
                    self.compile_twice(
                        compiler, [a.format(d=d) for a in args] + ["-MD", "-c", "a.c", "-o",
                                                                   "out.o"],
                        lambda: (os.remove(f"{d}/link"), os.symlink("b", f"{d}/link")),
                        ("out.o", "out.d"), run_env)

    def test_a_header_made_in_a_framework_directory(self):
        self.write("a.c", "#include <Foo/bar.h>\nint g(void) { return v; }\n")
        for order in ["framework first", "framework last"]:
            for mode in ["direct", "depend"]:
                env = dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")
                with self.subTest(order=order, mode=mode):
                    d = f"{order.replace(' ', '-')}-{mode}"
                    self.write(f"{d}/inc/Foo/bar.h", "int v = 1;\n")
                    os.makedirs(os.path.join(self.work, d, "fw"))
                    dirs = [f"-F{d}/fw", f"-I{d}/inc"]
                    if order == "framework last":
                        dirs.reverse()
                    self.compile_twice(
                        "clang", [*dirs, "-MD", "-c", "a.c", "-o", "out.o"],
                        lambda: self.write(f"{d}/fw/Foo.framework/Headers/bar.h", "int v = 2;\n"),
                        ("out.o", "out.d"), env)

    def test_a_remap_file_made(self):
        self.write("inc/x.h", "int v = 1;\n")
        self.write("inc/z.h", "int v = 2;\n")
        self.write("a.c", "#include <x.h>\nint g(void) { return v; }\n")
        self.compile_twice("gcc", ["-remap", "-Iinc", "-c", "a.c", "-o", "out.o"],
                           lambda: self.write("inc/header.gcc", "x.h z.h\n"))


class TrigraphSpliceTest(HiddenInputTestCase):
    """Item: with trigraphs on, `??/` before a newline joins lines, which ddcc's own scans of the
    files (for .incbin in depend mode, for #pragma GCC dependency) do not."""

    def test_a_split_incbin_in_depend_mode(self):
        self.write("a.c", '__asm__(".data\\n.inc??/\nbin \\"blob.bin\\"");\n')
        env = dict(self.env, DDCC_DEPEND="1")
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                self.write("blob.bin", "AA\n")
                self.compile_twice(compiler, ["-std=c11", "-trigraphs", "-MD", "-c", "a.c", "-o",
                                              "out.o"],
                                   lambda: self.write("blob.bin", "BBBB\n"), ("out.o", "out.d"), env)

    def test_a_split_pragma_dependency(self):
        self.write("a.c", '#pragma GCC depend??/\nency "dep.txt"\nint x;\n')
        for compiler in ["gcc", "clang"]:
            for mode in ["direct", "depend"]:
                with self.subTest(compiler=compiler, mode=mode):
                    self.write("dep.txt", "x\n")
                    old = time.time() - 1000
                    for name in ["dep.txt", "a.c"]:
                        os.utime(os.path.join(self.work, name), (old, old))
                    env = dict(self.env, DDCC_DEPEND="1" if mode == "depend" else "0")

                    def newer_dependency():
                        now = time.time()
                        os.utime(os.path.join(self.work, "dep.txt"), (now, now))

                    self.compile_twice(compiler, ["-trigraphs", "-MD", "-c", "a.c", "-o", "out.o"],
                                       newer_dependency, env=env)


if __name__ == "__main__":
    unittest.main()
