// File: byte_masks.h
// Byte-class bitmasks for the structure stage's own passes (issue 22): the encoded-layer
// finder looks for long runs of base64/hex characters, the line index for line breaks,
// the embedded-signature search (carving) for the first bytes of file magics, refanging
// for the bytes its tokens start with, classification for the NULs and control bytes its
// encoding decision counts.
// Each kernel classifies 64-byte blocks into one 64-bit mask per class (bit i = byte i of
// the block), the shape of the token pass' kernels (src/tokens/kernels.h); those classes
// differ ('/', '_', CR, LF are not token classes), so the structure stage has its own.
//
// The scalar kernel is the reference: the AVX2 and AVX-512 kernels give identical masks
// (tests/structure/byte_masks_test.cc, structure_binary_fuzzer.cc). The kernel is chosen
// once per process from CPUID, never by #ifdef in callers (STYLE.md section 12).
//
// Thread-safety: kernels are stateless functions; SelectedByteMaskKernel() is thread-safe.
#ifndef TRAWL_SRC_STRUCTURE_INTERNAL_BYTE_MASKS_H_
#define TRAWL_SRC_STRUCTURE_INTERNAL_BYTE_MASKS_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace trawl::internal {

inline constexpr size_t kMaskBlockBytes = 64;

// REQUIRES: `data` holds blocks * 64 readable bytes; `out` (`lf`, `cr`) `blocks` words.
// Base64 (standard and URL-safe) and hex alphabet: A-Z a-z 0-9 + / - _
using AlphabetMaskFn = void (*)(const uint8_t* data, size_t blocks, uint64_t* out);
// '\n' and '\r'.
using LineBreakMaskFn = void (*)(const uint8_t* data, size_t blocks, uint64_t* lf,
                                 uint64_t* cr);

// The first bytes of the file signatures FindSignatures knows (IsSignatureLeadByte).
using SignatureLeadMaskFn = void (*)(const uint8_t* data, size_t blocks, uint64_t* out);
// The bytes defanged tokens are found by (IsDefangLeadByte).
using DefangLeadMaskFn = void (*)(const uint8_t* data, size_t blocks, uint64_t* out);
// NUL bytes, and control bytes (IsEncodingControlByte).
using EncodingMaskFn = void (*)(const uint8_t* data, size_t blocks, uint64_t* nul,
                                uint64_t* control);

struct ByteMaskKernel {
  std::string_view name;  // "scalar", "avx2", "avx512"
  AlphabetMaskFn alphabet;
  LineBreakMaskFn line_breaks;
  bool (*supported)();    // this CPU and OS can run it
  SignatureLeadMaskFn signature_leads;
  DefangLeadMaskFn defang_leads;
  EncodingMaskFn encoding;
};

// Every kernel built into this binary, scalar first (supported or not on this CPU).
std::span<const ByteMaskKernel> AllByteMaskKernels();
// The fastest kernel this machine supports, chosen on first call.
const ByteMaskKernel& SelectedByteMaskKernel();

// Whether a byte is in the base64/hex alphabet of AlphabetMaskFn (the reference).
inline bool IsAlphabetByte(uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '+' || c == '/' || c == '-' || c == '_';
}

// Whether a byte starts one of the file signatures of binary_structure.h (the reference of
// SignatureLeadMaskFn): PK, 1F 8B, 7z, FD 7zXZ, BZh, %PDF, 7F ELF, MZ, 89 PNG, FF D8, and
// the 'u' of a tar header's "ustar".
inline bool IsSignatureLeadByte(uint8_t c) {
  return c == 'P' || c == 0x1F || c == '7' || c == 0xFD || c == 'B' || c == '%' || c == 0x7F ||
         c == 'M' || c == 0x89 || c == 0xFF || c == 'u';
}

// Whether a byte leads a defanged token of structure/defang.h (the reference of
// DefangLeadMaskFn): '[' starts "[.]", "[dot]", "[@]", "[at]" and "[:]"; an 'x' or 'X'
// follows the 'h' of "hxxp".
inline bool IsDefangLeadByte(uint8_t c) { return c == '[' || c == 'x' || c == 'X'; }

// Whether a byte counts against text in classification's encoding decision (the reference
// of EncodingMaskFn's `control`): below 0x20 but NUL (counted on its own), TAB, LF, CR, FF
// and ESC; and DEL.
inline bool IsEncodingControlByte(uint8_t c) {
  return (c < 0x20 && c != 0 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b) ||
         c == 0x7f;
}

// The defang-lead masks of blocks [first, first + blocks) of `data`, the final partial
// block padded with NULs. REQUIRES: first + blocks <= ceil(data.size() / 64).
void DefangLeadMasks(std::string_view data, size_t first, size_t blocks, uint64_t* out,
                     const ByteMaskKernel& kernel = SelectedByteMaskKernel());

// The signature-lead masks of blocks [first, first + blocks) of `data`, the final partial
// block padded with NULs. REQUIRES: first + blocks <= ceil(data.size() / 64).
void SignatureLeadMasks(std::string_view data, size_t first, size_t blocks, uint64_t* out,
                        const ByteMaskKernel& kernel = SelectedByteMaskKernel());

// The line-break masks of blocks [first, first + blocks) of `data`, the final partial
// block padded with NULs. REQUIRES: first + blocks <= ceil(data.size() / 64).
void LineBreakMasks(std::string_view data, size_t first, size_t blocks, uint64_t* lf,
                    uint64_t* cr, const ByteMaskKernel& kernel = SelectedByteMaskKernel());

// The masks of `data` in batches: Mask(block) for any block index, bytes past the end
// count as in no class. Meant for a forward walk (a batch is classified when first
// asked for). Thread-compatible.
class AlphabetMasks {
 public:
  explicit AlphabetMasks(std::string_view data,
                         const ByteMaskKernel& kernel = SelectedByteMaskKernel())
      : data_(data), kernel_(kernel) {}
  uint64_t Mask(size_t block) {
    if (block < first_ || block >= first_ + count_) Fill(block);
    return masks_[block - first_];
  }

 private:
  static constexpr size_t kBatch = 64;
  void Fill(size_t block);
  std::string_view data_;
  const ByteMaskKernel& kernel_;
  size_t first_ = 0, count_ = 0;
  uint64_t masks_[kBatch];
};

// The byte counts an encoding decision rests on (media type sniffing, the classify
// stage's DetectEncoding): NULs at even and at odd offsets, and control bytes
// (IsEncodingControlByte). REQUIRES: sample.size() < 2^28.
struct ByteCounts {
  size_t nul_even = 0, nul_odd = 0;
  size_t control = 0;
};
ByteCounts CountEncodingBytes(std::string_view sample,
                              const ByteMaskKernel& kernel = SelectedByteMaskKernel());

}  // namespace trawl::internal

#endif  // TRAWL_SRC_STRUCTURE_INTERNAL_BYTE_MASKS_H_
