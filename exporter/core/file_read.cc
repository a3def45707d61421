#include "exporter/core/file_read.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace akash::core {
namespace {

SmallFile ReadNow(const std::string& path, std::size_t max_bytes) {
  SmallFile out;
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    out.not_found = errno == ENOENT;
    out.error = std::strerror(errno);
    return out;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    out.error = std::strerror(errno);
    ::close(fd);
    return out;
  }
  if (S_ISDIR(st.st_mode)) {
    out.error = "is a directory";
  } else if (!S_ISREG(st.st_mode)) {
    out.error = "not a regular file (a FIFO, device or socket is never read)";
  } else if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    out.error = "larger than " + std::to_string(max_bytes) + " bytes";
  }
  if (!out.error.empty()) {
    ::close(fd);
    return out;
  }
  out.mode = st.st_mode & 07777;
  out.gid = st.st_gid;
  std::string content;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      out.error = std::strerror(errno);
      ::close(fd);
      return out;
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
    if (content.size() > max_bytes) {  // grew while being read
      out.error = "larger than " + std::to_string(max_bytes) + " bytes";
      ::close(fd);
      return out;
    }
  }
  ::close(fd);
  out.ok = true;
  out.content = std::move(content);
  return out;
}

}  // namespace

SmallFile ReadSmallFile(const std::string& path, std::size_t max_bytes,
                        std::chrono::milliseconds timeout) {
  return RunWithDeadline([path, max_bytes] { return ReadNow(path, max_bytes); }, timeout);
}

SmallFile RunWithDeadline(std::function<SmallFile()> read, std::chrono::milliseconds timeout) {
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    SmallFile result;
  };
  auto shared = std::make_shared<Shared>();
  std::thread([shared, read = std::move(read)] {
    SmallFile r = read();
    std::lock_guard lock(shared->mu);
    shared->result = std::move(r);
    shared->done = true;
    shared->cv.notify_all();
  }).detach();
  std::unique_lock lock(shared->mu);
  if (!shared->cv.wait_for(lock, timeout, [&] { return shared->done; })) {
    SmallFile out;
    out.error = "timed out after " + std::to_string(timeout.count()) +
                " ms (a hung or very slow mount?)";
    return out;
  }
  return std::move(shared->result);
}

}  // namespace akash::core
