#include "launcher/blob_kind.h"

#include "absl/strings/str_cat.h"

namespace ddcc::blob {

std::string Describe(BlobKind kind, absl::string_view name) {
  absl::string_view what;
  switch (kind) {
    case kStdout:
    case kRelocatableStdout:
      what = "stdout";
      break;
    case kStderr:
    case kRelocatableStderr:
      what = "stderr";
      break;
    case kObject:
      what = "object";
      break;
    case kDepfile:
    case kPortableDepfile:
      what = "dependency file";
      break;
    case kBesideObject:
      what = "file beside the object:";
      break;
    case kCrateOutput:
    case kRelocatableCrateOutput:
      what = "output";
      break;
    default:
      what = "blob";  // what no message names
      break;
  }
  return name.empty() ? std::string(what) : absl::StrCat(what, " ", name);
}

}  // namespace ddcc::blob
