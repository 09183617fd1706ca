// Reading files: the OS's reason reaches the caller.
#include "util/file.h"

#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"
#include "util/status_codes.h"

namespace trawl {
namespace {

TEST(FileTest, ReadingADirectorySaysSo) {
  char dir_template[] = "/tmp/trawl_file_test_XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  absl::StatusOr<std::string> read = ReadFile(dir);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(TrawlCodeOf(read.status()), ErrorCode::kIo);
  EXPECT_EQ(read.status().message(), dir + ": read error: Is a directory");
  absl::StatusOr<MappedFile> mapped = MappedFile::Open(dir);
  ASSERT_FALSE(mapped.ok());
  EXPECT_EQ(mapped.status().message(), dir + ": not a regular file");
  rmdir(dir.c_str());
}

TEST(FileTest, MissingFileNamesTheOsError) {
  absl::StatusOr<std::string> read = ReadFile("/nonexistent/trawl/file");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(), "/nonexistent/trawl/file: No such file or directory");
}

}  // namespace
}  // namespace trawl
