"""cargo with ddcc as its RUSTC_WRAPPER: a workspace of library crates (one with a build script
that compiles C with the cc crate and a vendored Debian crate) built, cleaned and built again,
every library crate a hit and every output byte for byte the uncached build's; an edit misses its
crate and dependents only; RUSTC_WORKSPACE_WRAPPER; a second tree at another path. Uses Debian's
rustc and cargo (/usr/bin), offline, with Debian's vendored crates (/usr/share/cargo/registry).
The calls themselves are tested in test_rust.py."""

import glob
import os
import pathlib
import unittest

from common import DDCC, DdccTestCase
from test_rust import CARGO, HITS, REGISTRY, RUSTC

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
                                             "cache_misses": LIBRARY_CRATES}, self.not_stored())
        self.assertEqual(languages["c"], {"direct_hits": 1, "preprocessed_hits": 0,
                                          "cache_misses": 1})  # a's build script's native.c
        self.assertEqual(self.run_app(), "53\n")

    def test_an_edit_misses_its_crate_and_dependents_only(self):
        self.cargo("build")
        # (Files read by include_str! are in the key as modules are: test_rust.py.)
        for path, text, expected in (("a/src/util.rs", "pub fn x() -> u32 { 41 }\n", "54\n"),):
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
        stats = self.stats()
        rust = stats["languages"]["rust"]
        self.assertEqual((HITS(rust), rust["cache_misses"]), (2, 2),  # a and b
                         (stats["uncacheable_reasons"], stats["errors"], self.log()[-3000:]))

    def second_tree(self):
        """The workspace built through ddcc at one path, then a copy at another path and depth
        built without ddcc, cleaned and built through it, with DDCC_BASEDIR above both; the
        copy's outputs asserted the same both times, none naming the first tree. Returns the
        Rust statistics of the copy's cached build."""
        trees = [os.path.join(self.work, "one"), os.path.join(self.work, "elsewhere/second")]
        for tree in trees:
            for name, text in FILES.items():
                self.write(os.path.join(tree, name), text)

        def env(tree):
            # The user's own remaps: the outputs name /ws in every tree. (Without them the
            # workspace's crates name their tree: test_rust.py.)
            return dict(self.env, DDCC_BASEDIR=self.work,
                        RUSTFLAGS=f"--remap-path-prefix={tree}=/ws",
                        CFLAGS=f"-ffile-prefix-map={tree}=/ws")

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
        self.assertEqual(self.second_tree(),
                         {"direct_hits": LIBRARY_CRATES, "preprocessed_hits": 0, "cache_misses": 0},
                         self.not_stored())

    def not_stored(self):
        """What ddcc's log says it did not store, and why."""
        return "\n".join(line for line in self.log().splitlines() if "not stored" in line)



if __name__ == "__main__":
    unittest.main()
