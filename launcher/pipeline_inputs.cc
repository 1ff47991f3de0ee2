// The checks after a compile that it read what the key was made of (CompilePipeline).
#include "absl/strings/str_cat.h"
#include "cache/util/files.h"
#include "cache/util/hash.h"
#include "launcher/compile_inputs.h"
#include "launcher/compile_pipeline.h"

namespace ddcc {

namespace {

// The content's digest where the file's stamps cannot stand for it.
std::optional<Digest> DigestWhereStampsMissChanges(const std::string& path,
                                                   const std::optional<FileStamp>& stamp) {
  if (!stamp || StampsShowChanges(stamp->device, path)) return std::nullopt;
  absl::StatusOr<Digest> digest = HashFile(path);
  return digest.ok() ? std::optional<Digest>(*digest) : std::nullopt;
}

}  // namespace

void CompilePipeline::StampInputFiles(const std::vector<std::string>& files_read) {
  input_stamps_ = StampFiles(files_read);
  input_digests_.clear();
  for (size_t i = 0; i < files_read.size(); ++i) {
    input_digests_.push_back(DigestWhereStampsMissChanges(files_read[i], input_stamps_[i]));
  }
}

// Aborted where a file the key read is another file now, or was changed: the compile, which ran
// in between, may have read either.
absl::Status CompilePipeline::SameInputFiles() const {
  const std::vector<std::string> files_read = FilesRead(request_, includes_);
  if (files_read.size() != input_stamps_.size()) return absl::InternalError("inputs not stamped");
  const std::vector<std::optional<FileStamp>> now = StampFiles(files_read);
  for (size_t i = 0; i < now.size(); ++i) {
    if (now[i] != input_stamps_[i] ||
        DigestWhereStampsMissChanges(files_read[i], now[i]) != input_digests_[i]) {
      return absl::AbortedError(absl::StrCat(
          files_read[i], " is another file, or was changed, since the preprocessor read it"));
    }
  }
  return absl::OkStatus();
}

// A directory swapped for another on a header's way (renamed over, a link before a `..`
// retargeted) while the preprocessor or the compile runs, and then written into, leaves each
// file's and directory's times as a plain write does: the directories searched are known before
// any header is read, and each must still be the same directory after.
void CompilePipeline::StampSearchDirectories() {
  search_dirs_ = {DirectoryOf(request_.source)};
  if (absl::StatusOr<SearchPath> search = ProbeSearchPath(); search.ok()) {
    search_dirs_.insert(search_dirs_.end(), search->quote.begin(), search->quote.end());
    search_dirs_.insert(search_dirs_.end(), search->angle.begin(), search->angle.end());
  }
  search_dir_stamps_ = StampFiles(search_dirs_);
}

absl::Status CompilePipeline::SameSearchDirectories() const {
  const std::vector<std::optional<FileStamp>> now = StampFiles(search_dirs_);
  for (size_t i = 0; i < now.size(); ++i) {
    const std::optional<FileStamp>& then = search_dir_stamps_[i];
    if (now[i].has_value() != then.has_value() ||
        (then && (now[i]->device != then->device || now[i]->inode != then->inode))) {
      return absl::AbortedError(
          absl::StrCat(search_dirs_[i], " is another directory since the compile began"));
    }
  }
  return absl::OkStatus();
}

// Aborted where the compile read a file the preprocessor's run did not (nor an option named
// for it, as clang's lists of the sanitizers), or, where both list every file, the other way
// round, or its listing cannot be read: the key may not describe the object.
absl::Status CompilePipeline::SameFilesRead(const CompileListing& listing) const {
  absl::StatusOr<std::vector<std::string>> listed = listing.Read();
  if (!listed.ok()) {
    return absl::AbortedError(
        absl::StrCat("the compile's listing of its files: ", listed.status().message()));
  }
  std::vector<std::string> seen = FilesRead(request_, includes_);
  seen.insert(seen.end(), preprocessor_listed_.begin(), preprocessor_listed_.end());
  if (std::optional<std::string> unseen = listing.FirstUnseen(*listed, seen)) {
    return absl::AbortedError(absl::StrCat(
        "the compile read ", *unseen, ", which the preprocessor did not: it changed meanwhile"));
  }
  // Nor the other way: a header gone for the compile, or a precompiled one read in its place.
  if (listing.complete() && !listed->empty()) {
    listed->push_back(request_.source);
    if (std::optional<std::string> unread = listing.FirstUnseen(preprocessor_listed_, *listed)) {
      return absl::AbortedError(absl::StrCat("the preprocessor read ", *unread,
                                             ", which the compile did not: it changed meanwhile"));
    }
  }
  return absl::OkStatus();
}

}  // namespace ddcc
