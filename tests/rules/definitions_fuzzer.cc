// Fuzzes the definition loader (JSON array, NDJSON) and the corpus TSV importer with
// hostile bytes: any input must give definitions or issues, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "rules/loader.h"
#include "rules/tsv_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)trawl::ParseDefinitions(text, "fuzz.json");
  (void)trawl::ParseCorpusTsv(text, "fuzz.tsv");
  (void)trawl::DecodeLiteral(text);
  return 0;
}
