// Fuzzes RE2's readings of PCRE2 patterns (engine/re2_dialect.h) against PCRE2 itself:
// for a random pattern, flags and subject, at every start where PCRE2 matches (anchored
// there), the RE2 program (exact reading or prefilter) must match too, since the scanner
// and the composite evaluator take RE2's "no match" as PCRE2's; and where an exact
// reading matches, PCRE2 must match there with the same end, since the scanner reports an
// exact reading's span when PCRE2 gives up. UTF-8 rules get no RE2 program, so the flags
// leave them out.
#include <fuzzer/FuzzedDataProvider.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/re2_dialect.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  trawl::Definition def;
  def.id = "r";
  def.kind = trawl::PatternKind::kRegex;
  def.flags = in.ConsumeIntegral<uint8_t>() &
              (trawl::kFlagCaseless | trawl::kFlagDotAll | trawl::kFlagMultiline);
  def.expression = in.ConsumeRandomLengthString(48);
  const std::string subject = in.ConsumeRemainingBytesAsString().substr(0, 512);
  // The parsers must take any text without reading out of bounds.
  std::string out;
  bool exact = true;
  trawl::RewriteForRe2(def.expression, (def.flags & trawl::kFlagMultiline) != 0, &out, &exact);
  out.clear();
  trawl::RelaxForRe2(def.expression, (def.flags & trawl::kFlagMultiline) != 0, &out);
  const trawl::Re2Program program = trawl::CompileRe2OrPrefilter(def);
  if (program.re == nullptr) return 0;

  uint32_t options = 0;
  if (def.flags & trawl::kFlagCaseless) options |= PCRE2_CASELESS;
  if (def.flags & trawl::kFlagDotAll) options |= PCRE2_DOTALL;
  if (def.flags & trawl::kFlagMultiline) options |= PCRE2_MULTILINE;
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(def.expression.data()),
                                   def.expression.size(), options, &error, &error_offset, nullptr);
  if (code == nullptr) return 0;
  pcre2_match_data* match = pcre2_match_data_create_from_pattern(code, nullptr);
  pcre2_match_context* context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(context, 100000);
  pcre2_set_depth_limit(context, 10000);
  const re2::StringPiece text(subject);
  for (size_t start = 0; start <= subject.size(); ++start) {
    const int rc = pcre2_match(code, reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(),
                               start, PCRE2_ANCHORED, match, context);
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) continue;  // a limit: PCRE2 decides nothing
    re2::StringPiece found;
    const bool re2_match =
        program.re->Match(text, start, subject.size(), RE2::ANCHOR_START, &found, 1);
    const bool pcre2_match = rc > 0;
    // \K moves PCRE2's reported start: the end still comes from this attempt.
    const size_t pcre2_end = pcre2_match ? pcre2_get_ovector_pointer(match)[1] : 0;
    const bool lost = pcre2_match && !re2_match;
    const bool invented = program.exact && re2_match && (!pcre2_match || start + found.size() != pcre2_end);
    if (lost || invented) {
      std::fprintf(stderr, "pattern %s flags %u at %zu: PCRE2 %d (end %zu), RE2 %d (end %zu, %s)\n",
                   def.expression.c_str(), def.flags, start, rc, pcre2_end,
                   static_cast<int>(re2_match), start + found.size(),
                   program.exact ? "exact" : "prefilter");
      std::abort();
    }
  }
  pcre2_match_context_free(context);
  pcre2_match_data_free(match);
  pcre2_code_free(code);
  return 0;
}
