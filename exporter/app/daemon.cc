#include "exporter/app/daemon.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <memory>
#include <mutex>
#include <iostream>
#include <optional>
#include <thread>

#include "collectors/source.h"
#include "exporter/app/web.h"
#include "exporter/core/clock.h"
#include "exporter/core/facts.h"
#include "exporter/core/log.h"
#include "exporter/http/client.h"
#include "exporter/http/server.h"
#include "exporter/http/web_config.h"
#include "exporter/metrics/exposition.h"
#include "exporter/metrics/store.h"
#include "exporter/sched/scheduler.h"

namespace akash::app {

core::Config LoadConfigFromFlags(const Flags& flags) {
  if (flags.config_file.empty()) return core::ParseConfig("", "", core::ProcessEnv());
  return core::LoadConfig(flags.config_file);
}

int CheckConfig(const Flags& flags) {
  try {
    const auto config = LoadConfigFromFlags(flags);
    std::cout << core::DescribeConfig(config);
    // The web config too, loaded as the server will: a pod or unit that checks before it
    // starts must not pass a certificate that does not match its key.
    if (!flags.web_config_file.empty()) {
      std::cout << http::CheckWebConfig(flags.web_config_file) << "\n";
    }
    return 0;
  } catch (const core::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  } catch (const http::WebConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

namespace {

sigset_t DaemonSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

// Waits for one of DaemonSignals(); a negative timeout waits forever. Returns 0 on timeout.
int WaitForSignal(std::chrono::milliseconds timeout) {
  const sigset_t set = DaemonSignals();
  if (timeout.count() < 0) {
    int sig = 0;
    return sigwait(&set, &sig) == 0 ? sig : 0;
  }
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>(timeout.count() % 1000) * 1'000'000;
  const int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

// Ends the process now, with the log flushed, skipping destructors (a blocked thread may still
// hold references into the daemon).
[[noreturn]] void QuickExit(int code) {
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  std::_Exit(code);
}

// Runs reloads one at a time on a worker thread with a normal stack (YAML parsing recurses).
// Requests made while one runs are coalesced into a single further reload; a caller may wait for
// the reload that covers its request.
class ReloadRunner {
 public:
  using Reload = std::function<core::Result<core::Ok>()>;
  explicit ReloadRunner(Reload reload) : reload_(std::move(reload)) {
    worker_ = std::thread([this] { Loop(); });
  }
  ~ReloadRunner() {
    // After a StopAndWait() that timed out the process quick-exits, so this is only reached
    // with a worker that ends promptly (idle, or an early start-up return).
    if (!worker_.joinable()) return;
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
      cv_.notify_all();
    }
    worker_.join();
  }
  // Returns a ticket for WaitFor().
  std::uint64_t Request() {
    std::lock_guard lock(mu_);
    cv_.notify_all();
    return ++requested_;
  }
  // The result of the reload that covered `ticket`; nullopt when the daemon is stopping first.
  std::optional<core::Result<core::Ok>> WaitFor(std::uint64_t ticket) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return completed_ >= ticket || stopping_; });
    if (completed_ < ticket) return std::nullopt;
    return last_;
  }
  // Asks the worker to end and waits up to `limit`; false when a reload is still running.
  bool StopAndWait(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    stopping_ = true;
    cv_.notify_all();
    if (!cv_.wait_for(lock, limit, [this] { return exited_; })) return false;
    lock.unlock();
    worker_.join();
    return true;
  }

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return requested_ > completed_ || stopping_; });
      if (stopping_) break;
      const std::uint64_t covers = requested_;
      lock.unlock();
      auto result = reload_();
      lock.lock();
      completed_ = covers;
      last_ = std::move(result);
      cv_.notify_all();
    }
    exited_ = true;
    cv_.notify_all();
  }
  Reload reload_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t requested_ = 0;
  std::uint64_t completed_ = 0;
  core::Result<core::Ok> last_ = core::Ok{};
  bool stopping_ = false;
  bool exited_ = false;
  std::thread worker_;
};

}  // namespace

namespace {

// At most one reload per kReloadInterval, so a reload loop cannot become a request storm
// against rate-limited upstream keys. HTTP callers beyond it get 429; SIGHUPs are coalesced
// into one reload when the interval has passed.
class ReloadLimiter {
 public:
  static constexpr std::chrono::seconds kReloadInterval{5};
  // 0 when a reload may run now (and claims the slot), else whole seconds to wait.
  int TryClaim() {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    if (!last_ || now - *last_ >= kReloadInterval) {
      last_ = now;
      return 0;
    }
    const auto left = *last_ + kReloadInterval - now;
    return std::max<int>(
        1, static_cast<int>(std::chrono::ceil<std::chrono::seconds>(left).count()));
  }
  std::chrono::steady_clock::time_point NextAllowed() const {
    std::lock_guard lock(mu_);
    return last_ ? *last_ + kReloadInterval : std::chrono::steady_clock::now();
  }

 private:
  mutable std::mutex mu_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

}  // namespace

struct Daemon::Impl {
  explicit Impl(Flags f)
      : flags(std::move(f)),
        states(flags.storage_path),
        store(core::SystemClock::Instance()),
        exposition(store, ExpositionOptions()),
        scheduler(store, facts, core::SystemClock::Instance(), MakeFetcher, /*worker_threads=*/8,
                  std::chrono::milliseconds{1000}, &states) {}

  metrics::ExpositionOptions ExpositionOptions() const {
    metrics::ExpositionOptions o;
    o.exporter_metrics = !flags.disable_exporter_metrics;
    o.background_render = true;  // a scrape never waits for a render
    return o;
  }

  static std::unique_ptr<core::Fetcher> MakeFetcher(const core::SourceSettings& settings) {
    http::ClientOptions o;
    o.total_timeout = settings.timeout;
    o.connect_timeout = std::min<std::chrono::milliseconds>(settings.timeout, std::chrono::seconds(5));
    return std::make_unique<http::CurlFetcher>(o);
  }

  void Apply(const core::Config& config) {
    if (config.providers.empty() && config.tenants.empty()) {
      core::LogWarn("no providers and no tenants configured: only the market source runs");
    }
    auto sources = collectors::MakeSources(config);
    std::map<metrics::SourceKey, metrics::SlotSettings> slots;
    std::vector<sched::PollJob> jobs;
    for (auto& src : sources) {
      const auto& settings = config.source(src->name());
      slots.insert_or_assign(metrics::SourceKey{src->name(), src->target()},
                             metrics::SlotSettings(settings.max_staleness, settings.interval));
      core::LogInfo("source enabled", {{"source", src->name()},
                                       {"target", src->target()},
                                       {"interval_ms", settings.interval.count()}});
      jobs.push_back(sched::PollJob{std::move(src), settings});
    }
    store.Configure(slots);
    scheduler.Replace(std::move(jobs));
  }

  core::Result<core::Ok> Reload() {
    std::lock_guard lock(reload_mu);
    try {
      auto config = LoadConfigFromFlags(flags);
      Apply(config);
      store.RecordReload(true);
      core::LogInfo("configuration reloaded", {{"file", flags.config_file}});
      return core::Ok{};
    } catch (const core::ConfigError& e) {
      store.RecordReload(false);
      core::LogError("configuration reload failed; keeping the previous configuration",
                     {{"err", e.what()}});
      return core::MakeError(core::ErrorReason::kParse, e.what());
    } catch (const std::exception& e) {
      store.RecordReload(false);
      core::LogError("configuration reload failed; keeping the previous configuration",
                     {{"err", e.what()}});
      return core::MakeError(core::ErrorReason::kParse, e.what());
    }
  }

  Flags flags;
  core::StateStore states;  // before the scheduler, which polls with it
  core::SharedFacts facts;
  metrics::Store store;
  metrics::Exposition exposition;
  sched::Scheduler scheduler;
  std::mutex reload_mu;
};

Daemon::Daemon(Flags flags) : impl_(std::make_unique<Impl>(std::move(flags))) {}
Daemon::~Daemon() = default;

core::Result<core::Ok> Daemon::Reload() { return impl_->Reload(); }

int Daemon::Run() {
  auto& d = *impl_;
  // Start-up errors are exceptions: a bad config or an unbindable address ends the process.
  // The file is read on a thread of its own while this one keeps answering SIGTERM/SIGINT, so a
  // key file on a hung mount cannot make the daemon ignore a stop.
  std::optional<core::Config> config;
  {
    struct Load {
      std::mutex mu;
      bool done = false;
      std::optional<core::Config> config;
      std::string error;
    };
    auto load = std::make_shared<Load>();
    std::thread([load, flags = d.flags] {
      std::optional<core::Config> c;
      std::string error;
      try {
        c = LoadConfigFromFlags(flags);
      } catch (const std::exception& e) {
        error = e.what();
      }
      std::lock_guard lock(load->mu);
      load->config = std::move(c);
      load->error = std::move(error);
      load->done = true;
    }).detach();
    for (;;) {
      {
        std::lock_guard lock(load->mu);
        if (load->done) {
          if (!load->config) {
            core::LogError("invalid configuration", {{"err", load->error}});
            return 1;
          }
          config = std::move(load->config);
          break;
        }
      }
      if (const int sig = WaitForSignal(std::chrono::milliseconds(50));
          sig == SIGTERM || sig == SIGINT) {
        core::LogInfo("stop signal received while loading the configuration; exiting");
        QuickExit(0);  // the loading thread may be stuck in the kernel: do not wait for it
      }
    }
  }
  WebContext web;
  web.store = &d.store;
  web.exposition = &d.exposition;
  web.telemetry_path = d.flags.telemetry_path;
  web.max_requests = d.flags.max_requests;
  web.enable_lifecycle = d.flags.enable_lifecycle;
  ReloadLimiter limiter;
  web.reload_wait = [&limiter] { return limiter.TryClaim(); };
  // A reload re-reads the config and the web config; the first error is reported.
  std::atomic<http::Server*> server_ptr{nullptr};
  // Reloads (POST /-/reload and SIGHUP) run on the runner's thread, so neither an HTTP worker
  // nor the signal loop below is ever held by one.
  ReloadRunner reloads([&d, &server_ptr]() -> core::Result<core::Ok> {
    auto result = d.Reload();
    if (http::Server* server = server_ptr.load(); server != nullptr) {
      auto web_result = server->ReloadWebConfig();
      if (!web_result.ok() && result.ok()) return web_result;
    }
    return result;
  });
  web.reload = [&reloads]() -> core::Result<core::Ok> {
    auto result = reloads.WaitFor(reloads.Request());
    if (!result) return core::MakeError(core::ErrorReason::kParse, "the daemon is stopping");
    return std::move(*result);
  };

  http::ServerOptions server_options;
  server_options.listen_addresses = d.flags.listen_addresses;
  server_options.web_config_file = d.flags.web_config_file;
  // Handlers are short: a scrape takes a pointer to the pre-rendered body (only the first
  // request of a format renders, once), and a reload, the one handler that can block, runs one
  // at a time behind its rate limit. Eight threads serve any scrape load; more requests wait
  // for a thread instead of being refused. Each idle thread costs stack and allocator arena
  // memory (68 of them were 0.3-0.5 MB of RSS at rest), so the pool does not grow with
  // --web.max-requests, which still answers 503 above its value when that is below 8.
  server_options.worker_threads = 8;
  try {
    if (d.flags.systemd_socket) server_options.listen_fds = http::SystemdListenFds();
  } catch (const std::exception& e) {
    core::LogError("cannot use systemd socket activation", {{"err", e.what()}});
    return 1;
  }
  http::Server server(server_options);
  RegisterRoutes(server, web);
  try {
    server.Start();
  } catch (const std::exception& e) {
    core::LogError("cannot start the web server", {{"err", e.what()}});
    return 1;
  }
  server_ptr.store(&server);
  if (d.flags.storage_path.empty()) {
    core::LogInfo("no --storage.path: counter high-water marks and caches are kept in memory only "
                  "and rebuilt after a restart");
  } else {
    core::LogInfo("state directory", {{"storage_path", d.flags.storage_path}});
  }
  d.Apply(*config);
  d.store.RecordReload(true);
  const auto bound = server.BoundPorts();
  // Built with append: `"," + std::string(...)` trips GCC 12's false -Wrestrict inside
  // libstdc++'s operator+ at -O2/-O3, which -Werror turns into a failed Release build.
  std::string ports;
  for (int p : bound) {
    if (!ports.empty()) ports.push_back(',');
    ports.append(std::to_string(p));
  }
  const auto build = metrics::CurrentBuildInfo();
  core::LogInfo("akash_exporter started",
                {{"version", build.version},
                 {"revision", build.revision},
                 {"config", d.flags.config_file.empty() ? "(built-in default)" : d.flags.config_file},
                 {"listen", DescribeListenAddresses(d.flags.listen_addresses, bound)},
                 {"ports", ports}});

  // HUPs arriving during a reload are coalesced into one more reload after it; a HUP inside
  // the reload interval is remembered and served when the interval ends.
  // (A flag and a time rather than an optional: GCC 12 -O1 warns maybe-uninitialized on it.)
  bool reload_pending = false;
  std::chrono::steady_clock::time_point pending_reload{};
  for (;;) {
    auto timeout = std::chrono::milliseconds(-1);
    if (reload_pending) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(
          pending_reload - std::chrono::steady_clock::now());
      if (left.count() <= 0) {
        if (limiter.TryClaim() == 0) {
          reload_pending = false;
          core::LogInfo("reloading configuration (deferred SIGHUP)");
          (void)reloads.Request();
        } else {
          pending_reload = limiter.NextAllowed();
        }
        continue;
      }
      timeout = left;
    }
    const int sig = WaitForSignal(timeout);
    if (sig == SIGHUP) {
      if (limiter.TryClaim() == 0) {
        core::LogInfo("SIGHUP received, reloading configuration");
        (void)reloads.Request();
      } else if (!reload_pending) {
        reload_pending = true;
        pending_reload = limiter.NextAllowed();
        core::LogInfo("SIGHUP received inside the reload interval; reload deferred");
      }
      continue;
    }
    if (sig != SIGTERM && sig != SIGINT) continue;
    core::LogInfo("stop signal received, shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  // A reload stuck on a hung mount must not hold the stop: give it a moment, then leave
  // without running destructors that it could still be using.
  if (!reloads.StopAndWait(std::chrono::milliseconds(1000))) {
    core::LogWarn("a configuration reload is still blocked; exiting without waiting for it");
    QuickExit(0);
  }
  server.Stop();
  core::LogDebug("HTTP server stopped");
  d.scheduler.Stop();
  core::LogInfo("stopped");
  return 0;
}

int Main(int argc, const char* const* argv) {
  signal(SIGPIPE, SIG_IGN);
  auto parsed = ParseFlags(argc, argv);
  if (parsed.action == ParsedFlags::Action::kExit) return parsed.exit_code;
  core::Logger::Get().Configure(parsed.flags.log_level, parsed.flags.log_format);
  // --config.check keeps the default signal dispositions: SIGTERM and SIGINT end it even while
  // it reads a slow file.
  if (parsed.flags.config_check) return CheckConfig(parsed.flags);
  // Every thread started from here on inherits this mask, so the stop and reload signals reach
  // only WaitForSignal() on the main thread.
  const sigset_t set = DaemonSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  http::GlobalInit();
  metrics::ConfigureAllocator();  // large bodies return to the system after their last scrape
  Daemon daemon(parsed.flags);
  return daemon.Run();
}

}  // namespace akash::app
