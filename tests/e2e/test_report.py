"""ddcc --report: which compiles of the last build missed, and why. A setuptools project of two C
extensions and a Cython one, built with CC="ddcc gcc" (as pip and setup.py builds run), then
rebuilt after one header was edited and one source only touched; a CMake project's targets; the
trace file; a damaged journal; and --explain across directories. Runs under Debian's
/usr/bin/python3 (cython3, python3-dev)."""

import glob
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from common import DDCC, DdccTestCase
from test_cython import PYX

SETUP = """from setuptools import setup, Extension
from Cython.Build import cythonize
setup(name="shapes", ext_modules=[
    Extension("area", ["src/area.c"], include_dirs=["include"]),
    Extension("volume", ["src/volume.c"], include_dirs=["include"]),
] + cythonize([Extension("fastsum", ["src/fastsum.pyx"])]))
"""
MODULE = """#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "{header}"
static PyObject *value(PyObject *self, PyObject *args) {{ return PyLong_FromLong({macro}); }}
static PyMethodDef methods[] = {{{{"value", value, METH_NOARGS, NULL}}, {{NULL, NULL, 0, NULL}}}};
static struct PyModuleDef module = {{PyModuleDef_HEAD_INIT, "{name}", NULL, -1, methods}};
PyMODINIT_FUNC PyInit_{name}(void) {{ return PyModule_Create(&module); }}
"""


class ReportTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("setup.py", SETUP)
        self.write("include/area.h", "#define SIDE 3\n")
        self.write("include/volume.h", "#define DEPTH 4\n")
        self.write("src/area.c", MODULE.format(header="area.h", macro="SIDE * SIDE", name="area"))
        self.write("src/volume.c", MODULE.format(header="volume.h", macro="DEPTH", name="volume"))
        self.write("src/fastsum.pyx", PYX)

    def build(self, **env):
        self.settle()
        env = dict(self.env, CC=f"{DDCC} gcc", **env)
        result = self.run_cmd([sys.executable, "setup.py", "build_ext", "--force"], env=env)
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)

    def report(self, *args, env=None):
        result = self.run_cmd([DDCC, "--report", *args], env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.decode()

    def warm_build_after_edit_and_touch(self):
        self.build()
        self.assertEqual(self.run_cmd([DDCC, "--zero-stats"]).returncode, 0)
        self.write("include/volume.h", "#define DEPTH 5\n")
        os.utime(os.path.join(self.work, "src/area.c"))
        self.build()

    def test_lists_exactly_the_misses_with_their_reasons_and_traces_them(self):
        self.warm_build_after_edit_and_touch()
        report = json.loads(self.report("--json"))
        self.assertIn("--zero-stats", report["rule"])
        self.assertEqual((report["direct_hits"], report["misses"]), (2, 1), report)
        misses = [call for call in report["listed"] if call["kind"] == "miss"]
        self.assertEqual([os.path.basename(call["object"]) for call in misses], ["volume.o"])
        [miss] = misses
        self.assertIn("include/volume.h changed content", miss["reason"])
        self.assertTrue(miss["target"].startswith("linked into "), miss)
        self.assertIn("volume.cpython", miss["target"])
        self.assertEqual(miss["cwd"], self.work)
        # The links went through ddcc too: listed, not cached, with why.
        links = [call for call in report["listed"] if call["kind"] == "not cached"]
        self.assertEqual(len(links), 3, report["listed"])
        for link in links:
            self.assertIn("called_for_link", link["reason"])
        seconds = [call["seconds"] for call in report["listed"]]
        self.assertEqual(seconds, sorted(seconds, reverse=True))

        text = self.report()
        self.assertIn("misses:                 1", text)
        self.assertIn("volume.o: include/volume.h changed content", text)
        self.assertNotIn("area.o:", text)

        # The same build as a trace: one event per call, misses and hits coloured apart.
        trace = os.path.join(self.root, "build.json")
        self.report("--trace", trace)
        with open(trace) as f:
            events = json.load(f)["traceEvents"]
        self.assertEqual(len(events), report["calls"])
        for event in events:
            self.assertEqual(event["ph"], "X")
            self.assertGreaterEqual(event["ts"], 0)
            self.assertGreater(event["dur"], 0)
            self.assertIsInstance(event["tid"], int)
        colours = {event["name"]: event["cname"] for event in events}
        self.assertEqual(colours["volume.o"], "terrible")
        self.assertEqual(colours["area.o"], "good")

    def test_first_build_reports_first_compiles_slowest_first(self):
        self.build()
        report = json.loads(self.report("--json"))
        self.assertEqual(report["misses"], 3, report)
        misses = [call for call in report["listed"] if call["kind"] == "miss"]
        self.assertEqual(len(misses), 3)
        for call in misses:
            self.assertIn("first compile", call["reason"])
        self.assertEqual([c["seconds"] for c in misses],
                         sorted((c["seconds"] for c in misses), reverse=True))

    def test_build_id_picks_the_calls(self):
        self.build(DDCC_BUILD_ID="first")
        self.build(DDCC_BUILD_ID="second")
        first = json.loads(self.report("--json", env=dict(self.env, DDCC_BUILD_ID="first")))
        self.assertIn("DDCC_BUILD_ID=first", first["rule"])
        self.assertEqual((first["misses"], first["direct_hits"]), (3, 0))
        second = json.loads(self.report("--json", env=dict(self.env, DDCC_BUILD_ID="second")))
        self.assertEqual((second["misses"], second["direct_hits"]), (0, 3))

    def test_a_damaged_journal_leaves_the_rest_readable(self):
        self.build()
        journal = os.path.join(self.cache, "journal")
        with open(journal, "rb") as f:
            data = f.read()
        self.assertIn(b"ddj1", data)
        # A record torn as a process killed amid its write would leave it (its frame promises
        # more than follows), then garbage.
        with open(journal, "ab") as f:
            f.write(b"ddj1" + os.urandom(16) + (600).to_bytes(4, "little") + os.urandom(100))
            f.write(os.urandom(200))
        self.build()
        report = json.loads(self.report("--json", "--since", "1h"))
        self.assertEqual(report["misses"] + report["direct_hits"], 6, report)

    def test_a_killed_ddcc_leaves_a_readable_journal(self):
        self.build()
        env = dict(self.env, CC=f"{DDCC} gcc")
        for delay in (0.3, 0.7):
            # The whole build, ddcc amid its work included.
            process = subprocess.Popen([sys.executable, "setup.py", "build_ext", "--force"],
                                       cwd=self.work, env=env, start_new_session=True,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(delay)
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        report = json.loads(self.report("--json", "--since", "1h"))
        self.assertGreaterEqual(report["misses"], 3)


class ReportCMakeTest(DdccTestCase):
    def test_groups_by_cmake_target(self):
        self.write("CMakeLists.txt", """cmake_minimum_required(VERSION 3.13)
project(sample C)
add_library(core STATIC src/a.c src/b.c)
add_library(core_shared_with_a_longer_name SHARED src/a.c)
""")
        self.write("src/a.c", "int a(void) { return 1; }\n")
        self.write("src/b.c", "int b(void) { return 2; }\n")
        build = os.path.join(self.root, "build")
        for argv in [["cmake", "-S", self.work, "-B", build, "-G", "Ninja",
                      f"-DCMAKE_C_COMPILER_LAUNCHER={DDCC}"], ["cmake", "--build", build]]:
            result = self.run_cmd(argv)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        report = json.loads(self.run_cmd([DDCC, "--report", "--json"]).stdout)
        targets = sorted(call["target"].split(" (")[0] for call in report["listed"]
                         if call["kind"] == "miss")
        self.assertEqual(targets, ["CMake target core", "CMake target core",
                                   "CMake target core_shared_with_a_longer_name"])


class ExplainElsewhereTest(DdccTestCase):
    def test_pip_like_second_copy_with_debug_info_names_the_directory(self):
        trees = []
        for _ in range(2):
            tree = tempfile.mkdtemp(prefix="pip-req-build-", dir=self.root)
            for name, text in (("setup.py", 'from setuptools import setup, Extension\n'
                                'setup(name="m", ext_modules=[Extension("m", ["m.c"])])\n'),
                               ("m.c", MODULE.format(header="stddef.h", macro="7", name="m"))):
                with open(os.path.join(tree, name), "w") as f:
                    f.write(text)
            env = dict(self.env, CC=f"{DDCC} gcc")  # Debian's Python adds -g
            result = self.run_cmd([sys.executable, "setup.py", "build_ext"], cwd=tree, env=env)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
            trees.append(tree)
        [obj] = glob.glob(os.path.join(trees[1], "build", "temp*", "m.o"))
        explained = self.run_cmd([DDCC, "--explain", obj]).stdout.decode()
        self.assertIn("same source in another directory", explained)
        self.assertIn(f"working directory changed: {trees[0]} -> {trees[1]}", explained)
        self.assertIn("because debug information (-g) names it", explained)
        report = json.loads(self.run_cmd([DDCC, "--report", "--json"]).stdout)
        [second] = [call for call in report["listed"] if call["object"] == obj]
        self.assertIn("another working directory", second["reason"])


if __name__ == "__main__":
    unittest.main()
