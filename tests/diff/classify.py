"""A guess at which kind of hole a difference shows, from the steps since the last compile
that matched, the tree's features and the flags. Only a guess: a report's steps say more."""

import os


def suspect(scn, what, label):
    last_same = max((i for i, h in enumerate(scn.history) if h.endswith(": same")), default=0)
    recent = "\n".join(scn.history[last_same + 1:])
    features = scn.tree.features
    args = scn.flags.args

    def feature(prefix):
        return next((f for f in features if f.startswith(prefix)), None)

    if scn.failed and not any(w.startswith("exit status") for w in what):
        return "a failed compile's object or dependency file, not as the compiler leaves them"
    if label in ("after the edit settled", "after the edit was undone"):
        return "a: a file changed during the compile"
    if "data/" in recent and feature("asm"):
        return f"e: inline asm reads a file ({feature('asm')})"
    if ".gch" in recent:
        return "f: a precompiled header beside an included one"
    if "-Wp,-P" in args or "-P" in args:
        return "g: -P leaves no line markers (line changes, and headers, unseen)"
    for line in recent.splitlines():
        if line.startswith("create "):
            path = line.split()[1]
            name = os.path.basename(path)
            if name.startswith("opt"):
                return f"d: __has_include ({feature('has_include')})"
            if "line_directive" in features and os.path.dirname(path) == "src":
                return "c: #line names another directory"
            if sum(i.name.endswith(name) for i in scn.tree.includes) > 1:
                return "b: a second inclusion leaves no line marker"
            return "a new header shadows another (other)"
    if feature("pragma_dependency") and any(w.startswith("stderr") for w in what):
        return "#pragma GCC dependency: a warning that depends on two files' mtimes"
    if feature("clock") or feature("timestamp"):
        return f"d: a time macro ({feature('clock') or feature('timestamp')})"
    if scn.flags.compiler.startswith("clang") and any(a.startswith("-g") for a in args) \
            and all(w.startswith(("out/main.o", "main.o")) for w in what):
        return "clang -g: DWARF 5 line tables hold the MD5 of each file's bytes"
    return "unclassified"
