// File: validate.h
// What the hosts accept from events, messages and their own environment. Keys, ids and
// buckets arrive from S3 notifications and queue messages, that anyone able to upload a
// package or send a message can shape; they are used in S3 request paths, so each is
// checked here before use (docs/security.md, "Input trust").
#ifndef TRAWL_EXAMPLES_AWS_HOST_VALIDATE_H_
#define TRAWL_EXAMPLES_AWS_HOST_VALIDATE_H_

#include <string>
#include <string_view>

namespace trawl_host {

// A key the hosts will read or write: 1..1024 bytes of valid UTF-8, no control
// characters or backslash, no leading '/', no empty, "." or ".." segment. Such keys are
// legal in S3, but an HTTP stack normalizes them (`a/../b` is `b`), so the object read
// would not be the one named. False with *why set otherwise.
bool IsCanonicalKey(std::string_view key, std::string* why);

// The manifest's package_id: SHA-256 as 64 lowercase hex digits.
bool IsPackageId(std::string_view id);
// A component id: 32 lowercase hex digits.
bool IsComponentId(std::string_view id);

// The deployment's fingerprint key: 32 random bytes as 64 hex digits (docs/security.md).
// The library's public default key, or anything shorter, is refused.
bool IsFingerprintKey(std::string_view key, std::string* why);

// The container credentials endpoint may only be loopback (127.0.0.0/8, [::1]), the ECS
// agent (169.254.170.2) or the EKS Pod Identity agent (169.254.170.23), over http or
// https: anything else would send the task's authorization token to another host.
bool IsAllowedCredentialsUri(std::string_view uri, std::string* why);

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_VALIDATE_H_
