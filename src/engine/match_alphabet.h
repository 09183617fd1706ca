// File: match_alphabet.h
// The bytes a regex's matches can contain, over-approximated from the pattern's text.
//
// Span recovery uses it: every byte of a match is in the alphabet, so a match ending at E
// lies inside the run of alphabet bytes that ends at E, and PCRE2 need not try start
// positions before that run. For an entity such as a domain (`[a-z0-9.-]`) in source
// text, that run is an identifier, not the rule's 8 KiB window (docs/matching.md).
#ifndef TRAWL_SRC_ENGINE_MATCH_ALPHABET_H_
#define TRAWL_SRC_ENGINE_MATCH_ALPHABET_H_

#include <array>
#include <bitset>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace trawl {

using ByteSet = std::bitset<256>;
// A set of byte strings of one length: position k holds the bytes allowed there.
using ByteSequence = std::vector<ByteSet>;

// A ByteSet as four 64-bit words (bit b of word w is byte 64w + b), for serializing.
std::array<uint64_t, 4> ByteSetWords(const ByteSet& set);
ByteSet ByteSetFromWords(const std::array<uint64_t, 4>& words);

// A superset of the bytes any match of `pattern` (PCRE2 syntax, definition `flags`) can
// contain. nullopt when the pattern uses syntax this analysis does not follow (verbs,
// conditionals, Unicode properties): the caller then has no bound. Soundness rests on
// adding bytes whenever in doubt; adding too many only weakens the bound.
std::optional<ByteSet> MatchAlphabet(std::string_view pattern, uint32_t flags);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_MATCH_ALPHABET_H_
