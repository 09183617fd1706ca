// File: pipeline.cc
// The stages. Each one reads its inputs from S3, calls one trawl function, writes its
// output under a deterministic key and passes a message on.
#include "host/pipeline.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <istream>
#include <streambuf>
#include <thread>
#include <vector>

#include "host/events.h"
#include "host/json.h"
#include "host/runtime.h"
#include "host/validate.h"

namespace trawl_host {
namespace {

namespace fs = std::filesystem;

// Reads a string in place: a multipart upload of a large report needs a stream, and
// std::istringstream would copy the whole report first.
class StringReadBuf : public std::streambuf {
 public:
  explicit StringReadBuf(const std::string& data) {
    char* begin = const_cast<char*>(data.data());  // get area only: never written
    setg(begin, begin, begin + data.size());
  }
};

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int64_t EnvInt(const char* name, int64_t fallback) {
  const std::string v = Env(name);
  return v.empty() ? fallback : std::strtoll(v.c_str(), nullptr, 10);
}

uint64_t EnvBytes(const char* name) {
  const int64_t v = EnvInt(name, 0);
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

double EnvDouble(const char* name, double fallback) {
  const std::string v = Env(name);
  return v.empty() ? fallback : std::strtod(v.c_str(), nullptr);
}

double MsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

std::string Ms(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// Component status (pipeline.h): user metadata of packages/<id>/components/<component>.
constexpr char kStatusPending[] = "pending";
constexpr char kStatusAnalysed[] = "analysed";
constexpr char kStatusFailed[] = "failed";
constexpr char kStatusSkipped[] = "skipped";  // needs no result (duplicate, container, ...)
constexpr char kComponentType[] = "application/octet-stream";

ObjectMetadata StatusMetadata(const std::string& status, int64_t attempts, const std::string& stage,
                              const std::string& detail) {
  ObjectMetadata m = {{"trawl-status", status},
                      {"trawl-attempts", std::to_string(attempts)},
                      {"trawl-stage", stage}};
  if (!detail.empty()) {
    m.emplace_back(status == kStatusAnalysed ? "trawl-result-key" : "trawl-error", detail);
  }
  return m;
}

// Whether a plan's estimates reach this deployment's light limits (0 = no limit).
bool BeyondLight(const JsonDoc& plan, double max_seconds, uint64_t max_memory_bytes) {
  const double seconds = plan.Double("/estimated_seconds").value_or(0);
  const int64_t memory = plan.Int("/estimated_memory_bytes").value_or(0);
  return (max_seconds > 0 && seconds >= max_seconds) ||
         (max_memory_bytes > 0 && memory > 0 && static_cast<uint64_t>(memory) >= max_memory_bytes);
}

std::string MetadataValue(const ObjectMetadata& metadata, const std::string& name) {
  for (const auto& [k, v] : metadata) {
    if (k == name) return v;
  }
  return "";
}

// The memory this process may use: Lambda's setting, TRAWL_MEMORY_MB (ECS), else the
// cgroup v2 limit; 0 when unknown.
uint64_t MemoryBytes() {
  if (const int64_t mb = EnvInt("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 0); mb > 0) {
    return static_cast<uint64_t>(mb) << 20;
  }
  if (const int64_t mb = EnvInt("TRAWL_MEMORY_MB", 0); mb > 0) return static_cast<uint64_t>(mb) << 20;
  std::ifstream in("/sys/fs/cgroup/memory.max");
  uint64_t limit = 0;
  return in >> limit ? limit : 0;  // "max" (no limit) does not parse: 0
}

// Bytes that can still be written under `dir`.
uint64_t FreeBytes(const std::string& dir) {
  struct statvfs st {};
  if (statvfs(dir.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

bool ReadKeyFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  while (!out->empty() && (out->back() == '\n' || out->back() == '\r' || out->back() == ' ')) {
    out->pop_back();
  }
  return true;
}

bool Fail(StageError* error, const std::string& type, const std::string& message) {
  error->type = type;
  error->message = message;
  return false;
}

bool LibraryFail(StageError* error, const char* call, trawl_status status, const trawl_error& err) {
  return Fail(error, "Trawl.Library",
              std::string(call) + ": " + trawl_status_str(status) + ": " + err.message);
}

struct BufferDeleter {
  void operator()(trawl_buffer* b) const { trawl_buffer_free(b); }
};
using Buffer = std::unique_ptr<trawl_buffer, BufferDeleter>;

std::string BufferString(const trawl_buffer* b) {
  return std::string(trawl_buffer_data(b), trawl_buffer_size(b));
}

std::string ManifestKey(const std::string& pid) { return "packages/" + pid + "/manifest.json"; }
std::string ComponentKey(const std::string& pid, const std::string& cid) {
  return "packages/" + pid + "/components/" + cid;
}
std::string PlanKey(const std::string& pid, const std::string& cid) {
  return "plans/" + pid + "/" + cid + ".json";
}
std::string ResultKey(const std::string& pid, const std::string& cid) {
  return "results/" + pid + "/" + cid + ".json";
}
std::string ReportKey(const std::string& pid) { return "reports/" + pid + ".json"; }

std::string Message(const std::string& bucket, const std::string& pid, const std::string& cid) {
  std::string m = "{\"bucket\":" + JsonQuote(bucket) + ",\"package_id\":" + JsonQuote(pid);
  if (!cid.empty()) m += ",\"component_id\":" + JsonQuote(cid);
  return m + "}";
}

std::string DynamoKey(const std::string& table, const std::string& pid) {
  return "\"TableName\":" + JsonQuote(table) + ",\"Key\":{\"package_id\":{\"S\":" + JsonQuote(pid) +
         "}}";
}

void Log(const char* format, const std::string& a, const std::string& b = "") {
  std::fprintf(stderr, format, a.c_str(), b.c_str());
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

// Test-only fault injection (docs/hosts.md), compiled only into the test builds of the
// hosts (TRAWL_AWS_FAULT_INJECTION): when the file named by TRAWL_TEST_CRASH_FILE exists
// at this point, it is removed and the process aborts, as a crash mid-stage would.
#ifdef TRAWL_AWS_FAULT_INJECTION
void MaybeCrash(const char* where) {
  const std::string file = Env("TRAWL_TEST_CRASH_FILE");
  if (!file.empty() && fs::remove(file)) {
    std::fprintf(stderr, "trawl-host: TRAWL_TEST_CRASH_FILE: crashing %s\n", where);
    std::fflush(stderr);
    std::abort();
  }
}
#else
void MaybeCrash(const char*) {}
#endif

}  // namespace

PipelineConfig ConfigFromEnv() {
  PipelineConfig c;
  c.stage = Env("TRAWL_STAGE");
  c.db_path = Env("TRAWL_DB");
  c.bucket = Env("TRAWL_BUCKET");
  c.values_bucket = Env("TRAWL_VALUES_BUCKET");
  c.include_values = Env("TRAWL_INCLUDE_VALUES", "0") != "0";
  c.fingerprint_key_secret = Env("TRAWL_FINGERPRINT_KEY_SECRET_ARN");
  c.fingerprint_key = Env("TRAWL_FINGERPRINT_KEY");
  c.fingerprint_key_file = Env("TRAWL_FINGERPRINT_KEY_FILE");
  c.incoming_prefix = Env("TRAWL_INCOMING_PREFIX", "incoming/");
  c.max_package_bytes = EnvBytes("TRAWL_MAX_PACKAGE_BYTES");
  c.max_total_bytes = EnvBytes("TRAWL_MAX_TOTAL_BYTES");
  c.max_component_bytes = EnvBytes("TRAWL_MAX_COMPONENT_BYTES");
  c.memory_bytes = MemoryBytes();
  c.delete_after_report = Env("TRAWL_DELETE_AFTER_REPORT", "1") != "0";
  c.state_ttl_days = EnvInt("TRAWL_STATE_TTL_DAYS", 30);
  c.table = Env("TRAWL_TABLE", "trawl-packages");
  c.classify_queue = Env("TRAWL_CLASSIFY_QUEUE_URL");
  c.light_queue = Env("TRAWL_LIGHT_QUEUE_URL");
  c.heavy_queue = Env("TRAWL_HEAVY_QUEUE_URL");
  c.aggregate_queue = Env("TRAWL_AGGREGATE_QUEUE_URL");
  c.tmp_dir = Env("TMPDIR", "/tmp");
  c.reserve_ms = EnvInt("TRAWL_DEADLINE_RESERVE_MS", 3000);
  c.max_attempts = EnvInt("TRAWL_MAX_ATTEMPTS", 3);
  c.part_bytes = static_cast<size_t>(EnvInt("TRAWL_S3_PART_BYTES", 8 << 20));
  c.upload_part_bytes = static_cast<size_t>(EnvInt("TRAWL_S3_UPLOAD_PART_BYTES", 8 << 20));
  c.light_max_seconds = EnvDouble("TRAWL_LIGHT_MAX_SECONDS", 0);
  c.light_max_memory_bytes = EnvBytes("TRAWL_LIGHT_MAX_MEMORY_BYTES");
  c.metrics_namespace = Env("TRAWL_METRICS_NAMESPACE");
  return c;
}

std::unique_ptr<Pipeline> Pipeline::Create(const PipelineConfig& config, StageError* error) {
  const std::string& s = config.stage;
  if (s != "intake" && s != "classify" && s != "analyze" && s != "aggregate") {
    Fail(error, "Trawl.Config",
         "TRAWL_STAGE must be intake, classify, analyze or aggregate, not '" + s + "'");
    return nullptr;
  }
  // Events and messages name buckets; only this one is ever read or written.
  if (config.bucket.empty()) {
    Fail(error, "Trawl.Config", "TRAWL_BUCKET must name the pipeline's bucket");
    return nullptr;
  }
  if (config.include_values &&
      (config.values_bucket.empty() || config.values_bucket == config.bucket)) {
    Fail(error, "Trawl.Config",
         "TRAWL_INCLUDE_VALUES=1 needs TRAWL_VALUES_BUCKET, a bucket of its own for values");
    return nullptr;
  }
  std::unique_ptr<Pipeline> p(new Pipeline(config));
  // Fingerprints are computed by analysis; the key must be the deployment's own secret:
  // with the library's public default, a guessable value is found from its fingerprint.
  if (s == "analyze") {
    std::string& key = p->config_.fingerprint_key;
    std::string source = "TRAWL_FINGERPRINT_KEY";
    if (!config.fingerprint_key_secret.empty()) {
      source = "secret " + config.fingerprint_key_secret;
      AwsResult r = p->aws_.GetSecretString(config.fingerprint_key_secret, &key);
      if (!r.ok) {
        Fail(error, "Trawl.Config", "fingerprint key: " + source + ": " + r.message + " " + r.code);
        return nullptr;
      }
    } else if (key.empty() && !config.fingerprint_key_file.empty()) {
      source = "TRAWL_FINGERPRINT_KEY_FILE " + config.fingerprint_key_file;
      if (!ReadKeyFile(config.fingerprint_key_file, &key)) {
        Fail(error, "Trawl.Config", "fingerprint key: cannot read " + source);
        return nullptr;
      }
    } else if (key.empty()) {
      Fail(error, "Trawl.Config",
           "no fingerprint key: set TRAWL_FINGERPRINT_KEY_SECRET_ARN, TRAWL_FINGERPRINT_KEY or "
           "TRAWL_FINGERPRINT_KEY_FILE (32 random bytes as 64 hex digits)");
      return nullptr;
    }
    std::string why;
    if (!IsFingerprintKey(key, &why)) {
      Fail(error, "Trawl.Config", "fingerprint key from " + source + " refused: " + why);
      return nullptr;
    }
  }
  // The report options must be the same in every stage (fingerprints are computed when a
  // component is analysed and matched when the package is aggregated).
  for (trawl_options** options : {&p->options_, &p->redacted_options_}) {
    if (trawl_options_new(options) != TRAWL_OK) {
      Fail(error, "Trawl.Config", "trawl_options_new failed");
      return nullptr;
    }
    const std::pair<const char*, int32_t> strings[] = {
        {"TRAWL_POLICY_FILE", TRAWL_OPT_POLICY_FILE},
        {"TRAWL_SUPPRESSIONS_FILE", TRAWL_OPT_SUPPRESSIONS_FILE},
        {"TRAWL_BASELINE_FILE", TRAWL_OPT_BASELINE_FILE}};
    for (const auto& [name, key] : strings) {
      const std::string value = Env(name);
      if (!value.empty() && trawl_options_set_string(*options, key, value.c_str()) != TRAWL_OK) {
        Fail(error, "Trawl.Config", std::string("cannot apply ") + name);
        return nullptr;
      }
    }
    if (!p->config_.fingerprint_key.empty() &&
        trawl_options_set_string(*options, TRAWL_OPT_FINGERPRINT_KEY,
                                 p->config_.fingerprint_key.c_str()) != TRAWL_OK) {
      Fail(error, "Trawl.Config", "cannot apply the fingerprint key");
      return nullptr;
    }
    const bool values = config.include_values && options == &p->options_;
    trawl_options_set_int(*options, TRAWL_OPT_INCLUDE_VALUES, values ? 1 : 0);
  }
  if (s == "classify" || s == "analyze") {
    const auto start = std::chrono::steady_clock::now();
    trawl_error err = TRAWL_ERROR_INIT;
    const trawl_status status = trawl_db_load_file(&p->db_, config.db_path.c_str(), &err);
    if (status != TRAWL_OK) {
      LibraryFail(error, ("trawl_db_load_file(" + config.db_path + ")").c_str(), status, err);
      error->type = "Trawl.DatabaseLoad";
      return nullptr;
    }
    p->db_load_ms_ =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::fprintf(stderr, "trawl-host: stage %s: database %s loaded in %.1f ms (%zu rules)\n",
                 s.c_str(), config.db_path.c_str(), p->db_load_ms_, trawl_db_rule_count(p->db_));
  }
  return p;
}

Pipeline::~Pipeline() {
  trawl_db_free(db_);
  trawl_options_free(options_);
  trawl_options_free(redacted_options_);
}

bool Pipeline::Get(const std::string& bucket, const std::string& key, std::string* out,
                   StageError* error, std::string* code) {
  AwsResult r = aws_.GetObject(bucket, key, config_.part_bytes);
  if (code != nullptr) *code = r.code;
  if (!r.ok) return Fail(error, "Trawl.S3", "GET s3://" + bucket + "/" + key + ": " + r.message);
  *out = std::move(r.body);
  return true;
}

bool Pipeline::Put(const std::string& bucket, const std::string& key, const std::string& data,
                   const std::string& content_type, StageError* error) {
  // A large report or result goes up in parts, as components do: one request's body is
  // bounded (S3: 5 GB; proxies and the local test services far less).
  AwsResult r;
  if (data.size() > config_.upload_part_bytes) {
    StringReadBuf buffer(data);
    std::istream in(&buffer);
    r = aws_.PutObjectFromStream(bucket, key, in, key, content_type, config_.upload_part_bytes);
  } else {
    r = aws_.PutObject(bucket, key, data, content_type);
  }
  if (!r.ok) return Fail(error, "Trawl.S3", "PUT s3://" + bucket + "/" + key + ": " + r.message);
  return true;
}

bool Pipeline::PutIntermediate(const std::string& bucket, const std::string& key,
                               const std::string& data, const std::string& pid, bool* late,
                               StageError* error) {
  *late = false;
  if (!Put(bucket, key, data, "application/json", error)) return false;
  // The report key is recorded before the intermediates are deleted, so checking it after
  // the write leaves nothing behind in either order: reported already, the late object is
  // removed here; not yet, the aggregation's deletion (which comes later) removes it.
  StageError unchecked;
  if (!AlreadyReported(pid, &unchecked)) return true;  // on a failed check, lifecycle rules
  *late = true;
  AwsResult r = aws_.DeleteObject(bucket, key);
  if (!r.ok && r.code != "NoSuchKey") {
    Log("trawl-host: delete s3://%s: %s", bucket + "/" + key, r.message);
  }
  Log("trawl-host: package %s was reported meanwhile; late %s removed, message done", pid, key);
  return true;
}

bool Pipeline::HandleEvent(const std::string& event, int64_t deadline_ms, std::string* response,
                           StageError* error) {
  const EventKind kind = DetectEvent(event);
  std::string parse_error;
  if (config_.stage == "intake" && kind == EventKind::kS3) {
    // S3 invokes asynchronously and retries a failed invocation: fail early, not halfway.
    if (NowMs() + config_.reserve_ms > deadline_ms) {
      return Fail(error, "Trawl.Deadline", "less than TRAWL_DEADLINE_RESERVE_MS left");
    }
    std::vector<S3ObjectRef> objects;
    if (!ParseS3Event(event, &objects, &parse_error))
      return Fail(error, "Trawl.Event", parse_error);
    for (const S3ObjectRef& o : objects) {
      if (!Intake(o.bucket, o.key, o.size, error)) return false;  // S3 retries the whole event
    }
    *response = "{\"packages\":" + std::to_string(objects.size()) + "}";
    return true;
  }
  if (kind != EventKind::kSqs) {
    return Fail(error, "Trawl.Event",
                "stage " + config_.stage + " takes " +
                    (config_.stage == "intake" ? "S3 or SQS" : "SQS") + " events");
  }
  std::vector<SqsRecord> records;
  if (!ParseSqsEvent(event, &records, &parse_error)) return Fail(error, "Trawl.Event", parse_error);
  std::vector<std::string> failures;
  for (const SqsRecord& r : records) {
    if (NowMs() + config_.reserve_ms > deadline_ms) {
      Log("trawl-host: %s: no time left before the deadline; SQS will retry it%s", r.message_id);
      failures.push_back(r.message_id);
      continue;
    }
    StageError record_error;
    bool ok;
    if (config_.stage == "intake") {  // S3 -> SQS -> Lambda: the body is an S3 notification
      std::vector<S3ObjectRef> objects;
      ok = ParseS3Event(r.body, &objects, &record_error.message);
      if (!ok) record_error.type = "Trawl.Event";
      for (size_t i = 0; ok && i < objects.size(); ++i) {
        ok = Intake(objects[i].bucket, objects[i].key, objects[i].size, &record_error);
      }
    } else {
      ok = HandleMessage(r.body, r.message_id, r.receive_count, &record_error);
    }
    if (!ok) {
      Log("trawl-host: record %s failed: %s", r.message_id,
          record_error.type + ": " + record_error.message);
      failures.push_back(r.message_id);
    }
  }
  *response = BatchItemFailures(failures);
  return true;
}

bool Pipeline::HandleMessage(const std::string& body, const std::string& message_id,
                             int64_t receive_count, StageError* error) {
  message_id_ = message_id;
  receive_count_ = receive_count;
  JsonDoc doc(body);
  const std::string bucket = doc.String("/bucket").value_or("");
  const std::string pid = doc.String("/package_id").value_or("");
  const std::string cid = doc.String("/component_id").value_or("");
  // A malformed message can never succeed: say why and let it be deleted. Ids become
  // parts of keys, so they must have their exact shape; the bucket must be ours.
  const char* bad = nullptr;
  if (bucket != config_.bucket) {
    bad = "its bucket is not TRAWL_BUCKET";
  } else if (!IsPackageId(pid)) {
    bad = "package_id is not 64 lowercase hex digits";
  } else if (config_.stage != "aggregate" && !IsComponentId(cid)) {
    bad = "component_id is not 32 lowercase hex digits";
  }
  if (bad != nullptr) {
    Log("trawl-host: dropping message %s: %s", message_id, std::string(bad));
    return true;
  }
  if (config_.stage == "aggregate") return Aggregate(pid, error);
  const bool ok = config_.stage == "classify" ? Classify(bucket, pid, cid, error)
                                              : Analyze(bucket, pid, cid, error);
  if (ok) return true;
  if (receive_count < config_.max_attempts) {
    NoteFailedAttempt(bucket, pid, cid, error->type);
    return false;
  }
  // The last attempt failed: the component is recorded as failed, so the package still
  // completes; the report is then explicitly incomplete and says which component is missing.
  Log("trawl-host: component %s failed its last attempt (%s); recording it as failed", cid,
      error->message);
  const std::string type = error->type;
  return GiveUp(bucket, pid, cid, type, error);
}

bool Pipeline::Intake(const std::string& bucket, const std::string& key, int64_t size,
                      StageError* error) {
  // The key is checked before anything is requested: a key with "." or ".." segments would
  // address another object (or bucket) once an HTTP stack normalizes the path.
  std::string why;
  if (bucket != config_.bucket) {
    return Fail(error, "Trawl.Event", "bucket '" + bucket + "' is not TRAWL_BUCKET");
  }
  if (!IsCanonicalKey(key, &why)) return Fail(error, "Trawl.Event", "key refused: " + why);
  if (key.rfind(config_.incoming_prefix, 0) != 0) {
    return Fail(error, "Trawl.Event", "key is not under " + config_.incoming_prefix);
  }
  const uint64_t free_bytes = FreeBytes(config_.tmp_dir);
  const uint64_t max_package =
      config_.max_package_bytes > 0 ? config_.max_package_bytes : free_bytes / 2;
  if (size >= 0 && static_cast<uint64_t>(size) > max_package) {
    return Fail(error, "Trawl.Rejected",
                "s3://" + bucket + "/" + key + ": " + std::to_string(size) +
                    " bytes, above the intake limit of " + std::to_string(max_package) +
                    " (TRAWL_MAX_PACKAGE_BYTES, or half the free space of " + config_.tmp_dir + ")");
  }
  // The package keeps its base name: the manifest and report show it as package_name.
  const std::string name = key.substr(key.rfind('/') + 1);
  if (name.empty()) return Fail(error, "Trawl.Event", "key names a folder, not a package");
  std::string tmpl = config_.tmp_dir + "/trawl-intake-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr)
    return Fail(error, "Trawl.IO", "mkdtemp " + tmpl + " failed");
  const fs::path dir(tmpl);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};

  // Streamed to disk part by part: a package may be larger than the function's memory.
  const fs::path package_path = dir / name;
  AwsResult got =
      aws_.GetObjectToFile(bucket, key, package_path.string(), config_.part_bytes, max_package);
  if (!got.ok && got.code == "NoSuchKey") {
    // Taken in and reported already (the pipeline deletes it then), or deleted by its owner.
    Log("trawl-host: intake %s: the object is gone; nothing to do%s", key);
    return true;
  }
  if (!got.ok) {
    return Fail(error, got.code == "TooLarge" ? "Trawl.Rejected" : "Trawl.S3",
                "GET s3://" + bucket + "/" + key + ": " + got.message);
  }
  const fs::path components = dir / "components";
  fs::create_directory(components);

  // Decomposition writes every component under tmp_dir: its limits keep that within the
  // space left there, and components within what classify and analyze can hold.
  std::error_code ec;
  const uint64_t package_size = fs::file_size(package_path, ec);
  const uint64_t margin = 16u << 20;
  const uint64_t room = free_bytes > package_size + margin ? free_bytes - package_size - margin : 0;
  // The manifest records the limits: set only those that differ from the library's (the
  // report then equals `trawl analyze`'s where the defaults fit).
  constexpr uint64_t kLibraryMaxTotalBytes = 4ull << 30;  // TRAWL_OPT_MAX_TOTAL_BYTES default
  const uint64_t wanted = config_.max_total_bytes > 0 ? config_.max_total_bytes : kLibraryMaxTotalBytes;
  const uint64_t max_total = std::min(wanted, room);
  if (max_total == 0) {
    return Fail(error, "Trawl.Rejected", "no room left in " + config_.tmp_dir + " to decompose");
  }
  trawl_options* raw_limits = nullptr;
  if (trawl_options_new(&raw_limits) != TRAWL_OK) return Fail(error, "Trawl.Config", "options");
  std::unique_ptr<trawl_options, void (*)(trawl_options*)> limits(raw_limits, trawl_options_free);
  if (max_total != kLibraryMaxTotalBytes) {
    trawl_options_set_int(limits.get(), TRAWL_OPT_MAX_TOTAL_BYTES, static_cast<int64_t>(max_total));
  }
  if (config_.max_component_bytes > 0) {
    trawl_options_set_int(limits.get(), TRAWL_OPT_MAX_COMPONENT_BYTES,
                          static_cast<int64_t>(config_.max_component_bytes));
  }

  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_package_decompose_to_directory(
      &raw, package_path.c_str(), components.c_str(), limits.get(), &err);
  if (status != TRAWL_OK) {
    return LibraryFail(error, "trawl_package_decompose_to_directory", status, err);
  }
  Buffer manifest_buffer(raw);
  const std::string manifest = BufferString(manifest_buffer.get());
  const std::string pid = JsonDoc(manifest).String("/package_id").value_or("");
  if (!IsPackageId(pid)) return Fail(error, "Trawl.Library", "manifest without a package_id");
  fs::remove(package_path, ec);  // room for nothing else, but no reason to keep it

  size_t work_count = 0;
  std::vector<std::string> work_ids;
  raw = nullptr;
  trawl_error work_err = TRAWL_ERROR_INIT;
  status = trawl_manifest_work(&raw, manifest.data(), manifest.size(), &work_err);
  if (status != TRAWL_OK) return LibraryFail(error, "trawl_manifest_work", status, work_err);
  Buffer work(raw);
  JsonDoc work_doc(BufferString(work.get()));
  work_count = work_doc.ArraySize("/components").value_or(0);
  for (size_t i = 0; i < work_count; ++i) {
    work_ids.push_back(work_doc.String("/components/" + std::to_string(i) + "/id").value_or(""));
  }
  const std::set<std::string> needs_result(work_ids.begin(), work_ids.end());

  // Components first, the manifest last: a manifest in S3 means its components are there.
  // Each is uploaded from its file, in parts: none is held in memory whole. Each starts
  // pending, or skipped when it needs no result.
  for (const auto& entry : fs::directory_iterator(components)) {
    const std::string file = entry.path().filename().string();
    if (file == "manifest.json") continue;
    if (!IsComponentId(file)) {
      return Fail(error, "Trawl.Library", "decomposition wrote an unexpected file: " + file);
    }
    const char* initial = needs_result.count(file) > 0 ? kStatusPending : kStatusSkipped;
    AwsResult r = aws_.PutObjectFromFile(config_.bucket, ComponentKey(pid, file),
                                         entry.path().string(), kComponentType,
                                         config_.upload_part_bytes,
                                         StatusMetadata(initial, 0, "intake", ""));
    if (!r.ok) return Fail(error, "Trawl.S3", "PUT component " + file + ": " + r.message);
  }
  if (!Put(config_.bucket, ManifestKey(pid), manifest, "application/json", error)) return false;
  // Register the package (idempotent: a retried intake sets the same values). The item
  // expires (DynamoDB TTL) well after the queues have dropped any message for it.
  const int64_t expires_at = NowMs() / 1000 + config_.state_ttl_days * 86400;
  AwsResult r = aws_.Dynamo(
      "UpdateItem",
      "{" + DynamoKey(config_.table, pid) +
          ",\"UpdateExpression\":\"SET total_components = :n, package_name = :name, "
          "bucket_name = :b, source_key = :k, expires_at = if_not_exists(expires_at, :e)\","
          "\"ExpressionAttributeValues\":{\":n\":{\"N\":\"" +
          std::to_string(work_count) + "\"},\":name\":{\"S\":" + JsonQuote(name) +
          "},\":b\":{\"S\":" + JsonQuote(config_.bucket) + "},\":k\":{\"S\":" + JsonQuote(key) +
          "},\":e\":{\"N\":\"" + std::to_string(expires_at) + "\"}}}");
  if (!r.ok) return Fail(error, "Trawl.DynamoDB", "register " + pid + ": " + r.message);
  Log("trawl-host: intake %s: package %s", key,
      pid + ", " + std::to_string(work_count) + " components to analyse");
  for (const std::string& cid : work_ids) {
    r = aws_.SendMessage(config_.classify_queue, Message(config_.bucket, pid, cid));
    if (!r.ok) return Fail(error, "Trawl.SQS", "send classify " + cid + ": " + r.message);
  }
  if (work_ids.empty()) return RecordDone(config_.bucket, pid, "", false, error);
  return true;
}

bool Pipeline::AlreadyReported(const std::string& pid, StageError* error) {
  // UpdateItem, not GetItem (which no stage role has): a conditional no-op write.
  // Appended in place: `"{" + string` trips GCC 12's -Wrestrict false positive at -O3.
  std::string request = "{";
  request += DynamoKey(config_.table, pid);
  request += ",\"UpdateExpression\":\"SET report_key = report_key\","
             "\"ConditionExpression\":\"attribute_exists(report_key)\"}";
  AwsResult r = aws_.Dynamo("UpdateItem", request);
  if (r.ok) return true;
  if (r.code != "ConditionalCheckFailedException") {
    Fail(error, "Trawl.DynamoDB", "state of " + pid + ": " + r.message);
  }
  return false;
}

bool Pipeline::GetManifest(const std::string& pid, std::string* manifest, bool* stale,
                           StageError* error) {
  *stale = false;
  std::string code;
  if (Get(config_.bucket, ManifestKey(pid), manifest, error, &code)) return true;
  if (code == "NoSuchKey" && AlreadyReported(pid, error)) {
    Log("trawl-host: package %s is reported and its intermediates deleted; message done%s", pid);
    *stale = true;
  }
  return false;
}

bool Pipeline::FitsInMemory(const std::string& manifest, const std::string& cid) {
  uint64_t limit = config_.max_component_bytes;
  if (config_.memory_bytes > 0) {
    limit = limit > 0 ? std::min(limit, config_.memory_bytes / 4) : config_.memory_bytes / 4;
  }
  if (limit == 0) return true;
  JsonDoc doc(manifest);
  const size_t n = doc.ArraySize("/components").value_or(0);
  for (size_t i = 0; i < n; ++i) {
    const std::string p = "/components/" + std::to_string(i);
    if (doc.String(p + "/id").value_or("") != cid) continue;
    const int64_t size = doc.Int(p + "/size").value_or(0);
    if (size > 0 && static_cast<uint64_t>(size) > limit) {
      Log("trawl-host: component %s: %s bytes, above this stage's limit (a quarter of its "
          "memory, or TRAWL_MAX_COMPONENT_BYTES); recording it as failed",
          cid, std::to_string(size) + " > " + std::to_string(limit));
      return false;
    }
    return true;
  }
  return true;
}

bool Pipeline::Classify(const std::string& bucket, const std::string& pid, const std::string& cid,
                        StageError* error) {
  std::string manifest, content;
  bool stale = false;
  if (!GetManifest(pid, &manifest, &stale, error)) return stale;
  if (!FitsInMemory(manifest, cid)) return GiveUp(bucket, pid, cid, "Trawl.TooLarge", error);
  if (!Get(bucket, ComponentKey(pid, cid), &content, error)) return false;
  const auto start = std::chrono::steady_clock::now();
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      trawl_component_plan(&raw, db_, manifest.data(), manifest.size(), cid.c_str(), content.data(),
                           content.size(), options_, &err);
  if (status != TRAWL_OK) return LibraryFail(error, "trawl_component_plan", status, err);
  Buffer plan(raw);
  const std::string plan_json = BufferString(plan.get());
  bool late = false;
  if (!PutIntermediate(bucket, PlanKey(pid, cid), plan_json, pid, &late, error)) return false;
  if (late) return true;
  // The library's tier assumes its own light limits; the analyze function may have less
  // memory or time than those, and then the heavy tier takes the component.
  JsonDoc plan_doc(plan_json);
  const bool heavy = plan_doc.String("/tier").value_or("light") == "heavy" ||
                     BeyondLight(plan_doc, config_.light_max_seconds,
                                 config_.light_max_memory_bytes);
  const std::string& queue =
      heavy && !config_.heavy_queue.empty() ? config_.heavy_queue : config_.light_queue;
  AwsResult r = aws_.SendMessage(queue, Message(bucket, pid, cid));
  if (!r.ok) return Fail(error, "Trawl.SQS", "send analyze " + cid + ": " + r.message);
  Log("trawl-host: classify %s: %s", cid,
      std::string("tier ") + (heavy ? "heavy" : "light") + " (" + Ms(MsSince(start)) + ")");
  return true;
}

bool Pipeline::Analyze(const std::string& bucket, const std::string& pid, const std::string& cid,
                       StageError* error) {
  std::string manifest, content;
  bool stale = false;
  if (!GetManifest(pid, &manifest, &stale, error)) return stale;
  if (!FitsInMemory(manifest, cid)) return GiveUp(bucket, pid, cid, "Trawl.TooLarge", error);
  if (!Get(bucket, ComponentKey(pid, cid), &content, error)) return false;
  const auto start = std::chrono::steady_clock::now();
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  const trawl_status status =
      trawl_component_analyze(&raw, db_, manifest.data(), manifest.size(), cid.c_str(),
                              content.data(), content.size(), options_, &err);
  if (status != TRAWL_OK) return LibraryFail(error, "trawl_component_analyze", status, err);
  Buffer result(raw);
  // Results carry values only in values mode, and then live in the values bucket.
  bool late = false;
  if (!PutIntermediate(results_bucket(), ResultKey(pid, cid), BufferString(result.get()), pid,
                       &late, error)) {
    return false;
  }
  if (late) return true;
  const double analyse_ms = MsSince(start);
  MaybeCrash("after writing a result, before recording it");
  // The status is final on the object before the package-level record counts it: once the
  // package completes (and is reported, and its objects deleted), no status is pending.
  if (!MarkComponent(bucket, pid, cid, kStatusAnalysed, ResultKey(pid, cid), error)) return false;
  Log("trawl-host: analyze %s: result written (%s)", cid,
      Ms(analyse_ms) + ", " + std::to_string(content.size()) + " bytes");
  return RecordDone(bucket, pid, cid, /*failed=*/false, error);
}

bool Pipeline::Aggregate(const std::string& pid, StageError* error) {
  std::string manifest;
  bool stale = false;
  if (!GetManifest(pid, &manifest, &stale, error)) return stale;
  trawl_buffer* raw = nullptr;
  trawl_error err = TRAWL_ERROR_INIT;
  trawl_status status = trawl_manifest_work(&raw, manifest.data(), manifest.size(), &err);
  if (status != TRAWL_OK) return LibraryFail(error, "trawl_manifest_work", status, err);
  Buffer work(raw);
  JsonDoc work_doc(BufferString(work.get()));
  const size_t n = work_doc.ArraySize("/components").value_or(0);
  std::vector<std::string> results;
  for (size_t i = 0; i < n; ++i) {
    const std::string cid =
        work_doc.String("/components/" + std::to_string(i) + "/id").value_or("");
    AwsResult r = aws_.GetObject(results_bucket(), ResultKey(pid, cid), config_.part_bytes);
    if (r.ok) {
      results.push_back(std::move(r.body));
    } else if (r.code != "NoSuchKey") {  // a missing result makes the report incomplete
      return Fail(error, "Trawl.S3", "GET result " + cid + ": " + r.message);
    }
  }
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  for (const std::string& s : results) {
    ptrs.push_back(s.data());
    lens.push_back(s.size());
  }
  // The same report twice: JSON for programs, SARIF for code-scanning tools. In values
  // mode, the values bucket gets it with values, and this bucket a redacted one.
  struct Target {
    const std::string* bucket;
    const trawl_options* options;
  };
  std::vector<Target> targets;
  std::string last_report;  // the pipeline bucket's JSON report (whether it is complete)
  if (config_.include_values) targets.push_back({&config_.values_bucket, options_});
  targets.push_back({&config_.bucket, config_.include_values ? redacted_options_ : options_});
  const std::pair<int32_t, const char*> formats[] = {{TRAWL_REPORT_SARIF, ".sarif"},
                                                     {TRAWL_REPORT_JSON, ".json"}};
  for (const Target& target : targets) {
    for (const auto& [format, suffix] : formats) {
      raw = nullptr;
      trawl_error agg_err = TRAWL_ERROR_INIT;
      status = trawl_report_aggregate(&raw, manifest.data(), manifest.size(), ptrs.data(),
                                      lens.data(), results.size(), target.options, format,
                                      &agg_err);
      if (status != TRAWL_OK) return LibraryFail(error, "trawl_report_aggregate", status, agg_err);
      Buffer report(raw);
      if (format == TRAWL_REPORT_JSON) last_report = BufferString(report.get());
      // The JSON report is written last: its presence means the package is reported.
      if (!Put(*target.bucket, "reports/" + pid + suffix, BufferString(report.get()),
               format == TRAWL_REPORT_JSON ? "application/json" : "application/sarif+json",
               error)) {
        return false;
      }
    }
  }
  AwsResult r = aws_.Dynamo("UpdateItem", "{" + DynamoKey(config_.table, pid) +
                                              ",\"UpdateExpression\":\"SET report_key = :k\","
                                              "\"ExpressionAttributeValues\":{\":k\":{\"S\":" +
                                              JsonQuote(ReportKey(pid)) +
                                              "}},\"ReturnValues\":\"ALL_NEW\"}");
  if (!r.ok) return Fail(error, "Trawl.DynamoDB", "report " + pid + ": " + r.message);
  Log("trawl-host: aggregate %s: report written with %s results", pid,
      std::to_string(results.size()) + " of " + std::to_string(n));
  if (!config_.metrics_namespace.empty()) {
    // CloudWatch embedded metric format: Lambda's log pipeline turns this stdout line into
    // metrics (the dashboard's packages completed / incomplete); no API call, no IAM.
    const bool complete = JsonDoc(last_report).Bool("/complete").value_or(false);
    std::printf(
        "{\"_aws\":{\"Timestamp\":%lld,\"CloudWatchMetrics\":[{\"Namespace\":%s,"
        "\"Dimensions\":[[\"Stage\"]],\"Metrics\":[{\"Name\":\"PackagesCompleted\","
        "\"Unit\":\"Count\"},{\"Name\":\"PackagesIncomplete\",\"Unit\":\"Count\"},"
        "{\"Name\":\"ComponentsFailed\",\"Unit\":\"Count\"}]}]},\"Stage\":\"aggregate\","
        "\"PackagesCompleted\":%d,\"PackagesIncomplete\":%d,\"ComponentsFailed\":%zu}\n",
        static_cast<long long>(NowMs()), JsonQuote(config_.metrics_namespace).c_str(),
        complete ? 1 : 0, complete ? 0 : 1, n - results.size());
    std::fflush(stdout);
  }
  if (config_.delete_after_report) {
    DeleteIntermediates(manifest, pid, JsonDoc(r.body).String("/Attributes/source_key/S").value_or(""));
  }
  return true;
}

void Pipeline::DeleteIntermediates(const std::string& manifest, const std::string& pid,
                                   const std::string& source_key) {
  // Everything that holds the package's bytes or findings, the manifest last (while it
  // exists, a late message still finds the package). What a failure leaves, lifecycle
  // rules expire.
  std::vector<std::pair<const std::string*, std::string>> keys;
  JsonDoc doc(manifest);
  const size_t n = doc.ArraySize("/components").value_or(0);
  for (size_t i = 0; i < n; ++i) {
    const std::string cid = doc.String("/components/" + std::to_string(i) + "/id").value_or("");
    if (!IsComponentId(cid)) continue;
    keys.emplace_back(&config_.bucket, PlanKey(pid, cid));
    keys.emplace_back(&results_bucket(), ResultKey(pid, cid));
    keys.emplace_back(&config_.bucket, ComponentKey(pid, cid));
  }
  std::string why;
  if (!source_key.empty() && source_key.rfind(config_.incoming_prefix, 0) == 0 &&
      IsCanonicalKey(source_key, &why)) {
    keys.emplace_back(&config_.bucket, source_key);
  }
  keys.emplace_back(&config_.bucket, ManifestKey(pid));
  size_t failed = 0;
  for (const auto& [bucket, key] : keys) {
    AwsResult r = aws_.DeleteObject(*bucket, key);
    if (!r.ok && r.code != "NoSuchKey") {
      ++failed;
      Log("trawl-host: delete s3://%s: %s", *bucket + "/" + key, r.message);
    }
  }
  Log("trawl-host: package %s: intermediates deleted%s", pid,
      failed == 0 ? "" : " (" + std::to_string(failed) + " failed; lifecycle rules expire them)");
}

bool Pipeline::MarkComponent(const std::string& bucket, const std::string& pid,
                             const std::string& cid, const std::string& status,
                             const std::string& detail, StageError* error) {
  AwsResult r = aws_.ReplaceMetadata(bucket, ComponentKey(pid, cid), kComponentType,
                                     StatusMetadata(status, receive_count_, config_.stage, detail));
  if (r.ok) return true;
  if (r.code == "NoSuchKey") {  // deleted under us: nothing to mark, nothing to retry
    Log("trawl-host: component %s: no object to mark %s", cid, status);
    return true;
  }
  return Fail(error, "Trawl.S3", "status of component " + cid + ": " + r.message);
}

void Pipeline::NoteFailedAttempt(const std::string& bucket, const std::string& pid,
                                 const std::string& cid, const std::string& error_type) {
  ObjectMetadata current;
  AwsResult r = aws_.HeadObject(bucket, ComponentKey(pid, cid), &current);
  if (!r.ok) return;  // gone or unreachable: the retry will tell
  const std::string status = MetadataValue(current, "trawl-status");
  if (status == kStatusAnalysed || status == kStatusFailed || status == kStatusSkipped) return;
  StageError ignored;
  if (!MarkComponent(bucket, pid, cid, kStatusPending, error_type, &ignored)) {
    Log("trawl-host: component %s: %s", cid, ignored.message);
  }
}

bool Pipeline::GiveUp(const std::string& bucket, const std::string& pid, const std::string& cid,
                      const std::string& error_type, StageError* error) {
  StageError mark_error;
  if (!MarkComponent(bucket, pid, cid, kStatusFailed, error_type, &mark_error)) {
    // The package must still complete; the lifecycle rules remove the object anyway.
    Log("trawl-host: component %s: %s", cid, mark_error.message);
  }
  return RecordDone(bucket, pid, cid, /*failed=*/true, error);
}

bool Pipeline::RecordDone(const std::string& bucket, const std::string& pid, const std::string& cid,
                          bool failed, StageError* error) {
  const std::string key = DynamoKey(config_.table, pid);
  int64_t total = -1;
  size_t done = 0;
  if (!cid.empty()) {
    // ADD to a string set is idempotent: duplicate deliveries and retries count once.
    AwsResult r = aws_.Dynamo(
        "UpdateItem",
        "{" + key + ",\"UpdateExpression\":\"ADD #a :c\",\"ExpressionAttributeNames\":{\"#a\":" +
            JsonQuote(failed ? "failed_components" : "completed_components") +
            "},\"ExpressionAttributeValues\":{\":c\":{\"SS\":[" + JsonQuote(cid) +
            "]}},\"ReturnValues\":\"ALL_NEW\"}");
    if (!r.ok) return Fail(error, "Trawl.DynamoDB", "record " + cid + ": " + r.message);
    JsonDoc doc(r.body);
    total = doc.Int("/Attributes/total_components/N").value_or(-1);
    std::set<std::string> ids;
    for (auto& s : doc.Strings("/Attributes/completed_components/SS")) ids.insert(std::move(s));
    for (auto& s : doc.Strings("/Attributes/failed_components/SS")) ids.insert(std::move(s));
    done = ids.size();
    if (total < 0 || done < static_cast<size_t>(total)) return true;
  }
  // The last component: claim the completion with a conditional write, so exactly one
  // message is sent. The claimant is this component *and* this SQS message: a redelivery
  // of the same message (a retry after a crash between the claim and the send) may claim
  // again until the message is marked sent; a duplicate copy (another message id) never.
  const std::string me = cid.empty() ? "intake" : cid + "/" + message_id_;
  AwsResult r =
      aws_.Dynamo("UpdateItem",
                  "{" + key +
                      ",\"UpdateExpression\":\"SET aggregation_claimed_by = :me\","
                      "\"ConditionExpression\":\"attribute_not_exists(aggregation_claimed_by) OR "
                      "(aggregation_claimed_by = :me AND attribute_not_exists(completion_sent))\","
                      "\"ExpressionAttributeValues\":{\":me\":{\"S\":" +
                      JsonQuote(me) + "}}}");
  if (!r.ok && r.code == "ConditionalCheckFailedException") return true;  // another sent it
  if (!r.ok) return Fail(error, "Trawl.DynamoDB", "claim " + pid + ": " + r.message);
  MaybeCrash("after claiming the completion, before sending it");
  r = aws_.SendMessage(config_.aggregate_queue, Message(bucket, pid, ""));
  if (!r.ok) return Fail(error, "Trawl.SQS", "send completion " + pid + ": " + r.message);
  r = aws_.Dynamo("UpdateItem", "{" + key +
                                    ",\"UpdateExpression\":\"SET completion_sent = :t\","
                                    "\"ExpressionAttributeValues\":{\":t\":{\"BOOL\":true}}}");
  if (!r.ok) return Fail(error, "Trawl.DynamoDB", "mark sent " + pid + ": " + r.message);
  Log("trawl-host: package %s complete; completion message sent by %s", pid, me);
  return true;
}

}  // namespace trawl_host
