// File: streamed_analysis.h
// A component too large to hold in memory, analysed from its bytes as they arrive (issue
// 22): intake hands them over while it decompresses (intake/decompose.h,
// ComponentStream), and the analysis runs the plan over consecutive windows of bounded
// size. Memory stays within window + 2 x context bytes plus the analysis of one window,
// whatever the component's size.
//
// Each window is analysed with the bytes of its neighbours as context
// (ComponentAnalyzer::AnalyzeWindow): a finding is reported by the window in which it
// starts, whole even when it ends in the next window's bytes, and once. What works
// incrementally, and so gives the same findings as the analysis of the whole content:
//  - the pattern scan, with the match caps counted over the whole component;
//  - validation and context scoring (64 bytes around a candidate), indicator lookups,
//    inline-ignore markers on the finding's line (lines shorter than the context);
//  - line and column: line breaks (LF, CRLF, lone CR) are counted as the windows pass;
//  - decoded forms: defanged indicators, base64/hex layers and the UTF-16 strings of
//    binaries, found in each window with its context (an encoded run longer than the
//    context that crosses a window boundary is decoded in parts);
//  - the component's digests (SHA-256 from intake, MD5 and SHA-1 computed as the bytes
//    pass) for indicator lookups.
// What does not, and is recorded in the result's reason when the plan asked for it:
//  - JSON and NDJSON structure: no JSON pointer, escaped strings not decoded (the document
//    is scanned and located as text; the member name the scorer reads as context is taken
//    from the bytes around a finding, LexicalJsonKey);
//  - CSV structure: line and column instead of row and column;
//  - line and column of transcoded (UTF-16, Latin-1) text: not given;
//  - rules that apply only to components holding one of their keywords (gitleaks'
//    keywords): each window looks for the keywords in its own part of the content (the
//    UTF-8 text when transcoded), of its refanged text and of its binary's UTF-16
//    strings (engine/keyword_tracker.h), and the matches of such rules in those are
//    decided at the end, wherever the keyword lies (an encoded layer is an input of its
//    own, decided where it is decoded, as in Analyze);
//  - composite rules: evaluated within each window and its context (kTruncWindowedComposites),
//    and those whose verdict on a window may be false for the component (size, fixed
//    offsets, negated or anchored patterns) not reported from windows.
// The plan is made from the first bytes only (ClassifyPrefix): a document that starts
// like JSON is JSON without being validated.
//
// Thread-compatible: one StreamedAnalysis per component, used from one thread; it borrows
// the analyzer for its lifetime.
#ifndef TRAWL_SRC_ANALYZE_STREAMED_ANALYSIS_H_
#define TRAWL_SRC_ANALYZE_STREAMED_ANALYSIS_H_

#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "analyze/component_analyzer.h"
#include "classify/plan.h"
#include "engine/keyword_tracker.h"
#include "intake/component.h"
#include "util/digest.h"

namespace trawl {

struct StreamWindows {
  uint64_t window_bytes = 16 << 20;   // bytes each window reports findings for
  uint64_t context_bytes = 256 << 10;  // bytes of context before and after a window
};

class StreamedAnalysis {
 public:
  // `head`: the first bytes of the content (at least what classification samples, 64 KiB,
  // when the component has them); the plan is made from them. Every byte, the head's
  // included, is then passed to Write.
  StreamedAnalysis(ComponentAnalyzer* analyzer, const Component& component,
                   std::string_view head, const PlanOptions& plan_options,
                   const AnalyzeOptions& options, StreamWindows windows);
  ~StreamedAnalysis();

  // The next bytes of the content. Errors only from the engine; the caller records them.
  absl::Status Write(std::string_view bytes);
  // After the last Write: `component` as intake lists it (size, digest, status).
  absl::StatusOr<ComponentResult> Finish(const Component& component);

  const ProcessingPlan& plan() const { return plan_; }

 private:
  absl::Status AnalyzeNext(uint64_t own_end, bool last);
  uint64_t WindowStart(uint64_t own_begin) const;
  void CountLines(uint64_t until);
  std::string_view Bytes(uint64_t begin, uint64_t end) const;
  void DecideRequiredKeywords();
  std::set<std::string> DropFindings(const std::function<bool(const Finding&)>& drop);

  ComponentAnalyzer* analyzer_;
  AnalyzeOptions options_;
  StreamWindows windows_;
  ProcessingPlan plan_;
  std::vector<std::string> limited_;  // the plan's steps a window cannot run, and why
  bool transcoded_ = false;
  uint64_t alignment_ = 1;  // window boundaries are multiples (UTF-16: 2)

  std::string buffer_;         // content bytes [buffer_begin_, buffer_begin_ + size)
  uint64_t buffer_begin_ = 0;
  uint64_t owned_until_ = 0;   // findings of content before this are reported
  uint64_t received_ = 0;
  bool stopped_ = false;       // a cap or budget of the whole component was reached
  bool started_ = false;       // a window was analysed
  absl::Status error_;

  uint64_t counted_until_ = 0;  // line breaks before this are counted
  uint64_t breaks_ = 0;
  uint64_t line_start_ = 0;     // where the line holding counted_until_ starts

  size_t rule_count_ = 0;
  bool has_composites_ = false;  // the database has composite rules
  uint64_t windows_with_bytes_ = 0;
  std::map<std::string, std::vector<uint64_t>> rule_matches_;  // AnalysisWindow's counts
  std::map<std::string, uint64_t> matches_;
  // Required keywords over each source that spans the content (AnalysisWindow::keywords);
  // empty when no rule has any.
  std::map<std::string, std::unique_ptr<KeywordTracker>> keywords_;
  std::unique_ptr<FileDigest> sha1_, md5_;
  AnalysisWindow::Digests digests_;  // set by Finish

  ComponentResult result_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_STREAMED_ANALYSIS_H_
