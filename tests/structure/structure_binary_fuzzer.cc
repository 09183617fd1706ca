// libFuzzer target: binary structure (entropy, strings, signatures) and encoded-layer
// decoding on arbitrary bytes. Traps when a mapped span falls outside the input, when
// a byte-mask kernel this CPU runs differs from the scalar reference, or when the lean
// report the component analysis asks for (issue 22) has other UTF-16 strings.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "structure/binary_structure.h"
#include "structure/encoded_layers.h"
#include "structure/internal/byte_masks.h"
#include "util/json_writer.h"

namespace {
void Check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  trawl::BinaryOptions options;
  options.block_size = 256;
  options.min_string_length = 4;
  const trawl::BinaryReport bin = trawl::AnalyzeBinary(input, options);
  for (const auto& s : bin.strings) Check(s.offset + s.byte_length <= size);
  for (const auto& s : bin.signatures) Check(s.offset < size);
  trawl::BinaryOptions lean_options = options;
  lean_options.ascii_strings = false;
  lean_options.entropy_profile = false;
  lean_options.signatures = false;
  lean_options.max_strings = 64;  // small enough to bind on some inputs
  options.max_strings = 64;
  const trawl::BinaryReport capped = trawl::AnalyzeBinary(input, options);
  const trawl::BinaryReport lean = trawl::AnalyzeBinary(input, lean_options);
  size_t k = 0;
  for (const auto& s : capped.strings) {
    if (!s.utf16) continue;
    Check(k < lean.strings.size() && lean.strings[k].offset == s.offset &&
          lean.strings[k].text == s.text && lean.strings[k].big_endian == s.big_endian);
    ++k;
  }
  Check(k == lean.strings.size() && lean.strings_truncated == capped.strings_truncated);
  const trawl::DerivedBuffer strings = trawl::StringsAsBuffer(bin.strings);
  if (!strings.data.empty()) Check(strings.map.MapRange(0, strings.data.size()).end <= size);

  trawl::EncodedLayerOptions layer_options;
  layer_options.min_length = 8;
  const trawl::EncodedLayers layers = trawl::FindEncodedLayers(input, layer_options);
  for (size_t i = 0; i < layers.buffers.size(); ++i) {
    const auto& b = layers.buffers[i];
    Check(b.depth <= layer_options.max_depth);
    if (b.data.empty()) continue;
    const trawl::ByteSpan span = layers.MapToComponent(i, 0, b.data.size());
    Check(span.begin <= span.end && span.end <= size);
  }
  // Every kernel gives the reference's masks of the input's whole blocks.
  namespace internal = trawl::internal;
  const size_t blocks = size / internal::kMaskBlockBytes;
  if (blocks > 0) {
    const internal::ByteMaskKernel& scalar = internal::AllByteMaskKernels()[0];
    std::vector<uint64_t> want(blocks), want_cr(blocks), got(blocks), got_cr(blocks);
    for (const internal::ByteMaskKernel& kernel : internal::AllByteMaskKernels()) {
      if (!kernel.supported()) continue;
      scalar.alphabet(data, blocks, want.data());
      kernel.alphabet(data, blocks, got.data());
      Check(want == got);
      scalar.line_breaks(data, blocks, want.data(), want_cr.data());
      kernel.line_breaks(data, blocks, got.data(), got_cr.data());
      Check(want == got && want_cr == got_cr);
      scalar.signature_leads(data, blocks, want.data());
      kernel.signature_leads(data, blocks, got.data());
      Check(want == got);
      scalar.defang_leads(data, blocks, want.data());
      kernel.defang_leads(data, blocks, got.data());
      Check(want == got);
      scalar.encoding(data, blocks, want.data(), want_cr.data());
      kernel.encoding(data, blocks, got.data(), got_cr.data());
      Check(want == got && want_cr == got_cr);
    }
  }
  trawl::JsonWriter w;
  bin.WriteJson(w);
  layers.WriteJson(w);
  return 0;
}
