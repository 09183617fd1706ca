// File: analysis_pipeline.h
// Component analysis overlapped with intake: the decomposition callback (Add, on the
// intake thread) moves each component that needs analysis into a bounded queue (intake's
// buffer itself where intake hands it over, ComponentContent::Take; else a copy), and
// workers (one ComponentAnalyzer each) analyse from it while intake keeps decompressing.
//
// Memory: the content queued or being analysed stays within `max_inflight_bytes`. Add
// blocks while the new component would pass the bound and something is still in flight
// (back-pressure). A component larger than the whole bound, and the package itself as a
// leaf (a plain file), are not copied: once nothing is in flight they are analysed in the
// callback, where intake's buffer is valid. 0: no bound.
//
// Intake helps. When it would wait (back-pressure), it makes the classify pass
// (classification and structure analysis, ComponentPreparer) of a queued component no
// worker has started on, the last queued first, so that a worker that is behind only
// scans and assembles findings. A worker that reaches a component intake is preparing
// waits for it. The pass is the same whichever thread makes it. What a preparation holds
// beyond the content (decoded strings, layers) counts toward `max_inflight_bytes` too;
// one that would pass the bound is dropped. With no classify pass left to make, intake
// analyses the last queued component itself rather than wait, and in Finish, with nothing
// left to read, it analyses queued components beside the workers: intake's thread is one
// of the analysis threads (PackageOptions::threads counts it).
//
// Determinism: each component is analysed on its own and results are kept by component
// id, so the results do not depend on the thread count, the bound or the timing (except
// what a deadline cuts short).
//
// Large components (issue 22): OfferStream, the intake's stream factory, takes a component
// whose content passed the streaming threshold (stream_text_bytes; stream_json_bytes for
// one that starts like JSON, whose structure analysis needs several times its size) and
// analyses it window by window on intake's thread as it is decompressed
// (analyze/streamed_analysis.h), never holding it whole. The queued components are
// analysed by the workers meanwhile.
//
// Thread-safety: Add, OfferStream and Finish are called from one thread (intake's); the progress
// callback is called from the workers and from that thread.
#ifndef TRAWL_SRC_PIPELINE_ANALYSIS_PIPELINE_H_
#define TRAWL_SRC_PIPELINE_ANALYSIS_PIPELINE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "analyze/component_analyzer.h"
#include "analyze/streamed_analysis.h"
#include "classify/plan.h"
#include "intake/component.h"
#include "intake/decompose.h"
#include "util/buffer_pool.h"

namespace trawl {

struct AnalysisPipelineOptions {
  // Worker threads beside intake's. 0: intake analyses each component itself as Add is
  // handed it (one thread in all).
  size_t workers = 1;
  uint64_t max_inflight_bytes = 0;  // 0: no bound
  // How far intake may read ahead of the workers, per worker: queued content not yet
  // started on (beyond one component). Within max_inflight_bytes; 0: no such limit.
  uint64_t lookahead_bytes_per_worker = uint64_t{16} << 20;
  // After it, components not yet analysed get a skipped result with the reason
  // "the package time budget (<budget_text>) was spent before its analysis".
  absl::Time deadline = absl::InfiniteFuture();
  std::string budget_text;
  // Called after each component is accounted for with (done, handed over so far).
  std::function<void(size_t done, size_t total)> progress;
  // Content sizes above which OfferStream takes a component (0: never).
  uint64_t stream_text_bytes = 0;
  uint64_t stream_json_bytes = 0;
  StreamWindows windows;
};

class AnalysisPipeline {
 public:
  AnalysisPipeline(std::shared_ptr<const Database> db, PlanOptions plan_options,
                   AnalyzeOptions analyze, AnalysisPipelineOptions options);
  ~AnalysisPipeline();  // stops and joins the workers (after an intake error too)
  AnalysisPipeline(const AnalysisPipeline&) = delete;
  AnalysisPipeline& operator=(const AnalysisPipeline&) = delete;

  // The decomposition callback. Errors only when an analyzer cannot be made; rethrows
  // what a worker threw (std::bad_alloc), as Finish does.
  absl::Status Add(const Component& component, ComponentContent content);
  absl::Status Add(const Component& component, std::string_view content) {
    return Add(component, ComponentContent(content));
  }

  // The decomposition's stream factory (DecomposeOptions::stream_factory): a stream that
  // analyses `component` as it is read, or null to read it whole.
  std::unique_ptr<ComponentStream> OfferStream(const Component& component, std::string_view head);

  // Waits for every component handed over and returns the results by component id.
  absl::StatusOr<std::map<std::string, ComponentResult>> Finish();

  // The most content held at once so far (queued or being analysed), for tests.
  uint64_t peak_held_bytes() const;
  // How many classify passes intake has made for the workers so far, for tests.
  size_t prepared_components() const;
  // How many queued components intake has analysed itself while it waited, for tests.
  size_t analyzed_while_waiting() const;
  // Tests: runs on intake's thread before each classify pass it makes, as if the pass
  // began with it (an exception from it is the pass's).
  void SetBeforePrepareForTesting(std::function<void(const Component&)> hook) {
    before_prepare_for_testing_ = std::move(hook);
  }

  // Where intake reads entries into (DecomposeOptions::buffers): the workers give the
  // buffers they were handed back to it once analysed.
  BufferPool* buffers() { return &buffers_; }

 private:
  struct Queued {
    Component component;
    std::string content;
    // The classify pass, when intake made it while waiting (PrepareWhileWaiting).
    std::optional<PreparedComponent> prepared;
    uint64_t prepared_bytes = 0;  // prepared->held_bytes(), counted in held_bytes_
    bool preparing = false;       // intake works on it: no worker takes it meanwhile
    bool prepare_tried = false;
  };

  void Work();
  void WorkUntilClosed();
  // Takes queued components from the front and analyses them with `analyzer` until the
  // queue is closed and empty (or the pipeline has failed). Workers, and intake in Finish.
  void AnalyzeQueued(ComponentAnalyzer* analyzer);
  // Under mutex_ (`lock`), with `item` just taken off the queue: analyses it outside the
  // lock, then releases the bytes it held. Relocks before returning.
  void AnalyzeTaken(ComponentAnalyzer* analyzer, Queued item, std::unique_lock<std::mutex>& lock);
  // Analyses (or, past the deadline, skips) one component and records its result.
  void AnalyzeAndRecord(ComponentAnalyzer* analyzer, const Component& component,
                        std::string_view content, std::optional<PreparedComponent> prepared = {});
  // Intake's thread, under mutex_ (`lock`), instead of waiting for the workers: makes the
  // classify pass of one queued component no worker has started on. False when there is
  // none to make.
  bool PrepareWhileWaiting(std::unique_lock<std::mutex>& lock);
  // Intake's thread, under mutex_, when there is no classify pass left to make: analyses
  // the last queued component itself. False when none is queued (or intake has no
  // analyzer).
  bool AnalyzeWhileWaiting(std::unique_lock<std::mutex>& lock);
  void Fail(absl::Status status);
  void Record(const Component& component, ComponentResult result);
  absl::Status EnsureIntakeAnalyzer();
  class Stream;
  void StartWorkerIfUseful();  // under mutex_

  const std::shared_ptr<const Database> db_;
  const PlanOptions plan_options_;
  const AnalyzeOptions analyze_;
  const AnalysisPipelineOptions options_;

  BufferPool buffers_;
  std::unique_ptr<ComponentAnalyzer> intake_analyzer_;  // for what Add analyses itself
  ComponentPreparer intake_preparer_;  // for PrepareWhileWaiting
  std::function<void(const Component&)> before_prepare_for_testing_;
  std::set<std::string> streamed_;  // ids of the components OfferStream analysed (intake thread)
  std::vector<std::thread> threads_;

  mutable std::mutex mutex_;
  std::condition_variable work_ready_;  // workers: queue not empty, or closed
  std::condition_variable room_;        // intake: bytes freed, or a failure
  std::deque<Queued> queue_;
  size_t in_flight_ = 0;  // queued or being analysed
  size_t idle_workers_ = 0;
  uint64_t held_bytes_ = 0;
  uint64_t queued_bytes_ = 0;  // of held_bytes_, what no worker has started on
  uint64_t peak_held_bytes_ = 0;
  size_t prepared_components_ = 0;
  size_t analyzed_while_waiting_ = 0;
  bool closed_ = false;
  absl::Status error_;
  std::exception_ptr failure_;  // a worker's exception (bad_alloc), for intake's thread
  std::map<std::string, ComponentResult> results_;

  std::atomic<size_t> total_{0};
  std::atomic<size_t> done_{0};
};

}  // namespace trawl

#endif  // TRAWL_SRC_PIPELINE_ANALYSIS_PIPELINE_H_
