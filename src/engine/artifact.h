// File: artifact.h
// The compiled database as one file: a header (magic, format version, trawl and engine
// versions, target CPU features, definitions digest), the definitions' metadata, what
// became of each rule, and the engine databases; an XXH3 checksum covers it. Loading
// checks all of it and never trusts a length it has not bounds-checked.
// A cold start is what an artifact is for, so loading a mapped artifact copies nothing:
// engine databases are stored as the images they are in memory, 64-byte aligned, and
// scanned where they lie; rule metadata is decoded per rule on first use; the indicator
// set (format 5) is read in place too.
#ifndef TRAWL_SRC_ENGINE_ARTIFACT_H_
#define TRAWL_SRC_ENGINE_ARTIFACT_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "engine/database.h"

namespace trawl {

// 2: gate partitions (PartitionKind::kGate) with their atoms.
// 3: engine databases stored as in-memory images, used in place where the file is mapped.
// 4: each rule's token-pass shape (Definition::token); RuleStatus::kToken.
// 5: the indicator set (engine/indicator_set.h), after the partitions, read in place.
// 6: the composite section (rule logic records, composites' parts and anchors);
//    RuleStatus::kComposite and kConfirmOnly.
// 7: each rule's references (Definition::references), after its token shape. Format 6
//    artifacts still load, with no references.
// 8: format 7's layout, with what a format 7 reader would silently drop: token shapes
//    added since (`url`: a candidate the rule's regex confirms). Older trawls refuse it
//    instead; format 7 is written only for a database without such rules.
// 9: gate partitions carry their follow sets (PartitionInfo::gate_follow). Dropping them
//    changes no result, so format 8 is still written on request, without them.
inline constexpr uint32_t kArtifactFormatVersion = 9;
// The oldest format DeserializeDatabase reads.
inline constexpr uint32_t kOldestArtifactFormatVersion = 6;

struct SerializeOptions {
  // false: store the engine's serialized form, which loading must copy, instead of images.
  bool engine_images = true;
  // true: store `indicators` (null: none) instead of the database's own set; an
  // indicator update writes the same rules and engine with a new set this way.
  bool replace_indicators = false;
  const IndicatorSet* indicators = nullptr;
  // kOldestArtifactFormatVersion .. kArtifactFormatVersion: an older format, which older
  // trawl releases read, leaves out what it cannot hold (6: the rules' references).
  uint32_t format_version = kArtifactFormatVersion;
};
absl::StatusOr<std::string> SerializeDatabase(const Database& db,
                                              const SerializeOptions& options = {});
// SerializeDatabase to `path` (util/file.h's WriteFileAtomically), without first copying
// the indicator set into one string with the rest.
absl::Status SaveDatabaseFile(const Database& db, const std::string& path);
// `db`'s rules and engine databases with `set` (null: none) as its indicator set: one
// copy of the new artifact, read in place (an indicator update).
absl::StatusOr<std::shared_ptr<const Database>> WithIndicators(const Database& db,
                                                               const IndicatorSet* set);

// Errors carry ErrorCode (util/status_codes.h): kCorrupt for truncated or damaged files
// and files that are not artifacts, kVersion for another format or engine version,
// kPlatform for databases built for instructions this CPU lacks.
// `owner`, when given, keeps `bytes` alive (a mapped file, say) and `bytes` starts 64-byte
// aligned: the database then keeps a reference to it, scans with its engine images in
// place and reads rule metadata from it on first use. Otherwise `bytes` is copied.
absl::StatusOr<std::shared_ptr<const Database>> DeserializeDatabase(
    std::string_view bytes, std::shared_ptr<const void> owner = nullptr);
// The artifact at `path`, mapped and read in place (DeserializeDatabase with the mapping
// as owner): the database keeps the mapping. Errors as MappedFile::Open's and
// DeserializeDatabase's.
absl::StatusOr<std::shared_ptr<const Database>> LoadDatabaseFile(const std::string& path);

// Header facts, readable without loading the engine databases.
struct ArtifactHeader {
  uint32_t format_version = 0;
  std::string trawl_version;
  std::string engine_name;
  std::string engine_version;
  std::string target_features;
  std::string definitions_digest;  // hex
  uint64_t size = 0;
};
absl::StatusOr<ArtifactHeader> ReadArtifactHeader(std::string_view bytes);

}  // namespace trawl

#endif  // TRAWL_SRC_ENGINE_ARTIFACT_H_
