// File: http.h
// A small blocking HTTP client over libcurl, the only libcurl user in trawl's hosts.
// One HttpClient keeps one easy handle, so connections are reused across requests.
// Not thread-safe: give each thread its own client.
#ifndef TRAWL_EXAMPLES_AWS_HOST_HTTP_H_
#define TRAWL_EXAMPLES_AWS_HOST_HTTP_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace trawl_host {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  long timeout_ms = 30000;  // whole transfer; 0 = none (the Runtime API's /next blocks)
};

struct HttpResponse {
  long status = 0;  // 0 when the transfer itself failed (see error)
  Headers headers;  // names lower-cased
  std::string body;
  std::string error;  // libcurl's explanation when status is 0

  // The first header named `name` (lower case), or "" when absent.
  std::string Header(const std::string& name) const;
};

// The CA certificates TLS peers are verified against: TRAWL_CA_BUNDLE, else
// ca-certificates.crt next to the executable (the Lambda zip ships one: the
// provided.al2023 image lacks the path Debian's libcurl looks for), else "" (libcurl's
// built-in default).
std::string CaBundlePath();

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // When *abort becomes true, a transfer in progress stops with an error, within about a
  // second (libcurl calls the progress callback at least once a second, even when idle).
  // The flag is borrowed and must outlive the client.
  void SetAbortFlag(const std::atomic<bool>* abort) { abort_ = abort; }

  HttpResponse Send(const HttpRequest& request);

 private:
  void* curl_;  // CURL*, kept opaque so that only http.cc includes curl.h
  std::string ca_bundle_;
  const std::atomic<bool>* abort_ = nullptr;
};

// Percent-encodes everything except AWS's unreserved set (A-Z a-z 0-9 - _ . ~), and
// '/' too unless encode_slash.
std::string UriEncode(std::string_view s, bool encode_slash);
// Decodes %XX escapes; with plus_is_space, '+' becomes ' ' (S3 event notification keys).
std::string UriDecode(std::string_view s, bool plus_is_space);

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_HTTP_H_
