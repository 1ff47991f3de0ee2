// With -g, the object names the working directory (DW_AT_comp_dir, the line table's first
// directory). pip builds every package in a new temporary directory of the same length
// (/tmp/pip-req-build-<8 characters>), so an object made in one serves another once every
// occurrence of the first directory's name is replaced by the second's: as long, so no offset
// moves. The key then holds the directory's length instead of the directory (docs/paths.md).
//
// The renamed object is what the compiler writes in the second directory only where the
// directory reaches the object by no other way than the compiler naming its working directory,
// and where the compiler places that name without regard to its text. gcc does not: it writes
// .debug_str and .debug_line_str in the order of a hash table keyed by the strings, so in
// another directory its strings may come in another order (gcc 12: for 2 to 11 of 24 directory
// names of pip's form). clang writes them in the order it meets them; only clang's objects move.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"
#include "launcher/config.h"

namespace ddcc {

// Whether a compile by `family`, run as `compiler_path` with `args` (response files expanded)
// in `cwd`, names `cwd` in its object only as the compiler's working directory: clang; neither
// an argument nor the compiler's path holds the name (a source named by its absolute path may
// be hashed into symbol names); no option compresses, hashes or re-encodes the debug info
// (-gz, split DWARF, type units, LTO, bitcode), hands it to another assembler, or maps paths
// in it (a prefix map may match one directory's name and not another's), and `env` has no
// CCC_OVERRIDE_OPTIONS.
bool MayMoveDebugDirectory(Family family, absl::string_view compiler_path,
                           const std::vector<std::string>& args, absl::string_view cwd,
                           const EnvLookup& env);

// OK when `object` is a 64-bit little-endian ELF file without compressed sections that names
// `cwd`, each time followed by '/' or the end of a string (not inside a longer name), and only in
// the sections where clang writes its directory (.debug_str, .debug_line_str, .debug_line): the
// program's data may hold the name spelled otherwise in the source. The caller checks that
// nothing the compiler read names `cwd` (ResultKeyInfo::names_cwd).
absl::Status CheckMovableObject(absl::string_view object, absl::string_view cwd);

// Whether `text` (preprocessed) may put strings of its own into debug information's, whole:
// clang copies btf_decl_tag and btf_type_tag values there (DW_TAG_LLVM_annotation), and an asm
// label as a declaration's DW_AT_linkage_name, where one may spell the directory in pieces the
// text never shows whole (adjacent literals, escapes). An asm's literals that hold no '/' and
// no numeric escape cannot (glibc's `__asm__ ("" "__isoc99_sscanf")` redirections).
bool WritesOwnDebugStrings(absl::string_view text);

// Whether clang's debug information names `file` relative to a part of `cwd` that is more than
// the root but not all of it: clang names a file by an absolute path from the leading
// directories it shares with the working directory (/usr/include/stdio.h from /usr/local/src:
// "/usr" and "include/stdio.h"), which another directory of the same length need not share.
bool SharesPartOfDirectory(absl::string_view file, absl::string_view cwd);

// What besides its length a working directory's name must share with another's for an object
// to move between them: its first name, which decides what a file outside both shares with it.
absl::string_view FirstName(absl::string_view cwd);

// `object` made in `from`, as made in `to`, a directory with a name as long.
absl::StatusOr<std::string> MoveObject(std::string object, absl::string_view from,
                                       absl::string_view to);

}  // namespace ddcc
