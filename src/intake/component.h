// File: component.h
// The package manifest model: one Component per archive entry seen (plus the package
// itself as the root), and the Manifest that accounts for all of them. These are plain
// value types; the manifest is the contract between intake and every later stage, which
// check their work against it (docs/manifest.md describes the JSON form).
//
// Thread-safety: plain data, no internal synchronization; copy freely.
#ifndef TRAWL_SRC_INTAKE_COMPONENT_H_
#define TRAWL_SRC_INTAKE_COMPONENT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace trawl {

inline constexpr std::string_view kManifestSchema = "trawl.manifest/1";

// What happened to one entry. Values and their names are part of the manifest format:
// append only, never renumber or rename.
enum class ComponentStatus {
  kOk = 0,
  kEncrypted = 1,          // content is encrypted; not read
  kCorrupt = 2,            // the container or entry is malformed; content may be partial
  kTruncated = 3,          // the input ended early; content may be partial
  kLimitExceeded = 4,      // a safety limit stopped reading (reason names the limit)
  kSkippedNonRegular = 5,  // directory, symlink, hard link, device, fifo, socket
  kUnsupported = 6,        // libarchive cannot read this entry (e.g. unknown compression)
};

std::string_view ComponentStatusName(ComponentStatus status);
absl::StatusOr<ComponentStatus> ParseComponentStatus(std::string_view name);

// What an entry is. A container is an archive or compression layer that intake opened
// (or would have opened, see status); its children follow in the manifest.
enum class ComponentKind {
  kFile = 0,
  kContainer = 1,
  kDirectory = 2,
  kSymlink = 3,
  kHardlink = 4,
  kSpecial = 5,  // device, fifo, socket
};

std::string_view ComponentKindName(ComponentKind kind);
absl::StatusOr<ComponentKind> ParseComponentKind(std::string_view name);

// Warnings kept per component; a last one says how many more there were.
inline constexpr size_t kMaxComponentWarnings = 16;

// Where a blob of a git repository entered its history (src/git): a commit whose tree
// holds the blob at `path` while none of its parents holds it there. For a blob staged in
// the index (a pre-commit scan), commit is "" and only path is set.
struct GitIntroduction {
  std::string commit;  // 40 hex digits; "" for the index
  std::string path;    // repository-relative, '/'-separated
  std::string author;  // "Name <email>"
  std::string date;    // the commit's committer time, RFC 3339 UTC
  bool operator==(const GitIntroduction&) const = default;
};

// At most this many introductions are listed per blob; the rest are only counted.
inline constexpr size_t kMaxGitIntroductions = 32;

struct Component {
  // Stable id: the first 32 hex digits of SHA-256 over (package id, parent id, index in
  // parent, raw entry name). The same package bytes always give the same ids, whether
  // they arrive as a file or in memory, so a retried stage cannot duplicate work.
  std::string id;
  std::string parent_id;  // empty for the root (the package itself)
  // Display path chain, e.g. "outer.tar.gz!/logs/app.zip!/2026/app.log". Built from
  // sanitized names; for display and matching only, never a file-system path.
  std::string path;
  // The entry name as stored (as UTF-8; a name that is not valid UTF-8 is written to
  // JSON with U+FFFD). Never use it as a file-system path: see unsafe_path.
  std::string name;
  // True when the raw name is absolute, climbs out with "..", or holds control bytes.
  bool unsafe_path = false;
  uint32_t depth = 0;  // 0 for the root, 1 for entries of the root container, ...
  uint64_t index = 0;  // position among the parent's entries, from 0
  ComponentKind kind = ComponentKind::kFile;
  // For containers: "tar+gzip", "zip", "7z", "raw+xz" (a bare compressed file), ...
  std::string container_format;
  int64_t declared_size = -1;  // size from the entry header; -1 when unknown
  uint64_t size = 0;           // bytes of content read (all of it when content_complete)
  std::string sha256;          // lowercase hex over the content read; empty if none read
  bool content_complete = false;
  // True when content (possibly empty, possibly partial) was handed over for this
  // component: files, and containers intake did not expand. False for expanded
  // containers, directories, links and entries that were not read.
  bool has_content = false;
  std::string media_type;  // sniffed from content (classification refines it)
  ComponentStatus status = ComponentStatus::kOk;
  std::string reason;  // why status is not ok, or a note; empty when ok
  // Id of the first component with the same complete content. Later stages analyse the
  // first one only; a duplicate container is not expanded again.
  std::string duplicate_of;
  uint64_t children = 0;  // entries listed directly inside this container (or carved from a file)
  // For a container carved out of a file component (an archive embedded in a binary):
  // the byte offset in the parent's content where it starts; -1 otherwise. Written to
  // the manifest only when set.
  int64_t carved_offset = -1;
  // Warnings libarchive gave while reading this component (its data; for a container, its
  // listing and decompression) and notes of intake's cross-checks, oldest first, at most
  // kMaxComponentWarnings. Data read with a warning is not ok: its status is corrupt.
  std::vector<std::string> warnings;
  // For a compressed container whose format reader found no entries in the decompressed
  // stream (a gzip whose data starts with zero blocks reads as an empty tar): the format
  // tried ("tar+gzip"). The container is then "raw+gzip" and its one child is the stream.
  std::string fallback_from;
  // Where the bytes of a component that is not a listed entry come from: "after_archive"
  // (after the archive's end, in the container's possibly decompressed stream),
  // "after_stream" (after the end of the compressed stream, in the container's bytes), or
  // "local_header" (a zip entry whose local header the central directory does not list).
  // "" for listed entries. origin_offset: where after_* bytes start, -1 otherwise.
  std::string origin;
  int64_t origin_offset = -1;
  // For symlinks and hard links: the target exactly as stored. unsafe_link when the target
  // is absolute, climbs out of the archive, or holds control bytes.
  std::string link_target;
  bool unsafe_link = false;
  // For a blob of a git repository: its introductions, the first one (earliest commit
  // time, then smallest commit id, then path) first; at most kMaxGitIntroductions, then
  // git_more counts the rest. Empty for everything else.
  std::vector<GitIntroduction> git;
  uint64_t git_more = 0;

  bool operator==(const Component&) const = default;
};

// Every safety limit, with the defaults documented in docs/manifest.md. Zero disables a
// limit (not recommended for untrusted input).
struct DecomposeLimits {
  // Bytes decompressed at every nesting level together.
  uint64_t max_total_bytes = 4ull << 30;
  // expanded bytes / input bytes. Checked only once expanded bytes pass
  // ratio_grace_bytes, because tiny inputs have meaningless ratios.
  double max_expansion_ratio = 200.0;
  uint64_t ratio_grace_bytes = 64ull << 20;
  uint64_t max_entries = 100000;              // archive entries, all levels together
  uint32_t max_depth = 8;                     // containers at this depth are not opened
  uint64_t max_path_length = 4096;            // bytes of one raw entry name
  uint64_t max_component_bytes = 1ull << 30;  // content kept for one entry
  // Carving: a file component's content is searched for embedded archive signatures
  // (zip, gzip, 7z, xz, bzip2) at offsets > 0, and each one libarchive can open becomes
  // a carved child container. max_carve_depth bounds how many carved containers one
  // path chain may hold (0 disables carving); max_carves_per_component bounds the
  // signatures tried in one component (opened or not); max_carve_scan_bytes bounds the
  // prefix of a component searched for signatures.
  uint32_t max_carve_depth = 2;
  uint32_t max_carves_per_component = 16;
  uint64_t max_carve_scan_bytes = 256ull << 20;

  bool operator==(const DecomposeLimits&) const = default;
};

// A limit that fired. For max_expansion_ratio, observed is the expanded byte count and
// maximum the byte count the ratio allowed at that point.
struct LimitEvent {
  std::string limit;         // the DecomposeLimits field name, e.g. "max_total_bytes"
  std::string component_id;  // the entry that hit it
  uint64_t observed = 0;
  uint64_t maximum = 0;

  bool operator==(const LimitEvent&) const = default;
};

// An embedded signature that carving tried and did not turn into a component (a false
// signature, or a limit), so a reader can see what was not opened and why.
struct CarveSkip {
  std::string component_id;  // the file component the signature is in
  uint64_t offset = 0;       // in that component's content
  std::string type;          // "zip", "gzip", "7z", "xz", "bzip2"
  std::string reason;

  bool operator==(const CarveSkip&) const = default;
};

// At most this many carve skips are listed in a manifest; the rest are only counted.
inline constexpr size_t kMaxListedCarveSkips = 1000;

struct Manifest {
  std::string schema = std::string(kManifestSchema);
  std::string package_id;
  std::string package_name;  // root display name (file base name, or given name)
  uint64_t input_bytes = 0;
  std::string input_sha256;
  // False when a package-wide limit (total bytes, ratio, entry count) stopped the walk:
  // the containers still open at that point carry status limit_exceeded and say so.
  bool complete = true;
  std::string stopped_by;  // limit name when !complete
  DecomposeLimits limits;
  uint64_t entries_seen = 0;    // archive headers read; == components.size() - 1
  uint64_t expanded_bytes = 0;  // decompressed bytes, all levels
  std::vector<LimitEvent> limit_events;
  std::vector<CarveSkip> carve_skips;  // at most kMaxListedCarveSkips
  uint64_t carve_skips_omitted = 0;    // skips beyond that
  // In emission order: a container comes after its children, so its status is final.
  std::vector<Component> components;

  bool operator==(const Manifest&) const = default;
};

// Checks the accounting invariants later stages rely on: ids unique, every parent
// present, each container's children count matches, entries_seen matches, duplicates
// point at a component with the same digest. Returns the first violation.
absl::Status ValidateManifest(const Manifest& manifest);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_COMPONENT_H_
