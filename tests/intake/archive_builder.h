// File: archive_builder.h
// Test helper: builds archives in memory with libarchive's write API, so the tests need
// no binary fixtures.
#ifndef TRAWL_TESTS_INTAKE_ARCHIVE_BUILDER_H_
#define TRAWL_TESTS_INTAKE_ARCHIVE_BUILDER_H_

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <zlib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace trawl::testing {

struct TestEntry {
  // Default initializers everywhere keep GCC quiet about designated initializers.
  std::string name = {};
  std::string data = {};
  unsigned type = AE_IFREG;
  std::string link = {};  // symlink target, or hard link target when hardlink is true
  bool hardlink = false;
};

struct BuildOptions {
  std::string format = {};  // "ustar", "pax", "gnutar", "zip", "7zip", "cpio", "ar", "raw"
  std::vector<std::string> filters = {};  // "gzip", "bzip2", "xz", "zstd", "lz4"
  std::string options = {};               // archive_write_set_options string
  std::string passphrase = {};
};

inline la_ssize_t AppendToString(archive*, void* client, const void* buffer, size_t length) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buffer), length);
  return static_cast<la_ssize_t>(length);
}

inline std::string BuildArchive(const std::vector<TestEntry>& entries, const BuildOptions& build) {
  // Write names as UTF-8 whatever the test process's locale (see Utf8LocaleScope in
  // decompose.cc for the reading side).
  locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  locale_t previous = uselocale(utf8);
  archive* a = archive_write_new();
  int r = ARCHIVE_OK;
  if (build.format == "ar") {
    r = archive_write_set_format_ar_svr4(a);
  } else if (build.format == "cpio") {
    r = archive_write_set_format_cpio_newc(a);
  } else {
    r = archive_write_set_format_by_name(a, build.format.c_str());
  }
  EXPECT_EQ(r, ARCHIVE_OK) << archive_error_string(a);
  for (const std::string& filter : build.filters) {
    EXPECT_EQ(archive_write_add_filter_by_name(a, filter.c_str()), ARCHIVE_OK)
        << archive_error_string(a);
  }
  if (!build.options.empty()) {
    EXPECT_EQ(archive_write_set_options(a, build.options.c_str()), ARCHIVE_OK)
        << archive_error_string(a);
  }
  if (!build.passphrase.empty()) {
    EXPECT_EQ(archive_write_set_passphrase(a, build.passphrase.c_str()), ARCHIVE_OK);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  std::string out;
  EXPECT_EQ(archive_write_open(a, &out, nullptr, &AppendToString, nullptr), ARCHIVE_OK)
      << archive_error_string(a);
  for (const TestEntry& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.name.c_str());
    archive_entry_set_mtime(entry, 1700000000, 0);
    if (e.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, e.type);
      archive_entry_set_perm(entry, e.type == AE_IFDIR ? 0755 : 0644);
      if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
      archive_entry_set_size(entry,
                             e.type == AE_IFREG ? static_cast<la_int64_t>(e.data.size()) : 0);
    }
    EXPECT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << archive_error_string(a);
    if (e.type == AE_IFREG && !e.hardlink && !e.data.empty()) {
      EXPECT_EQ(archive_write_data(a, e.data.data(), e.data.size()),
                static_cast<la_ssize_t>(e.data.size()))
          << archive_error_string(a);
    }
    archive_entry_free(entry);
  }
  EXPECT_EQ(archive_write_close(a), ARCHIVE_OK) << archive_error_string(a);
  archive_write_free(a);
  uselocale(previous);
  freelocale(utf8);
  return out;
}

// A zip written byte by byte, for the malformed ones libarchive's writer cannot make: a
// local header that disagrees with the central directory, a wrong CRC, a name with a NUL
// byte, an entry the central directory does not list.
struct RawZipEntry {
  std::string name = {};  // stored as is (may hold NUL bytes)
  std::string data = {};
  bool deflate = false;           // the method of the central directory (and the data)
  bool local_says_stored = false;  // the local header says method 0 whatever `deflate` is
  bool bad_crc = false;
  bool hidden = false;  // a local header only: left out of the central directory
  // >= 0: no local header of its own; the central directory lists the local header of
  // entry `alias_of` a second time (overlapping entries).
  int alias_of = -1;
};

inline std::string Le(uint64_t value, int bytes) {
  std::string out;
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  return out;
}

inline std::string RawZip(const std::vector<RawZipEntry>& entries) {
  std::string out, directory;
  uint64_t listed = 0;
  std::vector<std::string> records;  // each entry's central directory record
  for (const RawZipEntry& e : entries) {
    if (e.alias_of >= 0) {
      records.push_back(records[static_cast<size_t>(e.alias_of)]);
      directory += records.back();
      ++listed;
      continue;
    }
    std::string stored = e.data;
    if (e.deflate) {
      z_stream z{};
      deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
      stored.assign(deflateBound(&z, e.data.size()), '\0');
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(e.data.data()));
      z.avail_in = static_cast<uInt>(e.data.size());
      z.next_out = reinterpret_cast<Bytef*>(stored.data());
      z.avail_out = static_cast<uInt>(stored.size());
      deflate(&z, Z_FINISH);
      stored.resize(z.total_out);
      deflateEnd(&z);
    }
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(e.data.data()), static_cast<uInt>(e.data.size())) ^
        (e.bad_crc ? 1u : 0u));
    const int method = e.deflate ? 8 : 0;
    const uint64_t offset = out.size();
    out += Le(0x04034b50, 4) + Le(20, 2) + Le(0, 2) + Le(e.local_says_stored ? 0 : method, 2) +
           Le(0, 4) + Le(crc, 4) + Le(stored.size(), 4) + Le(e.data.size(), 4) +
           Le(e.name.size(), 2) + Le(0, 2) + e.name + stored;
    records.push_back(Le(0x02014b50, 4) + Le(20, 2) + Le(20, 2) + Le(0, 2) + Le(method, 2) +
                      Le(0, 4) + Le(crc, 4) + Le(stored.size(), 4) + Le(e.data.size(), 4) +
                      Le(e.name.size(), 2) + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 2) + Le(0, 4) +
                      Le(offset, 4) + e.name);
    if (e.hidden) continue;
    ++listed;
    directory += records.back();
  }
  const uint64_t directory_offset = out.size();
  return out + directory + Le(0x06054b50, 4) + Le(0, 2) + Le(0, 2) + Le(listed, 2) +
         Le(listed, 2) + Le(directory.size(), 4) + Le(directory_offset, 4) + Le(0, 2);
}

inline std::string Zip(const std::vector<TestEntry>& entries) {
  return BuildArchive(entries, {.format = "zip"});
}
inline std::string TarGz(const std::vector<TestEntry>& entries) {
  return BuildArchive(entries, {.format = "pax", .filters = {"gzip"}});
}

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_INTAKE_ARCHIVE_BUILDER_H_
