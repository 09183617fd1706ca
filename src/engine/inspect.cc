// File: inspect.cc
#include "engine/inspect.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <thread>

#include "engine/artifact.h"
#include "engine/engine_info.h"
#include "engine/indicator_update.h"
#include "engine/internal/engine_parts.h"
#include "engine/scanner.h"
#include "tokens/kernels.h"
#include "trawl/trawl_version.h"
#include "util/cpu_count.h"
#include "util/cpu_time.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {

std::string BuildInfoJson() {
  const EngineInfo& engine = GetEngineInfo();
  const KnownAnswerResult& kat = EngineKnownAnswer();
  char pcre2_version[64] = {0};
  pcre2_config(PCRE2_CONFIG_VERSION, pcre2_version);
  uint32_t jit = 0;
  pcre2_config(PCRE2_CONFIG_JIT, &jit);
  JsonWriter w;
  w.BeginObject()
      .Field("trawl_version", TRAWL_VERSION_STRING)
      .Field("engine", engine.name)
      .Field("engine_version", engine.version)
      .Field("engine_platform_supported", engine.platform_supported)
      .Field("cpu_features", engine.cpu_features)
      .Field("pcre2_version", std::string_view(pcre2_version))
      .Field("pcre2_jit", jit != 0)
      .Field("token_kernel", tokens::SelectedKernel().name);
  w.Key("known_answer_test")
      .BeginObject()
      .Field("passed", kat.passed)
      .Field("checks", int64_t{kat.checks})
      .Field("failures", int64_t{kat.failures})
      .Field("detail", kat.detail)
      .EndObject();
  w.EndObject();
  return w.Take();
}

std::string DescribeDatabaseJson(const Database& db, bool include_rules) {
  JsonWriter w(2);
  w.BeginObject();
  w.Key("engine").Raw(BuildInfoJson());
  w.Field("definitions_digest", ToHex(db.definitions_digest()));
  w.Field("max_window", uint64_t{db.max_window()});
  w.Field("overlap", uint64_t{db.overlap()});
  w.Key("rules")
      .BeginObject()
      .Field("total", uint64_t{db.rule_count()})
      .Field("compiled", uint64_t{db.CountWithStatus(RuleStatus::kCompiled)})
      .Field("prefiltered", uint64_t{db.CountWithStatus(RuleStatus::kPrefiltered)})
      .Field("rejected", uint64_t{db.CountWithStatus(RuleStatus::kRejected)})
      .Field("token", uint64_t{db.CountWithStatus(RuleStatus::kToken)})
      .EndObject();
  w.Field("engine_bytes", uint64_t{db.engine_bytes()});
  w.Key("partitions").BeginArray();
  for (const PartitionInfo& p : db.partitions()) {
    w.BeginObject()
        .Field("name", p.name)
        .Field("kind", PartitionKindName(p.kind))
        .Field("rules", uint64_t{p.rules.size()})
        .Field("bytes", uint64_t{p.bytes})
        .EndObject();
  }
  w.EndArray();
  if (db.indicators() != nullptr) {
    w.Key("indicators");
    WriteIndicatorSummary(w, *db.indicators());
  }
  if (include_rules) {
    w.Key("rule_status").BeginArray();
    for (size_t i = 0; i < db.rule_count(); ++i) {
      const RuleInfo& info = db.rule_info()[i];
      w.BeginObject().Field("id", db.definition(i).id).Field("status", RuleStatusName(info.status));
      if (!info.reason.empty()) w.Field("reason", info.reason);
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
  return w.Take();
}

absl::StatusOr<std::string> ProfileScanJson(const std::shared_ptr<const Database>& db,
                                            std::string_view input, size_t top,
                                            const RuleExplainer& explain) {
  auto scanner = Scanner::Create(db);
  if (!scanner.ok()) return scanner.status();
  ScanProfile profile;
  ScanLimits limits;
  limits.max_matches = 0;
  limits.max_matches_per_rule = 0;
  limits.profile = &profile;
  uint64_t matches = 0;
  const absl::Time start = absl::Now();
  auto summary = (*scanner)->Scan(input, limits, [&](const Match&) {
    ++matches;
    return true;
  });
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!summary.ok()) return summary.status();
  uint64_t engine_ns = 0, confirm_ns = 0;
  for (uint64_t ns : profile.partition_ns) engine_ns += ns;
  for (const auto& r : profile.rules) confirm_ns += r.confirm_ns;
  confirm_ns -= profile.composite_ns;  // charged to composite rules, but outside the engine
  JsonWriter w(2);
  w.BeginObject();
  w.Field("input_bytes", uint64_t{input.size()});
  w.Field("seconds", seconds);
  w.Field("mb_per_second", seconds > 0 ? static_cast<double>(input.size()) / 1e6 / seconds : 0.0);
  w.Field("matches", matches);
  // Engine time includes the callbacks, so confirmation time is a part of it.
  w.Field("engine_seconds", static_cast<double>(engine_ns) / 1e9);
  w.Field("confirm_seconds", static_cast<double>(confirm_ns) / 1e9);
  // After the scan, outside the engine; a composite rule's share is its confirm_seconds.
  w.Field("composite_seconds", static_cast<double>(profile.composite_ns) / 1e9);
  w.Key("partitions").BeginArray();
  for (size_t p = 0; p < db->partitions().size(); ++p) {
    const PartitionInfo& part = db->partitions()[p];
    uint64_t part_confirm = 0, part_matches = 0;
    std::vector<uint32_t> rules = part.rules;  // a gate lists a rule once per atom
    std::sort(rules.begin(), rules.end());
    rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
    for (uint32_t rule : rules) {
      part_confirm += profile.rules[rule].confirm_ns;
      part_matches += profile.rules[rule].matches;
    }
    const double secs = static_cast<double>(profile.partition_ns[p]) / 1e9;
    w.BeginObject().Field("name", part.name).Field("kind", PartitionKindName(part.kind));
    w.Field("rules", uint64_t{rules.size()}).Field("matches", part_matches);
    w.Field("seconds", secs).Field("confirm_seconds", static_cast<double>(part_confirm) / 1e9);
    w.Field("mb_per_second", secs > 0 ? static_cast<double>(input.size()) / 1e6 / secs : 0.0);
    w.EndObject();
  }
  w.EndArray();
  // A rule's cost: its PCRE2 time plus the engine events it causes. Engine time cannot
  // be split by rule inside one database, so events are charged at the partition's
  // average cost per event (matches + candidates): a rule that fires millions of times
  // dominates its partition, which is what a rule author needs to see.
  std::vector<double> ns_per_event(db->partitions().size(), 0.0);
  for (size_t p = 0; p < db->partitions().size(); ++p) {
    uint64_t events = 0;
    std::vector<uint32_t> rules = db->partitions()[p].rules;  // a gate lists a rule per atom
    std::sort(rules.begin(), rules.end());
    rules.erase(std::unique(rules.begin(), rules.end()), rules.end());
    for (uint32_t rule : rules) {
      events += profile.rules[rule].candidates + profile.rules[rule].matches;
    }
    if (events > 0) ns_per_event[p] = static_cast<double>(profile.partition_ns[p]) / events;
  }
  auto cost_of = [&](uint32_t rule) {
    const auto& r = profile.rules[rule];
    const int32_t p = db->rule_info()[rule].partition;
    const double engine = p >= 0 ? ns_per_event[static_cast<size_t>(p)] *
                                       static_cast<double>(r.candidates + r.matches)
                                 : 0.0;
    return std::max(engine, static_cast<double>(r.confirm_ns));
  };
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < profile.rules.size(); ++i) {
    if (profile.rules[i].candidates || profile.rules[i].matches) order.push_back(i);
  }
  std::vector<double> costs(profile.rules.size(), 0.0);
  for (uint32_t rule : order) costs[rule] = cost_of(rule);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    if (costs[a] != costs[b]) return costs[a] > costs[b];
    return a < b;
  });
  if (order.size() > top) order.resize(top);
  w.Key("costliest_rules").BeginArray();
  for (uint32_t rule : order) {
    const auto& cost = profile.rules[rule];
    const RuleInfo& info = db->rule_info()[rule];
    w.BeginObject().Field("id", db->definition(rule).id);
    w.Field("estimated_seconds", costs[rule] / 1e9);
    w.Field("confirm_seconds", static_cast<double>(cost.confirm_ns) / 1e9);
    w.Field("matches", cost.matches);
    w.Field("candidates", cost.candidates).Field("confirmed", cost.confirmed);
    w.Field("window", info.max_width == kUnboundedWidth
                          ? StrCat("unbounded (capped at ", db->max_window(), ")")
                          : StrCat(info.max_width));
    if (explain) w.Field("why", explain(*db, rule));
    w.EndObject();
  }
  w.EndArray();
  // Rules whose engine matches PCRE2 could not place (docs/matching.md): listed, so a
  // truncation flag in a scan can be traced to its rule.
  w.Key("unplaced_rules").BeginArray();
  for (uint32_t i = 0; i < profile.rules.size(); ++i) {
    if (profile.rules[i].unplaced == 0) continue;
    w.BeginObject().Field("id", db->definition(i).id).Field("unplaced", profile.rules[i].unplaced);
    w.EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

namespace {

double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

namespace {

struct RawHits {
  uint64_t count = 0;
  const std::vector<uint32_t>* partition_rules = nullptr;
  std::vector<bool>* seen = nullptr;  // by rule, when asked
};

int OnRawHit(unsigned id, unsigned long long, unsigned long long, unsigned, void* context) {
  auto* hits = static_cast<RawHits*>(context);
  ++hits->count;
  if (hits->seen) (*hits->seen)[(*hits->partition_rules)[id]] = true;
  return 0;
}

}  // namespace

struct RawEngineScanner::Impl {
  std::shared_ptr<const Database> db;
  internal::ScratchPtr scratch;
};

RawEngineScanner::RawEngineScanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RawEngineScanner::~RawEngineScanner() = default;

absl::StatusOr<std::unique_ptr<RawEngineScanner>> RawEngineScanner::Create(
    std::shared_ptr<const Database> db) {
  auto impl = std::make_unique<Impl>();
  impl->scratch = db->parts().NewScratch();
  if (impl->scratch == nullptr && !db->parts().databases.empty()) {
    return absl::ResourceExhaustedError("raw engine: cannot allocate scratch space");
  }
  impl->db = std::move(db);
  return std::unique_ptr<RawEngineScanner>(new RawEngineScanner(std::move(impl)));
}

absl::StatusOr<uint64_t> RawEngineScanner::Scan(std::string_view input, std::vector<bool>* seen) {
  const Database& db = *impl_->db;
  if (seen) seen->resize(db.rule_count(), false);
  const auto& databases = db.parts().databases;
  constexpr size_t kPiece = size_t{1} << 30;
  RawHits hits;
  for (size_t p = 0; p < databases.size(); ++p) {
    const PartitionInfo& part = db.partitions()[p];
    hits.partition_rules = &part.rules;
    hits.seen = part.kind != PartitionKind::kGate ? seen : nullptr;
    for (size_t at = 0; at < input.size(); at += kPiece) {
      const size_t n = std::min(kPiece, input.size() - at);
      const hs_error_t rc = hs_scan(databases[p].get(), input.data() + at,
                                    static_cast<unsigned>(n), 0, impl_->scratch.get(), OnRawHit,
                                    &hits);
      if (rc != HS_SUCCESS) {
        return absl::InternalError(StrCat("raw engine: hs_scan failed on partition ", part.name,
                                          " (error ", rc, ")"));
      }
    }
  }
  return hits.count;
}

absl::StatusOr<std::string> BenchmarkJson(const std::shared_ptr<const Database>& db,
                                          double compile_seconds, std::string_view input,
                                          const BenchSettings& settings,
                                          const RuleExplainer& explain) {
  const uint32_t reps = std::max<uint32_t>(1, settings.repetitions);
  const uint32_t max_threads =
      settings.max_threads ? settings.max_threads
                           : AvailableCpus();
  auto artifact = SerializeDatabase(*db);
  if (!artifact.ok()) return artifact.status();
  // Loads as from a mapped file: the artifact in aligned memory, used in place.
  const size_t aligned_size = (artifact->size() + 63) / 64 * 64;
  std::shared_ptr<void> image(std::aligned_alloc(64, std::max<size_t>(64, aligned_size)), std::free);
  if (image == nullptr) return absl::ResourceExhaustedError("bench: cannot allocate the artifact");
  std::memcpy(image.get(), artifact->data(), artifact->size());
  const std::string_view image_bytes(static_cast<const char*>(image.get()), artifact->size());
  std::vector<double> load_ms;
  for (uint32_t r = 0; r < reps; ++r) {
    const absl::Time start = absl::Now();
    auto loaded = DeserializeDatabase(image_bytes, image);
    if (!loaded.ok()) return loaded.status();
    load_ms.push_back(absl::ToDoubleMilliseconds(absl::Now() - start));
  }
  const double mb = static_cast<double>(input.size()) / 1e6;
  JsonWriter w(2);
  w.BeginObject().Field("schema", "trawl.bench/1");
  w.Field("rules", uint64_t{db->rule_count()}).Field("input_bytes", uint64_t{input.size()});
  w.Field("compile_seconds", compile_seconds);
  w.Field("artifact_bytes", uint64_t{artifact->size()});
  w.Key("load_ms").BeginObject();
  w.Field("best", *std::min_element(load_ms.begin(), load_ms.end()));
  w.Field("median", Median(load_ms)).EndObject();
  w.Key("scan").BeginArray();
  // 1 and max_threads: every count in between would multiply the run time on a large
  // machine and say little more.
  std::vector<uint32_t> thread_counts = {1};
  if (max_threads > 1) thread_counts.push_back(max_threads);
  for (uint32_t threads : thread_counts) {
    std::vector<std::unique_ptr<Scanner>> scanners;
    for (uint32_t t = 0; t < threads; ++t) {
      auto scanner = Scanner::Create(db);
      if (!scanner.ok()) return scanner.status();
      scanners.push_back(*std::move(scanner));
    }
    ScanLimits limits;
    limits.max_matches = 0;
    limits.max_matches_per_rule = 0;
    std::unique_ptr<RawEngineScanner> raw;
    if (threads == 1) {
      auto made = RawEngineScanner::Create(db);
      if (!made.ok()) return made.status();
      raw = *std::move(made);
    }
    std::vector<double> wall, cpu, raw_cpu, vs_raw;
    std::vector<uint64_t> matches(threads, 0);
    uint64_t raw_hits = 0;
    absl::Status raw_failure;
    // On the scanning thread (the same core's caches), before trawl's scan in even rounds
    // and after it in odd ones: neither always runs on the caches the other left.
    double raw_seconds = 0, raw_wall_seconds = 0;  // of the round's raw scan
    auto run_raw = [&] {
      const absl::Time wall_start = absl::Now();
      const double cpu_start = ThreadCpuSeconds();
      absl::StatusOr<uint64_t> hits = raw->Scan(input);
      raw_seconds = ThreadCpuSeconds() - cpu_start;
      if (hits.ok()) {
        raw_hits = *hits;
      } else {
        raw_failure = hits.status();
      }
      raw_wall_seconds = absl::ToDoubleSeconds(absl::Now() - wall_start);
    };
    std::vector<absl::Status> failures(threads);
    for (uint32_t round = 0; round <= reps; ++round) {  // round 0 warms up
      std::vector<double> thread_cpu(threads, 0);
      std::vector<std::thread> workers;
      // An exception may not leave a thread (that ends the process), and a thread that
      // cannot start leaves the others to join: both are rethrown here, after the joins.
      std::vector<std::exception_ptr> thrown(threads);
      std::exception_ptr start_failure;
      const absl::Time start = absl::Now();
      try {
        for (uint32_t t = 0; t < threads; ++t) {
          workers.emplace_back([&, t] {
            try {
              if (raw && round % 2 == 0) run_raw();
              const double cpu_start = ThreadCpuSeconds();
              uint64_t found = 0;
              auto summary = scanners[t]->Scan(input, limits, [&found](const Match&) {
                ++found;
                return true;
              });
              thread_cpu[t] = ThreadCpuSeconds() - cpu_start;
              if (raw && round % 2 == 1) run_raw();
              matches[t] = found;
              if (!summary.ok()) failures[t] = summary.status();
            } catch (...) {
              thrown[t] = std::current_exception();
            }
          });
        }
      } catch (...) {
        start_failure = std::current_exception();
      }
      for (std::thread& worker : workers) worker.join();
      if (start_failure) std::rethrow_exception(start_failure);
      for (const std::exception_ptr& e : thrown) {
        if (e) std::rethrow_exception(e);
      }
      for (const absl::Status& failure : failures) {
        if (!failure.ok()) return failure;
      }
      if (!raw_failure.ok()) return raw_failure;
      if (round == 0) continue;
      // With 1 thread the raw scan ran inside the round: its time comes off the wall.
      wall.push_back(absl::ToDoubleSeconds(absl::Now() - start) - raw_wall_seconds);
      for (double c : thread_cpu) cpu.push_back(c);
      if (raw && thread_cpu[0] > 0) {
        raw_cpu.push_back(raw_seconds);
        vs_raw.push_back(raw_seconds / thread_cpu[0]);
      }
    }
    const double median_wall = Median(wall), median_cpu = Median(cpu);
    w.BeginObject().Field("threads", uint64_t{threads});
    w.Field("seconds_median", median_wall);
    // Every thread scans the whole input: the aggregate is threads x input per round.
    w.Field("mb_per_s", median_wall > 0 ? threads * mb / median_wall : 0.0);
    w.Field("mb_per_cpu_s", median_cpu > 0 ? mb / median_cpu : 0.0);
    w.Field("matches", matches[0]);
    if (raw) {
      const double median_raw = Median(raw_cpu);
      w.Field("raw_engine_mb_per_cpu_s", median_raw > 0 ? mb / median_raw : 0.0);
      w.Field("raw_engine_hits", raw_hits);
      w.Field("vs_raw_engine", Median(vs_raw));
    }
    w.EndObject();
  }
  w.EndArray();
  auto profile = ProfileScanJson(db, input, settings.top_rules, explain);
  if (!profile.ok()) return profile.status();
  w.Key("profile").Raw(*profile);
  w.EndObject();
  return w.Take();
}

absl::StatusOr<ExamplesReport> CheckExamples(const std::shared_ptr<const Database>& db) {
  auto scanner = Scanner::Create(db);
  if (!scanner.ok()) return scanner.status();
  ExamplesReport report;
  JsonWriter w;
  w.BeginObject().Key("failures").BeginArray();
  auto fail = [&](const Definition& def, std::string_view kind, std::string_view text,
                  std::string_view reason) {
    ++report.failures;
    w.BeginObject().Field("rule", def.id).Field("kind", kind).Field("text", text);
    w.Field("reason", reason).EndObject();
  };
  // An example shows what the rule's pattern matches, a negative example what it does
  // not report: filters (entropy floors, allow-lists) apply to the negative ones only, as
  // in the formats rules are imported from.
  ScanLimits limits;
  ScanLimits unfiltered;
  unfiltered.apply_filters = false;
  for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
    const Definition& def = db->definition(rule);
    if (def.examples.empty() && def.negative_examples.empty()) continue;
    ++report.rules_checked;
    const RuleInfo& info = db->rule_info()[rule];
    if (info.status == RuleStatus::kRejected) {
      fail(def, "rule", "", StrCat("rule was rejected: ", info.reason));
      continue;
    }
    for (int negative = 0; negative < 2; ++negative) {
      for (const std::string& text : negative ? def.negative_examples : def.examples) {
        ++report.examples;
        bool matched = false;
        auto summary = (*scanner)->Scan(text, negative ? limits : unfiltered, [&](const Match& m) {
          matched = matched || m.rule == rule;
          return true;
        });
        if (!summary.ok()) return summary.status();
        if (!negative && !matched) fail(def, "example", text, "the rule does not match it");
        if (negative && matched) fail(def, "negative_example", text, "the rule matches it");
      }
    }
  }
  w.EndArray()
      .Field("rules_checked", report.rules_checked)
      .Field("examples", report.examples)
      .Field("failure_count", report.failures)
      .EndObject();
  report.json = w.Take();
  return report;
}

}  // namespace trawl
