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
  std::string bucket;            // TRAWL_BUCKET: output bucket ("" = the event's bucket)
  std::string table;             // TRAWL_TABLE: DynamoDB table, key "package_id" (S)
  std::string classify_queue;    // TRAWL_CLASSIFY_QUEUE_URL
  std::string light_queue;       // TRAWL_LIGHT_QUEUE_URL
  std::string heavy_queue;       // TRAWL_HEAVY_QUEUE_URL ("" = heavy work runs light)
  std::string aggregate_queue;   // TRAWL_AGGREGATE_QUEUE_URL
  std::string tmp_dir;           // TMPDIR or /tmp
  int64_t reserve_ms = 3000;     // TRAWL_DEADLINE_RESERVE_MS: no record starts with less left
  int64_t max_attempts = 3;      // TRAWL_MAX_ATTEMPTS: then a component is recorded as failed
  size_t part_bytes = 8u << 20;  // TRAWL_S3_PART_BYTES: ranged GET size
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
  bool Intake(const std::string& bucket, const std::string& key, StageError* error);
  bool Classify(const std::string& bucket, const std::string& package_id,
                const std::string& component_id, StageError* error);
  bool Analyze(const std::string& bucket, const std::string& package_id,
               const std::string& component_id, StageError* error);
  bool Aggregate(const std::string& bucket, const std::string& package_id, StageError* error);
  // Records a component as done (or given up) and, when it was the last one, sends the one
  // completion message.
  bool RecordDone(const std::string& bucket, const std::string& package_id,
                  const std::string& component_id, bool failed, StageError* error);
  bool Get(const std::string& bucket, const std::string& key, std::string* out, StageError* error);
  bool Put(const std::string& bucket, const std::string& key, const std::string& data,
           const std::string& content_type, StageError* error);

  PipelineConfig config_;
  Aws aws_;
  trawl_db* db_ = nullptr;
  trawl_options* options_ = nullptr;
  std::string message_id_;  // of the message being handled: part of the completion claim  // report
                            // options from TRAWL_* variables; same in every stage
  double db_load_ms_ = 0;
};

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_PIPELINE_H_
