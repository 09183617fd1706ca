// File: compiler.cc
#include "engine/compiler.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "util/strings.h"
#include "engine/internal/engine_parts.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

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

// Literals that start with NUL are rejected by hs_compile_lit_multi ("empty string");
// the same bytes compile fine as an escaped regex, so such literals go to a regex
// partition and keep their literal semantics (span = length) at scan time.
bool LiteralNeedsRegexForm(const Definition& def) {
  return def.kind == PatternKind::kLiteral && !def.expression.empty() && def.expression[0] == '\0';
}

std::string EscapedRegexForLiteral(std::string_view bytes) {
  std::string out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.append("\\x");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

// Checks one definition on its own and fills its RuleInfo.
void ValidateDefinition(const Definition& def, RuleInfo* info) {
  if (def.expression.empty()) {
    info->status = RuleStatus::kRejected;
    info->reason = "empty pattern";
    return;
  }
  if (def.kind == PatternKind::kLiteral) {
    info->status = RuleStatus::kCompiled;
    info->min_width = info->max_width = static_cast<uint32_t>(
        std::min<size_t>(def.expression.size(), kUnboundedWidth - 1));
    return;
  }
  // PCRE2 recovers spans and captures, so it must accept the pattern too.
  if (auto code = internal::CompilePcre2(def, /*for_confirmation=*/false); !code.ok()) {
    info->status = RuleStatus::kRejected;
    info->reason = std::string(code.status().message());
    return;
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
    if (rc == HS_SUCCESS) {
      if (expr_info->min_width == 0) {
        info->status = RuleStatus::kRejected;
        info->reason = "pattern can match an empty string";
        return;
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
      return;
    }
    engine_error = error ? error->message : "unknown engine error";
    if (prefilter) break;
  }
  info->status = RuleStatus::kRejected;
  info->reason = StrCat("engine: ", engine_error);
}

struct PartitionJob {
  PartitionInfo info;
  HsDatabasePtr db;
};

// Compiles one partition. Patterns the engine rejects inside a multi-pattern compile are
// marked rejected and the rest retried; a set too large for one database is split.
absl::Status CompilePartition(const std::vector<Definition>& defs, std::vector<RuleInfo>& infos,
                              std::mutex& infos_mutex, const hs_platform_info_t& platform,
                              PartitionJob* job, std::vector<PartitionJob>* overflow) {
  std::vector<uint32_t> rules = job->info.rules;
  while (!rules.empty()) {
    std::vector<std::string> regex_forms;
    std::vector<const char*> expressions;
    std::vector<unsigned> flags, ids;
    std::vector<size_t> lengths;
    regex_forms.reserve(rules.size());
    for (uint32_t i = 0; i < rules.size(); ++i) {
      const Definition& def = defs[rules[i]];
      unsigned f = internal::HsFlags(def);
      if (job->info.kind == PartitionKind::kLiteral) {
        expressions.push_back(def.expression.data());
        lengths.push_back(def.expression.size());
      } else {
        regex_forms.push_back(LiteralNeedsRegexForm(def) ? EscapedRegexForLiteral(def.expression)
                                                         : def.expression);
        if (infos[rules[i]].status == RuleStatus::kPrefiltered) f |= HS_FLAG_PREFILTER;
      }
      flags.push_back(f);
      ids.push_back(i);
    }
    if (job->info.kind == PartitionKind::kRegex) {
      for (const auto& s : regex_forms) expressions.push_back(s.c_str());
    }
    hs_database_t* raw_db = nullptr;
    hs_compile_error_t* raw_error = nullptr;
    hs_error_t rc;
    if (job->info.kind == PartitionKind::kLiteral) {
      rc = hs_compile_lit_multi(expressions.data(), flags.data(), ids.data(), lengths.data(),
                                static_cast<unsigned>(rules.size()), HS_MODE_BLOCK, &platform,
                                &raw_db, &raw_error);
    } else {
      rc = hs_compile_ext_multi(expressions.data(), flags.data(), ids.data(), nullptr,
                                static_cast<unsigned>(rules.size()), HS_MODE_BLOCK, &platform,
                                &raw_db, &raw_error);
    }
    HsCompileErrorPtr error(raw_error);
    if (rc == HS_SUCCESS) {
      job->db.reset(raw_db);
      job->info.rules = rules;
      size_t size = 0;
      hs_database_size(raw_db, &size);
      job->info.bytes = size;
      return absl::OkStatus();
    }
    if (rc == HS_NOMEM) return absl::ResourceExhaustedError("engine: out of memory compiling");
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

}  // namespace

void ParallelFor(size_t count, int threads, const std::function<void(size_t)>& fn) {
  size_t n = threads > 0 ? static_cast<size_t>(threads)
                         : std::max<size_t>(1, std::thread::hardware_concurrency());
  n = std::min(n, count);
  if (n <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  for (size_t t = 0; t < n; ++t) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < count;) fn(i);
    });
  }
  for (auto& w : workers) w.join();
}

absl::StatusOr<std::shared_ptr<const Database>> CompileDatabase(std::vector<Definition> definitions,
                                                                const CompileOptions& options) {
  const size_t count = definitions.size();
  if (count > UINT32_MAX / 2) return absl::InvalidArgumentError("too many definitions");
  std::vector<RuleInfo> infos(count);
  std::atomic<size_t> validated{0};
  ParallelFor(count, options.threads, [&](size_t i) {
    ValidateDefinition(definitions[i], &infos[i]);
    const size_t done = validated.fetch_add(1) + 1;
    if (options.progress && (done % 1024 == 0 || done == count)) {
      options.progress("validate", done, count);
    }
  });

  // Partition: explicit requests first, then the default policy for the rest.
  std::vector<PartitionJob> jobs;
  std::vector<uint8_t> placed(count, 0);
  for (const PartitionRequest& request : options.partitions) {
    PartitionJob job;
    job.info.kind = request.kind;
    job.info.name = request.name;
    for (uint32_t rule : request.rules) {
      if (rule >= count || placed[rule] || infos[rule].status == RuleStatus::kRejected) continue;
      const Definition& def = definitions[rule];
      const bool literal_ok = def.kind == PatternKind::kLiteral && !LiteralNeedsRegexForm(def);
      if (request.kind == PartitionKind::kLiteral && !literal_ok) continue;
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
    if (placed[i] || infos[i].status == RuleStatus::kRejected) continue;
    const Definition& def = definitions[i];
    if (def.kind == PatternKind::kLiteral && !LiteralNeedsRegexForm(def)) {
      literals.info.rules.push_back(i);
    } else {
      regexes.push_back(i);
    }
  }
  if (!literals.info.rules.empty()) jobs.push_back(std::move(literals));
  const size_t hw = options.threads > 0 ? static_cast<size_t>(options.threads)
                                        : std::max<size_t>(1, std::thread::hardware_concurrency());
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
      statuses[i] = CompilePartition(definitions, infos, infos_mutex, platform, &jobs[i],
                                     &overflow[i]);
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
    if (info.status != RuleStatus::kRejected && info.partition < 0) {
      info.status = RuleStatus::kRejected;  // defensive: never claim a rule is scanned if not
      info.reason = "internal: rule was not placed in any partition";
    }
  }
  return std::shared_ptr<const Database>(std::make_shared<Database>(
      std::move(definitions), std::move(infos), std::move(partitions), std::move(parts),
      options.max_window));
}

}  // namespace trawl
