#pragma once
// The daemon: loads the config, wires store, scheduler, exposition and HTTP server, and runs
// until SIGTERM/SIGINT. SIGHUP and POST /-/reload re-read the config; a bad new config is
// refused, logged with its line and reason, and the running one is kept.
//
// Thread-safety: Run() is called once from the main thread. Reload() may be called from HTTP
// worker threads and the signal loop; reloads are serialised by a mutex.

#include <memory>
#include <mutex>
#include <string>

#include "exporter/app/flags.h"
#include "exporter/core/config.h"
#include "exporter/core/result.h"

namespace akash::app {

// Entry point shared by main.cc and tests: parses flags, runs, returns the exit code.
int Main(int argc, const char* const* argv);

class Daemon {
 public:
  explicit Daemon(Flags flags);
  ~Daemon();
  // Blocks until a stop signal. Returns the process exit code.
  int Run();
  // Re-reads the config file. Returns the error text ("FILE:LINE: reason") on failure.
  core::Result<core::Ok> Reload();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// --config.check: prints the summary (stdout) or the error (stderr); returns the exit code.
int CheckConfig(const Flags& flags);

// Loads the configuration named by the flags, or the built-in default when none is named.
core::Config LoadConfigFromFlags(const Flags& flags);

}  // namespace akash::app
