// Fuzzes the scanner with random rules over random input under a time bound: one to
// three patterns (regexes or literals, random flags) compile, or are rejected with a
// reason, and scan within the budget. When a scan reports itself complete, its matches
// must be those of PCRE2's own global match loop (the input is shorter than the window
// cap, so the documented difference cannot arise).
#include <fuzzer/FuzzedDataProvider.h>

#include <string>
#include <vector>

#include "engine/compiler.h"
#include "scan_against_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  std::vector<trawl::Definition> defs;
  for (int n = in.ConsumeIntegralInRange(1, 3); n > 0; --n) {
    trawl::Definition def;
    def.id = "r" + std::to_string(defs.size());
    def.kind = in.ConsumeBool() ? trawl::PatternKind::kRegex : trawl::PatternKind::kLiteral;
    def.expression = in.ConsumeRandomLengthString(40);
    def.flags = in.ConsumeIntegral<uint8_t>() &
                (trawl::kFlagCaseless | trawl::kFlagDotAll | trawl::kFlagMultiline);
    def.chains = {"default"};
    // Huge counted repeats only make the engine's compiler slow, not the scan wrong.
    if (def.expression.empty() || def.expression.find('{') != std::string::npos) return 0;
    defs.push_back(std::move(def));
  }
  const std::string input = in.ConsumeRemainingBytesAsString().substr(0, 4096);
  trawl::CompileOptions compile;
  compile.threads = 1;
  auto db = trawl::CompileDatabase(defs, compile);
  if (!db.ok()) return 0;
  trawl::testing_util::ScanAgainstReference(*db, defs, input);
  return 0;
}
