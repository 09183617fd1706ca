// File: sigv4.h
// AWS Signature Version 4 for HttpRequests, computed with OpenSSL.
//
// Why not libcurl's CURLOPT_AWS_SIGV4: Debian bookworm ships curl 7.88, whose signer does
// not sort or re-encode query parameters (curl issue #9717), does not add or sign
// X-Amz-Security-Token (needed with the temporary credentials of Lambda and Fargate), and
// leaves S3's X-Amz-Content-SHA256 to the caller. Signing here keeps one canonical request
// for every service, and `sigv4_golden_test` checks it against botocore byte for byte.
#ifndef TRAWL_EXAMPLES_AWS_HOST_SIGV4_H_
#define TRAWL_EXAMPLES_AWS_HOST_SIGV4_H_

#include <ctime>
#include <string>

#include "host/http.h"

namespace trawl_host {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;   // "" for long-term keys
  std::time_t expiration = 0;  // 0 = does not expire
};

// Adds Host, X-Amz-Date, X-Amz-Security-Token (when there is a token),
// X-Amz-Content-SHA256 (service "s3" only) and Authorization to `request`, signing every
// header it carries. `request.url` must already be URI-encoded. `now` is UTC seconds.
void SignRequest(HttpRequest* request, const Credentials& credentials, const std::string& region,
                 const std::string& service, std::time_t now);

std::string Sha256Hex(std::string_view data);

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_SIGV4_H_
