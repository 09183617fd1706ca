// File: file.cc
#include "util/file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

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
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Io(absl::DataLossError(StrCat(path, ": read error")));
  return out;
}

absl::StatusOr<MappedFile> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
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

absl::Status WriteFileAtomically(const std::string& path, std::string_view data) {
  const std::string tmp = StrCat(path, ".tmp");
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) {
    return Io(absl::PermissionDeniedError(StrCat(tmp, ": ", std::strerror(errno))));
  }
  const bool wrote = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  const bool closed = std::fclose(f) == 0;
  if (!wrote || !closed) {
    std::remove(tmp.c_str());
    return Io(absl::DataLossError(StrCat(tmp, ": write failed")));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Io(absl::PermissionDeniedError(StrCat(path, ": ", std::strerror(errno))));
  }
  return absl::OkStatus();
}

}  // namespace trawl
