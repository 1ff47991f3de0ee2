#include "launcher/output_check.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

// A path as the file system sees it: an existing file by its device and inode, which any
// spelling of it, a symlink or a hard link shares.
struct FileIdentity {
  std::string path;
  bool exists = false;
  bool link = false;
  bool dangling_link = false;
  struct stat st {};

  explicit FileIdentity(const std::string& file) : path(file) {
    // lstat alone where it is no link, which is nearly always.
    exists = lstat(path.c_str(), &st) == 0;
    link = exists && S_ISLNK(st.st_mode);
    if (link) exists = stat(path.c_str(), &st) == 0;
    dangling_link = !exists && link;
  }

  bool Same(const FileIdentity& other) const {
    if (exists || other.exists) {
      return exists && other.exists && st.st_dev == other.st.st_dev && st.st_ino == other.st.st_ino;
    }
    // Neither exists (an absent .gcda that -fprofile-use would read): one name in one
    // directory, however the directory is reached (a link to it), else the paths tell, at the
    // price of a getcwd, so only then.
    const std::filesystem::path mine(path), theirs(other.path);
    if (mine.filename() != theirs.filename()) return false;
    struct stat dir = {};
    struct stat other_dir = {};
    const std::string parent = mine.has_parent_path() ? mine.parent_path().string() : ".";
    const std::string other_parent = theirs.has_parent_path() ? theirs.parent_path().string() : ".";
    if (stat(parent.c_str(), &dir) == 0 && stat(other_parent.c_str(), &other_dir) == 0) {
      return dir.st_dev == other_dir.st_dev && dir.st_ino == other_dir.st_ino;
    }
    std::error_code error;
    return std::filesystem::absolute(path, error).lexically_normal() ==
           std::filesystem::absolute(other.path, error).lexically_normal();
  }
};

}  // namespace

std::optional<NotCacheable> CheckOutputs(const CompileRequest& request) {
  std::vector<FileIdentity> outputs = {FileIdentity(request.object)};
  if (request.generates_deps) outputs.emplace_back(request.dep_file);
  for (const auto& [suffix, path] : request.aux_outputs) outputs.emplace_back(path);
  for (const FileIdentity& output : outputs) {
    if (output.exists && !S_ISREG(output.st.st_mode)) {
      return NotCacheable{Uncacheable::kOutputNotRegularFile, output.path};
    }
    // One the user may not write the compiler fails on (or its assembler replaces): ddcc would
    // rename its own over it.
    if (output.exists && access(output.path.c_str(), W_OK) != 0) {
      return NotCacheable{Uncacheable::kOutputNotRegularFile,
                          absl::StrCat(output.path, " (not writable)")};
    }
    // The compiler writes through it (or fails where it leads nowhere); ddcc would replace it.
    // gcc's assembler writes the object into the file a link leads to, or that a hard link
    // shares, as the compilers write the other outputs (clang replaces the object, as ddcc).
    if (output.link || output.st.st_nlink > 1) {
      return NotCacheable{
          Uncacheable::kOutputNotRegularFile,
          absl::StrCat(output.path, output.dangling_link ? " (a symbolic link to nothing)"
                                    : output.link        ? " (a symbolic link)"
                                                         : " (a file of several names)")};
    }
  }

  // Two outputs at one path (-MF naming the .su): which the compiler leaves there is its own
  // affair, and a hit would write each.
  for (size_t i = 0; i < outputs.size(); ++i) {
    for (size_t j = i + 1; j < outputs.size(); ++j) {
      if (outputs[i].Same(outputs[j])) {
        return NotCacheable{
            Uncacheable::kUnsupportedOption,
            absl::StrCat(outputs[i].path, " and ", outputs[j].path, " are one file")};
      }
    }
  }

  std::vector<FileIdentity> inputs = {FileIdentity(request.source)};
  // /dev/stdin, a FIFO: ddcc reading it to hash it would take what the compiler reads.
  if (inputs[0].exists && !S_ISREG(inputs[0].st.st_mode)) {
    return NotCacheable{Uncacheable::kNoInputFile,
                        absl::StrCat(request.source, " is no regular file")};
  }
  for (const std::string& file : request.extra_input_files) {
    inputs.emplace_back(file);
    if (inputs.back().exists && !S_ISREG(inputs.back().st.st_mode)) {
      return NotCacheable{Uncacheable::kNoInputFile, absl::StrCat(file, " is no regular file")};
    }
  }
  for (const FileIdentity& output : outputs) {
    for (const FileIdentity& input : inputs) {
      if (output.Same(input)) {
        return NotCacheable{Uncacheable::kOutputIsInput,
                            absl::StrCat(output.path, " is also the input ", input.path)};
      }
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
