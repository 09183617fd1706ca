// File: events.cc
#include "host/events.h"

#include "host/http.h"
#include "host/json.h"

namespace trawl_host {

EventKind DetectEvent(std::string_view json) {
  JsonDoc doc(json);
  const std::string source = doc.String("/Records/0/eventSource").value_or("");
  if (source == "aws:s3") return EventKind::kS3;
  if (source == "aws:sqs") return EventKind::kSqs;
  return EventKind::kOther;
}

bool ParseS3Event(std::string_view json, std::vector<S3ObjectRef>* out, std::string* error) {
  out->clear();
  JsonDoc doc(json);
  // S3 sends this once when a notification is configured (through SQS, as a message body).
  if (doc.String("/Event").value_or("") == "s3:TestEvent") return true;
  const std::optional<size_t> n = doc.ArraySize("/Records");
  if (!doc.ok() || !n) {
    *error = "not an S3 event notification (no Records array)";
    return false;
  }
  for (size_t i = 0; i < *n; ++i) {
    const std::string p = "/Records/" + std::to_string(i);
    if (doc.String(p + "/eventSource").value_or("") != "aws:s3") continue;
    if (doc.String(p + "/eventName").value_or("").rfind("ObjectCreated:", 0) != 0) continue;
    S3ObjectRef ref;
    ref.bucket = doc.String(p + "/s3/bucket/name").value_or("");
    ref.key = UriDecode(doc.String(p + "/s3/object/key").value_or(""), /*plus_is_space=*/true);
    ref.size = doc.Int(p + "/s3/object/size").value_or(-1);
    if (ref.bucket.empty() || ref.key.empty()) {
      *error = "S3 record " + std::to_string(i) + " has no bucket or key";
      return false;
    }
    if (ref.key.back() == '/') continue;  // a "folder" marker, not a package
    out->push_back(std::move(ref));
  }
  return true;
}

bool ParseSqsEvent(std::string_view json, std::vector<SqsRecord>* out, std::string* error) {
  out->clear();
  JsonDoc doc(json);
  const std::optional<size_t> n = doc.ArraySize("/Records");
  if (!doc.ok() || !n) {
    *error = "not an SQS event (no Records array)";
    return false;
  }
  for (size_t i = 0; i < *n; ++i) {
    const std::string p = "/Records/" + std::to_string(i);
    SqsRecord r;
    r.message_id = doc.String(p + "/messageId").value_or("");
    r.receipt_handle = doc.String(p + "/receiptHandle").value_or("");
    r.body = doc.String(p + "/body").value_or("");
    r.receive_count = doc.Int(p + "/attributes/ApproximateReceiveCount").value_or(1);
    if (r.message_id.empty()) {
      *error = "SQS record " + std::to_string(i) + " has no messageId";
      return false;
    }
    out->push_back(std::move(r));
  }
  return true;
}

std::string BatchItemFailures(const std::vector<std::string>& message_ids) {
  std::string out = "{\"batchItemFailures\":[";
  for (size_t i = 0; i < message_ids.size(); ++i) {
    if (i > 0) out += ",";
    out += "{\"itemIdentifier\":" + JsonQuote(message_ids[i]) + "}";
  }
  return out + "]}";
}

}  // namespace trawl_host
