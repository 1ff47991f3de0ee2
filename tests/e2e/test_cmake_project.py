"""A small CMake project built with CMAKE_C(XX)_COMPILER_LAUNCHER=ddcc: built, deleted, rebuilt
from hits, and every object compared with a build without ddcc."""

import os
import re
import shutil
import unittest

from common import DDCC, DdccTestCase

FILES = {
    "CMakeLists.txt": """cmake_minimum_required(VERSION 3.13)
project(sample C CXX)
add_library(shapes STATIC src/area.c src/perimeter.c)
target_include_directories(shapes PUBLIC include)
add_library(shapes_shared SHARED src/area.c src/perimeter.c)
target_include_directories(shapes_shared PUBLIC include)
add_executable(report src/report.cpp)
target_link_libraries(report shapes)
""",
    "include/shapes.h": """#pragma once
#ifdef __cplusplus
extern "C" {
#endif
double area(double w, double h);
double perimeter(double w, double h);
#ifdef __cplusplus
}
#endif
""",
    "src/area.c": '#include "shapes.h"\ndouble area(double w, double h) { return w * h; }\n',
    "src/perimeter.c":
        '#include "shapes.h"\ndouble perimeter(double w, double h) { return 2 * (w + h); }\n',
    "src/report.cpp": """#include <iostream>
#include "shapes.h"
int main() { std::cout << area(2, 3) << " " << perimeter(2, 3) << "\\n"; }
""",
}


def objects(build_dir):
    found = {}
    for directory, _, files in os.walk(build_dir):
        for name in files:
            if name.endswith(".o"):
                path = os.path.join(directory, name)
                with open(path, "rb") as f:
                    found[os.path.relpath(path, build_dir)] = f.read()
    return found


class CMakeProjectTest(DdccTestCase):
    def build(self, build_dir, launcher, source_dir=None):
        configure = ["cmake", "-S", source_dir or self.work, "-B", build_dir, "-G", "Ninja",
                     "-DCMAKE_BUILD_TYPE=Release"]
        if launcher:
            configure += [f"-DCMAKE_C_COMPILER_LAUNCHER={DDCC}",
                          f"-DCMAKE_CXX_COMPILER_LAUNCHER={DDCC}"]
        for argv in [configure, ["cmake", "--build", build_dir]]:
            result = self.run_cmd(argv)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        report = self.run_cmd([os.path.join(build_dir, "report")])
        self.assertEqual(report.stdout, b"6 10\n")
        return objects(build_dir)

    def test_build_delete_rebuild(self):
        for name, text in FILES.items():
            self.write(name, text)
        build_dir = os.path.join(self.root, "build")
        plain = self.build(os.path.join(self.root, "plain"), launcher=False)
        first = self.build(build_dir, launcher=True)
        self.assertEqual(first, plain)
        misses = self.stats()["cache_misses"]
        self.assertGreaterEqual(misses, 4)

        shutil.rmtree(build_dir)
        self.run_cmd([DDCC, "--zero-stats"])
        second = self.build(build_dir, launcher=True)
        self.assertEqual(second, plain)
        stats = self.stats()
        self.assertEqual(stats["cache_misses"], 0)
        self.assertEqual(stats["cache_hits"], len(plain))

    def test_second_checkout_hits(self):
        """A second checkout at a path of another length, with the checkouts' parent as base
        directory: every compile hits, and Ninja records the dependencies a build without ddcc
        records (CMake passes absolute paths and -MD; Ninja reads the files and deletes them)."""
        self.env["DDCC_BASEDIR"] = self.root
        checkouts = [os.path.join(self.root, name) for name in ("a", "second-checkout")]
        for name, text in FILES.items():
            self.write(os.path.join(checkouts[0], name), text)
        shutil.copytree(checkouts[0], checkouts[1])
        self.build(os.path.join(checkouts[0], "build"), launcher=True, source_dir=checkouts[0])
        compiles = self.stats()["cache_misses"]
        self.run_cmd([DDCC, "--zero-stats"])
        build_dir = os.path.join(checkouts[1], "build")
        plain_dir = os.path.join(checkouts[1], "plain")
        cached = self.build(build_dir, launcher=True, source_dir=checkouts[1])
        self.assertEqual(cached, self.build(plain_dir, launcher=False, source_dir=checkouts[1]))
        stats = self.stats()
        self.assertEqual((stats["cache_hits"], stats["cache_misses"]), (compiles, 0))
        deps = [self.run_cmd(["ninja", "-C", d, "-t", "deps"]).stdout for d in (build_dir, plain_dir)]
        self.assertIn(f"{checkouts[1]}/include/shapes.h".encode(), deps[0])
        # Ninja lists the targets in build order and notes mtimes, which differ between builds.
        records = [sorted(re.sub(rb"#deps \d+, deps mtime \d+", b"", text).split(b"\n\n"))
                   for text in deps]
        self.assertEqual(records[0], records[1])


if __name__ == "__main__":
    unittest.main()
