// What the preprocessed text shows of the clock: the expansions of __DATE__, __TIME__ and
// __TIMESTAMP__, however the macros were reached.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace ddcc {

// Whether preprocessed text holds what __DATE__ or __TIME__ expand to (a time "hh:mm:ss" or a
// date "Mmm dd yyyy"), and __TIMESTAMP__ ("Ddd Mmm dd hh:mm:ss yyyy"): however the macro was
// reached (token pasting, a macro naming it), its expansion is in the text.
struct ExpandedTime {
  bool date = false;  // __DATE__
  bool time = false;  // __TIME__
  bool timestamp = false;
};
ExpandedTime FindExpandedTime(absl::string_view preprocessed);

// Whether `text`, made by a preprocessor that ran within [from_ns, to_ns], holds what __TIME__
// expanded to then (local time), or what __DATE__ did when the date is another at `compile_end_ns`:
// the compile, which expands them anew, may then have written another time than the text shows.
// What __DATE__ expands to at `ns` (local time), quotes included: "Dec  3 2026".
std::string DateMacroExpansion(int64_t ns);

bool HoldsClockOfItsRun(absl::string_view text, int64_t from_ns, int64_t to_ns,
                        int64_t compile_end_ns);

}  // namespace ddcc
