#pragma once
// HTTP transport of the simulator over civetweb: turns requests into Router calls and carries
// out the transport-level fault instructions (delay, drip, reset).
// Thread-safety: Start/Stop from one thread; requests are served on civetweb's worker threads.

#include <atomic>
#include <string>

#include "sim/router.h"

struct mg_context;
struct mg_connection;

namespace akash::sim {

class Server {
 public:
  // `listen` is "HOST:PORT"; port 0 lets the OS choose. `router` must outlive the server.
  Server(Router& router, std::string listen, int threads);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts serving; false with `error` set on failure.
  bool Start(std::string* error);
  // The bound port (valid after Start).
  int port() const { return port_; }
  // Interrupts delayed/dripping answers and stops civetweb. Idempotent.
  void Stop();

 private:
  static int HandleRequest(mg_connection* conn, void* self);
  int Serve(mg_connection* conn);
  // Sleeps up to `ms`, in small steps, returning early when stopping.
  void InterruptibleSleep(std::int64_t ms) const;

  Router& router_;
  std::string listen_;
  int threads_;
  mg_context* ctx_ = nullptr;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
};

}  // namespace akash::sim
