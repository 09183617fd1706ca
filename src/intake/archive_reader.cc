// File: archive_reader.cc
#include "intake/archive_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "intake/gzip_inflater.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl::internal {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
// The tee keeps at least this much of the decompressed stream behind what it handed to
// the format reader: a format reads ahead at most a few blocks past what it consumes.
constexpr size_t kRetainedWindow = 1 << 20;
// Until the first entry is listed the whole stream start is kept (for the fallback to the
// raw stream); past this size it is dropped and a fallback decompresses again.
constexpr size_t kMaxRetainedStart = 16 << 20;
// A decompressor that keeps warning without producing bytes is given up on.
constexpr int kMaxWarningsInARow = 16;

using SupportFn = int (*)(archive*);

// Filters libarchive can run in-process. When its build lacks a library, libarchive
// falls back to spawning an external program (and says so with ARCHIVE_WARN); intake
// must never fork on untrusted input, so such filters are left out. Probed once.
const std::vector<SupportFn>& NativeFilters() {
  static const std::vector<SupportFn>* filters = [] {
    auto* out = new std::vector<SupportFn>;
    for (SupportFn fn : {archive_read_support_filter_gzip, archive_read_support_filter_bzip2,
                         archive_read_support_filter_xz, archive_read_support_filter_lzma,
                         archive_read_support_filter_lzip, archive_read_support_filter_zstd,
                         archive_read_support_filter_lz4, archive_read_support_filter_compress}) {
      archive* probe = archive_read_new();
      if (probe == nullptr) continue;
      if (fn(probe) == ARCHIVE_OK) out->push_back(fn);
      archive_read_free(probe);
    }
    return out;
  }();
  return *filters;
}

// Formats are listed one by one instead of archive_read_support_format_all: the mtree
// reader opens host files that the archive names, which untrusted input must not do.
void SupportFormats(archive* a) {
  archive_read_support_format_tar(a);
  archive_read_support_format_zip(a);
  archive_read_support_format_7zip(a);
  archive_read_support_format_cpio(a);
  archive_read_support_format_ar(a);
  archive_read_support_format_empty(a);
  // raw bids last: it turns a bare compressed file (x.log.gz) into one entry.
  archive_read_support_format_raw(a);
}

bool HasCompressionFilter(archive* a) {
  for (int i = 0; i < archive_filter_count(a); ++i) {
    if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE) return true;
  }
  return false;
}

}  // namespace

ArchivePtr NewReader(ReaderKind kind) {
  ArchivePtr a(archive_read_new());
  if (a == nullptr) return a;
  switch (kind) {
    case ReaderKind::kAll:
      for (SupportFn fn : NativeFilters()) fn(a.get());
      SupportFormats(a.get());
      break;
    case ReaderKind::kFiltersAndRaw:
      for (SupportFn fn : NativeFilters()) fn(a.get());
      archive_read_support_format_empty(a.get());
      archive_read_support_format_raw(a.get());
      break;
    case ReaderKind::kFormatsOnly:
      SupportFormats(a.get());
      break;
    case ReaderKind::kZipLocalHeaders:
      archive_read_support_format_zip_streamable(a.get());
      break;
  }
  return a;
}

std::string ErrorText(archive* a) {
  const char* text = archive_error_string(a);
  std::string out = text == nullptr ? std::string("unknown libarchive error") : std::string(text);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string FormatName(archive* a) {
  switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_TAR:
      return "tar";
    case ARCHIVE_FORMAT_ZIP:
      return "zip";
    case ARCHIVE_FORMAT_7ZIP:
      return "7z";
    case ARCHIVE_FORMAT_CPIO:
      return "cpio";
    case ARCHIVE_FORMAT_AR:
      return "ar";
    case ARCHIVE_FORMAT_RAW:
      return "raw";
    case ARCHIVE_FORMAT_EMPTY:
      return "empty";
    default: {
      const char* detail = archive_format_name(a);
      return detail == nullptr ? "unknown" : detail;
    }
  }
}

std::string FilterNames(archive* a) {
  std::string names;
  for (int i = 0; i < archive_filter_count(a); ++i) {
    if (archive_filter_code(a, i) == ARCHIVE_FILTER_NONE) continue;
    const char* filter = archive_filter_name(a, i);
    StrAppend(&names, names.empty() ? "" : "+", filter == nullptr ? "unknown" : filter);
  }
  return names;
}

// --- PackageFile ---------------------------------------------------------------------

namespace {

std::string FileIdentity(const struct stat& st) {
  return StrCat(st.st_dev, ":", st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                st.st_mtim.tv_nsec, ":", st.st_ctim.tv_sec, ".", st.st_ctim.tv_nsec);
}

}  // namespace

absl::Status PackageFile::Open(const std::string& path, PackageFile* out) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
  // fstat on the opened descriptor (not stat on the name) so the checked file is the read one.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    return WithCode(absl::NotFoundError(StrCat("cannot open ", path, ": ", std::strerror(errno))),
                    ErrorCode::kIo);
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int error = errno;
    ::close(fd);
    return WithCode(absl::NotFoundError(StrCat("cannot stat ", path, ": ", std::strerror(error))),
                    ErrorCode::kIo);
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return WithCode(absl::InvalidArgumentError(StrCat(path, " is not a regular file")),
                    ErrorCode::kIo);
  }
  PackageFile file;
  file.fd_ = fd;
  file.size_ = static_cast<uint64_t>(st.st_size);
  file.path_ = path;
  file.identity_ = FileIdentity(st);
  *out = std::move(file);
  return absl::OkStatus();
}

PackageFile::PackageFile(PackageFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      size_(std::exchange(other.size_, 0)),
      path_(std::move(other.path_)),
      identity_(std::move(other.identity_)) {}

PackageFile& PackageFile::operator=(PackageFile&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
    path_ = std::move(other.path_);
    identity_ = std::move(other.identity_);
  }
  return *this;
}

PackageFile::~PackageFile() {
  if (fd_ >= 0) ::close(fd_);
}

absl::Status PackageFile::ReadAt(uint64_t offset, size_t n, std::string* out) const {
  // Sized to what is there, not to what was asked: a reader may ask for far more.
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - std::min(offset, size_)));
  out->resize(n);
  size_t got = 0;
  absl::Status read = ReadInto(offset, n, out->data(), &got);
  out->resize(got);
  return read;
}

absl::Status PackageFile::CheckUnchanged() const {
  struct stat st;
  if (fstat(fd_, &st) != 0) {
    return WithCode(absl::DataLossError(StrCat("cannot stat ", path_, ": ", std::strerror(errno))),
                    ErrorCode::kIo);
  }
  if (FileIdentity(st) == identity_) return absl::OkStatus();
  const auto now = static_cast<uint64_t>(st.st_size);
  return WithCode(
      absl::DataLossError(StrCat(
          path_, " changed while it was read (",
          now == size_ ? StrCat("modified, still ", size_, " bytes")
                       : StrCat(size_, " bytes when opened, ", now, " after"),
          "): what was read may mix old and new content; read a copy that does not change")),
      ErrorCode::kIo);
}

absl::Status PackageFile::ReadInto(uint64_t offset, size_t n, char* out, size_t* got) const {
  *got = 0;
  // Never past the size at open: a file that keeps growing would otherwise be read forever.
  n = static_cast<size_t>(std::min<uint64_t>(n, size_ - std::min(offset, size_)));
  while (*got < n) {
    const ssize_t r = ::pread(fd_, out + *got, n - *got, static_cast<off_t>(offset + *got));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) {
      return WithCode(
          absl::DataLossError(StrCat("cannot read ", path_, ": ", std::strerror(errno))),
          ErrorCode::kIo);
    }
    if (r == 0) break;
    *got += static_cast<size_t>(r);
  }
  return absl::OkStatus();
}

// --- ByteSource ----------------------------------------------------------------------

namespace {

la_ssize_t CursorRead(archive* a, void* data, const void** buffer) {
  auto* cursor = static_cast<ByteSource::Cursor*>(data);
  absl::Status read = cursor->file->ReadAt(cursor->position, kReadChunk, &cursor->buffer);
  if (!read.ok()) {
    archive_set_error(a, EIO, "%s", std::string(read.message()).c_str());
    return ARCHIVE_FATAL;
  }
  cursor->position += cursor->buffer.size();
  *buffer = cursor->buffer.data();
  return static_cast<la_ssize_t>(cursor->buffer.size());
}

la_int64_t CursorSkip(archive*, void* data, la_int64_t request) {
  auto* cursor = static_cast<ByteSource::Cursor*>(data);
  const uint64_t left = cursor->file->size() - std::min(cursor->position, cursor->file->size());
  const uint64_t skip =
      std::min<uint64_t>(static_cast<uint64_t>(std::max<la_int64_t>(request, 0)), left);
  cursor->position += skip;
  return static_cast<la_int64_t>(skip);
}

la_int64_t CursorSeek(archive*, void* data, la_int64_t offset, int whence) {
  auto* cursor = static_cast<ByteSource::Cursor*>(data);
  const auto size = static_cast<la_int64_t>(cursor->file->size());
  la_int64_t target = offset;
  if (whence == SEEK_CUR) target += static_cast<la_int64_t>(cursor->position);
  if (whence == SEEK_END) target += size;
  if (target < 0 || target > size) return ARCHIVE_FATAL;
  cursor->position = static_cast<uint64_t>(target);
  return target;
}

}  // namespace

ByteSource ByteSource::Memory(std::string_view bytes) {
  ByteSource source;
  source.memory_ = bytes;
  return source;
}

ByteSource ByteSource::File(const PackageFile* file) {
  ByteSource source;
  source.file_ = file;
  return source;
}

uint64_t ByteSource::size() const { return file_ != nullptr ? file_->size() : memory_.size(); }

absl::Status ByteSource::ReadAt(uint64_t offset, size_t n, std::string* out) const {
  if (file_ != nullptr) return file_->ReadAt(offset, n, out);
  if (offset >= memory_.size()) {
    out->clear();
  } else {
    out->assign(memory_.substr(static_cast<size_t>(offset), n));
  }
  return absl::OkStatus();
}

int ByteSource::Open(archive* a, std::unique_ptr<Cursor>* cursor) const {
  if (file_ == nullptr) return archive_read_open_memory(a, memory_.data(), memory_.size());
  *cursor = std::make_unique<Cursor>();
  (*cursor)->file = file_;
  archive_read_set_read_callback(a, CursorRead);
  archive_read_set_skip_callback(a, CursorSkip);
  archive_read_set_seek_callback(a, CursorSeek);
  archive_read_set_callback_data(a, cursor->get());
  return archive_read_open1(a);
}

// --- ContainerReader -----------------------------------------------------------------

struct ContainerReader::Tee {
  archive* outer = nullptr;
  // Bytes handed to the inner reader, [retained_start, delivered) = older + recent; see
  // kRetainedWindow. Two generations instead of one buffer cut at the front: a cut moves
  // the window's bytes on every append (a copy of the whole stream, issue 22), a swap of
  // generations moves nothing and reuses the older one's memory.
  std::string older;
  std::string recent;
  uint64_t retained_start = 0;
  uint64_t delivered = 0;
  bool keep_start = true;
  std::vector<std::string> warnings;

  void Retain(const void* block, size_t size) {
    recent.append(static_cast<const char*>(block), size);
    delivered += size;
    if (keep_start && older.size() + recent.size() > kMaxRetainedStart) keep_start = false;
    if (!keep_start && recent.size() >= kRetainedWindow) {
      older.swap(recent);
      recent.clear();
      retained_start = delivered - older.size();
    }
  }

  // The retained bytes from `offset` (within [retained_start, delivered]) on.
  std::string RetainedFrom(uint64_t offset) const {
    const size_t skip = static_cast<size_t>(offset - retained_start);
    if (skip >= older.size()) return recent.substr(skip - older.size());
    std::string bytes = older.substr(skip);
    bytes += recent;
    return bytes;
  }
};

namespace {

// One block of the outer reader's decompressed stream. Warnings go to `warnings`; a
// decompressor that keeps warning (or returning nothing) without progress is an error.
Chunk NextBlock(archive* outer, std::vector<std::string>* warnings) {
  for (int idle = 0; idle < kMaxWarningsInARow; ++idle) {
    const void* block = nullptr;
    size_t size = 0;
    la_int64_t offset = 0;
    const int r = archive_read_data_block(outer, &block, &size, &offset);
    if (r == ARCHIVE_EOF) return Chunk{Chunk::kEnd, {}, {}};
    if (r == ARCHIVE_WARN) {
      if (warnings != nullptr) warnings->push_back(ErrorText(outer));
    } else if (r != ARCHIVE_OK) {
      return Chunk{Chunk::kError, {}, ErrorText(outer)};
    }
    if (size > 0) {
      return Chunk{Chunk::kData, std::string_view(static_cast<const char*>(block), size), {}};
    }
  }
  return Chunk{Chunk::kError,
               {},
               StrCat("no progress after ", kMaxWarningsInARow, " reads: ", ErrorText(outer))};
}

la_ssize_t TeeRead(archive* inner, void* data, const void** buffer) {
  auto* tee = static_cast<ContainerReader::Tee*>(data);
  const Chunk chunk = NextBlock(tee->outer, &tee->warnings);
  if (chunk.kind == Chunk::kEnd) return 0;
  if (chunk.kind != Chunk::kData) {
    // The format reader reports the decompressor's own words.
    archive_set_error(inner, EIO, "%s", chunk.message.c_str());
    return ARCHIVE_FATAL;
  }
  tee->Retain(chunk.bytes.data(), chunk.bytes.size());
  *buffer = chunk.bytes.data();
  return static_cast<la_ssize_t>(chunk.bytes.size());
}

la_ssize_t GzipRead(archive* outer, void* data, const void** buffer) {
  const Chunk chunk = static_cast<GzipInflater*>(data)->Next();
  if (chunk.kind == Chunk::kEnd) return 0;
  if (chunk.kind != Chunk::kData) {
    archive_set_error(outer, EIO, "%s", chunk.message.c_str());
    return ARCHIVE_FATAL;
  }
  *buffer = chunk.bytes.data();
  return static_cast<la_ssize_t>(chunk.bytes.size());
}

// Opens an outer reader (filters and raw) on `source` and reads its one header; returns
// that result (ARCHIVE_FATAL if it did not open). A gzip stream is decompressed by
// GzipInflater (*gzip) and the reader reads its output: libarchive then sees what the
// gzip filter would have given it.
int OpenOuter(const ByteSource& source, ArchivePtr* outer,
              std::unique_ptr<ByteSource::Cursor>* cursor, std::unique_ptr<GzipInflater>* gzip) {
  *outer = NewReader(ReaderKind::kFiltersAndRaw);
  if (*outer == nullptr) return ARCHIVE_FATAL;
  archive* a = outer->get();
  if (GzipInflater::Available() && GzipInflater::StartsWithMember(source)) {
    *gzip = std::make_unique<GzipInflater>(&source);
    archive_read_set_read_callback(a, GzipRead);
    archive_read_set_callback_data(a, gzip->get());
    if (archive_read_open1(a) != ARCHIVE_OK) return ARCHIVE_FATAL;
  } else if (source.Open(a, cursor) != ARCHIVE_OK) {
    return ARCHIVE_FATAL;
  }
  archive_entry* entry = nullptr;
  return archive_read_next_header(a, &entry);
}

}  // namespace

ContainerReader::ContainerReader() = default;

ContainerReader::~ContainerReader() {
  // The inner reader reads through the tee and the outer reader, which reads gzip_: free
  // them in that order.
  inner_.reset();
  outer_.reset();
  gzip_.reset();
}

std::string ContainerReader::Open(const ByteSource& source) {
  source_ = &source;
  const int r = OpenOuter(source, &outer_, &outer_cursor_, &gzip_);
  if (outer_ == nullptr) return "libarchive: out of memory";
  if (r == ARCHIVE_FATAL) return ErrorText(outer_.get());
  if (gzip_ == nullptr && !HasCompressionFilter(outer_.get())) {
    // Not compressed: one reader over the bytes, seekable (zip and 7z read from the end).
    outer_.reset();
    outer_cursor_.reset();
    inner_ = NewReader(ReaderKind::kAll);
    if (inner_ == nullptr) return "libarchive: out of memory";
    if (source.Open(inner_.get(), &inner_cursor_) != ARCHIVE_OK) return ErrorText(inner_.get());
    return "";
  }
  first_filter_names_ = FilterNames(outer_.get());
  // gzip_ is the outermost filter, listed last as libarchive lists its own.
  if (gzip_ != nullptr) {
    first_filter_names_ =
        first_filter_names_.empty() ? "gzip" : StrCat(first_filter_names_, "+gzip");
  }
  if (r == ARCHIVE_EOF) {  // decompresses to nothing: empty_stream()
    stream_ended_ = true;
    return "";
  }
  tee_ = std::make_unique<Tee>();
  tee_->outer = outer_.get();
  inner_ = NewReader(ReaderKind::kFormatsOnly);
  if (inner_ == nullptr) return "libarchive: out of memory";
  archive_read_set_read_callback(inner_.get(), TeeRead);
  archive_read_set_callback_data(inner_.get(), tee_.get());
  if (archive_read_open1(inner_.get()) != ARCHIVE_OK) return ErrorText(inner_.get());
  return "";
}

std::string ContainerReader::Filters() const {
  return compressed() ? first_filter_names_ : FilterNames(inner_.get());
}

std::string ContainerReader::Format() const {
  const std::string format = empty_stream() ? std::string("empty") : FormatName(inner_.get());
  const std::string filters = Filters();
  return filters.empty() ? format : StrCat(format, "+", filters);
}

uint64_t ContainerReader::InputConsumed() const {
  if (gzip_ != nullptr) return gzip_->input_consumed();
  archive* bottom = compressed() ? outer_.get() : inner_.get();
  if (bottom == nullptr) return 0;
  const la_int64_t consumed = archive_filter_bytes(bottom, -1);
  return consumed > 0 ? static_cast<uint64_t>(consumed) : 0;
}

uint64_t ContainerReader::StreamConsumed() const {
  if (inner_ == nullptr) return 0;
  const la_int64_t consumed = archive_filter_bytes(inner_.get(), 0);
  return consumed > 0 ? static_cast<uint64_t>(consumed) : 0;
}

void ContainerReader::StopRetainingStreamStart() {
  if (tee_ != nullptr) tee_->keep_start = false;
}

absl::Status ContainerReader::SeekStream(uint64_t offset) {
  if (!compressed()) return absl::FailedPreconditionError("not a compressed stream");
  pending_.clear();
  pending_pos_ = 0;
  if (tee_ != nullptr && offset >= tee_->retained_start && offset <= tee_->delivered) {
    pending_ = tee_->RetainedFrom(offset);
    return absl::OkStatus();
  }
  // Not retained (or beyond what the format read): decompress again from the start.
  ArchivePtr outer;
  std::unique_ptr<ByteSource::Cursor> cursor;
  std::unique_ptr<GzipInflater> gzip;
  const int r = OpenOuter(*source_, &outer, &cursor, &gzip);
  if (outer == nullptr) return absl::ResourceExhaustedError("libarchive: out of memory");
  if (r == ARCHIVE_FATAL) return absl::DataLossError(ErrorText(outer.get()));
  inner_.reset();  // it read through the old outer reader
  outer_ = std::move(outer);  // before gzip_, which the old outer reader read
  outer_cursor_ = std::move(cursor);
  gzip_ = std::move(gzip);
  uint64_t position = 0;
  while (position < offset) {
    const Chunk chunk = NextBlock(outer_.get(), nullptr);
    if (chunk.kind == Chunk::kEnd) break;
    if (chunk.kind != Chunk::kData) return absl::DataLossError(chunk.message);
    const uint64_t end = position + chunk.bytes.size();
    if (end > offset) pending_.assign(chunk.bytes.substr(static_cast<size_t>(offset - position)));
    position = end;
  }
  return absl::OkStatus();
}

Chunk ContainerReader::NextStreamChunk() {
  if (pending_pos_ < pending_.size()) {
    const size_t n = std::min(kReadChunk, pending_.size() - pending_pos_);
    Chunk chunk{Chunk::kData, std::string_view(pending_).substr(pending_pos_, n), {}};
    pending_pos_ += n;
    return chunk;
  }
  Chunk chunk = NextBlock(outer_.get(), tee_ != nullptr ? &tee_->warnings : nullptr);
  if (chunk.kind == Chunk::kEnd) stream_ended_ = true;
  return chunk;
}

std::vector<std::string> ContainerReader::TakeWarnings() {
  if (tee_ == nullptr) return {};
  return std::exchange(tee_->warnings, {});
}

}  // namespace trawl::internal
