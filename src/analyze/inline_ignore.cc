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

}  // namespace

std::string InlineIgnoreMarker(std::string_view content, uint64_t start, uint64_t end,
                               std::string_view rule_id) {
  if (start > content.size()) return "";
  end = std::min<uint64_t>(std::max(start, end), content.size());
  const size_t first = static_cast<size_t>(start);
  size_t line_start = 0;
  if (first > 0) {
    const size_t newline = content.rfind('\n', first - 1);
    line_start = newline == std::string_view::npos ? 0 : newline + 1;
  }
  line_start = std::max(line_start, first > kMaxLineReach ? first - kMaxLineReach : 0);
  const size_t reach = std::min(content.size(), static_cast<size_t>(end) + kMaxLineReach);
  size_t line_end = content.find('\n', static_cast<size_t>(end));
  if (line_end == std::string_view::npos || line_end > reach) line_end = reach;
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
  // Most content has no marker at all: one search decides. memmem, not string_view::find:
  // find stops at every byte equal to the marker's first letter ('t', 'g': every few
  // bytes of text), a call each.
  const auto contains = [text](std::string_view marker) {
    return memmem(text.data(), text.size(), marker.data(), marker.size()) != nullptr;
  };
  if (!contains(kTrawlIgnore) && !contains(kGitleaksAllow)) return;
  for (Finding& f : *findings) {
    uint64_t start = f.start;
    uint64_t end = f.end;
    if (transcoded != nullptr) {
      start = transcoded->map.ToUtf8(start);
      end = transcoded->map.ToUtf8(end);
    }
    f.inline_ignore = InlineIgnoreMarker(text, start, end, f.rule_id);
  }
}

}  // namespace trawl
