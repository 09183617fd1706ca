// File: events.h
// The Lambda events the hosts accept: S3 event notifications and SQS batches, and the
// partial-batch answer for SQS.
#ifndef TRAWL_EXAMPLES_AWS_HOST_EVENTS_H_
#define TRAWL_EXAMPLES_AWS_HOST_EVENTS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace trawl_host {

struct S3ObjectRef {
  std::string bucket;
  std::string key;  // decoded: S3 notifications URL-encode keys, with '+' for space
  int64_t size = -1;
};

struct SqsRecord {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  int64_t receive_count = 0;  // attributes.ApproximateReceiveCount
};

enum class EventKind { kS3, kSqs, kOther };

// Which kind of event `json` is, by its first record's eventSource.
EventKind DetectEvent(std::string_view json);
// The objects of an S3 event notification ("ObjectCreated:*" records; other event names,
// keys ending in '/' and s3:TestEvent are skipped). False when `json` is not one.
bool ParseS3Event(std::string_view json, std::vector<S3ObjectRef>* out, std::string* error);
bool ParseSqsEvent(std::string_view json, std::vector<SqsRecord>* out, std::string* error);
// {"batchItemFailures":[{"itemIdentifier":"<message id>"},...]}
std::string BatchItemFailures(const std::vector<std::string>& message_ids);

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_EVENTS_H_
