// Fuzzes each importer's parser entry point (gitleaks TOML, Nosey Parker/Kingfisher YAML,
// YARA, Suricata) and the format detection with hostile bytes: any input must give rules,
// issues or one error, never a crash, and every file's accounting must add up.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rules/importers/import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (trawl::RuleFormat format :
       {trawl::RuleFormat::kAuto, trawl::RuleFormat::kGitleaks, trawl::RuleFormat::kNoseyParker,
        trawl::RuleFormat::kKingfisher, trawl::RuleFormat::kYara, trawl::RuleFormat::kSuricata}) {
    auto set = trawl::ParseRules(text, "fuzz", format);
    if (!set.ok()) continue;
    for (const trawl::ImportAccount& a : set->accounts) {
      if (a.rules != a.exact + a.approximated + a.rejected) std::abort();
    }
  }
  return 0;
}
