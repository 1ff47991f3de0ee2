#include "launcher/rustc_args.h"

#include <algorithm>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

extern char** environ;

namespace ddcc {
namespace {

// Options that take a value, as `--name value` or `--name=value` (long) and `-Xvalue` or
// `-X value` (short). Anything not here nor in kFlags is not cached.
constexpr absl::string_view kLongWithValue[] = {"--crate-name",
                                                "--crate-type",
                                                "--edition",
                                                "--emit",
                                                "--out-dir",
                                                "--print",
                                                "--cfg",
                                                "--check-cfg",
                                                "--cap-lints",
                                                "--error-format",
                                                "--json",
                                                "--color",
                                                "--target",
                                                "--sysroot",
                                                "--remap-path-prefix",
                                                "--extern",
                                                "--explain",
                                                "--force-warn",
                                                "--diagnostic-width"};
constexpr absl::string_view kShortWithValue[] = {"-C", "-L", "-l", "-Z", "-A",
                                                 "-W", "-D", "-F", "-o"};
constexpr absl::string_view kFlags[] = {"-g", "-O", "-v", "--verbose"};

// One option (name and value) or the source, and the arguments it spans.
struct Word {
  std::string name;  // empty for the source
  std::string value;
  size_t first = 0;
  size_t count = 1;
};

template <size_t N>
bool OneOf(absl::string_view word, const absl::string_view (&set)[N]) {
  for (absl::string_view s : set) {
    if (word == s) return true;
  }
  return false;
}

std::variant<std::vector<Word>, NotCacheable> Words(const std::vector<std::string>& args) {
  std::vector<Word> words;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    Word word;
    word.first = i;
    if (arg == "-") return NotCacheable{Uncacheable::kNoInputFile, "source on stdin"};
    if (absl::StartsWith(arg, "@")) {
      return NotCacheable{Uncacheable::kUnsupportedOption, arg};  // an argument file
    }
    if (!absl::StartsWith(arg, "-")) {
      word.value = arg;
      words.push_back(std::move(word));
      continue;
    }
    if (OneOf(arg, kFlags)) {
      word.name = arg;
      words.push_back(std::move(word));
      continue;
    }
    std::optional<std::string> inline_value;
    if (absl::StartsWith(arg, "--")) {
      size_t eq = arg.find('=');
      word.name = arg.substr(0, eq);
      if (!OneOf(word.name, kLongWithValue)) {
        return NotCacheable{Uncacheable::kUnsupportedOption, arg};
      }
      if (eq != std::string::npos) inline_value = arg.substr(eq + 1);
    } else {
      word.name = arg.substr(0, 2);
      if (!OneOf(word.name, kShortWithValue)) {
        return NotCacheable{Uncacheable::kUnsupportedOption, arg};
      }
      if (arg.size() > 2) inline_value = arg.substr(2);
    }
    if (inline_value) {
      word.value = *inline_value;
    } else if (i + 1 < args.size()) {
      word.value = args[++i];
      word.count = 2;
    } else {
      return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat(arg, " without a value")};
    }
    words.push_back(std::move(word));
  }
  return words;
}

// A -C option's name: "extra-filename" of "extra-filename=-abc".
absl::string_view CodegenName(absl::string_view value) { return value.substr(0, value.find('=')); }

}  // namespace

std::vector<std::string> RustcRequest::OutputNames() const {
  std::vector<std::string> names;
  for (const std::string& kind : emit) {
    if (kind == "link") names.push_back(absl::StrCat("lib", crate_name, extra_filename, ".rlib"));
    if (kind == "metadata") {
      names.push_back(absl::StrCat("lib", crate_name, extra_filename, ".rmeta"));
    }
    if (kind == "dep-info") names.push_back(absl::StrCat(crate_name, extra_filename, ".d"));
  }
  return names;
}

ParsedRustcArgs ParseRustcArgs(const std::vector<std::string>& args) {
  auto parsed = Words(args);
  if (auto* not_cacheable = std::get_if<NotCacheable>(&parsed)) return *not_cacheable;
  RustcRequest request;
  std::vector<std::string> crate_types;
  bool emit_given = false;
  for (const Word& word : std::get<std::vector<Word>>(parsed)) {
    const std::string& v = word.value;
    if (word.name.empty()) {
      if (!request.source.empty()) return NotCacheable{Uncacheable::kMultipleSources, v};
      request.source = v;
    } else if (word.name == "--crate-name") {
      request.crate_name = v;
    } else if (word.name == "--crate-type") {
      for (absl::string_view type : absl::StrSplit(v, ',')) crate_types.emplace_back(type);
    } else if (word.name == "--emit") {
      emit_given = true;
      for (absl::string_view kind : absl::StrSplit(v, ',')) {
        if (kind != "dep-info" && kind != "metadata" && kind != "link") {
          // Other kinds, and kind=path, write files ddcc would not know of.
          return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat("--emit=", v)};
        }
        request.emit.emplace_back(kind);
      }
    } else if (word.name == "--out-dir") {
      request.out_dir = v;
    } else if (word.name == "--color" || word.name == "--error-format") {
      request.color_chosen = true;
    } else if (word.name == "--target") {
      if (absl::EndsWith(v, ".json")) {
        return NotCacheable{Uncacheable::kUnsupportedOption, "a target specification file"};
      }
      request.target = v;
    } else if (word.name == "--sysroot") {
      request.sysroot = v;
    } else if (word.name == "--remap-path-prefix") {
      // FROM may hold '=', TO may not (rustc splits at the last one).
      size_t eq = v.rfind('=');
      if (eq == std::string::npos) {
        return NotCacheable{Uncacheable::kUnsupportedOption,
                            absl::StrCat("--remap-path-prefix ", v)};
      }
      request.remaps.emplace_back(v.substr(0, eq), v.substr(eq + 1));
    } else if (word.name == "--extern") {
      // name=path, or modifiers:name=path; without a path the crate is searched for.
      size_t eq = v.find('=');
      if (eq == std::string::npos) {
        return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat("--extern ", v)};
      }
      request.externs.push_back(v.substr(eq + 1));
      absl::string_view name = absl::string_view(v).substr(0, eq);
      request.extern_names.emplace_back(name.substr(name.rfind(':') + 1));
    } else if (word.name == "-C") {
      absl::string_view name = CodegenName(v);
      if (name == "extra-filename") {
        request.extra_filename = v.substr(name.size() + 1);
      } else if (name == "profile-use") {
        request.profile_files.push_back(v.substr(name.size() + 1));
      } else if (v == "target-cpu=native") {
        request.host_cpu = true;
      } else if (name == "incremental" || name == "save-temps" ||
                 (name == "split-debuginfo" && v != "split-debuginfo=off")) {
        // State or files beside the outputs, which a hit could not restore.
        return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat("-C ", v)};
      }
    } else if (word.name == "-l") {
      // [KIND[:MODIFIERS]=]NAME[:RENAME]; a static library is bundled into the crate unless
      // -bundle says otherwise, which ddcc does not follow.
      size_t eq = v.find('=');
      absl::string_view kind = eq == std::string::npos ? "" : absl::string_view(v).substr(0, eq);
      if (absl::StartsWith(kind, "static")) {
        if (kind != "static") {
          return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat("-l ", v)};
        }
        absl::string_view name = absl::string_view(v).substr(eq + 1);
        request.static_libs.emplace_back(name.substr(0, name.find(':')));
      }
    } else if (word.name == "-L") {
      size_t eq = v.find('=');
      absl::string_view kind = eq == std::string::npos ? "all" : absl::string_view(v).substr(0, eq);
      const std::string dir = eq == std::string::npos ? v : v.substr(eq + 1);
      if (kind == "native" || kind == "all") request.native_dirs.push_back(dir);
      if (kind != "native" && kind != "framework") request.crate_dirs.push_back(dir);
    } else if (word.name == "-o" || word.name == "--print" || word.name == "--explain" ||
               word.name == "-Z") {
      // -o names outputs of its own; -Z options are unstable.
      return NotCacheable{Uncacheable::kUnsupportedOption, absl::StrCat(word.name, " ", v)};
    }
  }
  if (request.source.empty()) return NotCacheable{Uncacheable::kNoInputFile, ""};
  if (!absl::EndsWith(request.source, ".rs")) {
    return NotCacheable{Uncacheable::kUnsupportedLanguage, request.source};
  }
  if (crate_types.empty()) crate_types.push_back("bin");
  for (const std::string& type : crate_types) {
    if (type != "lib" && type != "rlib") {
      return NotCacheable{Uncacheable::kCalledForLink, absl::StrCat("--crate-type ", type)};
    }
  }
  if (request.crate_name.empty() || request.out_dir.empty()) {
    return NotCacheable{Uncacheable::kUnsupportedOption, "no --crate-name or --out-dir"};
  }
  if (!emit_given) request.emit.push_back("link");
  return request;
}

std::vector<std::string> KeyArguments(
    const std::vector<std::string>& args,
    absl::FunctionRef<std::string(absl::string_view, RustcPath)> path_in_key) {
  std::vector<std::string> out;
  auto parsed = Words(args);
  for (const Word& word : std::get<std::vector<Word>>(parsed)) {
    absl::string_view v = word.value;
    std::string value(v);
    if (word.name.empty()) {
      out.push_back(path_in_key(v, RustcPath::kName));
      continue;
    }
    if (word.name == "--out-dir") {
      value = path_in_key(v, RustcPath::kLocation);
    } else if (word.name == "-L") {
      // [KIND=]PATH
      size_t eq = v.find('=');
      size_t at = eq == absl::string_view::npos ? 0 : eq + 1;
      value = absl::StrCat(v.substr(0, at), path_in_key(v.substr(at), RustcPath::kLocation));
    } else if (word.name == "--extern") {
      size_t eq = v.find('=');
      value =
          absl::StrCat(v.substr(0, eq + 1), path_in_key(v.substr(eq + 1), RustcPath::kLocation));
    } else if (word.name == "--remap-path-prefix") {
      size_t eq = v.rfind('=');
      value = absl::StrCat(path_in_key(v.substr(0, eq), RustcPath::kRemapFrom), v.substr(eq));
    }
    if (word.count == 2) {
      out.push_back(args[word.first]);
      out.push_back(std::move(value));
    } else if (args[word.first].size() == word.name.size() + word.value.size()) {
      out.push_back(absl::StrCat(word.name, value));  // -Lvalue
    } else {
      out.push_back(absl::StrCat(word.name, "=", value));  // --name=value
    }
  }
  return out;
}

std::vector<std::string> DepInfoArgs(const std::vector<std::string>& args,
                                     const std::string& dep_file) {
  std::vector<std::string> out;
  auto parsed = Words(args);
  for (const Word& word : std::get<std::vector<Word>>(parsed)) {
    if (word.name == "--emit" || word.name == "--out-dir") continue;
    out.insert(out.end(), args.begin() + word.first, args.begin() + word.first + word.count);
  }
  out.push_back(absl::StrCat("--emit=dep-info=", dep_file));
  return out;
}

std::vector<std::string> CargoVariables(const RustcRequest& request, const PathRewriter& paths) {
  const bool proc_macros =
      std::any_of(request.externs.begin(), request.externs.end(),
                  [](const std::string& path) { return absl::EndsWith(path, ".so"); });
  std::vector<std::string> variables;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    absl::string_view variable = *entry;
    if ((absl::StartsWith(variable, "CARGO_") && !absl::StartsWith(variable, "CARGO_MAKEFLAGS=")) ||
        absl::StartsWith(variable, "RUSTC_BOOTSTRAP=") || absl::StartsWith(variable, "RUSTC_LOG") ||
        // The version rustc writes into crate metadata.
        absl::StartsWith(variable, "RUSTC_FORCE_RUSTC_VERSION=") ||
        absl::StartsWith(variable, "RUSTC_OVERRIDE_VERSION_STRING=")) {
      const size_t eq = variable.find('=');
      absl::string_view value = variable.substr(eq + 1);
      variables.push_back(proc_macros
                              ? std::string(variable)
                              : absl::StrCat(variable.substr(0, eq + 1), paths.KeyForm(value)));
    }
  }
  std::sort(variables.begin(), variables.end());
  return variables;
}

}  // namespace ddcc
