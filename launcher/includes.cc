#include "launcher/includes.h"

#include <cctype>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/files.h"
#include "launcher/asm_scan.h"
#include "launcher/pragma_dependency.h"

namespace ddcc {
namespace {

std::string DirOf(absl::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return "";
  return std::string(path.substr(0, slash == 0 ? 1 : slash));
}

std::string Join(absl::string_view dir, absl::string_view name) {
  if (dir.empty() || absl::StartsWith(name, "/")) return std::string(name);
  return absl::StrCat(dir, absl::EndsWith(dir, "/") ? "" : "/", name);
}

// The quoted file name of a line marker, unescaped as gcc and clang escape it.
bool ParseQuoted(absl::string_view& rest, std::string& name) {
  if (!absl::ConsumePrefix(&rest, "\"")) return false;
  while (!rest.empty() && rest.front() != '"') {
    char c = rest.front();
    rest.remove_prefix(1);
    if (c == '\\' && !rest.empty()) {
      if (rest.size() >= 3 && absl::ascii_isdigit(rest[0]) && absl::ascii_isdigit(rest[1]) &&
          absl::ascii_isdigit(rest[2])) {
        c = static_cast<char>((rest[0] - '0') * 64 + (rest[1] - '0') * 8 + (rest[2] - '0'));
        rest.remove_prefix(3);
      } else {
        c = rest.front();
        rest.remove_prefix(1);
      }
    }
    name.push_back(c);
  }
  return absl::ConsumePrefix(&rest, "\"");
}

bool IsPseudoFile(absl::string_view name) {
  return absl::StartsWith(name, "<") || absl::EndsWith(name, "//");  // <built-in>, cwd marker
}

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

// What follows "__has_include" in a source: the header it asks about, if it can be read.
void AddProbe(absl::string_view rest, ContentScan& scan) {
  absl::ConsumePrefix(&rest, "_next");
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (!absl::ConsumePrefix(&rest, "(")) return;  // "#ifdef __has_include" and the like
  rest = absl::StripLeadingAsciiWhitespace(rest);
  char close = rest.empty() ? 0 : rest.front() == '<' ? '>' : rest.front() == '"' ? '"' : 0;
  size_t end = close ? rest.find(close, 1) : absl::string_view::npos;
  if (end == absl::string_view::npos) {
    scan.computed_probe = true;
    return;
  }
  scan.probes.push_back({std::string(rest.substr(1, end - 1)), close == '"'});
}

// Adds to `candidates` the paths the compiler may have tried before finding `path` in a search
// directory, the include being in a file in one of `includer_dirs`: every reading of the path as
// a search directory plus a name. Whether some search directory holds `path`.
bool SearchedBefore(const std::string& path, const std::vector<std::string>& includer_dirs,
                    const SearchPath& search, std::vector<std::string>& candidates) {
  std::vector<std::string> dirs = search.quote;
  dirs.insert(dirs.end(), search.angle.begin(), search.angle.end());
  bool found = false;
  for (size_t i = 0; i < dirs.size(); ++i) {
    std::string prefix = Join(dirs[i], "");
    if (!absl::StartsWith(path, prefix) || path.size() == prefix.size()) continue;
    found = true;
    absl::string_view name = absl::string_view(path).substr(prefix.size());
    std::vector<std::string> tried;
    for (const std::string& dir : includer_dirs) tried.push_back(Join(dir, name));
    for (size_t j = 0; j < i; ++j) tried.push_back(Join(dirs[j], name));
    for (std::string& candidate : tried) {
      if (candidate != path && !Contains(candidates, candidate)) {
        candidates.push_back(std::move(candidate));
      }
    }
  }
  return found;
}

// Records what both ways of learning a compile's files share: the search path's missing
// directories, the source, each header with the places tried before it, and what the files'
// contents ask (time macros, __has_include).
class IncludeSetRecorder {
 public:
  IncludeSetRecorder(const SearchPath& search, const PathRewriter& paths, IncludeSetBuilder builder)
      : search_(search), paths_(paths), builder_(std::move(builder)) {}

  absl::Status AddSource(const std::string& source) {
    for (const std::string& dir : search_.missing) {
      if (absl::Status status = AddCandidate(dir); !status.ok()) return status;
    }
    // The source is in the direct key already; recording it too makes sure it did not change
    // during the compile.
    return AddRead(source);
  }

  bool Has(const std::string& path) const { return builder_.Has(paths_.Relative(path)); }

  absl::Status AddHeader(const std::string& path, const std::vector<std::string>& tried_before) {
    if (absl::Status status = AddRead(path); !status.ok()) return status;
    for (const std::string& candidate : tried_before) {
      if (absl::Status status = AddCandidate(candidate); !status.ok()) return status;
    }
    return absl::OkStatus();
  }

  // `incbin_refused`: a file naming .incbin makes the set unusable.
  absl::StatusOr<IncludeSet> Finish(AllowedTimeMacros allowed, bool incbin_refused,
                                    const Digest& result) && {
    for (const Scanned& scanned : scans_) {
      const ContentScan& scan = scanned.scan;
      if ((scan.clock_macros && allowed == AllowedTimeMacros::kNone) ||
          (scan.timestamp_macro && allowed != AllowedTimeMacros::kAll)) {
        return absl::FailedPreconditionError("a time macro makes the result depend on the clock");
      }
      if (scan.computed_probe) return absl::FailedPreconditionError("a computed __has_include");
      if (scanned.names_dependency) {
        return absl::FailedPreconditionError(
            "#pragma GCC dependency: the compiler's warning depends on file times");
      }
      if (incbin_refused && scanned.names_incbin) {
        return absl::FailedPreconditionError("a file may make the assembler read files (.incbin)");
      }
      for (const ContentScan::Probe& probe : scan.probes) {
        for (const std::string& candidate : ProbeCandidates(probe, scanned.dir, search_)) {
          if (absl::Status status = AddCandidate(candidate); !status.ok()) return status;
        }
      }
    }
    return std::move(builder_).Finish(result);
  }

 private:
  struct Scanned {
    std::string dir;
    ContentScan scan;
    bool names_incbin;
    bool names_dependency;
  };

  absl::Status AddCandidate(const std::string& path) {
    return builder_.AddCandidate(paths_.Relative(path));
  }

  absl::Status AddRead(const std::string& path) {
    absl::StatusOr<std::string> content = builder_.AddFile(paths_.Relative(path));
    if (!content.ok()) return content.status();
    scans_.push_back({DirOf(path), ScanContent(*content), ScanRawCText(*content).has_value(),
                      NamesPragmaDependency(*content)});
    return absl::OkStatus();
  }

  const SearchPath& search_;
  const PathRewriter& paths_;
  IncludeSetBuilder builder_;
  std::vector<Scanned> scans_;
};

}  // namespace

std::vector<EnteredHeader> ParseLineMarkers(absl::string_view preprocessed) {
  std::vector<EnteredHeader> headers;
  std::vector<std::string> stack;
  std::string current;
  // Jumping from one "# " line to the next skips the code between (libstdc++'s find is fast).
  const std::string_view text(preprocessed.data(), preprocessed.size());
  for (size_t at = text.starts_with("# ") ? 0 : text.find("\n# "); at != std::string_view::npos;
       at = text.find("\n# ", at + 1)) {
    if (text[at] == '\n') ++at;
    absl::string_view line = preprocessed.substr(at, text.find('\n', at) - at);
    line.remove_prefix(2);  // "# "
    if (line.empty() || !absl::ascii_isdigit(line[0])) continue;
    line.remove_prefix(std::min(line.find(' '), line.size()));
    line = absl::StripLeadingAsciiWhitespace(line);
    std::string name;
    if (!ParseQuoted(line, name)) continue;
    std::vector<absl::string_view> flags = absl::StrSplit(line, ' ', absl::SkipEmpty());
    bool enters = !flags.empty() && flags[0] == "1";
    bool returns = !flags.empty() && flags[0] == "2";
    if (enters) {
      stack.push_back(current);
      if (!IsPseudoFile(name)) {
        headers.push_back({name, IsPseudoFile(current) ? "" : DirOf(current)});
      }
    } else if (returns && !stack.empty()) {
      stack.pop_back();
    }
    current = std::move(name);
  }
  return headers;
}

absl::StatusOr<SearchPath> ParseSearchPath(absl::string_view verbose_stderr) {
  SearchPath search;
  std::vector<std::string>* list = nullptr;
  bool ended = false;
  for (absl::string_view line : absl::StrSplit(verbose_stderr, '\n')) {
    absl::string_view dir = line;
    if (absl::ConsumePrefix(&dir, "ignoring nonexistent directory \"") &&
        absl::ConsumeSuffix(&dir, "\"")) {
      search.missing.emplace_back(dir);
    } else if (absl::StartsWith(line, "#include \"...\" search starts here:")) {
      list = &search.quote;
    } else if (absl::StartsWith(line, "#include <...> search starts here:")) {
      list = &search.angle;
    } else if (absl::StartsWith(line, "End of search list.")) {
      ended = true;
      list = nullptr;
    } else if (list != nullptr && absl::ConsumePrefix(&dir, " ")) {
      // clang marks macOS framework directories; they are searched differently.
      if (absl::ConsumeSuffix(&dir, " (framework directory)")) continue;
      list->emplace_back(dir);
    }
  }
  if (!ended) return absl::FailedPreconditionError("no search list in the compiler's -v output");
  return search;
}

bool SearchPathHolds(const SearchPath& search) {
  for (const std::vector<std::string>* dirs : {&search.quote, &search.angle}) {
    for (const std::string& dir : *dirs) {
      if (!StampFile(dir).ok()) return false;
    }
  }
  for (const std::string& dir : search.missing) {
    if (!absl::IsNotFound(StampFile(dir).status())) return false;
  }
  return true;
}

absl::StatusOr<std::vector<std::string>> ShadowCandidates(const EnteredHeader& header,
                                                          const SearchPath& search) {
  // An absolute #include searches nothing; a header beside its includer (a quoted #include)
  // is the first place searched.
  bool understood = absl::StartsWith(header.path, "/") || header.includer_dir.empty() ||
                    absl::StartsWith(header.path, header.includer_dir + "/");
  std::vector<std::string> candidates;
  if (!SearchedBefore(header.path, {header.includer_dir}, search, candidates) && !understood) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot tell how the compiler found ", header.path));
  }
  return candidates;
}

// One pass over the places where "__" starts: headers are megabytes, and a miss scans them all.
ContentScan ScanContent(absl::string_view content) {
  ContentScan scan;
  const std::string_view text(content.data(), content.size());  // libstdc++'s find is faster
  for (size_t at = text.find("__"); at != std::string_view::npos; at = text.find("__", at + 1)) {
    absl::string_view rest = content.substr(at + 2);
    if (absl::StartsWith(rest, "DATE__") || absl::StartsWith(rest, "TIME__")) {
      scan.clock_macros = true;
    } else if (absl::StartsWith(rest, "TIMESTAMP__")) {
      scan.timestamp_macro = true;
    } else if (absl::ConsumePrefix(&rest, "has_include")) {
      AddProbe(rest, scan);
    }
  }
  return scan;
}

std::vector<std::string> ProbeCandidates(const ContentScan::Probe& probe, const std::string& dir,
                                         const SearchPath& search) {
  std::vector<std::string> candidates;
  if (probe.quoted) {
    candidates.push_back(Join(dir, probe.name));
    for (const std::string& quote : search.quote) candidates.push_back(Join(quote, probe.name));
  }
  for (const std::string& angle : search.angle) candidates.push_back(Join(angle, probe.name));
  return candidates;
}

absl::StatusOr<IncludeSet> RecordIncludeSet(const std::string& source,
                                            absl::string_view preprocessed,
                                            const SearchPath& search, AllowedTimeMacros allowed,
                                            const PathRewriter& paths, IncludeSetBuilder builder,
                                            const Digest& result) {
  IncludeSetRecorder recorder(search, paths, std::move(builder));
  if (absl::Status status = recorder.AddSource(source); !status.ok()) return status;
  for (const EnteredHeader& header : ParseLineMarkers(preprocessed)) {
    if (recorder.Has(header.path)) continue;
    absl::StatusOr<std::vector<std::string>> candidates = ShadowCandidates(header, search);
    if (!candidates.ok()) return candidates.status();
    if (absl::Status status = recorder.AddHeader(header.path, *candidates); !status.ok()) {
      return status;
    }
  }
  // The preprocessed text was checked for .incbin before.
  return std::move(recorder).Finish(allowed, /*incbin_refused=*/false, result);
}

absl::StatusOr<IncludeSet> RecordDependIncludeSet(
    const std::string& source, const std::vector<std::string>& files, const SearchPath& search,
    AllowedTimeMacros allowed, const PathRewriter& paths, IncludeSetBuilder builder) {
  // "": the working directory, from which -include and the implicit stdc-predef.h are searched.
  std::vector<std::string> includer_dirs = {""};
  for (const std::string& file : files) {
    if (std::string dir = DirOf(file); !Contains(includer_dirs, dir)) includer_dirs.push_back(dir);
  }
  IncludeSetRecorder recorder(search, paths, std::move(builder));
  if (absl::Status status = recorder.AddSource(source); !status.ok()) return status;
  for (const std::string& file : files) {
    if (recorder.Has(file)) continue;
    // A header in no search directory was found beside its includer, or named absolutely: then
    // nothing was tried before it.
    std::vector<std::string> candidates;
    SearchedBefore(file, includer_dirs, search, candidates);
    if (absl::Status status = recorder.AddHeader(file, candidates); !status.ok()) return status;
  }
  return std::move(recorder).Finish(allowed, /*incbin_refused=*/true, Digest{});
}

}  // namespace ddcc
