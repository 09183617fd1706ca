// File: component_analyzer.h
// Per-component analysis: runs the steps of the component's processing plan
// (classify/plan.h) and nothing else: transcode the text, scan it once with the compiled
// database, analyse its structure and scan the decoded forms that finds, validate and
// score each candidate (entities/), and place every finding in the component's
// structure (line and column, JSON pointer, CSV row and column). The result lists the
// steps that ran.
//
// Thread-safety: a ComponentAnalyzer holds a Scanner and parser state; use one per
// thread. The Database it shares is immutable.
#ifndef TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_
#define TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "classify/plan.h"
#include "engine/keyword_tracker.h"
#include "engine/scanner.h"
#include "intake/component.h"

namespace trawl {

class JsonAnalyzer;
struct StructureReport;

// A finding that is a threat-indicator hit (entities/indicator_lookup.h): which feed and
// family listed what, and how the candidate matched it.
struct FindingIndicator {
  std::string feed;
  std::string family;
  std::string match;  // "exact", "parent-domain", "ip-without-port", ... (IndicatorMatchName)
  std::string type;   // the indicator's type: "domain", "ip_port", "sha256", ...
  std::string value;  // the indicator as listed; "" when values are left out
  std::string source;
  bool empty() const { return feed.empty(); }
  bool operator==(const FindingIndicator&) const = default;
};

struct Finding {
  std::string rule_id;
  std::string category;
  Severity severity = Severity::kMedium;
  std::string component_id;
  std::string path;      // the component's path chain
  uint64_t start = 0;    // byte offsets in the component's content
  uint64_t end = 0;
  // Where the match was found when not in the raw bytes: "json-string" (the decoded
  // form of an escaped JSON string), "base64", "hex", ... (a decoded layer). The span
  // above is then the encoded bytes it came from.
  std::string decoded_from;
  std::string value;     // capture group 1 when the rule has one, else the whole match
  // The validator's normal form of the value (E.164 for phone numbers, lowercase for
  // domains, digits for cards), when a validator accepted it; "" otherwise or when
  // values are left out.
  std::string normalized;
  std::string entity;    // entity type, "" when none
  std::string validator;
  bool validated = false;
  double confidence = 0.5;
  double entropy = -1.0;
  std::vector<std::string> reasons;  // what moved the confidence, one line each
  std::string fingerprint;           // keyed HMAC-SHA-256 of (rule, value): never the value
  // Location, each present when the component's structure knows it.
  int64_t line = -1;    // 1-based
  int64_t column = -1;  // 1-based byte column
  std::string json_pointer;
  int64_t csv_row = -1;  // 0-based data row
  std::string csv_column;
  FindingIndicator indicator;  // set for indicator hits
  // The inline-ignore marker on the finding's line ("trawl:ignore", "gitleaks:allow"),
  // or "": aggregation reports the location suppressed (analyze/inline_ignore.h).
  std::string inline_ignore;
};

// What a rule's file says of it beyond its pattern (SARIF's rule descriptions and help).
struct RuleDescription {
  std::string description;
  std::vector<std::string> references;
  bool operator==(const RuleDescription&) const = default;
};

struct ComponentResult {
  std::string package_id;
  std::string component_id;
  std::string path;
  std::string status;  // "analysed" or "skipped"
  std::string reason;  // why skipped, or notes ("truncated: ...")
  std::string format;
  std::string encoding;
  uint64_t bytes_scanned = 0;
  uint32_t truncation = 0;        // TruncationReason bits of the scan
  uint64_t dropped_candidates = 0;  // candidates a validator or the confidence floor rejected
  // SHA-256 of the definitions that produced the findings: results of one package made
  // with different rule sets do not mix silently.
  std::string database;
  // The plan steps the analysis ran (stage, name, input), in the order it ran them.
  std::vector<PlanStep> steps;
  std::vector<Finding> findings;
  // By rule id, for the rules of `findings` whose definitions have a description or
  // references: a report aggregated from results alone still describes its rules.
  std::map<std::string, RuleDescription> rules;
};

// The result that accounts for a component SkipReason() (intake/skip_policy.h) excludes.
ComponentResult SkippedResult(const Component& component, std::string_view package_id,
                              std::string reason);
// The result of a component whose plan analyses nothing, with the plan's reason.
ComponentResult SkippedResult(const ProcessingPlan& plan, std::string_view package_id);

// The key fingerprints use when the caller sets none. It is public, so it hides nothing:
// anyone can fingerprint candidate values with it and match them against a report (a
// phone number or an IPv4 address is found in seconds). Deployments that keep reports
// without values set a random key of their own (docs/security.md).
inline constexpr std::string_view kPublicFingerprintKey = "trawl-default-fingerprint-key";

struct AnalyzeOptions {
  // limits.time_budget covers one component: all of its buffers (raw bytes, decoded
  // strings, encoded layers) share one deadline, as they share limits.deadline.
  ScanLimits limits;
  // Key for finding fingerprints. Fingerprints let aggregation match a secret across
  // components without storing it; rotate the key to unlink old reports.
  std::string fingerprint_key = std::string(kPublicFingerprintKey);
  bool include_values = true;  // false: reports carry fingerprints only, never values
  std::string package_id;      // copied into each result, so aggregation can check it
  // Region national phone numbers are read in (libphonenumber); "" = kDefaultPhoneRegion.
  std::string default_region;
};

// For documents without values: replaces every word of `reasons` that quotes part of
// `value` (a validator's "registrable=example.org" for an e-mail address) by "[redacted]".
// A word is a run between spaces, quotes, '=', ',', ';' and brackets; it is redacted when
// it is at least 3 bytes and occurs in the value, ignoring ASCII case, and always after
// "registrable=" or "hrp=", which name parts of values the raw value may spell otherwise.
void RedactValueFromReasons(std::string_view value, std::vector<std::string>* reasons);

// One window of a component analysed as a stream (analyze/streamed_analysis.h): the
// buffer holds the window's own bytes and context on either side. Only findings that start
// in the window's own bytes are reported (and only their dropped candidates counted), so
// consecutive windows report each finding once; a finding that crosses into the context is
// found whole. The match caps of ScanLimits apply to the whole component: the raw-scan
// matches of earlier windows are counted in `rule_matches` / `matches`. The component's
// digests are not looked up (the caller does that once for the whole component).
// Matches are counted per scan source ("" for the content, "refanged", "utf16-strings"),
// as Analyze caps each source's scan; an encoded layer keeps its own cap.
struct AnalysisWindow {
  uint64_t base = 0;       // the buffer's offset in the component: added to findings' spans
  uint64_t own_begin = 0;  // offsets in the buffer (its original bytes)
  uint64_t own_end = 0;
  uint64_t context_bytes = 0;             // bytes of the buffer outside [own_begin, own_end)
  std::map<std::string, std::vector<uint64_t>>* rule_matches = nullptr;  // by source, rule index
  std::map<std::string, uint64_t>* matches = nullptr;                    // by source
  // The component's required keywords (engine/keyword_tracker.h), or null: one tracker
  // per source that spans the content ("" for the content as scanned, the UTF-8 text when
  // transcoded; "refanged"; "utf16-strings"), made by the windows as needed. Each window
  // appends its own part of each source's text, and those scans keep the matches of
  // keyword rules, which the caller decides once every window has passed.
  std::map<std::string, std::unique_ptr<KeywordTracker>>* keywords = nullptr;
  // Set on the last window: the whole component's digests (lowercase hex; "" for one the
  // indicator set does not list) and size, looked up as Analyze looks up its content's.
  struct Digests {
    std::string sha256, sha1, md5;
    uint64_t size = 0;
  };
  const Digests* digests = nullptr;
};

// The classify pass of PlanAndAnalyze, made ahead of the rest of the analysis where a
// thread has time for it (ComponentPreparer; the pipeline's intake thread while it would
// wait for the workers): the plan, and the structure analysis, which reads the bytes
// right after classification does (a JSON document's validating DOM parse feeds it).
// The structure holds views of the content: it serves only the very bytes it was made
// from (same address and size); given other bytes, the analysis makes its own.
class PreparedComponent {
 public:
  PreparedComponent();
  PreparedComponent(PreparedComponent&&) noexcept;
  PreparedComponent& operator=(PreparedComponent&&) noexcept;
  ~PreparedComponent();

  const ProcessingPlan& plan() const { return plan_; }
  // What it holds beyond the content (decoded strings and layers, binary strings), for
  // a memory budget.
  uint64_t held_bytes() const;

 private:
  friend class ComponentAnalyzer;
  friend class ComponentPreparer;
  ProcessingPlan plan_;
  // Null without a structure step, or when the analysis makes it (a transcoded text's).
  std::unique_ptr<StructureReport> structure_;
  std::string_view content_;
};

// Makes PreparedComponents. Holds parser state: use one per thread.
class ComponentPreparer {
 public:
  ComponentPreparer();
  ~ComponentPreparer();
  ComponentPreparer(const ComponentPreparer&) = delete;
  ComponentPreparer& operator=(const ComponentPreparer&) = delete;

  PreparedComponent Prepare(const Component& component, std::string_view content,
                            const PlanOptions& plan_options);

 private:
  std::unique_ptr<JsonAnalyzer> json_;
};

class ComponentAnalyzer {
 public:
  static absl::StatusOr<std::unique_ptr<ComponentAnalyzer>> Create(
      std::shared_ptr<const Database> db);
  ~ComponentAnalyzer();

  // Runs the plan's steps over the component's content (the bytes the plan was made
  // from). A plan that analyses nothing gives a "skipped" result with its reason. Fails
  // on a plan whose steps this analyzer does not run (kInvalidArgument) or an engine
  // error; never for bad content.
  absl::StatusOr<ComponentResult> Analyze(const ProcessingPlan& plan, std::string_view content,
                                          const AnalyzeOptions& options);

  // Analyze for one window of a streamed component (AnalysisWindow). REQUIRES: the plan
  // has no JSON or CSV structure step and no json-strings step (a window is analysed as
  // text or as binary).
  absl::StatusOr<ComponentResult> AnalyzeWindow(const ProcessingPlan& plan,
                                                std::string_view buffer,
                                                const AnalyzeOptions& options,
                                                const AnalysisWindow& window);

  const Database& database() const;

  // PlanComponent, then Analyze, with the same plan and result; a JSON document is
  // parsed once: the DOM parse that validates it for classification also gives the
  // structure analysis its escaped strings (classify.h). `*plan_out`, when given,
  // receives the plan.
  absl::StatusOr<ComponentResult> PlanAndAnalyze(const Component& component,
                                                 std::string_view content,
                                                 const PlanOptions& plan_options,
                                                 const AnalyzeOptions& options,
                                                 ProcessingPlan* plan_out = nullptr);

  // PlanAndAnalyze's result, the classify pass already made (`prepared`, of these bytes).
  absl::StatusOr<ComponentResult> AnalyzePrepared(PreparedComponent prepared,
                                                  std::string_view content,
                                                  const AnalyzeOptions& options);

 private:
  absl::StatusOr<ComponentResult> Run(const ProcessingPlan& plan, std::string_view content,
                                      const AnalyzeOptions& options, bool json_validated,
                                      const AnalysisWindow* window = nullptr,
                                      std::unique_ptr<StructureReport> structure = nullptr);
  struct Impl;
  explicit ComponentAnalyzer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace trawl

#endif  // TRAWL_SRC_ANALYZE_COMPONENT_ANALYZER_H_
