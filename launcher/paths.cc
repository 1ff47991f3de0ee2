#include "launcher/paths.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"

namespace ddcc {
namespace {

// A byte no argument or path can hold: a key form never equals a path the user wrote.
constexpr absl::string_view kRelativeMark = absl::string_view("\0", 1);

// What ends a path written in a file: a string's or an #include <...>'s end, a space, a comment's
// end, a message's ":line".
constexpr char kPathEndChars[] = "\"'<> \t\n\r\f\v\\:;,()*\0";
constexpr absl::string_view kPathEnds(kPathEndChars, sizeof(kPathEndChars) - 1);  // with the \0

// Options whose joined value is a path (their separate values are absolute paths themselves).
constexpr absl::string_view kPathOptions[] = {"-I",
                                              "-iquote",
                                              "-isystem",
                                              "-idirafter",
                                              "-include",
                                              "-imacros",
                                              "-iprefix",
                                              "-iwithprefix",
                                              "-iwithprefixbefore",
                                              "-cxx-isystem",
                                              "-isystem-after",
                                              "-F",
                                              "-iframework",
                                              "-iframeworkwithsysroot"};
constexpr absl::string_view kPrefixMaps[] = {
    "-fdebug-prefix-map=", "-ffile-prefix-map=", "-fmacro-prefix-map="};
// Of those, the maps that apply to debug info.
constexpr absl::string_view kDebugPrefixMaps[] = {"-fdebug-prefix-map=", "-ffile-prefix-map="};
constexpr absl::string_view kMacroPrefixMaps[] = {"-fmacro-prefix-map=", "-ffile-prefix-map="};

absl::string_view StripTrailingSlashes(absl::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

// The components of an absolute path without its trailing slashes; empty when it is not
// spelled plainly (".", "..", "//" inside), as a relative form must say exactly what it says.
std::vector<absl::string_view> PlainComponents(absl::string_view path) {
  path = StripTrailingSlashes(path);
  std::vector<absl::string_view> parts;
  if (!absl::ConsumePrefix(&path, "/") || path.empty()) return parts;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part.empty() || part == "." || part == "..") return {};
    parts.push_back(part);
  }
  return parts;
}

bool IsBelow(absl::string_view path, absl::string_view dir) {
  if (dir == "/") return absl::StartsWith(path, "/");
  return absl::StartsWith(path, dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// OLD of a -f...-prefix-map=OLD=NEW argument among `maps`; empty when `arg` is none of them.
absl::string_view MapOld(absl::string_view arg, absl::Span<const absl::string_view> maps) {
  for (absl::string_view map : maps) {
    if (absl::ConsumePrefix(&arg, map)) return arg.substr(0, arg.find('='));
  }
  return {};
}

bool IsIdentifierChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }

// Whether the raw string's delimiter and opening parenthesis may follow `at`, just past R":
// up to 16 characters other than spaces, parentheses and backslashes, then '('.
bool OpensRawString(absl::string_view text, size_t at) {
  for (size_t i = at; i < text.size() && i <= at + 16; ++i) {
    if (text[i] == '(') return true;
    if (text[i] == ')' || text[i] == '\\' || absl::ascii_isspace(text[i])) return false;
  }
  return false;
}

// Whether a raw string literal in `text` may hold a line that starts with '#', which would read
// as a line marker or a directive: R"delimiter( after a non-identifier character or after an
// encoding prefix (u8R", LR"), up to its )delimiter". Erring towards yes costs only sharing.
bool RawStringHoldsHashLine(absl::string_view text) {
  for (size_t at = text.find("R\""); at != absl::string_view::npos; at = text.find("R\"", at + 1)) {
    char before = at == 0 ? ' ' : text[at - 1];
    if ((IsIdentifierChar(before) && before != 'L' && before != 'u' && before != 'U' &&
         before != '8') ||
        !OpensRawString(text, at + 2)) {
      continue;
    }
    const size_t open = text.find('(', at + 2);
    const std::string close = absl::StrCat(")", text.substr(at + 2, open - at - 2), "\"");
    const size_t end = text.find(close, open + 1);
    if (end == absl::string_view::npos) return true;
    const absl::string_view body = text.substr(open + 1, end - open - 1);
    for (size_t line = body.find('\n'); line != absl::string_view::npos;
         line = body.find('\n', line + 1)) {
      const size_t first = body.find_first_not_of(" \t", line + 1);
      if (first != absl::string_view::npos && body[first] == '#') return true;
    }
    // Not past the body: what looked like an opener may lie in an ordinary literal or a
    // comment, and its body hide a real one's.
  }
  return false;
}

}  // namespace

bool PathRewriter::BelowBase(absl::string_view path) const {
  for (const std::string& base : base_dirs_) {
    if (IsBelow(path, base)) return true;
  }
  return false;
}

std::vector<std::string> PathRewriter::PlainParts(absl::string_view path) {
  std::vector<absl::string_view> parts = PlainComponents(path);
  return std::vector<std::string>(parts.begin(), parts.end());
}

std::string PathRewriter::Relative(absl::string_view path) const {
  const std::vector<std::string>& cwd = cwd_parts_;
  absl::string_view stripped = StripTrailingSlashes(path);
  if (!absl::StartsWith(stripped, "/") || stripped == "/" || (cwd.empty() && cwd_ != "/") ||
      !BelowBase(path)) {
    return std::string(path);
  }
  // Components as written: "." and ".." stay after the part shared with the working directory,
  // which getcwd() spells without symlinks, so from there they lead where they led before.
  std::vector<absl::string_view> parts = absl::StrSplit(stripped.substr(1), '/');
  size_t common = 0;
  while (common < parts.size() && common < cwd.size() && parts[common] == cwd[common]) ++common;
  std::vector<absl::string_view> relative(cwd.size() - common, "..");
  const bool plain = std::all_of(parts.begin() + common, parts.end(), [](absl::string_view part) {
    return !part.empty() && part != "." && part != "..";
  });
  // A "." between the way up and the rest marks a rest that is not plain, so that "../../lib"
  // (two up) and ".././../lib" (one up, then "../lib" as written) stay two forms.
  if (!plain) relative.push_back(".");
  relative.insert(relative.end(), parts.begin() + common, parts.end());
  std::string out = relative.empty() ? "." : absl::StrJoin(relative, "/");
  absl::StrAppend(&out, path.substr(stripped.size()));
  // Only a form that gives the path back exactly, so that two paths never share one (a plain
  // rest always does).
  if (!plain && AbsoluteFrom(cwd_, out) != path) return std::string(path);
  return out;
}

std::string PathRewriter::KeyForm(absl::string_view path) const {
  std::string relative = Relative(path);
  if (relative == path) return relative;
  return absl::StrCat(kRelativeMark, relative);
}

absl::string_view PathRewriter::FileIn(absl::string_view arg) const {
  if (absl::StartsWith(arg, "/")) return arg;
  for (absl::string_view option : kPathOptions) {
    if (absl::StartsWith(arg, option) && arg.size() > option.size() && arg[option.size()] == '/') {
      return arg.substr(option.size());
    }
  }
  return {};
}

std::string PathRewriter::KeyArgument(absl::string_view arg, bool preprocessing) const {
  absl::string_view path = MapOld(arg, kPrefixMaps);
  if (path.empty() && preprocessing) path = FileIn(arg);
  if (path.empty() || !active()) return std::string(arg);
  size_t at = path.data() - arg.data();
  return absl::StrCat(arg.substr(0, at), KeyForm(path), arg.substr(at + path.size()));
}

bool PathRewriter::SameInMappedDebugInfo(absl::string_view path) const {
  const bool plain = !PlainComponents(path).empty();
  if (plain && IsBelow(StripTrailingSlashes(path), cwd_)) return true;
  std::optional<std::vector<std::string>> rests = MappedRests(args_, path);
  if (!rests) return false;
  if (rests->empty()) return !absl::StartsWith(path, cwd_) && !BelowBase(path);
  for (const std::string& rest : *rests) {
    absl::string_view old = path.substr(0, path.size() - rest.size());
    if (!plain || old.empty() || BelowBase(old) != BelowBase(path)) return false;
  }
  return true;
}

bool PathRewriter::NamedAsWrittenInDebugInfo(absl::string_view path) const {
  if (!absl::StartsWith(path, "/") || !BelowBase(path) || absl::StartsWith(path, cwd_) ||
      absl::StartsWith(path, compiler_cwd_)) {
    return false;
  }
  std::optional<std::vector<std::string>> rests = MappedRests(args_, path);
  return rests && rests->empty();
}

bool PathRewriter::SameInMappedMacros(absl::string_view path) const {
  std::optional<std::vector<std::string>> rests = MappedRests(args_, path, /*macro_maps=*/true);
  if (!rests || rests->empty() || PlainComponents(path).empty()) return false;
  for (const std::string& rest : *rests) {
    absl::string_view old = path.substr(0, path.size() - rest.size());
    if (old.empty() || !BelowBase(old)) return false;
  }
  return true;
}

bool PathRewriter::MacroMapSplitsName(absl::string_view path) const {
  for (const std::string& arg : args_) {
    const absl::string_view old = MapOld(arg, kMacroPrefixMaps);
    if (old.empty() || old.size() >= path.size() || !absl::StartsWith(path, old)) continue;
    if (path[old.size()] != '/' && !absl::EndsWith(old, "/")) return true;
  }
  return false;
}

bool PathRewriter::NamesBaseDir(absl::string_view text) const {
  for (const std::string& base : base_dirs_) {
    if (absl::StrContains(text, base)) return true;
  }
  return false;
}

// The working directory or one above it (stdio.h's P_tmpdir "/tmp" with /tmp a base directory):
// its relative form says only how deep the working directory lies, so rewritten, the same
// bytes in two trees would key apart; as written, they key alike and mean the same.
bool PathRewriter::AtOrAboveCwd(absl::string_view path) const {
  const std::string relative = Relative(path);
  std::vector<absl::string_view> parts = absl::StrSplit(relative, '/', absl::SkipEmpty());
  return !absl::StartsWith(relative, "/") &&
         std::all_of(parts.begin(), parts.end(),
                     [](absl::string_view part) { return part == ".." || part == "."; });
}

Digest PathRewriter::ContentKey(absl::string_view content, bool* rewrote) const {
  // A raw string's line may look like what -dI writes, which the keyed text leaves out.
  if (RawStringHoldsHashLine(content)) {
    *rewrote = false;
    Hasher hasher;
    hasher.Update(content);
    return hasher.Finish();
  }
  // Where a base directory's name first starts at or after `from`.
  auto next = [&](size_t from) {
    size_t first = absl::string_view::npos;
    for (const std::string& base : base_dirs_) first = std::min(first, content.find(base, from));
    return first;
  };
  Hasher hasher;
  *rewrote = false;
  size_t copied = 0;  // of `content`, into the digest
  for (size_t at = next(0); at != absl::string_view::npos;) {
    // Up to what ends a path in a string, an #include <...>, a comment or a message.
    size_t end = std::min(content.find_first_of(kPathEnds, at), content.size());
    absl::string_view path = content.substr(at, end - at);
    if (!BelowBase(path) || AtOrAboveCwd(path)) {
      at = next(at + 1);
      continue;
    }
    if (!*rewrote) hasher.Field("content with paths below a base directory in key form");
    *rewrote = true;
    hasher.Field(content.substr(copied, at - copied));
    hasher.Field(KeyForm(path));
    hasher.Field(path.size());
    copied = end;
    at = next(end);
  }
  if (!*rewrote) {
    hasher.Update(content);
  } else {
    hasher.Field(content.substr(copied));
  }
  return hasher.Finish();
}

std::string AbsoluteFrom(absl::string_view cwd, absl::string_view relative) {
  std::vector<absl::string_view> parts = absl::StrSplit(cwd, '/', absl::SkipEmpty());
  // Each "../" goes up, but the slashes of the last one may be the path's trailing ones.
  while (relative == ".." || absl::StartsWith(relative, "../")) {
    if (!parts.empty()) parts.pop_back();
    bool more = relative.find_first_not_of('/', 2) != absl::string_view::npos;
    relative.remove_prefix(more ? 3 : 2);
    if (!more) break;
  }
  std::string out = absl::StrCat("/", absl::StrJoin(parts, "/"));
  if (relative == "." || relative.find_first_not_of('/') == absl::string_view::npos) {
    return relative == "." ? out : absl::StrCat(out, relative);
  }
  absl::ConsumePrefix(&relative, "./");  // the mark of a rest as written
  if (!parts.empty()) out.push_back('/');
  absl::StrAppend(&out, relative);
  return out;
}

std::string CompilerWorkingDirectory(const std::string& cwd, const EnvLookup& env) {
  const char* pwd = env("PWD");
  struct stat named, dot;
  if (pwd == nullptr || pwd[0] != '/' || stat(pwd, &named) != 0 || stat(".", &dot) != 0 ||
      named.st_dev != dot.st_dev || named.st_ino != dot.st_ino) {
    return cwd;
  }
  return pwd;
}

std::optional<std::vector<std::string>> MappedRests(const std::vector<std::string>& args,
                                                    absl::string_view path, bool macro_maps) {
  const absl::Span<const absl::string_view> maps =
      macro_maps ? absl::Span<const absl::string_view>(kMacroPrefixMaps) : kDebugPrefixMaps;
  std::vector<std::string> rests;
  for (const std::string& arg : args) {
    // An empty OLD is a map too, of every path.
    const bool map = std::any_of(maps.begin(), maps.end(), [&arg](absl::string_view each) {
      return absl::StartsWith(arg, each);
    });
    absl::string_view old = MapOld(arg, maps);
    if (!map || !absl::StartsWith(path, old)) continue;
    absl::string_view rest = path.substr(old.size());
    if (!rest.empty() && rest[0] != '/' && !absl::EndsWith(old, "/")) return std::nullopt;
    rests.emplace_back(rest);
  }
  return rests;
}

std::string Readable(absl::string_view key_text) {
  return absl::StrReplaceAll(key_text, {{kRelativeMark, "$CWD/"}});
}

MarkedText RewriteLineMarkers(const PathRewriter& paths, absl::string_view text) {
  MarkedText out;
  out.text.reserve(text.size());
  const bool asks_position = absl::StrContains(text, "__builtin_FILE") ||
                             absl::StrContains(text, "__builtin_source_location");
  out.raw_string_marker = RawStringHoldsHashLine(text);
  // Markers are the lines that start with '#' and a number: copy the text between them whole.
  const std::string_view view(text.data(), text.size());  // libstdc++'s find is faster
  size_t copied = 0;
  for (size_t at = view.find('#'); at != std::string_view::npos; at = view.find('#', at + 1)) {
    if (at > 0 && text[at - 1] != '\n') continue;
    const size_t line_end = std::min(text.find('\n', at), text.size());
    const absl::string_view line = text.substr(at, line_end - at);
    absl::string_view rest = line;
    if (!absl::ConsumePrefix(&rest, "# ") || rest.empty() || !absl::ascii_isdigit(rest[0])) {
      continue;
    }
    const size_t name_at = line.find(" \"");
    if (name_at == absl::string_view::npos) continue;
    const size_t name_end = line.find('"', name_at + 2);
    // Escaped names (a backslash) are left alone: their text is not the path.
    if (name_end == absl::string_view::npos ||
        line.substr(name_at, name_end - name_at).find('\\') != absl::string_view::npos) {
      continue;
    }
    absl::string_view name = line.substr(name_at + 2, name_end - name_at - 2);
    if (absl::StartsWith(name, "/") && !paths.SameInMappedDebugInfo(name)) {
      out.same_in_mapped_debug = false;
      if (!out.unmapped_in_debug.contains(name)) out.unmapped_in_debug.emplace(name);
    }
    out.macro_map_splits_name |= paths.MacroMapSplitsName(name);
    std::string key_form = paths.KeyForm(name);
    if (key_form == name) continue;
    // gcc's marker of the working directory (-g: "/src/build//") names no file a position or
    // the sanitizers' data could hold; debug info's use of it is SameInMappedDebugInfo's. A
    // #line's "/src/gen//" does.
    if (name != absl::StrCat(paths.compiler_cwd(), "//") &&
        name != absl::StrCat(paths.cwd(), "//")) {
      out.changed = true;
      if (asks_position) {
        const bool mapped = paths.SameInMappedMacros(name);
        out.names_position |= !mapped;
        out.position_mapped |= mapped;
      }
    }
    absl::StrAppend(&out.text, text.substr(copied, at + name_at + 2 - copied), key_form);
    copied = at + name_end;
  }
  out.text.append(text.data() + copied, text.size() - copied);
  return out;
}

}  // namespace ddcc
