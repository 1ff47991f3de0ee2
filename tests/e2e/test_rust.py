"""rustc through ddcc, called as cargo calls it: every output and message byte for byte rustc's;
edits, files read by include_str!, environment variables read by env!, crates found by search,
other directories below a base directory, and calls ddcc does not cache. Uses Debian's rustc
(/usr/bin). cargo's own builds are in test_cargo.py."""

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
LLVM_PROFDATA = "/usr/lib/llvm-14/bin/llvm-profdata"


def HITS(stats):
    return stats["direct_hits"] + stats["preprocessed_hits"]


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
        list (a new `mod`): what the compile then made is not stored. A rustc that saves the
        source, as it was, as it starts stands for such a save."""
        self.write("lib.rs", "pub fn f() -> u32 { 1 }\n")
        saving = os.path.join(self.root, "saving", "rustc")
        os.makedirs(os.path.dirname(saving))
        with open(saving, "w") as f:
            f.write('#!/bin/sh\ncase " $* " in\n  *" -vV "*|*"--print"*) ;;\n'
                    '  *) if [ -f save.me ]; then rm -f save.me; cat lib.rs > lib.tmp; '
                    'cat lib.tmp > lib.rs; fi ;;\nesac\nexec %s "$@"\n' % RUSTC)
        os.chmod(saving, 0o755)
        self.write("save.me", "")
        for _ in range(3):  # saved during the first: stored by the second, served to the third
            cached = self.ddcc(saving, *self.lib_args(), stdin=subprocess.DEVNULL)
            self.assertEqual(cached.returncode, 0, cached.stderr)
        self.assertIn("changed during the compile", self.log())
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 1))

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

    def test_a_crate_in_the_sysroot_is_keyed_by_its_content(self):
        """A crate `extern crate` finds in a --sysroot's library, rebuilt with the same size
        and given the same mtime (cp -p, a tarball's clamped times): its content is keyed."""
        target = self.run_cmd([RUSTC, "-vV"]).stdout.decode().split("host: ")[1].split()[0]
        library = os.path.join(self.work, "sys", "lib", "rustlib", target, "lib")
        shutil.copytree(f"/usr/lib/rustlib/{target}/lib", library, copy_function=os.link)
        self.write("lib.rs", "extern crate zz;\npub const W: u32 = zz::V;\n")
        args = [*self.lib_args(), "--sysroot", os.path.join(self.work, "sys")]
        for value in (1, 2):
            self.write("zz.rs", f"pub const V: u32 = {value};\n")
            zz = self.lib_args("zz", "zz")
            self.assertEqual(self.run_cmd([RUSTC, *zz, "-C", "metadata=abc"]).returncode, 0)
            crate = os.path.join(library, "libzz-abc.rlib")
            shutil.copyfile(os.path.join(self.work, "zz", "libzz.rlib"), crate)
            os.utime(crate, (1577836800, 1577836800))
            time.sleep(2.1)  # old enough for its stamp to stand for its content
            self.both(args)
            self.both(args)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 2))

    def test_rustc_log_is_keyed(self):
        # RUSTC_LOG makes rustc write its log to stderr, which a hit replays.
        self.write("lib.rs", "pub fn w() -> u32 { 1 }\n")
        self.both(self.lib_args())
        self.both(self.lib_args(), env=dict(self.env, RUSTC_LOG="rustc_metadata=info"))
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 0))

    def test_crates_named_by_macros_or_included_files_are_not_cached(self):
        # Both name a crate the -L search finds, which the scan of the crate's .rs files missed.
        self.write("dep.rs", "pub fn v() -> u32 { 1 }\n")
        self.assertEqual(self.run_cmd([RUSTC, *self.lib_args("dep", "dep")]).returncode, 0)
        sources = {"macro": "macro_rules! ext { ($n:ident) => { extern crate $n; }; }\n"
                            "ext!(dep);\npub fn w() -> u32 { dep::v() }\n",
                   "tokens": "macro_rules! m { ($($t:tt),*) => { $($t)*; } }\n"
                             "m!(extern, crate, dep);\npub fn w() -> u32 { dep::v() }\n",
                   "include": 'include!("ext.in");\npub fn w() -> u32 { dep::v() }\n'}
        self.write("ext.in", "extern crate dep;\n")
        for way, source in sources.items():
            with self.subTest(way=way):
                self.write("lib.rs", source)
                self.both([*self.lib_args(), "-L", "crate=dep"])
        stats = self.stats()
        self.assertEqual(stats["cache_misses"] + HITS(stats), 0)

    def test_static_libraries_a_link_attribute_bundles_are_in_the_key(self):
        # -sys crates bundle what their build script built into the -L native directory.
        self.write("lib.rs", '#[link(name = "foo", kind = "static")]\n'
                             'extern "C" { fn foo() -> i32; }\npub fn v() -> i32 { unsafe { foo() } }\n')
        args = [*self.lib_args(), "-L", "native=native"]
        for value in (1, 2, 2):
            self.write("foo.c", f"int foo(void) {{ return {value}; }}\n")
            self.assertEqual(self.run_cmd(["gcc", "-c", "foo.c", "-o", "foo.o"]).returncode, 0)
            os.makedirs(os.path.join(self.work, "native"), exist_ok=True)
            archive = os.path.join(self.work, "native", "libfoo.a")
            if os.path.exists(archive):
                os.remove(archive)
            self.assertEqual(self.run_cmd(["ar", "rcs", archive, "foo.o"]).returncode, 0)
            self.both(args)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 1))
        # Behind a #[cfg_attr] that is off (as libc's for building std), an attribute naming a
        # library no directory holds is cached, until the library appears.
        self.write("lib.rs", '#[cfg_attr(any(), link(name = "bar", kind = "static"))]\n'
                             'extern "C" {}\npub fn v() -> i32 { 1 }\n')
        self.both(args)
        self.both(args)
        self.assertEqual(self.run_cmd(["ar", "rcs", "native/libbar.a", "foo.o"]).returncode, 0)
        self.both(args)
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (4, 2))

    @unittest.skipUnless(os.path.exists(LLVM_PROFDATA), "needs llvm-profdata (clang's LLVM)")
    def test_a_profile_and_the_host_cpu_are_in_the_key(self):
        self.write("lib.rs", "pub fn work(n: u32) -> u32 { (0..n).filter(|i| i % 3 == 0).sum() }\n")
        profile = os.path.join(self.work, "prof.profdata")
        for count in (1, 2):
            # Profiles of another function: rustc takes them, and the key must tell them apart.
            self.write("prof.txt", ":ir\nother\n# Func Hash:\n1\n# Num Counters:\n1\n"
                                   f"# Counter Values:\n{count}\n")
            merged = self.run_cmd([LLVM_PROFDATA, "merge", "-o", profile, "prof.txt"])
            self.assertEqual(merged.returncode, 0, merged.stderr)
            self.both([*self.lib_args(), "-C", "opt-level=2", "-C", f"profile-use={profile}"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 0))
        # The same machine's CPU: a hit.
        self.both([*self.lib_args(), "-C", "target-cpu=native"])
        self.both([*self.lib_args(), "-C", "target-cpu=native"])
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (3, 1))

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

    def test_rustc_under_another_name_is_known_by_its_answer(self):
        """A toolchain's rustc behind a versioned name is cached: ddcc asks an unknown compiler
        `-vV` once. A wrapper script is not (it may add flags from its environment, which no key
        sees), nor is a program that answers otherwise: both run as is, asked no more."""
        self.write("lib.rs", "pub fn f() -> u32 { let unused = 1; 2 }\n")
        versioned = os.path.join(self.work, "bin/rustc-stable")
        os.makedirs(os.path.dirname(versioned))
        os.symlink(RUSTC, versioned)
        asked = os.path.join(self.work, "asked")
        wrapper = self.write("bin/rust-wrapper",
                             f'#!/bin/sh\necho "$1" >> {asked}\nexec {RUSTC} $EXTRA_FLAGS "$@"\n')
        other = self.write("bin/not-rustc", f'#!/bin/sh\necho "$1" >> {asked}\necho "$@"\nexit 3\n')
        for script in (wrapper, other):
            os.chmod(script, 0o755)
        for compiler, stored in ((versioned, True), (wrapper, False), (other, False)):
            with self.subTest(compiler=compiler):
                before = self.stats()
                for _ in range(2):
                    out = os.path.join(self.work, "out")
                    self.clear(out)
                    plain = self.run_cmd([compiler, *self.lib_args()])
                    plain_files = self.files(out)
                    self.clear(out)
                    self.assert_same_run(plain, self.ddcc(compiler, *self.lib_args()))
                    self.assertEqual(self.files(out), plain_files)
                after = self.stats()
                self.assertEqual((HITS(after) - HITS(before),
                                  after["cache_misses"] - before["cache_misses"]),
                                 (1, 1) if stored else (0, 0))
        self.assertEqual(self.read("asked", "r").count("-vV"), 0)  # scripts are not asked

    def test_messages_on_a_terminal_are_coloured_as_rustc_colours_them(self):
        """rustc colours its messages on a terminal; through ddcc's pipe it would not, so a miss
        asks for colour and a hit replays it there, and neither serves colour to a pipe."""
        self.write("lib.rs", "pub fn f() -> u32 { let unused = 1; 2 }\n")
        env = dict(self.env, TERM="xterm")
        env.pop("NO_COLOR", None)
        plain = self.on_terminal([RUSTC, *self.lib_args()], env)
        self.assertIn(b"\x1b[", plain)
        self.assertEqual(self.on_terminal([DDCC, RUSTC, *self.lib_args()], env), plain)
        self.assertEqual(self.on_terminal([DDCC, RUSTC, *self.lib_args()], env), plain)
        piped = self.both(self.lib_args(), env=env)
        self.assertNotIn(b"\x1b[", piped.stderr)
        self.assertEqual(self.on_terminal([DDCC, RUSTC, *self.lib_args()], dict(env, TERM="dumb")),
                         self.on_terminal([RUSTC, *self.lib_args()], dict(env, TERM="dumb")))
        stats = self.stats()
        self.assertEqual((HITS(stats), stats["cache_misses"]), (2, 2))
        # CLICOLOR, an empty NO_COLOR: rustc versions read them otherwise; its own call.
        for variable in [{"CLICOLOR": "0"}, {"NO_COLOR": ""}]:
            with self.subTest(variable=variable):
                self.assertEqual(self.on_terminal([DDCC, RUSTC, *self.lib_args()],
                                                  dict(env, **variable)),
                                 self.on_terminal([RUSTC, *self.lib_args()], dict(env, **variable)))

    def test_the_version_rustc_writes_is_keyed(self):
        """RUSTC_FORCE_RUSTC_VERSION changes the version the crate's metadata holds."""
        self.write("lib.rs", "pub fn w() -> u32 { 1 }\n")
        self.both(self.lib_args())
        self.both(self.lib_args(), env=dict(self.env, RUSTC_FORCE_RUSTC_VERSION="custom-1"))
        stats = self.stats()
        self.assertEqual((stats["cache_misses"], HITS(stats)), (2, 0))


if __name__ == "__main__":
    unittest.main()
