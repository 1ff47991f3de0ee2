"""A cache shared by several users: DDCC_UMASK makes what ddcc creates in the cache group
writable while the build's outputs keep the user's umask, and ddcc never follows a symlink
planted in the cache directory out of it."""

import json
import os
import shutil
import stat
import unittest

from common import DDCC, DdccTestCase

SOURCE = "int f%d(int x) { return x * %d; }\n"


class SharingTest(DdccTestCase):
    def compile_all(self, count, env=None):
        for i in range(count):
            self.write(f"s{i}.c", SOURCE % (i, i))
            result = self.ddcc("gcc", "-MD", "-c", f"s{i}.c", env=env)
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_umask_makes_the_cache_group_writable(self):
        old_umask = os.umask(0o022)
        try:
            env = dict(self.env, DDCC_UMASK="002", DDCC_COMPILERCHECK="content")
            self.assertEqual(self.ddcc("--max-size", "1G", env=env).returncode, 0)
            self.compile_all(4, env)
            self.compile_all(4, env)  # hits
            self.assertEqual(self.stats(env)["cache_hits"], 4)
            plain = self.run_cmd(["gcc", "-MD", "-c", "s0.c", "-o", "plain.o"])
            self.assertEqual(plain.returncode, 0)
        finally:
            os.umask(old_umask)
        made = [(d, True) for d, _, _ in os.walk(self.cache)]
        made += [(os.path.join(d, name), False) for d, _, names in os.walk(self.cache)
                 for name in names]
        self.assertGreater(len(made), 20)
        for path, is_dir in made:
            want = 0o070 if is_dir else 0o060
            self.assertEqual(os.stat(path).st_mode & want, want, path)
        # The build's files keep the user's umask, as the compiler alone would make them.
        plain_mode = stat.S_IMODE(os.stat(os.path.join(self.work, "plain.o")).st_mode)
        for name in ["s0.o", "s0.d"]:
            self.assertEqual(stat.S_IMODE(os.stat(os.path.join(self.work, name)).st_mode),
                             plain_mode, name)

    @unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"),
                         "needs root to read the cache as another user")
    def test_statistics_of_a_cache_another_user_may_only_read_are_shown_not_zeroed(self):
        self.compile_all(3)
        self.compile_all(3)  # hits
        os.chmod(self.root, 0o755)  # the cache below it is readable by all, writable by root
        as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
        if self.run_cmd([*as_nobody, DDCC, "--version"]).returncode != 0:
            self.skipTest("nobody may not run this ddcc (a checkout below a private directory)")
        reader = self.run_cmd([*as_nobody, DDCC, "--show-stats", "--json"])
        self.assertEqual(reader.returncode, 0, reader.stderr)
        shown = json.loads(reader.stdout)
        owner = self.stats()
        for name in ["cache_hits", "cache_misses", "files", "size_bytes"]:
            self.assertEqual(shown[name], owner[name], name)
        self.assertEqual(shown["cache_hits"], 3)
        # Zeroing them says it cannot, and zeroes nothing.
        zeroing = self.run_cmd([*as_nobody, DDCC, "--zero-stats"])
        self.assertEqual((zeroing.returncode, zeroing.stdout), (1, b""))
        self.assertIn(b"cannot be written", zeroing.stderr)
        self.assertEqual(self.stats()["cache_hits"], 3)

    def test_commands_that_create_the_cache_use_its_umask(self):
        self.write("answer.c", SOURCE % (1, 1))
        # A compile whose configuration is bad counts in no counters it would have to create.
        bad_config = ["gcc", "-c", "answer.c", "-DMAXSIZE"]
        commands = [["--zero-stats"], ["--show-stats"], ["--cleanup"], ["--clear"],
                    ["--evict-older-than", "0s"], ["--max-size", "1G"], bad_config]
        old_umask = os.umask(0o022)
        try:
            for command in commands:
                cache = os.path.join(self.root, "cache-" + command[0].strip("-"))
                env = dict(self.env, DDCC_DIR=cache, DDCC_UMASK="002")
                if command is bad_config:
                    env["DDCC_MAXSIZE"] = "lots"
                    os.makedirs(cache, mode=0o775)
                    os.chmod(cache, 0o775)
                self.assertEqual(self.ddcc(*command, env=env).returncode, 0, command)
                self.assertTrue(os.path.isdir(cache), command)
                for d, _, names in os.walk(cache):
                    self.assertEqual(stat.S_IMODE(os.stat(d).st_mode), 0o775, (command, d))
                    for name in names:
                        path = os.path.join(d, name)
                        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o664,
                                         (command, path))
        finally:
            os.umask(old_umask)

    def test_shard_and_memo_directories_linked_elsewhere_are_not_followed(self):
        outside = os.path.join(self.root, "outside")
        os.makedirs(self.cache)
        for digit in "0123456789abcdef":
            os.makedirs(os.path.join(outside, digit, "0"))
            with open(os.path.join(outside, digit, "0", "0" * 32 + ".e"), "wb") as f:
                f.write(b"not an entry")
            os.symlink(os.path.join(outside, digit), os.path.join(self.cache, digit))
        os.makedirs(os.path.join(outside, "compilers"))
        os.symlink(os.path.join(outside, "compilers"), os.path.join(self.cache, "compilers"))
        before = sorted(os.walk(outside))
        self.compile_all(4, dict(self.env, DDCC_MAXSIZE="1k", DDCC_COMPILERCHECK="content"))
        self.write("s0.c", SOURCE % (0, 0))
        plain = self.run_cmd(["gcc", "-MD", "-c", "s0.c", "-o", "plain.o"])
        self.assertEqual(plain.returncode, 0)
        self.assertEqual(self.read("s0.o"), self.read("plain.o"))
        self.ddcc("--cleanup")
        self.ddcc("--evict-older-than", "0s")
        self.ddcc("--clear")
        self.assertEqual(sorted(os.walk(outside)), before)
        stats = self.stats()
        self.assertEqual(stats["cache_misses"], 4, stats)
        self.assertGreater(stats["error_reasons"]["cache_write_failed"], 0, stats)


if __name__ == "__main__":
    unittest.main()
