#include "launcher/args.h"

#include <sys/stat.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "cache/util/files.h"
#include "launcher/debug_option.h"
#include "launcher/depfile.h"
#include "launcher/options.h"
#include "launcher/passed_options.h"
#include "launcher/response_files.h"
#include "launcher/source_language.h"

namespace ddcc {
namespace {

// Stands in hashed_args for the source's position before an -x that follows it: such an -x
// does not apply to the source, and gcc warns about it.
constexpr absl::string_view kAfterInputMarker = "<ddcc:after-input>";

// Replaces the suffix (from the last dot of the file name, even a leading one) or appends
// `suffix`: what gcc's %b and %.d specs and clang's replace_extension give.
std::string ReplaceSuffix(absl::string_view path, absl::string_view suffix) {
  size_t name = path.size() - Basename(path).size();
  size_t dot = path.rfind('.');
  std::string out(
      path.substr(0, dot != absl::string_view::npos && dot >= name ? dot : path.size()));
  out.append(suffix.data(), suffix.size());
  return out;
}

// The files gcc and clang name after the object (.dwo, .gcno, .su, gcc's .gcda): clang
// replaces the suffix as ReplaceSuffix does; gcc does not take a leading dot for one (sub/.o
// gives sub/.o.dwo).
std::string AuxName(Family family, absl::string_view object, absl::string_view suffix) {
  absl::string_view name = Basename(object);
  if (family == Family::kGcc && name.rfind('.') == 0) return absl::StrCat(object, suffix);
  return ReplaceSuffix(object, suffix);
}

std::vector<absl::string_view> SplitCommas(absl::string_view s) {
  std::vector<absl::string_view> pieces;
  while (true) {
    size_t comma = s.find(',');
    pieces.push_back(s.substr(0, comma));
    if (comma == absl::string_view::npos) return pieces;
    s.remove_prefix(comma + 1);
  }
}

struct Input {
  std::string path;
  std::string language;     // from -x, empty for "by suffix"
  size_t preprocess_index;  // where it is in preprocess_args
};

class Parser {
 public:
  Parser(Family family, bool cxx_driver) : family_(family), cxx_driver_(cxx_driver) {}

  ParsedArgs Parse(const std::vector<std::string>& args);

 private:
  // Handles one option; `tokens` are its one or two arguments.
  void Option(const OptionSpec& spec, absl::string_view arg, absl::string_view value,
              std::initializer_list<absl::string_view> tokens);
  void Wp(absl::string_view arg, absl::string_view value,
          std::initializer_list<absl::string_view> tokens);
  void NamedSearchDirectory(absl::string_view option, absl::string_view value);
  // Where the value of the option being handled is, for an option naming an output.
  PathArg ValueArg(absl::string_view arg, absl::string_view value) const {
    return value_is_next_arg_ ? PathArg{arg_index_ + 1, 0}
                              : PathArg{arg_index_, arg.size() - value.size()};
  }
  void Passed(absl::string_view arg, const PassedOptions& passed);
  void Hashed(std::initializer_list<absl::string_view> tokens) {
    for (absl::string_view t : tokens) req_.hashed_args.emplace_back(t);
  }
  void Preprocessed(std::initializer_list<absl::string_view> tokens) {
    for (absl::string_view t : tokens) req_.preprocess_args.emplace_back(t);
  }
  void Unsupported(absl::string_view detail) {
    if (!unsupported_) unsupported_ = std::string(detail);
  }
  std::optional<NotCacheable> Check();
  void SetDependencies();
  // The object's name without -o: the source's base name with .o (with -S, which writes
  // assembly, still the dependency file's target).
  std::string DefaultObject() const { return ReplaceSuffix(Basename(req_.source), ".o"); }
  std::optional<NotCacheable> SetAuxOutputs();
  std::optional<NotCacheable> SetProfileInput();

  Family family_;
  bool cxx_driver_;  // g++, clang++, or --driver-mode=g++
  CompileRequest req_;
  std::vector<Input> inputs_;
  std::string language_;  // the last -x, "" after -x none
  bool compile_only_ = false;
  bool assemble_only_ = false;
  std::optional<std::string> preprocess_only_;
  std::optional<std::string> info_;
  std::optional<std::string> unsupported_;
  bool xclang_value_next_ = false;  // the next -Xclang gives the last one's value
  std::optional<std::string> output_;
  size_t arg_index_ = 0;  // of the option being handled
  bool value_is_next_arg_ = false;
  bool emit_llvm_ = false;
  std::vector<std::string> aux_options_;    // in order
  std::optional<std::string> profile_use_;  // the last -fprofile-use's value ("" without one)
  int arch_count_ = 0;
  std::vector<std::string> includes_;      // -include values
  std::vector<std::string> imacros_;       // -imacros values
  std::vector<std::string> include_dirs_;  // where -include looks
  // Search directories named otherwise (-iwithprefix, -Wp,-I, a sysroot's "="), as they resolve.
  std::vector<std::string> other_search_dirs_;
  std::string iprefix_;                   // the last -iprefix
  std::vector<std::string> sysroots_;     // --sysroot's and -isysroot's values
  std::vector<std::string> rooted_dirs_;  // search directories given as "=dir" or "$SYSROOT/dir"
  // Dependency options.
  bool dep_generate_ = false;                              // -MD or -MMD
  std::optional<std::string> wp_dep_file_;                 // -Wp,-MD,file
  std::optional<std::string> dep_file_;                    // the last -MF
  std::optional<std::string> dep_aux_;                     // the first -MF, -MT, -MQ or -MP
  std::vector<std::pair<std::string, bool>> dep_targets_;  // value, quoted (-MQ)
};

ParsedArgs Parser::Parse(const std::vector<std::string>& raw_args) {
  std::vector<std::string> args;
  std::string bad;
  if (!ExpandResponseFiles(raw_args, family_, &args, &bad)) {
    return NotCacheable{Uncacheable::kBadResponseFile, bad};
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      inputs_.push_back({arg, language_, req_.preprocess_args.size()});
      req_.preprocess_args.push_back(arg);
      continue;
    }
    if (NamesFiles(arg)) req_.names_files = true;
    if (arg == "-g3" || arg == "-ggdb3" || arg == "-fdebug-macro") req_.debug_macros = true;
    if (arg == "--driver-mode=g++" || arg == "--driver-mode=gcc") cxx_driver_ = arg.back() == '+';
    const OptionSpec* spec = FindOption(family_, arg);
    if (spec == nullptr) {
      if (absl::StartsWith(arg, "--")) Unsupported(arg);  // gcc accepts abbreviations of these
      Option({arg, OptArg::kNone, OptKind::kCompile, 0}, arg, "", {arg});
      continue;
    }
    bool separate = spec->arg == OptArg::kSeparate ||
                    (spec->arg == OptArg::kJoinedOrSeparate && arg == spec->name);
    arg_index_ = i;
    value_is_next_arg_ = separate;
    if (!separate) {
      Option(*spec, arg, absl::string_view(arg).substr(spec->name.size()), {arg});
    } else if (i + 1 < args.size()) {
      ++i;
      Option(*spec, arg, args[i], {arg, args[i]});
    } else {
      Unsupported(arg + " without its argument");
      Option(*spec, arg, "", {arg});
    }
  }
  if (std::optional<NotCacheable> no = Check()) return *no;
  SetDependencies();
  if (std::optional<NotCacheable> no = SetAuxOutputs()) return *no;
  if (std::optional<NotCacheable> no = SetProfileInput()) return *no;
  req_.expanded_args = std::move(args);
  return std::move(req_);
}

void Parser::Option(const OptionSpec& spec, absl::string_view arg, absl::string_view value,
                    std::initializer_list<absl::string_view> tokens) {
  using enum OptKind;
  switch (spec.kind) {
    case kCompile:
      if (spec.name == "--sysroot" || spec.name == "--sysroot=" || spec.name == "-isysroot") {
        sysroots_.emplace_back(value);
      }
      if (spec.name == "-finput-charset=" && !AsciiSuperset(value)) Unsupported(arg);
      if (spec.name == "-fopt-info" && absl::StrContains(value, '=')) Unsupported(arg);
      break;
    case kPreprocessor:
      if (spec.name == "-imacros") imacros_.emplace_back(value);
      NamedSearchDirectory(spec.name, value);
      Preprocessed(tokens);
      return;
    case kIncludeDir:
      include_dirs_.emplace_back(value);
      NamedSearchDirectory(spec.name, value);
      Preprocessed(tokens);
      return;
    case kInclude:
      includes_.emplace_back(value);
      Preprocessed(tokens);
      return;
    case kUnsupported:
      Unsupported(arg);
      break;
    case kInfo:
      if (!info_) info_ = std::string(arg);
      break;
    case kCompileOnly:
      compile_only_ = true;
      return;
    case kPreprocessOnly:
      if (!preprocess_only_) preprocess_only_ = std::string(arg);
      break;
    case kAssembleOnly:
      assemble_only_ = true;
      break;
    case kOutput:
      output_ = std::string(value);
      req_.object_arg = ValueArg(arg, value);
      return;
    case kLanguage:
      language_ = value == "none" ? "" : std::string(value);
      if (!inputs_.empty()) req_.hashed_args.emplace_back(kAfterInputMarker);
      break;
    case kDepGenerate:
      dep_generate_ = true;
      req_.dep_options.emplace_back(arg);
      return;
    case kDepFlag:
      if (!dep_aux_) dep_aux_ = std::string(arg);
      req_.dep_options.emplace_back(arg);
      return;
    case kDepFile:
      if (!dep_aux_) dep_aux_ = std::string(arg);
      dep_file_ = std::string(value);
      req_.dep_file_arg = ValueArg(arg, value);
      return;
    case kDepTarget:
    case kDepQuotedTarget:
      // gcc 12 crashes on -MQ '' (an internal compiler error), which a hit would not.
      if (value.empty()) Unsupported(arg);
      if (!dep_aux_) dep_aux_ = std::string(arg);
      dep_targets_.emplace_back(value, spec.kind == kDepQuotedTarget);
      return;
    case kExtraInput:
      req_.extra_input_files.emplace_back(value);
      break;
    case kMllvm: {
      // An LLVM option that names a file (-cgscc-inline-replay=, -sample-profile-file=) reads it;
      // one whose name says it reads or writes files (-info-output-file=, Polly's -polly-import
      // of ./*.jscop and -polly-dump-before, -attributor-dump-dep-graph) or prints timings does.
      for (absl::string_view piece : absl::StrSplit(value, absl::ByAnyChar("=,"))) {
        struct stat st;
        if (!piece.empty() && stat(std::string(piece).c_str(), &st) == 0) Unsupported(arg);
      }
      // By whole words of the name (`-unroll-runtime` is no `time`); a word may go on
      // (`remarks`, `filename`).
      constexpr absl::string_view kFileWords[] = {
          "file",  "output", "dump", "print", "export", "import", "view",  "show",
          "graph", "dot",    "dir",  "log",   "trace",  "time",   "stats", "remark",
          "save",  "emit",   "path", "jscop", "record", "replay"};
      const std::string name = absl::AsciiStrToLower(value.substr(0, value.find('=')));
      for (absl::string_view part : absl::StrSplit(name, absl::ByAnyChar("-_."))) {
        for (absl::string_view word : kFileWords) {
          if (absl::StartsWith(part, word)) Unsupported(arg);
        }
      }
      break;
    }
    case kXclang:
      // A value that belongs to the last -Xclang is that option's.
      if (!std::exchange(xclang_value_next_, false)) {
        PassedOptions passed = Cc1Option(value);
        xclang_value_next_ = passed.value_follows;
        Passed(arg, passed);
      }
      break;
    case kResourceDir:
      // The default lists of -fsanitize=, which a resource directory of the user's may change.
      for (const char* list : {"asan_ignorelist.txt", "hwasan_ignorelist.txt",
                               "msan_ignorelist.txt", "cfi_ignorelist.txt", "dfsan_abilist.txt"}) {
        req_.extra_input_files.push_back(absl::StrCat(value, "/share/", list));
      }
      break;
    case kDebug:
      ApplyDebugOption(value, &req_.debug_info);
      break;
    case kColor:
      req_.explicit_color = true;
      break;
    case kArch:
      ++arch_count_;
      break;
    case kAuxOutput:
      aux_options_.emplace_back(arg);
      break;
    case kEmitLlvm:
      emit_llvm_ = true;
      break;
    case kProfileUse:
      profile_use_ = std::string(value);
      break;
    case kWp:
      Wp(arg, value, tokens);
      return;
    case kWa:
      // -Xassembler passes its value whole, commas and all.
      Passed(arg, AssemblerOptions(absl::StartsWith(arg, "-Wa,")
                                       ? SplitCommas(value)
                                       : std::vector<absl::string_view>{value}));
      break;
  }
  Hashed(tokens);
  Preprocessed(tokens);
}

// -Wp,a,b passes a and b to the preprocessor, which for gcc is the compiler proper (cc1, as
// clang's is): only -D, -U and -I are known to affect nothing but preprocessing.
// -Xpreprocessor a passes a, commas and all.
void Parser::Wp(absl::string_view arg, absl::string_view value,
                std::initializer_list<absl::string_view> tokens) {
  const bool wp = absl::StartsWith(arg, "-Wp,");
  std::vector<absl::string_view> pieces =
      wp ? SplitCommas(value) : std::vector<absl::string_view>{value};
  if (!wp) {
    // Not another input, nor an option whose value the next -Xpreprocessor would give.
    const OptionSpec* spec = FindOption(family_, value);
    if (!absl::StartsWith(value, "-") ||
        (spec != nullptr && (spec->arg == OptArg::kSeparate ||
                             (spec->arg == OptArg::kJoinedOrSeparate && value == spec->name)))) {
      Unsupported(arg);
    }
  }
  if (wp && pieces.size() == 2 && (pieces[0] == "-MD" || pieces[0] == "-MMD")) {
    wp_dep_file_ = std::string(pieces[1]);
    req_.dep_file_arg = PathArg{arg_index_, arg.size() - pieces[1].size()};
    req_.dep_options.emplace_back(pieces[0]);
    return;
  }
  // Only preprocessing options: any other would reach cc1 alone, unseen by this reading of the
  // options (-g names the directory, -fstack-usage writes a file, -fprofile-use reads one), as
  // would -P, -M..., a response file (@file) or another input. OpenMP is known to need no more
  // than its key, and -Xpreprocessor leaves the option a word of its own, which the key's
  // readers of arguments (gcc's offloading) see. Search directories given this way are searched
  // as -I's are; files cc1 reads first are checked as -include's are.
  bool preprocessor_only = true;
  for (size_t i = 0; i < pieces.size(); ++i) {
    const absl::string_view piece = pieces[i];
    const OptionSpec* spec = FindOption(family_, piece);
    const bool preprocessing = spec != nullptr && (spec->kind == OptKind::kIncludeDir ||
                                                   spec->kind == OptKind::kPreprocessor ||
                                                   spec->kind == OptKind::kInclude);
    if (!preprocessing && (wp || (piece != "-fopenmp" && piece != "-fopenmp-simd"))) {
      Unsupported(arg);
    }
    if (piece.size() <= 2 || !(absl::StartsWith(piece, "-D") || absl::StartsWith(piece, "-U") ||
                               absl::StartsWith(piece, "-I"))) {
      preprocessor_only = false;
    }
    if (!preprocessing || spec->arg != OptArg::kJoinedOrSeparate) continue;
    absl::string_view named = piece.substr(spec->name.size());
    if (named.empty() && i + 1 < pieces.size()) named = pieces[++i];
    if (spec->kind == OptKind::kIncludeDir) other_search_dirs_.emplace_back(named);
    if (spec->kind == OptKind::kInclude) includes_.emplace_back(named);
    if (spec->name == "-imacros") imacros_.emplace_back(named);
    NamedSearchDirectory(spec->name, named);
  }
  if (!preprocessor_only) Hashed(tokens);
  Preprocessed(tokens);
}

// The search directories that -I and its kin name in ways their value alone does not say.
void Parser::NamedSearchDirectory(absl::string_view option, absl::string_view value) {
  if (option == "-iprefix") {
    iprefix_ = std::string(value);
  } else if (option == "-iwithprefix" || option == "-iwithprefixbefore") {
    other_search_dirs_.push_back(absl::StrCat(iprefix_, value));
  } else if (absl::StartsWith(value, "=") || absl::StartsWith(value, "$SYSROOT")) {
    rooted_dirs_.emplace_back(value.substr(value[0] == '=' ? 1 : 8));
  }
}

// What -Wa, -Xassembler and -Xclang pass on (passed_options.h).
void Parser::Passed(absl::string_view arg, const PassedOptions& passed) {
  if (!passed.cacheable) Unsupported(arg);
  req_.debug_info |= passed.debug_info;
}

// Decides whether the call is a cacheable compile. The order makes the most telling reason win:
// what the driver was asked to do first, then what stops it being cached.
std::optional<NotCacheable> Parser::Check() {
  using enum Uncacheable;
  if (inputs_.empty()) return NotCacheable{kNoInputFile, info_.value_or("")};
  if (preprocess_only_) return NotCacheable{kCalledForPreprocessing, *preprocess_only_};
  if (!compile_only_ && !assemble_only_) return NotCacheable{kCalledForLink, ""};
  if (info_) return NotCacheable{kUnsupportedOption, *info_};
  if (unsupported_) return NotCacheable{kUnsupportedOption, *unsupported_};
  for (const Input& input : inputs_) {
    if (input.path == "-") return NotCacheable{kUnsupportedOption, "stdin input"};
  }
  if (inputs_.size() > 1) return NotCacheable{kMultipleSources, inputs_[1].path};
  const Input& source = inputs_[0];
  absl::string_view lang = source.language.empty()
                               ? LanguageForSuffix(family_, cxx_driver_, source.path)
                               : source.language;
  if (!IsSupportedLanguage(lang)) {
    return NotCacheable{kUnsupportedLanguage,
                        source.language.empty() ? source.path : "-x " + source.language};
  }
  if (output_ == "-") return NotCacheable{kOutputToStdout, ""};
  if ((dep_file_ && *dep_file_ == "-") || (wp_dep_file_ && *wp_dep_file_ == "-")) {
    return NotCacheable{kOutputToStdout, "the dependency file"};
  }
  if (arch_count_ > 1) return NotCacheable{kUnsupportedOption, "more than one -arch"};
  if (emit_llvm_ && !output_) return NotCacheable{kUnsupportedOption, "-emit-llvm without -o"};
  if (dep_aux_ && !dep_generate_ && !wp_dep_file_) {
    // gcc fails; clang ignores them with a warning.
    return NotCacheable{kUnsupportedOption, *dep_aux_ + " without -MD or -MMD"};
  }
  if (wp_dep_file_ && (dep_generate_ || dep_file_)) {
    return NotCacheable{kUnsupportedOption, "-Wp,-MD with -MD, -MMD or -MF"};
  }
  // Nothing is preprocessed: gcc writes no dependency file, clang warns that -MD is unused.
  if (ReadsSourceAsIs(lang) && (dep_generate_ || wp_dep_file_)) {
    return NotCacheable{kUnsupportedOption, "a dependency file for a source read as it is"};
  }
  // -S stops before the assembler: an assembler source gives nothing.
  if (assemble_only_ && absl::StartsWith(lang, "assembler")) {
    return NotCacheable{kUnsupportedOption, "-S with an assembler source"};
  }
  req_.language = std::string(lang);
  req_.source = source.path;
  req_.source_index = source.preprocess_index;
  req_.forced_includes = includes_;
  req_.forced_includes.insert(req_.forced_includes.end(), imacros_.begin(), imacros_.end());
  req_.search_dirs = include_dirs_;
  req_.search_dirs.insert(req_.search_dirs.end(), other_search_dirs_.begin(),
                          other_search_dirs_.end());
  // Which sysroot a "=dir" is below depends on the compiler and on the option: each is checked.
  for (const std::string& dir : rooted_dirs_) {
    req_.search_dirs.push_back(dir);
    for (const std::string& root : sysroots_) req_.search_dirs.push_back(root + dir);
  }
  // -S (which wins over -c) writes assembly, named after the source by default.
  req_.object = output_          ? *output_
                : assemble_only_ ? ReplaceSuffix(Basename(source.path), ".s")
                                 : DefaultObject();
  return std::nullopt;
}

// gcc drops leading "./" from targets (mkdeps.cc, apply_vpath); clang keeps them.
std::string GccTarget(absl::string_view t) {
  while (t.size() >= 2 && t[0] == '.' && t[1] == '/') {
    t.remove_prefix(2);
    while (absl::StartsWith(t, "/")) t.remove_prefix(1);
  }
  return std::string(t);
}

// gcc and clang name these files after the object (AuxName).
std::optional<NotCacheable> Parser::SetAuxOutputs() {
  auto add = [&](absl::string_view suffix) {
    for (const auto& [known, path] : req_.aux_outputs) {
      if (known == suffix) return;
    }
    req_.aux_outputs.emplace_back(suffix, AuxName(family_, req_.object, suffix));
  };
  for (const std::string& option : aux_options_) {
    if (option == "--coverage" || option == "-ftest-coverage") add(".gcno");
    if (option == "-fstack-usage") add(".su");
    if (absl::StartsWith(option, "-gsplit-dwarf")) {
      // The assembler writes the .dwo, and -S stops before it.
      if (assemble_only_) return NotCacheable{Uncacheable::kUnsupportedOption, "-S with " + option};
      add(".dwo");
    }
    // The .gcda path (--coverage, -fprofile-arcs) and the .dwo name are written into the object.
    req_.object_names_itself = req_.object_names_itself || option != "-fstack-usage";
  }
  for (const std::string& arg : req_.hashed_args) {
    // gcc names these files (and a dependency file without -o) after -dumpbase or -dumpdir
    // instead, which ddcc does not follow.
    if ((!req_.aux_outputs.empty() || req_.generates_deps) && absl::StartsWith(arg, "-dump")) {
      return NotCacheable{Uncacheable::kUnsupportedOption,
                          absl::StrCat(arg, " with a file named after the object")};
    }
    // clang keeps the split debug information in the object, which names itself as its .dwo.
    if (arg == "-gsplit-dwarf=single") req_.object_names_itself = true;
  }
  return std::nullopt;
}

// gcc reads the .gcda named after the object, as the .gcno is; clang reads the file given, or
// default.profdata in the directory given or the working directory.
std::optional<NotCacheable> Parser::SetProfileInput() {
  if (!profile_use_) return std::nullopt;
  if (family_ == Family::kGcc) {
    for (const std::string& arg : req_.hashed_args) {
      if (absl::StartsWith(arg, "-dump")) {  // -dumpbase, -dumpdir: the .gcda is named otherwise
        return NotCacheable{Uncacheable::kUnsupportedOption, arg + " with -fprofile-use"};
      }
    }
    req_.extra_input_files.push_back(AuxName(family_, req_.object, ".gcda"));
    req_.reads_beside_object = true;
    return std::nullopt;
  }
  std::string path = profile_use_->empty() ? "default.profdata" : *profile_use_;
  struct stat st;
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) path += "/default.profdata";
  req_.extra_input_files.push_back(path);
  return std::nullopt;
}

void Parser::SetDependencies() {
  req_.generates_deps = dep_generate_ || wp_dep_file_;
  if (!req_.generates_deps) {
    req_.dep_options.clear();
    return;
  }
  req_.dep_file = wp_dep_file_ ? *wp_dep_file_
                  : dep_file_  ? *dep_file_
                               : ReplaceSuffix(req_.object, ".d");
  req_.explicit_dep_targets = !dep_targets_.empty();
  std::vector<std::string>& out = req_.dep_targets;
  if (family_ == Family::kClang) {
    // clang writes the targets in order; -Wp,-MD becomes -MD -MF, so the object is the default.
    for (const auto& [value, quoted] : dep_targets_) {
      out.push_back(quoted ? MakeQuote(value) : value);
    }
    if (out.empty()) out.push_back(MakeQuote(output_ ? req_.object : DefaultObject()));
    return;
  }
  // gcc's driver passes every -MQ, then every -MT, to cc1, which keeps the unquoted targets
  // first by swapping each with the lowest quoted one (mkdeps.cc, deps_add_target).
  size_t quote_lwm = 0;
  auto add = [&](std::string t, bool quoted) {
    t = GccTarget(t);
    if (quoted) t = MakeQuote(t);
    if (!quoted) {
      if (out.size() != quote_lwm) std::swap(t, out[quote_lwm]);
      ++quote_lwm;
    }
    out.push_back(std::move(t));
  };
  for (const auto& [value, quoted] : dep_targets_) {
    if (quoted) add(value, true);
  }
  for (const auto& [value, quoted] : dep_targets_) {
    if (!quoted) add(value, false);
  }
  if (!out.empty()) return;
  // The driver names the -o file as the target for -MD and -MMD; for -Wp,-MD, or -S without -o,
  // the source's base name with .o.
  add(output_ && !wp_dep_file_ ? req_.object : DefaultObject(), true);
}

}  // namespace

std::optional<NotCacheable> ForcedIncludeNotCacheable(const CompileRequest& request) {
  for (const std::string& include : request.forced_includes) {
    std::vector<std::string> candidates = {include};
    if (!absl::StartsWith(include, "/")) {
      for (const std::string& dir : request.search_dirs) candidates.push_back(dir + "/" + include);
    }
    for (const std::string& candidate : candidates) {
      struct stat st;
      if (stat((candidate + ".gch").c_str(), &st) == 0 ||
          stat((candidate + ".pch").c_str(), &st) == 0) {
        return NotCacheable{Uncacheable::kUnsupportedOption,
                            "-include " + include + " (precompiled)"};
      }
      if (stat(candidate.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
        return NotCacheable{Uncacheable::kNoInputFile, candidate + " is no regular file"};
      }
    }
  }
  return std::nullopt;
}

ParsedArgs ParseArgs(Family family, const std::vector<std::string>& args, bool cxx_driver) {
  return Parser(family, cxx_driver).Parse(args);
}

}  // namespace ddcc
