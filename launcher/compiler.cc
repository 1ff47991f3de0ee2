#include "launcher/compiler.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"

namespace ddcc {
namespace {

// Passed down to the compilers ddcc runs: the device and inode of every ddcc binary in the
// chain of calls so far, so that a nested ddcc (another install masquerading as the compiler)
// skips them all on PATH rather than run one of them again, forever.
constexpr char kChainVariable[] = "DDCC_CHAIN";

using FileId = std::pair<dev_t, ino_t>;

FileId IdOf(const struct stat& st) { return {st.st_dev, st.st_ino}; }

std::string IdText(const FileId& id) { return absl::StrCat(id.first, ":", id.second); }

const std::optional<FileId>& Self() {
  static const std::optional<FileId> self = []() -> std::optional<FileId> {
    struct stat st;
    if (stat("/proc/self/exe", &st) != 0) return std::nullopt;
    return IdOf(st);
  }();
  return self;
}

// realpath(), memoised: the family and the identity both resolve the compiler's path, at a
// readlink per component each time.
std::optional<std::string> KnownRealPath(const std::string& path) {
  static auto* resolved = new absl::flat_hash_map<std::string, std::string>();
  if (auto known = resolved->find(path); known != resolved->end()) return known->second;
  absl::StatusOr<std::string> real = RealPath(path);
  if (!real.ok()) return std::nullopt;
  return resolved->try_emplace(path, *std::move(real)).first->second;
}

// This binary, a ddcc earlier in the chain, or a link to a file named ddcc: never the real
// compiler. `st` is what stat() says of `path`.
bool IsDdcc(const std::string& path, const struct stat& st, const EnvLookup& env) {
  const FileId id = IdOf(st);
  if (Self() == id) return true;
  const char* chain = env(kChainVariable);
  for (absl::string_view seen : absl::StrSplit(chain ? chain : "", ' ', absl::SkipEmpty())) {
    if (seen == IdText(id)) return true;
  }
  struct stat link;
  if (lstat(path.c_str(), &link) != 0 || !S_ISLNK(link.st_mode)) return false;
  std::optional<std::string> real = KnownRealPath(path);
  return real && absl::StartsWith(Basename(*real), "ddcc");
}

// Fills `st` for what IsDdcc asks, so that each candidate is stat()ed once.
bool IsExecutableFile(const std::string& path, struct stat& st) {
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

absl::StatusOr<std::string> FindOnPath(absl::string_view name, const EnvLookup& env) {
  const char* path_var = env("PATH");
  std::vector<absl::string_view> tried;  // PATH often lists a directory twice
  bool not_runnable = false;             // a file of that name there that may not be run
  for (absl::string_view dir : absl::StrSplit(path_var ? path_var : "/usr/bin:/bin", ':')) {
    if (std::find(tried.begin(), tried.end(), dir) != tried.end()) continue;
    tried.push_back(dir);
    std::string candidate = absl::StrCat(dir.empty() ? "." : dir, "/", name);
    struct stat st;
    if (IsExecutableFile(candidate, st) && !IsDdcc(candidate, st, env)) return candidate;
    not_runnable = not_runnable || (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
                                    access(candidate.c_str(), X_OK) != 0);
  }
  // As env(1) and bash say it (126): execvp's EACCES.
  if (not_runnable) return absl::PermissionDeniedError(absl::StrCat(name, ": Permission denied"));
  return absl::NotFoundError(absl::StrCat(name, ": not found on PATH"));
}

// A script named like a compiler (with #! or without, which the shell runs) is a wrapper: what
// it adds to the command line, or reads, shows only when the compiler it runs is asked
// (launcher/compiler_probe.h).
bool IsScript(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char head[4];
  const bool binary = read(fd, head, 4) == 4 && absl::string_view(head, 4) ==
                                                    "\x7f"
                                                    "ELF";
  close(fd);
  return !binary;
}

}  // namespace

std::optional<Family> DetectFamily(absl::string_view name, const std::string& path) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '-');
  while (parts.size() > 1 && !parts.back().empty() &&
         absl::ascii_isdigit(static_cast<unsigned char>(parts.back().front()))) {
    parts.pop_back();  // a version suffix: gcc-12, clang-14
  }
  absl::string_view tool = parts.back();
  if (tool == "cc" || tool == "c++") {
    std::optional<std::string> real = KnownRealPath(path);
    if (!real) return std::nullopt;
    absl::string_view real_name = Basename(*real);
    if (real_name == Basename(path)) {  // a real binary called cc
      return IsScript(path) ? std::nullopt : std::optional(Family::kGcc);
    }
    return DetectFamily(real_name, *real);
  }
  if (IsScript(path)) return std::nullopt;
  if (tool == "gcc" || tool == "g++") {
    // clang installed under gcc's name (as macOS does, or a link to force it) is clang.
    std::optional<std::string> real = KnownRealPath(path);
    const bool clang = real && Basename(*real) != Basename(path) &&
                       DetectFamily(Basename(*real), *real) == Family::kClang;
    return clang ? Family::kClang : Family::kGcc;
  }
  if (tool == "clang" || tool == "clang++") return Family::kClang;
  return std::nullopt;
}

absl::StatusOr<std::vector<std::string>> FindPrefixCommand(const std::vector<std::string>& words,
                                                           const EnvLookup& env) {
  std::vector<std::string> paths;
  for (const std::string& word : words) {
    struct stat st;
    if (word.find('/') != std::string::npos) {
      if (!IsExecutableFile(word, st)) {
        return absl::NotFoundError(absl::StrCat(word, ": not an executable file"));
      }
      paths.push_back(word);
      continue;
    }
    absl::StatusOr<std::string> found = FindOnPath(word, env);
    if (!found.ok()) return found.status();
    paths.push_back(*std::move(found));
  }
  return paths;
}

std::vector<std::string> CommandLine(const Compiler& compiler,
                                     const std::vector<std::string>& args) {
  std::vector<std::string> argv = compiler.prefix;
  argv.push_back(compiler.path);
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

absl::StatusOr<Compiler> FindCompiler(absl::string_view name_or_path, const EnvLookup& env) {
  Compiler compiler;
  compiler.name = std::string(Basename(name_or_path));
  struct stat st;
  const bool is_path = name_or_path.find('/') != absl::string_view::npos;
  const bool executable = is_path && IsExecutableFile(std::string(name_or_path), st);
  if (is_path && !(executable && IsDdcc(std::string(name_or_path), st, env))) {
    compiler.path = std::string(name_or_path);
    if (!executable) {
      // As env(1) and the shell say it: a file there that may not be run is no missing one.
      return access(compiler.path.c_str(), F_OK) == 0
                 ? absl::PermissionDeniedError(absl::StrCat(name_or_path, ": Permission denied"))
                 : absl::NotFoundError(absl::StrCat(name_or_path, ": no such compiler"));
    }
  } else {
    absl::StatusOr<std::string> found = FindOnPath(compiler.name, env);
    if (!found.ok()) return found.status();
    compiler.path = *std::move(found);
  }
  compiler.family = DetectFamily(compiler.name, compiler.path);
  compiler.rustc = compiler.name == "rustc";
  return compiler;
}

void PassOnChain(const EnvLookup& env) {
  if (!Self()) return;
  const char* chain = env(kChainVariable);
  const std::string text =
      chain && *chain ? absl::StrCat(chain, " ", IdText(*Self())) : IdText(*Self());
  setenv(kChainVariable, text.c_str(), 1);
}

absl::StatusOr<Digest> CompilerStamp(const Compiler& compiler) {
  std::optional<std::string> real = KnownRealPath(compiler.path);
  if (!real) return ErrnoStatus("realpath", compiler.path);
  struct stat st;
  if (stat(real->c_str(), &st) != 0) return ErrnoStatus("stat", *real);
  Hasher stamp;
  stamp.Field(*real);
  stamp.Field(static_cast<uint64_t>(st.st_size));
  stamp.Field(static_cast<uint64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec);
  return stamp.Finish();
}

// A memo directory or memo that is a symlink planted in the cache is not used: it may lead
// anywhere.
std::optional<std::string> ReadCompilerMemo(const Config& config, absl::string_view name) {
  const std::string memo_dir = absl::StrCat(config.cache_dir, "/compilers");
  struct stat dir_st;
  if (lstat(memo_dir.c_str(), &dir_st) == 0 && !S_ISDIR(dir_st.st_mode)) return std::nullopt;
  const std::string memo = absl::StrCat(memo_dir, "/", name);
  ScopedFd fd(open(memo.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  absl::StatusOr<std::string> known = ReadRegular(fd.get(), memo);
  if (!known.ok()) return std::nullopt;
  return *std::move(known);
}

void WriteCompilerMemo(const Config& config, absl::string_view name, absl::string_view text) {
  const std::string memo_dir = absl::StrCat(config.cache_dir, "/compilers");
  struct stat dir_st;
  if (lstat(memo_dir.c_str(), &dir_st) == 0 && !S_ISDIR(dir_st.st_mode)) return;
  ScopedUmask cache_umask(config.umask);
  if (!MakeDirs(memo_dir).ok()) return;
  // Only a memo: asked again when missing.
  WriteFileAtomic(absl::StrCat(memo_dir, "/", name), text).IgnoreError();
}

absl::StatusOr<Digest> CompilerIdentity(const Compiler& compiler, const Config& config) {
  absl::StatusOr<Digest> identity = CompilerStamp(compiler);
  if (!identity.ok() || config.compiler_check != "content") return identity;
  // The memo is named by the stamp, so a reinstalled compiler gets a new memo.
  std::optional<std::string> known = ReadCompilerMemo(config, identity->Hex());
  if (known && known->size() == identity->bytes.size()) {
    std::copy(known->begin(), known->end(), identity->bytes.begin());
    return identity;
  }
  absl::StatusOr<Digest> content = HashFile(*KnownRealPath(compiler.path));
  if (!content.ok()) return content.status();
  WriteCompilerMemo(config, identity->Hex(),
                    std::string(content->bytes.begin(), content->bytes.end()));
  return *content;
}

}  // namespace ddcc
