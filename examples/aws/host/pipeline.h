// File: pipeline.h
// The four stages of the event-driven pipeline, as thin hosts over the trawl C API.
// Every analysis decision (which components need results, tiers, findings, completeness,
// the report) is the library's; this code moves bytes between S3, SQS and DynamoDB.
//
//   S3 incoming/<name> ─► intake ─► classify queue ─► classify ─► light queue ─► analyze (Lambda)
//                                                              └► heavy queue ─► analyze (worker)
//   analyze: last component done (DynamoDB, conditional) ─► aggregate queue ─► aggregate
//
// Outputs have deterministic keys, so a retried stage overwrites instead of duplicating:
//   packages/<package_id>/manifest.json, packages/<package_id>/components/<component_id>,
//   plans/<package_id>/<component_id>.json, results/<package_id>/<component_id>.json,
//   reports/<package_id>.json, reports/<package_id>.sarif
// Messages are JSON: {"bucket":…,"package_id":…,"component_id":…} (aggregate: no component).
// Every key, id and bucket from an event or a message is checked before use (validate.h):
// the bucket must be the configured one, ids must have their shape, keys be canonical.
// Values stay out of everything by default; with TRAWL_INCLUDE_VALUES=1, results and the
// report with values go to TRAWL_VALUES_BUCKET (its own KMS key and readers) and the
// pipeline bucket gets the redacted report. Once a package is reported, its intermediate
// objects and its incoming package are deleted (TRAWL_DELETE_AFTER_REPORT; lifecycle rules
// remove whatever a failure leaves). docs/security.md has the threat model.
// Each component object carries its processing status in its S3 user metadata
// (trawl-status: pending | analysed | failed | skipped, trawl-attempts, trawl-stage,
// trawl-result-key or trawl-error), final before the component is recorded in DynamoDB,
// which stays the package-level record (docs/hosts.md, "Component status").
// Not thread-safe: one Pipeline per thread (the database it holds may be shared).
#ifndef TRAWL_EXAMPLES_AWS_HOST_PIPELINE_H_
#define TRAWL_EXAMPLES_AWS_HOST_PIPELINE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "host/aws.h"
#include "trawl/trawl.h"

namespace trawl_host {

struct PipelineConfig {
  std::string stage;             // TRAWL_STAGE: intake | classify | analyze | aggregate
  std::string db_path;           // TRAWL_DB: compiled database (classify, analyze)
  std::string bucket;            // TRAWL_BUCKET: the pipeline's bucket (required)
  std::string values_bucket;     // TRAWL_VALUES_BUCKET: results and reports with values
  bool include_values = false;   // TRAWL_INCLUDE_VALUES: 1 = keep values (values_bucket)
  // The fingerprint key (analyze): TRAWL_FINGERPRINT_KEY_SECRET_ARN (Secrets Manager,
  // fetched at start), else TRAWL_FINGERPRINT_KEY (ECS injects it from the secret), else
  // the file TRAWL_FINGERPRINT_KEY_FILE. 64 hex digits; the stage refuses to start without.
  std::string fingerprint_key_secret;
  std::string fingerprint_key;
  std::string fingerprint_key_file;
  std::string incoming_prefix = "incoming/";  // TRAWL_INCOMING_PREFIX: intake reads only here
  // Size limits (0 = derived): TRAWL_MAX_PACKAGE_BYTES (intake; default half the free
  // space of tmp_dir), TRAWL_MAX_TOTAL_BYTES (intake: decompressed bytes, at most what
  // tmp_dir can hold), TRAWL_MAX_COMPONENT_BYTES (intake passes it to decomposition;
  // classify and analyze refuse larger components, and those above a quarter of
  // their memory: AWS_LAMBDA_FUNCTION_MEMORY_SIZE, TRAWL_MEMORY_MB or the cgroup limit).
  uint64_t max_package_bytes = 0;
  uint64_t max_total_bytes = 0;
  uint64_t max_component_bytes = 0;
  uint64_t memory_bytes = 0;
  bool delete_after_report = true;  // TRAWL_DELETE_AFTER_REPORT (aggregate)
  int64_t state_ttl_days = 30;      // TRAWL_STATE_TTL_DAYS: DynamoDB item's expires_at
  std::string table;             // TRAWL_TABLE: DynamoDB table, key "package_id" (S)
  std::string classify_queue;    // TRAWL_CLASSIFY_QUEUE_URL
  std::string light_queue;       // TRAWL_LIGHT_QUEUE_URL
  std::string heavy_queue;       // TRAWL_HEAVY_QUEUE_URL ("" = heavy work runs light)
  std::string aggregate_queue;   // TRAWL_AGGREGATE_QUEUE_URL
  std::string tmp_dir;           // TMPDIR or /tmp
  int64_t reserve_ms = 3000;     // TRAWL_DEADLINE_RESERVE_MS: no record starts with less left
  int64_t max_attempts = 3;      // TRAWL_MAX_ATTEMPTS: then a component is recorded as failed
  size_t part_bytes = 8u << 20;  // TRAWL_S3_PART_BYTES: ranged GET size
  size_t upload_part_bytes = 8u << 20;  // TRAWL_S3_UPLOAD_PART_BYTES: multipart part size
  // Classify sends a component to the heavy queue when the library's plan says heavy, or
  // when its estimates reach what the analyze function has (0 = no such limit):
  // TRAWL_LIGHT_MAX_SECONDS (estimated seconds) and TRAWL_LIGHT_MAX_MEMORY_BYTES.
  double light_max_seconds = 0;
  uint64_t light_max_memory_bytes = 0;
  // TRAWL_METRICS_NAMESPACE: aggregate prints one CloudWatch embedded-metric line per
  // report to stdout (PackagesCompleted, PackagesIncomplete, ComponentsFailed); "" = none.
  std::string metrics_namespace;
};

PipelineConfig ConfigFromEnv();

// Why a stage failed: `type` is the Lambda error type ("Trawl.S3", "Trawl.Library", ...).
struct StageError {
  std::string type;
  std::string message;
};

class Pipeline {
 public:
  // Loads the database once (when the stage needs one) and logs how long it took.
  // nullptr with *error set when start-up fails (the Lambda host reports /init/error).
  static std::unique_ptr<Pipeline> Create(const PipelineConfig& config, StageError* error);
  ~Pipeline();

  // One Lambda invocation: an S3 notification (intake) or an SQS batch (other stages).
  // SQS batches answer {"batchItemFailures":[…]}: failed records and records there was no
  // time left to start are retried by SQS; the others are done. False when the whole
  // invocation failed.
  bool HandleEvent(const std::string& event, int64_t deadline_ms, std::string* response,
                   StageError* error);
  // One stage message (an SQS body and its message id). `receive_count` is SQS's
  // ApproximateReceiveCount: at max_attempts a component that keeps failing is recorded as
  // failed, so the package still completes, with an incomplete report that names it.
  bool HandleMessage(const std::string& body, const std::string& message_id, int64_t receive_count,
                     StageError* error);

  double db_load_ms() const { return db_load_ms_; }
  Aws& aws() { return aws_; }

 private:
  explicit Pipeline(PipelineConfig config) : config_(std::move(config)) {}
  bool Intake(const std::string& bucket, const std::string& key, int64_t size, StageError* error);
  // Whether the package was reported already (its intermediates then are gone, and a late
  // or duplicate message for it has nothing left to do).
  bool AlreadyReported(const std::string& package_id, StageError* error);
  // The manifest, or false. `*stale` is set when it is gone because the package was
  // reported (the message is then done).
  bool GetManifest(const std::string& package_id, std::string* manifest, bool* stale,
                   StageError* error);
  // Classify and analyze hold a component in memory: false (with a log line) when the
  // manifest's size for it is above the stage's limit.
  bool FitsInMemory(const std::string& manifest, const std::string& component_id);
  // Deletes the package's intermediate objects and its incoming object (best effort).
  void DeleteIntermediates(const std::string& manifest, const std::string& package_id,
                           const std::string& source_key);
  bool Classify(const std::string& bucket, const std::string& package_id,
                const std::string& component_id, StageError* error);
  bool Analyze(const std::string& bucket, const std::string& package_id,
               const std::string& component_id, StageError* error);
  bool Aggregate(const std::string& package_id, StageError* error);
  // Records a component as done (or given up) and, when it was the last one, sends the one
  // completion message.
  bool RecordDone(const std::string& bucket, const std::string& package_id,
                  const std::string& component_id, bool failed, StageError* error);
  // Sets the component object's status (its user metadata; see the top of this file):
  // `detail` is the result key (analysed) or the error type (pending, failed). The
  // attempts are this message's receive count. A missing component is logged, not failed.
  bool MarkComponent(const std::string& bucket, const std::string& package_id,
                     const std::string& component_id, const std::string& status,
                     const std::string& detail, StageError* error);
  // After a failed attempt that SQS will retry: pending, with the attempts and the error
  // type, unless the status is already final (a duplicate delivery finished it). Best effort.
  void NoteFailedAttempt(const std::string& bucket, const std::string& package_id,
                         const std::string& component_id, const std::string& error_type);
  // Gives a component up: failed status, then recorded as failed (the package completes,
  // with an incomplete report that names it).
  bool GiveUp(const std::string& bucket, const std::string& package_id,
              const std::string& component_id, const std::string& error_type, StageError* error);
  bool Get(const std::string& bucket, const std::string& key, std::string* out, StageError* error,
           std::string* code = nullptr);
  const std::string& results_bucket() const {
    return config_.include_values ? config_.values_bucket : config_.bucket;
  }
  bool Put(const std::string& bucket, const std::string& key, const std::string& data,
           const std::string& content_type, StageError* error);
  // Writes a plan or result. A duplicate delivery racing the aggregation can write after
  // the package's intermediates were deleted; `*late` is then set and the object removed.
  bool PutIntermediate(const std::string& bucket, const std::string& key,
                       const std::string& data, const std::string& package_id, bool* late,
                       StageError* error);

  PipelineConfig config_;
  Aws aws_;
  trawl_db* db_ = nullptr;
  // Report options from TRAWL_* variables, the same in every stage; redacted_options_ is
  // options_ without values (the pipeline bucket's report in values mode).
  trawl_options* options_ = nullptr;
  trawl_options* redacted_options_ = nullptr;
  std::string message_id_;  // of the message being handled: part of the completion claim
  int64_t receive_count_ = 0;  // its SQS receive count: the component's attempts
  double db_load_ms_ = 0;
};

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_PIPELINE_H_
