"""Generates the sources of the Python-extension and per-hit latency scenarios, deterministically:
a setuptools project with several Cython modules and one C++ extension module, and a small and a
large single-file C program."""

import os
import random
import time

from genproject import write

PYX_TEMPLATE = """# cython: language_level=3
from libc.math cimport sqrt
from libc.stdlib cimport malloc, free

cdef class Accumulator{n}:
    cdef double total
    cdef long count
    cdef list history

    def __init__(self):
        self.total = 0.0
        self.count = 0
        self.history = []

    cpdef add(self, double value):
        self.total += value
        self.count += 1
        self.history.append(value)

    def mean(self):
        return self.total / self.count if self.count else 0.0

    def spread(self):
        cdef double m = self.mean()
        cdef double acc = 0.0
        for v in self.history:
            acc += (v - m) * (v - m)
        return sqrt(acc / self.count) if self.count else 0.0


cdef int[:] primes_view{n}(int limit):
    cdef int* sieve = <int*>malloc(limit * sizeof(int))
    cdef int i, j
    try:
        for i in range(limit):
            sieve[i] = 1
        for i in range(2, limit):
            if sieve[i]:
                for j in range(i * i, limit, i):
                    sieve[j] = 0
        return memoryview(bytearray(b"%d" % sum(sieve[k] for k in range(limit)))).cast("B")
    finally:
        free(sieve)


def word_counts{n}(str text):
    cdef dict counts = {{}}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def dot{n}(double[:] a, double[:] b):
    cdef Py_ssize_t i
    cdef double s = 0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s


def fib{n}(int k):
    cdef long a = 0, b = 1
    for _ in range(k):
        a, b = b, a + b
    return a
"""

NATIVE_CPP = """#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

std::vector<std::string> Split(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

PyObject* CountWords(PyObject*, PyObject* args) {
  const char* text = nullptr;
  if (!PyArg_ParseTuple(args, "s", &text)) return nullptr;
  std::map<std::string, long> counts;
  for (const std::string& word : Split(text)) ++counts[word];
  PyObject* result = PyDict_New();
  for (const auto& [word, count] : counts) {
    PyObject* value = PyLong_FromLong(count);
    PyDict_SetItemString(result, word.c_str(), value);
    Py_DECREF(value);
  }
  return result;
}

PyObject* SortedUnique(PyObject*, PyObject* args) {
  PyObject* list = nullptr;
  if (!PyArg_ParseTuple(args, "O!", &PyList_Type, &list)) return nullptr;
  std::vector<long> values;
  for (Py_ssize_t i = 0; i < PyList_Size(list); ++i) {
    values.push_back(PyLong_AsLong(PyList_GetItem(list, i)));
  }
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
  std::unordered_map<long, size_t> rank;
  for (size_t i = 0; i < values.size(); ++i) rank[values[i]] = i;
  PyObject* result = PyList_New(0);
  for (long v : values) {
    PyObject* item = PyLong_FromLong(v + static_cast<long>(rank[v]) * 0);
    PyList_Append(result, item);
    Py_DECREF(item);
  }
  return result;
}

PyMethodDef kMethods[] = {
    {"count_words", CountWords, METH_VARARGS, "Counts the words of a string."},
    {"sorted_unique", SortedUnique, METH_VARARGS, "Sorts a list of ints and drops repeats."},
    {nullptr, nullptr, 0, nullptr}};

PyModuleDef kModule = {PyModuleDef_HEAD_INIT, "native", nullptr, -1, kMethods};

}  // namespace

PyMODINIT_FUNC PyInit_native() { return PyModule_Create(&kModule); }
"""

SETUP_PY = """from setuptools import Extension, setup
from Cython.Build import cythonize

cython_modules = [Extension(f"pkgbench.mod{{i}}", [f"pkgbench/mod{{i}}.pyx"]) for i in range({n})]
native = Extension("pkgbench.native", ["pkgbench/native.cpp"], language="c++",
                   extra_compile_args=["-std=c++17"])
setup(name="pkgbench", version="1.0", packages=["pkgbench"],
      ext_modules=cythonize(cython_modules, quiet=True) + [native])
"""


def generate_python(root, size):
    """Writes a setuptools project: Cython modules and one C++ extension module."""
    n = 4 if size == "full" else 2
    outputs = {}
    write(root, "setup.py", SETUP_PY.format(n=n), outputs)
    write(root, "pkgbench/__init__.py", "", outputs)
    for i in range(n):
        write(root, f"pkgbench/mod{i}.pyx", PYX_TEMPLATE.format(n=i), outputs)
    write(root, "pkgbench/native.cpp", NATIVE_CPP, outputs)
    return {"cython_modules": n, "cxx_modules": 1}


SMALL_C = """// A small program: one struct, two functions.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct point {
  int x;
  int y;
};

static int manhattan(struct point a, struct point b) {
  int dx = a.x > b.x ? a.x - b.x : b.x - a.x;
  int dy = a.y > b.y ? a.y - b.y : b.y - a.y;
  return dx + dy;
}

int main(int argc, char** argv) {
  struct point origin = {0, 0};
  int total = 0;
  for (int i = 1; i < argc; ++i) {
    struct point p = {(int)strlen(argv[i]), i};
    if (p.x > 100) {
      fprintf(stderr, "argument %d is long\\n", i);
    }
    total += manhattan(origin, p);
  }
  printf("%d\\n", total);
  return 0;
}
"""


def large_function(rng, k):
    """About 50 lines: a lookup table and a small function that reads it."""
    lines = [f"static const int table_{k}[] = {{"]
    lines += ["  " + ", ".join(str(rng.randint(0, 999)) for _ in range(12)) + ","
              for _ in range(40)]
    lines += ["};", "", f"long work_{k}(int i, struct state* s) {{",
              f"  long acc = table_{k}[i % 480] * {rng.randint(3, 97)} + s->slots[i & 7];",
              f"  if (acc > {rng.randint(100, 90000)}) {{",
              f'    snprintf(s->name, sizeof s->name, "w{k}-%ld", acc);', "  }",
              "  return acc + (long)strlen(s->name);", "}", ""]
    return lines


def generate_latency(root):
    """Writes small.c (about 30 lines) and large.c (about 5,000 lines)."""
    rng = random.Random(3)
    outputs = {}
    write(root, "small.c", SMALL_C, outputs)
    lines = ["#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>", "",
             "struct state {", "  long slots[8];", "  char name[32];", "};", ""]
    k = 0
    while len(lines) < 5000:
        lines += large_function(rng, k)
        k += 1
    write(root, "large.c", "\n".join(lines), outputs)
    return {"small_lines": outputs["small.c"], "large_lines": outputs["large.c"]}


def generate_tiny(root, count):
    """Writes `count` tiny C sources, each a function of a few lines with one system header, as
    a test suite or a generated binding has by the thousand; dated an hour back, so that every
    cache may record them in direct mode. Returns their paths."""
    os.makedirs(root, exist_ok=True)
    an_hour_ago = time.time() - 3600
    paths = []
    for i in range(count):
        path = os.path.join(root, f"t{i}.c")
        with open(path, "w") as f:
            f.write(f"#include <string.h>\nint tiny{i}(const char *s) {{\n"
                    f"  return (int)strlen(s) * {i % 97 + 1};\n}}\n")
        os.utime(path, (an_hour_ago, an_hour_ago))
        paths.append(path)
    return paths


# A cargo workspace on Debian's vendored crates (librust-regex-dev, librust-memchr-dev,
# librust-libc-dev under /usr/share/cargo/registry), offline: regex and its parser dominate a
# cold build, as a real dependency graph does; the workspace adds library crates of its own
# and a binary.
RUST_REGISTRY = "/usr/share/cargo/registry"


def generate_rust(root, crates):
    files = {
        ".cargo/config.toml": (
            '[source.crates-io]\nreplace-with = "debian"\n'
            f'[source.debian]\ndirectory = "{RUST_REGISTRY}"\n[net]\noffline = true\n'),
        "Cargo.toml": "[workspace]\nmembers = [" + ", ".join(
            f'"part{n}"' for n in range(crates)) + ', "app"]\n',
        "app/Cargo.toml": ('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'
                           "[dependencies]\n" + "".join(
                               f'part{n} = {{ path = "../part{n}" }}\n' for n in range(crates))),
        "app/src/main.rs": "fn main() {\n    let mut total = 0;\n" + "".join(
            f"    total += part{n}::score(\"aab{n}\");\n" for n in range(crates)) +
        '    println!("{}", total);\n}\n',
    }
    for n in range(crates):
        deps = ('regex = { version = "1", default-features = false, features = ["std", '
                '"unicode"] }\nmemchr = "2"\nlibc = "0.2"\n')
        if n:
            deps += f'part{n - 1} = {{ path = "../part{n - 1}" }}\n'
        files[f"part{n}/Cargo.toml"] = (f'[package]\nname = "part{n}"\nversion = "0.1.0"\n'
                                        f'edition = "2021"\n[dependencies]\n{deps}')
        body = [f"pub fn score(text: &str) -> usize {{",
                f'    let re = regex::Regex::new("a+b[0-9]").unwrap();',
                "    let found = memchr::memchr(b'b', text.as_bytes()).unwrap_or(0);",
                "    let pid = unsafe { libc::getpid() } as usize;",
                f"    re.find_iter(text).count() + found + (pid & 0){' + part%d::score(text)' % (n - 1) if n else ''}",
                "}"]
        body += [f"pub fn helper{k}(values: &[u64]) -> u64 {{ values.iter().map(|v| v * {k} + "
                 f"{n}).filter(|v| v % 3 != 0).sum() }}" for k in range(60)]
        files[f"part{n}/src/lib.rs"] = "\n".join(body) + "\n"
    for name, text in files.items():
        path = os.path.join(root, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
    return {"crates": crates, "library_crates": crates + 4}  # + regex, regex-syntax, memchr, libc
