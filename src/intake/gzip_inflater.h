// File: gzip_inflater.h
// The gzip decompressor of intake (internal to src/intake/, the ISA-L adapter): a gzip
// stream (RFC 1952 members one after another) read from a ByteSource and inflated with
// ISA-L's igzip, which inflates 2-3x faster than zlib. ContainerReader puts it in front of
// libarchive for a container that starts with a gzip member, so libarchive only parses the
// decompressed stream (issue 22: inflate was the largest single cost of decompose).
//
// It keeps the semantics of libarchive's gzip filter, which it replaces, so that reports
// stay the same: a member header is accepted by the same rules (else the stream ends there
// and what follows is trailing data); members are read until the bytes after one are not a
// member header; the stream comes in 64 KiB blocks and a block during which an error
// occurs is not delivered; the error texts are libarchive's ("truncated gzip input",
// "gzip decompression failed"). Two differences, both on broken input: each member's
// CRC-32 and length are checked (libarchive does not, so corrupt data decoding to wrong
// bytes went unnoticed), and a trailer cut short is "truncated gzip input" (libarchive
// said "unknown libarchive error").
//
// Without ISA-L at configure time (TRAWL_HAVE_ISAL undefined) Available() is false and
// libarchive's own gzip filter (zlib) is used.
//
// Thread-safety: none; one GzipInflater per stream being read.
#ifndef TRAWL_SRC_INTAKE_GZIP_INFLATER_H_
#define TRAWL_SRC_INTAKE_GZIP_INFLATER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "intake/archive_reader.h"

namespace trawl::internal {

class GzipInflater {
 public:
  // True when trawl was built with ISA-L.
  static bool Available();
  // True when `source` starts with a gzip member header that libarchive's gzip filter
  // would accept (so the container is gzip-compressed for libarchive too).
  static bool StartsWithMember(const ByteSource& source);

  // REQUIRES: Available(); `source` outlives this object.
  explicit GzipInflater(const ByteSource* source);
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;
  ~GzipInflater();

  // The next block of the decompressed stream (kData, valid until the next call), kEnd
  // after the last member, or kError (the same error on every later call).
  Chunk Next();
  // Bytes of the source consumed: after kEnd, exactly where the last member's trailer
  // ends; after a truncation, the whole source.
  uint64_t input_consumed() const { return consumed_; }

  struct State;  // gzip_inflater.cc

 private:
  Chunk Fail(std::string message, bool truncated);
  // Starts the member whose header is at `position_`; false when there is none there.
  bool StartMember();
  // Points the decompressor at the source from `position_` on; false at its end.
  bool FeedInput();
  // After the member's deflate data ended: checks its trailer and moves past it.
  bool FinishMember();

  const ByteSource* source_;
  std::unique_ptr<State> state_;  // ISA-L's state and where the stream stands
  std::string out_;               // the block being filled (64 KiB, libarchive's block size)
  std::string file_buffer_;       // input read from a file source
  uint64_t consumed_ = 0;
  std::string error_;  // set once: every later call fails the same way
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_INTAKE_GZIP_INFLATER_H_
