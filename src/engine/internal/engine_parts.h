// File: engine_parts.h
// The engine handles behind a Database: Hyperscan-API databases, one per partition, and
// the PCRE2 programs that recover spans and captures. Only src/engine/ includes this.
#ifndef TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_
#define TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_

#define PCRE2_CODE_UNIT_WIDTH 8
#include <hs/hs.h>
#include <pcre2.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/match_alphabet.h"
#include "rules/definition.h"
#include "util/huge_pages.h"

namespace trawl::internal {

// Databases the engine allocated are freed by it; databases restored from an artifact
// live in an anonymous mapping of `mapped_size` bytes (util/huge_pages.h), or are
// `borrowed`: used in place inside an artifact that the Database keeps alive.
struct HsDatabaseDeleter {
  size_t mapped_size = 0;
  bool borrowed = false;
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

// Compiles PCRE2 text with `options` (JIT when available); errors say where.
absl::StatusOr<Pcre2CodePtr> CompilePcre2Text(std::string_view pattern, uint32_t options);
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

  // After Get(def, true): bytes such that every match holds one of them at or after the
  // offset where PCRE2 started it (PCRE2's required last code unit, with its other case
  // for an ASCII letter); `count` 0 when PCRE2 knows none or its case folding is not
  // byte-for-byte. So no match starts after the last of these bytes in the subject:
  // PCRE2 itself rejects a start that way, but the JIT only looks 500 KB ahead.
  struct RequiredBytes {
    uint8_t count = 0;
    uint8_t bytes[2] = {0, 0};
  };
  const RequiredBytes& required() const { return required_; }
  // After Get(def, true): the bytes a match can start with (PCRE2's first code unit, with
  // its other case for an ASCII letter, or its table of starting code units), or nullptr
  // when PCRE2 knows none. PCRE2 skips start positions the same way inside a call; knowing
  // it outside saves the call for a range of starts that holds none.
  const ByteSet* first_bytes() const { return first_bytes_.get(); }

 private:
  std::once_flag once_;
  Pcre2CodePtr code_;
  std::unique_ptr<const ByteSet> alphabet_;  // allocated only for rules that fire
  RequiredBytes required_;
  std::unique_ptr<const ByteSet> first_bytes_;
};

// `bytes` as an engine regex that matches them literally. Letters, digits and '_' stand
// for themselves; every other byte is written \xNN, so the engine's pattern length limit
// (16,000 characters) is reached late for plain text.
std::string EscapedRegexForLiteral(std::string_view bytes);

// The required bytes of a compiled program (LazyRegex::required), read from PCRE2.
LazyRegex::RequiredBytes RequiredBytesOf(const pcre2_code* code);
// The bytes a match of a compiled program can start with (LazyRegex::first_bytes), read
// from PCRE2; nullopt when any byte can.
std::optional<ByteSet> FirstBytesOf(const pcre2_code* code);

struct ScratchDeleter {
  void operator()(hs_scratch_t* scratch) const { hs_free_scratch(scratch); }
};
using ScratchPtr = std::unique_ptr<hs_scratch_t, ScratchDeleter>;

struct EngineParts {
  std::vector<HsDatabasePtr> databases;  // parallel to Database::partitions()
  MappedArray<LazyRegex> confirm;    // per rule, for span recovery
  MappedArray<LazyRegex> reference;  // per rule, for the PCRE2-only reference scan

  // A new engine scratch that fits every database, or nullptr when out of memory or when
  // there is no database (every rule rejected).
  // hs_alloc_scratch checks each database (platform, alignment, CRC: about 10 ms for a
  // 50 MB set), so that is paid once, by the first call or by PrepareScratch; later calls
  // clone.
  ScratchPtr NewScratch() const;
  // Allocates that first scratch now and returns the engine's verdict on the databases:
  // the artifact loader's check of databases it uses in place. Call it only before the
  // parts are shared.
  hs_error_t PrepareScratch() const;

 private:
  mutable std::once_flag prototype_once_;
  mutable ScratchPtr prototype_;
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_ENGINE_INTERNAL_ENGINE_PARTS_H_
