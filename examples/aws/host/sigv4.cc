// File: sigv4.cc
// The canonical request, string to sign and signature of AWS SigV4
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
#include "host/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <string_view>
#include <vector>

namespace trawl_host {
namespace {

std::string Hex(const unsigned char* data, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Trims and collapses runs of whitespace to one space, as the canonical headers require.
std::string CanonicalValue(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
    } else {
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}

struct Url {
  std::string scheme, host_port, path, query;
};

// Views into the URL, each field built once: GCC 12 at -O3 reports a false overlap
// (-Wrestrict, GCC bug 105329) when a substr() result is later reassigned from a literal.
Url SplitUrl(const std::string& url) {
  constexpr size_t npos = std::string_view::npos;
  const std::string_view view(url);
  Url u;
  size_t p = view.find("://");
  u.scheme = std::string(view.substr(0, p));
  size_t start = p == npos ? 0 : p + 3;
  size_t slash = view.find_first_of("/?", start);
  u.host_port = std::string(view.substr(start, slash == npos ? npos : slash - start));
  std::string_view rest = slash == npos ? std::string_view("/") : view.substr(slash);
  size_t q = rest.find('?');
  std::string_view path = rest.substr(0, q);
  u.path = std::string(path.empty() ? std::string_view("/") : path);
  if (q != npos) u.query = std::string(rest.substr(q + 1));
  // The default port is not part of the signed host.
  if ((u.scheme == "http" && u.host_port.size() > 3 &&
       u.host_port.compare(u.host_port.size() - 3, 3, ":80") == 0) ||
      (u.scheme == "https" && u.host_port.size() > 4 &&
       u.host_port.compare(u.host_port.size() - 4, 4, ":443") == 0)) {
    u.host_port.resize(u.host_port.rfind(':'));
  }
  return u;
}

// Each name and value is decoded and re-encoded with the unreserved set, then the pairs
// are sorted by name, then value (after encoding, as the specification says).
std::string CanonicalQuery(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t i = 0;
  while (i <= query.size() && !query.empty()) {
    size_t amp = query.find('&', i);
    std::string part = query.substr(i, amp == std::string::npos ? std::string::npos : amp - i);
    if (!part.empty()) {
      size_t eq = part.find('=');
      std::string name = part.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : part.substr(eq + 1);
      pairs.emplace_back(UriEncode(UriDecode(name, false), true),
                         UriEncode(UriDecode(value, false), true));
    }
    if (amp == std::string::npos) break;
    i = amp + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [k, v] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += k + "=" + v;
  }
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

void SignRequest(HttpRequest* request, const Credentials& credentials, const std::string& region,
                 const std::string& service, std::time_t now) {
  char amz_date[17];
  char date[9];
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(amz_date, sizeof amz_date, "%Y%m%dT%H%M%SZ", &tm);
  std::strftime(date, sizeof date, "%Y%m%d", &tm);

  const Url url = SplitUrl(request->url);
  const std::string payload_hash = Sha256Hex(request->body);

  // Replace what a previous attempt added, so a retried request is signed afresh.
  auto& h = request->headers;
  h.erase(std::remove_if(h.begin(), h.end(),
                         [](const auto& kv) {
                           const std::string k = Lower(kv.first);
                           return k == "authorization" || k == "x-amz-date" ||
                                  k == "x-amz-security-token" || k == "x-amz-content-sha256" ||
                                  k == "host";
                         }),
          h.end());
  h.emplace_back("X-Amz-Date", amz_date);
  if (!credentials.session_token.empty()) {
    h.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  if (service == "s3") h.emplace_back("X-Amz-Content-SHA256", payload_hash);

  std::map<std::string, std::string> canonical;  // sorted by lower-case name
  canonical["host"] = url.host_port;
  for (const auto& [k, v] : h) {
    std::string name = Lower(k);
    if (name == "user-agent" || name == "expect" || name == "x-amzn-trace-id") continue;
    auto [it, inserted] = canonical.emplace(name, CanonicalValue(v));
    if (!inserted) {  // appended in place: `"," + string` is another -Wrestrict false positive
      it->second.push_back(',');
      it->second += CanonicalValue(v);
    }
  }
  std::string canonical_headers, signed_headers;
  for (const auto& [k, v] : canonical) {
    canonical_headers += k + ":" + v + "\n";
    if (!signed_headers.empty()) signed_headers.push_back(';');
    signed_headers += k;
  }
  // S3 signs the path as sent; other services sign it encoded once more.
  const std::string path = service == "s3" ? url.path : UriEncode(url.path, false);
  const std::string canonical_request = request->method + "\n" + path + "\n" +
                                        CanonicalQuery(url.query) + "\n" + canonical_headers +
                                        "\n" + signed_headers + "\n" + payload_hash;
  const std::string scope = std::string(date) + "/" + region + "/" + service + "/aws4_request";
  const std::string string_to_sign = std::string("AWS4-HMAC-SHA256\n") + amz_date + "\n" + scope +
                                     "\n" + Sha256Hex(canonical_request);
  std::string key = Hmac("AWS4" + credentials.secret_access_key, date);
  key = Hmac(key, region);
  key = Hmac(key, service);
  key = Hmac(key, "aws4_request");
  const std::string signature = Hmac(key, string_to_sign);
  h.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                                      scope + ", SignedHeaders=" + signed_headers + ", Signature=" +
                                      Hex(reinterpret_cast<const unsigned char*>(signature.data()),
                                          signature.size()));
}

}  // namespace trawl_host
