"""Random compile flags, drawn from options real builds pass. Paths in them are templates:
"{r}/" is the tree's root as seen from the working directory ("" in the root itself, "../"
from a build directory, or the absolute root), "{R}" the absolute root, "{obj}" the object's
path without its suffix."""

from dataclasses import dataclass, field

from tree import ANGLE_DIRS, LATE_DIRS, MISSING_DIR, QUOTE_DIRS, SYSTEM_DIRS

OPTIMIZE = ["-O0", "-O1", "-O2", "-O2", "-Os", None]
DEBUG = [None, None, "-g", "-g", "-g1", "-gdwarf-4"]
STANDARDS = {"c": ["-std=c11", "-std=gnu17", "-std=c99", None],
             "c++": ["-std=c++17", "-std=gnu++20", "-std=c++14", None]}
WARNINGS = [[], [], ["-Wall"], ["-Wall", "-Wextra"], ["-w"], ["-Wall", "-Werror"]]
# (probability, arguments)
EXTRAS = [
    (0.3, ["-fPIC"]),
    (0.15, ["-ffunction-sections", "-fdata-sections"]),
    (0.1, ["-fno-common"]),
    (0.1, ["-fdebug-prefix-map={R}=."]),
    (0.08, ["-Wp,-P"]),
    (0.05, ["-P"]),
    (0.3, ["-DNDEBUG"]),
    (0.3, ["-DLEVEL=3"]),
    (0.05, ["-Wp,-DLEVEL=5"]),
    (0.1, ["-fno-asynchronous-unwind-tables"]),
    (0.1, ["-pipe"]),
    (0.1, ["-fvisibility=hidden"]),
    (0.05, ["-fno-working-directory"]),
]
# Dependency file options; None: the default name, the object's with ".d".
DEPENDS = [
    ([], ""),
    ([], ""),
    (["-MD"], None),
    (["-MMD"], None),
    (["-MD", "-MF", "{obj}.dep"], "{obj}.dep"),
    (["-MMD", "-MT", "custom-target", "-MF", "{obj}.d"], "{obj}.d"),
    (["-MD", "-MP"], None),
    (["-Wp,-MD,{obj}.wpd"], "{obj}.wpd"),
    (["-MD", "-MQ", "$(OBJ) x.o"], None),
]
COMPILERS = {("c", "gcc"): "gcc", ("c", "clang"): "clang", ("c++", "gcc"): "g++",
             ("c++", "clang"): "clang++"}


@dataclass
class Flags:
    compiler: str
    args: list = field(default_factory=list)  # templates, without -c, the source and -o
    dep_file: str = ""  # template, or "" without one
    quote_dirs: list = field(default_factory=list)  # root-relative, in search order
    angle_dirs: list = field(default_factory=list)
    absolute: bool = False  # search directories named by absolute paths

    def describe(self):
        return " ".join(self.args)


def draw(rng, tree):
    """Flags for compiling `tree`'s source; every header of the tree is on their search path."""
    flags = Flags(compiler=COMPILERS[(tree.lang, tree.family)])
    a = flags.args
    for choice in (OPTIMIZE, DEBUG, STANDARDS[tree.lang]):
        picked = rng.choice(choice)
        if picked:
            a.append(picked)
    a += rng.choice(WARNINGS)
    for p, extra in EXTRAS:
        if rng.random() < p:
            a += extra

    flags.absolute = rng.random() < 0.25
    # Absolute, also as CMake spells a directory beside its own (`cmake/../include`): the
    # compilers write each path as spelled.
    spelled = rng.choice(["{R}/", "{R}/", "{R}/src/../", "{R}/./", "{R}//"])
    prefix = spelled if flags.absolute else "{r}/"
    angle = list(ANGLE_DIRS)
    if "symlink_dir" in tree.features:
        angle.append("sys2")
    rng.shuffle(angle)
    if rng.random() < 0.3:
        angle.insert(rng.randrange(len(angle) + 1), MISSING_DIR)
    flags.quote_dirs = list(QUOTE_DIRS)
    late = LATE_DIRS if rng.random() < 0.3 else []
    flags.angle_dirs = angle + SYSTEM_DIRS + late
    joined = rng.random() < 0.5
    for option, dirs in (("-iquote", QUOTE_DIRS), ("-I", angle), ("-isystem", SYSTEM_DIRS),
                         ("-idirafter", late)):
        for d in dirs:
            if option == "-I" and joined:
                a.append(f"-I{prefix}{d}")
            else:
                a += [option, prefix + d]

    if tree.forced_include:
        a += ["-include", tree.forced_include]
    if tree.data_files:
        a.append("-Wa,-I" + prefix + "data")
    if tree.pick_names and rng.random() < 0.5:
        a.append(f'-DPICK_H="{tree.pick_names[1]}"')
    deps, dep_file = rng.choice(DEPENDS)
    a += deps
    flags.dep_file = "{obj}.d" if dep_file is None else dep_file
    return flags


def expand(template, r, root, obj):
    return template.replace("{r}/", r).replace("{R}", root).replace("{obj}", obj)
