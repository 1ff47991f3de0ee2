#include "launcher/rustc_toolchain.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cache/store/include_set.h"
#include "cache/util/files.h"
#include "launcher/process.h"

namespace ddcc {
namespace {

// A name for the files' full stamps; `trusted` false where one cannot prove its file's content.
absl::StatusOr<std::string> StampsName(const std::vector<std::string>& paths, bool& trusted) {
  const int64_t now = NowNs();
  Hasher stamps;
  stamps.Field("ddcc rust library stamps");
  for (const std::string& path : paths) {
    absl::StatusOr<FileStamp> stamp = StampFile(path);
    stamps.Field(path);
    if (absl::IsNotFound(stamp.status())) continue;  // a dangling link rustc passes over
    if (!stamp.ok()) return stamp.status();
    for (uint64_t field : {stamp->device, stamp->inode, stamp->size}) stamps.Field(field);
    for (int64_t field : {stamp->mtime_ns, stamp->ctime_ns}) {
      stamps.Field(static_cast<uint64_t>(field));
    }
    trusted = trusted && StampTrusted(*stamp, now, path);
  }
  return stamps.Finish().Hex();
}

// The content digest of the files in `dir` (the standard library, some 150 MB), under their
// names. Reading it all for every compile would cost more than many compiles: the digest is kept
// in the cache directory under the files' full stamps, inode and ctime included, which a copy
// (`cp -p`, a tarball) cannot keep. Where a stamp cannot prove the content (too new, a file
// system whose stamps miss changes) it is read again.
absl::StatusOr<std::string> LibraryDigest(const std::string& dir,
                                          const std::vector<std::string>& names,
                                          const Config& config) {
  std::vector<std::string> paths;
  for (const std::string& name : names) paths.push_back(absl::StrCat(dir, "/", name));
  bool trusted = true;
  absl::StatusOr<std::string> stamps = StampsName(paths, trusted);
  if (!stamps.ok()) return stamps.status();
  const std::string memo = absl::StrCat(*stamps, ".rust-library");
  if (std::optional<std::string> known = trusted ? ReadCompilerMemo(config, memo) : std::nullopt;
      known && known->size() == 32 &&
      known->find_first_not_of("0123456789abcdef") == std::string::npos) {
    return *std::move(known);
  }
  Hasher contents;
  contents.Field("ddcc rust library contents");
  for (size_t i = 0; i < names.size(); ++i) {
    contents.Field(names[i]);
    // A directory (self-contained/) holds what the linker uses, not crates.
    if (IsDirectory(paths[i])) continue;
    absl::StatusOr<Digest> digest = HashFile(paths[i]);
    if (absl::IsNotFound(digest.status())) continue;
    if (!digest.ok()) return digest.status();
    contents.Field(digest->Hex());
  }
  std::string digest = contents.Finish().Hex();
  bool still_trusted = true;
  if (StampsName(paths, still_trusted) != stamps) {
    return absl::AbortedError(absl::StrCat(dir, " changed while read"));
  }
  if (trusted) WriteCompilerMemo(config, memo, digest);
  return digest;
}

// rustc -vV; a toolchain's own rustc is asked once, and its answer kept in the cache directory
// under its binary's stamp (rustc takes a tenth of a second to start).
absl::StatusOr<std::string> VersionOf(const Compiler& compiler, const Config& config,
                                      const Digest& binary, bool proxy) {
  const std::string memo = absl::StrCat(binary.Hex(), ".rustc-vV");
  if (std::optional<std::string> known = proxy ? std::nullopt : ReadCompilerMemo(config, memo);
      known && absl::StrContains(*known, "\nrelease: ")) {
    return *std::move(known);
  }
  absl::StatusOr<ProcessResult> asked = RunAside({compiler.path, "-vV"});
  if (!asked.ok()) return asked.status();
  if (asked->exit_code != 0 || !absl::StrContains(asked->out, "\nrelease: ")) {
    return absl::InternalError("rustc -vV failed");
  }
  if (!proxy) WriteCompilerMemo(config, memo, asked->out);
  return asked->out;
}

// What LLVM takes -C target-cpu=native for, as the kernel tells it: the first CPU's vendor,
// family, model and features. A cache shared between machines must not give one the other's code.
absl::StatusOr<std::string> HostCpu() {
  absl::StatusOr<std::string> info = ReadFile("/proc/cpuinfo");
  if (!info.ok()) return info.status();
  std::string cpu;
  for (absl::string_view line : absl::StrSplit(*info, '\n')) {
    if (line.empty()) break;  // the end of the first CPU's lines
    for (absl::string_view field : {"vendor_id", "cpu family", "model", "flags"}) {
      if (absl::StartsWith(line, field) &&
          line.substr(0, line.find(':')).find_first_not_of(" \t", field.size()) ==
              absl::string_view::npos) {
        absl::StrAppend(&cpu, line, "; ");
      }
    }
  }
  if (cpu.empty()) return absl::NotFoundError("/proc/cpuinfo names no CPU");
  return cpu;
}

}  // namespace

// rustc's version, its binary, and the standard library it links the crate against.
absl::Status HashRustToolchain(const Compiler& compiler, const RustcRequest& request,
                               const Config& config, Hasher& key, std::string& transcript) {
  char real[PATH_MAX];
  if (realpath(compiler.path.c_str(), real) == nullptr) {
    return ErrnoStatus("realpath", compiler.path);
  }
  absl::StatusOr<Digest> binary = CompilerStamp(compiler);
  if (!binary.ok()) return binary.status();
  key.Field(binary->Hex());
  // A rustc beside its lib/rustlib is a toolchain's own, whose -vV its binary's stamp
  // determines; rustup's proxy runs whichever toolchain the directory and environment choose.
  const std::string own_sysroot = DirectoryOf(DirectoryOf(real));
  const bool proxy = !IsDirectory(absl::StrCat(own_sysroot, "/lib/rustlib"));
  absl::StatusOr<std::string> version = VersionOf(compiler, config, *binary, proxy);
  if (!version.ok()) return version.status();
  key.Field(*version);
  absl::StrAppend(&transcript, "rustc -vV: ", absl::StrReplaceAll(*version, {{"\n", "; "}}), "\n");

  std::string target = request.target;
  for (absl::string_view line : absl::StrSplit(*version, '\n')) {
    if (target.empty() && absl::ConsumePrefix(&line, "host: ")) target = std::string(line);
  }
  std::string sysroot = request.sysroot;
  if (sysroot.empty()) {
    // rustc's own: the directory above its bin/, unless it is a proxy (rustup's) that runs
    // another rustc, which knows.
    sysroot = own_sysroot;
    if (proxy) {
      absl::StatusOr<ProcessResult> printed = RunAside({compiler.path, "--print=sysroot"});
      if (!printed.ok()) return printed.status();
      if (printed->exit_code != 0) return absl::InternalError("rustc --print=sysroot failed");
      sysroot = std::string(absl::StripAsciiWhitespace(printed->out));
    }
  }
  const std::string std_dir = absl::StrCat(sysroot, "/lib/rustlib/", target, "/lib");
  absl::StatusOr<std::vector<std::string>> names = ListDirectory(std_dir);
  if (!names.ok()) return names.status();
  std::sort(names->begin(), names->end());
  absl::StatusOr<std::string> library = LibraryDigest(std_dir, *names, config);
  if (!library.ok()) return library.status();
  key.Field(std_dir);
  key.Field(*library);
  absl::StrAppend(&transcript, "standard library: ", std_dir, " (", *library, ")\n");
  if (request.host_cpu) {
    absl::StatusOr<std::string> cpu = HostCpu();
    if (!cpu.ok()) return cpu.status();
    key.Field(*cpu);
    absl::StrAppend(&transcript, "host cpu (-C target-cpu=native): ", *cpu, "\n");
  }
  return absl::OkStatus();
}

}  // namespace ddcc
