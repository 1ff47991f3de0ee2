"""rustc through ddcc as cargo's RUSTC_WRAPPER: a workspace of library crates (one with a
build script that compiles C with the cc crate and a vendored Debian crate) built, cleaned and
built again, every library crate a hit and every output byte for byte the uncached build's;
edits, files read by include_str!, environment variables read by env!, crates found by search,
and calls ddcc does not cache. Uses Debian's rustc and cargo (/usr/bin), offline, with Debian's
vendored crates (/usr/share/cargo/registry)."""

import glob
import os
import pathlib
import shutil
import subprocess
import time
import unittest

from common import DDCC, DdccTestCase

RUSTC = "/usr/bin/rustc"
CARGO = "/usr/bin/cargo"
REGISTRY = "/usr/share/cargo/registry"

FILES = {
    "Cargo.toml": '[workspace]\nmembers = ["a", "b", "app"]\n',
    ".cargo/config.toml": (
        '[source.crates-io]\nreplace-with = "debian"\n'
        f'[source.debian]\ndirectory = "{REGISTRY}"\n[net]\noffline = true\n'),
    "a/Cargo.toml": ('[package]\nname = "a"\nversion = "0.1.0"\nedition = "2021"\n'
                     '[dependencies]\nmemchr = "2"\n[build-dependencies]\ncc = "1"\n'),
    "a/build.rs": 'fn main() { cc::Build::new().file("native.c").compile("native"); }\n',
    "a/native.c": "int native_seven(void) { return 7; }\n",
    "a/src/lib.rs": ('mod util;\nextern "C" { fn native_seven() -> i32; }\n'
                     "pub fn a() -> u32 {\n"
                     "    util::x() + memchr::memchr(b'z', b\"xyz\").unwrap() as u32\n"
                     "        + unsafe { native_seven() } as u32\n"
                     '        + include_str!("../data.txt").trim().len() as u32\n}\n'),
    "a/src/util.rs": "pub fn x() -> u32 { 40 }\n",
    "a/data.txt": "abc\n",
    "b/Cargo.toml": ('[package]\nname = "b"\nversion = "0.1.0"\nedition = "2021"\n'
                     '[dependencies]\na = { path = "../a" }\n'),
    "b/src/lib.rs": "pub fn b() -> u32 { a::a() + 1 }\n",
    "app/Cargo.toml": ('[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n'
                       '[dependencies]\nb = { path = "../b" }\n'),
    "app/src/main.rs": 'fn main() { println!("{}", b::b()); }\n',
}
LIBRARY_CRATES = 4  # memchr, cc, a, b


def HITS(stats):
    return stats["direct_hits"] + stats["preprocessed_hits"]


@unittest.skipUnless(os.path.exists(CARGO) and os.path.exists(f"{REGISTRY}/memchr-2.5.0"),
                     "needs Debian's cargo and librust-memchr-dev, librust-cc-dev")
class CargoTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        for name, text in FILES.items():
            self.write(name, text)
        # Debian's toolchain first; a workspace's own crates build incrementally by default,
        # which no cache can serve (docs/rust.md).
        self.env.update(PATH="/usr/bin:" + self.env["PATH"], RUSTC=RUSTC, CARGO_INCREMENTAL="0")

    def cargo(self, *args, wrapper=True, tree=None, env=None):
        # docs/rust.md's recipe: the cc crate's C compiles go through ddcc too.
        env = env or self.env
        env = dict(env, RUSTC_WRAPPER=DDCC, CC=f"{DDCC} cc") if wrapper else env
        result = self.run_cmd([CARGO, *args], env=env, cwd=tree)
        self.assertEqual(result.returncode, 0, result.stderr.decode())
        return result

    def outputs(self, tree=None):
        deps = os.path.join(tree or self.work, "target/debug/deps")
        return {os.path.basename(p): pathlib.Path(p).read_bytes()
                for p in glob.glob(os.path.join(deps, "*")) if os.path.isfile(p)}

    def run_app(self):
        return self.run_cmd([os.path.join(self.work, "target/debug/app")]).stdout.decode()

    def test_clean_rebuilds_hit_every_library_crate_byte_for_byte(self):
        self.cargo("build", wrapper=False)
        plain = self.outputs()
        self.assertEqual(self.run_app(), "53\n")
        self.cargo("clean")
        self.cargo("build")
        self.assertEqual(self.outputs(), plain)
        self.assertEqual(self.stats()["languages"]["rust"]["cache_misses"], LIBRARY_CRATES)
        self.cargo("clean")
        self.cargo("build")
        self.assertEqual(self.outputs(), plain)
        languages = self.stats()["languages"]
        # Direct hits: the manifests of the first build spare the dep-info passes.
        self.assertEqual(languages["rust"], {"direct_hits": LIBRARY_CRATES, "preprocessed_hits": 0,
                                             "cache_misses": LIBRARY_CRATES})
        self.assertEqual(languages["c"], {"direct_hits": 1, "preprocessed_hits": 0,
                                          "cache_misses": 1})  # a's build script's native.c
        self.assertEqual(self.run_app(), "53\n")

    def test_an_edit_misses_its_crate_and_dependents_only(self):
        self.cargo("build")
        for path, text, expected in (("a/src/util.rs", "pub fn x() -> u32 { 41 }\n", "54\n"),
                                     ("a/data.txt", "abcd\n", "55\n")):
            with self.subTest(edited=path):
                before = self.stats()["languages"]["rust"]
                self.write(path, text)
                self.cargo("build", wrapper=False)
                plain = self.outputs()
                self.assertEqual(self.run_app(), expected)
                self.cargo("clean")
                self.cargo("build")
                self.assertEqual(self.outputs(), plain)
                self.assertEqual(self.run_app(), expected)
                after = self.stats()["languages"]["rust"]
                # a and b compiled again; memchr and cc served.
                self.assertEqual(after["cache_misses"] - before["cache_misses"], 2)
                self.assertEqual(after["direct_hits"] - before["direct_hits"], 2)

    def test_as_the_workspace_wrapper_only_the_workspace_crates_go_through_ddcc(self):
        env = dict(self.env, RUSTC_WORKSPACE_WRAPPER=DDCC)
        for _ in range(2):
            self.cargo("build", wrapper=False, env=env)
            self.assertEqual(self.run_app(), "53\n")
            self.cargo("clean")
        rust = self.stats()["languages"]["rust"]
        self.assertEqual((HITS(rust), rust["cache_misses"]), (2, 2))  # a and b

    def second_tree(self, remap):
        """The workspace built through ddcc at one path, then a copy at another path and depth
        built without ddcc, cleaned and built through it, with DDCC_BASEDIR above both; the
        copy's outputs asserted the same both times, none naming the first tree. Returns the
        Rust statistics of the copy's cached build."""
        trees = [os.path.join(self.work, "one"), os.path.join(self.work, "elsewhere/second")]
        for tree in trees:
            for name, text in FILES.items():
                self.write(os.path.join(tree, name), text)

        def env(tree):
            env = dict(self.env, DDCC_BASEDIR=self.work)
            if remap:  # the user's own: the outputs name /ws in every tree
                env.update(RUSTFLAGS=f"--remap-path-prefix={tree}=/ws",
                           CFLAGS=f"-ffile-prefix-map={tree}=/ws")
            return env

        self.cargo("build", tree=trees[0], env=env(trees[0]))
        self.cargo("build", tree=trees[1], env=env(trees[1]), wrapper=False)
        plain = self.outputs(trees[1])
        self.cargo("clean", tree=trees[1])
        before = self.stats()["languages"]["rust"]
        self.cargo("build", tree=trees[1], env=env(trees[1]))
        self.assertEqual(self.outputs(trees[1]), plain)
        for path in glob.glob(os.path.join(trees[1], "target/**"), recursive=True):
            if os.path.isfile(path):
                self.assertNotIn(trees[0].encode(), pathlib.Path(path).read_bytes(), path)
        self.assertEqual(self.run_cmd([os.path.join(trees[1], "target/debug/app")]).stdout, b"53\n")
        after = self.stats()["languages"]["rust"]
        return {name: after[name] - before[name] for name in after}

    def test_a_second_tree_hits_with_the_users_remap(self):
        self.assertEqual(self.second_tree(remap=True),
                         {"direct_hits": LIBRARY_CRATES, "preprocessed_hits": 0, "cache_misses": 0})

    def test_without_a_remap_only_crates_outside_the_tree_hit_in_a_second_one(self):
        """The workspace's own crates name their tree in their metadata and debug information
        without a remap; Debian's vendored memchr and cc, compiled in the registry, do not."""
        self.assertEqual(self.second_tree(remap=False),
                         {"direct_hits": 2, "preprocessed_hits": 0, "cache_misses": 2})


@unittest.skipUnless(os.path.exists(RUSTC), "needs Debian's rustc")
class RustcTest(DdccTestCase):
    """rustc called directly, as cargo calls it."""

    def lib_args(self, name="lib", out="out"):
        os.makedirs(os.path.join(self.work, out), exist_ok=True)  # as cargo makes it
        return ["--crate-name", name, "--crate-type", "lib", "--edition=2021",
                "--emit=dep-info,metadata,link", "--out-dir", out, f"{name}.rs"]

    def both(self, args, env=None):
        """rustc's run and outputs without ddcc, then with; asserted the same."""
        env = env or self.env
        out = os.path.join(self.work, "out")
        self.clear(out)
        plain = self.run_cmd([RUSTC, *args], env=env, stdin=subprocess.DEVNULL)
        plain_files = self.files(out)
        self.clear(out)
        cached = self.ddcc(RUSTC, *args, env=env, stdin=subprocess.DEVNULL)
        self.assert_same_run(plain, cached)
        self.assertEqual(self.files(out), plain_files)
        return cached

    def clear(self, out):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)

    def files(self, out):
        if not os.path.isdir(out):
            return {}
        return {p.name: p.read_bytes() for p in pathlib.Path(out).iterdir() if p.is_file()}

    def test_environment_variables_read_by_env_are_in_the_key(self):
        self.write("lib.rs", 'pub const V: &str = env!("DDCC_TEST_VALUE");\n')
        for value in ("one", "two", "one"):
            with self.subTest(value=value):
                self.both(self.lib_args(), env=dict(self.env, DDCC_TEST_VALUE=value))
        stats = self.stats()
        self.assertEqual((HITS(stats), stats["cache_misses"]), (1, 2))
        self.write("lib.rs", 'pub const V: &str = env!("DDCC_TEST_VALUE");\npub const W: u8 = 1;\n')
        self.both(self.lib_args(), env=dict(self.env, DDCC_TEST_VALUE="three"))
        explained = self.ddcc("--explain", "out/liblib.rlib").stdout.decode()
        self.assertIn("environment read DDCC_TEST_VALUE changed: one -> three", explained)
        self.assertIn("source lib.rs changed", explained)

    def test_modules_and_included_files_are_in_the_key(self):
        self.write("lib.rs", 'mod m;\npub const T: &str = include_str!("t.txt");\n')
        self.write("m.rs", "pub fn f() -> u32 { 1 }\n")
        self.write("t.txt", "first")
        self.both(self.lib_args())
        self.write("m.rs", "pub fn f() -> u32 { 2 }\n")
        self.both(self.lib_args())
        self.write("t.txt", "second")
        self.both(self.lib_args())
        self.both(self.lib_args())
        stats = self.stats()
        self.assertEqual((HITS(stats), stats["cache_misses"]), (1, 3))
        # Touched, the same content: still a direct hit. A second file for module m makes
        # rustc refuse the crate, and the direct lookup knows to look again.
        later = time.time() + 5
        os.utime(os.path.join(self.work, "m.rs"), (later, later))
        self.both(self.lib_args())
        self.assertEqual(self.stats()["direct_hits"], 2)
        self.write("m/mod.rs", "pub fn f() -> u32 { 3 }\n")
        failed = self.both(self.lib_args())
        self.assertNotEqual(failed.returncode, 0)
        self.assertIn(b"E0761", failed.stderr)

    def test_extern_crates_are_in_the_key(self):
        self.write("dep.rs", "pub fn v() -> u32 { 1 }\n")
        self.write("lib.rs", "pub fn w() -> u32 { dep::v() }\n")
        args = [*self.lib_args(), "--extern", "dep=dep/libdep.rlib"]
        dep_args = self.lib_args("dep", "dep")
        self.assertEqual(self.run_cmd([RUSTC, *dep_args]).returncode, 0)
        self.both(args)
        self.write("dep.rs", "pub fn v() -> u32 { 2 }\n")
        self.assertEqual(self.run_cmd([RUSTC, *dep_args]).returncode, 0)
        self.both(args)
        self.assertEqual(self.stats()["cache_misses"], 2)

    def test_a_source_saved_after_the_dep_info_pass_is_not_stored(self):
        """A file saved once rustc's dep-info pass has started may name one the pass did not
        list (a new `mod`): what the compile then made is not stored. A modification time in
        the future stands for such a save."""
        self.write("lib.rs", "pub fn f() -> u32 { 1 }\n")
        later = time.time() + 3600
        os.utime(os.path.join(self.work, "lib.rs"), (later, later))
        self.both(self.lib_args())
        self.both(self.lib_args())
        self.assertEqual(HITS(self.stats()), 0)
        self.assertIn("changed during the compile", self.log())

    def test_a_crate_found_by_search_is_not_cached(self):
        self.write("dep.rs", "pub fn v() -> u32 { 1 }\n")
        self.write("lib.rs", "extern crate dep;\npub fn w() -> u32 { dep::v() }\n")
        self.assertEqual(self.run_cmd([RUSTC, *self.lib_args("dep", "dep")]).returncode, 0)
        self.both([*self.lib_args(), "-L", "dependency=dep"])
        stats = self.stats()
        self.assertEqual(stats["cache_misses"] + HITS(stats), 0)
        # One no -L directory holds is behind a #[cfg] that is off (as libc's for building
        # std): the crate is cached.
        self.write("lib.rs", "#[cfg(any())]\nextern crate elsewhere;\npub fn w() -> u32 { 1 }\n")
        self.both([*self.lib_args(), "-L", "dependency=dep"])
        self.both([*self.lib_args(), "-L", "dependency=dep"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (1, 1))

    def test_failures_and_calls_not_cached_run_as_without_ddcc(self):
        self.write("lib.rs", "pub fn f() -> u32 { \"not a number\" }\n")
        self.both(self.lib_args())
        self.both([*self.lib_args(), "--error-format=json"])
        self.write("lib.rs", "pub fn f() -> u32 { 1 }\n")
        for args in (["-vV"], ["--version"], ["-", "--crate-name", "___", "--print=file-names"],
                     [*self.lib_args(), "-C", "incremental=out/inc"], [*self.lib_args(), "--bogus"],
                     ["--crate-name", "m", "--crate-type", "bin", "--out-dir", "out", "lib.rs"]):
            with self.subTest(args=args):
                self.both(args)
        stats = self.stats()
        self.assertEqual(stats["cache_misses"] + HITS(stats), 0)

    def test_another_directory_below_a_base_directory(self):
        """With DDCC_BASEDIR above two directories and the user's remap of each, a crate compiled
        in the second hits, its outputs (dependency file, artifact notices, warnings) byte for
        byte rustc's there and naming nothing of the first; a crate that reads its directory
        (env!), is compiled without the remap, or whose messages name a path below the base
        directory misses."""
        sources = {
            "plain": "pub fn f() -> u32 { let unused = 1; 2 }\n",
            "reads its directory": 'pub const D: &str = env!("DDCC_TEST_DIR");\n',
            "names a path below the base": 'include!("SHARED/shared.rs");\n',
        }
        shared = self.write("shared/shared.rs", "pub fn s() -> u32 { let unused = 3; 4 }\n")
        expected = {"plain": (1, 1), "reads its directory": (0, 2),
                    "names a path below the base": (0, 2), "no remap": (0, 2)}
        for case, (hits, misses) in expected.items():
            with self.subTest(case=case):
                before = self.stats()
                for tree in ("one", "other/two"):
                    cwd = os.path.join(self.work, case.replace(" ", "_"), tree)
                    text = sources.get(case, sources["plain"]).replace("SHARED", os.path.dirname(shared))
                    self.write(os.path.join(cwd, "lib.rs"), text)
                    out = os.path.join(cwd, "target")
                    args = [*self.lib_args(out=out), "--error-format=json", "--json=artifacts"]
                    if case != "no remap":
                        args.append(f"--remap-path-prefix={cwd}=/ws")
                    env = dict(self.env, DDCC_BASEDIR=self.work, DDCC_TEST_DIR=cwd)
                    shutil.rmtree(out, ignore_errors=True)
                    os.makedirs(out)
                    plain = self.run_cmd([RUSTC, *args], cwd=cwd, env=env)
                    plain_files = self.files(out)
                    shutil.rmtree(out)
                    os.makedirs(out)
                    cached = self.ddcc(RUSTC, *args, cwd=cwd, env=env)
                    self.assert_same_run(plain, cached)
                    self.assertEqual(self.files(out), plain_files)
                    if tree != "one" and case == "plain":
                        first = os.path.join(self.work, "plain/one").encode()
                        for content in (cached.stderr, *plain_files.values()):
                            self.assertNotIn(first, content)
                after = self.stats()
                self.assertEqual((HITS(after) - HITS(before),
                                  after["cache_misses"] - before["cache_misses"]), (hits, misses))

    def test_a_miss_passes_messages_on_as_rustc_writes_them(self):
        """cargo starts a crate's dependents when rustc says the crate's metadata is written, while
        the compile goes on: a miss passes rustc's messages on as they come. A stand-in rustc
        prints the notice, then waits for the test to have read it."""
        toolchain = os.path.join(self.work, "toolchain")
        os.makedirs(os.path.join(toolchain, "lib/rustlib/x86_64-unknown-linux-gnu/lib"))
        go = os.path.join(self.work, "go")
        rustc = self.write("toolchain/bin/rustc", f"""#!/bin/sh
if [ "$1" = -vV ]; then
  printf 'rustc 1.0.0\\nhost: x86_64-unknown-linux-gnu\\nrelease: 1.0.0\\n'; exit 0
fi
printf 'out/liblib.rmeta: lib.rs\\n\\nout/lib.d: lib.rs\\n\\nlib.rs:\\n' > out/lib.d
echo metadata > out/liblib.rmeta
echo '{{"artifact":"out/liblib.rmeta","emit":"metadata"}}' >&2
for i in $(seq 100); do [ -e {go} ] && exit 0; sleep 0.1; done
exit 1
""")
        os.chmod(rustc, 0o755)
        self.write("lib.rs", "pub fn f() {}\n")
        os.makedirs(os.path.join(self.work, "out"))
        args = ["--crate-name", "lib", "--crate-type", "lib", "--emit=dep-info,metadata",
                "--out-dir", "out", "--error-format=json", "--json=artifacts", "lib.rs"]
        self.settle()
        process = subprocess.Popen([DDCC, rustc, *args], cwd=self.work, env=self.env,
                                   stderr=subprocess.PIPE)
        self.assertIn(b'"emit":"metadata"', process.stderr.readline())
        pathlib.Path(go).touch()
        process.stderr.read()
        self.assertEqual(process.wait(), 0)
        self.assertEqual(self.stats()["cache_misses"], 1)

    def test_a_hit_replays_messages(self):
        self.write("lib.rs", "pub fn f() -> u32 { let unused = 1; 2 }\n")
        first = self.both([*self.lib_args(), "--error-format=json", "--json=artifacts"])
        second = self.both([*self.lib_args(), "--error-format=json", "--json=artifacts"])
        self.assertIn(b"unused", second.stderr)
        self.assertEqual(first.stderr, second.stderr)
        self.assertEqual(HITS(self.stats()), 1)


if __name__ == "__main__":
    unittest.main()
