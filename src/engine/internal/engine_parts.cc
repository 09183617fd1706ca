// File: engine_parts.cc
#include "engine/internal/engine_parts.h"

#include <cctype>

#include "util/strings.h"

namespace trawl::internal {

void HsDatabaseDeleter::operator()(hs_database_t* db) const {
  if (borrowed) return;
  if (mapped_size > 0) {
    UnmapMemory(db, mapped_size);
  } else {
    hs_free_database(db);
  }
}

hs_error_t EngineParts::PrepareScratch() const {
  hs_scratch_t* scratch = nullptr;
  for (const HsDatabasePtr& db : databases) {
    if (hs_error_t rc = hs_alloc_scratch(db.get(), &scratch); rc != HS_SUCCESS) {
      hs_free_scratch(scratch);
      return rc;
    }
  }
  prototype_.reset(scratch);
  return HS_SUCCESS;
}

std::string EscapedRegexForLiteral(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    if (std::isalnum(c) != 0 || c == '_') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    out.append("\\x");
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

ScratchPtr EngineParts::NewScratch() const {
  std::call_once(prototype_once_, [this] {
    if (prototype_ == nullptr) PrepareScratch();
  });
  hs_scratch_t* clone = nullptr;
  if (prototype_ == nullptr || hs_clone_scratch(prototype_.get(), &clone) != HS_SUCCESS) {
    return nullptr;
  }
  return ScratchPtr(clone);
}

uint32_t Pcre2Options(const Definition& def) {
  uint32_t options = 0;
  if (def.flags & kFlagCaseless) options |= PCRE2_CASELESS;
  if (def.kind == PatternKind::kLiteral) return options | PCRE2_LITERAL;
  if (def.flags & kFlagDotAll) options |= PCRE2_DOTALL;
  if (def.flags & kFlagMultiline) options |= PCRE2_MULTILINE;
  // MATCH_INVALID_UTF: scanned data is arbitrary bytes; invalid UTF-8 must not be an error.
  if (def.flags & kFlagUtf8) options |= PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  return options;
}

unsigned int HsFlags(const Definition& def) {
  unsigned int flags = 0;
  if (def.flags & kFlagCaseless) flags |= HS_FLAG_CASELESS;
  if (def.kind == PatternKind::kLiteral) return flags;
  if (def.flags & kFlagDotAll) flags |= HS_FLAG_DOTALL;
  if (def.flags & kFlagMultiline) flags |= HS_FLAG_MULTILINE;
  if (def.flags & kFlagUtf8) flags |= HS_FLAG_UTF8;
  return flags;
}

absl::StatusOr<Pcre2CodePtr> CompilePcre2Text(std::string_view pattern, uint32_t options) {
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  Pcre2CodePtr code(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                  options, &error, &error_offset, nullptr));
  if (!code) {
    // Running out of memory is not the pattern's fault: it must not reject the rule.
    if (error == PCRE2_ERROR_HEAP_FAILED) {
      return absl::ResourceExhaustedError("PCRE2: out of memory compiling");
    }
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    return absl::InvalidArgumentError(
        StrCat("PCRE2: ", reinterpret_cast<const char*>(message), " at offset ", error_offset));
  }
  // JIT is an optimisation: when it is unavailable the interpreter gives the same answers.
  pcre2_jit_compile(code.get(), PCRE2_JIT_COMPLETE);
  return code;
}

absl::StatusOr<Pcre2CodePtr> CompilePcre2(const Definition& def, bool for_confirmation) {
  uint32_t options = Pcre2Options(def);
  if (for_confirmation) options |= PCRE2_USE_OFFSET_LIMIT;
  return CompilePcre2Text(def.expression, options);
}

namespace {

// A code unit PCRE2 reports for a pattern (its first or its required last one) as the
// bytes it stands for: PCRE2 does not say whether the unit is meant caselessly, so a
// letter counts in both cases. With the built-in (C locale) tables only ASCII letters
// have another case; under UTF or UCP a letter or a byte above 0x7f may fold to other
// bytes (k and the Kelvin sign), so those give nothing (count 0).
LazyRegex::RequiredBytes UnitBytes(const pcre2_code* code, uint32_t what_type, uint32_t what_unit) {
  LazyRegex::RequiredBytes out;
  uint32_t type = 0, unit = 0, options = 0;
  if (pcre2_pattern_info(code, what_type, &type) != 0 || type != 1 ||
      pcre2_pattern_info(code, what_unit, &unit) != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &options) != 0 || unit > 0xff) {
    return out;
  }
  const bool letter = (unit | 0x20) >= 'a' && (unit | 0x20) <= 'z';
  if ((options & (PCRE2_UTF | PCRE2_UCP)) != 0 && (letter || unit > 0x7f)) return out;
  out.bytes[0] = static_cast<uint8_t>(unit);
  out.count = 1;
  if (letter) out.bytes[out.count++] = static_cast<uint8_t>(unit ^ 0x20);
  return out;
}

}  // namespace

LazyRegex::RequiredBytes RequiredBytesOf(const pcre2_code* code) {
  return UnitBytes(code, PCRE2_INFO_LASTCODETYPE, PCRE2_INFO_LASTCODEUNIT);
}

std::optional<ByteSet> FirstBytesOf(const pcre2_code* code) {
  const LazyRegex::RequiredBytes first =
      UnitBytes(code, PCRE2_INFO_FIRSTCODETYPE, PCRE2_INFO_FIRSTCODEUNIT);
  if (first.count != 0) {
    ByteSet out;
    for (uint8_t i = 0; i < first.count; ++i) out.set(first.bytes[i]);
    return out;
  }
  // Without a fixed first unit, the table PCRE2 builds for its own start search (it
  // already holds both cases of caseless letters and the lead bytes of UTF-8 folds).
  uint32_t type = 0;
  const uint8_t* table = nullptr;
  if (pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 || type != 0 ||
      pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &table) != 0 || table == nullptr) {
    return std::nullopt;
  }
  ByteSet out;
  for (unsigned c = 0; c < 256; ++c) {
    if (table[c / 8] & (1u << (c % 8))) out.set(c);
  }
  if (out.all()) return std::nullopt;
  return out;
}

const pcre2_code* LazyRegex::Get(const Definition& def, bool for_confirmation) {
  std::call_once(once_, [&] {
    auto code = CompilePcre2(def, for_confirmation);
    if (code.ok()) code_ = *std::move(code);
    if (for_confirmation && code_ != nullptr) {
      required_ = RequiredBytesOf(code_.get());
      if (auto first = FirstBytesOf(code_.get())) {
        first_bytes_ = std::make_unique<const ByteSet>(*first);
      }
    }
    if (for_confirmation && def.kind == PatternKind::kRegex) {
      auto alphabet = MatchAlphabet(def.expression, def.flags);
      if (alphabet && !alphabet->all()) alphabet_ = std::make_unique<const ByteSet>(*alphabet);
    }
  });
  return code_.get();
}

}  // namespace trawl::internal
