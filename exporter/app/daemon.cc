#include "exporter/app/daemon.h"

#include <pthread.h>
#include <signal.h>

#include <cerrno>
#include <ctime>
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
    return 0;
  } catch (const core::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
}

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
                                       {"interval_ms", std::to_string(settings.interval.count())}});
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
  core::Config config;
  try {
    config = LoadConfigFromFlags(d.flags);
  } catch (const core::ConfigError& e) {
    core::LogError("invalid configuration", {{"err", e.what()}});
    return 1;
  }
  WebContext web;
  web.store = &d.store;
  web.exposition = &d.exposition;
  web.telemetry_path = d.flags.telemetry_path;
  web.max_requests = d.flags.max_requests;
  // civetweb workers have small stacks and parsing YAML recurses, so a reload asked for over
  // HTTP runs on a thread of its own (default stack) while the worker waits for its answer.
  web.reload = [&d] {
    std::optional<core::Result<core::Ok>> result;
    std::thread worker([&] { result.emplace(d.Reload()); });
    worker.join();
    return std::move(*result);
  };

  http::ServerOptions server_options;
  server_options.listen_addresses = d.flags.listen_addresses;
  // Scrapes beyond --web.max-requests are answered 503 by the handler, so a few more workers
  // than that keep /-/healthy and / responsive under a scrape storm.
  server_options.worker_threads = std::max(4, std::min(d.flags.max_requests, 64) + 4);
  http::Server server(server_options);
  RegisterRoutes(server, web);
  try {
    server.Start();
  } catch (const std::exception& e) {
    core::LogError("cannot listen", {{"err", e.what()}});
    return 1;
  }
  if (d.flags.storage_path.empty()) {
    core::LogInfo("no --storage.path: counter high-water marks and caches are kept in memory only "
                  "and rebuilt after a restart");
  } else {
    core::LogInfo("state directory", {{"storage_path", d.flags.storage_path}});
  }
  d.Apply(config);
  d.store.RecordReload(true);
  std::string ports;
  for (int p : server.BoundPorts()) ports += (ports.empty() ? "" : ",") + std::to_string(p);
  const auto build = metrics::CurrentBuildInfo();
  core::LogInfo("akash_exporter started",
                {{"version", build.version},
                 {"revision", build.revision},
                 {"config", d.flags.config_file.empty() ? "(built-in default)" : d.flags.config_file},
                 {"ports", ports}});

  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      core::LogInfo("SIGHUP received, reloading configuration");
      (void)d.Reload();
      continue;
    }
    core::LogInfo("stop signal received, shutting down", {{"signal", sig == SIGINT ? "SIGINT" : "SIGTERM"}});
    break;
  }
  server.Stop();
  core::LogDebug("HTTP server stopped");
  d.scheduler.Stop();
  core::LogInfo("stopped");
  return 0;
}

int Main(int argc, const char* const* argv) {
  // Every thread inherits this mask, so the stop and reload signals reach only sigwait().
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto parsed = ParseFlags(argc, argv);
  if (parsed.action == ParsedFlags::Action::kExit) return parsed.exit_code;
  core::Logger::Get().Configure(parsed.flags.log_level, parsed.flags.log_format);
  if (parsed.flags.config_check) return CheckConfig(parsed.flags);
  http::GlobalInit();
  Daemon daemon(parsed.flags);
  return daemon.Run();
}

}  // namespace akash::app
