#include "launcher/output_check.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ddcc {
namespace {

// A path as the file system sees it: the file's device and inode when it exists (any spelling,
// a symlink or a hard link to it, shares them), and the absolute path in any case.
struct FileIdentity {
  std::optional<std::pair<dev_t, ino_t>> inode;
  std::filesystem::path absolute;

  explicit FileIdentity(const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0) inode.emplace(st.st_dev, st.st_ino);
    std::error_code error;
    absolute = std::filesystem::absolute(path, error).lexically_normal();
  }

  bool Same(const FileIdentity& other) const {
    return (inode && inode == other.inode) || (!absolute.empty() && absolute == other.absolute);
  }
};

}  // namespace

std::optional<NotCacheable> CheckOutputs(const CompileRequest& request) {
  std::vector<std::string> outputs = {request.object};
  if (request.generates_deps) outputs.push_back(request.dep_file);
  for (const auto& [suffix, path] : request.aux_outputs) outputs.push_back(path);
  for (const std::string& output : outputs) {
    struct stat st;
    if (stat(output.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
      return NotCacheable{Uncacheable::kOutputNotRegularFile, output};
    }
  }

  std::vector<FileIdentity> inputs = {FileIdentity(request.source)};
  for (const std::string& file : request.extra_input_files) inputs.emplace_back(file);
  for (const std::string& output : outputs) {
    FileIdentity written(output);
    for (const FileIdentity& input : inputs) {
      if (written.Same(input)) {
        return NotCacheable{Uncacheable::kOutputIsInput,
                            absl::StrCat(output, " is also ", input.absolute.string())};
      }
    }
  }
  return std::nullopt;
}

}  // namespace ddcc
