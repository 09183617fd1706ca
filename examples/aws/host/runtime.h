// File: runtime.h
// A client of the Lambda Runtime API (2018-06-01), for custom runtimes (provided.al2023):
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html. Not thread-safe.
#ifndef TRAWL_EXAMPLES_AWS_HOST_RUNTIME_H_
#define TRAWL_EXAMPLES_AWS_HOST_RUNTIME_H_

#include <cstdint>
#include <string>

#include "host/http.h"

namespace trawl_host {

struct Invocation {
  std::string request_id;   // Lambda-Runtime-Aws-Request-Id
  int64_t deadline_ms = 0;  // Lambda-Runtime-Deadline-Ms: epoch milliseconds
  std::string trace_id;     // Lambda-Runtime-Trace-Id
  std::string body;         // the event
};

class RuntimeClient {
 public:
  // `api` is AWS_LAMBDA_RUNTIME_API ("host:port").
  explicit RuntimeClient(std::string api);

  // Blocks until the next invocation. False on a transport error (the caller exits).
  bool Next(Invocation* out, std::string* error);
  bool Respond(const std::string& request_id, const std::string& body, std::string* error);
  // POST /invocation/<id>/error with Lambda-Runtime-Function-Error-Type: `type`.
  bool ReportError(const std::string& request_id, const std::string& type,
                   const std::string& message, std::string* error);
  // POST /init/error, when the function cannot start (then the process exits).
  bool ReportInitError(const std::string& type, const std::string& message, std::string* error);

 private:
  bool Post(const std::string& path, const std::string& body, const std::string& error_type,
            std::string* error);
  std::string base_;
  HttpClient http_;
};

// Milliseconds since the epoch, the unit of deadlines.
int64_t NowMs();

}  // namespace trawl_host

#endif  // TRAWL_EXAMPLES_AWS_HOST_RUNTIME_H_
