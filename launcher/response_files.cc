#include "launcher/response_files.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cctype>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache/util/files.h"

namespace ddcc {
namespace {

// gcc has no nesting limit but fails on a cycle; this is far beyond any real build.
constexpr int kMaxResponseFileDepth = 32;

// A FIFO named as a response file is the compiler's to read: not opened (which would let its
// writer write into a pipe about to close), nor waited on.
absl::StatusOr<std::string> ReadResponseFile(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return ErrnoStatus("stat", path);
  if (!S_ISREG(st.st_mode)) return absl::FailedPreconditionError("not a regular file");
  ScopedFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus("open", path);
  return ReadRegular(fd.get(), path);
}

// What separates arguments in a response file: gcc's libiberty takes any isspace() character,
// clang's GNU tokenizer only space, tab, CR and LF (a form feed is part of an argument).
bool SeparatesArguments(char c, Family family) {
  if (family == Family::kClang) return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  return isspace(static_cast<unsigned char>(c)) != 0;
}

// Splits a response file as gcc (libiberty's buildargv) and clang (the GNU tokenizer) do:
// whitespace separates arguments, single and double quotes group, and a backslash takes the
// next character literally, inside quotes too. A backslash that ends the file is dropped by
// gcc, kept by clang; an argument of quotes alone ('') is an empty argument to gcc, none to
// clang.
std::vector<std::string> SplitResponseFile(absl::string_view text, Family family) {
  // gcc reads the file as a C string: a NUL ends it.
  if (family == Family::kGcc) text = text.substr(0, text.find('\0'));
  std::vector<std::string> args;
  size_t i = 0;
  while (true) {
    while (i < text.size() && SeparatesArguments(text[i], family)) ++i;
    if (i == text.size()) break;
    std::string arg;
    char quote = 0;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c == '\\' && i + 1 < text.size()) {
        arg += text[++i];
      } else if (c == '\\' && family == Family::kGcc) {
        continue;  // the last byte
      } else if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          arg += c;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (SeparatesArguments(c, family)) {
        break;
      } else {
        arg += c;
      }
    }
    if (!arg.empty() || family != Family::kClang) args.push_back(std::move(arg));
  }
  return args;
}

// Both gcc and clang resolve nested response files against the working directory, not the
// including file.
bool Expand(const std::vector<std::string>& in, Family family, int depth,
            std::vector<std::string>* out, std::string* bad) {
  for (const std::string& arg : in) {
    if (arg.size() < 2 || arg[0] != '@') {
      out->push_back(arg);
      continue;
    }
    absl::StatusOr<std::string> text;
    if (depth < kMaxResponseFileDepth) text = ReadResponseFile(arg.substr(1));
    if (depth >= kMaxResponseFileDepth || !text.ok() ||
        !Expand(SplitResponseFile(*text, family), family, depth + 1, out, bad)) {
      if (bad->empty()) *bad = arg.substr(1);
      return false;
    }
  }
  return true;
}

}  // namespace

bool ExpandResponseFiles(const std::vector<std::string>& in, Family family,
                         std::vector<std::string>* out, std::string* bad) {
  return Expand(in, family, 0, out, bad);
}

}  // namespace ddcc
