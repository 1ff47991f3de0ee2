#include "launcher/debug_dir.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache/util/bytes.h"

namespace ddcc {
namespace {

// Options after which the directory's name may be in the object in another form than its own
// (compressed, hashed, packed into bitcode), or may have been matched against a prefix map.
constexpr absl::string_view kUnmovableOptions[] = {
    "-gz",  // also -gz=zlib
    "-gsplit-dwarf",
    "-fdebug-types-section",
    "-flto",
    "-fembed-bitcode",
    "-emit-llvm",
    "-fno-integrated-as",
    "-no-integrated-as",
    "-Wa,",
    "-mllvm",
    "-fdebug-prefix-map=",
    "-ffile-prefix-map=",
    "-fmacro-prefix-map=",
    "-fdebug-compilation-dir",
    "-ffile-compilation-dir",
};

constexpr uint64_t kCompressedSection = 0x800;  // SHF_COMPRESSED

// The sections where clang writes its working directory's name (DW_AT_comp_dir, the line
// table's directories), in DWARF 4 and 5. Anywhere else the name may be the program's own data,
// spelled another way in the source (adjacent literals, escapes, an array of characters).
constexpr absl::string_view kDirectorySections[] = {".debug_str", ".debug_line_str", ".debug_line"};

struct Section {
  absl::string_view name;
  uint64_t offset = 0;
  uint64_t size = 0;
};

// The sections of an ELF64 little-endian file none of whose sections is compressed, in the gABI
// way (SHF_COMPRESSED) or GNU's (.zdebug_*); nullopt for any other file.
std::optional<std::vector<Section>> UncompressedSections(absl::string_view object) {
  if (object.size() < 64 || !absl::StartsWith(object,
                                              "\x7f"
                                              "ELF\x02\x01")) {
    return std::nullopt;
  }
  const uint64_t table = IntegerAt(object, 0x28, 8);
  const uint64_t entry_size = IntegerAt(object, 0x3a, 2);
  const uint64_t count = IntegerAt(object, 0x3c, 2);
  const uint64_t names_index = IntegerAt(object, 0x3e, 2);
  if (entry_size < 64 || count == 0 || names_index >= count || table > object.size() ||
      (object.size() - table) / entry_size < count) {
    return std::nullopt;
  }
  const absl::string_view names_header = object.substr(table + names_index * entry_size, 64);
  const uint64_t names_at = IntegerAt(names_header, 0x18, 8);
  const uint64_t names_size = IntegerAt(names_header, 0x20, 8);
  if (names_at > object.size() || object.size() - names_at < names_size) return std::nullopt;
  const absl::string_view names = object.substr(names_at, names_size);
  std::vector<Section> sections;
  for (uint64_t i = 0; i < count; ++i) {
    const absl::string_view header = object.substr(table + i * entry_size, 64);
    const uint64_t name_at = IntegerAt(header, 0, 4);
    if ((IntegerAt(header, 0x08, 8) & kCompressedSection) != 0 || name_at > names.size()) {
      return std::nullopt;
    }
    absl::string_view name = names.substr(name_at);
    name = name.substr(0, name.find('\0'));
    if (absl::StartsWith(name, ".zdebug")) return std::nullopt;
    sections.push_back({name, IntegerAt(header, 0x18, 8), IntegerAt(header, 0x20, 8)});
  }
  return sections;
}

// Whether [at, at + size) is a whole string, NUL-terminated, inside a section where clang names
// its working directory: clang writes the name alone (DW_AT_comp_dir, the line table's first
// directory), naming other files relative to it; a longer string holding it is the program's.
bool WholeStringInDirectorySection(const std::vector<Section>& sections, absl::string_view object,
                                   uint64_t at, uint64_t size) {
  for (const Section& section : sections) {
    if (std::find(std::begin(kDirectorySections), std::end(kDirectorySections), section.name) ==
        std::end(kDirectorySections)) {
      continue;
    }
    if (at >= section.offset && at - section.offset <= section.size &&
        section.size - (at - section.offset) > size) {
      return (at == section.offset || object[at - 1] == '\0') && object[at + size] == '\0';
    }
  }
  return false;
}

}  // namespace

bool MayMoveDebugDirectory(Family family, absl::string_view compiler_path,
                           const std::vector<std::string>& args, absl::string_view cwd,
                           const EnvLookup& env) {
  // CCC_OVERRIDE_OPTIONS may add any option; the key holds it, but not what it would match.
  if (family != Family::kClang || cwd.size() < 2 || env("CCC_OVERRIDE_OPTIONS") != nullptr) {
    return false;
  }
  if (absl::StrContains(compiler_path, cwd)) return false;
  for (absl::string_view arg : args) {
    if (absl::StrContains(arg, cwd)) return false;
    for (absl::string_view option : kUnmovableOptions) {
      if (absl::StartsWith(arg, option)) return false;
    }
  }
  return true;
}

bool SharesPartOfDirectory(absl::string_view file, absl::string_view cwd) {
  if (!absl::StartsWith(file, "/")) return false;  // named from the working directory
  std::vector<absl::string_view> file_names = absl::StrSplit(file, '/', absl::SkipEmpty());
  std::vector<absl::string_view> cwd_names = absl::StrSplit(cwd, '/', absl::SkipEmpty());
  size_t shared = 0;
  while (shared < file_names.size() && shared < cwd_names.size() &&
         file_names[shared] == cwd_names[shared]) {
    ++shared;
  }
  return shared > 0 && shared < cwd_names.size();
}

absl::string_view FirstName(absl::string_view cwd) {
  absl::ConsumePrefix(&cwd, "/");
  return cwd.substr(0, cwd.find('/'));
}

bool WritesOwnDebugStrings(absl::string_view text) {
  if (absl::StrContains(text, "btf_decl_tag") || absl::StrContains(text, "btf_type_tag")) {
    return true;
  }
  auto name_char = [](char c) { return absl::ascii_isalnum(c) || c == '_'; };
  for (size_t at = text.find("asm"); at != absl::string_view::npos; at = text.find("asm", at + 1)) {
    // `asm`, `__asm` or `__asm__`, as a word.
    size_t start = at, end = at + 3;
    if (start >= 2 && text.substr(start - 2, 2) == "__") start -= 2;
    if (text.substr(end, 2) == "__") end += 2;
    if ((start > 0 && name_char(text[start - 1])) || (end < text.size() && name_char(text[end]))) {
      continue;
    }
    // Qualifiers (volatile, goto, inline) and blanks, then its parenthesis.
    size_t open = end;
    while (open < text.size() && (name_char(text[open]) || absl::ascii_isspace(text[open]))) {
      ++open;
    }
    if (open >= text.size() || text[open] != '(') continue;
    bool in_literal = false;
    for (size_t i = open + 1; i < text.size(); ++i) {
      const char c = text[i];
      if (!in_literal) {
        if (c == ')') break;
        in_literal = c == '"';
        continue;
      }
      if (c == '"') {
        in_literal = false;
      } else if (c == '/') {
        return true;
      } else if (c == '\\' && i + 1 < text.size()) {
        const char escaped = text[++i];
        if (escaped == 'x' || absl::ascii_isdigit(escaped)) return true;
      }
    }
  }
  return false;
}

absl::Status CheckMovableObject(absl::string_view object, absl::string_view cwd) {
  const std::optional<std::vector<Section>> sections = UncompressedSections(object);
  if (!sections) {
    return absl::FailedPreconditionError("the object is not an uncompressed ELF64 file");
  }
  size_t found = 0;
  for (size_t at = object.find(cwd); at != absl::string_view::npos;
       at = object.find(cwd, at + 1), ++found) {
    if (!WholeStringInDirectorySection(*sections, object, at, cwd.size())) {
      return absl::FailedPreconditionError(
          "the object names the directory other than as debug information's name of it");
    }
  }
  if (found == 0) return absl::FailedPreconditionError("the object does not name the directory");
  return absl::OkStatus();
}

absl::StatusOr<std::string> MoveObject(std::string object, absl::string_view from,
                                       absl::string_view to) {
  if (from.size() != to.size() || from.empty()) {
    return absl::DataLossError("the object was made in a directory of another length");
  }
  const std::string old_name(from), new_name(to);
  for (size_t at = object.find(old_name); at != std::string::npos;
       at = object.find(old_name, at + old_name.size())) {
    object.replace(at, old_name.size(), new_name);
  }
  return object;
}

}  // namespace ddcc
