// File: defang.h
// Defanged indicators: threat reports write "95.130.15[.]34", "vpn-service[.]us",
// "sec.service@mail[.]ru" and "hxxp://" so nobody opens them by accident. Refang()
// rewrites those tokens to the live form in a derived buffer whose map leads back to the
// defanged bytes, so the indicator and entity rules (written for the live form) find
// them and report them where they are written.
//
// Thread-safety: pure function.
#ifndef TRAWL_SRC_STRUCTURE_DEFANG_H_
#define TRAWL_SRC_STRUCTURE_DEFANG_H_

#include <cstddef>
#include <optional>
#include <string_view>

#include "structure/offset_map.h"

namespace trawl {

// Rewrites "[.]" and "[dot]" to ".", "[@]" and "[at]" to "@", "[:]" to ":" (any case
// inside the brackets) and "hxxp"/"hXXp" to "http". Only the lines that hold a token are
// in the result ('\n'-separated, in order); a rewritten token maps to all of its
// defanged bytes, other bytes 1:1. nullopt when `text` holds no such token, or is larger
// than max_bytes.
std::optional<DerivedBuffer> Refang(std::string_view text, size_t max_bytes = 64u << 20);

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_DEFANG_H_
