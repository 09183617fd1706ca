// File: engine_parts.h
// The engine handles behind a Database: Hyperscan-API databases, one per partition, and
// the PCRE2 programs that recover spans and captures. Only src/engine/ includes this.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_
#define TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/match_alphabet.h"
#include "rules/definition.h"

namespace trawl::internal {

// Databases the engine allocated are freed by it; databases restored from an artifact
// live in a pre-faulted anonymous mapping of `mapped_size` bytes (see artifact.cc).
struct HsDatabaseDeleter {
  size_t mapped_size = 0;
  void operator()(hs_database_t* db) const;
};
using HsDatabasePtr = std::unique_ptr<hs_database_t, HsDatabaseDeleter>;

struct Pcre2CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};
using Pcre2CodePtr = std::unique_ptr<pcre2_code, Pcre2CodeDeleter>;

// PCRE2 compile options for a definition. Confirmation programs also get
// PCRE2_USE_OFFSET_LIMIT, which bounds where an unanchored match may start.
uint32_t Pcre2Options(const Definition& def);
unsigned int HsFlags(const Definition& def);

// Compiles `def` for PCRE2 (JIT when available). Literals compile with PCRE2_LITERAL.
absl::StatusOr<Pcre2CodePtr> CompilePcre2(const Definition& def, bool for_confirmation);

// A PCRE2 program compiled on first use. Compiling 14k regexes at load time would cost
// seconds; most rules never fire, so a cold start pays only for those that do.
// Thread-safe: concurrent first uses compile once.
class LazyRegex {
 public:
  // Returns nullptr when the pattern does not compile (never the case for a rule that
  // compiled at database build time, with the same PCRE2 version).
  const pcre2_code* Get(const Definition& def, bool for_confirmation);

  // After Get(def, true): the bytes the rule's matches can contain, or nullptr when that
  // is every byte or unknown (engine/match_alphabet.h). Bounds span recovery.
  const ByteSet* alphabet() const { return alphabet_.get(); }

 private:
  std::once_flag once_;
  Pcre2CodePtr code_;
  std::unique_ptr<const ByteSet> alphabet_;  // allocated only for rules that fire
};

struct EngineParts {
  std::vector<HsDatabasePtr> databases;  // parallel to Database::partitions()
  std::unique_ptr<LazyRegex[]> confirm;  // per rule, for span recovery
  std::unique_ptr<LazyRegex[]> reference;  // per rule, for the PCRE2-only reference scan
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_
