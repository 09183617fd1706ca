// File: pinned_to_one_cpu.h
// Pins the calling thread (and the threads it starts) to one CPU it may run on, as
// taskset or a container's cpuset would, for the scope of the object; the mask it had is
// restored however the scope ends.
#ifndef TRAWL_TESTS_PINNED_TO_ONE_CPU_H_
#define TRAWL_TESTS_PINNED_TO_ONE_CPU_H_

#include <sched.h>

namespace trawl::testing {

class PinnedToOneCpu {
 public:
  PinnedToOneCpu() {
    CPU_ZERO(&before_);
    if (sched_getaffinity(0, sizeof before_, &before_) != 0) return;
    int first = 0;
    while (first < CPU_SETSIZE && !CPU_ISSET(first, &before_)) ++first;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(first, &one);
    pinned_ = first < CPU_SETSIZE && sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~PinnedToOneCpu() {
    if (pinned_) sched_setaffinity(0, sizeof before_, &before_);
  }
  PinnedToOneCpu(const PinnedToOneCpu&) = delete;
  PinnedToOneCpu& operator=(const PinnedToOneCpu&) = delete;

  bool pinned() const { return pinned_; }
  // The CPUs the thread could run on before.
  int cpus_before() const { return CPU_COUNT(&before_); }

 private:
  cpu_set_t before_;
  bool pinned_ = false;
};

}  // namespace trawl::testing

#endif  // TRAWL_TESTS_PINNED_TO_ONE_CPU_H_
