"""The four configurations compared: no cache, ddcc, ccache and sccache.

Each run of a scenario starts a configuration on a fresh, empty cache directory (begin) and
ends it (end); sccache's server is stopped and started again with the new directory, on a port
of its own so that a server the user runs elsewhere is left alone."""

import json
import os
import shutil
import subprocess
import time

TOOLS = ["nocache", "ddcc", "ccache", "sccache"]
LABELS = {"nocache": "no cache", "ddcc": "ddcc", "ccache": "ccache", "sccache": "sccache"}


def clean_environment():
    """The caller's environment without any setting of the caches under test."""
    prefixes = ("CCACHE_", "SCCACHE_", "DDCC_", "RUSTC_WRAPPER")
    env = {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}
    env["LC_ALL"] = "C"
    return env


def run_quiet(argv, env, check=True):
    result = subprocess.run(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout}")
    return result


class Cache:
    """One configuration. binary is None for no cache."""

    def __init__(self, name, binary, workdir, sccache_port=4231):
        self.name = name
        self.binary = binary
        self.workdir = workdir
        self.port = str(sccache_port)
        self.cache_dir = None
        self.env = None

    @property
    def label(self):
        return LABELS[self.name]

    def launcher(self):
        """The argv prefix put before the compiler."""
        return [self.binary] if self.binary else []

    def begin(self, tag):
        """Starts on an empty cache directory; returns the environment to build in."""
        self.cache_dir = os.path.join(self.workdir, "caches", f"{self.name}-{tag}")
        shutil.rmtree(self.cache_dir, ignore_errors=True)
        os.makedirs(self.cache_dir)
        env = clean_environment()
        if self.name == "ddcc":
            env["DDCC_DIR"] = self.cache_dir
        elif self.name == "ccache":
            env["CCACHE_DIR"] = self.cache_dir
        elif self.name == "sccache":
            env.update(self.sccache_settings())
        self.env = env
        if self.name == "sccache":
            self.stop_server()
            run_quiet([self.binary, "--start-server"], env)
        return dict(env)

    def base_dir_settings(self, base_dir):
        """The environment that makes the cache treat paths below base_dir as relative (sccache
        0.4 has no such setting)."""
        names = {"ddcc": "DDCC_BASEDIR", "ccache": "CCACHE_BASEDIR"}
        return {names[self.name]: base_dir} if self.name in names else {}

    def sccache_settings(self):
        conf = os.path.join(self.workdir, "sccache-empty.conf")
        if not os.path.exists(conf):
            open(conf, "w").close()
        return {"SCCACHE_DIR": self.cache_dir, "SCCACHE_SERVER_PORT": self.port,
                "SCCACHE_IDLE_TIMEOUT": "0", "SCCACHE_CONF": conf}

    def stop_server(self):
        if self.name != "sccache":
            return
        env = clean_environment()
        env["SCCACHE_SERVER_PORT"] = self.port
        run_quiet([self.binary, "--stop-server"], env, check=False)

    def end(self, remove=True):
        self.stop_server()
        if remove and self.cache_dir:
            shutil.rmtree(self.cache_dir, ignore_errors=True)
        self.cache_dir = None

    def zero_stats(self):
        if self.binary:
            run_quiet([self.binary, "-z"], self.env)

    def read_stats(self):
        """(hits, misses, direct hits) counted since zero_stats, or None for no cache. sccache
        has no direct mode: its direct hits are None."""
        if self.name == "ddcc":
            out = run_quiet([self.binary, "--show-stats", "--json"], self.env).stdout
            stats = json.loads(out)
            return stats["cache_hits"], stats["cache_misses"], stats["direct_hits"]
        if self.name == "ccache":
            out = run_quiet([self.binary, "--print-stats"], self.env).stdout
            values = dict(line.split("\t") for line in out.splitlines() if "\t" in line)
            direct = int(values["direct_cache_hit"])
            return direct + int(values["preprocessed_cache_hit"]), int(values["cache_miss"]), direct
        if self.name == "sccache":
            out = run_quiet([self.binary, "--show-stats", "--stats-format=json"], self.env).stdout
            stats = json.loads(out)["stats"]
            return (sum(stats["cache_hits"]["counts"].values()),
                    sum(stats["cache_misses"]["counts"].values()), None)
        return None

    def cleanup(self, max_size):
        """Evicts down to max_size (as the tool's config reads it); whether the tool can: sccache
        has no such command."""
        if self.name == "ddcc":
            run_quiet([self.binary, "--cleanup"], dict(self.env, DDCC_MAXSIZE=max_size))
        elif self.name == "ccache":
            run_quiet([self.binary, "--cleanup"], dict(self.env, CCACHE_MAXSIZE=max_size))
        else:
            return False
        return True

    def disk_usage(self):
        """(apparent bytes, allocated bytes, files) of the cache directory, once it has stopped
        growing (sccache writes entries from its server after the compile has returned)."""
        last = None
        for _ in range(20):
            usage = directory_usage(self.cache_dir)
            if usage == last:
                break
            last = usage
            time.sleep(0.5)
        return last


def directory_usage(root):
    apparent = allocated = files = 0
    for directory, _, names in os.walk(root):
        for name in names:
            st = os.lstat(os.path.join(directory, name))
            apparent += st.st_size
            allocated += st.st_blocks * 512
            files += 1
    return apparent, allocated, files


def make_caches(ddcc_binary, workdir, tools, sccache_port):
    binaries = {"nocache": None, "ddcc": ddcc_binary, "ccache": shutil.which("ccache"),
                "sccache": shutil.which("sccache")}
    return [Cache(name, binaries[name], workdir, sccache_port) for name in tools]
