// File: cpu_count.cc
#include "util/cpu_count.h"

#include <sched.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "util/file.h"
#include "util/strings.h"

namespace trawl {
namespace {

std::string_view TrimSpace(std::string_view s) {
  const size_t begin = s.find_first_not_of(" \t\n");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t\n") - begin + 1);
}

// A whole decimal integer, sign allowed.
bool ParseInt(std::string_view s, int64_t* out) {
  s = TrimSpace(s);
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && error == std::errc() && end == s.data() + s.size();
}

// A quota of CPU time per period, in whole CPUs rounded up; none unless both are positive.
std::optional<unsigned> CpusFromQuota(int64_t quota, int64_t period) {
  if (quota <= 0 || period <= 0) return std::nullopt;
  return static_cast<unsigned>(std::max<int64_t>(1, (quota + period - 1) / period));
}

unsigned AffinityCpus() {
  // A mask sized for more CPUs than the default cpu_set_t holds (1024) would need
  // CPU_ALLOC; machines that large fall back to the online count.
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<unsigned>(count);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// cgroup v1 keeps the quota and period in two files; -1 is no quota.
std::optional<unsigned> CpusFromCgroupV1(const std::string& dir) {
  auto quota_text = ReadFile(dir + "/cpu.cfs_quota_us");
  auto period_text = ReadFile(dir + "/cpu.cfs_period_us");
  int64_t quota = 0;
  int64_t period = 0;
  if (!quota_text.ok() || !period_text.ok() || !ParseInt(*quota_text, &quota) ||
      !ParseInt(*period_text, &period)) {
    return std::nullopt;
  }
  return CpusFromQuota(quota, period);
}

}  // namespace

std::optional<unsigned> CpusFromCgroupQuota(std::string_view cpu_max) {
  const std::vector<std::string_view> fields = Split(TrimSpace(cpu_max), ' ', /*skip_empty=*/true);
  if (fields.size() != 2 || fields[0] == "max") return std::nullopt;
  int64_t quota = 0;
  int64_t period = 0;
  if (!ParseInt(fields[0], &quota) || !ParseInt(fields[1], &period)) return std::nullopt;
  return CpusFromQuota(quota, period);
}

// The smallest quota of the process's cgroups: its own and, in cgroup v2, every ancestor
// (a quota set on a parent binds its children). Inside a container's cgroup namespace
// the process's path is "/", the container's own cgroup.
std::optional<unsigned> CgroupCpus(std::string_view self, const std::string& root) {
  std::optional<unsigned> limit;
  const auto take = [&limit](std::optional<unsigned> cpus) {
    if (cpus) limit = limit ? std::min(*limit, *cpus) : *cpus;
  };
  for (std::string_view line : Split(self, '\n', /*skip_empty=*/true)) {
    // "hierarchy-id:controllers:path" (the path may hold colons)
    const size_t first = line.find(':');
    const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
    if (second == std::string_view::npos) continue;
    const std::string_view id = line.substr(0, first);
    const std::string_view controller_list = line.substr(first + 1, second - first - 1);
    std::string path(line.substr(second + 1));
    if (path.empty() || path[0] != '/') continue;
    if (id == "0" && controller_list.empty()) {  // cgroup v2
      for (;;) {
        const std::string dir = root + (path == "/" ? std::string() : path);
        if (auto cpu_max = ReadFile(dir + "/cpu.max"); cpu_max.ok()) {
          take(CpusFromCgroupQuota(*cpu_max));
        }
        if (path == "/") break;
        path.resize(std::max<size_t>(1, path.rfind('/')));
      }
      continue;
    }
    const std::vector<std::string_view> controllers = Split(controller_list, ',');
    if (std::find(controllers.begin(), controllers.end(), "cpu") == controllers.end()) continue;
    // cgroup v1: the hierarchy is mounted under its controllers' names (cpu, cpu,cpuacct).
    for (const char* mount : {"/cpu", "/cpu,cpuacct"}) {
      take(CpusFromCgroupV1(root + mount + (path == "/" ? std::string() : path)));
    }
  }
  return limit;
}

unsigned AvailableCpus() {
  unsigned cpus = AffinityCpus();
  if (const auto self = ReadFile("/proc/self/cgroup"); self.ok()) {
    if (const std::optional<unsigned> quota = CgroupCpus(*self, "/sys/fs/cgroup")) {
      cpus = std::min(cpus, *quota);
    }
  }
  return std::max(1u, cpus);
}

}  // namespace trawl
