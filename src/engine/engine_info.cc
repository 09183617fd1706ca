// File: engine_info.cc
#include "engine/engine_info.h"

#include <string_view>
#include <vector>

#include "util/strings.h"
#include "engine/internal/engine_parts.h"

namespace trawl {
namespace {

EngineInfo ComputeEngineInfo() {
  EngineInfo info;
  info.version = hs_version();
  // Intel Hyperscan's last release is 5.4.2; Vectorscan continues from 5.4.3.
  const bool hyperscan = StartsWith(info.version, "5.4.0") ||
                         StartsWith(info.version, "5.4.1") ||
                         StartsWith(info.version, "5.4.2") ||
                         !StartsWith(info.version, "5.");
  info.name = hyperscan ? "hyperscan" : "vectorscan";
  info.platform_supported = hs_valid_platform() == HS_SUCCESS;
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  std::vector<std::string> features;
  if (platform.cpu_features & HS_CPU_FEATURES_AVX2) features.push_back("avx2");
  if (platform.cpu_features & HS_CPU_FEATURES_AVX512) features.push_back("avx512");
  info.cpu_features = features.empty() ? "baseline" : StrJoin(features, ",");
  return info;
}

int CountMatches(hs_database_t* db, hs_scratch_t* scratch, std::string_view data) {
  int count = 0;
  hs_scan(db, data.data(), static_cast<unsigned>(data.size()), 0, scratch,
          [](unsigned, unsigned long long, unsigned long long, unsigned, void* ctx) {
            ++*static_cast<int*>(ctx);
            return 0;
          },
          &count);
  return count;
}

KnownAnswerResult ComputeKnownAnswer() {
  KnownAnswerResult result;
  struct Shape {
    const char* pattern;
    size_t max_run;  // longest run that still matches; 0 for no limit
    char pad_byte;   // bytes before the match, which must not extend it
    std::string prefix;
    char run_byte;
    std::string suffix;
  };
  const Shape shapes[] = {
      // A longer run still contains a 200-byte match ending at the 'b'.
      {"[^b]{6,200}b", 0, 'b', "", 'a', "b"},
      {"x\"[^\"]{6,200}\"", 200, '\n', "x\"", 'a', "\""},
      {"x\"[^\"]{6,}\"", 0, '\n', "x\"", 'a', "\""},
  };
  for (const Shape& shape : shapes) {
    hs_database_t* db = nullptr;
    hs_compile_error_t* error = nullptr;
    if (hs_compile(shape.pattern, HS_FLAG_SINGLEMATCH, HS_MODE_BLOCK, nullptr, &db, &error) !=
        HS_SUCCESS) {
      hs_free_compile_error(error);
      result.failures++;
      result.detail = StrCat("cannot compile ", shape.pattern);
      continue;
    }
    hs_scratch_t* scratch = nullptr;
    hs_alloc_scratch(db, &scratch);
    for (size_t run = 1; run <= 400; ++run) {
      // Surrounding bytes vary the alignment of the run, which the bug depends on.
      for (size_t pad : {size_t{0}, size_t{3}, size_t{17}}) {
        const std::string input = std::string(pad, shape.pad_byte) + shape.prefix +
                                  std::string(run, shape.run_byte) + shape.suffix;
        const bool expected = run >= 6 && (shape.max_run == 0 || run <= shape.max_run);
        const bool found = CountMatches(db, scratch, input) > 0;
        result.checks++;
        if (found != expected) {
          if (result.failures++ == 0) {
            result.detail = StrCat(shape.pattern, " on a run of ", run, " bytes: ",
                                         found ? "false match" : "missed match");
          }
        }
      }
    }
    hs_free_scratch(scratch);
    hs_free_database(db);
  }
  result.passed = result.failures == 0;
  if (result.passed) result.detail = "ok";
  return result;
}

}  // namespace

const EngineInfo& GetEngineInfo() {
  static const EngineInfo info = ComputeEngineInfo();
  return info;
}

const KnownAnswerResult& EngineKnownAnswer() {
  static const KnownAnswerResult result = ComputeKnownAnswer();
  return result;
}

}  // namespace trawl
