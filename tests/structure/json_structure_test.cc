#include "structure/json_structure.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "json/json.h"
#include "util/json_writer.h"

namespace trawl {
namespace {

constexpr char kConfig[] = R"({
  "version": 3,
  "services": [
    {"name": "web", "env": {"PORT": "8080"}},
    {"name": "db",
     "env": {"DB_USER": "admin", "DB_PASSWORD": "hunter2-secret"},
     "ports": [5432, 5433]},
    {"name": "a/b~c", "env": {}, "weights": [0.5, 1e3], "on": true, "x": null}
  ]
})";

TEST(JsonStructureTest, LocatesSecretInNestedConfig) {
  const std::string doc = kConfig;
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(doc);
  ASSERT_TRUE(r.valid) << r.status;
  ASSERT_TRUE(r.locator.has_value());
  const size_t secret = doc.find("hunter2-secret");
  ASSERT_EQ(secret, 148u);
  auto loc = r.locator->Locate(secret + 3);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/services/1/env/DB_PASSWORD");
  EXPECT_EQ(loc->key, "DB_PASSWORD");
  EXPECT_EQ(loc->span.begin, doc.find("\"DB_PASSWORD\""));
  EXPECT_EQ(loc->span.end, secret + std::string("hunter2-secret\"").size());
  // Inside the key itself, and on the port number inside an array.
  loc = r.locator->Locate(doc.find("DB_PASSWORD"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/services/1/env/DB_PASSWORD");
  loc = r.locator->Locate(doc.find("5433"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/services/1/ports/1");
  EXPECT_EQ(loc->key, "");
  // Whitespace between members belongs to the enclosing object.
  loc = r.locator->Locate(doc.find("\n     \"env\"") + 1);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/services/1");
  EXPECT_EQ(loc->key, "");
  // RFC 6901 escaping of '~' and '/' is for keys; this value is under "name".
  loc = r.locator->Locate(doc.find("a/b~c"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/services/2/name");
  EXPECT_FALSE(r.locator->Locate(doc.size() + 10).has_value());
}

TEST(JsonStructureTest, CountsDepthAndKeyPaths) {
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(kConfig);
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.max_depth, 4u);  // root {} > services [] > {} > env {}
  EXPECT_EQ(r.counts.objects, 7u);
  EXPECT_EQ(r.counts.arrays, 3u);
  EXPECT_EQ(r.counts.strings, 6u);
  EXPECT_EQ(r.counts.integers, 3u);
  EXPECT_EQ(r.counts.floats, 2u);
  EXPECT_EQ(r.counts.bools, 1u);
  EXPECT_EQ(r.counts.nulls, 1u);
  EXPECT_EQ(r.counts.keys, 15u);
  auto find = [&](const std::string& path) -> const JsonKeyPath* {
    for (const JsonKeyPath& p : r.key_paths)
      if (p.path == path) return &p;
    return nullptr;
  };
  const JsonKeyPath* password = find("$.services[*].env.DB_PASSWORD");
  ASSERT_NE(password, nullptr);
  EXPECT_EQ(password->count, 1u);
  EXPECT_EQ(password->types, kJsonString);
  const JsonKeyPath* name = find("$.services[*].name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->count, 3u);
  const JsonKeyPath* weights = find("$.services[*].weights[*]");
  ASSERT_NE(weights, nullptr);
  EXPECT_EQ(weights->types, kJsonFloat);
  EXPECT_EQ(r.schema_fingerprint.size(), 64u);
}

TEST(JsonStructureTest, FingerprintIgnoresValuesAndArrayLengths) {
  JsonAnalyzer analyzer;
  const JsonReport a = analyzer.Analyze(R"({"a":[1,2,3],"b":{"c":"x"}})");
  const JsonReport b = analyzer.Analyze(R"({"b":{"c":"yyy"},"a":[9]})");
  const JsonReport c = analyzer.Analyze(R"({"a":[1.5],"b":{"c":"x"}})");
  ASSERT_TRUE(a.valid && b.valid && c.valid);
  EXPECT_EQ(a.schema_fingerprint, b.schema_fingerprint);
  EXPECT_NE(a.schema_fingerprint, c.schema_fingerprint);
}

TEST(JsonStructureTest, NdjsonReportsRecordsAndSchemaDrift) {
  const std::string ndjson =
      "{\"user\":\"ann\",\"id\":1}\n"
      "{\"user\":\"bob\",\"id\":2}\r\n"
      "\n"
      "{\"user\":\"cy\",\"id\":3,\"token\":\"ghp_abc\"}\n"
      "{\"user\":\"dee\",\"id\":\n"
      "{\"id\":5,\"user\":\"eve\"}";
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.AnalyzeNdjson(ndjson);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.valid_records, 4u);
  EXPECT_EQ(r.invalid_records, 1u);
  EXPECT_EQ(r.blank_lines, 1u);
  ASSERT_EQ(r.record_info.size(), 5u);
  EXPECT_EQ(r.record_info[1].offset, 22u);
  EXPECT_EQ(r.record_info[1].length, 21u);  // without "\r\n"
  EXPECT_EQ(r.record_info[2].offset, ndjson.find("{\"user\":\"cy\""));
  EXPECT_FALSE(r.record_info[3].valid);
  EXPECT_EQ(r.record_info[3].offset, ndjson.find("{\"user\":\"dee\""));
  EXPECT_GE(r.record_info[3].error_offset, r.record_info[3].offset);
  EXPECT_LE(r.record_info[3].error_offset, r.record_info[3].offset + r.record_info[3].length);
  ASSERT_EQ(r.schema_drift(), 2u);
  EXPECT_EQ(r.fingerprints[0].records, 3u);  // key order does not matter
  EXPECT_EQ(r.fingerprints[1].records, 1u);
  EXPECT_EQ(r.fingerprints[1].first_record, 2u);
  EXPECT_EQ(r.record_info[4].fingerprint_index, 0u);
  ASSERT_TRUE(r.locator.has_value());
  auto loc = r.locator->Locate(ndjson.find("ghp_abc"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/token");
  EXPECT_EQ(loc->record, 2u);
  loc = r.locator->Locate(ndjson.find("eve"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->record, 4u);
  EXPECT_EQ(loc->pointer, "/user");
}

TEST(JsonStructureTest, NdjsonRecordNumbersSurviveBadRecords) {
  // Record 1 fails while indexing (invalid UTF-8), record 2 while walking.
  const std::string ndjson = "{\"a\":1}\n{\"b\":\"\xFF\"}\n[1,]\n{\"key\":\"AKIA\"}\n";
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.AnalyzeNdjson(ndjson);
  EXPECT_EQ(r.records, 4u);
  EXPECT_EQ(r.invalid_records, 2u);
  EXPECT_EQ(r.record_info[1].error_offset, ndjson.find('\xFF'));
  auto loc = r.locator->Locate(ndjson.find("AKIA"));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->record, 3u);
  EXPECT_EQ(loc->pointer, "/key");
}

TEST(JsonStructureTest, DecodedStringsRevealEscapedSecretAndMapBack) {
  // "AKIA..." written with \u escapes and an escaped slash.
  const std::string doc = R"({"k":"x","aws":"\u0041\u004bIAIOSFODNN7EXAMPLE","url":"https:\/\/h\/p"})";
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(doc);
  ASSERT_TRUE(r.valid) << r.status;
  EXPECT_EQ(r.counts.escaped_strings, 2u);
  EXPECT_EQ(r.decoded_strings.count, 2u);
  EXPECT_EQ(r.decoded_strings.text, "AKIAIOSFODNN7EXAMPLE\nhttps://h/p");
  const size_t found = r.decoded_strings.text.find("AKIAIOSFODNN7EXAMPLE");
  const ByteSpan span = r.decoded_strings.MapRange(found, found + 20);
  EXPECT_EQ(span.begin, doc.find("\\u0041"));
  EXPECT_EQ(span.end, doc.find("EXAMPLE") + 7);
  const size_t slash = r.decoded_strings.text.find("//h");
  const ByteSpan s2 = r.decoded_strings.MapRange(slash, slash + 1);
  EXPECT_EQ(s2.begin, doc.find("\\/\\/"));
  EXPECT_EQ(s2.end, s2.begin + 2);
}

// Decoded strings against simdjson's own unescaping (the DOM parser's), for random
// strings of plain runs and escapes at every offset of the eight-byte words the decoder
// reads at a time, both ways a document is decoded: walked (with counts) and, valid and
// without counts, from its backslashes alone. The latter's buffers are recycled from
// document to document, as the component analysis recycles them.
TEST(JsonStructureTest, DecodedStringsEqualTheDomParsersUnescaping) {
  std::mt19937 random(20261207);
  const std::vector<std::string> pieces = {
      "a", "Z", "0", " ", "~", "\xc3\xa9", "\xe4\xb8\xad", "\\\"", "\\\\", "\\/", "\\b", "\\f",
      "\\n", "\\r", "\\t", "\\u0041", "\\u00e9", "\\u4e2d", "\\ud83d\\ude00"};
  JsonOptions walk_options;
  walk_options.build_locator = false;
  JsonOptions lean_options = walk_options;
  lean_options.statistics = false;
  lean_options.counts = false;
  JsonAnalyzer walked(walk_options), lean(lean_options);
  json::Parser dom;
  for (int round = 0; round < 400; ++round) {
    std::vector<std::string> bodies(1 + random() % 6);
    std::string doc = "[";
    for (size_t s = 0; s < bodies.size(); ++s) {
      const size_t n = random() % (round % 2 ? 40 : 6);
      for (size_t k = 0; k < n; ++k) bodies[s] += pieces[random() % pieces.size()];
      doc += (s > 0 ? ",\"" : "\"") + bodies[s] + "\"";
    }
    doc += "]";
    SCOPED_TRACE(doc);
    json::Value root;
    ASSERT_EQ(dom.Parse(doc, &root), json::Error::kOk);
    json::Array array;
    ASSERT_EQ(root.Get(&array), json::Error::kOk);
    std::string expected;
    uint64_t escaped = 0;
    size_t s = 0;
    for (json::Value value : array) {
      std::string_view text;
      ASSERT_EQ(value.Get(&text), json::Error::kOk);
      if (bodies[s++].find('\\') == std::string::npos) continue;
      expected += (escaped++ > 0 ? "\n" : "") + std::string(text);
    }
    JsonReport by_walk = walked.Analyze(doc);
    JsonReport by_backslashes = lean.Analyze(doc);
    for (const JsonReport* report : {&by_walk, &by_backslashes}) {
      ASSERT_TRUE(report->valid) << report->status;
      EXPECT_EQ(report->counts.escaped_strings, escaped);
      EXPECT_EQ(report->decoded_strings.count, escaped);
      EXPECT_EQ(report->decoded_strings.text, expected);
      EXPECT_EQ(report->decoded_strings.map.derived_size(), expected.size());
    }
    const auto& a = by_walk.decoded_strings.map.pieces();
    const auto& b = by_backslashes.decoded_strings.map.pieces();
    ASSERT_EQ(a.size(), b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].derived_begin, b[i].derived_begin);
      EXPECT_EQ(a[i].source_begin, b[i].source_begin);
      EXPECT_EQ(a[i].derived_length, b[i].derived_length);
      EXPECT_EQ(a[i].source_length_and_flag, b[i].source_length_and_flag);
    }
    lean.Recycle(std::move(by_backslashes.decoded_strings));
  }
}

// A raw control character makes the document invalid wherever it sits in a string: in
// the first eight-byte word or later, after an escape or not, at that byte.
TEST(JsonStructureTest, ControlCharacterAtEveryOffsetOfAStringIsInvalid) {
  JsonAnalyzer analyzer;
  for (const std::string prefix : {"", "\\n"}) {
    for (size_t at = 0; at < 24; ++at) {
      std::string body = prefix + std::string(30, 'x');
      body[prefix.size() + at] = '\x01';
      const std::string doc = "[\"" + body + "\"]";
      const JsonReport report = analyzer.Analyze(doc);
      EXPECT_FALSE(report.valid) << "control character at " << at << " after '" << prefix << "'";
      EXPECT_EQ(report.error_offset, doc.find('\x01')) << "at " << at;
    }
  }
}

TEST(JsonStructureTest, SurrogatePairsDecodeToOneCharacter) {
  const std::string doc = R"(["\ud83d\ude00!"])";
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(doc);
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.decoded_strings.text, "\xF0\x9F\x98\x80!");
  EXPECT_EQ(r.decoded_strings.MapRange(0, 4), (ByteSpan{2, 14}));
  EXPECT_EQ(r.decoded_strings.MapRange(4, 5), (ByteSpan{14, 15}));
}

TEST(JsonStructureTest, MalformedJsonReportsPosition) {
  JsonAnalyzer analyzer;
  struct Case {
    std::string doc;
    std::string code;
    uint64_t offset;
  };
  const Case cases[] = {
      {R"({"a": tru})", "literal", 6},
      {R"({"a": 01})", "number", 6},
      {R"({"a": "x\q"})", "string_escape", 8},
      {"{\"a\": \"x\ty\"}", "unescaped_chars", 8},
      {R"({"a": 1} x)", "trailing_content", 9},
      {R"([1, 2,])", "tape_error", 6},
  };
  for (const Case& c : cases) {
    const JsonReport r = analyzer.Analyze(c.doc);
    EXPECT_FALSE(r.valid) << c.doc;
    EXPECT_EQ(r.status.code(), absl::StatusCode::kInvalidArgument) << c.doc;
    EXPECT_EQ(r.error_code, c.code) << c.doc;
    EXPECT_EQ(r.error_offset, c.offset) << c.doc << " " << r.status;
  }
  const JsonReport unclosed = analyzer.Analyze(R"({"a": "abc)");
  EXPECT_FALSE(unclosed.valid);
  EXPECT_EQ(unclosed.error_code, "unclosed_string");
  EXPECT_EQ(unclosed.error_offset, 6u);
  EXPECT_TRUE(unclosed.error_offset_exact);
  const JsonReport empty = analyzer.Analyze("   ");
  EXPECT_FALSE(empty.valid);
  EXPECT_EQ(empty.error_code, "empty");
}

TEST(JsonStructureTest, DeepNestingIsAStatusNotACrash) {
  const std::string deep = std::string(10000, '[') + std::string(10000, ']');
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(deep);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.error_code, "depth_limit");
  EXPECT_EQ(r.error_offset, 1024u);  // the 1025th '['
  EXPECT_EQ(r.max_depth, 1024u);
  const std::string objects = [] {
    std::string s;
    for (int i = 0; i < 10000; ++i) s += "{\"a\":";
    s += "1";
    for (int i = 0; i < 10000; ++i) s += "}";
    return s;
  }();
  const JsonReport o = analyzer.Analyze(objects);
  EXPECT_EQ(o.error_code, "depth_limit");
  EXPECT_EQ(o.error_offset, 1024u * 5);
}

TEST(JsonStructureTest, InvalidUtf8ReportsExactOffset) {
  const std::string doc = "{\"name\": \"caf\xC3\xA9\", \"bad\": \"x\xFFy\"}";
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(doc);
  EXPECT_FALSE(r.valid);
  EXPECT_EQ(r.error_code, "utf8");
  EXPECT_TRUE(r.error_offset_exact);
  EXPECT_EQ(r.error_offset, doc.find('\xFF'));
}

TEST(JsonStructureTest, HugeNumbersAreCountedNotErrors) {
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(
      "[123456789012345678901234567890, -9223372036854775809, 18446744073709551615, 1e400, 2.5]");
  ASSERT_TRUE(r.valid) << r.status;
  EXPECT_EQ(r.counts.numbers, 5u);
  EXPECT_EQ(r.counts.huge_numbers, 3u);
}

TEST(JsonStructureTest, RootScalarAndOddKeys) {
  JsonAnalyzer analyzer;
  const JsonReport s = analyzer.Analyze(" \"just a string\" ");
  ASSERT_TRUE(s.valid) << s.status;
  EXPECT_EQ(s.max_depth, 0u);
  auto loc = s.locator->Locate(3);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "");
  const std::string doc = R"({"a/b":{"m~n":"v","sp ace":1}})";
  const JsonReport r = analyzer.Analyze(doc);
  ASSERT_TRUE(r.valid);
  loc = r.locator->Locate(doc.find("\"v\""));
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/a~1b/m~0n");
  bool saw = false;
  for (const JsonKeyPath& p : r.key_paths) saw |= p.path == "$[\"a/b\"][\"sp ace\"]";
  EXPECT_TRUE(saw);
}

TEST(JsonStructureTest, KeyPathLimitCountsDropped) {
  JsonOptions options;
  options.max_key_paths = 3;
  JsonAnalyzer analyzer(options);
  const JsonReport r = analyzer.Analyze(R"({"a":1,"b":2,"c":3,"d":{"e":4}})");
  ASSERT_TRUE(r.valid);
  EXPECT_EQ(r.key_paths.size(), 3u);
  EXPECT_EQ(r.key_paths_dropped, 3u);  // c, d and d.e land in the overflow node
  auto loc = r.locator->Locate(std::string(R"({"a":1,"b":2,"c":3,"d":{"e":)").size());
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->pointer, "/d/e");
}

TEST(JsonStructureTest, SummaryJsonIsDeterministic) {
  JsonAnalyzer analyzer;
  const JsonReport r = analyzer.Analyze(R"({"b":[1],"a":"x"})");
  JsonWriter w;
  r.WriteJson(w, 2);
  const std::string expected_prefix = R"({"valid":true,"size":17,"max_depth":2,"counts":{"objects":1,"arrays":1,)";
  EXPECT_EQ(w.str().substr(0, expected_prefix.size()), expected_prefix);
  EXPECT_NE(w.str().find(R"("key_paths":[{"path":"$","count":1,"types":"object"},{"path":"$.a","count":1,"types":"string"}])"),
            std::string::npos)
      << w.str();
  JsonWriter again;
  analyzer.Analyze(R"({"b":[1],"a":"x"})").WriteJson(again, 2);
  EXPECT_EQ(w.str(), again.str());
}

}  // namespace
}  // namespace trawl
