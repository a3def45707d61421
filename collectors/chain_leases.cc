#include "collectors/chain_leases.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <set>
#include <utility>

#include "collectors/common.h"
#include "collectors/families.h"
#include "exporter/core/log.h"

namespace akash::collectors {
namespace {

using chain::ApiShape;
using chain::GpuOffers;
using chain::LeaseRecord;
using chain::LeaseState;
using chain::PaymentState;
using chain::Unit;
using core::Decimal;
using core::ErrorReason;
using core::MakeError;

constexpr int kCacheVersion = 1;
constexpr const char* kCacheBlob = "crawl";

int UnitIndex(Unit u) { return u == Unit::kAkt ? 0 : 1; }

std::string_view ShapeName(ApiShape s) { return s == ApiShape::kV1beta5 ? "v1beta5" : "v1beta4"; }

// 501 is how grpc-gateway says "no such route" (Unimplemented): a version question, not an
// outage.
bool IsRetryableStatus(int status) { return (status >= 500 && status != 501) || status == 429; }
bool IsMissingRoute(int status) { return status == 404 || status == 501; }

// The endpoint as safe to show: scheme://host[:port][/path], without userinfo or query.
std::string EndpointForDisplay(const std::string& url) {
  std::string out = core::UrlForLog(url);
  const auto scheme = out.find("://");
  const std::size_t host_start = scheme == std::string::npos ? 0 : scheme + 3;
  const auto at = out.find('@', host_start);
  const auto slash = out.find('/', host_start);
  if (at != std::string::npos && (slash == std::string::npos || at < slash)) {
    out.erase(host_start, at + 1 - host_start);
  }
  return out;
}

// The query that selects one lease (or its bid) by full id.
std::string IdQuery(const chain::LeaseId& id, ApiShape shape) {
  std::string q = "filters.owner=" + chain::UrlEncode(id.owner) + "&filters.dseq=" + id.dseq +
                  "&filters.gseq=" + std::to_string(id.gseq) +
                  "&filters.oseq=" + std::to_string(id.oseq) +
                  "&filters.provider=" + chain::UrlEncode(id.provider);
  if (shape == ApiShape::kV1beta5) q += "&filters.bseq=" + std::to_string(id.bseq);
  return q;
}

std::optional<chain::LeaseId> IdFromKey(const std::string& key) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const auto slash = key.find('/', start);
    parts.push_back(key.substr(start, slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (parts.size() != 6) return std::nullopt;
  chain::LeaseId id;
  id.owner = parts[0];
  id.dseq = parts[1];
  id.provider = parts[4];
  try {
    id.gseq = static_cast<std::uint32_t>(std::stoul(parts[2]));
    id.oseq = static_cast<std::uint32_t>(std::stoul(parts[3]));
    id.bseq = static_cast<std::uint32_t>(std::stoul(parts[5]));
  } catch (...) {
    return std::nullopt;
  }
  if (id.Key() != key) return std::nullopt;
  return id;
}

std::optional<LeaseState> StateFromName(std::string_view s) {
  for (LeaseState st : chain::kAllLeaseStates) {
    if (chain::ToString(st) == s) return st;
  }
  return std::nullopt;
}

double Whole(Decimal micro) { return FromMicro(micro).ToDouble(); }

}  // namespace

namespace chain {

void Sums::Add(const LeaseRecord& r, const GpuOffers& gpus, std::int64_t height) {
  if (r.unit != Unit::kOther) {
    const int u = UnitIndex(r.unit);
    withdrawn[u] += r.withdrawn;
    if (r.payment_state != PaymentState::kClosed) balance[u] += r.balance;
    unsettled[u] += r.unsettled;
  }
  if (r.payment_state == PaymentState::kOverdrawn) ++overdrawn;
  const std::int64_t end = r.closed_on > 0 ? r.closed_on : height;
  const std::int64_t blocks = std::max<std::int64_t>(0, end - r.created_at);
  for (const GpuOffer& g : gpus) gpu_blocks[g.vendor + "/" + g.model] += g.gpus * blocks;
}

std::string EncodeCache(const CrawlCache& c) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  auto dec = [&](const char* key, const Decimal(&v)[2]) {
    w.Key(key);
    w.StartArray();
    for (const Decimal& d : v) w.String(d.ToString().c_str());
    w.EndArray();
  };
  w.StartObject();
  w.Key("v");
  w.Int(kCacheVersion);
  w.Key("shape");
  w.String(std::string(ShapeName(c.shape)).c_str());
  w.Key("full_crawl_unix");
  w.Int64(c.full_crawl_unix);
  w.Key("closed");
  w.Int64(c.closed);
  w.Key("insufficient_funds");
  w.Int64(c.insufficient_funds);
  dec("withdrawn", c.final_sums.withdrawn);
  dec("balance", c.final_sums.balance);
  dec("unsettled", c.final_sums.unsettled);
  w.Key("overdrawn");
  w.Int64(c.final_sums.overdrawn);
  w.Key("gpu_blocks");
  w.StartObject();
  for (const auto& [model, blocks] : c.final_sums.gpu_blocks) {
    w.Key(model.c_str());
    w.Int64(blocks);
  }
  w.EndObject();
  w.Key("open");
  w.StartArray();
  for (const auto& [key, open] : c.open) {
    w.StartArray();
    w.String(key.c_str());
    w.String(std::string(ToString(open.record.state)).c_str());
    w.StartArray();
    for (const GpuOffer& g : open.gpus) {
      w.StartArray();
      w.String(g.vendor.c_str());
      w.String(g.model.c_str());
      w.Int64(g.gpus);
      w.EndArray();
    }
    w.EndArray();
    w.EndArray();
  }
  w.EndArray();
  w.EndObject();
  return std::string(b.GetString(), b.GetSize());
}

std::optional<CrawlCache> DecodeCache(std::string_view blob) {
  rapidjson::Document d;
  d.Parse(blob.data(), blob.size());
  if (d.HasParseError() || !d.IsObject()) return std::nullopt;
  auto member = [&](const char* k) -> const rapidjson::Value* {
    const auto it = std::as_const(d).FindMember(k);
    return it == std::as_const(d).MemberEnd() ? nullptr : &it->value;
  };
  const auto* v = member("v");
  if (v == nullptr || !v->IsInt() || v->GetInt() != kCacheVersion) return std::nullopt;
  CrawlCache c;
  const auto* shape = member("shape");
  if (shape == nullptr || !shape->IsString()) return std::nullopt;
  const std::string_view sn(shape->GetString(), shape->GetStringLength());
  if (sn == "v1beta5") {
    c.shape = ApiShape::kV1beta5;
  } else if (sn == "v1beta4") {
    c.shape = ApiShape::kV1beta4;
  } else {
    return std::nullopt;
  }
  auto i64 = [&](const char* k, std::int64_t* out) {
    const auto* x = member(k);
    if (x == nullptr || !x->IsInt64() || x->GetInt64() < 0) return false;
    *out = x->GetInt64();
    return true;
  };
  auto decs = [&](const char* k, Decimal(&out)[2]) {
    const auto* x = member(k);
    if (x == nullptr || !x->IsArray() || x->Size() != 2) return false;
    for (rapidjson::SizeType i = 0; i < 2; ++i) {
      if (!(*x)[i].IsString()) return false;
      const auto p = Decimal::Parse((*x)[i].GetString());
      if (!p) return false;
      out[i] = *p;
    }
    return true;
  };
  if (!i64("full_crawl_unix", &c.full_crawl_unix) || !i64("closed", &c.closed) ||
      !i64("insufficient_funds", &c.insufficient_funds) ||
      !i64("overdrawn", &c.final_sums.overdrawn) || !decs("withdrawn", c.final_sums.withdrawn) ||
      !decs("balance", c.final_sums.balance) || !decs("unsettled", c.final_sums.unsettled)) {
    return std::nullopt;
  }
  const auto* gpu = member("gpu_blocks");
  if (gpu == nullptr || !gpu->IsObject()) return std::nullopt;
  for (const auto& m : gpu->GetObject()) {
    if (!m.value.IsInt64()) return std::nullopt;
    c.final_sums.gpu_blocks[m.name.GetString()] = m.value.GetInt64();
  }
  const auto* open = member("open");
  if (open == nullptr || !open->IsArray()) return std::nullopt;
  for (const auto& e : open->GetArray()) {
    if (!e.IsArray() || e.Size() != 3 || !e[0].IsString() || !e[1].IsString() || !e[2].IsArray()) {
      return std::nullopt;
    }
    const std::string key = e[0].GetString();
    auto id = IdFromKey(key);
    auto state = StateFromName(e[1].GetString());
    if (!id || !state) return std::nullopt;
    CrawlCache::Open o;
    o.record.id = std::move(*id);
    o.record.state = *state;
    for (const auto& g : e[2].GetArray()) {
      if (!g.IsArray() || g.Size() != 3 || !g[0].IsString() || !g[1].IsString() ||
          !g[2].IsInt64()) {
        return std::nullopt;
      }
      o.gpus.push_back({g[0].GetString(), g[1].GetString(), g[2].GetInt64()});
    }
    c.open.emplace(key, std::move(o));
  }
  return c;
}

}  // namespace chain

// One poll's view of the endpoints: failover, shape detection, request counting.
class ChainLeasesSource::Client {
 public:
  Client(core::Fetcher& fetcher, const ChainLeasesOptions& options, std::size_t* current,
         std::vector<std::optional<ApiShape>>* shapes, ChainCrawlStats* stats)
      : fetcher_(fetcher), options_(options), current_(current), shapes_(shapes), stats_(stats) {}

  struct Answer {
    core::Response response;
    std::string route;  // URL without query, for messages
    ApiShape shape = ApiShape::kV1beta5;
  };

  // A chain route that does not depend on the market API version ("/cosmos/...").
  core::Result<Answer> Get(const std::string& path_and_query) {
    return WithFailover([&](std::size_t idx) -> core::Result<Answer> {
      return Fetch(Url(idx, path_and_query), ApiShape::kV1beta5);
    });
  }

  // GET /akash/market/<version>/<what>/list?<query>, in the version the endpoint serves.
  core::Result<Answer> Market(const std::string& what, const std::string& query) {
    return WithFailover([&](std::size_t idx) -> core::Result<Answer> {
      const ApiShape first = (*shapes_)[idx].value_or(ApiShape::kV1beta5);
      auto a = Fetch(MarketUrl(idx, first, what, query), first);
      if (!a.ok() || !IsMissingRoute(a->response.status)) {
        if (a.ok() && IsSuccess(a->response.status)) (*shapes_)[idx] = first;
        return a;
      }
      // 404/501: the node serves the other generation (pre- or post-Mainnet-14).
      const ApiShape other = first == ApiShape::kV1beta5 ? ApiShape::kV1beta4 : ApiShape::kV1beta5;
      auto b = Fetch(MarketUrl(idx, other, what, query), other);
      if (b.ok() && IsSuccess(b->response.status)) (*shapes_)[idx] = other;
      if (b.ok() && IsMissingRoute(b->response.status)) {
        // Neither generation: this node cannot serve us; let failover try the next one.
        core::Request r;
        r.url = MarketUrl(idx, other, what, query);
        return UpstreamHttpError(r, b->response);
      }
      return b;
    });
  }

 private:
  std::string Url(std::size_t idx, const std::string& path_and_query) const {
    return JoinUrl(options_.endpoints[idx], path_and_query);
  }
  std::string MarketUrl(std::size_t idx, ApiShape shape, const std::string& what,
                        const std::string& query) const {
    return Url(idx,
               "/akash/market/" + std::string(ShapeName(shape)) + "/" + what + "/list?" + query);
  }

  core::Result<Answer> Fetch(const std::string& url, ApiShape shape) {
    core::Request request;
    request.url = url;
    request.headers.emplace_back("Accept", "application/json");
    ++stats_->requests;
    auto r = fetcher_.Get(request);
    if (!r.ok()) return std::move(r).error();
    Answer a;
    a.route = core::UrlForLog(url);
    a.shape = shape;
    if (IsRetryableStatus(r->status)) return UpstreamHttpError(request, *r);
    a.response = std::move(r).value();
    return a;
  }

  template <typename Attempt>
  core::Result<Answer> WithFailover(Attempt attempt) {
    const std::size_t n = options_.endpoints.size();
    std::optional<core::Error> last;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t idx = (*current_ + i) % n;
      auto a = attempt(idx);
      if (a.ok()) {
        if (idx != *current_) {
          core::LogWarn("chain endpoint failed over",
                        {{"target", options_.provider},
                         {"from", EndpointForDisplay(options_.endpoints[*current_])},
                         {"to", EndpointForDisplay(options_.endpoints[idx])}});
          *current_ = idx;
        }
        return a;
      }
      last = std::move(a).error();
    }
    if (!last) return MakeError(ErrorReason::kConnect, "no chain_rest endpoint configured");
    return std::move(*last);
  }

  core::Fetcher& fetcher_;
  const ChainLeasesOptions& options_;
  std::size_t* current_;
  std::vector<std::optional<ApiShape>>* shapes_;
  ChainCrawlStats* stats_;
};

namespace {

// Follows next_key until it is null or empty. `on_page(answer)` parses one page and returns its
// next key. A key seen before, or more than `max_pages` pages, is a parse error.
template <typename OnPage>
core::Status Paginate(ChainLeasesSource::Client& client, const std::string& what,
                      const std::string& filters, const ChainLeasesOptions& options,
                      std::uint64_t* pages, OnPage on_page) {
  std::set<std::string> seen;
  std::string key;
  for (std::uint32_t page = 0;; ++page) {
    if (page >= options.max_pages) {
      return MakeError(ErrorReason::kParse, what + "/list: more than " +
                                                std::to_string(options.max_pages) +
                                                " pages; giving up (page budget)");
    }
    std::string query = filters + "&pagination.limit=" + std::to_string(options.page_limit);
    if (!key.empty()) query += "&pagination.key=" + chain::UrlEncode(key);
    AKASH_COLL_ASSIGN_OR_RETURN(auto answer, client.Market(what, query));
    if (!IsSuccess(answer.response.status)) {
      core::Request r;
      r.url = answer.route;
      return UpstreamHttpError(r, answer.response);
    }
    ++*pages;
    AKASH_COLL_ASSIGN_OR_RETURN(chain::Page p, on_page(answer));
    if (p.next_key.empty()) return core::Ok{};
    if (!seen.insert(p.next_key).second) {
      return MakeError(ErrorReason::kParse,
                       "GET " + answer.route + ": pagination.next_key repeated; stopping");
    }
    key = std::move(p.next_key);
  }
}

}  // namespace

ChainLeasesSource::ChainLeasesSource(ChainLeasesOptions options)
    : name_(core::kSourceChainLeases), options_(std::move(options)) {
  if (options_.page_limit == 0) options_.page_limit = 1000;
  shapes_.resize(options_.endpoints.size());
}

core::Result<double> ChainLeasesSource::BlockInterval(Client& client, std::int64_t height,
                                                      std::int64_t time_ns) {
  // Pruned nodes may not hold the block N back: fall back to shorter samples.
  for (std::int64_t n : {options_.block_sample, std::int64_t{100}, std::int64_t{10}}) {
    n = std::min(n, height - 1);
    if (n <= 0) break;
    AKASH_COLL_ASSIGN_OR_RETURN(
        auto a, client.Get("/cosmos/base/tendermint/v1beta1/blocks/" + std::to_string(height - n)));
    if (!IsSuccess(a.response.status)) continue;
    AKASH_COLL_ASSIGN_OR_RETURN(chain::BlockHeader old,
                                chain::ParseBlock(a.response.body, a.route));
    if (old.time_ns >= time_ns || old.height != height - n) {
      return MakeError(ErrorReason::kParse, "GET " + a.route + ": block times do not increase");
    }
    return static_cast<double>(time_ns - old.time_ns) / 1e9 / static_cast<double>(n);
  }
  return MakeError(ErrorReason::kHttp4xx,
                   "no earlier block available to measure the block interval");
}

core::Status ChainLeasesSource::FullCrawl(Client& client, std::int64_t height,
                                          std::int64_t now_unix) {
  stats_.full = true;
  const std::string by_provider = "filters.provider=" + chain::UrlEncode(options_.provider);
  // Bids first, so that every lease can be joined with the GPUs its bid offered.
  std::map<std::string, GpuOffers> gpus;
  auto bids = Paginate(client, "bids", by_provider, options_, &stats_.bid_pages,
                       [&](const Client::Answer& a) {
                         return chain::ParseBidsPage(a.response.body, a.route, a.shape, &gpus);
                       });
  if (!bids.ok()) return std::move(bids).error();

  chain::CrawlCache next;
  next.full_crawl_unix = now_unix;
  std::optional<ApiShape> shape;
  std::vector<LeaseRecord> page;
  auto leases =
      Paginate(client, "leases", by_provider, options_, &stats_.lease_pages,
               [&](const Client::Answer& a) -> core::Result<chain::Page> {
                 page.clear();
                 shape = a.shape;
                 auto p = chain::ParseLeasesPage(a.response.body, a.route, a.shape, &page);
                 if (!p.ok()) return p;
                 for (LeaseRecord& r : page) {
                   std::string key = r.id.Key();
                   const auto g = gpus.find(key);
                   GpuOffers offers = g == gpus.end() ? GpuOffers{} : g->second;
                   if (r.Final()) {
                     ++(r.state == LeaseState::kClosed ? next.closed : next.insufficient_funds);
                     next.final_sums.Add(r, offers, height);
                   } else {
                     next.open[std::move(key)] = {std::move(r), std::move(offers)};
                   }
                 }
                 return p;
               });
  if (!leases.ok()) return std::move(leases).error();
  next.shape = shape.value_or(shapes_[current_].value_or(ApiShape::kV1beta5));
  cache_ = std::move(next);
  return core::Ok{};
}

core::Result<bool> ChainLeasesSource::Incremental(Client& client, std::int64_t height) {
  chain::CrawlCache& cache = *cache_;
  const std::string by_provider = "filters.provider=" + chain::UrlEncode(options_.provider);
  std::map<std::string, LeaseRecord> seen;
  std::optional<ApiShape> shape;
  std::vector<LeaseRecord> page;
  auto collect = [&](const Client::Answer& a) -> core::Result<chain::Page> {
    page.clear();
    shape = a.shape;
    auto p = chain::ParseLeasesPage(a.response.body, a.route, a.shape, &page);
    if (!p.ok()) return p;
    for (LeaseRecord& r : page) {
      std::string key = r.id.Key();
      seen[std::move(key)] = std::move(r);
    }
    return p;
  };
  auto active = Paginate(client, "leases", by_provider + "&filters.state=active", options_,
                         &stats_.lease_pages, collect);
  if (!active.ok()) return std::move(active).error();
  if (shape && *shape != cache.shape) return false;  // the node changed generation: recrawl

  // Tracked leases that are no longer active: reclaiming, or closed since the last poll.
  std::vector<std::string> left;
  bool any_reclaiming = false;
  for (const auto& [key, open] : cache.open) {
    if (seen.count(key) != 0) continue;
    left.push_back(key);
    any_reclaiming = any_reclaiming || open.record.state == LeaseState::kReclaiming;
  }
  if (!left.empty() && (any_reclaiming || left.size() > options_.max_single_fetches)) {
    auto rec = Paginate(client, "leases", by_provider + "&filters.state=reclaiming", options_,
                        &stats_.lease_pages, collect);
    if (!rec.ok()) return std::move(rec).error();
    std::erase_if(left, [&](const std::string& k) { return seen.count(k) != 0; });
  }
  if (left.size() > options_.max_single_fetches) return false;
  for (const std::string& key : left) {
    const chain::LeaseId& id = cache.open.at(key).record.id;
    ++stats_.single_fetches;
    auto one = Paginate(client, "leases", IdQuery(id, cache.shape), options_, &stats_.lease_pages,
                        collect);
    if (!one.ok()) return std::move(one).error();
    if (seen.count(key) == 0) {
      // The chain does not know the lease (pruned, or a node behind the others): keep the last
      // view and ask again next poll.
      core::LogWarn("tracked lease not found on chain",
                    {{"target", options_.provider}, {"lease", key}});
    }
  }

  // Bids of leases seen for the first time, for their GPUs.
  std::map<std::string, bool> wanted;
  for (const auto& [key, r] : seen) {
    if (cache.open.count(key) == 0 && !r.Final()) wanted[key] = true;
  }
  std::map<std::string, GpuOffers> gpus;
  if (wanted.size() > options_.max_single_fetches) {
    auto bids =
        Paginate(client, "bids", by_provider + "&filters.state=active", options_, &stats_.bid_pages,
                 [&](const Client::Answer& a) {
                   return chain::ParseBidsPage(a.response.body, a.route, a.shape, &gpus, &wanted);
                 });
    if (!bids.ok()) return std::move(bids).error();
  } else {
    for (const auto& [key, unused] : wanted) {
      ++stats_.single_fetches;
      const chain::LeaseId& id = seen.at(key).id;
      auto bid =
          Paginate(client, "bids", IdQuery(id, cache.shape), options_, &stats_.bid_pages,
                   [&](const Client::Answer& a) {
                     return chain::ParseBidsPage(a.response.body, a.route, a.shape, &gpus, &wanted);
                   });
      if (!bid.ok()) return std::move(bid).error();
    }
  }

  // Apply: final leases move into the aggregate, open ones are (re)tracked.
  for (auto& [key, r] : seen) {
    const auto it = cache.open.find(key);
    GpuOffers offers;
    if (it != cache.open.end()) {
      offers = it->second.gpus;
    } else if (const auto g = gpus.find(key); g != gpus.end()) {
      offers = g->second;
    }
    if (r.Final()) {
      if (it == cache.open.end()) continue;  // never tracked: the daily full crawl counts it
      ++(r.state == LeaseState::kClosed ? cache.closed : cache.insufficient_funds);
      cache.final_sums.Add(r, offers, height);
      cache.open.erase(it);
    } else {
      cache.open[key] = {std::move(r), std::move(offers)};
    }
  }
  return true;
}

core::Result<PollOutput> ChainLeasesSource::Poll(core::Fetcher& fetcher, const PollContext& ctx) {
  if (options_.endpoints.empty()) {
    return MakeError(ErrorReason::kConnect, "chain_leases: no chain_rest endpoint configured");
  }
  if (!loaded_) {
    loaded_ = true;
    if (ctx.state != nullptr) {
      if (auto blob = ctx.state->Get(kCacheBlob)) {
        cache_ = chain::DecodeCache(*blob);
        if (!cache_) {
          core::LogWarn("chain_leases cache unreadable; crawling everything again",
                        {{"target", options_.provider}});
        } else {
          saved_blob_ = *blob;
        }
      }
    }
  }
  stats_ = {};
  Client client(fetcher, options_, &current_, &shapes_, &stats_);

  AKASH_COLL_ASSIGN_OR_RETURN(auto latest,
                              client.Get("/cosmos/base/tendermint/v1beta1/blocks/latest"));
  if (!IsSuccess(latest.response.status)) {
    core::Request r;
    r.url = latest.route;
    return UpstreamHttpError(r, latest.response);
  }
  AKASH_COLL_ASSIGN_OR_RETURN(chain::BlockHeader head,
                              chain::ParseBlock(latest.response.body, latest.route));
  AKASH_COLL_ASSIGN_OR_RETURN(double interval, BlockInterval(client, head.height, head.time_ns));

  const std::int64_t now_unix =
      std::chrono::duration_cast<std::chrono::seconds>(ctx.now.time_since_epoch()).count();
  bool full = !cache_ || now_unix - cache_->full_crawl_unix >= options_.reconcile_every.count() ||
              now_unix < cache_->full_crawl_unix;
  if (!full) {
    // Work on a copy: a failed poll must leave the cache as it was.
    std::optional<chain::CrawlCache> before = cache_;
    auto done = Incremental(client, head.height);
    if (!done.ok()) {
      cache_ = std::move(before);
      return std::move(done).error();
    }
    if (!*done) {
      cache_ = std::move(before);
      full = true;
    }
  }
  if (full) {
    auto st = FullCrawl(client, head.height, now_unix);
    if (!st.ok()) return std::move(st).error();
  }
  if (ctx.facts != nullptr) ctx.facts->SetBlockIntervalSeconds(interval);

  if (ctx.state != nullptr) {
    std::string blob = chain::EncodeCache(*cache_);
    if (blob != saved_blob_) {
      ctx.state->Put(kCacheBlob, blob);
      saved_blob_ = std::move(blob);
    }
  }
  PollOutput out = Build(ctx, head.height, interval);
  const auto shape = shapes_[current_].value_or(cache_->shape);
  out.note = "chain endpoint " + EndpointForDisplay(options_.endpoints[current_]) + " (market " +
             std::string(ShapeName(shape)) + ")";
  return out;
}

PollOutput ChainLeasesSource::Build(const PollContext& ctx, std::int64_t height,
                                    double interval) const {
  const chain::CrawlCache& c = *cache_;
  const Labels provider = {{"provider", options_.provider}};
  std::map<LeaseState, std::int64_t> counts = {
      {LeaseState::kActive, 0},
      {LeaseState::kInsufficientFunds, c.insufficient_funds},
      {LeaseState::kClosed, c.closed},
      {LeaseState::kReclaiming, 0}};
  chain::Sums sums = c.final_sums;
  Decimal rate[2];
  std::map<std::pair<std::string, std::string>, std::int64_t> active_gpus;
  for (const auto& [key, open] : c.open) {
    const LeaseRecord& r = open.record;
    ++counts[r.state];
    sums.Add(r, open.gpus, height);
    if (r.state != LeaseState::kActive) continue;
    if (r.unit != Unit::kOther) rate[UnitIndex(r.unit)] += r.price;
    for (const auto& g : open.gpus) active_gpus[{g.vendor, g.model}] += g.gpus;
  }
  const double per_hour = 3600.0 / interval;
  const std::optional<double> akt_usd =
      ctx.facts != nullptr ? ctx.facts->AktPriceUsd() : std::nullopt;

  PollOutput out;
  const std::string from = "from the chain REST API (leases/list";
  FamilyBuilder states("akash_provider_chain_leases",
                       "Leases by chain state " + from +
                           "); closed counts every closed lease ever; refreshed every poll.",
                       prometheus::MetricType::Gauge);
  for (const auto& [state, n] : counts) {
    states.Add({{"provider", options_.provider}, {"state", std::string(chain::ToString(state))}},
               static_cast<double>(n));
  }
  out.families.push_back(std::move(states).Build());

  const double rate_akt = Whole(rate[0]) * per_hour;
  const double rate_act = Whole(rate[1]) * per_hour;
  out.families.push_back(GaugeFamily(
      "akash_provider_lease_rate_akt_per_hour",
      "Sum of the per-block prices of active leases in AKT x blocks per hour (measured block "
      "interval), " +
          from + "); refreshed every poll.",
      provider, rate_akt));
  out.families.push_back(GaugeFamily(
      "akash_provider_lease_rate_act_per_hour",
      "Sum of the per-block prices of active leases in ACT (and legacy USDC) x blocks per hour "
      "(measured block interval), " +
          from + "); refreshed every poll.",
      provider, rate_act));
  if (rate[0].IsZero() || akt_usd) {
    out.families.push_back(GaugeFamily(
        "akash_provider_lease_rate_usd_per_hour",
        "The active leases' run-rate in USD: AKT at akash_akt_price_usd, ACT and USDC 1:1, " +
            from + "); absent while an AKT lease runs and no AKT price is known yet.",
        provider, rate_act + (rate[0].IsZero() ? 0.0 : rate_akt * *akt_usd)));
  }
  const std::string escrow = "from the chain REST API (leases/list escrow_payment";
  out.families.push_back(GaugeFamily(
      "akash_provider_escrow_unwithdrawn_akt",
      "AKT accrued to the provider and not yet withdrawn (sum of balance over escrow payments "
      "not closed), " +
          escrow + "); refreshed every poll.",
      provider, Whole(sums.balance[0])));
  out.families.push_back(GaugeFamily(
      "akash_provider_escrow_unwithdrawn_act",
      "ACT (and legacy USDC) accrued to the provider and not yet withdrawn (sum of balance over "
      "escrow payments not closed), " +
          escrow + "); refreshed every poll.",
      provider, Whole(sums.balance[1])));
  out.families.push_back(GaugeFamily("akash_provider_escrow_unsettled_akt",
                                     "AKT debt of overdrawn escrow payments (sum of unsettled), " +
                                         escrow + "); refreshed every poll.",
                                     provider, Whole(sums.unsettled[0])));
  out.families.push_back(
      GaugeFamily("akash_provider_escrow_unsettled_act",
                  "ACT (and legacy USDC) debt of overdrawn escrow payments (sum of unsettled), " +
                      escrow + "); refreshed every poll.",
                  provider, Whole(sums.unsettled[1])));
  out.families.push_back(GaugeFamily(
      "akash_provider_escrow_overdrawn_leases",
      "Leases whose escrow payment is overdrawn, " + escrow + "); refreshed every poll.", provider,
      static_cast<double>(sums.overdrawn)));
  out.families.push_back(
      CounterFamily("akash_provider_withdrawn_akt_total",
                    "AKT withdrawn to the provider over every lease ever (gross), " + escrow +
                        " withdrawn; closed leases cached); refreshed every poll.",
                    provider, Whole(sums.withdrawn[0])));
  out.families.push_back(CounterFamily(
      "akash_provider_withdrawn_act_total",
      "ACT (and legacy USDC) withdrawn to the provider over every lease ever (gross), " + escrow +
          " withdrawn; closed leases cached); refreshed every poll.",
      provider, Whole(sums.withdrawn[1])));

  FamilyBuilder gpus("akash_provider_lease_gpus",
                     "GPUs under active leases by the vendor and model their bid offered, from "
                     "the chain REST API (leases/list joined with bids/list); refreshed every "
                     "poll.",
                     prometheus::MetricType::Gauge);
  for (const auto& [model, n] : active_gpus) {
    gpus.Add({{"provider", options_.provider}, {"vendor", model.first}, {"model", model.second}},
             static_cast<double>(n));
  }
  if (!gpus.empty()) out.families.push_back(std::move(gpus).Build());
  FamilyBuilder gpu_seconds(
      "akash_provider_gpu_seconds_total",
      "GPU time delivered over every lease ever: GPUs x blocks leased x the measured block "
      "interval, from the chain REST API (leases/list joined with bids/list; closed leases "
      "cached); refreshed every poll.",
      prometheus::MetricType::Counter);
  for (const auto& [model, blocks] : sums.gpu_blocks) {
    const auto slash = model.find('/');
    gpu_seconds.Add({{"provider", options_.provider},
                     {"vendor", model.substr(0, slash)},
                     {"model", model.substr(slash + 1)}},
                    static_cast<double>(blocks) * interval);
  }
  if (!gpu_seconds.empty()) out.families.push_back(std::move(gpu_seconds).Build());

  if (options_.publish_chain_gauges) {
    out.families.push_back(GaugeFamily("akash_chain_block_height",
                                       "Latest block height, from the chain REST API "
                                       "(blocks/latest); refreshed every chain_leases poll.",
                                       {}, static_cast<double>(height)));
    out.families.push_back(
        GaugeFamily("akash_chain_block_interval_seconds",
                    "Mean block interval measured over the last ~1000 blocks ((time(latest) - "
                    "time(latest - N)) / N), from the chain REST API (blocks); refreshed every "
                    "chain_leases poll.",
                    {}, interval));
  }

  if (options_.per_lease_series) {
    FamilyBuilder info("akash_lease_info",
                       "One series per open lease (active or reclaiming) of the provider, from "
                       "the chain REST API; opt-in, capped by max_lease_series.",
                       prometheus::MetricType::Gauge);
    FamilyBuilder price("akash_lease_price_usd_per_hour",
                        "Price of one open lease in USD per hour (AKT at akash_akt_price_usd, ACT "
                        "and USDC 1:1, measured block interval), from the chain REST API; "
                        "opt-in, capped by max_lease_series.",
                        prometheus::MetricType::Gauge);
    std::uint64_t info_n = 0, price_n = 0;
    for (const auto& [key, open] : c.open) {
      const LeaseRecord& r = open.record;
      std::string model = "none";
      if (open.gpus.size() == 1) model = open.gpus.front().model;
      if (open.gpus.size() > 1) model = "mixed";
      const std::string denom =
          r.unit == Unit::kAkt ? "akt" : (r.unit == Unit::kAct ? "act" : r.denom);
      if (info_n < options_.max_lease_series) {
        info.Add({{"provider", options_.provider},
                  {"owner", r.id.owner},
                  {"dseq", r.id.dseq},
                  {"gseq", std::to_string(r.id.gseq)},
                  {"oseq", std::to_string(r.id.oseq)},
                  {"state", std::string(chain::ToString(r.state))},
                  {"denom", denom},
                  {"gpu_model", model}},
                 1);
        ++info_n;
      } else {
        ++out.series_dropped;
      }
      std::optional<double> usd;
      if (r.unit == Unit::kAct) usd = Whole(r.price) * per_hour;
      if (r.unit == Unit::kAkt && akt_usd) usd = Whole(r.price) * per_hour * *akt_usd;
      if (!usd) continue;
      if (price_n < options_.max_lease_series) {
        price.Add({{"provider", options_.provider},
                   {"owner", r.id.owner},
                   {"dseq", r.id.dseq},
                   {"gseq", std::to_string(r.id.gseq)},
                   {"oseq", std::to_string(r.id.oseq)}},
                  *usd);
        ++price_n;
      } else {
        ++out.series_dropped;
      }
    }
    if (!info.empty()) out.families.push_back(std::move(info).Build());
    if (!price.empty()) out.families.push_back(std::move(price).Build());
  }
  return out;
}

}  // namespace akash::collectors
