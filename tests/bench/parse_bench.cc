// What a poll costs in parsing: one chain leases/list and bids/list page of 1000 records through
// the exporter's parser (DOM parse plus every check and conversion into records), against
// RapidJSON's raw DOM parse of the same bytes (the baseline: no parser built on RapidJSON can be
// faster). Pages are made from the chain fixtures, every record given its own dseq.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <rapidjson/document.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "collectors/chain_parse.h"
#include "collectors/json.h"

namespace {

namespace chain = akash::collectors::chain;

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(AKASH_SOURCE_DIR) + "/tests/fixtures/collectors/chain/" + name);
  if (!in) throw std::runtime_error("missing fixture " + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The fixture's records, repeated until `records`, each with a distinct "dseq":"...".
std::string MakePage(const std::string& fixture, const char* array_key, int records) {
  const std::string open = std::string("{\"") + array_key + "\":[";
  const auto begin = fixture.find(open);
  const auto end = fixture.rfind("],");
  if (begin == std::string::npos || end == std::string::npos) throw std::runtime_error("shape");
  // Split the array's top-level elements by brace depth.
  std::vector<std::string> items;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = begin + open.size(); i < end; ++i) {
    const char c = fixture[i];
    if (c == '{' && depth++ == 0) start = i;
    if (c == '}' && --depth == 0) items.push_back(fixture.substr(start, i + 1 - start));
  }
  std::string page = open;
  for (int i = 0; i < records; ++i) {
    std::string item = items[static_cast<std::size_t>(i) % items.size()];
    const std::string key = "\"dseq\":\"";
    for (auto at = item.find(key); at != std::string::npos; at = item.find(key, at + 1)) {
      const auto close = item.find('"', at + key.size());
      item.replace(at + key.size(), close - at - key.size(), std::to_string(30000000 + i));
    }
    if (i > 0) page += ',';
    page += item;
  }
  page += "],\"pagination\":{\"next_key\":\"AQID+/8=\",\"total\":\"100000\"}}";
  return page;
}

const std::string& LeasePage() {
  static const std::string page = MakePage(ReadFixture("leases_v1beta5.json"), "leases", 1000);
  return page;
}

const std::string& BidPage() {
  static const std::string page = MakePage(ReadFixture("bids_v1beta5.json"), "bids", 1000);
  return page;
}

void RawParse(benchmark::State& state, const std::string& page) {
  for (auto _ : state) {
    rapidjson::Document doc;
    // The exporter's flags (numbers kept as text, for exact decimals): the same work to parse.
    doc.Parse<akash::collectors::kJsonParseFlags>(page.data(), page.size());
    if (doc.HasParseError()) state.SkipWithError("parse error");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
  state.counters["page_bytes"] = static_cast<double>(page.size());
}

void BM_RawLeasesPage(benchmark::State& state) { RawParse(state, LeasePage()); }
void BM_RawBidsPage(benchmark::State& state) { RawParse(state, BidPage()); }

void BM_ParseLeasesPage(benchmark::State& state) {
  const std::string& page = LeasePage();
  std::vector<chain::LeaseRecord> out;
  out.reserve(1000);
  for (auto _ : state) {
    out.clear();
    auto r = chain::ParseLeasesPage(page, "leases", chain::ApiShape::kV1beta5, &out);
    if (!r.ok() || out.size() != 1000) state.SkipWithError("lease page not parsed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
  state.counters["page_bytes"] = static_cast<double>(page.size());
}

void BM_ParseBidsPage(benchmark::State& state) {
  const std::string& page = BidPage();
  std::map<std::string, chain::GpuOffers> out;
  for (auto _ : state) {
    out.clear();
    auto r = chain::ParseBidsPage(page, "bids", chain::ApiShape::kV1beta5, &out);
    if (!r.ok() || out.empty()) state.SkipWithError("bid page not parsed");
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * page.size()));
  state.counters["page_bytes"] = static_cast<double>(page.size());
}

BENCHMARK(BM_RawLeasesPage);
BENCHMARK(BM_ParseLeasesPage);
BENCHMARK(BM_RawBidsPage);
BENCHMARK(BM_ParseBidsPage);

}  // namespace

int main(int argc, char** argv) {
  // A steady heap: glibc would otherwise hand the top of the heap back after every iteration
  // that frees its document last and fault it in again on the next, which made the raw parse
  // look twice as slow as ours (whose records, allocated after the document, pin the top).
  // Both figures then measure parsing, not page faults.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
