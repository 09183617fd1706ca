// File: git_input.cc
#include "git_input.h"

#include <cstdio>

namespace trawl_cli {

trawl_status SetGitOptions(const GitFlags& flags, trawl_options* options, trawl_error* err) {
  const struct {
    int32_t key;
    const std::string& value;
  } strings[] = {{TRAWL_OPT_GIT_SINCE, flags.since}, {TRAWL_OPT_GIT_BRANCH, flags.branch}};
  for (const auto& [key, value] : strings) {
    const trawl_status set = trawl_options_set_string(options, key, value.c_str());
    if (set != TRAWL_OK) {
      err->code = set;
      std::snprintf(err->message, sizeof err->message, "%s \"%s\" is not valid",
                    key == TRAWL_OPT_GIT_SINCE ? "--since" : "--branch", value.c_str());
      return set;
    }
  }
  return trawl_options_set_int(options, TRAWL_OPT_GIT_STAGED, flags.staged ? 1 : 0);
}

trawl_status AnalyzeGitRepository(trawl_buffer** out, trawl_report_summary* summary,
                                  const trawl_db* db, const GitFlags& flags,
                                  trawl_options* options, int32_t format, trawl_error* err) {
  *out = nullptr;
  if (const trawl_status set = SetGitOptions(flags, options, err); set != TRAWL_OK) return set;
  return trawl_git_analyze_summary(out, summary, db, flags.repository.c_str(), options, format,
                                   err);
}

}  // namespace trawl_cli
