// How compilers name the headers they find, where links lie on the way: gcc names a system
// header by its real path where that is shorter, and clang warns of a name whose case differs
// from the real path's. The headers whose names an include set must tie to their real paths, or
// to being reached through no link.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cache/util/files.h"
#include "launcher/includes.h"
#include "launcher/preprocessor_output.h"

namespace ddcc {

// Whether paths name themselves: no link on the way, no "." or ".." (each directory asked once).
class PlainNames {
 public:
  bool Plain(const std::string& path);
  // Only that no link lies on the way as written (LinkFreeWays: "." and ".." taken as written).
  bool LinkFree(const std::string& path);

 private:
  LinkFreeWays ways_;
};

// Headers whose names hold while their real paths do (ties), and while no link comes to lie on
// their way (link_free).
struct NameTies {
  std::vector<std::string> ties;
  std::vector<std::string> link_free;
};

// gcc names a header of a system directory by its real path where that is shorter than the name
// it found it by (-fcanonical-system-headers): links, ".." components and the tree's path decide.
// The system headers found through a link or "..", and named as found, are tied to their real
// paths; those found through none must stay so. FailedPrecondition where gcc may have named
// one by its real path. -include and -imacros files are searched as a quoted #include in the
// working directory is.
absl::StatusOr<NameTies> NamedAsFound(const PreprocessedIncludes& includes,
                                      const SearchPath& search,
                                      const std::vector<std::string>& forced);

// clang warns where an #include's name differs only in case from the file's real path
// (-Wnonportable-include-path), which a link within the name's part of the path decides (h.h
// leading to H.h): the headers found through a link anywhere on the way, which must keep their
// real paths, and those found through no link at all, which must stay so.
NameTies FoundThroughNamedLinks(const PreprocessedIncludes& includes, const SearchPath& search);

}  // namespace ddcc
