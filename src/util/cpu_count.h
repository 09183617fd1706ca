// File: cpu_count.h
// How many threads "all cores" means (`--threads 0`, TRAWL_OPT_COMPILE_THREADS 0).
// std::thread::hardware_concurrency counts every online CPU of the machine, so a
// container given one CPU of a 64-core host (a cpuset, an ECS task's CPU units, `docker
// --cpus`) or a process pinned with taskset would start 64 threads to share one.
#ifndef TRAWL_SRC_UTIL_CPU_COUNT_H_
#define TRAWL_SRC_UTIL_CPU_COUNT_H_

#include <optional>
#include <string>
#include <string_view>

namespace trawl {

// The CPUs this process may run on (its affinity mask), at most its CPU quota rounded up
// (cgroup v2 `cpu.max` of its cgroup and every ancestor, or cgroup v1 `cpu.cfs_quota_us`),
// at least 1.
unsigned AvailableCpus();

// The CPUs a cgroup v2 `cpu.max` line allows ("150000 100000": 2, rounded up), or none
// for "max ..." (no quota) and a line it cannot read.
std::optional<unsigned> CpusFromCgroupQuota(std::string_view cpu_max);

// The CPU quota of the cgroups `self` names (the text of /proc/self/cgroup), their files
// under `root` (/sys/fs/cgroup; cgroup v1 hierarchies under root/cpu and
// root/cpu,cpuacct), rounded up; none without a quota.
std::optional<unsigned> CgroupCpus(std::string_view self, const std::string& root);

}  // namespace trawl

#endif  // TRAWL_SRC_UTIL_CPU_COUNT_H_
