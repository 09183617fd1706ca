// The fastest any plan could scan a composite rule set (bench/RESULTS.md, "Native rule
// sources"): the raw engine over only the literals a plan cannot do without, merged into
// ONE database, with a callback that only counts. No regex partitions, no confirmation,
// no composite evaluation: a floor, not a scan.
//
//   anchor_floor ARTIFACT INPUT [--reps N]
//
// Prints one JSON line per literal set, each scanned N times (median, after a warm-up):
//   artifact      the artifact's own databases (RawEngineScanner): the baseline of the run
//   literals      every literal of its literal partitions but the short-literal one (what
//                 the planner's hash-split literal partitions hold), one database
//   scanned       every literal of its literal partitions plus the gate atoms, one database
//   anchors       the same without composite parts that anchor no composite (a plan could
//                 confirm those only where their rule triggered)
//   anchors_long  anchors without the short-literal partition (literals that hit almost
//                 everywhere; a rule whose only content is such a literal still needs it)
// Every rule needs at least one of its anchors scanned, so `anchors` is what the engine
// alone must read; no plan of this rule set scans faster than it.
#include <hs/hs.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/artifact.h"
#include "engine/database.h"
#include "engine/inspect.h"
#include "util/file.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Every byte as \xHH: literals hold NULs and metacharacters.
std::string EscapeLiteral(std::string_view literal) {
  std::string escaped;
  escaped.reserve(literal.size() * 4);
  char hex[5];
  for (unsigned char c : literal) {
    std::snprintf(hex, sizeof hex, "\\x%02x", c);
    escaped += hex;
  }
  return escaped;
}

int CountHit(unsigned, unsigned long long, unsigned long long, unsigned, void* context) {
  ++*static_cast<uint64_t*>(context);
  return 0;
}

bool Fail(std::string_view what, const absl::Status& status) {
  std::fprintf(stderr, "anchor_floor: %.*s: %.*s\n", static_cast<int>(what.size()), what.data(),
               static_cast<int>(status.message().size()), status.message().data());
  return false;
}

int FailExit(std::string_view what, const absl::Status& status) {
  Fail(what, status);
  return 1;
}

// One warm-up scan, then `reps` timed ones: the last scan's hits and the median seconds.
using Timed = absl::StatusOr<std::pair<uint64_t, double>>;
template <typename ScanOnce>
Timed TimeScans(int reps, ScanOnce scan_once) {
  std::vector<double> seconds;
  uint64_t hits = 0;
  for (int r = 0; r <= reps; ++r) {
    const auto start = Clock::now();
    absl::StatusOr<uint64_t> scanned = scan_once();
    if (!scanned.ok()) return scanned.status();
    hits = *scanned;
    if (r > 0) seconds.push_back(Seconds(start));
  }
  return std::make_pair(hits, Median(seconds));
}

struct LiteralSet {
  const char* name;
  std::vector<std::string> expressions;
  std::vector<unsigned> flags;
};

void Report(const char* name, size_t patterns, double compile_s, uint64_t hits, double median_s,
            size_t input_bytes) {
  std::printf(
      "{\"set\":\"%s\",\"patterns\":%zu,\"compile_s\":%.2f,\"hits\":%llu,\"seconds\":%.4f,"
      "\"mb_per_s\":%.1f}\n",
      name, patterns, compile_s, static_cast<unsigned long long>(hits), median_s,
      static_cast<double>(input_bytes) / 1e6 / median_s);
}

bool ScanSet(const LiteralSet& set, std::string_view input, int reps) {
  std::vector<const char*> expressions;
  std::vector<unsigned> ids;
  for (size_t i = 0; i < set.expressions.size(); ++i) {
    expressions.push_back(set.expressions[i].c_str());
    ids.push_back(static_cast<unsigned>(i));
  }
  hs_database_t* db = nullptr;
  hs_compile_error_t* error = nullptr;
  const auto compile_start = Clock::now();
  if (hs_compile_multi(expressions.data(), set.flags.data(), ids.data(),
                       static_cast<unsigned>(expressions.size()), HS_MODE_BLOCK, nullptr, &db,
                       &error) != HS_SUCCESS) {
    const std::string message = error ? error->message : "compile failed";
    hs_free_compile_error(error);
    return Fail(set.name, absl::InvalidArgumentError(message));
  }
  const double compile_s = Seconds(compile_start);
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    hs_free_database(db);
    return Fail(set.name, absl::ResourceExhaustedError("cannot allocate scratch"));
  }
  const Timed timed = TimeScans(reps, [&]() -> absl::StatusOr<uint64_t> {
    uint64_t hits = 0;
    if (hs_scan(db, input.data(), static_cast<unsigned>(input.size()), 0, scratch, CountHit,
                &hits) != HS_SUCCESS) {
      return absl::InternalError("scan failed");
    }
    return hits;
  });
  hs_free_scratch(scratch);
  hs_free_database(db);
  if (!timed.ok()) return Fail(set.name, timed.status());
  Report(set.name, set.expressions.size(), compile_s, timed->first, timed->second, input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const bool with_reps = argc == 5 && std::strcmp(argv[3], "--reps") == 0;
  if (argc != 3 && !with_reps) {
    std::fprintf(stderr, "usage: anchor_floor ARTIFACT INPUT [--reps N]\n");
    return 2;
  }
  const int reps = with_reps ? std::max(1, std::atoi(argv[4])) : 5;
  auto loaded = trawl::LoadDatabaseFile(argv[1]);
  if (!loaded.ok()) return FailExit("artifact", loaded.status());
  const trawl::Database& db = **loaded;
  auto input = trawl::ReadFile(argv[2]);
  if (!input.ok()) return FailExit("input", input.status());
  if (input->size() >= (uint64_t{1} << 32)) {  // hs_scan takes 32-bit lengths
    return FailExit(argv[2], absl::InvalidArgumentError("larger than 4 GiB"));
  }

  auto raw = trawl::RawEngineScanner::Create(*loaded);
  if (!raw.ok()) return FailExit("artifact", raw.status());
  const Timed artifact = TimeScans(reps, [&] { return (*raw)->Scan(*input); });
  if (!artifact.ok()) return FailExit("artifact", artifact.status());
  Report("artifact", db.rule_count(), 0, artifact->first, artifact->second, input->size());

  std::vector<char> is_part(db.rule_count(), 0), is_anchor(db.rule_count(), 0);
  for (const trawl::CompositeInfo& composite : db.composites()) {
    for (uint32_t part : composite.pattern_rules) is_part[part] = 1;
    for (uint32_t anchor : composite.anchors) is_anchor[composite.pattern_rules[anchor]] = 1;
  }
  LiteralSet literals{"literals", {}, {}}, scanned{"scanned", {}, {}},
      anchors{"anchors", {}, {}}, anchors_long{"anchors_long", {}, {}};
  auto add = [](LiteralSet* set, std::string expression, unsigned flags) {
    set->expressions.push_back(std::move(expression));
    set->flags.push_back(flags);
  };
  for (const trawl::PartitionInfo& partition : db.partitions()) {
    if (partition.kind == trawl::PartitionKind::kGate) {
      for (const std::string& atom : partition.atoms) {
        for (LiteralSet* set : {&scanned, &anchors, &anchors_long}) {
          add(set, EscapeLiteral(atom), HS_FLAG_CASELESS);
        }
      }
      continue;
    }
    if (partition.kind != trawl::PartitionKind::kLiteral) continue;
    const bool short_literals = partition.name == "literals-short";
    for (uint32_t rule : partition.rules) {
      const trawl::Definition& def = db.definition(rule);
      const std::string expression = EscapeLiteral(def.expression);
      const unsigned flags = (def.flags & trawl::kFlagCaseless) ? HS_FLAG_CASELESS : 0;
      add(&scanned, expression, flags);
      if (!short_literals) add(&literals, expression, flags);
      if (is_part[rule] && !is_anchor[rule]) continue;
      add(&anchors, expression, flags);
      if (!short_literals) add(&anchors_long, expression, flags);
    }
  }
  for (const LiteralSet* set : {&literals, &scanned, &anchors, &anchors_long}) {
    if (!set->expressions.empty() && !ScanSet(*set, *input, reps)) return 1;
  }
  return 0;
}
