// File: runtime.cc
#include "host/runtime.h"

#include <chrono>
#include <cstdlib>

#include "host/json.h"

namespace trawl_host {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

RuntimeClient::RuntimeClient(std::string api)
    : base_("http://" + std::move(api) + "/2018-06-01/runtime") {}

bool RuntimeClient::Next(Invocation* out, std::string* error) {
  HttpRequest request;
  request.url = base_ + "/invocation/next";
  request.timeout_ms = 0;  // waits as long as there is no work
  HttpResponse response = http_.Send(request);
  if (response.status != 200) {
    *error = "GET invocation/next: " +
             (response.status == 0 ? response.error : "HTTP " + std::to_string(response.status));
    return false;
  }
  out->request_id = response.Header("lambda-runtime-aws-request-id");
  out->trace_id = response.Header("lambda-runtime-trace-id");
  out->deadline_ms =
      std::strtoll(response.Header("lambda-runtime-deadline-ms").c_str(), nullptr, 10);
  out->body = std::move(response.body);
  if (!out->trace_id.empty()) setenv("_X_AMZN_TRACE_ID", out->trace_id.c_str(), 1);
  if (out->request_id.empty()) {
    *error = "invocation/next: no Lambda-Runtime-Aws-Request-Id";
    return false;
  }
  return true;
}

bool RuntimeClient::Post(const std::string& path, const std::string& body,
                         const std::string& error_type, std::string* error) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_ + path;
  request.body = body;
  request.timeout_ms = 10000;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty())
    request.headers.emplace_back("Lambda-Runtime-Function-Error-Type", error_type);
  HttpResponse response = http_.Send(request);
  if (response.status != 202) {
    *error = "POST " + path + ": " +
             (response.status == 0
                  ? response.error
                  : "HTTP " + std::to_string(response.status) + " " + response.body.substr(0, 200));
    return false;
  }
  return true;
}

static std::string ErrorBody(const std::string& type, const std::string& message) {
  return "{\"errorMessage\":" + JsonQuote(message) + ",\"errorType\":" + JsonQuote(type) +
         ",\"stackTrace\":[]}";
}

bool RuntimeClient::Respond(const std::string& request_id, const std::string& body,
                            std::string* error) {
  return Post("/invocation/" + request_id + "/response", body, "", error);
}

bool RuntimeClient::ReportError(const std::string& request_id, const std::string& type,
                                const std::string& message, std::string* error) {
  return Post("/invocation/" + request_id + "/error", ErrorBody(type, message), type, error);
}

bool RuntimeClient::ReportInitError(const std::string& type, const std::string& message,
                                    std::string* error) {
  return Post("/init/error", ErrorBody(type, message), type, error);
}

}  // namespace trawl_host
