#include "engine/artifact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstring>
#include <set>
#include <thread>

#include "engine/internal/engine_parts.h"
#include "test_util.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

using testing_util::Literal;
using testing_util::MustCompile;
using testing_util::Regex;

std::shared_ptr<const Database> SampleDb() {
  Definition lit = Literal("lit", "password");
  lit.severity = Severity::kCritical;
  lit.tags = {"t1", "t2"};
  lit.examples = {"password"};
  return MustCompile({lit, Regex("re", "key=([a-z]{4,8})"), Regex("bad", "(")});
}

TEST(ArtifactTest, RoundTripKeepsMetadataAndFindings) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->rule_count(), 3u);
  EXPECT_EQ((*loaded)->definition(0).severity, Severity::kCritical);
  EXPECT_EQ((*loaded)->definition(0).tags, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ((*loaded)->rule_info()[2].status, RuleStatus::kRejected);
  EXPECT_EQ((*loaded)->rule_info()[2].reason, db->rule_info()[2].reason);
  EXPECT_EQ((*loaded)->definitions_digest(), db->definitions_digest());
  const std::string input = "password key=abcdef";
  EXPECT_EQ(testing_util::ScanAll(*loaded, input), testing_util::ScanAll(db, input));
  // Serialization is deterministic.
  auto again = SerializeDatabase(**loaded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
  auto header = ReadArtifactHeader(*bytes);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->definitions_digest, ToHex(db->definitions_digest()));
}

TEST(ArtifactTest, EveryTruncationIsACleanCorruptError) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  for (size_t len = 0; len < bytes->size(); len += 1 + len / 7) {
    auto loaded = DeserializeDatabase(std::string_view(*bytes).substr(0, len));
    ASSERT_FALSE(loaded.ok()) << len;
    EXPECT_EQ(CodeOf(loaded.status()), static_cast<int>(ErrorCode::kCorrupt)) << len;
  }
}

TEST(ArtifactTest, FlippedBytesAreDetected) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  for (size_t pos = 32; pos < bytes->size(); pos += 97) {
    std::string damaged = *bytes;
    damaged[pos] ^= 0x5a;
    auto loaded = DeserializeDatabase(damaged);
    ASSERT_FALSE(loaded.ok()) << pos;
    EXPECT_THAT(std::string(loaded.status().message()), ::testing::HasSubstr("checksum"));
  }
}

TEST(ArtifactTest, ForeignFormatVersionAndGarbageAreNamed) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  std::string future = *bytes;
  const uint32_t version = kArtifactFormatVersion + 1;
  std::memcpy(future.data() + 8, &version, sizeof version);
  auto loaded = DeserializeDatabase(future);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(CodeOf(loaded.status()), static_cast<int>(ErrorCode::kVersion));
  auto garbage = DeserializeDatabase("definitely not a database");
  ASSERT_FALSE(garbage.ok());
  EXPECT_THAT(std::string(garbage.status().message()), ::testing::HasSubstr("magic"));
}

std::vector<Definition> VariedDefinitions() {
  std::vector<Definition> defs;
  for (int i = 0; i < 40; ++i) {
    const std::string n = std::to_string(i);
    Definition def = i % 3 ? Regex("re-" + n, "id=([0-9]{" + std::to_string(i % 5 + 1) + "})")
                           : Literal("lit-" + n, "needle-" + n);
    def.category = i % 2 ? "secret" : "indicator/malicious";
    def.severity = static_cast<Severity>(i % 5);
    def.confidence = 0.25 + i / 100.0;
    def.description = "a description long enough to need its own allocation, #" + std::to_string(i);
    def.tags = {"tag-" + std::to_string(i % 4), "shared-tag"};
    def.chains = i % 4 ? std::vector<std::string>{"secrets"}
                       : std::vector<std::string>{"entities", "zeta"};
    def.keywords = {"id="};
    def.examples = {"id=12345"};
    def.negative_examples = {"id=x"};
    def.entity = i % 2 ? "secret" : "";
    def.validator = i % 5 == 0 ? "luhn" : "";
    def.source = "tests/engine/artifact_test.cc";
    if (i % 3 == 1) def.references = {"https://example.test/rule/" + n, "see the runbook"};
    defs.push_back(std::move(def));
  }
  return defs;
}

void ExpectSameDefinition(const Definition& a, const Definition& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.kind, b.kind) << a.id;
  EXPECT_EQ(a.expression, b.expression) << a.id;
  EXPECT_EQ(a.flags, b.flags) << a.id;
  EXPECT_EQ(a.category, b.category) << a.id;
  EXPECT_EQ(a.severity, b.severity) << a.id;
  EXPECT_EQ(a.confidence, b.confidence) << a.id;
  EXPECT_EQ(a.description, b.description) << a.id;
  EXPECT_EQ(a.tags, b.tags) << a.id;
  EXPECT_EQ(a.chains, b.chains) << a.id;
  EXPECT_EQ(a.keywords, b.keywords) << a.id;
  EXPECT_EQ(a.examples, b.examples) << a.id;
  EXPECT_EQ(a.negative_examples, b.negative_examples) << a.id;
  EXPECT_EQ(a.entity, b.entity) << a.id;
  EXPECT_EQ(a.validator, b.validator) << a.id;
  EXPECT_EQ(a.source, b.source) << a.id;
  EXPECT_EQ(a.references, b.references) << a.id;
}

// A rule whose token shape came after format 7 (url) would be dropped by a format 7
// reader (it skips token rules it does not know): such a database is written only as
// format 8, which older readers refuse. Without such a rule format 7 is still written.
TEST(ArtifactTest, UrlTokenRuleNeedsFormatEight) {
  Definition url = Regex("entity-url", R"(\b(?:https?|ftp)://[A-Za-z0-9.-]+)");
  url.token.shape = "url";
  auto db = MustCompile({url, Literal("lit", "needle")});
  ASSERT_TRUE(db);
  ASSERT_EQ(db->rule_info()[0].status, RuleStatus::kToken) << db->rule_info()[0].reason;
  SerializeOptions seven;
  seven.format_version = 7;
  auto refused = SerializeDatabase(*db, seven);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(CodeOf(refused.status()), static_cast<int>(ErrorCode::kUnsupported));
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("entity-url"));
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto header = ReadArtifactHeader(*bytes);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_GE(header->format_version, 8u);
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->rule_info()[0].status, RuleStatus::kToken);
  // A url rule whose regex may start mid-word cannot be anchored at the span: rejected,
  // with the reason, not dropped.
  Definition unanchored = Regex("url-mid-word", R"((?:https?|ftp)://[A-Za-z0-9.-]+)");
  unanchored.token.shape = "url";
  auto rejected = MustCompile({unanchored, Literal("lit", "needle")});
  ASSERT_TRUE(rejected);
  EXPECT_EQ(rejected->rule_info()[0].status, RuleStatus::kRejected);
  EXPECT_THAT(rejected->rule_info()[0].reason, ::testing::HasSubstr("starts with \\b"));
  auto plain = MustCompile({Literal("lit", "needle")});
  ASSERT_TRUE(plain);
  EXPECT_TRUE(SerializeDatabase(*plain, seven).ok());
}

// Format 6 (before references) is still written on request and still read: its rules
// load with everything but their references, and a format outside 6..8 is refused.
TEST(ArtifactTest, FormatSixArtifactsStillLoadWithoutReferences) {
  auto db = MustCompile(VariedDefinitions());
  ASSERT_TRUE(db);
  SerializeOptions six;
  six.format_version = 6;
  auto bytes = SerializeDatabase(*db, six);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  uint32_t version = 0;
  std::memcpy(&version, bytes->data() + 8, sizeof version);
  EXPECT_EQ(version, 6u);
  auto header = ReadArtifactHeader(*bytes);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->format_version, 6u);
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (size_t i = 0; i < db->rule_count(); ++i) {
    Definition expected = db->definition(i);
    EXPECT_FALSE(expected.references.empty() && i % 3 == 1) << i;
    expected.references.clear();
    ExpectSameDefinition((*loaded)->definition(i), expected);
  }
  SerializeOptions five;
  five.format_version = 5;
  EXPECT_FALSE(SerializeDatabase(*db, five).ok());
  std::string old = *bytes;
  version = 5;
  std::memcpy(old.data() + 8, &version, sizeof version);
  auto refused = DeserializeDatabase(old);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(CodeOf(refused.status()), static_cast<int>(ErrorCode::kVersion));
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("recompile"));
}

TEST(ArtifactTest, ReferencesRoundTrip) {
  auto db = MustCompile(VariedDefinitions());
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  auto loaded = DeserializeDatabase(*bytes);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->definition(1).references,
            (std::vector<std::string>{"https://example.test/rule/1", "see the runbook"}));
  EXPECT_TRUE((*loaded)->definition(2).references.empty());
}

// A loaded database builds each Definition on first use, from bytes it keeps alive itself:
// the caller's buffer may go away, and racing first uses agree on one object.
TEST(ArtifactTest, LoadedRulesAreDecodedOnDemandFromBytesTheDatabaseKeeps) {
  auto db = MustCompile(VariedDefinitions());
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  auto owned = std::make_shared<std::string>(*bytes);
  const std::string_view view = *owned;
  // The database holds the only reference to `owned`.
  auto with_owner = DeserializeDatabase(view, std::move(owned));
  std::string copy = *bytes;
  auto without_owner = DeserializeDatabase(copy);
  ASSERT_TRUE(with_owner.ok()) << with_owner.status();
  ASSERT_TRUE(without_owner.ok()) << without_owner.status();
  copy.assign(copy.size(), '\0');  // a database without an owner copied what it needs
  for (const auto& loaded : {*with_owner, *without_owner}) {
    EXPECT_EQ(loaded->chains(), (std::vector<std::string>{"entities", "secrets", "zeta"}));
    EXPECT_EQ(loaded->chains(), db->chains());
    std::vector<std::vector<const Definition*>> seen(4);
    std::vector<std::thread> threads;
    for (auto& addresses : seen) {
      threads.emplace_back([&loaded, &addresses] {
        for (size_t i = 0; i < loaded->rule_count(); ++i) {
          addresses.push_back(&loaded->definition(i));
        }
      });
    }
    for (auto& t : threads) t.join();
    for (size_t t = 1; t < seen.size(); ++t) EXPECT_EQ(seen[t], seen[0]);
    for (size_t i = 0; i < db->rule_count(); ++i) {
      ExpectSameDefinition(loaded->definition(i), db->definition(i));
    }
    EXPECT_EQ(testing_util::ScanAll(loaded, "id=123 needle-3 needle-6"),
              testing_util::ScanAll(db, "id=123 needle-3 needle-6"));
  }
}

// A scanner takes each rule's flags from RuleInfo, which a loaded artifact fills from
// the rule records without decoding the definitions: fullword must hold after loading.
TEST(ArtifactTest, LoadedDatabaseKeepsFullwordFlags) {
  auto db = MustCompile({Literal("word", "cmd", kFlagFullword), Literal("plain", "exe")});
  ASSERT_TRUE(db);
  EXPECT_EQ(db->rule_info()[0].flags & kFlagFullword, kFlagFullword);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  auto owned = std::make_shared<std::string>(*bytes);
  const std::string_view view = *owned;
  auto loaded = DeserializeDatabase(view, std::move(owned));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ((*loaded)->rule_info()[0].flags, db->rule_info()[0].flags);
  const std::string input = "xcmd cmd.exe (cmd)";
  const auto found = testing_util::ScanAll(*loaded, input);
  std::vector<uint64_t> word_starts;
  for (const auto& f : found) {
    if (f.rule == 0) word_starts.push_back(f.start);
  }
  EXPECT_THAT(word_starts, ::testing::ElementsAre(5u, 14u));
  EXPECT_EQ(found, testing_util::ScanAll(db, input));
}

// One database shared by scanners on several threads, as the worker pool and the hosts
// share it: a loaded artifact (rules decoded and confirmation regexes compiled on first
// use, by whichever thread comes first) and a compiled one give every thread the
// single-threaded results. Run under TSan by scripts/test.sh.
TEST(ArtifactTest, ScannersOnSeveralThreadsShareOneLoadedDatabase) {
  std::vector<Definition> defs = VariedDefinitions();
  defs.push_back(Regex("lookbehind", "(?<=key=)[a-z]{6}"));
  defs.push_back(Regex("gated", "token_[a-z0-9]{8,12}"));
  auto db = MustCompile(defs);
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  std::string input;
  for (int i = 0; i < 200; ++i) {
    input += "id=" + std::to_string(i * 7919) + " needle-" + std::to_string(i % 40) +
             " key=abcdef token_" + std::to_string(i * 104729) + "x\n";
  }
  const auto want = testing_util::ScanAll(db, input);
  ASSERT_GT(want.size(), 600u);
  auto owned = std::make_shared<std::string>(*bytes);
  const std::string_view view = *owned;
  auto loaded = DeserializeDatabase(view, std::move(owned));
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  for (const auto& shared : {*loaded, db}) {
    std::vector<std::vector<testing_util::Found>> got(4);
    std::vector<std::thread> threads;
    for (auto& found : got) {
      threads.emplace_back([&shared, &input, &found] {
        for (int round = 0; round < 3; ++round) found = testing_util::ScanAll(shared, input);
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& found : got) EXPECT_EQ(found, want);
  }
}

// Artifact bytes at a 64-byte-aligned address, as a mapped file has them.
using testing_util::AlignedBytes;

bool EngineDatabasesLieIn(const Database& db, std::string_view bytes) {
  for (const auto& engine_db : db.parts().databases) {
    const char* at = reinterpret_cast<const char*>(engine_db.get());
    if (at < bytes.data() || at >= bytes.data() + bytes.size()) return false;
  }
  return !db.parts().databases.empty();
}

// Given aligned bytes that it may keep, a loaded database scans with the engine images
// where they lie; given bytes it may not keep, it copies them.
TEST(ArtifactTest, EngineImagesAreUsedInPlaceOnlyInBytesTheDatabaseMayKeep) {
  auto db = MustCompile(VariedDefinitions());
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  auto aligned = std::make_shared<const AlignedBytes>(*bytes);
  auto in_place = DeserializeDatabase(aligned->view(), aligned);
  ASSERT_TRUE(in_place.ok()) << in_place.status();
  EXPECT_TRUE(EngineDatabasesLieIn(**in_place, aligned->view()));
  auto borrowed = DeserializeDatabase(aligned->view());
  ASSERT_TRUE(borrowed.ok()) << borrowed.status();
  EXPECT_FALSE(EngineDatabasesLieIn(**borrowed, aligned->view()));
  const std::string input = "id=1 id=123456 needle-3 needle-9 needle-33";
  const auto expected = testing_util::ScanAll(db, input);
  EXPECT_FALSE(expected.empty());
  EXPECT_EQ(testing_util::ScanAll(*in_place, input), expected);
  EXPECT_EQ(testing_util::ScanAll(*borrowed, input), expected);
  auto again = SerializeDatabase(**in_place);  // an image re-serializes to the same bytes
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *bytes);
}

// The engine's serialized form (what an engine of unknown layout gets) loads by copy and
// finds the same.
TEST(ArtifactTest, SerializedEngineDatabasesLoadByCopy) {
  auto db = MustCompile(VariedDefinitions());
  ASSERT_TRUE(db);
  auto images = SerializeDatabase(*db);
  auto serialized = SerializeDatabase(*db, {.engine_images = false});
  ASSERT_TRUE(images.ok() && serialized.ok());
  EXPECT_NE(*serialized, *images);
  auto aligned = std::make_shared<const AlignedBytes>(*serialized);
  auto loaded = DeserializeDatabase(aligned->view(), aligned);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_FALSE(EngineDatabasesLieIn(**loaded, aligned->view()));
  const std::string input = "id=1 id=123456 needle-3 needle-9 needle-33";
  EXPECT_EQ(testing_util::ScanAll(*loaded, input), testing_util::ScanAll(db, input));
  auto again = SerializeDatabase(**loaded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *images);
}

// The gate's follow sequences (format 9) are checked as they are read: a forged count,
// length or index is a Corrupt error naming what is wrong, not a read past the data.
TEST(ArtifactTest, ForgedFollowSequencesAreCorruptErrors) {
  CompileOptions options;
  ByteSet follow;
  follow.set('(').set(' ');
  options.partitions.push_back({PartitionKind::kGate, "gate", {0}, {{"assert"}}, {6},
                                {ByteSequence{follow}}});
  auto db = MustCompile({Regex("assert-call", "\\bassert[ ]{0,9}\\(")}, options);
  ASSERT_TRUE(db);
  ASSERT_EQ(db->partitions()[0].follow_sets.size(), 1u);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  // The section: U32 set count (1), U32 length (1), the set as 4 U64 words, U32 index (0).
  std::string section(4 + 4 + 32 + 4, '\0');
  const uint32_t one = 1;
  std::memcpy(section.data(), &one, 4);
  std::memcpy(section.data() + 4, &one, 4);
  const std::array<uint64_t, 4> words = ByteSetWords(follow);
  std::memcpy(section.data() + 8, words.data(), 32);
  const size_t at = bytes->find(section);
  ASSERT_NE(at, std::string::npos) << "no follow section where the format puts it";
  auto forge = [&](size_t offset, uint32_t value) {
    std::string forged = *bytes;
    std::memcpy(forged.data() + at + offset, &value, sizeof value);
    const uint64_t checksum = XXH3_64bits(forged.data() + 32, forged.size() - 32);
    std::memcpy(forged.data() + 24, &checksum, sizeof checksum);
    auto aligned = std::make_shared<const AlignedBytes>(forged);
    return DeserializeDatabase(aligned->view(), aligned).status();
  };
  const std::pair<size_t, uint32_t> cases[] = {{0, 2}, {4, 0xffffffff}, {40, 1}};
  const char* const messages[] = {"bad gate follow set count", "bad gate follow length",
                                  "gate follow set index out of range"};
  for (size_t k = 0; k < 3; ++k) {
    const absl::Status status = forge(cases[k].first, cases[k].second);
    EXPECT_EQ(CodeOf(status), static_cast<int>(ErrorCode::kCorrupt)) << messages[k];
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr(messages[k]));
  }
  EXPECT_TRUE(forge(40, 0).ok());  // the value it had: the forging itself is sound
}

// A forged artifact (damaged, checksum recomputed) must not make the loader read outside
// an engine image: its head is bounds-checked before the engine trusts it.
TEST(ArtifactTest, ForgedEngineImageHeadsAreRejectedOrHarmless) {
  auto db = SampleDb();
  ASSERT_TRUE(db);
  auto bytes = SerializeDatabase(*db);
  ASSERT_TRUE(bytes.ok());
  constexpr uint32_t kEngineMagic = 0xdbdbdbdb;
  size_t image = 0;
  for (size_t at = 64; at + 4 <= bytes->size() && image == 0; at += 64) {
    uint32_t word;
    std::memcpy(&word, bytes->data() + at, sizeof word);
    if (word == kEngineMagic) image = at;
  }
  ASSERT_NE(image, 0u) << "no engine image at a 64-byte boundary";
  size_t rejected = 0;
  std::set<int> codes;
  for (size_t k = 0; k < 64; ++k) {
    std::string forged = *bytes;
    forged[image + k] ^= 0xff;
    const uint64_t checksum = XXH3_64bits(forged.data() + 32, forged.size() - 32);
    std::memcpy(forged.data() + 24, &checksum, sizeof checksum);
    auto aligned = std::make_shared<const AlignedBytes>(forged);
    auto loaded = DeserializeDatabase(aligned->view(), aligned);
    if (!loaded.ok()) {
      ++rejected;
      codes.insert(CodeOf(loaded.status()).value_or(0));
    }
    if (k == 0) {
      EXPECT_FALSE(loaded.ok()) << "a damaged magic number loaded";
    }
  }
  EXPECT_GT(rejected, 16u);  // magic, version, length, platform, CRC, offset: at least
  // Each engine verdict maps to its own code: damaged bytes, another engine version, and
  // (a flipped platform word) instructions this CPU lacks.
  EXPECT_EQ(codes, (std::set<int>{static_cast<int>(ErrorCode::kCorrupt),
                                  static_cast<int>(ErrorCode::kVersion),
                                  static_cast<int>(ErrorCode::kPlatform)}));
}

}  // namespace
}  // namespace trawl
