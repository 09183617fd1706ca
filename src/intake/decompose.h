// File: decompose.h
// Intake: takes a data package apart into components with libarchive (tar, zip, 7z, cpio,
// ar; gzip, bzip2, xz, lzma, lzip, zstd, lz4, compress layers; nested containers), under
// safety limits, and accounts for every entry in a Manifest.
//
// Two ways to consume the result:
//   - streaming: DecomposeBytes / DecomposeFile hand each component to a callback as soon
//     as it is complete. With a file path the package is never held in memory: entries
//     are read one at a time (a nested container is held while it is being expanded).
//   - collecting: CollectBytes / CollectFile keep the unique contents in memory.
//
// Order: a container is reported after its children (its status is final only then);
// the root (the package itself) comes last. Content is passed for file components, and
// partial content for entries cut short (content_complete == false); containers,
// directories, links, encrypted entries and skipped entries get empty content.
//
// Accounting: nothing a container's readers leave unread is lost. Bytes after an archive's
// or a compressed stream's end, zip entries the central directory does not list, and a
// compressed stream in which no format finds entries (read raw instead) all become
// components; libarchive's warnings are kept on the component they concern
// (docs/manifest.md, "Nothing a container's readers leave unread is lost").
//
// Security: entry names are never used as file-system paths (WriteComponentsToDirectory
// names files by component id). Only the listed formats and filters are enabled: in
// particular libarchive's mtree reader (which opens host files an archive names) and
// the filters that spawn external programs are never registered.
//
// Names: libarchive runs under a thread-local C.UTF-8 locale (uselocale), so entry names
// are UTF-8 on every host and ids do not depend on the host's locale. The host's locale
// is restored while the callback runs.
//
// Thread-safety: every function here is reentrant; concurrent calls share nothing.
#ifndef TRAWL_SRC_INTAKE_DECOMPOSE_H_
#define TRAWL_SRC_INTAKE_DECOMPOSE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "intake/component.h"
#include "intake/source_walk.h"
#include "util/buffer_pool.h"

namespace trawl {

// A large component handed over while it is read (DecomposeOptions::stream_factory): its
// bytes go to Write as they are decompressed, never held whole; Finish gets the component
// as the manifest will list it (size, digest, status, duplicate_of), before the component
// callback sees it. A non-OK status stops decomposition, as a callback error does.
class ComponentStream {
 public:
  virtual ~ComponentStream() = default;
  virtual absl::Status Write(std::string_view bytes) = 0;
  virtual absl::Status Finish(const Component& component) = 0;
};

// Offered an entry whose content has reached DecomposeOptions::stream_check_bytes (and
// again at each doubling while it returns null): `head` is the content read so far.
// Returns the stream to hand the rest to, or null to keep reading into memory.
using ComponentStreamFactory =
    std::function<std::unique_ptr<ComponentStream>(const Component& component,
                                                   std::string_view head)>;

// Provisional component id -> final id (DecomposeOptions::renamed_ids).
using IdRenaming = std::unordered_map<std::string, std::string>;

struct DecomposeOptions {
  // Required (but see renamed_ids): identifies the package; every component id derives
  // from it.
  std::string package_id;
  // DecomposeFile only, with package_id empty: the package id is the file's SHA-256, as
  // PackageFileSha256 would give it, but computed on a thread of its own while intake
  // reads and expands the file, instead of by a whole read before intake starts (issue
  // 22: one read of the input). Until the digest is known the callback sees provisional
  // ids (derived from a placeholder package id); the manifest returned has the final
  // ones, exactly those a package id given up front gives, and this map receives every
  // provisional id with its final id, for what the callback recorded under them.
  IdRenaming* renamed_ids = nullptr;
  // The input's SHA-256 (hex) when the caller has just computed it (the package id of a
  // file or in-memory package is that digest: pipeline/package_analysis.h). Intake then
  // records it as the manifest's input_sha256 instead of reading the whole input once
  // more for it; the caller vouches that it is the digest of the bytes intake reads.
  std::string input_sha256;
  // With input_sha256 for a file: the identity of the file that was hashed
  // (PackageFileSha256). Intake fails rather than read a file that changed since.
  std::string input_identity;
  // Display name of the root in path chains. Default: the file's base name for
  // DecomposeFile, the package id for DecomposeBytes. Does not affect ids.
  std::string package_name;
  DecomposeLimits limits;
  // A package time budget's end: past it the walk stops as a package-wide limit does
  // (stopped_by "time_budget"; the limit event's `observed` is the expanded bytes then).
  // A moment, not a size, so it is not one of the manifest's limits.
  absl::Time deadline = absl::InfiniteFuture();
  // Streaming of large entries (issue 22): an archive entry or decompressed stream whose
  // content reaches stream_check_bytes (0: never) and does not look like a container is
  // offered to stream_factory. A streamed entry is then read through to its stream and
  // never held whole; its component callback gets empty content (has_content stays true).
  // Intake's accounting is unchanged (size, digest, dedup by digest, limits, status), but
  // embedded archives are not carved out of a streamed entry: each carvable signature is
  // recorded as a carve skip saying so. A package that is itself a plain file, entries of
  // a source walk and zip entries missing from the central directory are never streamed.
  uint64_t stream_check_bytes = 0;
  ComponentStreamFactory stream_factory;
  // Optional: where entries' buffers come from and go back to. The component callback
  // that takes a buffer (ComponentContent::Take) gives it back there when done with it,
  // so its pages are reused rather than faulted in again (util/buffer_pool.h).
  BufferPool* buffers = nullptr;
};

// A component's content as the callback sees it: bytes borrowed for the duration of the
// call. It converts to std::string_view, so a callback may take it as one. Take() gives
// the callback bytes of its own: intake's buffer itself, without a copy, when it holds
// exactly these bytes and reads them no more (a leaf read from an archive entry or a
// decompressed stream), else a copy. After Take, bytes() is not to be used.
class ComponentContent {
 public:
  ComponentContent(std::string_view bytes, std::string* owner = nullptr)  // NOLINT: implicit
      : bytes_(bytes), owner_(owner) {}
  std::string_view bytes() const { return bytes_; }
  operator std::string_view() const { return bytes_; }  // NOLINT: implicit by design
  bool empty() const { return bytes_.empty(); }
  size_t size() const { return bytes_.size(); }
  // Whether Take moves intake's buffer rather than copying it.
  bool movable() const { return owner_ != nullptr; }
  std::string Take() {
    std::string taken = owner_ != nullptr ? std::move(*owner_) : std::string(bytes_);
    owner_ = nullptr;
    bytes_ = {};
    return taken;
  }

 private:
  std::string_view bytes_;
  std::string* owner_;
};

// Called once per component. `content` is borrowed for the duration of the call only
// (or taken: ComponentContent::Take). A non-OK return stops decomposition and is returned
// to the caller unchanged.
using ComponentCallback =
    absl::FunctionRef<absl::Status(const Component& component, ComponentContent content)>;

// Decomposes an in-memory package. Errors only for bad options or a callback error;
// malformed, truncated, encrypted or oversized input yields a manifest with statuses.
absl::StatusOr<Manifest> DecomposeBytes(std::string_view data, const DecomposeOptions& options,
                                        ComponentCallback callback);

// Decomposes a package file, streaming entries from disk. Errors when the file cannot
// be opened or read or is not a regular file (a FIFO or a device is refused at once, never
// waited on), for bad options, or for a callback error.
absl::StatusOr<Manifest> DecomposeFile(const std::string& path, const DecomposeOptions& options,
                                       ComponentCallback callback);

// A package made of several inputs (`trawl analyze PATH...`, source_walk.h): the root is
// a container of format "inputs" whose children are the walk's entries in order, each
// read (the first max_component_bytes) and expanded as an archive entry is; links and
// special files are recorded, never read. The manifest's input_sha256 is the package id.
absl::StatusOr<Manifest> DecomposeSources(const SourceWalk& walk, const DecomposeOptions& options,
                                          ComponentCallback callback);

// The collecting form: the manifest plus the content of every component that has any
// and is not a duplicate, keyed by component id. Holds up to max_total_bytes in memory.
struct Decomposition {
  Manifest manifest;
  std::map<std::string, std::string> content;
};
absl::StatusOr<Decomposition> CollectBytes(std::string_view data, const DecomposeOptions& options);
absl::StatusOr<Decomposition> CollectFile(const std::string& path, const DecomposeOptions& options);

// For `trawl decompose -o DIR`: decomposes `path`, writes each unique content to
// DIR/<component id> and the manifest to DIR/manifest.json. DIR must exist.
absl::StatusOr<Manifest> DecomposeFileToDirectory(const std::string& path,
                                                  const DecomposeOptions& options,
                                                  const std::string& directory);

// The lowercase hex SHA-256 of a package file (the default package id), read in 1 MiB
// pieces: a mapping would count the whole package in the process' resident memory while
// it is hashed. Refuses what is not a regular file, as DecomposeFile does, and a file that
// changed while it was hashed. `identity`, if given, receives the hashed file's identity
// for DecomposeOptions::input_identity.
absl::StatusOr<std::string> PackageFileSha256(const std::string& path,
                                              std::string* identity = nullptr);

// Exposed for tests and the C API: the display form of a raw entry name (separators
// normalised to '/', leading '/' and drive letters, "." and ".." segments and control
// bytes removed) and whether the raw name was unsafe.
struct SanitizedName {
  std::string display;
  bool unsafe = false;
};
SanitizedName SanitizeEntryName(std::string_view raw);

// A component's stable id (Component::id): the first 32 hex digits of SHA-256 over the
// package id, the parent's id, the index in the parent and the raw entry name. Exposed
// for the other sources of components (src/git).
std::string ComponentId(std::string_view package_id, std::string_view parent_id, uint64_t index,
                        std::string_view raw_name);

}  // namespace trawl

#endif  // TRAWL_SRC_INTAKE_DECOMPOSE_H_
