// File: archive_reader.h
// libarchive plumbing for intake (internal to src/intake/, the libarchive adapter):
// readers limited to the formats and in-process filters intake trusts, the bytes of a
// container (memory, or the package file read with pread), and ContainerReader, which
// opens a container so that nothing its format reader leaves unread goes unseen.
//
// Why ContainerReader splits a compressed container into two readers: with one reader,
// libarchive's format reader sits on top of the decompression filter and whatever it does
// not consume is invisible. A gzip whose data starts with 512 zero bytes is read as a tar
// that ends at once (its first block is an end-of-archive marker), and data after a tar's
// end inside a compressed stream is never decompressed. So a compressed container is read
// by an outer reader (the compression filters and the raw format: it yields the
// decompressed stream) and an inner reader (the archive formats) that reads that stream
// through a tee. The tee keeps the bytes the inner reader may not have consumed yet, so
// after the inner reader's end intake can continue the stream exactly where the format
// stopped, or fall back to the whole stream when the format found no entries.
//
// A gzip container is decompressed by GzipInflater (ISA-L) when trawl is built with it: the
// outer reader then reads the decompressed stream and runs only the filters of what is
// inside (libarchive's own gzip filter, on zlib, is the fallback).
//
// Thread-safety: none; one ContainerReader per container being read.
#ifndef TRAWL_SRC_INTAKE_ARCHIVE_READER_H_
#define TRAWL_SRC_INTAKE_ARCHIVE_READER_H_

#include <archive.h>
#include <archive_entry.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace trawl::internal {

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

enum class ReaderKind {
  kAll,              // the trusted filters and formats, raw last (a bare compressed file)
  kFiltersAndRaw,    // compression filters only: yields the decompressed stream
  kFormatsOnly,      // archive formats (and raw), no filters: reads a decompressed stream
  kZipLocalHeaders,  // zip's streaming reader: walks local headers front to back
};
ArchivePtr NewReader(ReaderKind kind);

std::string ErrorText(archive* a);

// "tar", "zip", "7z", "cpio", "ar", "raw", "empty", or libarchive's name.
std::string FormatName(archive* a);
// The names of `a`'s compression filters, outermost last, joined with '+'; "" if none.
std::string FilterNames(archive* a);

// The package file, opened once: every reader reads it with pread through its own cursor,
// so readers never share a file offset and the file is never reopened by name. Reads stop
// at the size the file had when it was opened, so a file that grows while it is read (a
// log being appended, a package being rewritten) is read to that size and no further.
class PackageFile {
 public:
  // Opens without blocking (a FIFO or a device never stalls the open) and refuses anything
  // but a regular file.
  static absl::Status Open(const std::string& path, PackageFile* out);
  PackageFile() = default;
  PackageFile(PackageFile&& other) noexcept;
  PackageFile& operator=(PackageFile&& other) noexcept;
  PackageFile(const PackageFile&) = delete;
  PackageFile& operator=(const PackageFile&) = delete;
  ~PackageFile();

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  // The file as fstat saw it at open: device, inode, size, modification and status-change
  // times. Equal identities mean the kernel reports no write in between (a write within
  // one timestamp tick of the open can go unseen).
  const std::string& identity() const { return identity_; }
  // OK if the file is still as it was opened; otherwise an error (code kIo) that says what
  // changed: whatever was read from it may mix old and new bytes.
  absl::Status CheckUnchanged() const;
  // Reads up to `n` bytes at `offset` into `out` (replacing its contents); fewer only at
  // the end of the file (its size at open).
  absl::Status ReadAt(uint64_t offset, size_t n, std::string* out) const;
  // The same into `n` bytes at `out` (no buffer to size and zero first); `*got` is what
  // was read.
  absl::Status ReadInto(uint64_t offset, size_t n, char* out, size_t* got) const;

 private:
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string path_;
  std::string identity_;
};

// The bytes of one container: a slice of memory, or the package file.
class ByteSource {
 public:
  static ByteSource Memory(std::string_view bytes);
  static ByteSource File(const PackageFile* file);

  uint64_t size() const;
  bool in_memory() const { return file_ == nullptr; }
  std::string_view memory() const { return memory_; }  // REQUIRES: in_memory()
  const PackageFile* file() const { return file_; }
  absl::Status ReadAt(uint64_t offset, size_t n, std::string* out) const;
  // A file reader's position (pread keeps readers of one file independent).
  struct Cursor {
    const PackageFile* file = nullptr;
    uint64_t position = 0;
    std::string buffer;
  };
  // Opens `a` on these bytes (seekable). Returns the libarchive result. REQUIRES: this
  // source and *cursor outlive `a`.
  int Open(archive* a, std::unique_ptr<Cursor>* cursor) const;

 private:
  std::string_view memory_;
  const PackageFile* file_ = nullptr;
};

// One step of a byte stream read from a container.
struct Chunk {
  enum Kind { kData, kEnd, kWarning, kError };
  Kind kind = kEnd;
  std::string_view bytes;        // kData: valid until the next pull
  std::string message;           // kWarning, kError
  bool input_exhausted = false;  // kError: the source was consumed to its end (truncation)
};

class GzipInflater;

class ContainerReader {
 public:
  ContainerReader();
  ContainerReader(const ContainerReader&) = delete;
  ContainerReader& operator=(const ContainerReader&) = delete;
  ~ContainerReader();

  // Opens `source` (which must outlive this reader). Returns "" on success, else
  // libarchive's reason.
  std::string Open(const ByteSource& source);

  // The reader whose entries are the container's children.
  archive* entries() const { return inner_.get(); }
  // True when the bytes were compressed: entries() reads the decompressed stream.
  bool compressed() const { return outer_ != nullptr; }
  // A compressed stream that decompresses to nothing (no entries() reader).
  bool empty_stream() const { return compressed() && inner_ == nullptr; }
  // "tar+gzip", "raw+xz", "zip", ...: the format of entries() and the filters.
  std::string Format() const;
  std::string Filters() const;
  // Bytes of the source consumed so far (by the decompressor when compressed).
  uint64_t InputConsumed() const;
  // Bytes of the (decompressed) stream the format reader consumed so far.
  uint64_t StreamConsumed() const;

  // The decompressed stream is retained from its start until the first entry is listed,
  // for the fallback to the raw stream; call this once one is.
  void StopRetainingStreamStart();

  // Compressed only, after entries() reached its end: positions the stream at `offset`
  // (which must not be before StreamConsumed() unless the start is still retained, else
  // the stream is decompressed again from the source), so NextStreamChunk() returns the
  // decompressed bytes from there to the end of the compressed stream.
  absl::Status SeekStream(uint64_t offset);
  Chunk NextStreamChunk();
  // The compressed stream was read to its end (InputConsumed() is then where it ends).
  bool stream_ended() const { return stream_ended_; }

  // Warnings of the decompressor that the format reader could not see (e.g. a stream
  // that ended early inside the tee), oldest first.
  std::vector<std::string> TakeWarnings();

  struct Tee;  // the inner reader's read callback state (archive_reader.cc)

 private:
  const ByteSource* source_ = nullptr;
  std::unique_ptr<ByteSource::Cursor> outer_cursor_;
  std::unique_ptr<ByteSource::Cursor> inner_cursor_;
  std::unique_ptr<GzipInflater> gzip_;  // what outer_ reads, for a gzip container
  ArchivePtr outer_;
  std::unique_ptr<Tee> tee_;
  ArchivePtr inner_;
  std::string first_filter_names_;  // filters of the first outer reader (a reopen keeps them)
  // SeekStream state: retained bytes still to serve before reading `outer_` again.
  std::string pending_;
  size_t pending_pos_ = 0;
  bool stream_ended_ = false;
};

}  // namespace trawl::internal

#endif  // TRAWL_SRC_INTAKE_ARCHIVE_READER_H_
