// LooseObjectDamage on any bytes: it must end (a truncated or looping zlib stream is the
// libgit2 1.5 hang it guards against) and never read or write out of bounds; what it
// accepts must inflate to exactly the header and the size the header says.
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "git/git_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!trawl::LooseObjectDamage(bytes).empty()) return 0;
  // Accepted: a bounded uncompress agrees that the header's size is the body's.
  std::string out(1 << 20, '\0');
  uLongf length = out.size();
  if (uncompress(reinterpret_cast<Bytef*>(out.data()), &length, data, size) != Z_OK) return 0;
  out.resize(length);
  const size_t nul = out.find('\0');
  const size_t space = out.find(' ');
  if (nul == std::string::npos || space == std::string::npos || space > nul) std::abort();
  if (std::strtoull(out.c_str() + space + 1, nullptr, 10) != out.size() - nul - 1) std::abort();
  return 0;
}
