"""Installing ddcc: cmake --install lays out the binary, the masquerading links, the man page, bash
completion and the docs, and the links work; CPack's .deb installs into a scratch root with
dpkg and uninstalls leaving nothing behind."""

import os
import re
import shutil
import subprocess
import unittest

from common import DDCC, DdccTestCase

BUILD_DIR = os.path.dirname(os.path.abspath(DDCC))
SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MASQUERADE = ["gcc", "g++", "cc", "c++", "clang", "clang++"]


def help_commands():
    """The long options ddcc's usage lists."""
    usage = subprocess.run([DDCC, "--help"], capture_output=True, text=True).stdout
    return sorted(set(re.findall(r"(--[a-z][a-z-]+)", usage)))


class InstallTest(DdccTestCase):
    def test_cmake_install_lays_everything_out_and_the_links_cache(self):
        prefix = os.path.join(self.root, "prefix")
        installed = self.run_cmd(["cmake", "--install", BUILD_DIR, "--prefix", prefix])
        self.assertEqual(installed.returncode, 0, installed.stderr)
        ddcc = os.path.join(prefix, "bin", "ddcc")
        for name in MASQUERADE:
            link = os.path.join(prefix, "lib", "ddcc", name)
            self.assertTrue(os.path.islink(link), link)
            self.assertEqual(os.path.realpath(link), os.path.realpath(ddcc))
        for path in ("share/man/man1/ddcc.1", "share/bash-completion/completions/ddcc",
                     "share/doc/ddcc/README.md", "share/doc/ddcc/configuration.md"):
            self.assertTrue(os.path.isfile(os.path.join(prefix, path)), path)

        # Masquerading: the links first on PATH, a build's plain gcc and clang go through ddcc.
        self.write("a.c", "int a(void) { return 1; }\n")
        self.settle()
        env = dict(self.env, PATH=os.path.join(prefix, "lib", "ddcc") + ":" + self.env["PATH"])
        for _ in range(2):
            for compiler in ("gcc", "clang"):
                result = self.run_cmd([compiler, "-c", "a.c", "-o", "a.o"], env=env)
                self.assertEqual(result.returncode, 0, result.stderr)
        stats = self.stats()
        self.assertEqual((stats["direct_hits"], stats["cache_misses"]), (2, 2))

    def test_the_man_page_and_completion_know_every_command(self):
        with open(os.path.join(SOURCE_DIR, "docs", "ddcc.1")) as f:
            man = f.read().replace("\\-", "-")
        with open(os.path.join(SOURCE_DIR, "scripts", "ddcc.bash-completion")) as f:
            completion = f.read()
        commands = help_commands()
        self.assertIn("--show-stats", commands)
        for command in commands:
            self.assertIn(command, man)
            self.assertIn(command, completion)
        if shutil.which("groff"):
            checked = self.run_cmd(["groff", "-man", "-Tutf8", "-ww", "-z",
                                    os.path.join(SOURCE_DIR, "docs", "ddcc.1")])
            self.assertEqual((checked.returncode, checked.stderr), (0, b""))
        # The completion offers the commands for the first word.
        script = (f"source {os.path.join(SOURCE_DIR, 'scripts', 'ddcc.bash-completion')}; "
                  "COMP_WORDS=(ddcc --show); COMP_CWORD=1; _ddcc; echo ${COMPREPLY[@]}")
        offered = self.run_cmd(["bash", "-c", script])
        self.assertEqual(offered.stdout.split(), [b"--show-stats", b"--show-config"])

    @unittest.skipUnless(shutil.which("dpkg") and shutil.which("cpack"), "no dpkg or cpack")
    def test_the_deb_installs_and_uninstalls_cleanly(self):
        packages = os.path.join(self.root, "packages")
        made = self.run_cmd(["cpack", "--config", os.path.join(BUILD_DIR, "CPackConfig.cmake"),
                             "-B", packages])
        self.assertEqual(made.returncode, 0, made.stdout + made.stderr)
        debs = [name for name in os.listdir(packages) if name.endswith(".deb")]
        self.assertEqual(len(debs), 1, debs)
        deb = os.path.join(packages, debs[0])

        # A scratch root with an empty dpkg database: the real system is left alone.
        root = os.path.join(self.root, "scratch")
        admin = os.path.join(root, "var", "lib", "dpkg")
        for sub in ("info", "updates", "triggers"):
            os.makedirs(os.path.join(admin, sub))
        open(os.path.join(admin, "status"), "w").close()
        dpkg = ["dpkg", f"--root={root}", "--force-not-root", "--force-depends",
                "--force-script-chrootless", f"--log={os.path.join(self.root, 'dpkg.log')}"]
        result = self.run_cmd([*dpkg, "-i", deb])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        ddcc = os.path.join(root, "usr", "bin", "ddcc")
        version = self.run_cmd([ddcc, "--version"])
        self.assertEqual(version.returncode, 0, version.stderr)
        self.assertIn(b"ddcc", version.stdout)
        for name in MASQUERADE:
            link = os.path.join(root, "usr", "lib", "ddcc", name)
            self.assertEqual(os.readlink(link), "../../bin/ddcc")
        self.assertTrue(os.path.isfile(os.path.join(root, "usr/share/man/man1/ddcc.1")))

        result = self.run_cmd([*dpkg, "--purge", "ddcc"])
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        left = [os.path.join(d, f) for d, _, files in os.walk(os.path.join(root, "usr"))
                for f in files]
        self.assertEqual(left, [])
        self.assertFalse(os.path.exists(os.path.join(root, "usr", "lib", "ddcc")))


if __name__ == "__main__":
    unittest.main()
