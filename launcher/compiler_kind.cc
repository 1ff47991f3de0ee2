// The kinds of compiler ddcc caches, and which compilers each takes. A new kind is a CachedCall
// (launcher/stages.h) and a line here.
#include "launcher/pipeline.h"
#include "launcher/rustc_pipeline.h"
#include "launcher/stages.h"

namespace ddcc {

ParsedCall ParseCall(const CallContext& context) {
  if (context.compiler.family) return ParseCFamilyCall(context);
  if (context.compiler.rustc) return ParseRustcCall(context);
  return NotCacheable{Uncacheable::kUnsupportedCompiler, context.compiler.path};
}

}  // namespace ddcc
