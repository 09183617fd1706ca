// File: record_cache.h
// The file format of trawl's per-definition compile caches (the engine's validation cache,
// the scan planner's cost cache): an 8-byte magic, a fingerprint of everything that makes
// the records valid (engine and library versions, options), then records keyed by a
// 16-byte digest of what each one was computed from. A file that does not match in every
// respect reads as empty: a cache only ever saves time, it never decides a result.
//
// Each cache holds the latest compile's records only, so it does not grow without bound.
#ifndef TRAWL_SRC_UTIL_RECORD_CACHE_H_
#define TRAWL_SRC_UTIL_RECORD_CACHE_H_

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/functional/function_ref.h"
#include "util/byte_io.h"
#include "util/digest.h"
#include "util/file.h"

namespace trawl {

inline constexpr size_t kRecordKeyBytes = 16;

// The key of one record: 16 bytes of SHA-256 over length-prefixed fields.
inline std::string RecordKey(std::initializer_list<std::string_view> fields) {
  Sha256 hasher;
  for (std::string_view field : fields) hasher.UpdateField(field);
  const Sha256Digest digest = hasher.Finish();
  return std::string(reinterpret_cast<const char*>(digest.data()), kRecordKeyBytes);
}

// Reads the records of `path`. `read` reads one record's body and returns false when it
// is not valid; any problem (missing file, other magic or fingerprint, a bad record,
// trailing bytes) gives an empty map.
template <typename Record>
std::unordered_map<std::string, Record> ReadRecordCache(
    const std::string& path, std::string_view magic, std::string_view fingerprint,
    absl::FunctionRef<bool(ByteReader&, Record*)> read) {
  std::unordered_map<std::string, Record> out;
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return out;
  ByteReader r(*bytes);
  if (r.Raw(magic.size()) != magic || r.Str() != fingerprint) return out;
  const uint64_t count = r.U64();
  if (!r.ok() || count > bytes->size() / kRecordKeyBytes) return out;
  out.reserve(count);
  for (uint64_t i = 0; i < count && r.ok(); ++i) {
    std::string key(r.Raw(kRecordKeyBytes));
    Record record;
    if (!read(r, &record)) return {};
    out.emplace(std::move(key), std::move(record));
  }
  if (!r.ok() || !r.AtEnd()) return {};
  return out;
}

// Writes `keys[i]` with the body `write(writer, i)` writes, atomically. A cache that
// cannot be written only costs time on the next compile, so failures are ignored.
inline void WriteRecordCache(const std::string& path, std::string_view magic,
                             std::string_view fingerprint, const std::vector<std::string>& keys,
                             absl::FunctionRef<void(ByteWriter&, size_t)> write) {
  ByteWriter w;
  w.Raw(magic);
  w.Str(fingerprint);
  w.U64(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    w.Raw(keys[i]);
    write(w, i);
  }
  (void)WriteFileAtomically(path, w.out());
}

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_RECORD_CACHE_H_
