#include "launcher/expanded_time.h"

#include <time.h>

#include <algorithm>
#include <array>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace ddcc {
namespace {

bool IsMonth(absl::string_view s) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (const char* month : kMonths) {
    if (absl::StartsWith(s, month)) return true;
  }
  return false;
}

bool Digits(absl::string_view s, size_t at, size_t count) {
  if (at + count > s.size()) return false;
  for (size_t i = at; i < at + count; ++i) {
    if (!absl::ascii_isdigit(s[i])) return false;
  }
  return true;
}

// "hh:mm:ss" at `at`.
bool IsTime(absl::string_view s, size_t at) {
  return Digits(s, at, 2) && at + 8 <= s.size() && s[at + 2] == ':' && Digits(s, at + 3, 2) &&
         s[at + 5] == ':' && Digits(s, at + 6, 2);
}

}  // namespace

// The characters a time's or a date's expansion may be found at: a time's first ':' and a
// month's first letter.
constexpr std::array<bool, 256> kTimeOrMonthStarts = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : {':', 'J', 'F', 'M', 'A', 'S', 'O', 'N', 'D'}) table[c] = true;
  return table;
}();

ExpandedTime FindExpandedTime(absl::string_view text) {
  ExpandedTime found;
  for (size_t i = 0; i + 8 <= text.size(); ++i) {
    const char c = text[i];
    if (!kTimeOrMonthStarts[static_cast<unsigned char>(c)]) continue;
    if (c == ':' && i >= 2 && IsTime(text, i - 2)) {
      found.time = true;
    } else if (i + 11 <= text.size() && text[i + 3] == ' ' && absl::ascii_isupper(c) &&
               absl::ascii_isdigit(text[i + 5]) && text[i + 6] == ' ' &&
               (text[i + 4] == ' ' || absl::ascii_isdigit(text[i + 4])) &&
               IsMonth(text.substr(i))) {
      if (Digits(text, i + 7, 4)) found.date = true;    // __DATE__
      if (IsTime(text, i + 7)) found.timestamp = true;  // __TIMESTAMP__
    }
  }
  return found;
}

namespace {

// A time as the macros expand it, quoted: `format` is a strftime format.
std::string Expansion(int64_t ns, const char* format) {
  time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  struct tm local;
  localtime_r(&seconds, &local);
  char buffer[32];
  size_t size = strftime(buffer, sizeof(buffer), format, &local);
  return std::string(buffer, size);
}

}  // namespace

bool HoldsClockOfItsRun(absl::string_view text, int64_t from_ns, int64_t to_ns,
                        int64_t compile_end_ns) {
  for (int64_t ns = from_ns; ns < to_ns + 1'000'000'000; ns += 1'000'000'000) {
    if (absl::StrContains(text, Expansion(std::min(ns, to_ns), "\"%H:%M:%S\""))) return true;
  }
  std::string date = DateMacroExpansion(from_ns);
  return date != DateMacroExpansion(compile_end_ns) && absl::StrContains(text, date);
}

// __DATE__ pads the day with a space.
std::string DateMacroExpansion(int64_t ns) { return Expansion(ns, "\"%b %e %Y\""); }

}  // namespace ddcc
