// File: aws.cc
// S3, SQS and DynamoDB over HttpClient + SignRequest.
#include "host/aws.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include "host/json.h"
#include "host/validate.h"

namespace trawl_host {
namespace {

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "2026-11-26T10:00:00Z" -> seconds since the epoch, 0 when unparsable.
std::time_t ParseIso8601(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return 0;
  return timegm(&tm);
}

// The code of an AWS error answer: JSON "__type" (after '#') or S3's XML <Code>.
std::string ErrorCode(const std::string& body) {
  if (!body.empty() && body[0] == '{') {
    JsonDoc doc(body);
    std::string type = doc.String("/__type").value_or(doc.String("/code").value_or(""));
    const size_t hash = type.rfind('#');
    return hash == std::string::npos ? type : type.substr(hash + 1);
  }
  const size_t a = body.find("<Code>");
  const size_t b = body.find("</Code>");
  if (a != std::string::npos && b != std::string::npos && b > a)
    return body.substr(a + 6, b - a - 6);
  return "";
}

// "Tue, 15 Nov 1994 08:12:31 GMT" (the Date header) -> seconds since the epoch, 0 if not.
std::time_t ParseHttpDate(const std::string& s) {
  std::tm tm{};
  if (strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S", &tm) == nullptr) return 0;
  return timegm(&tm);
}

// An answer that says our clock is off: S3's RequestTimeTooSkewed, and the
// expired-signature answers of the JSON services.
bool ClockSkewed(const AwsResult& r) {
  return r.code == "RequestTimeTooSkewed" || r.code == "RequestExpired" ||
         (r.code == "InvalidSignatureException" &&
          r.message.find("Signature expired") != std::string::npos);
}

constexpr char kMetaPrefix[] = "x-amz-meta-";

void AddMetadata(const ObjectMetadata& metadata, HttpRequest* request) {
  for (const auto& [name, value] : metadata) request->headers.emplace_back(kMetaPrefix + name, value);
}

bool Retryable(const AwsResult& r) {
  if (r.status == 0) return true;
  if (r.status >= 500 || r.status == 429) return true;
  return r.code == "ThrottlingException" || r.code == "ProvisionedThroughputExceededException" ||
         r.code == "RequestTimeout" || r.code == "SlowDown";
}

}  // namespace

std::optional<Credentials> LoadCredentials(HttpClient* http, std::string* error) {
  std::string uri = Env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  if (uri.empty() && !Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI").empty()) {
    uri = "http://169.254.170.2" + Env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  }
  if (!uri.empty()) {
    std::string why;
    if (!IsAllowedCredentialsUri(uri, &why)) {
      *error = "container credentials endpoint " + uri + " refused: " + why;
      return std::nullopt;
    }
    HttpRequest request;
    request.url = uri;
    request.timeout_ms = 5000;
    std::string token = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    const std::string token_file = Env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
    if (!token_file.empty()) {
      std::ifstream in(token_file);
      std::stringstream ss;
      ss << in.rdbuf();
      token = ss.str();
      while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    }
    if (!token.empty()) request.headers.emplace_back("Authorization", token);
    HttpResponse response = http->Send(request);
    if (response.status != 200) {
      *error = "container credentials endpoint " + uri + ": " +
               (response.status == 0 ? response.error : "HTTP " + std::to_string(response.status));
      return std::nullopt;
    }
    JsonDoc doc(response.body);
    Credentials c;
    c.access_key_id = doc.String("/AccessKeyId").value_or("");
    c.secret_access_key = doc.String("/SecretAccessKey").value_or("");
    c.session_token = doc.String("/Token").value_or("");
    c.expiration = ParseIso8601(doc.String("/Expiration").value_or(""));
    if (c.access_key_id.empty() || c.secret_access_key.empty()) {
      *error = "container credentials endpoint " + uri + ": no AccessKeyId/SecretAccessKey";
      return std::nullopt;
    }
    return c;
  }
  Credentials c;
  c.access_key_id = Env("AWS_ACCESS_KEY_ID");
  c.secret_access_key = Env("AWS_SECRET_ACCESS_KEY");
  c.session_token = Env("AWS_SESSION_TOKEN");
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    *error = "no credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or a container endpoint";
    return std::nullopt;
  }
  return c;
}

Aws::Aws() : region_(Env("AWS_REGION", Env("AWS_DEFAULT_REGION", "us-east-1"))) {}

std::string Aws::Endpoint(const std::string& service) const {
  // The variable names AWS's service id: "Secrets Manager" -> SECRETS_MANAGER.
  const std::string id = service == "secretsmanager" ? "SECRETS_MANAGER" : Upper(service);
  std::string e = Env(("AWS_ENDPOINT_URL_" + id).c_str(), Env("AWS_ENDPOINT_URL"));
  if (e.empty()) e = "https://" + service + "." + region_ + ".amazonaws.com";
  while (!e.empty() && e.back() == '/') e.pop_back();
  return e;
}

bool Aws::RefreshCredentials(std::string* error) {
  const std::time_t now = std::time(nullptr);
  if (have_credentials_ && (credentials_.expiration == 0 || now < credentials_.expiration - 300)) {
    return true;
  }
  std::optional<Credentials> c = LoadCredentials(&http_, error);
  if (!c) return false;
  credentials_ = *c;
  have_credentials_ = true;
  return true;
}

AwsResult Aws::Call(const std::string& service, HttpRequest request, HttpResponse* raw) {
  AwsResult result;
  bool skew_corrected = false;
  for (int attempt = 0;; ++attempt) {
    std::string error;
    if (!RefreshCredentials(&error)) {
      result.message = error;
      result.code = "NoCredentials";
      return result;
    }
    SignRequest(&request, credentials_, region_, service, std::time(nullptr) + clock_offset_s_);
    HttpResponse response = http_.Send(request);
    result = AwsResult();
    result.status = response.status;
    result.ok = response.status >= 200 && response.status < 300;
    if (response.status == 0) {
      result.code = "TransportError";
      result.message = response.error;
    } else if (!result.ok) {
      result.code = ErrorCode(response.body);
      result.message = request.method + " " + request.url + ": HTTP " +
                       std::to_string(response.status) + " " + result.code + " " +
                       response.body.substr(0, 300);
    }
    result.body = std::move(response.body);
    if (raw != nullptr) raw->headers = response.headers;
    if (!result.ok && ClockSkewed(result) && !skew_corrected) {
      // Sign again with the server's clock (a VM or container whose clock drifted): the
      // Date header, else S3's <ServerTime>.
      std::time_t server = ParseHttpDate(response.Header("date"));
      if (server == 0) {
        const size_t a = result.body.find("<ServerTime>");
        if (a != std::string::npos) server = ParseIso8601(result.body.substr(a + 12, 20));
      }
      if (server != 0) {
        clock_offset_s_ = server - std::time(nullptr);
        skew_corrected = true;
        std::fprintf(stderr, "trawl-host: %s: clock skew; signing with the server's clock (%+lld s)\n",
                     result.code.c_str(), static_cast<long long>(clock_offset_s_));
        --attempt;
        continue;
      }
    }
    if (result.ok || !Retryable(result) || attempt >= 4) return result;
    std::this_thread::sleep_for(std::chrono::milliseconds(100 << attempt));
  }
}

AwsResult Aws::JsonCall(const std::string& service, const std::string& target,
                        const std::string& body, const char* content_type) {
  HttpRequest request;
  request.method = "POST";
  request.url = Endpoint(service) + "/";
  request.body = body;
  request.headers = {{"Content-Type", content_type}, {"X-Amz-Target", target}};
  return Call(service, std::move(request));
}

static std::string ObjectUrl(const std::string& endpoint, const std::string& bucket,
                             const std::string& key) {
  return endpoint + "/" + UriEncode(bucket, true) + "/" + UriEncode(key, false);
}

AwsResult Aws::GetObjectParts(const std::string& bucket, const std::string& key, size_t part_bytes,
                              const std::function<bool(const std::string&)>& sink) {
  const std::string url = ObjectUrl(Endpoint("s3"), bucket, key);
  for (uint64_t offset = 0;;) {
    HttpRequest request;
    request.url = url;
    request.timeout_ms = 120000;
    request.headers.emplace_back(
        "Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + part_bytes - 1));
    AwsResult r = Call("s3", std::move(request));
    if (r.status == 416) {
      // No satisfiable range: the object is empty, or its size is a multiple of the part
      // size and the previous part was its end.
      if (offset > 0) {
        r = AwsResult();
        r.ok = true;
        r.status = 206;
        return r;
      }
      HttpRequest plain;
      plain.url = url;
      r = Call("s3", std::move(plain));
      if (r.ok && !sink(r.body)) {
        r.ok = false;
        r.code = "SinkFailed";
      }
      return r;
    }
    if (!r.ok) return r;
    if (!sink(r.body)) {
      r.ok = false;
      r.code = "SinkFailed";
      r.message = "cannot store s3://" + bucket + "/" + key;
      return r;
    }
    // 200: the server ignored the range and sent it all; 206: a short part is the last.
    if (r.status == 200 || r.body.size() < part_bytes) return r;
    offset += r.body.size();
  }
}

AwsResult Aws::GetObject(const std::string& bucket, const std::string& key, size_t part_bytes) {
  std::string data;
  AwsResult r = GetObjectParts(bucket, key, part_bytes, [&](const std::string& part) {
    data += part;
    return true;
  });
  r.body = r.ok ? std::move(data) : std::move(r.body);
  return r;
}

AwsResult Aws::GetObjectToFile(const std::string& bucket, const std::string& key,
                               const std::string& path, size_t part_bytes, uint64_t max_bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  uint64_t written = 0;
  bool too_large = false;
  AwsResult r = GetObjectParts(bucket, key, part_bytes, [&](const std::string& part) {
    written += part.size();
    if (max_bytes > 0 && written > max_bytes) {
      too_large = true;
      return false;
    }
    out.write(part.data(), static_cast<std::streamsize>(part.size()));
    return static_cast<bool>(out);
  });
  out.close();
  if (too_large) {
    r.ok = false;
    r.code = "TooLarge";
    r.message = "s3://" + bucket + "/" + key + " is larger than " + std::to_string(max_bytes) +
                " bytes";
  } else if (r.ok && !out) {
    r.ok = false;
    r.code = "SinkFailed";
    r.message = "cannot write " + path;
  }
  r.body.clear();
  return r;
}

AwsResult Aws::PutObject(const std::string& bucket, const std::string& key, const std::string& data,
                         const std::string& content_type, const ObjectMetadata& metadata) {
  HttpRequest request;
  request.method = "PUT";
  request.url = ObjectUrl(Endpoint("s3"), bucket, key);
  request.body = data;
  request.timeout_ms = 120000;
  request.headers.emplace_back("Content-Type", content_type);
  AddMetadata(metadata, &request);
  return Call("s3", std::move(request));
}

AwsResult Aws::HeadObject(const std::string& bucket, const std::string& key,
                          ObjectMetadata* metadata) {
  HttpRequest request;
  request.method = "HEAD";
  request.url = ObjectUrl(Endpoint("s3"), bucket, key);
  HttpResponse raw;
  AwsResult r = Call("s3", std::move(request), &raw);
  metadata->clear();
  if (r.status == 404) r.code = "NoSuchKey";  // a HEAD answer has no body to say so
  if (!r.ok) return r;
  for (const auto& [name, value] : raw.headers) {
    if (name.rfind(kMetaPrefix, 0) == 0) {
      metadata->emplace_back(name.substr(sizeof kMetaPrefix - 1), value);
    }
  }
  return r;
}

AwsResult Aws::ReplaceMetadata(const std::string& bucket, const std::string& key,
                               const std::string& content_type, const ObjectMetadata& metadata) {
  HttpRequest request;
  request.method = "PUT";
  request.url = ObjectUrl(Endpoint("s3"), bucket, key);
  request.headers.emplace_back("Content-Type", content_type);
  // "bucket/key", the form IAM's s3:x-amz-copy-source condition is written against.
  request.headers.emplace_back("x-amz-copy-source",
                               UriEncode(bucket, true) + "/" + UriEncode(key, false));
  request.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
  AddMetadata(metadata, &request);
  AwsResult r = Call("s3", std::move(request));
  // Like CompleteMultipartUpload, a copy can fail after S3 has answered 200.
  if (r.ok && r.body.find("<Error>") != std::string::npos) {
    r.ok = false;
    r.code = ErrorCode(r.body);
    r.message = "CopyObject: " + r.body.substr(0, 300);
  }
  return r;
}

AwsResult Aws::PutObjectFromFile(const std::string& bucket, const std::string& key,
                                 const std::string& path, const std::string& content_type,
                                 size_t part_bytes, const ObjectMetadata& metadata) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    AwsResult r;
    r.code = "SourceUnreadable";
    r.message = "cannot open " + path;
    return r;
  }
  return PutObjectFromStream(bucket, key, in, path, content_type, part_bytes, metadata);
}

AwsResult Aws::PutObjectFromStream(const std::string& bucket, const std::string& key,
                                   std::istream& in, const std::string& path,
                                   const std::string& content_type, size_t part_bytes,
                                   const ObjectMetadata& metadata) {
  AwsResult r;
  std::string part(std::max<size_t>(part_bytes, 1), '\0');
  auto read_part = [&]() -> bool {
    in.read(part.data(), static_cast<std::streamsize>(part.size()));
    part.resize(static_cast<size_t>(in.gcount()));
    return !in.bad();
  };
  if (!read_part()) {
    r.code = "SourceUnreadable";
    r.message = "cannot read " + path;
    return r;
  }
  if (in.eof()) return PutObject(bucket, key, part, content_type, metadata);  // one part

  // Multipart: memory stays at one part whatever the component's size.
  const std::string url = ObjectUrl(Endpoint("s3"), bucket, key);
  HttpRequest create;
  create.method = "POST";
  create.url = url + "?uploads=";
  create.headers.emplace_back("Content-Type", content_type);
  AddMetadata(metadata, &create);
  r = Call("s3", std::move(create));
  if (!r.ok) return r;
  const size_t a = r.body.find("<UploadId>");
  const size_t b = r.body.find("</UploadId>");
  if (a == std::string::npos || b == std::string::npos || b < a) {
    r.ok = false;
    r.code = "BadAnswer";
    r.message = "CreateMultipartUpload: no UploadId";
    return r;
  }
  const std::string upload_id = r.body.substr(a + 10, b - a - 10);
  const std::string upload_query = "uploadId=" + UriEncode(upload_id, true);
  std::string complete = "<CompleteMultipartUpload>";
  auto abort_upload = [&](AwsResult failed) {
    HttpRequest abort;
    abort.method = "DELETE";
    abort.url = url + "?" + upload_query;
    Call("s3", std::move(abort));  // best effort; lifecycle rules remove what stays
    return failed;
  };
  for (int number = 1;; ++number) {
    HttpRequest put;
    put.method = "PUT";
    put.url = url + "?partNumber=" + std::to_string(number) + "&" + upload_query;
    put.body = part;
    put.timeout_ms = 120000;
    // Else libcurl labels the bytes a form (application/x-www-form-urlencoded).
    put.headers.emplace_back("Content-Type", "application/octet-stream");
    HttpResponse raw;
    r = Call("s3", std::move(put), &raw);
    if (!r.ok) return abort_upload(r);
    std::string etag = raw.Header("etag");
    complete += "<Part><PartNumber>" + std::to_string(number) + "</PartNumber><ETag>" + etag +
                "</ETag></Part>";
    if (in.eof()) break;
    part.resize(std::max<size_t>(part_bytes, 1));
    if (!read_part()) {
      r.ok = false;
      r.code = "SourceUnreadable";
      r.message = "cannot read " + path;
      return abort_upload(r);
    }
    if (part.empty()) break;
  }
  complete += "</CompleteMultipartUpload>";
  HttpRequest finish;
  finish.method = "POST";
  finish.url = url + "?" + upload_query;
  finish.body = complete;
  finish.headers.emplace_back("Content-Type", "application/xml");
  r = Call("s3", std::move(finish));
  // S3 may answer 200 with an <Error> body when completing fails late.
  if (r.ok && r.body.find("<Error>") != std::string::npos) {
    r.ok = false;
    r.code = ErrorCode(r.body);
    r.message = "CompleteMultipartUpload: " + r.body.substr(0, 300);
  }
  return r.ok ? r : abort_upload(r);
}

AwsResult Aws::DeleteObject(const std::string& bucket, const std::string& key) {
  HttpRequest request;
  request.method = "DELETE";
  request.url = ObjectUrl(Endpoint("s3"), bucket, key);
  return Call("s3", std::move(request));
}

AwsResult Aws::GetSecretString(const std::string& secret_id, std::string* out) {
  AwsResult r = JsonCall("secretsmanager", "secretsmanager.GetSecretValue",
                         "{\"SecretId\":" + JsonQuote(secret_id) + "}",
                         "application/x-amz-json-1.1");
  if (!r.ok) return r;
  std::optional<std::string> value = JsonDoc(r.body).String("/SecretString");
  r.body.clear();
  if (!value) {
    r.ok = false;
    r.code = "NoSecretString";
    r.message = "secret " + secret_id + " has no SecretString";
    return r;
  }
  *out = std::move(*value);
  return r;
}

AwsResult Aws::CreateBucket(const std::string& bucket) {
  HttpRequest request;
  request.method = "PUT";
  request.url = Endpoint("s3") + "/" + UriEncode(bucket, true);
  return Call("s3", std::move(request));
}

AwsResult Aws::SendMessage(const std::string& queue_url, const std::string& body) {
  return JsonCall(
      "sqs", "AmazonSQS.SendMessage",
      "{\"QueueUrl\":" + JsonQuote(queue_url) + ",\"MessageBody\":" + JsonQuote(body) + "}");
}

AwsResult Aws::ReceiveMessages(const std::string& queue_url, int max_messages, int wait_seconds,
                               int visibility_seconds, std::vector<SqsMessage>* out) {
  std::string body = "{\"QueueUrl\":" + JsonQuote(queue_url) +
                     ",\"MaxNumberOfMessages\":" + std::to_string(max_messages) +
                     ",\"WaitTimeSeconds\":" + std::to_string(wait_seconds) +
                     ",\"AttributeNames\":[\"ApproximateReceiveCount\"]"
                     ",\"MessageSystemAttributeNames\":[\"ApproximateReceiveCount\"]";
  if (visibility_seconds >= 0)
    body += ",\"VisibilityTimeout\":" + std::to_string(visibility_seconds);
  body += "}";
  HttpRequest request;
  request.method = "POST";
  request.url = Endpoint("sqs") + "/";
  request.body = body;
  request.timeout_ms = (wait_seconds + 10) * 1000L;
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "AmazonSQS.ReceiveMessage"}};
  AwsResult r = Call("sqs", std::move(request));
  out->clear();
  if (!r.ok) return r;
  JsonDoc doc(r.body);
  const size_t n = doc.ArraySize("/Messages").value_or(0);
  for (size_t i = 0; i < n; ++i) {
    const std::string p = "/Messages/" + std::to_string(i);
    SqsMessage m;
    m.message_id = doc.String(p + "/MessageId").value_or("");
    m.receipt_handle = doc.String(p + "/ReceiptHandle").value_or("");
    m.body = doc.String(p + "/Body").value_or("");
    m.receive_count = doc.Int(p + "/Attributes/ApproximateReceiveCount").value_or(0);
    out->push_back(std::move(m));
  }
  return r;
}

AwsResult Aws::DeleteMessage(const std::string& queue_url, const std::string& receipt_handle) {
  return JsonCall("sqs", "AmazonSQS.DeleteMessage",
                  "{\"QueueUrl\":" + JsonQuote(queue_url) +
                      ",\"ReceiptHandle\":" + JsonQuote(receipt_handle) + "}");
}

AwsResult Aws::ChangeVisibility(const std::string& queue_url, const std::string& receipt_handle,
                                int seconds) {
  return JsonCall("sqs", "AmazonSQS.ChangeMessageVisibility",
                  "{\"QueueUrl\":" + JsonQuote(queue_url) +
                      ",\"ReceiptHandle\":" + JsonQuote(receipt_handle) +
                      ",\"VisibilityTimeout\":" + std::to_string(seconds) + "}");
}

AwsResult Aws::Dynamo(const std::string& operation, const std::string& request) {
  return JsonCall("dynamodb", "DynamoDB_20120810." + operation, request);
}

}  // namespace trawl_host
