// File: inline_ignore.cc
#include "analyze/inline_ignore.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "analyze/component_analyzer.h"
#include "classify/transcode.h"

namespace trawl {
namespace {

constexpr std::string_view kTrawlIgnore = "trawl:ignore";
constexpr std::string_view kGitleaksAllow = "gitleaks:allow";
// A marker this far from the finding on one line is not looked for: a minified file's
// single line could otherwise make every finding scan megabytes.
constexpr size_t kMaxLineReach = 64 * 1024;

bool RuleChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == '-' || c == '.' || c == ':' || c == '/' || c == ',';
}

// The rule list after "trawl:ignore" at `at` ("" when the marker stands alone).
std::string_view RuleList(std::string_view line, size_t at) {
  size_t i = at + kTrawlIgnore.size();
  if (i < line.size() && RuleChar(line[i])) return "\x01";  // "trawl:ignored": not a marker
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  // A rule id starts with a letter or digit: "-->" or "*/" after the marker ends a comment.
  if (i >= line.size() || !std::isalnum(static_cast<unsigned char>(line[i]))) return "";
  size_t end = i;
  while (end < line.size() && RuleChar(line[end])) ++end;
  return line.substr(i, end - i);
}

bool ListNames(std::string_view list, std::string_view rule_id) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    if (list.substr(start, comma - start) == rule_id) return true;
    start = comma + 1;
  }
  return false;
}

// The bytes InlineIgnoreMarker looks for a marker in: the line(s) of content[start, end),
// at most kMaxLineReach on either side. Requires start <= content.size().
std::pair<size_t, size_t> MarkerWindow(std::string_view content, uint64_t start, uint64_t end) {
  end = std::min<uint64_t>(std::max(start, end), content.size());
  const size_t first = static_cast<size_t>(start);
  // The line's start, or the reach's when the line starts before it (memrchr: bounded).
  size_t line_start = first > kMaxLineReach ? first - kMaxLineReach : 0;
  const void* newline =
      first > line_start ? memrchr(content.data() + line_start, '\n', first - line_start) : nullptr;
  if (newline != nullptr) {
    line_start = static_cast<size_t>(static_cast<const char*>(newline) - content.data()) + 1;
  }
  const size_t reach = std::min(content.size(), static_cast<size_t>(end) + kMaxLineReach);
  size_t line_end = content.find('\n', static_cast<size_t>(end));
  if (line_end == std::string_view::npos || line_end > reach) line_end = reach;
  return {line_start, line_end};
}

bool HasMarker(std::string_view text) {
  // memmem, not string_view::find: find stops at every byte equal to the marker's first
  // letter ('t', 'g': every few bytes of text), a call each.
  const auto contains = [text](std::string_view marker) {
    return text.size() >= marker.size() &&
           memmem(text.data(), text.size(), marker.data(), marker.size()) != nullptr;
  };
  return contains(kTrawlIgnore) || contains(kGitleaksAllow);
}

// Whether a marker may apply to any of `spans`: searched in their marker windows, merged,
// while those are smaller than the text (the lines of a log's few findings), else in the
// whole text (a one-line document, or findings on most lines).
bool MarkerNearAny(std::string_view text, std::vector<std::pair<uint64_t, uint64_t>> spans) {
  std::sort(spans.begin(), spans.end());
  std::vector<std::pair<size_t, size_t>> windows;
  size_t covered = 0;
  for (const auto& [start, end] : spans) {
    if (start > text.size()) continue;  // InlineIgnoreMarker finds nothing there
    const auto window = MarkerWindow(text, start, end);
    covered += window.second - window.first;
    if (covered >= text.size()) return HasMarker(text);
    if (!windows.empty() && window.first <= windows.back().second) {
      windows.back().second = std::max(windows.back().second, window.second);
    } else {
      windows.push_back(window);
    }
  }
  for (const auto& [first, last] : windows) {
    if (HasMarker(text.substr(first, last - first))) return true;
  }
  return false;
}

}  // namespace

std::string InlineIgnoreMarker(std::string_view content, uint64_t start, uint64_t end,
                               std::string_view rule_id) {
  if (start > content.size()) return "";
  const auto [line_start, line_end] = MarkerWindow(content, start, end);
  const std::string_view line = content.substr(line_start, line_end - line_start);
  if (line.find(kGitleaksAllow) != std::string_view::npos) return std::string(kGitleaksAllow);
  for (size_t at = line.find(kTrawlIgnore); at != std::string_view::npos;
       at = line.find(kTrawlIgnore, at + 1)) {
    const std::string_view rules = RuleList(line, at);
    if (rules == "\x01") continue;
    if (rules.empty()) return std::string(kTrawlIgnore);
    if (ListNames(rules, rule_id)) return std::string(kTrawlIgnore) + " " + std::string(rules);
  }
  return "";
}

void MarkInlineIgnores(std::string_view content, const TranscodedText* transcoded,
                       std::vector<Finding>* findings) {
  // Without findings there is nothing to mark (most components): the content is not read.
  if (findings->empty()) return;
  const std::string_view text = transcoded != nullptr ? transcoded->utf8 : content;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  spans.reserve(findings->size());
  for (const Finding& f : *findings) {
    if (transcoded != nullptr) {
      spans.emplace_back(transcoded->map.ToUtf8(f.start), transcoded->map.ToUtf8(f.end));
    } else {
      spans.emplace_back(f.start, f.end);
    }
  }
  // Most content has no marker near its findings: one search of their lines decides.
  if (!MarkerNearAny(text, spans)) return;
  for (size_t i = 0; i < findings->size(); ++i) {
    (*findings)[i].inline_ignore =
        InlineIgnoreMarker(text, spans[i].first, spans[i].second, (*findings)[i].rule_id);
  }
}

}  // namespace trawl
