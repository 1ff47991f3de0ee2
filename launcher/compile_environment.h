// What of the environment changes what the compilers write without showing in the preprocessed
// text: the variables both keys hold, and the message catalogues a translated gcc reads.
#pragma once

#include <string>
#include <vector>

#include "launcher/compiler.h"
#include "launcher/config.h"

namespace ddcc {

// Environment that changes what the compiler writes (diagnostics' language and quotes, which
// cc1 runs, rewritten arguments) without showing in the preprocessed text. clang reads the
// Darwin, MSVC, VE (NCC_) and XCore (XCC_) ones only for those targets, where they set the
// version the object is built for, its SDK and search path (RC_DEBUG_OPTIONS puts the command
// line in its debug info); LLVM writes LLVM_OVERRIDE_PRODUCER into bitcode's symbol table.
// LD_PRELOAD may change anything the compiler does (libfaketime its clock, so __DATE__), and so
// may a library LD_LIBRARY_PATH or LD_AUDIT gives it; GCONV_PATH, the charsets -fexec-charset
// converts through.
inline constexpr const char* kCompileEnv[] = {"LANG",
                                              "LOCPATH",
                                              "LC_ALL",
                                              "LC_CTYPE",
                                              "LC_MESSAGES",
                                              "LANGUAGE",
                                              "OUTPUT_CHARSET",
                                              "GCC_EXEC_PREFIX",
                                              "COMPILER_PATH",
                                              "CCC_OVERRIDE_OPTIONS",
                                              "GCC_COMPARE_DEBUG",
                                              "GCC_COLORS",
                                              "GCC_URLS",
                                              "TERM_URLS",
                                              "GCC_EXTRA_DIAGNOSTIC_OUTPUT",
                                              "MACOSX_DEPLOYMENT_TARGET",
                                              "IPHONEOS_DEPLOYMENT_TARGET",
                                              "TVOS_DEPLOYMENT_TARGET",
                                              "WATCHOS_DEPLOYMENT_TARGET",
                                              "SDKROOT",
                                              "RC_DEBUG_OPTIONS",
                                              "INCLUDE",
                                              "EXTERNAL_INCLUDE",
                                              "VCINSTALLDIR",
                                              "VCToolsInstallDir",
                                              "SCE_ORBIS_SDK_DIR",
                                              "NCC_C_INCLUDE_PATH",
                                              "NCC_CPLUS_INCLUDE_PATH",
                                              "XCC_C_INCLUDE_PATH",
                                              "XCC_CPLUS_INCLUDE_PATH",
                                              "LLVM_OVERRIDE_PRODUCER",
                                              "LD_PRELOAD",
                                              "LD_LIBRARY_PATH",
                                              "LD_AUDIT",
                                              "GCONV_PATH"};

// Whether gcc's messages come translated depends on what is installed, not only on the
// variables: gcc's catalogues for the language ("gcc" and "cpplib", or as Debian names them after
// the version the binary's name ends with, "gcc-12"), and whether glibc has the locale (locale-gen,
// LOCPATH). Where messages are asked in a language other than C's: each catalogue's size or
// absence and, where one is there, whether the locale is usable. Nothing a machine stamps for
// itself, so that hosts sharing a remote cache share keys. clang has no catalogues.
std::vector<std::string> MessageLocaleData(const Compiler& compiler, const EnvLookup& env);

}  // namespace ddcc
