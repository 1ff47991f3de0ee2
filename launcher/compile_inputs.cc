#include "launcher/compile_inputs.h"

#include <sys/stat.h>

#include <cstdlib>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ddcc {

IncludeSetOptions IncludeSetOptionsFor(const Compiler& compiler, const CompileRequest& request,
                                       bool sloppy_time_macros, const EnvLookup& env) {
  IncludeSetOptions options;
  // clang 14 does not read SOURCE_DATE_EPOCH; later ones do. A preload (libfaketime) may set
  // the compiler's clock apart from ddcc's, by variables of its own, and so may a library the
  // loader finds for it elsewhere.
  if (sloppy_time_macros) {
    options.allowed = AllowedTimeMacros::kAll;
  } else if (env("SOURCE_DATE_EPOCH") != nullptr || env("LD_PRELOAD") != nullptr ||
             env("LD_LIBRARY_PATH") != nullptr || env("LD_AUDIT") != nullptr) {
    options.allowed = AllowedTimeMacros::kNone;
  }
  options.precompiled_headers = compiler.family == Family::kGcc;
  options.one_entry_per_file = compiler.family == Family::kClang;
  options.canonical_system_headers = compiler.family == Family::kGcc;
  options.forced_includes = request.forced_includes;
  options.extra_inputs = request.extra_input_files;
  options.named_search_dirs = request.search_dirs;
  options.command_line = absl::StrJoin(request.preprocess_args, "\n");
  return options;
}

bool ClockKeyed(const Compiler& compiler, bool sloppy_time_macros, const EnvLookup& env) {
  return sloppy_time_macros ||
         (compiler.family == Family::kGcc && env("SOURCE_DATE_EPOCH") != nullptr);
}

std::vector<std::string> FilesRead(const CompileRequest& request,
                                   const PreprocessedIncludes& includes) {
  std::vector<std::string> files = {request.source};
  absl::flat_hash_set<std::string> seen;
  for (const EnteredHeader& header : includes.headers) {
    if (seen.insert(header.path).second) files.push_back(header.path);
  }
  for (const std::string& file : includes.renamed) {
    if (seen.insert(file).second) files.push_back(file);
  }
  return files;
}

std::optional<NotCacheable> CheckRegularFiles(const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    struct stat st;
    if (stat(file.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return NotCacheable{Uncacheable::kNoInputFile, absl::StrCat(file, " is no regular file")};
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
