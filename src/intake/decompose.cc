// File: decompose.cc
// The libarchive adapter. This is the only file in trawl that includes archive.h.
#include "intake/decompose.h"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "intake/manifest_json.h"
#include "intake/media_type.h"
#include "structure/binary_structure.h"
#include "util/digest.h"
#include "util/file.h"
#include "util/status_macros.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr size_t kReadChunk = 64 * 1024;
constexpr uint32_t kMaxDepthCap = 64;
// A container whose headers (or data reads) keep failing or warning is given up after
// this many in a row, so a malformed archive cannot keep the reader spinning.
constexpr int kMaxConsecutiveHeaderFailures = 16;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveDeleter>;

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
ArchivePtr NewReader() {
  ArchivePtr a(archive_read_new());
  if (a == nullptr) return a;
  for (SupportFn fn : NativeFilters()) fn(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_zip(a.get());
  archive_read_support_format_7zip(a.get());
  archive_read_support_format_cpio(a.get());
  archive_read_support_format_ar(a.get());
  archive_read_support_format_empty(a.get());
  // raw bids last: it turns a bare compressed file (x.log.gz) into one entry.
  archive_read_support_format_raw(a.get());
  return a;
}

std::string ErrorText(archive* a) {
  const char* text = archive_error_string(a);
  return text == nullptr ? std::string("unknown libarchive error") : std::string(text);
}

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

std::string ContainerFormat(archive* a) {
  std::string name;
  switch (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) {
    case ARCHIVE_FORMAT_TAR:
      name = "tar";
      break;
    case ARCHIVE_FORMAT_ZIP:
      name = "zip";
      break;
    case ARCHIVE_FORMAT_7ZIP:
      name = "7z";
      break;
    case ARCHIVE_FORMAT_CPIO:
      name = "cpio";
      break;
    case ARCHIVE_FORMAT_AR:
      name = "ar";
      break;
    case ARCHIVE_FORMAT_RAW:
      name = "raw";
      break;
    case ARCHIVE_FORMAT_EMPTY:
      name = "empty";
      break;
    default: {
      const char* detail = archive_format_name(a);
      name = detail == nullptr ? "unknown" : detail;
    }
  }
  for (int i = 0; i < archive_filter_count(a); ++i) {
    if (archive_filter_code(a, i) == ARCHIVE_FILTER_NONE) continue;
    const char* filter = archive_filter_name(a, i);
    StrAppend(&name, "+", filter == nullptr ? "unknown" : filter);
  }
  return name;
}

bool HasCompressionFilter(archive* a) {
  for (int i = 0; i < archive_filter_count(a); ++i) {
    if (archive_filter_code(a, i) != ARCHIVE_FILTER_NONE) return true;
  }
  return false;
}

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

enum class ExpandOutcome {
  kExpanded,      // children were listed (maybe none); the caller emits the container
  kNotContainer,  // libarchive saw no archive or compression layer here
  kUnreadable,    // libarchive failed before the first entry
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
    manifest_.input_sha256 = ToHex(Sha256Of(data));
    Component root = MakeRoot(data.size());
    return HandleContent(std::move(root), data);
  }

  absl::Status RunFile(const std::string& path) {
    if (options_.package_name.empty()) {
      const size_t slash = path.find_last_of('/');
      manifest_.package_name = slash == std::string::npos ? path : path.substr(slash + 1);
    } else {
      manifest_.package_name = options_.package_name;
    }
    std::string head;
    TRAWL_RETURN_IF_ERROR(HashFile(path, &head));
    Component root = MakeRoot(manifest_.input_bytes);
    root.sha256 = manifest_.input_sha256;
    root.size = manifest_.input_bytes;
    root.media_type = std::string(SniffMediaType(head));
    digests_[root.sha256] = DigestInfo{root.id, ComponentKind::kFile, ""};

    if (LooksLikeContainer(head) && limits_.max_depth > 0) {
      ArchivePtr a = NewReader();
      if (a == nullptr) return absl::ResourceExhaustedError("libarchive: out of memory");
      std::string open_error;
      if (archive_read_open_filename(a.get(), path.c_str(), kReadChunk) == ARCHIVE_OK) {
        TRAWL_ASSIGN_OR_RETURN(ExpandOutcome outcome,
                               Expand(root, a.get(), manifest_.input_bytes, &open_error));
        if (outcome == ExpandOutcome::kExpanded) {
          root.content_complete = true;
          digests_[root.sha256] = DigestInfo{root.id, root.kind, root.container_format};
          return Emit(root, std::nullopt);
        }
      } else {
        open_error = ErrorText(a.get());
      }
      if (!open_error.empty()) {
        root.status = StatusFromError(open_error);
        root.reason = StrCat("looks like ", root.media_type, " but cannot be opened: ", open_error);
      }
    } else if (LooksLikeContainer(head)) {
      DepthLimit(root);
    }
    // A leaf: the file's bytes are the component.
    return EmitFileLeaf(path, std::move(root));
  }

  Manifest TakeManifest() { return std::move(manifest_); }

 private:
  Component MakeRoot(uint64_t size) {
    Component root;
    root.id = MakeId(options_.package_id, "", 0, "");
    root.path = manifest_.package_name;
    root.declared_size = static_cast<int64_t>(size);
    return root;
  }

  // Reads the whole file once for its digest, keeping the first bytes for sniffing.
  absl::Status HashFile(const std::string& path, std::string* head) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (file == nullptr) return absl::NotFoundError(StrCat("cannot open ", path));
    Sha256 hash;
    uint64_t total = 0;
    std::vector<char> chunk(1 << 20);
    for (;;) {
      const size_t n = std::fread(chunk.data(), 1, chunk.size(), file.get());
      if (n == 0) break;
      if (head->size() < kSniffBytes) {
        head->append(chunk.data(), std::min(n, kSniffBytes - head->size()));
      }
      hash.Update(std::string_view(chunk.data(), n));
      total += n;
    }
    if (std::ferror(file.get())) return absl::DataLossError(StrCat("cannot read ", path));
    manifest_.input_bytes = total;
    manifest_.input_sha256 = ToHex(hash.Finish());
    return absl::OkStatus();
  }

  absl::Status EmitFileLeaf(const std::string& path, Component root) {
    std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (file == nullptr) return absl::NotFoundError(StrCat("cannot open ", path));
    std::string content;
    const uint64_t cap =
        limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
    const size_t want = static_cast<size_t>(std::min<uint64_t>(manifest_.input_bytes, cap));
    content.resize(want);
    const size_t got = std::fread(content.data(), 1, want, file.get());
    content.resize(got);
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

  absl::Status Emit(Component& c, std::optional<std::string_view> content) {
    c.has_content = content.has_value();
    manifest_.components.push_back(c);
    return locale_.WithHostLocale([&] {
      return callback_(manifest_.components.back(), content.value_or(std::string_view()));
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

  // A complete in-memory content: a duplicate, a container to expand, or a leaf.
  absl::Status HandleContent(Component c, std::string_view content) {
    c.size = content.size();
    c.sha256 = ToHex(Sha256Of(content));
    c.content_complete = true;
    c.media_type = std::string(SniffMediaType(content));
    auto [it, inserted] =
        digests_.try_emplace(c.sha256, DigestInfo{c.id, ComponentKind::kFile, ""});
    if (!inserted) {
      // Identical content was seen (or is being expanded: a zip quine): reference it.
      c.duplicate_of = it->second.id;
      c.kind = it->second.kind;
      c.container_format = it->second.container_format;
      return Emit(c, content);
    }
    if (!LooksLikeContainer(content)) return EmitLeaf(c, content);
    if (c.depth >= limits_.max_depth) {
      DepthLimit(c);
      digests_[c.sha256].kind = c.kind;
      return Emit(c, content);
    }
    ArchivePtr a = NewReader();
    if (a == nullptr) return absl::ResourceExhaustedError("libarchive: out of memory");
    std::string open_error;
    if (archive_read_open_memory(a.get(), content.data(), content.size()) == ARCHIVE_OK) {
      TRAWL_ASSIGN_OR_RETURN(ExpandOutcome outcome,
                             Expand(c, a.get(), content.size(), &open_error));
      if (outcome == ExpandOutcome::kExpanded) {
        digests_[c.sha256] = DigestInfo{c.id, c.kind, c.container_format};
        return Emit(c, std::nullopt);
      }
    } else {
      open_error = ErrorText(a.get());
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
  absl::Status EmitLeaf(Component& c, std::string_view content) {
    if (c.status == ComponentStatus::kOk && c.content_complete) {
      TRAWL_RETURN_IF_ERROR(Carve(c, content));
    }
    return Emit(c, content);
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
    ArchivePtr a = NewReader();
    if (a == nullptr) return "libarchive: out of memory";
    if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
      return ErrorText(a.get());
    }
    archive_entry* entry = nullptr;
    const int r = archive_read_next_header(a.get(), &entry);
    if (r == ARCHIVE_EOF) return "no entries";
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return ErrorText(a.get());
    const int base = archive_format(a.get()) & ARCHIVE_FORMAT_BASE_MASK;
    if ((base == ARCHIVE_FORMAT_RAW || base == ARCHIVE_FORMAT_EMPTY || base == 0) &&
        !HasCompressionFilter(a.get())) {
      return "not an archive";
    }
    if (archive_entry_is_encrypted(entry)) return "";
    if (archive_read_data(a.get(), buffer_.data(), buffer_.size()) < 0) {
      return ErrorText(a.get());
    }
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
      carved.id = MakeId(options_.package_id, file.id, carved.index, StrCat("@", sig.offset));
      carved.path = StrCat(file.path, "!@", sig.offset, ".", extension);
      carved.carved_offset = static_cast<int64_t>(sig.offset);
      carved.media_type = std::string(SniffMediaType(slice));
      ++manifest_.entries_seen;
      ++file.children;
      ArchivePtr a = NewReader();
      if (a == nullptr) return absl::ResourceExhaustedError("libarchive: out of memory");
      std::string open_error;
      ExpandOutcome outcome = ExpandOutcome::kUnreadable;
      if (archive_read_open_memory(a.get(), slice.data(), slice.size()) == ARCHIVE_OK) {
        ++carve_level_;
        absl::StatusOr<ExpandOutcome> expanded = Expand(carved, a.get(), slice.size(), &open_error);
        --carve_level_;
        if (!expanded.ok()) return expanded.status();
        outcome = *expanded;
      } else {
        open_error = ErrorText(a.get());
      }
      // The carved bytes: from the signature to where libarchive stopped reading (the
      // end of the archive, for formats read front to back), at least one byte.
      const la_int64_t consumed = archive_filter_bytes(a.get(), -1);
      const uint64_t extent =
          std::clamp<uint64_t>(consumed > 0 ? static_cast<uint64_t>(consumed) : 0, 1, slice.size());
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

  // Lists the entries of an opened archive as children of `c`. On kExpanded the
  // children are emitted and `c` is updated (kind, format, children, status) but not
  // emitted. Otherwise nothing was emitted; *open_error says why when it failed.
  // libarchive words many truncations as generic decompression errors; an error with
  // the whole input consumed is a truncation.
  ComponentStatus ErrorStatus(archive* a, const std::string& error, uint64_t input_size) {
    ComponentStatus status = StatusFromError(error);
    if (status == ComponentStatus::kCorrupt && input_size > 0 &&
        static_cast<uint64_t>(archive_filter_bytes(a, -1)) >= input_size) {
      status = ComponentStatus::kTruncated;
    }
    return status;
  }

  absl::StatusOr<ExpandOutcome> Expand(Component& c, archive* a, uint64_t input_size,
                                       std::string* open_error) {
    uint64_t index = 0;
    int failures = 0;
    bool first = true;
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
        const int base = archive_format(a) & ARCHIVE_FORMAT_BASE_MASK;
        if ((base == ARCHIVE_FORMAT_RAW || base == ARCHIVE_FORMAT_EMPTY || base == 0) &&
            !HasCompressionFilter(a)) {
          return ExpandOutcome::kNotContainer;
        }
        c.kind = ComponentKind::kContainer;
        c.container_format = ContainerFormat(a);
      }
      if (r == ARCHIVE_EOF) break;
      if (r == ARCHIVE_FATAL) {
        const std::string error = ErrorText(a);
        c.status = ErrorStatus(a, error, input_size);
        if (c.status == ComponentStatus::kUnsupported) c.status = ComponentStatus::kCorrupt;
        c.reason = StrCat("listing failed after ", index, " entries: ", error);
        break;
      }
      ++manifest_.entries_seen;
      ++c.children;
      const bool raw = (archive_format(a) & ARCHIVE_FORMAT_BASE_MASK) == ARCHIVE_FORMAT_RAW;
      Component child = MakeChild(c, index++, entry, raw);
      if (limits_.max_entries != 0 && manifest_.entries_seen > limits_.max_entries) {
        child.status = ComponentStatus::kLimitExceeded;
        child.reason =
            StrCat("not read: more than max_entries (", limits_.max_entries, ") entries");
        Stop("max_entries", child.id, manifest_.entries_seen, limits_.max_entries);
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
      TRAWL_RETURN_IF_ERROR(ReadEntry(std::move(child), a, entry, input_size));
    }
    return ExpandOutcome::kExpanded;
  }

  Component MakeChild(const Component& parent, uint64_t index, archive_entry* entry, bool raw) {
    Component child;
    child.parent_id = parent.id;
    child.depth = parent.depth + 1;
    child.index = index;
    std::string raw_name;
    if (!raw) {
      const char* name = archive_entry_pathname(entry);
      if (name == nullptr) name = archive_entry_pathname_utf8(entry);
      if (name != nullptr) raw_name = name;
    }
    child.id = MakeId(options_.package_id, parent.id, index, raw_name);
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
    if (archive_entry_size_is_set(entry)) child.declared_size = archive_entry_size(entry);
    return child;
  }

  absl::Status ReadEntry(Component child, archive* a, archive_entry* entry, uint64_t input_size) {
    if (child.status == ComponentStatus::kLimitExceeded) return Emit(child, std::nullopt);
    const char* hardlink = archive_entry_hardlink(entry);
    const mode_t type = archive_entry_filetype(entry);
    if (hardlink != nullptr || (type != 0 && type != AE_IFREG)) {
      child.status = ComponentStatus::kSkippedNonRegular;
      if (hardlink != nullptr) {
        child.kind = ComponentKind::kHardlink;
        child.reason = StrCat("hard link to ", SanitizeEntryName(hardlink).display);
      } else if (type == AE_IFDIR) {
        child.kind = ComponentKind::kDirectory;
        child.reason = "directory";
      } else if (type == AE_IFLNK) {
        child.kind = ComponentKind::kSymlink;
        const char* target = archive_entry_symlink(entry);
        child.reason =
            StrCat("symbolic link to ", SanitizeEntryName(target == nullptr ? "" : target).display);
      } else {
        child.kind = ComponentKind::kSpecial;
        child.reason = "device, fifo or socket";
      }
      return Emit(child, std::nullopt);
    }
    if (archive_entry_is_encrypted(entry)) {
      child.status = ComponentStatus::kEncrypted;
      child.reason = "entry is encrypted; no passphrase is configured";
      return Emit(child, std::nullopt);
    }

    std::string data;
    const uint64_t cap =
        limits_.max_component_bytes == 0 ? UINT64_MAX : limits_.max_component_bytes;
    // Trust the header only up to the cap and a modest bound: it is attacker-controlled.
    if (child.declared_size > 0) {
      data.reserve(static_cast<size_t>(
          std::min<uint64_t>({static_cast<uint64_t>(child.declared_size), cap, 64ull << 20})));
    }
    uint64_t total = 0;
    bool over_cap = false;
    int warnings = 0;
    for (;;) {
      const la_ssize_t n = archive_read_data(a, buffer_.data(), buffer_.size());
      if (n == 0) break;
      if (n == ARCHIVE_WARN && ++warnings < kMaxConsecutiveHeaderFailures) continue;
      if (n < 0) {
        const std::string error = ErrorText(a);
        child.status = ErrorStatus(a, error, input_size);
        child.reason = StrCat("reading content failed after ", total, " bytes: ", error);
        break;
      }
      warnings = 0;
      const uint64_t got = static_cast<uint64_t>(n);
      total += got;
      manifest_.expanded_bytes += got;
      if (!over_cap) {
        const uint64_t room = cap - data.size();
        data.append(buffer_.data(), static_cast<size_t>(std::min(got, room)));
        if (got > room) {
          over_cap = true;
          child.status = ComponentStatus::kLimitExceeded;
        }
      }
      // Bytes past the cap are still decompressed and counted, so a single huge entry
      // is stopped by the package-wide limits rather than skipped at unbounded cost.
      if (CheckGlobalLimits(child.id)) {
        child.status = ComponentStatus::kLimitExceeded;
        child.reason =
            StrCat("reading stopped after ", total, " bytes: ", manifest_.stopped_by, " reached");
        break;
      }
    }
    if (over_cap) {
      AddEvent("max_component_bytes", child.id, total, cap);
      if (!stopped_) {
        child.reason = StrCat("content of ", total, " bytes exceeds max_component_bytes (", cap,
                              "); first ", data.size(), " bytes kept");
      }
    }
    if (child.status == ComponentStatus::kOk) return HandleContent(std::move(child), data);
    // Partial content is still handed over: a cut log can hold what we are looking for.
    child.size = data.size();
    child.sha256 = data.empty() ? std::string() : ToHex(Sha256Of(data));
    child.media_type = std::string(SniffMediaType(data));
    child.content_complete = false;
    return Emit(child, std::string_view(data));
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
};

absl::Status ValidateOptions(const DecomposeOptions& options) {
  if (options.package_id.empty()) return absl::InvalidArgumentError("package_id is required");
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
  TRAWL_RETURN_IF_ERROR(ValidateOptions(options));
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return absl::NotFoundError(StrCat("cannot stat ", path));
  if (!S_ISREG(st.st_mode)) {
    return absl::InvalidArgumentError(StrCat(path, " is not a regular file"));
  }
  Decomposer decomposer(options, callback);
  TRAWL_RETURN_IF_ERROR(decomposer.RunFile(path));
  return decomposer.TakeManifest();
}

absl::StatusOr<Decomposition> CollectBytes(std::string_view data, const DecomposeOptions& options) {
  return Collect([&](ComponentCallback cb) { return DecomposeBytes(data, options, cb); });
}

absl::StatusOr<Decomposition> CollectFile(const std::string& path,
                                          const DecomposeOptions& options) {
  return Collect([&](ComponentCallback cb) { return DecomposeFile(path, options, cb); });
}

absl::StatusOr<Manifest> DecomposeFileToDirectory(const std::string& path,
                                                  const DecomposeOptions& options,
                                                  const std::string& directory) {
  auto write = [&directory](const Component& c, std::string_view content) {
    // Named by id only: entry names are attacker-controlled and never touch the disk.
    if (!c.has_content || !c.duplicate_of.empty()) return absl::OkStatus();
    return WriteFileAtomically(StrCat(directory, "/", c.id), content);
  };
  TRAWL_ASSIGN_OR_RETURN(Manifest manifest, DecomposeFile(path, options, write));
  TRAWL_RETURN_IF_ERROR(
      WriteFileAtomically(StrCat(directory, "/manifest.json"), ManifestToJson(manifest)));
  return manifest;
}

}  // namespace trawl
