// File: decompose.cc
// The decomposition walk over libarchive. libarchive itself is reached through
// intake/archive_reader.h (readers, byte sources, the compressed-stream tee); this file
// decides what becomes a component and accounts for every byte it saw.
#include "intake/decompose.h"

#include <locale.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <thread>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "intake/archive_reader.h"
#include "intake/manifest_json.h"
#include "intake/media_type.h"
#include "structure/binary_structure.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/status_codes.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

using internal::ArchivePtr;
using internal::ByteSource;
using internal::Chunk;
using internal::ContainerReader;
using internal::ErrorText;
using internal::NewReader;
using internal::PackageFile;
using internal::ReaderKind;

constexpr size_t kReadChunk = 64 * 1024;
constexpr uint32_t kMaxDepthCap = 64;
// A container whose headers (or data reads) keep failing or warning is given up after
// this many in a row, so a malformed archive cannot keep the reader spinning.
constexpr int kMaxConsecutiveHeaderFailures = 16;

// libarchive reports failures as text; map the wording to a manifest status.
ComponentStatus StatusFromError(std::string_view message) {
  std::string lower(message);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const auto has = [&lower](std::string_view word) {
    return lower.find(word) != std::string::npos;
  };
  if (has("encrypt") || has("passphrase")) return ComponentStatus::kEncrypted;
  if (has("truncat") || has("premature") || has("unexpected end") || has("unexpected eof")) {
    return ComponentStatus::kTruncated;
  }
  if (has("unsupported") || has("not supported")) {
    return ComponentStatus::kUnsupported;
  }
  return ComponentStatus::kCorrupt;
}

// libarchive words many truncations as generic decompression errors; an error with the
// whole input consumed is a truncation.
ComponentStatus ErrorStatus(std::string_view error, bool input_exhausted) {
  const ComponentStatus status = StatusFromError(error);
  return status == ComponentStatus::kCorrupt && input_exhausted ? ComponentStatus::kTruncated
                                                                : status;
}

std::string MakeId(std::string_view package_id, std::string_view parent_id, uint64_t index,
                   std::string_view raw_name) {
  static constexpr std::string_view kSep("\0", 1);
  Sha256 hash;
  hash.Update(package_id);
  hash.Update(kSep);
  hash.Update(parent_id);
  hash.Update(kSep);
  hash.Update(StrCat(index));
  hash.Update(kSep);
  hash.Update(raw_name);
  return ToHex(hash.Finish()).substr(0, 32);
}

// What the walk's ignore rules and excludes left out, for the "inputs" root's reason:
// "3 path(s) left out by git's ignore rules; 2 by .trawlignore:1; 1 by --exclude *.log".
std::string LeftOutByRules(const SourceWalk& walk) {
  std::vector<std::string> parts;
  if (walk.ignored > 0) {
    parts.push_back(StrCat(walk.ignored, " path(s) left out by git's ignore rules"));
  }
  for (const auto& [rule, count] : walk.excluded) {
    parts.push_back(StrCat(count, parts.empty() ? " path(s) left out by " : " by ", rule));
  }
  for (const std::string& problem : walk.exclude_problems) parts.push_back(problem);
  return StrJoin(parts, "; ");
}

bool IsStreamFormat(int base) {
  return base == ARCHIVE_FORMAT_TAR || base == ARCHIVE_FORMAT_CPIO || base == ARCHIVE_FORMAT_AR;
}

int FormatBase(archive* a) { return archive_format(a) & ARCHIVE_FORMAT_BASE_MASK; }

std::string EntryName(archive_entry* entry) {
  const char* name = archive_entry_pathname(entry);
  if (name == nullptr) name = archive_entry_pathname_utf8(entry);
  return name == nullptr ? std::string() : std::string(name);
}

// A target or name quoted for a reason: control bytes, quotes and backslashes escaped, so
// a reason stays one line whatever the archive holds (the raw bytes are in link_target).
std::string Quoted(std::string_view text) {
  std::string out = "\"";
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      StrAppend(&out, "\\x", kHex[b >> 4], kHex[b & 15]);
    } else if (ch == '"' || ch == '\\') {
      StrAppend(&out, "\\", ch);
    } else {
      out.push_back(ch);
    }
  }
  out.push_back('"');
  return out;
}

// Why following a link target would leave the extracted tree, or "" when it stays inside.
// A symlink's target is relative to the link's directory; a hard link's to the archive root.
std::string LinkTargetRisk(std::string_view target, std::string_view link_name, bool symlink) {
  for (char ch : target) {
    const auto b = static_cast<unsigned char>(ch);
    if (b < 0x20 || b == 0x7f) return "control bytes in the target";
  }
  if (!target.empty() && (target[0] == '/' || target[0] == '\\')) return "absolute target";
  if (target.size() >= 2 && std::isalpha(static_cast<unsigned char>(target[0])) &&
      target[1] == ':') {
    return "absolute target";
  }
  int64_t depth = 0;
  const auto walk = [&depth](std::string_view path, bool last_is_leaf) {
    size_t start = 0;
    while (start <= path.size()) {
      size_t end = path.find_first_of("/\\", start);
      if (end == std::string_view::npos) end = path.size();
      const std::string_view segment = path.substr(start, end - start);
      const bool leaf = end == path.size();
      start = end + 1;
      if ((leaf && last_is_leaf) || segment.empty() || segment == ".") continue;
      if (segment == "..") {
        if (--depth < 0) return false;
      } else {
        ++depth;
      }
    }
    return true;
  };
  if (symlink && !walk(link_name, /*last_is_leaf=*/true)) depth = 0;
  if (!walk(target, /*last_is_leaf=*/false)) return "target climbs out of the archive";
  return "";
}

bool DescribeEncrypted(Component& child) {
  child.status = ComponentStatus::kEncrypted;
  child.reason = "entry is encrypted; no passphrase is configured";
  return true;
}

// Why an entry has no content to read (and its kind, status and reason set), or false
// when it is a regular file to read.
bool DescribeEntryWithoutContent(Component& child, archive_entry* entry) {
  const char* hardlink = archive_entry_hardlink(entry);
  const mode_t type = archive_entry_filetype(entry);
  // A hard link can carry the data of all its links: cpio's newc format stores it with
  // the last one, after links that have none. It is then read like a file.
  if (hardlink != nullptr && archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0) {
    child.kind = ComponentKind::kHardlink;
    child.link_target = hardlink;
    const std::string risk = LinkTargetRisk(child.link_target, child.name, false);
    child.unsafe_link = !risk.empty();
    child.reason = StrCat("hard link to ", Quoted(child.link_target), " with the data of its links",
                          risk.empty() ? "" : StrCat(" (unsafe: ", risk, ")"));
    return archive_entry_is_encrypted(entry) ? DescribeEncrypted(child) : false;
  }
  if (hardlink != nullptr || (type != 0 && type != AE_IFREG)) {
    child.status = ComponentStatus::kSkippedNonRegular;
    if (hardlink != nullptr || type == AE_IFLNK) {
      const bool symlink = hardlink == nullptr;
      const char* target = symlink ? archive_entry_symlink(entry) : hardlink;
      child.kind = symlink ? ComponentKind::kSymlink : ComponentKind::kHardlink;
      child.link_target = target == nullptr ? "" : target;
      const std::string risk = LinkTargetRisk(child.link_target, child.name, symlink);
      child.unsafe_link = !risk.empty();
      child.reason = StrCat(symlink ? "symbolic link to " : "hard link to ",
                            Quoted(child.link_target),
                            risk.empty() ? "" : StrCat(" (unsafe: ", risk, ")"));
    } else if (type == AE_IFDIR) {
      child.kind = ComponentKind::kDirectory;
      child.reason = "directory";
    } else {
      child.kind = ComponentKind::kSpecial;
      child.reason = "device, fifo or socket";
    }
    return true;
  }
  return archive_entry_is_encrypted(entry) ? DescribeEncrypted(child) : false;
}

// Keeps a warning on a component: consecutive repeats once, and at most
// kMaxComponentWarnings, the last of which then says that more were dropped.
void AddWarning(Component& c, std::string warning) {
  if (!c.warnings.empty() && c.warnings.back() == warning) return;
  if (c.warnings.size() + 1 < kMaxComponentWarnings) {
    c.warnings.push_back(std::move(warning));
  } else if (c.warnings.size() + 1 == kMaxComponentWarnings) {
    c.warnings.push_back("further warnings were not kept");
  }
}

// A byte range of a container's source, read in chunks.
class SourceStream {
 public:
  SourceStream(const ByteSource& source, uint64_t offset) : source_(source), offset_(offset) {}
  Chunk Next() {
    absl::Status read = source_.ReadAt(offset_, kReadChunk, &buffer_);
    if (!read.ok()) return Chunk{Chunk::kError, {}, std::string(read.message())};
    if (buffer_.empty()) return Chunk{Chunk::kEnd, {}, {}};
    offset_ += buffer_.size();
    return Chunk{Chunk::kData, buffer_, {}};
  }

 private:
  const ByteSource& source_;
  uint64_t offset_;
  std::string buffer_;
};

// An entry's data as chunks, read with archive_read_data_block: unlike archive_read_data,
// it hands over the block that comes with a warning (archive_read_data returns only the
// warning code, dropping the bytes already copied in that call). Holes of sparse entries
// are zero bytes, as archive_read_data writes them, also when the entry ends in one.
class EntryData {
 public:
  explicit EntryData(archive* a) : a_(a) {}
  Chunk Next() {
    for (;;) {
      if (block_offset_ > position_) {  // a hole before the block
        static const std::string* const kZeros = new std::string(kReadChunk, '\0');
        const size_t n =
            static_cast<size_t>(std::min<uint64_t>(kReadChunk, block_offset_ - position_));
        position_ += n;
        return Chunk{Chunk::kData, std::string_view(*kZeros).substr(0, n), {}};
      }
      if (!block_.empty()) {
        const std::string_view bytes = block_;
        position_ += bytes.size();
        block_ = {};
        return Chunk{Chunk::kData, bytes, {}};
      }
      const void* buffer = nullptr;
      size_t size = 0;
      la_int64_t offset = 0;
      const int r = archive_read_data_block(a_, &buffer, &size, &offset);
      if (r == ARCHIVE_EOF) {
        // A sparse entry that ends in a hole reports the end as the offset of its EOF.
        if (offset > 0 && static_cast<uint64_t>(offset) > position_) {
          block_offset_ = static_cast<uint64_t>(offset);
          continue;
        }
        return Chunk{Chunk::kEnd, {}, {}};
      }
      if (r < ARCHIVE_WARN ||
          (r == ARCHIVE_WARN && ++warnings_in_a_row_ >= kMaxConsecutiveHeaderFailures)) {
        return Chunk{Chunk::kError, {}, ErrorText(a_)};
      }
      block_ = std::string_view(static_cast<const char*>(buffer), size);
      // Blocks only move forward; an offset behind the output would overlap it.
      block_offset_ = std::max<uint64_t>(position_, offset < 0 ? 0 : static_cast<uint64_t>(offset));
      if (r == ARCHIVE_WARN) return Chunk{Chunk::kWarning, {}, ErrorText(a_)};
      if (size > 0) warnings_in_a_row_ = 0;
    }
  }

 private:
  archive* a_;
  std::string_view block_;
  uint64_t block_offset_ = 0;
  uint64_t position_ = 0;
  int warnings_in_a_row_ = 0;
};

// A zip's local headers as its streaming reader walks them front to back (the seekable
// reader lists the central directory instead). The walk is the cross-check for entries
// the central directory does not list, and the source of the names exactly as stored
// (libarchive cuts a name at an embedded NUL byte).
struct LocalHeaderWalk {
  struct Entry {
    std::string name;        // as libarchive reports it
    std::string stored_name;  // the name bytes of the local header
  };
  std::vector<Entry> entries;
  std::string error;  // why the walk stopped early, "" when it reached the central directory
  // name as reported -> stored names of that name, in order, and how many were used.
  std::map<std::string, std::pair<std::vector<std::string>, size_t>> by_name;
};

// A bare compressed file has no stored name: derive one from the container's.
std::string RawPayloadName(std::string_view parent_path) {
  const size_t cut = parent_path.find_last_of("/!");
  std::string base(cut == std::string_view::npos ? parent_path : parent_path.substr(cut + 1));
  if (!base.empty() && base[0] == '@') return "data";  // a carved stream ("blob!@64.gz")
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kSuffixes = {
      {{".tgz", ".tar"},
       {".tbz2", ".tar"},
       {".tbz", ".tar"},
       {".txz", ".tar"},
       {".tzst", ".tar"},
       {".gz", ""},
       {".gzip", ""},
       {".bz2", ""},
       {".xz", ""},
       {".lzma", ""},
       {".lz", ""},
       {".zst", ""},
       {".lz4", ""},
       {".Z", ""}}};
  for (const auto& [suffix, replacement] : kSuffixes) {
    if (base.size() > suffix.size() && EndsWith(base, suffix)) {
      base.resize(base.size() - suffix.size());
      base += replacement;
      return base;
    }
  }
  return "data";
}

// libarchive converts entry names to the thread's locale charset. In the C locale (the
// default in containers and Lambda) every non-ASCII name fails to convert and is lost,
// and in other locales names (and so component ids) would depend on the host. Intake
// therefore runs libarchive under a thread-local C.UTF-8 locale: names come out as
// UTF-8 everywhere. uselocale() touches only this thread, and the host's locale is put
// back around every callback.
class Utf8LocaleScope {
 public:
  Utf8LocaleScope() : utf8_(newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0))) {
    if (utf8_ != static_cast<locale_t>(0)) previous_ = uselocale(utf8_);
  }
  ~Utf8LocaleScope() {
    if (utf8_ != static_cast<locale_t>(0)) {
      uselocale(previous_);
      freelocale(utf8_);
    }
  }
  Utf8LocaleScope(const Utf8LocaleScope&) = delete;
  Utf8LocaleScope& operator=(const Utf8LocaleScope&) = delete;

  // Runs `fn` under the caller's locale.
  template <typename Fn>
  auto WithHostLocale(Fn&& fn) {
    if (utf8_ == static_cast<locale_t>(0)) return fn();
    uselocale(previous_);
    auto result = fn();
    uselocale(utf8_);
    return result;
  }

 private:
  locale_t utf8_;
  locale_t previous_ = static_cast<locale_t>(0);
};

struct DigestInfo {
  std::string id;
  ComponentKind kind = ComponentKind::kFile;
  std::string container_format;
};

// Embedded signatures carving tries (tar is found by its "ustar" header), with the
// extension used in the carved path
// ("blob.bin!@4096.zip"). PE, ELF, PDF and images have no container libarchive reads.
const char* CarveExtension(FileSignature type) {
  switch (type) {
    case FileSignature::kZip: return "zip";
    case FileSignature::kGzip: return "gz";
    case FileSignature::kSevenZip: return "7z";
    case FileSignature::kXz: return "xz";
    case FileSignature::kBzip2: return "bz2";
    case FileSignature::kTar: return "tar";
    default: return nullptr;
  }
}

// Signatures recorded per component at most; carving tries far fewer.
constexpr size_t kMaxSignaturesPerComponent = 1 << 16;
// Bytes of context a signature check reads from where the signature starts (a tar header).
constexpr size_t kSignatureContext = 512;

enum class ExpandOutcome {
  kExpanded,      // children were listed (maybe none); the caller emits the container
  kNotContainer,  // libarchive saw no archive or compression layer here
  kUnreadable,    // libarchive failed before the first entry
};

// Local file header signatures ("PK\3\4") in a zip's bytes, and whether a header's stored
// name holds a NUL byte: a cheap scan that decides whether the local header walk is
// needed. Every entry libarchive can read has such a header, so an entry the central
// directory does not list shows as more signatures than listed entries.
struct LocalSignatures {
  uint64_t count = 0;
  bool nul_name = false;
};

// Whether the 30 bytes at a "PK\3\4" look like a local header a zip writer made (the
// version needed to extract and the method are small known numbers), so that the magic
// occurring by chance inside compressed data does not count.
bool PlausibleLocalHeader(std::string_view header) {
  if (header.size() < 30) return false;
  const auto byte = [&header](size_t i) { return static_cast<unsigned char>(header[i]); };
  const unsigned version = byte(4), host = byte(5);
  const unsigned method = byte(8) | byte(9) << 8;
  const bool known_method = method <= 20 || (method >= 93 && method <= 99);
  return version <= 100 && host <= 30 && known_method;
}

// The name stored after the local header `header` read at `offset` (its length is a fixed
// field at offset 26 of the 30-byte header), "" when it cannot be read.
std::string StoredLocalName(const ByteSource& source, uint64_t offset, std::string_view header) {
  std::string name;
  if (header.size() < 30) return name;
  const size_t length = static_cast<unsigned char>(header[26]) |
                        static_cast<size_t>(static_cast<unsigned char>(header[27])) << 8;
  if (!source.ReadAt(offset + 30, length, &name).ok()) name.clear();
  return name;
}

LocalSignatures ScanLocalSignatures(const ByteSource& source) {
  static constexpr std::string_view kMagic("PK\3\4", 4);
  constexpr size_t kScanChunk = 1 << 20;
  LocalSignatures out;
  std::string chunk, header;
  // Chunks overlap by three bytes, so a signature across a boundary is found once.
  for (uint64_t offset = 0;; offset += kScanChunk) {
    if (!source.ReadAt(offset, kScanChunk + kMagic.size() - 1, &chunk).ok()) break;
    for (size_t at = chunk.find(kMagic); at != std::string::npos && at < kScanChunk;
         at = chunk.find(kMagic, at + 1)) {
      if (!source.ReadAt(offset + at, 30, &header).ok() || !PlausibleLocalHeader(header)) {
        continue;
      }
      ++out.count;
      if (!out.nul_name) out.nul_name = StoredLocalName(source, offset + at, header).find('\0') !=
                                        std::string::npos;
    }
    if (chunk.size() <= kScanChunk) break;
  }
  return out;
}

// Where a zip ends: after its end of central directory record (22 bytes and the comment
// its last field sizes). The record is searched backwards from the end, as libarchive's
// seekable reader does, and must describe a central directory that ends where it starts.
// Returns the source's size when no such record is found (nothing is then called trailing).
uint64_t ZipEnd(const ByteSource& source) {
  constexpr uint64_t kRecord = 22;
  constexpr uint64_t kMaxComment = 0xffff;
  const uint64_t size = source.size();
  if (size < kRecord) return size;
  const uint64_t from = size > kRecord + kMaxComment ? size - kRecord - kMaxComment : 0;
  std::string tail;
  if (!source.ReadAt(from, static_cast<size_t>(size - from), &tail).ok()) return size;
  const auto le = [&tail](size_t at, int bytes) {
    uint64_t value = 0;
    for (int i = bytes - 1; i >= 0; --i) {
      value = value << 8 | static_cast<unsigned char>(tail[at + i]);
    }
    return value;
  };
  for (size_t at = tail.rfind(std::string_view("PK\5\6", 4)); at != std::string::npos;
       at = at == 0 ? std::string::npos : tail.rfind(std::string_view("PK\5\6", 4), at - 1)) {
    if (at + kRecord > tail.size()) continue;
    const uint64_t directory_size = le(at + 12, 4), directory_offset = le(at + 16, 4);
    const uint64_t end = from + at + kRecord + le(at + 20, 2);
    // A zip64 archive keeps its real directory fields elsewhere (0xffffffff here).
    const bool zip64 = directory_offset == 0xffffffff || directory_size == 0xffffffff;
    if (end <= size && (zip64 || directory_offset + directory_size <= from + at)) return end;
  }
  return size;
}

// Whether the local headers must be walked after the listing: when the number of
// signatures and of listed entries differ (an unlisted entry, a stored zip inside an
// entry, a damaged header). Equal counts leave no room for an unlisted entry: libarchive's
// seekable reader keys entries by local header offset, so two central directory records
// on one header list once, and each listed entry has a header of its own.
bool NeedsLocalHeaderWalk(const LocalSignatures& signatures, size_t listed) {
  return signatures.count != listed;
}

// The buffer an entry is read into: a spare one of DecomposeOptions::buffers when set,
// given back to it unless the component callback took it (ComponentContent::Take).
class EntryBuffer {
 public:
  EntryBuffer(BufferPool* pool, uint64_t size_hint) : pool_(pool) {
    if (pool_ != nullptr) data = pool_->Get(size_hint);
  }
  ~EntryBuffer() {
    if (pool_ != nullptr) pool_->Put(std::move(data));
  }
  EntryBuffer(const EntryBuffer&) = delete;
  EntryBuffer& operator=(const EntryBuffer&) = delete;

  std::string data;

 private:
  BufferPool* pool_;
};

class Decomposer {
 public:
  Decomposer(const DecomposeOptions& options, ComponentCallback callback)
      : options_(options), limits_(options.limits), callback_(callback) {
    manifest_.package_id = options.package_id;
    manifest_.limits = options.limits;
    buffer_.resize(kReadChunk);
  }

  absl::Status RunBytes(std::string_view data) {
    manifest_.package_name =
        options_.package_name.empty() ? options_.package_id : options_.package_name;
    manifest_.input_bytes = data.size();
    manifest_.input_sha256 =
        options_.input_sha256.empty() ? ToHex(Sha256Of(data)) : options_.input_sha256;
    Component root = MakeRoot(data.size());
    return HandleContent(std::move(root), data);
  }

  absl::Status RunFile(const PackageFile& file) {
    const std::string& path = file.path();
    if (options_.package_name.empty()) {
      const size_t slash = path.find_last_of('/');
      manifest_.package_name = slash == std::string::npos ? path : path.substr(slash + 1);
    } else {
      manifest_.package_name = options_.package_name;
    }
    std::string head;
    TRAWL_RETURN_IF_ERROR(file.ReadAt(0, kSniffBytes, &head));
    const uint64_t cap =
        limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
    if (!LooksLikeContainer(head) && file.size() < cap) {
      if (options_.stream_check_bytes != 0 && options_.stream_factory &&
          file.size() >= options_.stream_check_bytes) {
        return RunLeafFileStreamed(file);
      }
      return RunLeafFile(file);
    }
    const bool whole_head = head.size() == std::min<uint64_t>(kSniffBytes, file.size());
    if (options_.renamed_ids != nullptr && whole_head) {
      manifest_.input_bytes = file.size();
      StartInputDigest(file);
      return RunFileAfterHash(file, head);
    }
    // The caller read the file for its digest already: one read less (unless the file
    // is no longer as long as it was opened, which the general way records).
    if (!options_.input_sha256.empty() && whole_head) {
      manifest_.input_bytes = file.size();
      manifest_.input_sha256 = options_.input_sha256;
      return RunFileAfterHash(file, head);
    }
    head.clear();
    TRAWL_RETURN_IF_ERROR(HashFile(file, &head));
    return RunFileAfterHash(file, head);
  }

  // The general path, once HashFile has read the file for its digest and `head`.
  absl::Status RunFileAfterHash(const PackageFile& file, const std::string& head) {
    Component root = MakeRoot(manifest_.input_bytes);
    root.size = manifest_.input_bytes;
    root.media_type = std::string(SniffMediaType(head));
    if (digest_thread_.joinable()) {
      deferred_root_id_ = root.id;  // registered under its digest once that is known
    } else {
      root.sha256 = manifest_.input_sha256;
      digests_[root.sha256] = DigestInfo{root.id, ComponentKind::kFile, ""};
    }

    if (LooksLikeContainer(head) && limits_.max_depth > 0) {
      const ByteSource source = ByteSource::File(&file);
      ContainerReader reader;
      std::string open_error = reader.Open(source);
      if (open_error.empty()) {
        TRAWL_ASSIGN_OR_RETURN(ExpandOutcome outcome,
                               Expand(root, reader, source, /*carved=*/false, &open_error));
        if (outcome == ExpandOutcome::kExpanded) {
          TRAWL_RETURN_IF_ERROR(AwaitInputDigest());
          root.sha256 = manifest_.input_sha256;
          root.content_complete = true;
          digests_[root.sha256] = DigestInfo{root.id, root.kind, root.container_format};
          return Emit(root, std::nullopt);
        }
      }
      if (!open_error.empty()) {
        root.status = StatusFromError(open_error);
        root.reason = StrCat("looks like ", root.media_type, " but cannot be opened: ", open_error);
      }
    } else if (LooksLikeContainer(head)) {
      DepthLimit(root);
    }
    // A leaf: the file's bytes are the component.
    TRAWL_RETURN_IF_ERROR(AwaitInputDigest());
    root.sha256 = manifest_.input_sha256;
    return EmitFileLeaf(file, std::move(root));
  }

  Manifest TakeManifest() { return std::move(manifest_); }

  // With deferred ids (DecomposeOptions::renamed_ids), once the walk is done: the package
  // id is the input's digest, and every id the walk made becomes the one that package id
  // gives, in the manifest and in the renaming handed back.
  absl::Status FinishIds() {
    if (options_.renamed_ids == nullptr) return absl::OkStatus();
    TRAWL_RETURN_IF_ERROR(AwaitInputDigest());
    manifest_.package_id = manifest_.input_sha256;
    IdRenaming& renamed = *options_.renamed_ids;
    renamed.clear();
    renamed.reserve(derivations_.size());
    // Parents are named before their children, so each parent's final id is known here.
    for (const IdDerivation& d : derivations_) {
      std::string parent;
      if (!d.parent_id.empty()) {
        auto it = renamed.find(d.parent_id);
        if (it == renamed.end()) return absl::InternalError("an id's parent was not named first");
        parent = it->second;
      }
      renamed.emplace(d.id, MakeId(manifest_.package_id, parent, d.index, d.raw_name));
    }
    derivations_.clear();
    auto rename = [&](std::string& id) {
      if (auto it = renamed.find(id); it != renamed.end()) id = it->second;
    };
    for (Component& c : manifest_.components) {
      rename(c.id);
      rename(c.parent_id);
      rename(c.duplicate_of);
    }
    for (LimitEvent& e : manifest_.limit_events) rename(e.component_id);
    for (CarveSkip& skip : manifest_.carve_skips) rename(skip.component_id);
    return absl::OkStatus();
  }

  // A package of several inputs (source_walk.h): an "inputs" container whose children
  // are the walk's entries, each read and expanded as an archive entry is.
  absl::Status RunSources(const SourceWalk& walk) {
    manifest_.package_name = options_.package_name.empty() ? "inputs" : options_.package_name;
    for (const SourceEntry& e : walk.entries) {
      struct stat st;
      if (!e.path.empty() && e.kind == ComponentKind::kFile && stat(e.path.c_str(), &st) == 0) {
        manifest_.input_bytes += static_cast<uint64_t>(st.st_size);
      }
      manifest_.input_bytes += e.bytes.size();
    }
    // The package id is the digest of the inputs (PackageDecomposeOptions).
    manifest_.input_sha256 = options_.package_id;
    Component root = MakeRoot(manifest_.input_bytes);
    root.kind = ComponentKind::kContainer;
    root.container_format = "inputs";
    root.content_complete = true;
    root.reason = LeftOutByRules(walk);
    uint64_t index = 0;
    for (const SourceEntry& e : walk.entries) {
      if (stopped_) {
        root.status = ComponentStatus::kLimitExceeded;
        root.reason =
            StrCat("listing stopped by ", manifest_.stopped_by, "; later inputs were not read");
        break;
      }
      Component child;
      child.parent_id = root.id;
      child.depth = 1;
      child.index = index++;
      child.id = NewId(root.id, child.index, e.name);
      child.name = e.name;
      const SanitizedName display = SanitizeEntryName(e.name);
      child.unsafe_path = display.unsafe;
      child.path = StrCat(root.path, "!/", display.display);
      if (!CountEntry(root, child)) {
        TRAWL_RETURN_IF_ERROR(Emit(child, std::nullopt));
        continue;
      }
      TRAWL_RETURN_IF_ERROR(ReadSource(std::move(child), e));
    }
    return Emit(root, std::nullopt);
  }


 private:
  // A component id (ComponentId). With deferred ids it is provisional, and how it was
  // made is kept for FinishIds.
  std::string NewId(std::string_view parent_id, uint64_t index, std::string_view raw_name) {
    static constexpr std::string_view kProvisionalPackageId = "provisional";
    if (options_.renamed_ids == nullptr) {
      return MakeId(options_.package_id, parent_id, index, raw_name);
    }
    std::string id = MakeId(kProvisionalPackageId, parent_id, index, raw_name);
    derivations_.push_back({id, std::string(parent_id), index, std::string(raw_name)});
    return id;
  }

  // Hashes the whole input beside the walk, from the file intake reads (pread: the two
  // readers keep their own offsets; neither reads past the size at open). A file that
  // changes meanwhile, in size or in place, fails DecomposeFile's CheckUnchanged after the
  // digest, whose error is the one reported. A walk that fails stops the thread (its
  // destructor asks it to) rather than wait for the rest of a large input.
  void StartInputDigest(const PackageFile& file) {
    digest_thread_ = std::jthread([this, &file](std::stop_token stop) {
      Sha256 hash;
      std::string chunk;
      uint64_t at = 0;
      for (;;) {
        if (stop.stop_requested()) {
          deferred_digest_ = absl::CancelledError("intake stopped before the input was hashed");
          return;
        }
        if (absl::Status read = file.ReadAt(at, 1 << 20, &chunk); !read.ok()) {
          deferred_digest_ = read;
          return;
        }
        if (chunk.empty()) break;
        hash.Update(chunk);
        at += chunk.size();
      }
      deferred_digest_ = ToHex(hash.Finish());
    });
  }

  // The input's digest once StartInputDigest's thread is done (a no-op without one). The
  // root is registered under it for duplicate detection, as RunFileAfterHash does when
  // the digest comes first.
  absl::Status AwaitInputDigest() {
    if (!digest_thread_.joinable()) return absl::OkStatus();
    digest_thread_.join();
    if (!deferred_digest_.ok()) return deferred_digest_.status();
    manifest_.input_sha256 = *deferred_digest_;
    digests_.try_emplace(manifest_.input_sha256,
                         DigestInfo{deferred_root_id_, ComponentKind::kFile, ""});
    return absl::OkStatus();
  }

  // Only content as long as the package can be the package itself (a zip quine), so
  // only such content waits for the package's digest before it is compared with what was
  // seen: the outcome is the one of a digest known from the start.
  absl::Status AwaitInputDigestIfAsLong(uint64_t size) {
    return size == manifest_.input_bytes ? AwaitInputDigest() : absl::OkStatus();
  }

  Component MakeRoot(uint64_t size) {
    Component root;
    root.id = NewId("", 0, "");
    root.path = manifest_.package_name;
    root.declared_size = static_cast<int64_t>(size);
    return root;
  }

  // A file that is one leaf component (no container magic, within max_component_bytes):
  // read once, into a buffer that is not zero-filled first, and hashed from memory; the
  // general path reads it twice (digest, then content). The same manifest and component:
  // a file that grew past the cap since it was opened is left to that path.
  absl::Status RunLeafFile(const PackageFile& file) {
    size_t capacity = static_cast<size_t>(file.size()) + 1;  // one more: growth is seen
    std::unique_ptr<char[]> buffer(new char[capacity]);
    size_t used = 0;
    for (;;) {
      if (used == capacity) {
        std::unique_ptr<char[]> grown(new char[capacity * 2]);
        std::memcpy(grown.get(), buffer.get(), used);
        buffer = std::move(grown);
        capacity *= 2;
      }
      size_t got = 0;
      TRAWL_RETURN_IF_ERROR(file.ReadInto(used, capacity - used, buffer.get() + used, &got));
      if (got == 0) break;
      used += got;
    }
    const std::string_view content(buffer.get(), used);
    const uint64_t cap =
        limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
    if (used > cap || LooksLikeContainer(content.substr(0, kSniffBytes))) {
      std::string head;
      TRAWL_RETURN_IF_ERROR(HashFile(file, &head));  // changed since sniffed: the general way
      return RunFileAfterHash(file, head);
    }
    manifest_.input_bytes = used;
    manifest_.input_sha256 = ToHex(Sha256Of(content));
    Component root = MakeRoot(manifest_.input_bytes);
    root.sha256 = manifest_.input_sha256;
    root.size = used;
    root.content_complete = true;
    root.media_type = std::string(SniffMediaType(content));
    digests_[root.sha256] = DigestInfo{root.id, ComponentKind::kFile, ""};
    return EmitLeaf(root, content);
  }

  // A leaf file over the streaming threshold: offered to the stream factory once its first
  // stream_check_bytes are read (at each doubling after that, as ReadStream does), and
  // then read through to the stream in 1 MiB pieces, digest included, never held whole.
  // Declined to the end, it is RunLeafFile's read.
  absl::Status RunLeafFileStreamed(const PackageFile& file) {
    Component root = MakeRoot(file.size());
    std::string data;
    std::string chunk;
    uint64_t offer_at = options_.stream_check_bytes;
    uint64_t at = 0;
    for (;;) {
      TRAWL_RETURN_IF_ERROR(file.ReadAt(at, 1 << 20, &chunk));
      if (chunk.empty()) break;
      at += chunk.size();
      if (streamed_) {
        TRAWL_RETURN_IF_ERROR(StreamPart(chunk));
        continue;
      }
      data += chunk;
      if (data.size() >= offer_at) {
        offer_at = data.size() * 2;
        OfferStream(root, &data);
        if (!stream_error_.ok()) return std::exchange(stream_error_, absl::OkStatus());
      }
    }
    if (!streamed_) return RunLeafFile(file);
    std::unique_ptr<StreamedEntry> streamed = std::move(streamed_);
    manifest_.input_bytes = streamed->size;
    root.declared_size = static_cast<int64_t>(streamed->size);
    TRAWL_RETURN_IF_ERROR(FinishStreamed(std::move(root), *streamed));
    manifest_.input_sha256 = manifest_.components.back().sha256;
    return absl::OkStatus();
  }

  // Reads the whole file once for its digest, keeping the first bytes for sniffing.
  absl::Status HashFile(const PackageFile& file, std::string* head) {
    Sha256 hash;
    uint64_t total = 0;
    std::string chunk;
    for (;;) {
      TRAWL_RETURN_IF_ERROR(file.ReadAt(total, 1 << 20, &chunk));
      if (chunk.empty()) break;
      if (head->size() < kSniffBytes) {
        head->append(chunk.data(), std::min(chunk.size(), kSniffBytes - head->size()));
      }
      hash.Update(chunk);
      total += chunk.size();
    }
    manifest_.input_bytes = total;
    manifest_.input_sha256 = ToHex(hash.Finish());
    return absl::OkStatus();
  }

  absl::Status EmitFileLeaf(const PackageFile& file, Component root) {
    std::string content;
    const uint64_t cap =
        limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(manifest_.input_bytes, cap));
    TRAWL_RETURN_IF_ERROR(file.ReadAt(0, want, &content));
    const size_t got = content.size();
    root.size = got;
    root.content_complete = got == manifest_.input_bytes;
    if (!root.content_complete) {
      root.sha256 = ToHex(Sha256Of(content));
      if (root.status == ComponentStatus::kOk) {
        root.status = ComponentStatus::kLimitExceeded;
        root.reason =
            StrCat("larger than max_component_bytes (", cap, "); first ", got, " bytes kept");
      }
      AddEvent("max_component_bytes", root.id, manifest_.input_bytes, cap);
    }
    root.media_type = std::string(SniffMediaType(content));
    if (root.kind == ComponentKind::kFile) return EmitLeaf(root, content);
    return Emit(root, content);
  }

  // `owner`, when given, is the buffer that holds exactly `content` and that intake reads
  // no more after this call: the callback may take it instead of copying the bytes.
  absl::Status Emit(Component& c, std::optional<std::string_view> content,
                    std::string* owner = nullptr) {
    c.has_content = content.has_value();
    manifest_.components.push_back(c);
    const bool whole = owner != nullptr && content.has_value() &&
                       content->data() == owner->data() && content->size() == owner->size();
    return locale_.WithHostLocale([&] {
      return callback_(manifest_.components.back(),
                       ComponentContent(content.value_or(std::string_view()), whole ? owner : nullptr));
    });
  }

  void AddEvent(std::string_view limit, const std::string& id, uint64_t observed,
                uint64_t maximum) {
    manifest_.limit_events.push_back(LimitEvent{std::string(limit), id, observed, maximum});
  }

  void DepthLimit(Component& c) {
    c.kind = ComponentKind::kContainer;
    c.status = ComponentStatus::kLimitExceeded;
    c.reason = StrCat("nested container at depth ", c.depth, " not opened: max_depth is ",
                      limits_.max_depth);
    AddEvent("max_depth", c.id, c.depth, limits_.max_depth);
  }

  // A complete in-memory content: a duplicate, a container to expand, or a leaf. `owner`:
  // the buffer of `content` when the caller reads it no more (Emit), handed on only to a
  // leaf, as a container's bytes are still read while its children are emitted.
  absl::Status HandleContent(Component c, std::string_view content, std::string* owner = nullptr) {
    c.size = content.size();
    c.sha256 = ToHex(Sha256Of(content));
    c.content_complete = true;
    c.media_type = std::string(SniffMediaType(content));
    TRAWL_RETURN_IF_ERROR(AwaitInputDigestIfAsLong(c.size));
    auto [it, inserted] =
        digests_.try_emplace(c.sha256, DigestInfo{c.id, ComponentKind::kFile, ""});
    if (!inserted) {
      // Identical content was seen (or is being expanded: a zip quine): reference it.
      c.duplicate_of = it->second.id;
      c.kind = it->second.kind;
      c.container_format = it->second.container_format;
      return Emit(c, content);
    }
    if (!LooksLikeContainer(content)) return EmitLeaf(c, content, owner);
    if (c.depth >= limits_.max_depth) {
      DepthLimit(c);
      digests_[c.sha256].kind = c.kind;
      return Emit(c, content);
    }
    const ByteSource source = ByteSource::Memory(content);
    ContainerReader reader;
    std::string open_error = reader.Open(source);
    if (open_error.empty()) {
      TRAWL_ASSIGN_OR_RETURN(ExpandOutcome outcome,
                             Expand(c, reader, source, /*carved=*/false, &open_error));
      if (outcome == ExpandOutcome::kExpanded) {
        digests_[c.sha256] = DigestInfo{c.id, c.kind, c.container_format};
        return Emit(c, std::nullopt);
      }
    }
    if (!open_error.empty()) {
      c.status = StatusFromError(open_error);
      c.reason = StrCat("looks like ", c.media_type, " but cannot be opened: ", open_error);
      return Emit(c, content);
    }
    return EmitLeaf(c, content);
  }

  // A complete file: carve embedded archives out of it (they are emitted first, as its
  // children), then emit the file itself with its content.
  absl::Status EmitLeaf(Component& c, std::string_view content, std::string* owner = nullptr) {
    if (c.status == ComponentStatus::kOk && c.content_complete) {
      TRAWL_RETURN_IF_ERROR(Carve(c, content));
    }
    return Emit(c, content, owner);
  }

  void AddCarveSkip(const Component& c, const EmbeddedSignature& sig, std::string reason) {
    if (manifest_.carve_skips.size() >= kMaxListedCarveSkips) {
      ++manifest_.carve_skips_omitted;
      return;
    }
    manifest_.carve_skips.push_back(
        CarveSkip{c.id, sig.offset, FileSignatureName(sig.type), std::move(reason)});
  }

  // Opens `data` as an archive and reads the first entry's header and first bytes, so
  // a signature that merely looks right (random bytes that start "PK\3\4") is rejected
  // before anything is emitted. Returns "" when it opened, else libarchive's reason.
  std::string ProbeArchive(std::string_view data) {
    const ByteSource source = ByteSource::Memory(data);
    ContainerReader reader;
    if (std::string error = reader.Open(source); !error.empty()) return error;
    if (reader.empty_stream()) return "no entries";
    archive* a = reader.entries();
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a, &entry);
    // A compressed stream without entries is still read: as one raw stream (Expand).
    if (r == ARCHIVE_EOF) return reader.compressed() ? "" : "no entries";
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return ErrorText(a);
    const int base = FormatBase(a);
    if ((base == ARCHIVE_FORMAT_RAW || base == ARCHIVE_FORMAT_EMPTY || base == 0) &&
        !reader.compressed()) {
      return "not an archive";
    }
    if (archive_entry_is_encrypted(entry)) return "";
    if (archive_read_data(a, buffer_.data(), buffer_.size()) < 0) return ErrorText(a);
    return "";
  }

  // Carving (#6): archives embedded at offsets > 0 in a file's content become carved
  // container components, children of the file, decomposed like any container (same
  // ids, limits, dedup of their entries, accounting). A signature that does not open is
  // a recorded skip, never an error.
  absl::Status Carve(Component& file, std::string_view content) {
    if (limits_.max_carve_depth == 0 || stopped_ || file.kind != ComponentKind::kFile) {
      return absl::OkStatus();
    }
    std::string_view searched = content;
    if (limits_.max_carve_scan_bytes != 0 && searched.size() > limits_.max_carve_scan_bytes) {
      searched = searched.substr(0, static_cast<size_t>(limits_.max_carve_scan_bytes));
    }
    bool truncated = false;
    const std::vector<EmbeddedSignature> signatures =
        FindSignatures(searched, kMaxSignaturesPerComponent, &truncated);
    uint64_t covered_until = 0;  // signatures inside an archive already carved are its own
    uint32_t tried = 0;
    for (const EmbeddedSignature& sig : signatures) {
      const char* extension = CarveExtension(sig.type);
      if (sig.offset == 0 || extension == nullptr || sig.offset < covered_until) continue;
      if (stopped_) break;
      if (carve_level_ >= limits_.max_carve_depth) {
        AddCarveSkip(
            file, sig,
            StrCat("not opened: this file is inside ", carve_level_,
                   " carved container(s) and max_carve_depth is ", limits_.max_carve_depth));
        break;
      }
      if (file.depth + 1 >= limits_.max_depth) {
        AddCarveSkip(file, sig,
                     StrCat("not opened: a carved container would be at depth ", file.depth + 1,
                            " and max_depth is ", limits_.max_depth));
        break;
      }
      if (limits_.max_carves_per_component != 0 && tried >= limits_.max_carves_per_component) {
        AddCarveSkip(
            file, sig,
            StrCat("not tried: max_carves_per_component (", limits_.max_carves_per_component,
                   ") signatures were tried in this component; later ones are not"));
        break;
      }
      if (limits_.max_entries != 0 && manifest_.entries_seen >= limits_.max_entries) {
        AddCarveSkip(file, sig,
                     StrCat("not opened: max_entries (", limits_.max_entries,
                            ") entries were already seen"));
        break;
      }
      ++tried;
      const std::string_view slice = content.substr(static_cast<size_t>(sig.offset));
      if (std::string probe = ProbeArchive(slice); !probe.empty()) {
        AddCarveSkip(file, sig, StrCat("does not open as an archive: ", probe));
        continue;
      }
      Component carved;
      carved.parent_id = file.id;
      carved.depth = file.depth + 1;
      carved.index = file.children;
      // Carved containers have no stored name; the offset stands in for it in the id.
      carved.id = NewId(file.id, carved.index, StrCat("@", sig.offset));
      carved.path = StrCat(file.path, "!@", sig.offset, ".", extension);
      carved.carved_offset = static_cast<int64_t>(sig.offset);
      carved.media_type = std::string(SniffMediaType(slice));
      ++manifest_.entries_seen;
      ++file.children;
      const ByteSource source = ByteSource::Memory(slice);
      ContainerReader reader;
      std::string open_error = reader.Open(source);
      ExpandOutcome outcome = ExpandOutcome::kUnreadable;
      if (open_error.empty()) {
        ++carve_level_;
        absl::StatusOr<ExpandOutcome> expanded =
            Expand(carved, reader, source, /*carved=*/true, &open_error);
        --carve_level_;
        if (!expanded.ok()) return expanded.status();
        outcome = *expanded;
      }
      // The carved bytes: from the signature to where libarchive stopped reading (the
      // end of the archive, or of the compressed stream, for formats read front to
      // back), at least one byte.
      const uint64_t extent = std::clamp<uint64_t>(reader.InputConsumed(), 1, slice.size());
      carved.size = extent;
      carved.sha256 = ToHex(Sha256Of(slice.substr(0, static_cast<size_t>(extent))));
      carved.content_complete = true;
      if (outcome != ExpandOutcome::kExpanded) {
        // The probe opened it, the second reader did not: keep the accounting whole.
        carved.kind = ComponentKind::kContainer;
        carved.status = StatusFromError(open_error);
        carved.reason =
            StrCat("carved at offset ", sig.offset,
                   " but cannot be opened: ", open_error.empty() ? "not an archive" : open_error);
      }
      covered_until = sig.offset + extent;
      TRAWL_RETURN_IF_ERROR(Emit(carved, std::nullopt));
    }
    return absl::OkStatus();
  }

  // Package-wide limits; returns true (and records why) when the walk must stop.
  bool CheckGlobalLimits(const std::string& id) {
    const uint64_t expanded = manifest_.expanded_bytes;
    if (options_.deadline != absl::InfiniteFuture() && absl::Now() > options_.deadline) {
      Stop("time_budget", id, expanded, 0);
      return true;
    }
    if (limits_.max_total_bytes != 0 && expanded > limits_.max_total_bytes) {
      Stop("max_total_bytes", id, expanded, limits_.max_total_bytes);
      return true;
    }
    if (limits_.max_expansion_ratio > 0 && expanded > limits_.ratio_grace_bytes) {
      const double allowed =
          limits_.max_expansion_ratio * static_cast<double>(manifest_.input_bytes);
      if (static_cast<double>(expanded) > allowed) {
        Stop("max_expansion_ratio", id, expanded, static_cast<uint64_t>(allowed));
        return true;
      }
    }
    return false;
  }

  void Stop(std::string_view limit, const std::string& id, uint64_t observed, uint64_t maximum) {
    stopped_ = true;
    manifest_.complete = false;
    manifest_.stopped_by = std::string(limit);
    AddEvent(limit, id, observed, maximum);
  }

  // Counts `child` as an entry of `parent`. Returns false (with `child` marked and the
  // walk stopped) when it crosses max_entries: it must then be emitted without reading.
  bool CountEntry(Component& parent, Component& child) {
    ++manifest_.entries_seen;
    ++parent.children;
    if (limits_.max_entries != 0 && manifest_.entries_seen > limits_.max_entries) {
      child.status = ComponentStatus::kLimitExceeded;
      child.reason = StrCat("not read: more than max_entries (", limits_.max_entries, ") entries");
      Stop("max_entries", child.id, manifest_.entries_seen, limits_.max_entries);
      return false;
    }
    return true;
  }

  // Lists the entries of an opened container as children of `c`, then accounts for what
  // its readers did not consume (AccountUnconsumed). On kExpanded the children are
  // emitted and `c` is updated (kind, format, children, status) but not emitted.
  // Otherwise nothing was emitted; *open_error says why when it failed. `carved`: the
  // source runs on past the container (the rest of the file it was carved from).
  absl::StatusOr<ExpandOutcome> Expand(Component& c, ContainerReader& reader,
                                       const ByteSource& source, bool carved,
                                       std::string* open_error) {
    if (reader.empty_stream()) {
      c.kind = ComponentKind::kContainer;
      c.container_format = reader.Format();
      std::optional<LocalHeaderWalk> no_walk;
      TRAWL_RETURN_IF_ERROR(AccountUnconsumed(c, reader, source, carved, nullptr, no_walk, {}));
      return ExpandOutcome::kExpanded;
    }
    archive* a = reader.entries();
    uint64_t index = 0;
    int failures = 0;
    bool first = true;
    bool reached_end = false;
    std::optional<LocalSignatures> signatures;  // an uncompressed zip's local headers
    std::optional<LocalHeaderWalk> walk;
    std::vector<std::pair<std::string, std::string>> listed;  // (name, sha256), zip only
    for (;;) {
      if (stopped_) {
        c.status = ComponentStatus::kLimitExceeded;
        c.reason =
            StrCat("listing stopped by ", manifest_.stopped_by, "; later entries were not read");
        break;
      }
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a, &entry);
      if (first) {
        first = false;
        if (r == ARCHIVE_FATAL) {
          *open_error = ErrorText(a);
          return ExpandOutcome::kUnreadable;
        }
        const int base = FormatBase(a);
        if ((base == ARCHIVE_FORMAT_RAW || base == ARCHIVE_FORMAT_EMPTY || base == 0) &&
            !reader.compressed()) {
          return ExpandOutcome::kNotContainer;
        }
        c.kind = ComponentKind::kContainer;
        c.container_format = reader.Format();
        if (base == ARCHIVE_FORMAT_ZIP && !reader.compressed()) {
          signatures = ScanLocalSignatures(source);
          // Stored names are needed while listing only when one holds a NUL byte.
          if (signatures->nul_name) walk = WalkLocalHeaders(source);
        }
      }
      if (r == ARCHIVE_EOF) {
        reached_end = true;
        break;
      }
      if (r == ARCHIVE_FATAL) {
        const std::string error = ErrorText(a);
        c.status = ErrorStatus(error, reader.InputConsumed() >= source.size());
        if (c.status == ComponentStatus::kUnsupported) c.status = ComponentStatus::kCorrupt;
        c.reason = StrCat("listing failed after ", index, " entries: ", error);
        break;
      }
      reader.StopRetainingStreamStart();
      const bool raw = FormatBase(a) == ARCHIVE_FORMAT_RAW;
      const std::string name = raw ? std::string() : EntryName(entry);
      Component child = MakeChild(c, index++, StoredName(walk, name), raw, entry);
      if (r == ARCHIVE_WARN) AddWarning(child, StrCat("entry header: ", ErrorText(a)));
      if (!CountEntry(c, child)) {
        TRAWL_RETURN_IF_ERROR(Emit(child, std::nullopt));
        continue;  // the loop head records the stop on `c`
      }
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        // ARCHIVE_FAILED / ARCHIVE_RETRY: this header is bad, later ones may be fine.
        child.status = ComponentStatus::kCorrupt;
        child.reason = StrCat("bad entry header: ", ErrorText(a));
        TRAWL_RETURN_IF_ERROR(Emit(child, std::nullopt));
        if (++failures >= kMaxConsecutiveHeaderFailures) {
          c.status = ComponentStatus::kCorrupt;
          c.reason = StrCat("gave up after ", failures, " bad entry headers in a row");
          break;
        }
        continue;
      }
      failures = 0;
      if (r == ARCHIVE_WARN && child.reason.empty()) {
        child.reason = StrCat("warning: ", ErrorText(a));
      }
      TRAWL_RETURN_IF_ERROR(ReadEntry(std::move(child), reader, entry, source.size()));
      // Every path of ReadEntry ends by emitting the entry itself.
      if (signatures) listed.emplace_back(name, manifest_.components.back().sha256);
    }
    if (reached_end && !stopped_ && c.status == ComponentStatus::kOk) {
      TRAWL_RETURN_IF_ERROR(
          AccountUnconsumed(c, reader, source, carved, signatures ? &*signatures : nullptr,
                            walk, listed));
    }
    for (std::string& warning : reader.TakeWarnings()) AddWarning(c, std::move(warning));
    return ExpandOutcome::kExpanded;
  }

  // The name as stored: libarchive cuts a zip name at an embedded NUL byte, the local
  // header walk has the whole name. The k-th listed entry of a name is matched with the
  // k-th local header of that name.
  static std::string StoredName(std::optional<LocalHeaderWalk>& walk, const std::string& name) {
    if (!walk) return name;
    auto it = walk->by_name.find(name);
    if (it == walk->by_name.end()) return name;
    auto& [stored, used] = it->second;
    return used < stored.size() ? stored[used++] : name;
  }

  Component MakeChild(const Component& parent, uint64_t index, std::string raw_name, bool raw,
                      archive_entry* entry) {
    Component child;
    child.parent_id = parent.id;
    child.depth = parent.depth + 1;
    child.index = index;
    child.id = NewId(parent.id, index, raw_name);
    if (const size_t nul = raw_name.find('\0'); nul != std::string::npos) {
      AddWarning(child, StrCat("the stored name holds a NUL byte at offset ", nul,
                               "; libarchive reads it as ", Quoted(raw_name.substr(0, nul))));
    }
    if (limits_.max_path_length != 0 && raw_name.size() > limits_.max_path_length) {
      // Keep the manifest bounded: the oversized name is cut, the entry is not read.
      AddEvent("max_path_length", child.id, raw_name.size(), limits_.max_path_length);
      child.status = ComponentStatus::kLimitExceeded;
      child.reason = StrCat("entry name of ", raw_name.size(), " bytes exceeds max_path_length (",
                            limits_.max_path_length, "); not read");
      raw_name.resize(limits_.max_path_length);
    }
    child.name = raw_name;
    if (raw) {
      child.path = StrCat(parent.path, "!/", RawPayloadName(parent.path));
    } else {
      SanitizedName display = SanitizeEntryName(raw_name);
      child.unsafe_path = display.unsafe;
      child.path = StrCat(parent.path, "!/", display.display);
    }
    if (entry != nullptr && archive_entry_size_is_set(entry)) {
      child.declared_size = archive_entry_size(entry);
    }
    return child;
  }

  absl::Status ReadEntry(Component child, ContainerReader& reader, archive_entry* entry,
                         uint64_t input_size) {
    if (child.status == ComponentStatus::kLimitExceeded) return Emit(child, std::nullopt);
    if (DescribeEntryWithoutContent(child, entry)) return Emit(child, std::nullopt);
    archive* a = reader.entries();
    // Trust the header only up to the cap and a modest bound: it is attacker-controlled.
    const uint64_t expected =
        child.declared_size > 0
            ? std::min<uint64_t>({static_cast<uint64_t>(child.declared_size), ComponentCap(), 64ull << 20})
            : 0;
    EntryBuffer buffer(options_.buffers, expected);
    std::string& data = buffer.data;
    data.reserve(static_cast<size_t>(expected));
    EntryData entry_data(a);
    const uint64_t total = ReadStream(
        child, &data,
        [&]() -> Chunk {
          Chunk chunk = entry_data.Next();
          if (chunk.kind == Chunk::kError) {
            chunk.input_exhausted = reader.InputConsumed() >= input_size;
          }
          return chunk;
        },
        /*may_stream=*/true);
    return FinishRead(std::move(child), data, total);
  }

  // One entry of a source walk: recorded without content when it is not a readable
  // file, else read (the first max_component_bytes) and handled as any entry's content.
  absl::Status ReadSource(Component child, const SourceEntry& e) {
    if (!e.error.empty()) {
      child.kind = e.kind;
      child.status = ComponentStatus::kUnsupported;
      child.reason = e.error;
      return Emit(child, std::nullopt);
    }
    if (e.kind == ComponentKind::kSymlink) {
      child.kind = ComponentKind::kSymlink;
      child.status = ComponentStatus::kSkippedNonRegular;
      child.reason = "symbolic link; not followed";
      child.link_target = e.link_target;
      child.unsafe_link = !LinkTargetRisk(e.link_target, e.name, /*symlink=*/true).empty();
      return Emit(child, std::nullopt);
    }
    if (e.kind != ComponentKind::kFile) {
      child.kind = e.kind;
      child.status = ComponentStatus::kSkippedNonRegular;
      child.reason = "not a regular file; not read";
      return Emit(child, std::nullopt);
    }
    std::string read;
    std::string_view data = e.bytes;
    uint64_t total = e.bytes.size();
    if (!e.path.empty()) {
      PackageFile file;
      absl::Status opened = PackageFile::Open(e.path, &file);
      if (opened.ok() && options_.stream_check_bytes != 0 && options_.stream_factory &&
          file.size() >= options_.stream_check_bytes) {
        return ReadSourceInPieces(std::move(child), file);
      }
      if (opened.ok()) opened = file.ReadAt(0, static_cast<size_t>(std::min(file.size(), ComponentCap())), &read);
      if (opened.ok() && !(opened = file.CheckUnchanged()).ok()) {
        // Partial content is still handed over, as a cut archive entry's is.
        child.declared_size = static_cast<int64_t>(file.size());
        child.status = ComponentStatus::kTruncated;
        child.reason = std::string(opened.message());
        manifest_.expanded_bytes += read.size();
        return FinishRead(std::move(child), read, read.size());
      }
      if (!opened.ok()) {
        child.status = ComponentStatus::kUnsupported;
        child.reason = std::string(opened.message());
        return Emit(child, std::nullopt);
      }
      data = read;
      total = file.size();
    }
    child.declared_size = static_cast<int64_t>(total);
    manifest_.expanded_bytes += total;
    if (CheckGlobalLimits(child.id)) {
      child.status = ComponentStatus::kLimitExceeded;
      child.reason = StrCat("not read: ", manifest_.stopped_by);
      return Emit(child, std::nullopt);
    }
    if (data.size() > ComponentCap()) data = data.substr(0, static_cast<size_t>(ComponentCap()));
    if (data.size() == total) return HandleContent(std::move(child), data, &read);  // Emit checks it holds `data`
    child.size = data.size();
    child.sha256 = ToHex(Sha256Of(data));
    child.media_type = std::string(SniffMediaType(data));
    child.status = ComponentStatus::kLimitExceeded;
    child.reason = StrCat("larger than max_component_bytes (", ComponentCap(), "); first ",
                          data.size(), " bytes kept");
    AddEvent("max_component_bytes", child.id, total, ComponentCap());
    return Emit(child, data);
  }

  // A walk's file at or above the streaming threshold, read in pieces through ReadStream
  // so that the stream factory can take it as it takes a large archive entry: a large log
  // in a directory input is analysed in bounded memory too. Only the first
  // max_component_bytes are read; the rest is counted.
  absl::Status ReadSourceInPieces(Component child, const PackageFile& file) {
    const uint64_t size = file.size();
    const uint64_t readable = std::min(size, ComponentCap());
    child.declared_size = static_cast<int64_t>(size);
    EntryBuffer buffer(options_.buffers, readable);
    std::string& data = buffer.data;
    std::string piece;
    uint64_t at = 0;
    const uint64_t total = ReadStream(
        child, &data,
        [&]() -> Chunk {
          Chunk chunk;  // kEnd
          if (at >= readable) return chunk;
          const size_t want = static_cast<size_t>(std::min<uint64_t>(1 << 20, readable - at));
          if (absl::Status read = file.ReadAt(at, want, &piece); !read.ok()) {
            chunk.kind = Chunk::kError;
            chunk.message = std::string(read.message());
          } else if (!piece.empty()) {  // empty: the file shrank, which CheckUnchanged says
            at += piece.size();
            chunk.kind = Chunk::kData;
            chunk.bytes = piece;
          }
          return chunk;
        },
        /*may_stream=*/true);
    if (absl::Status unchanged = file.CheckUnchanged(); !unchanged.ok()) {
      child.status = ComponentStatus::kTruncated;
      child.reason = std::string(unchanged.message());
    } else if (child.status == ComponentStatus::kOk && size > readable) {
      manifest_.expanded_bytes += size - readable;
      child.status = ComponentStatus::kLimitExceeded;
      child.reason = StrCat("larger than max_component_bytes (", ComponentCap(), "); first ",
                            total, " bytes kept");
      AddEvent("max_component_bytes", child.id, size, ComponentCap());
      (void)CheckGlobalLimits(child.id);  // sets stopped_ for what follows
    }
    return FinishRead(std::move(child), data, total);
  }

  uint64_t ComponentCap() const {
    return limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
  }

  // Reads a stream into `data` for `c`: the first max_component_bytes are kept, every byte
  // is counted toward the package limits, every warning is kept on `c`; a failure or a
  // limit sets c's status and reason. Returns the number of bytes read.
  uint64_t ReadStream(Component& c, std::string* data, absl::FunctionRef<Chunk()> pull,
                      bool may_stream = false) {
    const uint64_t cap = ComponentCap();
    uint64_t total = 0;
    bool over_cap = false;
    uint64_t next_offer = options_.stream_check_bytes;
    may_stream = may_stream && next_offer != 0 && options_.stream_factory;
    for (;;) {
      const Chunk chunk = pull();
      if (chunk.kind == Chunk::kEnd) break;
      if (chunk.kind == Chunk::kWarning) {
        ++data_warnings_;
        AddWarning(c, chunk.message);
        continue;
      }
      if (chunk.kind == Chunk::kError) {
        c.status = ErrorStatus(chunk.message, chunk.input_exhausted);
        c.reason = StrCat("reading content failed after ", total, " bytes: ", chunk.message);
        break;
      }
      const uint64_t got = chunk.bytes.size();
      total += got;
      manifest_.expanded_bytes += got;
      if (!over_cap) {
        const uint64_t kept = streamed_ ? streamed_->size : data->size();
        const uint64_t room = cap - kept;
        const std::string_view part = chunk.bytes.substr(0, static_cast<size_t>(std::min(got, room)));
        if (streamed_) {
          if (absl::Status written = StreamPart(part); !written.ok()) {
            stream_error_ = std::move(written);  // FinishRead returns it
            break;
          }
        } else {
          data->append(part.data(), part.size());
          if (may_stream && data->size() >= next_offer) {
            next_offer = data->size() > UINT64_MAX / 2 ? UINT64_MAX : data->size() * 2;
            OfferStream(c, data);
          }
        }
        if (got > room) {
          over_cap = true;
          c.status = ComponentStatus::kLimitExceeded;
        }
      }
      // Bytes past the cap are still decompressed and counted, so a single huge entry
      // is stopped by the package-wide limits rather than skipped at unbounded cost.
      if (CheckGlobalLimits(c.id)) {
        c.status = ComponentStatus::kLimitExceeded;
        c.reason =
            StrCat("reading stopped after ", total, " bytes: ", manifest_.stopped_by, " reached");
        break;
      }
    }
    if (over_cap) {
      AddEvent("max_component_bytes", c.id, total, cap);
      if (!stopped_) {
        c.reason = StrCat("content of ", total, " bytes exceeds max_component_bytes (", cap,
                          "); first ", streamed_ ? streamed_->size : data->size(),
                          " bytes kept");
      }
    }
    return total;
  }

  // An entry handed to a ComponentStream while it is read (DecomposeOptions::stream_factory).
  struct StreamedEntry {
    std::unique_ptr<ComponentStream> stream;
    Sha256 hash;
    uint64_t size = 0;
    std::string head;  // the first kSniffBytes, for the media type
    // Carvable signatures seen (offset, type); carving needs the whole content.
    std::vector<EmbeddedSignature> signatures;
    bool signatures_truncated = false;
    std::string tail;  // the last kSignatureContext bytes written
  };

  // Offers `c`, whose content read so far is `*data`, to the stream factory; when it
  // takes it, `*data` is written to the stream and released.
  void OfferStream(const Component& c, std::string* data) {
    if (LooksLikeContainer(std::string_view(*data).substr(0, kSniffBytes))) return;
    std::unique_ptr<ComponentStream> stream = options_.stream_factory(c, *data);
    if (stream == nullptr) return;
    streamed_ = std::make_unique<StreamedEntry>();
    streamed_->stream = std::move(stream);
    streamed_->head = data->substr(0, kSniffBytes);
    absl::Status written = StreamPart(*data);
    std::string().swap(*data);
    if (!written.ok()) stream_error_ = std::move(written);
  }

  absl::Status StreamPart(std::string_view part) {
    StreamedEntry& s = *streamed_;
    if (limits_.max_carve_depth != 0 && !s.signatures_truncated &&
        (limits_.max_carve_scan_bytes == 0 || s.size < limits_.max_carve_scan_bytes)) {
      // A signature that starts in the previous write is found in its last bytes joined
      // with this write's first (a tar header is 512 bytes); the rest in this write.
      std::vector<EmbeddedSignature> found;
      bool truncated = false;
      if (!s.tail.empty()) {
        std::string joined = s.tail;
        joined.append(part.substr(0, kSignatureContext));
        for (EmbeddedSignature sig : FindSignatures(joined, kMaxSignaturesPerComponent, &truncated)) {
          if (sig.offset >= s.tail.size()) break;  // starts in `part`: found below
          sig.offset += s.size - s.tail.size();
          found.push_back(sig);
        }
      }
      for (EmbeddedSignature sig : FindSignatures(part, kMaxSignaturesPerComponent, &truncated)) {
        sig.offset += s.size;
        found.push_back(sig);
      }
      for (const EmbeddedSignature& sig : found) {
        if (sig.offset == 0 || CarveExtension(sig.type) == nullptr) continue;
        if (!s.signatures.empty() && sig.offset <= s.signatures.back().offset) continue;
        if (limits_.max_carve_scan_bytes != 0 && sig.offset >= limits_.max_carve_scan_bytes) {
          continue;
        }
        if (s.signatures.size() >= kMaxListedCarveSkips) {
          s.signatures_truncated = true;
          break;
        }
        s.signatures.push_back(sig);
      }
      if (part.size() >= kSignatureContext) {
        s.tail.assign(part.substr(part.size() - kSignatureContext));
      } else {
        s.tail.append(part);
        if (s.tail.size() > kSignatureContext) s.tail.erase(0, s.tail.size() - kSignatureContext);
      }
    }
    s.hash.Update(part);
    s.size += part.size();
    return s.stream->Write(part);
  }

  // The end of a streamed entry: its manifest entry, as HandleContent or the partial
  // path of FinishRead would write it, told to the stream, then emitted without content.
  absl::Status FinishStreamed(Component child, StreamedEntry& s) {
    child.size = s.size;
    child.sha256 = ToHex(s.hash.Finish());
    child.media_type = std::string(SniffMediaType(s.head));
    child.content_complete = child.status == ComponentStatus::kOk;
    child.has_content = true;
    if (child.content_complete) {
      TRAWL_RETURN_IF_ERROR(AwaitInputDigestIfAsLong(child.size));
      auto [it, inserted] =
          digests_.try_emplace(child.sha256, DigestInfo{child.id, ComponentKind::kFile, ""});
      if (!inserted) {
        child.duplicate_of = it->second.id;
        child.kind = it->second.kind;
        child.container_format = it->second.container_format;
      } else if (!stopped_ && limits_.max_carve_depth != 0) {
        for (const EmbeddedSignature& sig : s.signatures) {
          AddCarveSkip(child, sig,
                       "not opened: the component was analysed as a stream (larger than the "
                       "streaming threshold); carving needs it whole in memory");
        }
      }
    }
    TRAWL_RETURN_IF_ERROR(s.stream->Finish(child));
    return Emit(child, std::string_view());
  }

  // Emits an entry whose data was read: a read that warned or did not match the size its
  // header declares is corrupt (its bytes are still handed over); an ok read is handled
  // like any complete content (dedup, nested containers, carving).
  // `data` is the caller's buffer, which it reads no more: the callback may take it.
  absl::Status FinishRead(Component child, std::string& data, uint64_t total) {
    std::unique_ptr<StreamedEntry> streamed = std::move(streamed_);
    if (!stream_error_.ok()) return std::exchange(stream_error_, absl::OkStatus());
    if (child.status == ComponentStatus::kOk && child.declared_size >= 0 &&
        total != static_cast<uint64_t>(child.declared_size)) {
      child.status = ComponentStatus::kCorrupt;
      child.reason = StrCat("read ", total, " bytes; the entry header declares ",
                            child.declared_size,
                            data_warnings_ > 0 ? StrCat(" (", child.warnings.back(), ")") : "");
    }
    if (child.status == ComponentStatus::kOk && data_warnings_ > 0) {
      child.status = ComponentStatus::kCorrupt;
      child.reason = StrCat("read with a warning: ", child.warnings.back());
    }
    data_warnings_ = 0;
    if (streamed) return FinishStreamed(std::move(child), *streamed);
    if (child.status == ComponentStatus::kOk) return HandleContent(std::move(child), data, &data);
    // Partial content is still handed over: a cut log can hold what we are looking for.
    child.size = data.size();
    child.sha256 = data.empty() ? std::string() : ToHex(Sha256Of(data));
    child.media_type = std::string(SniffMediaType(data));
    child.content_complete = false;
    return Emit(child, data, &data);
  }

  // What a container's readers did not consume, once its listing reached its end:
  //  - a compressed stream whose format found no entries is read as one raw stream (the
  //    container becomes "raw+<filter>", fallback_from says what was tried);
  //  - bytes after a tar, cpio or ar archive's end (in the decompressed stream, or in the
  //    container's bytes) and after a compressed stream's end become an "after_archive" /
  //    "after_stream" child when they hold anything but zero padding;
  //  - a zip's local headers that its central directory does not list become
  //    "local_header" children.
  // Bytes after a carved container belong to the file it was carved from (analysed whole).
  absl::Status AccountUnconsumed(Component& c, ContainerReader& reader, const ByteSource& source,
                                 bool carved, const LocalSignatures* signatures,
                                 std::optional<LocalHeaderWalk>& walk,
                                 const std::vector<std::pair<std::string, std::string>>& listed) {
    if (reader.compressed()) {
      if (!reader.empty_stream()) {
        const int base = FormatBase(reader.entries());
        // Named before SeekStream, which may have to drop the format reader.
        const std::string format = internal::FormatName(reader.entries());
        if (c.children == 0 && base != ARCHIVE_FORMAT_RAW) {
          TRAWL_RETURN_IF_ERROR(ReadRawStream(c, reader, source));
        } else {
          const uint64_t end = reader.StreamConsumed();
          if (absl::Status seek = reader.SeekStream(end); !seek.ok()) {
            return StreamFailure(c, StrCat("after offset ", end, " of the decompressed stream"),
                                 std::string(seek.message()), false);
          }
          if (IsStreamFormat(base)) {
            TRAWL_RETURN_IF_ERROR(ReadTrailing(c, "after_archive", format, end,
                                               [&] { return StreamChunk(reader, source); }));
          } else {
            // zip, 7z (their central directory, already read) or raw (nothing left):
            // decompressed to the end so the compressed stream's own end is known.
            TRAWL_RETURN_IF_ERROR(Drain(c, reader, source));
          }
        }
      }
      if (!carved && !stopped_ && c.status == ComponentStatus::kOk && reader.stream_ended() &&
          reader.InputConsumed() < source.size()) {
        const uint64_t end = reader.InputConsumed();
        SourceStream rest(source, end);
        TRAWL_RETURN_IF_ERROR(ReadTrailing(c, "after_stream", reader.Filters(), end,
                                           [&] { return rest.Next(); }));
      }
      return absl::OkStatus();
    }
    const int base = FormatBase(reader.entries());
    if (IsStreamFormat(base) && !carved) {
      const uint64_t end = reader.InputConsumed();
      SourceStream rest(source, end);
      TRAWL_RETURN_IF_ERROR(ReadTrailing(c, "after_archive", internal::FormatName(reader.entries()),
                                         end, [&] { return rest.Next(); }));
    }
    if (signatures != nullptr && !walk && NeedsLocalHeaderWalk(*signatures, listed.size())) {
      walk = WalkLocalHeaders(source);
    }
    if (walk) TRAWL_RETURN_IF_ERROR(ReadUnlistedLocalEntries(c, source, *walk, listed));
    if (signatures != nullptr && !carved && !stopped_ && c.status == ComponentStatus::kOk) {
      if (const uint64_t end = ZipEnd(source); end < source.size()) {
        SourceStream rest(source, end);
        TRAWL_RETURN_IF_ERROR(ReadTrailing(c, "after_archive", "zip", end,
                                           [&] { return rest.Next(); }));
      }
    }
    return absl::OkStatus();
  }

  Chunk StreamChunk(ContainerReader& reader, const ByteSource& source) {
    Chunk chunk = reader.NextStreamChunk();
    if (chunk.kind == Chunk::kError) {
      chunk.input_exhausted = reader.InputConsumed() >= source.size();
    }
    return chunk;
  }

  // A failure while reading past a container's listing: the container is not ok.
  absl::Status StreamFailure(Component& c, std::string_view where, const std::string& error,
                             bool input_exhausted) {
    c.status = ErrorStatus(error, input_exhausted);
    c.reason = StrCat("reading the bytes ", where, " failed: ", error);
    return absl::OkStatus();
  }

  // Decompresses the rest of a stream without keeping it, counting toward the limits.
  absl::Status Drain(Component& c, ContainerReader& reader, const ByteSource& source) {
    for (;;) {
      const Chunk chunk = StreamChunk(reader, source);
      if (chunk.kind == Chunk::kEnd) return absl::OkStatus();
      if (chunk.kind == Chunk::kWarning) {
        AddWarning(c, chunk.message);
        continue;
      }
      if (chunk.kind == Chunk::kError) {
        return StreamFailure(c, "after the archive's end in the decompressed stream",
                             chunk.message, chunk.input_exhausted);
      }
      manifest_.expanded_bytes += chunk.bytes.size();
      if (CheckGlobalLimits(c.id)) {
        c.status = ComponentStatus::kLimitExceeded;
        c.reason = StrCat("reading the decompressed stream stopped: ", manifest_.stopped_by,
                          " reached");
        return absl::OkStatus();
      }
    }
  }

  // The fallback for a compressed stream in which no format found an entry: the whole
  // decompressed stream becomes the container's one child, like a bare compressed file.
  absl::Status ReadRawStream(Component& c, ContainerReader& reader, const ByteSource& source) {
    c.fallback_from = c.container_format;
    c.container_format = StrCat("raw+", reader.Filters());
    if (absl::Status seek = reader.SeekStream(0); !seek.ok()) {
      return StreamFailure(c, "of the decompressed stream", std::string(seek.message()), false);
    }
    Component child = MakeChild(c, 0, "", /*raw=*/true, nullptr);
    if (!CountEntry(c, child)) return Emit(child, std::nullopt);
    EntryBuffer buffer(options_.buffers, 0);
    std::string& data = buffer.data;
    const uint64_t total = ReadStream(
        child, &data, [&] { return StreamChunk(reader, source); }, /*may_stream=*/true);
    return FinishRead(std::move(child), data, total);
  }

  // Reads what follows an end (see AccountUnconsumed) from `offset`. Zero bytes there are
  // padding (tar pads to its block size) and are only counted; from the first other byte
  // to the end, the bytes are a child component analysed like any entry.
  absl::Status ReadTrailing(Component& c, std::string_view origin, std::string_view layer,
                            uint64_t offset, absl::FunctionRef<Chunk()> pull) {
    std::string_view rest;
    for (bool found = false; !found;) {
      const Chunk chunk = pull();
      if (chunk.kind == Chunk::kEnd) return absl::OkStatus();
      if (chunk.kind == Chunk::kWarning) {
        AddWarning(c, chunk.message);
        continue;
      }
      if (chunk.kind == Chunk::kError) {
        return StreamFailure(c, StrCat("after the end (", origin, ") at offset ", offset),
                             chunk.message, chunk.input_exhausted);
      }
      const size_t nonzero = chunk.bytes.find_first_not_of('\0');
      const size_t zeros = nonzero == std::string_view::npos ? chunk.bytes.size() : nonzero;
      offset += zeros;
      manifest_.expanded_bytes += zeros;
      if (CheckGlobalLimits(c.id)) {
        c.status = ComponentStatus::kLimitExceeded;
        c.reason = StrCat("reading the bytes after the end (", origin, ") stopped: ",
                          manifest_.stopped_by, " reached");
        return absl::OkStatus();
      }
      if (nonzero != std::string_view::npos) {
        rest = chunk.bytes.substr(nonzero);
        found = true;
      }
    }
    Component child;
    child.parent_id = c.id;
    child.depth = c.depth + 1;
    child.index = c.children;
    const std::string label = StrCat("@", offset, ".after-", layer);
    child.id = NewId(c.id, child.index, label);
    child.path = StrCat(c.path, "!", label);
    child.origin = std::string(origin);
    child.origin_offset = static_cast<int64_t>(offset);
    if (!CountEntry(c, child)) return Emit(child, std::nullopt);
    bool first = true;
    EntryBuffer buffer(options_.buffers, 0);
    std::string& data = buffer.data;
    const uint64_t total = ReadStream(
        child, &data,
        [&]() -> Chunk {
          if (!first) return pull();
          first = false;
          return Chunk{Chunk::kData, rest, {}};
        },
        /*may_stream=*/true);
    return FinishRead(std::move(child), data, total);
  }

  // Walks a zip's local headers with libarchive's streaming reader, skipping the data.
  LocalHeaderWalk WalkLocalHeaders(const ByteSource& source) {
    LocalHeaderWalk walk;
    ArchivePtr a = NewReader(ReaderKind::kZipLocalHeaders);
    std::unique_ptr<ByteSource::Cursor> cursor;
    if (a == nullptr || source.Open(a.get(), &cursor) != ARCHIVE_OK) {
      walk.error = a == nullptr ? "libarchive: out of memory" : ErrorText(a.get());
      return walk;
    }
    const uint64_t max_entries = limits_.max_entries == 0 ? UINT64_MAX : limits_.max_entries;
    std::string header;
    while (walk.entries.size() <= max_entries) {
      const la_int64_t at = archive_filter_bytes(a.get(), -1);
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        walk.error = StrCat("after ", walk.entries.size(), " local headers: ", ErrorText(a.get()));
        break;
      }
      LocalHeaderWalk::Entry e;
      e.name = EntryName(entry);
      e.stored_name = e.name;
      // The stored name of the local header libarchive just read (it starts where the
      // reader stood), when libarchive cut it at a NUL byte.
      if (at >= 0 && source.ReadAt(static_cast<uint64_t>(at), 30, &header).ok() &&
          header.compare(0, 4, "PK\3\4") == 0) {
        std::string stored = StoredLocalName(source, static_cast<uint64_t>(at), header);
        if (stored.size() > e.name.size() && stored.find('\0') != std::string::npos &&
            stored.compare(0, e.name.size(), e.name) == 0) {
          e.stored_name = std::move(stored);
        }
      }
      auto& [stored, used] = walk.by_name[e.name];
      stored.push_back(e.stored_name);
      walk.entries.push_back(std::move(e));
      if (archive_read_data_skip(a.get()) < ARCHIVE_WARN) {
        walk.error = StrCat("after ", walk.entries.size(), " local headers: ", ErrorText(a.get()));
        break;
      }
    }
    return walk;
  }

  // Entries whose local header the central directory does not list (a zip edited to hide
  // one, or a second archive written over the first): compared by name, then by content,
  // so a hidden entry that shares a listed name is still found. Each becomes a child
  // with origin "local_header".
  absl::Status ReadUnlistedLocalEntries(
      Component& c, const ByteSource& source, const LocalHeaderWalk& walk,
      const std::vector<std::pair<std::string, std::string>>& listed) {
    if (!walk.error.empty()) {
      AddWarning(c, StrCat("zip local headers could not be walked to the central directory (",
                           walk.error, "); entries missing from the central directory after "
                           "that point would not be seen"));
    }
    std::map<std::string, int64_t> surplus;  // local headers minus listed entries, by name
    for (const auto& e : walk.entries) ++surplus[e.name];
    for (const auto& [name, sha] : listed) --surplus[name];
    std::multiset<std::pair<std::string, std::string>> unmatched;
    for (const auto& [name, sha] : listed) {
      if (surplus[name] > 0) unmatched.emplace(name, sha);
    }
    bool any = false;
    for (const auto& [name, count] : surplus) any = any || count > 0;
    if (!any) return absl::OkStatus();

    ArchivePtr a = NewReader(ReaderKind::kZipLocalHeaders);
    std::unique_ptr<ByteSource::Cursor> cursor;
    if (a == nullptr || source.Open(a.get(), &cursor) != ARCHIVE_OK) {
      AddWarning(c, "zip local headers could not be read again for the entries the central "
                    "directory does not list");
      return absl::OkStatus();
    }
    std::map<std::string, size_t> seen;
    for (size_t i = 0; i < walk.entries.size() && !stopped_; ++i) {
      archive_entry* entry = nullptr;
      const int r = archive_read_next_header(a.get(), &entry);
      if (r == ARCHIVE_EOF || r < ARCHIVE_WARN) break;
      const std::string name = EntryName(entry);
      auto it = surplus.find(name);
      if (it == surplus.end() || it->second <= 0 || name != walk.entries[i].name) {
        archive_read_data_skip(a.get());
        continue;
      }
      Component child = MakeChild(c, c.children, walk.entries[i].stored_name, false, entry);
      child.origin = "local_header";
      if (!DescribeEntryWithoutContent(child, entry)) {
        EntryBuffer buffer(options_.buffers, 0);
        std::string& data = buffer.data;
        EntryData entry_data(a.get());
        const uint64_t total = ReadStream(child, &data, [&] { return entry_data.Next(); });
        const std::string sha = ToHex(Sha256Of(data));
        if (auto match = unmatched.find({name, sha}); match != unmatched.end()) {
          unmatched.erase(match);  // the listed entry itself
          data_warnings_ = 0;
          continue;
        }
        --it->second;
        if (!CountEntry(c, child)) return Emit(child, std::nullopt);
        if (child.reason.empty() && child.status == ComponentStatus::kOk) {
          child.reason = "found by its local header; the central directory does not list it";
        }
        TRAWL_RETURN_IF_ERROR(FinishRead(std::move(child), data, total));
        continue;
      }
      if (auto match = unmatched.find({name, ""}); match != unmatched.end()) {
        unmatched.erase(match);
        continue;
      }
      --it->second;
      if (!CountEntry(c, child)) return Emit(child, std::nullopt);
      TRAWL_RETURN_IF_ERROR(Emit(child, std::nullopt));
    }
    return absl::OkStatus();
  }

  const DecomposeOptions& options_;
  const DecomposeLimits& limits_;
  ComponentCallback callback_;
  Utf8LocaleScope locale_;
  Manifest manifest_;
  // Content digest -> first component with it. Node-based: entries are updated in place.
  std::unordered_map<std::string, DigestInfo> digests_;
  std::string buffer_;
  bool stopped_ = false;
  uint32_t carve_level_ = 0;  // carved containers on the current path chain
  int data_warnings_ = 0;     // warnings of the data read in progress (ReadStream)
  std::unique_ptr<StreamedEntry> streamed_;  // the entry ReadStream hands to a stream
  absl::Status stream_error_;              // a stream's Write failed (FinishRead returns it)
  // Deferred ids (DecomposeOptions::renamed_ids): how each provisional id was made, and
  // the input's digest as its thread computes it.
  struct IdDerivation {
    std::string id;
    std::string parent_id;
    uint64_t index;
    std::string raw_name;
  };
  std::vector<IdDerivation> derivations_;
  std::string deferred_root_id_;
  absl::StatusOr<std::string> deferred_digest_;
  std::jthread digest_thread_;  // last: joined before the members it writes go
};

// `file`: DecomposeFile, the one that can defer the package id (renamed_ids).
absl::Status ValidateOptions(const DecomposeOptions& options, bool file = false) {
  if (options.renamed_ids != nullptr && (!file || !options.package_id.empty())) {
    return absl::InvalidArgumentError(
        "renamed_ids is for DecomposeFile without a package_id (the id is then the file's digest)");
  }
  if (options.package_id.empty() && options.renamed_ids == nullptr) {
    return absl::InvalidArgumentError("package_id is required");
  }
  if (options.limits.max_depth > kMaxDepthCap) {
    return absl::InvalidArgumentError(
        StrCat("max_depth ", options.limits.max_depth, " exceeds ", kMaxDepthCap));
  }
  if (!(options.limits.max_expansion_ratio >= 0)) {
    return absl::InvalidArgumentError("max_expansion_ratio must be >= 0");
  }
  return absl::OkStatus();
}

absl::StatusOr<Decomposition> Collect(
    const std::function<absl::StatusOr<Manifest>(ComponentCallback)>& run) {
  Decomposition out;
  auto keep = [&out](const Component& c, std::string_view content) {
    if (c.has_content && c.duplicate_of.empty()) out.content[c.id] = std::string(content);
    return absl::OkStatus();
  };
  TRAWL_ASSIGN_OR_RETURN(out.manifest, run(keep));
  return out;
}

}  // namespace

SanitizedName SanitizeEntryName(std::string_view raw) {
  SanitizedName out;
  if (!raw.empty() && (raw.front() == '/' || raw.front() == '\\')) out.unsafe = true;
  if (raw.size() >= 2 && std::isalpha(static_cast<unsigned char>(raw[0])) && raw[1] == ':') {
    out.unsafe = true;  // a Windows drive path
    raw.remove_prefix(2);
  }
  size_t start = 0;
  while (start <= raw.size()) {
    size_t end = raw.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = raw.size();
    std::string_view segment = raw.substr(start, end - start);
    start = end + 1;
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      out.unsafe = true;
      continue;
    }
    if (!out.display.empty()) out.display.push_back('/');
    for (char ch : segment) {
      const auto b = static_cast<unsigned char>(ch);
      if (b < 0x20 || b == 0x7f) {
        out.unsafe = true;  // control bytes could forge lines in logs and reports
        out.display.push_back('?');
      } else {
        out.display.push_back(ch);
      }
    }
  }
  if (out.display.empty()) out.display = "_";
  return out;
}

absl::StatusOr<Manifest> DecomposeBytes(std::string_view data, const DecomposeOptions& options,
                                        ComponentCallback callback) {
  TRAWL_RETURN_IF_ERROR(ValidateOptions(options));
  Decomposer decomposer(options, callback);
  TRAWL_RETURN_IF_ERROR(decomposer.RunBytes(data));
  return decomposer.TakeManifest();
}

absl::StatusOr<Manifest> DecomposeFile(const std::string& path, const DecomposeOptions& options,
                                       ComponentCallback callback) {
  TRAWL_RETURN_IF_ERROR(ValidateOptions(options, /*file=*/true));
  PackageFile file;
  TRAWL_RETURN_IF_ERROR(PackageFile::Open(path, &file));
  if (!options.input_identity.empty() && options.input_identity != file.identity()) {
    return WithCode(absl::DataLossError(StrCat(path, " changed between hashing it for the package "
                                               "id and reading it; read a copy that does not "
                                               "change")),
                    ErrorCode::kIo);
  }
  Decomposer decomposer(options, callback);
  absl::Status run = decomposer.RunFile(file);
  if (run.ok()) run = decomposer.FinishIds();  // done reading: the digest's thread too
  // A change explains whatever else went wrong, so it is the error reported.
  TRAWL_RETURN_IF_ERROR(file.CheckUnchanged());
  TRAWL_RETURN_IF_ERROR(run);
  return decomposer.TakeManifest();
}

absl::StatusOr<std::string> PackageFileSha256(const std::string& path, std::string* identity) {
  PackageFile file;
  TRAWL_RETURN_IF_ERROR(PackageFile::Open(path, &file));
  Sha256 hash;
  std::string chunk;
  for (uint64_t at = 0;; at += chunk.size()) {
    TRAWL_RETURN_IF_ERROR(file.ReadAt(at, 1 << 20, &chunk));
    if (chunk.empty()) break;
    hash.Update(chunk);
  }
  TRAWL_RETURN_IF_ERROR(file.CheckUnchanged());
  if (identity != nullptr) *identity = file.identity();
  return ToHex(hash.Finish());
}

absl::StatusOr<Manifest> DecomposeSources(const SourceWalk& walk, const DecomposeOptions& options,
                                          ComponentCallback callback) {
  TRAWL_RETURN_IF_ERROR(ValidateOptions(options));
  Decomposer decomposer(options, callback);
  TRAWL_RETURN_IF_ERROR(decomposer.RunSources(walk));
  return decomposer.TakeManifest();
}

absl::StatusOr<Decomposition> CollectBytes(std::string_view data, const DecomposeOptions& options) {
  return Collect([&](ComponentCallback cb) { return DecomposeBytes(data, options, cb); });
}

absl::StatusOr<Decomposition> CollectFile(const std::string& path,
                                          const DecomposeOptions& options) {
  auto collected =
      Collect([&](ComponentCallback cb) { return DecomposeFile(path, options, cb); });
  if (!collected.ok() || options.renamed_ids == nullptr) return collected;
  // Contents were recorded under provisional ids: the manifest's ids name them.
  std::map<std::string, std::string> renamed;
  for (auto& [id, bytes] : collected->content) {
    auto it = options.renamed_ids->find(id);
    renamed.emplace(it == options.renamed_ids->end() ? id : it->second, std::move(bytes));
  }
  collected->content = std::move(renamed);
  return collected;
}

std::string ComponentId(std::string_view package_id, std::string_view parent_id, uint64_t index,
                        std::string_view raw_name) {
  return MakeId(package_id, parent_id, index, raw_name);
}

absl::StatusOr<Manifest> DecomposeFileToDirectory(const std::string& path,
                                                  const DecomposeOptions& options,
                                                  const std::string& directory) {
  if (options.renamed_ids != nullptr) {
    return absl::InvalidArgumentError("files are named by final ids: renamed_ids is not for this");
  }
  auto write = [&directory](const Component& c, std::string_view content) {
    // Named by id only: entry names are attacker-controlled and never touch the disk.
    if (!c.has_content || !c.duplicate_of.empty()) return absl::OkStatus();
    return WriteFileAtomically(StrCat(directory, "/", c.id), content, Durability::kUnsynced);
  };
  TRAWL_ASSIGN_OR_RETURN(Manifest manifest, DecomposeFile(path, options, write));
  // One flush for every component (an fsync each costs more than the write on thousands
  // of small files), then the manifest that publishes them, synced on its own.
  TRAWL_RETURN_IF_ERROR(SyncFileSystemOf(directory));
  TRAWL_RETURN_IF_ERROR(
      WriteFileAtomically(StrCat(directory, "/manifest.json"), ManifestToJson(manifest)));
  return manifest;
}

}  // namespace trawl
