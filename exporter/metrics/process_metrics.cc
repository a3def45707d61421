#include "exporter/metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace akash::metrics {
namespace {

prometheus::MetricFamily One(const char* name, const char* help, prometheus::MetricType type,
                             double value) {
  prometheus::MetricFamily f;
  f.name = name;
  f.help = help;
  f.type = type;
  prometheus::ClientMetric m;
  if (type == prometheus::MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(m);
  return f;
}

double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double v = 0;
      in >> v;
      return v;
    }
    in.ignore(1 << 20, '\n');
  }
  // /proc/stat is hidden under systemd's ProcSubset=pid (the shipped unit sets it): derive the
  // boot time from the two clocks instead, which agrees with btime to well under a second.
  timespec real{}, boot{};
  if (clock_gettime(CLOCK_REALTIME, &real) != 0 || clock_gettime(CLOCK_BOOTTIME, &boot) != 0) {
    return 0;
  }
  return static_cast<double>(real.tv_sec - boot.tv_sec) +
         static_cast<double>(real.tv_nsec - boot.tv_nsec) / 1e9;
}

int CountOpenFds() {
  DIR* d = opendir("/proc/self/fd");
  if (!d) return 0;
  int n = 0;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(d);
  return n - 1;  // the directory stream's own descriptor
}

}  // namespace

void AppendProcessFamilies(Families& out) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat_in("/proc/self/stat");
  std::string stat((std::istreambuf_iterator<char>(stat_in)), std::istreambuf_iterator<char>());
  // Fields after the parenthesised command name, which may itself contain spaces.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream rest(stat.substr(close + 2));
  std::string field;
  double utime = 0, stime = 0, starttime = 0, vsize = 0, rss = 0;
  // Field 3 (state) is the first after ')'; utime is 14, stime 15, starttime 22, vsize 23, rss 24.
  for (int i = 3; i <= 24 && rest >> field; ++i) {
    if (i == 14) utime = std::stod(field);
    if (i == 15) stime = std::stod(field);
    if (i == 22) starttime = std::stod(field);
    if (i == 23) vsize = std::stod(field);
    if (i == 24) rss = std::stod(field);
  }
  out.push_back(One("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
                    prometheus::MetricType::Counter, (utime + stime) / ticks));
  out.push_back(One("process_resident_memory_bytes", "Resident memory size in bytes.",
                    prometheus::MetricType::Gauge, rss * page));
  out.push_back(One("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                    prometheus::MetricType::Gauge, vsize));
  out.push_back(One("process_start_time_seconds",
                    "Start time of the process since unix epoch in seconds.",
                    prometheus::MetricType::Gauge, BootTimeSeconds() + starttime / ticks));
  out.push_back(One("process_open_fds", "Number of open file descriptors.",
                    prometheus::MetricType::Gauge, CountOpenFds()));
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    out.push_back(One("process_max_fds", "Maximum number of open file descriptors.",
                      prometheus::MetricType::Gauge, static_cast<double>(lim.rlim_cur)));
  }
}

}  // namespace akash::metrics
