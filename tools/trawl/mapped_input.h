// File: mapped_input.h
// `trawl scan --mmap` reads a regular file by mapping it: the stream then scans the file's
// pages where they lie (trawl_stream_write copies only the last window), where read()
// copies every byte twice (kernel to the CLI's buffer, buffer to the stream's window).
//
// The risk a mapping brings: if another process truncates the file while it is scanned,
// touching a page past the new end raises SIGBUS. MappedInput installs a handler for that
// one case that says so and exits with kExitError (the output so far is incomplete)
// instead of dying with "Bus error"; without --mmap, and from stdin, files are read. Files whose size
// the file system does not know up front (/proc, /sys) or that another machine may change
// under the mapping (network and FUSE file systems) are read, never mapped.
//
// Not thread-safe: one MappedInput at a time per process (the SIGBUS handler names it).
#ifndef TRAWL_TOOLS_TRAWL_MAPPED_INPUT_H_
#define TRAWL_TOOLS_TRAWL_MAPPED_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace trawl_cli {

class MappedInput {
 public:
  // Maps the regular file open on `fd` (the caller keeps and closes it) when it is worth
  // it and safe enough: a non-empty regular file on a local file system. `name` is what
  // the SIGBUS message calls it. Returns false (and maps nothing) otherwise, or when mmap
  // fails: the caller reads the file instead.
  bool Map(int fd, const std::string& name);
  ~MappedInput();

  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace trawl_cli

#endif  // TRAWL_TOOLS_TRAWL_MAPPED_INPUT_H_
