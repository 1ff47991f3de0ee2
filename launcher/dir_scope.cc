#include "launcher/dir_scope.h"

#include "launcher/blob_kind.h"

namespace ddcc {

bool DirScope::Shared() const {
  return !keys_.DirectKeyHoldsCwd() && (paths_.active() || keys_.MovesDebugDirectory());
}

std::vector<Digest> DirScope::ManifestKeys(const Digest& direct_key) const {
  if (!Shared()) return {direct_key};
  return {direct_key, Specific(direct_key)};
}

bool DirScope::MayNameAnotherDirectory(const Entry& entry) const {
  if (!Shared()) return false;
  if (keys_.MovesDebugDirectory() && !ResultEntry::RecordsObjectDir(entry)) return true;
  // A message may quote a line naming the tree, or a part of it (clang's -fmessage-length).
  if (content_names_base_dir_) {
    for (BlobKind kind : {blob::kStdout, blob::kStderr}) {
      if (const std::string* text = entry.Find(kind); text && !text->empty()) return true;
    }
  }
  return results_.NamesBaseDirBesideObject(entry);
}

bool DirScope::KeepsToThisDirectory(const Entry& made, absl::string_view text) const {
  return MayNameAnotherDirectory(made) ||
         (Shared() && !result_holds_cwd_ &&
          results_.ObjectNamesTree(made, text, markers_as_written_));
}

const Digest& DirScope::LeadsTo(const Digest& result_key) const {
  return redirected_from_ ? *redirected_from_ : result_key;
}

void DirScope::KnowResult(const ResultKeyInfo& result) {
  result_holds_cwd_ = result.holds_cwd;
  markers_as_written_ = result.markers_as_written;
  result_tied_ = result.tied;
  text_names_cwd_ = result.names_cwd;
  content_names_base_dir_ = result.content_names_base_dir;
}

void DirScope::KnowNoText() {
  markers_as_written_ = false;
  result_tied_ = Shared();
  redirected_from_.reset();  // the direct lookup's, for the key it found
}

Digest DirScope::ManifestKey(const Digest& direct_key) const {
  return result_tied_ ? Specific(direct_key) : direct_key;
}

ObjectDirMove DirScope::ObjectMove() const {
  if (!keys_.MovesDebugDirectory()) return ObjectDirMove::kNever;
  return text_names_cwd_ ? ObjectDirMove::kNamedByInputs : ObjectDirMove::kIfOnlyObject;
}

}  // namespace ddcc
