// trawl_aws_sign: signs the requests of a cases file (testing/sigv4_cases.json) with the
// hosts' SigV4 signer and prints, per case, "name<TAB>header: value" for every header the
// signer added. sigv4_golden.py compares this with botocore.
//   trawl_aws_sign CASES.json
#include <cstdio>
#include <fstream>
#include <sstream>

#include "host/json.h"
#include "host/sigv4.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: trawl_aws_sign CASES.json\n");
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream ss;
  ss << in.rdbuf();
  trawl_host::JsonDoc doc(ss.str());
  if (!doc.ok()) {
    std::fprintf(stderr, "trawl_aws_sign: %s is not JSON\n", argv[1]);
    return 2;
  }
  trawl_host::Credentials creds;
  creds.access_key_id = doc.String("/access_key_id").value_or("");
  creds.secret_access_key = doc.String("/secret_access_key").value_or("");
  const std::time_t now = static_cast<std::time_t>(doc.Int("/time").value_or(0));
  const size_t n = doc.ArraySize("/cases").value_or(0);
  for (size_t i = 0; i < n; ++i) {
    const std::string p = "/cases/" + std::to_string(i);
    trawl_host::HttpRequest request;
    request.method = doc.String(p + "/method").value_or("GET");
    request.url = doc.String(p + "/url").value_or("");
    request.body = doc.String(p + "/body").value_or("");
    const size_t h = doc.ArraySize(p + "/headers").value_or(0);
    for (size_t j = 0; j < h; ++j) {
      const std::string hp = p + "/headers/" + std::to_string(j);
      request.headers.emplace_back(doc.String(hp + "/0").value_or(""),
                                   doc.String(hp + "/1").value_or(""));
    }
    trawl_host::Credentials c = creds;
    c.session_token = doc.String(p + "/session_token").value_or("");
    trawl_host::SignRequest(&request, c, doc.String(p + "/region").value_or(""),
                            doc.String(p + "/service").value_or(""), now);
    const std::string name = doc.String(p + "/name").value_or("");
    for (const auto& [k, v] : request.headers) {
      if (k == "Authorization" || k == "X-Amz-Date" || k == "X-Amz-Security-Token" ||
          k == "X-Amz-Content-SHA256") {
        std::printf("%s\t%s: %s\n", name.c_str(), k.c_str(), v.c_str());
      }
    }
  }
  return 0;
}
