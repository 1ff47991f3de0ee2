"""A PyO3 extension built by setuptools-rust through a setup.py that chooses its cache the
DD_USE_SCCACHE way (DD_USE_SCCACHE=1, SCCACHE holding the launcher's path: the script puts that
path in RUSTC_WRAPPER and in front of CC, as dd-trace-py's does), given ddcc's path: built
twice, cleaned between, the second build's library crates (pyo3 and its dependencies) and the C
its build script compiles with the cc crate all hits; the extension (a cdylib, linked, which ddcc
does not cache) imports and works, and is byte for byte the first build's. Uses Debian's
/usr/bin/python3 (python3-setuptools-rust, python3-dev), rustc and cargo, offline, with Debian's
vendored crates (librust-pyo3-dev, librust-cc-dev in /usr/share/cargo/registry)."""

import glob
import os
import pathlib
import shutil
import subprocess
import unittest

from common import DDCC, DdccTestCase

PYTHON = "/usr/bin/python3"
RUSTC = "/usr/bin/rustc"
CARGO = "/usr/bin/cargo"
REGISTRY = "/usr/share/cargo/registry"

# What a real script does with the variables (dd-trace-py's setup.py, interpose_sccache): the
# launcher's own path as RUSTC_WRAPPER, and in front of the C compiler found on PATH.
SETUP = """import os
import shutil
from pathlib import Path
from setuptools import setup
from setuptools_rust import Binding, RustExtension

if os.getenv("DD_USE_SCCACHE", "0").lower() in ("1", "yes", "on", "true"):
    sccache = Path(os.getenv("SCCACHE") or shutil.which("sccache"))
    if sccache.is_file() and os.access(sccache, os.X_OK):
        os.environ["RUSTC_WRAPPER"] = str(sccache.resolve())
        cc = shutil.which(os.getenv("CC", "") or "cc")
        os.environ["CC"] = f"{sccache} {cc}"

# packages=[]: no package discovery, so --inplace puts the module here, not in src/.
setup(name="adder", version="0.1.0", packages=[], zip_safe=False,
      rust_extensions=[RustExtension("adder", binding=Binding.PyO3)])
"""

FILES = {
    "setup.py": SETUP,
    "Cargo.toml": ('[package]\nname = "adder"\nversion = "0.1.0"\nedition = "2021"\n'
                   '[lib]\ncrate-type = ["cdylib"]\n'
                   '[dependencies]\npyo3 = { version = "0.17", features = ["extension-module"] }\n'
                   '[build-dependencies]\ncc = "1"\n'),
    ".cargo/config.toml": (
        '[source.crates-io]\nreplace-with = "debian"\n'
        f'[source.debian]\ndirectory = "{REGISTRY}"\n[net]\noffline = true\n'),
    "build.rs": 'fn main() { cc::Build::new().file("native.c").compile("native"); }\n',
    "native.c": "long native_add(long a, long b) { return a + b; }\n",
    "src/lib.rs": """use pyo3::prelude::*;

extern "C" {
    fn native_add(a: i64, b: i64) -> i64;
}

#[pyfunction]
fn add(a: i64, b: i64) -> i64 {
    unsafe { native_add(a, b) }
}

#[pymodule]
fn adder(_py: Python<'_>, m: &PyModule) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(add, m)?)?;
    Ok(())
}
""",
}

def setuptools_rust_installed():
    found = subprocess.run([PYTHON, "-c", "import setuptools_rust"], capture_output=True) \
        if os.path.exists(PYTHON) else None
    return found is not None and found.returncode == 0


@unittest.skipUnless(os.path.exists(CARGO) and glob.glob(f"{REGISTRY}/pyo3-0.*")
                     and glob.glob(f"{REGISTRY}/cc-1.*") and setuptools_rust_installed(),
                     "needs Debian's cargo, librust-pyo3-dev, librust-cc-dev, "
                     "python3-setuptools-rust and python3-dev")
class PyO3Test(DdccTestCase):
    def setUp(self):
        super().setUp()
        for name, text in FILES.items():
            self.write(name, text)
        # Debian's toolchain first (a rustup rustc may come earlier); the crate itself builds
        # incrementally by default, which no cache can serve (docs/rust.md). The script, not the
        # caller, puts the cache in front of rustc and cc.
        self.env.update(PATH="/usr/bin:" + self.env["PATH"], RUSTC=RUSTC, CARGO_INCREMENTAL="0",
                        DD_USE_SCCACHE="1", SCCACHE=DDCC)
        for name in ("RUSTC_WRAPPER", "CC", "CARGO_TARGET_DIR", "RUSTFLAGS", "CFLAGS"):
            self.env.pop(name, None)

    def build(self):
        """setuptools-rust's in-place build: cargo under target/, the module beside setup.py."""
        self.settle()
        result = self.run_cmd([PYTHON, "setup.py", "build_ext", "--inplace"])
        self.assertEqual(result.returncode, 0, (result.stdout + result.stderr).decode())

    def clean(self):
        for name in ("target", "build"):
            shutil.rmtree(os.path.join(self.work, name), ignore_errors=True)
        os.remove(self.extension())

    def extension(self):
        [path] = glob.glob(os.path.join(self.work, "adder*.so"))
        return path

    def call(self):
        """The module imported by Debian's Python, in a process of its own."""
        result = self.run_cmd([PYTHON, "-c", "import adder; print(adder.add(2, 40))"])
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        return result.stdout

    def library_crates(self):
        """The rlibs cargo built (pyo3, its dependencies, the cc crate), by crate name."""
        rlibs = glob.glob(os.path.join(self.work, "target/debug/deps/lib*.rlib"))
        return {os.path.basename(p)[3:].rsplit("-", 1)[0]: p for p in rlibs}

    def not_hit(self):
        """The library crates whose last compile ddcc does not say was a hit."""
        missed = set()
        for crate, rlib in self.library_crates().items():
            explained = self.run_cmd([DDCC, "--explain", rlib]).stdout.decode()
            # "Last compile of <rlib>: hit (direct): ..."
            if f"{rlib}: hit (" not in explained.partition("\n")[0]:
                missed.add(crate)
        return missed

    def languages(self):
        return self.stats()["languages"]

    def test_a_second_build_hits_every_library_crate_and_the_c(self):
        self.build()
        self.assertEqual(self.call(), b"42\n")
        first_module = pathlib.Path(self.extension()).read_bytes()
        crates = self.library_crates()
        self.assertIn("pyo3", crates)
        # Every library crate: smallvec, scopeguard and autocfg name themselves in `extern crate`
        # in doc comments, which are not code.
        cached = len(crates)
        first = self.languages()
        self.assertEqual(first["rust"], {"direct_hits": 0, "preprocessed_hits": 0,
                                         "cache_misses": cached})
        self.assertEqual(first["c"], {"direct_hits": 0, "preprocessed_hits": 0,
                                      "cache_misses": 1})  # build.rs's native.c

        self.clean()
        self.build()
        second = self.languages()
        # Direct hits: the first build's manifests spare the dep-info passes. No new misses.
        self.assertEqual(second["rust"], {"direct_hits": cached, "preprocessed_hits": 0,
                                          "cache_misses": cached})
        self.assertEqual(second["c"], {"direct_hits": 1, "preprocessed_hits": 0,
                                       "cache_misses": 1})
        self.assertEqual(self.not_hit(), set())
        # The extension itself is linked each time (a cdylib is not cached), from the served
        # rlibs and native.o: the same module as the first build's, and it works.
        self.assertIn("not cacheable (called_for_link): --crate-type cdylib", self.log())
        self.assertEqual(pathlib.Path(self.extension()).read_bytes(), first_module)
        self.assertEqual(self.call(), b"42\n")


if __name__ == "__main__":
    unittest.main()
