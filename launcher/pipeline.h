// A gcc or clang compile through the stages (launcher/stages.h): keyed by its command line and
// source, then by its preprocessed text (or, in depend mode, by the dependency file its compile
// writes); its include set recorded in a manifest under the command line's key.
#pragma once

#include "launcher/stages.h"

namespace ddcc {

// `context.compiler.family` is set.
ParsedCall ParseCFamilyCall(const CallContext& context);

}  // namespace ddcc
