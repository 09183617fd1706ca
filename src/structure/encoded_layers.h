// File: encoded_layers.h
// Finds base64 (standard and URL-safe, optionally MIME/PEM line-wrapped) and hex blobs
// above a size threshold, decodes them, and repeats on the decoded bytes up to a depth
// limit. Each decoded layer is a DerivedBuffer whose map leads back to the encoded span,
// so a finding in decoded text is reported at the bytes the user can see.
#ifndef TRAWL_SRC_STRUCTURE_ENCODED_LAYERS_H_
#define TRAWL_SRC_STRUCTURE_ENCODED_LAYERS_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "structure/offset_map.h"

namespace trawl {

class JsonWriter;

struct EncodedLayerOptions {
  size_t min_length = 32;  // encoded characters, line breaks excluded
  uint32_t max_depth = 3;  // decoded layers below the component
  uint64_t max_decoded_bytes = 64u << 20;  // total over all layers
  size_t max_blobs = 10000;
  bool base64 = true;
  bool hex = true;
  // Hex blobs are kept only when they decode to mostly printable text (a hex digest
  // decodes to noise) or to a known file signature.
  double hex_min_printable = 0.8;
  // Join base64 lines of equal length (a multiple of 4, >= 40 chars) split by LF/CRLF.
  bool join_wrapped_lines = true;
};

struct EncodedLayers {
  std::vector<DerivedBuffer> buffers;  // parents precede children
  bool truncated = false;  // a limit stopped the search
  uint64_t decoded_bytes = 0;

  // Maps [begin, end) in buffers[index] to component coordinates.
  ByteSpan MapToComponent(size_t index, uint64_t begin, uint64_t end) const {
    return trawl::MapToComponent(buffers, index, begin, end);
  }
  void WriteJson(JsonWriter& w, size_t max_items = 50) const;
};

EncodedLayers FindEncodedLayers(std::string_view data, const EncodedLayerOptions& options = {});

}  // namespace trawl

#endif  // TRAWL_SRC_STRUCTURE_ENCODED_LAYERS_H_
