// Every kind of blob the launcher keeps in entries (cache/store/entry.h), one number each. The
// numbers are on disk: a kind never changes its number, and a new kind takes the next one.
#pragma once

#include <string>

#include "absl/strings/string_view.h"
#include "cache/store/entry.h"

namespace ddcc::blob {

// Any compile's result (launcher/result_entry.cc, launcher/rustc_pipeline.cc).
inline constexpr BlobKind kStdout = 16;
inline constexpr BlobKind kStderr = 17;
inline constexpr BlobKind kCompileTime = 18;  // how long the compile took, ns in decimal

// A gcc or clang result (launcher/result_entry.cc).
inline constexpr BlobKind kObject = 19;
inline constexpr BlobKind kDepfile = 20;  // as the compiler wrote it
// The target lengths of the depfile as written, to lay it out for another compile's targets.
inline constexpr BlobKind kDepfileTargets = 21;
// In place of kDepfile where paths below base directories are relative (launcher/depfile.h).
inline constexpr BlobKind kPortableDepfile = 22;
inline constexpr BlobKind kBesideObject = 23;  // named by its suffix: ".dwo", ".su", ...
// Where the object names its working directory, which a hit elsewhere rewrites (debug_dir.h).
inline constexpr BlobKind kObjectDir = 24;
// The day __DATE__ expanded to, which a result keeps to (ResultEntry::KeepToDay).
inline constexpr BlobKind kDay = 25;

// The search-path memo of a gcc or clang (launcher/pipeline.cc): what `-E -v -dM` printed.
inline constexpr BlobKind kSearchPathListing = 26;  // its stderr
inline constexpr BlobKind kPredefinedMacros = 27;   // its stdout

// A call's record for --explain and --report (launcher/explain.cc).
inline constexpr BlobKind kExplainRecord = 28;

// A rustc result (launcher/rustc_pipeline.cc).
inline constexpr BlobKind kCrateOutput = 29;  // named by its file name
// The variables the crate read ("# env-dep:" lines), which a direct hit checks.
inline constexpr BlobKind kEnvironmentRead = 30;
// Where the outputs name a base directory: the working and output directories of the compile
// that made it, the only ones the entry serves.
inline constexpr BlobKind kMadeIn = 31;
// In place of kCrateOutput, kStdout and kStderr where kept relocatable (rustc_outputs.h).
inline constexpr BlobKind kRelocatableCrateOutput = 32;
inline constexpr BlobKind kRelocatableStdout = 33;
inline constexpr BlobKind kRelocatableStderr = 34;

// The blob as messages name it: "the stderr holds ...", "the output libm.rlib ...".
std::string Describe(BlobKind kind, absl::string_view name);

}  // namespace ddcc::blob
