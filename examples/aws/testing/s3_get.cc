// trawl_aws_s3_get: reads one object with the hosts' S3 client and prints it; for the
// HTTPS smoke test (https_smoke.py), which points AWS_ENDPOINT_URL_S3 at a local TLS
// server whose certificate only a test CA vouches for.
//   trawl_aws_s3_get BUCKET KEY     (exit 0 when the object was read)
#include <cstdio>

#include "host/aws.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: trawl_aws_s3_get BUCKET KEY\n");
    return 2;
  }
  trawl_host::Aws aws;
  trawl_host::AwsResult r = aws.GetObject(argv[1], argv[2]);
  if (!r.ok) {
    std::fprintf(stderr, "trawl_aws_s3_get: %s %s\n", r.code.c_str(), r.message.c_str());
    return 1;
  }
  std::fwrite(r.body.data(), 1, r.body.size(), stdout);
  return 0;
}
