// File: git_input.cc
#include "git_input.h"

#include <cstdio>

namespace trawl_cli {

const char kGitUsage[] =
    "  trawl analyze --db DB --git REPO [--since DATE] [--branch REF] [--staged] [...]\n"
    "    every blob of the history once, each finding with the commit that introduced it;\n"
    "    DATE is YYYY-MM-DD, RFC 3339 or epoch seconds; --staged: the index against HEAD\n";

bool ParseGitFlag(const std::vector<std::string>& args, size_t* i, GitFlags* flags, bool* bad) {
  const std::string& a = args[*i];
  std::string* value = a == "--git"      ? &flags->repository
                       : a == "--since"  ? &flags->since
                       : a == "--branch" ? &flags->branch
                                         : nullptr;
  if (value != nullptr) {
    *bad = *i + 1 >= args.size();
    if (!*bad) *value = args[++*i];
    return true;
  }
  if (a == "--staged") {
    flags->staged = true;
    return true;
  }
  return false;
}

trawl_status AnalyzeGitRepository(trawl_buffer** out, const trawl_db* db, const GitFlags& flags,
                                  trawl_options* options, int32_t format, trawl_error* err) {
  *out = nullptr;
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
  trawl_options_set_int(options, TRAWL_OPT_GIT_STAGED, flags.staged ? 1 : 0);
  return trawl_git_analyze(out, db, flags.repository.c_str(), options, format, err);
}

}  // namespace trawl_cli
