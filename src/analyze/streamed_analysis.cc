// File: streamed_analysis.cc
#include "analyze/streamed_analysis.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <tuple>
#include <utility>

#include "classify/classify.h"
#include "engine/indicator_set.h"
#include "rules/condition.h"
#include "rules/regex_syntax.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

// The order Analyze reports findings in: the raw scan's, then each decoded form's (in
// the order the analysis scans them), then threat-indicator hits by rule and place.
// Windows report theirs window by window; this puts them back in that order.
int SourceRank(const Finding& f, std::string_view encoding) {
  if (!f.indicator.empty()) return 5;
  if (f.decoded_from.empty() || f.decoded_from == encoding) return 0;
  if (f.decoded_from == kDecodeJsonStrings) return 1;
  if (f.decoded_from == kDecodeUtf16Strings) return 2;
  if (f.decoded_from == kDecodeRefanged) return 3;
  return 4;  // base64, hex, ... layers
}

// Whether a regex part may match only at the subject's edges or at line edges (^ $ \A
// \z \Z \G outside a class): at a window's edge it may match where the component's
// bytes go on.
bool HasAnchor(std::string_view regex) {
  for (size_t i = 0; i < regex.size();) {
    const char c = regex[i];
    if (c == '^' || c == '$') return true;
    if (c == '\\' && i + 1 < regex.size() && std::strchr("AzZG", regex[i + 1]) != nullptr) {
      return true;
    }
    i = c == '\\' ? SkipRegexEscape(regex, i) : c == '[' ? SkipRegexClass(regex, i) : i + 1;
    if (i == std::string_view::npos) return true;  // not read: taken as anchored
  }
  return false;
}

// Whether a composite rule's verdict on one window can differ from the component's in
// a way that reports what the component does not hold (tests/analyze: a window that
// starts with "MZ", a 16 MiB window of a 100 MiB file under "filesize < 20MB"): the
// condition reads the size or bytes at fixed offsets, places patterns at offsets
// (`at`, `in`, Suricata's offset/depth), is not monotone (IsMonotone: it needs a
// pattern's absence or few of its occurrences), or a pattern is anchored. Rules that only
// need occurrences (and, or, N of, counts at least N, sequences of present patterns) hold
// in the component whenever they hold in a window.
bool WindowVerdictMayBeFalse(const Database& db, const CompositeInfo& composite) {
  const RuleLogic* logic = db.logic(composite.rule);
  if (logic == nullptr) return true;
  std::vector<std::string> names;
  for (const RulePattern& p : logic->patterns) names.push_back(p.name);
  auto condition = ParseCondition(logic->condition, names);
  if (!condition.ok()) return true;
  if (!IsMonotone(*condition)) return true;
  using Op = ConditionNode::Op;
  for (const ConditionNode& node : condition->nodes) {
    if (node.op == Op::kAt || node.op == Op::kIn || node.op == Op::kFilesize ||
        node.op == Op::kReadUint) {
      return true;
    }
  }
  for (size_t p = 0; p < logic->patterns.size(); ++p) {
    const RulePattern& pattern = logic->patterns[p];
    if (pattern.negated || pattern.offset != kUnsetPlacement || pattern.depth != kUnsetPlacement) {
      return true;
    }
    const Definition& part = db.definition(composite.pattern_rules[p]);
    if (part.kind == PatternKind::kRegex && HasAnchor(part.expression)) return true;
  }
  return false;
}

}  // namespace

StreamedAnalysis::StreamedAnalysis(ComponentAnalyzer* analyzer, const Component& component,
                                   std::string_view head, const PlanOptions& plan_options,
                                   const AnalyzeOptions& options, StreamWindows windows)
    : analyzer_(analyzer), options_(options), windows_(windows) {
  windows_.window_bytes = std::max<uint64_t>(windows_.window_bytes, 2);
  // The time budget covers the component, every window of it.
  if (options_.limits.time_budget != absl::InfiniteDuration()) {
    options_.limits.deadline =
        std::min(options_.limits.deadline, absl::Now() + options_.limits.time_budget);
    options_.limits.time_budget = absl::InfiniteDuration();
  }
  // Classified and planned as a whole content of these bytes would be; the final
  // component (size, status) is known only at Finish.
  Component planned = component;
  planned.size = head.size();
  planned.content_complete = true;
  planned.has_content = true;
  planned.status = ComponentStatus::kOk;
  plan_ = PlanClassified(planned, ClassifyPrefix(head, component.path), plan_options);
  const std::string size_note = StrCat("larger than the streaming threshold, analysed in windows of ",
                                       windows_.window_bytes, " bytes");
  std::vector<PlanStep> steps;
  for (PlanStep step : plan_.steps) {
    if (step.stage == "transcode") {
      transcoded_ = true;
      if (StartsWith(step.name, "utf-16")) alignment_ = 2;
      limited_.push_back(StrCat("line and column not given: transcoded text ", size_note));
    }
    if (step.stage == "structure" && step.name == "json") {
      limited_.push_back(StrCat("JSON structure not analysed (", size_note,
                                "): findings have line and column, no JSON pointer; escaped "
                                "strings were not decoded"));
      step.name = "text";
    }
    if (step.stage == "structure" && step.name == "csv") {
      limited_.push_back(StrCat("CSV structure not analysed (", size_note,
                                "): findings have line and column, not row and column"));
      step.name = "text";
    }
    if (step.stage == "decode" && step.name == kDecodeJsonStrings) continue;
    steps.push_back(std::move(step));
  }
  plan_.steps = std::move(steps);
  // Boundaries stay on code units; the context is a whole number of them.
  windows_.window_bytes -= windows_.window_bytes % alignment_;
  windows_.context_bytes -= windows_.context_bytes % alignment_;
  const Database& db = analyzer_->database();
  rule_count_ = db.rule_count();
  if (plan_.analyze) {
    auto keywords = KeywordTracker::Create(db);  // an error only for want of memory
    if (!keywords.ok()) {
      error_ = keywords.status();
    } else if (*keywords) {
      keywords_[""] = *std::move(keywords);
    }
  }
  has_composites_ = db.CountWithStatus(RuleStatus::kComposite) > 0;
  if (const IndicatorSet* indicators = db.indicators()) {
    if (indicators->HasType(IndicatorType::kSha1)) {
      sha1_ = std::make_unique<FileDigest>(FileDigest::Kind::kSha1);
    }
    if (indicators->HasType(IndicatorType::kMd5)) {
      md5_ = std::make_unique<FileDigest>(FileDigest::Kind::kMd5);
    }
  }
}

StreamedAnalysis::~StreamedAnalysis() = default;

std::string_view StreamedAnalysis::Bytes(uint64_t begin, uint64_t end) const {
  return std::string_view(buffer_).substr(static_cast<size_t>(begin - buffer_begin_),
                                          static_cast<size_t>(end - begin));
}

uint64_t StreamedAnalysis::WindowStart(uint64_t own_begin) const {
  uint64_t begin = own_begin > windows_.context_bytes ? own_begin - windows_.context_bytes : 0;
  begin = std::max(begin, buffer_begin_);
  // Never between the CR and the LF of one line break: the window's own line index would
  // count a second one.
  if (!transcoded_ && begin > buffer_begin_ && begin < buffer_begin_ + buffer_.size() &&
      buffer_[begin - buffer_begin_] == '\n' && buffer_[begin - buffer_begin_ - 1] == '\r') {
    --begin;
  }
  return begin;
}

// Line breaks as LineIndex counts them (LF, CRLF, lone CR) in [counted_until_, until).
// A CR at until - 1 is followed by the byte at `until`, which the buffer still holds.
void StreamedAnalysis::CountLines(uint64_t until) {
  if (until <= counted_until_) return;
  const std::string_view bytes = Bytes(counted_until_, until);
  breaks_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  for (const char* cr = static_cast<const char*>(std::memchr(bytes.data(), '\r', bytes.size()));
       cr != nullptr;) {
    const uint64_t at = counted_until_ + static_cast<uint64_t>(cr - bytes.data());
    const bool crlf = at + 1 < buffer_begin_ + buffer_.size() && buffer_[at + 1 - buffer_begin_] == '\n';
    if (!crlf) {
      ++breaks_;
      line_start_ = std::max(line_start_, at + 1);
    }
    const size_t next = static_cast<size_t>(at + 1 - counted_until_);
    cr = next < bytes.size()
             ? static_cast<const char*>(std::memchr(bytes.data() + next, '\r', bytes.size() - next))
             : nullptr;
  }
  const size_t lf = bytes.find_last_of('\n');
  if (lf != std::string_view::npos) line_start_ = std::max(line_start_, counted_until_ + lf + 1);
  counted_until_ = until;
}

absl::Status StreamedAnalysis::Write(std::string_view bytes) {
  if (!error_.ok()) return error_;
  if (sha1_) sha1_->Update(bytes);
  if (md5_) md5_->Update(bytes);
  received_ += bytes.size();
  if (stopped_) {
    std::string().swap(buffer_);  // the rest is not analysed: a cap or budget was reached
    buffer_begin_ = received_;
    return absl::OkStatus();
  }
  buffer_.append(bytes);
  while (!stopped_ && received_ - owned_until_ >= windows_.window_bytes + windows_.context_bytes) {
    if (absl::Status status = AnalyzeNext(owned_until_ + windows_.window_bytes, false);
        !status.ok()) {
      error_ = status;
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status StreamedAnalysis::AnalyzeNext(uint64_t own_end, bool last) {
  // A window after a cap or budget of the component was reached only looks its digests
  // up (as Analyze does whatever the scan's truncation): it has no bytes.
  const bool skip = stopped_;
  AnalyzeOptions options = options_;
  if (!skip && options.limits.max_bytes != 0 && owned_until_ >= options.limits.max_bytes) {
    result_.truncation |= kTruncByteBudget;  // earlier windows spent the component's budget
    stopped_ = true;
    if (!last) return absl::OkStatus();
  }
  AnalysisWindow window;
  std::string_view bytes("", 0);  // the engine takes no null buffer, even an empty one
  uint64_t begin = received_;
  if (!stopped_) {
    begin = WindowStart(owned_until_);
    const uint64_t end = last ? received_ : std::min(received_, own_end + windows_.context_bytes);
    CountLines(begin);
    window.base = begin;
    window.own_begin = owned_until_ - begin;
    window.own_end = own_end - begin;
    window.context_bytes = (end - begin) - (own_end - owned_until_);
    bytes = Bytes(begin, end);
    ++windows_with_bytes_;
    if (options.limits.max_bytes != 0) {
      // The byte budget covers the component: what earlier windows scanned counts.
      options.limits.max_bytes = options_.limits.max_bytes - owned_until_ + window.own_begin;
    }
  }
  window.rule_matches = &rule_matches_;
  window.matches = &matches_;
  window.keywords = keywords_.empty() ? nullptr : &keywords_;
  if (last) window.digests = &digests_;
  auto analysed = analyzer_->AnalyzeWindow(plan_, bytes, options, window);
  if (!analysed.ok()) return analysed.status();
  ComponentResult& r = *analysed;
  if (!started_) {
    started_ = true;
    result_.package_id = r.package_id;
    result_.database = r.database;
    result_.status = r.status;
    result_.format = r.format;
    result_.encoding = r.encoding;
    result_.steps = r.steps;
  }
  result_.dropped_candidates += r.dropped_candidates;
  result_.truncation |= r.truncation;
  for (auto& [id, described] : r.rules) result_.rules.try_emplace(id, std::move(described));
  for (Finding& f : r.findings) {
    if (f.line > 0) {
      if (transcoded_) {
        f.line = f.column = -1;
      } else {
        if (f.line == 1) f.column += static_cast<int64_t>(begin - line_start_);
        f.line += static_cast<int64_t>(breaks_);
      }
    }
    result_.findings.push_back(std::move(f));
  }
  if (stopped_) return absl::OkStatus();
  const uint64_t scanned_end = begin + r.bytes_scanned;
  if (scanned_end > owned_until_) result_.bytes_scanned += std::min(scanned_end, own_end) - owned_until_;
  owned_until_ = own_end;
  // The raw scan's match cap, a time or byte budget: the component's scan ends here, as
  // the whole content's scan would stop.
  const uint64_t max_matches = options_.limits.max_matches;
  if ((r.truncation & (kTruncTimeBudget | kTruncByteBudget)) ||
      (max_matches != 0 && matches_[""] >= max_matches)) {
    stopped_ = true;
  }
  // Keep what the next window needs: its context before it, and the bytes whose line
  // breaks are still to be counted.
  const uint64_t keep = stopped_ ? received_ : WindowStart(owned_until_);
  CountLines(keep);
  if (keep > buffer_begin_) {
    buffer_.erase(0, static_cast<size_t>(std::min<uint64_t>(keep - buffer_begin_, buffer_.size())));
    buffer_begin_ = keep;
  }
  if (stopped_) std::string().swap(buffer_);
  return absl::OkStatus();
}

// The matches of rules with required keywords in the sources that span the content, kept
// by every window whatever the keywords (AnalysisWindow::keywords): dropped now unless the
// source's text held one of the rule's keywords anywhere, as Analyze drops them.
void StreamedAnalysis::DecideRequiredKeywords() {
  if (keywords_.empty()) return;
  const Database& db = analyzer_->database();
  std::map<std::string, uint32_t> keyword_rules;  // id -> rule
  for (uint32_t rule : keywords_.at("")->rules()) keyword_rules.emplace(db.definition(rule).id, rule);
  const std::string encoding = result_.encoding;
  DropFindings([&](const Finding& f) {
    if (!f.indicator.empty()) return false;
    const auto rule = keyword_rules.find(f.rule_id);
    if (rule == keyword_rules.end()) return false;
    const std::string& source = transcoded_ && f.decoded_from == encoding ? "" : f.decoded_from;
    const auto keywords = keywords_.find(source);
    if (keywords == keywords_.end()) return false;  // an encoded layer: decided where decoded
    return !keywords->second->KeywordSeen(rule->second);
  });
}

// Removes the findings `drop` selects, and the description of a rule left without any.
// Returns the rules of the findings removed.
std::set<std::string> StreamedAnalysis::DropFindings(
    const std::function<bool(const Finding&)>& drop) {
  std::set<std::string> dropped;
  std::erase_if(result_.findings, [&](const Finding& f) {
    if (!drop(f)) return false;
    dropped.insert(f.rule_id);
    return true;
  });
  if (dropped.empty()) return dropped;
  std::set<std::string> kept;
  for (const Finding& f : result_.findings) kept.insert(f.rule_id);
  for (const std::string& id : dropped) {
    if (!kept.contains(id)) result_.rules.erase(id);
  }
  return dropped;
}

absl::StatusOr<ComponentResult> StreamedAnalysis::Finish(const Component& component) {
  if (!error_.ok()) return error_;
  if (!plan_.analyze) {
    ProcessingPlan plan = plan_;
    plan.component_id = component.id;
    plan.path = component.path;
    return SkippedResult(plan, options_.package_id);
  }
  digests_.sha256 = component.sha256;
  if (sha1_) digests_.sha1 = sha1_->FinishHex();
  if (md5_) digests_.md5 = md5_->FinishHex();
  digests_.size = received_;
  while (!stopped_ && received_ - owned_until_ > windows_.window_bytes) {
    TRAWL_RETURN_IF_ERROR(AnalyzeNext(owned_until_ + windows_.window_bytes, false));
  }
  TRAWL_RETURN_IF_ERROR(AnalyzeNext(received_, true));
  DecideRequiredKeywords();
  // Each window is a scan of its own: a composite rule whose patterns lie in different
  // windows (an IDS rule's contents megabytes apart) is not seen, so the result says so
  // rather than reading as complete.
  if (has_composites_ && windows_with_bytes_ > 1) {
    result_.truncation |= kTruncWindowedComposites;
    limited_.push_back(StrCat("composite rules evaluated within each window of ",
                              windows_.window_bytes, " bytes and its ", windows_.context_bytes,
                              " bytes of context: a rule whose patterns lie further apart is "
                              "not found"));
    // A window is not the component: what such a rule reports from one may be false.
    // Decoded layers are inputs of their own, whole or not, as in Analyze.
    std::string_view encoding = result_.encoding;
    const auto from_windows = [encoding](const Finding& f) {
      return f.indicator.empty() &&
             (f.decoded_from.empty() || f.decoded_from == encoding ||
              f.decoded_from == kDecodeRefanged || f.decoded_from == kDecodeUtf16Strings);
    };
    // Only the rules windows reported are looked at, not the database's every composite.
    std::set<std::string> reported, unsafe;
    for (const Finding& f : result_.findings) {
      if (from_windows(f)) reported.insert(f.rule_id);
    }
    const Database& db = analyzer_->database();
    for (const CompositeInfo& composite : db.composites()) {
      const std::string& id = db.definition(composite.rule).id;
      if (reported.contains(id) && WindowVerdictMayBeFalse(db, composite)) unsafe.insert(id);
    }
    const std::set<std::string> dropped = DropFindings(
        [&](const Finding& f) { return from_windows(f) && unsafe.contains(f.rule_id); });
    if (!dropped.empty()) {
      std::vector<std::string> some(dropped.begin(), dropped.end());
      if (some.size() > 3) some.resize(3);
      limited_.push_back(StrCat(
          "not reported from windows: ", dropped.size(),
          " composite rule(s) whose condition reads the component's size or bytes at fixed "
          "offsets, places or negates patterns, or has anchored patterns (",
          StrJoin(some, ", "), dropped.size() > some.size() ? ", ..." : "",
          "): a window's verdict on them may be false for the component"));
    }
  }
  std::string_view encoding = result_.encoding;
  std::stable_sort(result_.findings.begin(), result_.findings.end(),
                   [encoding](const Finding& a, const Finding& b) {
                     const int ra = SourceRank(a, encoding), rb = SourceRank(b, encoding);
                     if (ra != rb) return ra < rb;
                     if (ra == 5) return std::tie(a.rule_id, a.start) < std::tie(b.rule_id, b.start);
                     return std::tie(a.start, a.end) < std::tie(b.start, b.end);
                   });
  result_.component_id = component.id;
  result_.path = component.path;
  for (Finding& f : result_.findings) {
    f.component_id = component.id;
    f.path = component.path;
  }
  std::vector<std::string> notes;
  if (!component.content_complete) {
    notes.push_back(StrCat("partial content (", ComponentStatusName(component.status), ")"));
  }
  notes.insert(notes.end(), limited_.begin(), limited_.end());
  if (result_.truncation) {
    notes.push_back(StrCat("scan truncated: ", TruncationReasonsText(result_.truncation)));
  }
  result_.reason = StrJoin(notes, "; ");
  return std::move(result_);
}

}  // namespace trawl
