#include "launcher/source_language.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "cache/util/files.h"

namespace ddcc {

absl::string_view LanguageForSuffix(Family family, bool cxx_driver, absl::string_view path) {
  absl::string_view name = Basename(path);
  size_t dot = name.rfind('.');
  if (dot == absl::string_view::npos) return {};
  absl::string_view ext = name.substr(dot + 1);
  if (ext == "c") return cxx_driver ? "c++" : "c";
  if (ext == "cc" || ext == "cpp" || ext == "cxx" || ext == "c++" || ext == "C" || ext == "CPP" ||
      ext == "cp") {
    return "c++";
  }
  // clang 14 takes .sx for a linker input.
  if (ext == "S" || (ext == "sx" && family == Family::kGcc)) return "assembler-with-cpp";
  if (ext == "s") return "assembler";
  if (ext == "i") return cxx_driver ? "c++-cpp-output" : "cpp-output";
  if (ext == "ii") return "c++-cpp-output";
  return {};
}

bool IsSupportedLanguage(absl::string_view lang) {
  return lang == "c" || lang == "c++" || lang == "assembler-with-cpp" || ReadsSourceAsIs(lang);
}

bool ReadsSourceAsIs(absl::string_view language) {
  return language == "assembler" || language == "cpp-output" || language == "c++-cpp-output";
}

bool AsciiSuperset(absl::string_view charset) {
  const std::string name = absl::AsciiStrToLower(charset);
  for (absl::string_view exact : {"utf-8", "utf8", "ascii", "us-ascii", "ansi_x3.4-1968"}) {
    if (name == exact) return true;
  }
  for (absl::string_view family : {"iso-8859", "iso8859", "latin", "cp125", "windows-125"}) {
    if (absl::StartsWith(name, family)) return true;
  }
  return false;
}

}  // namespace ddcc
