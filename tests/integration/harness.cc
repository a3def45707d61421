#include "tests/integration/harness.h"

#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace akash::itest {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "akash_itest_XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::Write(const std::string& name, const std::string& content) const {
  const std::string p = path_ + "/" + name;
  std::ofstream(p) << content;
  return p;
}

namespace {
std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

Process::Process(std::vector<std::string> argv, const std::string& dir,
                 std::vector<std::string> extra_env) {
  static int counter = 0;
  const std::string tag = std::to_string(getpid()) + "_" + std::to_string(++counter);
  out_path_ = dir + "/proc_" + tag + ".out";
  err_path_ = dir + "/proc_" + tag + ".err";
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e; ++e) env_strings.emplace_back(*e);
  for (auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  // The test runner may block signals; the child must start with a clean mask and defaults.
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGHUP);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid;
  const int rc = posix_spawn(&pid, args[0], &fa, &attr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("posix_spawn " + argv[0] + " failed");
  pid_ = pid;
}

Process::~Process() {
  if (!exited_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    int status;
    waitpid(pid_, &status, 0);
  }
}

void Process::Signal(int sig) const { kill(pid_, sig); }

std::optional<int> Process::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exited_ = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string Process::Stdout() const { return ReadAll(out_path_); }
std::string Process::Stderr() const { return ReadAll(err_path_); }

bool Process::WaitForOutput(const std::string& needle, std::chrono::milliseconds timeout) const {
  return Eventually(
      [&] {
        return Stdout().find(needle) != std::string::npos ||
               Stderr().find(needle) != std::string::npos;
      },
      timeout);
}

namespace {
size_t WriteBody(char* ptr, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(ptr, size * n);
  return size * n;
}
size_t WriteHeader(char* ptr, size_t size, size_t n, void* user) {
  std::string line(ptr, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ')) value.erase(0, 1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}
}  // namespace

HttpResult Http(const std::string& method, const std::string& url,
                const std::vector<std::string>& headers, std::chrono::milliseconds timeout) {
  HttpResult r;
  CURL* h = curl_easy_init();
  curl_slist* list = nullptr;
  for (const auto& hd : headers) list = curl_slist_append(list, hd.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (method == "POST") curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &r.headers);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r.status);
  } else {
    r.error = curl_easy_strerror(rc);
  }
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return r;
}

Exporter StartExporter(const TempDir& dir, const std::string& config_yaml,
                       std::vector<std::string> extra_args, std::vector<std::string> extra_env) {
  Exporter e;
  std::vector<std::string> argv{AKASH_EXPORTER_BIN, "--web.listen-address=127.0.0.1:0"};
  if (!config_yaml.empty()) {
    e.config_path = dir.Write("config.yml", config_yaml);
    argv.push_back("--config.file=" + e.config_path);
  }
  for (auto& a : extra_args) argv.push_back(a);
  e.process = std::make_unique<Process>(argv, dir.path(), extra_env);
  if (!e.process->WaitForOutput("ports=", std::chrono::seconds(10))) {
    throw std::runtime_error("exporter did not start: " + e.process->Stderr());
  }
  const std::string err = e.process->Stderr();
  const auto pos = err.find("ports=") + 6;
  const auto end = err.find_first_not_of("0123456789", pos);
  e.base_url = "http://127.0.0.1:" + err.substr(pos, end - pos);
  return e;
}

std::optional<double> SampleValue(const std::string& body, const std::string& series) {
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) {
    if (line.size() > series.size() && line.compare(0, series.size(), series) == 0 &&
        line[series.size()] == ' ') {
      return std::stod(line.substr(series.size() + 1));
    }
  }
  return std::nullopt;
}

int RunCommand(const std::string& command, std::string* output) {
  std::array<char, 4096> buf{};
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) return -1;
  std::string out;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  const int status = pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace akash::itest

namespace akash::itest {

Sim StartSim(const TempDir& dir, std::vector<std::string> args) {
  Sim s;
  std::vector<std::string> argv{AKASH_SIM_BIN, "--listen=127.0.0.1:0"};
  for (auto& a : args) argv.push_back(a);
  s.process = std::make_unique<Process>(argv, dir.path());
  const std::string marker = "listening on http://127.0.0.1:";
  if (!s.process->WaitForOutput(marker, std::chrono::seconds(20))) {
    throw std::runtime_error("akash_sim did not start: " + s.process->Stderr());
  }
  const std::string out = s.process->Stdout();
  const auto pos = out.find(marker) + marker.size();
  const auto end = out.find_first_not_of("0123456789", pos);
  s.base_url = "http://127.0.0.1:" + out.substr(pos, end - pos);
  return s;
}

}  // namespace akash::itest
