#include "launcher/keys.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/store/entry.h"
#include "cache/util/files.h"
#include "launcher/asm_scan.h"
#include "launcher/compile_environment.h"
#include "launcher/debug_dir.h"
#include "launcher/depfile.h"
#include "launcher/source_language.h"

namespace ddcc {
namespace {

// Whether gcc may write offloading sections for `text` (preprocessed: a _Pragma shows as a
// #pragma line), which name the working directory: an OpenMP target region or declare target
// (a `#pragma omp` line holding the word `target`, or OpenMP's attribute syntax, however
// spaced: `[[omp :: directive(target)]]`, `[[using omp : ...]]`, where the text holds the name
// `omp` outside a #pragma line and `target` anywhere) or any OpenACC construct. Parallel loops
// alone write none, nor does `std::function::target`.
bool MayOffload(absl::string_view text) {
  if (absl::StrContains(text, "#pragma acc")) return true;
  auto is_word_at = [&](size_t at, size_t size) {
    auto name_char = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
    return (at == 0 || !name_char(text[at - 1])) &&
           (at + size == text.size() || !name_char(text[at + size]));
  };
  const bool mentions_target = absl::StrContains(text, "target");
  for (size_t at = text.find("omp"); at != absl::string_view::npos; at = text.find("omp", at + 1)) {
    if (!is_word_at(at, 3)) continue;
    const size_t line_start =
        text.rfind('\n', at) == absl::string_view::npos ? 0 : text.rfind('\n', at) + 1;
    absl::string_view before =
        absl::StripLeadingAsciiWhitespace(text.substr(line_start, at - line_start));
    if (!absl::ConsumePrefix(&before, "#")) {
      if (mentions_target) return true;  // an attribute
      continue;
    }
    before = absl::StripLeadingAsciiWhitespace(before);
    if (absl::StripAsciiWhitespace(before) != "pragma") continue;
    const absl::string_view line = text.substr(at, text.find('\n', at) - at);
    for (size_t word = line.find("target"); word != absl::string_view::npos;
         word = line.find("target", word + 1)) {
      if (is_word_at(line.data() - text.data() + word, 6)) return true;
    }
  }
  return false;
}

// What each named search directory is now. One that is the same directory as an earlier one
// (a link, a bind mount, `x/a` with `x` a link to `.`) is dropped from the search as its
// duplicate, so no include set records it; once it is another directory, it is searched. And a
// link to a system directory is dropped in favour of that one: where a link leads is part of it.
std::vector<std::string> SearchDirectoryKinds(const std::vector<std::string>& dirs,
                                              const PathRewriter& paths) {
  std::vector<std::string> kinds;
  std::vector<std::pair<dev_t, ino_t>> identities(dirs.size());
  for (size_t i = 0; i < dirs.size(); ++i) {
    // lstat alone where it is no link, which is nearly always.
    struct stat st;
    const bool listed = lstat(dirs[i].c_str(), &st) == 0;
    const bool link = listed && S_ISLNK(st.st_mode);
    if (!listed || (link && stat(dirs[i].c_str(), &st) != 0)) {
      kinds.push_back(errno == ENOENT ? "absent" : "unreadable");
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      kinds.push_back("not a directory");
      continue;
    }
    std::string kind = "a directory";
    identities[i] = {st.st_dev, st.st_ino};
    for (size_t j = 0; j < i; ++j) {
      if (identities[j] == identities[i]) {
        absl::StrAppend(&kind, ", the same as search directory ", j);
        break;
      }
    }
    char real[PATH_MAX];
    if (link && realpath(dirs[i].c_str(), real) != nullptr) {
      absl::StrAppend(&kind, ", a link to ", paths.KeyForm(real));
    }
    kinds.push_back(std::move(kind));
  }
  return kinds;
}

}  // namespace

// Hashes the inputs of a key, each under its name, and when asked writes them down as
// "name: value" lines, so that two compiles' keys can be compared with diff.
class KeyInputs {
 public:
  KeyInputs(absl::string_view kind, std::string* transcript) : transcript_(transcript) {
    hasher_.Field(kind);
    if (transcript_) absl::StrAppend(transcript_, "# ", kind, "\n");
  }

  void Add(absl::string_view name, absl::string_view value) {
    hasher_.Field(name);
    hasher_.Field(value);
    if (transcript_) absl::StrAppend(transcript_, name, ": ", Readable(value), "\n");
  }

  // Long or multi-line values show as their digest and size.
  void AddText(absl::string_view name, absl::string_view text) {
    hasher_.Field(name);
    hasher_.Field(text);
    if (!transcript_) return;
    Hasher digest;
    digest.Update(text);
    absl::StrAppend(transcript_, name, ": ", digest.Finish().Hex(), " (", text.size(), " bytes)\n");
  }

  // Arguments in their key form.
  void AddArguments(absl::string_view name, const std::vector<std::string>& values,
                    const PathRewriter& paths, bool preprocessing) {
    Add(absl::StrCat(name, " count"), absl::StrCat(values.size()));
    for (const std::string& value : values) Add(name, paths.KeyArgument(value, preprocessing));
  }

  void AddList(absl::string_view name, const std::vector<std::string>& values) {
    Add(absl::StrCat(name, " count"), absl::StrCat(values.size()));
    for (const std::string& value : values) Add(name, value);
  }

  void AddEnv(const char* name, const EnvLookup& env) {
    const char* value = env(name);
    Add(absl::StrCat(key_label::kEnvPrefix, name), value ? absl::StrCat("=", value) : "unset");
  }

  // Written down, not hashed: for what the key holds in another form.
  void Note(absl::string_view name, absl::string_view value) {
    if (transcript_) absl::StrAppend(transcript_, name, ": ", value, "\n");
  }

  Hasher& hasher() { return hasher_; }
  Digest Finish() const { return hasher_.Finish(); }

 private:
  Hasher hasher_;
  std::string* transcript_;
};

bool KeyMaker::ReadsSpecsFile() const {
  const absl::StatusOr<DriverFacts>& driver = Driver();
  return driver.ok() && std::any_of(driver->gcc_specs_files.begin(), driver->gcc_specs_files.end(),
                                    [](const std::string& place) {
                                      return !absl::EndsWith(place, " absent") &&
                                             !absl::EndsWith(place, " unreadable");
                                    });
}

// The digest of `file` for the result key: with a base directory, PathRewriter::ContentKey's,
// and `names_base_dir` set where the file names one. Not where clang's debug info records each
// file's MD5, which the bytes as they are give.
absl::StatusOr<Digest> KeyMaker::ContentKey(const std::string& file, bool* names_base_dir) const {
  if (!paths_.active() || (compiler_.family == Family::kClang && request_.debug_info)) {
    return HashFile(file);
  }
  absl::StatusOr<std::string> content = ReadFile(file);
  if (!content.ok()) return content.status();
  bool rewrote = false;
  Digest digest = paths_.ContentKey(*content, &rewrote);
  *names_base_dir |= rewrote;
  return digest;
}

Digest KeyMaker::WithCwd(const Digest& key) const {
  Hasher hasher;
  hasher.Field("specific to the working directory");
  hasher.Field(
      absl::string_view(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()));
  hasher.Field(paths_.cwd());
  return hasher.Finish();
}

const absl::StatusOr<DriverFacts>& KeyMaker::Driver() const {
  if (!driver_) driver_ = ProbeDriver(compiler_, request_, config_, env_);
  return *driver_;
}

const absl::StatusOr<Digest>& KeyMaker::Identity() const {
  if (!identity_) identity_ = CompilerIdentity(compiler_, config_);
  return *identity_;
}

bool KeyMaker::DriverUnchanged() const {
  if (!driver_ || !driver_->ok()) return false;
  absl::StatusOr<DriverFacts> now = ProbeDriver(compiler_, request_, config_, env_);
  return now.ok() && *now == **driver_;
}

bool KeyMaker::CompilerUnchanged() const {
  absl::StatusOr<Digest> now = CompilerIdentity(compiler_, config_);
  return now.ok() && identity_ && identity_->ok() && *now == **identity_;
}

absl::Status KeyMaker::AddCommon(KeyInputs& inputs, absl::string_view why_cwd) const {
  const bool holds_cwd = !why_cwd.empty();
  const absl::StatusOr<Digest>& identity = Identity();
  if (!identity.ok()) return identity.status();
  inputs.Add("format", absl::StrCat(kFormatVersion));
  inputs.Add("compiler", absl::StrCat(compiler_.path, " ", identity->Hex()));
  inputs.Add("compiler name", compiler_.name);  // clang and clang++: one binary reading its name
  // A build farm's compiler may not be this one (icecc ships its own): the same command or none.
  if (!compiler_.prefix.empty()) inputs.AddList("prefix command", compiler_.prefix);
  const absl::StatusOr<DriverFacts>& driver = Driver();
  if (!driver.ok()) return driver.status();
  if (!driver->wrapped.empty()) {
    // It repeats the call's paths: below a base directory in key form, as the arguments are.
    bool rewrote = false;
    inputs.Add("wrapped compile", paths_.ContentKey(driver->wrapped, &rewrote).Hex());
  }
  if (!driver->native_expansion.empty()) {
    inputs.AddText("native options expanded", driver->native_expansion);
  }
  for (const std::string& program : driver->programs) inputs.Add("driver runs", program);
  if (!driver->assembler.empty()) inputs.Add("assembler", driver->assembler);
  for (const std::string& dir : driver->prefix_includes) inputs.Add("prefix include", dir);
  for (const std::string& place : driver->clang_search_places) inputs.Add("clang looks at", place);
  for (const std::string& file : driver->clang_config_files) inputs.Add("clang config file", file);
  for (const std::string& file : driver->gcc_specs_files) inputs.Add("gcc specs file", file);
  inputs.Add("language", request_.language);
  // Up to its first line marker, a source read as it is is named as the command line names it
  // (__builtin_FILE(), -fverbose-asm's comments), with no marker to rewrite under a base
  // directory.
  if (ReadsSourceAsIs(request_.language)) inputs.Add("source as given", request_.source);
  inputs.AddArguments(key_label::kArgument, request_.hashed_args, paths_, /*preprocessing=*/false);
  for (const std::string& file : request_.extra_input_files) {
    absl::StatusOr<Digest> content = HashFile(file);
    if (absl::IsNotFound(content.status())) {
      inputs.Add("input file", absl::StrCat(file, " absent"));  // gcc then warns, and compiles
      continue;
    }
    if (!content.ok()) return content.status();
    inputs.Add("input file", absl::StrCat(file, " ", content->Hex()));
  }
  if (holds_cwd) {
    // The compiler's name for it goes into debug info; getcwd()'s anchors the relative paths.
    inputs.Add(key_label::kWorkingDirectory, paths_.compiler_cwd());
    inputs.Add("physical working directory", paths_.cwd());
    inputs.Note(key_label::kWhyCwd, why_cwd);
  }
  if (!holds_cwd) {
    if (std::vector<std::string> written = DebugPathsAsWritten(); !written.empty()) {
      inputs.AddList("paths debug information names as written", written);
    }
  }
  if (!holds_cwd && request_.debug_info && CwdMapped()) {
    // DW_AT_comp_dir is a map's NEW and the rest of the directory after its OLD.
    inputs.AddList("working directory after prefix maps",
                   *MappedRests(request_.hashed_args, paths_.cwd()));
  }
  if (!holds_cwd && MovesDebugDirectory()) {
    inputs.Add("working directory length", absl::StrCat(paths_.cwd().size()));
    inputs.Add("working directory's first name", FirstName(paths_.cwd()));
  }
  if (request_.object_names_itself) inputs.Add("object", request_.object);
  for (const char* name : kCompileEnv) inputs.AddEnv(name, env_);
  for (const std::string& place : MessageLocaleData(compiler_, env_))
    inputs.Add("message locale", place);
  inputs.Add("diagnostics", color_ ? "color" : "plain");
  inputs.Add("dependency file", request_.generates_deps ? "yes" : "no");
  if (request_.generates_deps) {
    inputs.AddList("dependency option", request_.dep_options);
    HashDepTargets(inputs.hasher(), request_.dep_targets);
    for (const std::string& target : request_.dep_targets) {
      inputs.Note("dependency target (not hashed when a hit can lay it out)", target);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Digest> KeyMaker::DirectKey(std::string* transcript) const {
  KeyInputs inputs("direct key", transcript);
  if (absl::Status status = AddCommon(inputs, WhyDirectKeyHoldsCwd()); !status.ok()) {
    return status;
  }
  inputs.AddArguments(key_label::kPreprocessorArgument, request_.preprocess_args, paths_,
                      /*preprocessing=*/true);
  // Their directories in key form, as the arguments' are: the include set names a header found
  // there relative to the working directory, so CPATH naming another build directory must key
  // apart (and each tree's own, CPATH=$PWD/inc, keys alike).
  for (const char* name : kSearchPathVariables) {
    const char* dirs = env_(name);
    std::vector<std::string> keyed;
    if (dirs != nullptr) {
      for (absl::string_view dir : absl::StrSplit(dirs, ':')) keyed.push_back(paths_.KeyForm(dir));
    }
    inputs.Add(absl::StrCat(key_label::kEnvPrefix, name),
               dirs != nullptr ? absl::StrCat("=", absl::StrJoin(keyed, ":")) : "unset");
  }
  // Its value is not, where an include set for it holds no time macro (AllowedTimeMacros):
  // with the sloppiness a set holds them, and depend mode, without text, cannot see one that
  // token pasting reaches and the compiler folds into a constant.
  if (config_.sloppy_time_macros || config_.depend_mode) {
    inputs.AddEnv("SOURCE_DATE_EPOCH", env_);
  } else {
    inputs.Add("SOURCE_DATE_EPOCH set", env_("SOURCE_DATE_EPOCH") != nullptr ? "yes" : "no");
  }
  // An include set recorded with time macros allowed serves no compile that does not allow them.
  if (config_.sloppy_time_macros) inputs.Add("sloppiness", "time_macros");
  // gcc warns of a search directory that is not one, and with -Wmissing-include-dirs of one
  // that is missing: what each is now, which no include set records of an existing directory.
  for (const std::string& kind : SearchDirectoryKinds(request_.search_dirs, paths_)) {
    inputs.Add("search directory is", kind);
  }
  absl::StatusOr<Digest> source = HashFile(request_.source);
  if (!source.ok()) return source.status();
  inputs.Add(key_label::kSource, absl::StrCat(paths_.KeyForm(request_.source), " ", source->Hex()));
  return inputs.Finish();
}

Digest KeyMaker::DependResultKey(const Digest& manifest_key, const IncludeSet& set,
                                 std::string* transcript) {
  KeyInputs inputs("depend-mode result key", transcript);
  inputs.Add("manifest key", manifest_key.Hex());
  inputs.Add("file count", absl::StrCat(set.files.size()));
  for (const RecordedFile& file : set.files) {
    inputs.Add("file", absl::StrCat(file.path, " ", file.content.Hex()));
  }
  return inputs.Finish();
}

absl::StatusOr<Digest> KeyMaker::SearchPathKey() const {
  const absl::StatusOr<Digest>& identity = Identity();
  if (!identity.ok()) return identity.status();
  KeyInputs inputs("search path key", nullptr);
  inputs.Add("format", absl::StrCat(kFormatVersion));
  inputs.Add("compiler", absl::StrCat(compiler_.path, " ", identity->Hex()));
  inputs.Add("compiler name", compiler_.name);
  inputs.Add("language", request_.language);
  const absl::StatusOr<DriverFacts>& driver = Driver();
  if (!driver.ok()) return driver.status();
  // A wrapper's own -I options are in what it runs, not in the arguments.
  if (compiler_.probed) inputs.AddText("wrapped compile", driver->wrapped);
  for (const std::string& dir : driver->prefix_includes) inputs.Add("prefix include", dir);
  for (const std::string& place : driver->clang_search_places) inputs.Add("clang looks at", place);
  for (const std::string& file : driver->clang_config_files) inputs.Add("clang config file", file);
  for (const std::string& file : driver->gcc_specs_files) inputs.Add("gcc specs file", file);
  inputs.Add("working directory", paths_.cwd());  // relative -I directories
  for (const std::string& kind : SearchDirectoryKinds(request_.search_dirs, paths_)) {
    inputs.Add("search directory is", kind);
  }
  for (size_t i = 0; i < request_.preprocess_args.size(); ++i) {
    if (i != request_.source_index)
      inputs.Add(key_label::kPreprocessorArgument, request_.preprocess_args[i]);
  }
  for (const char* name : kCompileEnv) inputs.AddEnv(name, env_);
  for (const char* name : kSearchPathVariables) inputs.AddEnv(name, env_);
  inputs.AddEnv("SOURCE_DATE_EPOCH", env_);
  return inputs.Finish();
}

absl::StatusOr<ResultKeyInfo> KeyMaker::ResultKey(const ProcessResult& preprocessed,
                                                  const std::vector<std::string>& files_read,
                                                  const std::vector<std::string>& listed_only,
                                                  std::string* transcript) const {
  ResultKeyInfo result;
  std::string why_cwd = WhyDirectKeyHoldsCwd();
  const bool direct_holds_cwd = !why_cwd.empty();
  std::optional<MarkedText> marked;
  if (paths_.active()) marked = RewriteLineMarkers(paths_, preprocessed.out);
  // Debug info names the files of the line markers and the directory; a macro map's rest, an
  // offloading section and an assembler's line table name the directory. Markers debug info
  // names as written, below paths the keys hold so, are keyed as written instead.
  const bool debug_as_written = why_cwd.empty() && marked && request_.debug_info &&
                                !marked->same_in_mapped_debug && CwdMapped() &&
                                DebugNamesOnlyAsWritten(*marked);
  if (why_cwd.empty() && marked && request_.debug_info && !marked->same_in_mapped_debug &&
      !debug_as_written) {
    why_cwd =
        "debug information (-g) names headers by paths that are not the same in every "
        "directory";
  } else if (why_cwd.empty() && marked && marked->macro_map_splits_name) {
    why_cwd =
        "a -fmacro-prefix-map (or -ffile-prefix-map) matches part of a file's name: __FILE__ "
        "of the file may be mapped in one directory and not in another";
  } else if (why_cwd.empty() && marked && marked->position_mapped && !MacroMappedCwd()) {
    why_cwd =
        "a macro prefix map's OLD ends inside a name of it, and the object records "
        "positions in files it maps";
  } else if (why_cwd.empty() && GccMayOffload() && MayOffload(preprocessed.out)) {
    why_cwd = "gcc's offloading sections (-fopenmp, -fopenacc: a target region) name it";
  } else if (why_cwd.empty() && HoldsLineTableDirective(preprocessed.out)) {
    why_cwd = "the assembler's line tables (.file and .loc directives) name it";
  }
  result.holds_cwd = !why_cwd.empty();
  // Where the object names the files of the line markers as they are spelled, the key holds
  // them so: another tree's are other paths, a second build directory of the tree has the same.
  std::string why_markers;
  if (!result.holds_cwd && marked && marked->changed) {
    if (marked->names_position || marked->raw_string_marker ||
        ClangNamesPathsUnseen(preprocessed.out)) {
      why_markers =
          "the object records positions in files named below the base directory "
          "(__builtin_FILE, a lambda's name, a raw string that reads as a line marker)";
    } else if (NamesFiles()) {
      why_markers = "the sanitizers' data names files below the base directory";
    }
  }
  // (A position a macro map maps depends on the working directory's rest after the map's OLD,
  // which only the result key holds; so do markers kept as written, but for debug info's, whose
  // spelling the direct key holds.)
  const bool tying_markers = !why_markers.empty();
  if (!result.holds_cwd && why_markers.empty() && debug_as_written) {
    why_markers = "debug information (-g) names files below the base directory as they are spelled";
  }
  result.markers_as_written = !why_markers.empty();
  result.tied = !direct_holds_cwd &&
                (result.holds_cwd || tying_markers ||
                 (marked && (marked->position_mapped || paths_.NamesBaseDir(marked->text))));
  // A hit elsewhere may rename the directory only where nothing the compiler read names it.
  result.names_cwd =
      absl::StrContains(preprocessed.out, paths_.cwd()) ||
      WritesOwnDebugStrings(preprocessed.out) ||
      std::any_of(files_read.begin(), files_read.end(), [this](const std::string& file) {
        return SharesPartOfDirectory(file, paths_.cwd());
      });
  KeyInputs inputs("result key", transcript);
  if (absl::Status status = AddCommon(inputs, why_cwd); !status.ok()) return status;
  if (!result.holds_cwd && marked && marked->position_mapped) {
    // __builtin_FILE() names a file by the map's NEW and the rest after its OLD: from an OLD at
    // or above the working directory (the base directory), the rest holds the tree's own names.
    inputs.AddList("working directory after macro prefix maps", *MacroMappedCwd());
  }
  if (result.markers_as_written) inputs.Note("line markers as written", why_markers);
  inputs.AddText(key_label::kPreprocessedText,
                 marked && !result.markers_as_written ? marked->text : preprocessed.out);
  if (ReadsSourceAsIs(request_.language)) {
    // Nothing preprocesses, and clang's driver warns of each preprocessing option as unused
    // (-D, -include): what a hit replays.
    std::vector<std::string> unused = request_.preprocess_args;
    unused.erase(unused.begin() + static_cast<std::ptrdiff_t>(request_.source_index));
    inputs.AddArguments(key_label::kPreprocessorArgument, unused, paths_, /*preprocessing=*/true);
  }
  // Warnings that only preprocessing options cause (a macro redefined by -D) reach the
  // compile's stderr too, which a hit replays.
  inputs.AddText("preprocessor messages", preprocessed.err);
  for (const std::string& file : files_read) {
    absl::StatusOr<Digest> content = ContentKey(file, &result.content_names_base_dir);
    if (absl::IsNotFound(content.status())) {  // named by a #line only
      inputs.Add(key_label::kFileRead, absl::StrCat(paths_.KeyForm(file), " absent"));
      continue;
    }
    if (!content.ok()) return content.status();
    inputs.Add(key_label::kFileRead, absl::StrCat(paths_.KeyForm(file), " ", content->Hex()));
  }
  for (const std::string& name : listed_only) {
    inputs.Add("file the preprocessor listed", paths_.KeyForm(name));
  }
  result.key = inputs.Finish();
  return result;
}

}  // namespace ddcc
