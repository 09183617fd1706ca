// bootstrap: trawl's AWS Lambda function for the provided.al2023 (custom) runtime.
//
// Implements the Lambda Runtime API loop itself over libcurl and runs one pipeline stage,
// chosen by TRAWL_STAGE (intake | classify | analyze | aggregate); docs/hosts.md lists the
// other variables. The compiled database (TRAWL_DB) is loaded once per container, before
// the first invocation; when that fails the function reports /init/error and exits.
//
// Build: part of trawl's CMake build (target trawl_lambda_bootstrap -> build/aws/bootstrap).
// Usage: Lambda starts it with AWS_LAMBDA_RUNTIME_API set; locally,
//   AWS_LAMBDA_RUNTIME_API=127.0.0.1:9001 TRAWL_STAGE=intake build/aws/bootstrap
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "host/pipeline.h"
#include "host/runtime.h"

int main() {
  const auto process_start = std::chrono::steady_clock::now();
  auto since_start = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                     process_start)
        .count();
  };
  const char* api = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (api == nullptr || *api == '\0') {
    std::fprintf(stderr, "bootstrap: AWS_LAMBDA_RUNTIME_API is not set\n");
    return 1;
  }
  trawl_host::RuntimeClient runtime(api);
  std::string error;

  trawl_host::StageError init_error;
  std::unique_ptr<trawl_host::Pipeline> pipeline =
      trawl_host::Pipeline::Create(trawl_host::ConfigFromEnv(), &init_error);
  if (pipeline == nullptr) {
    std::fprintf(stderr, "bootstrap: init failed: %s: %s\n", init_error.type.c_str(),
                 init_error.message.c_str());
    if (!runtime.ReportInitError(init_error.type, init_error.message, &error)) {
      std::fprintf(stderr, "bootstrap: %s\n", error.c_str());
    }
    return 1;
  }
  std::fprintf(stderr, "bootstrap: init done in %.1f ms (database load %.1f ms)\n", since_start(),
               pipeline->db_load_ms());

  for (bool first = true;; first = false) {
    trawl_host::Invocation invocation;
    if (!runtime.Next(&invocation, &error)) {
      std::fprintf(stderr, "bootstrap: %s\n", error.c_str());
      return 1;
    }
    const auto start = std::chrono::steady_clock::now();
    std::string response;
    trawl_host::StageError stage_error;
    const bool ok =
        pipeline->HandleEvent(invocation.body, invocation.deadline_ms, &response, &stage_error);
    const bool sent = ok ? runtime.Respond(invocation.request_id, response, &error)
                         : runtime.ReportError(invocation.request_id, stage_error.type,
                                               stage_error.message, &error);
    if (!ok) {
      std::fprintf(stderr, "bootstrap: invocation %s failed: %s: %s\n",
                   invocation.request_id.c_str(), stage_error.type.c_str(),
                   stage_error.message.c_str());
    }
    if (!sent) std::fprintf(stderr, "bootstrap: %s\n", error.c_str());
    const double handler_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (first) {
      std::fprintf(stderr, "bootstrap: cold start: first response %.1f ms after process start\n",
                   since_start());
    }
    std::fprintf(stderr, "bootstrap: invocation %s handled in %.1f ms\n",
                 invocation.request_id.c_str(), handler_ms);
  }
}
