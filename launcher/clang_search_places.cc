#include "launcher/clang_search_places.h"

#include <sys/stat.h>
#include <sys/utsname.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"

namespace ddcc {
namespace {

// A prefix the driver searches from, with the name the key knows it by, and what it looks for
// there.
struct Root {
  std::string label;
  std::string dir;
  bool gcc;      // GCC installations, in <lib>/gcc/<triple>/<version>
  bool headers;  // include/c++ (libstdc++, libc++), multiarch directories
};

std::string Under(absl::string_view dir, absl::string_view rel) {
  return absl::StrCat(absl::StripSuffix(dir, "/"), "/", rel);
}

// The value of the last `<joined>V` or `<separate> V` among `args`.
std::optional<std::string> LastValue(const std::vector<std::string>& args, absl::string_view joined,
                                     absl::string_view separate) {
  std::optional<std::string> value;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == separate && i + 1 < args.size()) {
      value = args[++i];
    } else if (absl::StartsWith(args[i], joined)) {
      value = args[i].substr(joined.size());
    }
  }
  return value;
}

// Where clang looks: for GCC installations, in a sysroot given, in the sysroot's usr (/usr
// without one), in --gcc-toolchain's directory and in the directory above the driver as
// invoked; for headers, in each but the sysroot itself (the headers of a GCC are found from its
// installation's prefix), and above the driver with links resolved (libc++ beside clang).
// Looking at more places than clang does costs a few stats, and at worst a miss.
std::vector<Root> Roots(const Compiler& compiler, const CompileRequest& request) {
  const std::vector<std::string>& args = request.hashed_args;
  std::vector<Root> roots;
  std::optional<std::string> sysroot = LastValue(args, "--sysroot=", "--sysroot");
  const bool given = sysroot && !sysroot->empty();
  const std::string base = given ? *sysroot : "/";
  roots.push_back({"sysroot", base, given, false});
  roots.push_back({"sysroot/usr", Under(base, "usr"), true, true});
  if (std::optional<std::string> toolchain =
          LastValue(args, "--gcc-toolchain=", "-gcc-toolchain")) {
    roots.push_back({"gcc toolchain", *toolchain, true, true});
  }
  roots.push_back({"installation", Under(DirectoryOf(compiler.path), ".."), true, true});
  char resolved[PATH_MAX];
  if (realpath(compiler.path.c_str(), resolved) != nullptr) {
    roots.push_back({"installation, resolved", Under(DirectoryOf(resolved), ".."), false, true});
  }
  return roots;
}

class PlaceRecorder {
 public:
  explicit PlaceRecorder(std::vector<std::string>& places) : places_(places) {}

  // Records the names in `root`'s `rel` and returns them, sorted (none when it is no directory).
  std::vector<std::string> List(const Root& root, const std::string& rel) {
    absl::StatusOr<std::vector<std::string>> names = ListDirectory(Under(root.dir, rel));
    if (!names.ok()) {
      Record(root, rel, absl::IsNotFound(names.status()) ? "absent" : "no directory to list");
      return {};
    }
    std::sort(names->begin(), names->end());
    Record(root, rel, absl::StrCat("holds ", absl::StrJoin(*names, " ")));
    return *std::move(names);
  }

  // Records whether `root`'s `rel` is a directory, and returns it.
  bool Directory(const Root& root, const std::string& rel) {
    const bool directory = IsDirectory(Under(root.dir, rel));
    Record(root, rel, directory ? "a directory" : "no directory");
    return directory;
  }

  // Records which of the crtbegin.o files clang tries (one for each multilib) a GCC version
  // directory holds: a version without one is not taken.
  void StartFiles(const Root& root, const std::string& version_dir) {
    std::string held;
    for (const char* multilib : {"", "32/", "64/", "x32/"}) {
      const std::string rel = absl::StrCat(version_dir, "/", multilib, "crtbegin.o");
      if (!NothingAt(Under(root.dir, rel))) absl::StrAppend(&held, " ", multilib, "crtbegin.o");
    }
    Record(root, version_dir, absl::StrCat("start files:", held));
  }

 private:
  void Record(const Root& root, const std::string& rel, absl::string_view state) {
    places_.push_back(absl::StrCat(root.label, "/", rel, ": ", state));
  }

  std::vector<std::string>& places_;
};

}  // namespace

std::vector<std::string> ClangSearchPlaces(const Compiler& compiler,
                                           const CompileRequest& request) {
  std::vector<std::string> places;
  PlaceRecorder recorder(places);
  std::vector<Root> roots = Roots(compiler, request);
  // The triples whose multiarch and libstdc++ directories clang may add: those GCC is installed
  // for, the one asked for, and this machine's in Debian's spelling.
  std::set<std::string> triples;
  if (std::optional<std::string> target = LastValue(request.hashed_args, "--target=", "-target")) {
    triples.insert(*target);
  }
  struct utsname host;
  if (uname(&host) == 0) triples.insert(absl::StrCat(host.machine, "-linux-gnu"));
  std::vector<std::pair<dev_t, ino_t>> seen;
  std::vector<const Root*> present;
  for (const Root& root : roots) {
    struct stat st;
    if (stat(root.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      places.push_back(absl::StrCat(root.label, ": no directory"));
      continue;
    }
    // The same directory reached twice (/usr, and /usr/bin/..) is looked at once.
    const std::pair<dev_t, ino_t> id = {st.st_dev, st.st_ino};
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) {
      places.push_back(absl::StrCat(root.label, ": seen"));
      continue;
    }
    seen.push_back(id);
    present.push_back(&root);
    if (root.label == "sysroot") {  // Gentoo's and Red Hat's records of the GCC in use
      recorder.List(root, "etc/env.d/gcc");
      recorder.List(root, "opt/rh");
    }
    if (!root.gcc) continue;
    for (const char* lib : {"lib", "lib32", "lib64", "libx32"}) {
      if (!recorder.Directory(root, lib)) continue;
      for (const char* gcc : {"/gcc", "/gcc-cross"}) {
        const std::string gcc_dir = absl::StrCat(lib, gcc);
        for (const std::string& triple : recorder.List(root, gcc_dir)) {
          triples.insert(triple);
          const std::string triple_dir = absl::StrCat(gcc_dir, "/", triple);
          for (const std::string& version : recorder.List(root, triple_dir)) {
            recorder.StartFiles(root, absl::StrCat(triple_dir, "/", version));
          }
        }
      }
    }
  }
  for (const Root* root : present) {
    if (!root->headers) continue;
    for (const char* include : {"include", "local/include"}) {
      if (!recorder.Directory(*root, include)) continue;
      recorder.List(*root, absl::StrCat(include, "/c++"));
      for (const std::string& triple : triples) {
        const std::string multiarch = absl::StrCat(include, "/", triple);
        if (recorder.Directory(*root, multiarch)) recorder.List(*root, multiarch + "/c++");
      }
    }
    for (const std::string& triple : triples) {
      if (recorder.Directory(*root, triple)) recorder.List(*root, triple + "/include/c++");
    }
  }
  return places;
}

absl::StatusOr<std::vector<std::string>> ClangConfigFiles(const Compiler& compiler) {
  std::vector<absl::string_view> parts = absl::StrSplit(compiler.name, '-');
  while (parts.size() > 1 && !parts.back().empty() &&
         absl::ascii_isdigit(static_cast<unsigned char>(parts.back()[0]))) {
    parts.pop_back();  // a version: x86_64-linux-gnu-clang-14
  }
  if (parts.size() < 2) return std::vector<std::string>();
  const std::string mode(parts.back());
  parts.pop_back();
  const std::string prefix = absl::StrJoin(parts, "-");
  std::vector<std::string> dirs = {DirectoryOf(compiler.path)};
  char resolved[PATH_MAX];
  if (realpath(compiler.path.c_str(), resolved) != nullptr) dirs.push_back(DirectoryOf(resolved));
  std::vector<std::string> files;
  for (const std::string& dir : dirs) {
    for (const std::string& name : {absl::StrCat(prefix, "-", mode, ".cfg"), prefix + ".cfg"}) {
      const std::string path = Under(dir, name);
      absl::StatusOr<Digest> content = HashFile(path);
      if (absl::IsNotFound(content.status())) {
        files.push_back(absl::StrCat(path, " absent"));
        continue;
      }
      if (!content.ok()) return content.status();
      files.push_back(absl::StrCat(path, " ", content->Hex()));
    }
  }
  return files;
}

}  // namespace ddcc
