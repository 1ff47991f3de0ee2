"""Generates the benchmark's sources, deterministically (same size, same bytes):

- a C and C++ CMake project: components of headers and units with standard library, Abseil and
  project header fan-in; two components are built twice, as a static and a shared library, and
  one twice with the same flags into targets whose names differ in length. Its idioms are real
  projects': CMakeLists.txt sits in cmake/, beside the sources, so that CMake spells the include
  directory `cmake/../include` and names objects after the sources' absolute paths; every C++
  header includes a header-only library that wraps __has_include in a macro of its own; one C
  unit uses __DATE__;
- a setuptools project with several Cython modules and one C++ extension module;
- a small and a large single-file C program for per-hit latency (the last two in genextras.py).

Run directly to write them all for a look: genproject.py [--quick] DIR
"""

import argparse
import json
import os
import random

# Per size: the C component's (units, headers), then the C++ components' headers and units. The
# first two C++ components, core and util, are built twice (static and shared).
SIZES = {
    "full": ((70, 30), 40, [8, 8, 13, 13, 13, 13, 13]),
    "quick": ((8, 10), 10, [4, 4, 8]),
}
NAMES = ["core", "util", "net", "storage", "render", "script", "app", "media", "store"]

STD_HEADERS = ["map", "algorithm", "memory", "utility", "array", "optional", "set"]
ABSL_HEADER_LIGHT = ["absl/strings/string_view.h", "absl/types/optional.h",
                     "absl/strings/match.h", "absl/strings/ascii.h"]
STR_CAT = "absl/strings/str_cat.h"
FLAT_HASH_MAP = "absl/container/flat_hash_map.h"
ABSL_HEADER_HEAVY = ["absl/strings/str_split.h", "absl/strings/str_join.h",
                     "absl/container/flat_hash_set.h", "absl/hash/hash.h"]
C_HEADERS = ["stdio.h", "stdlib.h", "string.h", "stdint.h", "math.h", "ctype.h", "limits.h"]


class Component:
    def __init__(self, name, lang, n_headers, n_units, deps):
        self.name = name
        self.lang = lang  # "c" or "cxx"
        self.headers = [f"{name}/h{i}.h" for i in range(n_headers)]
        ext = "c" if lang == "c" else "cc"
        self.units = [f"src/{name}/u{j}.{ext}" for j in range(n_units)]
        self.deps = deps  # earlier components whose headers this one includes
        self.builds = 1


def plan_components(size):
    (c_units, c_headers), n_headers, cxx_units = SIZES[size]
    rng = random.Random(5)
    base = Component("base", "c", c_headers, c_units, [])
    components = [base]
    for k, n_units in enumerate(cxx_units):
        earlier = components[1:]
        deps = [base] + rng.sample(earlier, min(2, len(earlier)))
        components.append(Component(NAMES[k], "cxx", n_headers, n_units, deps))
    components[1].builds = 2  # core: static, and shared with -fPIC and an export macro
    components[2].builds = 2  # util: static with -fPIC, and shared; only a -D differs
    components[3].builds = 2  # net: the same flags, a target with a longer name
    return components


# A header-only library as fmt and others write them: __has_include behind a macro of its own,
# called with a standard header and with an optional user header that does not exist.
HEADER_ONLY = """#pragma once
#if defined(__has_include)
#  define HDR_HAS_INCLUDE(x) __has_include(x)
#else
#  define HDR_HAS_INCLUDE(x) 0
#endif
#if HDR_HAS_INCLUDE(<string_view>)
#  include <string_view>
#  define HDR_STRING_VIEW 1
#else
#  define HDR_STRING_VIEW 0
#endif
#if HDR_HAS_INCLUDE("hdr/user_config.h")
#  include "hdr/user_config.h"
#endif
namespace hdr {
inline int Version() { return 30 + HDR_STRING_VIEW; }
}  // namespace hdr
"""


def write(root, rel, text, outputs):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    outputs[rel] = text.count("\n")


def macro(header):
    return header.replace("/", "_").replace(".", "_").upper()


def pick_includes(rng, comp, index):
    """Project headers a header includes: one or two earlier ones of its component, one of a
    dependency."""
    own = comp.headers[:index]
    chosen = rng.sample(own, min(len(own), rng.randint(1, 2)))
    if comp.deps:
        dep = rng.choice(comp.deps)
        chosen.append(rng.choice(dep.headers))
    return chosen


def c_header(rng, comp, index):
    name = comp.headers[index]
    guard = macro(name)
    lines = [f"#ifndef {guard}", f"#define {guard}"]
    lines += [f"#include <{h}>" for h in rng.sample(C_HEADERS, 2)]
    lines += [f'#include "{h}"' for h in pick_includes(rng, comp, index)]
    ident = f"base_h{index}"
    lines += [
        f"#define {guard}_LEVEL {rng.randint(1, 9)}",
        f"#define {guard}_SCALE(x) ((x) * {rng.randint(2, 7)} + {guard}_LEVEL)",
        "#ifdef __cplusplus", 'extern "C" {', "#endif",
        f"typedef struct {ident}_record {{",
        "  int id;", "  double weight;", "  char tag[16];", f"  int values[{rng.randint(4, 12)}];",
        f"}} {ident}_record;",
        f"static inline int {ident}_level(void) {{ return {guard}_LEVEL; }}",
        f"static inline int {ident}_sum(const {ident}_record* r, int n) {{",
        "  int total = r->id;",
        "  for (int i = 0; i < n; ++i) total += r->values[i % 4];",
        f"  return {guard}_SCALE(total);",
        "}",
        f"int {ident}_parse(const char* text, {ident}_record* out);",
        f"void {ident}_print(const {ident}_record* r);",
        "#ifdef __cplusplus", "}", "#endif", f"#endif  // {guard}", ""]
    return "\n".join(lines)


def export_macro(comp):
    """core's headers mark their API with an export macro, as GenerateExportHeader does."""
    if comp.name != "core":
        return []
    return ["#if defined(core_shared_EXPORTS)",
            '#define CORE_API __attribute__((visibility("default")))',
            "#elif defined(CORE_STATIC_DEFINE)", "#define CORE_API", "#else",
            '#define CORE_API __attribute__((visibility("default")))', "#endif"]


def cxx_header(rng, comp, index):
    name = comp.headers[index]
    guard = macro(name)
    api = "CORE_API " if comp.name == "core" else ""
    lines = ["#pragma once", '#include "hdr/config.h"']
    std = ["string", "vector"] + rng.sample(STD_HEADERS, rng.randint(0, 2))
    lines += [f"#include <{h}>" for h in std]
    if rng.random() < 0.1:
        lines.append(f'#include "{rng.choice(ABSL_HEADER_LIGHT)}"')
    lines += [f'#include "{h}"' for h in pick_includes(rng, comp, index)]
    lines += export_macro(comp)
    lines += [f"#define {guard}_LEVEL {rng.randint(1, 9)}", f"namespace {comp.name} {{",
              f"struct Record{index} {{", "  int id = 0;", "  std::string name;",
              "  std::vector<int> values;",
              "  int Sum() const {", "    int total = id;",
              "    for (int v : values) total += v;", "    return total;", "  }",
              f"  bool operator<(const Record{index}& o) const {{ return id < o.id; }}", "};",
              f"inline int Level{index}() {{ return {guard}_LEVEL; }}",
              f"{api}std::string Describe{index}(const Record{index}& record);",
              f"class {api}Service{index} {{", " public:",
              f"  explicit Service{index}(int seed) : seed_(seed) {{}}",
              f"  virtual ~Service{index}() = default;",
              "  virtual int Run(const std::string& input);",
              "  int seed() const { return seed_; }", " private:", "  int seed_;",
              "  std::vector<std::string> log_;", "};",
              f"template <typename T> T Clamp{index}(T v, T lo, T hi) {{",
              "  return v < lo ? lo : (hi < v ? hi : v);", "}",
              f"}}  // namespace {comp.name}", ""]
    return "\n".join(lines)


def header_index(header):
    return int(header.rsplit("/h", 1)[1][:-2])


def c_unit(rng, comp, j, includes):
    lines = [f'#include "{h}"' for h in includes]
    lines += [f"#include <{h}>" for h in C_HEADERS]
    if j == 0:
        lines.append("const char* base_build_date(void) { return __DATE__; }")
    lines += [f"static int cmp_u{j}(const void* a, const void* b) {{",
              "  return *(const int*)a - *(const int*)b;", "}"]
    for k in range(6):
        h = rng.choice([h for h in includes if h.startswith("base/")])
        ident = f"base_h{header_index(h)}"
        lines += [
            f"int base_u{j}_f{k}(const char* text, int n) {{",
            f"  {ident}_record r;", "  memset(&r, 0, sizeof r);",
            "  int values[64];", "  for (int i = 0; i < 64; ++i) values[i] = (i * 37 + n) % 101;",
            f"  qsort(values, 64, sizeof values[0], cmp_u{j});",
            "  r.id = values[n & 63];",
            "  size_t len = strlen(text);",
            "  for (size_t i = 0; i < len; ++i) r.id += toupper((unsigned char)text[i]);",
            f"  snprintf(r.tag, sizeof r.tag, \"u{j}f{k}:%d\", r.id);",
            f"  double w = sqrt((double)r.id) * {ident}_level();",
            f"  return {ident}_sum(&r, 4) + (int)w;", "}"]
    return "\n".join(lines) + "\n"


# Function bodies for C++ units, each with the Abseil header it needs (None: the standard library).
CXX_BODIES = [
    (STR_CAT, """  std::map<std::string, int> counts;
  for (int i = 0; i < n; ++i) counts[absl::StrCat("key", i % 7, "-", r.name)] += i;
  int total = 0;
  for (const auto& [key, value] : counts) total += value + static_cast<int>(key.size());
  return total;"""),
    (FLAT_HASH_MAP, """  absl::flat_hash_map<int, std::string> table;
  for (int i = 0; i < n; ++i) table.emplace(i * 3, std::to_string(i) + r.name);
  int total = 0;
  for (const auto& entry : table) total += entry.first + static_cast<int>(entry.second.size());
  return total;"""),
    (None, """  std::vector<int> values(r.values);
  for (int i = 0; i < n; ++i) values.push_back((i * 7919) % 113);
  std::sort(values.begin(), values.end(), [](int a, int b) { return a > b; });
  values.erase(std::unique(values.begin(), values.end()), values.end());
  return std::accumulate(values.begin(), values.end(), 0);"""),
    (None, """  auto holder = std::make_unique<std::vector<std::string>>();
  for (int i = 0; i < n; ++i) holder->push_back(std::to_string(r.id + i));
  std::shared_ptr<std::string> joined = std::make_shared<std::string>();
  for (const auto& s : *holder) *joined += s;
  return static_cast<int>(joined->size());"""),
    (None, """  std::string text = r.name;
  for (int i = 0; i < n; ++i) text += static_cast<char>('a' + i % 26);
  std::transform(text.begin(), text.end(), text.begin(), [](char c) { return c ^ 1; });
  auto pos = text.find("ba");
  return pos == std::string::npos ? r.Sum() : static_cast<int>(pos);"""),
    (None, """  std::vector<std::pair<std::string, int>> items;
  for (int i = 0; i < n; ++i) items.emplace_back(std::to_string(i * i), i);
  std::stable_sort(items.begin(), items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::function<int(int)> f = [&](int x) { return x + r.id; };
  return items.empty() ? f(0) : f(items.front().second);"""),
]


def cxx_unit_headers(rng):
    """Abseil headers of a unit: StrCat in two of five, flat_hash_map in one in eight, others
    now and then."""
    absl = [STR_CAT] if rng.random() < 0.4 else []
    absl += [FLAT_HASH_MAP] if rng.random() < 0.12 else []
    absl += [rng.choice(ABSL_HEADER_HEAVY)] if rng.random() < 0.08 else []
    return absl


def cxx_unit(rng, comp, j, includes):
    absl = cxx_unit_headers(rng)
    lines = [f'#include "{h}"' for h in includes]
    lines += ["#include <algorithm>", "#include <functional>", "#include <map>",
              "#include <memory>", "#include <numeric>", "#include <string>", "#include <vector>"]
    lines += [f'#include "{h}"' for h in absl]
    own = [h for h in includes if h.startswith(comp.name + "/")]
    bodies = [body for needs, body in CXX_BODIES if needs is None or needs in absl]
    lines.append(f"namespace {comp.name} {{")
    chosen = []
    for k, body in enumerate(rng.sample(bodies, 1)):
        chosen.append(header_index(rng.choice(own)))
        i = chosen[-1]
        lines += [f"int Unit{j}Compute{k}(const Record{i}& r, int n) {{",
                  f"  n = Clamp{i}(n, 0, 1000) + Level{i}();", body, "}"]
    lines += [f"class Unit{j}Service : public Service{i} {{", " public:",
              f"  using Service{i}::Service{i};",
              "  int Run(const std::string& input) override {",
              f"    Record{i} r;", "    r.name = input;", "    r.id = seed();",
              f"    return Unit{j}Compute0(Record{chosen[0]}{{}}, 3) + r.Sum();",
              "  }", "};",
              f"int Unit{j}Entry(int seed) {{", f"  Unit{j}Service service(seed);",
              '  return service.Run("entry");', "}", f"}}  // namespace {comp.name}"]
    return "\n".join(lines) + "\n"


def unit_includes(rng, comp):
    own = rng.sample(comp.headers, min(len(comp.headers), rng.randint(4, 8)))
    deps = [rng.choice(dep.headers) for dep in rng.sample(comp.deps, len(comp.deps))]
    return own + deps[: rng.randint(2, 3)]


def write_sources(root, components, rng, outputs):
    write(root, "include/hdr/config.h", HEADER_ONLY, outputs)
    graph = {}
    for comp in components:
        make_header = c_header if comp.lang == "c" else cxx_header
        for i, header in enumerate(comp.headers):
            text = make_header(rng, comp, i)
            graph[header] = [line.split('"')[1] for line in text.splitlines()
                             if line.startswith('#include "') and line.split('"')[1] in graph]
            write(root, "include/" + header, text, outputs)
    units = {}
    for comp in components:
        make_unit = c_unit if comp.lang == "c" else cxx_unit
        for j, unit in enumerate(comp.units):
            includes = unit_includes(rng, comp) if comp.lang == "cxx" else rng.sample(
                comp.headers, min(len(comp.headers), rng.randint(3, 6)))
            write(root, unit, make_unit(rng, comp, j, includes), outputs)
            units[unit] = (includes, comp.builds)
    return graph, units


# Where CMakeLists.txt is: beside the sources, as in zstd's build/cmake.
CMAKE_DIR = "cmake"


def cmake_lists(components):
    lines = ["cmake_minimum_required(VERSION 3.16)", "project(benchproj C CXX)",
             "set(CMAKE_CXX_STANDARD 17)", "set(CMAKE_CXX_STANDARD_REQUIRED ON)",
             "set(ROOT ${CMAKE_CURRENT_SOURCE_DIR}/..)", "include_directories(${ROOT}/include)"]
    for comp in components:
        sources = " ".join("${ROOT}/" + unit for unit in comp.units)
        var = comp.name.upper() + "_SOURCES"
        lines.append(f"set({var} {sources})")
        if comp.name == "core":
            lines += [f"add_library(core_static STATIC ${{{var}}})",
                      "target_compile_definitions(core_static PRIVATE CORE_STATIC_DEFINE)",
                      f"add_library(core_shared SHARED ${{{var}}})"]
        elif comp.name == "util":
            lines += [f"add_library(util_static STATIC ${{{var}}})",
                      "set_target_properties(util_static PROPERTIES POSITION_INDEPENDENT_CODE ON)",
                      "target_compile_definitions(util_static PRIVATE UTIL_STATIC_DEFINE)",
                      f"add_library(util_shared SHARED ${{{var}}})"]
        elif comp.builds == 2:
            lines += [f"add_library({comp.name} STATIC ${{{var}}})",
                      f"add_library({comp.name}_objects_for_tests OBJECT ${{{var}}})"]
        else:
            lines.append(f"add_library({comp.name} STATIC ${{{var}}})")
    return "\n".join(lines) + "\n"


def reach(graph, header, memo):
    if header not in memo:
        memo[header] = {header}
        for child in graph[header]:
            memo[header] |= reach(graph, child, memo)
    return memo[header]


def choose_hub(graph, units, share):
    """The project header that the given share of compiles includes, directly or not."""
    memo = {}
    users = {header: 0 for header in graph}
    for includes, builds in units.values():
        seen = set().union(*(reach(graph, h, memo) for h in includes))
        for header in seen:
            users[header] += builds
    compiles = sum(builds for _, builds in units.values())
    hub = min(sorted(users), key=lambda h: abs(users[h] - share * compiles))
    return hub, users[hub], compiles


def generate_project(root, size, hub_share=0.25):
    """Writes the CMake project under root and returns a description of it."""
    rng = random.Random(1)
    components = plan_components(size)
    outputs = {}
    graph, units = write_sources(root, components, rng, outputs)
    write(root, f"{CMAKE_DIR}/CMakeLists.txt", cmake_lists(components), outputs)
    hub, hub_compiles, compiles = choose_hub(graph, units, hub_share)
    info = {
        "units": len(units),
        "c_units": sum(1 for u in units if u.endswith(".c")),
        "compiles": compiles,
        "headers": len(graph),
        "lines": sum(outputs.values()),
        "hub_header": "include/" + hub,
        "hub_macro": macro(hub) + "_LEVEL",
        "hub_compiles": hub_compiles,
        "cmake_dir": CMAKE_DIR,
    }
    with open(os.path.join(root, "project.json"), "w") as f:
        json.dump(info, f, indent=1)
    return info


def edit_hub(root, info, value):
    """Gives the hub header's level macro, which inline code uses, a new value."""
    path = os.path.join(root, info["hub_header"])
    with open(path) as f:
        lines = f.read().splitlines(keepends=True)
    prefix = "#define " + info["hub_macro"] + " "
    lines = [prefix + f"{value}\n" if line.startswith(prefix) else line for line in lines]
    with open(path, "w") as f:
        f.writelines(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the smaller project")
    parser.add_argument("dir", help="where to write project/, python/ and latency/")
    args = parser.parse_args()
    size = "quick" if args.quick else "full"
    print(json.dumps(generate_project(os.path.join(args.dir, "project"), size), indent=1))
    import genextras

    print(genextras.generate_python(os.path.join(args.dir, "python"), size))
    print(genextras.generate_latency(os.path.join(args.dir, "latency")))


if __name__ == "__main__":
    main()
