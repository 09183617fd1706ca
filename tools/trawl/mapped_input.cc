// File: mapped_input.cc
#include "mapped_input.h"

#include <linux/magic.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdint>

#include "cli.h"

namespace trawl_cli {
namespace {

// The mapping the SIGBUS handler answers for, and what it prints. Set before the handler
// can run for it (the same thread touches the mapping later), cleared before munmap.
const char* volatile g_begin = nullptr;
const char* volatile g_end = nullptr;
std::string g_message;

void OnSigbus(int sig, siginfo_t* info, void*) {
  const char* address = static_cast<const char*>(info->si_addr);
  if (g_begin != nullptr && address >= g_begin && address < g_end) {
    // Only async-signal-safe calls here: write and _exit.
    const ssize_t written = write(STDERR_FILENO, g_message.data(), g_message.size());
    (void)written;
    _exit(kExitError);
  }
  // Not ours: the default action, when the faulting access runs again.
  signal(sig, SIG_DFL);
}

// File systems whose files have their size up front and change only through this kernel.
// Left out: /proc and /sys (sizes of 0 or 4096 whatever the content), network and FUSE
// file systems (another machine can truncate the file under the mapping), anything
// unknown. Those are read, as before.
bool LocalFileSystem(int fd) {
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return false;
  constexpr uint32_t kZfsMagic = 0x2fc12fc1;  // not in linux/magic.h
  switch (static_cast<uint32_t>(fs.f_type)) {
    case EXT4_SUPER_MAGIC:  // ext2, ext3 and ext4 share it
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case F2FS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case RAMFS_MAGIC:
    case OVERLAYFS_SUPER_MAGIC:  // containers' root file systems
    case SQUASHFS_MAGIC:
    case kZfsMagic:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool MappedInput::Map(int fd, const std::string& name) {
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return false;
  if (!LocalFileSystem(fd)) return false;
  const size_t size = static_cast<size_t>(st.st_size);
  void* data = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (data == MAP_FAILED) return false;
  // Read ahead aggressively; pages behind the scan may go first.
  madvise(data, size, MADV_SEQUENTIAL);
  static const bool installed = [] {
    struct sigaction action = {};
    action.sa_sigaction = OnSigbus;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGBUS, &action, nullptr) == 0;
  }();
  (void)installed;  // without the handler a truncation still ends the process, by SIGBUS
  g_message = "trawl: " + name +
              ": the file shrank while it was scanned (SIGBUS on its mapping); the output is "
              "incomplete. Scan a file that may be truncated without --mmap.\n";
  data_ = static_cast<const char*>(data);
  size_ = size;
  g_end = data_ + size_;
  g_begin = data_;
  return true;
}

MappedInput::~MappedInput() {
  if (data_ == nullptr) return;
  g_begin = nullptr;
  g_end = nullptr;
  munmap(const_cast<char*>(data_), size_);
}

}  // namespace trawl_cli
