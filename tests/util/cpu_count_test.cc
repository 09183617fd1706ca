#include "util/cpu_count.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "pinned_to_one_cpu.h"

namespace trawl {
namespace {

TEST(CpuCountTest, CgroupQuotaIsRoundedUpToWholeCpus) {
  EXPECT_EQ(CpusFromCgroupQuota("150000 100000\n"), std::optional<unsigned>(2));
  EXPECT_EQ(CpusFromCgroupQuota("100000 100000"), std::optional<unsigned>(1));
  EXPECT_EQ(CpusFromCgroupQuota("50000 100000"), std::optional<unsigned>(1));
  EXPECT_EQ(CpusFromCgroupQuota("400000 100000"), std::optional<unsigned>(4));
  EXPECT_EQ(CpusFromCgroupQuota("1000 100000"), std::optional<unsigned>(1));  // never 0
}

TEST(CpuCountTest, NoQuotaOrAnUnreadableLineIsNoLimit) {
  EXPECT_EQ(CpusFromCgroupQuota("max 100000\n"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupQuota(""), std::nullopt);
  EXPECT_EQ(CpusFromCgroupQuota("150000"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupQuota("a b"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupQuota("150000 0"), std::nullopt);
  EXPECT_EQ(CpusFromCgroupQuota("-5 100000"), std::nullopt);
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// cgroup v2: a quota on an ancestor binds the process's cgroup (the smallest wins); a
// cgroup without one, or "max", does not.
TEST(CpuCountTest, CgroupV2QuotaOfTheCgroupOrAnAncestor) {
  const std::filesystem::path root = std::filesystem::path(::testing::TempDir()) / "cgroup2";
  std::filesystem::remove_all(root);
  WriteFile(root / "tasks/cpu.max", "300000 100000\n");
  WriteFile(root / "tasks/job/cpu.max", "max 100000\n");
  std::filesystem::create_directories(root / "tasks/job/step");
  EXPECT_EQ(CgroupCpus("0::/tasks/job/step\n", root.string()), std::optional<unsigned>(3));
  WriteFile(root / "tasks/job/step/cpu.max", "120000 100000\n");
  EXPECT_EQ(CgroupCpus("0::/tasks/job/step\n", root.string()), std::optional<unsigned>(2));
  EXPECT_EQ(CgroupCpus("0::/other\n", root.string()), std::nullopt);
  EXPECT_EQ(CgroupCpus("", root.string()), std::nullopt);
}

// cgroup v1: the cpu controller's hierarchy, mounted as cpu or cpu,cpuacct; -1 is no quota.
TEST(CpuCountTest, CgroupV1QuotaOfTheCpuController) {
  const std::filesystem::path root = std::filesystem::path(::testing::TempDir()) / "cgroup1";
  std::filesystem::remove_all(root);
  WriteFile(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n");
  WriteFile(root / "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
  const std::string self = "4:memory:/docker/abc\n2:cpu,cpuacct:/docker/abc\n0::/\n";
  EXPECT_EQ(CgroupCpus(self, root.string()), std::optional<unsigned>(1));
  WriteFile(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "-1\n");
  EXPECT_EQ(CgroupCpus(self, root.string()), std::nullopt);
  // The quota of a controller the line does not name is not read.
  WriteFile(root / "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "250000\n");
  EXPECT_EQ(CgroupCpus("4:memory:/docker/abc\n", root.string()), std::nullopt);
  EXPECT_EQ(CgroupCpus(self, root.string()), std::optional<unsigned>(3));
}

// A process pinned to one CPU (taskset, a container's cpuset) has one CPU to use, however
// many the machine has online.
TEST(CpuCountTest, PinnedToOneCpuCountsOne) {
  unsigned cpus_before = 0;
  {
    testing::PinnedToOneCpu pin;
    ASSERT_TRUE(pin.pinned());
    cpus_before = static_cast<unsigned>(pin.cpus_before());
    EXPECT_EQ(AvailableCpus(), 1u);
  }
  EXPECT_GE(AvailableCpus(), 1u);
  EXPECT_LE(AvailableCpus(), cpus_before);
}

}  // namespace
}  // namespace trawl
