// File: git_input.h
// `trawl analyze --git REPO [--since DATE] [--branch REF] [--staged]`: a repository's
// history (or its index) as the package to analyse, through trawl_git_analyze. Kept apart
// from main.cc so that the argument parsing there can change without touching it: a
// parser binds the four fields of GitFlags, and the analyze command calls
// AnalyzeGitRepository when `repository` is set.
#ifndef TRAWL_TOOLS_TRAWL_GIT_INPUT_H_
#define TRAWL_TOOLS_TRAWL_GIT_INPUT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "trawl/trawl.h"

namespace trawl_cli {

struct GitFlags {
  std::string repository;  // --git REPO: "" when the input is not a repository
  std::string since;       // --since DATE
  std::string branch;      // --branch REF
  bool staged = false;     // --staged
};

// The usage lines of the flags, for the analyze command's help.
extern const char kGitUsage[];

// Reads the git flag at args[*i] (and its value, advancing *i). True when it was one;
// *bad when its value is missing.
bool ParseGitFlag(const std::vector<std::string>& args, size_t* i, GitFlags* flags, bool* bad);

// Sets the flags on `options` and analyses the repository (trawl_git_analyze). A date
// --since does not read is TRAWL_E_INVALID with the reason in *err.
trawl_status AnalyzeGitRepository(trawl_buffer** out, const trawl_db* db, const GitFlags& flags,
                                  trawl_options* options, int32_t format, trawl_error* err);

}  // namespace trawl_cli

#endif  // TRAWL_TOOLS_TRAWL_GIT_INPUT_H_
