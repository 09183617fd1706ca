// File: entropy.h
// Shannon entropy in bits per byte (0..8): used for secret-likeness of captured values
// and for finding encrypted or compressed regions in binaries.
#ifndef TRAWL_SRC_UTIL_ENTROPY_H_
#define TRAWL_SRC_UTIL_ENTROPY_H_

#include <string_view>

namespace trawl {

double ShannonEntropy(std::string_view data);

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_ENTROPY_H_
