// File: decompose_test.cc
// Decomposition: every format, nesting, each safety limit, hostile names, damaged and
// encrypted input, dedup, and the streaming contract. Every test checks that the
// manifest accounts for every entry (ExpectAccounted).
#include "intake/decompose.h"

#include <locale.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "intake/archive_builder.h"
#include "intake/gzip_inflater.h"
#include "intake/manifest_json.h"
#include "intake/source_walk.h"
#include "util/buffer_pool.h"
#include "util/digest.h"

namespace trawl {
namespace {

using ::testing::HasSubstr;
using ::trawl::testing::BuildArchive;
using ::trawl::testing::BuildOptions;
using ::trawl::testing::TarGz;
using ::trawl::testing::TestEntry;
using ::trawl::testing::Zip;

DecomposeOptions Options(std::string name = "pkg.bin") {
  DecomposeOptions options;
  options.package_id = "package-1";
  options.package_name = std::move(name);
  return options;
}

const Component* FindPath(const Manifest& m, std::string_view path) {
  for (const Component& c : m.components) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

std::vector<const Component*> ChildrenOf(const Manifest& m, const std::string& id) {
  std::vector<const Component*> out;
  for (const Component& c : m.components) {
    if (c.parent_id == id) out.push_back(&c);
  }
  return out;
}

// The invariants every decomposition must keep, whatever the input.
void ExpectAccounted(const Manifest& m) {
  absl::Status valid = ValidateManifest(m);
  ASSERT_TRUE(valid.ok()) << valid;
  for (const Component& c : m.components) {
    if (c.status != ComponentStatus::kOk) {
      EXPECT_FALSE(c.reason.empty()) << c.path;
    }
  }
  EXPECT_TRUE(m.components.back().parent_id.empty()) << "the root comes last";
  EXPECT_EQ(m.complete, m.stopped_by.empty());
  absl::StatusOr<Manifest> parsed = ManifestFromJson(ManifestToJson(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, m);
}

absl::StatusOr<Decomposition> Collect(std::string_view data, DecomposeOptions options = Options()) {
  return CollectBytes(data, options);
}

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) / name).string();
}

// Bytes that deflate poorly (a gzip stream of them spans several 256 KiB file reads;
// a zip of them stays as large as they are).
std::string Noise(size_t n, uint32_t seed) {
  std::string out(n, '\0');
  for (char& ch : out) {
    seed = seed * 1664525u + 1013904223u;
    ch = static_cast<char>(seed >> 24);
  }
  return out;
}

void WriteBytes(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

// --- formats -------------------------------------------------------------------------

struct FormatCase {
  std::string label;
  BuildOptions build;
  std::string expected_format;
};

// Test names in ctest show the label, not the bytes of the parameter.
void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.label; }

class DecomposeFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(DecomposeFormatTest, ListsEveryEntryWithContent) {
  const FormatCase& param = GetParam();
  const std::vector<TestEntry> entries = {
      {.name = "alpha.txt", .data = "alpha contents\n"},
      {.name = "beta.log", .data = std::string(5000, 'b') + "\n"},
  };
  const std::string archive = BuildArchive(entries, param.build);
  absl::StatusOr<Decomposition> d = Collect(archive, Options("pkg." + param.label));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component& root = m.components.back();
  EXPECT_EQ(root.kind, ComponentKind::kContainer);
  EXPECT_EQ(root.container_format, param.expected_format);
  EXPECT_EQ(root.status, ComponentStatus::kOk) << root.reason;
  EXPECT_EQ(root.children, 2u);
  EXPECT_EQ(m.entries_seen, 2u);
  for (const TestEntry& e : entries) {
    const Component* c = FindPath(m, "pkg." + param.label + "!/" + e.name);
    ASSERT_NE(c, nullptr) << e.name;
    EXPECT_EQ(c->status, ComponentStatus::kOk) << c->reason;
    EXPECT_TRUE(c->content_complete);
    EXPECT_EQ(c->size, e.data.size());
    EXPECT_EQ(c->depth, 1u);
    EXPECT_EQ(d->content.at(c->id), e.data);
    EXPECT_EQ(c->media_type, "text/plain");
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, DecomposeFormatTest,
    ::testing::Values(
        FormatCase{"ustar", {.format = "ustar"}, "tar"},
        FormatCase{"pax", {.format = "pax"}, "tar"},
        FormatCase{"gnutar", {.format = "gnutar"}, "tar"},
        FormatCase{"zip", {.format = "zip"}, "zip"},
        FormatCase{"zipstored", {.format = "zip", .options = "zip:compression=store"}, "zip"},
        FormatCase{"7z", {.format = "7zip"}, "7z"}, FormatCase{"cpio", {.format = "cpio"}, "cpio"},
        FormatCase{"ar", {.format = "ar"}, "ar"},
        FormatCase{"targz", {.format = "ustar", .filters = {"gzip"}}, "tar+gzip"},
        FormatCase{"tarbz2", {.format = "ustar", .filters = {"bzip2"}}, "tar+bzip2"},
        FormatCase{"tarxz", {.format = "ustar", .filters = {"xz"}}, "tar+xz"},
        FormatCase{"tarzst", {.format = "ustar", .filters = {"zstd"}}, "tar+zstd"},
        FormatCase{"tarlz4", {.format = "ustar", .filters = {"lz4"}}, "tar+lz4"},
        FormatCase{"cpiogz", {.format = "cpio", .filters = {"gzip"}}, "cpio+gzip"}),
    [](const ::testing::TestParamInfo<FormatCase>& case_info) { return case_info.param.label; });

TEST(DecomposeTest, BareCompressedFileIsOneChild) {
  const std::string text = "2026-01-01T00:00:00Z INFO started\n";
  for (const char* filter : {"gzip", "bzip2", "xz", "zstd", "lz4"}) {
    const std::string data =
        BuildArchive({{.name = "data", .data = text}}, {.format = "raw", .filters = {filter}});
    absl::StatusOr<Decomposition> d = Collect(data, Options("app.log.gz"));
    ASSERT_TRUE(d.ok()) << d.status();
    ExpectAccounted(d->manifest);
    ASSERT_EQ(d->manifest.components.size(), 2u) << filter;
    const Component& child = d->manifest.components[0];
    EXPECT_EQ(child.path, "app.log.gz!/app.log") << filter;
    EXPECT_EQ(d->content.at(child.id), text);
    EXPECT_EQ(d->manifest.components[1].container_format, std::string("raw+") + filter);
  }
}

TEST(DecomposeTest, NonArchiveInputIsSingleComponent) {
  const std::string text = "just a line of text\n";
  absl::StatusOr<Decomposition> d = Collect(text, Options("note.txt"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  ASSERT_EQ(d->manifest.components.size(), 1u);
  const Component& root = d->manifest.components[0];
  EXPECT_EQ(root.kind, ComponentKind::kFile);
  EXPECT_EQ(root.path, "note.txt");
  EXPECT_TRUE(root.has_content);
  EXPECT_EQ(d->content.at(root.id), text);
  EXPECT_EQ(root.sha256, d->manifest.input_sha256);
}

TEST(DecomposeTest, EmptyInputIsSingleEmptyComponent) {
  absl::StatusOr<Decomposition> d = Collect("", Options("empty"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  ASSERT_EQ(d->manifest.components.size(), 1u);
  EXPECT_EQ(d->manifest.components[0].media_type, "application/x-empty");
  EXPECT_TRUE(d->manifest.components[0].has_content);
}

// --- nesting -------------------------------------------------------------------------

std::string ThreeDeep() {
  const std::string inner = Zip({{.name = "2026/app.log", .data = "deep log line\n"}});
  const std::string mid = TarGz(
      {{.name = "logs/inner.zip", .data = inner}, {.name = "logs/readme.txt", .data = "mid\n"}});
  return Zip({{.name = "mid.tar.gz", .data = mid}, {.name = "top.txt", .data = "top\n"}});
}

TEST(DecomposeTest, OpensNestedContainersThreeDeep) {
  absl::StatusOr<Decomposition> d = Collect(ThreeDeep(), Options("outer.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* deep = FindPath(m, "outer.zip!/mid.tar.gz!/logs/inner.zip!/2026/app.log");
  ASSERT_NE(deep, nullptr) << ManifestToJson(m);
  EXPECT_EQ(deep->depth, 3u);
  EXPECT_EQ(d->content.at(deep->id), "deep log line\n");
  const Component* inner = FindPath(m, "outer.zip!/mid.tar.gz!/logs/inner.zip");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(deep->parent_id, inner->id);
  EXPECT_EQ(inner->kind, ComponentKind::kContainer);
  EXPECT_FALSE(inner->has_content);
  const Component* mid = FindPath(m, "outer.zip!/mid.tar.gz");
  ASSERT_NE(mid, nullptr);
  EXPECT_EQ(mid->container_format, "tar+gzip");
  EXPECT_EQ(mid->children, 2u);
  EXPECT_EQ(ChildrenOf(m, mid->id).size(), 2u);
  EXPECT_EQ(m.entries_seen, 5u);
  EXPECT_EQ(m.components.size(), 6u);
  EXPECT_TRUE(m.complete);
}

TEST(DecomposeTest, DepthLimitKeepsUnopenedContainerAsContent) {
  DecomposeOptions options = Options("outer.zip");
  options.limits.max_depth = 2;
  absl::StatusOr<Decomposition> d = CollectBytes(ThreeDeep(), options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* inner = FindPath(m, "outer.zip!/mid.tar.gz!/logs/inner.zip");
  ASSERT_NE(inner, nullptr);
  EXPECT_EQ(inner->status, ComponentStatus::kLimitExceeded);
  EXPECT_THAT(inner->reason, HasSubstr("max_depth"));
  EXPECT_TRUE(inner->has_content);
  EXPECT_EQ(inner->children, 0u);
  EXPECT_EQ(FindPath(m, "outer.zip!/mid.tar.gz!/logs/inner.zip!/2026/app.log"), nullptr);
  ASSERT_EQ(m.limit_events.size(), 1u);
  EXPECT_EQ(m.limit_events[0].limit, "max_depth");
  EXPECT_EQ(m.limit_events[0].component_id, inner->id);
  // A depth limit is local: the rest of the package is still complete.
  EXPECT_TRUE(m.complete);
}

TEST(DecomposeTest, DeepNestingStopsAtConfiguredDepth) {
  std::string data = "core\n";
  for (int level = 0; level < 12; ++level) {
    data = Zip({{.name = "level" + std::to_string(level) + ".zip", .data = data}});
  }
  DecomposeOptions options = Options("deep.zip");
  options.limits.max_depth = 5;
  absl::StatusOr<Decomposition> d = CollectBytes(data, options);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  uint32_t deepest = 0;
  for (const Component& c : d->manifest.components) deepest = std::max(deepest, c.depth);
  EXPECT_EQ(deepest, 5u);
  EXPECT_EQ(d->manifest.components.size(), 6u);
  EXPECT_EQ(d->manifest.components[0].status, ComponentStatus::kLimitExceeded);
}

// --- limits --------------------------------------------------------------------------

TEST(DecomposeTest, ZipBombStopsOnExpansionRatio) {
  // One highly compressible 32 MiB entry: deflate packs it ~1000:1.
  const std::string bomb = Zip({{.name = "zeros.bin", .data = std::string(32 << 20, '\0')},
                                {.name = "after.txt", .data = "never reached\n"}});
  ASSERT_LT(bomb.size(), 200u << 10);
  DecomposeOptions options = Options("bomb.zip");
  options.limits.ratio_grace_bytes = 1 << 20;
  options.limits.max_expansion_ratio = 50;
  absl::StatusOr<Decomposition> d = CollectBytes(bomb, options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_FALSE(m.complete);
  EXPECT_EQ(m.stopped_by, "max_expansion_ratio");
  const Component* zeros = FindPath(m, "bomb.zip!/zeros.bin");
  ASSERT_NE(zeros, nullptr);
  EXPECT_EQ(zeros->status, ComponentStatus::kLimitExceeded);
  EXPECT_FALSE(zeros->content_complete);
  EXPECT_LT(m.expanded_bytes, 2u * 50 * bomb.size());
  // The root says its listing was cut short; the entry after the bomb was never seen.
  EXPECT_EQ(m.components.back().status, ComponentStatus::kLimitExceeded);
  EXPECT_THAT(m.components.back().reason, HasSubstr("max_expansion_ratio"));
  EXPECT_EQ(FindPath(m, "bomb.zip!/after.txt"), nullptr);
  ASSERT_FALSE(m.limit_events.empty());
  EXPECT_EQ(m.limit_events.back().limit, "max_expansion_ratio");
}

// 42.zip shape: zips of zips, each level fanning out, every leaf a run of zeros. The
// leaves differ by one byte so that dedup does not short-circuit the test.
std::string NestedBomb(int levels, int fanout, size_t leaf_bytes, int* counter) {
  std::vector<TestEntry> entries;
  for (int i = 0; i < fanout; ++i) {
    if (levels == 1) {
      std::string leaf(leaf_bytes, '\0');
      leaf.back() = static_cast<char>(++*counter);
      entries.push_back({.name = "leaf" + std::to_string(i) + ".bin", .data = leaf});
    } else {
      entries.push_back({.name = "lib" + std::to_string(i) + ".zip",
                         .data = NestedBomb(levels - 1, fanout, leaf_bytes, counter)});
    }
  }
  return Zip(entries);
}

TEST(DecomposeTest, NestedZipBombStopsOnTotalBytes) {
  int counter = 0;
  const std::string bomb = NestedBomb(3, 4, 1 << 20, &counter);  // 64 MiB of leaves
  DecomposeOptions options = Options("42.zip");
  options.limits.max_total_bytes = 8 << 20;
  absl::StatusOr<Decomposition> d = CollectBytes(bomb, options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_FALSE(m.complete);
  EXPECT_EQ(m.stopped_by, "max_total_bytes");
  EXPECT_LE(m.expanded_bytes, (8u << 20) + (1u << 20));
  // Every container on the open chain records that its listing was cut short.
  int cut = 0;
  for (const Component& c : m.components) {
    if (c.kind == ComponentKind::kContainer && c.status == ComponentStatus::kLimitExceeded) {
      EXPECT_THAT(c.reason, HasSubstr("max_total_bytes"));
      ++cut;
    }
  }
  EXPECT_EQ(cut, 3);
}

TEST(DecomposeTest, NestedZipBombStopsOnDefaultRatio) {
  int counter = 0;
  const std::string bomb = NestedBomb(2, 6, 4 << 20, &counter);  // 144 MiB of leaves
  absl::StatusOr<Decomposition> d = CollectBytes(bomb, Options("bomb.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  EXPECT_EQ(d->manifest.stopped_by, "max_expansion_ratio");
}

TEST(DecomposeTest, IdenticalNestedContainersAreExpandedOnce) {
  const std::string inner =
      Zip({{.name = "x.txt", .data = "x\n"}, {.name = "y.txt", .data = "y\n"}});
  const std::string outer = Zip({{.name = "a.zip", .data = inner},
                                 {.name = "b.zip", .data = inner},
                                 {.name = "c.zip", .data = inner}});
  absl::StatusOr<Decomposition> d = Collect(outer, Options("outer.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* a = FindPath(m, "outer.zip!/a.zip");
  const Component* b = FindPath(m, "outer.zip!/b.zip");
  const Component* c = FindPath(m, "outer.zip!/c.zip");
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->children, 2u);
  EXPECT_EQ(b->duplicate_of, a->id);
  EXPECT_EQ(c->duplicate_of, a->id);
  EXPECT_EQ(b->kind, ComponentKind::kContainer);
  EXPECT_EQ(b->children, 0u);
  EXPECT_EQ(m.entries_seen, 5u);
}

TEST(DecomposeTest, EntryCountLimitRecordsTheCut) {
  std::vector<TestEntry> entries;
  for (int i = 0; i < 10000; ++i) {
    entries.push_back({.name = "f/" + std::to_string(i) + ".txt", .data = std::to_string(i)});
  }
  const std::string tar = BuildArchive(entries, {.format = "ustar", .filters = {"gzip"}});

  absl::StatusOr<Decomposition> all = Collect(tar, Options("many.tgz"));
  ASSERT_TRUE(all.ok()) << all.status();
  ExpectAccounted(all->manifest);
  EXPECT_EQ(all->manifest.entries_seen, 10000u);
  EXPECT_EQ(all->content.size(), 10000u);
  EXPECT_TRUE(all->manifest.complete);

  DecomposeOptions options = Options("many.tgz");
  options.limits.max_entries = 5000;
  absl::StatusOr<Decomposition> cut = CollectBytes(tar, options);
  ASSERT_TRUE(cut.ok()) << cut.status();
  const Manifest& m = cut->manifest;
  ExpectAccounted(m);
  EXPECT_FALSE(m.complete);
  EXPECT_EQ(m.stopped_by, "max_entries");
  EXPECT_EQ(m.entries_seen, 5001u);  // the entry that crossed the limit is recorded
  EXPECT_EQ(cut->content.size(), 5000u);
  EXPECT_EQ(m.components[5000].status, ComponentStatus::kLimitExceeded);
  EXPECT_EQ(m.components.back().status, ComponentStatus::kLimitExceeded);
}

TEST(DecomposeTest, PathLengthLimitSkipsEntryButContinues) {
  const std::string long_name = std::string(300, 'n') + ".txt";
  const std::string tar = BuildArchive(
      {{.name = long_name, .data = "hidden\n"}, {.name = "short.txt", .data = "visible\n"}},
      {.format = "pax"});
  DecomposeOptions options = Options("p.tar");
  options.limits.max_path_length = 100;
  absl::StatusOr<Decomposition> d = CollectBytes(tar, options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  ASSERT_EQ(m.components.size(), 3u);
  EXPECT_EQ(m.components[0].status, ComponentStatus::kLimitExceeded);
  EXPECT_EQ(m.components[0].name.size(), 100u);
  EXPECT_FALSE(m.components[0].has_content);
  EXPECT_EQ(m.components[1].status, ComponentStatus::kOk);
  EXPECT_EQ(d->content.at(m.components[1].id), "visible\n");
  EXPECT_TRUE(m.complete);
  ASSERT_EQ(m.limit_events.size(), 1u);
  EXPECT_EQ(m.limit_events[0].limit, "max_path_length");
  EXPECT_EQ(m.limit_events[0].observed, long_name.size());
}

TEST(DecomposeTest, ComponentSizeLimitKeepsPrefix) {
  std::string big(1 << 20, 'a');
  const std::string zip =
      Zip({{.name = "big.txt", .data = big}, {.name = "small.txt", .data = "s"}});
  DecomposeOptions options = Options("z.zip");
  options.limits.max_component_bytes = 64 << 10;
  absl::StatusOr<Decomposition> d = CollectBytes(zip, options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* c = FindPath(m, "z.zip!/big.txt");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->status, ComponentStatus::kLimitExceeded);
  EXPECT_FALSE(c->content_complete);
  EXPECT_EQ(c->size, 64u << 10);
  EXPECT_EQ(d->content.at(c->id), big.substr(0, 64 << 10));
  EXPECT_EQ(FindPath(m, "z.zip!/small.txt")->status, ComponentStatus::kOk);
  EXPECT_TRUE(m.complete);
  // The whole entry was decompressed and counted, not silently skipped.
  EXPECT_EQ(m.expanded_bytes, big.size() + 1);
}

TEST(DecomposeTest, TotalBytesLimit) {
  const std::string tar = TarGz({{.name = "a", .data = std::string(3000, 'a')},
                                 {.name = "b", .data = std::string(3000, 'b')},
                                 {.name = "c", .data = std::string(3000, 'c')}});
  DecomposeOptions options = Options("t.tgz");
  options.limits.max_total_bytes = 5000;
  absl::StatusOr<Decomposition> d = CollectBytes(tar, options);
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_EQ(m.stopped_by, "max_total_bytes");
  EXPECT_EQ(FindPath(m, "t.tgz!/a")->status, ComponentStatus::kOk);
  EXPECT_EQ(FindPath(m, "t.tgz!/b")->status, ComponentStatus::kLimitExceeded);
  EXPECT_EQ(FindPath(m, "t.tgz!/c"), nullptr);
}

// --- hostile names and entry types ------------------------------------------------------

TEST(DecomposeTest, SanitizesUnsafeNames) {
  EXPECT_EQ(SanitizeEntryName("../../etc/passwd").display, "etc/passwd");
  EXPECT_TRUE(SanitizeEntryName("../../etc/passwd").unsafe);
  EXPECT_TRUE(SanitizeEntryName("/etc/shadow").unsafe);
  EXPECT_EQ(SanitizeEntryName("/etc/shadow").display, "etc/shadow");
  EXPECT_TRUE(SanitizeEntryName("C:\\Windows\\x.dll").unsafe);
  EXPECT_EQ(SanitizeEntryName("C:\\Windows\\x.dll").display, "Windows/x.dll");
  EXPECT_TRUE(SanitizeEntryName("a\\..\\..\\b").unsafe);
  EXPECT_TRUE(SanitizeEntryName("line\nbreak").unsafe);
  EXPECT_EQ(SanitizeEntryName("line\nbreak").display, "line?break");
  EXPECT_FALSE(SanitizeEntryName("a/./b//c.txt").unsafe);
  EXPECT_EQ(SanitizeEntryName("a/./b//c.txt").display, "a/b/c.txt");
  EXPECT_EQ(SanitizeEntryName("..").display, "_");
  EXPECT_FALSE(SanitizeEntryName("dir/..hidden").unsafe);
}

TEST(DecomposeTest, TraversalNamesNeverTouchTheFileSystem) {
  const std::string tar = BuildArchive({{.name = "../../escape.txt", .data = "one\n"},
                                        {.name = "/abs/path.txt", .data = "two\n"},
                                        {.name = "safe/ok.txt", .data = "three\n"}},
                                       {.format = "pax"});
  const std::string root = TempPath("traversal");
  std::filesystem::remove_all(root);
  const std::string out_dir = root + "/out/deeper";
  std::filesystem::create_directories(out_dir);
  const std::string input = root + "/input.tar";
  WriteBytes(input, tar);

  absl::StatusOr<Manifest> m = DecomposeFileToDirectory(input, Options("input.tar"), out_dir);
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectAccounted(*m);
  const Component* escape = FindPath(*m, "input.tar!/escape.txt");
  ASSERT_NE(escape, nullptr);
  EXPECT_TRUE(escape->unsafe_path);
  EXPECT_EQ(escape->name, "../../escape.txt");
  EXPECT_EQ(escape->status, ComponentStatus::kOk);
  EXPECT_TRUE(FindPath(*m, "input.tar!/abs/path.txt")->unsafe_path);
  EXPECT_FALSE(FindPath(*m, "input.tar!/safe/ok.txt")->unsafe_path);

  std::set<std::string> written;
  for (const auto& f : std::filesystem::recursive_directory_iterator(root)) {
    written.insert(std::filesystem::relative(f.path(), root).string());
  }
  std::set<std::string> expected = {"input.tar", "out", "out/deeper", "out/deeper/manifest.json"};
  for (const Component& c : m->components) {
    if (c.has_content) expected.insert("out/deeper/" + c.id);
  }
  EXPECT_EQ(written, expected);
  EXPECT_EQ(expected.size(), 7u);
  std::ifstream in(out_dir + "/" + escape->id);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "one\n");
}

// Retried or concurrent intakes of one package into one directory (at-least-once queues,
// two workers on the same message) must all succeed and leave exactly the same files:
// every writer uses its own temporary name, then renames.
TEST(DecomposeTest, ConcurrentWritersIntoOneDirectoryAllSucceed) {
  std::vector<TestEntry> entries;
  for (int i = 0; i < 40; ++i) {
    entries.push_back({.name = "f" + std::to_string(i) + ".txt",
                       .data = "content " + std::to_string(i) + "\n"});
  }
  const std::string root = TempPath("concurrent");
  std::filesystem::remove_all(root);
  const std::string out_dir = root + "/out";
  std::filesystem::create_directories(out_dir);
  const std::string input = root + "/input.tar";
  WriteBytes(input, BuildArchive(entries, {.format = "ustar"}));

  constexpr int kWriters = 4;
  constexpr int kRounds = 6;
  std::vector<std::string> errors(kWriters);
  std::vector<Manifest> manifests(kWriters);
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        absl::StatusOr<Manifest> m = DecomposeFileToDirectory(input, Options("input.tar"), out_dir);
        if (m.ok()) {
          manifests[w] = *std::move(m);
        } else {
          errors[w] = std::string(m.status().message());
        }
      });
    }
    for (std::thread& t : writers) t.join();
    for (int w = 0; w < kWriters; ++w) ASSERT_EQ(errors[w], "") << "round " << round;
  }
  std::set<std::string> written;
  for (const auto& f : std::filesystem::directory_iterator(out_dir)) {
    written.insert(f.path().filename().string());
  }
  std::set<std::string> expected = {"manifest.json"};
  for (const Component& c : manifests[0].components) {
    if (c.has_content) expected.insert(c.id);
  }
  EXPECT_EQ(written, expected);  // no temporary file left behind
  std::ifstream in(out_dir + "/manifest.json");
  std::string json((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(json, ManifestToJson(manifests[0]));
}

TEST(DecomposeTest, NonRegularEntriesAreRecordedAndSkipped) {
  const std::string tar =
      BuildArchive({{.name = "dir", .type = AE_IFDIR},
                    {.name = "dir/file.txt", .data = "file\n"},
                    {.name = "dir/link", .type = AE_IFLNK, .link = "../../../etc/passwd"},
                    {.name = "dir/hard", .link = "dir/file.txt", .hardlink = true},
                    {.name = "dir/fifo", .type = AE_IFIFO}},
                   {.format = "pax"});
  absl::StatusOr<Decomposition> d = Collect(tar, Options("n.tar"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_EQ(m.entries_seen, 5u);
  EXPECT_EQ(FindPath(m, "n.tar!/dir")->kind, ComponentKind::kDirectory);
  EXPECT_EQ(FindPath(m, "n.tar!/dir")->status, ComponentStatus::kSkippedNonRegular);
  const Component* link = FindPath(m, "n.tar!/dir/link");
  EXPECT_EQ(link->kind, ComponentKind::kSymlink);
  EXPECT_EQ(link->link_target, "../../../etc/passwd");
  EXPECT_TRUE(link->unsafe_link);
  EXPECT_EQ(link->reason,
            "symbolic link to \"../../../etc/passwd\" (unsafe: target climbs out of the archive)");
  EXPECT_EQ(FindPath(m, "n.tar!/dir/hard")->kind, ComponentKind::kHardlink);
  EXPECT_EQ(FindPath(m, "n.tar!/dir/hard")->link_target, "dir/file.txt");
  EXPECT_FALSE(FindPath(m, "n.tar!/dir/hard")->unsafe_link);
  EXPECT_EQ(FindPath(m, "n.tar!/dir/fifo")->kind, ComponentKind::kSpecial);
  EXPECT_EQ(FindPath(m, "n.tar!/dir/file.txt")->status, ComponentStatus::kOk);
  EXPECT_EQ(d->content.size(), 1u);
}

// Link targets are kept verbatim and flagged when following them would leave the tree:
// "/etc" was described as "symbolic link to etc" and looked harmless.
TEST(DecomposeTest, LinkTargetsAreKeptVerbatimAndUnsafeOnesFlagged) {
  const std::string tar = BuildArchive({{.name = "etc", .type = AE_IFLNK, .link = "/etc"},
                                        {.name = "a/b/up", .type = AE_IFLNK, .link = "../../x"},
                                        {.name = "a/b/out", .type = AE_IFLNK, .link = "../../../x"},
                                        {.name = "ctl", .type = AE_IFLNK, .link = "x\ny"},
                                        {.name = "hard", .link = "../outside", .hardlink = true}},
                                       {.format = "pax"});
  absl::StatusOr<Decomposition> d = Collect(tar, Options("l.tar"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  const Component* etc = FindPath(d->manifest, "l.tar!/etc");
  EXPECT_EQ(etc->link_target, "/etc");
  EXPECT_TRUE(etc->unsafe_link);
  EXPECT_EQ(etc->reason, "symbolic link to \"/etc\" (unsafe: absolute target)");
  EXPECT_FALSE(FindPath(d->manifest, "l.tar!/a/b/up")->unsafe_link);
  EXPECT_TRUE(FindPath(d->manifest, "l.tar!/a/b/out")->unsafe_link);
  const Component* ctl = FindPath(d->manifest, "l.tar!/ctl");
  EXPECT_EQ(ctl->link_target, "x\ny");
  EXPECT_EQ(ctl->reason, "symbolic link to \"x\\x0ay\" (unsafe: control bytes in the target)");
  EXPECT_TRUE(FindPath(d->manifest, "l.tar!/hard")->unsafe_link);
  // The verbatim target survives the manifest's JSON form.
  EXPECT_NE(ManifestToJson(d->manifest).find("\"link_target\": \"/etc\""), std::string::npos);
}

// --- nothing the container's readers leave unread is lost (#14) -----------------------

const std::string kSecret = "aws_access_key_id = AKIA64CFSUOSG2WPIZZX\n";

// A compressed stream whose data starts with 512 zero bytes reads as a tar that ends at
// once; it must become the raw stream instead, and say so.
TEST(DecomposeTest, CompressedStreamThatListsNoEntriesIsReadRaw) {
  const std::string data = std::string(512, '\0') + kSecret;
  for (const std::string filter : {"gzip", "xz", "bzip2", "zstd"}) {
    const std::string packed = BuildArchive({{.name = "x", .data = data}},
                                            {.format = "raw", .filters = {filter}});
    absl::StatusOr<Decomposition> d = Collect(packed, Options("z.log.gz"));
    ASSERT_TRUE(d.ok()) << d.status();
    const Manifest& m = d->manifest;
    ExpectAccounted(m);
    const Component& root = m.components.back();
    EXPECT_EQ(root.container_format, "raw+" + filter) << filter;
    EXPECT_EQ(root.fallback_from, "tar+" + filter) << filter;
    ASSERT_EQ(root.children, 1u) << filter;
    const Component& payload = m.components[0];
    EXPECT_EQ(payload.path, "z.log.gz!/z.log");
    EXPECT_EQ(payload.status, ComponentStatus::kOk);
    EXPECT_EQ(d->content.at(payload.id), data) << filter;
  }
}

// A zip whose local header says "stored" but whose central directory says "deflate", and
// one with a wrong CRC: the warnings are kept, the entries are not "ok", and the bytes
// libarchive did hand over are kept.
TEST(DecomposeTest, ReadWarningsAreKeptAndShortReadsMarked) {
  std::string text;
  for (int i = 0; i < 10; ++i) text += kSecret;
  const std::string zip = testing::RawZip(
      {{.name = "m.txt", .data = text, .deflate = true, .local_says_stored = true},
       {.name = "c.txt", .data = text, .deflate = true, .bad_crc = true},
       {.name = "ok.txt", .data = text, .deflate = true}});
  absl::StatusOr<Decomposition> d = Collect(zip, Options("w.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  const Component* mismatch = FindPath(d->manifest, "w.zip!/m.txt");
  EXPECT_EQ(mismatch->status, ComponentStatus::kCorrupt);
  EXPECT_FALSE(mismatch->content_complete);
  EXPECT_THAT(mismatch->reason, HasSubstr("the entry header declares 410"));
  ASSERT_FALSE(mismatch->warnings.empty());
  EXPECT_THAT(mismatch->warnings[0], HasSubstr("wrong size"));
  EXPECT_GT(mismatch->size, 0u);  // the stored bytes libarchive handed over
  const Component* crc = FindPath(d->manifest, "w.zip!/c.txt");
  EXPECT_EQ(crc->status, ComponentStatus::kCorrupt);
  ASSERT_FALSE(crc->warnings.empty());
  EXPECT_THAT(crc->warnings[0], HasSubstr("CRC"));
  EXPECT_EQ(d->content.at(crc->id), text);
  const Component* good = FindPath(d->manifest, "w.zip!/ok.txt");
  EXPECT_EQ(good->status, ComponentStatus::kOk);
  EXPECT_TRUE(good->warnings.empty());
}

// Bytes after a tar's end (uncompressed, and inside a gzip stream), after a zip's end of
// central directory and after a gzip stream's end are children with their origin; zero
// padding is not.
TEST(DecomposeTest, BytesAfterAnArchiveOrStreamEndAreComponents) {
  const std::string tar = BuildArchive({{.name = "a.txt", .data = "alpha\n"}}, {.format = "ustar"});
  const std::string zip = Zip({{.name = "a.txt", .data = "alpha\n"}});
  const auto gzip = [](const std::string& bytes) {
    return BuildArchive({{.name = "x", .data = bytes}}, {.format = "raw", .filters = {"gzip"}});
  };
  struct Case {
    std::string label, bytes, origin, path;
    uint64_t offset;
  };
  const std::string padding(10240, '\0');
  const std::vector<Case> cases = {
      {"after tar", tar + padding + kSecret, "after_archive",
       "p!@" + std::to_string(tar.size() + padding.size()) + ".after-tar",
       tar.size() + padding.size()},
      {"after tar in gzip", gzip(tar + kSecret), "after_archive",
       "p!@" + std::to_string(tar.size()) + ".after-tar", tar.size()},
      {"after zip", zip + kSecret, "after_archive",
       "p!@" + std::to_string(zip.size()) + ".after-zip", zip.size()},
      {"after gzip", gzip("payload\n") + kSecret, "after_stream",
       "p!@" + std::to_string(gzip("payload\n").size()) + ".after-gzip", gzip("payload\n").size()},
  };
  for (const Case& c : cases) {
    absl::StatusOr<Decomposition> d = Collect(c.bytes, Options("p"));
    ASSERT_TRUE(d.ok()) << d.status();
    ExpectAccounted(d->manifest);
    const Component* trailing = FindPath(d->manifest, c.path);
    ASSERT_NE(trailing, nullptr) << c.label << "\n" << ManifestToJson(d->manifest);
    EXPECT_EQ(trailing->origin, c.origin) << c.label;
    EXPECT_EQ(trailing->origin_offset, static_cast<int64_t>(c.offset)) << c.label;
    EXPECT_EQ(d->content.at(trailing->id), kSecret) << c.label;
  }
  // Zero padding after the end is not a component.
  absl::StatusOr<Decomposition> padded = Collect(tar + padding, Options("p"));
  ASSERT_TRUE(padded.ok());
  EXPECT_EQ(padded->manifest.components.size(), 2u);
}

// The same past the stream start intake keeps whole (16 MiB): the bytes after the tar are
// served again from the window the tee retains behind the format reader (two generations
// of 1 MiB), with the tar's end in the recent generation and, when the block holding it
// completes a generation, in the older one.
TEST(DecomposeTest, BytesAfterALargeTarInGzipAreComponents) {
  for (size_t size : {size_t{17} << 20, (size_t{18} << 20) - 40000}) {
    const std::string tar =
        BuildArchive({{.name = "noise.bin", .data = Noise(size, 7)}}, {.format = "ustar"});
    const std::string trailing = kSecret + std::string(70000, '#');
    const std::string gz = BuildArchive({{.name = "x", .data = tar + trailing}},
                                        {.format = "raw", .filters = {"gzip"}});
    absl::StatusOr<Decomposition> d = Collect(gz, Options("p"));
    ASSERT_TRUE(d.ok()) << d.status();
    ExpectAccounted(d->manifest);
    const Component* trailing_child =
        FindPath(d->manifest, "p!@" + std::to_string(tar.size()) + ".after-tar");
    ASSERT_NE(trailing_child, nullptr) << size << "\n" << ManifestToJson(d->manifest);
    EXPECT_EQ(d->content.at(trailing_child->id), trailing) << size;
  }
}

// A zip entry present as a local header but absent from the central directory (the
// seekable reader never sees it), also one that shares a listed entry's name.
TEST(DecomposeTest, ZipEntriesMissingFromTheCentralDirectoryAreFound) {
  const std::string zip = testing::RawZip({{.name = "a.txt", .data = "alpha\n"},
                                           {.name = "hidden.txt", .data = kSecret, .hidden = true},
                                           {.name = "a.txt",
                                            .data = "second " + kSecret,
                                            .deflate = true,
                                            .hidden = true},
                                           {.name = "c.txt", .data = "gamma\n"}});
  absl::StatusOr<Decomposition> d = Collect(zip, Options("h.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  std::vector<std::string> found;
  for (const Component& c : m.components) {
    if (c.origin == "local_header") found.push_back(d->content.at(c.id));
  }
  EXPECT_THAT(found, ::testing::UnorderedElementsAre(kSecret, "second " + kSecret));
  EXPECT_EQ(m.components.back().children, 4u);
  EXPECT_EQ(FindPath(m, "h.zip!/hidden.txt")->reason,
            "found by its local header; the central directory does not list it");

  // Two central directory records on one local header (libarchive lists that entry once)
  // and an unlisted entry: the unlisted one is still found.
  const std::string overlapping =
      testing::RawZip({{.name = "a.txt", .data = "alpha\n"},
                       {.alias_of = 0},
                       {.name = "h.txt", .data = kSecret, .hidden = true}});
  absl::StatusOr<Decomposition> o = Collect(overlapping, Options("o.zip"));
  ASSERT_TRUE(o.ok()) << o.status();
  ExpectAccounted(o->manifest);
  const Component* hidden = FindPath(o->manifest, "o.zip!/h.txt");
  ASSERT_NE(hidden, nullptr) << ManifestToJson(o->manifest);
  EXPECT_EQ(hidden->origin, "local_header");
  EXPECT_EQ(o->content.at(hidden->id), kSecret);
}

// A name with an embedded NUL byte: libarchive stops at the NUL; the manifest keeps the
// stored name, flags it and says why.
TEST(DecomposeTest, ZipNameWithANulByteIsKeptAndFlagged) {
  const std::string stored("safe.txt\0../../evil.sh", 22);
  const std::string zip =
      testing::RawZip({{.name = stored, .data = "payload\n"}, {.name = "ok.txt", .data = "ok\n"}});
  absl::StatusOr<Decomposition> d = Collect(zip, Options("n.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  const Component& named = d->manifest.components[0];
  EXPECT_EQ(named.name, stored);
  EXPECT_TRUE(named.unsafe_path);
  ASSERT_EQ(named.warnings.size(), 1u);
  EXPECT_THAT(named.warnings[0], HasSubstr("NUL byte at offset 8"));
  EXPECT_FALSE(d->manifest.components[1].unsafe_path);
}

// cpio's newc format stores the data of hard-linked files with the last link only; that
// entry is a hard link with content, and was skipped like the others (made with bsdtar
// --format newc from a, b, c linked together and d).
TEST(DecomposeTest, HardLinkThatCarriesTheDataIsRead) {
  absl::StatusOr<Decomposition> d =
      CollectFile(std::string(TRAWL_SOURCE_DIR) + "/tests/intake/data/hardlinks.newc.cpio",
                  Options("hl.cpio"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  const Component* carrier = FindPath(d->manifest, "hl.cpio!/a");
  ASSERT_NE(carrier, nullptr);
  EXPECT_EQ(carrier->kind, ComponentKind::kHardlink);
  EXPECT_EQ(carrier->link_target, "./b");
  EXPECT_EQ(carrier->status, ComponentStatus::kOk);
  EXPECT_EQ(d->content.at(carrier->id), "shared content\n");
  EXPECT_EQ(FindPath(d->manifest, "hl.cpio!/c")->status, ComponentStatus::kSkippedNonRegular);
}

// The same malformed packages from a file give the same manifest as from memory.
TEST(DecomposeTest, UnconsumedBytesAreAccountedTheSameFromAFile) {
  const std::string tar = BuildArchive({{.name = "a.txt", .data = "alpha\n"}}, {.format = "ustar"});
  const std::vector<std::string> inputs = {
      tar + kSecret,
      BuildArchive({{.name = "x", .data = std::string(512, '\0') + kSecret}},
                   {.format = "raw", .filters = {"gzip"}}) + kSecret,
      testing::RawZip({{.name = "a.txt", .data = "alpha\n"},
                       {.name = "b.txt", .data = kSecret, .hidden = true}})};
  int i = 0;
  for (const std::string& input : inputs) {
    const std::string path = TempPath("unconsumed" + std::to_string(i++));
    WriteBytes(path, input);
    absl::StatusOr<Decomposition> from_file = CollectFile(path, Options("p"));
    absl::StatusOr<Decomposition> from_memory = Collect(input, Options("p"));
    ASSERT_TRUE(from_file.ok() && from_memory.ok());
    EXPECT_EQ(from_file->manifest, from_memory->manifest) << i;
    EXPECT_EQ(from_file->content, from_memory->content) << i;
    EXPECT_GE(from_file->manifest.components.size(), 3u) << i;
  }
}

// A plain file is read once (issue 22: digest and content from one read, no zero-filled
// buffer): the manifest and content equal those from memory, empty, small, larger than a
// read chunk, without a cap and at or above max_component_bytes. (A file over the cap
// takes the general path, which keeps only the first bytes, unlike memory input.)
TEST(DecomposeTest, PlainFileLeafIsTheSameFromAFile) {
  std::string big;
  for (int i = 0; big.size() < (3u << 20); ++i) big += "line " + std::to_string(i) + " " + kSecret + "\n";
  const std::vector<std::string> inputs = {"", "x", std::string("{\"a\":1}"), big};
  int i = 0;
  for (const std::string& input : inputs) {
    for (uint64_t cap : {uint64_t{0}, uint64_t{input.size()}, uint64_t{input.size() + 1}}) {
      const std::string path = TempPath("leaf" + std::to_string(i++));
      WriteBytes(path, input);
      DecomposeOptions options = Options("p");
      options.limits.max_component_bytes = cap;
      absl::StatusOr<Decomposition> from_file = CollectFile(path, options);
      absl::StatusOr<Decomposition> from_memory = Collect(input, options);
      ASSERT_TRUE(from_file.ok() && from_memory.ok()) << i;
      EXPECT_EQ(from_file->manifest, from_memory->manifest) << i << " cap " << cap;
      EXPECT_EQ(from_file->content, from_memory->content) << i << " cap " << cap;
      ASSERT_EQ(from_file->manifest.components.size(), 1u) << i;
      EXPECT_TRUE(from_file->manifest.components[0].content_complete) << i;
    }
  }
}

// A FIFO or a device given as the package is refused without waiting for a writer.
TEST(DecomposeTest, FifoAndDevicePackagesAreRefusedAtOnce) {
  const std::string fifo = TempPath("package.fifo");
  std::filesystem::remove(fifo);
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  for (const std::string& path : {fifo, std::string("/dev/zero")}) {
    absl::StatusOr<Manifest> m = DecomposeFile(
        path, Options(), [](const Component&, std::string_view) { return absl::OkStatus(); });
    EXPECT_EQ(m.status().code(), absl::StatusCode::kInvalidArgument) << path;
    EXPECT_THAT(std::string(m.status().message()), HasSubstr("not a regular file"));
  }
}

TEST(DecomposeTest, NonAsciiNamesArePreserved) {
  const std::string name = "logs/caf\xC3\xA9/\xE6\x97\xA5\xE5\xBF\x97.log";
  for (const char* format : {"pax", "gnutar", "zip", "7zip", "cpio"}) {
    const std::string archive = BuildArchive({{.name = name, .data = "x\n"}}, {.format = format});
    absl::StatusOr<Decomposition> d = Collect(archive, Options("n"));
    ASSERT_TRUE(d.ok()) << d.status();
    ExpectAccounted(d->manifest);
    ASSERT_EQ(d->manifest.components.size(), 2u) << format;
    EXPECT_EQ(d->manifest.components[0].name, name) << format;
    EXPECT_EQ(d->manifest.components[0].path, "n!/" + name) << format;
    EXPECT_FALSE(d->manifest.components[0].unsafe_path);
  }
}

TEST(DecomposeTest, NonAsciiSevenZipNamesReadInTheCLocale) {
  // Made with: LC_ALL=C.UTF-8 bsdtar --format 7zip -cf nonascii.7z 'logs/café/日志.log'
  // 7z stores UTF-16 names; bsdtar in the C locale cannot show them, intake must.
  const std::string path = std::string(TRAWL_SOURCE_DIR) + "/tests/intake/data/nonascii.7z";
  absl::StatusOr<Decomposition> d = CollectFile(path, Options(""));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  ASSERT_EQ(d->manifest.components.size(), 2u);
  EXPECT_EQ(d->manifest.components[0].name, "logs/caf\xC3\xA9/\xE6\x97\xA5\xE5\xBF\x97.log");
  EXPECT_EQ(d->content.at(d->manifest.components[0].id), "x\n");
}

// --- damage and encryption ----------------------------------------------------------------

TEST(DecomposeTest, EncryptedZipEntriesAreRecorded) {
  for (const char* method : {"zipcrypt", "aes256"}) {
    const std::string encrypted = BuildArchive(
        {{.name = "secret.txt", .data = "top secret\n"}, {.name = "b.txt", .data = "b\n"}},
        {.format = "zip",
         .options = std::string("zip:encryption=") + method,
         .passphrase = "hunter2"});
    const std::string outer =
        TarGz({{.name = "enc.zip", .data = encrypted}, {.name = "plain.txt", .data = "plain\n"}});
    absl::StatusOr<Decomposition> d = Collect(outer, Options("o.tgz"));
    ASSERT_TRUE(d.ok()) << d.status();
    const Manifest& m = d->manifest;
    ExpectAccounted(m);
    const Component* secret = FindPath(m, "o.tgz!/enc.zip!/secret.txt");
    ASSERT_NE(secret, nullptr) << method;
    EXPECT_EQ(secret->status, ComponentStatus::kEncrypted) << method;
    EXPECT_FALSE(secret->has_content);
    EXPECT_EQ(FindPath(m, "o.tgz!/enc.zip!/b.txt")->status, ComponentStatus::kEncrypted);
    EXPECT_EQ(FindPath(m, "o.tgz!/plain.txt")->status, ComponentStatus::kOk);
    EXPECT_TRUE(m.complete);
  }
}

TEST(DecomposeTest, EncryptedZipFixtureFromInfoZip) {
  // Made with: zip -P secret encrypted.zip hello.txt readme.txt
  const std::string path = std::string(TRAWL_SOURCE_DIR) + "/tests/intake/data/encrypted.zip";
  absl::StatusOr<Decomposition> d = CollectFile(path, Options(""));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_EQ(m.package_name, "encrypted.zip");
  ASSERT_EQ(m.entries_seen, 2u);
  EXPECT_EQ(m.components[0].status, ComponentStatus::kEncrypted);
  EXPECT_EQ(m.components[1].status, ComponentStatus::kEncrypted);
}

TEST(DecomposeTest, TruncatedTarGzKeepsWhatWasRead) {
  std::string big;
  // Big enough that libarchive hands over several 64 KiB blocks before the cut.
  for (int i = 0; i < 200000; ++i)
    big += "line " + std::to_string(i * 2654435761u % 1000003) + "\n";
  const std::string tgz = TarGz({{.name = "first.txt", .data = "first\n"},
                                 {.name = "big.log", .data = big},
                                 {.name = "last.txt", .data = "last\n"}});
  const std::string cut = tgz.substr(0, tgz.size() / 2);
  absl::StatusOr<Decomposition> d = Collect(cut, Options("cut.tgz"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_EQ(FindPath(m, "cut.tgz!/first.txt")->status, ComponentStatus::kOk);
  const Component* partial = FindPath(m, "cut.tgz!/big.log");
  ASSERT_NE(partial, nullptr);
  EXPECT_EQ(partial->status, ComponentStatus::kTruncated) << partial->reason;
  EXPECT_FALSE(partial->content_complete);
  EXPECT_GT(partial->size, 0u) << ManifestToJson(m);
  EXPECT_EQ(d->content.at(partial->id), big.substr(0, partial->size));
  const Component& root = m.components.back();
  EXPECT_NE(root.status, ComponentStatus::kOk);
  EXPECT_EQ(FindPath(m, "cut.tgz!/last.txt"), nullptr);
}

TEST(DecomposeTest, TruncatedZipIsReported) {
  std::string noisy;
  for (int i = 0; i < 20000; ++i) noisy += std::to_string(i * 2654435761u % 1000003) + ",";
  const std::string zip = Zip({{.name = "a.txt", .data = "a\n"},
                               {.name = "b.txt", .data = noisy},
                               {.name = "c.txt", .data = "c\n"}});
  // Cut inside b.txt's data: the central directory is gone, so libarchive falls back to
  // reading local headers in order and runs out in the middle of b.txt.
  const std::string cut = zip.substr(0, zip.size() / 2);
  absl::StatusOr<Decomposition> d = Collect(cut, Options("cut.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_EQ(FindPath(m, "cut.zip!/a.txt")->status, ComponentStatus::kOk);
  const Component* b = FindPath(m, "cut.zip!/b.txt");
  ASSERT_NE(b, nullptr) << ManifestToJson(m);
  EXPECT_EQ(b->status, ComponentStatus::kTruncated) << b->reason;
  EXPECT_EQ(FindPath(m, "cut.zip!/c.txt"), nullptr);
  EXPECT_NE(m.components.back().status, ComponentStatus::kOk);
}

TEST(DecomposeTest, CorruptCompressedDataIsReported) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "record " + std::to_string(i * 31337 % 65521) + "\n";
  std::string zip = Zip({{.name = "data.txt", .data = text}, {.name = "z.txt", .data = "z\n"}});
  // Scribble over the middle of the deflate stream of data.txt.
  for (size_t i = 200; i < 400; ++i) zip[i] = static_cast<char>(zip[i] ^ 0x5a);
  absl::StatusOr<Decomposition> d = Collect(zip, Options("bad.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* data = FindPath(m, "bad.zip!/data.txt");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->status, ComponentStatus::kCorrupt) << data->reason;
  EXPECT_FALSE(data->content_complete);
  EXPECT_EQ(FindPath(m, "bad.zip!/z.txt")->status, ComponentStatus::kOk);
}

TEST(DecomposeTest, UnopenableContainerFallsBackToContent) {
  const std::string junk = std::string("PK\x03\x04", 4) + std::string(100, '\x07');
  absl::StatusOr<Decomposition> d = Collect(junk, Options("junk.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  ASSERT_EQ(d->manifest.components.size(), 1u);
  const Component& root = d->manifest.components[0];
  EXPECT_NE(root.status, ComponentStatus::kOk);
  EXPECT_THAT(root.reason, HasSubstr("cannot be opened"));
  EXPECT_TRUE(root.has_content);
  EXPECT_EQ(d->content.at(root.id), junk);
}

// --- identity, dedup, streaming ---------------------------------------------------------------

TEST(DecomposeTest, IdenticalContentIsReferencedNotRepeated) {
  const std::string zip = Zip({{.name = "a/app.log", .data = "same\n"},
                               {.name = "b/app.log", .data = "same\n"},
                               {.name = "c.log", .data = "other\n"}});
  absl::StatusOr<Decomposition> d = Collect(zip, Options("d.zip"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component* a = FindPath(m, "d.zip!/a/app.log");
  const Component* b = FindPath(m, "d.zip!/b/app.log");
  EXPECT_TRUE(a->duplicate_of.empty());
  EXPECT_EQ(b->duplicate_of, a->id);
  EXPECT_EQ(a->sha256, b->sha256);
  EXPECT_EQ(d->content.size(), 2u);
  EXPECT_EQ(d->content.count(b->id), 0u);
}

TEST(DecomposeTest, IdsAreStableAndIndependentOfInputForm) {
  const std::string data = ThreeDeep();
  absl::StatusOr<Decomposition> first = Collect(data, Options("outer.zip"));
  absl::StatusOr<Decomposition> again = Collect(data, Options("outer.zip"));
  ASSERT_TRUE(first.ok() && again.ok());
  EXPECT_EQ(ManifestToJson(first->manifest), ManifestToJson(again->manifest));

  const std::string path = TempPath("outer.zip");
  WriteBytes(path, data);
  DecomposeOptions from_file = Options("");
  absl::StatusOr<Decomposition> file = CollectFile(path, from_file);
  ASSERT_TRUE(file.ok()) << file.status();
  ExpectAccounted(file->manifest);
  EXPECT_EQ(file->manifest.package_name, "outer.zip");
  EXPECT_EQ(ManifestToJson(file->manifest), ManifestToJson(first->manifest));
  EXPECT_EQ(file->content, first->content);

  DecomposeOptions other = Options("outer.zip");
  other.package_id = "package-2";
  absl::StatusOr<Decomposition> second = CollectBytes(data, other);
  ASSERT_TRUE(second.ok());
  for (size_t i = 0; i < second->manifest.components.size(); ++i) {
    EXPECT_NE(second->manifest.components[i].id, first->manifest.components[i].id);
    EXPECT_EQ(second->manifest.components[i].id.size(), 32u);
  }
}

TEST(DecomposeTest, StreamsComponentsAsTheyAppear) {
  std::vector<std::string> seen;
  const locale_t host_locale = uselocale(static_cast<locale_t>(0));
  auto cb = [&seen, host_locale](const Component& c, std::string_view content) {
    seen.push_back(c.path);
    // Intake's UTF-8 locale never leaks into the host's callback.
    EXPECT_EQ(uselocale(static_cast<locale_t>(0)), host_locale);
    if (c.has_content) {
      EXPECT_EQ(content.size(), c.size);
    } else {
      EXPECT_TRUE(content.empty());
    }
    return absl::OkStatus();
  };
  absl::StatusOr<Manifest> m = DecomposeBytes(ThreeDeep(), Options("outer.zip"), cb);
  ASSERT_TRUE(m.ok()) << m.status();
  ExpectAccounted(*m);
  std::vector<std::string> manifest_order;
  for (const Component& c : m->components) manifest_order.push_back(c.path);
  EXPECT_EQ(seen, manifest_order);
  EXPECT_EQ(seen.front(), "outer.zip!/mid.tar.gz!/logs/inner.zip!/2026/app.log");
  EXPECT_EQ(seen.back(), "outer.zip");
}

TEST(DecomposeTest, CallbackErrorStopsDecomposition) {
  int calls = 0;
  auto cb = [&calls](const Component&, std::string_view) {
    return ++calls == 2 ? absl::CancelledError("host is full") : absl::OkStatus();
  };
  absl::StatusOr<Manifest> m = DecomposeBytes(ThreeDeep(), Options("outer.zip"), cb);
  EXPECT_EQ(m.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(calls, 2);
}

// A callback may take the buffer of a leaf that intake reads no more instead of copying
// it (the analysis pipeline does), never a container's, whose bytes are still read while
// its children are emitted. Taking changes nothing in what intake reports, and buffers
// not taken go back to the caller's pool.
TEST(DecomposeTest, LeafBuffersCanBeTakenContainerBuffersCannot) {
  const std::string log(20000, 'x');
  const std::string inner = Zip({{.name = "b.bin", .data = Noise(9000, 7)}});
  const std::string package = TarGz({{.name = "a.log", .data = log},
                                     {.name = "c.log", .data = log + "tail"},
                                     {.name = "inner.zip", .data = inner}});
  BufferPool pool(uint64_t{1} << 20);
  DecomposeOptions options = Options("pkg.tar.gz");
  options.buffers = &pool;
  std::map<std::string, bool> movable;
  std::map<std::string, std::string> taken;
  auto take = [&](const Component& c, ComponentContent content) {
    movable[c.path] = content.movable();
    if (content.movable()) {
      const std::string before(content.bytes());
      std::string bytes = content.Take();
      EXPECT_EQ(bytes, before) << c.path;
      EXPECT_EQ(ToHex(Sha256Of(bytes)), c.sha256) << c.path;
      taken[c.path] = std::move(bytes);
    }
    return absl::OkStatus();
  };
  absl::StatusOr<Manifest> with_taking = DecomposeBytes(package, options, take);
  ASSERT_TRUE(with_taking.ok()) << with_taking.status();
  ExpectAccounted(*with_taking);
  EXPECT_TRUE(movable.at("pkg.tar.gz!/a.log"));
  EXPECT_TRUE(movable.at("pkg.tar.gz!/c.log"));
  EXPECT_TRUE(movable.at("pkg.tar.gz!/inner.zip!/b.bin"));
  EXPECT_FALSE(movable.at("pkg.tar.gz!/inner.zip"));  // a container
  EXPECT_FALSE(movable.at("pkg.tar.gz"));
  EXPECT_EQ(taken.at("pkg.tar.gz!/a.log"), log);
  EXPECT_EQ(taken.at("pkg.tar.gz!/c.log"), log + "tail");
  // The container's buffer (read last) was not taken: it went back to the pool.
  EXPECT_GE(pool.spare_bytes(), inner.size());

  auto borrow = [](const Component&, std::string_view) { return absl::OkStatus(); };
  absl::StatusOr<Manifest> without = DecomposeBytes(package, Options("pkg.tar.gz"), borrow);
  ASSERT_TRUE(without.ok()) << without.status();
  EXPECT_EQ(*with_taking, *without);
}

// A package file written to while intake reads it: the run fails with an error that says
// so, instead of a manifest of bytes that mix old and new content (or, for a file that
// keeps growing, instead of reading forever).
void AppendBytes(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

TEST(DecomposeTest, PackageFileAppendedWhileReadIsAnError) {
  const std::string tar = BuildArchive({{.name = "a.txt", .data = "alpha\n"},
                                        {.name = "b.txt", .data = "beta\n"}},
                                       {.format = "ustar", .filters = {"gzip"}});
  IdRenaming renamed;
  DecomposeOptions digest_while_reading = Options();
  digest_while_reading.package_id.clear();
  digest_while_reading.renamed_ids = &renamed;
  // With a package id, and with the id taken while intake reads (`trawl analyze`).
  for (const DecomposeOptions& options : {Options(), digest_while_reading}) {
    for (const std::string& input : {tar, std::string("a plain log line\n")}) {
      const std::string path = TempPath("appended");
      WriteBytes(path, input);
      int calls = 0;
      absl::StatusOr<Manifest> m =
          DecomposeFile(path, options, [&](const Component&, std::string_view) {
            if (calls++ == 0) AppendBytes(path, "more");
            return absl::OkStatus();
          });
      ASSERT_FALSE(m.ok());
      EXPECT_EQ(m.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_THAT(m.status().message(), HasSubstr("changed while it was read"));
      EXPECT_THAT(m.status().message(),
                  HasSubstr(std::to_string(input.size()) + " bytes when opened"));
    }
  }
}

TEST(DecomposeTest, PackageFileModifiedInPlaceWhileReadIsAnError) {
  const std::string path = TempPath("modified");
  WriteBytes(path, "original content\n");
  // File times tick at the kernel's clock granularity (up to 10 ms): let one pass.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  absl::StatusOr<Manifest> m = DecomposeFile(path, Options(), [&](const Component&, std::string_view) {
    std::fstream out(path, std::ios::binary | std::ios::in | std::ios::out);
    out.write("ORIGINAL", 8);
    return absl::OkStatus();
  });
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("modified, still 17 bytes"));
}

// Before reads stopped at the size seen at open, this never returned.
TEST(DecomposeTest, PackageFileThatKeepsGrowingIsReadToItsSizeAtOpen) {
  const std::string path = TempPath("growing.log");
  WriteBytes(path, std::string(1 << 20, 'x'));
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> appends{0};
  std::thread writer([&] {
    const std::string block(1 << 16, 'y');
    while (!stop.load()) {
      AppendBytes(path, block);
      ++appends;
    }
  });
  // The component is handed over after the file was opened: an append seen there is a
  // change the read must report (on a loaded machine the writer might otherwise not run
  // at all while the 1 MiB is read).
  absl::StatusOr<Manifest> m =
      DecomposeFile(path, Options(), [&appends](const Component&, std::string_view) {
        const uint64_t seen = appends.load();
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
        while (appends.load() == seen && std::chrono::steady_clock::now() < give_up) {
          std::this_thread::yield();
        }
        return absl::OkStatus();
      });
  stop.store(true);
  writer.join();
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("changed while it was read"));
}

TEST(DecomposeTest, PackageFileChangedAfterItsDigestIsAnError) {
  const std::string path = TempPath("hashed");
  WriteBytes(path, "hashed content\n");
  DecomposeOptions options = Options();
  absl::StatusOr<std::string> digest = PackageFileSha256(path, &options.input_identity);
  ASSERT_TRUE(digest.ok()) << digest.status();
  options.input_sha256 = *digest;
  const auto ignore = [](const Component&, std::string_view) { return absl::OkStatus(); };
  // Unchanged: the digest is taken as the input's.
  absl::StatusOr<Manifest> same = DecomposeFile(path, options, ignore);
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(same->input_sha256, *digest);
  AppendBytes(path, "appended after hashing\n");
  absl::StatusOr<Manifest> changed = DecomposeFile(path, options, ignore);
  ASSERT_FALSE(changed.ok());
  EXPECT_THAT(changed.status().message(), HasSubstr("changed between hashing it"));
}

// A directory input's file written to while it is streamed: that file alone is recorded
// truncated with the reason, its bytes read still handed over; the next file is read as
// usual. (The stream factory runs mid-read, so it can write to the file.)
TEST(DecomposeTest, DirectoryFileChangedWhileStreamedIsRecordedTruncated) {
  const std::filesystem::path dir = std::filesystem::path(TempPath("changed-dir"));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string big = (dir / "a.log").string();
  WriteBytes(big, std::string(3 << 20, 'a'));
  WriteBytes((dir / "b.log").string(), "steady\n");
  auto walk = WalkSources({SourceInput{dir.string(), {}, ""}}, {});
  ASSERT_TRUE(walk.ok()) << walk.status();
  struct Sink : ComponentStream {
    absl::Status Write(std::string_view) override { return absl::OkStatus(); }
    absl::Status Finish(const Component&) override { return absl::OkStatus(); }
  };
  DecomposeOptions options = Options();
  options.stream_check_bytes = 1 << 20;
  options.stream_factory = [&](const Component&, std::string_view) {
    AppendBytes(big, "written while read");
    return std::make_unique<Sink>();
  };
  std::vector<std::string> delivered;
  absl::StatusOr<Manifest> m =
      DecomposeSources(*walk, options, [&](const Component& c, std::string_view) {
        delivered.push_back(c.path);
        return absl::OkStatus();
      });
  ASSERT_TRUE(m.ok()) << m.status();
  const Component* a = nullptr;
  const Component* b = nullptr;
  for (const Component& c : m->components) {
    if (c.name == "a.log") a = &c;
    if (c.name == "b.log") b = &c;
  }
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(a->status, ComponentStatus::kTruncated);
  EXPECT_THAT(a->reason, HasSubstr("changed while it was read"));
  EXPECT_EQ(a->size, uint64_t{3} << 20);  // what was read, up to the size at open
  EXPECT_FALSE(a->content_complete);
  EXPECT_EQ(b->status, ComponentStatus::kOk);
  std::filesystem::remove_all(dir);
}

TEST(DecomposeTest, RejectsBadOptionsAndMissingFiles) {
  DecomposeOptions no_id;
  EXPECT_EQ(CollectBytes("x", no_id).status().code(), absl::StatusCode::kInvalidArgument);
  DecomposeOptions too_deep = Options();
  too_deep.limits.max_depth = 1000;
  EXPECT_EQ(CollectBytes("x", too_deep).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CollectFile("/nonexistent/trawl/pkg.zip", Options()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(DecomposeTest, LargeFileLeafRespectsComponentLimit) {
  const std::string path = TempPath("big.txt");
  WriteBytes(path, std::string(100000, 'q'));
  DecomposeOptions options = Options("");
  options.limits.max_component_bytes = 1000;
  absl::StatusOr<Decomposition> d = CollectFile(path, options);
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  const Component& root = d->manifest.components[0];
  EXPECT_EQ(root.status, ComponentStatus::kLimitExceeded);
  EXPECT_EQ(root.size, 1000u);
  EXPECT_EQ(d->manifest.input_bytes, 100000u);
}

// --- carving embedded archives (#6) ----------------------------------------------------

namespace carving {

// Binary filler without any archive signature: ascending bytes with NULs.
std::string Filler(size_t n) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(i % 251);
  return out;
}

}  // namespace carving

TEST(DecomposeCarveTest, EmbeddedZipInABinaryBecomesComponents) {
  const std::vector<TestEntry> inner = {
      {.name = "inner.txt",
       .data = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n"},
      {.name = "conf/app.env", .data = std::string(3000, 'x') + "\nTOKEN=1\n"},
  };
  const std::string zip = Zip(inner);
  std::string blob = carving::Filler(4096) + zip + carving::Filler(777);
  const std::string tar =
      BuildArchive({{.name = "bin/blob.bin", .data = blob}}, {.format = "ustar"});
  absl::StatusOr<Decomposition> d = Collect(tar, Options("pkg.tar"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  EXPECT_TRUE(m.carve_skips.empty()) << m.carve_skips[0].reason;

  const Component* file = FindPath(m, "pkg.tar!/bin/blob.bin");
  ASSERT_NE(file, nullptr);
  EXPECT_EQ(file->kind, ComponentKind::kFile);
  EXPECT_TRUE(file->has_content);  // the blob itself is still analysed
  EXPECT_EQ(d->content.at(file->id), blob);
  EXPECT_EQ(file->children, 1u);  // one zip, not one per local file header

  const Component* carved = FindPath(m, "pkg.tar!/bin/blob.bin!@4096.zip");
  ASSERT_NE(carved, nullptr);
  EXPECT_EQ(carved->parent_id, file->id);
  EXPECT_EQ(carved->carved_offset, 4096);
  EXPECT_EQ(carved->kind, ComponentKind::kContainer);
  EXPECT_EQ(carved->container_format, "zip");
  EXPECT_EQ(carved->status, ComponentStatus::kOk) << carved->reason;
  EXPECT_EQ(carved->depth, 2u);
  EXPECT_EQ(carved->children, 2u);
  EXPECT_FALSE(carved->has_content);
  EXPECT_GT(carved->size, 0u);
  EXPECT_LE(carved->size, zip.size());

  for (const TestEntry& e : inner) {
    const Component* c = FindPath(m, "pkg.tar!/bin/blob.bin!@4096.zip!/" + e.name);
    ASSERT_NE(c, nullptr) << e.name;
    EXPECT_EQ(c->parent_id, carved->id);
    EXPECT_EQ(c->depth, 3u);
    EXPECT_EQ(c->status, ComponentStatus::kOk) << c->reason;
    EXPECT_EQ(d->content.at(c->id), e.data);
  }
  // Children come before the carved container, which comes before the blob.
  std::vector<std::string> order;
  for (const Component& c : m.components) order.push_back(c.path);
  const auto at = [&](std::string_view p) { return std::find(order.begin(), order.end(), p); };
  EXPECT_LT(at("pkg.tar!/bin/blob.bin!@4096.zip!/inner.txt"),
            at("pkg.tar!/bin/blob.bin!@4096.zip"));
  EXPECT_LT(at("pkg.tar!/bin/blob.bin!@4096.zip"), at("pkg.tar!/bin/blob.bin"));
  EXPECT_THAT(ManifestToJson(m), HasSubstr("\"carved_offset\": 4096"));

  // Stable ids: again, and from a file, the manifest is byte-identical.
  absl::StatusOr<Decomposition> again = Collect(tar, Options("pkg.tar"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ManifestToJson(again->manifest), ManifestToJson(m));
  const std::string path = TempPath("pkg.tar");
  WriteBytes(path, tar);
  absl::StatusOr<Decomposition> file_form = CollectFile(path, Options("pkg.tar"));
  ASSERT_TRUE(file_form.ok()) << file_form.status();
  EXPECT_EQ(ManifestToJson(file_form->manifest), ManifestToJson(m));
}

TEST(DecomposeCarveTest, BinaryPackageFileAndEmbeddedGzipStream) {
  const std::string text = "password=hunter2\n";
  const std::string gz =
      BuildArchive({{.name = "data", .data = text}}, {.format = "raw", .filters = {"gzip"}});
  const std::string blob = carving::Filler(1000) + gz + carving::Filler(300);
  const std::string path = TempPath("firmware.bin");
  WriteBytes(path, blob);
  absl::StatusOr<Decomposition> d = CollectFile(path, Options(""));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  const Component& root = m.components.back();
  EXPECT_EQ(root.path, "firmware.bin");
  EXPECT_EQ(root.kind, ComponentKind::kFile);
  EXPECT_EQ(root.children, 1u);
  const Component* carved = FindPath(m, "firmware.bin!@1000.gz");
  ASSERT_NE(carved, nullptr);
  EXPECT_EQ(carved->container_format, "raw+gzip");
  EXPECT_EQ(carved->size, gz.size());  // a stream read front to back: its exact extent
  const Component* payload = FindPath(m, "firmware.bin!@1000.gz!/data");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(d->content.at(payload->id), text);
  // In memory, the same manifest.
  absl::StatusOr<Decomposition> bytes = Collect(blob, Options("firmware.bin"));
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(ManifestToJson(bytes->manifest), ManifestToJson(m));
}

TEST(DecomposeCarveTest, EmbeddedTarAndSevenZipAreCarved) {
  const std::string tar =
      BuildArchive({{.name = "etc/app.conf", .data = "token=abc\n"}}, {.format = "ustar"});
  const std::string seven =
      BuildArchive({{.name = "notes.txt", .data = "seven zip member\n"}}, {.format = "7zip"});
  const std::string blob =
      carving::Filler(3000) + tar + carving::Filler(100) + seven + carving::Filler(50);
  absl::StatusOr<Decomposition> d = Collect(blob, Options("fw.img"));
  ASSERT_TRUE(d.ok()) << d.status();
  ExpectAccounted(d->manifest);
  EXPECT_TRUE(d->manifest.carve_skips.empty()) << d->manifest.carve_skips[0].reason;
  const Component* conf = FindPath(d->manifest, "fw.img!@3000.tar!/etc/app.conf");
  ASSERT_NE(conf, nullptr);
  EXPECT_EQ(d->content.at(conf->id), "token=abc\n");
  const std::string seven_path =
      "fw.img!@" + std::to_string(3000 + tar.size() + 100) + ".7z!/notes.txt";
  const Component* notes = FindPath(d->manifest, seven_path);
  ASSERT_NE(notes, nullptr) << ManifestToJson(d->manifest);
  EXPECT_EQ(d->content.at(notes->id), "seven zip member\n");
  EXPECT_EQ(d->manifest.components.back().children, 2u);
}

TEST(DecomposeCarveTest, FalseSignaturesAreRecordedSkips) {
  std::string blob = carving::Filler(200);
  const size_t zip_at = blob.size();
  blob += std::string("PK\x03\x04", 4) + carving::Filler(300);
  const size_t gz_at = blob.size();
  blob += std::string("\x1F\x8B\x08\x00", 4) + std::string(300, '\xEE');
  absl::StatusOr<Decomposition> d = Collect(blob, Options("blob.bin"));
  ASSERT_TRUE(d.ok()) << d.status();
  const Manifest& m = d->manifest;
  ExpectAccounted(m);
  ASSERT_EQ(m.components.size(), 1u);
  EXPECT_EQ(m.components[0].status, ComponentStatus::kOk);
  EXPECT_EQ(m.components[0].children, 0u);
  ASSERT_EQ(m.carve_skips.size(), 2u);
  EXPECT_EQ(m.carve_skips[0].offset, zip_at);
  EXPECT_EQ(m.carve_skips[0].type, "zip");
  EXPECT_EQ(m.carve_skips[0].component_id, m.components[0].id);
  EXPECT_THAT(m.carve_skips[0].reason, HasSubstr("does not open"));
  EXPECT_EQ(m.carve_skips[1].offset, gz_at);
  EXPECT_EQ(m.carve_skips[1].type, "gzip");
  EXPECT_THAT(ManifestToJson(m), HasSubstr("\"carve_skips\""));
}

TEST(DecomposeCarveTest, CarvingIsDepthAndCountLimited) {
  // A zip inside a blob inside a zip inside a blob: two carved levels.
  const std::string inner_zip = Zip({{.name = "deep.txt", .data = "deep\n"}});
  const std::string inner_blob = carving::Filler(512) + inner_zip;
  const std::string outer_zip = Zip({{.name = "inner.bin", .data = inner_blob}});
  const std::string outer_blob = carving::Filler(2048) + outer_zip + carving::Filler(10);

  absl::StatusOr<Decomposition> full = Collect(outer_blob, Options("o.bin"));
  ASSERT_TRUE(full.ok());
  ExpectAccounted(full->manifest);
  EXPECT_NE(FindPath(full->manifest, "o.bin!@2048.zip!/inner.bin!@512.zip!/deep.txt"), nullptr);

  DecomposeOptions one_level = Options("o.bin");
  one_level.limits.max_carve_depth = 1;
  absl::StatusOr<Decomposition> cut = Collect(outer_blob, one_level);
  ASSERT_TRUE(cut.ok());
  ExpectAccounted(cut->manifest);
  EXPECT_NE(FindPath(cut->manifest, "o.bin!@2048.zip!/inner.bin"), nullptr);
  EXPECT_EQ(FindPath(cut->manifest, "o.bin!@2048.zip!/inner.bin!@512.zip"), nullptr);
  ASSERT_EQ(cut->manifest.carve_skips.size(), 1u);
  EXPECT_EQ(cut->manifest.carve_skips[0].offset, 512u);
  EXPECT_THAT(cut->manifest.carve_skips[0].reason, HasSubstr("max_carve_depth"));

  DecomposeOptions off = Options("o.bin");
  off.limits.max_carve_depth = 0;
  absl::StatusOr<Decomposition> none = Collect(outer_blob, off);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->manifest.components.size(), 1u);
  EXPECT_TRUE(none->manifest.carve_skips.empty());

  // max_depth applies to carved containers like any other.
  DecomposeOptions shallow = Options("o.bin");
  shallow.limits.max_depth = 1;
  absl::StatusOr<Decomposition> flat = Collect(outer_blob, shallow);
  ASSERT_TRUE(flat.ok());
  ExpectAccounted(flat->manifest);
  EXPECT_EQ(flat->manifest.components.size(), 1u);
  ASSERT_EQ(flat->manifest.carve_skips.size(), 1u);
  EXPECT_THAT(flat->manifest.carve_skips[0].reason, HasSubstr("max_depth"));

  // At most max_carves_per_component signatures are tried.
  std::string noisy;
  for (int i = 0; i < 5; ++i) noisy += carving::Filler(64) + std::string("PK\x03\x04", 4);
  DecomposeOptions two = Options("n.bin");
  two.limits.max_carves_per_component = 2;
  absl::StatusOr<Decomposition> capped = Collect(noisy, two);
  ASSERT_TRUE(capped.ok());
  ExpectAccounted(capped->manifest);
  ASSERT_EQ(capped->manifest.carve_skips.size(), 3u);  // two tried, then the cap noted once
  EXPECT_THAT(capped->manifest.carve_skips[2].reason, HasSubstr("max_carves_per_component"));
}

// --- gzip streams: ISA-L in front of libarchive (issue 22) -------------------------------

// One gzip member of `bytes`, as libarchive's writer makes it.
std::string GzipMember(const std::string& bytes) {
  return BuildArchive({{.name = "x", .data = bytes}}, {.format = "raw", .filters = {"gzip"}});
}

// Decomposes `bytes` from memory and from a package file (the two sources GzipInflater
// reads differently), checks the two agree, and returns the file's.
Decomposition BothSources(const std::string& bytes, const DecomposeOptions& options,
                          const std::string& file_name) {
  absl::StatusOr<Decomposition> memory = Collect(bytes, options);
  EXPECT_TRUE(memory.ok()) << memory.status();
  const std::string path = TempPath(file_name);
  WriteBytes(path, bytes);
  absl::StatusOr<Decomposition> file = CollectFile(path, options);
  EXPECT_TRUE(file.ok()) << file.status();
  if (!memory.ok() || !file.ok()) return Decomposition{};
  ExpectAccounted(file->manifest);
  EXPECT_EQ(ManifestToJson(memory->manifest), ManifestToJson(file->manifest)) << file_name;
  return *std::move(file);
}

TEST(DecomposeGzipTest, ConcatenatedMembersAreOneStream) {
  const std::vector<TestEntry> entries = {
      {.name = "noise.bin", .data = Noise(700 << 10, 1)},
      {.name = "app.log", .data = std::string(300 << 10, 'l') + kSecret},
      {.name = "small.txt", .data = "small\n"}};
  const std::string tar = BuildArchive(entries, {.format = "ustar"});
  // Three members (one of them empty) that split entries mid-way, as pigz or `cat a.gz
  // b.gz` make them.
  const std::string stream = GzipMember(tar.substr(0, 200000)) + GzipMember("") +
                             GzipMember(tar.substr(200000, 500000)) +
                             GzipMember(tar.substr(700000));
  const Decomposition d = BothSources(stream, Options("m.tar.gz"), "m.tar.gz");
  const Manifest& m = d.manifest;
  ASSERT_FALSE(m.components.empty());
  EXPECT_EQ(m.components.back().container_format, "tar+gzip");
  EXPECT_EQ(m.components.back().status, ComponentStatus::kOk) << m.components.back().reason;
  EXPECT_EQ(m.components.back().children, 3u);
  for (const TestEntry& e : entries) {
    const Component* c = FindPath(m, "m.tar.gz!/" + e.name);
    ASSERT_NE(c, nullptr) << e.name;
    EXPECT_EQ(c->status, ComponentStatus::kOk) << c->reason;
    EXPECT_EQ(d.content.at(c->id), e.data) << e.name;
  }
}

TEST(DecomposeGzipTest, EmptyMembers) {
  const Decomposition empty = BothSources(GzipMember(""), Options("e.gz"), "e.gz");
  ASSERT_EQ(empty.manifest.components.size(), 1u);
  EXPECT_EQ(empty.manifest.components[0].container_format, "empty+gzip");
  EXPECT_EQ(empty.manifest.components[0].status, ComponentStatus::kOk);

  const Decomposition led =
      BothSources(GzipMember("") + GzipMember(kSecret) + GzipMember(""), Options("l.gz"), "l.gz");
  const Component* payload = FindPath(led.manifest, "l.gz!/l");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->status, ComponentStatus::kOk);
  EXPECT_EQ(led.content.at(payload->id), kSecret);
  EXPECT_EQ(led.manifest.components.back().container_format, "raw+gzip");
}

// What follows the last member and is not a member header (garbage, a header cut short,
// a header with a reserved flag) ends the stream: it is a component of its own, or zero
// padding that is only counted.
TEST(DecomposeGzipTest, BytesAfterTheLastMemberEndTheStream) {
  const std::string stream = GzipMember("one\n") + GzipMember("two\n");
  std::string reserved_flag = GzipMember(kSecret);
  reserved_flag[3] = '\x20';
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"garbage", kSecret},
      {"header cut short", std::string("\x1f\x8b\x08\x00\x00\x00", 6)},
      {"reserved flag", reserved_flag}};
  for (const auto& [label, trailing] : cases) {
    const Decomposition d = BothSources(stream + trailing, Options("t.gz"), "t.gz");
    const Component* payload = FindPath(d.manifest, "t.gz!/t");
    ASSERT_NE(payload, nullptr) << label;
    EXPECT_EQ(d.content.at(payload->id), "one\ntwo\n") << label;
    const Component* after =
        FindPath(d.manifest, "t.gz!@" + std::to_string(stream.size()) + ".after-gzip");
    ASSERT_NE(after, nullptr) << label << "\n" << ManifestToJson(d.manifest);
    EXPECT_EQ(after->origin, "after_stream") << label;
    EXPECT_EQ(d.content.at(after->id), trailing) << label;
    EXPECT_EQ(d.manifest.components.back().status, ComponentStatus::kOk) << label;
  }
  const Decomposition padded =
      BothSources(stream + std::string(4096, '\0'), Options("t.gz"), "t.gz");
  EXPECT_EQ(padded.manifest.components.size(), 2u) << ManifestToJson(padded.manifest);
}

TEST(DecomposeGzipTest, TruncatedStreamsAreTruncated) {
  const std::string data = Noise(300 << 10, 2) + kSecret;
  const std::string whole = GzipMember(data);
  struct Case {
    std::string label;
    std::string bytes;
  };
  std::vector<Case> cases = {{"in the deflate data", whole.substr(0, whole.size() / 2)},
                             {"before the trailer", whole.substr(0, whole.size() - 8)}};
  // libarchive's own gzip filter (the build without ISA-L) says "unknown libarchive error"
  // for a missing trailer, and reads one cut short as corrupt.
  const bool isal = internal::GzipInflater::Available();
  if (isal) cases.push_back({"in the trailer", whole.substr(0, whole.size() - 4)});
  for (const Case& c : cases) {
    const Decomposition d = BothSources(c.bytes, Options("c.gz"), "c.gz");
    const Component* payload = FindPath(d.manifest, "c.gz!/c");
    ASSERT_NE(payload, nullptr) << c.label;
    EXPECT_EQ(payload->status, ComponentStatus::kTruncated) << c.label;
    if (isal || c.label == "in the deflate data") {
      EXPECT_THAT(payload->reason, HasSubstr("truncated gzip input")) << c.label;
    }
    EXPECT_FALSE(payload->content_complete) << c.label;
    // What was delivered is a prefix of the data.
    EXPECT_EQ(data.substr(0, payload->size), d.content.at(payload->id)) << c.label;
    EXPECT_EQ(d.manifest.components.back().status, ComponentStatus::kTruncated) << c.label;
  }
}

TEST(DecomposeGzipTest, CorruptDataIsCorrupt) {
  // A member whose first deflate block has the reserved block type 3.
  const std::string bad_block = std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10) +
                                std::string("\x07\x00\x00\x00\x00\x00\x00\x00\x00", 9);
  // After a member of 200 KiB: the blocks before the failing one are delivered.
  const Decomposition later =
      BothSources(GzipMember(std::string(200 << 10, 'a')) + bad_block, Options("b.gz"), "b.gz");
  const Component* payload = FindPath(later.manifest, "b.gz!/b");
  ASSERT_NE(payload, nullptr) << ManifestToJson(later.manifest);
  EXPECT_EQ(payload->status, ComponentStatus::kCorrupt);
  EXPECT_THAT(payload->reason, HasSubstr("gzip decompression failed"));
  EXPECT_GT(payload->size, 0u);
  EXPECT_EQ(later.manifest.components.back().status, ComponentStatus::kCorrupt);
  // In the first block: the stream does not open.
  const Decomposition first = BothSources(GzipMember(kSecret) + bad_block, Options("b.gz"), "b.gz");
  ASSERT_EQ(first.manifest.components.size(), 1u);
  EXPECT_EQ(first.manifest.components[0].status, ComponentStatus::kCorrupt);
  EXPECT_THAT(first.manifest.components[0].reason, HasSubstr("gzip decompression failed"));
}

TEST(DecomposeGzipTest, ChecksumMismatchIsCorrupt) {
  if (!internal::GzipInflater::Available()) {
    GTEST_SKIP() << "built without ISA-L: libarchive's gzip filter does not check the trailer";
  }
  const std::string data = std::string(100 << 10, 'x') + kSecret;
  std::string crc = GzipMember(data);
  crc[crc.size() - 8] ^= 1;
  std::string length = GzipMember(data);
  length[length.size() - 3] ^= 1;
  const std::string tar = TarGz({{.name = "a.txt", .data = data}, {.name = "b.txt", .data = data}});
  std::string tar_crc = tar;
  tar_crc[tar_crc.size() - 8] ^= 1;
  struct Case {
    std::string label, bytes, path, reason;
  };
  const std::vector<Case> cases = {
      {"crc", crc, "c.gz!/c", "CRC-32 mismatch"},
      {"length", length, "c.gz!/c", "length mismatch"},
      // The last member of several; the first is intact.
      {"second member", GzipMember("first\n") + crc, "c.gz!/c", "CRC-32 mismatch"},
  };
  for (const Case& c : cases) {
    const Decomposition d = BothSources(c.bytes, Options("c.gz"), "c.gz");
    const Component* payload = FindPath(d.manifest, c.path);
    ASSERT_NE(payload, nullptr) << c.label;
    EXPECT_EQ(payload->status, ComponentStatus::kCorrupt) << c.label;
    EXPECT_THAT(payload->reason, HasSubstr(c.reason)) << c.label;
    EXPECT_EQ(d.manifest.components.back().status, ComponentStatus::kCorrupt) << c.label;
  }
  // In a tar.gz the mismatch shows on the entry being read when the stream ends.
  const Decomposition d = BothSources(tar_crc, Options("c.tar.gz"), "c.tar.gz");
  const Component* b = FindPath(d.manifest, "c.tar.gz!/b.txt");
  ASSERT_NE(b, nullptr) << ManifestToJson(d.manifest);
  EXPECT_EQ(b->status, ComponentStatus::kCorrupt);
  EXPECT_THAT(b->reason, HasSubstr("CRC-32 mismatch"));
  EXPECT_NE(d.manifest.components.back().status, ComponentStatus::kOk);
}

TEST(DecomposeGzipTest, BombsStopAtTheBudgets) {
  const std::string bomb = GzipMember(std::string(64 << 20, '\0'));
  ASSERT_LT(bomb.size(), 200u << 10);
  DecomposeOptions total = Options("z.gz");
  total.limits.max_total_bytes = 8 << 20;
  const Decomposition by_total = BothSources(bomb, total, "z.gz");
  EXPECT_EQ(by_total.manifest.stopped_by, "max_total_bytes");
  EXPECT_LE(by_total.manifest.expanded_bytes, (8u << 20) + (1u << 20));
  const Component* payload = FindPath(by_total.manifest, "z.gz!/z");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(payload->status, ComponentStatus::kLimitExceeded);

  DecomposeOptions ratio = Options("z.gz");
  ratio.limits.ratio_grace_bytes = 1 << 20;
  ratio.limits.max_expansion_ratio = 50;
  const Decomposition by_ratio = BothSources(bomb, ratio, "z.gz");
  EXPECT_EQ(by_ratio.manifest.stopped_by, "max_expansion_ratio");
  EXPECT_LT(by_ratio.manifest.expanded_bytes, 2u * 50 * bomb.size() + (1u << 20));
}

TEST(DecomposeGzipTest, FiltersInsideGzipAreNamedAsBefore) {
  const std::string inner = GzipMember(kSecret);
  const Decomposition d = BothSources(GzipMember(inner), Options("g.gz"), "g.gz");
  EXPECT_EQ(d.manifest.components.back().container_format, "raw+gzip+gzip");
  const Component* payload = FindPath(d.manifest, "g.gz!/g");
  ASSERT_NE(payload, nullptr);
  EXPECT_EQ(d.content.at(payload->id), kSecret);
}

// --- the package id taken while reading (issue 22: one read of the input) -------------

// A package file without a given id is hashed beside the walk (DecomposeOptions::
// renamed_ids): the manifest and contents must be exactly those of a package id given up
// front, and the provisional ids the callback saw must map, in order, to the manifest's.
// The packages cover every kind of id a manifest holds: nested and duplicate components,
// limit events (depth, entry count), carve skips, a plain file and a root that looks like
// an archive but does not open.
TEST(DecomposeTest, PackageIdTakenWhileReadingGivesTheManifestOfAGivenId) {
  std::string blob = carving::Filler(200);
  blob += std::string("PK\x03\x04", 4) + carving::Filler(300);
  const std::string inner = Zip({{.name = "x.txt", .data = "x\n"}, {.name = "y.txt", .data = "y\n"}});
  struct Case {
    std::string name;
    std::string bytes;
    DecomposeLimits limits;
  };
  DecomposeLimits shallow;
  shallow.max_depth = 2;
  DecomposeLimits few_entries;
  few_entries.max_entries = 3;
  const std::vector<Case> cases = {
      {"three-deep.zip", ThreeDeep(), shallow},
      {"duplicates.zip",
       Zip({{.name = "a.zip", .data = inner}, {.name = "b.zip", .data = inner},
            {.name = "blob.bin", .data = blob}}),
       {}},
      {"few-entries.zip", Zip({{.name = "1", .data = "1"}, {.name = "2", .data = "2"},
                               {.name = "3", .data = "3"}, {.name = "4", .data = "4"}}),
       few_entries},
      {"plain.txt", "just text\n", {}},
      {"broken.zip", std::string("PK\x03\x04", 4) + std::string(100, '\xEE'), {}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = TempPath("taken-while-reading-" + c.name);
    WriteBytes(path, c.bytes);
    DecomposeOptions given = Options(c.name);
    given.package_id = ToHex(Sha256Of(c.bytes));
    given.limits = c.limits;
    absl::StatusOr<Decomposition> expected = CollectFile(path, given);
    ASSERT_TRUE(expected.ok()) << expected.status();

    IdRenaming renamed;
    DecomposeOptions deferred = given;
    deferred.package_id.clear();
    deferred.renamed_ids = &renamed;
    std::vector<std::string> seen;
    std::map<std::string, std::string> content;
    absl::StatusOr<Manifest> manifest =
        DecomposeFile(path, deferred, [&](const Component& component, std::string_view bytes) {
          seen.push_back(component.id);
          if (component.has_content && component.duplicate_of.empty()) {
            content[component.id] = std::string(bytes);  // what Collect keeps
          }
          return absl::OkStatus();
        });
    ASSERT_TRUE(manifest.ok()) << manifest.status();
    EXPECT_EQ(ManifestToJson(*manifest), ManifestToJson(expected->manifest));
    EXPECT_EQ(*manifest, expected->manifest);
    ASSERT_EQ(seen.size(), manifest->components.size());
    for (size_t i = 0; i < seen.size(); ++i) {
      ASSERT_TRUE(renamed.count(seen[i])) << seen[i];
      EXPECT_NE(seen[i], manifest->components[i].id);  // provisional until the digest
      EXPECT_EQ(renamed.at(seen[i]), manifest->components[i].id);
    }
    std::map<std::string, std::string> renamed_content;
    for (const auto& [id, bytes] : content) renamed_content[renamed.at(id)] = bytes;
    EXPECT_EQ(renamed_content, expected->content);

    IdRenaming collected_renaming;
    deferred.renamed_ids = &collected_renaming;
    absl::StatusOr<Decomposition> collected = CollectFile(path, deferred);
    ASSERT_TRUE(collected.ok()) << collected.status();
    EXPECT_EQ(collected->manifest, expected->manifest);
    EXPECT_EQ(collected->content, expected->content);
  }
}

// Deferred ids are a DecomposeFile matter, without a package id: anything else is refused.
TEST(DecomposeTest, RenamedIdsAreRefusedWhereTheyCannotApply) {
  IdRenaming renamed;
  DecomposeOptions options = Options();
  options.renamed_ids = &renamed;  // with a package id
  const std::string path = TempPath("renamed-refused.txt");
  WriteBytes(path, "text\n");
  const auto ignore = [](const Component&, std::string_view) { return absl::OkStatus(); };
  EXPECT_EQ(DecomposeFile(path, options, ignore).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.package_id.clear();
  EXPECT_EQ(DecomposeBytes("text\n", options, ignore).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecomposeFileToDirectory(path, options, ::testing::TempDir()).status().code(),
            absl::StatusCode::kInvalidArgument);
  options.renamed_ids = nullptr;
  EXPECT_EQ(DecomposeFile(path, options, ignore).status().code(),
            absl::StatusCode::kInvalidArgument);  // no package id, nothing to derive it
}

}  // namespace
}  // namespace trawl
