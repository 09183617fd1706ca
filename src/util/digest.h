// File: digest.h
// SHA-256 (OpenSSL) and HMAC-SHA-256 for content digests, artifact integrity and
// keyed fingerprints. Hex output is lowercase.
#ifndef TRAWL_SRC_UTIL_DIGEST_H_
#define TRAWL_SRC_UTIL_DIGEST_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace trawl {

using Sha256Digest = std::array<uint8_t, 32>;

// Incremental SHA-256. Not thread-safe; one per stream of data.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // Updates with the field's length, then the field: a list of fields hashed this way
  // never collides with another list.
  void UpdateField(std::string_view field);
  // REQUIRES: called once; the object is spent afterwards.
  Sha256Digest Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

Sha256Digest Sha256Of(std::string_view data);
Sha256Digest HmacSha256(std::string_view key, std::string_view data);

// HMAC-SHA-256 of many messages under one key: the algorithm look-up and the key
// schedule are done once, where HmacSha256 repeats both on every call (the component
// analysis fingerprints every candidate, issue 22). Mac(data) == HmacSha256(key, data).
// Thread-compatible: one per thread.
class HmacSha256Keyed {
 public:
  explicit HmacSha256Keyed(std::string_view key);
  ~HmacSha256Keyed();
  HmacSha256Keyed(const HmacSha256Keyed&) = delete;
  HmacSha256Keyed& operator=(const HmacSha256Keyed&) = delete;
  Sha256Digest Mac(std::string_view data);
  const std::string& key() const { return key_; }

 private:
  struct State;
  std::string key_;
  std::unique_ptr<State> state_;
};
std::string ToHex(const uint8_t* data, size_t size);
// Lowercase hex digests for looking file hashes up in indicator feeds, which list MD5 and
// SHA-1 as well as SHA-256 (they identify files; nothing here relies on their strength).
std::string Md5Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);
// Md5Hex / Sha1Hex over data that arrives in parts (a component analysed as a stream).
class FileDigest {
 public:
  enum class Kind { kMd5, kSha1 };
  explicit FileDigest(Kind kind);
  ~FileDigest();
  FileDigest(const FileDigest&) = delete;
  FileDigest& operator=(const FileDigest&) = delete;
  void Update(std::string_view data);
  std::string FinishHex();  // lowercase hex; call once

 private:
  struct State;
  std::unique_ptr<State> state_;
};
inline std::string ToHex(const Sha256Digest& digest) { return ToHex(digest.data(), digest.size()); }
// True for exactly `digits` lowercase hex digits: the form ToHex writes.
inline bool IsLowerHex(std::string_view text, size_t digits) {
  if (text.size() != digits) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_DIGEST_H_
