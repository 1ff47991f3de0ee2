#include "launcher/passed_options.h"

#include <algorithm>
#include <iterator>

#include "absl/strings/match.h"

namespace ddcc {

PassedOptions AssemblerOptions(const std::vector<absl::string_view>& pieces) {
  PassedOptions passed;
  absl::string_view before;
  for (absl::string_view p : pieces) {
    // A word that is no option's value is another input file to the assembler.
    const bool takes_value =
        before == "-I" || before == "--defsym" || before == "--debug-prefix-map";
    before = p;
    if (!absl::StartsWith(p, "-") && !takes_value) passed.cacheable = false;
    // Listings (-a..., --a=file), dependency files (--MD, or --M as gas takes abbreviations),
    // another output (-o), response files (@), timings (--statistics).
    if ((absl::StartsWith(p, "-a") || absl::StartsWith(p, "--a") || absl::StartsWith(p, "--M") ||
         absl::StartsWith(p, "-MD") || absl::StartsWith(p, "-o") || absl::StartsWith(p, "@") ||
         (p.size() > 3 &&
          (absl::StartsWith("--statistics", p) || absl::StartsWith("-statistics", p))))) {
      passed.cacheable = false;
    }
    // The assembler's own debug info (-g, --gdwarf-5, --gen-debug) names the directory.
    if (absl::StartsWith(p, "-g") || absl::StartsWith(p, "--g")) passed.debug_info = true;
  }
  return passed;
}

PassedOptions Cc1Option(absl::string_view value) {
  // The colour flags colour cc1's messages alone (the driver's follow its stderr): keyed.
  static constexpr absl::string_view kKeyed[] = {"-fno-pch-timestamp", "-disable-O0-optnone",
                                                 "-fcolor-diagnostics", "-fno-color-diagnostics"};
  PassedOptions passed;
  if (absl::StartsWith(value, "-debug-info-kind=")) {
    passed.debug_info = true;
  } else if (value == "-fdebug-compilation-dir") {
    passed.value_follows = true;
  } else {
    passed.cacheable = std::find(std::begin(kKeyed), std::end(kKeyed), value) != std::end(kKeyed) ||
                       absl::StartsWith(value, "-fdebug-compilation-dir=");
  }
  return passed;
}

}  // namespace ddcc
