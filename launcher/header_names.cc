#include "launcher/header_names.h"

#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace ddcc {

bool PlainNames::Plain(const std::string& path) {
  return !absl::StrContains(absl::StrCat("/", path), "/../") && ways_.LinkFree(path);
}

bool PlainNames::LinkFree(const std::string& path) { return ways_.LinkFree(path); }

absl::StatusOr<NameTies> NamedAsFound(const PreprocessedIncludes& includes,
                                      const SearchPath& search,
                                      const std::vector<std::string>& forced) {
  std::vector<IncludeDirective> directives = includes.directives;
  for (const std::string& file : forced) directives.push_back({file, true, false, ""});
  PlainNames names;
  NameTies named_as_found;
  for (const IncludeDirective& directive : directives) {
    std::vector<std::string> places = SearchedPlaces(directive, search);
    if (places.empty() || !StampFile(places.back()).ok()) continue;
    const std::string& found = places.back();
    if (names.Plain(found)) continue;
    absl::StatusOr<std::string> real = RealPath(found);
    if (!real.ok()) continue;
    if (real->size() >= found.size()) {
      if (includes.system_headers.contains(found)) named_as_found.ties.push_back(found);
      continue;
    }
    // Only a system header's name is shortened (a user's "../include/x.h" keeps its own), and
    // an absolute one reached through no link is always shortened alike (a gcc whose system
    // directories are spelt with "..").
    const bool fixed = absl::StartsWith(found, "/") &&
                       std::filesystem::path(found).lexically_normal().string() == *real;
    if (includes.system_headers.contains(*real) && !fixed) {
      return absl::FailedPreconditionError(
          "gcc may name a header by its real path, which links and path lengths decide");
    }
  }
  // However it was found ("//", "." or ".." in the way it was spelt), a system header gcc names
  // by a path of no links must keep it so.
  for (const std::string& header : includes.system_headers) {
    if (names.Plain(header)) named_as_found.link_free.push_back(header);
  }
  return named_as_found;
}

NameTies FoundThroughNamedLinks(const PreprocessedIncludes& includes, const SearchPath& search) {
  NameTies found;
  PlainNames names;
  for (const IncludeDirective& directive : includes.directives) {
    std::vector<std::string> places = SearchedPlaces(directive, search);
    if (places.empty() || !StampFile(places.back()).ok()) continue;
    // A link anywhere on the way (as written): a link within the name's part may come to lead
    // to another case.
    (names.LinkFree(places.back()) ? found.link_free : found.ties).push_back(places.back());
  }
  return found;
}

}  // namespace ddcc
