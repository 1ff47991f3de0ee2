"""`ddcc --explain OBJECT` with real gcc: how the last compile of an object hit, or why it missed
compared with the compile before it."""

import os
import unittest

from common import DDCC, DdccTestCase

SOURCE = '#include "util.h"\nint value(void) { return UTIL; }\n'


class ExplainTest(DdccTestCase):
    def setUp(self):
        super().setUp()
        self.write("first/.keep", "")
        self.write("second/util.h", "#define UTIL 2\n")
        self.write("main.c", SOURCE)
        self.args = ["-Ifirst", "-Isecond", "-c", "main.c", "-o", "obj/main.o"]
        os.makedirs(os.path.join(self.work, "obj"))

    def compile(self, *extra):
        result = self.ddcc("gcc", *extra, *self.args)
        self.assertEqual(result.returncode, 0, result.stderr)

    def explain(self, obj="obj/main.o", cwd=None):
        result = self.run_cmd([DDCC, "--explain", obj], cwd=cwd)
        self.assertEqual(result.returncode, 0, result.stderr)
        return result.stdout.decode()

    def test_hit_says_how(self):
        self.compile()
        self.assertIn("miss", self.explain())
        self.compile()
        self.assertIn("hit (direct)", self.explain())

    def test_changed_header_is_named(self):
        self.compile()
        self.compile()
        self.write("second/util.h", "#define UTIL 3\n")
        self.compile()
        text = self.explain()
        self.assertIn("miss", text)
        self.assertIn("second/util.h changed content", text)
        self.assertIn("Compared with the compile before it (direct hit)", text)

    def test_new_shadowing_header_is_named(self):
        self.compile()
        self.write("first/util.h", "#define UTIL 1\n")
        self.compile()
        self.assertIn("first/util.h now exists", self.explain())

    def test_added_argument_is_named(self):
        self.compile()
        self.compile("-DEXTRA=1", "-O2")
        text = self.explain()
        self.assertIn("argument added: -DEXTRA=1", text)
        self.assertIn("argument added: -O2", text)
        self.compile("-O2")
        self.assertIn("argument removed: -DEXTRA=1", self.explain())

    def test_environment_is_named(self):
        self.compile()
        env = dict(self.env, LC_ALL="C")
        self.assertEqual(self.ddcc("gcc", *self.args, env=env).returncode, 0)
        self.assertIn("environment variable LC_ALL changed: unset -> =C", self.explain())

    def test_time_macro_is_named(self):
        self.write("main.c", 'const char *when = __TIME__;\n')
        self.compile()
        self.compile()
        text = self.explain()
        self.assertIn("time macro", text)

    def test_object_named_from_another_directory(self):
        self.compile()
        self.compile()
        absolute = os.path.join(self.work, "obj/main.o")
        self.assertIn("hit (direct)", self.explain(absolute, cwd=self.root))
        self.assertIn("hit (direct)", self.explain("main.o", cwd=os.path.join(self.work, "obj")))

    def test_uncacheable_compile_says_why(self):
        self.write("data.bin", "one")
        self.write("main.c", '__asm__(".section .rodata\\n.incbin \\"data.bin\\"\\n");\n')
        self.compile()
        self.assertIn("not cacheable (unsupported_code_directive): .incbin", self.explain())

    def test_nothing_recorded(self):
        result = self.run_cmd([DDCC, "--explain", "obj/main.o"])
        self.assertNotEqual(result.returncode, 0)
        self.assertIn(b"no compile of", result.stderr)
        self.assertEqual(result.stdout, b"")

    def test_records_share_one_journal(self):
        """Records of many objects take no entry file each, and a damaged journal loses only
        what it damaged: later compiles are recorded and explained."""
        for i in range(20):
            self.ddcc("gcc", *self.args[:-1], f"obj/m{i}.o")
        self.compile()
        entries = [name for d, _, names in os.walk(self.cache) for name in names
                   if name.endswith(".e")]
        journal = os.path.join(self.cache, "journal")
        self.assertTrue(os.path.isfile(journal))
        with open(journal, "r+b") as f:
            data = bytearray(f.read())
            for at in range(0, len(data), 97):
                data[at] ^= 0x55
            f.seek(0)
            f.write(data)
        self.compile("-O2")
        text = self.explain()
        self.assertIn("miss", text)
        self.assertIn("No earlier compile", text)
        self.compile("-DLATER")
        self.assertIn("argument removed: -O2", self.explain())
        # The 22 compiles left a result, a manifest and the compiler's search-path memo: no
        # record entry per object.
        self.assertLessEqual(len(entries), 3)

    def test_no_output_on_the_compile(self):
        """Recording never shows in what the build sees."""
        first = self.ddcc("gcc", *self.args)
        self.assertEqual((first.stdout, first.stderr), (b"", b""))


if __name__ == "__main__":
    unittest.main()
