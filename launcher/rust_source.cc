#include "launcher/rust_source.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "cache/util/files.h"

namespace ddcc {
namespace {

bool IsIdentifierChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80;
}

// The length of the UTF-8 character starting with byte `c`.
size_t Utf8Length(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0xf0) return 4;
  if (byte >= 0xe0) return 3;
  if (byte >= 0xc0) return 2;
  return 1;
}

// `source` with each comment and literal replaced by a space: what the lexer sees as code. With
// `keep_strings`, string literals ("...") stay as they are.
std::string Code(absl::string_view s, bool keep_strings = false) {
  std::string code;
  code.reserve(s.size());
  size_t i = 0;
  auto skip_to = [&](size_t end) {
    i = end < s.size() ? end : s.size();
    code += ' ';
  };
  while (i < s.size()) {
    const char c = s[i];
    const bool token_start = i == 0 || !IsIdentifierChar(s[i - 1]);
    if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      skip_to(s.find('\n', i));
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
      // Block comments nest.
      size_t depth = 0, j = i;
      while (j + 1 < s.size()) {
        if (s[j] == '/' && s[j + 1] == '*') {
          ++depth;
          j += 2;
        } else if (s[j] == '*' && s[j + 1] == '/') {
          j += 2;
          if (--depth == 0) break;
        } else {
          ++j;
        }
      }
      skip_to(depth == 0 ? j : s.size());
    } else if (c == '"') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != '"') j += s[j] == '\\' ? 2 : 1;
      if (keep_strings) absl::StrAppend(&code, s.substr(i, std::min(j + 1, s.size()) - i));
      skip_to(j + 1);
    } else if (token_start && (c == 'r' || (c == 'b' && i + 1 < s.size() && s[i + 1] == 'r'))) {
      // r"...", r#"..."#, br"...": no escapes; ends at a quote and as many #.
      size_t j = i + (c == 'b' ? 2 : 1), hashes = 0;
      while (j < s.size() && s[j] == '#') ++hashes, ++j;
      if (j < s.size() && s[j] == '"') {
        const std::string end = absl::StrCat("\"", std::string(hashes, '#'));
        size_t close = s.find(end, j + 1);
        skip_to(close == absl::string_view::npos ? s.size() : close + end.size());
      } else {
        code += c;  // an identifier, or r#ident
        ++i;
      }
    } else if (c == '\'') {
      // A character literal ('x', '\n', '\'', 'é'), else a lifetime or label ('a, 'outer:).
      if (i + 1 < s.size() && s[i + 1] == '\\') {
        size_t close = s.find('\'', i + 3);
        skip_to(close == absl::string_view::npos ? s.size() : close + 1);
      } else if (i + 1 < s.size()) {
        const size_t after = i + 1 + Utf8Length(s[i + 1]);
        if (after < s.size() && s[after] == '\'') {
          skip_to(after + 1);
        } else {
          code += c;
          ++i;
        }
      } else {
        ++i;
      }
    } else {
      code += c;
      ++i;
    }
  }
  return code;
}

// Crates a crate may name in `extern crate` without --extern: the toolchain's own.
constexpr absl::string_view kToolchainCrates[] = {"std",        "core", "alloc",
                                                  "proc_macro", "test", "self"};

// Whether `dir` holds a crate file rustc could take for `extern crate name`.
bool HoldsCrate(const std::string& dir, absl::string_view name) {
  absl::StatusOr<std::vector<std::string>> entries = ListDirectory(dir);
  if (!entries.ok()) return !absl::IsNotFound(entries.status());  // unknown: assume so
  const std::string prefix = absl::StrCat("lib", name);
  for (absl::string_view entry : *entries) {
    if (!absl::ConsumePrefix(&entry, prefix) || entry.empty()) continue;
    if ((entry[0] == '-' || entry[0] == '.') &&
        (absl::EndsWith(entry, ".rlib") || absl::EndsWith(entry, ".rmeta") ||
         absl::EndsWith(entry, ".so"))) {
      return true;
    }
  }
  return false;
}

// Whether `text` holds the word `crate` other than as a path's start (`crate::`, `$crate::`).
bool NamesCrateToken(absl::string_view text) {
  for (size_t at = text.find("crate"); at != absl::string_view::npos;
       at = text.find("crate", at + 1)) {
    if ((at > 0 && IsIdentifierChar(text[at - 1])) ||
        (at + 5 < text.size() && IsIdentifierChar(text[at + 5]))) {
      continue;
    }
    if (!absl::StartsWith(absl::StripLeadingAsciiWhitespace(text.substr(at + 5)), "::")) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> ExternCrateNames(absl::string_view source) {
  const std::string code = Code(source);
  absl::string_view text = code;
  std::vector<std::string> names;
  for (size_t at = text.find("extern"); at != absl::string_view::npos;
       at = text.find("extern", at + 1)) {
    if ((at > 0 && IsIdentifierChar(text[at - 1])) ||
        (at + 6 < text.size() && IsIdentifierChar(text[at + 6]))) {
      continue;
    }
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(at + 6));
    if (!absl::ConsumePrefix(&rest, "crate")) {
      // Else `extern` begins a function or a block (its ABI string is blanked); one that does
      // not is a token, which a macro may put together with a `crate` token after it:
      // `m!(extern, crate, foo)` (syn's `Token![extern]` has none).
      if (!absl::StartsWith(rest, "fn") && !absl::StartsWith(rest, "{") &&
          !absl::StartsWith(rest, "type") &&
          NamesCrateToken(rest.substr(0, rest.find_first_of(";\n")))) {
        names.push_back("$extern");
      }
      continue;
    }
    if (!rest.empty() && IsIdentifierChar(rest[0])) continue;
    rest = absl::StripLeadingAsciiWhitespace(rest);
    absl::ConsumePrefix(&rest, "r#");
    // A macro's `extern crate $name;` names a crate only where the macro is used.
    const size_t start = absl::ConsumePrefix(&rest, "$") ? 1 : 0;
    size_t end = 0;
    while (end < rest.size() && IsIdentifierChar(rest[end])) ++end;
    if (end > 0) names.push_back(absl::StrCat(start ? "$" : "", rest.substr(0, end)));
  }
  return names;
}

std::optional<std::string> CrateFoundBySearch(absl::string_view source,
                                              const RustcRequest& request) {
  for (const std::string& name : ExternCrateNames(source)) {
    const std::vector<std::string>& given = request.extern_names;
    bool known = std::find(given.begin(), given.end(), name) != given.end();
    for (absl::string_view crate : kToolchainCrates) known = known || name == crate;
    if (known) continue;
    if (absl::StartsWith(name, "$")) return name;
    for (const std::string& dir : request.crate_dirs) {
      if (HoldsCrate(dir, name)) return name;
    }
  }
  return std::nullopt;
}

absl::StatusOr<std::vector<std::string>> StaticLinkNames(absl::string_view source) {
  const std::string code = Code(source, /*keep_strings=*/true);
  absl::string_view text = code;
  std::vector<std::string> names;
  for (size_t at = text.find("link"); at != absl::string_view::npos;
       at = text.find("link", at + 1)) {
    if ((at > 0 && IsIdentifierChar(text[at - 1])) ||
        (at + 4 < text.size() && IsIdentifierChar(text[at + 4]))) {
      continue;
    }
    absl::string_view rest = absl::StripLeadingAsciiWhitespace(text.substr(at + 4));
    if (!absl::ConsumePrefix(&rest, "(")) continue;
    // The attribute's `key = value` pairs, up to its closing parenthesis.
    const size_t close = rest.find(')');
    if (close == absl::string_view::npos) continue;
    std::optional<absl::string_view> name, kind, modifiers;
    bool unread = false;
    for (absl::string_view pair : absl::StrSplit(rest.substr(0, close), ',')) {
      std::pair<absl::string_view, absl::string_view> kv =
          absl::StrSplit(pair, absl::MaxSplits('=', 1));
      const absl::string_view key = absl::StripAsciiWhitespace(kv.first);
      absl::string_view value = absl::StripAsciiWhitespace(kv.second);
      const bool literal = value.size() >= 2 && value.front() == '"' && value.back() == '"' &&
                           value.find('\\') == absl::string_view::npos;
      if (key == "modifiers" && literal) modifiers = value.substr(1, value.size() - 2);
      if (key != "name" && key != "kind") continue;
      if (!literal) {
        unread = true;
        continue;
      }
      (key == "name" ? name : kind) = value.substr(1, value.size() - 2);
    }
    if (!kind && !unread) continue;  // not an attribute, or a dynamic library's
    if (kind && *kind != "static") continue;
    if (modifiers && absl::StrContains(*modifiers, "-bundle")) continue;  // linked, not bundled
    // +verbatim: the file is named as is, not lib<name>.a.
    if (unread || !name || (modifiers && absl::StrContains(*modifiers, "verbatim"))) {
      return absl::FailedPreconditionError(
          absl::StrCat("a #[link] attribute ddcc cannot read: link(", rest.substr(0, close), ")"));
    }
    names.emplace_back(*name);
  }
  return names;
}

}  // namespace ddcc
