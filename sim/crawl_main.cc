// akash_sim_crawl: a minimal keep-alive HTTP client for scripts/bench_sim_crawl.sh. It follows
// leases/list pagination (URL-encoding next_key) and times a baseline of small requests, so the
// figure measures the simulator rather than process start-up of a shell loop.
//
// Usage: akash_sim_crawl PORT LIMIT BASELINE_PATH

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::perror("connect");
      std::exit(1);
    }
  }
  ~Connection() { close(fd_); }

  // Sends a GET and returns the body; exits on any protocol error.
  std::string Get(const std::string& target) {
    std::string req =
        "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n";
    if (send(fd_, req.data(), req.size(), 0) != static_cast<ssize_t>(req.size())) Fail("send");
    std::size_t header_end;
    while ((header_end = buf_.find("\r\n\r\n")) == std::string::npos) Fill();
    std::string head = buf_.substr(0, header_end);
    if (head.compare(0, 12, "HTTP/1.1 200") != 0) Fail(("status: " + head.substr(0, 40)).c_str());
    std::size_t cl = head.find("Content-Length: ");
    if (cl == std::string::npos) Fail("no Content-Length");
    std::size_t length = std::strtoull(head.c_str() + cl + 16, nullptr, 10);
    buf_.erase(0, header_end + 4);
    while (buf_.size() < length) Fill();
    std::string body = buf_.substr(0, length);
    buf_.erase(0, length);
    return body;
  }

 private:
  void Fill() {
    char tmp[1 << 16];
    ssize_t n = recv(fd_, tmp, sizeof tmp, 0);
    if (n <= 0) Fail("recv");
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
  [[noreturn]] void Fail(const char* what) {
    std::fprintf(stderr, "akash_sim_crawl: %s\n", what);
    std::exit(1);
  }
  int fd_;
  std::string buf_;
};

std::string UrlEncode(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' ||
        c == '~') {
      out.push_back(c);
    } else {
      char b[4];
      std::snprintf(b, sizeof b, "%%%02X", static_cast<unsigned char>(c));
      out += b;
    }
  }
  return out;
}

double Since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: akash_sim_crawl PORT LIMIT BASELINE_PATH\n");
    return 2;
  }
  Connection conn(std::atoi(argv[1]));
  const std::string limit = argv[2];
  long pages = 0, leases = 0;
  std::size_t bytes = 0;
  std::string key;
  auto t0 = std::chrono::steady_clock::now();
  while (true) {
    std::string target = "/akash/market/v1beta5/leases/list?pagination.limit=" + limit;
    if (!key.empty()) target += "&pagination.key=" + UrlEncode(key);
    std::string body = conn.Get(target);
    ++pages;
    bytes += body.size();
    std::size_t pag = body.rfind("\"pagination\":");
    if (pag == std::string::npos) return 1;
    std::size_t total = body.find("\"total\":\"", pag);
    leases += std::atol(body.c_str() + total + 9);
    std::size_t nk = body.find("\"next_key\":", pag);
    if (body.compare(nk + 11, 4, "null") == 0) break;
    std::size_t q1 = nk + 12, q2 = body.find('"', q1);
    std::string next = body.substr(q1, q2 - q1);
    if (next == key) {
      std::fprintf(stderr, "akash_sim_crawl: next_key repeated\n");
      return 1;
    }
    key = next;
  }
  double crawl = Since(t0);
  auto t1 = std::chrono::steady_clock::now();
  for (long i = 0; i < pages; ++i) conn.Get(argv[3]);
  double baseline = Since(t1);
  std::printf(
      "crawl pages %ld leases %ld bytes %zu seconds %.3f leases_per_second %.0f MiB_per_second "
      "%.1f\n",
      pages, leases, bytes, crawl, static_cast<double>(leases) / crawl,
      static_cast<double>(bytes) / crawl / 1048576.0);
  std::printf("baseline %ld requests to %s seconds %.3f (%.3f ms/request)\n", pages, argv[3],
              baseline, baseline * 1000.0 / static_cast<double>(pages));
  return 0;
}
