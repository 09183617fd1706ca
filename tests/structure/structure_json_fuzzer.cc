// libFuzzer target: JSON and NDJSON structure analysis on arbitrary bytes. Besides
// crashes and sanitizer reports, it traps when a reported location falls outside the
// input or a decoded-string map points outside it, and when a locator of a few targets
// only (JsonAnalyzer::LocateTargets) answers otherwise than the full one at them.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

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

// Without counts, statistics and a locator (the component analysis' options) a valid
// document is not walked (issue 22): what the analysis reads must be the walk's.
void CheckSameAsTheWalk(const trawl::JsonReport& walk, const trawl::JsonReport& lean) {
  Check(walk.valid == lean.valid && walk.error_offset == lean.error_offset);
  Check(walk.counts.escaped_strings == lean.counts.escaped_strings);
  Check(walk.lone_surrogates == lean.lone_surrogates);
  Check(walk.decoded_strings.text == lean.decoded_strings.text);
  const auto& a = walk.decoded_strings.map.pieces();
  const auto& b = lean.decoded_strings.map.pieces();
  Check(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    Check(a[i].derived_begin == b[i].derived_begin && a[i].source_begin == b[i].source_begin &&
          a[i].derived_length == b[i].derived_length &&
          a[i].source_length_and_flag == b[i].source_length_and_flag);
  }
}

// The component analysis locates its candidates only (JsonAnalyzer::LocateTargets): at
// each target, pointer, key and record must be the full locator's, walked or skipping.
void CheckTargetsLocatedAsTheFullLocator(const trawl::JsonReport& full, std::string_view input,
                                         bool ndjson, trawl::JsonAnalyzer& targeted) {
  const uint64_t n = input.size();
  std::vector<uint64_t> targets = {n / 5, n / 2, n / 2 + 1, n ? n - 1 : 0};
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  // A valid input is also located with the containers that hold no target skipped.
  for (const bool skipping : {false, true}) {
    if (skipping && !full.valid) continue;
    const trawl::JsonLocator located = targeted.LocateTargets(input, ndjson, targets, skipping);
    for (const uint64_t t : targets) {
      const auto a = full.locator->Locate(t);
      const auto b = located.Locate(t);
      Check(a.has_value() == b.has_value());
      if (a) Check(a->pointer == b->pointer && a->key == b->key && a->record == b->record);
    }
  }
}

trawl::JsonOptions AnalysisOptions(bool counts) {
  trawl::JsonOptions options;
  options.build_locator = false;
  options.statistics = false;
  options.counts = counts;
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static trawl::JsonAnalyzer* analyzer = new trawl::JsonAnalyzer();
  static trawl::JsonAnalyzer* walked = new trawl::JsonAnalyzer(AnalysisOptions(true));
  static trawl::JsonAnalyzer* not_walked = new trawl::JsonAnalyzer(AnalysisOptions(false));
  static trawl::JsonAnalyzer* targeted = [] {
    trawl::JsonOptions options = AnalysisOptions(false);
    options.build_locator = true;
    options.decode_strings = false;
    return new trawl::JsonAnalyzer(options);
  }();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const trawl::JsonReport document = analyzer->Analyze(input);
  Exercise(document, input);
  CheckTargetsLocatedAsTheFullLocator(document, input, false, *targeted);
  const trawl::JsonReport ndjson = analyzer->AnalyzeNdjson(input);
  Exercise(ndjson, input);
  CheckTargetsLocatedAsTheFullLocator(ndjson, input, true, *targeted);
  const trawl::JsonReport lean = not_walked->Analyze(input);
  Exercise(lean, input);
  CheckSameAsTheWalk(walked->Analyze(input), lean);
  return 0;
}
