// File: suricata.cc
// Suricata/Snort rules to trawl "sequence" rules. Hand-written (no Debian library parses
// rule files without loading an engine), bounded and fuzzed.
//
// A rule's content and pcre keywords become patterns in rule order; their modifiers
// (nocase, offset, depth, distance, within, negation, fast_pattern, pcre's R and flags)
// become pattern fields. Protocol buffers (http_uri, http_header, file_data, dns_query,
// ...) are approximated as "anywhere in the component": each buffer is a chain, ordered
// within itself, and the rule says so in its description. Keywords that look at anything
// but the bytes (the header's protocol, addresses and ports, flow, flowbits, dsize,
// byte_test, threshold, ...) are not evaluated, and are named in the description too.
#include <cctype>
#include <set>

#include "rules/importers/import_builder.h"
#include "util/strings.h"

namespace trawl::importers {
namespace {

constexpr size_t kMaxRuleBytes = 1 << 20;

struct Option {
  std::string key;
  std::string value;  // raw, quotes included
};

// Splits "(k:v; k2; ...)" into options; quotes and backslash escapes keep ';' inside.
bool SplitOptions(std::string_view body, std::vector<Option>* out, std::string* problem) {
  size_t i = 0;
  while (true) {
    while (i < body.size() && std::isspace(static_cast<unsigned char>(body[i]))) ++i;
    if (i >= body.size()) return true;
    Option option;
    while (i < body.size() && body[i] != ':' && body[i] != ';') option.key.push_back(body[i++]);
    while (!option.key.empty() && std::isspace(static_cast<unsigned char>(option.key.back()))) {
      option.key.pop_back();
    }
    if (i < body.size() && body[i] == ':') {
      ++i;
      bool quoted = false;
      while (i < body.size()) {
        const char c = body[i];
        if (c == '\\' && i + 1 < body.size()) {
          option.value.push_back(c);
          option.value.push_back(body[i + 1]);
          i += 2;
          continue;
        }
        if (c == '"') quoted = !quoted;
        if (c == ';' && !quoted) break;
        option.value.push_back(c);
        ++i;
      }
      if (quoted) {
        *problem = StrCat("unterminated quote in '", option.key, "'");
        return false;
      }
    }
    if (i >= body.size() || body[i] != ';') {
      *problem = StrCat("option '", option.key, "' is not ended by ';'");
      return false;
    }
    ++i;
    if (option.key.empty()) {
      *problem = "an empty option";
      return false;
    }
    out->push_back(std::move(option));
  }
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// A quoted value ("..." with an optional leading '!'): its text, with the escapes of '"',
// ';', '\\' and ':' undone when `unescape` (content, msg). A pcre keeps its text as
// written, as Suricata does: its escapes (`\x3c`, `\d`, `\;`) are the regex's own.
bool Unquote(std::string_view value, bool* negated, std::string* out, std::string* problem,
             bool unescape = true) {
  value = TrimView(value);
  *negated = false;
  if (!value.empty() && value[0] == '!') {
    *negated = true;
    value = TrimView(value.substr(1));
  }
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    *problem = "expected a quoted value";
    return false;
  }
  value = value.substr(1, value.size() - 2);
  if (!unescape) {
    out->append(value);
    return true;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) {
      out->push_back(value[++i]);
    } else {
      out->push_back(value[i]);
    }
  }
  return true;
}

// Content text with |hex| segments into bytes.
bool ContentBytes(std::string_view text, std::string* out, std::string* problem) {
  bool hex = false;
  int pending = -1;
  for (char c : text) {
    if (c == '|') {
      if (hex && pending >= 0) {
        *problem = "odd number of hex digits in content";
        return false;
      }
      hex = !hex;
      continue;
    }
    if (!hex) {
      out->push_back(c);
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      *problem = StrCat("bad hex digit '", std::string(1, c), "' in content");
      return false;
    }
    const char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const int v = std::isdigit(static_cast<unsigned char>(lower)) ? lower - '0' : lower - 'a' + 10;
    if (pending < 0) {
      pending = v;
    } else {
      out->push_back(static_cast<char>(pending * 16 + v));
      pending = -1;
    }
  }
  if (hex) {
    *problem = "unterminated |hex| in content";
    return false;
  }
  return true;
}

bool ParseInt(std::string_view text, int64_t* out) {
  text = TrimView(text);
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty() || text.size() > 12) return false;
  int64_t v = 0;
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    v = v * 10 + (c - '0');
  }
  *out = negative ? -v : v;
  return true;
}

// Sticky buffers apply to the contents that follow; the other http_* keywords are legacy
// modifiers of the preceding content. Either way the buffer's name is the chain.
bool IsStickyBuffer(std::string_view key) {
  return key == "file_data" || key == "dns_query" || key == "tls_sni" ||
         key == "http_header_names" ||
         key == "tls_cert_subject" || key == "tls_cert_issuer" || key == "tls_cert_serial" ||
         key == "tls.fingerprint" || key == "ssh.softwareversion" || key == "ssh_proto" ||
         key == "http.uri" || key == "http.header" || key == "http.method" ||
         key == "http.user_agent" || key == "http.host" || key == "http.cookie" ||
         key == "http.request_body" || key == "http.response_body" || key == "dns.query" ||
         key == "tls.sni" || key == "file.data";
}

// pcre buffer flags -> chain.
std::string_view PcreBufferChain(char flag) {
  switch (flag) {
    case 'U': return "http_uri";
    case 'I': return "http_raw_uri";
    case 'P': return "http_client_body";
    case 'Q': return "http_server_body";
    case 'H': return "http_header";
    case 'D': return "http_raw_header";
    case 'M': return "http_method";
    case 'C': return "http_cookie";
    case 'K': return "http_raw_cookie";
    case 'S': return "http_stat_code";
    case 'Y': return "http_stat_msg";
    case 'V': return "http_user_agent";
    case 'W': return "http_host";
    case 'Z': return "http_raw_host";
    default: return "";
  }
}

// Keywords that only carry metadata.
bool IsMetadata(std::string_view key) {
  return key == "msg" || key == "sid" || key == "rev" || key == "gid" || key == "classtype" ||
         key == "reference" || key == "metadata" || key == "priority" || key == "target";
}

// Keywords that would reject the rule: they change the bytes inspected, or are pure
// state.
std::string_view RejectReason(std::string_view key, std::string_view value) {
  if (key == "base64_decode" || key == "base64_data") return "decodes base64 before matching";
  if (key == "lua" || key == "luajit") return "a Lua script decides the match";
  if (key == "dataset" || key == "datarep") return "matches against an external data set";
  if (key == "noalert") return "noalert: the rule never alerts";
  if (key == "flowbits" && TrimView(value) == "noalert") {
    return "flowbits:noalert: the rule only sets state for other rules";
  }
  return "";
}

struct ParsedRule {
  std::string id;
  Definition def;
  std::vector<std::string> approximations;
  std::string reject;
};

void ConvertRule(std::string_view header, const std::vector<Option>& options, ParsedRule* out) {
  auto logic = std::make_shared<RuleLogic>();
  logic->condition = std::string(kSequenceCondition);
  std::string sid, msg, problem;
  std::set<std::string> ignored;
  std::set<std::string> buffers;
  std::string sticky;      // the buffer sticky keywords set for what follows
  int contents = 0, pcres = 0;
  bool jumped = false;     // a byte_jump/byte_extract moved the inspection point
  // The content the next modifier applies to (an index: patterns grow), or -1.
  int last = -1;
  // The id first, so a rule rejected by an early keyword is still named.
  for (const Option& option : options) {
    if (option.key == "sid") sid = std::string(TrimView(option.value));
  }
  out->id = sid.empty() ? "" : StrCat("suricata.", sid);
  for (const Option& option : options) {
    const std::string& key = option.key;
    if (key == "msg") {
      bool negated = false;
      Unquote(option.value, &negated, &msg, &problem);
    }
    if (IsMetadata(key)) continue;
    if (std::string_view why = RejectReason(key, option.value); !why.empty()) {
      out->reject = std::string(why);
      return;
    }
    if (key == "content" || key == "uricontent") {
      bool negated = false;
      std::string text, bytes;
      if (!Unquote(option.value, &negated, &text, &problem) || !ContentBytes(text, &bytes, &problem)) {
        out->reject = StrCat(key, ": ", problem);
        return;
      }
      if (bytes.empty()) {
        out->reject = StrCat(key, ": empty content");
        return;
      }
      RulePattern p;
      p.name = StrCat("c", contents++);
      p.kind = PatternKind::kLiteral;
      p.expression = std::move(bytes);
      p.negated = negated;
      p.chain = key == "uricontent" ? "http_uri" : sticky;
      logic->patterns.push_back(std::move(p));
      last = static_cast<int>(logic->patterns.size()) - 1;
      continue;
    }
    if (key == "pcre") {
      bool negated = false;
      std::string text;
      if (!Unquote(option.value, &negated, &text, &problem, /*unescape=*/false)) {
        out->reject = StrCat("pcre: ", problem);
        return;
      }
      const size_t close = text.rfind('/');
      if (text.empty() || text[0] != '/' || close == 0 || close == std::string::npos) {
        out->reject = "pcre: expected /regex/flags";
        return;
      }
      RulePattern p;
      p.name = StrCat("p", pcres++);
      p.kind = PatternKind::kRegex;
      p.negated = negated;
      p.chain = sticky;
      std::string regex = text.substr(1, close - 1);
      bool extended = false, anchored = false;
      for (char flag : std::string_view(text).substr(close + 1)) {
        switch (flag) {
          case 'i': p.flags |= kFlagCaseless; break;
          case 's': p.flags |= kFlagDotAll; break;
          case 'm': p.flags |= kFlagMultiline; break;
          case 'x': extended = true; break;
          case 'R': p.relative = true; break;
          case 'A': anchored = true; break;
          case 'G': regex = StrCat("(?U)", regex); break;
          case 'E': out->approximations.push_back("pcre flag E (dollar end-only) not applied"); break;
          case 'B': case 'O': break;  // raw bytes (no decoding here); match-limit override
          default: {
            const std::string_view chain = PcreBufferChain(flag);
            if (chain.empty()) {
              out->reject = StrCat("pcre: unknown flag '", std::string(1, flag), "'");
              return;
            }
            p.chain = std::string(chain);
          }
        }
      }
      if (extended) regex = FlattenExtended(StrCat("(?x)", regex), /*rust=*/false);
      if (anchored) {
        if (!p.relative && p.chain.empty()) {
          regex = StrCat("\\A(?:", regex, ")");  // at the start of the payload
        } else {
          out->approximations.push_back(
              "pcre flag A (anchored) on a relative or buffer pcre matches anywhere after");
        }
      }
      if (jumped && p.relative) {
        out->reject = "a relative pcre follows byte_jump/byte_extract, which moved the "
                      "inspection point";
        return;
      }
      p.expression = std::move(regex);
      logic->patterns.push_back(std::move(p));
      last = -1;
      continue;
    }
    // Content modifiers.
    if (key == "nocase" || key == "offset" || key == "depth" || key == "distance" ||
        key == "within" || key == "fast_pattern" || key == "rawbytes" || key == "isdataat" ||
        key == "startswith" || key == "endswith") {
      if (key == "isdataat") {
        ignored.insert(key);
        continue;
      }
      if (last < 0) {
        out->reject = StrCat(key, " without a preceding content");
        return;
      }
      RulePattern* last_content = &logic->patterns[static_cast<size_t>(last)];
      int64_t n = 0;
      if (key == "nocase") {
        last_content->flags |= kFlagCaseless;
      } else if (key == "fast_pattern") {
        last_content->fast = true;
      } else if (key == "rawbytes") {
      } else if (key == "startswith") {
        last_content->offset = 0;
        last_content->depth = static_cast<int64_t>(last_content->expression.size());
      } else if (key == "endswith") {
        ignored.insert(key);
      } else if (!ParseInt(option.value, &n)) {
        out->reject = StrCat(key, ": expected an integer (variables from byte_extract are not "
                                  "supported)");
        return;
      } else if (key == "offset") {
        if (n < 0) {
          out->reject = "offset: negative";
          return;
        }
        last_content->offset = n;
      } else if (key == "depth") {
        if (n <= 0) {
          out->reject = "depth: must be positive";
          return;
        }
        last_content->depth = n;
      } else if (key == "distance") {
        last_content->distance = n;
      } else if (key == "within") {
        if (n <= 0) {
          out->reject = "within: must be positive";
          return;
        }
        last_content->within = n;
      }
      if ((key == "distance" || key == "within") && jumped) {
        out->reject = "a relative content follows byte_jump/byte_extract, which moved the "
                      "inspection point";
        return;
      }
      continue;
    }
    if (IsStickyBuffer(key)) {
      sticky = key;
      continue;
    }
    if (key == "pkt_data") {
      sticky.clear();
      continue;
    }
    if (StartsWith(key, "http_")) {
      if (last >= 0) logic->patterns[static_cast<size_t>(last)].chain = key;
      continue;
    }
    if (key == "byte_jump" || key == "byte_extract") {
      jumped = true;
      ignored.insert(key);
      continue;
    }
    ignored.insert(key);
  }
  if (sid.empty()) {
    out->reject = "no sid";
    return;
  }
  if (logic->patterns.empty()) {
    out->reject = "no content or pcre: nothing in the bytes to match";
    return;
  }
  bool positive = false;
  for (RulePattern& p : logic->patterns) {
    positive = positive || !p.negated;
    if (!p.chain.empty()) {
      buffers.insert(p.chain);
      // Offsets inside an HTTP buffer have no meaning anywhere in the component.
      if (p.offset != kUnsetPlacement || p.depth != kUnsetPlacement) {
        p.offset = p.depth = kUnsetPlacement;
        out->approximations.push_back(StrCat("offset/depth in ", p.chain, " dropped"));
      }
    }
  }
  if (!positive) {
    out->reject = "only negated contents: nothing in the bytes to match";
    return;
  }
  out->approximations.insert(out->approximations.begin(),
                             StrCat("header '", TrimView(header), "' not evaluated"));
  if (!buffers.empty()) {
    out->approximations.push_back(StrCat("buffers ", StrJoin(buffers, ", "),
                                         " approximated as anywhere in the component"));
  }
  if (!ignored.empty()) {
    out->approximations.push_back(StrCat("not evaluated: ", StrJoin(ignored, ", ")));
  }
  Definition& def = out->def;
  def.id = out->id;
  def.description = msg;
  def.category = "signature";
  def.tags = {"suricata"};
  def.logic = std::move(logic);
}

}  // namespace

absl::StatusOr<RuleSet> ImportSuricata(std::string_view text, std::string_view file) {
  ImportBuilder builder(file, RuleFormat::kSuricata);
  const LineIndex lines(text);
  int64_t index = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    // One rule: a line, joined with the next while it ends in a backslash.
    const size_t start = pos;
    std::string rule;
    while (pos < text.size()) {
      size_t end = text.find('\n', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(pos, end - pos);
      pos = end + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty() && line.back() == '\\') {
        rule.append(line.substr(0, line.size() - 1));
        if (rule.size() > kMaxRuleBytes) break;
        continue;
      }
      rule.append(line);
      break;
    }
    const std::string_view trimmed = TrimView(rule);
    if (trimmed.empty() || trimmed[0] == '#') continue;  // comments and disabled rules
    builder.At(index++, lines.LineOf(start), static_cast<int64_t>(start));
    const size_t open = trimmed.find('(');
    const size_t close = trimmed.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      builder.Rejected("", "not a rule: expected 'action proto src port -> dst port (options)'");
      continue;
    }
    const std::string_view header = TrimView(trimmed.substr(0, open));
    const std::vector<std::string_view> words = Split(header, ' ', /*skip_empty=*/true);
    static const std::set<std::string_view> kActions = {
        "alert", "drop", "pass", "reject", "rejectsrc", "rejectdst", "rejectboth", "sdrop", "log"};
    if (words.empty() || !kActions.count(words[0])) {
      builder.Rejected("", StrCat("unknown action '", words.empty() ? "" : words[0], "'"));
      continue;
    }
    std::vector<Option> options;
    std::string problem;
    if (!SplitOptions(trimmed.substr(open + 1, close - open - 1), &options, &problem)) {
      std::string sid;
      const size_t at = trimmed.find("sid:");
      if (at != std::string_view::npos) {
        size_t k = at + 4;
        while (k < trimmed.size() && std::isdigit(static_cast<unsigned char>(trimmed[k]))) {
          sid.push_back(trimmed[k++]);
        }
      }
      builder.Rejected(sid.empty() ? "" : StrCat("suricata.", sid), StrCat("syntax: ", problem));
      continue;
    }
    ParsedRule parsed;
    ConvertRule(header, options, &parsed);
    if (!parsed.reject.empty()) {
      builder.Rejected(parsed.id, parsed.reject);
      continue;
    }
    builder.Imported(std::move(parsed.def), parsed.approximations);
  }
  return builder.Finish();
}

}  // namespace trawl::importers
