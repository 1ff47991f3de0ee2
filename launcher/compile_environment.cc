#include "launcher/compile_environment.h"

#include <limits.h>
#include <stdlib.h>

#include <algorithm>
#include <clocale>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/util/files.h"

namespace ddcc {

std::vector<std::string> MessageLocaleData(const Compiler& compiler, const EnvLookup& env) {
  if (compiler.family != Family::kGcc) return {};
  const char* locale = nullptr;
  for (const char* name : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    locale = env(name);
    if (locale != nullptr && *locale != '\0') break;
  }
  const absl::string_view name = locale == nullptr ? "" : locale;
  if (name.empty() || name == "C" || name == "POSIX" || absl::StartsWith(name, "C.")) return {};
  // The catalogues for the locale's language (de from de_DE.UTF-8) and gettext's LANGUAGE list.
  std::vector<std::string> languages;
  languages.emplace_back(name.substr(0, name.find_first_of("_.@")));
  languages.emplace_back(name.substr(0, name.find_first_of(".@")));
  if (const char* list = env("LANGUAGE")) {
    for (absl::string_view each : absl::StrSplit(list, ':', absl::SkipEmpty())) {
      languages.emplace_back(each);
    }
  }
  std::vector<std::string> domains = {"gcc", "cpplib"};
  char real[PATH_MAX];
  if (realpath(compiler.path.c_str(), real) != nullptr) {
    const absl::string_view binary = Basename(real);
    const absl::string_view version = binary.substr(binary.rfind('-') + 1);
    if (binary.find('-') != absl::string_view::npos && !version.empty() &&
        std::all_of(version.begin(), version.end(), absl::ascii_isdigit)) {
      domains.push_back(absl::StrCat("gcc-", version));
      domains.push_back(absl::StrCat("cpplib-", version));
    }
  }
  std::vector<std::string> facts;
  bool any_catalogue = false;
  for (const std::string& language : languages) {
    for (const std::string& domain : domains) {
      const std::string path =
          absl::StrCat("/usr/share/locale/", language, "/LC_MESSAGES/", domain, ".mo");
      absl::StatusOr<FileStamp> stamp = StampFile(path);
      any_catalogue = any_catalogue || stamp.ok();
      facts.push_back(absl::StrCat(path, stamp.ok() ? absl::StrCat(" ", stamp->size) : " absent"));
    }
  }
  if (any_catalogue) {
    // As gcc asks glibc for it; this process's own messages stay in C's.
    const bool usable = setlocale(LC_MESSAGES, "") != nullptr;
    setlocale(LC_MESSAGES, "C");
    facts.push_back(absl::StrCat("locale usable: ", usable ? "yes" : "no"));
  }
  return facts;
}

}  // namespace ddcc
