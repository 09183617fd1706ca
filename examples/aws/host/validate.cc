// File: validate.cc
#include "host/validate.h"

#include <arpa/inet.h>
#include <simdjson.h>

#include <cstdint>

namespace trawl_host {
namespace {

bool AllLowerHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

bool IsCanonicalKey(std::string_view key, std::string* why) {
  auto no = [&](const char* reason) {
    *why = reason;
    return false;
  };
  if (key.empty() || key.size() > 1024) return no("key must be 1..1024 bytes");
  if (!simdjson::validate_utf8(key.data(), key.size())) return no("key is not valid UTF-8");
  for (char c : key) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return no("key contains a control character");
    if (c == '\\') return no("key contains a backslash");
  }
  if (key.front() == '/') return no("key starts with '/'");
  size_t start = 0;
  while (true) {
    const size_t slash = key.find('/', start);
    const std::string_view segment =
        key.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment == "." || segment == "..") return no("key has a '.' or '..' segment");
    if (segment.empty() && slash != std::string_view::npos) return no("key has an empty segment");
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool IsPackageId(std::string_view id) { return AllLowerHex(id, 64); }
bool IsComponentId(std::string_view id) { return AllLowerHex(id, 32); }

bool IsFingerprintKey(std::string_view key, std::string* why) {
  if (key.size() != 64) {
    *why = "must be 32 random bytes as 64 hex digits, not " + std::to_string(key.size()) +
           " characters";
    return false;
  }
  for (char c : key) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
      *why = "must be 64 hex digits";
      return false;
    }
  }
  return true;
}

bool IsAllowedCredentialsUri(std::string_view uri, std::string* why) {
  size_t rest = 0;
  if (uri.rfind("http://", 0) == 0) {
    rest = 7;
  } else if (uri.rfind("https://", 0) == 0) {
    rest = 8;
  } else {
    *why = "not an http(s) URI";
    return false;
  }
  const std::string_view authority = uri.substr(rest, uri.find_first_of("/?#", rest) - rest);
  if (authority.find('@') != std::string_view::npos) {
    *why = "user information in the URI";
    return false;
  }
  std::string host;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    host = std::string(authority.substr(1, close == std::string_view::npos ? 0 : close - 1));
  } else {
    host = std::string(authority.substr(0, authority.find(':')));
  }
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    if ((a >> 24) == 127 || a == 0xA9FEAA02u /* 169.254.170.2 */ ||
        a == 0xA9FEAA17u /* 169.254.170.23 */) {
      return true;
    }
  } else if (inet_pton(AF_INET6, host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6)) {
    return true;
  }
  *why = "host '" + host +
         "' is not loopback, 169.254.170.2 or 169.254.170.23 (names are not resolved)";
  return false;
}

}  // namespace trawl_host
