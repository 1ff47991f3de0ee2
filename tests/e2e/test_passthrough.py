"""Every other way ddcc is called: links, unknown compilers, masquerading symlinks, bare compiler
options, and the command lines of ccache and sccache users and scripts."""

import os
import shutil
import stat
import unittest

from common import DDCC, DdccTestCase

SOURCE = "int answer(void) { return 42; }\n"
MAIN = "int answer(void);\nint main(void) { return answer() == 42 ? 0 : 1; }\n"

# Stands in for a compiler ddcc does not know: shows what it was given and how it was run.
PROBE = """#!/bin/sh
echo "args: $*"
echo "cwd: $(pwd)"
echo "env: $PROBE_VALUE"
read line; echo "stdin: $line"
echo "to stderr" >&2
exit 5
"""


class PassthroughTest(DdccTestCase):
    def test_link_runs_as_is_and_is_counted(self):
        self.write("answer.c", SOURCE)
        self.write("main.c", MAIN)
        for compiler in ["gcc", "clang"]:
            self.assertEqual(self.ddcc(compiler, "-c", "answer.c").returncode, 0)
            link = self.ddcc(compiler, "answer.o", "main.c", "-o", "prog")
            self.assertEqual(link.returncode, 0, link.stderr)
            self.assertEqual(self.run_cmd(["./prog"]).returncode, 0)
        self.assertEqual(self.stats()["uncacheable_reasons"]["called_for_link"], 2)

    def test_unknown_compiler_runs_unharmed(self):
        probe = self.write("bin/mycc", PROBE)
        os.chmod(probe, 0o755)
        self.env["PROBE_VALUE"] = "kept"
        plain = self.run_cmd([probe, "-c", "a b", "--x"], input=b"hello\n")
        cached = self.ddcc(probe, "-c", "a b", "--x", input=b"hello\n")
        self.assert_same_run(plain, cached)
        self.assertEqual(cached.returncode, 5)
        self.assertIn(b"stdin: hello", cached.stdout)
        self.assertIn(b"env: kept", cached.stdout)
        echo = self.ddcc("/bin/echo", "-n", "hi")
        self.assertEqual((echo.returncode, echo.stdout), (0, b"hi"))
        self.assertEqual(self.stats()["uncacheable_reasons"]["unsupported_compiler"], 2)

    @unittest.skipUnless(shutil.which("rustc"), "rustc not installed")
    def test_rustc_as_rustc_wrapper(self):
        self.write("main.rs", "fn main() { println!(\"hi\"); }\n")
        plain = self.run_cmd(["rustc", "--version"])
        self.assert_same_run(plain, self.ddcc("rustc", "--version"))
        built = self.ddcc("rustc", "main.rs", "-o", "main")
        self.assertEqual(built.returncode, 0, built.stderr)
        self.assertEqual(self.run_cmd(["./main"]).stdout, b"hi\n")

    def masquerade_dir(self):
        bin_dir = os.path.join(self.root, "masquerade")
        os.makedirs(bin_dir)
        for name in ["gcc", "g++", "cc", "clang"]:
            os.symlink(DDCC, os.path.join(bin_dir, name))
        self.env["PATH"] = bin_dir + os.pathsep + self.env["PATH"]
        return bin_dir

    def test_masquerade(self):
        self.masquerade_dir()
        self.write("answer.c", SOURCE)
        expected = self.run_cmd(["/usr/bin/gcc", "-c", "answer.c", "-o", "plain.o"])
        self.assertEqual(expected.returncode, 0)
        for compiler in ["gcc", "cc", "clang", "gcc"]:
            result = self.run_cmd([compiler, "-c", "answer.c"], timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.read("answer.o"), self.read("plain.o"))
        stats = self.stats()
        # cc is gcc on Debian: it shares gcc's entry only if it resolves to the same binary and
        # name, so count hits and misses together.
        self.assertEqual(stats["cache_hits"] + stats["cache_misses"], 4)
        self.assertGreaterEqual(stats["cache_hits"], 1)

    def test_launcher_and_masquerade_together_do_not_recurse(self):
        self.masquerade_dir()
        self.write("answer.c", SOURCE)
        for _ in range(2):
            result = self.ddcc("gcc", "-c", "answer.c", timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
        result = self.ddcc(os.path.join(self.root, "masquerade", "gcc"), "-c", "answer.c",
                           timeout=60)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.stats()["cache_hits"], 2)

    def test_two_ddcc_installs_masquerading_do_not_run_each_other(self):
        """Each install's gcc on PATH before the real one: as symlinks to binaries named ddcc,
        and as copies named gcc, which no name check can tell from a compiler."""
        self.write("answer.c", SOURCE)
        expected = self.run_cmd(["/usr/bin/gcc", "-c", "answer.c", "-o", "plain.o"])
        self.assertEqual(expected.returncode, 0)
        path = self.env["PATH"]
        for layout in ["symlinks", "copies"]:
            dirs = []
            for install in ["a", "b"]:
                bin_dir = os.path.join(self.root, layout, install)
                os.makedirs(bin_dir)
                if layout == "symlinks":
                    shutil.copy2(DDCC, os.path.join(bin_dir, "ddcc"))
                    os.symlink(os.path.join(bin_dir, "ddcc"), os.path.join(bin_dir, "gcc"))
                else:
                    shutil.copy2(DDCC, os.path.join(bin_dir, "gcc"))
                dirs.append(bin_dir)
            self.env["PATH"] = os.pathsep.join([*dirs, path])
            for argv in [["gcc"], [os.path.join(dirs[1], "gcc")], [DDCC, "gcc"]]:
                with self.subTest(layout=layout, argv=argv):
                    if os.path.exists(os.path.join(self.work, "answer.o")):
                        os.remove(os.path.join(self.work, "answer.o"))
                    result = self.run_cmd([*argv, "-c", "answer.c"], timeout=20)
                    self.assertEqual(result.returncode, 0, result.stderr)
                    self.assertEqual(self.read("answer.o"), self.read("plain.o"))

    def test_ddcc_named_as_the_compiler_is_dropped(self):
        """A launcher in front of CC="ddcc gcc": `ddcc ddcc gcc`, as ccache takes it."""
        self.write("answer.c", SOURCE)
        expected = self.run_cmd(["/usr/bin/gcc", "-c", "answer.c", "-o", "plain.o"])
        self.assertEqual(expected.returncode, 0)
        other = os.path.join(self.root, "other", "ddcc")
        os.makedirs(os.path.dirname(other))
        shutil.copy2(DDCC, other)
        self.env["PATH"] = os.path.dirname(DDCC) + os.pathsep + self.env["PATH"]
        calls = [["ddcc", "gcc"], [DDCC, "gcc"], [other, "gcc"], [DDCC, "ddcc", "gcc"]]
        for prefix in calls:
            with self.subTest(prefix=prefix):
                result = self.ddcc(*prefix, "-c", "answer.c", "-o", "answer.o", timeout=60)
                self.assertEqual(result.returncode, 0, result.stderr)
                self.assertEqual(self.read("answer.o"), self.read("plain.o"))
        stats = self.stats()
        self.assertEqual(stats["cache_hits"] + stats["cache_misses"], len(calls), stats)

    def test_bare_options_use_cc(self):
        self.write("answer.c", SOURCE)
        for _ in range(2):
            result = self.ddcc("-c", "answer.c")
            self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.work, "answer.o")))
        self.assertEqual(self.stats()["cache_hits"], 1)
        plain = self.run_cmd(["cc", "-E", "answer.c"])
        self.assert_same_run(plain, self.ddcc("-E", "answer.c"))

    def test_missing_compiler(self):
        result = self.ddcc("no-such-compiler-xyz", "-c", "a.c")
        self.assertEqual(result.returncode, 127)
        self.assertIn(b"no-such-compiler-xyz", result.stderr)
        # One there that may not be run: 126, as env(1) and the shell exit.
        self.write("cc.sh", "#!/bin/sh\nexit 0\n")
        plain = self.run_cmd(["env", "./cc.sh", "-c", "a.c"])
        result = self.ddcc("./cc.sh", "-c", "a.c")
        self.assertEqual((result.returncode, plain.returncode), (126, 126))
        self.assertIn(b"Permission denied", result.stderr)
        # Found so on PATH only.
        env = dict(self.env, PATH=f"{self.work}:{self.env['PATH']}")
        plain = self.run_cmd(["env", "cc.sh", "-c", "a.c"], env=env)
        result = self.ddcc("cc.sh", "-c", "a.c", env=env)
        self.assertEqual((result.returncode, plain.returncode), (126, 126))

    def test_disable(self):
        self.write("answer.c", SOURCE)
        self.env["DDCC_DISABLE"] = "1"
        for _ in range(2):
            self.assertEqual(self.ddcc("gcc", "-c", "answer.c").returncode, 0)
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (0, 0))


class CommandTest(DdccTestCase):
    def test_sccache_script_commands(self):
        for args in [["--start-server"], ["--show-stats"], ["-s"], ["--zero-stats"], ["-z"],
                     ["--stop-server"], ["--version"], ["--help"]]:
            result = self.ddcc(*args)
            self.assertEqual(result.returncode, 0, (args, result.stderr))
            if "server" in args[0]:  # without remote storage there is no helper: nothing said
                self.assertEqual((result.stdout, result.stderr), (b"", b""))
        self.assertTrue(self.ddcc("--version").stdout.startswith(b"ddcc "))

    def test_sccache_dir_and_size_when_ddcc_unset(self):
        del self.env["DDCC_DIR"]
        sccache_dir = os.path.join(self.root, "sccache-dir")
        self.env["SCCACHE_DIR"] = sccache_dir
        self.env["SCCACHE_CACHE_SIZE"] = "2G"
        self.write("answer.c", SOURCE)
        self.assertEqual(self.ddcc("gcc", "-c", "answer.c").returncode, 0)
        stats = self.stats()
        self.assertEqual(stats["cache_directory"], sccache_dir)
        self.assertEqual(stats["max_size_bytes"], 2 * 1024**3)
        self.assertEqual(stats["files"], 3)  # result, manifest, search path
        self.env["DDCC_DIR"] = self.cache
        self.env["DDCC_MAXSIZE"] = "3G"
        stats = self.stats()
        self.assertEqual((stats["cache_directory"], stats["max_size_bytes"]), (self.cache, 3e9))

    def test_stats_json_and_text(self):
        self.write("answer.c", SOURCE)
        self.ddcc("gcc", "-c", "answer.c")
        self.ddcc("gcc", "-c", "answer.c")
        self.ddcc("gcc", "answer.o", "-o", "lib.so", "-shared")
        stats = self.stats()
        for field in ["cache_hits", "cache_misses", "uncacheable_calls", "errors", "files",
                      "size_bytes", "max_size_bytes"]:
            self.assertIsInstance(stats[field], int, field)
        self.assertEqual((stats["cache_hits"], stats["cache_misses"], stats["uncacheable_calls"],
                          stats["files"]), (1, 1, 1, 3))  # result, manifest, search path
        self.assertGreater(stats["size_bytes"], 0)
        text = self.ddcc("--show-stats").stdout.decode()
        for words in ["Hits:", "Misses:", "Called for linking", self.cache, "Files:"]:
            self.assertIn(words, text)
        self.ddcc("--zero-stats")
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["files"]), (0, 3))
        self.assertEqual(self.ddcc("--evict-older-than", "1d").returncode, 0)
        self.assertEqual(self.stats()["files"], 3)  # used just now
        self.assertEqual(self.ddcc("--evict-older-than", "0s").returncode, 0)
        self.assertEqual((self.stats()["files"], self.stats()["size_bytes"]), (0, 0))
        self.assertNotEqual(self.ddcc("--evict-older-than", "soon").returncode, 0)
        self.ddcc("--clear")
        self.assertEqual(self.stats()["files"], 0)

    def test_max_size_and_show_config(self):
        result = self.ddcc("--max-size", "10G")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.stats()["max_size_bytes"], 10 * 10**9)
        config = self.ddcc("--show-config").stdout.decode()
        self.assertIn(f"({self.cache}/ddcc.conf) max_size = ", config)
        self.assertIn("(DDCC_DIR) cache_dir = " + self.cache, config)
        self.assertIn("(default) compression_level", config)
        self.assertNotEqual(self.ddcc("--max-size", "lots").returncode, 0)


if __name__ == "__main__":
    unittest.main()
