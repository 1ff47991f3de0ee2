"""A Cython extension built with setuptools through CC="ddcc gcc", twice; the second build from
hits; then imported and called. Runs under Debian's /usr/bin/python3 (cython3, python3-dev)."""

import os
import subprocess
import sys
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
    def build(self):
        env = dict(self.env, CC=f"{DDCC} gcc")
        result = self.run_cmd([sys.executable, "setup.py", "build_ext", "--force", "--inplace"],
                              env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

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


if __name__ == "__main__":
    unittest.main()
