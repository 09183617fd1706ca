// File: aws.h
// The AWS calls the hosts make: S3 objects, SQS messages (JSON protocol) and DynamoDB items
// (JSON protocol), signed with SigV4. Endpoints come from AWS_ENDPOINT_URL_<SERVICE>, then
// AWS_ENDPOINT_URL, then the regional AWS endpoint; credentials from the environment or the
// ECS/Fargate container credentials endpoint. Failed transfers and 5xx/throttling answers
// are retried with backoff. Not thread-safe: one Aws per thread.
#ifndef TRAWL_EXAMPLES_AWS_HOST_AWS_H_
#define TRAWL_EXAMPLES_AWS_HOST_AWS_H_

#include <atomic>
#include <cstdint>
#include <ctime>
#include <functional>
#include <optional>
#include <istream>
#include <string>
#include <utility>
#include <vector>

#include "host/http.h"
#include "host/sigv4.h"

namespace trawl_host {

// The outcome of one call: ok, or an error with AWS's error code ("NoSuchKey",
// "ConditionalCheckFailedException", ...) or a transport error.
struct AwsResult {
  bool ok = false;
  long status = 0;
  std::string code;     // AWS error code, "" on success
  std::string message;  // for logs
  std::string body;     // the response body (object bytes, or the JSON answer)
};

// S3 user metadata: (name, value) pairs, sent as x-amz-meta-<name>. Names are lower case;
// values are printable ASCII (S3 returns other bytes encoded).
using ObjectMetadata = std::vector<std::pair<std::string, std::string>>;

struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  int64_t receive_count = 0;
};

class Aws {
 public:
  // Reads AWS_REGION / AWS_DEFAULT_REGION and the endpoint variables.
  Aws();

  void SetAbortFlag(const std::atomic<bool>* abort) { http_.SetAbortFlag(abort); }

  // S3. GetObject reads the whole object in ranged parts of `part_bytes` each.
  AwsResult GetObject(const std::string& bucket, const std::string& key,
                      size_t part_bytes = 8u << 20);
  // As GetObject, streaming the parts into the file at `path` (for packages larger than
  // the function's memory). More than `max_bytes` (0: no limit) fails with "TooLarge".
  AwsResult GetObjectToFile(const std::string& bucket, const std::string& key,
                            const std::string& path, size_t part_bytes = 8u << 20,
                            uint64_t max_bytes = 0);
  AwsResult PutObject(const std::string& bucket, const std::string& key, const std::string& data,
                      const std::string& content_type = "application/octet-stream",
                      const ObjectMetadata& metadata = {});
  // Uploads the file at `path`: one PUT when it fits in `part_bytes`, else a multipart
  // upload of `part_bytes` parts (S3 wants at least 5 MiB but the last), so memory holds
  // one part whatever the file's size. A failed multipart upload is aborted.
  AwsResult PutObjectFromFile(const std::string& bucket, const std::string& key,
                              const std::string& path, const std::string& content_type,
                              size_t part_bytes = 8u << 20, const ObjectMetadata& metadata = {});
  // As PutObjectFromFile, reading `in` (`path` names it in errors): a report or result
  // larger than one request may carry goes up in parts.
  AwsResult PutObjectFromStream(const std::string& bucket, const std::string& key,
                                std::istream& in, const std::string& path,
                                const std::string& content_type, size_t part_bytes = 8u << 20,
                                const ObjectMetadata& metadata = {});
  // HEAD: the object's user metadata in *metadata. A missing object is "NoSuchKey".
  AwsResult HeadObject(const std::string& bucket, const std::string& key,
                       ObjectMetadata* metadata);
  // Replaces the object's user metadata, keeping its bytes: a copy onto itself with
  // x-amz-metadata-directive REPLACE (S3 has no other way; objects up to 5 GB).
  AwsResult ReplaceMetadata(const std::string& bucket, const std::string& key,
                            const std::string& content_type, const ObjectMetadata& metadata);
  AwsResult DeleteObject(const std::string& bucket, const std::string& key);
  AwsResult CreateBucket(const std::string& bucket);

  // SQS (JSON protocol, X-Amz-Target: AmazonSQS.*).
  AwsResult SendMessage(const std::string& queue_url, const std::string& body);
  // Long-polls up to wait_seconds; `visibility_seconds` < 0 keeps the queue's default.
  AwsResult ReceiveMessages(const std::string& queue_url, int max_messages, int wait_seconds,
                            int visibility_seconds, std::vector<SqsMessage>* out);
  AwsResult DeleteMessage(const std::string& queue_url, const std::string& receipt_handle);
  AwsResult ChangeVisibility(const std::string& queue_url, const std::string& receipt_handle,
                             int seconds);

  // DynamoDB (JSON protocol, X-Amz-Target: DynamoDB_20120810.<operation>): `request` is
  // the operation's JSON body, the answer's JSON is in the result's body.
  AwsResult Dynamo(const std::string& operation, const std::string& request);

  // Secrets Manager GetSecretValue (JSON 1.1): the secret's SecretString in *out.
  AwsResult GetSecretString(const std::string& secret_id, std::string* out);

  const std::string& region() const { return region_; }

 private:
  // Signs and sends `request`, retrying transport errors, 5xx and throttling with backoff,
  // and once with the server's clock when the answer says ours is skewed. `raw`, when
  // given, receives the last answer's headers.
  AwsResult Call(const std::string& service, HttpRequest request, HttpResponse* raw = nullptr);
  // Ranged GETs of `part_bytes` each, every part handed to `sink` (false stops).
  AwsResult GetObjectParts(const std::string& bucket, const std::string& key, size_t part_bytes,
                           const std::function<bool(const std::string&)>& sink);
  AwsResult JsonCall(const std::string& service, const std::string& target,
                     const std::string& body, const char* content_type = "application/x-amz-json-1.0");
  std::string Endpoint(const std::string& service) const;
  bool RefreshCredentials(std::string* error);

  HttpClient http_;
  std::string region_;
  Credentials credentials_;
  bool have_credentials_ = false;
  std::time_t clock_offset_s_ = 0;  // server clock - ours, learnt from a skew answer
};

// Credentials from the ECS/Fargate container endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI
// or 169.254.170.2 + AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, with
// AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]), else from AWS_ACCESS_KEY_ID & co.
std::optional<Credentials> LoadCredentials(HttpClient* http, std::string* error);

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_AWS_H_
