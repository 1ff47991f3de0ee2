#include "launcher/pipeline.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <optional>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/entry.h"
#include "cache/files.h"
#include "cache/hash.h"
#include "cache/log.h"
#include "cache/store.h"
#include "launcher/depfile.h"

namespace ddcc {
namespace {

// Environment variables that change what the compiler writes (diagnostics' language and quotes,
// which cc1 runs, rewritten arguments) without showing in the preprocessed text.
constexpr const char* kHashedEnv[] = {"LANG",
                                      "LC_ALL",
                                      "LC_CTYPE",
                                      "LC_MESSAGES",
                                      "GCC_EXEC_PREFIX",
                                      "COMPILER_PATH",
                                      "CCC_OVERRIDE_OPTIONS",
                                      "GCC_COMPARE_DEBUG"};
// Environment variables that make gcc write a dependency file ddcc would not know of.
constexpr const char* kUnsupportedEnv[] = {"DEPENDENCIES_OUTPUT", "SUNPRO_DEPENDENCIES"};

constexpr absl::string_view kObjectBlob = "object";
constexpr absl::string_view kDepfileBlob = "depfile";
constexpr absl::string_view kStdoutBlob = "stdout";
constexpr absl::string_view kStderrBlob = "stderr";

bool AllPlain(const std::vector<std::string>& targets) {
  for (const std::string& target : targets) {
    if (!IsPlainTarget(target)) return false;
  }
  return true;
}

class CompilePipeline {
 public:
  CompilePipeline(const Compiler& compiler, const std::vector<std::string>& args,
                  const CompileRequest& request, const Config& config, Stats& stats)
      : compiler_(compiler),
        args_(args),
        request_(request),
        config_(config),
        stats_(stats),
        store_(config.cache_dir, config.max_size, config.compression_level) {}

  CompileOutcome Run();

 private:
  std::optional<NotCacheable> CheckCall() const;
  bool ColorDiagnostics() const;
  absl::StatusOr<ProcessResult> Preprocess() const;
  std::optional<NotCacheable> CheckPreprocessed(absl::string_view text) const;
  absl::StatusOr<Digest> ResultKey(const ProcessResult& preprocessed) const;
  absl::StatusOr<ProcessResult> ServeHit(const Entry& entry) const;
  CompileOutcome CompileAndStore(const Digest& key);
  absl::StatusOr<Entry> MakeEntry(const ProcessResult& compiled) const;

  const Compiler& compiler_;
  const std::vector<std::string>& args_;
  const CompileRequest& request_;
  const Config& config_;
  Stats& stats_;
  LocalStore store_;
};

CompileOutcome CompilePipeline::Run() {
  if (std::optional<NotCacheable> reason = CheckCall()) return *reason;

  absl::StatusOr<ProcessResult> preprocessed = Preprocess();
  if (!preprocessed.ok()) return Failure{ErrorKind::kInternal, preprocessed.status()};
  if (preprocessed->exit_code != 0 || preprocessed->term_signal != 0) {
    return NotCacheable{Uncacheable::kPreprocessorFailed, preprocessed->err};
  }

  if (std::optional<NotCacheable> reason = CheckPreprocessed(preprocessed->out)) return *reason;

  absl::StatusOr<Digest> key = ResultKey(*preprocessed);
  if (!key.ok()) return Failure{ErrorKind::kInternal, key.status()};
  if (config_.recache) return CompileAndStore(*key);

  absl::StatusOr<Entry> entry = store_.Load(*key);
  if (entry.ok()) {
    absl::StatusOr<ProcessResult> served = ServeHit(*entry);
    if (served.ok()) {
      stats_.CountHit();
      return *std::move(served);
    }
    if (!absl::IsDataLoss(served.status())) {
      return Failure{ErrorKind::kOutputWriteFailed, served.status()};
    }
    store_.Remove(*key).IgnoreError();
    entry = served.status();
  }
  if (absl::IsDataLoss(entry.status())) {
    stats_.Count(ErrorKind::kCorruptEntry);
    Log(absl::StrCat("removed damaged entry ", key->Hex(), ": ", entry.status().message()));
  } else if (!absl::IsNotFound(entry.status())) {
    return Failure{ErrorKind::kCacheReadFailed, entry.status()};
  }
  return CompileAndStore(*key);
}

// Outputs are replaced by rename on a hit, which must never happen to /dev/null or a pipe.
std::optional<NotCacheable> CompilePipeline::CheckCall() const {
  for (const char* name : kUnsupportedEnv) {
    if (std::getenv(name) != nullptr) return NotCacheable{Uncacheable::kUnsupportedOption, name};
  }
  std::vector<std::string> outputs = {request_.object};
  if (request_.generates_deps) outputs.push_back(request_.dep_file);
  for (const std::string& output : outputs) {
    struct stat st;
    if (stat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return NotCacheable{Uncacheable::kOutputNotRegularFile, output};
    }
  }
  return std::nullopt;
}

// The compiler colours its diagnostics on a terminal. Captured through a pipe it would not, so
// ddcc asks for colour explicitly there, and the key says so.
bool CompilePipeline::ColorDiagnostics() const {
  const char* term = std::getenv("TERM");
  return !request_.explicit_color && isatty(STDERR_FILENO) &&
         !(term != nullptr && absl::string_view(term) == "dumb");
}

absl::StatusOr<ProcessResult> CompilePipeline::Preprocess() const {
  std::vector<std::string> argv = {compiler_.path, "-E"};
  argv.insert(argv.end(), request_.preprocess_args.begin(), request_.preprocess_args.end());
  return RunCaptured(argv);
}

// The assembler reads the files named by .incbin (and .include) itself, unseen by the
// preprocessor, so their content would not be in the key.
std::optional<NotCacheable> CompilePipeline::CheckPreprocessed(absl::string_view text) const {
  for (absl::string_view directive : {".incbin", ".include"}) {
    if (directive == ".include" && request_.language != "assembler-with-cpp") continue;
    if (absl::StrContains(text, directive)) {
      return NotCacheable{Uncacheable::kUnsupportedCodeDirective, std::string(directive)};
    }
  }
  return std::nullopt;
}

absl::StatusOr<Digest> CompilePipeline::ResultKey(const ProcessResult& preprocessed) const {
  absl::StatusOr<Digest> identity = CompilerIdentity(compiler_, config_);
  if (!identity.ok()) return identity.status();

  Hasher hasher;
  hasher.Field("ddcc result key");
  hasher.Field(kFormatVersion);
  hasher.Field(absl::string_view(reinterpret_cast<const char*>(identity->bytes.data()),
                                 identity->bytes.size()));
  hasher.Field(compiler_.name);  // clang and clang++ are one binary that reads its name
  hasher.Field(request_.language);
  hasher.Field(request_.hashed_args.size());
  for (const std::string& arg : request_.hashed_args) hasher.Field(arg);
  for (const std::string& file : request_.extra_input_files) {
    absl::StatusOr<Digest> content = HashFile(file);
    if (!content.ok()) return content.status();
    hasher.Field(file);
    hasher.Field(content->Hex());
  }
  if (request_.debug_info) {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof(cwd)) == nullptr) return ErrnoStatus("getcwd", ".");
    hasher.Field(cwd);
  }
  for (const char* name : kHashedEnv) {
    const char* value = std::getenv(name);
    hasher.Field(name);
    hasher.Field(value ? absl::StrCat("=", value) : "unset");
  }
  hasher.Field(ColorDiagnostics() ? "color" : "plain");
  hasher.Field(request_.generates_deps ? "depfile" : "no depfile");
  if (request_.generates_deps) {
    hasher.Field(request_.dep_options.size());
    for (const std::string& option : request_.dep_options) hasher.Field(option);
    HashDepTargets(hasher, request_.dep_targets);
  }
  hasher.Field(preprocessed.out);
  // Warnings that only preprocessing options cause (a macro redefined by -D) reach the
  // compile's stderr too, which a hit replays.
  hasher.Field(preprocessed.err);
  return hasher.Finish();
}

// Writes the stored outputs as the compiler would have. DataLoss when the entry lacks a part.
absl::StatusOr<ProcessResult> CompilePipeline::ServeHit(const Entry& entry) const {
  const std::string* object = entry.Find(kObjectBlob);
  const std::string* out = entry.Find(kStdoutBlob);
  const std::string* err = entry.Find(kStderrBlob);
  const std::string* depfile = entry.Find(kDepfileBlob);
  if (!object || !out || !err || (request_.generates_deps && !depfile)) {
    return absl::DataLossError("entry lacks an output this compile needs");
  }
  if (request_.generates_deps) {
    std::string content = *depfile;
    if (AllPlain(request_.dep_targets)) {
      absl::StatusOr<std::string> replaced = ReplaceDepTargets(content, request_.dep_targets);
      if (!replaced.ok()) return absl::DataLossError(replaced.status().message());
      content = *std::move(replaced);
    }
    if (absl::Status written = WriteFileAtomic(request_.dep_file, content); !written.ok()) {
      return written;
    }
  }
  if (absl::Status written = WriteFileAtomic(request_.object, *object); !written.ok()) {
    return written;
  }
  return ProcessResult{.exit_code = 0, .term_signal = 0, .out = *out, .err = *err};
}

CompileOutcome CompilePipeline::CompileAndStore(const Digest& key) {
  std::vector<std::string> argv = {compiler_.path};
  argv.insert(argv.end(), args_.begin(), args_.end());
  if (ColorDiagnostics()) {
    argv.push_back(compiler_.family == Family::kClang ? "-fcolor-diagnostics"
                                                      : "-fdiagnostics-color=always");
  }
  absl::StatusOr<ProcessResult> compiled = RunCaptured(argv);
  if (!compiled.ok()) return Failure{ErrorKind::kInternal, compiled.status()};
  if (compiled->exit_code != 0 || compiled->term_signal != 0) {
    stats_.Count(Uncacheable::kCompilationFailed);
    return *std::move(compiled);
  }

  stats_.CountMiss();
  absl::StatusOr<Entry> entry = MakeEntry(*compiled);
  if (!entry.ok()) {
    stats_.Count(ErrorKind::kUnexpectedCompilerOutput);
    Log(absl::StrCat("not stored: ", entry.status().message()));
  } else if (absl::Status saved = store_.Save(key, *entry); !saved.ok()) {
    stats_.Count(ErrorKind::kCacheWriteFailed);
    Log(absl::StrCat("not stored: ", saved.message()));
  }
  return *std::move(compiled);
}

absl::StatusOr<Entry> CompilePipeline::MakeEntry(const ProcessResult& compiled) const {
  absl::StatusOr<std::string> object = ReadFile(request_.object);
  if (!object.ok()) return object.status();
  Entry entry;
  entry.blobs.emplace_back(kObjectBlob, *std::move(object));
  if (request_.generates_deps) {
    absl::StatusOr<std::string> depfile = ReadFile(request_.dep_file);
    if (!depfile.ok()) return depfile.status();
    // The hit path will put other targets of the same lengths in place of these; make sure
    // the file is laid out as it expects.
    if (AllPlain(request_.dep_targets)) {
      absl::StatusOr<std::string> same = ReplaceDepTargets(*depfile, request_.dep_targets);
      if (!same.ok()) return same.status();
      if (*same != *depfile) {
        return absl::FailedPreconditionError("dependency file names other targets");
      }
    }
    entry.blobs.emplace_back(kDepfileBlob, *std::move(depfile));
  }
  entry.blobs.emplace_back(kStdoutBlob, compiled.out);
  entry.blobs.emplace_back(kStderrBlob, compiled.err);
  return entry;
}

}  // namespace

CompileOutcome CompileThroughCache(const Compiler& compiler, const std::vector<std::string>& args,
                                   const CompileRequest& request, const Config& config,
                                   Stats& stats) {
  return CompilePipeline(compiler, args, request, config, stats).Run();
}

}  // namespace ddcc
