// Fuzzes the planned scan (gates on literal atoms, RE2 and PCRE2 deciding candidates,
// follow sets, required bytes) against PCRE2's own global match loop: one to three random
// rules, most of them led by a literal atom so that the planner gates them, over an input
// that holds the atom here and there. When a scan reports itself complete, its matches
// must be the reference's (the input is shorter than the window cap, so the documented
// difference cannot arise). The unplanned engine path has scanner_fuzzer.
#include <fuzzer/FuzzedDataProvider.h>

#include <iterator>
#include <string>
#include <vector>

#include "../engine/scan_against_reference.h"
#include "plan_test_util.h"
#include "scan_plan/planner.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static constexpr const char* kAtoms[] = {"key", "tok", "Pass"};
  FuzzedDataProvider in(data, size);
  std::vector<trawl::Definition> defs;
  for (int n = in.ConsumeIntegralInRange(1, 3); n > 0; --n) {
    trawl::Definition def;
    def.id = "r" + std::to_string(defs.size());
    def.kind = trawl::PatternKind::kRegex;
    // Tails of the shapes whose candidates RE2 decides (unbounded runs, anchors at line
    // and input ends) keep the fuzzer near those paths.
    static constexpr const char* kTails[] = {"", ".*$", "[^\\n]*$", "\\w+$", ".+", "[a-z]+\\b"};
    const std::string body = in.ConsumeRandomLengthString(32);
    const int lead = in.ConsumeIntegralInRange(0, 3);  // 3: no atom
    def.expression = lead < 3 ? std::string(kAtoms[lead]) + body : body;
    def.expression += kTails[in.ConsumeIntegralInRange<size_t>(0, std::size(kTails) - 1)];
    def.flags = in.ConsumeIntegral<uint8_t>() &
                (trawl::kFlagCaseless | trawl::kFlagDotAll | trawl::kFlagMultiline);
    def.chains = {"default"};
    // Huge counted repeats only make the engine's compiler slow, not the scan wrong.
    if (def.expression.empty() || def.expression.find('{') != std::string::npos) return 0;
    defs.push_back(std::move(def));
  }
  std::string input;
  const bool final_newline = in.ConsumeBool();
  while (in.remaining_bytes() > 0 && input.size() < 4096) {
    if (in.ConsumeIntegralInRange(0, 7) == 0) {
      input += kAtoms[in.ConsumeIntegralInRange(0, 2)];
    } else {
      input += in.ConsumeRandomLengthString(24);
    }
  }
  if (final_newline) input += '\n';
  trawl::CompileOptions compile;
  compile.threads = 1;
  auto db = trawl::plan::CompilePlanned(defs, compile, trawl::plan::NoTrial());
  if (!db.ok()) return 0;
  trawl::testing_util::ScanAgainstReference(*db, defs, input);
  return 0;
}
