// Structural analysis throughput against simdjson's own On Demand parse of the same bytes.
//
// BM_StructureJson* run trawl's JsonAnalyzer (validation, counts, key-path trie, schema
// fingerprint, locator, decoded strings) over a generated ~16 MiB configuration-like
// JSON document; BM_SimdjsonOndemandFullIteration visits every value of the same document
// with simdjson On Demand (type, then get_string/get_double/get_bool/is_null), which is
// the baseline. The ratio of their bytes/s is the number docs/structure.md reports.
// Setup (generation, padding, parser allocation) stays outside the timed loop.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "simdjson.h"
#include "structure/binary_structure.h"
#include "structure/csv_structure.h"
#include "structure/encoded_layers.h"
#include "structure/json_structure.h"
#include "structure/text_structure.h"
#include "xorshift.h"

namespace {

// Deterministic ~16 MiB document: {"services":[{...}, ...]} with nested objects, arrays
// of numbers, escaped strings and secrets-shaped values.
const std::string& Document(bool ndjson) {
  static const std::string* docs[2] = {nullptr, nullptr};
  const std::string*& doc = docs[ndjson ? 1 : 0];
  if (doc) return *doc;
  auto* out = new std::string();
  out->reserve(17u << 20);
  if (!ndjson) out->append("{\"version\":3,\"services\":[");
  XorShift next{0x9E3779B97F4A7C15ull};
  for (int i = 0; out->size() < (16u << 20); ++i) {
    if (!ndjson && i > 0) out->push_back(',');
    out->append("{\"name\":\"svc-" + std::to_string(i) + "\",\"replicas\":" + std::to_string(next() % 16));
    out->append(",\"env\":{\"DB_HOST\":\"db" + std::to_string(next() % 100) +
                ".internal\",\"DB_PASSWORD\":\"p@ss\\u0077rd" + std::to_string(next() % 100000) +
                "\",\"URL\":\"https:\\/\\/example.com\\/api\"}");
    out->append(",\"ports\":[" + std::to_string(next() % 65536) + "," + std::to_string(next() % 65536) + "]");
    out->append(",\"weights\":[0.25,1.5e3,-7.125],\"enabled\":true,\"owner\":null");
    out->append(",\"labels\":{\"team\":\"core\",\"tier\":\"" + std::to_string(next() % 3) + "\"}}");
    if (ndjson) out->push_back('\n');
  }
  if (!ndjson) out->append("]}");
  doc = out;
  return *doc;
}

void BM_StructureJsonAnalyze(benchmark::State& state) {
  const std::string& doc = Document(false);
  trawl::JsonAnalyzer analyzer;
  for (auto _ : state) {
    trawl::JsonReport r = analyzer.Analyze(doc);
    if (!r.valid) state.SkipWithError("invalid document");
    benchmark::DoNotOptimize(r.counts.strings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_StructureJsonAnalyze)->Unit(benchmark::kMillisecond);

void BM_StructureJsonStatsOnly(benchmark::State& state) {
  const std::string& doc = Document(false);
  trawl::JsonOptions options;
  options.build_locator = false;
  options.decode_strings = false;
  trawl::JsonAnalyzer analyzer(options);
  for (auto _ : state) {
    trawl::JsonReport r = analyzer.Analyze(doc);
    benchmark::DoNotOptimize(r.counts.strings);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_StructureJsonStatsOnly)->Unit(benchmark::kMillisecond);

void BM_StructureNdjsonAnalyze(benchmark::State& state) {
  const std::string& doc = Document(true);
  trawl::JsonAnalyzer analyzer;
  for (auto _ : state) {
    trawl::JsonReport r = analyzer.AnalyzeNdjson(doc);
    if (!r.valid) state.SkipWithError("invalid document");
    benchmark::DoNotOptimize(r.records);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * 1);
}
BENCHMARK(BM_StructureNdjsonAnalyze)->Unit(benchmark::kMillisecond);

simdjson::error_code Visit(simdjson::ondemand::value value, uint64_t* count) {
  simdjson::ondemand::json_type type;
  if (auto e = value.type().get(type)) return e;
  ++*count;
  switch (type) {
    case simdjson::ondemand::json_type::object: {
      simdjson::ondemand::object object;
      if (auto e = value.get_object().get(object)) return e;
      for (auto field : object) {
        std::string_view key;
        if (auto e = field.unescaped_key().get(key)) return e;
        simdjson::ondemand::value child;
        if (auto e = field.value().get(child)) return e;
        if (auto e = Visit(child, count)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::array: {
      simdjson::ondemand::array array;
      if (auto e = value.get_array().get(array)) return e;
      for (auto element : array) {
        simdjson::ondemand::value child;
        if (auto e = element.get(child)) return e;
        if (auto e = Visit(child, count)) return e;
      }
      return simdjson::SUCCESS;
    }
    case simdjson::ondemand::json_type::string: {
      std::string_view s;
      return value.get_string().get(s);
    }
    case simdjson::ondemand::json_type::number: {
      double d;
      return value.get_double().get(d);
    }
    case simdjson::ondemand::json_type::boolean: {
      bool b;
      return value.get_bool().get(b);
    }
    case simdjson::ondemand::json_type::null: {
      bool is_null;
      return value.is_null().get(is_null);
    }
  }
  return simdjson::SUCCESS;
}

void BM_SimdjsonOndemandFullIteration(benchmark::State& state) {
  const std::string& doc = Document(false);
  const simdjson::padded_string padded(doc);
  simdjson::ondemand::parser parser;
  for (auto _ : state) {
    simdjson::ondemand::document d;
    uint64_t count = 0;
    simdjson::ondemand::value root;
    if (parser.iterate(padded).get(d) || d.get_value().get(root) || Visit(root, &count)) {
      state.SkipWithError("simdjson failed");
    }
    benchmark::DoNotOptimize(count);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_SimdjsonOndemandFullIteration)->Unit(benchmark::kMillisecond);

void BM_StructureTextAnalyze(benchmark::State& state) {
  const std::string& doc = Document(true);
  for (auto _ : state) {
    trawl::TextReport r = trawl::AnalyzeText(doc);
    trawl::LineIndex index(doc);
    benchmark::DoNotOptimize(r.lines);
    benchmark::DoNotOptimize(index.line_count());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_StructureTextAnalyze)->Unit(benchmark::kMillisecond);

void BM_StructureCsvAnalyze(benchmark::State& state) {
  static const std::string csv = [] {
    std::string out = "id,name,api_key,created,score\n";
    for (int i = 0; out.size() < (16u << 20); ++i) {
      out += std::to_string(i) + ",\"User " + std::to_string(i) + ", Jr\",AKIA" + std::to_string(i * 7919) +
             ",2024-01-0" + std::to_string(1 + i % 9) + "," + std::to_string(i % 100) + ".5\n";
    }
    return out;
  }();
  for (auto _ : state) {
    trawl::CsvReport r = trawl::AnalyzeCsv(csv);
    benchmark::DoNotOptimize(r.rows);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(csv.size()));
}
BENCHMARK(BM_StructureCsvAnalyze)->Unit(benchmark::kMillisecond);

void BM_StructureBinaryAnalyze(benchmark::State& state) {
  static const std::string blob = [] {
    std::string out(16u << 20, '\0');
    uint64_t x = 88172645463325252ull;
    for (size_t i = 0; i < out.size(); ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      out[i] = (i / 65536) % 2 ? static_cast<char>(x) : static_cast<char>("text and\0 UTF\0-16"[i % 17]);
    }
    return out;
  }();
  for (auto _ : state) {
    trawl::BinaryReport r = trawl::AnalyzeBinary(blob);
    benchmark::DoNotOptimize(r.strings.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(blob.size()));
}
BENCHMARK(BM_StructureBinaryAnalyze)->Unit(benchmark::kMillisecond);

void BM_StructureEncodedLayersScan(benchmark::State& state) {
  const std::string& doc = Document(true);
  for (auto _ : state) {
    trawl::EncodedLayers layers = trawl::FindEncodedLayers(doc);
    benchmark::DoNotOptimize(layers.buffers.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(doc.size()));
}
BENCHMARK(BM_StructureEncodedLayersScan)->Unit(benchmark::kMillisecond);

// ~16 MiB of log lines as bench/make_package.py writes them: a timestamp, a level and
// short random words, a hex request id now and then (no blob): the encoded-layer finder's
// common case, where every block has alphabet bytes but no run reaches min_length.
const std::string& LogText() {
  static const std::string* text = [] {
    auto* out = new std::string();
    XorShift next{0x2545F4914F6CDD1Dull};
    for (int line = 0; out->size() < (16u << 20); ++line) {
      out->append("2026-11-26T10:00:00Z INFO");
      for (uint64_t w = 0, words = 6 + next() % 4; w < words; ++w) {
        out->push_back(' ');
        for (uint64_t c = 0, len = 3 + next() % 7; c < len; ++c) out->push_back(static_cast<char>('a' + next() % 16));
      }
      if (line % 8 == 0) out->append(" req=" + std::to_string(next()));
      out->push_back('\n');
    }
    return out;
  }();
  return *text;
}

void BM_StructureEncodedLayersScanLog(benchmark::State& state) {
  const std::string& text = LogText();
  for (auto _ : state) {
    trawl::EncodedLayers layers = trawl::FindEncodedLayers(text);
    benchmark::DoNotOptimize(layers.buffers.size());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_StructureEncodedLayersScanLog)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
