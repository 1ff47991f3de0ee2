"""A random C or C++ source tree for one scenario: an include graph of guarded headers spread
over several search directories, and a unit source using the features that are hard for a
cache to see through (second inclusions, #line, __has_include, computed includes, time macros,
inline asm reading files, a precompiled header, symlinks, a generated header).

Every header defines NAME_VAL and a function named after its own instance, so which file the
compiler read, and which version of it, shows in the object. The tree records each include
directive (who includes which name, and how), so steps can create headers where the compiler
would look first."""

import os
import re
from dataclasses import dataclass, field

# Directories of a tree, relative to its root. Which search option names which is up to the
# flags; "missing" is an -I directory that does not exist until a step creates it.
QUOTE_DIRS = ["quote"]
ANGLE_DIRS = ["include", "include2", "gen"]
SYSTEM_DIRS = ["sys"]
LATE_DIRS = ["late"]  # -idirafter: searched after the system directories
MISSING_DIR = "missing"
DATA_DIR = "data"

# Build outputs and other checkouts' business: a second checkout leaves these behind.
OUTPUT_DIRS = ["out", "build", "build2"]


@dataclass
class Include:
    includer: str  # root-relative path of the file holding the directive; "" for -include
    name: str
    quoted: bool


@dataclass
class Tree:
    lang: str  # "c" or "c++"
    family: str  # "gcc" or "clang"
    source: str = ""
    files: dict = field(default_factory=dict)  # root-relative path -> text (the initial tree)
    symlinks: dict = field(default_factory=dict)  # link path -> target, relative to the link
    includes: list = field(default_factory=list)
    features: list = field(default_factory=list)  # short names, for reports
    data_files: list = field(default_factory=list)
    pch: str = ""  # a header gcc may find precompiled beside itself
    swaps: list = field(default_factory=list)  # (link, [targets]) for symlink swaps
    pick_names: list = field(default_factory=list)  # names a -DPICK_H may choose
    clock: bool = False  # __TIME__/__DATE__ in some form: plain compiles differ across seconds
    forced_include: str = ""  # name for -include
    uid: int = 0

    def new_uid(self):
        self.uid += 1
        return self.uid


def ident(name):
    return re.sub(r"\W", "_", name.rsplit(".", 1)[0])


def header_text(rng, tree, path, name, children=()):
    """A header instance at `path` for `name`, including `children` (directive lines)."""
    uid = tree.new_uid()
    sym = ident(name)
    style = rng.choice(["guard", "guard", "once", "both"])
    lines = [f"/* {path} */"]
    if style in ("guard", "both"):
        lines += [f"#ifndef {sym.upper()}_GUARD_{uid}", f"#define {sym.upper()}_GUARD_{uid}"]
    if style in ("once", "both"):
        lines.append("#pragma once")
    lines += list(children)
    lines += [
        f"#undef {sym.upper()}_VAL",
        f"#define {sym.upper()}_VAL {rng.randint(10, 99)}",
        f"int {sym}_fn_{uid}(int x) {{ return x * {sym.upper()}_VAL + {rng.randint(10, 99)}; }}",
    ]
    if rng.random() < 0.15:
        lines.append(f'#warning "{path} says {rng.randint(10, 99)}"')
    if style in ("guard", "both"):
        lines.append("#endif")
    return "\n".join(lines) + "\n"


def directive(tree, includer, name, quoted, next_=False):
    tree.includes.append(Include(includer, name, quoted))
    word = "include_next" if next_ else "include"
    return f'#{word} "{name}"' if quoted else f"#{word} <{name}>"


# Time macros as sources spell them; the ones split by a backslash-newline or made by pasting
# are still the macro to the compiler.
CLOCK_FORMS = ["__TIME__", "__DATE__", "__TI\\\nME__", "__DA\\\nTE__", "CAT(__TI, ME__)"]
STAMP_FORMS = ["__TIMESTAMP__", "__TIMES\\\nTAMP__", "CAT(__TIME, STAMP__)"]

# __has_include as sources spell it, also through macros of their own (PROBE_MACROS).
PROBE_FORMS = {
    "plain": '__has_include("{n}")',
    "spaced": '__has_include ( "{n}" )',
    "comment": '__has_include /* probe */ ("{n}")',
    "split": '__has_\\\ninclude("{n}")',
    "macro": 'HAS_HEADER("{n}")',
    "macro_chain": 'HAS_STD("{n}")',
    "object_alias": 'HAS_ANY("{n}")',
    "angle": '__has_include(<{n}>)',
    "defined": 'defined(__has_include) && __has_include("{n}")',
}

PROBE_MACROS = {
    "macro": ["#define HAS_HEADER(x) __has_include(x)"],
    "macro_chain": ["#define HAS_HEADER(x) __has_include(x)", "#define HAS_STD(h) (HAS_HEADER(h))"],
    "object_alias": ["#define HAS_ANY __has_include"],
}

# How inline asm may pull a file in: the assembler reads it, the preprocessor never does.
ASM_FORMS = [
    '".incbin \\"blob.bin\\"\\n"',
    '".INCBIN \\"blob.bin\\"\\n"',
    '".inc" "bin \\"blob.bin\\"\\n"',
    '".Incbin \\"blob.bin\\"\\n"',
    '".include \\"extra.s\\"\\n"',
    '".INCLUDE \\"extra.s\\"\\n"',
]

FEATURES = ["second_inclusion", "line_directive", "has_include", "pick_header", "clock",
            "timestamp", "asm", "pch", "include_next", "generated", "symlink_file",
            "symlink_dir", "forced_include", "file_macro", "warning", "pragma_dependency"]


def generate(rng, lang, family, allowed=FEATURES):
    """A tree: headers h0..hN in the search directories, a source including some, and a few of
    the `allowed` FEATURES. Returns the Tree (nothing is written yet)."""
    tree = Tree(lang=lang, family=family)
    ext = "c" if lang == "c" else "cc"
    tree.source = f"src/main.{ext}"
    wanted = set(rng.sample(allowed, min(len(allowed), rng.randint(2, 6))))
    if family != "gcc":
        wanted.discard("pch")
    names = [f"h{i}.h" for i in range(rng.randint(3, 6))]
    places = {}  # name -> dirs holding an instance
    for name in names:
        places[name] = [rng.choice(QUOTE_DIRS + ["include", "include2"] + SYSTEM_DIRS)]
    if "include_next" in wanted:
        name = rng.choice(names)
        places[name] = ["include", "include2"]
    if "generated" in wanted:
        names.append("config.h")
        places["config.h"] = ["gen"]
        tree.features.append("generated")

    def include_of(includer, name):
        quoted = places[name] == QUOTE_DIRS or rng.random() < 0.5
        return directive(tree, includer, name, quoted)

    # Headers include later ones only, so the graph has no cycles.
    for i, name in enumerate(names):
        for d in places[name]:
            path = f"{d}/{name}"
            later = [n for n in names[i + 1:] if rng.random() < 0.35]
            children = [include_of(path, n) for n in later]
            if d == "include" and "include_next" in wanted and places[name] == ["include",
                                                                               "include2"]:
                children.append(directive(tree, path, name, False, next_=True))
            tree.files[path] = header_text(rng, tree, path, name, children)

    src = tree.source
    top, body = [], []
    if "pch" in wanted:
        tree.pch = "src/pch.h"
        tree.files[tree.pch] = header_text(rng, tree, tree.pch, "pch.h")
        top.append(directive(tree, src, "pch.h", True))
        tree.features.append("pch")
    top += [include_of(src, n) for n in rng.sample(names, rng.randint(1, len(names)))]

    if "second_inclusion" in wanted:
        # Two includers in different directories include one name; the second inclusion is
        # skipped by the guard and leaves no line marker.
        name = rng.choice(names)
        for d in ("src/a", "src/b"):
            path = f"{d}/{'first' if d.endswith('a') else 'second'}.h"
            tree.files[path] = header_text(rng, tree, path, os.path.basename(path),
                                           [directive(tree, path, name, True)])
            top.append(directive(tree, src, path[len("src/"):], True))
        tree.features.append("second_inclusion")

    if "forced_include" in wanted:
        tree.forced_include = "pre.h"
        tree.files["include/pre.h"] = header_text(rng, tree, "include/pre.h", "pre.h")
        tree.includes.append(Include("", "pre.h", True))
        tree.features.append("forced_include")

    if "symlink_file" in wanted:
        # include/lnk.h -> ../variants/lnk_a.h; a step points it at lnk_b.h.
        for v in "ab":
            path = f"variants/lnk_{v}.h"
            tree.files[path] = header_text(rng, tree, path, "lnk.h")
        tree.symlinks["include/lnk.h"] = "../variants/lnk_a.h"
        tree.swaps.append(("include/lnk.h", ["../variants/lnk_a.h", "../variants/lnk_b.h"]))
        top.append(directive(tree, src, "lnk.h", rng.random() < 0.5))
        tree.features.append("symlink_file")

    if "symlink_dir" in wanted:
        # sys2 -> dirs/sys2_a, a directory on the search path; a step points it at sys2_b.
        for v in "ab":
            path = f"dirs/sys2_{v}/dl.h"
            tree.files[path] = header_text(rng, tree, path, "dl.h")
        tree.symlinks["sys2"] = "dirs/sys2_a"
        tree.swaps.append(("sys2", ["dirs/sys2_a", "dirs/sys2_b"]))
        top.append(directive(tree, src, "dl.h", False))
        tree.features.append("symlink_dir")

    if "line_directive" in wanted:
        # As bison and flex output: the file claims to be another, in another directory.
        claimed = rng.choice(["grammar/parse.y", "../lex/scan.l", "include2/fake.y",
                              "/nonexistent/gen.y"])
        form = rng.choice([f'#line 100 "{claimed}"', f'# 1 "{claimed}"'])
        name = rng.choice(names)
        lines = [form, directive(tree, src, name, True)]
        if rng.random() < 0.5:
            lines.append(f'#line 300 "{src}"')
        body += lines
        tree.features.append("line_directive")

    if "has_include" in wanted:
        n = rng.randint(1, 2)
        for k in range(n):
            name = f"opt{k}.h"
            kind = rng.choice(sorted(PROBE_FORMS))
            form = PROBE_FORMS[kind]
            quoted = "<" not in form
            body += PROBE_MACROS.get(kind, [])
            body += [f"#if {form.format(n=name)}", directive(tree, src, name, quoted), "#endif"]
            tree.features.append("has_include:" + kind)
            if rng.random() < 0.3:
                path = f"{rng.choice(ANGLE_DIRS)}/{name}"
                tree.files[path] = header_text(rng, tree, path, name)

    if "pick_header" in wanted:
        # #include MACRO: the flags may pick another header.
        a, b = rng.sample(names, 2)
        tree.pick_names = [a, b]
        body += ["#ifndef PICK_H", f'#define PICK_H "{a}"', "#endif", "#include PICK_H"]
        tree.includes += [Include(src, a, True), Include(src, b, True)]
        tree.features.append("pick_header")

    clock_text = []
    if "clock" in wanted:
        form = rng.choice(CLOCK_FORMS)
        clock_text.append(f"const char when_{tree.new_uid()}[] = {form};")
        tree.clock = True
        tree.features.append("clock:" + form.replace("\n", "NL"))
    if "timestamp" in wanted:
        form = rng.choice(STAMP_FORMS)
        clock_text.append(f"const char stamp_{tree.new_uid()}[] = {form};")
        tree.features.append("timestamp:" + form.replace("\n", "NL"))
    if clock_text:
        define = "#define CAT(a, b) a##b"
        if rng.random() < 0.5:
            body += [define] + clock_text
        else:  # in a header the source includes
            holder = rng.choice([p for p in tree.files if p.endswith(".h")])
            tree.files[holder] = tree.files[holder].replace(
                "\nint ", "\n" + define + "\n" + "\n".join(clock_text) + "\nint ", 1)

    if "asm" in wanted:
        form = rng.choice(ASM_FORMS)
        sym = f"blob_{tree.new_uid()}"
        body.append(f'__asm__(".pushsection .rodata\\n.globl {sym}\\n{sym}:\\n" {form} '
                    f'".popsection\\n");')
        tree.files[f"{DATA_DIR}/blob.bin"] = "".join(chr(rng.randint(97, 122)) for _ in range(24))
        tree.files[f"{DATA_DIR}/extra.s"] = f".byte {rng.randint(1, 99)}, {rng.randint(1, 99)}\n"
        tree.data_files = [f"{DATA_DIR}/blob.bin", f"{DATA_DIR}/extra.s"]
        tree.features.append("asm:" + form.split("\\")[0].strip('"'))

    if "pragma_dependency" in wanted:
        # gcc and clang warn when the named file is newer than the one naming it.
        body.append(f'#pragma GCC dependency "{rng.choice(names)}"')
        tree.features.append("pragma_dependency")

    if "file_macro" in wanted:
        body.append(f"const char *file_{tree.new_uid()} = __FILE__;")
        tree.features.append("file_macro")
    if "warning" in wanted:
        body.append(f"static int unused_{tree.new_uid()}(void) {{ return __LINE__; }}")
        tree.features.append("warning")

    all_names = sorted({i.name for i in tree.includes})
    total = ["int total(void) {", "  int t = MAIN_VAL;"]
    for name in all_names:
        macro = ident(name).upper() + "_VAL"
        total += [f"#ifdef {macro}", f"  t += {macro};", "#endif"]
    total += ["#ifdef LEVEL", "  t += LEVEL;", "#endif", "  return t;", "}"]
    tree.files[src] = "\n".join(
        [f"/* {src} */"] + top + [f"#define MAIN_VAL {rng.randint(10, 99)}"] + body + total) + "\n"
    return tree


def write(tree, root):
    """Lays the tree out under `root`."""
    for path, text in tree.files.items():
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w") as f:
            f.write(text)
    for link, target in tree.symlinks.items():
        full = os.path.join(root, link)
        os.makedirs(os.path.dirname(full) or root, exist_ok=True)
        os.symlink(target, full)
    for d in QUOTE_DIRS + ANGLE_DIRS + SYSTEM_DIRS + LATE_DIRS + ["out"]:
        os.makedirs(os.path.join(root, d), exist_ok=True)
