#include "launcher/source_language.h"

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

}  // namespace ddcc
