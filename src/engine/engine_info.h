// File: engine_info.h
// Which Hyperscan-API engine trawl was built with, what this CPU supports, and the
// known-answer test that catches engines which silently miss matches.
#ifndef TRAWL_SRC_ENGINE_ENGINE_INFO_H_
#define TRAWL_SRC_ENGINE_ENGINE_INFO_H_

#include <string>

namespace trawl {

struct EngineInfo {
  std::string name;     // "hyperscan" or "vectorscan"
  std::string version;  // the engine's own version string
  bool platform_supported = false;  // the engine runs on this CPU
  std::string cpu_features;         // e.g. "avx2,avx512"
};

const EngineInfo& GetEngineInfo();

// Debian's Vectorscan 5.4.9 misses `[^b]{6,200}b` and `x"[^"]{6,}"` once the run exceeds
// ~70 bytes on AVX-512 CPUs. This runs those shapes over runs of 1..400 bytes and compares
// with the expected answer. Computed once per process.
struct KnownAnswerResult {
  bool passed = false;
  int checks = 0;
  int failures = 0;
  std::string detail;  // the first failure, or "ok"
};

const KnownAnswerResult& EngineKnownAnswer();

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_ENGINE_INFO_H_
