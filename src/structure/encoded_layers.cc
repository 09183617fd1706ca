// File: encoded_layers.cc
#include "structure/encoded_layers.h"

#include <algorithm>
#include <array>
#include <string>

#include "structure/binary_structure.h"
#include "structure/internal/byte_masks.h"
#include "structure/internal/utf8.h"
#include "util/json_writer.h"

namespace trawl {
namespace {

// kHex marks hex digits, so a run's "all hex" test is the AND of its classes.
enum CharClass : uint8_t { kUpper = 1, kLower = 2, kDigit = 4, kStd = 8, kUrl = 16, kHex = 32 };
constexpr uint8_t kAlphabet = kUpper | kLower | kDigit | kStd | kUrl;

constexpr std::array<uint8_t, 256> MakeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 'A'; c <= 'Z'; ++c) t[c] = kUpper | (c <= 'F' ? kHex : 0);
  for (int c = 'a'; c <= 'z'; ++c) t[c] = kLower | (c <= 'f' ? kHex : 0);
  for (int c = '0'; c <= '9'; ++c) t[c] = kDigit | kHex;
  t['+'] = kStd;
  t['/'] = kStd;
  t['-'] = kUrl;
  t['_'] = kUrl;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = MakeClasses();

int Base64Value(uint8_t c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

int HexDigit(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Share of bytes that are printable ASCII, common whitespace or well-formed UTF-8.
double PrintableRatio(std::string_view d) {
  if (d.empty()) return 0;
  uint64_t ok = 0;
  for (size_t i = 0; i < d.size();) {
    const uint8_t c = static_cast<uint8_t>(d[i]);
    if (c < 0x80) {
      ok += (c >= 0x20 && c < 0x7F) || c == '\t' || c == '\n' || c == '\r';
      ++i;
      continue;
    }
    const size_t len = internal::Utf8SequenceLength(d, i);
    if (len == 0) {
      ++i;
    } else {
      ok += len;
      i += len;
    }
  }
  return static_cast<double>(ok) / static_cast<double>(d.size());
}

struct Segment {
  size_t begin;
  size_t end;
};

// The start of the first run of at least `min_run` (1..64) alphabet bytes that begins at
// or after `from`, or data.size(). REQUIRES: `from` is not inside a run (it is at a run's
// first byte or at a byte outside the alphabet).
//
// The masks of two neighbouring blocks hold every window of min_run bytes that starts in
// the first: ANDing the 128-bit pair with itself shifted by 1, 2, 4, ... leaves the bits
// where a whole window is in the alphabet. Text whose runs are all short (words, paths,
// ids: nearly all text) costs a few word operations per 64 bytes, not a look per byte.
size_t NextLongRun(std::string_view data, size_t from, size_t min_run,
                   internal::AlphabetMasks& masks) {
  using Pair = unsigned __int128;
  const size_t n = data.size();
  for (size_t block = from / internal::kMaskBlockBytes; block * internal::kMaskBlockBytes < n;
       ++block) {
    const uint64_t here = masks.Mask(block);
    if (here == 0) continue;
    Pair windows = Pair{here} | (Pair{masks.Mask(block + 1)} << 64);
    for (size_t covered = 1; covered < min_run;) {
      const size_t shift = std::min(covered, min_run - covered);
      windows &= windows >> shift;
      covered += shift;
    }
    uint64_t starts = static_cast<uint64_t>(windows);
    if (block == from / internal::kMaskBlockBytes) {
      starts &= ~uint64_t{0} << (from % internal::kMaskBlockBytes);
    }
    if (starts == 0) continue;
    size_t at = block * internal::kMaskBlockBytes + static_cast<size_t>(__builtin_ctzll(starts));
    while (at > from && kClass[static_cast<uint8_t>(data[at - 1])]) --at;
    return at;
  }
  return n;
}

class LayerFinder {
 public:
  LayerFinder(const EncodedLayerOptions& options, EncodedLayers* out) : options_(options), out_(out) {}

  // Scans `data` (the component when parent < 0) and appends decoded children to `found`.
  // Most runs are words shorter than min_length: the masks jump over them (NextLongRun),
  // and they cost no allocation (segments_ is reused).
  void Scan(std::string_view data, int32_t parent, uint32_t depth, std::vector<DerivedBuffer>* found) {
    const size_t n = data.size();
    const auto at = [&](size_t i) { return static_cast<uint8_t>(data[i]); };
    std::vector<Segment>& segments = segments_;
    // Runs shorter than this are below min_length and, under 40 characters, cannot be
    // the first line of a wrapped blob either.
    const size_t short_run =
        options_.join_wrapped_lines ? std::min<size_t>(options_.min_length, 40) : options_.min_length;
    // Runs shorter than short_run are skipped below anyway: jump over them by the masks.
    const size_t min_run = std::clamp<size_t>(short_run, 1, internal::kMaskBlockBytes);
    internal::AlphabetMasks masks(data);
    size_t i = 0;
    while (i < n) {
      i = NextLongRun(data, i, min_run, masks);
      if (i >= n) break;
      if (!kClass[at(i)]) {
        ++i;
        continue;
      }
      // A run too short to be a blob or to continue on the next line is skipped first.
      size_t run = i + 1;
      while (run < n && kClass[at(run)]) ++run;
      if (run - i < short_run) {
        i = run;
        continue;
      }
      // A maximal run of base64/hex characters, possibly continued over wrapped lines.
      segments.clear();
      uint8_t classes = 0;
      bool all_hex = true;
      size_t j = i;
      while (true) {
        const size_t seg_begin = j;
        uint8_t seg_or = 0, seg_and = kAlphabet | kHex;
        while (j < n && kClass[at(j)]) {
          seg_or |= kClass[at(j)];
          seg_and &= kClass[at(j)];
          ++j;
        }
        const bool seg_hex = (seg_and & kHex) != 0;
        const size_t len = j - seg_begin;
        if (!segments.empty()) {
          // A continuation line must be no longer than the first and end the line.
          const size_t first = segments[0].end - segments[0].begin;
          const bool ends_line = j >= n || data[j] == '\r' || data[j] == '\n' || data[j] == '=';
          if (len > first || !ends_line) {
            j = segments.back().end;
            break;
          }
        }
        classes |= seg_or;
        all_hex &= seg_hex;
        segments.push_back({seg_begin, j});
        // Only full-width lines (a multiple of 4, >= 40 chars, not hex) continue.
        if (!options_.join_wrapped_lines || len < 40 || len % 4 != 0 || all_hex) break;
        if (segments.size() > 1 && len != segments[0].end - segments[0].begin) break;
        size_t k = j;
        if (k < n && data[k] == '\r') ++k;
        if (k < n && data[k] == '\n') ++k;
        if (k == j || k >= n || !kClass[at(k)]) break;
        j = k;
      }
      // Padding after the last segment.
      size_t end = j;
      while (end < n && data[end] == '=' && end - j < 2) ++end;
      const size_t run_end = end;
      i = std::max(run_end, i + 1);

      size_t chars = 0;
      for (const Segment& s : segments) chars += s.end - s.begin;
      if (chars < options_.min_length) continue;
      if (all_hex && end == j && chars % 2 == 0 && segments.size() == 1) {
        if (options_.hex) Hex(data, segments[0], parent, depth, found);
        continue;
      }
      if (!options_.base64) continue;
      const bool std_chars = classes & kStd, url_chars = classes & kUrl;
      if (std_chars && url_chars) continue;  // paths, identifiers: not one alphabet
      if (!((classes & kUpper) && (classes & kLower) && (classes & kDigit))) continue;
      if (chars % 4 == 1) continue;
      Base64(data, segments, run_end, url_chars, parent, depth, found);
    }
  }

  bool Full() const { return out_->truncated; }

 private:
  bool Reserve(size_t bytes) {
    if (count_ >= options_.max_blobs || out_->decoded_bytes + bytes > options_.max_decoded_bytes) {
      out_->truncated = true;
      return false;
    }
    ++count_;
    out_->decoded_bytes += bytes;
    return true;
  }

  void Hex(std::string_view data, Segment s, int32_t parent, uint32_t depth, std::vector<DerivedBuffer>* found) {
    DerivedBuffer b;
    b.encoding = DerivedEncoding::kHex;
    b.source_span = {s.begin, s.end};
    b.parent = parent;
    b.depth = depth;
    b.data.reserve((s.end - s.begin) / 2);
    for (size_t k = s.begin; k + 1 < s.end; k += 2) {
      b.data.push_back(static_cast<char>(HexDigit(static_cast<uint8_t>(data[k])) << 4 |
                                         HexDigit(static_cast<uint8_t>(data[k + 1]))));
    }
    b.printable_ratio = PrintableRatio(b.data);
    bool sig = false;
    if (b.printable_ratio < options_.hex_min_printable) {
      bool truncated = false;
      const auto sigs = FindSignatures(std::string_view(b.data).substr(0, 16), 1, &truncated);
      sig = !sigs.empty() && sigs[0].offset == 0;
      if (!sig) return;
    }
    if (!Reserve(b.data.size())) return;
    b.map.AppendLinear(s.begin, b.data.size(), s.end - s.begin);
    found->push_back(std::move(b));
  }

  void Base64(std::string_view data, const std::vector<Segment>& segments, size_t run_end, bool url,
              int32_t parent, uint32_t depth, std::vector<DerivedBuffer>* found) {
    DerivedBuffer b;
    b.encoding = url ? DerivedEncoding::kBase64Url : DerivedEncoding::kBase64;
    b.source_span = {segments.front().begin, run_end};
    b.parent = parent;
    b.depth = depth;
    uint32_t acc = 0;
    int bits = 0;
    for (const Segment& s : segments) {
      const size_t before = b.data.size();
      for (size_t k = s.begin; k < s.end; ++k) {
        acc = (acc << 6) | static_cast<uint32_t>(Base64Value(static_cast<uint8_t>(data[k])));
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          b.data.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
      }
      // Whole quads map exactly 4:3; a final partial quad (2 or 3 chars) maps on its own.
      const size_t chars = s.end - s.begin;
      const size_t full = chars / 4 * 4;
      const size_t produced = b.data.size() - before;
      const size_t full_bytes = std::min(produced, full / 4 * 3);
      b.map.AppendLinear(s.begin, full_bytes, full);
      if (chars > full) b.map.AppendLinear(s.begin + full, produced - full_bytes, chars - full);
    }
    if (b.data.empty() || !Reserve(b.data.size())) return;
    b.printable_ratio = PrintableRatio(b.data);
    found->push_back(std::move(b));
  }

  const EncodedLayerOptions& options_;
  EncodedLayers* out_;
  size_t count_ = 0;
  std::vector<Segment> segments_;  // the current run's lines, reused across runs
};

}  // namespace

EncodedLayers FindEncodedLayers(std::string_view data, const EncodedLayerOptions& options) {
  EncodedLayers out;
  if (options.max_depth == 0) return out;
  LayerFinder finder(options, &out);
  std::vector<DerivedBuffer> found;
  finder.Scan(data, -1, 1, &found);
  for (DerivedBuffer& b : found) out.buffers.push_back(std::move(b));
  // Breadth-first over the decoded layers; children are appended after their parents.
  for (size_t k = 0; k < out.buffers.size() && !finder.Full(); ++k) {
    if (out.buffers[k].depth >= options.max_depth) continue;
    found.clear();
    const std::string parent_data = out.buffers[k].data;  // the vector may grow below
    finder.Scan(parent_data, static_cast<int32_t>(k), out.buffers[k].depth + 1, &found);
    for (DerivedBuffer& b : found) out.buffers.push_back(std::move(b));
  }
  for (size_t k = 0; k < out.buffers.size(); ++k) {
    out.buffers[k].component_span = out.MapToComponent(k, 0, out.buffers[k].data.size());
  }
  return out;
}

void EncodedLayers::WriteJson(JsonWriter& w, size_t max_items) const {
  w.BeginObject();
  w.Field("count", uint64_t{buffers.size()}).Field("decoded_bytes", decoded_bytes).Field("truncated", truncated);
  w.Key("layers").BeginArray();
  for (size_t i = 0; i < buffers.size() && i < max_items; ++i) {
    const DerivedBuffer& b = buffers[i];
    w.BeginObject();
    w.Field("encoding", DerivedEncodingName(b.encoding)).Field("depth", uint64_t{b.depth});
    w.Field("offset", b.component_span.begin).Field("length", b.component_span.end - b.component_span.begin);
    w.Field("decoded_size", uint64_t{b.data.size()}).Field("printable_ratio", b.printable_ratio);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace trawl
