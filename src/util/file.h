// File: file.h
// Whole-file reads and writes with absl::Status errors that name the path.
#ifndef TRAWL_SRC_UTIL_FILE_H_
#define TRAWL_SRC_UTIL_FILE_H_

#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace trawl {

absl::StatusOr<std::string> ReadFile(const std::string& path);

// A read-only memory mapping of a whole file: loading a large artifact this way costs
// no copy and no allocation. Movable, not copyable.
class MappedFile {
 public:
  static absl::StatusOr<MappedFile> Open(const std::string& path);
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  ~MappedFile();
  std::string_view bytes() const { return {static_cast<const char*>(data_), size_}; }

 private:
  MappedFile(void* data, size_t size) : data_(data), size_(size) {}
  void* data_ = nullptr;
  size_t size_ = 0;
};
// Reads a file, transparently gunzipping it when its name ends in ".gz".
absl::StatusOr<std::string> ReadMaybeGzipFile(const std::string& path);
// As ReadMaybeGzipFile, and also decompresses ".xz" (the indicator packs are xz: a third
// smaller than gzip; liblzma). Corrupt or truncated streams are DataLoss errors.
absl::StatusOr<std::string> ReadMaybeCompressedFile(const std::string& path);
// Writes through a temporary file of its own (unique per call, so concurrent and retried
// writers of one path never collide), fsyncs it, renames it over `path` and fsyncs the
// directory: readers never see half a file, and after a crash the file is the old one or
// the whole new one.
// kUnsynced skips both fsyncs, for a batch of files a caller makes durable at once with
// SyncFileSystemOf before it publishes them (intake writes thousands of components, then
// the manifest that names them).
enum class Durability { kSynced, kUnsynced };
absl::Status WriteFileAtomically(const std::string& path, std::string_view data,
                                 Durability durability = Durability::kSynced);
// The same with the file's bytes given in pieces, written one after another.
absl::Status WriteFileAtomically(const std::string& path, std::span<const std::string_view> pieces,
                                 Durability durability = Durability::kSynced);
// Flushes every written file and rename of the file system holding `directory` (syncfs).
absl::Status SyncFileSystemOf(const std::string& directory);

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_FILE_H_
