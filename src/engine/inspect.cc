// File: inspect.cc
#include "engine/inspect.h"

#include "engine/engine_info.h"
#include "engine/internal/engine_parts.h"
#include "engine/scanner.h"
#include "trawl/trawl_version.h"
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
      .Field("pcre2_jit", jit != 0);
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
      .EndObject();
  w.Field("engine_bytes", uint64_t{db.engine_bytes()});
  w.Key("partitions").BeginArray();
  for (const PartitionInfo& p : db.partitions()) {
    w.BeginObject()
        .Field("name", p.name)
        .Field("kind", p.kind == PartitionKind::kLiteral ? "literal" : "regex")
        .Field("rules", uint64_t{p.rules.size()})
        .Field("bytes", uint64_t{p.bytes})
        .EndObject();
  }
  w.EndArray();
  if (include_rules) {
    w.Key("rule_status").BeginArray();
    for (size_t i = 0; i < db.rule_count(); ++i) {
      const RuleInfo& info = db.rule_info()[i];
      w.BeginObject().Field("id", db.definitions()[i].id).Field("status", RuleStatusName(info.status));
      if (!info.reason.empty()) w.Field("reason", info.reason);
      w.EndObject();
    }
    w.EndArray();
  }
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
  ScanLimits limits;
  for (uint32_t rule = 0; rule < db->rule_count(); ++rule) {
    const Definition& def = db->definitions()[rule];
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
        auto summary = (*scanner)->Scan(text, limits, [&](const Match& m) {
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
