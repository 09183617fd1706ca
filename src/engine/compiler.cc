// File: compiler.cc
#include "engine/compiler.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <deque>
#include <limits>
#include <exception>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "absl/functional/function_ref.h"
#include "absl/strings/strip.h"
#include "engine/engine_info.h"
#include "engine/internal/composite_parts.h"
#include "engine/internal/engine_parts.h"
#include "rules/condition.h"
#include "rules/regex_syntax.h"
#include "tokens/token_rules.h"
#include "util/byte_io.h"
#include "util/cpu_count.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/record_cache.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

using internal::EscapedRegexForLiteral;
using internal::HsDatabasePtr;

struct HsCompileErrorDeleter {
  void operator()(hs_compile_error_t* e) const { hs_free_compile_error(e); }
};
using HsCompileErrorPtr = std::unique_ptr<hs_compile_error_t, HsCompileErrorDeleter>;

struct HsExprInfoDeleter {
  void operator()(hs_expr_info_t* info) const { free(info); }  // hs allocates with malloc
};

hs_platform_info_t PlatformFor(CompileTarget target) {
  hs_platform_info_t platform{};
  hs_populate_platform(&platform);
  switch (target) {
    case CompileTarget::kHost: break;
    case CompileTarget::kPortable:
      platform.cpu_features = 0;
      platform.tune = HS_TUNE_FAMILY_GENERIC;
      break;
    case CompileTarget::kAvx2:
      platform.cpu_features = HS_CPU_FEATURES_AVX2;
      platform.tune = HS_TUNE_FAMILY_GENERIC;
      break;
    case CompileTarget::kAvx512:
      platform.cpu_features = HS_CPU_FEATURES_AVX2 | HS_CPU_FEATURES_AVX512;
      platform.tune = HS_TUNE_FAMILY_GENERIC;
      break;
  }
  return platform;
}


// Every partition, literal ones included, is compiled through the regex API with literals
// escaped. Hyperscan 5.4.0's literal API (hs_compile_lit_multi) builds databases whose
// scan fails with HS_UNKNOWN_ERROR on some inputs: a literal with a long run of one byte
// beside any other literal ("...<<KONEC>>####...####" of YARA signature-base stopped every
// scan of a file that held its first bytes; upstream intel/hyperscan#303, #353). The regex
// API builds a database of the same size that scans as fast (measured on 16k and 250k
// literal sets) and takes the full runtime path, which has no such gap.
hs_error_t CompileEscaped(const std::vector<std::string>& expressions,
                          const std::vector<unsigned>& flags, const std::vector<unsigned>& ids,
                          const hs_platform_info_t& platform, hs_database_t** db,
                          hs_compile_error_t** error) {
  std::vector<const char*> pointers;
  pointers.reserve(expressions.size());
  for (const std::string& e : expressions) pointers.push_back(e.c_str());
  return hs_compile_ext_multi(pointers.data(), flags.data(), ids.data(), nullptr,
                              static_cast<unsigned>(pointers.size()), HS_MODE_BLOCK, &platform,
                              db, error);
}

// Checks one definition on its own and fills its RuleInfo.
// The engine turns its own allocation failures into a compile error with this message
// (expression 0); that is not the pattern's fault, so it must not reject the rule.
bool EngineOutOfMemory(hs_error_t rc, const hs_compile_error_t* error) {
  return rc == HS_NOMEM ||
         (error != nullptr && std::strcmp(error->message, "Unable to allocate memory.") == 0);
}

absl::Status OutOfMemory(std::string_view what) {
  return absl::ResourceExhaustedError(StrCat(what, ": out of memory"));
}

// Fills `info` with the definition's status; fails only when memory runs out.
absl::Status ValidateDefinition(const Definition& def, RuleInfo* info) {
  if (def.expression.empty()) {
    info->status = RuleStatus::kRejected;
    info->reason = "empty pattern";
    return absl::OkStatus();
  }
  // The engine takes regexes as C strings: a NUL byte would silently end the pattern
  // there (found by tests/engine/scanner_fuzzer.cc). Literals are escaped, so only regexes.
  if (def.kind == PatternKind::kRegex && def.expression.find('\0') != std::string::npos) {
    info->status = RuleStatus::kRejected;
    info->reason = "the regex contains a NUL byte, which the engine cannot take; write \\x00";
    return absl::OkStatus();
  }
  if (def.kind == PatternKind::kLiteral) {
    info->status = RuleStatus::kCompiled;
    info->min_width = info->max_width = static_cast<uint32_t>(
        std::min<size_t>(def.expression.size(), kUnboundedWidth - 1));
    return absl::OkStatus();
  }
  // PCRE2 recovers spans and captures, so it must accept the pattern too.
  if (auto code = internal::CompilePcre2(def, /*for_confirmation=*/false); !code.ok()) {
    if (code.status().code() == absl::StatusCode::kResourceExhausted) return code.status();
    info->status = RuleStatus::kRejected;
    info->reason = std::string(code.status().message());
    return absl::OkStatus();
  }
  const bool wants_prefilter = (def.flags & kFlagPrefilter) != 0;
  std::string engine_error;
  for (bool prefilter : {wants_prefilter, true}) {
    if (!prefilter && wants_prefilter) continue;
    hs_expr_info_t* raw_info = nullptr;
    hs_compile_error_t* raw_error = nullptr;
    const unsigned flags = internal::HsFlags(def) | (prefilter ? HS_FLAG_PREFILTER : 0u);
    const hs_error_t rc =
        hs_expression_info(def.expression.c_str(), flags, &raw_info, &raw_error);
    std::unique_ptr<hs_expr_info_t, HsExprInfoDeleter> expr_info(raw_info);
    HsCompileErrorPtr error(raw_error);
    if (EngineOutOfMemory(rc, error.get())) return OutOfMemory("engine");
    if (rc == HS_SUCCESS) {
      if (expr_info->min_width == 0) {
        info->status = RuleStatus::kRejected;
        info->reason = "pattern can match an empty string";
        return absl::OkStatus();
      }
      info->status = prefilter ? RuleStatus::kPrefiltered : RuleStatus::kCompiled;
      info->min_width = expr_info->min_width;
      info->max_width = expr_info->max_width == UINT_MAX ? kUnboundedWidth : expr_info->max_width;
      if (prefilter && !wants_prefilter) {
        info->reason = StrCat("engine: ", engine_error, "; compiled as prefilter");
      }
      // A prefilter can match a shorter superset, so its width bounds are not the
      // pattern's: span recovery must not rely on them.
      if (prefilter) info->max_width = kUnboundedWidth;
      return absl::OkStatus();
    }
    engine_error = error ? error->message : "unknown engine error";
    if (prefilter) break;
  }
  info->status = RuleStatus::kRejected;
  info->reason = StrCat("engine: ", engine_error);
  return absl::OkStatus();
}

struct PartitionJob {
  PartitionInfo info;
  HsDatabasePtr db;
};

// Compiles one partition. Patterns the engine rejects inside a multi-pattern compile are
// marked rejected and the rest retried; a set too large for one database is split.
// A gate partition: caseless literal atoms. The planner only hands over atoms the engine
// accepts (non-empty, no NUL), so any failure here is a fault, not a bad definition.
absl::Status CompileGatePartition(const hs_platform_info_t& platform, PartitionJob* job) {
  const auto& atoms = job->info.atoms;
  std::vector<std::string> expressions;
  expressions.reserve(atoms.size());
  std::vector<unsigned> flags(atoms.size(), HS_FLAG_CASELESS), ids(atoms.size());
  for (size_t i = 0; i < atoms.size(); ++i) {
    expressions.push_back(EscapedRegexForLiteral(atoms[i]));
    ids[i] = static_cast<unsigned>(i);
  }
  hs_database_t* raw_db = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  const hs_error_t rc = CompileEscaped(expressions, flags, ids, platform, &raw_db, &raw_error);
  HsCompileErrorPtr error(raw_error);
  if (EngineOutOfMemory(rc, error.get())) return OutOfMemory("engine");
  if (rc != HS_SUCCESS) {
    return absl::InternalError(StrCat("engine: gate partition ", job->info.name, ": ",
                                      error ? error->message : "unknown error"));
  }
  job->db.reset(raw_db);
  hs_database_size(raw_db, &job->info.bytes);
  return absl::OkStatus();
}

absl::Status CompilePartition(const std::vector<Definition>& defs, std::vector<RuleInfo>& infos,
                              std::mutex& infos_mutex, const hs_platform_info_t& platform,
                              PartitionJob* job, std::vector<PartitionJob>* overflow) {
  if (job->info.kind == PartitionKind::kGate) return CompileGatePartition(platform, job);
  std::vector<uint32_t> rules = job->info.rules;
  while (!rules.empty()) {
    std::vector<std::string> expressions;
    std::vector<unsigned> flags, ids;
    expressions.reserve(rules.size());
    for (uint32_t i = 0; i < rules.size(); ++i) {
      const Definition& def = defs[rules[i]];
      unsigned f = internal::HsFlags(def);
      if (def.kind == PatternKind::kLiteral) {
        expressions.push_back(EscapedRegexForLiteral(def.expression));
      } else {
        expressions.push_back(def.expression);
        if (infos[rules[i]].status == RuleStatus::kPrefiltered) f |= HS_FLAG_PREFILTER;
      }
      flags.push_back(f);
      ids.push_back(i);
    }
    hs_database_t* raw_db = nullptr;
    hs_compile_error_t* raw_error = nullptr;
    const hs_error_t rc = CompileEscaped(expressions, flags, ids, platform, &raw_db, &raw_error);
    HsCompileErrorPtr error(raw_error);
    if (rc == HS_SUCCESS) {
      job->db.reset(raw_db);
      job->info.rules = rules;
      size_t size = 0;
      hs_database_size(raw_db, &size);
      job->info.bytes = size;
      return absl::OkStatus();
    }
    if (EngineOutOfMemory(rc, error.get())) return OutOfMemory("engine");
    const std::string message = error ? error->message : "unknown engine error";
    if (error && error->expression >= 0 && static_cast<size_t>(error->expression) < rules.size()) {
      const uint32_t bad = rules[static_cast<size_t>(error->expression)];
      {
        std::lock_guard lock(infos_mutex);
        infos[bad].status = RuleStatus::kRejected;
        infos[bad].reason = StrCat("engine (in a multi-pattern compile): ", message);
      }
      rules.erase(rules.begin() + error->expression);
      continue;
    }
    if (rules.size() == 1) {
      std::lock_guard lock(infos_mutex);
      infos[rules[0]].status = RuleStatus::kRejected;
      infos[rules[0]].reason = StrCat("engine: ", message);
      rules.clear();
      break;
    }
    // A whole-database limit (e.g. "Pattern is too large"): split and compile both halves.
    PartitionJob second;
    second.info.kind = job->info.kind;
    second.info.name = StrCat(job->info.name, "b");
    second.info.rules.assign(rules.begin() + static_cast<long>(rules.size() / 2), rules.end());
    rules.resize(rules.size() / 2);
    job->info.name += "a";
    overflow->push_back(std::move(second));
  }
  job->info.rules.clear();
  return absl::OkStatus();
}

// ---- Compile cache -------------------------------------------------------------------
// One file per compiled partition, named by the SHA-256 of everything that determines the
// engine database. It holds the positions (in the request) of patterns the engine
// rejected inside the multi-pattern compile, with reasons, and the serialized database.
constexpr char kCacheMagic[8] = {'T', 'R', 'W', 'L', 'P', 'C', '0', '1'};

std::string CacheKey(const std::vector<Definition>& defs, const std::vector<RuleInfo>& infos,
                     const hs_platform_info_t& platform, const PartitionJob& job) {
  Sha256 hasher;
  const EngineInfo& engine = GetEngineInfo();
  hasher.UpdateField("trawl partition cache 2");  // 2: literals via the regex API
  hasher.UpdateField(engine.name);
  hasher.UpdateField(engine.version);
  hasher.UpdateField(StrCat(platform.tune, ":", platform.cpu_features));
  hasher.UpdateField(PartitionKindName(job.info.kind));
  if (job.info.kind == PartitionKind::kGate) {
    for (const std::string& atom : job.info.atoms) hasher.UpdateField(atom);
  } else {
    for (uint32_t rule : job.info.rules) {
      const Definition& def = defs[rule];
      unsigned flags = internal::HsFlags(def);
      if (infos[rule].status == RuleStatus::kPrefiltered) flags |= HS_FLAG_PREFILTER;
      hasher.UpdateField(def.kind == PatternKind::kLiteral ? "L" : "R");
      hasher.UpdateField(def.expression);
      hasher.UpdateField(std::to_string(flags));
    }
  }
  return ToHex(hasher.Finish());
}

// Restores a cached partition into `job`; false when there is no usable entry.
bool LoadCachedPartition(const std::string& path, std::vector<RuleInfo>& infos,
                         std::mutex& infos_mutex, PartitionJob* job) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return false;
  ByteReader r(*bytes);
  if (r.Raw(sizeof kCacheMagic) != std::string_view(kCacheMagic, sizeof kCacheMagic)) return false;
  const uint32_t rejected_count = r.U32();
  if (!r.ok() || rejected_count > job->info.rules.size()) return false;
  std::vector<std::pair<uint32_t, std::string>> rejected;
  for (uint32_t i = 0; i < rejected_count; ++i) {
    const uint32_t pos = r.U32();
    const std::string_view reason = r.Raw(r.U32());
    if (!r.ok() || pos >= job->info.rules.size()) return false;
    rejected.emplace_back(pos, std::string(reason));
  }
  const std::string_view engine_bytes = r.Raw(bytes->size() - r.pos());
  hs_database_t* raw_db = nullptr;
  if (hs_deserialize_database(engine_bytes.data(), engine_bytes.size(), &raw_db) != HS_SUCCESS) {
    return false;
  }
  job->db.reset(raw_db);
  hs_database_size(raw_db, &job->info.bytes);
  std::vector<uint8_t> drop(job->info.rules.size(), 0);
  {
    std::lock_guard lock(infos_mutex);
    for (auto& [pos, reason] : rejected) {
      drop[pos] = 1;
      infos[job->info.rules[pos]].status = RuleStatus::kRejected;
      infos[job->info.rules[pos]].reason = std::move(reason);
    }
  }
  std::vector<uint32_t> kept;
  for (size_t i = 0; i < job->info.rules.size(); ++i) {
    if (!drop[i]) kept.push_back(job->info.rules[i]);
  }
  job->info.rules = std::move(kept);
  job->info.from_cache = true;
  return true;
}

void StoreCachedPartition(const std::string& path, const std::vector<uint32_t>& requested,
                          const std::vector<RuleInfo>& infos, std::mutex& infos_mutex,
                          const PartitionJob& job) {
  char* blob = nullptr;
  size_t blob_size = 0;
  if (hs_serialize_database(job.db.get(), &blob, &blob_size) != HS_SUCCESS) return;
  ByteWriter rejected;
  uint32_t rejected_count = 0;
  if (job.info.kind != PartitionKind::kGate) {
    std::lock_guard lock(infos_mutex);
    for (uint32_t pos = 0; pos < requested.size(); ++pos) {
      const RuleInfo& info = infos[requested[pos]];
      if (info.status != RuleStatus::kRejected) continue;
      ++rejected_count;
      rejected.U32(pos);
      rejected.U32(static_cast<uint32_t>(info.reason.size()));
      rejected.Raw(info.reason);
    }
  }
  ByteWriter w;
  w.Raw(std::string_view(kCacheMagic, sizeof kCacheMagic));
  w.U32(rejected_count);
  w.Raw(rejected.out());
  w.Raw(std::string_view(blob, blob_size));
  free(blob);  // the engine allocates with malloc
  // A cache that cannot be written only costs time on the next compile.
  (void)WriteFileAtomically(path, w.out());
}

// ---- Validation cache ----------------------------------------------------------------
// What validation found for each definition (status, reason, widths), keyed by the digest
// of the definition's pattern, so a recompile validates only new or changed patterns.
// One file per cache directory, rewritten after a compile that validated something new;
// it holds the entries of the latest compile only, so it does not grow without bound.
constexpr char kValidationMagic[8] = {'T', 'R', 'W', 'L', 'V', 'C', '0', '1'};

std::string DefinitionKey(const Definition& def) {
  return RecordKey({def.kind == PatternKind::kLiteral ? "L" : "R", def.expression,
                    std::to_string(def.flags)});
}

std::string ValidationFingerprint() {
  const EngineInfo& engine = GetEngineInfo();
  return StrCat(engine.name, " ", engine.version, "; pcre2 ", PCRE2_MAJOR, ".", PCRE2_MINOR);
}

std::unordered_map<std::string, RuleInfo> LoadValidationCache(const std::string& dir) {
  return ReadRecordCache<RuleInfo>(
      StrCat(dir, "/validation.bin"), std::string_view(kValidationMagic, 8),
      ValidationFingerprint(), [](ByteReader& r, RuleInfo* info) {
        const uint8_t status = r.U8();
        info->status = static_cast<RuleStatus>(std::min<uint8_t>(status, 2));
        info->min_width = r.U32();
        info->max_width = r.U32();
        info->reason = std::string(r.Str());
        return status <= 2;
      });
}

void StoreValidationCache(const std::string& dir, const std::vector<std::string>& keys,
                          const std::vector<RuleInfo>& infos) {
  WriteRecordCache(StrCat(dir, "/validation.bin"), std::string_view(kValidationMagic, 8),
                   ValidationFingerprint(), keys, [&infos](ByteWriter& w, size_t i) {
                     w.U8(static_cast<uint8_t>(infos[i].status));
                     w.U32(infos[i].min_width);
                     w.U32(infos[i].max_width);
                     w.Str(infos[i].reason);
                   });
}

// CompilePartition behind the cache. Partitions the engine had to split are not cached
// (their halves are named differently on every compile and are rare).
absl::Status CompilePartitionCached(const std::vector<Definition>& defs,
                                    std::vector<RuleInfo>& infos, std::mutex& infos_mutex,
                                    const hs_platform_info_t& platform,
                                    const std::string& cache_dir, PartitionJob* job,
                                    std::vector<PartitionJob>* overflow) {
  if (cache_dir.empty()) {
    return CompilePartition(defs, infos, infos_mutex, platform, job, overflow);
  }
  std::string key;
  {
    std::lock_guard lock(infos_mutex);  // statuses are read while other jobs write
    key = CacheKey(defs, infos, platform, *job);
  }
  const std::string path = StrCat(cache_dir, "/", key, ".hsdb");
  if (LoadCachedPartition(path, infos, infos_mutex, job)) return absl::OkStatus();
  const std::vector<uint32_t> requested = job->info.rules;
  const std::string name = job->info.name;
  absl::Status status = CompilePartition(defs, infos, infos_mutex, platform, job, overflow);
  if (status.ok() && job->db && overflow->empty() && job->info.name == name) {
    StoreCachedPartition(path, requested, infos, infos_mutex, *job);
  }
  return status;
}

// Appends one part rule per distinct pattern (kind, flags, bytes) of the composite rules
// and returns each composite's mapping. Parts are ordinary rules from here on: validated,
// planned and scanned like any other, each once however many composites use it.
std::vector<CompositeInfo> ExpandComposites(std::vector<Definition>* definitions) {
  std::vector<CompositeInfo> composites;
  std::unordered_map<std::string, uint32_t> parts;
  const size_t given = definitions->size();
  for (uint32_t i = 0; i < given; ++i) {
    if (!(*definitions)[i].composite()) continue;
    // Copies: push_back below may move the definitions.
    const std::shared_ptr<const RuleLogic> logic = (*definitions)[i].logic;
    const std::string owner = (*definitions)[i].id;
    CompositeInfo info;
    info.rule = i;
    for (const RulePattern& pattern : logic->patterns) {
      std::string key = StrCat(pattern.kind == PatternKind::kLiteral ? "L" : "R", pattern.flags,
                               ":", pattern.expression);
      auto [it, inserted] = parts.emplace(std::move(key), static_cast<uint32_t>(definitions->size()));
      if (inserted) {
        const Definition& owner_def = (*definitions)[i];
        Definition part;
        part.id = StrCat(owner, "$", pattern.name);
        part.kind = pattern.kind;
        part.expression = pattern.expression;
        part.flags = pattern.flags;
        part.category = owner_def.category;
        part.severity = owner_def.severity;
        part.chains = owner_def.chains;
        part.source = owner_def.source;
        part.description = StrCat("pattern $", pattern.name, " of ", owner);
        definitions->push_back(std::move(part));
      }
      info.pattern_rules.push_back(it->second);
    }
    composites.push_back(std::move(info));
  }
  return composites;
}

// A composite's own status: its condition parses and every pattern compiled.
void ValidateComposite(const Definition& def, const CompositeInfo& composite,
                       std::vector<RuleInfo>& infos) {
  RuleInfo& info = infos[composite.rule];
  info.min_width = info.max_width = 0;
  std::vector<std::string> names;
  for (const RulePattern& p : def.logic->patterns) names.push_back(p.name);
  auto condition = ParseCondition(def.logic->condition, names);
  if (!condition.ok()) {
    info.status = RuleStatus::kRejected;
    info.reason = std::string(condition.status().message());
    return;
  }
  for (size_t p = 0; p < composite.pattern_rules.size(); ++p) {
    const RuleInfo& part = infos[composite.pattern_rules[p]];
    if (part.status == RuleStatus::kRejected) {
      info.status = RuleStatus::kRejected;
      info.reason = StrCat("pattern $", def.logic->patterns[p].name, ": ", part.reason);
      return;
    }
  }
  info.status = RuleStatus::kComposite;
  info.reason = StrCat("composite of ", names.size(), " patterns: ",
                       def.logic->condition.empty() ? "all of them" : def.logic->condition);
}

}  // namespace

std::vector<uint32_t> CompositeAnchors(const RuleLogic& logic,
                                       const std::vector<double>& pattern_cost) {
  std::vector<std::string> names;
  for (const RulePattern& p : logic.patterns) names.push_back(p.name);
  auto condition = ParseCondition(logic.condition, names);
  if (!condition.ok()) return {};
  std::vector<double> cost = pattern_cost;
  cost.resize(logic.patterns.size(), 1.0);
  for (size_t p = 0; p < logic.patterns.size(); ++p) {
    // A negated pattern's occurrence never makes a sequence hold.
    if (logic.patterns[p].negated) cost[p] = std::numeric_limits<double>::infinity();
  }
  return CheapestCover(*condition, cost).value_or(std::vector<uint32_t>{});
}

namespace {

// The anchors of `composite` (CompositeAnchors, every pattern costing alike) when the
// parts `unscanned` names cannot be among them, and those `never` names
// (RegexCanNeverMatch) are known to have no occurrence.
std::vector<uint32_t> AnchorsWithout(const Definition& def, const CompositeInfo& composite,
                                     absl::FunctionRef<bool(uint32_t)> unscanned,
                                     const std::vector<uint8_t>& never) {
  std::vector<double> cost;
  for (uint32_t part : composite.pattern_rules) {
    cost.push_back(never[part]        ? kNeverOccurs
                   : unscanned(part) ? std::numeric_limits<double>::infinity()
                                     : 1.0);
  }
  return CompositeAnchors(*def.logic, cost);
}

}  // namespace

// RegexCanNeverMatch's one shape: at the pattern's top level (outside groups and
// classes, with no top-level alternative) the end-of-subject assertion \z is followed by
// an item that must consume a byte. YARA's `$` is the end of the data (the importer writes
// \z), and signature-base's /$[a-z]=new-object .../ (a PowerShell variable) is such a
// string: yara compiles it, it never matches, and its rule fires on its other strings.
// The engine rejects it ("Embedded end anchors"). Conservative: anything it does not
// read (a group after the \z, a back-reference, an escape SkipRegexEscape does not
// follow, extended mode) is "may match".
bool RegexCanNeverMatch(std::string_view re) {
  bool after_end = false;  // a top-level \z, and nothing but zero-width items since
  bool proved = false;     // a mandatory item after it: never, unless an alternative follows
  int depth = 0;
  for (size_t i = 0; i < re.size();) {
    const char c = re[i];
    size_t next = i + 1;
    bool consumes = false;  // a top-level item that must consume a byte, unquantified
    if (c == '\\') {
      next = SkipRegexEscape(re, i);
      if (next == std::string_view::npos) return false;
      const char e = re[i + 1];
      if (depth == 0) {
        if (e == 'z') {
          after_end = true;
          i = next;
          continue;
        }
        if (std::strchr("bBAZGK", e) != nullptr) {
          i = next;  // zero-width: \z still holds after it
          continue;
        }
        if (std::isdigit(static_cast<unsigned char>(e))) {
          after_end = false;  // a back-reference may be empty
          i = next;
          continue;
        }
        consumes = true;
      }
    } else if (c == '[') {
      next = SkipRegexClass(re, i);
      if (next == std::string_view::npos) return false;
      consumes = depth == 0;
    } else if (c == '(') {
      if (re.substr(i, 2) == "(?") {
        const size_t end = re.find_first_of(":)", i + 2);
        if (end == std::string_view::npos || re.substr(i + 2, end - i - 2).find('x') != std::string_view::npos ||
            re.substr(i, 3) == "(?#") {
          return false;
        }
      }
      if (re.substr(i, 2) == "(*") return false;
      if (depth == 0) after_end = false;
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return false;
    } else if (c == '|') {
      if (depth == 0) return false;
    } else if (depth == 0 && (c == '^' || c == '$')) {
      i = next;
      continue;
    } else if (depth == 0 && (c == '*' || c == '+' || c == '?' || c == '{')) {
      after_end = false;  // a quantified zero-width item, or a quantifier not read here
    } else {
      consumes = depth == 0;
    }
    if (consumes && after_end) {
      // The item must occur at least once, unless a quantifier allows none: then, at the
      // end of the data, it occurred none, and the end still holds after it.
      const char q = next < re.size() ? re[next] : '\0';
      if (q == '*' || q == '?') {
        ++next;
      } else if (q == '{') {
        const size_t close = re.find('}', next);
        const std::string_view counts =
            close == std::string_view::npos ? "" : re.substr(next + 1, close - next - 1);
        if (counts.empty() || counts.find_first_not_of("0123456789,") != std::string_view::npos ||
            counts[0] == ',') {
          after_end = false;  // a brace PCRE2 may read as literal text: not decided here
        } else if (counts[0] != '0') {
          proved = true;
        } else {
          next = close + 1;
        }
      } else {
        proved = true;
      }
      if (next < re.size() && (re[next] == '?' || re[next] == '+')) ++next;  // lazy, possessive
    } else if (consumes) {
      after_end = false;
    }
    i = next;
  }
  return proved;
}

absl::StatusOr<std::pair<uint32_t, uint32_t>> RegexWidths(const Definition& def) {
  hs_expr_info_t* raw_info = nullptr;
  hs_compile_error_t* raw_error = nullptr;
  const hs_error_t rc =
      hs_expression_info(def.expression.c_str(), internal::HsFlags(def), &raw_info, &raw_error);
  std::unique_ptr<hs_expr_info_t, HsExprInfoDeleter> info(raw_info);
  HsCompileErrorPtr error(raw_error);
  if (EngineOutOfMemory(rc, error.get())) return OutOfMemory("engine");
  if (rc != HS_SUCCESS) {
    return absl::InvalidArgumentError(StrCat("engine: ", error ? error->message : "error"));
  }
  return std::make_pair(info->min_width,
                        info->max_width == UINT_MAX ? kUnboundedWidth : info->max_width);
}

std::optional<ByteSet> MatchFirstBytes(const Definition& def) {
  if (def.kind != PatternKind::kRegex) return std::nullopt;
  auto code = internal::CompilePcre2(def, /*for_confirmation=*/true);
  uint32_t match_empty = 1;
  if (!code.ok() || pcre2_pattern_info(code->get(), PCRE2_INFO_MATCHEMPTY, &match_empty) != 0 ||
      match_empty != 0) {
    return std::nullopt;
  }
  return internal::FirstBytesOf(code->get());
}

uint64_t CountSampleMatches(const Definition& def, std::string_view sample, uint64_t limit) {
  auto code = internal::CompilePcre2(def, /*for_confirmation=*/false);
  if (!code.ok()) return 0;
  std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)> md(
      pcre2_match_data_create(1, nullptr), &pcre2_match_data_free);
  std::unique_ptr<pcre2_match_context, decltype(&pcre2_match_context_free)> mc(
      pcre2_match_context_create(nullptr), &pcre2_match_context_free);
  if (!md || !mc) return 0;
  pcre2_set_match_limit(mc.get(), 100000);
  uint64_t count = 0;
  for (PCRE2_SIZE pos = 0; pos < sample.size() && count < limit;) {
    const int rc = pcre2_match(code->get(), reinterpret_cast<PCRE2_SPTR>(sample.data()),
                               sample.size(), pos, 0, md.get(), mc.get());
    if (rc < 0) break;
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    ++count;
    pos = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
  }
  return count;
}

void ParallelFor(size_t count, int threads, const std::function<void(size_t)>& fn) {
  size_t n = threads > 0 ? static_cast<size_t>(threads)
                         : AvailableCpus();
  n = std::min(n, count);
  if (n <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  // An exception may not leave a thread (that ends the process): the first one stops the
  // work and is rethrown to the caller, after every thread has joined.
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const auto work = [&] {
    try {
      for (size_t i; (i = next.fetch_add(1)) < count;) fn(i);
    } catch (...) {
      std::lock_guard lock(failure_mutex);
      if (!failure) failure = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> workers;
  try {
    workers.reserve(n - 1);
    for (size_t t = 1; t < n; ++t) workers.emplace_back(work);
  } catch (...) {
    // No more threads (out of memory or thread limits): the ones started and this one
    // finish the work.
  }
  work();  // the calling thread is one of the n
  for (auto& w : workers) w.join();
  if (failure) std::rethrow_exception(failure);
}

namespace {

absl::StatusOr<std::shared_ptr<const Database>> Compile(std::vector<Definition> definitions,
                                                        const CompileOptions& options) {
  if (definitions.size() > UINT32_MAX / 4) return absl::InvalidArgumentError("too many definitions");
  std::vector<CompositeInfo> composites = ExpandComposites(&definitions);
  const size_t count = definitions.size();
  std::vector<RuleInfo> infos(count);
  std::atomic<size_t> validated{0};
  // Partition compiles fail late on a directory they cannot write, so check it first.
  if (!options.cache_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.cache_dir, ec);
    if (ec) {
      return CodedError(ErrorCode::kIo, StrCat("cannot create compile cache directory ",
                                               options.cache_dir, ": ", ec.message()));
    }
  }
  const bool use_cache = !options.cache_dir.empty();
  const auto known = use_cache ? LoadValidationCache(options.cache_dir)
                               : std::unordered_map<std::string, RuleInfo>{};
  std::vector<std::string> keys(use_cache ? count : 0);
  std::atomic<size_t> fresh{0};
  std::mutex validation_mutex;
  absl::Status validation;  // the first failure (memory), if any
  ParallelFor(count, options.threads, [&](size_t i) {
    bool cached = false;
    if (use_cache) {
      keys[i] = DefinitionKey(definitions[i]);
      if (auto it = known.find(keys[i]); it != known.end()) {
        infos[i] = it->second;
        cached = true;
      }
    }
    if (definitions[i].composite()) {
      // Validated below, once its parts are.
    } else if (!cached) {
      if (absl::Status status = ValidateDefinition(definitions[i], &infos[i]); !status.ok()) {
        std::lock_guard lock(validation_mutex);
        validation.Update(status);
      }
      fresh.fetch_add(1);
    }
    const size_t done = validated.fetch_add(1) + 1;
    if (options.progress && (done % 1024 == 0 || done == count)) {
      options.progress("validate", done, count);
    }
  });
  if (!validation.ok()) return validation;

  if (use_cache && (fresh > 0 || known.size() != count)) {
    StoreValidationCache(options.cache_dir, keys, infos);
  }
  if (options.token_pass) {
    for (size_t i = 0; i < count; ++i) {
      const TokenSpec& spec = definitions[i].token;
      if (spec.empty()) continue;
      RuleInfo& info = infos[i];
      if (absl::Status checked = tokens::CheckTokenSpec(spec); !checked.ok()) {
        info.status = RuleStatus::kRejected;
        info.reason = StrCat("token: ", checked.message());
        continue;
      }
      if (tokens::ShapeAnchorsRegex(*tokens::ShapeFromName(spec.shape))) {
        // The span is where a match may start; the regex, anchored there, is the match:
        // it must compile, and start at a word boundary (the span is a whole word).
        if (!EngineScans(info.status) || definitions[i].kind != PatternKind::kRegex ||
            !definitions[i].expression.starts_with("\\b")) {
          info.status = RuleStatus::kRejected;
          info.reason = StrCat("token: shape ", spec.shape,
                               " needs a regex that compiles and starts with \\b");
          continue;
        }
        info.status = RuleStatus::kToken;
        info.reason = StrCat("token pass: shape ", spec.shape, ", then the regex");
        continue;  // its widths stay the regex's: rounds keep context for the whole match
      }
      // The regex is the reference only: a token rule whose regex the engine rejects
      // still works.
      info.status = RuleStatus::kToken;
      info.reason = StrCat("token pass: shape ", spec.shape);
      info.min_width = 1;
      info.max_width = static_cast<uint32_t>(tokens::kMaxSpanBytes);
    }
  }

  // A composite's pattern that the engine cannot take but PCRE2 can (an embedded anchor,
  // a length past the engine's limit) is searched as a confirm-only one, where the rule's
  // scanned patterns matched, instead of losing the whole rule; ValidateDefinition asks the
  // engine only after PCRE2 accepted the pattern. Only when the rule's other patterns can
  // trigger it: a rule such a pattern alone could satisfy would have to search it over
  // every component (and every decoded layer of one), which is the cost the engine was
  // there to avoid, so it stays rejected.
  auto engine_cannot_take = [&](uint32_t part) {
    return infos[part].status == RuleStatus::kRejected && infos[part].reason.starts_with("engine: ");
  };
  // Such a pattern that can never match triggers nothing and is never needed: its rule
  // holds or not on its other patterns, as yara reads it.
  std::vector<uint8_t> never_part(count, 0);
  for (const CompositeInfo& composite : composites) {
    for (uint32_t part : composite.pattern_rules) {
      if (engine_cannot_take(part) && definitions[part].kind == PatternKind::kRegex &&
          RegexCanNeverMatch(definitions[part].expression)) {
        never_part[part] = 1;
      }
    }
  }
  std::vector<uint8_t> searched_part(count, 0);
  // Per composite: why it stays rejected (one of its patterns the engine cannot take, and
  // nothing else to trigger a search for it), or empty.
  std::vector<std::string> untriggered(composites.size());
  for (size_t c = 0; c < composites.size(); ++c) {
    const CompositeInfo& composite = composites[c];
    const auto parts_begin = composite.pattern_rules.begin();
    const auto parts_end = composite.pattern_rules.end();
    // The pattern to name: one that could be searched, else one that can never match.
    auto it = std::find_if(parts_begin, parts_end,
                           [&](uint32_t part) { return engine_cannot_take(part) && !never_part[part]; });
    if (it == parts_end) it = std::find_if(parts_begin, parts_end, engine_cannot_take);
    if (it == parts_end) continue;
    if (AnchorsWithout(definitions[composite.rule], composite, engine_cannot_take, never_part)
            .empty()) {
      const size_t p = static_cast<size_t>(it - parts_begin);
      untriggered[c] =
          StrCat("pattern $", definitions[composite.rule].logic->patterns[p].name, ": ",
                 infos[*it].reason,
                 never_part[*it] ? " It can never match (the end of the data, then more text), "
                                   "and the rule cannot hold without it."
                                 : " (no other pattern of the rule can trigger a search for it)");
      continue;
    }
    for (uint32_t part : composite.pattern_rules) {
      if (engine_cannot_take(part)) searched_part[part] = 1;
    }
  }
  for (uint32_t part = 0; part < count; ++part) {
    if (!searched_part[part]) continue;
    RuleInfo& info = infos[part];
    info.status = RuleStatus::kConfirmOnly;
    info.reason = StrCat(absl::StripSuffix(info.reason, "."),
                         never_part[part] ? "; can never match (the end of the data, then "
                                            "more text), so its rule holds on its other patterns"
                                          : "",
                         "; searched by PCRE2 only where its rule's scanned patterns matched");
    info.min_width = 1;
    info.max_width = kUnboundedWidth;
  }
  for (size_t c = 0; c < composites.size(); ++c) {
    ValidateComposite(definitions[composites[c].rule], composites[c], infos);
    RuleInfo& info = infos[composites[c].rule];
    // Rejected for that pattern, or accepted because another rule made it a searched one.
    if (!untriggered[c].empty() &&
        (info.status == RuleStatus::kComposite || untriggered[c].starts_with(info.reason))) {
      info.status = RuleStatus::kRejected;
      info.reason = std::move(untriggered[c]);
    }
  }
  // Filters compile with PCRE2 too; a rule whose allow-list or path regex does not is
  // rejected rather than silently unfiltered.
  for (size_t i = 0; i < count; ++i) {
    const RuleLogic* logic = definitions[i].logic.get();
    if (logic == nullptr || infos[i].status == RuleStatus::kRejected) continue;
    auto check = [&](const std::vector<std::string>& regexes, std::string_view what) {
      for (const std::string& regex : regexes) {
        auto code = internal::CompileFilterRegex(regex);
        if (!code.ok()) {
          infos[i].status = RuleStatus::kRejected;
          infos[i].reason = StrCat(what, " regex '", regex, "': ", code.status().message());
          return false;
        }
      }
      return true;
    };
    bool ok = check(logic->paths, "path");
    for (const AllowList& allow : logic->allow) {
      ok = ok && check(allow.regexes, "allow-list") && check(allow.paths, "allow-list path");
    }
  }
  // Without a planner every pattern is scanned, and a composite is evaluated when one of
  // its fewest patterns the condition needs matched.
  for (CompositeInfo& composite : composites) {
    if (infos[composite.rule].status != RuleStatus::kComposite) continue;
    composite.anchors = AnchorsWithout(
        definitions[composite.rule], composite,
        [&](uint32_t part) { return infos[part].status == RuleStatus::kConfirmOnly; }, never_part);
  }

  // Partition: explicit requests first, then the planner's, then the default policy.
  std::vector<PartitionRequest> requests = options.partitions;
  if (options.planner) {
    PlannedLayout layout = options.planner(definitions, infos, composites, options);
    for (auto& request : layout.partitions) requests.push_back(std::move(request));
    for (size_t c = 0; c < composites.size() && c < layout.anchors.size(); ++c) {
      if (!layout.anchors[c].empty()) composites[c].anchors = std::move(layout.anchors[c]);
    }
    // A part stays scanned when some composite is triggered by it.
    std::vector<uint8_t> anchor(count, 0);
    for (const CompositeInfo& composite : composites) {
      for (uint32_t p : composite.anchors) anchor[composite.pattern_rules[p]] = 1;
    }
    std::vector<uint8_t> is_part(count, 0);
    for (const CompositeInfo& composite : composites) {
      for (uint32_t part : composite.pattern_rules) is_part[part] = 1;
    }
    for (uint32_t part : layout.confirm_only) {
      if (part >= count || !is_part[part] || anchor[part] || !EngineScans(infos[part].status)) {
        continue;
      }
      infos[part].status = RuleStatus::kConfirmOnly;
      infos[part].reason = "searched only where its rule's scanned patterns matched";
    }
  }
  std::vector<PartitionJob> jobs;
  std::vector<uint8_t> placed(count, 0);
  for (const PartitionRequest& request : requests) {
    PartitionJob job;
    job.info.kind = request.kind;
    job.info.name = request.name;
    const bool gate = request.kind == PartitionKind::kGate;
    if (gate && request.atoms.size() != request.rules.size()) {
      return absl::InvalidArgumentError(StrCat("gate partition ", request.name,
                                               ": atoms must parallel rules"));
    }
    for (size_t k = 0; k < request.rules.size(); ++k) {
      const uint32_t rule = request.rules[k];
      if (rule >= count || placed[rule] || !EngineScans(infos[rule].status)) continue;
      const Definition& def = definitions[rule];
      if (request.kind == PartitionKind::kLiteral && def.kind != PatternKind::kLiteral) continue;
      if (gate) {
        const auto& atoms = request.atoms[k];
        const bool usable = def.kind == PatternKind::kRegex && !atoms.empty() &&
                            std::all_of(atoms.begin(), atoms.end(), [](const std::string& a) {
                              return !a.empty() && a.find('\0') == std::string::npos;
                            });
        if (!usable) continue;
        const uint32_t rule_window = std::min(infos[rule].max_width, options.max_window);
        const uint32_t window = k < request.gate_windows.size() && request.gate_windows[k] > 0
                                    ? std::min(request.gate_windows[k], rule_window)
                                    : rule_window;
        // The planner checked the follow sequence against the window it asked for
        // (GateSpec::follow_width); a window lowered here drops the sequence.
        uint32_t follow = PartitionInfo::kNoFollow;
        if (k < request.gate_follow.size() && !request.gate_follow[k].empty() &&
            k < request.gate_windows.size() && request.gate_windows[k] == window) {
          follow = static_cast<uint32_t>(job.info.follow_sets.size());
          job.info.follow_sets.push_back(request.gate_follow[k]);
        }
        for (const std::string& atom : atoms) {
          job.info.rules.push_back(rule);
          job.info.atoms.push_back(atom);
          job.info.gate_windows.push_back(window);
          job.info.gate_follow.push_back(follow);
        }
        placed[rule] = 1;
        continue;
      }
      placed[rule] = 1;
      job.info.rules.push_back(rule);
    }
    if (!job.info.rules.empty()) jobs.push_back(std::move(job));
  }
  PartitionJob literals;
  literals.info.kind = PartitionKind::kLiteral;
  literals.info.name = "literals";
  std::vector<uint32_t> regexes;
  for (uint32_t i = 0; i < count; ++i) {
    if (placed[i] || !EngineScans(infos[i].status)) continue;
    const Definition& def = definitions[i];
    if (def.kind == PatternKind::kLiteral) {
      literals.info.rules.push_back(i);
    } else {
      regexes.push_back(i);
    }
  }
  if (!literals.info.rules.empty()) jobs.push_back(std::move(literals));
  const size_t hw = options.threads > 0 ? static_cast<size_t>(options.threads)
                                        : AvailableCpus();
  size_t chunk = options.max_regexes_per_partition;
  if (chunk == 0) chunk = std::max<size_t>(500, (regexes.size() + 4 * hw - 1) / (4 * hw));
  for (size_t begin = 0; begin < regexes.size(); begin += chunk) {
    PartitionJob job;
    job.info.kind = PartitionKind::kRegex;
    job.info.name = StrCat("regex", begin / chunk);
    const size_t end = std::min(regexes.size(), begin + chunk);
    job.info.rules.assign(regexes.begin() + static_cast<long>(begin),
                          regexes.begin() + static_cast<long>(end));
    jobs.push_back(std::move(job));
  }

  // Compile partitions in parallel; a split adds new jobs, compiled in a further round.
  const hs_platform_info_t platform = PlatformFor(options.target);
  std::mutex infos_mutex;
  std::vector<PartitionJob> done_jobs;
  std::atomic<size_t> compiled{0};
  while (!jobs.empty()) {
    std::vector<std::vector<PartitionJob>> overflow(jobs.size());
    std::vector<absl::Status> statuses(jobs.size());
    // Biggest first, so the longest compile starts early.
    std::stable_sort(jobs.begin(), jobs.end(), [](const PartitionJob& a, const PartitionJob& b) {
      return a.info.rules.size() > b.info.rules.size();
    });
    const size_t total = jobs.size();
    ParallelFor(jobs.size(), options.threads, [&](size_t i) {
      statuses[i] = CompilePartitionCached(definitions, infos, infos_mutex, platform,
                                           options.cache_dir, &jobs[i], &overflow[i]);
      if (options.progress) options.progress("compile", compiled.fetch_add(1) + 1, total);
    });
    for (const auto& status : statuses) {
      if (!status.ok()) return status;
    }
    std::vector<PartitionJob> next;
    for (size_t i = 0; i < jobs.size(); ++i) {
      if (jobs[i].db) done_jobs.push_back(std::move(jobs[i]));
      for (auto& extra : overflow[i]) next.push_back(std::move(extra));
    }
    jobs = std::move(next);
    compiled = 0;
  }
  // Deterministic partition order: by name.
  std::sort(done_jobs.begin(), done_jobs.end(), [](const PartitionJob& a, const PartitionJob& b) {
    return a.info.name < b.info.name;
  });

  auto parts = std::make_unique<internal::EngineParts>();
  std::vector<PartitionInfo> partitions;
  for (auto& job : done_jobs) {
    for (uint32_t rule : job.info.rules) {
      infos[rule].partition = static_cast<int32_t>(partitions.size());
    }
    partitions.push_back(std::move(job.info));
    parts->databases.push_back(std::move(job.db));
  }
  for (RuleInfo& info : infos) {
    if (EngineScans(info.status) && info.partition < 0) {
      info.status = RuleStatus::kRejected;  // defensive: never claim a rule is scanned if not
      info.reason = "internal: rule was not placed in any partition";
    }
  }
  auto db = std::make_shared<Database>(std::move(definitions), std::move(infos),
                                       std::move(partitions), std::move(parts), options.max_window,
                                       nullptr, std::move(composites));
  db->set_indicators(options.indicators);
  return std::shared_ptr<const Database>(std::move(db));
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Database>> CompileDatabase(std::vector<Definition> definitions,
                                                                const CompileOptions& options) {
  auto db = Compile(std::move(definitions), options);
  // Out of memory stays kNoMemory and a cache directory error kIo; the rest is the compile's.
  if (db.ok() || CodeOf(db.status()) ||
      db.status().code() == absl::StatusCode::kResourceExhausted) {
    return db;
  }
  return WithCode(db.status(), ErrorCode::kCompile);
}

}  // namespace trawl
