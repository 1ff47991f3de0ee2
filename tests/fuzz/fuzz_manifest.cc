// Fuzzes the direct-mode manifest decoder (cache/store/manifest.h). An input that decodes must
// encode to a manifest that decodes to the same include sets. Match() is not called: it reads the
// files a manifest names.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "cache/store/manifest.h"

namespace {

bool SameSets(const std::vector<ddcc::IncludeSet>& a, const std::vector<ddcc::IncludeSet>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].files != b[i].files || a[i].absences != b[i].absences || a[i].result != b[i].result) {
      return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view bytes(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<ddcc::Manifest> manifest = ddcc::Manifest::Decode(bytes);
  if (!manifest.ok()) {
    if (!absl::IsDataLoss(manifest.status())) abort();
    return 0;
  }
  absl::StatusOr<ddcc::Manifest> again = ddcc::Manifest::Decode(manifest->Encode());
  if (!again.ok() || !SameSets(again->sets(), manifest->sets())) abort();
  return 0;
}
