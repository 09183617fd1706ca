// File: condition.cc
// A recursive-descent parser for the condition language (YARA's precedence: or < and <
// not < comparison < additive < multiplicative < unary), and its evaluator.
#include "rules/condition.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "util/strings.h"

namespace trawl {
namespace {

using Op = ConditionNode::Op;

// Deep enough for any real rule; a bound so hostile input cannot exhaust the stack.
constexpr int kMaxDepth = 200;
constexpr size_t kMaxNodes = 100000;

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }
// Pattern names: YARA identifiers, and the '~N' names importers give anonymous strings.
bool IsNameChar(char c) { return IsIdentChar(c) || c == '~'; }

enum class Tok : uint8_t {
  kEnd,
  kIdent,     // keyword or identifier
  kString,    // $name (text = name, "" for bare $), star = trailing '*'
  kCount,     // #name
  kOffsetOf,  // @name
  kLengthOf,  // !name
  kInteger,
  kLParen,
  kRParen,
  kComma,
  kRange,  // ..
  kOp,     // == != < <= > >= + - * \ % and anything else
  kOther,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string text;
  int64_t value = 0;
  bool star = false;
  size_t offset = 0;
};

class Parser {
 public:
  Parser(std::string_view text, const std::vector<std::string>& names)
      : text_(text), names_(names) {}

  absl::StatusOr<Condition> Parse() {
    Next();
    if (token_.kind == Tok::kEnd) {
      return Fail("empty condition");
    }
    if (token_.kind == Tok::kIdent && token_.text == "sequence") {
      Next();
      if (token_.kind != Tok::kEnd) return Fail("'sequence' stands alone");
      ConditionNode node;
      node.op = Op::kSequence;
      for (uint32_t i = 0; i < names_.size(); ++i) node.patterns.push_back(i);
      condition_.root = Add(std::move(node));
      return std::move(condition_);
    }
    auto root = ParseOr(0);
    if (!root.ok()) return root.status();
    if (token_.kind != Tok::kEnd) return Fail(StrCat("unexpected '", token_.text, "'"));
    condition_.root = *root;
    return std::move(condition_);
  }

 private:
  absl::Status Fail(std::string_view why) const {
    return absl::InvalidArgumentError(StrCat("condition: ", why, " at offset ", token_.offset));
  }

  uint32_t Add(ConditionNode node) {
    condition_.nodes.push_back(std::move(node));
    return static_cast<uint32_t>(condition_.nodes.size() - 1);
  }

  void Next() {
    token_ = Token{};
    pos_ = SkipSpaceAndComments(text_, pos_);
    token_.offset = pos_;
    if (pos_ >= text_.size()) return;
    const char c = text_[pos_];
    if (c == '$' || c == '#' || c == '@' || c == '!') {
      if (c == '!' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '=') {
        token_.kind = Tok::kOp;
        token_.text = "!=";
        pos_ += 2;
        return;
      }
      size_t end = pos_ + 1;
      while (end < text_.size() && IsNameChar(text_[end])) ++end;
      token_.kind = c == '$' ? Tok::kString : c == '#' ? Tok::kCount : c == '@' ? Tok::kOffsetOf
                                                                                 : Tok::kLengthOf;
      token_.text = std::string(text_.substr(pos_ + 1, end - pos_ - 1));
      if (c == '$' && end < text_.size() && text_[end] == '*') {
        token_.star = true;
        ++end;
      }
      pos_ = end;
      return;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t end = pos_;
      int base = 10;
      if (text_.substr(pos_, 2) == "0x" || text_.substr(pos_, 2) == "0X") {
        base = 16;
        end += 2;
        while (end < text_.size() && std::isxdigit(static_cast<unsigned char>(text_[end]))) ++end;
      } else if (text_.substr(pos_, 2) == "0o") {
        base = 8;
        end += 2;
        while (end < text_.size() && text_[end] >= '0' && text_[end] <= '7') ++end;
      } else {
        while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
      }
      const std::string_view digits =
          text_.substr(pos_ + (base == 10 ? 0 : 2), end - pos_ - (base == 10 ? 0 : 2));
      uint64_t value = 0;
      bool overflow = digits.empty();
      for (char d : digits) {
        const int v = std::isdigit(static_cast<unsigned char>(d))
                          ? d - '0'
                          : std::tolower(static_cast<unsigned char>(d)) - 'a' + 10;
        if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - v) / base) {
          overflow = true;
          break;
        }
        value = value * base + v;
      }
      uint64_t unit = 1;
      if (text_.substr(end, 2) == "KB") unit = 1024, end += 2;
      else if (text_.substr(end, 2) == "MB") unit = 1024 * 1024, end += 2;
      if (unit > 1 && value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) / unit) {
        overflow = true;
      }
      token_.kind = overflow ? Tok::kOther : Tok::kInteger;
      token_.value = static_cast<int64_t>(value * unit);
      token_.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      return;
    }
    if (IsIdentStart(c)) {
      size_t end = pos_;
      while (end < text_.size() && IsIdentChar(text_[end])) ++end;
      token_.kind = Tok::kIdent;
      token_.text = std::string(text_.substr(pos_, end - pos_));
      pos_ = end;
      return;
    }
    static constexpr std::string_view kTwo[] = {"==", "!=", "<=", ">=", "..", "<<", ">>"};
    for (std::string_view op : kTwo) {
      if (text_.substr(pos_, 2) == op) {
        token_.kind = op == ".." ? Tok::kRange : Tok::kOp;
        token_.text = std::string(op);
        pos_ += 2;
        return;
      }
    }
    token_.text = std::string(1, c);
    ++pos_;
    switch (c) {
      case '(': token_.kind = Tok::kLParen; return;
      case ')': token_.kind = Tok::kRParen; return;
      case ',': token_.kind = Tok::kComma; return;
      case '<': case '>': case '+': case '-': case '*': case '\\': case '%':
        token_.kind = Tok::kOp;
        return;
      default: token_.kind = Tok::kOther; return;
    }
  }

  bool IsKeyword(std::string_view word) const {
    return token_.kind == Tok::kIdent && token_.text == word;
  }

  absl::StatusOr<uint32_t> PatternIndex(const std::string& name) const {
    for (uint32_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return i;
    }
    return Fail(StrCat("no pattern named $", name));
  }

  absl::StatusOr<uint32_t> ParseOr(int depth) {
    if (depth > kMaxDepth || condition_.nodes.size() > kMaxNodes) return Fail("nested too deeply");
    return ParseJunction(depth, "or", Op::kOr, &Parser::ParseAnd);
  }

  absl::StatusOr<uint32_t> ParseAnd(int depth) {
    return ParseJunction(depth, "and", Op::kAnd, &Parser::ParseNot);
  }

  // operand (keyword operand)*: one node with every operand as a child.
  absl::StatusOr<uint32_t> ParseJunction(int depth, std::string_view keyword, Op op,
                                         absl::StatusOr<uint32_t> (Parser::*operand)(int)) {
    auto first = (this->*operand)(depth + 1);
    if (!first.ok() || !IsKeyword(keyword)) return first;
    ConditionNode node;
    node.op = op;
    node.children.push_back(*first);
    while (IsKeyword(keyword)) {
      Next();
      auto next = (this->*operand)(depth + 1);
      if (!next.ok()) return next;
      node.children.push_back(*next);
    }
    return Add(std::move(node));
  }

  absl::StatusOr<uint32_t> ParseNot(int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    if (IsKeyword("not")) {
      Next();
      auto inner = ParseNot(depth + 1);
      if (!inner.ok()) return inner;
      ConditionNode node;
      node.op = Op::kNot;
      node.children.push_back(*inner);
      return Add(std::move(node));
    }
    return ParseCompare(depth + 1);
  }

  absl::StatusOr<uint32_t> ParseCompare(int depth) {
    auto left = ParseSum(depth + 1);
    if (!left.ok()) return left;
    static constexpr std::pair<std::string_view, ConditionNode::Cmp> kCmps[] = {
        {"==", ConditionNode::Cmp::kEq}, {"!=", ConditionNode::Cmp::kNe},
        {"<", ConditionNode::Cmp::kLt},  {"<=", ConditionNode::Cmp::kLe},
        {">", ConditionNode::Cmp::kGt},  {">=", ConditionNode::Cmp::kGe}};
    if (token_.kind == Tok::kIdent &&
        (token_.text == "contains" || token_.text == "matches" || token_.text == "icontains" ||
         token_.text == "startswith" || token_.text == "endswith" || token_.text == "iequals")) {
      return Fail(StrCat("unsupported: string operator '", token_.text, "'"));
    }
    if (token_.kind != Tok::kOp) return left;
    for (const auto& [text, cmp] : kCmps) {
      if (token_.text != text) continue;
      Next();
      auto right = ParseSum(depth + 1);
      if (!right.ok()) return right;
      ConditionNode node;
      node.op = Op::kCompare;
      node.cmp = cmp;
      node.children = {*left, *right};
      return Add(std::move(node));
    }
    return left;
  }

  // Arithmetic at one precedence level: operand (op operand)*, left-associative.
  struct ArithOp {
    std::string_view text;
    ConditionNode::Arith arith;
  };
  absl::StatusOr<uint32_t> ParseArith(int depth, std::initializer_list<ArithOp> ops,
                                      absl::StatusOr<uint32_t> (Parser::*operand)(int)) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    auto left = (this->*operand)(depth + 1);
    while (left.ok() && token_.kind == Tok::kOp) {
      const ArithOp* op = nullptr;
      for (const ArithOp& candidate : ops) {
        if (token_.text == candidate.text) op = &candidate;
      }
      if (op == nullptr) break;
      Next();
      auto right = (this->*operand)(depth + 1);
      if (!right.ok()) return right;
      ConditionNode node;
      node.op = Op::kArith;
      node.arith = op->arith;
      node.children = {*left, *right};
      left = Add(std::move(node));
    }
    return left;
  }

  absl::StatusOr<uint32_t> ParseSum(int depth) {
    return ParseArith(depth, {{"+", ConditionNode::Arith::kAdd}, {"-", ConditionNode::Arith::kSub}},
                      &Parser::ParseTerm);
  }

  absl::StatusOr<uint32_t> ParseTerm(int depth) {
    auto left = ParseArith(depth,
                           {{"*", ConditionNode::Arith::kMul},
                            {"\\", ConditionNode::Arith::kDiv},
                            {"%", ConditionNode::Arith::kMod}},
                           &Parser::ParseUnary);
    if (left.ok() && ((token_.kind == Tok::kOp && (token_.text == "<<" || token_.text == ">>")) ||
                      (token_.kind == Tok::kOther &&
                       (token_.text == "&" || token_.text == "|" || token_.text == "^")))) {
      return Fail("unsupported: bitwise operator");
    }
    return left;
  }

  absl::StatusOr<uint32_t> ParseUnary(int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    if (token_.kind == Tok::kOp && token_.text == "-") {
      Next();
      auto inner = ParseUnary(depth + 1);
      if (!inner.ok()) return inner;
      ConditionNode node;
      node.op = Op::kNegate;
      node.children.push_back(*inner);
      return Add(std::move(node));
    }
    if (token_.kind == Tok::kOther && token_.text == "~") return Fail("unsupported: bitwise operator");
    return ParsePrimary(depth + 1);
  }

  // A set of patterns after "of": them, or ($a, $b*, ...).
  absl::StatusOr<std::vector<uint32_t>> ParsePatternSet() {
    std::vector<uint32_t> set;
    if (IsKeyword("them")) {
      Next();
      for (uint32_t i = 0; i < names_.size(); ++i) set.push_back(i);
      if (set.empty()) return Fail("'them' but the rule has no patterns");
      return set;
    }
    if (token_.kind != Tok::kLParen) return Fail("expected 'them' or '(' after 'of'");
    Next();
    while (true) {
      if (token_.kind == Tok::kIdent) return Fail("unsupported: a set of rules");
      if (token_.kind != Tok::kString) return Fail("expected $name in a pattern set");
      const size_t before = set.size();
      if (token_.star) {
        for (uint32_t i = 0; i < names_.size(); ++i) {
          if (StartsWith(names_[i], token_.text)) set.push_back(i);
        }
        if (set.size() == before) return Fail(StrCat("no pattern matches $", token_.text, "*"));
      } else {
        auto index = PatternIndex(token_.text);
        if (!index.ok()) return index.status();
        set.push_back(*index);
      }
      Next();
      if (token_.kind == Tok::kComma) {
        Next();
        continue;
      }
      if (token_.kind != Tok::kRParen) return Fail("expected ',' or ')' in a pattern set");
      Next();
      break;
    }
    std::sort(set.begin(), set.end());
    set.erase(std::unique(set.begin(), set.end()), set.end());
    return set;
  }

  absl::StatusOr<uint32_t> ParseOf(ConditionNode node) {
    if (!IsKeyword("of")) return Fail("expected 'of'");
    Next();
    if (IsKeyword("rule")) return Fail("unsupported: a set of rules");
    auto set = ParsePatternSet();
    if (!set.ok()) return set.status();
    node.op = Op::kOf;
    node.patterns = *std::move(set);
    if (token_.kind == Tok::kIdent && (token_.text == "in" || token_.text == "at")) {
      return Fail(StrCat("unsupported: 'of ... ", token_.text, "'"));
    }
    return Add(std::move(node));
  }

  absl::StatusOr<uint32_t> ParsePrimary(int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    ConditionNode node;
    switch (token_.kind) {
      case Tok::kEnd: return Fail("unexpected end of condition");
      case Tok::kLParen: {
        Next();
        auto inner = ParseOr(depth + 1);
        if (!inner.ok()) return inner;
        if (token_.kind != Tok::kRParen) return Fail("expected ')'");
        Next();
        return inner;
      }
      case Tok::kInteger: {
        node.op = Op::kInteger;
        node.value = token_.value;
        Next();
        if (IsKeyword("of")) {
          if (node.value < 0) return Fail("a negative count");
          return ParseOf(std::move(node));
        }
        if (token_.kind == Tok::kOther && token_.text == "%") {
          return Fail("unsupported: percentage of patterns");
        }
        return Add(std::move(node));
      }
      case Tok::kString: {
        if (token_.star || token_.text.empty()) {
          return Fail("a bare $ or $name* stands only in a pattern set");
        }
        auto index = PatternIndex(token_.text);
        if (!index.ok()) return index.status();
        node.patterns.push_back(*index);
        Next();
        if (IsKeyword("at")) {
          Next();
          auto at = ParseSum(depth + 1);
          if (!at.ok()) return at;
          node.op = Op::kAt;
          node.children.push_back(*at);
        } else if (IsKeyword("in")) {
          Next();
          if (token_.kind != Tok::kLParen) return Fail("expected '(' after 'in'");
          Next();
          auto lo = ParseSum(depth + 1);
          if (!lo.ok()) return lo;
          if (token_.kind != Tok::kRange) return Fail("expected '..' in a range");
          Next();
          auto hi = ParseSum(depth + 1);
          if (!hi.ok()) return hi;
          if (token_.kind != Tok::kRParen) return Fail("expected ')' after a range");
          Next();
          node.op = Op::kIn;
          node.children = {*lo, *hi};
        } else {
          node.op = Op::kPattern;
        }
        return Add(std::move(node));
      }
      case Tok::kCount: {
        if (token_.text.empty()) return Fail("unsupported: '#' inside a for loop");
        auto index = PatternIndex(token_.text);
        if (!index.ok()) return index.status();
        node.op = Op::kCount;
        node.patterns.push_back(*index);
        Next();
        if (IsKeyword("in")) return Fail("unsupported: '#a in (range)'");
        return Add(std::move(node));
      }
      case Tok::kOffsetOf: return Fail("unsupported: '@' (match offsets)");
      case Tok::kLengthOf: return Fail("unsupported: '!' (match lengths)");
      case Tok::kIdent: break;
      default: return Fail(StrCat("unexpected '", token_.text, "'"));
    }
    const std::string word = token_.text;
    const size_t word_end = pos_;
    Next();
    if (word == "true" || word == "false") {
      node.op = word == "true" ? Op::kTrue : Op::kFalse;
      return Add(std::move(node));
    }
    if (word == "filesize") {
      node.op = Op::kFilesize;
      return Add(std::move(node));
    }
    if (word == "any" || word == "all" || word == "none") {
      node.value = word == "any" ? 1 : word == "all" ? -1 : 0;
      node.none_of = word == "none";
      return ParseOf(std::move(node));
    }
    if (word == "for") return Fail("unsupported: for loop");
    if (word == "entrypoint") return Fail("unsupported: entrypoint");
    if (word == "defined") return Fail("unsupported: 'defined'");
    static constexpr struct {
      std::string_view name;
      uint8_t width;
      bool big_endian;
    } kReads[] = {{"uint8", 1, false},   {"uint16", 2, false},   {"uint32", 4, false},
                  {"uint8be", 1, true},  {"uint16be", 2, true},  {"uint32be", 4, true}};
    for (const auto& read : kReads) {
      if (word != read.name) continue;
      if (token_.kind != Tok::kLParen) return Fail(StrCat("expected '(' after ", word));
      Next();
      auto offset = ParseSum(depth + 1);
      if (!offset.ok()) return offset;
      if (token_.kind != Tok::kRParen) return Fail("expected ')'");
      Next();
      node.op = Op::kReadUint;
      node.width = read.width;
      node.big_endian = read.big_endian;
      node.children.push_back(*offset);
      return Add(std::move(node));
    }
    if (StartsWith(word, "int") || StartsWith(word, "uint")) {
      return Fail(StrCat("unsupported: signed or unknown read '", word, "'"));
    }
    if (word_end < text_.size() && text_[word_end] == '.') {
      return Fail(StrCat("unsupported: module '", word, "'"));
    }
    return Fail(StrCat("unsupported: rule reference or external variable '", word, "'"));
  }

  std::string_view text_;
  const std::vector<std::string>& names_;
  size_t pos_ = 0;
  Token token_;
  Condition condition_;
};

// Tri-state values: YARA's undefined (a read past the end, a division by zero).
struct Value {
  bool defined = true;
  int64_t number = 0;
};

class Evaluator {
 public:
  Evaluator(const Condition& condition, ConditionContext& context)
      : nodes_(condition.nodes), context_(context) {}

  Value Eval(uint32_t index) {
    const ConditionNode& node = nodes_[index];
    switch (node.op) {
      case Op::kTrue: return {true, 1};
      case Op::kFalse: return {true, 0};
      case Op::kAnd:
        for (uint32_t child : node.children) {
          const Value v = Eval(child);
          if (!v.defined || v.number == 0) return {true, 0};
        }
        return {true, 1};
      case Op::kOr:
        for (uint32_t child : node.children) {
          const Value v = Eval(child);
          if (v.defined && v.number != 0) return {true, 1};
        }
        return {true, 0};
      case Op::kNot: {
        const Value v = Eval(node.children[0]);
        if (!v.defined) return v;
        return {true, v.number == 0 ? 1 : 0};
      }
      case Op::kPattern: return {true, context_.Any(node.patterns[0]) ? 1 : 0};
      case Op::kCount:
        return {true, static_cast<int64_t>(std::min<uint64_t>(
                          context_.Count(node.patterns[0]),
                          static_cast<uint64_t>(std::numeric_limits<int64_t>::max())))};
      case Op::kAt: {
        const Value at = Eval(node.children[0]);
        if (!at.defined || at.number < 0) return {true, 0};
        return {true, context_.AnyAt(node.patterns[0], static_cast<uint64_t>(at.number)) ? 1 : 0};
      }
      case Op::kIn: {
        const Value lo = Eval(node.children[0]);
        const Value hi = Eval(node.children[1]);
        if (!lo.defined || !hi.defined || hi.number < 0 || hi.number < lo.number) return {true, 0};
        return {true, context_.AnyIn(node.patterns[0], static_cast<uint64_t>(std::max<int64_t>(0, lo.number)),
                                     static_cast<uint64_t>(hi.number))
                          ? 1
                          : 0};
      }
      case Op::kOf: {
        const int64_t size = static_cast<int64_t>(node.patterns.size());
        if (node.none_of) {
          for (uint32_t p : node.patterns) {
            if (context_.Any(p)) return {true, 0};
          }
          return {true, 1};
        }
        const int64_t need = node.value < 0 ? size : node.value;
        if (need > size) return {true, 0};
        int64_t have = 0;
        for (size_t k = 0; k < node.patterns.size(); ++k) {
          // Stop as soon as the answer is known: fewer patterns are searched.
          if (have >= need) break;
          if (have + (size - static_cast<int64_t>(k)) < need) break;
          if (context_.Any(node.patterns[k])) ++have;
        }
        return {true, have >= need ? 1 : 0};
      }
      case Op::kCompare: {
        const Value a = Eval(node.children[0]);
        const Value b = Eval(node.children[1]);
        if (!a.defined || !b.defined) return {false, 0};
        bool r = false;
        switch (node.cmp) {
          case ConditionNode::Cmp::kEq: r = a.number == b.number; break;
          case ConditionNode::Cmp::kNe: r = a.number != b.number; break;
          case ConditionNode::Cmp::kLt: r = a.number < b.number; break;
          case ConditionNode::Cmp::kLe: r = a.number <= b.number; break;
          case ConditionNode::Cmp::kGt: r = a.number > b.number; break;
          case ConditionNode::Cmp::kGe: r = a.number >= b.number; break;
        }
        return {true, r ? 1 : 0};
      }
      case Op::kInteger: return {true, node.value};
      case Op::kFilesize: {
        const std::optional<uint64_t> size = context_.Filesize();
        if (!size) return {false, 0};
        return {true, static_cast<int64_t>(*size)};
      }
      case Op::kReadUint: {
        const Value offset = Eval(node.children[0]);
        if (!offset.defined || offset.number < 0) return {false, 0};
        const std::optional<uint64_t> v =
            context_.ReadUint(static_cast<uint64_t>(offset.number), node.width, node.big_endian);
        if (!v) return {false, 0};
        return {true, static_cast<int64_t>(*v)};
      }
      case Op::kArith: {
        const Value a = Eval(node.children[0]);
        const Value b = Eval(node.children[1]);
        if (!a.defined || !b.defined) return {false, 0};
        // Wrapping arithmetic (as unsigned), like YARA's int64 without the UB.
        const uint64_t x = static_cast<uint64_t>(a.number), y = static_cast<uint64_t>(b.number);
        switch (node.arith) {
          case ConditionNode::Arith::kAdd: return {true, static_cast<int64_t>(x + y)};
          case ConditionNode::Arith::kSub: return {true, static_cast<int64_t>(x - y)};
          case ConditionNode::Arith::kMul: return {true, static_cast<int64_t>(x * y)};
          case ConditionNode::Arith::kDiv:
          case ConditionNode::Arith::kMod:
            if (b.number == 0 ||
                (a.number == std::numeric_limits<int64_t>::min() && b.number == -1)) {
              return {false, 0};
            }
            return {true, node.arith == ConditionNode::Arith::kDiv ? a.number / b.number
                                                                   : a.number % b.number};
        }
        return {false, 0};
      }
      case Op::kNegate: {
        const Value a = Eval(node.children[0]);
        if (!a.defined) return a;
        return {true, static_cast<int64_t>(0 - static_cast<uint64_t>(a.number))};
      }
      case Op::kSequence: return {true, context_.Sequence() ? 1 : 0};
    }
    return {false, 0};
  }

 private:
  const std::vector<ConditionNode>& nodes_;
  ConditionContext& context_;
};

constexpr double kNoCover = std::numeric_limits<double>::infinity();

struct Cover {
  double cost = kNoCover;
  std::vector<uint32_t> patterns;
};

Cover Union(Cover a, const Cover& b) {
  if (a.cost == kNoCover || b.cost == kNoCover) return {};
  a.cost += b.cost;
  a.patterns.insert(a.patterns.end(), b.patterns.begin(), b.patterns.end());
  return a;
}

// Whether a comparison node implies its count operand is at least 1: #a > k (k >= 0),
// #a >= k (k >= 1), #a == k (k >= 1), and the mirrored forms.
std::optional<uint32_t> CountAtLeastOne(const std::vector<ConditionNode>& nodes,
                                        const ConditionNode& node) {
  const ConditionNode& a = nodes[node.children[0]];
  const ConditionNode& b = nodes[node.children[1]];
  auto check = [](const ConditionNode& count, ConditionNode::Cmp cmp, int64_t k)
      -> std::optional<uint32_t> {
    if ((cmp == ConditionNode::Cmp::kGt && k >= 0) ||
        ((cmp == ConditionNode::Cmp::kGe || cmp == ConditionNode::Cmp::kEq) && k >= 1)) {
      return count.patterns[0];
    }
    return std::nullopt;
  };
  if (a.op == Op::kCount && b.op == Op::kInteger) return check(a, node.cmp, b.value);
  if (b.op == Op::kCount && a.op == Op::kInteger) {
    // k < #a is #a > k, and so on.
    ConditionNode::Cmp mirrored = node.cmp;
    switch (node.cmp) {
      case ConditionNode::Cmp::kLt: mirrored = ConditionNode::Cmp::kGt; break;
      case ConditionNode::Cmp::kLe: mirrored = ConditionNode::Cmp::kGe; break;
      case ConditionNode::Cmp::kGt: mirrored = ConditionNode::Cmp::kLt; break;
      case ConditionNode::Cmp::kGe: mirrored = ConditionNode::Cmp::kLe; break;
      default: break;
    }
    return check(b, mirrored, a.value);
  }
  return std::nullopt;
}

Cover CheapestCoverOf(const Condition& condition, uint32_t index, const std::vector<double>& cost,
                      int depth) {
  const ConditionNode& node = condition.nodes[index];
  if (depth > kMaxDepth) return {};
  auto single = [&](uint32_t p) {
    if (p < cost.size() && cost[p] == kNeverOccurs) return Cover{0, {}};  // never true
    return p < cost.size() && cost[p] != kNoCover ? Cover{cost[p], {p}} : Cover{};
  };
  switch (node.op) {
    case Op::kPattern:
    case Op::kAt:
    case Op::kIn: return single(node.patterns[0]);
    case Op::kSequence: {
      Cover best;
      for (uint32_t p : node.patterns) {
        Cover c = single(p);
        if (c.cost < best.cost) best = std::move(c);
      }
      return best;
    }
    case Op::kOf: {
      const int64_t size = static_cast<int64_t>(node.patterns.size());
      const int64_t need = node.value < 0 ? size : node.value;
      if (node.none_of || need <= 0) return {};
      if (need > size) return {};  // never true: any cover will do; keep it simple
      // If `need` of the set occur, at least one of any size - need + 1 of them does.
      std::vector<uint32_t> order = node.patterns;
      std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
        return (a < cost.size() ? cost[a] : kNoCover) < (b < cost.size() ? cost[b] : kNoCover);
      });
      Cover out{0, {}};
      for (int64_t k = 0; k < size - need + 1; ++k) out = Union(out, single(order[k]));
      return out;
    }
    case Op::kAnd: {
      Cover best;
      for (uint32_t child : node.children) {
        Cover c = CheapestCoverOf(condition, child, cost, depth + 1);
        if (c.cost < best.cost) best = std::move(c);
      }
      return best;
    }
    case Op::kOr: {
      Cover out{0, {}};
      for (uint32_t child : node.children) {
        out = Union(out, CheapestCoverOf(condition, child, cost, depth + 1));
      }
      return out;
    }
    case Op::kCompare:
      if (auto p = CountAtLeastOne(condition.nodes, node)) return single(*p);
      return {};
    case Op::kCount:  // "#a" as a boolean: nonzero
      return single(node.patterns[0]);
    default: return {};
  }
}

}  // namespace

size_t SkipSpaceAndComments(std::string_view text, size_t pos) {
  while (pos < text.size()) {
    if (std::isspace(static_cast<unsigned char>(text[pos]))) {
      ++pos;
    } else if (text.substr(pos, 2) == "//") {
      while (pos < text.size() && text[pos] != '\n') ++pos;
    } else if (text.substr(pos, 2) == "/*") {
      const size_t close = text.find("*/", pos + 2);
      pos = close == std::string_view::npos ? text.size() : close + 2;
    } else {
      break;
    }
  }
  return pos;
}

std::vector<uint32_t> Condition::ReferencedPatterns() const {
  std::vector<uint32_t> out;
  for (const ConditionNode& node : nodes) out.insert(out.end(), node.patterns.begin(), node.patterns.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

absl::StatusOr<Condition> ParseCondition(std::string_view text,
                                         const std::vector<std::string>& pattern_names) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) text = "all of them";
  return Parser(text, pattern_names).Parse();
}

bool EvaluateCondition(const Condition& condition, ConditionContext& context) {
  if (condition.nodes.empty()) return false;
  const Value v = Evaluator(condition, context).Eval(condition.root);
  return v.defined && v.number != 0;
}

bool IsMonotone(const Condition& condition) {
  using Op = ConditionNode::Op;
  // Whether a count is read anywhere below `index`.
  const auto reads_count = [&](uint32_t index, auto&& self) -> bool {
    const ConditionNode& node = condition.nodes[index];
    if (node.op == Op::kCount) return true;
    for (uint32_t child : node.children) {
      if (self(child, self)) return true;
    }
    return false;
  };
  for (const ConditionNode& node : condition.nodes) {
    if (node.op == Op::kNot || (node.op == Op::kOf && node.none_of)) return false;
    if (node.op != Op::kCompare) continue;
    const ConditionNode& left = condition.nodes[node.children[0]];
    const ConditionNode& right = condition.nodes[node.children[1]];
    const bool from_below = (node.cmp == ConditionNode::Cmp::kGt || node.cmp == ConditionNode::Cmp::kGe) &&
                            left.op == Op::kCount && right.op == Op::kInteger;
    if (!from_below && (reads_count(node.children[0], reads_count) ||
                        reads_count(node.children[1], reads_count))) {
      return false;
    }
  }
  return true;
}

std::optional<std::vector<uint32_t>> CheapestCover(const Condition& condition,
                                                   const std::vector<double>& cost) {
  if (condition.nodes.empty()) return std::nullopt;
  Cover cover = CheapestCoverOf(condition, condition.root, cost, 0);
  if (cover.cost == kNoCover) return std::nullopt;
  std::sort(cover.patterns.begin(), cover.patterns.end());
  cover.patterns.erase(std::unique(cover.patterns.begin(), cover.patterns.end()),
                       cover.patterns.end());
  return cover.patterns;
}

}  // namespace trawl
