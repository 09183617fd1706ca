// File: artifact.cc
#include "engine/artifact.h"

#include <xxhash.h>
#if defined(__x86_64__) && __has_include(<xxh_x86dispatch.h>)
// XXH3_64bits and _update pick the widest vectors this CPU has (AVX2, AVX-512): the
// plain entry points are built for SSE2 and hash a 65 MB indicator set 2-3x slower. The
// hash is the same either way.
#include <xxh_x86dispatch.h>
#endif

#include <array>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <set>
#include <string>
#include <exception>
#include <thread>

#include "engine/compiler.h"
#include "engine/engine_info.h"
#include "engine/internal/composite_parts.h"
#include "engine/indicator_set.h"
#include "engine/internal/engine_parts.h"
#include "engine/internal/rule_table.h"
#include "trawl/trawl_version.h"
#include "util/byte_io.h"
#include "util/file.h"
#include "util/huge_pages.h"
#include "util/status_codes.h"
#include "util/strings.h"

namespace trawl {
namespace {

constexpr char kMagic[8] = {'T', 'R', 'A', 'W', 'L', 'D', 'B', '\0'};
constexpr size_t kHeaderSize = 8 + 4 + 4 + 8 + 8;

absl::Status Corrupt(std::string_view why) {
  return WithCode(absl::DataLossError(StrCat("database artifact is corrupt: ", why)),
                  ErrorCode::kCorrupt);
}

std::string FeaturesText(uint64_t features) {
  std::string text;
  if (features & HS_CPU_FEATURES_AVX2) text = "avx2";
  if (features & HS_CPU_FEATURES_AVX512) StrAppend(&text, text.empty() ? "" : ",", "avx512");
  return text.empty() ? "baseline" : text;
}

// XXH3 of `pieces` as one byte string.
uint64_t Checksum(std::initializer_list<std::string_view> pieces) {
  if (pieces.size() == 1) return XXH3_64bits(pieces.begin()->data(), pieces.begin()->size());
  std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> state(XXH3_createState(),
                                                                        &XXH3_freeState);
  if (state == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset(state.get());
  for (std::string_view piece : pieces) XXH3_64bits_update(state.get(), piece.data(), piece.size());
  return XXH3_64bits_digest(state.get());
}

struct Payload {
  std::string_view bytes;
  uint32_t format_version = 0;
};

// Checks the fixed header and the checksum; returns the payload.
// With `checksum_out`, the checksum is not computed but returned, for the caller to compare.
absl::StatusOr<Payload> CheckedPayload(std::string_view bytes, uint64_t* checksum_out = nullptr) {
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    return WithCode(absl::InvalidArgumentError("not a trawl database artifact (bad magic)"),
                    ErrorCode::kCorrupt);
  }
  if (bytes.size() < kHeaderSize) return Corrupt("truncated header");
  ByteReader header(bytes.substr(sizeof kMagic, kHeaderSize - sizeof kMagic));
  const uint32_t version = header.U32();
  header.U32();  // reserved flags
  const uint64_t payload_size = header.U64();
  const uint64_t checksum = header.U64();
  if (version < kOldestArtifactFormatVersion || version > kArtifactFormatVersion) {
    return WithCode(absl::FailedPreconditionError(StrCat(
                        "database artifact format version ", version, "; this trawl reads versions ",
                        kOldestArtifactFormatVersion, " to ", kArtifactFormatVersion,
                        " (recompile the rules)")),
                    ErrorCode::kVersion);
  }
  const std::string_view payload = bytes.substr(kHeaderSize);
  if (payload.size() < payload_size) {
    return Corrupt(StrCat("truncated: ", payload.size(), " of ", payload_size, " bytes"));
  }
  if (payload.size() > payload_size) return Corrupt("trailing bytes after the payload");
  if (checksum_out != nullptr) {
    *checksum_out = checksum;
    return Payload{payload, version};
  }
  if (Checksum({payload}) != checksum) return Corrupt("checksum mismatch");
  return Payload{payload, version};
}

absl::Status EngineError(hs_error_t rc) {
  if (rc == HS_DB_PLATFORM_ERROR) {
    return WithCode(absl::FailedPreconditionError(
                        "database was compiled for CPU features this machine lacks "
                        "(recompile here, or compile with --target portable)"),
                    ErrorCode::kPlatform);
  }
  if (rc == HS_DB_VERSION_ERROR) {
    return WithCode(absl::FailedPreconditionError("engine database from another engine version"),
                    ErrorCode::kVersion);
  }
  return Corrupt(StrCat("engine database rejected (code ", rc, ")"));
}

// Restores one serialized engine database into fresh memory with huge pages requested
// (util/huge_pages.h): page faults, not the copy, dominate a cold restore.
absl::StatusOr<internal::HsDatabasePtr> RestoreEngineDatabase(std::string_view blob) {
  size_t db_size = 0;
  hs_error_t rc = hs_serialized_database_size(blob.data(), blob.size(), &db_size);
  if (rc == HS_SUCCESS) {
    size_t mapped_size = db_size;
    void* memory = MapMemory(&mapped_size);
    if (memory == nullptr) return absl::ResourceExhaustedError("cannot map engine database");
    auto* engine_db = static_cast<hs_database_t*>(memory);
    rc = hs_deserialize_database_at(blob.data(), blob.size(), engine_db);
    if (rc == HS_SUCCESS) {
      return internal::HsDatabasePtr(engine_db, internal::HsDatabaseDeleter{mapped_size});
    }
    UnmapMemory(memory, mapped_size);
  }
  return EngineError(rc);
}

// How a partition's engine database is stored (format 3).
enum class EngineEncoding : uint8_t {
  kSerialized = 0,  // hs_serialize_database's form, restored into fresh memory
  kImage = 1,       // the database as it lies in memory, used in place where it is loaded
};
// Images start 64-byte aligned in the file, so in a mapped (page-aligned) artifact their
// bytecode has the alignment it had when the image was taken.
constexpr size_t kImageAlignment = 64;

// The head of the engine's in-memory database (struct hs_database in Hyperscan's and
// Vectorscan's src/database.h, 5.4). trawl never writes it and reads it only to check an
// image's bounds before the engine trusts them. SerializeDatabase checks this mirror
// against the engine's own serialized form and stores the serialized form when they
// disagree, so a differently laid-out engine costs speed, not correctness.
struct EngineImageHead {
  uint32_t magic;
  uint32_t version;
  uint32_t length;  // bytecode bytes
  uint64_t platform;
  uint32_t crc32;
  uint32_t reserved0;
  uint32_t reserved1;
  uint32_t bytecode;  // offset of the bytecode from the start of the database
};
// hs_serialize_database writes magic, version, length, platform, crc32 and the two
// reserved words, unpadded, then the bytecode.
constexpr size_t kSerializedHeadSize = 4 + 4 + 4 + 8 + 4 + 4 + 4;

// Whether `image` holds its bytecode where its head says, inside its own bounds.
bool ImageBoundsHold(const EngineImageHead& head, size_t image_size) {
  return head.bytecode >= sizeof head && head.bytecode % kImageAlignment == 0 &&
         head.bytecode <= image_size && head.length <= image_size - head.bytecode;
}

// Whether `image` (taken at a page-aligned address) is `serialized` as the mirror reads it.
bool ImageMatchesSerialized(std::string_view image, std::string_view serialized) {
  if (image.size() < sizeof(EngineImageHead) || serialized.size() < kSerializedHeadSize) {
    return false;
  }
  EngineImageHead head;
  std::memcpy(&head, image.data(), sizeof head);
  ByteReader r(serialized);
  const uint32_t magic = r.U32(), version = r.U32(), length = r.U32();
  const uint64_t platform = r.U64();
  const uint32_t crc32 = r.U32();
  return head.magic == magic && head.version == version && head.length == length &&
         head.platform == platform && head.crc32 == crc32 && ImageBoundsHold(head, image.size()) &&
         length <= serialized.size() - kSerializedHeadSize &&
         std::memcmp(image.data() + head.bytecode, serialized.data() + kSerializedHeadSize,
                     length) == 0;
}

// Appends `serialized` as an image when the mirror above reads this engine right; returns
// false, writing nothing, when it does not.
bool WriteEngineImage(std::string_view serialized, ByteWriter& w) {
  size_t image_size = 0;
  if (hs_serialized_database_size(serialized.data(), serialized.size(), &image_size) !=
      HS_SUCCESS) {
    return false;
  }
  size_t mapped_size = image_size;
  void* memory = MapMemory(&mapped_size);  // page-aligned and zeroed
  if (memory == nullptr) return false;
  const std::string_view image(static_cast<const char*>(memory), image_size);
  const bool readable = hs_deserialize_database_at(serialized.data(), serialized.size(),
                                                   static_cast<hs_database_t*>(memory)) ==
                            HS_SUCCESS &&
                        ImageMatchesSerialized(image, serialized);
  if (readable) {
    w.U8(static_cast<uint8_t>(EngineEncoding::kImage));
    w.U64(image.size());
    w.Align(kImageAlignment, kHeaderSize);
    w.Raw(image);
  }
  UnmapMemory(memory, mapped_size);
  return readable;
}

// Writes one engine database: an image when wanted and possible, else serialized.
absl::Status WriteEngineDatabase(const hs_database_t* db, bool want_image, ByteWriter& w) {
  char* blob = nullptr;
  size_t blob_size = 0;
  if (hs_serialize_database(db, &blob, &blob_size) != HS_SUCCESS) {
    return absl::ResourceExhaustedError("engine: cannot serialize database");
  }
  std::unique_ptr<char, decltype(&free)> owned_blob(blob, &free);  // the engine mallocs
  const std::string_view serialized(blob, blob_size);
  if (!want_image || !WriteEngineImage(serialized, w)) {
    w.U8(static_cast<uint8_t>(EngineEncoding::kSerialized));
    w.Str(serialized);
  }
  return absl::OkStatus();
}

// An engine database used in place: `image` lies in memory the Database keeps alive.
// Only its bounds are checked here; EngineParts::PrepareScratch then has the engine
// check its platform and CRC.
absl::StatusOr<internal::HsDatabasePtr> UseEngineImage(std::string_view image) {
  if (reinterpret_cast<uintptr_t>(image.data()) % kImageAlignment != 0 ||
      image.size() < sizeof(EngineImageHead)) {
    return Corrupt("misplaced engine image");
  }
  // Never written through: the engine takes databases const for scanning and sizing.
  auto* db = reinterpret_cast<hs_database_t*>(const_cast<char*>(image.data()));
  size_t size = 0;
  const hs_error_t rc = hs_database_size(db, &size);  // checks magic and version
  if (rc == HS_DB_VERSION_ERROR) return EngineError(rc);
  EngineImageHead head;
  std::memcpy(&head, image.data(), sizeof head);
  if (rc != HS_SUCCESS || size != image.size() || !ImageBoundsHold(head, image.size())) {
    return Corrupt("bad engine image");
  }
  return internal::HsDatabasePtr(db, internal::HsDatabaseDeleter{0, /*borrowed=*/true});
}

bool DecodeHex(std::string_view hex, Sha256Digest* out) {
  if (hex.size() != 2 * out->size()) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < out->size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<uint8_t>(hi * 16 + lo);
  }
  return true;
}

// Reads one rule record, in the layout SerializeDatabase writes for `format_version`.
// With `def` null the definition's fields are checked and skipped without allocating;
// `chains`, when given, receives the names of the rule's chains.
bool ReadRuleRecord(ByteReader& r, uint32_t format_version, Definition* def, RuleInfo* info,
                    std::set<std::string_view>* chains) {
  auto text = [&r](std::string* out) {
    const std::string_view s = r.Str();
    if (out != nullptr) out->assign(s);
  };
  auto list = [&r](std::vector<std::string>* out, std::set<std::string_view>* names) {
    const uint32_t count = r.U32();
    for (uint32_t k = 0; k < count && r.ok(); ++k) {
      const std::string_view s = r.Str();
      if (out != nullptr) out->emplace_back(s);
      if (names != nullptr) names->insert(s);
    }
  };
  auto field = [def](auto member) { return def ? &(def->*member) : nullptr; };
  text(field(&Definition::id));
  const bool literal = r.U8() == 1;
  text(field(&Definition::expression));
  const uint32_t flags = r.U32();
  text(field(&Definition::category));
  const uint8_t severity = r.U8();
  const double confidence = r.F64();
  text(field(&Definition::description));
  list(field(&Definition::tags), nullptr);
  list(field(&Definition::chains), chains);
  list(field(&Definition::keywords), nullptr);
  list(field(&Definition::examples), nullptr);
  list(field(&Definition::negative_examples), nullptr);
  text(field(&Definition::entity));
  text(field(&Definition::validator));
  text(field(&Definition::source));
  text(def ? &def->token.shape : nullptr);
  text(def ? &def->token.separators : nullptr);
  list(def ? &def->token.prefixes : nullptr, nullptr);
  const uint32_t length_count = r.U32();
  for (uint32_t k = 0; k < length_count && r.ok(); ++k) {
    const uint32_t length = r.U32();
    if (def != nullptr) def->token.lengths.push_back(length);
  }
  if (format_version >= 7) list(field(&Definition::references), nullptr);
  if (def != nullptr) {
    def->kind = literal ? PatternKind::kLiteral : PatternKind::kRegex;
    def->flags = flags;
    def->severity = static_cast<Severity>(std::min<uint8_t>(severity, 4));
    def->confidence = confidence;
  }
  const uint8_t status = r.U8();
  info->flags = flags;
  info->status = static_cast<RuleStatus>(status);
  info->reason = std::string(r.Str());
  info->min_width = r.U32();
  info->max_width = r.U32();
  info->partition = static_cast<int32_t>(r.U32());
  return r.ok() && status <= static_cast<uint8_t>(RuleStatus::kConfirmOnly);
}

template <uint32_t kFormatVersion>
Definition DecodeDefinition(std::string_view record) {
  ByteReader r(record);
  Definition def;
  RuleInfo info;
  ReadRuleRecord(r, kFormatVersion, &def, &info, nullptr);  // checked when the artifact was loaded
  return def;
}

internal::RuleTable::Decoder DecoderFor(uint32_t format_version) {
  return format_version >= 7 ? &DecodeDefinition<7> : &DecodeDefinition<6>;
}

// Checks every rule record and splits the table into them, without building Definitions
// (internal::RuleTable decodes those on first use). Fills the rules' RuleInfo and the
// distinct chain names.
absl::Status SplitRules(std::string_view blob, uint32_t format_version,
                        std::vector<RuleInfo>* infos,
                        std::vector<std::string_view>* records, std::vector<std::string>* chains) {
  ByteReader r(blob);
  std::set<std::string_view> chain_names;
  for (size_t i = 0; i < infos->size(); ++i) {
    const size_t start = r.pos();
    if (!ReadRuleRecord(r, format_version, nullptr, &(*infos)[i], &chain_names)) {
      return Corrupt(StrCat("bad record for rule ", i));
    }
    (*records)[i] = blob.substr(start, r.pos() - start);
  }
  if (!r.AtEnd()) return Corrupt("bad rule table");
  chains->assign(chain_names.begin(), chain_names.end());
  return absl::OkStatus();
}

// ---- Composite section (format 5) -----------------------------------------------------
// Self-contained, so other sections can change without touching it: the logic records of
// rules that have logic (rules/rule_logic.h's encoding, decoded on first use), then each
// composite's part rules and anchors.
std::string WriteCompositeSection(const Database& db) {
  ByteWriter w;
  std::vector<uint32_t> with_logic;
  for (uint32_t i = 0; i < db.rule_count(); ++i) {
    if (db.has_logic(i)) with_logic.push_back(i);
  }
  w.U32(static_cast<uint32_t>(with_logic.size()));
  for (uint32_t rule : with_logic) {
    w.U32(rule);
    const RuleLogic* logic = db.logic(rule);
    w.Str(logic ? EncodeRuleLogic(*logic) : std::string());
  }
  w.U32(static_cast<uint32_t>(db.composites().size()));
  for (const CompositeInfo& composite : db.composites()) {
    w.U32(composite.rule);
    w.U32(static_cast<uint32_t>(composite.pattern_rules.size()));
    for (uint32_t part : composite.pattern_rules) w.U32(part);
    w.U32(static_cast<uint32_t>(composite.anchors.size()));
    for (uint32_t anchor : composite.anchors) w.U32(anchor);
  }
  return std::move(w.out());
}

// Reads the section written above, checking every index against the rule count and
// the rules' statuses; logic records are only bounds-checked here (decoded on use).
absl::Status ReadCompositeSection(std::string_view section, const std::vector<RuleInfo>& infos,
                                  std::vector<std::pair<uint32_t, std::string_view>>* records,
                                  std::vector<CompositeInfo>* composites) {
  ByteReader r(section);
  const size_t rule_count = infos.size();
  const uint32_t record_count = r.U32();
  if (!r.ok() || record_count > rule_count) return Corrupt("bad logic record count");
  records->reserve(record_count);
  for (uint32_t i = 0; i < record_count; ++i) {
    const uint32_t rule = r.U32();
    const std::string_view record = r.Str();
    if (!r.ok() || rule >= rule_count || (!records->empty() && rule <= records->back().first)) {
      return Corrupt("bad logic record");
    }
    records->emplace_back(rule, record);
  }
  const uint32_t composite_count = r.U32();
  if (!r.ok() || composite_count > rule_count) return Corrupt("bad composite count");
  composites->resize(composite_count);
  for (CompositeInfo& composite : *composites) {
    composite.rule = r.U32();
    const uint32_t patterns = r.U32();
    if (!r.ok() || composite.rule >= rule_count || patterns > rule_count ||
        (infos[composite.rule].status != RuleStatus::kComposite &&
         infos[composite.rule].status != RuleStatus::kRejected)) {
      return Corrupt("bad composite");
    }
    for (uint32_t k = 0; k < patterns && r.ok(); ++k) {
      const uint32_t part = r.U32();
      if (part >= rule_count) return Corrupt("composite names a part that does not exist");
      composite.pattern_rules.push_back(part);
    }
    const uint32_t anchors = r.U32();
    if (!r.ok() || anchors > patterns) return Corrupt("bad composite anchors");
    for (uint32_t k = 0; k < anchors && r.ok(); ++k) {
      const uint32_t anchor = r.U32();
      if (anchor >= patterns) return Corrupt("composite anchor out of range");
      composite.anchors.push_back(anchor);
    }
  }
  if (!r.ok() || !r.AtEnd()) return Corrupt("bad composite section");
  return absl::OkStatus();
}

// A private copy of bytes the caller does not keep alive (util/huge_pages.h).
class MappedCopy {
 public:
  explicit MappedCopy(std::string_view bytes) : MappedCopy(std::span(&bytes, 1)) {}
  // The pieces, one after another.
  explicit MappedCopy(std::span<const std::string_view> pieces) : size_(0) {
    for (std::string_view piece : pieces) size_ += piece.size();
    memory_ = size_ ? MapMemory(&size_) : nullptr;
    if (memory_ == nullptr) return;
    char* at = static_cast<char*>(memory_);
    for (std::string_view piece : pieces) {
      if (!piece.empty()) std::memcpy(at, piece.data(), piece.size());
      at += piece.size();
    }
  }
  ~MappedCopy() {
    UnmapMemory(memory_, size_);
  }
  MappedCopy(const MappedCopy&) = delete;
  MappedCopy& operator=(const MappedCopy&) = delete;
  const char* data() const { return static_cast<const char*>(memory_); }

 private:
  size_t size_;
  void* memory_;
};

// An artifact in pieces: the indicator section (most of a database with a large set) is
// not copied into it, and is hashed and written where it lies.
struct ArtifactPieces {
  std::string head;          // magic, format version, payload size, checksum
  std::string front;         // the payload up to the indicator section
  std::string_view section;  // the indicator section's bytes
  std::string back;          // the rest of the payload
  std::array<std::string_view, 4> views() const { return {head, front, section, back}; }
};

// The first rule that only format 8 holds, described; nullopt when there is none.
std::optional<std::string> FormatEightRule(const Database& db) {
  for (size_t i = 0; i < db.rule_count(); ++i) {
    const RuleInfo& info = db.rule_info()[i];
    if (info.status != RuleStatus::kToken) continue;
    const Definition& def = db.definition(i);
    if (def.token.shape == "url") return StrCat("rule ", def.id, " uses token shape url");
  }
  return std::nullopt;
}

absl::StatusOr<ArtifactPieces> SerializePieces(const Database& db,
                                               const SerializeOptions& options) {
  if (options.format_version < kOldestArtifactFormatVersion ||
      options.format_version > kArtifactFormatVersion) {
    return WithCode(absl::InvalidArgumentError(StrCat("cannot write artifact format version ",
                                                      options.format_version)),
                    ErrorCode::kUnsupported);
  }
  if (options.format_version < 8) {
    if (std::optional<std::string> needs = FormatEightRule(db)) {
      return WithCode(absl::InvalidArgumentError(StrCat(
                          "cannot write artifact format version ", options.format_version,
                          ": ", *needs, ", which a reader of that format would drop")),
                      ErrorCode::kUnsupported);
    }
  }
  ArtifactPieces pieces;
  ByteWriter w;
  const EngineInfo& engine = GetEngineInfo();
  w.Str(TRAWL_VERSION_STRING);
  w.Str(engine.name);
  w.Str(engine.version);
  w.Str(ToHex(db.definitions_digest()));
  w.U32(db.max_window());
  w.U32(static_cast<uint32_t>(db.rule_count()));
  // The rule table is one length-prefixed blob, so a loader can skip it and decode it on
  // another thread while the engine databases are being restored.
  ByteWriter rules_writer;
  for (size_t i = 0; i < db.rule_count(); ++i) {
    ByteWriter& rw = rules_writer;
    const Definition& def = db.definition(i);
    const RuleInfo& info = db.rule_info()[i];
    rw.Str(def.id);
    rw.U8(static_cast<uint8_t>(def.kind));
    rw.Str(def.expression);
    rw.U32(def.flags);
    rw.Str(def.category);
    rw.U8(static_cast<uint8_t>(def.severity));
    rw.F64(def.confidence);
    rw.Str(def.description);
    rw.StrList(def.tags);
    rw.StrList(def.chains);
    rw.StrList(def.keywords);
    rw.StrList(def.examples);
    rw.StrList(def.negative_examples);
    rw.Str(def.entity);
    rw.Str(def.validator);
    rw.Str(def.source);
    rw.Str(def.token.shape);
    rw.Str(def.token.separators);
    rw.StrList(def.token.prefixes);
    rw.U32(static_cast<uint32_t>(def.token.lengths.size()));
    for (uint32_t length : def.token.lengths) rw.U32(length);
    if (options.format_version >= 7) rw.StrList(def.references);
    rw.U8(static_cast<uint8_t>(info.status));
    rw.Str(info.reason);
    rw.U32(info.min_width);
    rw.U32(info.max_width);
    rw.U32(static_cast<uint32_t>(info.partition));
  }
  w.Str(rules_writer.out());
  uint64_t target_features = 0;
  const auto& databases = db.parts().databases;
  w.U32(static_cast<uint32_t>(db.partitions().size()));
  for (size_t p = 0; p < db.partitions().size(); ++p) {
    const PartitionInfo& part = db.partitions()[p];
    w.U8(static_cast<uint8_t>(part.kind));
    w.Str(part.name);
    w.U32(static_cast<uint32_t>(part.rules.size()));
    for (uint32_t rule : part.rules) w.U32(rule);
    if (part.kind == PartitionKind::kGate) {
      for (const std::string& atom : part.atoms) w.Str(atom);
      for (uint32_t window : part.gate_windows) w.U32(window);
      if (options.format_version >= 9) {
        w.U32(static_cast<uint32_t>(part.follow_sets.size()));
        for (const ByteSequence& sequence : part.follow_sets) {
          w.U32(static_cast<uint32_t>(sequence.size()));
          for (const ByteSet& set : sequence) {
            for (uint64_t word : ByteSetWords(set)) w.U64(word);
          }
        }
        const bool any = !part.follow_sets.empty();
        for (size_t k = 0; k < part.atoms.size(); ++k) {
          w.U32(any ? part.gate_follow[k] : PartitionInfo::kNoFollow);
        }
      }
    }
    absl::Status written = WriteEngineDatabase(databases[p].get(), options.engine_images, w);
    if (!written.ok()) return written;
  }
  w.Str(WriteCompositeSection(db));
  // The indicator set (format 5): read in place, so it starts 64-byte aligned like images.
  const IndicatorSet* indicators =
      options.replace_indicators ? options.indicators : db.indicators();
  w.U8(indicators != nullptr ? 1 : 0);
  if (indicators != nullptr) {
    w.U64(indicators->bytes().size());
    w.Align(kImageAlignment, kHeaderSize);
    pieces.section = indicators->bytes();
  }
  ByteWriter tail;
  // Target features are recorded from the engine's own view of each database.
  for (const auto& engine_db : databases) {
    char* info = nullptr;
    if (hs_database_info(engine_db.get(), &info) == HS_SUCCESS && info != nullptr) {
      if (std::strstr(info, "AVX512")) target_features |= HS_CPU_FEATURES_AVX512;
      if (std::strstr(info, "AVX2")) target_features |= HS_CPU_FEATURES_AVX2;
      free(info);
    }
  }
  tail.U64(target_features);

  pieces.front = std::move(w.out());
  pieces.back = std::move(tail.out());
  ByteWriter header;
  header.Raw(std::string_view(kMagic, sizeof kMagic));
  header.U32(options.format_version);
  header.U32(0);
  header.U64(pieces.front.size() + pieces.section.size() + pieces.back.size());
  header.U64(Checksum({pieces.front, pieces.section, pieces.back}));
  pieces.head = std::move(header.out());
  return pieces;
}

}  // namespace

absl::StatusOr<std::string> SerializeDatabase(const Database& db, const SerializeOptions& options) {
  auto pieces = SerializePieces(db, options);
  if (!pieces.ok()) return pieces.status();
  std::string out;
  const auto views = pieces->views();
  size_t size = 0;
  for (std::string_view piece : views) size += piece.size();
  out.reserve(size);
  for (std::string_view piece : views) out.append(piece);
  return out;
}

absl::Status SaveDatabaseFile(const Database& db, const std::string& path) {
  auto pieces = SerializePieces(db, {});
  if (!pieces.ok()) return pieces.status();
  return WriteFileAtomically(path, pieces->views());
}

absl::StatusOr<std::shared_ptr<const Database>> WithIndicators(const Database& db,
                                                               const IndicatorSet* set) {
  SerializeOptions options;
  options.replace_indicators = true;
  options.indicators = set;
  auto pieces = SerializePieces(db, options);
  if (!pieces.ok()) return pieces.status();
  // One copy, into memory the new database keeps and reads in place.
  auto copy = std::make_shared<const MappedCopy>(pieces->views());
  if (copy->data() == nullptr) return absl::ResourceExhaustedError("cannot map the artifact");
  size_t size = 0;
  for (std::string_view piece : pieces->views()) size += piece.size();
  const std::string_view bytes(copy->data(), size);
  return DeserializeDatabase(bytes, std::move(copy));
}

absl::StatusOr<ArtifactHeader> ReadArtifactHeader(std::string_view bytes) {
  auto payload = CheckedPayload(bytes);
  if (!payload.ok()) return payload.status();
  ByteReader r(payload->bytes);
  ArtifactHeader header;
  header.format_version = payload->format_version;
  header.trawl_version = std::string(r.Str());
  header.engine_name = std::string(r.Str());
  header.engine_version = std::string(r.Str());
  header.definitions_digest = std::string(r.Str());
  header.size = bytes.size();
  if (!r.ok()) return Corrupt("truncated header fields");
  // The target features sit at the end of the payload.
  if (payload->bytes.size() >= 8) {
    uint64_t features = 0;
    std::memcpy(&features, payload->bytes.data() + payload->bytes.size() - 8, 8);
    header.target_features = FeaturesText(features);
  }
  return header;
}

namespace {

// Decodes a payload whose checksum is checked beside it. Safe on any bytes: it trusts no
// length it has not checked (artifact_fuzzer forges checksums to reach it).
absl::StatusOr<std::shared_ptr<const Database>> DecodePayload(std::string_view payload,
                                                              uint32_t format_version,
                                                              std::shared_ptr<const void> owner) {
  ByteReader r(payload);
  r.Str();  // trawl version: informational
  const std::string_view engine_name = r.Str();
  const std::string_view engine_version = r.Str();
  const std::string_view digest_hex = r.Str();
  const uint32_t max_window = r.U32();
  const uint32_t rule_count = r.U32();
  if (!r.ok()) return Corrupt("truncated header fields");
  const EngineInfo& engine = GetEngineInfo();
  if (engine_name != engine.name || engine_version != engine.version) {
    return WithCode(absl::FailedPreconditionError(StrCat(
                        "database was compiled by ", engine_name, " ", engine_version,
                        "; this trawl uses ", engine.name, " ", engine.version, " (recompile)")),
                    ErrorCode::kVersion);
  }
  if (rule_count > payload.size()) return Corrupt("rule count exceeds the file size");
  const std::string_view rules_blob = r.Str();
  if (!r.ok()) return Corrupt("truncated rule table");
  std::vector<RuleInfo> infos;
  std::vector<std::string_view> records;
  ResizeWithHugePages(&infos, rule_count);
  ResizeWithHugePages(&records, rule_count);
  std::vector<std::string> chains;
  absl::Status rules_status;
  std::exception_ptr rules_exception;  // an exception must not end a thread: it ends the process
  std::thread rules_thread([&] {
    try {
      rules_status = SplitRules(rules_blob, format_version, &infos, &records, &chains);
    } catch (...) {
      rules_exception = std::current_exception();
    }
  });
  struct JoinOnExit {
    std::thread& thread;
    bool joined = false;
    ~JoinOnExit() {
      if (!joined) thread.join();
    }
  } join_rules{rules_thread};
  const uint32_t partition_count = r.U32();
  if (!r.ok()) return Corrupt("truncated rule table");
  if (partition_count > payload.size()) return Corrupt("partition count exceeds the file size");
  auto parts = std::make_unique<internal::EngineParts>();
  std::vector<PartitionInfo> partitions(partition_count);
  std::vector<std::string_view> engine_bytes(partition_count);
  std::vector<EngineEncoding> encodings(partition_count);
  for (uint32_t p = 0; p < partition_count; ++p) {
    PartitionInfo& part = partitions[p];
    const uint8_t kind = r.U8();
    if (kind > static_cast<uint8_t>(PartitionKind::kGate)) return Corrupt("unknown partition kind");
    part.kind = static_cast<PartitionKind>(kind);
    part.name = std::string(r.Str());
    const uint32_t n = r.U32();
    // A gate partition lists a rule once per atom, so only the file size bounds `n`.
    if (!r.ok() || n > payload.size() / sizeof(uint32_t)) {
      return Corrupt("bad partition rule count");
    }
    part.rules.resize(n);
    for (uint32_t k = 0; k < n; ++k) {
      part.rules[k] = r.U32();
      if (part.rules[k] >= rule_count) return Corrupt("partition names a rule that does not exist");
    }
    if (part.kind == PartitionKind::kGate) {
      part.atoms.reserve(n);
      for (uint32_t k = 0; k < n && r.ok(); ++k) part.atoms.emplace_back(r.Str());
      part.gate_windows.resize(n);
      for (uint32_t k = 0; k < n && r.ok(); ++k) part.gate_windows[k] = r.U32();
      if (format_version >= 9) {
        const uint32_t sets = r.U32();
        if (!r.ok() || sets > n) return Corrupt("bad gate follow set count");
        part.follow_sets.resize(sets);
        for (ByteSequence& sequence : part.follow_sets) {
          const uint32_t length = r.U32();
          if (!r.ok() || length > r.remaining() / 32) return Corrupt("bad gate follow length");
          sequence.resize(length);
          for (ByteSet& set : sequence) {
            std::array<uint64_t, 4> words;
            for (uint64_t& word : words) word = r.U64();
            set = ByteSetFromWords(words);
          }
        }
        part.gate_follow.resize(n);
        for (uint32_t k = 0; k < n && r.ok(); ++k) {
          part.gate_follow[k] = r.U32();
          if (part.gate_follow[k] != PartitionInfo::kNoFollow && part.gate_follow[k] >= sets) {
            return Corrupt("gate follow set index out of range");
          }
        }
        if (sets == 0) part.gate_follow.clear();
      }
      if (!r.ok()) return Corrupt("truncated gate partition");
    }
    const uint8_t encoding = r.U8();
    if (encoding == static_cast<uint8_t>(EngineEncoding::kImage)) {
      const uint64_t size = r.U64();
      r.Align(kImageAlignment, kHeaderSize);
      engine_bytes[p] = r.Raw(size);
    } else if (encoding == static_cast<uint8_t>(EngineEncoding::kSerialized)) {
      engine_bytes[p] = r.Str();
    } else {
      return Corrupt("unknown engine encoding");
    }
    encodings[p] = static_cast<EngineEncoding>(encoding);
    if (!r.ok()) return Corrupt("truncated engine database");
  }
  // Images are used where they lie; a serialized database (an engine whose layout trawl
  // does not know) is copied, which dominates load time, so those restore in parallel.
  parts->databases.resize(partition_count);
  std::vector<absl::Status> restored(partition_count);
  ParallelFor(partition_count, 0, [&](size_t p) {
    auto db_or = encodings[p] == EngineEncoding::kImage ? UseEngineImage(engine_bytes[p])
                                                       : RestoreEngineDatabase(engine_bytes[p]);
    if (!db_or.ok()) {
      restored[p] = db_or.status();
      return;
    }
    parts->databases[p] = *std::move(db_or);
    size_t size = 0;
    hs_database_size(parts->databases[p].get(), &size);
    partitions[p].bytes = size;
  });
  for (const absl::Status& status : restored) {
    if (!status.ok()) return status;
  }
  if (hs_error_t rc = parts->PrepareScratch(); rc != HS_SUCCESS) return EngineError(rc);
  const std::string_view composite_section = r.Str();
  if (!r.ok()) return Corrupt("truncated composite section");
  std::shared_ptr<const IndicatorSet> indicators;
  const uint8_t has_indicators = r.U8();
  if (has_indicators > 1) return Corrupt("bad indicator section flag");
  if (has_indicators == 1) {
    const uint64_t size = r.U64();
    r.Align(kImageAlignment, kHeaderSize);
    const std::string_view section = r.Raw(size);
    if (!r.ok()) return Corrupt("truncated indicator section");
    auto set = IndicatorSet::View(section, owner);
    if (!set.ok()) return set.status();
    indicators = *std::move(set);
  }
  r.U64();  // target features: informational (the engine checks the platform itself)
  if (!r.ok() || !r.AtEnd()) return Corrupt("unexpected layout");
  rules_thread.join();
  join_rules.joined = true;
  if (rules_exception) std::rethrow_exception(rules_exception);
  if (!rules_status.ok()) return rules_status;
  for (uint32_t i = 0; i < rule_count; ++i) {
    const RuleInfo& info = infos[i];
    if (EngineScans(info.status) &&
        (info.partition < 0 || static_cast<uint32_t>(info.partition) >= partition_count)) {
      return Corrupt(StrCat("rule ", i, " points at a missing partition"));
    }
  }
  Sha256Digest digest{};
  if (!DecodeHex(digest_hex, &digest)) return Corrupt("bad definitions digest");
  std::vector<std::pair<uint32_t, std::string_view>> logic_records;
  std::vector<CompositeInfo> composites;
  if (absl::Status status =
          ReadCompositeSection(composite_section, infos, &logic_records, &composites);
      !status.ok()) {
    return status;
  }
  std::unique_ptr<internal::LogicTable> logic_table;
  if (!logic_records.empty()) {
    logic_table = std::make_unique<internal::LogicTable>(owner, std::move(logic_records));
  }
  auto table = std::make_unique<internal::RuleTable>(std::move(owner), std::move(records),
                                                     DecoderFor(format_version));
  auto db = std::make_shared<Database>(
      std::move(table), std::move(chains), std::move(infos), std::move(partitions),
      std::move(parts), max_window, digest, std::move(composites), std::move(logic_table));
  db->set_indicators(std::move(indicators));
  return std::shared_ptr<const Database>(std::move(db));
}

// A payload this large is hashed on a thread of its own while it is decoded: the
// checksum reads every byte (tens of megabytes with an indicator set), the decoding
// little of them, and a cold start pays the longer of the two instead of their sum.
constexpr size_t kHashBesideDecodingBytes = size_t{4} << 20;

}  // namespace

absl::StatusOr<std::shared_ptr<const Database>> LoadDatabaseFile(const std::string& path) {
  auto file = MappedFile::Open(path);
  if (!file.ok()) return file.status();
  auto mapping = std::make_shared<const MappedFile>(*std::move(file));
  return DeserializeDatabase(mapping->bytes(), mapping);
}

absl::StatusOr<std::shared_ptr<const Database>> DeserializeDatabase(
    std::string_view bytes, std::shared_ptr<const void> owner) {
  uint64_t checksum = 0;
  auto checked = CheckedPayload(bytes, &checksum);
  if (!checked.ok()) return checked.status();
  const uint32_t format_version = checked->format_version;
  std::string_view payload = checked->bytes;
  // The database reads its rule records and engine images in place, from bytes that it
  // keeps alive and that are aligned as they were in the file.
  if (owner == nullptr || reinterpret_cast<uintptr_t>(bytes.data()) % kImageAlignment != 0) {
    auto copy = std::make_shared<const MappedCopy>(bytes);
    if (copy->data() == nullptr) return absl::ResourceExhaustedError("cannot map the artifact");
    bytes = std::string_view(copy->data(), bytes.size());
    payload = bytes.substr(kHeaderSize);
    owner = std::move(copy);
  }
  // The database is returned only once the checksum matched: nothing uses bytes that
  // are not the ones written, and a damaged file is a checksum mismatch, as it always was.
  bool intact = false;
  absl::StatusOr<std::shared_ptr<const Database>> db;
  if (payload.size() >= kHashBesideDecodingBytes) {
    // `owner` stays here until the hasher is done with the bytes, whatever decoding does.
    std::jthread hasher([&] { intact = Checksum({payload}) == checksum; });
    db = DecodePayload(payload, format_version, owner);
  } else {
    intact = Checksum({payload}) == checksum;
    if (intact) db = DecodePayload(payload, format_version, std::move(owner));
  }
  if (!intact) return Corrupt("checksum mismatch");
  return db;
}

}  // namespace trawl
