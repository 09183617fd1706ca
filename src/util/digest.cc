// File: digest.cc
#include "util/digest.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <new>

namespace trawl {

struct Sha256::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
    throw std::bad_alloc();  // OpenSSL fails here only when out of memory.
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(state_->ctx); }

void Sha256::Update(std::string_view data) {
  EVP_DigestUpdate(state_->ctx, data.data(), data.size());
}

void Sha256::UpdateField(std::string_view field) {
  const uint64_t size = field.size();
  Update(std::string_view(reinterpret_cast<const char*>(&size), sizeof size));
  Update(field);
}

Sha256Digest Sha256::Finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(state_->ctx, out.data(), &len);
  return out;
}

Sha256Digest Sha256Of(std::string_view data) {
  Sha256 hasher;
  hasher.Update(data);
  return hasher.Finish();
}

Sha256Digest HmacSha256(std::string_view key, std::string_view data) {
  Sha256Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len);
  return out;
}

struct HmacSha256Keyed::State {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
};

HmacSha256Keyed::HmacSha256Keyed(std::string_view key)
    : key_(key), state_(std::make_unique<State>()) {
  state_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  state_->ctx = state_->mac == nullptr ? nullptr : EVP_MAC_CTX_new(state_->mac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest, 0),
                               OSSL_PARAM_construct_end()};
  if (state_->ctx == nullptr ||
      EVP_MAC_init(state_->ctx, reinterpret_cast<const unsigned char*>(key_.data()), key_.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(state_->ctx);
    EVP_MAC_free(state_->mac);
    throw std::bad_alloc();  // the default provider has HMAC: only out of memory fails
  }
}

HmacSha256Keyed::~HmacSha256Keyed() {
  EVP_MAC_CTX_free(state_->ctx);
  EVP_MAC_free(state_->mac);
}

Sha256Digest HmacSha256Keyed::Mac(std::string_view data) {
  Sha256Digest out{};
  size_t len = 0;
  // A NULL key restarts the MAC with the key already set (its padded blocks are kept).
  EVP_MAC_init(state_->ctx, nullptr, 0, nullptr);
  EVP_MAC_update(state_->ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  EVP_MAC_final(state_->ctx, out.data(), &len, out.size());
  return out;
}

std::string ToHex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 15];
  }
  return out;
}

namespace {

std::string DigestHex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1) return "";
  return ToHex(out, len);
}

}  // namespace

std::string Md5Hex(std::string_view data) { return DigestHex(EVP_md5(), data); }
std::string Sha1Hex(std::string_view data) { return DigestHex(EVP_sha1(), data); }

struct FileDigest::State {
  EVP_MD_CTX* ctx = nullptr;
};

FileDigest::FileDigest(Kind kind) : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  const EVP_MD* md = kind == Kind::kMd5 ? EVP_md5() : EVP_sha1();
  if (state_->ctx == nullptr || EVP_DigestInit_ex(state_->ctx, md, nullptr) != 1) {
    throw std::bad_alloc();  // as for Sha256: only out of memory fails here
  }
}

FileDigest::~FileDigest() { EVP_MD_CTX_free(state_->ctx); }

void FileDigest::Update(std::string_view data) {
  EVP_DigestUpdate(state_->ctx, data.data(), data.size());
}

std::string FileDigest::FinishHex() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(state_->ctx, out, &len) != 1) return "";
  return ToHex(out, len);
}

}  // namespace trawl
