// File: artifact.cc
#include "engine/artifact.h"

#include <sys/mman.h>
#include <xxhash.h>

#include <cstring>
#include <thread>

#include "engine/compiler.h"
#include "engine/engine_info.h"
#include "engine/internal/engine_parts.h"
#include "trawl/trawl_version.h"
#include "util/byte_io.h"
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

// Checks the fixed header and the checksum; returns the payload.
absl::StatusOr<std::string_view> CheckedPayload(std::string_view bytes) {
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
  if (version != kArtifactFormatVersion) {
    return WithCode(absl::FailedPreconditionError(StrCat(
                        "database artifact format version ", version, "; this trawl reads version ",
                        kArtifactFormatVersion, " (recompile the rules)")),
                    ErrorCode::kVersion);
  }
  const std::string_view payload = bytes.substr(kHeaderSize);
  if (payload.size() < payload_size) {
    return Corrupt(StrCat("truncated: ", payload.size(), " of ", payload_size, " bytes"));
  }
  if (payload.size() > payload_size) return Corrupt("trailing bytes after the payload");
  if (XXH3_64bits(payload.data(), payload.size()) != checksum) return Corrupt("checksum mismatch");
  return payload;
}

// Restores one serialized engine database into a pre-faulted mapping: one mmap call
// instead of a page fault for every 4 KiB of a tens-of-megabytes database.
// Memory for an engine database of `*size` bytes (updated to the size mapped), or nullptr.
// Restoring copies the bytecode into fresh memory, and on this class of VM the page faults
// cost more than the copy: a large database gets 2 MiB-aligned memory with transparent
// huge pages requested (one fault per 2 MiB where the kernel grants them); a small one is
// populated at once.
void* MapEngineMemory(size_t* size) {
  constexpr size_t kHuge = size_t{2} << 20;
  if (*size < kHuge) {
    void* memory = mmap(nullptr, *size, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    return memory == MAP_FAILED ? nullptr : memory;
  }
  const size_t rounded = (*size + kHuge - 1) / kHuge * kHuge;
  void* raw = mmap(nullptr, rounded + kHuge, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto base = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t aligned = (base + kHuge - 1) / kHuge * kHuge;
  if (aligned > base) munmap(raw, aligned - base);
  const uintptr_t tail = aligned + rounded;
  if (base + rounded + kHuge > tail) munmap(reinterpret_cast<void*>(tail), base + rounded + kHuge - tail);
  void* memory = reinterpret_cast<void*>(aligned);
  madvise(memory, rounded, MADV_HUGEPAGE);  // advice only: small pages if refused
  *size = rounded;
  return memory;
}

absl::StatusOr<internal::HsDatabasePtr> RestoreEngineDatabase(std::string_view blob) {
  size_t db_size = 0;
  hs_error_t rc = hs_serialized_database_size(blob.data(), blob.size(), &db_size);
  if (rc == HS_SUCCESS) {
    size_t mapped_size = db_size;
    void* memory = MapEngineMemory(&mapped_size);
    if (memory == nullptr) return absl::ResourceExhaustedError("cannot map engine database");
    auto* engine_db = static_cast<hs_database_t*>(memory);
    rc = hs_deserialize_database_at(blob.data(), blob.size(), engine_db);
    if (rc == HS_SUCCESS) {
      return internal::HsDatabasePtr(engine_db, internal::HsDatabaseDeleter{mapped_size});
    }
    munmap(memory, mapped_size);
  }
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

// Decodes the rule table into pre-sized vectors.
// Sizes `v` to `n` default elements, asking for transparent huge pages for its storage
// first when it is large. A fresh process pays a page fault for every 4 KiB it touches,
// and on this class of VM faults dominate a cold load: 70k default Definitions (27 MB)
// took 0.3 s to construct in a fresh process with 4 KiB pages, 0.03 s with huge pages.
template <typename T>
void SizeWithHugePages(std::vector<T>* v, size_t n) {
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  v->reserve(n);  // a large block comes from its own mmap, untouched so far
  const auto begin = reinterpret_cast<uintptr_t>(v->data());
  const uintptr_t end = begin + n * sizeof(T);
  const uintptr_t aligned = (begin + kHuge - 1) & ~(kHuge - 1);
  if (end > aligned + kHuge) {
    madvise(reinterpret_cast<void*>(aligned), (end - aligned) & ~(kHuge - 1), MADV_HUGEPAGE);
  }
  v->resize(n);
}

absl::Status DecodeRules(std::string_view blob, std::vector<Definition>* defs,
                         std::vector<RuleInfo>* infos) {
  ByteReader r(blob);
  const uint32_t rule_count = static_cast<uint32_t>(defs->size());
  for (uint32_t i = 0; i < rule_count && r.ok(); ++i) {
    Definition& def = (*defs)[i];
    RuleInfo& info = (*infos)[i];
    def.id = std::string(r.Str());
    def.kind = r.U8() == 1 ? PatternKind::kLiteral : PatternKind::kRegex;
    def.expression = std::string(r.Str());
    def.flags = r.U32();
    def.category = std::string(r.Str());
    def.severity = static_cast<Severity>(std::min<uint8_t>(r.U8(), 4));
    def.confidence = r.F64();
    def.description = std::string(r.Str());
    def.tags = r.StrList();
    def.chains = r.StrList();
    def.keywords = r.StrList();
    def.examples = r.StrList();
    def.negative_examples = r.StrList();
    def.entity = std::string(r.Str());
    def.validator = std::string(r.Str());
    def.source = std::string(r.Str());
    const uint8_t status = r.U8();
    if (status > 2) return Corrupt(StrCat("rule ", i, " has an unknown status"));
    info.status = static_cast<RuleStatus>(status);
    info.reason = std::string(r.Str());
    info.min_width = r.U32();
    info.max_width = r.U32();
    info.partition = static_cast<int32_t>(r.U32());
  }
  if (!r.ok() || !r.AtEnd()) return Corrupt("bad rule table");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> SerializeDatabase(const Database& db) {
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
    const Definition& def = db.definitions()[i];
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
    }
    char* blob = nullptr;
    size_t blob_size = 0;
    if (hs_serialize_database(databases[p].get(), &blob, &blob_size) != HS_SUCCESS) {
      return absl::ResourceExhaustedError("engine: cannot serialize database");
    }
    w.Str(std::string_view(blob, blob_size));
    free(blob);  // the engine allocates with malloc
  }
  // Target features are recorded from the engine's own view of each database.
  for (const auto& engine_db : databases) {
    char* info = nullptr;
    if (hs_database_info(engine_db.get(), &info) == HS_SUCCESS && info != nullptr) {
      if (std::strstr(info, "AVX512")) target_features |= HS_CPU_FEATURES_AVX512;
      if (std::strstr(info, "AVX2")) target_features |= HS_CPU_FEATURES_AVX2;
      free(info);
    }
  }
  w.U64(target_features);

  std::string out(kMagic, sizeof kMagic);
  ByteWriter header;
  header.U32(kArtifactFormatVersion);
  header.U32(0);
  header.U64(w.out().size());
  header.U64(XXH3_64bits(w.out().data(), w.out().size()));
  out += header.out();
  out += w.out();
  return out;
}

absl::StatusOr<ArtifactHeader> ReadArtifactHeader(std::string_view bytes) {
  auto payload = CheckedPayload(bytes);
  if (!payload.ok()) return payload.status();
  ByteReader r(*payload);
  ArtifactHeader header;
  header.format_version = kArtifactFormatVersion;
  header.trawl_version = std::string(r.Str());
  header.engine_name = std::string(r.Str());
  header.engine_version = std::string(r.Str());
  header.definitions_digest = std::string(r.Str());
  header.size = bytes.size();
  if (!r.ok()) return Corrupt("truncated header fields");
  // The target features sit at the end of the payload.
  if (payload->size() >= 8) {
    uint64_t features = 0;
    std::memcpy(&features, payload->data() + payload->size() - 8, 8);
    header.target_features = FeaturesText(features);
  }
  return header;
}

absl::StatusOr<std::shared_ptr<const Database>> DeserializeDatabase(std::string_view bytes) {
  auto payload = CheckedPayload(bytes);
  if (!payload.ok()) return payload.status();
  ByteReader r(*payload);
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
  if (rule_count > payload->size()) return Corrupt("rule count exceeds the file size");
  const std::string_view rules_blob = r.Str();
  if (!r.ok()) return Corrupt("truncated rule table");
  std::vector<Definition> defs;
  std::vector<RuleInfo> infos;
  SizeWithHugePages(&defs, rule_count);
  SizeWithHugePages(&infos, rule_count);
  absl::Status rules_status;
  std::thread rules_thread([&] { rules_status = DecodeRules(rules_blob, &defs, &infos); });
  struct JoinOnExit {
    std::thread& thread;
    bool joined = false;
    ~JoinOnExit() {
      if (!joined) thread.join();
    }
  } join_rules{rules_thread};
  const uint32_t partition_count = r.U32();
  if (!r.ok()) return Corrupt("truncated rule table");
  if (partition_count > payload->size()) return Corrupt("partition count exceeds the file size");
  auto parts = std::make_unique<internal::EngineParts>();
  std::vector<PartitionInfo> partitions(partition_count);
  std::vector<std::string_view> blobs(partition_count);
  for (uint32_t p = 0; p < partition_count; ++p) {
    PartitionInfo& part = partitions[p];
    const uint8_t kind = r.U8();
    if (kind > static_cast<uint8_t>(PartitionKind::kGate)) return Corrupt("unknown partition kind");
    part.kind = static_cast<PartitionKind>(kind);
    part.name = std::string(r.Str());
    const uint32_t n = r.U32();
    // A gate partition lists a rule once per atom, so only the file size bounds `n`.
    if (!r.ok() || n > payload->size() / sizeof(uint32_t)) {
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
      if (!r.ok()) return Corrupt("truncated gate partition");
    }
    blobs[p] = r.Str();
    if (!r.ok()) return Corrupt("truncated engine database");
  }
  // Restoring the engine databases (copying tens of megabytes of bytecode) dominates
  // load time, so partitions are restored in parallel.
  parts->databases.resize(partition_count);
  std::vector<absl::Status> restored(partition_count);
  ParallelFor(partition_count, 0, [&](size_t p) {
    auto db_or = RestoreEngineDatabase(blobs[p]);
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
  r.U64();  // target features: informational (the engine checks the platform itself)
  if (!r.ok() || !r.AtEnd()) return Corrupt("unexpected layout");
  rules_thread.join();
  join_rules.joined = true;
  if (!rules_status.ok()) return rules_status;
  for (uint32_t i = 0; i < rule_count; ++i) {
    const RuleInfo& info = infos[i];
    if (info.status != RuleStatus::kRejected &&
        (info.partition < 0 || static_cast<uint32_t>(info.partition) >= partition_count)) {
      return Corrupt(StrCat("rule ", i, " points at a missing partition"));
    }
  }
  Sha256Digest digest{};
  if (!DecodeHex(digest_hex, &digest)) return Corrupt("bad definitions digest");
  return std::shared_ptr<const Database>(
      std::make_shared<Database>(std::move(defs), std::move(infos), std::move(partitions),
                                 std::move(parts), max_window, &digest));
}

}  // namespace trawl
