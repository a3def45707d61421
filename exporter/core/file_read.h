#pragma once
// Reads small files (configuration, key files) without letting the file system wedge the
// daemon: only regular files are read (a FIFO, a device or a socket is refused instead of
// blocking on open or read), the size is bounded, and the whole read runs under a deadline so a
// hung network mount makes it fail instead of hanging start-up, a reload or --config.check.
//
// On a timeout the reading thread is left behind (it is blocked in the kernel and cannot be
// cancelled); it owns everything it touches and exits whenever the kernel lets it.
//
// Thread-safety: free function, safe from any thread.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <sys/types.h>

namespace akash::core {

struct SmallFile {
  bool ok = false;
  std::string content;  // when ok
  std::string error;    // when !ok: "not a regular file", "timed out after 5s (...)", strerror
  bool not_found = false;
  mode_t mode = 0;  // permission bits of the file read (when ok)
  gid_t gid = 0;    // its group
};

inline constexpr std::chrono::milliseconds kSmallFileTimeout{5000};

// Reads at most `max_bytes`; a larger file is an error naming the limit.
SmallFile ReadSmallFile(const std::string& path, std::size_t max_bytes,
                        std::chrono::milliseconds timeout = kSmallFileTimeout);

// The deadline part of ReadSmallFile, for any read (tests use a reader that never returns).
SmallFile RunWithDeadline(std::function<SmallFile()> read, std::chrono::milliseconds timeout);

}  // namespace akash::core
