#include "exporter/sched/scheduler.h"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <exception>

#include "exporter/core/log.h"
#include "exporter/metrics/counter_hold.h"
#include "exporter/sched/backoff.h"
#include "exporter/sched/retrying_fetcher.h"

namespace akash::sched {

namespace asio = boost::asio;

constexpr std::chrono::milliseconds kReleaseConnectionsAfter{30'000};

struct Scheduler::Job {
  Job(asio::io_context& io, PollJob j) : timer(io), poll(std::move(j)) {}
  asio::steady_timer timer;
  PollJob poll;
  std::unique_ptr<RetryingFetcher> fetcher;
  metrics::SourceKey key;
  core::SourceState* state = nullptr;  // owned by the StateStore, outlives the job
  SteadyTime scheduled{};
  int consecutive_failures = 0;
  std::atomic<bool> cancelled{false};
};

struct Scheduler::Impl {
  Impl(metrics::Store& s, core::SharedFacts& f, const core::Clock& c, FetcherFactory ff, int threads,
       std::chrono::milliseconds retry_delay, core::StateStore* state_store)
      : own_states(state_store ? nullptr : std::make_unique<core::StateStore>("")),
        states(state_store ? *state_store : *own_states),
        store(s),
        facts(f),
        clock(c),
        factory(std::move(ff)),
        first_retry_delay(retry_delay),
        work(asio::make_work_guard(io)),
        pool(static_cast<std::size_t>(std::max(1, threads))),
        rng(std::random_device{}()) {
    io_thread = std::thread([this] { io.run(); });
  }

  void Arm(const std::shared_ptr<Job>& job, SteadyTime deadline) {
    job->scheduled = deadline;
    job->timer.expires_at(deadline);
    job->timer.async_wait([this, job](const boost::system::error_code& ec) {
      if (ec || job->cancelled) return;
      asio::post(pool, [this, job] { RunPoll(job); });
    });
  }

  void RunPoll(const std::shared_ptr<Job>& job) {
    if (job->cancelled) return;
    store.RecordAttemptStart(job->key);
    job->fetcher->BeginPoll();
    const auto started = std::chrono::steady_clock::now();
    collectors::PollContext ctx{clock.Now(), &facts, job->state};
    std::optional<core::Error> error;
    std::optional<collectors::PollOutput> output;
    try {
      auto result = job->poll.source->Poll(*job->fetcher, ctx);
      if (result.ok()) {
        output = std::move(result).value();
      } else {
        error = std::move(result).error();
      }
    } catch (const std::exception& e) {
      error = core::MakeError(core::ErrorReason::kParse, std::string("internal error: ") + e.what());
    } catch (...) {
      error = core::MakeError(core::ErrorReason::kParse, "internal error");
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    // A source polled every minute or less often gains nothing from an idle connection but
    // holds a server thread (or, once the server gives up, a CLOSE-WAIT socket here).
    if (job->poll.settings.interval >= kReleaseConnectionsAfter) job->fetcher->ReleaseConnections();
    if (job->cancelled) return;  // replaced or stopping: an aborted poll says nothing
    std::uint64_t decreases = 0;
    if (output) decreases = metrics::HoldCounters(*job->state, output->families);
    // Before publishing: what Prometheus may see next must already be on disk. A failed poll may
    // still have filled caches worth keeping.
    states.Persist(*job->state);
    if (output) {
      store.PublishSuccess(job->key,
                           std::make_shared<const metrics::Families>(std::move(output->families)),
                           output->series_dropped, took, decreases, std::move(output->note));
      if (job->consecutive_failures > 0) {
        core::LogInfo("source recovered", {{"source", job->key.source}, {"target", job->key.target}});
      }
    } else {
      store.PublishFailure(job->key, *error, took);
      core::LogWarn("poll failed", {{"source", job->key.source},
                                    {"target", job->key.target},
                                    {"reason", std::string(core::ToString(error->reason))},
                                    {"err", error->message}});
    }
    asio::post(io, [this, job, ok = output.has_value(),
                    retry_after = error ? error->retry_after : std::nullopt] {
      if (job->cancelled) return;
      const auto now = std::chrono::steady_clock::now();
      if (ok) {
        job->consecutive_failures = 0;
        Arm(job, NextAfterSuccess(job->scheduled, now, job->poll.settings.interval));
      } else {
        ++job->consecutive_failures;
        const auto cap = BackoffCap(job->poll.settings.interval);
        if (retry_after && *retry_after > cap) {
          core::LogWarn("upstream asked to wait longer than the back-off cap; waiting the cap",
                        {{"source", job->key.source},
                         {"target", job->key.target},
                         {"retry_after_s", retry_after->count()},
                         {"cap_s", std::chrono::duration_cast<std::chrono::seconds>(cap).count()}});
        }
        const double jitter = std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
        Arm(job, now + FailureDelay(job->poll.settings.interval, job->consecutive_failures,
                                    retry_after, jitter));
      }
    });
  }

  void CancelAll() {
    for (auto& job : jobs) {
      job->cancelled = true;
      job->fetcher->Abort();
      asio::post(io, [job] { job->timer.cancel(); });
    }
    jobs.clear();
  }

  std::unique_ptr<core::StateStore> own_states;
  core::StateStore& states;
  metrics::Store& store;
  core::SharedFacts& facts;
  const core::Clock& clock;
  FetcherFactory factory;
  const std::chrono::milliseconds first_retry_delay;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work;
  asio::thread_pool pool;
  std::thread io_thread;
  std::mt19937_64 rng;  // used on the io thread only
  std::vector<std::shared_ptr<Job>> jobs;
  bool stopped = false;
};

Scheduler::Scheduler(metrics::Store& store, core::SharedFacts& facts, const core::Clock& clock,
                     FetcherFactory fetcher_factory, int worker_threads,
                     std::chrono::milliseconds first_retry_delay, core::StateStore* state_store)
    : impl_(std::make_unique<Impl>(store, facts, clock, std::move(fetcher_factory), worker_threads,
                                   first_retry_delay, state_store)) {}

Scheduler::~Scheduler() { Stop(); }

void Scheduler::Replace(std::vector<PollJob> new_jobs) {
  if (impl_->stopped) return;
  impl_->CancelAll();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::mt19937_64 offset_rng(std::random_device{}());
  const auto now = std::chrono::steady_clock::now();
  for (auto& pj : new_jobs) {
    auto job = std::make_shared<Job>(impl_->io, std::move(pj));
    job->key = metrics::SourceKey{job->poll.source->name(), job->poll.source->target()};
    job->state = impl_->states.For(job->key.source, job->key.target);
    metrics::Store* store = &impl_->store;
    const metrics::SourceKey key = job->key;
    job->fetcher = std::make_unique<RetryingFetcher>(
        impl_->factory(job->poll.settings), job->poll.settings.interval,
        [store, key](const std::string& code) { store->RecordRequest(key, code); },
        impl_->first_retry_delay);
    const auto first = now + InitialOffset(job->poll.settings.interval, unit(offset_rng));
    impl_->jobs.push_back(job);
    asio::post(impl_->io, [impl = impl_.get(), job, first] { impl->Arm(job, first); });
  }
}

void Scheduler::Stop() {
  if (!impl_ || impl_->stopped) return;
  impl_->stopped = true;
  impl_->CancelAll();
  impl_->pool.join();  // in-flight polls were aborted and return promptly
  impl_->work.reset();
  impl_->io.stop();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
}

}  // namespace akash::sched
