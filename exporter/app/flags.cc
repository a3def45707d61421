#include "exporter/app/flags.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "exporter/metrics/exposition.h"

namespace akash::app {

std::string VersionString() {
  const auto b = metrics::CurrentBuildInfo();
  return "akash_exporter, version " + b.version + " (revision: " + b.revision + ")\n  compiler: " +
         b.compiler + "\n";
}

ParsedFlags ParseFlags(int argc, const char* const* argv) {
  ParsedFlags out;
  Flags& f = out.flags;
  CLI::App cli{"akash_exporter: Prometheus exporter for Akash Network provider earnings, leases, "
               "market data and tenant billing."};
  cli.set_version_flag("--version", VersionString());
  std::string level = "info";
  std::string format = "logfmt";
  cli.add_option("--config.file", f.config_file,
                 "Path to the YAML configuration file. Without one, only the market source runs.")
      ->default_str("none");
  cli.add_flag("--config.check", f.config_check,
               "Validate the configuration, print a summary of the sources it enables, and exit "
               "(0 valid, 1 invalid).");
  cli.add_option("--web.listen-address", f.listen_addresses,
                 "Address to listen on (HOST:PORT, [IPV6]:PORT or :PORT for every IPv4 "
                 "interface; port 0 lets the OS pick); repeatable.")
      ->default_str(kDefaultListenAddress);
  cli.add_option("--web.telemetry-path", f.telemetry_path, "Path under which to expose metrics.")
      ->capture_default_str()
      ->check([](const std::string& p) -> std::string {
        if (p.empty() || p[0] != '/') return "must start with '/'";
        if (p == "/" || p.rfind("/-/", 0) == 0) return "must not be '/' or under '/-/'";
        return {};
      });
  cli.add_option("--web.max-requests", f.max_requests,
                 "Maximum number of parallel scrape requests; 0 disables the limit.")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000));
  cli.add_flag("--web.disable-exporter-metrics", f.disable_exporter_metrics,
               "Exclude process_* metrics about the exporter itself.");
  cli.add_option("--storage.path", f.storage_path,
                 "Directory that keeps counter high-water marks and costly caches across restarts "
                 "(systemd: StateDirectory=). Without it nothing is written anywhere.");
  cli.add_option("--web.config.file", f.web_config_file,
                 "Path to a web configuration file (exporter-toolkit format) enabling TLS and/or "
                 "basic authentication.");
  cli.add_flag("--web.enable-lifecycle", f.enable_lifecycle,
               "Enable POST /-/reload (reloads are rate-limited; SIGHUP always works).");
  cli.add_flag("--web.systemd-socket", f.systemd_socket,
               "Use the listening socket(s) passed by systemd socket activation instead of "
               "--web.listen-address.");
  cli.add_option("--log.level", level, "Only log messages with the given severity or above.")
      ->capture_default_str()
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  cli.add_option("--log.format", format, "Output format of log messages.")
      ->capture_default_str()
      ->check(CLI::IsMember({"logfmt", "json"}));
  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    out.action = ParsedFlags::Action::kExit;
    out.exit_code = cli.exit(e) == 0 ? 0 : 1;
    return out;
  }
  if (f.listen_addresses.empty()) f.listen_addresses.push_back(kDefaultListenAddress);
  f.log_level = *core::ParseLogLevel(level);
  f.log_format = *core::ParseLogFormat(format);
  return out;
}

}  // namespace akash::app
