// Fuzzes the argument model (launcher/args.h) with both compiler families. The input is the
// arguments, separated by NUL bytes. Response files are looked for in a directory that no longer
// exists (inputs naming one with a '/' are skipped), so no input can make it read a file.
#include <stdlib.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "launcher/args.h"
#include "launcher/depfile.h"

namespace {

bool SameRequest(const ddcc::CompileRequest& a, const ddcc::CompileRequest& b) {
  return a.language == b.language && a.source == b.source && a.object == b.object &&
         a.preprocess_args == b.preprocess_args && a.hashed_args == b.hashed_args &&
         a.extra_input_files == b.extra_input_files && a.generates_deps == b.generates_deps &&
         a.dep_file == b.dep_file && a.dep_targets == b.dep_targets &&
         a.dep_options == b.dep_options && a.debug_info == b.debug_info &&
         a.explicit_color == b.explicit_color && a.expanded_args == b.expanded_args &&
         a.explicit_dep_targets == b.explicit_dep_targets;
}

std::string nowhere;

// The path an output argument names.
std::optional<std::string> NamedPath(const ddcc::CompileRequest& request,
                                     const std::optional<ddcc::PathArg>& at) {
  if (!at) return std::nullopt;
  if (at->index >= request.expanded_args.size() ||
      at->prefix_size > request.expanded_args[at->index].size()) {
    abort();
  }
  return request.expanded_args[at->index].substr(at->prefix_size);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  char dir[] = "/tmp/ddcc-fuzz-args-XXXXXX";
  if (mkdtemp(dir) == nullptr || rmdir(dir) != 0) abort();
  nowhere = dir;
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args = absl::StrSplit(input, absl::string_view("\0", 1));
  for (std::string& arg : args) {
    ddcc::MakeQuote(arg);
    if (arg.size() < 2 || arg[0] != '@') continue;
    if (arg.find('/') != std::string::npos) return -1;
    arg = "@" + nowhere + "/" + arg.substr(1);
  }
  for (ddcc::Family family : {ddcc::Family::kGcc, ddcc::Family::kClang}) {
    ddcc::ParsedArgs first = ddcc::ParseArgs(family, args);
    ddcc::ParsedArgs again = ddcc::ParseArgs(family, args);
    // The model is a pure function of the arguments: a difference means a read of something
    // uninitialised or stale.
    if (first.index() != again.index()) abort();
    if (const auto* request = std::get_if<ddcc::CompileRequest>(&first)) {
      if (!SameRequest(*request, std::get<ddcc::CompileRequest>(again))) abort();
      // The preprocessor, whose output the key holds, must read the source.
      const std::vector<std::string>& preprocess = request->preprocess_args;
      if (std::find(preprocess.begin(), preprocess.end(), request->source) == preprocess.end()) {
        abort();
      }
      // A miss redirects the outputs through these: they must name what the request says.
      if (NamedPath(*request, request->object_arg).value_or(request->object) != request->object ||
          (request->generates_deps &&
           NamedPath(*request, request->dep_file_arg).value_or(request->dep_file) !=
               request->dep_file)) {
        abort();
      }
    } else if (std::get<ddcc::NotCacheable>(first).reason !=
               std::get<ddcc::NotCacheable>(again).reason) {
      abort();
    }
  }
  return 0;
}
