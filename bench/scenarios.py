"""The scenarios. Each function runs one configuration once, on a fresh cache, and returns its
measurements: {metric: value} for times in seconds and sizes, and {metric: (hits, misses)} for
what the cache counted during each timed step."""

import concurrent.futures
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import genproject

PYTHON = "/usr/bin/python3"
# Release without -g: objects then do not name the build directory, so every cache may hit in a
# second build directory. -O2 as most distributions build.
CMAKE_FLAGS = ["-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG",
               "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG"]


def run(argv, env, cwd=None):
    result = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"in {cwd or os.getcwd()}: {shlex.join(argv)} failed "
                           f"({result.returncode}):\n{result.stdout[-4000:]}")
    return result


class Measurer:
    """Times steps and collects each step's time and cache statistics."""

    def __init__(self, cache):
        self.cache = cache
        self.values = {}
        self.hits = {}

    def timed(self, metric, argv, env, cwd=None):
        self.cache.zero_stats()
        start = time.monotonic()
        run(argv, env, cwd)
        self.values[metric] = time.monotonic() - start
        stats = self.cache.read_stats()
        if stats is not None:
            self.hits[metric] = stats
        return self.values[metric]


# The generated C/C++ project ------------------------------------------------------------------

PROJECT_STEPS = ["cold", "warm", "newdir", "checkout", "touch", "edit"]


def configure(ctx, cache, build_dir, env, project_dir=None):
    shutil.rmtree(build_dir, ignore_errors=True)
    source_dir = os.path.join(project_dir or ctx.project_dir, ctx.project_info["cmake_dir"])
    argv = ["cmake", "-S", source_dir, "-B", build_dir, "-G", "Ninja"] + CMAKE_FLAGS
    if cache.binary:
        argv += [f"-DCMAKE_C_COMPILER_LAUNCHER={cache.binary}",
                 f"-DCMAKE_CXX_COMPILER_LAUNCHER={cache.binary}"]
    run(argv, env)


def ninja(ctx, build_dir):
    return ["ninja", "-C", build_dir] + (["-j", str(ctx.jobs)] if ctx.jobs else [])


def run_project(ctx, cache, tag):
    """Cold build; warm rebuild after `ninja -t clean`; warm build in a second build directory;
    warm build of a second checkout at another path (with the cache's base directory set to the
    directory above both, for every step); rebuild after touching the hub header; rebuild after
    changing a macro in it. Without a cache the warm builds are the cold build's work again and
    are not repeated."""
    info = ctx.project_info
    hub = os.path.join(ctx.project_dir, info["hub_header"])
    with open(hub, "w") as f:
        f.write(ctx.hub_text)
    env = cache.begin(tag)
    env.update(cache.base_dir_settings(ctx.workdir))
    m = Measurer(cache)
    try:
        build_a = os.path.join(ctx.workdir, "build-a")
        # At the depth of build-a: the base directory makes paths relative to the build.
        build_b = os.path.join(ctx.workdir, "build-b")
        configure(ctx, cache, build_a, env)
        m.timed("project.cold", ninja(ctx, build_a), env)
        if cache.binary:
            m.values["project.size"], m.values["project.allocated"], m.values[
                "project.files"] = cache.disk_usage()
            run(ninja(ctx, build_a) + ["-t", "clean"], env)
            m.timed("project.warm", ninja(ctx, build_a), env)
            configure(ctx, cache, build_b, env)
            m.timed("project.newdir", ninja(ctx, build_b), env)
            # The same layout at a path of another length: the checkout beside its build.
            checkout = os.path.join(ctx.workdir, "second-checkout", "src", "project")
            copy_tree(ctx.project_dir, checkout)
            build_c = os.path.join(ctx.workdir, "second-checkout", "build-a")
            configure(ctx, cache, build_c, env, project_dir=checkout)
            m.timed("project.checkout", ninja(ctx, build_c), env)
            last = build_b
        else:
            for step in ["warm", "newdir", "checkout"]:
                m.values[f"project.{step}"] = m.values["project.cold"]
            last = build_a
        os.utime(hub)
        m.timed("project.touch", ninja(ctx, last), env)
        genproject.edit_hub(ctx.project_dir, info, ctx.hub_level + 1)
        m.timed("project.edit", ninja(ctx, last), env)
    finally:
        cache.end()
        with open(hub, "w") as f:
            f.write(ctx.hub_text)
    return m


# Python extensions ----------------------------------------------------------------------------

def copy_tree(src, dst):
    shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst)


def run_python(ctx, cache, tag):
    """setup.py build_ext in a fresh copy (cold), again with --force (warm), and in a second
    copy in a new temporary directory, as pip builds (copy)."""
    env = cache.begin(tag)
    compilers = {"CC": "gcc", "CXX": "g++"}
    for var, compiler in compilers.items():
        env[var] = shlex.join(cache.launcher() + [compiler])
    m = Measurer(cache)
    build = [PYTHON, "setup.py", "build_ext"]
    second = None
    try:
        first = os.path.join(ctx.workdir, "python-a")
        copy_tree(ctx.python_dir, first)
        m.timed("python.cold", build, env, cwd=first)
        m.timed("python.warm", build + ["--force"], env, cwd=first)
        second = tempfile.mkdtemp(prefix="pip-build-", dir=ctx.workdir)
        copy_tree(ctx.python_dir, os.path.join(second, "src"))
        m.timed("python.copy", build, env, cwd=os.path.join(second, "src"))
    finally:
        cache.end()
        if second:
            shutil.rmtree(second, ignore_errors=True)
    return m


# Per-hit latency ------------------------------------------------------------------------------

def hyperfine(ctx, argv, env, runs, warmup, prepare=None):
    """`prepare`, if given, runs before every run, warm-up ones too."""
    out = os.path.join(ctx.workdir, "hyperfine.json")
    command = shlex.join(argv)
    options = ["--prepare", shlex.join(prepare)] if prepare else []
    run(["hyperfine", "-N", "--style", "basic", "--warmup", str(warmup), "--runs", str(runs),
         *options, "--export-json", out, command], env)
    with open(out) as f:
        return json.load(f)["results"][0]["median"]


def run_latency(ctx, cache, tag):
    """hyperfine's median time of `<cache> gcc -O2 -c` on a small and a large file: after the
    warm-up runs every timed run is a hit; without a cache it is the plain compile."""
    env = cache.begin(tag)
    m = Measurer(cache)
    try:
        for name in ["small", "large"]:
            source = os.path.join(ctx.latency_dir, f"{name}.c")
            obj = os.path.join(ctx.workdir, f"latency-{name}.o")
            argv = cache.launcher() + ["gcc", "-O2", "-c", source, "-o", obj]
            runs = ctx.latency_runs[name]
            cache.zero_stats()
            m.values[f"latency.{name}"] = hyperfine(ctx, argv, env, runs, ctx.warmup)
            stats = cache.read_stats()
            if stats is not None:
                m.hits[f"latency.{name}"] = stats
    finally:
        cache.end()
    return m


# Many tiny compiles into one cache -------------------------------------------------------------

# As a user writes max_size = 10M: 10,000,000 bytes for ccache and ddcc.
TINY_LIMIT = "10M"
TINY_LIMIT_BYTES = 10 * 1000 * 1000


def run_tiny(ctx, cache, tag):
    """Every tiny source compiled once (two at a time) into one cache: what the cache holds on
    disk per compile, in files and allocated bytes; then, where the cache has a command for it,
    a cleanup to max_size = 10M and what its files occupy after it, over the limit. Sizes are
    the same every time: one repetition."""
    m = Measurer(cache)
    if not cache.binary:
        return m
    env = cache.begin(tag)
    try:
        objects = os.path.join(ctx.workdir, "tiny-objects")
        shutil.rmtree(objects, ignore_errors=True)
        os.makedirs(objects)
        argvs = [cache.launcher() + ["gcc", "-O2", "-c", source, "-o",
                                     os.path.join(objects, os.path.basename(source) + ".o")]
                 for source in ctx.tiny_sources]
        start = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda argv: run(argv, env), argvs))
        m.values["tiny.cold"] = time.monotonic() - start
        _, allocated, files = cache.disk_usage()
        m.values["tiny.allocated"] = allocated / len(argvs)
        m.values["tiny.files"] = files / len(argvs)
        if cache.cleanup(TINY_LIMIT):
            m.values["tiny.cleaned"] = cache.disk_usage()[1] / TINY_LIMIT_BYTES
        shutil.rmtree(objects, ignore_errors=True)
    finally:
        cache.end()
    return m


# Rust ------------------------------------------------------------------------------------------

def run_rust(ctx, cache, tag):
    """cargo build of the workspace in a fresh copy (cold), then after `cargo clean` (warm), then
    of a second copy at another path and depth (second tree), with the cache as RUSTC_WRAPPER and
    Debian's rustc and cargo, and the cache's base directory the work directory (sccache 0.4 has
    none). No build maps its tree with `--remap-path-prefix` (sccache 0.4 does not cache a call
    that does), so the workspace's own crates name their tree and no cache may share them between
    trees. Workspace crates build without incremental compilation (CARGO_INCREMENTAL=0), which no
    cache can serve. ccache has no Rust support and is left out."""
    m = Measurer(cache)
    if cache.name == "ccache":
        return m
    env = cache.begin(tag)
    env.update(PATH="/usr/bin:" + env["PATH"], RUSTC="/usr/bin/rustc", CARGO_INCREMENTAL="0",
               **cache.base_dir_settings(ctx.workdir))
    if cache.binary:
        env["RUSTC_WRAPPER"] = cache.binary
    build = ["/usr/bin/cargo", "build"]
    trees = [os.path.join(ctx.workdir, "rust-a"), os.path.join(ctx.workdir, "elsewhere", "rust-b")]

    try:
        for tree in trees:
            copy_tree(ctx.rust_dir, tree)
        m.timed("rust.cold", build, env, cwd=trees[0])
        if cache.binary:
            run(["/usr/bin/cargo", "clean"], env, cwd=trees[0])
            m.timed("rust.warm", build, env, cwd=trees[0])
            m.timed("rust.second", build, env, cwd=trees[1])
        else:
            m.values["rust.warm"] = m.values["rust.second"] = m.values["rust.cold"]
    finally:
        cache.end()
        for tree in trees:
            shutil.rmtree(tree, ignore_errors=True)
    return m


# Remote storage -------------------------------------------------------------------------------

# The servers of the tests: redis-server and nginx, each plain and over TLS, on loopback.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
import remote_servers  # noqa: E402

REMOTE_BACKENDS = ["redis", "rediss", "http", "https"]


def remote_settings(cache, backend, server):
    """The environment that points the cache at `server`; None where it cannot use it: ccache 4.7
    has no TLS, and Debian's sccache 0.4 is built without Redis ("cache type is not enabled")."""
    if cache.name == "ddcc":
        return {"DDCC_REMOTE_STORAGE": server.url(attributes=""), "DDCC_STORAGE_HELPER": "false"}
    if cache.name == "ccache" and backend in ("redis", "http"):
        return {"CCACHE_REMOTE_STORAGE": server.url(attributes="")}
    return None


def start_remote(backend, directory):
    os.makedirs(directory)
    tls = (remote_servers.make_certificates(os.path.join(directory, "tls"))
           if backend in ("rediss", "https") else None)
    if backend.startswith("redis"):
        return remote_servers.RedisServer(directory, tls=tls)
    return remote_servers.NginxServer(directory, tls=tls)


def remove_entries(cache_dir):
    """A command that removes the entries from a cache directory and keeps the rest (its counters,
    its directories), as a build's compiles after the first find it: ddcc's entries end in .e,
    ccache's results and manifests in R and M."""
    return ["find", cache_dir, "-type", "f", "(", "-name", "*.e", "-o", "-name", "*R", "-o",
            "-name", "*M", ")", "-delete"]


def run_remote(ctx, cache, tag):
    """hyperfine's median time of `<cache> gcc -O2 -c` on the small file served by a remote on
    loopback (Redis and nginx, each plain and over TLS): the local cache's entries are removed
    before every run, so each is a remote hit; ddcc's with and without its storage helper. Beside it, the same
    compile's local hit (remote.local)."""
    m = Measurer(cache)
    if cache.name not in ("ddcc", "ccache"):
        return m
    source = os.path.join(ctx.latency_dir, "small.c")
    obj = os.path.join(ctx.workdir, "remote-small.o")
    argv = cache.launcher() + ["gcc", "-O2", "-c", source, "-o", obj]
    runs = ctx.latency_runs["small"]
    locals_ = []
    for backend in REMOTE_BACKENDS:
        env = cache.begin(f"{tag}-{backend}")
        server = None
        try:
            server = start_remote(backend, os.path.join(ctx.workdir, "remote",
                                                        f"{cache.name}-{tag}-{backend}"))
            settings = remote_settings(cache, backend, server)
            if settings is None:
                continue
            env.update(settings)
            run(argv, env)  # fills the remote
            # The local hit again before each remote's, so that the baseline spans the same
            # minutes as the remote hits (a shared machine's speed drifts); the same prepare
            # step, on an empty directory: hyperfine's prepare runs change what the page cache
            # and the CPU's caches hold for the timed run.
            empty = os.path.join(ctx.workdir, "remote", "empty")
            os.makedirs(empty, exist_ok=True)
            locals_.append(hyperfine(ctx, argv, env, runs, ctx.warmup,
                                     prepare=remove_entries(empty)))
            m.values[f"remote.{backend}"] = hyperfine(ctx, argv, env, runs, ctx.warmup,
                                                      prepare=remove_entries(cache.cache_dir))
            if cache.name == "ddcc":
                # Again through the storage helper, started beforehand as a build's first
                # compile would start it.
                runtime = os.path.join(ctx.workdir, "remote", f"run-{tag}-{backend}")
                os.makedirs(runtime, mode=0o700)
                env.update(DDCC_STORAGE_HELPER="true", XDG_RUNTIME_DIR=runtime)
                run(cache.launcher() + ["--start-server"], env)
                try:
                    m.values[f"remote.{backend}.helper"] = hyperfine(
                        ctx, argv, env, runs, ctx.warmup, prepare=remove_entries(cache.cache_dir))
                finally:
                    run(cache.launcher() + ["--stop-server"], env)
        finally:
            if server:
                server.stop()
            cache.end()
    if locals_:
        m.values["remote.local"] = statistics.median(locals_)
    remote_build(ctx, cache, tag, m)
    return m


# The backends of the warm build from a remote: one plain, one over TLS (ccache: the plain one).
REMOTE_BUILD_BACKENDS = ["redis", "https"]


def remote_build(ctx, cache, tag, m):
    """The project built into an empty local cache from remotes that a cold build filled: a
    team member's first build after CI's (remote.build.<backend>, ddcc's with and without its
    storage helper), against a warm build from a filled local cache (remote.build.local)."""
    env = cache.begin(f"{tag}-build")
    servers = {}
    try:
        for backend in REMOTE_BUILD_BACKENDS:
            server = start_remote(backend, os.path.join(ctx.workdir, "remote",
                                                        f"{cache.name}-{tag}-build-{backend}"))
            servers[backend] = server
        urls = {backend: remote_settings(cache, backend, server)
                for backend, server in servers.items()}
        urls = {backend: settings for backend, settings in urls.items() if settings}
        variable = next(iter(next(iter(urls.values())).keys()))  # DDCC_ or CCACHE_REMOTE_STORAGE
        fill = dict(env, **next(iter(urls.values())))
        fill[variable] = " ".join(settings[variable] for settings in urls.values())
        build = os.path.join(ctx.workdir, "build-remote")
        configure(ctx, cache, build, fill)
        run(ninja(ctx, build), fill)  # fills the local cache and every remote
        run(ninja(ctx, build) + ["-t", "clean"], fill)
        m.timed("remote.build.local", ninja(ctx, build), fill)
        for backend, settings in urls.items():
            ways = [("", "false"), (".helper", "true")] if cache.name == "ddcc" else [("", None)]
            for suffix, helper in ways:
                shutil.rmtree(cache.cache_dir)
                os.makedirs(cache.cache_dir)
                run(ninja(ctx, build) + ["-t", "clean"], fill)
                step = dict(env, **settings)
                if helper:
                    runtime = os.path.join(ctx.workdir, "remote", f"run-{tag}-build-{backend}")
                    os.makedirs(runtime, mode=0o700, exist_ok=True)
                    step.update(DDCC_STORAGE_HELPER=helper, XDG_RUNTIME_DIR=runtime)
                if helper == "true":
                    run(cache.launcher() + ["--start-server"], step)
                try:
                    m.timed(f"remote.build.{backend}{suffix}", ninja(ctx, build), step)
                finally:
                    if helper == "true":
                        run(cache.launcher() + ["--stop-server"], step)
    finally:
        for server in servers.values():
            server.stop()
        cache.end()


SCENARIOS = {"project": run_project, "python": run_python, "latency": run_latency,
             "tiny": run_tiny, "rust": run_rust, "remote": run_remote}
