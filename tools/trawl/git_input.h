// File: git_input.h
// `trawl analyze|decompose|classify --git REPO [--since DATE] [--branch REF] [--staged]`: a
// repository's history (or its index) as the package. The commands bind the four fields
// of GitFlags; analyze calls AnalyzeGitRepository when `repository` is set.
#ifndef TRAWL_TOOLS_TRAWL_GIT_INPUT_H_
#define TRAWL_TOOLS_TRAWL_GIT_INPUT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "trawl/trawl.h"
#ifndef TRAWL_EXPERIMENTAL
#define TRAWL_EXPERIMENTAL
#endif
#include "trawl/trawl_experimental.h"

namespace trawl_cli {

struct GitFlags {
  std::string repository;  // --git REPO: "" when the input is not a repository
  std::string since;       // --since DATE
  std::string branch;      // --branch REF
  bool staged = false;     // --staged
};

// Sets --since, --branch and --staged on `options`. A date --since does not read (or a
// bad --branch) is TRAWL_E_INVALID with the flag named in *err.
trawl_status SetGitOptions(const GitFlags& flags, trawl_options* options, trawl_error* err);

// Sets the flags on `options` and analyses the repository (trawl_git_analyze_summary, so
// that the CI gate sees the counts). A date --since does not read is TRAWL_E_INVALID with
// the reason in *err.
trawl_status AnalyzeGitRepository(trawl_buffer** out, trawl_report_summary* summary,
                                  const trawl_db* db, const GitFlags& flags,
                                  trawl_options* options, int32_t format, trawl_error* err);

}  // namespace trawl_cli

#endif  // TRAWL_TOOLS_TRAWL_GIT_INPUT_H_
