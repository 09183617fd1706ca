// Unit tests of the hosts' event parsing, encoding and JSON helpers (examples/aws/host/).
// The AWS calls and the Runtime API loop are covered end to end by e2e.py, and the
// signatures by sigv4_golden.py.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <mutex>
#include <thread>

#include "host/aws.h"
#include "host/events.h"
#include "host/http.h"
#include "host/json.h"
#include "host/pipeline.h"
#include "host/runtime.h"
#include "host/validate.h"

namespace trawl_host {
namespace {

// An HTTP server on 127.0.0.1 for one test: records every request and answers each with
// what `answer` returns (a whole HTTP response); one request per connection.
class LocalServer {
 public:
  struct Request {
    std::string line;  // "GET /path HTTP/1.1"
    Headers headers;   // names lower-cased
    std::string body;
    std::string Header(const std::string& name) const {
      for (const auto& [k, v] : headers) {
        if (k == name) return v;
      }
      return "";
    }
  };
  using Answer = std::function<std::string(const Request&, size_t index)>;

  explicit LocalServer(Answer answer) : answer_(std::move(answer)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(fd_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LocalServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }
  static std::string Response(int status, const std::string& body, const Headers& headers = {}) {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " X\r\nConnection: close\r\n";
    for (const auto& [k, v] : headers) r += k + ": " + v + "\r\n";
    return r + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

 private:
  void Serve() {
    for (;;) {
      const int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string data;
      char buf[65536];
      size_t header_end = std::string::npos;
      size_t want = 0;
      for (;;) {
        const ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        data.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          const size_t cl = data.find("ontent-Length: ");
          want = cl != std::string::npos && cl < header_end
                     ? std::strtoull(data.c_str() + cl + 15, nullptr, 10)
                     : 0;
        }
        if (data.size() >= header_end + 4 + want) break;
      }
      Request r;
      if (header_end != std::string::npos) {
        std::string head = data.substr(0, header_end);
        r.body = data.substr(header_end + 4);
        size_t eol = head.find("\r\n");
        r.line = head.substr(0, eol);
        while (eol != std::string::npos) {
          const size_t next = head.find("\r\n", eol + 2);
          const std::string line = head.substr(eol + 2, next == std::string::npos ? next : next - eol - 2);
          const size_t colon = line.find(':');
          std::string name = line.substr(0, colon);
          for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          if (colon != std::string::npos) r.headers.emplace_back(name, line.substr(colon + 2));
          eol = next;
        }
      }
      size_t index;
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(r);
        index = requests_.size() - 1;
      }
      const std::string out = answer_(r, index);
      (void)!write(c, out.data(), out.size());
      close(c);
    }
  }

  Answer answer_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<Request> requests_;
};

// Sets variables for one test and restores them after.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = std::getenv(name);
      saved_.emplace_back(name, old ? std::optional<std::string>(old) : std::nullopt);
      if (value) {
        setenv(name, value, 1);
      } else {
        unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        setenv(name.c_str(), value->c_str(), 1);
      } else {
        unsetenv(name.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

const char* kKey = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

PipelineConfig TestConfig(const std::string& stage) {
  PipelineConfig c;
  c.stage = stage;
  c.bucket = "trawl-bucket";
  c.table = "t";
  c.classify_queue = "http://127.0.0.1:9/q";
  return c;
}

TEST(ValidateTest, CanonicalKeys) {
  std::string why;
  for (const char* ok : {"incoming/a.tgz", "incoming/sample package+(v2).tar.gz",
                         "incoming/.hidden/x..y/...", "incoming/\xe2\x82\xac.zip"}) {
    EXPECT_TRUE(IsCanonicalKey(ok, &why)) << ok << ": " << why;
  }
  const std::pair<std::string, const char*> bad[] = {
      {"", "1..1024"},
      {std::string(1025, 'a'), "1..1024"},
      {"incoming/../reports/x.json", "'..'"},
      {"incoming/./x", "'.'"},
      {"incoming/a/..", "'..'"},
      {"/incoming/x", "starts with '/'"},
      {"incoming//x", "empty segment"},
      {"incoming/a\\..\\x", "backslash"},
      {std::string("incoming/a\x00b", 11), "control"},
      {"incoming/a\nb", "control"},
      {"incoming/\xc0\xaf", "UTF-8"},        // overlong '/'
      {"incoming/\xed\xa0\x80", "UTF-8"},  // a surrogate
  };
  for (const auto& [key, reason] : bad) {
    EXPECT_FALSE(IsCanonicalKey(key, &why)) << key;
    EXPECT_NE(why.find(reason), std::string::npos) << key << ": " << why;
  }
}

TEST(ValidateTest, IdsHaveTheirExactShape) {
  EXPECT_TRUE(IsPackageId(std::string(64, 'a')));
  EXPECT_FALSE(IsPackageId(std::string(63, 'a')));
  EXPECT_FALSE(IsPackageId(std::string(64, 'A')));  // the manifest writes lower case
  EXPECT_FALSE(IsPackageId("../" + std::string(61, 'a')));
  EXPECT_TRUE(IsComponentId("0123456789abcdef0123456789abcdef"));
  EXPECT_FALSE(IsComponentId("0123456789abcdef0123456789abcdeg"));
  EXPECT_FALSE(IsComponentId("0123456789abcdef0123456789abcdef/x"));
}

TEST(ValidateTest, FingerprintKeyMustBeThirtyTwoRandomBytes) {
  std::string why;
  EXPECT_TRUE(IsFingerprintKey(kKey, &why)) << why;
  EXPECT_FALSE(IsFingerprintKey("trawl-default-fingerprint-key", &why));  // the library's
  EXPECT_FALSE(IsFingerprintKey("", &why));
  EXPECT_FALSE(IsFingerprintKey(std::string(64, 'z'), &why));
  EXPECT_FALSE(IsFingerprintKey(std::string(62, 'a'), &why));
}

TEST(ValidateTest, CredentialsEndpointAllowList) {
  std::string why;
  for (const char* ok : {"http://127.0.0.1:51679/creds", "http://127.9.9.9/x", "http://[::1]:80/x",
                         "http://169.254.170.2/v2/credentials/abc", "https://169.254.170.23/v1/x"}) {
    EXPECT_TRUE(IsAllowedCredentialsUri(ok, &why)) << ok << ": " << why;
  }
  for (const char* bad : {"http://169.254.169.254/latest/meta-data/", "http://localhost/creds",
                          "http://169.254.170.2.evil.example/x", "http://127.0.0.1@evil.example/",
                          "file:///etc/passwd", "http://[::ffff:169.254.169.254]/x"}) {
    EXPECT_FALSE(IsAllowedCredentialsUri(bad, &why)) << bad;
  }
}

TEST(CredentialsTest, EndpointOutsideTheAllowListIsNeverAsked) {
  // Refused before any connection: the token must not reach another host.
  ScopedEnv env({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://169.254.169.254/latest/creds"},
                 {"AWS_CONTAINER_AUTHORIZATION_TOKEN", "secret-token"}});
  HttpClient http;
  std::string error;
  EXPECT_FALSE(LoadCredentials(&http, &error).has_value());
  EXPECT_NE(error.find("refused"), std::string::npos) << error;
}

TEST(HttpTest, PathGoesOutAsSigned) {
  // Without CURLOPT_PATH_AS_IS libcurl squashes "/a/../x" to "/x": the object asked for
  // would not be the one signed and checked.
  LocalServer server([](const LocalServer::Request&, size_t) {
    return LocalServer::Response(200, "ok");
  });
  HttpClient http;
  HttpRequest request;
  request.url = server.url() + "/bucket/incoming/a/../../other-bucket/x.json";
  EXPECT_EQ(http.Send(request).status, 200);
  ASSERT_EQ(server.requests().size(), 1u);
  EXPECT_EQ(server.requests()[0].line,
            "GET /bucket/incoming/a/../../other-bucket/x.json HTTP/1.1");
}

TEST(TraversalTest, TheEventFromTheIssueIsRefusedBeforeAnyRequest) {
  // The notification that made bootstrap send GET /other-bucket/reports/x.json.
  LocalServer s3([](const LocalServer::Request&, size_t) {
    return LocalServer::Response(200, "package bytes");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL_S3", s3.url().c_str()},
                 {"AWS_ENDPOINT_URL", s3.url().c_str()},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                 {"AWS_CONTAINER_CREDENTIALS_FULL_URI", nullptr},
                 {"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", nullptr}});
  const std::string event = R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
    "s3":{"bucket":{"name":"trawl-bucket"},
          "object":{"key":"incoming/a/..%2F..%2F..%2Fother-bucket%2Freports%2Fx.json","size":13}}}]})";
  std::vector<S3ObjectRef> objects;
  std::string why;
  ASSERT_TRUE(ParseS3Event(event, &objects, &why)) << why;
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].key, "incoming/a/../../../other-bucket/reports/x.json");
  EXPECT_FALSE(IsCanonicalKey(objects[0].key, &why));

  StageError error;
  std::unique_ptr<Pipeline> intake = Pipeline::Create(TestConfig("intake"), &error);
  ASSERT_NE(intake, nullptr) << error.message;
  std::string response;
  EXPECT_FALSE(intake->HandleEvent(event, NowMs() + 60000, &response, &error));
  EXPECT_EQ(error.type, "Trawl.Event");
  EXPECT_NE(error.message.find("'..' segment"), std::string::npos) << error.message;
  // Another bucket, or a key outside incoming/, is refused the same way.
  const std::string other = R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
    "s3":{"bucket":{"name":"other-bucket"},"object":{"key":"incoming/x.tgz","size":1}}}]})";
  EXPECT_FALSE(intake->HandleEvent(other, NowMs() + 60000, &response, &error));
  EXPECT_NE(error.message.find("not TRAWL_BUCKET"), std::string::npos) << error.message;
  const std::string outside = R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
    "s3":{"bucket":{"name":"trawl-bucket"},"object":{"key":"reports/x.json","size":1}}}]})";
  EXPECT_FALSE(intake->HandleEvent(outside, NowMs() + 60000, &response, &error));
  EXPECT_NE(error.message.find("not under incoming/"), std::string::npos) << error.message;
  EXPECT_TRUE(s3.requests().empty()) << s3.requests()[0].line;
}

TEST(TraversalTest, MessagesWithForeignBucketsOrMisshapenIdsAreDropped) {
  LocalServer aws([](const LocalServer::Request&, size_t) {
    return LocalServer::Response(500, "{}");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL", aws.url().c_str()},
                 {"AWS_ENDPOINT_URL_S3", nullptr},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"}});
  StageError error;
  std::unique_ptr<Pipeline> aggregate = Pipeline::Create(TestConfig("aggregate"), &error);
  ASSERT_NE(aggregate, nullptr) << error.message;
  const std::string pid(64, 'a');
  for (const std::string& body :
       {R"({"bucket":"other-bucket","package_id":")" + pid + R"("})",
        std::string(R"({"bucket":"trawl-bucket","package_id":"../../reports/x"})"),
        R"({"bucket":"trawl-bucket","package_id":")" + pid.substr(1) + R"(/"})"}) {
    EXPECT_TRUE(aggregate->HandleMessage(body, "m1", 1, &error)) << body;  // done: dropped
  }
  EXPECT_TRUE(aws.requests().empty()) << aws.requests()[0].line;
}

TEST(ConfigTest, StagesRefuseUnsafeConfigurations) {
  StageError error;
  PipelineConfig no_bucket = TestConfig("aggregate");
  no_bucket.bucket.clear();
  EXPECT_EQ(Pipeline::Create(no_bucket, &error), nullptr);
  EXPECT_NE(error.message.find("TRAWL_BUCKET"), std::string::npos);

  PipelineConfig values = TestConfig("aggregate");
  values.include_values = true;
  EXPECT_EQ(Pipeline::Create(values, &error), nullptr);
  EXPECT_NE(error.message.find("TRAWL_VALUES_BUCKET"), std::string::npos);
  values.values_bucket = values.bucket;
  EXPECT_EQ(Pipeline::Create(values, &error), nullptr);

  // Analysis computes fingerprints: no key, or the library's public default, is refused.
  PipelineConfig analyze = TestConfig("analyze");
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_EQ(error.type, "Trawl.Config");
  EXPECT_NE(error.message.find("no fingerprint key"), std::string::npos) << error.message;
  analyze.fingerprint_key = "trawl-default-fingerprint-key";
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_NE(error.message.find("refused"), std::string::npos) << error.message;
  // A good key gets past the check (then the missing database stops it).
  analyze.fingerprint_key = kKey;
  analyze.db_path = "/nonexistent.tdb";
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_EQ(error.type, "Trawl.DatabaseLoad") << error.message;
  // From a file, trailing newline and all.
  const std::string file = testing::TempDir() + "/fp.key";
  std::ofstream(file) << "trawl-default-fingerprint-key\n";
  analyze.fingerprint_key.clear();
  analyze.fingerprint_key_file = file;
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_NE(error.message.find("TRAWL_FINGERPRINT_KEY_FILE"), std::string::npos);
  std::ofstream(file) << kKey << "\n";
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_EQ(error.type, "Trawl.DatabaseLoad") << error.message;
}

TEST(ConfigTest, FingerprintKeyComesFromSecretsManagerSigned) {
  std::string secret = "trawl-default-fingerprint-key";
  LocalServer sm([&](const LocalServer::Request&, size_t) {
    return LocalServer::Response(200, "{\"Name\":\"k\",\"SecretString\":" + JsonQuote(secret) + "}");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL_SECRETS_MANAGER", sm.url().c_str()},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                 {"AWS_SESSION_TOKEN", "token"}});
  PipelineConfig analyze = TestConfig("analyze");
  analyze.fingerprint_key_secret = "arn:aws:secretsmanager:eu-west-1:1:secret:trawl-fp";
  analyze.db_path = "/nonexistent.tdb";
  StageError error;
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_NE(error.message.find("refused"), std::string::npos) << error.message;
  secret = kKey;
  EXPECT_EQ(Pipeline::Create(analyze, &error), nullptr);
  EXPECT_EQ(error.type, "Trawl.DatabaseLoad") << error.message;
  ASSERT_EQ(sm.requests().size(), 2u);
  const std::vector<LocalServer::Request> requests = sm.requests();
  const LocalServer::Request& r = requests[1];
  EXPECT_EQ(r.Header("x-amz-target"), "secretsmanager.GetSecretValue");
  EXPECT_EQ(r.Header("content-type"), "application/x-amz-json-1.1");
  EXPECT_NE(r.Header("authorization").find("/secretsmanager/aws4_request"), std::string::npos);
  EXPECT_EQ(r.Header("x-amz-security-token"), "token");
  EXPECT_EQ(JsonDoc(r.body).String("/SecretId").value_or(""), analyze.fingerprint_key_secret);
}

TEST(AwsTest, RetriesWithTheServerClockWhenSkewed) {
  LocalServer s3([](const LocalServer::Request&, size_t index) {
    if (index == 0) {
      return LocalServer::Response(
          403,
          "<Error><Code>RequestTimeTooSkewed</Code><ServerTime>2031-02-03T04:05:06Z</ServerTime>"
          "</Error>",
          {{"Date", "Mon, 03 Feb 2031 04:05:06 GMT"}});
    }
    return LocalServer::Response(200, "object");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL_S3", s3.url().c_str()},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"}});
  Aws aws;
  AwsResult r = aws.GetObject("b", "k");
  EXPECT_TRUE(r.ok) << r.message;
  EXPECT_EQ(r.body, "object");
  ASSERT_EQ(s3.requests().size(), 2u);
  EXPECT_EQ(s3.requests()[1].Header("x-amz-date").substr(0, 11), "20310203T04");
}

TEST(AwsTest, LargeFilesAreUploadedInParts) {
  std::vector<std::string> parts;
  LocalServer s3([&](const LocalServer::Request& r, size_t) {
    if (r.line.rfind("POST /b/k?uploads", 0) == 0) {
      return LocalServer::Response(
          200, "<InitiateMultipartUploadResult><UploadId>up/1+2</UploadId></InitiateMultipartUploadResult>");
    }
    if (r.line.rfind("PUT /b/k?partNumber=", 0) == 0) {
      parts.push_back(r.body);
      return LocalServer::Response(200, "", {{"ETag", "\"e" + std::to_string(parts.size()) + "\""}});
    }
    return LocalServer::Response(200, "<CompleteMultipartUploadResult/>");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL_S3", s3.url().c_str()},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"}});
  const std::string file = testing::TempDir() + "/component";
  std::string data;
  for (int i = 0; i < 2500; ++i) data.push_back(static_cast<char>('a' + i % 26));
  std::ofstream(file, std::ios::binary) << data;
  Aws aws;
  AwsResult r = aws.PutObjectFromFile("b", "k", file, "application/octet-stream", 1000);
  ASSERT_TRUE(r.ok) << r.message;
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0] + parts[1] + parts[2], data);
  const auto requests = s3.requests();
  ASSERT_EQ(requests.size(), 5u);
  EXPECT_EQ(requests[1].line, "PUT /b/k?partNumber=1&uploadId=up%2F1%2B2 HTTP/1.1");
  EXPECT_EQ(requests[4].line, "POST /b/k?uploadId=up%2F1%2B2 HTTP/1.1");
  EXPECT_NE(requests[4].body.find("<PartNumber>3</PartNumber><ETag>\"e3\"</ETag>"),
            std::string::npos)
      << requests[4].body;
  // A file within one part is one PUT.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "small";
  ASSERT_TRUE(aws.PutObjectFromFile("b", "k", file, "text/plain", 1000).ok);
  EXPECT_EQ(s3.requests().back().line, "PUT /b/k HTTP/1.1");
  EXPECT_EQ(s3.requests().back().body, "small");
}

// A component's status lives in its object's user metadata; updating it is a copy of the
// object onto itself that replaces the metadata, and nothing else.
TEST(AwsTest, ComponentStatusIsReplacedInPlace) {
  LocalServer s3([](const LocalServer::Request& r, size_t index) {
    if (r.line.rfind("HEAD ", 0) == 0) {
      return index == 0 ? LocalServer::Response(200, "", {{"x-amz-meta-trawl-status", "pending"},
                                                          {"X-Amz-Meta-Trawl-Attempts", "2"},
                                                          {"ETag", "\"e\""}})
                        : LocalServer::Response(404, "");
    }
    // The second copy fails after S3 has answered 200, as copies may.
    return index == 2 ? LocalServer::Response(200, "<CopyObjectResult/>")
                      : LocalServer::Response(200, "<Error><Code>InternalError</Code></Error>");
  });
  ScopedEnv env({{"AWS_ENDPOINT_URL_S3", s3.url().c_str()},
                 {"AWS_ACCESS_KEY_ID", "AKID"},
                 {"AWS_SECRET_ACCESS_KEY", "secret"}});
  Aws aws;
  ObjectMetadata metadata;
  ASSERT_TRUE(aws.HeadObject("b", "packages/p/components/c", &metadata).ok);
  EXPECT_EQ(metadata, (ObjectMetadata{{"trawl-status", "pending"}, {"trawl-attempts", "2"}}));
  AwsResult missing = aws.HeadObject("b", "packages/p/components/gone", &metadata);
  EXPECT_FALSE(missing.ok);
  EXPECT_EQ(missing.code, "NoSuchKey");  // a HEAD answer has no body to say so
  EXPECT_TRUE(metadata.empty());

  const ObjectMetadata status = {{"trawl-status", "analysed"}, {"trawl-attempts", "1"}};
  ASSERT_TRUE(aws.ReplaceMetadata("b", "packages/p/components/c", "application/octet-stream", status).ok);
  const LocalServer::Request copy = s3.requests()[2];
  EXPECT_EQ(copy.line, "PUT /b/packages/p/components/c HTTP/1.1");
  EXPECT_EQ(copy.Header("x-amz-copy-source"), "b/packages/p/components/c");
  EXPECT_EQ(copy.Header("x-amz-metadata-directive"), "REPLACE");
  EXPECT_EQ(copy.Header("x-amz-meta-trawl-status"), "analysed");
  EXPECT_EQ(copy.Header("x-amz-meta-trawl-attempts"), "1");
  EXPECT_TRUE(copy.body.empty());
  // REPLACE replaces the content type too: it must go out, and be signed, with no body.
  EXPECT_EQ(copy.Header("content-type"), "application/octet-stream");
  EXPECT_NE(copy.Header("authorization").find("content-type;"), std::string::npos)
      << copy.Header("authorization");
  EXPECT_NE(copy.Header("authorization").find("x-amz-meta-trawl-status"), std::string::npos);

  AwsResult late = aws.ReplaceMetadata("b", "packages/p/components/c", "application/octet-stream", status);
  EXPECT_FALSE(late.ok);
  EXPECT_EQ(late.code, "InternalError");
}

TEST(UriTest, DecodesS3NotificationKeys) {
  // S3 notifications encode keys as HTML forms do: '+' for space, %XX for the rest.
  EXPECT_EQ(UriDecode("incoming/sample+package%2B%28v2%29.tar.gz", true),
            "incoming/sample package+(v2).tar.gz");
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
  EXPECT_EQ(UriDecode("bad%2", true), "bad%2");  // a cut escape stays as it is
  EXPECT_EQ(UriDecode("%e2%82%ac", true), "\xe2\x82\xac");
}

TEST(UriTest, EncodesAllButUnreserved) {
  EXPECT_EQ(UriEncode("a b/c~d_e.f-g+h", false), "a%20b/c~d_e.f-g%2Bh");
  EXPECT_EQ(UriEncode("a/b", true), "a%2Fb");
  EXPECT_EQ(UriEncode("\xe2\x82\xac", true), "%E2%82%AC");
}

TEST(EventsTest, ParsesS3NotificationAndSkipsOtherEvents) {
  const std::string event = R"({"Records":[
    {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
     "s3":{"bucket":{"name":"b"},"object":{"key":"incoming/my+file%21.tgz","size":42}}},
    {"eventSource":"aws:s3","eventName":"ObjectRemoved:Delete",
     "s3":{"bucket":{"name":"b"},"object":{"key":"gone"}}}]})";
  EXPECT_EQ(DetectEvent(event), EventKind::kS3);
  std::vector<S3ObjectRef> objects;
  std::string error;
  ASSERT_TRUE(ParseS3Event(event, &objects, &error)) << error;
  ASSERT_EQ(objects.size(), 1u);
  EXPECT_EQ(objects[0].bucket, "b");
  EXPECT_EQ(objects[0].key, "incoming/my file!.tgz");
  EXPECT_EQ(objects[0].size, 42);
}

TEST(EventsTest, SkipsTestEventsAndFolderMarkers) {
  std::vector<S3ObjectRef> objects;
  std::string error;
  EXPECT_TRUE(ParseS3Event(R"({"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"})",
                           &objects, &error));
  EXPECT_TRUE(objects.empty());
  EXPECT_TRUE(ParseS3Event(R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
      "s3":{"bucket":{"name":"b"},"object":{"key":"incoming/","size":0}}}]})",
                           &objects, &error));
  EXPECT_TRUE(objects.empty());
}

TEST(EventsTest, RejectsWhatIsNotAnEvent) {
  std::vector<S3ObjectRef> objects;
  std::vector<SqsRecord> records;
  std::string error;
  EXPECT_FALSE(ParseS3Event("{\"foo\":1}", &objects, &error));
  EXPECT_FALSE(ParseSqsEvent("not json", &records, &error));
  EXPECT_FALSE(ParseSqsEvent(R"({"Records":[{"body":"x"}]})", &records, &error));  // no id
  EXPECT_EQ(DetectEvent("{}"), EventKind::kOther);
}

TEST(EventsTest, ParsesSqsBatchAndAnswersPartialFailures) {
  const std::string event = R"({"Records":[
    {"messageId":"m1","receiptHandle":"r1","body":"{\"a\":1}","eventSource":"aws:sqs",
     "attributes":{"ApproximateReceiveCount":"3"}},
    {"messageId":"m2","receiptHandle":"r2","body":"two","eventSource":"aws:sqs"}]})";
  EXPECT_EQ(DetectEvent(event), EventKind::kSqs);
  std::vector<SqsRecord> records;
  std::string error;
  ASSERT_TRUE(ParseSqsEvent(event, &records, &error)) << error;
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].body, "{\"a\":1}");
  EXPECT_EQ(records[0].receive_count, 3);
  EXPECT_EQ(records[1].receive_count, 1);
  EXPECT_EQ(BatchItemFailures({}), R"({"batchItemFailures":[]})");
  EXPECT_EQ(BatchItemFailures({"m1", "m\"2"}),
            R"({"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m\"2"}]})");
}

TEST(JsonTest, QuotesAndReadsBack) {
  const std::string quoted = JsonQuote("a\"b\\c\n\x01 \xc3\xa9");
  EXPECT_EQ(quoted, "\"a\\\"b\\\\c\\n\\u0001 \xc3\xa9\"");
  JsonDoc doc("{\"s\":" + quoted + ",\"n\":\"12\",\"i\":7,\"a\":[\"x\",1,\"y\"]}");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.String("/s").value(), "a\"b\\c\n\x01 \xc3\xa9");
  EXPECT_EQ(doc.Int("/n").value(), 12);  // DynamoDB numbers are strings
  EXPECT_EQ(doc.Int("/i").value(), 7);
  EXPECT_EQ(doc.Strings("/a"), (std::vector<std::string>{"x", "y"}));
  EXPECT_FALSE(doc.String("/missing").has_value());
}

TEST(CredentialsTest, ComeFromTheEnvironmentWithoutContainerEndpoint) {
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
  unsetenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
  setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  setenv("AWS_SESSION_TOKEN", "token", 1);
  HttpClient http;
  std::string error;
  std::optional<Credentials> c = LoadCredentials(&http, &error);
  ASSERT_TRUE(c.has_value()) << error;
  EXPECT_EQ(c->access_key_id, "AKIDTEST");
  EXPECT_EQ(c->session_token, "token");
  unsetenv("AWS_ACCESS_KEY_ID");
  EXPECT_FALSE(LoadCredentials(&http, &error).has_value());
  EXPECT_NE(error.find("no credentials"), std::string::npos);
}

TEST(CredentialsTest, ContainerEndpointFailureIsReported) {
  // Port 9 on loopback: nothing listens, the connection is refused at once.
  setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9/creds", 1);
  HttpClient http;
  std::string error;
  EXPECT_FALSE(LoadCredentials(&http, &error).has_value());
  EXPECT_NE(error.find("container credentials endpoint"), std::string::npos) << error;
  unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
}

}  // namespace
}  // namespace trawl_host
