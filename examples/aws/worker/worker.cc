// trawl-worker: the Fargate task for heavy components. The same stage code as the Lambda
// host, as a long-running process: it long-polls an SQS queue, extends the message's
// visibility while it works, and on SIGTERM stops taking work and either finishes the
// current message within TRAWL_STOP_TIMEOUT_MS or releases it (visibility 0) for another
// worker. It touches TRAWL_HEARTBEAT_FILE for the container health check. Credentials come
// from the container endpoint (AWS_CONTAINER_CREDENTIALS_*_URI) or the environment. While
// it holds a message it asks ECS for task scale-in protection (ECS_AGENT_URI), so scaling
// in stops idle tasks, not busy ones.
//
// Build: part of trawl's CMake build (target trawl_worker -> build/aws/trawl-worker).
// Usage: TRAWL_QUEUE_URL=... TRAWL_DB=default.tdb TRAWL_AGGREGATE_QUEUE_URL=... trawl-worker
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

#include "host/aws.h"
#include "host/http.h"
#include "host/pipeline.h"

namespace {

std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? std::string(v) : fallback;
}

int64_t EnvInt(const char* name, int64_t fallback) {
  const std::string v = Env(name);
  return v.empty() ? fallback : std::strtoll(v.c_str(), nullptr, 10);
}

void Heartbeat(const std::string& file) {
  if (file.empty()) return;
  std::ofstream out(file, std::ios::trunc);
  out << std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count()
      << "\n";
}

// Task scale-in protection through the ECS agent (ECS_AGENT_URI, set by ECS): a busy task
// is not chosen when the service scales in; protection lapses by itself after
// `minutes` if the task dies without clearing it. No agent (not on ECS): nothing to do.
class ScaleInProtection {
 public:
  explicit ScaleInProtection(std::string agent) : agent_(std::move(agent)) {}
  void Set(bool on, int minutes) {
    if (agent_.empty()) return;
    trawl_host::HttpRequest request;
    request.method = "PUT";
    request.url = agent_ + "/task-protection/v1/state";
    request.timeout_ms = 5000;
    request.headers = {{"Content-Type", "application/json"}};
    request.body = on ? "{\"ProtectionEnabled\":true,\"ExpiresInMinutes\":" +
                            std::to_string(minutes) + "}"
                      : "{\"ProtectionEnabled\":false}";
    const trawl_host::HttpResponse r = http_.Send(request);
    if (r.status != 200) {
      std::fprintf(stderr, "trawl-worker: scale-in protection %s: %s\n", on ? "on" : "off",
                   r.status == 0 ? r.error.c_str() : ("HTTP " + std::to_string(r.status)).c_str());
    }
  }

 private:
  std::string agent_;
  trawl_host::HttpClient http_;
};

}  // namespace

int main() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);

  trawl_host::PipelineConfig config = trawl_host::ConfigFromEnv();
  if (config.stage.empty()) config.stage = "analyze";
  const std::string queue = Env("TRAWL_QUEUE_URL", config.heavy_queue);
  const int visibility = static_cast<int>(EnvInt("TRAWL_VISIBILITY_SECONDS", 60));
  const int poll_seconds = static_cast<int>(EnvInt("TRAWL_POLL_SECONDS", 20));
  const int64_t stop_timeout_ms = EnvInt("TRAWL_STOP_TIMEOUT_MS", 20000);
  const int retry_delay = static_cast<int>(EnvInt("TRAWL_RETRY_DELAY_SECONDS", 5));
#ifdef TRAWL_AWS_FAULT_INJECTION  // test builds only: hold a message before working on it
  const int64_t test_hold_ms = EnvInt("TRAWL_TEST_HOLD_MS", 0);
#else
  const int64_t test_hold_ms = 0;
#endif
  const std::string heartbeat = Env("TRAWL_HEARTBEAT_FILE");
  if (queue.empty()) {
    std::fprintf(stderr, "trawl-worker: set TRAWL_QUEUE_URL (or TRAWL_HEAVY_QUEUE_URL)\n");
    return 2;
  }
  trawl_host::StageError init_error;
  std::unique_ptr<trawl_host::Pipeline> pipeline =
      trawl_host::Pipeline::Create(config, &init_error);
  if (pipeline == nullptr) {
    std::fprintf(stderr, "trawl-worker: init failed: %s: %s\n", init_error.type.c_str(),
                 init_error.message.c_str());
    return 1;
  }
  trawl_host::Aws sqs;  // the polling thread's own client; the pipeline has another
  ScaleInProtection protection(Env("ECS_AGENT_URI"));
  // Renewed with the visibility; lapses a few minutes after a crash.
  const int protect_minutes = std::max(2, visibility / 60 + 2);
  std::fprintf(stderr, "trawl-worker: polling %s\n", queue.c_str());
  Heartbeat(heartbeat);

  while (!g_stop.load()) {
    std::vector<trawl_host::SqsMessage> messages;
    sqs.SetAbortFlag(&g_stop);  // SIGTERM ends a long poll at once
    trawl_host::AwsResult r = sqs.ReceiveMessages(queue, 1, poll_seconds, visibility, &messages);
    sqs.SetAbortFlag(nullptr);
    Heartbeat(heartbeat);
    if (g_stop.load()) break;
    if (!r.ok) {
      std::fprintf(stderr, "trawl-worker: receive: %s\n", r.message.c_str());
      std::this_thread::sleep_for(std::chrono::seconds(1));
      continue;
    }
    if (messages.empty()) continue;
    const trawl_host::SqsMessage& m = messages[0];
    std::fprintf(stderr, "trawl-worker: working on message %s\n", m.message_id.c_str());
    const auto started = std::chrono::steady_clock::now();
    protection.Set(true, protect_minutes);

    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    bool ok = false;
    trawl_host::StageError stage_error;
    std::thread work([&] {
      if (test_hold_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(test_hold_ms));
      const bool result =
          pipeline->HandleMessage(m.body, m.message_id, m.receive_count, &stage_error);
      std::lock_guard<std::mutex> lock(mu);
      ok = result;
      done = true;
      cv.notify_all();
    });
    auto last_extend = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point stop_deadline{};
    bool stopping = false;
    std::unique_lock<std::mutex> lock(mu);
    while (!done) {
      cv.wait_for(lock, std::chrono::milliseconds(200));
      if (done) break;
      lock.unlock();
      Heartbeat(heartbeat);
      const auto now = std::chrono::steady_clock::now();
      if (g_stop.load() && !stopping) {
        stopping = true;
        stop_deadline = now + std::chrono::milliseconds(stop_timeout_ms);
        std::fprintf(stderr, "trawl-worker: SIGTERM: finishing %s within %lld ms\n",
                     m.message_id.c_str(), static_cast<long long>(stop_timeout_ms));
      }
      if (stopping && now >= stop_deadline) {
        // Give the message back now rather than when its visibility runs out.
        r = sqs.ChangeVisibility(queue, m.receipt_handle, 0);
        std::fprintf(stderr, "trawl-worker: released %s unfinished (%s); exiting\n",
                     m.message_id.c_str(), r.ok ? "visibility 0" : r.message.c_str());
        std::fflush(stderr);
        std::_Exit(0);  // the analysis cannot be interrupted; what it wrote is redone idempotently
      }
      if (now - last_extend > std::chrono::seconds(visibility) / 2) {
        r = sqs.ChangeVisibility(queue, m.receipt_handle, visibility);
        if (!r.ok) std::fprintf(stderr, "trawl-worker: extend: %s\n", r.message.c_str());
        if (!stopping) protection.Set(true, protect_minutes);
        last_extend = now;
      }
      lock.lock();
    }
    lock.unlock();
    work.join();
    protection.Set(false, 0);
    if (ok) {
      r = sqs.DeleteMessage(queue, m.receipt_handle);
      if (!r.ok) std::fprintf(stderr, "trawl-worker: delete: %s\n", r.message.c_str());
      std::fprintf(stderr, "trawl-worker: done %s in %.1f ms\n", m.message_id.c_str(),
                   std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() -
                                                             started)
                       .count());
    } else {
      std::fprintf(stderr, "trawl-worker: %s failed: %s: %s\n", m.message_id.c_str(),
                   stage_error.type.c_str(), stage_error.message.c_str());
      sqs.ChangeVisibility(queue, m.receipt_handle, retry_delay);
    }
  }
  std::fprintf(stderr, "trawl-worker: stopped\n");
  return 0;
}
