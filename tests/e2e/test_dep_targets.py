"""One source compiled with the same flags to objects of different names (CMake's static and
shared variants of a library, CMakeFiles/<target>.dir/...) shares one entry: a hit writes the
dependency file with this compile's targets, laid out byte for byte as the compiler would, and
an object that names none of them."""

import os

from common import DdccTestCase

SOURCE = '#include "a_header_with_a_name_long_enough_to_wrap_lines.h"\n' \
         '#include "sub dir/b$#.h"\nint f(void) { return A + B; }\n'
LONG = "a_target_name_long_enough_to_push_the_first_prerequisite_to_the_next_line"

# Object names as CMake makes them; each pair differs in length.
PAIRS = [
    ("CMakeFiles/foo.dir/src/x.c.o", "CMakeFiles/foo_obj.dir/src/x.c.o"),
    (f"CMakeFiles/{LONG}.dir/src/x.c.o", "CMakeFiles/s.dir/src/x.c.o"),  # wraps, then not
    ("CMakeFiles/my lib$#.dir/src/x.c.o", "CMakeFiles/my lib$#_shared.dir/src/x.c.o"),
]


class DepTargetsTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("src/x.c", SOURCE)
        self.write("include/a_header_with_a_name_long_enough_to_wrap_lines.h", "#define A 1\n")
        self.write("include/sub dir/b$#.h", "#define B 2\n")

    def compile_both_ways(self, compiler, args, outputs):
        """Compiles without ddcc, then with it; the same outputs byte for byte."""
        for name in outputs:
            os.makedirs(os.path.dirname(os.path.join(self.work, name)), exist_ok=True)
        plain = self.run_cmd(["/usr/bin/" + compiler, *args])
        self.assertEqual(plain.returncode, 0, plain.stderr)
        expected = {name: self.read(name) for name in outputs}
        for name in outputs:
            os.remove(os.path.join(self.work, name))
        cached = self.ddcc(compiler, *args)
        self.assert_same_run(plain, cached)
        for name in outputs:
            self.assertEqual(self.read(name), expected[name], f"{name} differs")

    def check_pair(self, compiler, names, make_args):
        """The first name misses, the second hits; both as the compiler writes them."""
        before = self.stats()
        for name in names:
            args, outputs = make_args(name)
            self.compile_both_ways(compiler, args, outputs)
        after = self.stats()
        self.assertEqual(after["cache_misses"] - before["cache_misses"], 1)
        self.assertEqual(after["cache_hits"] - before["cache_hits"], 1)

    def test_cmake_targets_of_other_lengths_share_the_entry(self):
        for compiler in ["gcc", "clang"]:
            for direct in ["1", "0"]:
                for dep in ["-MD", "-MMD"]:
                    for pair in PAIRS:
                        with self.subTest(compiler=compiler, direct=direct, dep=dep, pair=pair):
                            self.env["DDCC_DIRECT_MODE"] = direct
                            self.env["DDCC_DIR"] = os.path.join(
                                self.root, f"cache-{compiler}-{direct}{dep}{PAIRS.index(pair)}")

                            def cmake(obj):
                                return (["-Iinclude", "-g", dep, "-MT", obj, "-MF", obj + ".d",
                                         "-o", obj, "-c", "src/x.c"], [obj, obj + ".d"])

                            self.check_pair(compiler, pair, cmake)

    def test_default_quoted_and_several_targets_with_phony_rules(self):
        """-MQ and the default target are quoted as Make wants; gcc puts -MT targets first."""
        forms = [
            lambda obj: ["-MD", "-MP"],
            lambda obj: ["-MMD", "-MP", "-MT", obj + " $(OBJ)", "-MQ", obj + " #$"],
            lambda obj: ["-MD", "-MQ", obj, "-MT", "t", "-MQ", LONG + obj, "-MT", obj + ".x"],
        ]
        for compiler in ["gcc", "clang"]:
            for index, form in enumerate(forms):
                for pair in (("obj/x.o", "objects/x.o"), ("o b$#/x.o", f"{LONG}/x.o")):
                    with self.subTest(compiler=compiler, form=index, pair=pair):
                        self.env["DDCC_DIR"] = os.path.join(
                            self.root, f"cache-{compiler}-{index}-{pair[0]}")

                        def make_args(obj):
                            depfile = os.path.splitext(obj)[0] + ".d"
                            return (["-Iinclude", *form(obj), "-c", "src/x.c", "-o", obj],
                                    [obj, depfile])

                        self.check_pair(compiler, pair, make_args)

    def test_what_cannot_be_laid_out_again_serves_only_targets_of_its_lengths(self):
        """A header whose name holds a backslash: gcc writes it as is, which ddcc cannot tell
        from a quoted space, so it keeps the file as written and serves it only to targets of
        the same lengths; the others miss. clang writes the backslash as '/'."""
        self.write("src/y.c", '#include "back\\slash.h"\nint g(void) { return C; }\n')
        self.write("include/back\\slash.h", "#define C 3\n")
        for compiler, misses in [("gcc", 3), ("clang", 1)]:
            with self.subTest(compiler=compiler):
                before = self.stats()
                # gcc: a misses; bb misses and replaces it; cc hits; a misses again.
                for obj in ["a/y.o", "bb/y.o", "cc/y.o", "a/y.o"]:
                    self.compile_both_ways(compiler, ["-Iinclude", "-MD", "-c", "src/y.c", "-o",
                                                      obj], [obj, obj[:-2] + ".d"])
                after = self.stats()
                self.assertEqual(after["cache_misses"] - before["cache_misses"], misses)
                self.assertEqual(after["cache_hits"] - before["cache_hits"], 4 - misses)
                self.assertEqual(after["error_reasons"]["corrupt_entry"], 0)

    def test_an_object_that_names_itself_keys_its_name(self):
        """-gsplit-dwarf names the .dwo in the object: another object name misses."""
        for compiler in ["gcc", "clang"]:
            with self.subTest(compiler=compiler):
                before = self.stats()
                for obj in ["CMakeFiles/foo.dir/x.o", "CMakeFiles/foo_obj.dir/x.o",
                            "CMakeFiles/bar.dir/x.o", "CMakeFiles/foo.dir/x.o"]:
                    dwo = obj[:-2] + ".dwo"
                    self.compile_both_ways(compiler, ["-Iinclude", "-g", "-gsplit-dwarf", "-MD",
                                                      "-MT", obj, "-MF", obj + ".d", "-c",
                                                      "src/x.c", "-o", obj],
                                           [obj, obj + ".d", dwo])
                after = self.stats()
                self.assertEqual(after["cache_misses"] - before["cache_misses"], 3)
                self.assertEqual(after["cache_hits"] - before["cache_hits"], 1)


if __name__ == "__main__":
    import unittest
    unittest.main()
