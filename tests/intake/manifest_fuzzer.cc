// Fuzzes the manifest reader with hostile documents: each must be read or refused, never
// crash; whatever is read satisfies the accounting invariants, writes back to a document
// that reads to the same manifest, and gives a work list.
#include <cstdlib>
#include <string_view>

#include "analyze/component_result_json.h"
#include "intake/component.h"
#include "intake/manifest_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto manifest = trawl::ManifestFromJson(text);
  if (!manifest.ok()) return 0;
  if (!trawl::ValidateManifest(*manifest).ok()) std::abort();
  const std::string written = trawl::ManifestToJson(*manifest);
  auto again = trawl::ManifestFromJson(written);
  if (!again.ok() || trawl::ManifestToJson(*again) != written) std::abort();
  (void)trawl::WorkToJson(*manifest);
  return 0;
}
