#include "launcher/pipeline.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/layered_store.h"
#include "cache/store/entry.h"
#include "cache/store/manifest.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"
#include "cache/util/log.h"
#include "launcher/args.h"
#include "launcher/asm_scan.h"
#include "launcher/clang_search_places.h"
#include "launcher/command_line_in_object.h"
#include "launcher/compile_inputs.h"
#include "launcher/compile_listing.h"
#include "launcher/compile_pipeline.h"
#include "launcher/depfile.h"
#include "launcher/dir_scope.h"
#include "launcher/expanded_time.h"
#include "launcher/explain.h"
#include "launcher/includes.h"
#include "launcher/keys.h"
#include "launcher/output_check.h"
#include "launcher/outputs.h"
#include "launcher/paths.h"
#include "launcher/preprocessed_input.h"
#include "launcher/result_entry.h"
#include "launcher/source_language.h"
#include "launcher/storage_helper.h"
#include "launcher/target_triple.h"

namespace ddcc {
namespace {

// Messages whose colour cannot be taken out (WithoutColor): the compiler runs as is.
const NotCacheable kOwnEscapes{Uncacheable::kUnsupportedCodeDirective,
                               "the messages hold escapes of their own, beside their colour"};

// `text` less the colour gcc writes: ESC [ digits and semicolons m, then ESC [ K (erase to the
// line's end). nullopt where the text holds an escape of another form, which gcc copied from a
// source as it is (a quoted line, #pragma message): the colour cannot then be told from it.
std::optional<std::string> WithoutColor(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t from = 0;
  for (size_t esc = text.find('\x1b'); esc != absl::string_view::npos;
       esc = text.find('\x1b', from)) {
    absl::string_view rest = text.substr(esc);
    if (!absl::ConsumePrefix(&rest, "\x1b[")) return std::nullopt;
    rest.remove_prefix(std::min(rest.find_first_not_of("0123456789;"), rest.size()));
    if (!absl::ConsumePrefix(&rest, "m") || !absl::ConsumePrefix(&rest, "\x1b[K")) {
      return std::nullopt;
    }
    absl::StrAppend(&out, text.substr(from, esc - from));
    from = text.size() - rest.size();
  }
  absl::StrAppend(&out, text.substr(from));
  return out;
}

// Environment variables that make gcc and clang write a dependency file ddcc would not know of.
constexpr const char* kUnsupportedEnv[] = {"DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES"};
// clang's driver's alone (gcc reads none of them): one that may add any option to ddcc's own -E
// as well (-P: no line markers), and those that make it write what a hit would not (its options,
// diagnostics, headers and times, to stderr, stdout or files), or fail every compile as if it
// crashed.
constexpr const char* kUnsupportedClangEnv[] = {
    "CCC_OVERRIDE_OPTIONS", "CC_PRINT_OPTIONS",   "CC_LOG_DIAGNOSTICS",
    "CC_PRINT_HEADERS",     "CC_PRINT_PROC_STAT", "FORCE_CLANG_DIAGNOSTICS_CRASH"};

}  // namespace

std::optional<CompileOutcome> CompilePipeline::KeyCommandLine() {
  if (std::optional<NotCacheable> reason = CheckCall()) return *reason;
  // A wrapper whose compile cannot be keyed (a listing that hides what it runs, options that
  // write other files) runs as is before ddcc's own -E through it writes what they make it write.
  if (compiler_.probed) {
    if (absl::Status driver = keys_.DriverStatus(); !driver.ok()) {
      return Failure{ErrorKind::kInternal, driver};
    }
  }
  // A source a generator wrote just now (Cython's, under setuptools), or a file an option names
  // (a training run's .gcda for -fprofile-use), would count as changed during the compile, and
  // nothing would be stored.
  std::vector<std::string> inputs = request_.extra_input_files;
  inputs.push_back(request_.source);
  WaitOutFreshStamps(inputs);
  start_ns_ = NowNs();
  if (config_.direct_mode) {
    absl::StatusOr<Digest> direct_key = keys_.DirectKey(Transcript());
    if (direct_key.ok()) {
      direct_key_ = *direct_key;
    } else {
      Log(absl::StrCat("no direct lookup: ", direct_key.status().message()));
      explain_notes_.push_back(absl::StrCat("no direct lookup: ", direct_key.status().message()));
    }
  }
  WriteTranscript();
  if (!config_.direct_mode) explain_notes_.push_back("direct mode is off (DDCC_DIRECT_MODE=0)");
  if (config_.recache) explain_notes_.push_back("DDCC_RECACHE: compiled without a lookup");
  return std::nullopt;
}

std::optional<CompileOutcome> CompilePipeline::ServeDirect() {
  if (!direct_key_ || config_.recache) return std::nullopt;
  std::optional<Digest> result_key = LookUpManifests();
  if (!result_key) return std::nullopt;
  std::optional<CompileOutcome> served = TryServe(*result_key);
  if (served && std::holds_alternative<ProcessResult>(*served)) {
    tally_.lookup = Tally::Lookup::kDirectHit;
    hit_kind_ = kDirectHit;
  }
  return served;
}

std::variant<Digest, KeyAfterCompile, CompileOutcome> CompilePipeline::KeyInputs() {
  StampSearchDirectories();
  if (direct_key_ && config_.depend_mode) {
    std::optional<std::string> refusal = DependModeRefusal(request_);
    // Nothing from before the compile would show what it read (and a set holding a file there
    // is not stored: the call would never be).
    for (const std::string& place : search_dirs_) {  // the source's directory first
      if (!refusal && !StampsShowChangesAt(place)) {
        refusal = absl::StrCat(place, " is on a file system whose stamps miss changes (FUSE, SMB)");
      }
    }
    if (refusal) {
      explain_notes_.push_back(absl::StrCat("depend mode not used: ", *refusal));
    } else {
      // Without the preprocessed text nothing shows whether the result names this tree, so
      // where another tree could share the key, the result is kept to this one.
      scope_.KnowNoText();
      explain_notes_.push_back("depend mode: compiled without running the preprocessor");
      return KeyAfterCompile{};
    }
  }

  absl::StatusOr<ProcessResult> preprocessed = Preprocess();
  if (!preprocessed.ok()) return Failure{ErrorKind::kInternal, preprocessed.status()};
  if (preprocessed->exit_code != 0 || preprocessed->term_signal != 0) {
    return NotCacheable{Uncacheable::kPreprocessorFailed, preprocessed->err};
  }
  preprocessed_ = *std::move(preprocessed);
  preprocessed_ns_ = NowNs();
  // Read as it is, the source's directives are its own, not -dI's records of them.
  if (ReadsSourceAsIs(request_.language)) {
    if (std::optional<NotCacheable> reason = CheckPreprocessed(preprocessed_.out)) return *reason;
  }
  std::string text;
  includes_ = ParseIncludes(preprocessed_.out, request_.source, &text);
  preprocessed_.out = std::move(text);
  expanded_time_ = FindExpandedTime(preprocessed_.out);
  if (std::optional<NotCacheable> reason = CheckPreprocessed(preprocessed_.out)) return *reason;
  const std::vector<std::string> files_read = FilesRead(request_, includes_);
  if (std::optional<NotCacheable> reason = CheckRegularFiles(files_read)) return *reason;
  // A header a generator wrote just before the compile (CMake's add_custom_command) would count
  // as changed during it, and nothing would be stored: once its stamp is past the file clock's
  // slack, the inputs are read again, and the compile begins then.
  // The inputs as the key is about to read them; the compile must read the very same files
  // (SameInputFiles): a link retargeted or a directory renamed on the way leaves each file's
  // own stamps as they were.
  StampInputFiles(files_read);
  if (!inputs_reread_ && NewestStampNs(files_read) >= start_ns_ - FileClockSlackNs()) {
    inputs_reread_ = true;
    WaitOutFreshStamps(files_read);
    start_ns_ = NowNs();
    return KeyInputs();
  }

  absl::StatusOr<ResultKeyInfo> result = keys_.ResultKey(
      preprocessed_, files_read,
      CompileListing::NamesNotAmong(*compiler_.family, preprocessor_listed_, files_read),
      Transcript());
  if (!result.ok()) return Failure{ErrorKind::kInternal, result.status()};
  WriteTranscript();
  scope_.KnowResult(*result);
  return result->key;
}

std::optional<CompileOutcome> CompilePipeline::ServeResult(const Digest& key) {
  if (std::optional<std::string> precompiled = PrecompiledHeaderInUse()) {
    // The text does not show what the .gch holds: compiled, and not stored (CompileAndStore).
    explain_notes_.push_back(absl::StrCat("gcc may read ", *precompiled, ": no lookup"));
    return std::nullopt;
  }
  if (config_.recache) return std::nullopt;
  std::optional<CompileOutcome> served = TryServe(key);
  if (served && std::holds_alternative<ProcessResult>(*served)) {
    tally_.lookup = Tally::Lookup::kPreprocessedHit;
    hit_kind_ = kPreprocessedHit;
    RecordManifest(key);
  }
  return served;
}

// Serves the entry under `key`, or the one under `key` made specific to this directory: where
// the entry under `key` may name another directory, or where there is none (CompileAndStore
// keeps what names a base directory under the specific key).
std::optional<CompileOutcome> CompilePipeline::TryServe(const Digest& key) {
  absl::StatusOr<Entry> entry = store_.Load(key);
  scope_.ClearRedirect();
  if (entry.ok() && scope_.MayNameAnotherDirectory(*entry)) {
    scope_.Redirect(key);
    Digest specific = scope_.Specific(key);
    return ServeEntry(specific, store_.Load(specific));
  }
  if (absl::IsNotFound(entry.status()) && scope_.Shared()) {
    Digest specific = scope_.Specific(key);
    absl::StatusOr<Entry> own = store_.Load(specific);
    if (!absl::IsNotFound(own.status())) {
      scope_.Redirect(key);
      return ServeEntry(specific, std::move(own));
    }
  }
  return ServeEntry(key, std::move(entry));
}

// Serves `entry`, loaded from under `key`: a hit, a failure to write its outputs, or nullopt for a
// miss (a damaged entry is removed and counted, and is a miss).
std::optional<CompileOutcome> CompilePipeline::ServeEntry(const Digest& key,
                                                          absl::StatusOr<Entry> entry) {
  if (entry.ok()) {
    absl::StatusOr<ProcessResult> served = results_.Serve(*entry);
    if (served.ok()) {
      if (std::optional<int64_t> compile_ns = ResultEntry::CompileTimeNs(*entry)) {
        tally_.time_saved_ms = *compile_ns / 1'000'000;
      }
      if (!ShowToUser(*served)) return kOwnEscapes;
      return *std::move(served);
    }
    if (ResultEntry::IsMismatch(served.status())) {
      Log(absl::StrCat("entry ", key.Hex(), " does not fit: ", served.status().message()));
      explain_notes_.push_back(
          absl::StrCat("stored result does not fit: ", served.status().message()));
      return std::nullopt;
    }
    if (!absl::IsDataLoss(served.status())) {
      return Failure{ErrorKind::kOutputWriteFailed, served.status()};
    }
    store_.Remove(key).IgnoreError();
    entry = served.status();
  }
  if (absl::IsDataLoss(entry.status())) {
    Discard(key, entry.status().message());
  } else if (!absl::IsNotFound(entry.status())) {
    return Failure{ErrorKind::kCacheReadFailed, entry.status()};
  }
  return std::nullopt;
}

// With DDCC_DEBUG, every input to the keys computed so far, beside the object: two builds'
// files compared with diff show why one missed.
void CompilePipeline::WriteTranscript() const {
  if (!config_.debug) return;
  std::string path = request_.object + ".ddcc-keys.txt";
  if (absl::Status written = WriteFileAtomic(path, transcript_); !written.ok()) {
    Log(absl::StrCat("cannot write ", path, ": ", written.message()));
  }
}

// Leaves a record of this compile for --explain. Best effort: the compile's result stands.
void CompilePipeline::Record(const CompileOutcome& outcome) {
  ExplainRecord record{DescribeOutcome(outcome, hit_kind_), explain_notes_, transcript_, {}};
  CallFacts& call = record.call;
  call.started_ns = called_ns_;
  call.took_ns = NowNs() - called_ns_;
  call.saved_ms = tally_.time_saved_ms;
  call.object = ObjectIdentity(paths_.cwd(), request_.object);
  call.source = request_.source;
  call.cwd = paths_.cwd();
  if (const char* build_id = env_("DDCC_BUILD_ID")) call.build_id = build_id;
  Digest key = ExplainKey(call.object);
  if (absl::Status saved = AppendRecord(store_.local(), key, record, config_.compression_level);
      !saved.ok()) {
    Log(absl::StrCat("no --explain record: ", saved.message()));
  }
}

void CompilePipeline::Discard(const Digest& key, absl::string_view why) {
  tally_.errors.push_back(ErrorKind::kCorruptEntry);
  Log(absl::StrCat("removed damaged entry ", key.Hex(), ": ", why));
}

std::optional<NotCacheable> CompilePipeline::CheckCall() const {
  for (const char* name : kUnsupportedEnv) {
    if (env_(name) != nullptr) return NotCacheable{Uncacheable::kUnsupportedOption, name};
  }
  if (compiler_.family != Family::kGcc) {
    for (const char* name : kUnsupportedClangEnv) {
      if (env_(name) != nullptr) return NotCacheable{Uncacheable::kUnsupportedOption, name};
    }
  }
  if (std::optional<std::string> why = CommandLineInObject(compiler_, request_, env_)) {
    return NotCacheable{Uncacheable::kUnsupportedOption, *std::move(why)};
  }
  if (compiler_.family == Family::kClang) {
    if (std::optional<std::string> word = ConfigOptionNotKnown(compiler_, request_)) {
      return NotCacheable{Uncacheable::kUnsupportedOption,
                          absl::StrCat("an option of a clang config file: ", *word)};
    }
  }
  if (keys_.ReadsSpecsFile()) {
    return NotCacheable{Uncacheable::kUnsupportedOption,
                        "gcc reads a specs file, which may add any option (-g, -MD)"};
  }
  if (MicrosoftCompatible(compiler_, request_.expanded_args)) {
    return NotCacheable{Uncacheable::kUnsupportedOption,
                        "Microsoft compatibility: a quoted #include searches every includer"};
  }
  return CheckOutputs(request_);
}

// Unless the user chose, ddcc asks gcc for colour, and keeps the diagnostics so: a hit serves a
// terminal and a pipe alike (a build run on a terminal, then through `| tee log`), with the
// colour taken out for what gcc would not colour (ShowToUser).
bool CompilePipeline::ColorDiagnostics() const {
  if (request_.explicit_color) return false;
  // gcc counts the colour's bytes where it lays lines out to a width (-fmessage-length=N) and
  // the analyzer's labels side by side: there the plain text is no colour less.
  const bool layout_counts_colour = std::any_of(
      request_.expanded_args.begin(), request_.expanded_args.end(), [](const std::string& arg) {
        return absl::StartsWith(arg, "-fanalyzer") ||
               (absl::StartsWith(arg, "-fmessage-length=") && arg != "-fmessage-length=0");
      });
  // A wrapper (mpicc) may run clang as well as gcc, which its name does not say.
  if (compiler_.family == Family::kGcc && !compiler_.probed && !layout_counts_colour) return true;
  // clang copies a message's own escapes (deprecated("\x1b[1m")) in the form of its colour,
  // which could not be told apart: it (and gcc laying out to a width, or behind a wrapper) is
  // asked for colour only where it would colour, on a terminal, and the key says so. Nor where
  // clang only assembles: it warns the flag goes unused.
  return ColorTerminal() && request_.language != "assembler";
}

bool CompilePipeline::ColorTerminal() const {
  const char* term = env_("TERM");
  return isatty(STDERR_FILENO) && term != nullptr && absl::string_view(term) != "dumb";
}

// The compiler colours its diagnostics on a terminal that TERM names and is not "dumb" (gcc's
// rule, and ccache's); elsewhere the colour ddcc asked for is taken out, which leaves what the
// compiler writes without colour.
bool CompilePipeline::ShowToUser(ProcessResult& result) const {
  if (!ColorDiagnostics() || ColorTerminal()) return true;
  // Only gcc is asked for colour off a terminal (ColorDiagnostics).
  std::optional<std::string> plain = WithoutColor(result.err);
  if (!plain) return false;
  result.err = *std::move(plain);
  return true;
}

absl::StatusOr<ProcessResult> CompilePipeline::Preprocess() {
  // An assembler or preprocessed source is not preprocessed: the compiler reads it as it is
  // (and the files its directives name, which CheckPreprocessed refuses).
  if (ReadsSourceAsIs(request_.language)) {
    absl::StatusOr<std::string> source = ReadFile(request_.source);
    if (!source.ok()) return source.status();
    ProcessResult as_is;
    as_is.out = *std::move(source);
    return as_is;
  }
  // -dI: the #include directives too, which show every search, where line markers show only
  // the first entry into each header.
  std::vector<std::string> argv = {compiler_.path, "-E", "-dI"};
  if (request_.debug_macros && compiler_.family == Family::kClang) argv.push_back("-dD");
  CompileListing listing(*compiler_.family, request_, nullptr);
  argv.insert(argv.end(), listing.arguments().begin(), listing.arguments().end());
  argv.insert(argv.end(), request_.preprocess_args.begin(), request_.preprocess_args.end());
  absl::StatusOr<ProcessResult> run = RunAside(argv, listing.environment());
  absl::StatusOr<std::vector<std::string>> listed = listing.Read();
  preprocessor_listed_ = listed.ok() ? *std::move(listed) : std::vector<std::string>();
  return run;
}

// The assembler reads the files named by .incbin (and .include) itself, unseen by the
// preprocessor, so their content would not be in the key.
std::optional<NotCacheable> CompilePipeline::CheckPreprocessed(absl::string_view text) const {
  std::optional<std::string> found;
  if (absl::EndsWith(request_.language, "cpp-output")) found = ScanPreprocessedInput(text);
  if (!found) {
    found = absl::StartsWith(request_.language, "assembler") ? ScanAssemblerText(text)
                                                             : ScanCText(text);
  }
  if (found) return NotCacheable{Uncacheable::kUnsupportedCodeDirective, *std::move(found)};
  return std::nullopt;
}

// `key`: the result key, or none in depend mode, where the include set that the dependency file
// lists makes it.
CompileOutcome CompilePipeline::CompileAndStore(std::optional<Digest> key) {
  // Where TryServe found that `key`'s entry may name another directory, this one's goes apart.
  if (key && scope_.redirected()) key = scope_.Specific(*key);
  CompileOutputs outputs(request_);
  std::vector<std::string> argv = CommandLine(compiler_, outputs.CompilerArgs(args_));
  if (ColorDiagnostics()) {
    argv.push_back(compiler_.family == Family::kClang ? "-fcolor-diagnostics"
                                                      : "-fdiagnostics-color=always");
  }
  // An empty object where the compiler writes privately: whether a failed compile removes it
  // tells whether it would have removed the build's (clang does; gcc once the assembler has
  // opened it). The build's own object, where the compiler writes that, is left as it is, as
  // without ddcc (a failed gcc leaves the old one). An object the compiler then leaves alone is
  // no result (gcc -Wa,--version prints the assembler's version and writes none).
  std::optional<FileStamp> untouched;
  if (!outputs.private_paths()) {
    if (absl::StatusOr<FileStamp> old = StampFile(outputs.object()); old.ok()) untouched = *old;
  } else if (absl::Status placed = WriteFileAtomic(outputs.object(), ""); !placed.ok()) {
    return Failure{ErrorKind::kInternal, placed};
  } else if (absl::StatusOr<FileStamp> empty = StampFile(outputs.object()); empty.ok()) {
    untouched = *empty;
  }
  // Depend mode's set comes from the compile's listing itself.
  std::optional<CompileListing> listing;
  if (key) listing.emplace(*compiler_.family, request_, &outputs.dep_file());
  const int64_t began = NowNs();
  absl::StatusOr<ProcessResult> compiled =
      RunCaptured(argv, listing ? listing->environment() : std::vector<std::string>());
  const int64_t compile_ns = NowNs() - began;
  if (!compiled.ok()) return Failure{ErrorKind::kInternal, compiled.status()};
  if (compiled->exit_code != 0 || compiled->term_signal != 0) {
    // A message naming a private path (no such directory, ...) must come in the build's words.
    if (outputs.NamedIn(compiled->err) || outputs.NamedIn(compiled->out)) {
      return NotCacheable{Uncacheable::kCompilationFailed, "a message names a private output"};
    }
    // Gone where the compiler removed its results, as it would have the build's; clang's
    // driver rejecting the command before any job ran removes nothing. One written and then
    // left by a failure (a wrapper's last step) is the build's, as without ddcc.
    const absl::StatusOr<FileStamp> left = StampFile(outputs.object());
    const bool results_removed = !left.ok();
    if (results_removed) unlink(request_.object.c_str());
    if (left.ok() && outputs.private_paths() && untouched && *left != *untouched) {
      if (absl::Status moved = outputs.MoveObjectIntoPlace(); !moved.ok()) {
        return Failure{ErrorKind::kOutputWriteFailed, moved};
      }
    }
    if (absl::Status moved = outputs.MoveDependencyFileIntoPlace(
            compiler_.family == Family::kClang && results_removed);
        !moved.ok()) {
      return Failure{ErrorKind::kOutputWriteFailed, moved};
    }
    tally_.uncacheable = Uncacheable::kCompilationFailed;
    if (!ShowToUser(*compiled)) return kOwnEscapes;
    return *std::move(compiled);
  }

  tally_.lookup = Tally::Lookup::kMiss;
  absl::StatusOr<Entry> entry =
      results_.Make(*compiled, outputs, began, compile_ns, scope_.ObjectMove());
  if (!ShowToUser(*compiled)) {  // the entry keeps the colour
    tally_.lookup = Tally::Lookup::kNone;
    return kOwnEscapes;
  }
  const bool object_untouched =
      untouched && StampFile(outputs.object()).value_or(FileStamp{}) == *untouched;
  if (object_untouched) entry = absl::FailedPreconditionError("the compiler wrote no object");
  // Read before it moves: the build may rewrite the file the compiler wrote.
  std::optional<IncludeSet> depend_set;
  if (!key && entry.ok()) depend_set = DependIncludeSet(outputs.dep_file(), *entry);
  absl::Status same_files = listing && entry.ok() ? SameFilesRead(*listing) : absl::OkStatus();
  // Without an object, the build's stays as it was (or absent), as without ddcc.
  if (absl::Status moved =
          object_untouched ? outputs.MoveDependencyFileIntoPlace(false) : outputs.MoveIntoPlace();
      !moved.ok()) {
    return Failure{ErrorKind::kOutputWriteFailed, moved};
  }
  if (!entry.ok()) {
    tally_.errors.push_back(ErrorKind::kUnexpectedCompilerOutput);
    Log(absl::StrCat("not stored: ", entry.status().message()));
    return *std::move(compiled);
  }
  if (!key && !depend_set) return *std::move(compiled);  // nothing could find it
  const bool clock_unkeyed = !ClockKeyed(compiler_, config_.sloppy_time_macros, env_);
  if (key && clock_unkeyed && expanded_time_.date) {
    ResultEntry::KeepToDay(*entry, DateMacroExpansion(preprocessed_ns_));
  }
  if (!key && clock_unkeyed && depend_date_) {
    ResultEntry::KeepToDay(*entry, DateMacroExpansion(start_ns_));
  }
  const Digest result_key = key ? *key : depend_set->result;
  Digest store_key = result_key;
  if (!scope_.redirected() && scope_.KeepsToThisDirectory(*entry, key ? preprocessed_.out : "")) {
    // Only this tree may use it; the manifest still leads to `result_key`, and TryServe from
    // there.
    Log("stored for this directory only: the result names it");
    scope_.Redirect(result_key);
    store_key = scope_.Specific(result_key);
  }
  // The key was made from the inputs as they were before the compile: checked again after it,
  // they prove the compiler read the same (depend mode's set was made after the compile).
  absl::StatusOr<IncludeSet> set = depend_set ? *std::move(depend_set) : TextIncludeSet(store_key);
  if (key && clock_unkeyed &&
      HoldsClockOfItsRun(preprocessed_.out, start_ns_ - 1'000'000'000, preprocessed_ns_, NowNs())) {
    set = absl::AbortedError(
        "a time macro of this run: the compile expands it again, maybe to another second");
  }
  if (!same_files.ok()) set = same_files;
  if (key) {
    if (absl::Status same_inputs = SameInputFiles(); !same_inputs.ok()) set = same_inputs;
  }
  if (absl::Status same_dirs = SameSearchDirectories(); !same_dirs.ok()) set = same_dirs;
  if (!keys_.CompilerUnchanged())
    set = absl::AbortedError("the compiler changed during the compile");
  if (!keys_.DriverUnchanged()) {
    set = absl::AbortedError("what the driver runs changed during the compile");
  }
  if (absl::IsAborted(set.status())) {
    Log(absl::StrCat("not stored: ", set.status().message()));
    explain_notes_.push_back(absl::StrCat("not stored: ", set.status().message()));
    return *std::move(compiled);
  }
  if (absl::Status saved = store_.Save(store_key, *entry); !saved.ok()) {
    tally_.errors.push_back(ErrorKind::kCacheWriteFailed);
    Log(absl::StrCat("not stored: ", saved.message()));
  } else if (direct_key_) {
    SaveOrNote(std::move(set));
  }
  return *std::move(compiled);
}

ParsedCall ParseCFamilyCall(const CallContext& context) {
  // g++, c++, clang++ and their prefixed and versioned names.
  const bool cxx_driver = absl::StrContains(context.compiler.name, "++");
  std::variant<CompileRequest, NotCacheable> parsed =
      ParseArgs(*context.compiler.family, context.args, cxx_driver);
  if (auto* not_cacheable = std::get_if<NotCacheable>(&parsed)) return std::move(*not_cacheable);
  CompileRequest& request = std::get<CompileRequest>(parsed);
  // The preprocessor searches these variables' directories after those of the arguments; an
  // empty element is the working directory.
  for (const char* name : kSearchPathVariables) {
    if (const char* dirs = context.env(name)) {
      for (absl::string_view dir : absl::StrSplit(dirs, ':')) {
        request.search_dirs.emplace_back(dir.empty() ? "." : dir);
      }
    }
  }
  if (std::optional<NotCacheable> precompiled = ForcedIncludeNotCacheable(request)) {
    return *std::move(precompiled);
  }
  char cwd[PATH_MAX];
  if (getcwd(cwd, sizeof(cwd)) == nullptr) {
    return Failure{ErrorKind::kInternal, ErrnoStatus("getcwd", ".")};
  }
  if (request.language == "c" || request.language == "cpp-output") {
    context.tally.language = Language::kC;
  }
  if (request.language == "c++" || request.language == "c++-cpp-output") {
    context.tally.language = Language::kCxx;
  }
  PathRewriter paths(context.config.base_dirs, cwd, CompilerWorkingDirectory(cwd, context.env),
                     request.hashed_args);
  return std::make_unique<CompilePipeline>(context, std::move(request), std::move(paths));
}

}  // namespace ddcc
