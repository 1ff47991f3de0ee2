#include "launcher/outputs.h"

#include <stdio.h>
#include <unistd.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/log.h"

namespace ddcc {
namespace {

// Whether the compiler may write to other paths than the build's without changing a byte of
// what it writes (checked with gcc 12 and clang 14, each with -g, -O2, -flto, and C, C++ and
// assembler sources). Not when the object names itself (--coverage's .gcda path, the .dwo of
// -gsplit-dwarf), and not with other files named after the object (.su), which the compiler
// would name after the private path, and not when the compiler reads a file named after the
// object (gcc's -fprofile-use).
bool CanRedirect(const CompileRequest& request) {
  return !request.object_names_itself && request.aux_outputs.empty() &&
         !request.reads_beside_object;
}

void ReplacePath(std::vector<std::string>& args, const PathArg& at, const std::string& path) {
  args[at.index] = absl::StrCat(args[at.index].substr(0, at.prefix_size), path);
}

}  // namespace

CompileOutputs::CompileOutputs(const CompileRequest& request)
    : request_(request), object_(request.object), dep_file_(request.dep_file) {
  if (!CanRedirect(request)) return;
  absl::StatusOr<std::string> object = TempPathFor(request.object);
  absl::StatusOr<std::string> dep_file = TempPathFor(request.dep_file);
  if (!object.ok() || !dep_file.ok()) {
    Log(absl::StrCat("compiling to the build's paths: ", object.status().ToString(), " ",
                     dep_file.status().ToString()));
    return;
  }
  private_ = true;
  object_ = *std::move(object);
  object_on_signal_.emplace(object_);
  if (request.generates_deps) {
    dep_file_ = *std::move(dep_file);
    dep_file_on_signal_.emplace(dep_file_);
  }
}

CompileOutputs::~CompileOutputs() {
  if (!private_) return;
  unlink(object_.c_str());
  if (request_.generates_deps) unlink(dep_file_.c_str());
}

std::vector<std::string> CompileOutputs::CompilerArgs(
    const std::vector<std::string>& user_args) const {
  if (!private_) return user_args;
  std::vector<std::string> args = request_.expanded_args;
  if (request_.object_arg) {
    ReplacePath(args, *request_.object_arg, object_);
  } else {
    args.insert(args.end(), {"-o", object_});
  }
  if (!request_.generates_deps) return args;
  if (request_.dep_file_arg) {
    ReplacePath(args, *request_.dep_file_arg, dep_file_);
  } else {
    args.insert(args.end(), {"-MF", dep_file_});
  }
  // The default target is the object's path, now the private one; dep_targets holds it as
  // the compiler would have written it, which -MT takes verbatim.
  if (!request_.explicit_dep_targets) {
    for (const std::string& target : request_.dep_targets) args.insert(args.end(), {"-MT", target});
  }
  return args;
}

bool CompileOutputs::NamedIn(absl::string_view text) const {
  return private_ && absl::StrContains(text, kTempMarker);
}

absl::Status CompileOutputs::MoveDependencyFileIntoPlace(bool removes_old) {
  if (!private_ || !request_.generates_deps) return absl::OkStatus();
  if (access(dep_file_.c_str(), F_OK) != 0) {
    if (removes_old) unlink(request_.dep_file.c_str());
    return absl::OkStatus();
  }
  if (rename(dep_file_.c_str(), request_.dep_file.c_str()) != 0) {
    return ErrnoStatus("rename", dep_file_);
  }
  return absl::OkStatus();
}

absl::Status CompileOutputs::MoveObjectIntoPlace() {
  if (private_ && rename(object_.c_str(), request_.object.c_str()) != 0) {
    return ErrnoStatus("rename", object_);
  }
  return absl::OkStatus();
}

absl::Status CompileOutputs::MoveIntoPlace() {
  if (!private_) return absl::OkStatus();
  if (request_.generates_deps && rename(dep_file_.c_str(), request_.dep_file.c_str()) != 0) {
    return ErrnoStatus("rename", dep_file_);
  }
  if (rename(object_.c_str(), request_.object.c_str()) != 0) {
    return ErrnoStatus("rename", object_);
  }
  RemoveStaleTempFiles(request_.object);
  if (request_.generates_deps) RemoveStaleTempFiles(request_.dep_file);
  return absl::OkStatus();
}

}  // namespace ddcc
