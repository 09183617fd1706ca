// File: file.cc
#include "util/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lzma.h>
#include <zlib.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

// Every failure here is an I/O error to a caller, whatever absl calls it.
absl::Status Io(absl::Status status) { return WithCode(std::move(status), ErrorCode::kIo); }

}  // namespace

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return Io(absl::NotFoundError(StrCat(path, ": ", std::strerror(errno))));
  }
  std::string out;
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  const int error = std::ferror(f) != 0 ? errno : 0;
  std::fclose(f);
  // The OS says why (a directory: "Is a directory").
  if (error != 0) {
    return Io(absl::DataLossError(StrCat(path, ": read error: ", std::strerror(error))));
  }
  return out;
}

absl::StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  // O_NONBLOCK: opening a FIFO would otherwise wait for a writer forever; the fstat below
  // refuses it (and devices) at once.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Io(absl::NotFoundError(StrCat(path, ": ", std::strerror(errno))));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Io(absl::NotFoundError(StrCat(path, ": not a regular file")));
  }
  const size_t size = static_cast<size_t>(st.st_size);
  void* data = nullptr;
  if (size > 0) {
    // MAP_POPULATE faults the pages in at once, far cheaper than one fault per page.
    data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    if (data == MAP_FAILED) {
      const int error = errno;
      ::close(fd);
      return Io(absl::ResourceExhaustedError(StrCat(path, ": mmap: ", std::strerror(error))));
    }
  }
  ::close(fd);
  return MappedFile(data, size);
}

MappedFile::MappedFile(MappedFile&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

MappedFile& MappedFile::operator=(MappedFile&& other) noexcept {
  if (this != &other) {
    if (data_) munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

MappedFile::~MappedFile() {
  if (data_) munmap(data_, size_);
}

namespace {

// The whole .xz stream of `compressed` (liblzma's own integrity checks included).
absl::StatusOr<std::string> XzDecompress(std::string_view compressed, const std::string& path) {
  lzma_stream stream = LZMA_STREAM_INIT;
  // 1 GiB: far above the default packs' dictionaries, and a bound on what a crafted
  // header can make the decoder reserve.
  if (lzma_stream_decoder(&stream, uint64_t{1} << 30, 0) != LZMA_OK) {
    return absl::ResourceExhaustedError(StrCat(path, ": xz: cannot start the decoder"));
  }
  std::string out;
  stream.next_in = reinterpret_cast<const uint8_t*>(compressed.data());
  stream.avail_in = compressed.size();
  lzma_ret rc = LZMA_OK;
  while (rc == LZMA_OK) {
    const size_t have = out.size();
    out.resize(have + std::max<size_t>(1 << 20, have));
    stream.next_out = reinterpret_cast<uint8_t*>(out.data() + have);
    stream.avail_out = out.size() - have;
    rc = lzma_code(&stream, LZMA_FINISH);
    out.resize(out.size() - stream.avail_out);
  }
  lzma_end(&stream);
  if (rc != LZMA_STREAM_END) {
    return Io(absl::DataLossError(StrCat(path, ": xz: ",
                                      rc == LZMA_DATA_ERROR || rc == LZMA_FORMAT_ERROR
                                          ? "corrupt or truncated stream"
                                          : rc == LZMA_MEMLIMIT_ERROR ? "dictionary too large"
                                                                      : "decoder error")));
  }
  return out;
}

}  // namespace

absl::StatusOr<std::string> ReadMaybeCompressedFile(const std::string& path) {
  if (!EndsWith(path, ".xz")) return ReadMaybeGzipFile(path);
  auto compressed = ReadFile(path);
  if (!compressed.ok()) return compressed.status();
  return XzDecompress(*compressed, path);
}

absl::StatusOr<std::string> ReadMaybeGzipFile(const std::string& path) {
  if (!EndsWith(path, ".gz")) return ReadFile(path);
  gzFile gz = gzopen(path.c_str(), "rb");
  if (gz == nullptr) return Io(absl::NotFoundError(StrCat(path, ": cannot open")));
  std::string out;
  char buf[1 << 16];
  int n;
  while ((n = gzread(gz, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = 0;
  const char* message = gzerror(gz, &err);
  const bool failed = n < 0 || (err != Z_OK && err != Z_STREAM_END);
  const std::string detail = failed ? message : "";
  gzclose(gz);
  if (failed) return Io(absl::DataLossError(StrCat(path, ": gzip: ", detail)));
  return out;
}

namespace {

// Opens a temporary file next to `path` that no other writer uses: concurrent or retried
// writers of one path (two workers on one queue message) each write their own file, and
// the last rename wins. O_EXCL makes a name left by a crashed writer a retry, not a clash.
absl::StatusOr<int> CreateUniqueTemporary(const std::string& path, std::string* tmp) {
  static std::atomic<uint64_t> counter{0};
  for (int attempt = 0; attempt < 64; ++attempt) {
    *tmp = StrCat(path, ".tmp.", static_cast<int64_t>(getpid()), ".", counter.fetch_add(1));
    const int fd = ::open(tmp->c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) return fd;
    if (errno != EEXIST) {
      return absl::PermissionDeniedError(StrCat(*tmp, ": ", std::strerror(errno)));
    }
  }
  return absl::AlreadyExistsError(StrCat(path, ": no free temporary name"));
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// After a rename the directory entry is durable only once the directory is synced.
absl::Status SyncParentDirectory(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const std::string dir =
      slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::PermissionDeniedError(StrCat(dir, ": ", std::strerror(errno)));
  const int synced = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  // Some file systems cannot sync a directory (EINVAL); the rename is then as durable as
  // they make it.
  if (synced != 0 && error != EINVAL) {
    return absl::DataLossError(StrCat(dir, ": fsync: ", std::strerror(error)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SyncFileSystemOf(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return Io(absl::PermissionDeniedError(StrCat(directory, ": ", std::strerror(errno))));
  }
  const int synced = ::syncfs(fd);
  const int error = errno;
  ::close(fd);
  if (synced != 0) {
    return Io(absl::DataLossError(StrCat(directory, ": syncfs: ", std::strerror(error))));
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                 Durability durability) {
  return WriteFileAtomically(path, std::span(&data, 1), durability);
}

absl::Status WriteFileAtomically(const std::string& path, std::span<const std::string_view> pieces,
                                 Durability durability) {
  const bool sync = durability == Durability::kSynced;
  std::string tmp;
  absl::StatusOr<int> fd = CreateUniqueTemporary(path, &tmp);
  if (!fd.ok()) return Io(fd.status());
  bool wrote = true;
  for (std::string_view piece : pieces) wrote = wrote && WriteAll(*fd, piece);
  const int write_error = errno;
  // The data must be on disk before the rename publishes it: after a crash a reader sees
  // the old file or the whole new one, never an empty or partial one.
  const bool synced = wrote && (!sync || ::fsync(*fd) == 0);
  const bool closed = ::close(*fd) == 0;
  if (!wrote || !synced || !closed) {
    ::unlink(tmp.c_str());
    return Io(absl::DataLossError(
        StrCat(tmp, ": write failed: ", std::strerror(wrote ? errno : write_error))));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(tmp.c_str());
    return Io(absl::PermissionDeniedError(StrCat(path, ": ", std::strerror(error))));
  }
  return sync ? Io(SyncParentDirectory(path)) : absl::OkStatus();
}

}  // namespace trawl
