#include "launcher/compile_listing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"
#include "cache/util/log.h"
#include "launcher/depfile.h"
#include "launcher/source_language.h"

namespace ddcc {

namespace {

// Arguments through which clang may be asked for a dependency file or -H's listing otherwise.
bool ClangListsOtherwise(const std::vector<std::string>& args) {
  for (const std::string& arg : args) {
    if (arg == "-H" || arg == "--trace-includes" || arg == "-Xclang" || arg == "-Xpreprocessor" ||
        absl::StartsWith(arg, "-Wp,")) {
      return true;
    }
  }
  return false;
}

// A name as both kinds of listing can spell it: gcc's dependency files leave out a leading
// "./", which the line markers keep; clang's write a backslash as '/'.
std::string Comparable(Family family, absl::string_view path) {
  while (absl::ConsumePrefix(&path, "./")) {
  }
  if (family == Family::kGcc) return std::string(path);
  return absl::StrReplaceAll(path, {{"\\", "/"}});
}

// Where a private listing goes: beside the object, or where gcc can be given its name (up to
// the first space) in the temporary directory.
absl::StatusOr<std::string> PrivatePath(Family family, const std::string& object) {
  absl::StatusOr<std::string> path = TempPathFor(object);
  if (!path.ok() || family != Family::kGcc || !absl::StrContains(*path, ' ')) return path;
  const char* tmp = std::getenv("TMPDIR");
  path = TempPathFor(absl::StrCat(tmp && *tmp ? tmp : "/tmp", "/ddcc-listing"));
  if (path.ok() && absl::StrContains(*path, ' ')) {
    return absl::FailedPreconditionError("no path for the listing without a space");
  }
  return path;
}

}  // namespace

CompileListing::CompileListing(Family family, const CompileRequest& request,
                               const std::string* dep_file)
    : family_(family) {
  if (dep_file && request.generates_deps) {
    path_ = *dep_file;
    targets_ = request.dep_targets;
    complete_ = std::find(request.dep_options.begin(), request.dep_options.end(), "-MMD") ==
                request.dep_options.end();
    return;
  }
  // A source read as it is opens no other file (CheckPreprocessed refuses the directives that
  // would); clang's listing of a .i names the files its line markers enter.
  if (ReadsSourceAsIs(request.language)) return;
  const bool clang_compile = family == Family::kClang && dep_file != nullptr;
  if (clang_compile && ClangListsOtherwise(request.expanded_args)) return;
  absl::StatusOr<std::string> path = PrivatePath(family, request.object);
  if (!path.ok()) {
    Log(absl::StrCat("no listing of the compile's files: ", path.status().message()));
    return;
  }
  // Made here, so that a compiler that cannot open it is never the one to complain.
  int fd = open(path->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    Log(absl::StrCat("no listing of the compile's files: ",
                     ErrnoStatus("create", *path).message()));
    return;
  }
  close(fd);
  path_ = *std::move(path);
  private_file_ = true;
  removed_on_signal_.emplace(path_);
  targets_ = {"ddcc"};
  if (family == Family::kGcc) {
    environment_.push_back(absl::StrCat("SUNPRO_DEPENDENCIES=", path_, " ddcc"));
  } else if (!clang_compile) {
    arguments_ = {"-MD", "-MF", path_, "-MT", "ddcc"};
  } else {
    environment_ = {"CC_PRINT_HEADERS=1", absl::StrCat("CC_PRINT_HEADERS_FILE=", path_)};
    header_lines_ = true;
    complete_ = false;
  }
}

CompileListing::~CompileListing() {
  if (private_file_) unlink(path_.c_str());
}

absl::StatusOr<std::vector<std::string>> CompileListing::Read() const {
  if (path_.empty()) return std::vector<std::string>();
  absl::StatusOr<std::string> text = ReadFile(path_);
  if (!text.ok()) return text.status();
  if (header_lines_) {
    // One path a line, as -H prints them without the depth's dots, with '\\' and '"' escaped
    // (Lexer::Stringify).
    std::vector<std::string> paths = absl::StrSplit(*text, '\n', absl::SkipEmpty());
    for (std::string& path : paths) {
      path = absl::StrReplaceAll(path, {{"\\\\", "\\"}, {"\\\"", "\""}});
    }
    return paths;
  }
  return ListedPrerequisites(*text, targets_, family_);
}

std::vector<std::string> CompileListing::NamesNotAmong(Family family,
                                                       const std::vector<std::string>& listed,
                                                       const std::vector<std::string>& seen) {
  absl::flat_hash_set<std::string> names;
  for (const std::string& file : seen) names.insert(Comparable(family, file));
  std::vector<std::string> others;
  for (const std::string& file : listed) {
    if (names.insert(Comparable(family, file)).second) others.push_back(file);
  }
  return others;
}

std::optional<std::string> CompileListing::FirstUnseen(const std::vector<std::string>& listed,
                                                       const std::vector<std::string>& seen) const {
  absl::flat_hash_set<std::string> names;
  for (const std::string& file : seen) names.insert(Comparable(family_, file));
  // Spelled otherwise (a/../b): the same file, by device and inode.
  absl::flat_hash_set<std::pair<dev_t, ino_t>> identities;
  for (const std::string& file : listed) {
    if (names.contains(Comparable(family_, file))) continue;
    if (identities.empty()) {
      for (const std::string& each : seen) {
        struct stat st;
        if (stat(each.c_str(), &st) == 0) identities.insert({st.st_dev, st.st_ino});
      }
    }
    struct stat st;
    if (stat(file.c_str(), &st) != 0 || !identities.contains({st.st_dev, st.st_ino})) {
      return file;
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
