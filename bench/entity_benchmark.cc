// Recognize() per candidate: the validator, the entropy and the context score of one
// scanner hit, which the component analysis runs for every hit (~46,000 in the planted
// 256 MiB package of bench/pipeline_throughput.sh, ~6 us of analysis each in all). The
// candidates sit in log lines as that package writes them: a GitHub token under a key, an
// e-mail address, a card number and an AWS key id, each with 64 bytes of context around.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "entities/entity.h"

namespace {

struct Sample {
  std::string line;
  std::string value;
  std::string entity;  // its type's default validator runs
};

const std::vector<Sample>& Samples() {
  static const std::vector<Sample> samples = {
      {"2026-11-26T10:00:00Z INFO jikcg fbcmjh api_key=ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn kan nkooljhf",
       "ghp_pEe1CxI6JubzluBJW6E68IPNWnQYg4zi2SXn", "secret"},
      {"2026-11-26T10:00:00Z INFO okcflk cjfdj contact=jane.doe@example.org ppcndmecf jgm kgjeb",
       "jane.doe@example.org", "email"},
      {"2026-11-26T10:00:00Z INFO mmon cgjdel card 4111 1111 1111 1111 paid lpddpop hpbkn",
       "4111 1111 1111 1111", "credit_card"},
      {"2026-11-26T10:00:00Z INFO cpigha ggccei aws_access_key_id=AKIAIOSFODNN7EXAMPLE oel kfbnbck",
       "AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"},
  };
  return samples;
}

void BM_RecognizeLogCandidates(benchmark::State& state) {
  const trawl::ContextScorer scorer;
  const std::vector<std::string> keywords = {"token", "github"};
  std::vector<trawl::Candidate> candidates;
  for (const Sample& s : Samples()) {
    trawl::Candidate c;
    c.rule_id = "bench";
    c.entity = s.entity;
    c.data = s.line;
    c.begin = s.line.find(s.value);
    c.end = c.begin + s.value.size();
    c.rule_keywords = keywords;
    candidates.push_back(c);
  }
  for (auto _ : state) {
    for (const trawl::Candidate& c : candidates) {
      std::optional<trawl::Entity> e = trawl::Recognize(c, scorer);
      benchmark::DoNotOptimize(e);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * candidates.size()));
}
BENCHMARK(BM_RecognizeLogCandidates);

}  // namespace

BENCHMARK_MAIN();
