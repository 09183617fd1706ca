// File: re2_dialect.cc
#include "engine/re2_dialect.h"

#include <re2/re2.h>

#include "util/strings.h"

namespace trawl {

bool RewriteForRe2(std::string_view p, std::string* out) {
  static constexpr std::string_view kSpace = "\\t\\n\\x0b\\f\\r ";
  bool in_class = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[++i];
      if (e == 'v' || (e >= '1' && e <= '9')) return false;
      if (e == 'Q') return false;  // \Q...\E would need its own scanner
      if (e == 's') {
        if (in_class) {
          out->append(kSpace);
        } else {
          out->append("[").append(kSpace).append("]");
        }
      } else if (e == 'S') {
        if (in_class) return false;
        out->append("[^").append(kSpace).append("]");
      } else {
        out->push_back('\\');
        out->push_back(e);
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out->push_back(c);
      // A leading ']' (after an optional '^') is a literal member.
      if (i + 1 < p.size() && p[i + 1] == '^') out->push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out->push_back(p[++i]);
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {
      const size_t close = p.find(":]", i + 2);
      if (close == std::string_view::npos) return false;
      out->append(p.substr(i, close + 2 - i));
      i = close + 1;
      continue;
    }
    if (in_class && c == ']') in_class = false;
    out->push_back(c);
  }
  return true;
}

bool Re2Pattern(const Definition& def, std::string* text, re2::RE2::Options* options) {
  std::string rewritten;
  if (!RewriteForRe2(def.expression, &rewritten)) return false;
  options->set_log_errors(false);
  options->set_encoding((def.flags & kFlagUtf8) ? RE2::Options::EncodingUTF8
                                                : RE2::Options::EncodingLatin1);
  options->set_case_sensitive((def.flags & kFlagCaseless) == 0);
  options->set_dot_nl((def.flags & kFlagDotAll) != 0);
  *text = (def.flags & kFlagMultiline) ? StrCat("(?m)", rewritten) : std::move(rewritten);
  return true;
}

std::unique_ptr<re2::RE2> CompileRe2(const Definition& def) {
  if (def.kind != PatternKind::kRegex) return nullptr;
  std::string text;
  RE2::Options options;
  if (!Re2Pattern(def, &text, &options)) return nullptr;
  auto re = std::make_unique<RE2>(text, options);
  if (!re->ok()) return nullptr;
  return re;
}

}  // namespace trawl
