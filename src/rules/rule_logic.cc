// File: rule_logic.cc
#include "rules/rule_logic.h"

#include <cctype>
#include <cmath>
#include <set>

#include "rules/condition.h"
#include "rules/definition.h"
#include "util/byte_io.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Bumped when the encoding changes; DecodeRuleLogic refuses other versions.
constexpr uint8_t kLogicEncoding = 1;

bool IsPatternNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '~';
}

void PutI64(ByteWriter& w, int64_t v) { w.U64(static_cast<uint64_t>(v)); }
int64_t GetI64(ByteReader& r) { return static_cast<int64_t>(r.U64()); }

}  // namespace

int RuleLogic::ReportPattern() const {
  if (!report.empty()) {
    for (size_t i = 0; i < patterns.size(); ++i) {
      if (patterns[i].name == report) return static_cast<int>(i);
    }
    return -1;
  }
  for (size_t i = 0; i < patterns.size(); ++i) {
    if (!patterns[i].negated) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> CheckRuleLogic(const RuleLogic& logic) {
  std::vector<std::string> problems;
  std::set<std::string> names;
  std::vector<std::string> name_list;
  for (const RulePattern& p : logic.patterns) {
    const std::string label = p.name.empty() ? std::string("a pattern") : StrCat("pattern $", p.name);
    if (p.name.empty()) {
      problems.push_back("a pattern needs a 'name'");
    } else if (p.name.size() > 128 ||
               !std::all_of(p.name.begin(), p.name.end(), IsPatternNameChar)) {
      problems.push_back(StrCat(label, ": names use letters, digits, '_' and '~' (at most 128)"));
    } else if (!names.insert(p.name).second) {
      problems.push_back(StrCat(label, ": the name repeats"));
    }
    name_list.push_back(p.name);
    if (p.expression.empty()) problems.push_back(StrCat(label, ": empty pattern"));
    if ((p.offset != kUnsetPlacement && p.offset < 0) ||
        (p.depth != kUnsetPlacement && p.depth <= 0) ||
        (p.within != kUnsetPlacement && p.within <= 0)) {
      problems.push_back(StrCat(label, ": offset must be >= 0, depth and within > 0"));
    }
    if (p.relative && p.kind == PatternKind::kLiteral) {
      problems.push_back(StrCat(label, ": 'relative' is for regexes (use distance/within)"));
    }
  }
  if (!logic.report.empty() && logic.ReportPattern() < 0) {
    problems.push_back(StrCat("'report' names no pattern: ", logic.report));
  }
  if (logic.composite()) {
    auto condition = ParseCondition(logic.condition, name_list);
    if (!condition.ok()) {
      problems.emplace_back(condition.status().message());
    } else {
      const bool sequence = condition->is_sequence();
      bool any_positive = false;
      for (const RulePattern& p : logic.patterns) {
        if ((p.HasRelativePlacement() || p.negated) && !sequence) {
          problems.push_back(StrCat("pattern $", p.name,
                                    ": distance, within, relative and negated need "
                                    "condition \"sequence\""));
        }
        any_positive = any_positive || !p.negated;
      }
      if (sequence && !any_positive) problems.push_back("a sequence needs a non-negated pattern");
      if (sequence && logic.scope.kind != ScopeKind::kComponent) {
        problems.push_back("a sequence is scoped by its placement, not by 'scope'");
      }
    }
    if (logic.scope.kind != ScopeKind::kComponent && logic.ReportPattern() >= 0 &&
        logic.patterns[static_cast<size_t>(logic.ReportPattern())].negated) {
      problems.push_back("the report pattern of a scoped rule cannot be negated");
    }
  } else {
    if (!logic.condition.empty()) problems.push_back("'condition' needs 'patterns'");
    if (logic.scope.kind != ScopeKind::kComponent) problems.push_back("'scope' needs 'patterns'");
    if (!logic.report.empty()) problems.push_back("'report' needs 'patterns'");
  }
  if (logic.scope.kind == ScopeKind::kBytes && logic.scope.n == 0) {
    problems.push_back("a byte scope needs n > 0");
  }
  if (logic.secret_group < -1) problems.push_back("'secret_group' must be >= 0");
  for (const std::string& keyword : logic.required_keywords) {
    if (keyword.empty()) problems.push_back("'required_keywords' holds an empty keyword");
  }
  if (logic.has_entropy && (!std::isfinite(logic.min_entropy) || logic.min_entropy < 0 ||
                            logic.min_entropy > 8)) {
    problems.push_back("entropy floor must be in [0, 8] bits per byte");
  }
  for (const AllowList& allow : logic.allow) {
    if (allow.regexes.empty() && allow.stopwords.empty() && allow.paths.empty() &&
        allow.path_globs.empty()) {
      problems.push_back("an allow-list needs regexes, stopwords, paths or path_globs");
    }
  }
  return problems;
}

std::string EncodeRuleLogic(const RuleLogic& logic) {
  ByteWriter w;
  w.U8(kLogicEncoding);
  w.U32(static_cast<uint32_t>(logic.patterns.size()));
  for (const RulePattern& p : logic.patterns) {
    w.Str(p.name);
    w.U8(static_cast<uint8_t>(p.kind));
    w.Str(p.expression);
    w.U32(p.flags);
    PutI64(w, p.offset);
    PutI64(w, p.depth);
    PutI64(w, p.distance);
    PutI64(w, p.within);
    w.U8(static_cast<uint8_t>((p.relative ? 1 : 0) | (p.negated ? 2 : 0) | (p.fast ? 4 : 0)));
    w.Str(p.chain);
  }
  w.Str(logic.condition);
  w.U8(static_cast<uint8_t>(logic.scope.kind));
  w.U32(logic.scope.n);
  w.Str(logic.report);
  PutI64(w, logic.secret_group);
  w.U8(static_cast<uint8_t>((logic.span_is_secret ? 1 : 0) | (logic.has_entropy ? 2 : 0) |
                            (logic.entropy_strict ? 4 : 0)));
  w.F64(logic.min_entropy);
  w.U32(static_cast<uint32_t>(logic.allow.size()));
  for (const AllowList& a : logic.allow) {
    w.Str(a.description);
    w.StrList(a.regexes);
    w.U8(static_cast<uint8_t>(a.target));
    w.StrList(a.stopwords);
    w.StrList(a.paths);
    w.StrList(a.path_globs);
    w.U8(a.require_all ? 1 : 0);
  }
  w.StrList(logic.paths);
  w.StrList(logic.required_keywords);
  return std::move(w.out());
}

absl::StatusOr<RuleLogic> DecodeRuleLogic(std::string_view bytes) {
  ByteReader r(bytes);
  auto bad = [](std::string_view why) {
    return absl::DataLossError(StrCat("rule logic record: ", why));
  };
  if (r.U8() != kLogicEncoding) return bad("unknown encoding");
  RuleLogic logic;
  const uint32_t count = r.U32();
  if (!r.ok() || count > bytes.size()) return bad("bad pattern count");
  logic.patterns.resize(count);
  for (RulePattern& p : logic.patterns) {
    p.name = std::string(r.Str());
    const uint8_t kind = r.U8();
    if (kind > 1) return bad("bad pattern kind");
    p.kind = static_cast<PatternKind>(kind);
    p.expression = std::string(r.Str());
    p.flags = r.U32();
    p.offset = GetI64(r);
    p.depth = GetI64(r);
    p.distance = GetI64(r);
    p.within = GetI64(r);
    const uint8_t bits = r.U8();
    p.relative = bits & 1;
    p.negated = bits & 2;
    p.fast = bits & 4;
    p.chain = std::string(r.Str());
    if (!r.ok()) return bad("truncated pattern");
  }
  logic.condition = std::string(r.Str());
  const uint8_t scope = r.U8();
  if (scope > static_cast<uint8_t>(ScopeKind::kLines)) return bad("bad scope");
  logic.scope.kind = static_cast<ScopeKind>(scope);
  logic.scope.n = r.U32();
  logic.report = std::string(r.Str());
  logic.secret_group = static_cast<int32_t>(GetI64(r));
  const uint8_t bits = r.U8();
  logic.span_is_secret = bits & 1;
  logic.has_entropy = bits & 2;
  logic.entropy_strict = bits & 4;
  logic.min_entropy = r.F64();
  const uint32_t allow_count = r.U32();
  if (!r.ok() || allow_count > bytes.size()) return bad("bad allow-list count");
  logic.allow.resize(allow_count);
  for (AllowList& a : logic.allow) {
    a.description = std::string(r.Str());
    a.regexes = r.StrList();
    const uint8_t target = r.U8();
    if (target > static_cast<uint8_t>(AllowTarget::kLine)) return bad("bad allow-list target");
    a.target = static_cast<AllowTarget>(target);
    a.stopwords = r.StrList();
    a.paths = r.StrList();
    a.path_globs = r.StrList();
    a.require_all = r.U8() != 0;
  }
  logic.paths = r.StrList();
  logic.required_keywords = r.StrList();
  if (!r.ok() || !r.AtEnd()) return bad("truncated or trailing bytes");
  return logic;
}

bool GlobMatches(std::string_view glob, std::string_view path) {
  // Iterative matcher with one backtrack point per star kind: linear enough for paths.
  size_t g = 0, p = 0;
  size_t star_g = std::string_view::npos, star_p = 0;
  bool star_crosses = false;
  auto lower = [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); };
  while (p < path.size()) {
    if (g < glob.size() && glob[g] == '*') {
      star_crosses = g + 1 < glob.size() && glob[g + 1] == '*';
      g += star_crosses ? 2 : 1;
      star_g = g;
      star_p = p;
      continue;
    }
    if (g < glob.size() && (glob[g] == '?' ? path[p] != '/' : lower(glob[g]) == lower(path[p]))) {
      ++g;
      ++p;
      continue;
    }
    if (star_g != std::string_view::npos && (star_crosses || path[star_p] != '/')) {
      g = star_g;
      p = ++star_p;
      continue;
    }
    return false;
  }
  while (g < glob.size() && glob[g] == '*') ++g;
  return g == glob.size();
}

}  // namespace trawl
