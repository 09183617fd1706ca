// File: json_structure.h
// Structural analysis of JSON and NDJSON documents, in one walk of the JSON adapter's
// streaming view (src/json/ondemand.h: simdjson On Demand underneath).
//
//  - validity with the byte offset of the failure, maximum depth, value counts;
//  - key-path statistics (`$.services[*].env.DB_PASSWORD` -> count, types);
//  - a schema fingerprint: SHA-256 of the sorted set of (key path, type) pairs, so records
//    with the same shape get the same fingerprint whatever their values or array lengths;
//  - NDJSON: per-record offsets, validity and fingerprint, and schema drift;
//  - JsonLocator: byte offset -> RFC 6901 JSON Pointer and innermost key;
//  - decoded strings: string values and keys that contain escapes, unescaped into one
//    buffer with an OffsetMap back to the encoded bytes.
//
// Hostile input (malformed JSON, deep nesting, invalid UTF-8, huge numbers) is reported in
// JsonReport::status, never by crashing or aborting.
#ifndef TRAWL_SRC_STRUCTURE_JSON_STRUCTURE_H_
#define TRAWL_SRC_STRUCTURE_JSON_STRUCTURE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "structure/offset_map.h"

namespace trawl {

class JsonWriter;

struct JsonOptions {
  // Nesting deeper than this is reported as kResourceExhausted ("depth limit").
  uint32_t max_depth = 1024;
  // Distinct key paths tracked; further paths are counted in key_paths_dropped.
  uint32_t max_key_paths = 10000;
  // Build the JsonLocator (costs ~24 bytes per JSON value).
  bool build_locator = true;
  // Collect escaped strings into JsonReport::decoded_strings.
  bool decode_strings = true;
  // Also copy strings without escapes into decoded_strings (off: those are already
  // scannable in the original bytes).
  bool decode_all_strings = false;
  // NDJSON: keep at most this many JsonRecordInfo entries (counts stay exact).
  uint64_t max_record_details = 1u << 20;
  // Key-path statistics and schema fingerprints (off: key_paths, schema_fingerprint and
  // the NDJSON fingerprints stay empty, everything else is as with them). The component
  // analysis reads none of them: it walks without the key-path trie (issue 22).
  bool statistics = true;
  // Value counts and max_depth (off: of the counts only escaped_strings is set, the rest
  // and max_depth stay 0). With neither counts, statistics, a locator nor
  // decode_all_strings, nothing needs a walk of a valid document: Analyze has a DOM parse
  // validate it (or reuses Validate's) and finds its escaped strings from the backslashes
  // (issue 22: the component analysis reads nothing else); a document the DOM parse
  // rejects is walked as before, for its error and the strings before it.
  bool counts = true;
};

// Bits of JsonKeyPath::types.
enum JsonTypeBit : uint32_t {
  kJsonObject = 1,
  kJsonArray = 2,
  kJsonString = 4,
  kJsonInteger = 8,
  kJsonFloat = 16,
  kJsonBool = 32,
  kJsonNull = 64,
};
// "object", "array", "string", "integer", "float", "bool", "null".
const char* JsonTypeName(uint32_t type_bit);

struct JsonKeyPath {
  std::string path;   // "$", "$.a[*].b", "$[\"odd key\"]"
  uint64_t count = 0;  // values seen at this path
  uint32_t types = 0;  // JsonTypeBit mask
};

struct JsonCounts {
  uint64_t objects = 0;
  uint64_t arrays = 0;
  uint64_t strings = 0;  // string values (not keys)
  uint64_t keys = 0;
  uint64_t numbers = 0;
  uint64_t integers = 0;
  uint64_t floats = 0;
  uint64_t bools = 0;
  uint64_t nulls = 0;
  // Integers outside the int64/uint64 range, floats that overflow a double.
  uint64_t huge_numbers = 0;
  uint64_t escaped_strings = 0;  // strings and keys with at least one backslash escape
};

// Offset -> JSON Pointer. Built by the same On Demand walk that computes the statistics:
// every value gets an entry [begin, end) in document order (members start at their key),
// so a lookup is one binary search plus a walk to the innermost enclosing entry.
//
// Thread-compatible; immutable after construction.
class JsonLocator {
 public:
  struct Location {
    std::string pointer;  // RFC 6901: "" root, "/services/3/env/DB_PASSWORD"
    std::string key;      // innermost member name, empty for array elements and the root
    uint64_t record = 0;  // NDJSON record index (0 for a single document)
    ByteSpan span;        // the innermost member (key through value) or element
  };
  // Returns nullopt for offsets outside every value (whitespace around the root, blank
  // NDJSON lines, or past the end).
  std::optional<Location> Locate(uint64_t offset) const;
  size_t entry_count() const { return entries_.size(); }
  void Reserve(size_t entries) { entries_.reserve(entries); }

 private:
  friend class JsonWalker;
  static constexpr uint32_t kNoParent = 0xFFFFFFFFu;
  static constexpr uint32_t kMemberBit = 0x80000000u;
  struct Entry {
    uint64_t begin;
    uint64_t end;
    uint32_t parent;
    uint32_t label;  // kMemberBit | key id, or array index (saturating), or kNoParent for roots
  };
  std::vector<Entry> entries_;
  std::vector<std::string> keys_;        // interned member names
  std::vector<uint32_t> root_entries_;  // entry index of each record root
  std::vector<uint64_t> root_records_;  // NDJSON record index of each root
};

// Unescaped string values and keys, separated by '\n', with a map back to the document.
struct DecodedStrings {
  std::string text;
  OffsetMap map;
  uint64_t count = 0;
  // Maps [begin, end) in `text` to the encoded bytes in the document.
  ByteSpan MapRange(uint64_t begin, uint64_t end) const { return map.MapRange(begin, end); }
};

struct JsonRecordInfo {
  uint64_t offset = 0;
  uint64_t length = 0;  // without the line terminator
  bool valid = false;
  uint32_t fingerprint_index = 0;  // into NdjsonReport::fingerprints; valid records only
  std::string error;               // empty when valid
  uint64_t error_offset = 0;       // absolute document offset
};

struct JsonFingerprintCount {
  std::string fingerprint;  // 64 lowercase hex digits
  uint64_t records = 0;
  uint64_t first_record = 0;
};

struct JsonReport {
  // OK, or InvalidArgument ("malformed JSON: ..."), ResourceExhausted (depth, key paths
  // never fail: those are counted) describing the first problem.
  absl::Status status;
  bool valid = false;
  // Where the first problem was found. Exact when error_offset_exact, otherwise the best
  // position the parser could give (errors found while indexing, e.g. an unclosed string,
  // carry no position: those report the end of the document).
  uint64_t error_offset = 0;
  bool error_offset_exact = false;
  std::string error_code;  // stable short name: "tape_error", "depth_limit", "utf8", ...

  uint64_t size = 0;
  uint32_t max_depth = 0;  // root scalar = 0, "[]" = 1
  // \u escapes of an unpaired surrogate (read as U+FFFD). Not in the summary: it tells
  // classification where a DOM parse (which rejects them) may disagree with this walk.
  uint64_t lone_surrogates = 0;
  JsonCounts counts;
  std::vector<JsonKeyPath> key_paths;  // sorted by path
  uint64_t key_paths_dropped = 0;
  std::string schema_fingerprint;  // hex SHA-256; empty when invalid

  // NDJSON only.
  bool ndjson = false;
  uint64_t records = 0;
  uint64_t valid_records = 0;
  uint64_t invalid_records = 0;
  uint64_t blank_lines = 0;
  std::vector<JsonRecordInfo> record_info;
  std::vector<JsonFingerprintCount> fingerprints;  // distinct, in first-seen order
  uint64_t schema_drift() const { return fingerprints.size(); }

  std::optional<JsonLocator> locator;
  DecodedStrings decoded_strings;

  // Deterministic summary (no locator, no decoded text, at most `max_paths` key paths,
  // chosen by count then path).
  void WriteJson(JsonWriter& w, size_t max_paths = 100) const;
};

// Per-thread analyzer: owns the JSON parsers and a padded copy buffer, reused across
// calls. Thread-compatible: use one per thread.
class JsonAnalyzer {
 public:
  explicit JsonAnalyzer(JsonOptions options = {});
  ~JsonAnalyzer();
  JsonAnalyzer(const JsonAnalyzer&) = delete;
  JsonAnalyzer& operator=(const JsonAnalyzer&) = delete;

  // Whether `json` is one valid JSON document, as a DOM parse (json::Parser, default
  // depth limit) says: classification's test. The analyzer keeps the parse, so that
  // Analyze(json, true) right after it does not parse again.
  bool Validate(std::string_view json);

  // One JSON document. `validated`: the caller's promise that the last call on this
  // analyzer was a Validate of these very bytes (unchanged since) that returned true.
  JsonReport Analyze(std::string_view json, bool validated = false);
  // One JSON text per line (LF or CRLF); blank lines are skipped. status is OK when every
  // record is valid, else it describes the first invalid record.
  JsonReport AnalyzeNdjson(std::string_view ndjson);

  // The locator of `json` (NDJSON when `ndjson`) for the offsets in `targets` (sorted
  // ascending): for each of them, Locate answers as the locator of Analyze or
  // AnalyzeNdjson with build_locator would; other offsets may get other answers. Only
  // the entries that hold a target are kept, and the walk stops at the first value that
  // begins after the last target (issue 22: a component's findings need their pointers,
  // not every value's). Uses the options' max_depth; statistics, counts and strings are
  // not reported. An empty `targets` gives an empty locator.
  // `known_valid`: the caller knows the document (every record) is valid JSON within
  // max_depth, as a JsonReport of it with the same max_depth said: containers that hold
  // no target are then skipped, not walked, and those that do are walked from a parse of
  // their own. Pointers, keys and records are located the same; the span of an entry left
  // open by the stop after the last target may end later (at its own end).
  JsonLocator LocateTargets(std::string_view json, bool ndjson,
                            const std::vector<uint64_t>& targets, bool known_valid = false);

  // Gives back a report's decoded strings once nothing reads them: the next report
  // decodes into their memory. A worker that analyses one document after another then
  // writes into pages it already has (a fresh buffer of a large document faults every
  // page in again, which cost more than the decoding).
  void Recycle(DecodedStrings&& used);

 private:
  struct Impl;
  JsonReport Walk(std::string_view json);
  void Reserve(JsonReport* report, size_t size);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_JSON_STRUCTURE_H_
