"""Writes docs/benchmarks.md and its chart from a run's results (see bench/run)."""

import os
import statistics

import svgchart

TOOLS = ["nocache", "ddcc", "ccache", "sccache"]
LABELS = {"nocache": "no cache", "ddcc": "ddcc", "ccache": "ccache", "sccache": "sccache"}

# metric: (table label, chart title, unit, ddcc/ccache target from issue 5 or None)
METRICS = {
    "project.cold": ("C/C++ project: cold build (empty cache)", "project: cold", "s", 1.0),
    "project.warm": ("C/C++ project: warm rebuild, same build directory", "project: warm",
                     "s", 0.7),
    "project.newdir": ("C/C++ project: warm build in a new build directory",
                       "project: warm,\nnew build dir", "s", 0.7),
    "project.checkout": ("C/C++ project: warm build of a second checkout at another path",
                         "project: second\ncheckout", "s", 0.7),
    "project.touch": ("C/C++ project: rebuild after touching the hub header",
                      "project: header\ntouched", "s", 0.7),
    "project.edit": ("C/C++ project: rebuild after editing the hub header",
                     "project: header\nedited", "s", 1.0),
    "python.cold": ("Python extensions: cold build", "python: cold", "s", 1.0),
    "python.warm": ("Python extensions: warm rebuild (`build_ext --force`)", "python: warm",
                    "s", 0.7),
    "python.copy": ("Python extensions: warm build in a second copy (as pip) ²",
                    "python: second copy", "s", None),
    "latency.small": ("Per-hit latency: small file", "hit latency:\nsmall file", "ms", 0.5),
    "latency.large": ("Per-hit latency: large file", "hit latency:\nlarge file", "ms", 0.5),
    "rust.cold": ("Rust workspace: cold build (empty cache)", "rust: cold", "s", None),
    "rust.warm": ("Rust workspace: warm rebuild after `cargo clean`", "rust: warm", "s", None),
    "rust.second": ("Rust workspace: second tree at another path", "rust: second tree", "s",
                    None),
    "remote.local": ("Remote storage: a local hit (small file)", None, "ms", None),
    "remote.redis": ("Remote storage: a hit from Redis, empty local cache", None, "ms", None),
    "remote.rediss": ("Remote storage: a hit from Redis over TLS", None, "ms", None),
    "remote.http": ("Remote storage: a hit from nginx over HTTP", None, "ms", None),
    "remote.https": ("Remote storage: a hit from nginx over HTTPS", None, "ms", None),
    "remote.build.local": ("Remote storage: a warm build from a filled local cache", None, "s",
                           None),
    "remote.build.redis": ("Remote storage: a build from Redis, empty local cache", None, "s",
                           None),
    "remote.build.https": ("Remote storage: a build from nginx over HTTPS, empty local cache",
                           None, "s", None),
    "remote.build.redis.helper": ("Remote storage: a build from Redis, through the helper", None,
                                  "s", None),
    "remote.build.https.helper": ("Remote storage: a build from nginx over HTTPS, through the "
                                  "helper", None, "s", None),
    "remote.redis.helper": ("Remote storage: a hit from Redis, through the storage helper", None,
                            "ms", None),
    "remote.rediss.helper": ("Remote storage: a hit from Redis over TLS, through the helper",
                             None, "ms", None),
    "remote.http.helper": ("Remote storage: a hit from nginx over HTTP, through the helper",
                           None, "ms", None),
    "remote.https.helper": ("Remote storage: a hit from nginx over HTTPS, through the helper",
                            None, "ms", None),
    "project.size": ("Cache size after the project's cold build (apparent, `du -sb`)", None,
                     "MB", None),
    "project.allocated": ("Cache size after the project's cold build (on disk: allocated "
                          "blocks, as `du`)", "cache size on disk (MB)", "MB", 1.0),
    "project.files": ("Files in the cache after the project's cold build", "cache files",
                      "files", 1.0),
    "tiny.cold": ("Tiny compiles: all of them, two at a time, into one cache", None, "s", None),
    "tiny.allocated": ("Tiny compiles: cache on disk per compile (allocated blocks)",
                       "tiny compiles: KiB\non disk per compile", "KiB", 1.0),
    "tiny.files": ("Tiny compiles: cache files per compile", None, "per", 1.0),
    "tiny.cleaned": ("Tiny compiles: on disk after cleanup to `max_size = 10M`, over the limit ³",
                     None, "per", None),
}
# Derived: a cold build's time over the same build without a cache.
OVERHEADS = {"project.cold": "C/C++ project", "python.cold": "Python extensions"}


def medians(results):
    out = {}
    for metric, by_tool in results["samples"].items():
        out[metric] = {tool: statistics.median(v) for tool, v in by_tool.items() if v}
    return out


def scaled(value, unit):
    if unit == "ms":
        return value * 1000
    if unit == "KiB":
        return value / 1024
    if unit == "MB":
        return value / 1e6
    return value


def fmt(value, unit):
    if value is None:
        return "–"
    v = scaled(value, unit)
    if unit == "files":
        return f"{v:,.0f}"
    if unit == "per":
        return f"{v:.2f}"
    if unit == "KiB":
        return f"{v:.1f} KiB"
    if unit == "MB":
        return f"{v:.1f} MB"
    digits = 2 if v < 10 else 1
    return f"{v:.{digits}f} {unit}"


def ratio(a, b):
    if a is None or not b:
        return None
    return a / b


def fmt_ratio(r):
    return "–" if r is None else f"{r:.2f}"


def tools_of(results):
    return [t for t in TOOLS if t in results["tools"]]


def summary_table(results, med):
    tools = tools_of(results)
    head = ["measurement"] + [LABELS[t] for t in tools]
    head += ["ddcc / ccache", "sccache / ccache", "ddcc target"]
    rows = []
    for metric, (label, _, unit, target) in METRICS.items():
        if metric not in med or metric.startswith("remote."):  # a table of their own
            continue
        values = med[metric]
        row = [label] + [fmt(values.get(t), unit) for t in tools]
        warm_steps = ("project.warm", "project.newdir", "project.checkout")
        if metric in warm_steps and "nocache" in values:
            row[1 + tools.index("nocache")] += " ¹"
        base = values.get("ccache")
        d, s = ratio(values.get("ddcc"), base), ratio(values.get("sccache"), base)
        met = "" if target is None or d is None else (" ✓" if d <= target else " ✗")
        row += [fmt_ratio(d), fmt_ratio(s), f"≤ {target:.1f}{met}" if target else ""]
        rows.append(row)
    return table(head, rows)


# Rust metric: (what the ddcc ratio is taken against, its target)
RUST_TARGETS = {"rust.cold": ("nocache", 1.05), "rust.warm": ("sccache", 0.7),
                "rust.second": ("sccache", None)}


def rust_table(results, med):
    rows = []
    for metric, (against, target) in RUST_TARGETS.items():
        values = med.get(metric)
        if not values or "ddcc" not in values:
            continue
        r = ratio(values.get("ddcc"), values.get(against))
        mark = "" if r is None or target is None else (" ✓" if r <= target else " ✗")
        rows.append([METRICS[metric][0]] + [fmt(values.get(t), "s") for t in
                                            ("nocache", "ddcc", "sccache")] +
                    [fmt_ratio(ratio(values.get("ddcc"), values.get("sccache"))),
                     fmt_ratio(ratio(values.get("ddcc"), values.get("nocache"))),
                     f"{LABELS[against]}: ≤ {target}{mark}" if target else ""])
    if not rows:
        return ""
    return table(["measurement", "no cache", "ddcc", "sccache", "ddcc / sccache",
                  "ddcc / no cache", "ddcc target"], rows)


# Each against its baseline: a remote hit against a local one, a build against a local warm one.
REMOTE_METRICS = ([(f"remote.{backend}{way}", "remote.local") for way in ("", ".helper")
                   for backend in ("redis", "rediss", "http", "https")] +
                  [(f"remote.build.{backend}{way}", "remote.build.local")
                   for way in ("", ".helper") for backend in ("redis", "https")])


def remote_table(results, med):
    """Each remote hit against the same cache's local hit."""
    tools = [t for t in tools_of(results) if t in ("ddcc", "ccache")]
    rows = []
    for baseline in ("remote.local", "remote.build.local"):
        values = med.get(baseline)
        if values:
            rows.append([METRICS[baseline][0]] + [fmt(values.get(t), METRICS[baseline][2])
                                                  for t in tools] + ["1.00" for t in tools])
        for metric, base in REMOTE_METRICS:
            values, local = med.get(metric), med.get(base, {})
            if base != baseline or not values:
                continue
            rows.append([METRICS[metric][0]] + [fmt(values.get(t), METRICS[metric][2])
                                                for t in tools] +
                        [fmt_ratio(ratio(values.get(t), local.get(t))) for t in tools])
    if not rows:
        return ""
    return table(["measurement"] + [LABELS[t] for t in tools] +
                 [f"{LABELS[t]} / its local hit" for t in tools], rows)


def overhead_table(results, med):
    tools = [t for t in tools_of(results) if t != "nocache"]
    rows = []
    for metric, label in OVERHEADS.items():
        values = med.get(metric, {})
        plain = values.get("nocache")
        if not plain:
            continue
        over = {t: ratio(values.get(t), plain) for t in tools}
        row = [label] + [fmt_ratio(over[t]) for t in tools]
        row += [fmt_ratio(ratio(over.get("ddcc"), over.get("ccache"))),
                fmt_ratio(ratio(over.get("sccache"), over.get("ccache")))]
        rows.append(row)
    if not rows:
        return ""
    head = ["cold build / no cache"] + [LABELS[t] for t in tools]
    return table(head + ["ddcc / ccache", "sccache / ccache"], rows)


def hits_table(results):
    tools = [t for t in tools_of(results) if t != "nocache"]
    rows = []
    for metric, (label, _, _, _) in METRICS.items():
        by_tool = results["hits"].get(metric)
        if not by_tool:
            continue
        cells = []
        for tool in tools:
            samples = by_tool.get(tool, [])
            cells.append(" ".join(f"{s[0]}/{s[0] + s[1]}" + (f" ({s[2]})" if len(s) > 2 and
                                                              s[2] is not None else "")
                                  for s in samples) or "–")
        rows.append([label] + cells)
    if not rows:
        return ""
    return table(["step: hits / cacheable compiles (direct hits), per repetition"] +
                 [LABELS[t] for t in tools], rows)


def direct_rate_table(results):
    """Median direct hits over cacheable compiles, per warm step, for the caches with a direct
    mode."""
    tools = [t for t in ("ddcc", "ccache") if t in results["tools"]]
    rows = []
    for metric, (label, _, _, _) in METRICS.items():
        by_tool = results["hits"].get(metric)
        if not by_tool or not metric.startswith("project.") or metric == "project.cold":
            continue
        rates = {}
        for tool in tools:
            samples = [s for s in by_tool.get(tool, []) if len(s) > 2 and s[0] + s[1]]
            if samples:
                rates[tool] = statistics.median(s[2] / (s[0] + s[1]) for s in samples)
        if not rates:
            continue
        row = [label] + [f"{rates[t]:.0%}" if t in rates else "–" for t in tools]
        ok = "ddcc" in rates and "ccache" in rates and rates["ddcc"] >= rates["ccache"]
        rows.append(row + [("≥ ccache ✓" if ok else "≥ ccache ✗") if len(rates) == 2 else ""])
    if not rows:
        return ""
    return table(["step: direct hits / cacheable compiles (median)"] +
                 [LABELS[t] for t in tools] + ["ddcc target"], rows)


def samples_table(results):
    tools = tools_of(results)
    rows = []
    for metric, (label, _, unit, _) in METRICS.items():
        by_tool = results["samples"].get(metric)
        if not by_tool:
            continue
        rows.append([label] + [", ".join(fmt(v, unit) for v in by_tool.get(t, [])) or "–"
                               for t in tools])
    return table(["measurement"] + [LABELS[t] for t in tools], rows)


def table(head, rows):
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def setup_text(results):
    lines = []
    p = results.get("project")
    if p and "project" in results["scenarios"]:
        share = p["hub_compiles"] / p["compiles"]
        lines.append(
            f"- **C/C++ project** (generated by `bench/genproject.py`): {p['units']} translation "
            f"units ({p['c_units']} C, {p['units'] - p['c_units']} C++), {p['headers']} project "
            f"headers, {p['lines']:,} lines; the C++ units include standard library and Abseil "
            f"headers. Two components are built twice, as a static and a shared library: `core` "
            f"(static without `-fPIC`, shared with `-fPIC` and an export macro) and `util` (both "
            f"`-fPIC`; only an unused `-D` differs); `net` is built twice with the same flags, "
            f"into targets whose names differ in length; {p['compiles']} compiles in all. "
            f"Real projects' idioms: `CMakeLists.txt` sits in `cmake/` beside the sources (as "
            f"zstd's), so CMake names objects after the sources' absolute paths and spells the "
            f"include directory `cmake/../include`; every C++ header includes a header-only "
            f"library that wraps `__has_include` in a macro (as fmt does); one C unit uses "
            f"`__DATE__`. CMake + "
            f"Ninja, Release with `-O2` (no `-g`), `CMAKE_<LANG>_COMPILER_LAUNCHER=<cache>`, the "
            f"cache's base directory (`DDCC_BASEDIR`, `CCACHE_BASEDIR`; sccache 0.4 has none) set "
            f"to the directory above the checkouts for every step. The "
            f"warm rebuild follows `ninja -t clean`; the new build directory is configured at "
            f"another path over the same sources; the second checkout is a copy of the sources "
            f"at another path, with its own build directory. The hub header `{p['hub_header']}` reaches "
            f"{p['hub_compiles']} of the {p['compiles']} compiles ({share:.0%}); *touched* "
            f"changes only its mtime, *edited* changes the value of a macro that inline code "
            f"uses, so every compile that includes it is a miss.")
    py = results.get("python")
    if py and "python" in results["scenarios"]:
        lines.append(
            f"- **Python extensions**: {py['cython_modules']} Cython modules and one C++ module, "
            f"`/usr/bin/python3 setup.py build_ext` with `CC=\"<cache> gcc\" CXX=\"<cache> g++\"` "
            f"(plain `gcc`/`g++` without a cache), so Debian's Python flags apply (`-g -O2`). "
            f"Cold: a fresh copy of the sources; warm: `build_ext --force` in it; second copy: "
            f"a new copy in a new temporary directory, as pip builds. With `-g` the object names "
            f"the working directory, so a cache that keeps debug information right misses there.")
    tiny = results.get("tiny")
    if tiny and "tiny" in results["scenarios"]:
        lines.append(
            f"- **Tiny compiles**: {tiny['compiles']:,} C files of four lines with one system "
            f"header (`<string.h>`), each compiled once with `<cache> gcc -O2 -c`, two at a "
            f"time, into one cache: what the cache then holds on disk, per compile (files; "
            f"allocated bytes, directories left out), and after a cleanup to `max_size = 10M`.")
    rust = results.get("rust")
    if rust and "rust" in results["scenarios"]:
        lines.append(
            f"- **Rust workspace** (generated by `bench/genextras.py`): {rust['crates']} library "
            f"crates of its own (a chain, each using regex, memchr and libc) and a binary, on "
            f"Debian's vendored crates (regex, regex-syntax, memchr, libc): "
            f"{rust['library_crates']} library crates in all. Debian's `cargo build` (dev "
            f"profile, `CARGO_INCREMENTAL=0`) with `RUSTC_WRAPPER=<cache>`; cold: a fresh copy; "
            f"warm: after `cargo clean`; second tree: a copy at another path and depth, into the "
            f"same cache, with ddcc's base directory (`DDCC_BASEDIR`) the work directory "
            f"(sccache 0.4 has none). No build maps its tree with `--remap-path-prefix` "
            f"(sccache 0.4 does not cache a call that does), so the workspace's own crates name "
            f"their tree and only the vendored ones can be shared (docs/rust.md). The binary and "
            f"the build scripts are linked, not cached, by either cache.")
    if "remote" in results["scenarios"]:
        lines.append(
            "- **Remote hits**: the latency scenario's small file, compiled once to fill a remote "
            "started for the run on loopback (redis-server and nginx with WebDAV, each plain and "
            "over TLS with a certificate authority made for the run), then timed by hyperfine "
            "(`-N`) with the local cache's entries removed before each run (`--prepare`, a `find "
            "-delete` that keeps the directory and its counters, as a build's later compiles find "
            "them), so that each is a remote hit; and a local hit before each remote's (the "
            "median of them is the baseline, so that it spans the same minutes), with the same "
            "`find` run on an empty directory before each run. ddcc's hits come once with "
            "`storage_helper = false` and once through the storage helper, started before the "
            "runs. **A build from a remote**: the project's cold build with both remotes "
            "configured fills them and the local cache; then, after `ninja -t clean`, a warm "
            "build from the local cache, and warm builds into an empty local cache from one "
            "remote each (ddcc's with and without the helper), as a team member's first build "
            "after CI's.")
    lat = results.get("latency")
    if lat and "latency" in results["scenarios"]:
        runs = results.get("latency_runs", {})
        lines.append(
            f"- **Per-hit latency**: hyperfine (`-N`, warm-up runs, then {runs.get('small')} and "
            f"{runs.get('large')} runs) of `<cache> gcc -O2 -c` on a {lat['small_lines']}-line "
            f"and a {lat['large_lines']:,}-line C file; after the warm-up every run is a hit. "
            f"The no-cache column is the plain compile.")
        journal_us = results.get("journal_append_us")
        small = medians(results).get("latency.small", {}).get("ddcc")
        if journal_us and small:
            lines.append(
                f"- **The journal's part of a hit**: every call appends a record of itself (how "
                f"it ended, when and where, its keys' inputs) for `--explain` and `--report`. "
                f"Encoding, compressing and appending a hit's record takes {journal_us:.0f} µs "
                f"(median of `build/bench/ddcc_micro --benchmark_filter=JournalAppend`, run "
                f"beside the latency scenario): {100 * journal_us / (small * 1e6):.1f}% of ddcc's "
                f"small-file hit.")
    return "\n".join(lines) + "\n"


def method_text(results):
    load = results.get("load") or [0]
    nproc = results["machine"]["nproc"]
    # ninja runs nproc + 2 jobs, so the benchmark alone keeps the load near that.
    busy = " — other work competed for the CPU, so times are noisy" if max(load) > nproc + 3 else ""
    return "\n".join([
        f"Each scenario runs for every configuration in turn (no cache, ddcc, ccache, sccache, "
        f"then again), {results['reps']} time(s) for the builds and {results['latency_reps']} "
        f"time(s) for latency; the tables show medians. Every run starts on a new, empty cache "
        f"directory (`DDCC_DIR`, `CCACHE_DIR`, `SCCACHE_DIR`) with each cache's default "
        f"settings (ccache: direct mode, then preprocessor mode). sccache's server is stopped "
        f"and started again with each new directory, on a port of its own, and stopped at the "
        f"end.\n",
        "¹ Without a cache a warm rebuild is a full rebuild: the cold build's time is shown, not "
        "measured again.\n",
        "² Built with `-g`, the objects name the directory they were built in; ccache "
        "(`hash_dir`) and ddcc put that directory in the key and miss, sccache leaves it out "
        "and hits, serving objects whose debug information names the first copy's directory.\n",
        "³ What the cache's files occupy on disk after `ddcc --cleanup` with `DDCC_MAXSIZE=10M` "
        "and `ccache --cleanup` with `CCACHE_MAXSIZE=10M`, over 10,000,000 bytes (directories "
        "left out); at most 1.00 keeps the limit. sccache has no cleanup command.\n",
        f"Highest 1-minute load average seen during the runs: {max(load):.1f} on {nproc} "
        f"CPUs (the builds' own {nproc + 2} ninja jobs count in it){busy}.\n"])


def machine_text(results):
    m, v = results["machine"], results["versions"]
    lines = [f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, {m['os']}, "
             f"Linux {m['kernel']}"]
    lines += [f"- {name}: {v[name]}" for name in
              ["ddcc", "ccache", "sccache", "gcc", "clang", "cmake", "ninja", "hyperfine",
               "python", "cython"] if name in v]
    return "\n".join(lines) + "\n"


def chart_panels(results, med):
    tools = tools_of(results)
    panels = []
    for metric, (_, title, unit, _) in METRICS.items():
        if title is None or metric not in med:
            continue
        values = [(t, scaled(med[metric][t], unit)) for t in tools if t in med[metric]]
        if metric in ("project.size", "project.allocated", "project.files"):
            values = [(t, v) for t, v in values if t != "nocache"] or values
        label = {"s": "{:.2f} s", "ms": "{:.1f} ms", "MB": "{:.1f}", "files": "{:.0f}",
                 "KiB": "{:.1f}", "per": "{:.2f}"}[unit]
        panels.append((title, values, label.format))
    return panels


USAGE = """```sh
apt-get install ccache sccache hyperfine librust-regex-dev librust-libc-dev   # once, besides scripts/install-deps
bench/run                  # every scenario, 3 repetitions; writes this page and its chart
bench/run --quick          # a small project and one repetition, to try it out
bench/run --only latency   # a subset: project, python, latency, tiny, rust, remote (comma-separated)
bench/run --tools ddcc,ccache --ddcc build-release/ddcc
bench/run --report-only /tmp/ddcc-bench/results.json   # redraw from a run's raw results
```

Micro-benchmarks of the hit path's parts (hashing, entry compression, statistics update) are
built with Google Benchmark when it is installed: `build/bench/ddcc_micro`. They are not part of
this page.
"""


def write(results, md_path):
    med = medians(results)
    svg_path = os.path.splitext(md_path)[0] + ".svg"
    os.makedirs(os.path.dirname(os.path.abspath(md_path)), exist_ok=True)
    title = f"ddcc benchmarks, {results['date']}{' (quick run)' if results['quick'] else ''}"
    with open(svg_path, "w") as f:
        f.write(svgchart.chart(title, chart_panels(results, med), tools_of(results)))
    parts = [
        "# Benchmarks\n",
        f"Generated by `{results['command']}` on {results['date']}"
        f"{' — a quick run: small project, one repetition' if results['quick'] else ''}"
        f" ({results.get('minutes', '?')} minutes). Do not edit by hand: run the command again "
        f"to regenerate this page and the chart. Issue 5 describes the suite and its targets.\n",
        f"![medians per scenario and configuration]({os.path.basename(svg_path)})\n",
        "## Medians and ratios against ccache\n", summary_table(results, med),
        "Ratios below 1 mean faster (or smaller) than ccache.\n",
    ]
    overheads = overhead_table(results, med)
    if overheads:
        parts += ["## Miss overhead\n", "A cold build's time over the same build without a cache "
                  "(1.00: no overhead).\n", overheads]
    rust = rust_table(results, med)
    if rust:
        parts += ["## Rust: ratios against sccache\n", "ccache does not cache Rust; the Rust "
                  "issue's targets: warm at most 0.7x sccache, cold at most 1.05x no cache.\n",
                  rust]
    remote = remote_table(results, med)
    if remote:
        parts += ["## Remote hits\n", "A compile whose local cache is empty, served by a remote "
                  "on loopback (ccache 4.7 has no TLS; Debian's sccache 0.4 is built without Redis "
                  "and is left out), against the same tool's local hit. The "
                  "remote issue's target, a remote hit within 1.5x a local one, is for ddcc's "
                  "storage helper: without it (the first rows, `storage_helper = false`) every "
                  "compile opens its own connections and makes its own TLS handshake; through it "
                  "(started before the runs) a compile asks over a Unix socket and the helper "
                  "answers on connections it keeps open.\n", remote]
    parts += ["## What runs\n", setup_text(results), method_text(results)]
    direct = direct_rate_table(results)
    if direct:
        parts += ["## Direct hits\n", "A direct hit needs no preprocessor run. ddcc's target is "
                  "a direct-hit rate at least ccache's on every warm step.\n", direct]
    hits = hits_table(results)
    if hits:
        parts += ["## Hits counted by each cache\n", "From each cache's own statistics, zeroed "
                  "before every timed step (latency counts the warm-up runs, the first a miss).\n",
                  hits]
    parts += ["## Machine and versions\n", machine_text(results), "## Running it\n", USAGE,
              "## Every sample\n", samples_table(results)]
    with open(md_path, "w") as f:
        f.write("\n".join(parts))
