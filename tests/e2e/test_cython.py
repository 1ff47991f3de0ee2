"""A Cython extension built with setuptools through CC="ddcc gcc", twice; the second build from
hits; then imported and called. Also built from two temporary directories, as pip builds a
package (with clang, the second hits even with debug information). Runs under Debian's
/usr/bin/python3 (cython3, python3-dev)."""

import glob
import os
import subprocess
import sys
import tempfile
import time
import unittest

from common import DDCC, DdccTestCase

SETUP = """from setuptools import setup, Extension
from Cython.Build import cythonize
setup(name="fastsum", ext_modules=cythonize([Extension("fastsum", ["fastsum.pyx"])]))
"""
PYX = """def total(int n):
    cdef long s = 0
    cdef int i
    for i in range(n):
        s += i
    return s
"""


class CythonTest(DdccTestCase):
    def build(self, cwd=None, cc=f"{DDCC} gcc", **env):
        env = dict(self.env, CC=cc, **env)
        result = self.run_cmd([sys.executable, "setup.py", "build_ext", "--force", "--inplace"],
                              cwd=cwd, env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def pip_like_build(self, **env):
        """Builds in a new directory named as pip names them; returns the directory and the
        object's DW_AT_comp_dir."""
        return self.pip_like_build_in(tempfile.mkdtemp(prefix="pip-req-build-", dir=self.root),
                                      **env)

    def pip_like_build_in(self, tree, **env):
        os.makedirs(tree, exist_ok=True)
        for name, text in (("setup.py", SETUP), ("fastsum.pyx", PYX)):
            with open(os.path.join(tree, name), "w") as f:
                f.write(text)
        self.last_write = time.monotonic()
        self.settle()
        self.build(cwd=tree, **env)
        dwarf = self.run_cmd(["objdump", "--dwarf=info", self.object(tree)]).stdout.decode()
        return tree, "\n".join(line for line in dwarf.splitlines() if "DW_AT_comp_dir" in line)

    def object(self, tree):
        [obj] = glob.glob(os.path.join(tree, "build", "temp*", "fastsum.o"))
        return obj

    def hits_and_misses(self):
        stats = self.stats()
        return stats["cache_hits"], stats["cache_misses"]

    def test_build_twice_and_import(self):
        self.write("setup.py", SETUP)
        self.write("fastsum.pyx", PYX)
        self.build()
        first = self.stats()
        self.assertEqual((first["cache_misses"], first["cache_hits"]), (1, 0))
        self.assertGreaterEqual(first["uncacheable_reasons"]["called_for_link"], 1)
        self.build()
        second = self.stats()
        self.assertEqual((second["cache_misses"], second["cache_hits"]), (1, 1))
        called = subprocess.run([sys.executable, "-c", "import fastsum; print(fastsum.total(10))"],
                                cwd=self.work, capture_output=True)
        self.assertEqual(called.stdout, b"45\n", called.stderr)

    def test_pip_like_builds_with_debug_info_name_their_own_directory(self):
        # Debian's Python compiles extensions with -g: the object names the build directory.
        for _ in range(2):
            tree, comp_dir = self.pip_like_build(DDCC_BASEDIR=self.root)
            self.assertTrue(comp_dir.endswith(" " + tree), comp_dir)
        self.assertEqual(self.hits_and_misses(), (0, 2))

    def test_pip_like_builds_with_debug_info_and_clang_hit(self):
        # clang's object moves to a directory whose name is as long (docs/paths.md).
        for _ in range(2):
            tree, comp_dir = self.pip_like_build(cc=f"{DDCC} clang")
            self.assertTrue(comp_dir.endswith(" " + tree), comp_dir)
        self.assertEqual(self.hits_and_misses(), (1, 1))
        with open(self.object(tree), "rb") as f:
            served = f.read()
        self.build(cwd=tree, cc="clang")
        with open(self.object(tree), "rb") as f:
            self.assertEqual(served, f.read())

    def test_pip_like_builds_without_debug_info_hit(self):
        for _ in range(2):
            self.pip_like_build(DDCC_BASEDIR=self.root, CFLAGS="-g0")
        self.assertEqual(self.hits_and_misses(), (1, 1))

    def test_pip_like_builds_with_a_prefix_map_hit(self):
        for _ in range(2):
            tree = tempfile.mkdtemp(prefix="pip-req-build-", dir=self.root)
            os.rmdir(tree)
            _, comp_dir = self.pip_like_build_in(tree, DDCC_BASEDIR=self.root,
                                                 CFLAGS=f"-ffile-prefix-map={tree}=.")
            self.assertTrue(comp_dir.endswith(" ."), comp_dir)
        self.assertEqual(self.hits_and_misses(), (1, 1),
                         "\n".join(l for l in self.log().splitlines() if "not stored" in l))


if __name__ == "__main__":
    unittest.main()
