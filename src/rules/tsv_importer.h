// File: tsv_importer.h
// Imports the tab-separated corpus format of ../shared/corpus/README.md:
//   id  kind  expression  flags  category  source  [compile_as]
#ifndef TRAWL_SRC_RULES_TSV_IMPORTER_H_
#define TRAWL_SRC_RULES_TSV_IMPORTER_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "rules/loader.h"

namespace trawl {

absl::StatusOr<RuleSet> ParseCorpusTsv(std::string_view text, std::string_view file);

}  // namespace trawl

#endif  // TRAWL_SRC_RULES_TSV_IMPORTER_H_
