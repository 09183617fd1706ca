// File: manifest_json_test.cc
#include "intake/manifest_json.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/media_type.h"
#include "util/strings.h"

namespace trawl {
namespace {

using ::testing::HasSubstr;

Manifest Sample() {
  Manifest m;
  m.package_id = "pkg";
  m.package_name = "outer \"quoted\".tgz";
  m.input_bytes = 1234;
  m.input_sha256 = std::string(64, 'a');
  m.complete = false;
  m.stopped_by = "max_entries";
  m.limits.max_entries = 1;
  m.limits.max_expansion_ratio = 12.5;
  m.entries_seen = 1;
  m.expanded_bytes = 99;
  m.limit_events.push_back({"max_entries", "c1", 2, 1});
  Component child;
  child.id = "c1";
  child.parent_id = "root";
  child.path = "outer.tgz!/line\nbreak";
  child.name = "../line\nbreak";
  child.unsafe_path = true;
  child.depth = 1;
  child.declared_size = -1;
  child.status = ComponentStatus::kLimitExceeded;
  child.reason = "not read";
  Component root;
  root.id = "root";
  root.path = "outer.tgz";
  root.kind = ComponentKind::kContainer;
  root.container_format = "tar+gzip";
  root.declared_size = 1234;
  root.size = 1234;
  root.sha256 = std::string(64, 'a');
  root.content_complete = true;
  root.status = ComponentStatus::kLimitExceeded;
  root.reason = "listing stopped";
  root.children = 1;
  m.components = {child, root};
  return m;
}

TEST(ManifestJsonTest, RoundTripsEveryField) {
  const Manifest m = Sample();
  ASSERT_TRUE(ValidateManifest(m).ok()) << ValidateManifest(m);
  const std::string json = ManifestToJson(m);
  EXPECT_THAT(json, HasSubstr("\"schema\": \"trawl.manifest/1\""));
  EXPECT_THAT(json, HasSubstr("\"status_counts\""));
  absl::StatusOr<Manifest> back = ManifestFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(ManifestToJson(*back), json);
  absl::StatusOr<Manifest> compact = ManifestFromJson(ManifestToJson(m, 0));
  ASSERT_TRUE(compact.ok());
  EXPECT_EQ(*compact, m);
}

// The accounting fields of issue 14 round-trip, are absent when unset (older manifests
// stay byte-identical), and an unknown origin is rejected.
TEST(ManifestJsonTest, AccountingFieldsRoundTripAndAreOptional) {
  Manifest m = Sample();
  const std::string plain = ManifestToJson(m);
  for (const char* field : {"warnings", "fallback_from", "origin", "link_target", "unsafe_link"}) {
    EXPECT_THAT(plain, ::testing::Not(HasSubstr(StrCat("\"", field, "\"")))) << field;
  }
  Component& child = m.components[0];
  child.warnings = {"ZIP bad CRC: 0x1 should be 0x2", "second"};
  child.origin = "after_archive";
  child.origin_offset = 2048;
  child.kind = ComponentKind::kSymlink;
  child.link_target = std::string("/etc\0x", 6);
  child.unsafe_link = true;
  m.components[1].fallback_from = "tar+gzip";
  const std::string json = ManifestToJson(m);
  absl::StatusOr<Manifest> back = ManifestFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
  std::string bad = json;
  bad.replace(bad.find("\"after_archive\""), 15, "\"somewhere\"");
  EXPECT_FALSE(ManifestFromJson(bad).ok());
}

TEST(ManifestJsonTest, CarvingFieldsAreOptionalAndRoundTrip) {
  Manifest m = Sample();
  // Written before carving existed: no carve limits, carved_offset or carve_skips.
  std::string old = ManifestToJson(m);
  for (const char* field :
       {"max_carve_depth", "max_carves_per_component", "max_carve_scan_bytes"}) {
    const size_t at = old.find(StrCat("\"", field, "\""));
    ASSERT_NE(at, std::string::npos) << field;
    const size_t comma = old.rfind(',', at);
    old.erase(comma, old.find_first_of(",}", at) - comma);
  }
  EXPECT_EQ(old.find("carve"), std::string::npos) << old;
  absl::StatusOr<Manifest> parsed = ManifestFromJson(old);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, m);  // defaults filled in

  m.components[0].carved_offset = 4096;
  m.carve_skips.push_back({"root", 17, "gzip", "does not open as an archive: bad header"});
  m.carve_skips_omitted = 3;
  const std::string json = ManifestToJson(m);
  EXPECT_THAT(json, HasSubstr("\"carved_offset\": 4096"));
  EXPECT_THAT(json, HasSubstr("\"carve_skips_omitted\": 3"));
  absl::StatusOr<Manifest> back = ManifestFromJson(json);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(ManifestToJson(*back), json);
}

TEST(ManifestJsonTest, RejectsOtherSchemasAndBrokenInput) {
  std::string json = ManifestToJson(Sample());
  std::string future = json;
  future.replace(future.find("trawl.manifest/1"), 16, "trawl.manifest/2");
  EXPECT_THAT(ManifestFromJson(future).status().message(),
              HasSubstr("unsupported manifest schema"));
  EXPECT_FALSE(ManifestFromJson("{").ok());
  EXPECT_FALSE(ManifestFromJson("[]").ok());
  std::string bad_status = json;
  const std::string status_field = "\"status\": \"limit_exceeded\"";
  bad_status.replace(bad_status.find(status_field), status_field.size(),
                     "\"status\": \"exploded\"");
  EXPECT_THAT(ManifestFromJson(bad_status).status().message(), HasSubstr("exploded"));
  std::string missing = json;
  missing.replace(missing.find("\"sha256\""), 8, "\"sha257\"");
  EXPECT_THAT(ManifestFromJson(missing).status().message(), HasSubstr("sha256"));
}

TEST(ManifestJsonTest, ValidateCatchesBrokenAccounting) {
  Manifest m = Sample();
  m.components.back().children = 2;
  EXPECT_FALSE(ValidateManifest(m).ok());
  m = Sample();
  m.components[0].parent_id = "nowhere";
  EXPECT_FALSE(ValidateManifest(m).ok());
  m = Sample();
  m.entries_seen = 5;
  EXPECT_FALSE(ValidateManifest(m).ok());
  m = Sample();
  m.components[0].duplicate_of = "root";
  EXPECT_FALSE(ValidateManifest(m).ok());  // digests differ
  m = Sample();
  m.components[0].id = "root";
  EXPECT_FALSE(ValidateManifest(m).ok());
}

// A manifest is a stage document another process wrote: reading one checks its
// accounting, so a repeated id, a parent cycle, a wrong child count or two copies naming
// each other never reach a stage that would lose components over it.
TEST(ManifestJsonTest, ReadingRejectsBrokenAccounting) {
  auto read = [](const Manifest& m) { return ManifestFromJson(ManifestToJson(m)).status(); };
  Manifest m = Sample();
  m.components.insert(m.components.begin(), m.components[0]);  // the child twice
  m.entries_seen = 2;
  m.components.back().children = 2;
  EXPECT_THAT(read(m).message(), HasSubstr("inconsistent manifest: component id \"c1\""));
  m = Sample();
  m.components[1].parent_id = "c1";  // root and child each other's parent
  EXPECT_THAT(read(m).message(), HasSubstr("inconsistent manifest"));
  m = Sample();
  m.components.back().children = 3;
  EXPECT_THAT(read(m).message(), HasSubstr("says 3 children but 1 are listed"));
  m = Sample();
  Component copy = m.components[0];
  copy.id = "c2";
  m.components.insert(m.components.begin() + 1, copy);
  m.entries_seen = 2;
  m.components.back().children = 2;
  for (Component* c : {&m.components[0], &m.components[1]}) {
    c->sha256 = std::string(64, 'b');
    c->has_content = true;
  }
  ASSERT_TRUE(read(m).ok()) << read(m);
  m.components[0].duplicate_of = "c2";
  m.components[1].duplicate_of = "c1";
  EXPECT_THAT(read(m).message(), HasSubstr("itself a duplicate"));
}

// Text or binary by the first kSniffBytes: up to 1 % control bytes (DEL among them; tab,
// line breaks, form feed and escape are text), or UTF-16 (NULs in every other byte, odd
// or even, and almost none in the others).
TEST(IntakeMediaTypeTest, TextAndBinaryAtTheThresholds) {
  std::string text(200, 'x');
  text[10] = '\x01';
  text[21] = '\x7f';
  EXPECT_EQ(SniffMediaType(text), "text/plain");  // 2 in 200
  text[30] = '\x02';
  EXPECT_EQ(SniffMediaType(text), "application/octet-stream");  // 3 in 200
  EXPECT_EQ(SniffMediaType(std::string(300, '\x1b') + "\t\f\r\n"), "text/plain");
  EXPECT_EQ(SniffMediaType(std::string("\0h\0e\0l\0l\0o", 10)), "text/plain");  // UTF-16BE
  std::string utf16le;
  for (int i = 0; i < 100; ++i) utf16le += std::string("a\0", 2);
  utf16le[50] = '\0';  // NULs in the other bytes: 2 in 100 units is still UTF-16
  utf16le[52] = '\0';
  EXPECT_EQ(SniffMediaType(utf16le), "text/plain");
  utf16le[54] = '\0';
  EXPECT_EQ(SniffMediaType(utf16le), "application/octet-stream");
  std::string mostly_nul(200, '\0');
  EXPECT_EQ(SniffMediaType("x" + mostly_nul), "application/octet-stream");
  // Only the head is sniffed: NULs past it do not count.
  EXPECT_EQ(SniffMediaType(std::string(kSniffBytes, 'a') + mostly_nul), "text/plain");
}

TEST(IntakeMediaTypeTest, SniffsMagicAndText) {
  EXPECT_EQ(SniffMediaType(std::string("\x1f\x8b\x08\x00", 4)), "application/gzip");
  EXPECT_EQ(SniffMediaType("%PDF-1.7\n"), "application/pdf");
  EXPECT_EQ(SniffMediaType(std::string("\x7f"
                                       "ELF\x02\x01",
                                       6)),
            "application/x-executable");
  EXPECT_EQ(SniffMediaType("\x89PNG\r\n\x1a\n...."), "image/png");
  EXPECT_EQ(SniffMediaType("hello\nworld\n"), "text/plain");
  EXPECT_EQ(SniffMediaType(std::string("h\0e\0l\0l\0o\0", 10)), "text/plain");
  EXPECT_EQ(SniffMediaType(std::string("\x01\x02\x03\x00\xff\x10", 6)), "application/octet-stream");
  std::string tar(512, '\0');
  tar.replace(257, 5, "ustar");
  EXPECT_TRUE(LooksLikeContainer(tar));
  EXPECT_FALSE(LooksLikeContainer("#mtree\n./etc/passwd type=file\n"));
  EXPECT_FALSE(LooksLikeContainer("%PDF-1.4"));
}

}  // namespace
}  // namespace trawl
