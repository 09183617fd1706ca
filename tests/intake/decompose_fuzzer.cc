// File: decompose_fuzzer.cc
// libFuzzer target: arbitrary bytes through decomposition and classification. Besides
// the sanitizers, it checks the manifest invariants on every input: whatever the bytes,
// the manifest must validate and survive a JSON round trip.
// Build and run: scripts/fuzz.sh SECONDS (seeds: decompose_fuzzer_seeds.sh)
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "classify/plan.h"
#include "intake/decompose.h"
#include "intake/fuzz_options.h"
#include "intake/manifest_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const trawl::DecomposeOptions options = trawl::testing::FuzzDecomposeOptions();
  const trawl::PlanOptions plan_options;
  auto on_component = [&plan_options](const trawl::Component& c, std::string_view content) {
    const trawl::ProcessingPlan plan = trawl::PlanComponent(c, content, plan_options);
    if (!trawl::PlanFromJson(trawl::PlanToJson(plan)).ok()) std::abort();
    return absl::OkStatus();
  };
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<trawl::Manifest> manifest = trawl::DecomposeBytes(input, options, on_component);
  if (!manifest.ok()) std::abort();  // only bad options or callback errors may fail
  if (!trawl::ValidateManifest(*manifest).ok()) std::abort();
  absl::StatusOr<trawl::Manifest> parsed =
      trawl::ManifestFromJson(trawl::ManifestToJson(*manifest));
  if (!parsed.ok() || parsed->components.size() != manifest->components.size()) std::abort();
  return 0;
}
