// File: gzip_inflater.cc
#include "intake/gzip_inflater.h"

#include <algorithm>
#include <utility>

#include "util/strings.h"

#ifdef TRAWL_HAVE_ISAL
#include <isa-l/igzip_lib.h>
#endif

namespace trawl::internal {
namespace {

// Header bytes read at first; a longer name or comment is read again with more.
constexpr size_t kHeaderWindow = 4096;

constexpr unsigned char kFlagHeaderCrc = 0x02;
constexpr unsigned char kFlagExtra = 0x04;
constexpr unsigned char kFlagName = 0x08;
constexpr unsigned char kFlagComment = 0x10;
constexpr unsigned char kFlagsReserved = 0xE0;

enum class HeaderScan { kFound, kNone, kNeedMore };

// The length of the member header at the start of `head`, by the rules of libarchive's
// peek_at_header (archive_read_support_filter_gzip.c): magic and method 8, no reserved
// flag, and every optional field present (the header CRC is not checked, as there).
// kNeedMore: a name or comment runs past `head`, which may not be the end of the source.
HeaderScan ScanHeader(std::string_view head, size_t* length) {
  const auto byte = [&head](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() < 10 || byte(0) != 0x1F || byte(1) != 0x8B || byte(2) != 0x08) {
    return HeaderScan::kNone;
  }
  const unsigned char flags = byte(3);
  if ((flags & kFlagsReserved) != 0) return HeaderScan::kNone;
  size_t len = 10;
  if ((flags & kFlagExtra) != 0) {
    if (head.size() < len + 2) return HeaderScan::kNone;
    len += 2 + (static_cast<size_t>(byte(len + 1)) << 8 | byte(len));
  }
  for (const unsigned char field : {kFlagName, kFlagComment}) {
    if ((flags & field) == 0) continue;
    const size_t nul = len < head.size() ? head.find('\0', len) : std::string_view::npos;
    if (nul == std::string_view::npos) return HeaderScan::kNeedMore;
    len = nul + 1;
  }
  if ((flags & kFlagHeaderCrc) != 0) len += 2;
  // libarchive goes on to consume `len` bytes: a header longer than the rest of the
  // source is not a member.
  if (len > head.size()) return HeaderScan::kNeedMore;
  *length = len;
  return HeaderScan::kFound;
}

// The length of the member header at `offset` of `source`, 0 if there is none.
size_t HeaderLengthAt(const ByteSource& source, uint64_t offset) {
  std::string head;
  for (size_t window = kHeaderWindow;; window *= 4) {
    if (!source.ReadAt(offset, window, &head).ok()) return 0;
    size_t length = 0;
    switch (ScanHeader(head, &length)) {
      case HeaderScan::kFound:
        return length;
      case HeaderScan::kNone:
        return 0;
      case HeaderScan::kNeedMore:
        if (head.size() < window) return 0;  // the source ended first
        break;
    }
  }
}

}  // namespace

#ifdef TRAWL_HAVE_ISAL

namespace {

// libarchive's gzip filter hands out the stream in blocks of this size, and drops the
// block in progress on an error: the same size keeps what an error leaves the same.
constexpr size_t kOutBlock = 64 * 1024;
// Input read from a package file per pread.
constexpr size_t kFileChunk = 256 * 1024;
// ISA-L takes 32-bit input lengths; memory is handed over in slices of this size.
constexpr uint64_t kMaxMemorySlice = uint64_t{1} << 30;

uint32_t LittleEndian32(std::string_view bytes) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = value << 8 | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace

struct GzipInflater::State {
  inflate_state s;
  uint64_t position = 0;    // source offset of the next byte not yet given to ISA-L
  uint64_t member_out = 0;  // bytes of the current member so far (ISIZE is this mod 2^32)
  bool in_member = false;
  bool ended = false;
};

bool GzipInflater::Available() { return true; }

GzipInflater::GzipInflater(const ByteSource* source)
    : source_(source), state_(std::make_unique<State>()) {
  isal_inflate_init(&state_->s);
  // Never read: each block is written over its whole length before it is handed out.
  out_.resize(kOutBlock);
  if (!source_->in_memory()) file_buffer_.resize(kFileChunk);
}

bool GzipInflater::StartMember() {
  const size_t header = HeaderLengthAt(*source_, state_->position);
  if (header == 0) return false;
  state_->position += header;
  consumed_ = state_->position;
  isal_inflate_reset(&state_->s);
  // Raw deflate with the CRC-32 of the output computed: the trailer is checked here,
  // where its exact position (needed for the next member and after_stream) is known.
  state_->s.crc_flag = ISAL_GZIP_NO_HDR;
  state_->s.next_in = nullptr;
  state_->s.avail_in = 0;
  state_->member_out = 0;
  state_->in_member = true;
  return true;
}

bool GzipInflater::FeedInput() {
  inflate_state& s = state_->s;
  if (state_->position >= source_->size()) return false;
  if (source_->in_memory()) {
    const std::string_view memory = source_->memory();
    const uint64_t n = std::min<uint64_t>(memory.size() - state_->position, kMaxMemorySlice);
    const char* next = memory.data() + state_->position;
    s.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(next));
    s.avail_in = static_cast<uint32_t>(n);
    state_->position += n;
    return true;
  }
  size_t got = 0;
  const absl::Status read = source_->file()->ReadInto(state_->position, file_buffer_.size(),
                                                      file_buffer_.data(), &got);
  if (!read.ok() || got == 0) return false;
  s.next_in = reinterpret_cast<uint8_t*>(file_buffer_.data());
  s.avail_in = static_cast<uint32_t>(got);
  state_->position += got;
  return true;
}

bool GzipInflater::FinishMember() {
  inflate_state& s = state_->s;
  // ISA-L reads ahead into its bit buffer; whole bytes left there were not part of the
  // deflate data.
  const uint64_t end =
      state_->position - s.avail_in - static_cast<uint64_t>(s.read_in_length / 8);
  std::string trailer;
  if (!source_->ReadAt(end, 8, &trailer).ok() || trailer.size() < 8) {
    Fail("truncated gzip input", /*truncated=*/true);
    return false;
  }
  // The deflate data was consumed; the trailer only is when it checks out (so a bad
  // last trailer does not read as the end of the input, i.e. as a truncation).
  consumed_ = end;
  if (LittleEndian32(trailer) != s.crc) {
    Fail(StrCat("gzip data CRC-32 mismatch (member ending at offset ", end + 8, ")"), false);
    return false;
  }
  const uint32_t length = static_cast<uint32_t>(state_->member_out);  // ISIZE: mod 2^32
  if (LittleEndian32(std::string_view(trailer).substr(4)) != length) {
    Fail(StrCat("gzip data length mismatch (member ending at offset ", end + 8, ")"), false);
    return false;
  }
  state_->position = end + 8;
  consumed_ = state_->position;
  s.avail_in = 0;
  state_->in_member = false;
  return true;
}

Chunk GzipInflater::Next() {
  if (!error_.empty()) return Chunk{Chunk::kError, {}, error_};
  inflate_state& s = state_->s;
  // Where an error in this block leaves the input (libarchive counts what zlib consumed
  // before the failing call).
  if (state_->in_member) consumed_ = state_->position - s.avail_in;
  size_t filled = 0;
  while (filled < kOutBlock && !state_->ended) {
    if (!state_->in_member && !StartMember()) {
      state_->ended = true;
      break;
    }
    if (s.avail_in == 0 && !FeedInput()) return Fail("truncated gzip input", true);
    s.next_out = reinterpret_cast<uint8_t*>(out_.data() + filled);
    s.avail_out = static_cast<uint32_t>(kOutBlock - filled);
    const int r = isal_inflate(&s);
    const size_t produced = kOutBlock - filled - s.avail_out;
    filled += produced;
    state_->member_out += produced;
    if (r < 0) return Fail("gzip decompression failed", false);
    if (s.block_state == ISAL_BLOCK_FINISH && !FinishMember()) {
      return Chunk{Chunk::kError, {}, error_};
    }
  }
  if (filled == 0) return Chunk{Chunk::kEnd, {}, {}};
  return Chunk{Chunk::kData, std::string_view(out_.data(), filled), {}};
}

#else  // !TRAWL_HAVE_ISAL

struct GzipInflater::State {};

bool GzipInflater::Available() { return false; }

GzipInflater::GzipInflater(const ByteSource* source) : source_(source) {}
bool GzipInflater::StartMember() { return false; }
bool GzipInflater::FeedInput() { return false; }
bool GzipInflater::FinishMember() { return false; }
Chunk GzipInflater::Next() { return Fail("gzip decompression failed", false); }

#endif  // TRAWL_HAVE_ISAL

GzipInflater::~GzipInflater() = default;

bool GzipInflater::StartsWithMember(const ByteSource& source) {
  return HeaderLengthAt(source, 0) != 0;
}

Chunk GzipInflater::Fail(std::string message, bool truncated) {
  error_ = std::move(message);
  if (truncated) consumed_ = source_->size();
  return Chunk{Chunk::kError, {}, error_};
}

}  // namespace trawl::internal
