// File: json_structure.cc
// One On Demand walk per document (the JSON adapter's streaming view) computes the
// statistics, the key-path trie, the locator entries and the decoded strings together.
// Positions come from the input buffer itself: On Demand hands out views into the
// (padded) input, so `RawToken().data() - base` is an exact offset, and a container ends
// at the first non-space byte after its last child.
//
// The parser validates UTF-8 and structure while indexing; On Demand validates
// scalars only when they are read, so this walk validates every scalar itself (number
// grammar, literals, string escapes and control characters) and checks trailing content.
#include "structure/json_structure.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "json/ondemand.h"
#include "structure/internal/utf8.h"
#include "util/digest.h"
#include "util/hash_containers.h"
#include "util/json_bytes.h"
#include "util/json_writer.h"
#include "util/strings.h"

namespace trawl {

namespace ondemand = json::ondemand;
using internal::IsJsonSpace;

namespace {
// Debian's Abseil is built with its own string_view type.
inline absl::string_view AbslView(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

const char* JsonTypeName(uint32_t type_bit) {
  switch (type_bit) {
    case kJsonObject: return "object";
    case kJsonArray: return "array";
    case kJsonString: return "string";
    case kJsonInteger: return "integer";
    case kJsonFloat: return "float";
    case kJsonBool: return "bool";
    case kJsonNull: return "null";
  }
  return "unknown";
}

namespace {

constexpr uint64_t kOpen = ~uint64_t{0};  // locator entry end not known yet

std::string TypeList(uint32_t mask) {
  std::string out;
  for (uint32_t bit = 1; bit <= kJsonNull; bit <<= 1) {
    if (!(mask & bit)) continue;
    if (!out.empty()) out.push_back('|');
    out.append(JsonTypeName(bit));
  }
  return out;
}

bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  for (size_t i = 0; i < key.size(); ++i) {
    const char c = key[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
    const bool digit = c >= '0' && c <= '9';
    if (!(alpha || (i > 0 && (digit || c == '-')))) return false;
  }
  return true;
}

}  // namespace

namespace internal {

// Key-path trie shared by the statistics and the fingerprints. Node 0 is the root ("$"),
// node 1 collects every path past the max_key_paths limit.
class PathTrie {
 public:
  static constexpr uint32_t kRoot = 0;
  static constexpr uint32_t kOverflow = 1;
  static constexpr uint32_t kNone = 0xFFFFFFFFu;

  explicit PathTrie(uint32_t max_paths) : max_paths_(std::max<uint32_t>(max_paths, 1) + 1) {
    nodes_.push_back(Node{kNone, kNone, false, {}, {}});
    nodes_.push_back(Node{kNone, kNone, false, {}, {}});
  }

  uint32_t Child(uint32_t parent, std::string_view key) {
    if (parent == kOverflow) return kOverflow;
    // Records of one shape repeat their keys: a node's first children are compared
    // directly before the (hashing) map is asked.
    Node& p = nodes_[parent];
    for (uint32_t k = 0; k < p.first_children_count; ++k) {
      const Node& c = nodes_[p.first_children[k]];
      if (c.name == key) return p.first_children[k];
    }
    scratch_.assign(reinterpret_cast<const char*>(&parent), sizeof parent);
    scratch_.append(key);
    auto it = children_.find(scratch_);
    if (it != children_.end()) return it->second;
    if (nodes_.size() >= max_paths_) return kOverflow;
    const uint32_t id = static_cast<uint32_t>(nodes_.size());
    if (p.first_children_count < kFirstChildren) p.first_children[p.first_children_count++] = id;
    nodes_.push_back(Node{parent, kNone, false, std::string(key), {}});  // `p` dangles now
    children_.emplace(scratch_, id);
    return id;
  }

  uint32_t Star(uint32_t parent) {
    if (parent == kOverflow) return kOverflow;
    if (nodes_[parent].star != kNone) return nodes_[parent].star;
    if (nodes_.size() >= max_paths_) return kOverflow;
    const uint32_t id = static_cast<uint32_t>(nodes_.size());
    nodes_.push_back(Node{parent, kNone, true, {}, {}});
    nodes_[parent].star = id;
    return id;
  }

  // Records one value of type `bit` at `node` for the statistics and the current shape.
  void Touch(uint32_t node, uint32_t bit) {
    Node& n = nodes_[node];
    ++n.count;
    n.types |= bit;
    if (n.stamp != stamp_) {
      n.stamp = stamp_;
      n.shape_types = 0;
      touched_.push_back(node);
    }
    n.shape_types |= bit;
  }

  // Starts a new shape (one NDJSON record, or the whole document).
  void BeginShape() {
    ++stamp_;
    touched_.clear();
  }

  // Canonical shape key: (node << 8 | types) sorted by node id.
  std::vector<uint64_t> ShapeKey() {
    std::vector<uint64_t> key;
    key.reserve(touched_.size());
    for (uint32_t node : touched_) {
      if (node == kOverflow) continue;
      key.push_back((uint64_t{node} << 8) | nodes_[node].shape_types);
    }
    std::sort(key.begin(), key.end());
    return key;
  }

  // SHA-256 over "path\ttypes\n" lines sorted by path.
  std::string Fingerprint(const std::vector<uint64_t>& shape_key) {
    std::vector<std::string> lines;
    lines.reserve(shape_key.size());
    for (uint64_t entry : shape_key) {
      const uint32_t node = static_cast<uint32_t>(entry >> 8);
      lines.push_back(absl::StrCat(Path(node), "\t", TypeList(static_cast<uint32_t>(entry & 0xFF)), "\n"));
    }
    std::sort(lines.begin(), lines.end());
    Sha256 sha;
    for (const std::string& line : lines) sha.Update(line);
    return ToHex(sha.Finish());
  }

  const std::string& Path(uint32_t node) {
    Node& n = nodes_[node];
    if (!n.path.empty()) return n.path;
    std::string path;
    if (node == kRoot) {
      path = "$";
    } else if (node == kOverflow) {
      path = "$<dropped>";
    } else {
      path = Path(n.parent);  // copy: the recursion may reallocate nodes_' strings
      if (n.is_star) {
        path.append("[*]");
      } else if (IsIdentifier(n.name)) {
        path.push_back('.');
        path.append(n.name);
      } else {
        path.push_back('[');
        AppendJsonString(&path, n.name);
        path.push_back(']');
      }
    }
    nodes_[node].path = std::move(path);
    return nodes_[node].path;
  }

  std::vector<JsonKeyPath> Export(uint64_t* dropped) {
    std::vector<JsonKeyPath> out;
    for (uint32_t i = 0; i < nodes_.size(); ++i) {
      if (i == kOverflow) {
        *dropped = nodes_[i].count;
        continue;
      }
      if (nodes_[i].count == 0) continue;
      out.push_back({Path(i), nodes_[i].count, nodes_[i].types});
    }
    std::sort(out.begin(), out.end(), [](const JsonKeyPath& a, const JsonKeyPath& b) { return a.path < b.path; });
    return out;
  }

  const std::string& Name(uint32_t node) const { return nodes_[node].name; }

 private:
  struct Node {
    uint32_t parent;
    uint32_t star;
    bool is_star;
    std::string name;
    std::string path;
    uint64_t count = 0;
    uint32_t types = 0;
    uint64_t stamp = 0;
    uint32_t shape_types = 0;
    uint32_t first_children_count = 0;
    std::array<uint32_t, 8> first_children{};  // the first named children, by creation
  };
  static constexpr uint32_t kFirstChildren = 8;
  std::vector<Node> nodes_;
  StringMap<uint32_t> children_;
  std::string scratch_;
  std::vector<uint32_t> touched_;
  uint64_t stamp_ = 0;
  size_t max_paths_;
};

struct WalkError {
  json::Error code = json::Error::kOk;
  std::string message;
  uint64_t offset = 0;
  bool exact = true;
  bool depth = false;
};

}  // namespace internal

namespace {

// Finds the first control character inside a string, or the opening quote of an unclosed
// string: the parser's indexing reports those without a position.
bool FindStringProblem(std::string_view text, uint64_t* offset) {
  bool in_string = false;
  size_t open = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!in_string) {
      if (c == '"') {
        in_string = true;
        open = i;
      }
    } else if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_string = false;
    } else if (c < 0x20) {
      *offset = i;
      return true;
    }
  }
  if (in_string) *offset = open;
  return in_string;
}

using internal::PathTrie;
using internal::WalkError;

// Number grammar (RFC 8259) and classification. Returns false when malformed.
bool ClassifyNumber(std::string_view t, bool* is_float, bool* huge) {
  size_t i = 0;
  const bool negative = i < t.size() && t[i] == '-';
  if (negative) ++i;
  if (i >= t.size()) return false;
  const size_t int_begin = i;
  if (t[i] == '0') {
    ++i;
  } else if (t[i] >= '1' && t[i] <= '9') {
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
  } else {
    return false;
  }
  const size_t int_digits = i - int_begin;
  bool has_fraction = false, has_exponent = false;
  if (i < t.size() && t[i] == '.') {
    has_fraction = true;
    ++i;
    const size_t b = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == b) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    has_exponent = true;
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    const size_t b = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == b) return false;
  }
  if (i != t.size()) return false;
  *is_float = has_fraction || has_exponent;
  *huge = false;
  if (!*is_float) {
    if (int_digits > 20) {
      *huge = true;
    } else if (int_digits >= 19) {
      const std::string_view digits = t.substr(int_begin);
      const std::string_view limit = negative ? "9223372036854775808" : "18446744073709551615";
      *huge = digits.size() > limit.size() || (digits.size() == limit.size() && digits > limit);
    }
  } else if (has_exponent || t.size() > 300) {
    double d;
    const auto r = std::from_chars(t.data(), t.data() + t.size(), d);
    *huge = r.ec == std::errc::result_out_of_range;
  }
  return true;
}

// Where a string's content failed to decode.
struct StringProblem {
  json::Error code = json::Error::kOk;
  uint64_t offset = 0;
  std::string_view what;
  bool Set(json::Error c, uint64_t o, std::string_view w) {
    code = c;
    offset = o;
    what = w;
    return false;
  }
};

// Decodes a JSON string's content `s` (between its quotes, at document offset `begin`):
// validates control characters and escapes, appends the decoded form and its map to
// `out` when given, counts unpaired surrogate escapes (read as U+FFFD). The walk and the
// path without a walk (JsonAnalyzer::Analyze of a DOM-validated document) both decode
// with it, so their decoded strings are the same bytes. With `quote`, `s` runs on past
// the content: it ends at the first quote no backslash escapes, whose index in `s` is
// stored there (no such quote is a problem), so a caller that only knows where the
// string opens reads it once.
bool DecodeString(std::string_view s, uint64_t begin, DecodedStrings* out,
                  uint64_t* lone_surrogates, StringProblem* problem, size_t* quote = nullptr) {
  size_t run = 0;  // start of the pending literal run
  for (size_t i = 0; i < s.size();) {
    i = NextJsonSpecialByte(s, i, /*non_ascii=*/false);
    if (i == s.size()) break;
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20) return problem->Set(json::Error::kUnescapedChars, begin + i, "control character in string");
    if (c == '"') {
      if (quote == nullptr) {  // content holds no quote; a caller's malformed one is text
        ++i;
        continue;
      }
      if (out && i > run) {
        out->text.append(s.substr(run, i - run));
        out->map.AppendLinear(begin + run, i - run, i - run);
      }
      *quote = i;
      return true;
    }
    if (out && i > run) {
      out->text.append(s.substr(run, i - run));
      out->map.AppendLinear(begin + run, i - run, i - run);
    }
    if (i + 1 >= s.size()) return problem->Set(json::Error::kString, begin + i, "truncated escape");
    const size_t before = out ? out->text.size() : 0;
    size_t len = 2;
    switch (s[i + 1]) {
      case '"': if (out) out->text.push_back('"'); break;
      case '\\': if (out) out->text.push_back('\\'); break;
      case '/': if (out) out->text.push_back('/'); break;
      case 'b': if (out) out->text.push_back('\b'); break;
      case 'f': if (out) out->text.push_back('\f'); break;
      case 'n': if (out) out->text.push_back('\n'); break;
      case 'r': if (out) out->text.push_back('\r'); break;
      case 't': if (out) out->text.push_back('\t'); break;
      case 'u': {
        uint32_t cp;
        if (!ReadHex4(s, i + 2, &cp)) return problem->Set(json::Error::kString, begin + i, "bad \\u escape");
        len = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          uint32_t low;
          if (i + 12 <= s.size() && s[i + 6] == '\\' && s[i + 7] == 'u' && ReadHex4(s, i + 8, &low) &&
              low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            len = 12;
          } else {
            cp = 0xFFFD;  // lone high surrogate: legal JSON text, not a character
            ++*lone_surrogates;
          }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          cp = 0xFFFD;
          ++*lone_surrogates;
        }
        if (out) internal::AppendUtf8(&out->text, cp);
        break;
      }
      default:
        return problem->Set(json::Error::kString, begin + i, "invalid escape");
    }
    if (out) out->map.AppendAtomic(begin + i, out->text.size() - before, len);
    i += len;
    run = i;
  }
  if (quote != nullptr) return problem->Set(json::Error::kString, begin + s.size(), "unclosed string");
  if (out && s.size() > run) {
    out->text.append(s.substr(run));
    out->map.AppendLinear(begin + run, s.size() - run, s.size() - run);
  }
  return true;
}

// Starts the next decoded string: strings are separated by '\n', which maps to nothing.
void BeginDecoded(DecodedStrings* out) {
  if (out->count > 0) {
    out->text.push_back('\n');
    out->map.AppendGap(1);
  }
  ++out->count;
}

}  // namespace

// The On Demand walk. One instance per document (or NDJSON file).
class JsonWalker {
 public:
  JsonWalker(const char* base, const JsonOptions& options, PathTrie* trie, JsonReport* report,
             JsonLocator* locator)
      : base_(base), options_(options), trie_(trie), report_(report), locator_(locator) {}

  // NDJSON record index of the next document (0 for a single document).
  void set_record(uint64_t record) { record_ = record; }

  // Locates only `targets` (sorted offsets; JsonAnalyzer::LocateTargets): a closed entry
  // that holds none of them is dropped, and the walk stops at the first value that begins
  // after the last one. Entries are closed innermost first, so an entry without targets is
  // the last one when it closes (whatever it enclosed held none either); an entry that
  // holds a target keeps its ancestors, which hold it too.
  //
  // `skip_untargeted`, for a document known to be valid (within max_depth): a container
  // below the walk's root that holds no target is consumed without a walk (its entries
  // would all be dropped), and one that holds a target is deferred, to be walked from a
  // parse of its own text (WalkDeferred) once this parse's walk is done. On a document of
  // small records with few targets most of the walk is skipped (issue 22: the locating
  // walk was a tenth of a JSON package's analysis). The locator is the same but for the
  // span of an entry the stop after the last target left open, which ends at the
  // container's end rather than at the first value after the last target.
  void set_targets(const std::vector<uint64_t>* targets, bool skip_untargeted) {
    targets_ = targets;
    stop_after_ = targets->empty() ? 0 : targets->back();
    targets_below_ = 0;
    targets_below_end_ = 0;
    skip_untargeted_ = skip_untargeted;
  }
  // Whether the walk stopped after the last target (it returned false for that).
  bool stopped() const { return stopped_; }

  // A container skipped because it holds a target: [begin, end) from its opening bracket
  // through its closing one, with what its walk needs (`entry`: the member or element
  // that holds it).
  struct Deferred {
    uint64_t begin = 0;
    uint64_t end = 0;
    uint32_t node = 0;
    uint32_t depth = 0;
    uint32_t entry = 0;
  };
  bool PopDeferred(Deferred* item) {
    if (deferred_.empty()) return false;
    *item = deferred_.back();
    deferred_.pop_back();
    return true;
  }

  // Walks a deferred container from `doc`, a parse of its text alone. Its own containers
  // are skipped or deferred in turn while the re-parse budget lasts: nested containers
  // that each hold a target are parsed once per level, so past twice the document's size
  // in re-parsed bytes they are walked whole.
  bool WalkDeferred(ondemand::Document& doc, const Deferred& item, WalkError* error) {
    doc_ = &doc;
    error_ = error;
    doc_end_ = item.end;
    walk_root_depth_ = item.depth;
    const uint64_t size = item.end - item.begin;
    skipping_ = skip_untargeted_ && size <= reparse_left_;
    reparse_left_ -= std::min(reparse_left_, size);
    walked_deferred_ = true;
    const size_t first_entry = locator_->entries_.size();
    ondemand::Value value;
    uint64_t end = 0;
    bool ok = false;
    if (auto e = doc.GetValue(&value); e != json::Error::kOk) {
      ok = FailIter(e, item.begin);
    } else {
      ok = Walk(value, item.node, item.depth, item.entry, &end);
    }
    if (!ok) CloseLeftOpen(first_entry);
    return ok;
  }

  // Deferred containers are walked after the entries that follow them: puts the
  // locator's entries back in document order (Locate searches them by begin; no two
  // begin at the same byte).
  void SortEntries() {
    if (!walked_deferred_) return;
    std::vector<JsonLocator::Entry>& entries = locator_->entries_;
    std::vector<uint32_t> order(entries.size());
    for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(),
              [&entries](uint32_t a, uint32_t b) { return entries[a].begin < entries[b].begin; });
    std::vector<uint32_t> position(entries.size());
    for (uint32_t i = 0; i < order.size(); ++i) position[order[i]] = i;
    std::vector<JsonLocator::Entry> sorted;
    sorted.reserve(entries.size());
    for (const uint32_t i : order) {
      JsonLocator::Entry e = entries[i];
      if (e.parent != JsonLocator::kNoParent) e.parent = position[e.parent];
      sorted.push_back(e);
    }
    entries.swap(sorted);
    for (uint32_t& root : locator_->root_entries_) root = position[root];
  }

  // Walks the document in [begin, begin + len). Returns false and fills `error` on the
  // first problem.
  bool WalkDocument(ondemand::Document& doc, uint64_t begin, uint64_t len, WalkError* error) {
    doc_ = &doc;
    error_ = error;
    doc_end_ = begin + len;
    walk_root_depth_ = 0;
    skipping_ = targets_ != nullptr && skip_untargeted_;
    reparse_left_ = 2 * len;
    const size_t first_entry = locator_ ? locator_->entries_.size() : 0;
    const bool ok = WalkRoot(doc, begin);
    if (!ok && locator_) CloseLeftOpen(first_entry);
    return ok;
  }

  // Walks a JSON string token's content [begin, end) (without quotes): validates
  // escapes and control characters and appends the decoded form when asked to.
  bool String(uint64_t begin, uint64_t end, bool is_key) {
    (void)is_key;
    // The parser's indexing already rejected unescaped control characters.
    const bool has_escape = NextBackslash(begin) < end;
    if (has_escape) ++report_->counts.escaped_strings;
    const bool collect = options_.decode_strings && (has_escape || options_.decode_all_strings);
    if (!has_escape && !collect) return true;
    DecodedStrings* out = collect ? &report_->decoded_strings : nullptr;
    if (out) BeginDecoded(out);
    StringProblem problem;
    if (!DecodeString(std::string_view(base_ + begin, end - begin), begin, out,
                      &report_->lone_surrogates, &problem)) {
      return Fail(problem.code, problem.offset, problem.what);
    }
    return true;
  }

 private:
  // After a walk that returned false: a walk stopped after the last target drops the
  // entries opened past it (they hold none), and the entries the error left open are
  // closed there, so the partial locator stays usable.
  void CloseLeftOpen(size_t first_entry) {
    std::vector<JsonLocator::Entry>& entries = locator_->entries_;
    while (stopped_ && entries.size() > first_entry && entries.back().begin > stop_after_) {
      PopLastEntry();
    }
    for (size_t i = first_entry; i < entries.size(); ++i) {
      if (entries[i].end == kOpen) entries[i].end = std::max(error_->offset, entries[i].begin);
    }
  }

  // Whether a target lies in [begin, end).
  bool HoldsTarget(uint64_t begin, uint64_t end) const {
    auto it = std::lower_bound(targets_->begin(), targets_->end(), begin);
    return it != targets_->end() && *it < end;
  }

  // A container value below the walk's root, while skipping: consumed, and deferred when
  // it holds a target. Its end is the walk's (just past its closing bracket).
  bool SkipContainer(ondemand::Value& value, ondemand::Type type, uint32_t node, uint32_t depth,
                     uint32_t entry, uint64_t begin, uint64_t* end) {
    std::string_view text;
    if (auto e = value.SkipContainer(type, &text); e != json::Error::kOk) return FailIter(e, begin);
    uint64_t close = begin + text.size();
    while (close > begin + 1 && IsJsonSpace(base_[close - 1])) --close;
    *end = close;
    if (HoldsTarget(begin, close)) deferred_.push_back({begin, close, node, depth, entry});
    return true;
  }

  bool Fail(json::Error code, uint64_t offset, std::string_view what, bool exact = true) {
    error_->code = code;
    error_->offset = offset;
    error_->exact = exact;
    error_->message = absl::StrCat(AbslView(what), " (", AbslView(json::ErrorMessage(code)), ")");
    return false;
  }

  // An error raised by the parser while iterating: the iterator's position is where it
  // stopped, which is the offending token.
  bool FailIter(json::Error code, uint64_t fallback) {
    const char* where = nullptr;
    if (doc_->CurrentLocation(&where) == json::Error::kOk && where >= base_ &&
        static_cast<uint64_t>(where - base_) <= doc_end_) {
      return Fail(code, static_cast<uint64_t>(where - base_), "malformed JSON");
    }
    return Fail(code, fallback, "malformed JSON", false);
  }

  bool UsesTrie() const { return options_.statistics || locator_ != nullptr; }

  // Key-path statistics: a value of type `bit` at `node` (nothing without statistics).
  void Touch(uint32_t node, uint32_t bit) {
    if (options_.statistics) trie_->Touch(node, bit);
  }

  uint32_t PushEntry(uint64_t begin, uint32_t parent, uint32_t label) {
    if (!locator_) return 0;
    locator_->entries_.push_back({begin, kOpen, parent, label});
    return static_cast<uint32_t>(locator_->entries_.size() - 1);
  }
  void CloseEntry(uint32_t entry, uint64_t end) {
    if (!locator_) return;
    std::vector<JsonLocator::Entry>& entries = locator_->entries_;
    entries[entry].end = end;
    if (targets_ == nullptr || entry + 1 != entries.size()) return;
    // [begin, end) holds a target iff the last target below `end` is at `begin` or after.
    // Entries close in document order (a member after its value, a container after its
    // members), so within one parse's walk `end` never decreases and the count of targets
    // below it is a cursor.
    const uint64_t begin = entries[entry].begin;
    if (end < targets_below_end_) {  // the first close in a deferred container's walk
      targets_below_ = static_cast<size_t>(
          std::lower_bound(targets_->begin(), targets_->end(), end) - targets_->begin());
    }
    targets_below_end_ = end;
    while (targets_below_ < targets_->size() && (*targets_)[targets_below_] < end) ++targets_below_;
    if (targets_below_ > 0 && (*targets_)[targets_below_ - 1] >= begin) return;  // holds one
    PopLastEntry();
  }
  void PopLastEntry() {
    const uint32_t entry = static_cast<uint32_t>(locator_->entries_.size() - 1);
    locator_->entries_.pop_back();
    if (!locator_->root_entries_.empty() && locator_->root_entries_.back() == entry) {
      locator_->root_entries_.pop_back();
      locator_->root_records_.pop_back();
    }
  }
  uint32_t KeyLabel(uint32_t node, std::string_view key) {
    if (!locator_) return 0;
    if (node != PathTrie::kOverflow) {
      if (node >= key_ids_.size()) key_ids_.resize(node + 1, PathTrie::kNone);
      if (key_ids_[node] == PathTrie::kNone) key_ids_[node] = Intern(key);
      return JsonLocator::kMemberBit | key_ids_[node];
    }
    return JsonLocator::kMemberBit | Intern(key);
  }
  uint32_t Intern(std::string_view key) {
    auto it = interned_.find(key);
    if (it != interned_.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(locator_->keys_.size()) & ~JsonLocator::kMemberBit;
    locator_->keys_.emplace_back(key);
    interned_.emplace(std::string(key), id);
    return id;
  }

  // The first backslash at or after `from` in the document, or doc_end_. Strings come in
  // document order, so one memchr answers for every string up to the next backslash
  // (a call per string cost the walk a tenth of its time).
  uint64_t NextBackslash(uint64_t from) {
    if (from < backslash_from_ || backslash_ < from || backslash_doc_end_ != doc_end_) {
      const void* hit = from < doc_end_ ? std::memchr(base_ + from, '\\', doc_end_ - from) : nullptr;
      backslash_ = hit ? Offset(static_cast<const char*>(hit)) : doc_end_;
      backslash_from_ = from;
      backslash_doc_end_ = doc_end_;
    }
    return backslash_;
  }

  uint64_t SkipSpace(uint64_t p) const {
    while (p < doc_end_ && IsJsonSpace(base_[p])) ++p;
    return p;
  }
  uint64_t Offset(const char* p) const { return static_cast<uint64_t>(p - base_); }

  bool WalkRoot(ondemand::Document& doc, uint64_t begin) {
    bool scalar = false;
    if (auto e = doc.IsScalar(&scalar); e != json::Error::kOk) return FailIter(e, begin);
    const uint32_t entry = PushEntry(SkipSpace(begin), JsonLocator::kNoParent, JsonLocator::kNoParent);
    if (locator_) {
      locator_->root_entries_.push_back(entry);
      locator_->root_records_.push_back(record_);
    }
    uint64_t end = 0;
    if (scalar) {
      ondemand::Type type;
      if (auto e = doc.GetType(&type); e != json::Error::kOk) return FailIter(e, begin);
      std::string_view token;
      if (auto e = doc.RawToken(&token); e != json::Error::kOk) return FailIter(e, begin);
      if (!Scalar(type, token, PathTrie::kRoot, &end)) return false;
    } else {
      ondemand::Value value;
      if (auto e = doc.GetValue(&value); e != json::Error::kOk) return FailIter(e, begin);
      if (!Walk(value, PathTrie::kRoot, 0, entry, &end)) return false;
    }
    CloseEntry(entry, end);
    const uint64_t rest = SkipSpace(end);
    if (rest < doc_end_) return Fail(json::Error::kTrailingContent, rest, "content after the JSON value");
    return true;
  }

  bool Scalar(ondemand::Type type, std::string_view token, uint32_t node, uint64_t* end) {
    while (!token.empty() && IsJsonSpace(token.back())) token.remove_suffix(1);
    const uint64_t begin = Offset(token.data());
    *end = begin + token.size();
    JsonCounts& c = report_->counts;
    switch (type) {
      case ondemand::Type::kString:
        if (token.size() < 2 || token.back() != '"') return Fail(json::Error::kString, begin, "bad string");
        ++c.strings;
        Touch(node, kJsonString);
        return String(begin + 1, *end - 1, false);
      case ondemand::Type::kNumber: {
        bool is_float = false, huge = false;
        if (!ClassifyNumber(token, &is_float, &huge)) return Fail(json::Error::kNumber, begin, "bad number");
        ++c.numbers;
        if (huge) ++c.huge_numbers;
        if (is_float) {
          ++c.floats;
          Touch(node, kJsonFloat);
        } else {
          ++c.integers;
          Touch(node, kJsonInteger);
        }
        return true;
      }
      case ondemand::Type::kBool:
        if (token != "true" && token != "false") {
          return Fail(token[0] == 't' ? json::Error::kTrueLiteral : json::Error::kFalseLiteral, begin, "bad literal");
        }
        ++c.bools;
        Touch(node, kJsonBool);
        return true;
      case ondemand::Type::kNull:
        if (token != "null") return Fail(json::Error::kNullLiteral, begin, "bad literal");
        ++c.nulls;
        Touch(node, kJsonNull);
        return true;
      default:
        return Fail(json::Error::kSyntax, begin, "unexpected token");
    }
  }

  // `depth` counts the containers enclosing `value`.
  bool Walk(ondemand::Value& value, uint32_t node, uint32_t depth, uint32_t entry, uint64_t* end) {
    const std::string_view token = value.RawToken();
    const uint64_t begin = Offset(token.data());
    if (targets_ != nullptr && begin > stop_after_) {
      // Past the last target: the entries still open hold it up to here at least.
      stopped_ = true;
      error_->offset = begin;
      return false;
    }
    ondemand::Type type;
    if (auto e = value.GetType(&type); e != json::Error::kOk) return FailIter(e, begin);
    if (type != ondemand::Type::kObject && type != ondemand::Type::kArray) {
      return Scalar(type, token, node, end);
    }
    if (depth + 1 > options_.max_depth) {
      error_->depth = true;
      return Fail(json::Error::kDepth, begin, absl::StrCat("nesting deeper than ", options_.max_depth));
    }
    if (skipping_ && depth > walk_root_depth_) return SkipContainer(value, type, node, depth, entry, begin, end);
    report_->max_depth = std::max(report_->max_depth, depth + 1);
    uint64_t last = begin + 1;
    if (type == ondemand::Type::kObject) {
      ++report_->counts.objects;
      Touch(node, kJsonObject);
      ondemand::Object object;
      if (auto e = value.Get(&object); e != json::Error::kOk) return FailIter(e, begin);
      for (auto& item : object) {
        ondemand::Field field;
        if (auto e = item.Get(&field); e != json::Error::kOk) return FailIter(e, last);
        const uint64_t key_begin = Offset(field.RawKey()) - 1;
        uint64_t key_end = key_begin + 1;
        bool escaped = false;
        while (key_end < doc_end_ && base_[key_end] != '"') {
          escaped |= base_[key_end] == '\\';
          key_end += base_[key_end] == '\\' ? 2 : 1;
        }
        if (key_end > doc_end_) key_end = doc_end_;
        std::string_view key(base_ + key_begin + 1, key_end - key_begin - 1);
        ++report_->counts.keys;
        if (escaped) {
          if (!String(key_begin + 1, key_end, true)) return false;  // validates the escapes
          if (!json::Unescape(key, &key_scratch_)) return Fail(json::Error::kString, key_begin, "bad key");
          key = key_scratch_;
        } else {
          for (size_t i = 0; i < key.size(); ++i) {
            if (static_cast<unsigned char>(key[i]) < 0x20) {
              return Fail(json::Error::kUnescapedChars, key_begin + 1 + i, "control character in key");
            }
          }
        }
        // Without statistics or a locator (which names its keys by trie node) the trie is
        // not needed: every key maps to its overflow node.
        const uint32_t child = UsesTrie() ? trie_->Child(node, key) : PathTrie::kOverflow;
        const uint32_t member = PushEntry(key_begin, entry, KeyLabel(child, key));
        uint64_t value_end = 0;
        ondemand::Value member_value = field.value();
        if (!Walk(member_value, child, depth + 1, member, &value_end)) return false;
        CloseEntry(member, value_end);
        last = value_end;
      }
      last = SkipSpace(last);
      *end = (last < doc_end_ && base_[last] == '}') ? last + 1 : last;
    } else {
      ++report_->counts.arrays;
      Touch(node, kJsonArray);
      ondemand::Array array;
      if (auto e = value.Get(&array); e != json::Error::kOk) return FailIter(e, begin);
      const uint32_t child = UsesTrie() ? trie_->Star(node) : PathTrie::kOverflow;
      uint32_t index = 0;
      for (auto& element_result : array) {
        ondemand::Value element;
        if (auto e = element_result.Get(&element); e != json::Error::kOk) return FailIter(e, last);
        const uint32_t item = PushEntry(Offset(element.RawToken().data()), entry, index);
        if (index < 0x7FFFFFFFu) ++index;
        uint64_t value_end = 0;
        if (!Walk(element, child, depth + 1, item, &value_end)) return false;
        CloseEntry(item, value_end);
        last = value_end;
      }
      last = SkipSpace(last);
      *end = (last < doc_end_ && base_[last] == ']') ? last + 1 : last;
    }
    return true;
  }

  const char* base_;
  const JsonOptions& options_;
  PathTrie* trie_;
  JsonReport* report_;
  JsonLocator* locator_;
  ondemand::Document* doc_ = nullptr;
  WalkError* error_ = nullptr;
  uint64_t doc_end_ = 0;
  uint64_t record_ = 0;
  std::vector<uint32_t> key_ids_;
  StringMap<uint32_t> interned_;
  std::string key_scratch_;  // the unescaped form of a key with escapes
  const std::vector<uint64_t>* targets_ = nullptr;  // set_targets
  uint64_t stop_after_ = 0;
  size_t targets_below_ = 0;         // targets before targets_below_end_ (CloseEntry)
  uint64_t targets_below_end_ = 0;
  bool stopped_ = false;
  bool skip_untargeted_ = false;  // set_targets
  bool skipping_ = false;         // in this parse's walk
  uint32_t walk_root_depth_ = 0;  // of the value this parse's walk began with
  uint64_t reparse_left_ = 0;     // bytes deferred containers may still be re-parsed for
  std::vector<Deferred> deferred_;
  bool walked_deferred_ = false;
  // NextBackslash's answer: no backslash in [backslash_from_, backslash_) of the document
  // that ends at backslash_doc_end_.
  uint64_t backslash_from_ = 0, backslash_ = 0, backslash_doc_end_ = ~uint64_t{0};
};

std::optional<JsonLocator::Location> JsonLocator::Locate(uint64_t offset) const {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), offset,
                             [](uint64_t o, const Entry& e) { return o < e.begin; });
  if (it == entries_.begin()) return std::nullopt;
  uint32_t index = static_cast<uint32_t>(it - entries_.begin()) - 1;
  while (index != kNoParent && !(offset >= entries_[index].begin && offset < entries_[index].end)) {
    index = entries_[index].parent;
  }
  if (index == kNoParent) return std::nullopt;
  Location loc;
  loc.span = {entries_[index].begin, entries_[index].end};
  std::vector<uint32_t> chain;
  uint32_t root = index;
  for (uint32_t i = index; i != kNoParent; i = entries_[i].parent) {
    chain.push_back(i);
    root = i;
  }
  auto r = std::lower_bound(root_entries_.begin(), root_entries_.end(), root);
  if (r != root_entries_.end() && *r == root) loc.record = root_records_[static_cast<size_t>(r - root_entries_.begin())];
  const Entry& innermost = entries_[index];
  if (innermost.parent != kNoParent && (innermost.label & kMemberBit)) {
    loc.key = keys_[innermost.label & ~kMemberBit];
  }
  for (auto c = chain.rbegin(); c != chain.rend(); ++c) {
    const Entry& e = entries_[*c];
    if (e.parent == kNoParent) continue;
    loc.pointer.push_back('/');
    if (e.label & kMemberBit) {
      for (char ch : keys_[e.label & ~kMemberBit]) {
        if (ch == '~') {
          loc.pointer.append("~0");
        } else if (ch == '/') {
          loc.pointer.append("~1");
        } else {
          loc.pointer.push_back(ch);
        }
      }
    } else {
      absl::StrAppend(&loc.pointer, e.label);
    }
  }
  return loc;
}

struct JsonAnalyzer::Impl {
  explicit Impl(JsonOptions o) : options(o) {}

  // Copies `data` into the padded buffer and returns it.
  const char* Pad(std::string_view data) {
    const size_t need = data.size() + ondemand::kPadding;
    if (buffer_capacity < need) {
      buffer.reset(new char[need]);
      buffer_capacity = need;
    }
    if (!data.empty()) std::memcpy(buffer.get(), data.data(), data.size());
    std::memset(buffer.get() + data.size(), ' ', ondemand::kPadding);
    return buffer.get();
  }

  // Parses and walks one document at [begin, begin + len) of `base` (padded to
  // `total` + padding). Returns true when valid.
  bool Run(const char* base, uint64_t begin, uint64_t len, uint64_t total, JsonWalker* walker, WalkError* error) {
    ondemand::Document doc;
    const size_t capacity = total - begin + ondemand::kPadding;
    if (auto e = parser.Iterate(base + begin, len, capacity, &doc); e != json::Error::kOk) {
      error->code = e;
      error->message = std::string(json::ErrorMessage(e));
      const std::string_view text(base + begin, len);
      if (e == json::Error::kUtf8) {
        error->offset = begin + internal::FirstInvalidUtf8(text);
        error->exact = true;
      } else if ((e == json::Error::kUnescapedChars || e == json::Error::kUnclosedString) &&
                 FindStringProblem(text, &error->offset)) {
        error->offset += begin;
        error->exact = true;
      } else {
        error->offset = begin + len;
        error->exact = false;
      }
      return false;
    }
    const bool ok = walker->WalkDocument(doc, begin, len, error);
    WalkDeferred(base, total, walker);
    return ok;
  }

  // The containers a skipping walk deferred (LocateTargets), each walked from a parse of
  // its own text: the parser is free once the walk that deferred them is done. A
  // container of a valid document parses alone; were one not to, its targets are located
  // at the entry that holds it, as after any error.
  void WalkDeferred(const char* base, uint64_t total, JsonWalker* walker) {
    JsonWalker::Deferred item;
    while (walker->PopDeferred(&item)) {
      ondemand::Document doc;
      const size_t capacity = total - item.begin + ondemand::kPadding;
      if (parser.Iterate(base + item.begin, item.end - item.begin, capacity, &doc) != json::Error::kOk) continue;
      WalkError error;
      walker->WalkDeferred(doc, item, &error);
    }
  }

  static void RecordError(JsonReport* r, const WalkError& e) {
    r->error_code = std::string(json::ErrorName(e.code));
    r->error_offset = e.offset;
    r->error_offset_exact = e.exact;
    const std::string msg = absl::StrCat("malformed JSON at byte ", e.offset, e.exact ? "" : " (approximate)", ": ", e.message);
    r->status = e.code == json::Error::kDepth ? absl::ResourceExhaustedError(msg) : absl::InvalidArgumentError(msg);
  }

  // A valid document needs no walk when nothing but its escaped strings is asked for,
  // and the DOM parse rejects whatever the walk would (its depth limit is no looser).
  bool WithoutWalk(size_t size) const {
    return !options.counts && !options.statistics && !options.build_locator &&
           !options.decode_all_strings && options.max_depth >= json::Parser::kDefaultMaxDepth &&
           size <= kMaxDomBytes;
  }

  // The report of a document the DOM parse accepted: its escaped strings, decoded as
  // the walk decodes them, found without a walk. In valid JSON a backslash is inside a
  // string, and the first backslash after a string is the first of its own string, so
  // that string opens at the last quote before it (no backslash between them can escape
  // it) and closes at the first quote after it that no backslash escapes. False when
  // that does not hold or a string does not decode (the two parsers disagree): the
  // caller walks instead.
  bool FromValidText(std::string_view json, JsonReport* report) {
    report->size = json.size();
    report->valid = true;
    report->records = 1;
    report->valid_records = 1;
    return DecodeEscapedStrings(json, 0, report);
  }

  // An NDJSON record [begin, end) of `ndjson` without a walk: true when the DOM parser
  // accepts it and its escaped strings decode (into `report`). Otherwise `report` is as
  // before, and the caller walks the record.
  bool LeanRecord(std::string_view ndjson, size_t begin, size_t end, JsonReport* report) {
    dom_high_water = std::max(dom_high_water, end - begin);
    json::Value root;
    if (dom->Parse(ndjson.substr(begin, end - begin), &root) != json::Error::kOk) return false;
    DecodedStrings& decoded = report->decoded_strings;
    const size_t text_size = decoded.text.size(), pieces = decoded.map.pieces().size();
    const uint64_t derived_end = decoded.map.derived_size(), count = decoded.count;
    const uint64_t escaped = report->counts.escaped_strings, lone = report->lone_surrogates;
    if (DecodeEscapedStrings(ndjson.substr(0, end), begin, report)) return true;
    // The two parsers disagree on this record: undo its strings (each began with a gap,
    // or in an empty map, so no earlier piece was extended) and let the walk decide.
    decoded.text.resize(text_size);
    decoded.map.Truncate(pieces, derived_end);
    decoded.count = count;
    report->counts.escaped_strings = escaped;
    report->lone_surrogates = lone;
    return false;
  }

  // The escaped strings of a DOM-validated JSON text that ends where `json` ends and
  // starts at `begin` (a record of an NDJSON document: offsets stay the document's),
  // decoded and counted into `report` as the walk would.
  bool DecodeEscapedStrings(std::string_view json, size_t begin, JsonReport* report) {
    DecodedStrings* out = options.decode_strings ? &report->decoded_strings : nullptr;
    StringProblem problem;
    for (size_t from = begin; from < json.size();) {
      const void* hit = std::memchr(json.data() + from, '\\', json.size() - from);
      if (hit == nullptr) break;
      const size_t backslash = static_cast<size_t>(static_cast<const char*>(hit) - json.data());
      // The opening quote: most are a few bytes back; past those, memrchr (rfind steps
      // back a byte at a time over a long string's text).
      size_t open = backslash;
      const size_t near = backslash - std::min<size_t>(backslash - from, 16);
      while (open > near && json[open - 1] != '"') --open;
      if (open > near) {
        --open;
      } else {
        const void* quote = memrchr(json.data() + from, '"', near - from);
        if (quote == nullptr) return false;
        open = static_cast<size_t>(static_cast<const char*>(quote) - json.data());
      }
      ++report->counts.escaped_strings;
      if (out) BeginDecoded(out);
      size_t close = 0;  // relative to the content's start
      if (!DecodeString(json.substr(open + 1), open + 1, out, &report->lone_surrogates, &problem,
                        &close)) {
        return false;
      }
      from = open + 1 + close + 1;
    }
    return true;
  }

  // A DOM parse touches ~5-13 bytes of memory per document byte (its token index, the
  // tape, the strings; 12 for bench/analyze_benchmark's number-dense document). It is
  // kept for the next document up to kKeepDomBytes: a fresh parser faults all of it in
  // again (that was ~45% of a JSON component's analysis before issue 22).
  void ReleaseLargeDom() {
    if (dom_high_water > kKeepDomBytes) {
      dom.reset();
      dom_high_water = 0;
    }
  }

  // Without counts, a walked report looks like one made from the index.
  void DropCountsNotAsked(JsonReport* report) const {
    if (options.counts) return;
    JsonCounts escaped_only;
    escaped_only.escaped_strings = report->counts.escaped_strings;
    report->counts = escaped_only;
    report->max_depth = 0;
  }

  static constexpr size_t kMaxDomBytes = size_t{64} << 20;  // classification's limit too
  static constexpr size_t kKeepDomBytes = size_t{32} << 20;
  static constexpr size_t kKeepStringsBytes = 2 * kKeepDomBytes;

  JsonOptions options;
  ondemand::Parser parser;
  std::unique_ptr<char[]> buffer;
  size_t buffer_capacity = 0;
  std::optional<json::Parser> dom;  // made on first use
  size_t dom_high_water = 0;        // largest document `dom` parsed
  // The bytes of the last Validate that returned true (a promise check, not a proof).
  const char* validated_data = nullptr;
  size_t validated_size = 0;
  std::optional<DecodedStrings> spare_strings;  // Recycle's, for the next report
};

// Reserving up front (address space only; pages are touched as they fill) avoids the
// copy-on-grow of multi-megabyte vectors, which dominated large documents.
void JsonAnalyzer::Reserve(JsonReport* report, size_t size) {
  if (report->locator) report->locator->Reserve(size / 8 + 16);
  DecodedStrings& decoded = report->decoded_strings;
  if (impl_->spare_strings) {
    decoded = *std::move(impl_->spare_strings);
    impl_->spare_strings.reset();
    decoded.text.clear();
    decoded.map.Clear();
    decoded.count = 0;
    // Decoding never grows a string, so this is the last growth a recycled buffer sees.
    // A fresh one grows as it fills: for a caller that does not recycle, a buffer the
    // size of the document costs more in page faults than growing does.
    decoded.text.reserve(size + 16);
  }
  decoded.map.Reserve(size / 32 + 16);
}

namespace {
size_t RetainedBytes(const DecodedStrings& strings) {
  return strings.text.capacity() + strings.map.capacity_bytes();
}
}  // namespace

void JsonAnalyzer::Recycle(DecodedStrings&& used) {
  // As much as the strings of a document the DOM parser is kept for can take.
  if (RetainedBytes(used) > Impl::kKeepStringsBytes) return;
  if (impl_->spare_strings && RetainedBytes(used) < RetainedBytes(*impl_->spare_strings)) {
    return;  // keep the larger
  }
  impl_->spare_strings = std::move(used);
}

JsonAnalyzer::JsonAnalyzer(JsonOptions options) : impl_(std::make_unique<Impl>(options)) {}
JsonAnalyzer::~JsonAnalyzer() = default;

bool JsonAnalyzer::Validate(std::string_view json) {
  impl_->ReleaseLargeDom();
  if (!impl_->dom) impl_->dom.emplace();
  impl_->dom_high_water = std::max(impl_->dom_high_water, json.size());
  json::Value root;
  const bool valid = impl_->dom->Parse(json, &root) == json::Error::kOk;
  impl_->validated_data = valid ? json.data() : nullptr;
  impl_->validated_size = json.size();
  return valid;
}

JsonReport JsonAnalyzer::Analyze(std::string_view json, bool validated) {
  const bool promised = validated && impl_->validated_data == json.data() &&
                        impl_->validated_size == json.size() && impl_->dom;
  impl_->validated_data = nullptr;
  if (impl_->WithoutWalk(json.size()) && (promised || Validate(json))) {
    impl_->validated_data = nullptr;
    JsonReport lean;
    Reserve(&lean, json.size());
    const bool done = impl_->FromValidText(json, &lean);
    impl_->ReleaseLargeDom();
    if (done) return lean;
  }
  JsonReport report = Walk(json);
  impl_->DropCountsNotAsked(&report);
  return report;
}

JsonReport JsonAnalyzer::Walk(std::string_view json) {
  JsonReport report;
  report.size = json.size();
  const char* base = impl_->Pad(json);
  PathTrie trie(impl_->options.max_key_paths);
  if (impl_->options.build_locator) report.locator.emplace();
  Reserve(&report, json.size());
  JsonWalker walker(base, impl_->options, &trie, &report, report.locator ? &*report.locator : nullptr);
  trie.BeginShape();
  WalkError error;
  report.valid = impl_->Run(base, 0, json.size(), json.size(), &walker, &error);
  report.records = 1;
  if (report.valid) {
    report.valid_records = 1;
    if (impl_->options.statistics) report.schema_fingerprint = trie.Fingerprint(trie.ShapeKey());
  } else {
    report.invalid_records = 1;
    Impl::RecordError(&report, error);
  }
  if (impl_->options.statistics) report.key_paths = trie.Export(&report.key_paths_dropped);
  return report;
}

namespace {

// One line of an NDJSON document from *pos: [begin, end) without its line break (nor a CR
// before it), blank when it holds only JSON whitespace. Moves *pos past the line. One
// splitter for AnalyzeNdjson and LocateTargets, so both number the records alike.
struct NdjsonLine {
  uint64_t begin = 0;
  uint64_t end = 0;
  bool blank = false;
};
NdjsonLine NextNdjsonLine(const char* base, uint64_t total, uint64_t* pos) {
  NdjsonLine line;
  line.begin = *pos;
  const void* nl = std::memchr(base + *pos, '\n', total - *pos);
  const uint64_t line_end = nl ? static_cast<uint64_t>(static_cast<const char*>(nl) - base) : total;
  line.end = line_end;
  if (line.end > line.begin && base[line.end - 1] == '\r') --line.end;
  *pos = line_end + 1;
  uint64_t first = line.begin;
  while (first < line.end && IsJsonSpace(base[first])) ++first;
  line.blank = first == line.end;
  return line;
}

}  // namespace

JsonLocator JsonAnalyzer::LocateTargets(std::string_view json, bool ndjson,
                                        const std::vector<uint64_t>& targets, bool known_valid) {
  JsonLocator locator;
  if (targets.empty()) return locator;
  JsonReport unread;  // the walk's counts and strings: the caller asked for neither
  const char* base = impl_->Pad(json);
  PathTrie trie(impl_->options.max_key_paths);
  JsonWalker walker(base, impl_->options, &trie, &unread, &locator);
  walker.set_targets(&targets, known_valid);
  const uint64_t total = json.size();
  if (!ndjson) {
    trie.BeginShape();
    WalkError error;
    impl_->Run(base, 0, total, total, &walker, &error);
    walker.SortEntries();
    return locator;
  }
  // Records are numbered as AnalyzeNdjson numbers them; only those that hold a target are
  // walked. A record's entries lie within its line, so they never locate another line's
  // target: a long export with a few findings is mostly skipped.
  uint64_t record = 0;
  size_t next_target = 0;  // the first target at or after the current line
  for (uint64_t pos = 0; pos < total && pos <= targets.back() && !walker.stopped();) {
    const NdjsonLine line = NextNdjsonLine(base, total, &pos);
    if (line.blank) continue;
    const uint64_t this_record = record++;
    while (next_target < targets.size() && targets[next_target] < line.begin) ++next_target;
    if (next_target == targets.size()) break;
    if (targets[next_target] >= pos) continue;  // none in this line or its line break
    trie.BeginShape();
    walker.set_record(this_record);
    WalkError error;
    impl_->Run(base, line.begin, line.end - line.begin, total, &walker, &error);
  }
  walker.SortEntries();
  return locator;
}

JsonReport JsonAnalyzer::AnalyzeNdjson(std::string_view ndjson) {
  JsonReport report;
  report.ndjson = true;
  report.size = ndjson.size();
  report.valid = true;
  PathTrie trie(impl_->options.max_key_paths);
  if (impl_->options.build_locator) report.locator.emplace();
  Reserve(&report, ndjson.size());
  // As for a document (Analyze): when the report needs nothing a walk gives, a record
  // the DOM parser accepts is not walked, only its escaped strings are decoded; a record
  // it rejects is walked for its error. The padded copy a walk needs is made only then.
  const bool lean = impl_->WithoutWalk(0);  // records are parsed one at a time
  if (lean) {
    impl_->ReleaseLargeDom();
    if (!impl_->dom) impl_->dom.emplace();
  }
  const char* base = nullptr;
  std::optional<JsonWalker> walker;
  std::unordered_map<std::vector<uint64_t>, uint32_t, absl::Hash<std::vector<uint64_t>>> shapes;
  const uint64_t total = ndjson.size();
  for (uint64_t pos = 0; pos < total;) {
    const NdjsonLine line = NextNdjsonLine(ndjson.data(), total, &pos);
    if (line.blank) {
      ++report.blank_lines;
      continue;
    }
    const uint64_t record = report.records++;
    JsonRecordInfo info;
    info.offset = line.begin;
    info.length = line.end - line.begin;
    if (lean && info.length <= Impl::kMaxDomBytes && impl_->LeanRecord(ndjson, line.begin, line.end, &report)) {
      ++report.valid_records;
      info.valid = true;
      if (report.record_info.size() < impl_->options.max_record_details) {
        report.record_info.push_back(std::move(info));
      }
      continue;
    }
    if (base == nullptr) {
      base = impl_->Pad(ndjson);
      walker.emplace(base, impl_->options, &trie, &report, report.locator ? &*report.locator : nullptr);
    }
    trie.BeginShape();
    walker->set_record(record);
    WalkError error;
    info.valid = impl_->Run(base, line.begin, info.length, total, &*walker, &error);
    if (info.valid && impl_->options.statistics) {
      ++report.valid_records;
      std::vector<uint64_t> key = trie.ShapeKey();
      auto it = shapes.find(key);
      if (it == shapes.end()) {
        const uint32_t index = static_cast<uint32_t>(report.fingerprints.size());
        report.fingerprints.push_back({trie.Fingerprint(key), 0, record});
        it = shapes.emplace(std::move(key), index).first;
      }
      info.fingerprint_index = it->second;
      ++report.fingerprints[it->second].records;
    } else if (info.valid) {
      ++report.valid_records;
    } else {
      ++report.invalid_records;
      info.error = error.message;
      info.error_offset = error.offset;
      if (report.valid) {
        report.valid = false;
        Impl::RecordError(&report, error);
        report.status = absl::Status(report.status.code(),
                                     absl::StrCat("record ", record, ": ", report.status.message()));
      }
    }
    if (report.record_info.size() < impl_->options.max_record_details) report.record_info.push_back(std::move(info));
  }
  if (lean) impl_->ReleaseLargeDom();
  if (report.fingerprints.size() == 1) report.schema_fingerprint = report.fingerprints[0].fingerprint;
  if (impl_->options.statistics) report.key_paths = trie.Export(&report.key_paths_dropped);
  impl_->DropCountsNotAsked(&report);
  return report;
}

void JsonReport::WriteJson(JsonWriter& w, size_t max_paths) const {
  w.BeginObject();
  w.Field("valid", valid);
  if (!valid) {
    w.Key("error").BeginObject();
    w.Field("code", error_code);
    w.Field("offset", error_offset);
    w.Field("offset_exact", error_offset_exact);
    w.Field("message", std::string_view(status.message().data(), status.message().size()));
    w.EndObject();
  }
  w.Field("size", size);
  w.Field("max_depth", uint64_t{max_depth});
  w.Key("counts").BeginObject();
  w.Field("objects", counts.objects).Field("arrays", counts.arrays).Field("strings", counts.strings);
  w.Field("keys", counts.keys).Field("numbers", counts.numbers).Field("integers", counts.integers);
  w.Field("floats", counts.floats).Field("bools", counts.bools).Field("nulls", counts.nulls);
  w.Field("huge_numbers", counts.huge_numbers).Field("escaped_strings", counts.escaped_strings);
  w.EndObject();
  if (!schema_fingerprint.empty()) w.Field("schema_fingerprint", schema_fingerprint);
  std::vector<const JsonKeyPath*> top;
  for (const JsonKeyPath& p : key_paths) top.push_back(&p);
  std::sort(top.begin(), top.end(), [](const JsonKeyPath* a, const JsonKeyPath* b) {
    return a->count != b->count ? a->count > b->count : a->path < b->path;
  });
  if (top.size() > max_paths) top.resize(max_paths);
  std::sort(top.begin(), top.end(), [](const JsonKeyPath* a, const JsonKeyPath* b) { return a->path < b->path; });
  w.Field("key_path_count", uint64_t{key_paths.size()});
  w.Field("key_paths_dropped", key_paths_dropped);
  w.Key("key_paths").BeginArray();
  for (const JsonKeyPath* p : top) {
    w.BeginObject().Field("path", p->path).Field("count", p->count).Field("types", TypeList(p->types)).EndObject();
  }
  w.EndArray();
  if (ndjson) {
    w.Key("ndjson").BeginObject();
    w.Field("records", records).Field("valid_records", valid_records).Field("invalid_records", invalid_records);
    w.Field("blank_lines", blank_lines).Field("schema_drift", schema_drift());
    w.Key("fingerprints").BeginArray();
    for (const JsonFingerprintCount& f : fingerprints) {
      w.BeginObject().Field("fingerprint", f.fingerprint).Field("records", f.records);
      w.Field("first_record", f.first_record).EndObject();
    }
    w.EndArray();
    w.Key("invalid").BeginArray();
    size_t shown = 0;
    for (const JsonRecordInfo& r : record_info) {
      if (r.valid) continue;
      if (++shown > 20) break;
      w.BeginObject().Field("offset", r.offset).Field("error_offset", r.error_offset).Field("error", r.error).EndObject();
    }
    w.EndArray();
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace trawl
