#pragma once
// Test harness for integration tests: child processes with captured output, a small libcurl
// client, temporary directories and a stub upstream.

#include <time.h>

#include <chrono>
#include <memory>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace akash::itest {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

class Process {
 public:
  // Starts argv[0] with the given args; stdout and stderr go to files in `dir`.
  Process(std::vector<std::string> argv, const std::string& dir,
          std::vector<std::string> extra_env = {});
  ~Process();
  int pid() const { return pid_; }
  void Signal(int sig) const;
  // Waits for exit; nullopt on timeout. Returns the exit status (or 128+signal).
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::string Stdout() const;
  std::string Stderr() const;
  // Waits until `needle` appears in stdout or stderr.
  bool WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) const;

 private:
  int pid_ = -1;
  bool exited_ = false;
  std::string out_path_, err_path_;
};

struct HttpResult {
  long status = 0;  // 0: transport failure
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;
};

HttpResult Http(const std::string& method, const std::string& url,
                const std::vector<std::string>& headers = {},
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

// Starts akash_exporter with `config_yaml` (written to dir/config.yml unless empty) listening on
// 127.0.0.1:0 and waits until it logs its port. Returns the base URL ("http://127.0.0.1:N").
struct Exporter {
  std::unique_ptr<Process> process;
  std::string base_url;
  std::string config_path;
};
Exporter StartExporter(const TempDir& dir, const std::string& config_yaml,
                       std::vector<std::string> extra_args = {},
                       std::vector<std::string> extra_env = {});

// Value of the series `name{labels}` in an exposition body ("" labels for a bare name).
std::optional<double> SampleValue(const std::string& body, const std::string& series);

// Runs a command, returns exit code and combined output.
int RunCommand(const std::string& command, std::string* output);

template <typename Pred>
bool Eventually(Pred pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    struct timespec ts{0, 20'000'000};
    nanosleep(&ts, nullptr);
  }
  return pred();
}

}  // namespace akash::itest

namespace akash::itest {

// Starts akash_sim with `args` on 127.0.0.1:0 and returns its base URL.
struct Sim {
  std::unique_ptr<Process> process;
  std::string base_url;
};
Sim StartSim(const TempDir& dir, std::vector<std::string> args);

}  // namespace akash::itest
