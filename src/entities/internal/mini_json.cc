// File: mini_json.cc
#include "entities/internal/mini_json.h"

#include <cstdint>

#include "util/utf8.h"

namespace trawl::internal {
namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<JsonObjectSummary> Run() {
    JsonObjectSummary out;
    SkipWs();
    if (!ParseObject(0, &out)) return std::nullopt;
    SkipWs();
    if (pos_ != s_.size()) return std::nullopt;
    return out;
  }

 private:
  static constexpr int kMaxDepth = 64;

  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Eat(char c) {
    if (pos_ < s_.size() && s_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool Hex4(uint32_t* v) {
    if (s_.size() - pos_ < 4) return false;
    uint32_t r = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_++];
      r <<= 4;
      if (c >= '0' && c <= '9')
        r |= c - '0';
      else if (c >= 'a' && c <= 'f')
        r |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F')
        r |= c - 'A' + 10;
      else
        return false;
    }
    *v = r;
    return true;
  }

  bool ParseString(std::string* out) {
    if (!Eat('"')) return false;
    while (pos_ < s_.size()) {
      unsigned char c = static_cast<unsigned char>(s_[pos_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') {
        if (out) out->push_back(static_cast<char>(c));
        continue;
      }
      if (pos_ >= s_.size()) return false;
      char e = s_[pos_++];
      char plain = 0;
      switch (e) {
        case '"':
          plain = '"';
          break;
        case '\\':
          plain = '\\';
          break;
        case '/':
          plain = '/';
          break;
        case 'b':
          plain = '\b';
          break;
        case 'f':
          plain = '\f';
          break;
        case 'n':
          plain = '\n';
          break;
        case 'r':
          plain = '\r';
          break;
        case 't':
          plain = '\t';
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (!Eat('\\') || !Eat('u') || !Hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return false;
          }
          if (out) ::trawl::AppendUtf8(out, cp);
          continue;
        }
        default:
          return false;
      }
      if (out) out->push_back(plain);
    }
    return false;
  }

  bool ParseNumber() {
    size_t start = pos_;
    Eat('-');
    if (Eat('0')) {
    } else {
      if (pos_ >= s_.size() || s_[pos_] < '1' || s_[pos_] > '9') return false;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    }
    if (Eat('.')) {
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d) return false;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (!Eat('+')) Eat('-');
      size_t d = pos_;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
      if (pos_ == d) return false;
    }
    return pos_ > start;
  }

  bool ParseWord(std::string_view w) {
    if (s_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  // `value` receives the string when the value is a string and `value` is non-null.
  bool ParseValue(int depth, std::string* value, bool* is_string) {
    if (is_string) *is_string = false;
    SkipWs();
    if (pos_ >= s_.size()) return false;
    switch (s_[pos_]) {
      case '{':
        return ParseObject(depth + 1, nullptr);
      case '[':
        return ParseArray(depth + 1);
      case '"':
        if (is_string) *is_string = true;
        return ParseString(value);
      case 't':
        return ParseWord("true");
      case 'f':
        return ParseWord("false");
      case 'n':
        return ParseWord("null");
      default:
        return ParseNumber();
    }
  }

  bool ParseArray(int depth) {
    if (depth > kMaxDepth || !Eat('[')) return false;
    SkipWs();
    if (Eat(']')) return true;
    while (true) {
      if (!ParseValue(depth, nullptr, nullptr)) return false;
      SkipWs();
      if (Eat(']')) return true;
      if (!Eat(',')) return false;
    }
  }

  // `out` is non-null only for the top-level object.
  bool ParseObject(int depth, JsonObjectSummary* out) {
    if (depth > kMaxDepth || !Eat('{')) return false;
    SkipWs();
    if (Eat('}')) return true;
    while (true) {
      SkipWs();
      std::string key;
      if (!ParseString(out ? &key : nullptr)) return false;
      SkipWs();
      if (!Eat(':')) return false;
      std::string value;
      bool is_string = false;
      if (!ParseValue(depth, out ? &value : nullptr, &is_string)) return false;
      if (out) {
        if (is_string) out->strings[key] = std::move(value);
        out->members[key] += 1;
      }
      SkipWs();
      if (Eat('}')) return true;
      if (!Eat(',')) return false;
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<JsonObjectSummary> ParseJsonObject(std::string_view text) {
  return Parser(text).Run();
}

}  // namespace trawl::internal
