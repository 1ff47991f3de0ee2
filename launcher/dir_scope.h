// Which working directories a compile's entries serve. Keys leave the working directory out
// where base_dir (or an object whose debug directory can be renamed) lets trees share results;
// an entry that may still name its own tree is then kept under the key made specific to this
// directory, and found from the shared key by a redirect. One object owns these rules, and
// what a compile learns of them as it runs; the pipeline's stages ask it.
#pragma once

#include <optional>

#include "cache/store/entry.h"
#include "cache/util/hash.h"
#include "launcher/keys.h"
#include "launcher/paths.h"
#include "launcher/result_entry.h"

namespace ddcc {

class DirScope {
 public:
  DirScope(const KeyMaker& keys, const PathRewriter& paths, const ResultEntry& results)
      : keys_(keys), paths_(paths), results_(results) {}

  // Whether a key without the working directory may lead to an entry made in another one.
  bool Shared() const;
  // `key` made specific to this directory.
  Digest Specific(const Digest& key) const { return keys_.WithCwd(key); }
  // The direct keys whose manifests may lead to this compile's result, in order: include sets
  // whose result depends on the directory are recorded under the specific key.
  std::vector<Digest> ManifestKeys(const Digest& direct_key) const;
  // Whether `entry`, under a shared key, may name the tree it was made in: its messages,
  // dependency file or files beside the object (as the command line and line markers spell
  // them), or an object whose directory it cannot rename.
  bool MayNameAnotherDirectory(const Entry& entry) const;
  // Whether `made`, this compile's entry from the preprocessed `text` ("" in depend mode), is
  // kept to this directory: it may name it (MayNameAnotherDirectory), or its object names this
  // tree (ResultEntry::ObjectNamesTree). Only here: an entry under a shared key was made so, and
  // a hit need not read its object through.
  bool KeepsToThisDirectory(const Entry& made, absl::string_view text) const;

  // The result this compile serves or stores lives under the specific key of `shared`.
  void Redirect(const Digest& shared) { redirected_from_ = shared; }
  void ClearRedirect() { redirected_from_.reset(); }
  bool redirected() const { return redirected_from_.has_value(); }
  // The key a manifest leads to for `result_key`: the shared one a lookup redirects from.
  const Digest& LeadsTo(const Digest& result_key) const;

  // What the result key showed: whether it holds the working directory (no object then needs
  // searching); the result is tied to this directory; the preprocessed text names it; a file
  // read names a base directory, so that an entry with messages may name this tree
  // (MayNameAnotherDirectory).
  void KnowResult(const ResultKeyInfo& result);
  // Depend mode: no text shows whether the result names the tree, so a shared one is tied.
  void KnowNoText();
  // The key this compile's manifest is stored under: a tied result is found only from here.
  Digest ManifestKey(const Digest& direct_key) const;
  // Whether a hit elsewhere may rename the directory in this compile's object.
  ObjectDirMove ObjectMove() const;

 private:
  const KeyMaker& keys_;
  const PathRewriter& paths_;
  const ResultEntry& results_;
  bool result_holds_cwd_ = false;
  bool markers_as_written_ = false;
  bool result_tied_ = false;
  bool text_names_cwd_ = true;  // until the text shows otherwise
  bool content_names_base_dir_ = false;
  std::optional<Digest> redirected_from_;
};

}  // namespace ddcc
