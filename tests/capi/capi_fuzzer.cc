// Fuzzes the public C API as a host drives it, with hostile arguments: option keys and
// values (every accepted one must lie within trawl_option_bounds, and scanning with the
// result must work), trawl_component_analyze on fuzzed content under a manifest that
// names it (and on a fuzzed manifest), trawl_report_aggregate with fuzzed manifests and
// component results, and trawl_package_analyze on fuzzed package bytes. Nothing may
// crash, and every report that is produced must be a JSON document whose numbers are
// numbers.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "json/json.h"
#include "trawl/trawl.h"
#include "util/digest.h"

namespace {

// Rules with captures, a validator, a prefilter-only shape and a literal: each path of
// confirmation and entity checking is reachable.
constexpr char kRules[] = R"([
  {"id":"aws-key","regex":"\\b(AKIA[0-9A-Z]{16})\\b","category":"secret","entity":"aws_access_key_id"},
  {"id":"card","regex":"\\b(?:\\d[ -]?){13,16}\\b","category":"pii","validator":"luhn"},
  {"id":"after-key","regex":"(?<=key=)[a-z0-9]{6,}","category":"secret"},
  {"id":"lit","literal":"password=","category":"secret"},
  {"id":"mail","regex":"[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}","category":"pii","validator":"email"}
])";

// Freed at exit, before the leak check: the lazily compiled confirmations hang off it,
// in memory the leak checker does not scan.
struct DbFree {
  void operator()(trawl_db* db) const { trawl_db_free(db); }
};

trawl_db* Database() {
  static const std::unique_ptr<trawl_db, DbFree> db([] {
    trawl_rules* rules = nullptr;
    trawl_db* compiled = nullptr;
    if (trawl_rules_new(&rules) != TRAWL_OK ||
        trawl_rules_add_json(rules, kRules, sizeof kRules - 1, "fuzz", nullptr) != TRAWL_OK ||
        trawl_db_compile(&compiled, rules, nullptr, nullptr) != TRAWL_OK) {
      std::abort();
    }
    trawl_rules_free(rules);
    return compiled;
  }());
  return db.get();
}

// A manifest with a root container and one file whose size and digest are the content's.
std::string ManifestFor(std::string_view content, std::string_view name) {
  const std::string sha = trawl::ToHex(trawl::Sha256Of(content));
  std::string escaped;
  for (char c : name) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
      escaped += c;
    }
  }
  const std::string size = std::to_string(content.size());
  return R"({"schema":"trawl.manifest/1","package_id":"fuzz","package_name":"fuzz.tar",)"
         R"("input_bytes":10,"input_sha256":")" + std::string(64, 'a') + R"(",)"
         R"("complete":true,"stopped_by":"","limits":{"max_total_bytes":0,"max_expansion_ratio":0,)"
         R"("ratio_grace_bytes":0,"max_entries":0,"max_depth":8,"max_path_length":0,)"
         R"("max_component_bytes":0},"entries_seen":1,"expanded_bytes":0,"status_counts":{},)"
         R"("limit_events":[],"components":[{"id":"11111111111111111111111111111111",)"
         R"("parent":"00000000000000000000000000000000","path":"fuzz.tar!/)" + escaped +
         R"(","name":")" + escaped + R"(","unsafe_path":false,"depth":1,"index":0,"kind":"file",)"
         R"("container_format":"","declared_size":)" + size + R"(,"size":)" + size +
         R"(,"sha256":")" + sha + R"(","content_complete":true,"has_content":true,)"
         R"("media_type":"","status":"ok","reason":"","duplicate_of":"","children":0},)"
         R"({"id":"00000000000000000000000000000000","parent":"","path":"fuzz.tar","name":"",)"
         R"("unsafe_path":false,"depth":0,"index":0,"kind":"container","container_format":"tar",)"
         R"("declared_size":10,"size":10,"sha256":")" + std::string(64, 'a') +
         R"(","content_complete":true,"has_content":false,"media_type":"","status":"ok",)"
         R"("reason":"","duplicate_of":"","children":1}]})";
}

// No value of a report is null: the documents have no optional-by-null fields, so a null
// is a number that was not finite (JSON has no infinity).
bool HasNull(trawl::json::Value e) {
  if (e.IsNull()) return true;
  trawl::json::Array array;
  if (e.Get(&array) == trawl::json::Error::kOk) {
    for (trawl::json::Value item : array) {
      if (HasNull(item)) return true;
    }
  }
  trawl::json::Object object;
  if (e.Get(&object) == trawl::json::Error::kOk) {
    for (const auto& field : object) {
      if (HasNull(field.value)) return true;
    }
  }
  return false;
}

// A JSON report must parse, and no number in it may have been written as null.
void CheckReport(const trawl_buffer* buffer) {
  const std::string_view text(trawl_buffer_data(buffer), trawl_buffer_size(buffer));
  trawl::json::Parser parser;
  trawl::json::Value doc;
  if (parser.Parse(text, &doc) != trawl::json::Error::kOk || HasNull(doc)) std::abort();
}

trawl_options* FuzzedOptions(FuzzedDataProvider& in) {
  trawl_options* options = nullptr;
  if (trawl_options_new(&options) != TRAWL_OK) std::abort();
  for (int n = in.ConsumeIntegralInRange(0, 6); n > 0; --n) {
    const int32_t key = in.ConsumeIntegralInRange<int32_t>(-2, 40);
    const int64_t value = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(-2, 4096)
                                           : in.ConsumeIntegral<int64_t>();
    const trawl_status status = trawl_options_set_int(options, key, value);
    int64_t lo = 0, hi = 0;
    const trawl_status bounds = trawl_option_bounds(&lo, &hi, key);
    if (status == TRAWL_OK && (bounds != TRAWL_OK || value < lo || value > hi)) std::abort();
    if (bounds == TRAWL_OK && value >= lo && value <= hi && status != TRAWL_OK) std::abort();
  }
  if (in.ConsumeBool()) {
    // Refused unless libphonenumber knows the region; never a crash.
    const std::string region = in.ConsumeRandomLengthString(4);
    trawl_options_set_string(options, TRAWL_OPT_DEFAULT_REGION, region.c_str());
  }
  // A budget a fuzzed run can honour; scans and analysis must stay short.
  trawl_options_set_int(options, TRAWL_OPT_TIME_BUDGET_MS, 2000);
  trawl_options_set_int(options, TRAWL_OPT_COMPILE_THREADS, 1);
  return options;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  trawl_db* db = Database();
  trawl_options* options = FuzzedOptions(in);
  const int mode = in.ConsumeIntegralInRange(0, 4);
  trawl_buffer* out = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  if (mode == 0) {
    // Scanning with whatever options were accepted.
    const std::string input = in.ConsumeRemainingBytesAsString();
    trawl_scratch* scratch = nullptr;
    if (trawl_scratch_new(&scratch, db) != TRAWL_OK) std::abort();
    trawl_scan_result result = TRAWL_SCAN_RESULT_INIT;
    const trawl_status status =
        trawl_scan(db, scratch, input.data(), input.size(), options, nullptr, nullptr, &result);
    if (status != TRAWL_OK && status != TRAWL_STOPPED) std::abort();
    trawl_scratch_free(scratch);
  } else if (mode == 1) {
    // Analysis of fuzzed content under a manifest that names it, then aggregation of it.
    const std::string name = in.ConsumeRandomLengthString(24);
    const std::string content = in.ConsumeRemainingBytesAsString();
    const std::string manifest = ManifestFor(content, name);
    const trawl_status status =
        trawl_component_analyze(&out, db, manifest.data(), manifest.size(),
                                "11111111111111111111111111111111", content.data(),
                                content.size(), options, &err);
    if (status != TRAWL_OK) std::abort();  // the manifest is valid and names the content
    const char* results[2] = {trawl_buffer_data(out), trawl_buffer_data(out)};
    const size_t lens[2] = {trawl_buffer_size(out), trawl_buffer_size(out)};
    trawl_buffer* report = nullptr;
    if (trawl_report_aggregate(&report, manifest.data(), manifest.size(), results, lens, 2,
                               options, TRAWL_REPORT_JSON, &err) != TRAWL_OK) {
      std::abort();  // analysis output must always aggregate
    }
    CheckReport(report);
    trawl_buffer_free(report);
  } else if (mode == 2) {
    // A hostile manifest and component id for fuzzed content.
    const std::string manifest = in.ConsumeRandomLengthString(4096);
    const std::string id = in.ConsumeRandomLengthString(40);
    const std::string content = in.ConsumeRemainingBytesAsString();
    trawl_component_analyze(&out, db, manifest.data(), manifest.size(), id.c_str(),
                            content.data(), content.size(), options, &err);
  } else if (mode == 3) {
    // Aggregation of hostile results, under a valid manifest or a hostile one.
    const bool valid_manifest = in.ConsumeBool();
    const std::string manifest =
        valid_manifest ? ManifestFor("content", "a.txt") : in.ConsumeRandomLengthString(4096);
    const int32_t format = in.ConsumeIntegralInRange<int32_t>(-1, 3);
    std::vector<std::string> results;
    while (in.remaining_bytes() > 0 && results.size() < 8) {
      results.push_back(in.ConsumeRandomLengthString(8192));
    }
    std::vector<const char*> pointers;
    std::vector<size_t> lens;
    for (const std::string& r : results) {
      pointers.push_back(r.data());
      lens.push_back(r.size());
    }
    const trawl_status status =
        trawl_report_aggregate(&out, manifest.data(), manifest.size(), pointers.data(),
                               lens.data(), results.size(), options, format, &err);
    if (status == TRAWL_OK && format == TRAWL_REPORT_JSON) CheckReport(out);
  } else {
    // A package in memory (any bytes: an archive, a compressed stream, plain content),
    // through intake, the plans, the analysis and aggregation in one call.
    const std::string package = in.ConsumeRemainingBytesAsString();
    // Whatever the fuzzed options said, expansion stays small enough for the fuzzer's
    // memory limit (intake's own limits are fuzzed by tests/intake).
    trawl_options_set_int(options, TRAWL_OPT_MAX_TOTAL_BYTES, 16 << 20);
    trawl_options_set_int(options, TRAWL_OPT_MAX_COMPONENT_BYTES, 16 << 20);
    trawl_options_set_int(options, TRAWL_OPT_MAX_ENTRIES, 10000);
    const trawl_status status = trawl_package_analyze(&out, db, package.data(), package.size(),
                                                      options, TRAWL_REPORT_JSON, &err);
    if (status == TRAWL_OK) CheckReport(out);
  }
  trawl_buffer_free(out);
  trawl_options_free(options);
  return 0;
}
