// File: analysis_pipeline.cc
#include "pipeline/analysis_pipeline.h"

#include <algorithm>
#include <cstddef>
#include <utility>

#include "classify/classify.h"
#include "intake/skip_policy.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {

namespace {

// Spare buffers beside the content in flight: enough for the next few components of a
// package of many small files, a small share of the in-flight bound.
uint64_t SpareBufferBytes(uint64_t max_inflight_bytes) {
  constexpr uint64_t kMaxSpare = uint64_t{64} << 20;
  return max_inflight_bytes == 0 ? kMaxSpare : std::min(kMaxSpare, max_inflight_bytes / 8);
}

}  // namespace

AnalysisPipeline::AnalysisPipeline(std::shared_ptr<const Database> db, PlanOptions plan_options,
                                   AnalyzeOptions analyze, AnalysisPipelineOptions options)
    : db_(std::move(db)),
      plan_options_(std::move(plan_options)),
      analyze_(std::move(analyze)),
      options_(std::move(options)),
      buffers_(SpareBufferBytes(options_.max_inflight_bytes)) {}

AnalysisPipeline::~AnalysisPipeline() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
    // Without Finish (intake failed), what is still queued is not wanted.
    queue_.clear();
  }
  work_ready_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

absl::Status AnalysisPipeline::Add(const Component& component, ComponentContent content) {
  if (SkipReason(component)) return absl::OkStatus();  // aggregation accounts for it
  if (streamed_.count(component.id)) return absl::OkStatus();  // its stream recorded it
  total_.fetch_add(1);
  if (absl::Now() > options_.deadline) {
    AnalyzeAndRecord(nullptr, component, content);
    return absl::OkStatus();
  }
  if (options_.workers == 0) {
    // One thread: intake analyses each component where it read it, uncopied.
    TRAWL_RETURN_IF_ERROR(EnsureIntakeAnalyzer());
    AnalyzeAndRecord(intake_analyzer_.get(), component, content);
    return absl::OkStatus();
  }
  const uint64_t bound = options_.max_inflight_bytes;
  // The package itself as a leaf (a plain file) is analysed where intake read it.
  const bool root_leaf = component.parent_id.empty();
  const uint64_t size = content.size();
  // Intake analyses queued components itself while it would wait; without an analyzer of
  // its own (no memory for one) it leaves them to the workers and waits.
  (void)EnsureIntakeAnalyzer();
  std::unique_lock lock(mutex_);
  // Back-pressure: wait until the component fits beside what is in flight, or nothing is.
  // Intake also stays within lookahead_bytes_per_worker ahead of the workers (beyond one
  // waiting component): a queue that only keeps them busy lets the buffers they give back
  // be read into again, warm, where running ahead would fault in fresh memory for the
  // whole package (issue 22: a third of an analysis' page faults, and its peak RSS).
  const uint64_t per_worker = options_.lookahead_bytes_per_worker;
  const uint64_t lookahead =
      per_worker == 0 ? UINT64_MAX : per_worker * std::max<size_t>(1, options_.workers);
  const auto may_go_on = [&] {
    return !error_.ok() || in_flight_ == 0 ||
           (!root_leaf && (bound == 0 || held_bytes_ + size <= bound) &&
            (queue_.empty() || queued_bytes_ + size <= lookahead));
  };
  while (!may_go_on()) {
    if (!PrepareWhileWaiting(lock) && !AnalyzeWhileWaiting(lock)) room_.wait(lock);
  }
  if (failure_) std::rethrow_exception(failure_);
  if (!error_.ok()) return error_;
  if (root_leaf || (bound != 0 && size > bound)) {
    // Larger than the whole bound: a copy would pass it, so the component is analysed
    // now, from intake's buffer, while the workers are idle.
    lock.unlock();
    TRAWL_RETURN_IF_ERROR(EnsureIntakeAnalyzer());
    AnalyzeAndRecord(intake_analyzer_.get(), component, content);
    return absl::OkStatus();
  }
  held_bytes_ += size;
  queued_bytes_ += size;
  peak_held_bytes_ = std::max(peak_held_bytes_, held_bytes_);
  ++in_flight_;
  // Taken (or copied) outside the lock so that the workers can hand back results
  // meanwhile; the bytes are already counted.
  lock.unlock();
  Queued queued;
  queued.component = component;
  queued.content = content.Take();
  lock.lock();
  queue_.push_back(std::move(queued));
  StartWorkerIfUseful();
  lock.unlock();
  work_ready_.notify_one();
  return absl::OkStatus();
}

absl::Status AnalysisPipeline::EnsureIntakeAnalyzer() {
  if (intake_analyzer_) return absl::OkStatus();
  auto analyzer = ComponentAnalyzer::Create(db_);
  if (!analyzer.ok()) return analyzer.status();
  intake_analyzer_ = *std::move(analyzer);
  return absl::OkStatus();
}

// A streamed component's analysis; its result is recorded when intake has listed it.
class AnalysisPipeline::Stream : public ComponentStream {
 public:
  Stream(AnalysisPipeline* pipeline, const Component& component, std::string_view head)
      : pipeline_(pipeline),
        analysis_(pipeline->intake_analyzer_.get(), component, head, pipeline->plan_options_,
                  pipeline->analyze_, pipeline->options_.windows) {}

  absl::Status Write(std::string_view bytes) override {
    // An engine failure is the component's, not the package's: recorded at Finish.
    if (failure_.ok()) failure_ = analysis_.Write(bytes);
    return absl::OkStatus();
  }

  absl::Status Finish(const Component& component) override {
    pipeline_->streamed_.insert(component.id);
    if (SkipReason(component)) return absl::OkStatus();  // a duplicate: not analysed again
    pipeline_->total_.fetch_add(1);
    auto result = failure_.ok() ? analysis_.Finish(component) : failure_;
    pipeline_->Record(component,
                      result.ok() ? *std::move(result)
                                  : SkippedResult(component, pipeline_->analyze_.package_id,
                                                  StrCat("analysis failed: ",
                                                         std::string(result.status().message()))));
    return absl::OkStatus();
  }

 private:
  AnalysisPipeline* pipeline_;
  StreamedAnalysis analysis_;
  absl::Status failure_;
};

std::unique_ptr<ComponentStream> AnalysisPipeline::OfferStream(const Component& component,
                                                               std::string_view head) {
  if (absl::Now() > options_.deadline) return nullptr;  // Add records the skip
  const Format format = ClassifyPrefix(head.substr(0, 64 << 10), component.path).format;
  const bool json = format == Format::kJson || format == Format::kNdjson;
  const uint64_t threshold = json ? options_.stream_json_bytes : options_.stream_text_bytes;
  if (threshold == 0 || head.size() < threshold) return nullptr;
  if (!EnsureIntakeAnalyzer().ok()) return nullptr;  // Add reports it
  return std::make_unique<Stream>(this, component, head);
}

bool AnalysisPipeline::PrepareWhileWaiting(std::unique_lock<std::mutex>& lock) {
  if (!error_.ok()) return false;
  const uint64_t bound = options_.max_inflight_bytes;
  // The last queued first: the workers take the first, and rarely wait for intake. Only
  // the last few are looked at: a queue of thousands of small files is not searched
  // again at each wait, and the workers prepare what intake leaves.
  constexpr std::ptrdiff_t kLookedAt = 64;
  Queued* item = nullptr;
  for (auto it = queue_.rbegin(); it != queue_.rend() && it - queue_.rbegin() < kLookedAt; ++it) {
    // What it decodes is at most about its size: within the bound, or not made.
    if (!it->prepare_tried && (bound == 0 || held_bytes_ + it->content.size() <= bound)) {
      item = &*it;
      break;
    }
  }
  if (item == nullptr) return false;
  // The deque keeps `item` where it is while others are added and taken; no worker takes
  // it while it is being prepared.
  item->preparing = true;
  item->prepare_tried = true;
  lock.unlock();
  std::optional<PreparedComponent> prepared;
  try {
    if (before_prepare_for_testing_) before_prepare_for_testing_(item->component);
    prepared = intake_preparer_.Prepare(item->component, item->content, plan_options_);
  } catch (...) {
    lock.lock();
    item->preparing = false;
    work_ready_.notify_all();
    throw;
  }
  lock.lock();
  item->preparing = false;
  const uint64_t extra = prepared->held_bytes();
  if (bound == 0 || held_bytes_ + extra <= bound) {
    item->prepared = std::move(prepared);
    item->prepared_bytes = extra;
    held_bytes_ += extra;
    peak_held_bytes_ = std::max(peak_held_bytes_, held_bytes_);
    ++prepared_components_;
  }
  work_ready_.notify_all();  // a worker may be waiting for this very item
  return true;
}

bool AnalysisPipeline::AnalyzeWhileWaiting(std::unique_lock<std::mutex>& lock) {
  if (!error_.ok() || queue_.empty() || !intake_analyzer_) return false;
  // The last queued: the workers take from the front. (Only intake prepares, and it is
  // not preparing now: no queued component is held by a preparation.)
  Queued item = std::move(queue_.back());
  queue_.pop_back();
  AnalyzeTaken(intake_analyzer_.get(), std::move(item), lock);
  ++analyzed_while_waiting_;
  return true;
}

void AnalysisPipeline::StartWorkerIfUseful() {
  if (idle_workers_ >= queue_.size() || threads_.size() >= options_.workers) return;
  try {
    threads_.emplace_back([this] { Work(); });
  } catch (...) {
    // No thread (out of memory or thread limits): the workers started do the work; with
    // none, the caller hears of it (the C API's catch-all).
    if (threads_.empty()) throw;
  }
}

void AnalysisPipeline::Work() {
  // An exception may not leave a thread (that ends the process): it stops the pipeline
  // and is rethrown to intake's thread by Add or Finish.
  try {
    WorkUntilClosed();
  } catch (...) {
    {
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
      error_.Update(absl::InternalError("an analysis worker failed"));
    }
    work_ready_.notify_all();
    room_.notify_all();
  }
}

void AnalysisPipeline::WorkUntilClosed() {
  auto analyzer = ComponentAnalyzer::Create(db_);
  if (!analyzer.ok()) return Fail(analyzer.status());
  AnalyzeQueued(analyzer->get());
}

void AnalysisPipeline::AnalyzeQueued(ComponentAnalyzer* analyzer) {
  std::unique_lock lock(mutex_);
  for (;;) {
    ++idle_workers_;
    work_ready_.wait(lock, [&] {
      return (!queue_.empty() && !queue_.front().preparing) || closed_ || !error_.ok();
    });
    --idle_workers_;
    if (!error_.ok() || queue_.empty()) return;
    Queued item = std::move(queue_.front());
    queue_.pop_front();
    AnalyzeTaken(analyzer, std::move(item), lock);
  }
}

void AnalysisPipeline::AnalyzeTaken(ComponentAnalyzer* analyzer, Queued item,
                                    std::unique_lock<std::mutex>& lock) {
  queued_bytes_ -= item.content.size();
  lock.unlock();
  room_.notify_one();
  AnalyzeAndRecord(analyzer, item.component, item.content, std::move(item.prepared));
  const uint64_t size = item.content.size() + item.prepared_bytes;
  buffers_.Put(std::move(item.content));
  item = Queued{};  // freed before the intake thread is told there is room
  lock.lock();
  held_bytes_ -= size;
  --in_flight_;
  room_.notify_one();
}

void AnalysisPipeline::AnalyzeAndRecord(ComponentAnalyzer* analyzer, const Component& component,
                                        std::string_view content,
                                        std::optional<PreparedComponent> prepared) {
  ComponentResult result;
  if (analyzer == nullptr || absl::Now() > options_.deadline) {
    result = SkippedResult(component, analyze_.package_id,
                           StrCat("the package time budget (", options_.budget_text,
                                  ") was spent before its analysis"));
  } else {
    // Each component runs its plan, made as the classify stage makes it.
    auto analyzed =
        prepared ? analyzer->AnalyzePrepared(*std::move(prepared), content, analyze_)
                 : analyzer->PlanAndAnalyze(component, content, plan_options_, analyze_);
    // A failure is recorded, not fatal: the component is accounted for with the reason.
    result = analyzed.ok() ? *std::move(analyzed)
                           : SkippedResult(component, analyze_.package_id,
                                           StrCat("analysis failed: ",
                                                  std::string(analyzed.status().message())));
  }
  Record(component, std::move(result));
}

void AnalysisPipeline::Record(const Component& component, ComponentResult result) {
  {
    std::lock_guard lock(mutex_);
    results_.emplace(component.id, std::move(result));
  }
  const size_t done = done_.fetch_add(1) + 1;
  if (options_.progress) options_.progress(done, total_.load());
}

void AnalysisPipeline::Fail(absl::Status status) {
  {
    std::lock_guard lock(mutex_);
    error_.Update(std::move(status));
  }
  work_ready_.notify_all();
  room_.notify_all();
}

absl::StatusOr<std::map<std::string, ComponentResult>> AnalysisPipeline::Finish() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  work_ready_.notify_all();
  // Nothing is left to read: intake analyses what is queued beside the workers (whole
  // components, from the front, as they do), and waits only for the last ones started.
  // Without an analyzer of its own (no memory for one) it leaves them to the workers.
  if (EnsureIntakeAnalyzer().ok()) AnalyzeQueued(intake_analyzer_.get());
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(mutex_);
  if (failure_) std::rethrow_exception(failure_);
  if (!error_.ok()) return error_;
  return std::move(results_);
}

uint64_t AnalysisPipeline::peak_held_bytes() const {
  std::lock_guard lock(mutex_);
  return peak_held_bytes_;
}

size_t AnalysisPipeline::prepared_components() const {
  std::lock_guard lock(mutex_);
  return prepared_components_;
}

size_t AnalysisPipeline::analyzed_while_waiting() const {
  std::lock_guard lock(mutex_);
  return analyzed_while_waiting_;
}

}  // namespace trawl
