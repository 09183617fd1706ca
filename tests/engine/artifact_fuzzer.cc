// Fuzzes artifact loading: a truncated or corrupted file must give a clean error. The
// checksum would stop most mutations at the door, so half the inputs are spliced into a
// real artifact with the size and checksum recomputed, to reach the decoders themselves.
#include <xxhash.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "engine/artifact.h"
#include "engine/compiler.h"
#include "engine/scanner.h"

namespace {

const std::string& SeedArtifact() {
  static const std::string bytes = [] {
    std::vector<trawl::Definition> defs(2);
    defs[0].id = "lit";
    defs[0].kind = trawl::PatternKind::kLiteral;
    defs[0].expression = "needle";
    defs[1].id = "re";
    defs[1].expression = "k=([a-z]{2,9})";
    // A gate partition with a follow sequence, so mutations reach its decoder too.
    trawl::CompileOptions options;
    trawl::ByteSet follow;  // what follows "k=": [a-z]
    for (char c = 'a'; c <= 'z'; ++c) follow.set(static_cast<unsigned char>(c));
    options.partitions.push_back(
        {trawl::PartitionKind::kGate, "gate", {1}, {{"k="}}, {2}, {trawl::ByteSequence{follow}}});
    auto db = trawl::CompileDatabase(defs, options);
    return *trawl::SerializeDatabase(**db);
  }();
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    // Splice the mutation into a real artifact's payload and fix up size and checksum.
    std::string artifact = SeedArtifact();
    const size_t header = 32;
    const size_t at = header + (input.size() ? (uint8_t)input[0] : 0) % (artifact.size() - header);
    artifact.replace(at, std::min(input.size(), artifact.size() - at), input);
    const uint64_t payload_size = artifact.size() - header;
    const uint64_t checksum = XXH3_64bits(artifact.data() + header, payload_size);
    std::memcpy(artifact.data() + 16, &payload_size, 8);
    std::memcpy(artifact.data() + 24, &checksum, 8);
    input = std::move(artifact);
  }
  auto db = trawl::DeserializeDatabase(input);
  // A forged checksum can smuggle arbitrary engine bytecode past the integrity check, and
  // the engine trusts its bytecode: artifacts are integrity-checked, not authenticated
  // (docs/abi.md). So only scan with databases that passed the real checksum.
  const bool forged = data[0] & 1;
  if (db.ok() && !forged) {
    auto scanner = trawl::Scanner::Create(*db);
    if (scanner.ok()) {
      (void)(*scanner)->Scan("k=abc needle", {}, [](const trawl::Match&) { return true; });
    }
  }
  return 0;
}
