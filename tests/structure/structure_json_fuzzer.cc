// libFuzzer target: JSON and NDJSON structure analysis on arbitrary bytes. Besides
// crashes and sanitizer reports, it traps when a reported location falls outside the
// input or a decoded-string map points outside it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "structure/json_structure.h"
#include "util/json_writer.h"

namespace {

void Check(bool ok) {
  if (!ok) __builtin_trap();
}

void Exercise(const trawl::JsonReport& r, std::string_view input) {
  Check(r.error_offset <= input.size());
  trawl::JsonWriter w;
  r.WriteJson(w);
  Check(trawl::IsValidUtf8(w.str()));
  if (r.locator) {
    for (uint64_t off : {uint64_t{0}, uint64_t{input.size() / 3}, uint64_t{input.size() / 2},
                         uint64_t{input.size() ? input.size() - 1 : 0}}) {
      auto loc = r.locator->Locate(off);
      if (loc) Check(loc->span.begin <= off && off < loc->span.end && loc->span.end <= input.size());
    }
  }
  const trawl::DecodedStrings& d = r.decoded_strings;
  if (!d.text.empty()) {
    const trawl::ByteSpan all = d.MapRange(0, d.text.size());
    Check(all.begin <= all.end && all.end <= input.size());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static trawl::JsonAnalyzer* analyzer = new trawl::JsonAnalyzer();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Exercise(analyzer->Analyze(input), input);
  Exercise(analyzer->AnalyzeNdjson(input), input);
  return 0;
}
