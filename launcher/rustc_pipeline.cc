#include "launcher/rustc_pipeline.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cache/layered_store.h"
#include "cache/store/entry.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"
#include "cache/util/log.h"
#include "launcher/blob_kind.h"
#include "launcher/explain.h"
#include "launcher/paths.h"
#include "launcher/process.h"
#include "launcher/rust_source.h"
#include "launcher/rustc_args.h"
#include "launcher/rustc_entry.h"
#include "launcher/rustc_manifest.h"
#include "launcher/rustc_outputs.h"
#include "launcher/rustc_toolchain.h"
#include "launcher/storage_helper.h"

namespace ddcc {
namespace {

constexpr char kColorAlways[] = "--color=always";
// A path below a base directory where rustc only writes or finds files, as the key holds it.
constexpr absl::string_view kLocationBelowBase = "(a location below a base directory)";
constexpr absl::string_view kPrefixBelowBase = "(a prefix below a base directory)";

// The file's content digest, and its content where `content` asks for it (read in chunks
// otherwise: an --extern crate's metadata runs to megabytes).
absl::StatusOr<Digest> ContentDigest(const std::string& path, std::string* content) {
  if (content == nullptr) return HashFile(path);
  absl::StatusOr<std::string> read = ReadFile(path);
  if (!read.ok()) return read.status();
  Hasher hasher;
  hasher.Update(*read);
  *content = *std::move(read);
  return hasher.Finish();
}

class RustcPipeline : public CachedCall {
 public:
  RustcPipeline(const CallContext& context, RustcRequest request)
      : compiler_(context.compiler),
        args_(context.args),
        request_(std::move(request)),
        config_(context.config),
        tally_(context.tally),
        env_(context.env),
        store_(CompileStore(config_, env_, tally_)) {}

  std::optional<CompileOutcome> KeyCommandLine() override;
  std::optional<CompileOutcome> ServeDirect() override;
  std::variant<Digest, KeyAfterCompile, CompileOutcome> KeyInputs() override;
  std::optional<CompileOutcome> ServeResult(const Digest& key) override;
  CompileOutcome CompileAndStore(std::optional<Digest> key) override;
  void Record(const CompileOutcome& outcome) override;

 private:
  std::optional<CompileOutcome> HashCommandLine(Hasher& key);
  void WaitOutFreshInputs(const std::vector<std::string>& libraries) const;
  std::optional<CompileOutcome> HashFile(Hasher& key, absl::string_view label,
                                         const std::string& path, RustcPath use);
  std::optional<CompileOutcome> HashLinkedLibraries(Hasher& key, absl::string_view source);
  CompileOutcome CompileFirst(const Digest& inputs);
  std::variant<DepInfo, CompileOutcome> ListInputs();
  std::optional<CompileOutcome> ResultKey(const Digest& inputs, const DepInfo& info,
                                          Digest& result_key);
  std::optional<CompileOutcome> Serve(const Digest& key);
  std::optional<CompileOutcome> ServeEntry(const Digest& key, const Entry& entry);
  absl::StatusOr<ProcessResult> Compile();
  bool Store(const Digest& key, const ProcessResult& compiled);
  void NoteEnvironmentRead(absl::string_view line);
  void RecordManifest(const DepInfo& info, const Digest& result_key);
  bool ColorOnTerminal() const;
  std::string PathInKey(absl::string_view path, RustcPath use) const;
  std::string NamedInOutputs(absl::string_view path) const;
  std::string MadeIn() const { return absl::StrCat(cwd_, "\n", request_.out_dir); }
  void Note(absl::string_view label, absl::string_view value) {
    absl::StrAppend(&transcript_, label, ": ", value, "\n");
  }

  const Compiler& compiler_;
  const std::vector<std::string>& args_;
  const RustcRequest request_;
  const Config& config_;
  Tally& tally_;
  const EnvLookup& env_;
  LayeredStore store_;

  const int64_t called_ns_ = NowNs();
  std::string cwd_;
  std::optional<PathRewriter> paths_;  // active with base directories: trees share results
  Digest command_line_key_;            // the arguments and what they name: part of every key
  Digest direct_key_;
  bool manifest_found_ = false;
  std::optional<DepInfo> listed_;  // by the dep-info pass
  int64_t listed_ns_ = 0;  // when rustc began reading the inputs (the dep-info pass, or compile)
  int64_t compile_ns_ = 0;
  std::vector<std::pair<std::string, Digest>> inputs_;  // as hashed into the keys
  LinkedLibraries linked_;  // the static libraries #[link] attributes bundle
  std::string env_lines_;   // what the crate read, one per line
  std::optional<NotCacheable> refused_after_compile_;
  std::string transcript_;
  absl::string_view hit_kind_;
};

std::optional<CompileOutcome> RustcPipeline::KeyCommandLine() {
  if (char cwd[PATH_MAX]; getcwd(cwd, sizeof(cwd)) != nullptr) cwd_ = cwd;
  if (cwd_.empty()) return Failure{ErrorKind::kInternal, ErrnoStatus("getcwd", ".")};
  paths_.emplace(config_.base_dirs, cwd_, cwd_);
  // --explain compares the inputs of both keys as one list.
  transcript_ = "# result key\n";
  Hasher hasher;
  if (std::optional<CompileOutcome> refused = HashCommandLine(hasher)) return *refused;
  command_line_key_ = hasher.Finish();
  Hasher direct;
  direct.Field("ddcc rustc direct key");
  direct.Field(command_line_key_.Hex());
  direct_key_ = direct.Finish();
  return std::nullopt;
}

std::variant<Digest, KeyAfterCompile, CompileOutcome> RustcPipeline::KeyInputs() {
  // Without a manifest this command line was not compiled before: the compile's own
  // dependency-info file lists what it read, so the dep-info pass would only cost time.
  if (!manifest_found_ && std::count(request_.emit.begin(), request_.emit.end(), "dep-info")) {
    return KeyAfterCompile{};
  }
  auto listed = ListInputs();
  if (auto* outcome = std::get_if<CompileOutcome>(&listed)) return std::move(*outcome);
  listed_ = std::get<DepInfo>(std::move(listed));
  Digest result_key;
  if (std::optional<CompileOutcome> refused = ResultKey(command_line_key_, *listed_, result_key)) {
    return *std::move(refused);
  }
  return result_key;
}

std::optional<CompileOutcome> RustcPipeline::ServeResult(const Digest& key) {
  std::optional<CompileOutcome> served = Serve(key);
  if (served && tally_.lookup == Tally::Lookup::kPreprocessedHit) RecordManifest(*listed_, key);
  return served;
}

// `key`: made by KeyInputs, or none where the compile's own dep-info file makes it.
CompileOutcome RustcPipeline::CompileAndStore(std::optional<Digest> key) {
  if (!key) return CompileFirst(command_line_key_);
  absl::StatusOr<ProcessResult> compiled = Compile();
  if (!compiled.ok()) return Failure{ErrorKind::kInternal, compiled.status()};
  if (tally_.lookup == Tally::Lookup::kMiss) {
    Store(*key, *compiled);
    RecordManifest(*listed_, *key);
  }
  return *std::move(compiled);
}

// Adds to `key` what the command line and environment say: the toolchain, working directory,
// arguments, cargo's variables, and the contents of the --extern crates and bundled libraries.
std::optional<CompileOutcome> RustcPipeline::HashCommandLine(Hasher& key) {
  key.Field("ddcc rustc key");
  key.Field(kFormatVersion);
  if (absl::Status hashed = HashRustToolchain(compiler_, request_, config_, key, transcript_);
      !hashed.ok()) {
    return Failure{ErrorKind::kInternal, hashed};
  }
  if (paths_->active()) {
    // rustc records the working directory in the crate's metadata, through the remaps.
    key.Field("paths below base directories relative");
    key.Field(NamedInOutputs(cwd_));
    Note("working directory as the outputs name it", NamedInOutputs(cwd_));
  } else {
    key.Field(cwd_);
    Note("working directory", cwd_);
  }
  for (const std::string& arg : KeyArguments(
           args_, [this](absl::string_view path, RustcPath use) { return PathInKey(path, use); })) {
    key.Field(arg);
    Note("argument", Readable(arg));
  }
  // On a terminal, rustc versions read CLICOLOR and an empty NO_COLOR differently (1.63 takes
  // an empty one for no colour, 1.95 CLICOLOR=0): the colour of its messages is its own call.
  if (!request_.color_chosen && isatty(STDERR_FILENO) &&
      (env_("CLICOLOR") != nullptr || (env_("NO_COLOR") != nullptr && *env_("NO_COLOR") == '\0'))) {
    return NotCacheable{Uncacheable::kUnsupportedOption,
                        "CLICOLOR or an empty NO_COLOR on a terminal, which rustc versions read "
                        "otherwise"};
  }
  if (ColorOnTerminal()) {
    key.Field(kColorAlways);
    Note("argument", kColorAlways);
  }
  std::vector<std::string> variables = CargoVariables(request_, *paths_);
  for (const std::string& variable : variables) {
    key.Field(variable);
    const size_t eq = variable.find('=');
    Note(absl::StrCat("environment ", variable.substr(0, eq)), Readable(variable.substr(eq + 1)));
  }

  std::vector<std::string> libraries;
  for (const std::string& name : request_.static_libs) {
    auto dir = std::find_if(request_.native_dirs.begin(), request_.native_dirs.end(),
                            [&name](const std::string& dir) {
                              return !NothingAt(absl::StrCat(dir, "/lib", name, ".a"));
                            });
    if (dir == request_.native_dirs.end()) {
      return NotCacheable{Uncacheable::kUnsupportedOption,
                          absl::StrCat("-l static=", name, " not found by ddcc")};
    }
    libraries.push_back(absl::StrCat(*dir, "/lib", name, ".a"));
  }
  WaitOutFreshInputs(libraries);
  for (const std::string& path : request_.externs) {
    if (auto refused = HashFile(key, "extern crate", path, RustcPath::kLocation)) return refused;
  }
  for (const std::string& path : libraries) {
    if (auto refused = HashFile(key, "native library", path, RustcPath::kLocation)) return refused;
  }
  for (const std::string& path : request_.profile_files) {
    if (auto refused = HashFile(key, "profile", path, RustcPath::kLocation)) return refused;
  }
  return std::nullopt;
}

// cargo starts a crate as soon as its dependencies' .rmeta and its build script's outputs are
// written: waits until those are older than the file clock's slack, so that they do not count
// as changed during the compile, which would store nothing.
void RustcPipeline::WaitOutFreshInputs(const std::vector<std::string>& libraries) const {
  std::vector<std::string> inputs = request_.externs;
  inputs.insert(inputs.end(), libraries.begin(), libraries.end());
  inputs.insert(inputs.end(), request_.profile_files.begin(), request_.profile_files.end());
  if (const char* out_dir = env_("OUT_DIR")) {
    if (absl::StatusOr<std::vector<std::string>> names = ListDirectory(out_dir); names.ok()) {
      for (const std::string& name : *names) inputs.push_back(absl::StrCat(out_dir, "/", name));
    }
  }
  WaitOutFreshStamps(inputs);
}

// The static libraries a source's #[link(kind = "static")] attributes bundle: no dep-info lists
// them.
std::optional<CompileOutcome> RustcPipeline::HashLinkedLibraries(Hasher& key,
                                                                 absl::string_view source) {
  absl::StatusOr<std::vector<std::string>> names = StaticLinkNames(source);
  if (!names.ok()) {
    return NotCacheable{Uncacheable::kUnsupportedCodeDirective,
                        std::string(names.status().message())};
  }
  // An attribute may be behind a #[cfg_attr] that is off: a library found nowhere is keyed as
  // absent from each place rustc would look, which the manifest records too.
  for (const std::string& name : *names) {
    bool found = false;
    for (const std::string& dir : request_.native_dirs) {
      const std::string path = absl::StrCat(dir, "/lib", name, ".a");
      if (NothingAt(path)) {
        linked_.absent.push_back(path);
        continue;
      }
      if (auto refused = HashFile(key, "native library", path, RustcPath::kLocation)) {
        return refused;
      }
      linked_.found.push_back(path);
      found = true;
      break;
    }
    if (!found) {
      key.Field("native library absent");
      key.Field(name);
      Note("native library absent", name);
    }
  }
  return std::nullopt;
}

// Runs rustc's dep-info pass; an outcome where it fails or says what ddcc cannot key.
std::variant<DepInfo, CompileOutcome> RustcPipeline::ListInputs() {
  listed_ns_ = NowNs();
  return RunDepInfoPass(compiler_.path, args_, env_);
}

// The result key: the command line's inputs, then the environment the crate read and the
// contents of the files it read.
std::optional<CompileOutcome> RustcPipeline::ResultKey(const Digest& inputs, const DepInfo& info,
                                                       Digest& result_key) {
  Hasher key;
  key.Field("ddcc rustc result key");
  key.Field(inputs.Hex());
  for (const std::string& line : info.env_lines) {
    key.Field(line);
    absl::StrAppend(&env_lines_, line, "\n");
    NoteEnvironmentRead(line);
  }
  for (const std::string& path : info.files) {
    if (auto refused = HashFile(key, "source", path, RustcPath::kName)) return refused;
  }
  result_key = key.Finish();
  return std::nullopt;
}

// Adds the file's content to `key`, under its path as the key holds it; an outcome where it
// cannot be read, or is a source naming a crate rustc would search for.
std::optional<CompileOutcome> RustcPipeline::HashFile(Hasher& key, absl::string_view label,
                                                      const std::string& path, RustcPath use) {
  std::string content;
  // Any file the crate's source comes from, include!d ones whatever their names.
  const bool source = use == RustcPath::kName;
  absl::StatusOr<Digest> digest = ContentDigest(path, source ? &content : nullptr);
  if (!digest.ok()) return CompileOutcome(Failure{ErrorKind::kInternal, digest.status()});
  if (source) {
    if (std::optional<std::string> crate = CrateFoundBySearch(content, request_)) {
      return CompileOutcome(
          NotCacheable{Uncacheable::kUnsupportedCodeDirective,
                       absl::StrCat("extern crate ", *crate, " without --extern")});
    }
    // An unstable attribute that embeds a file dep-info does not list.
    if (absl::StrContains(content, "debugger_visualizer")) {
      return CompileOutcome(NotCacheable{Uncacheable::kUnsupportedCodeDirective,
                                         absl::StrCat(path, ": #![debugger_visualizer]")});
    }
    if (auto refused = HashLinkedLibraries(key, content)) return refused;
  }
  key.Field(label);
  key.Field(PathInKey(path, use));
  // A source's name is in the outputs (spans, debug info) as the remaps leave it.
  if (use == RustcPath::kName && paths_->active()) key.Field(NamedInOutputs(path));
  key.Field(digest->Hex());
  Note(absl::StrCat(label, " ", Readable(paths_->KeyForm(path))), digest->Hex());
  inputs_.emplace_back(path, *digest);
  return std::nullopt;
}

// The result the manifest under the direct key leads to, if the files it lists are as they were
// and the environment gives what the crate read.
std::optional<CompileOutcome> RustcPipeline::ServeDirect() {
  std::optional<DirectMatch> match = MatchRustcManifest(store_, direct_key_, manifest_found_);
  if (!match) return std::nullopt;
  absl::StatusOr<Entry> entry = store_.Load(match->result);
  if (!entry.ok()) return std::nullopt;  // Serve() deals with it after the dep-info pass
  const std::string* env_read = entry->Find(blob::kEnvironmentRead);
  if (!env_read || !EnvironmentReadsTheSame(*env_read, env_)) return std::nullopt;
  std::optional<CompileOutcome> served = ServeEntry(match->result, *entry);
  if (served && tally_.lookup == Tally::Lookup::kPreprocessedHit) {
    tally_.lookup = Tally::Lookup::kDirectHit;
    hit_kind_ = kDirectHit;
    for (absl::string_view line : absl::StrSplit(*env_read, '\n', absl::SkipEmpty())) {
      NoteEnvironmentRead(line);
    }
    for (const RecordedFile& file : match->files) {
      Note(absl::StrCat("source ", Readable(paths_->KeyForm(file.path))), file.content.Hex());
    }
  }
  return served;
}

// Compiles, then keys the result by what the compile's own dependency-info file lists.
CompileOutcome RustcPipeline::CompileFirst(const Digest& inputs) {
  absl::StatusOr<ProcessResult> compiled = Compile();
  if (!compiled.ok()) return Failure{ErrorKind::kInternal, compiled.status()};
  if (tally_.lookup != Tally::Lookup::kMiss) return *std::move(compiled);
  const std::string name = absl::StrCat(request_.crate_name, request_.extra_filename, ".d");
  const std::string dep_file = absl::StrCat(request_.out_dir, "/", name);
  absl::StatusOr<std::string> text = ReadFile(dep_file);
  absl::StatusOr<DepInfo> info =
      text.ok() ? ParseDepInfo(*text, DepInfoSpelling(dep_file)) : text.status();
  Digest result_key;
  std::optional<CompileOutcome> refused;
  if (info.ok()) refused = ResultKey(inputs, *info, result_key);
  if (!info.ok()) {
    refused =
        NotCacheable{Uncacheable::kUnsupportedCodeDirective, std::string(info.status().message())};
  }
  if (refused) {
    // Compiled, and not stored: counted, and recorded for --explain, as the reason says.
    if (auto* failure = std::get_if<Failure>(&*refused)) {
      tally_.errors.push_back(failure->kind);
    } else {
      tally_.lookup = Tally::Lookup::kNone;
      tally_.uncacheable = std::get<NotCacheable>(*refused).reason;
      refused_after_compile_ = std::get<NotCacheable>(*refused);
    }
    Log(absl::StrCat("not stored: ", DescribeOutcome(*refused, "")));
    return *std::move(compiled);
  }
  if (Store(result_key, *compiled)) RecordManifest(*info, result_key);
  return *std::move(compiled);
}

// "# env-dep:NAME=VALUE" as --explain shows it.
void RustcPipeline::NoteEnvironmentRead(absl::string_view line) {
  absl::string_view read = line.substr(line.find(':') + 1);
  const size_t eq = read.find('=');
  Note(absl::StrCat("environment read ", read.substr(0, eq)),
       eq == absl::string_view::npos ? "(unset)" : read.substr(eq + 1));
}

// Adds this compile's files to the manifest under the direct key. Best effort: without it the
// next compile runs the dep-info pass.
void RustcPipeline::RecordManifest(const DepInfo& info, const Digest& result_key) {
  if (absl::Status recorded = RecordRustcManifest(store_, direct_key_, info, linked_,
                                                  request_.source, *paths_, listed_ns_, result_key);
      !recorded.ok()) {
    Log(absl::StrCat("no manifest for ", request_.source, ": ", recorded.message()));
  }
}

std::optional<CompileOutcome> RustcPipeline::Serve(const Digest& key) {
  absl::StatusOr<Entry> entry = store_.Load(key);
  if (!entry.ok()) {
    if (absl::IsDataLoss(entry.status())) {
      store_.Remove(key).IgnoreError();
      tally_.errors.push_back(ErrorKind::kCorruptEntry);
    } else if (!absl::IsNotFound(entry.status())) {
      return Failure{ErrorKind::kCacheReadFailed, entry.status()};
    }
    return std::nullopt;
  }
  return ServeEntry(key, *entry);
}

std::optional<CompileOutcome> RustcPipeline::ServeEntry(const Digest& key, const Entry& entry) {
  if (const std::string* made_in = entry.Find(blob::kMadeIn); made_in && *made_in != MadeIn()) {
    Log(absl::StrCat("entry ", key.Hex(), " names the tree it was made in: ",
                     absl::StrReplaceAll(*made_in, {{"\n", ", "}})));
    return std::nullopt;
  }
  std::optional<RustcRestored> restored = RestoreRustcEntry(entry, request_, cwd_);
  if (!restored) {
    store_.Remove(key).IgnoreError();
    tally_.errors.push_back(ErrorKind::kCorruptEntry);
    Log(absl::StrCat("removed incomplete entry ", key.Hex()));
    return std::nullopt;
  }
  for (const auto& [path, output] : restored->files) {
    if (absl::Status written = WriteFileAtomic(path, output.text()); !written.ok()) {
      return Failure{ErrorKind::kOutputWriteFailed, written};
    }
  }
  if (const std::string* compile_ns = entry.Find(blob::kCompileTime)) {
    if (uint64_t ns = 0; absl::SimpleAtoi(*compile_ns, &ns)) tally_.time_saved_ms = ns / 1'000'000;
  }
  tally_.lookup = Tally::Lookup::kPreprocessedHit;
  hit_kind_ = kPreprocessedHit;
  return ProcessResult{0, 0, restored->out.text(), restored->err.text()};
}

// rustc colours its messages on a terminal (stderr a tty, TERM set and not dumb, no NO_COLOR).
// Through ddcc's pipe it would not, so ddcc asks for colour there, and the key says so.
bool RustcPipeline::ColorOnTerminal() const {
  const char* term = env_("TERM");
  return !request_.color_chosen && isatty(STDERR_FILENO) && term != nullptr &&
         absl::string_view(term) != "dumb" && env_("NO_COLOR") == nullptr;
}

// Runs rustc as the user asked; a successful compile is a miss.
absl::StatusOr<ProcessResult> RustcPipeline::Compile() {
  std::vector<std::string> argv = {compiler_.path};
  argv.insert(argv.end(), args_.begin(), args_.end());
  if (ColorOnTerminal()) argv.push_back(kColorAlways);
  if (listed_ns_ == 0) listed_ns_ = NowNs();
  const int64_t began = NowNs();
  absl::StatusOr<ProcessResult> compiled = RunStreamed(argv);
  compile_ns_ = NowNs() - began;
  if (!compiled.ok()) return compiled;
  if (compiled->exit_code != 0 || compiled->term_signal != 0) {
    tally_.uncacheable = Uncacheable::kCompilationFailed;
  } else {
    tally_.lookup = Tally::Lookup::kMiss;
  }
  return compiled;
}

// Stores the compile's outputs under `key`; false where they are not stored.
bool RustcPipeline::Store(const Digest& key, const ProcessResult& compiled) {
  // An input saved while rustc ran may or may not be what it read, and one saved since the
  // dep-info pass may name a file the pass did not list (a new `mod`): the key would not
  // describe the outputs for sure, so they are not stored. (Where the compile listed its own
  // inputs they were hashed after it: a change since it began shows in their times.)
  for (const auto& [path, digest] : inputs_) {
    absl::StatusOr<FileStamp> stamp = StampFile(path);
    absl::StatusOr<Digest> now = ContentDigest(path, nullptr);
    if (!stamp.ok() || !now.ok() || !(*now == digest) ||
        LastChangeNs(*stamp, NowNs()) >= listed_ns_ - FileClockSlackNs()) {
      Log(absl::StrCat("not stored: ", path, " changed during the compile"));
      return false;
    }
  }
  absl::StatusOr<Entry> entry =
      RustcEntry(request_, RustcProduced{compiled.out, compiled.err, compile_ns_, env_lines_},
                 *paths_, MadeIn());
  if (!entry.ok()) {
    tally_.errors.push_back(ErrorKind::kUnexpectedCompilerOutput);
    Log(absl::StrCat("not stored: ", entry.status().message()));
    return false;
  }
  if (absl::Status saved = store_.Save(key, *entry); !saved.ok()) {
    tally_.errors.push_back(ErrorKind::kCacheWriteFailed);
    Log(absl::StrCat("not stored: ", saved.message()));
    return false;
  }
  return true;
}

// How the key holds a path of the command line: below a base directory relative to the working
// directory, or left out where rustc only writes or finds files there (their contents are
// keyed). A remap's FROM below a base directory, in a crate compiled outside every one (a
// registry's), can only rename the crate's sources, keyed as renamed, and paths its --extern
// crates name, keyed by content.
std::string RustcPipeline::PathInKey(absl::string_view path, RustcPath use) const {
  if (paths_->BelowBase(path)) {
    if (use == RustcPath::kLocation) return std::string(kLocationBelowBase);
    if (use == RustcPath::kRemapFrom && !paths_->BelowBase(cwd_)) {
      return std::string(kPrefixBelowBase);
    }
  }
  return paths_->KeyForm(path);
}

// `path` as rustc names it in the outputs: made absolute from the working directory, then
// through the last --remap-path-prefix whose FROM holds it.
std::string RustcPipeline::NamedInOutputs(absl::string_view path) const {
  std::string absolute =
      absl::StartsWith(path, "/") ? std::string(path) : absl::StrCat(cwd_, "/", path);
  for (auto remap = request_.remaps.rbegin(); remap != request_.remaps.rend(); ++remap) {
    absl::string_view from = remap->first;
    while (from.size() > 1 && absl::EndsWith(from, "/")) from.remove_suffix(1);
    if (absl::StartsWith(absolute, from) &&
        (absolute.size() == from.size() || absolute[from.size()] == '/')) {
      return absl::StrCat(remap->second, absl::string_view(absolute).substr(from.size()));
    }
  }
  return absolute;
}

void RustcPipeline::Record(const CompileOutcome& outcome) {
  ExplainRecord record{refused_after_compile_ ? DescribeOutcome(*refused_after_compile_, "")
                                              : DescribeOutcome(outcome, hit_kind_),
                       {},
                       transcript_,
                       {}};
  CallFacts& call = record.call;
  call.started_ns = called_ns_;
  call.took_ns = NowNs() - called_ns_;
  call.saved_ms = tally_.time_saved_ms;
  // The crate file, as --explain is asked about it: the .rlib, else the .rmeta.
  std::vector<std::string> names = request_.OutputNames();
  auto rlib = std::find_if(names.begin(), names.end(),
                           [](const std::string& name) { return absl::EndsWith(name, ".rlib"); });
  auto rmeta = std::find_if(names.begin(), names.end(),
                            [](const std::string& name) { return absl::EndsWith(name, ".rmeta"); });
  auto crate_file = rlib != names.end() ? rlib : rmeta;
  if (crate_file != names.end()) {
    call.object = ObjectIdentity(cwd_, absl::StrCat(request_.out_dir, "/", *crate_file));
  }
  call.source = request_.source;
  call.cwd = cwd_;
  if (const char* build_id = env_("DDCC_BUILD_ID")) call.build_id = build_id;
  if (absl::Status saved =
          AppendRecord(store_.local(), ExplainKey(call.object), record, config_.compression_level);
      !saved.ok()) {
    Log(absl::StrCat("no --explain record: ", saved.message()));
  }
}

}  // namespace

ParsedCall ParseRustcCall(const CallContext& context) {
  std::variant<RustcRequest, NotCacheable> parsed = ParseRustcArgs(context.args);
  if (auto* not_cacheable = std::get_if<NotCacheable>(&parsed)) return std::move(*not_cacheable);
  context.tally.language = Language::kRust;
  return std::make_unique<RustcPipeline>(context, std::get<RustcRequest>(std::move(parsed)));
}

}  // namespace ddcc
